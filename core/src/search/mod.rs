//! Offline full-text search over the installed guidance, with tantivy.
//!
//! The index is a cache: it is built on the device from the content database and rebuilt
//! whenever the tantivy version, the schema below or the content version changes, or when it is
//! missing or unreadable (see [`cache`]). Pages are ranked in one index; a second index of
//! sections says where in each page the match is and supplies the snippet.

mod analyzer;
mod cache;
mod query;
mod snippet;
mod spell;
mod suggest;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use safeguarding_content::Page;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, InvertedIndexReader, ReloadPolicy, TantivyDocument, Term};

pub use cache::{IndexMeta, SCHEMA_VERSION};
pub use query::MAX_QUERY_WORDS;
pub use snippet::{Highlight, Snippet};
pub use suggest::{Suggestion, SuggestionKind};

use crate::error::{Error, Result};
use crate::progress::{Stage, Work};
use crate::store::ContentStore;
use analyzer::{STEM_ANALYZER, WORD_ANALYZER};
use query::{concepts, is_stop_word, normalize, Alternative, Concept, Thesaurus};
use spell::Speller;
use suggest::Suggester;

/// Most results one search returns.
pub const MAX_LIMIT: usize = 100;

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    pub topic: Option<String>,
    pub audience: Option<String>,
    pub limit: usize,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest { query: query.into(), topic: None, audience: None, limit: 10 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub query: String,
    /// The query with misspelt words corrected, when any were.
    pub suggestion: Option<String>,
    pub results: Vec<SearchResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub id: String,
    pub title: String,
    pub topic: String,
    pub summary: String,
    pub score: f32,
    /// The best-matching section: its anchor and heading. `None` when the best match is the
    /// page's opening or its title.
    pub section: Option<SectionRef>,
    pub snippet: Snippet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRef {
    pub anchor: String,
    pub heading: String,
}

struct PageFields {
    id: Field,
    title: Field,
    summary: Field,
    keywords: Field,
    headings: Field,
    body: Field,
    topic: Field,
    audience: Field,
    words: Field,
}

struct SectionFields {
    page: Field,
    anchor: Field,
    heading: Field,
    text: Field,
}

fn text_options(analyzer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let opts = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(record));
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

fn page_schema() -> (Schema, PageFields) {
    let mut b = Schema::builder();
    let ranked = IndexRecordOption::WithFreqsAndPositions;
    let f = PageFields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text_options(STEM_ANALYZER, ranked, true)),
        summary: b.add_text_field("summary", text_options(STEM_ANALYZER, ranked, true)),
        keywords: b.add_text_field("keywords", text_options(STEM_ANALYZER, ranked, false)),
        headings: b.add_text_field("headings", text_options(STEM_ANALYZER, ranked, false)),
        body: b.add_text_field("body", text_options(STEM_ANALYZER, ranked, false)),
        topic: b.add_text_field("topic", STRING | STORED),
        audience: b.add_text_field("audience", STRING),
        // Only the term dictionary of this field is used, for spelling.
        words: b.add_text_field("words", text_options(WORD_ANALYZER, IndexRecordOption::Basic, false)),
    };
    (b.build(), f)
}

fn section_schema() -> (Schema, SectionFields) {
    let mut b = Schema::builder();
    let ranked = IndexRecordOption::WithFreqsAndPositions;
    let f = SectionFields {
        page: b.add_text_field("page", STRING | STORED),
        anchor: b.add_text_field("anchor", STORED),
        heading: b.add_text_field("heading", text_options(STEM_ANALYZER, ranked, true)),
        text: b.add_text_field("text", text_options(STEM_ANALYZER, ranked, true)),
    };
    (b.build(), f)
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(STEM_ANALYZER, analyzer::stemmed());
    index.tokenizers().register(WORD_ANALYZER, analyzer::words());
}

/// How much a match in each field counts.
const TITLE_BOOST: f32 = 3.0;
const KEYWORDS_BOOST: f32 = 2.5;
const HEADINGS_BOOST: f32 = 1.5;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;

pub struct SearchIndex {
    pages: IndexReader,
    sections: IndexReader,
    pf: PageFields,
    sf: SectionFields,
    thesaurus: Thesaurus,
    suggester: Suggester,
    speller: Speller,
    stem: TextAnalyzer,
    words: TextAnalyzer,
    meta: IndexMeta,
}

impl SearchIndex {
    /// Opens the index in `dir`, rebuilding it from `store` if it is stale, missing or broken.
    /// Returns the index and whether it was rebuilt.
    pub fn open_or_build(dir: &Path, store: &ContentStore, work: &Work<'_>) -> Result<(SearchIndex, bool)> {
        let installed = store.installed()?.ok_or(Error::NoContent)?;
        let wanted = IndexMeta::current(&installed.version);
        if cache::read_meta(dir).as_ref() == Some(&wanted) {
            if let Ok(index) = SearchIndex::open(dir, store, wanted.clone()) {
                return Ok((index, false));
            }
        }
        SearchIndex::rebuild(dir, store, work)?;
        Ok((SearchIndex::open(dir, store, wanted)?, true))
    }

    /// Rebuilds the index in `dir` from what `store` holds.
    pub fn rebuild(dir: &Path, store: &ContentStore, work: &Work<'_>) -> Result<()> {
        let installed = store.installed()?.ok_or(Error::NoContent)?;
        let mut pages = Vec::new();
        store.for_each_page(|p| {
            pages.push(p);
            Ok(())
        })?;
        let staging = SearchIndex::build(dir, &pages, &IndexMeta::current(&installed.version), work)?;
        cache::swap_in(dir, &staging)
    }

    /// Builds an index of `pages` in a staging folder beside `dir` and returns the folder; the
    /// caller swaps it in with [`SearchIndex::swap_in`] once the content it indexes is committed.
    pub fn build(dir: &Path, pages: &[Page], meta: &IndexMeta, work: &Work<'_>) -> Result<PathBuf> {
        let staging = cache::staging_dir(dir)?;
        let result = build_into(&staging, pages, meta, work);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result.map(|()| staging)
    }

    /// Makes a staged build the live index.
    pub fn swap_in(dir: &Path, staging: &Path) -> Result<()> {
        cache::swap_in(dir, staging)
    }

    /// Opens the live index in `dir`, built for `meta`.
    pub fn open_built(dir: &Path, store: &ContentStore, meta: IndexMeta) -> Result<SearchIndex> {
        SearchIndex::open(dir, store, meta)
    }

    fn open(dir: &Path, store: &ContentStore, meta: IndexMeta) -> Result<SearchIndex> {
        let open = |sub: &str| -> Result<IndexReader> {
            let index = Index::open_in_dir(dir.join(sub))?;
            register_analyzers(&index);
            Ok(index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?)
        };
        let pages = open(cache::PAGES)?;
        let sections = open(cache::SECTIONS)?;
        let (pschema, pf) = page_schema();
        let (sschema, sf) = section_schema();
        // A schema that differs from this build's means the meta file lied: rebuild.
        if pages.searcher().schema() != &pschema || sections.searcher().schema() != &sschema {
            return Err(Error::Corrupt("index schema does not match".into()));
        }
        let mut suggester = Suggester::default();
        store.for_each_page(|p| {
            suggester.add(&p.title, SuggestionKind::Title, Some(&p.id));
            for k in &p.keywords {
                suggester.add(k, SuggestionKind::Keyword, None);
            }
            Ok(())
        })?;
        let index = SearchIndex {
            pages,
            sections,
            pf,
            sf,
            thesaurus: Thesaurus::new(&store.synonyms()?),
            suggester,
            speller: Speller::default(),
            stem: analyzer::stemmed(),
            words: analyzer::words(),
            meta,
        };
        // Touch every segment's dictionaries now, so a damaged index fails here, where it can
        // be rebuilt, rather than in the middle of a search.
        index.word_dictionaries()?;
        Ok(index)
    }

    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    fn word_dictionaries(&self) -> Result<Vec<Arc<InvertedIndexReader>>> {
        let searcher = self.pages.searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            out.push(seg.inverted_index(self.pf.words)?);
        }
        Ok(out)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let mut words_analyzer = self.words.clone();
        let words = normalize(&request.query, &mut words_analyzer);
        let mut out = SearchResults { query: request.query.clone(), suggestion: None, results: Vec::new() };
        if words.is_empty() {
            return Ok(out);
        }
        let dictionaries = self.word_dictionaries()?;
        let is_known = |w: &str| dictionaries.iter().any(|d| matches!(d.terms().get(w.as_bytes()), Ok(Some(_))));
        let correct = |w: &str| self.speller.nearest(&dictionaries, w);
        let (concepts, corrected) = concepts(&words, &self.thesaurus, &is_known, &correct);
        if corrected != words {
            out.suggestion = Some(corrected.join(" "));
        }
        let mut stem = self.stem.clone();
        let page_fields = [
            (self.pf.title, TITLE_BOOST),
            (self.pf.keywords, KEYWORDS_BOOST),
            (self.pf.headings, HEADINGS_BOOST),
            (self.pf.summary, SUMMARY_BOOST),
            (self.pf.body, BODY_BOOST),
        ];
        let Some(matching) = concepts_query(&concepts, &page_fields, &mut stem) else {
            return Ok(out);
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, matching)];
        if let Some(topic) = &request.topic {
            clauses.push((Occur::Must, term_query(self.pf.topic, topic)));
        }
        if let Some(audience) = &request.audience {
            let either: Vec<(Occur, Box<dyn Query>)> = [audience.as_str(), "all-staff"]
                .iter()
                .map(|a| (Occur::Should, term_query(self.pf.audience, a)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        let searcher = self.pages.searcher();
        let hits = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(limit).order_by_score())?;
        if hits.is_empty() {
            return Ok(out);
        }
        for (score, address) in &hits {
            out.results.push(self.page_hit(&searcher, *score, *address)?);
        }
        let highlight = highlight_terms(&concepts, &mut stem);
        self.add_sections(&concepts, &highlight, &mut out.results, &mut stem)?;
        Ok(out)
    }

    fn page_hit(&self, searcher: &tantivy::Searcher, score: f32, address: DocAddress) -> Result<SearchResult> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |f: Field| doc.get_first(f).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        Ok(SearchResult {
            id: text(self.pf.id),
            title: text(self.pf.title),
            topic: text(self.pf.topic),
            summary: text(self.pf.summary),
            score,
            section: None,
            snippet: Snippet::default(),
        })
    }

    /// Finds each result's best section and cuts its snippet.
    fn add_sections(
        &self,
        concepts: &[Concept],
        highlight: &HashSet<String>,
        results: &mut [SearchResult],
        stem: &mut TextAnalyzer,
    ) -> Result<()> {
        let fields = [(self.sf.heading, HEADINGS_BOOST), (self.sf.text, BODY_BOOST)];
        let searcher = self.sections.searcher();
        let mut found: Vec<Option<(String, String, String)>> = vec![None; results.len()];
        if let Some(matching) = concepts_query(concepts, &fields, stem) {
            let pages = TermSetQuery::new(results.iter().map(|r| Term::from_field_text(self.sf.page, &r.id)));
            let query = BooleanQuery::new(vec![(Occur::Must, matching), (Occur::Must, Box::new(pages))]);
            let hits = searcher.search(&query, &TopDocs::with_limit(results.len() * 12).order_by_score())?;
            for (_, address) in hits {
                let doc: TantivyDocument = searcher.doc(address)?;
                let text = |f: Field| doc.get_first(f).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                let page = text(self.sf.page);
                if let Some(i) = results.iter().position(|r| r.id == page) {
                    if found[i].is_none() {
                        found[i] = Some((text(self.sf.anchor), text(self.sf.heading), text(self.sf.text)));
                    }
                }
            }
        }
        for (result, section) in results.iter_mut().zip(found) {
            let from_section = section.as_ref().and_then(|(_, _, text)| snippet::best_snippet(text, stem, highlight));
            result.snippet = from_section
                .or_else(|| snippet::best_snippet(&result.summary, stem, highlight))
                .unwrap_or_else(|| snippet::lead(&result.summary));
            if let Some((anchor, heading, _)) = section {
                if !anchor.is_empty() {
                    result.section = Some(SectionRef { anchor, heading });
                }
            }
        }
        Ok(())
    }

    /// Titles and keywords that complete what has been typed so far.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        self.suggester.suggest(prefix, limit.min(MAX_LIMIT))
    }
}

fn build_into(staging: &Path, pages: &[Page], meta: &IndexMeta, work: &Work<'_>) -> Result<()> {
    let (pschema, pf) = page_schema();
    let (sschema, sf) = section_schema();
    let pages_dir = staging.join(cache::PAGES);
    let sections_dir = staging.join(cache::SECTIONS);
    for d in [&pages_dir, &sections_dir] {
        std::fs::create_dir_all(d).map_err(Error::io(d))?;
    }
    let pindex = Index::create_in_dir(&pages_dir, pschema)?;
    let sindex = Index::create_in_dir(&sections_dir, sschema)?;
    register_analyzers(&pindex);
    register_analyzers(&sindex);
    // One thread: the phone stays responsive, and one segment keeps searches fast.
    let mut pw: tantivy::IndexWriter = pindex.writer_with_num_threads(1, 30_000_000)?;
    let mut sw: tantivy::IndexWriter = sindex.writer_with_num_threads(1, 30_000_000)?;
    let total = pages.len() as u64;
    for (done, page) in pages.iter().enumerate() {
        work.step(Stage::Indexing, done as u64, total)?;
        pw.add_document(page_document(&pf, page))?;
        for s in page.sections() {
            let mut doc = TantivyDocument::default();
            doc.add_text(sf.page, &page.id);
            doc.add_text(sf.anchor, s.anchor.as_deref().unwrap_or(""));
            doc.add_text(sf.heading, s.heading.as_deref().unwrap_or(""));
            doc.add_text(sf.text, &s.text);
            sw.add_document(doc)?;
        }
    }
    pw.commit()?;
    sw.commit()?;
    merge_into_one_segment(&pindex, pw)?;
    merge_into_one_segment(&sindex, sw)?;
    work.step(Stage::Indexing, total, total)?;
    cache::write_meta(staging, meta)
}

fn page_document(f: &PageFields, page: &Page) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &page.id);
    doc.add_text(f.title, &page.title);
    doc.add_text(f.summary, &page.summary);
    for k in &page.keywords {
        doc.add_text(f.keywords, k);
        doc.add_text(f.words, k);
    }
    for h in page.headings() {
        doc.add_text(f.headings, h);
    }
    let body = page.plain_text();
    doc.add_text(f.body, &body);
    doc.add_text(f.topic, &page.topic);
    for a in &page.audience {
        doc.add_text(f.audience, a);
    }
    doc.add_text(f.words, &page.title);
    doc.add_text(f.words, &page.summary);
    doc.add_text(f.words, &body);
    doc
}

fn merge_into_one_segment(index: &Index, mut writer: tantivy::IndexWriter) -> Result<()> {
    let ids = index.searchable_segment_ids()?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;
    Ok(())
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// One concept's alternatives, best-scoring wins; concepts add up.
fn concepts_query(concepts: &[Concept], fields: &[(Field, f32)], stem: &mut TextAnalyzer) -> Option<Box<dyn Query>> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for concept in concepts {
        let alternatives: Vec<Box<dyn Query>> =
            concept.alternatives.iter().filter_map(|a| alternative_query(a, fields, stem)).collect();
        match alternatives.len() {
            0 => {}
            1 => should.extend(alternatives.into_iter().map(|q| (Occur::Should, q))),
            _ => should.push((Occur::Should, Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, 0.1)))),
        }
    }
    if should.is_empty() {
        None
    } else {
        Some(Box::new(BooleanQuery::new(should)))
    }
}

fn alternative_query(alt: &Alternative, fields: &[(Field, f32)], stem: &mut TextAnalyzer) -> Option<Box<dyn Query>> {
    let terms = analyzer::analyze(stem, &alt.words.join(" "));
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if alt.as_phrase && terms.len() > 1 {
        let first = terms[0].position;
        for &(field, boost) in fields {
            let positioned = terms.iter().map(|t| (t.position - first, Term::from_field_text(field, &t.text))).collect();
            let phrase = PhraseQuery::new_with_offset(positioned);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(phrase), boost))));
        }
    } else {
        for t in &terms {
            if terms.len() > 1 && is_stop_word(&t.text) {
                continue;
            }
            for &(field, boost) in fields {
                let q = TermQuery::new(Term::from_field_text(field, &t.text), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
    }
    if should.is_empty() {
        return None;
    }
    Some(Box::new(BoostQuery::new(Box::new(BooleanQuery::new(should)), alt.origin.weight())))
}

/// Every stemmed term any alternative searches for, minus stop words: what snippets mark.
fn highlight_terms(concepts: &[Concept], stem: &mut TextAnalyzer) -> HashSet<String> {
    concepts
        .iter()
        .flat_map(|c| c.alternatives.iter())
        .flat_map(|a| analyzer::analyze(stem, &a.words.join(" ")))
        .map(|t| t.text)
        .filter(|t| !is_stop_word(t))
        .collect()
}
