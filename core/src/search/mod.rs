//! Offline full-text search over the installed guidance, with tantivy.
//!
//! The index is a cache: it is built on the device from the content database and rebuilt
//! whenever the tantivy version, the schema below or the content version changes, or when it is
//! missing or unreadable (see [`cache`]). Pages are ranked in one index; a second index of
//! sections says where in each page the match is and supplies the snippet.

mod analyzer;
mod cache;
mod english;
mod query;
mod snippet;
mod spell;
mod suggest;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use safeguarding_content::{Page, Synonyms};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, InvertedIndexReader, ReloadPolicy, TantivyDocument, Term};

pub use cache::{IndexMeta, SCHEMA_VERSION};
pub use english::{is_english, list_bytes as english_list_bytes};
pub use query::MAX_QUERY_WORDS;
pub use snippet::{Highlight, Snippet};
pub use suggest::{Suggester, Suggestion, SuggestionKind};

use crate::error::{Error, Result};
use crate::guard;
use crate::progress::{Stage, Work};
use crate::store::ContentStore;
use analyzer::{STEM_ANALYZER, WORD_ANALYZER};
use query::{concept_token, concepts, is_stop_word, normalize, Alternative, Concept, Origin, Thesaurus};
use spell::Speller;

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
    /// When the query names a place or postcode: that area's number to call now, for the need
    /// the query implies. Shown before the guidance results.
    pub contact_card: Option<crate::contacts::CallAdvice>,
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
    /// The page's position in the build, which its sections carry too: a number, so sections
    /// can be filtered and grouped by page without reading stored documents.
    ord: Field,
    title: Field,
    summary: Field,
    keywords: Field,
    /// Situations and questions editors wrote for the page, in workers' words.
    asked_as: Field,
    headings: Field,
    body: Field,
    topic: Field,
    audience: Field,
    words: Field,
    /// Synonym concepts mentioned in the title, keywords, headings or summary.
    concepts_head: Field,
    /// Synonym concepts mentioned in the body.
    concepts_body: Field,
}

struct SectionFields {
    page_ord: Field,
    anchor: Field,
    heading: Field,
    text: Field,
    concepts: Field,
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
        ord: b.add_u64_field("ord", STORED),
        title: b.add_text_field("title", text_options(STEM_ANALYZER, ranked, true)),
        summary: b.add_text_field("summary", text_options(STEM_ANALYZER, ranked, true)),
        keywords: b.add_text_field("keywords", text_options(STEM_ANALYZER, ranked, false)),
        asked_as: b.add_text_field("asked_as", text_options(STEM_ANALYZER, ranked, false)),
        headings: b.add_text_field("headings", text_options(STEM_ANALYZER, ranked, false)),
        body: b.add_text_field("body", text_options(STEM_ANALYZER, ranked, false)),
        topic: b.add_text_field("topic", STRING | STORED),
        audience: b.add_text_field("audience", STRING),
        // Only the term dictionary of this field is used, for spelling.
        words: b.add_text_field("words", text_options(WORD_ANALYZER, IndexRecordOption::Basic, false)),
        concepts_head: b
            .add_text_field("concepts_head", text_options("whitespace", IndexRecordOption::WithFreqs, false)),
        concepts_body: b
            .add_text_field("concepts_body", text_options("whitespace", IndexRecordOption::WithFreqs, false)),
    };
    (b.build(), f)
}

fn section_schema() -> (Schema, SectionFields) {
    let mut b = Schema::builder();
    let ranked = IndexRecordOption::WithFreqsAndPositions;
    let f = SectionFields {
        page_ord: b.add_u64_field("page_ord", INDEXED | FAST),
        anchor: b.add_text_field("anchor", STORED),
        heading: b.add_text_field("heading", text_options(STEM_ANALYZER, ranked, true)),
        text: b.add_text_field("text", text_options(STEM_ANALYZER, ranked, true)),
        concepts: b.add_text_field("concepts", text_options("whitespace", IndexRecordOption::WithFreqs, false)),
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
const ASKED_AS_BOOST: f32 = 2.0;
const HEADINGS_BOOST: f32 = 1.5;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
/// Synonym concepts found in a page's title, keywords, headings or summary.
const CONCEPTS_HEAD_BOOST: f32 = 2.5;

/// The fields a page is scored on, in the order of [`PageBreakdown::parts`].
/// The first six are text fields, the last two synonym-concept fields.
const TEXT_FIELDS: usize = 6;
const FIELD_NAMES: [&str; 8] =
    ["title", "keywords", "asked_as", "headings", "summary", "body", "concepts_head", "concepts_body"];

/// How many of the first stage's best pages are scored again by [`page_score`].
const RERANK_CANDIDATES: usize = 60;
/// How much a concept's matches in its other text fields add to its best field's.
const OTHER_FIELDS_SHARE: f32 = 0.2;

/// A page's score from its `[concept][field]` scores: each concept counts its best text field
/// in full and its other text fields at [`OTHER_FIELDS_SHARE`], plus its synonym-concept
/// matches.
///
/// The first stage sums every field, which lets one word a page repeats in its title,
/// keywords, asked-as phrases, headings and body outweigh a page that matches several of the
/// query's words once each: "pupil" in the Prevent page's keywords and asked-as phrases put it
/// first for any query about a pupil. Counting a concept once, at about its best field, makes
/// the words of a situation add up instead. Measured on the tuning situations, typed success@1
/// unchanged (docs/performance.md).
fn page_score(parts: &[[f32; FIELD_NAMES.len()]]) -> f32 {
    parts
        .iter()
        .map(|p| {
            let (text, concepts) = p.split_at(TEXT_FIELDS);
            let best = text.iter().copied().fold(0.0f32, f32::max);
            let all: f32 = text.iter().sum();
            best + OTHER_FIELDS_SHARE * (all - best) + concepts.iter().sum::<f32>()
        })
        .sum()
}

/// A search's candidates with each one's score split by concept and field.
#[derive(Debug, Clone, Default)]
pub struct ScoreBreakdown {
    /// Each query concept, as its alternatives joined by ` | `.
    pub concepts: Vec<String>,
    pub fields: Vec<&'static str>,
    pub pages: Vec<PageBreakdown>,
}

#[derive(Debug, Clone)]
pub struct PageBreakdown {
    pub id: String,
    /// The first stage's score, before [`page_score`] reorders the candidates.
    pub score: f32,
    /// `parts[concept][field]`.
    pub parts: Vec<[f32; FIELD_NAMES.len()]>,
}

impl PageBreakdown {
    /// The score the page is ranked by.
    pub fn total(&self) -> f32 {
        page_score(&self.parts)
    }

    /// What one concept adds to [`PageBreakdown::total`], and the field it matched best in.
    pub fn concept(&self, concept: usize) -> (f32, Option<&'static str>) {
        let Some(row) = self.parts.get(concept) else { return (0.0, None) };
        let best = (0..FIELD_NAMES.len()).filter(|&f| row[f] > 0.0).max_by(|&a, &b| row[a].total_cmp(&row[b]));
        (page_score(std::slice::from_ref(row)), best.map(|f| FIELD_NAMES[f]))
    }
}

/// The score `query` gives each of `addresses` (0 where it does not match).
fn scores_at(searcher: &tantivy::Searcher, query: &dyn Query, addresses: &[DocAddress]) -> Result<Vec<f32>> {
    use tantivy::DocSet;
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(searcher))?;
    let mut out = vec![0.0; addresses.len()];
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let a = addresses[i];
        if current.as_ref().is_none_or(|(seg, _)| *seg != a.segment_ord) {
            let reader = searcher.segment_reader(a.segment_ord);
            current = Some((a.segment_ord, weight.scorer(reader, 1.0)?));
        }
        if let Some((_, scorer)) = current.as_mut() {
            // A scorer only moves forward; TERMINATED is past every document.
            let at = if scorer.doc() < a.doc_id { scorer.seek(a.doc_id) } else { scorer.doc() };
            if at == a.doc_id {
                out[i] = scorer.score();
            }
        }
    }
    Ok(out)
}

pub struct SearchIndex {
    pages: IndexReader,
    sections: IndexReader,
    pf: PageFields,
    sf: SectionFields,
    thesaurus: Thesaurus,
    speller: Speller,
    stem: TextAnalyzer,
    words: TextAnalyzer,
}

impl SearchIndex {
    /// Opens the index in `dir`, rebuilding it from `store` if it is stale, missing or broken.
    /// Returns the index and whether it was rebuilt.
    ///
    /// The caller holds the data folder's writer lock (a rebuild writes the staging folder).
    pub fn open_or_build(dir: &Path, store: &ContentStore, work: &Work<'_>) -> Result<(SearchIndex, bool)> {
        if let Some(index) = SearchIndex::open_if_current(dir, store)? {
            return Ok((index, false));
        }
        SearchIndex::rebuild(dir, store, work)?;
        Ok((SearchIndex::open(dir, store)?, true))
    }

    /// Opens the index if it was built from the installed content and passes its checks;
    /// `None` when it is stale, missing or damaged.
    pub fn open_if_current(dir: &Path, store: &ContentStore) -> Result<Option<SearchIndex>> {
        let installed = store.installed()?.ok_or(Error::NoContent)?;
        if cache::read_meta(dir).as_ref() != Some(&IndexMeta::current(&installed.version)) {
            return Ok(None);
        }
        Ok(SearchIndex::open(dir, store).ok())
    }

    /// Opens whatever complete index is in `dir`, even one built from an earlier release: what
    /// a reader uses while another process installs the next one.
    pub fn open_any(dir: &Path, store: &ContentStore) -> Option<SearchIndex> {
        cache::read_meta(dir)?;
        SearchIndex::open(dir, store).ok()
    }

    /// Rebuilds the index in `dir` from what `store` holds.
    pub fn rebuild(dir: &Path, store: &ContentStore, work: &Work<'_>) -> Result<()> {
        let installed = store.installed()?.ok_or(Error::NoContent)?;
        let mut pages = Vec::new();
        store.for_each_page(|p| {
            pages.push(p);
            Ok(())
        })?;
        let staging =
            SearchIndex::build(dir, &pages, &store.synonyms()?, &IndexMeta::current(&installed.version), work)?;
        cache::swap_in(dir, &staging)
    }

    /// Builds an index of `pages` in a staging folder beside `dir` and returns the folder; the
    /// caller swaps it in with [`SearchIndex::swap_in`] once the content it indexes is committed.
    pub fn build(
        dir: &Path,
        pages: &[Page],
        synonyms: &Synonyms,
        meta: &IndexMeta,
        work: &Work<'_>,
    ) -> Result<PathBuf> {
        let staging = cache::staging_dir(dir)?;
        let result = guard::contain("building", || build_into(&staging, pages, &Thesaurus::new(synonyms), meta, work));
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result.map(|()| staging)
    }

    /// Makes a staged build the live index.
    pub fn swap_in(dir: &Path, staging: &Path) -> Result<()> {
        cache::swap_in(dir, staging)
    }

    /// Opens the live index in `dir`, verifying every file's checksum. Callers check its build
    /// record first ([`SearchIndex::open_or_build`]) or have just built it.
    pub fn open(dir: &Path, store: &ContentStore) -> Result<SearchIndex> {
        let thesaurus = Thesaurus::new(&store.synonyms()?);
        guard::contain("opening", || SearchIndex::open_unguarded(dir, thesaurus))
    }

    fn open_unguarded(dir: &Path, thesaurus: Thesaurus) -> Result<SearchIndex> {
        let open = |sub: &str| -> Result<IndexReader> {
            let index = Index::open_in_dir(dir.join(sub))?;
            // A flipped byte can leave every structure readable and the answers silently
            // wrong (a fieldnorm changes the ranking): the checksums are what catch that.
            let damaged = index.validate_checksum()?;
            if !damaged.is_empty() {
                let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
                names.sort();
                return Err(Error::Corrupt(format!("index files fail their checksum: {}", names.join(", "))));
            }
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
        let index = SearchIndex {
            pages,
            sections,
            pf,
            sf,
            thesaurus,
            speller: Speller::default(),
            stem: analyzer::stemmed(),
            words: analyzer::words(),
        };
        // Touch every segment's dictionaries now, so a damaged index fails here, where it can
        // be rebuilt, rather than in the middle of a search.
        index.word_dictionaries()?;
        Ok(index)
    }

    fn word_dictionaries(&self) -> Result<Vec<Arc<InvertedIndexReader>>> {
        let searcher = self.pages.searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            out.push(seg.inverted_index(self.pf.words)?);
        }
        Ok(out)
    }

    /// What the query asks for: its concepts (words, abbreviations, synonyms and corrections),
    /// and the corrected query when a word was corrected. None when no word is left.
    fn understand(&self, query: &str) -> Result<Option<(Vec<Concept>, Option<String>)>> {
        let mut words_analyzer = self.words.clone();
        let words = normalize(query, &mut words_analyzer);
        if words.is_empty() {
            return Ok(None);
        }
        let dictionaries = self.word_dictionaries()?;
        let is_known = |w: &str| dictionaries.iter().any(|d| matches!(d.terms().get(w.as_bytes()), Ok(Some(_))));
        let correct = |w: &str| self.speller.nearest(&dictionaries, w);
        let (concepts, corrected) = concepts(&words, &self.thesaurus, &is_known, &correct);
        let suggestion = (corrected != words).then(|| corrected.join(" "));
        Ok(Some((concepts, suggestion)))
    }

    /// Searches; a panic inside tantivy (a damaged index) comes back as an error.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        guard::contain("searching", || self.search_unguarded(request))
    }

    fn search_unguarded(&self, request: &SearchRequest) -> Result<SearchResults> {
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let mut out =
            SearchResults { query: request.query.clone(), suggestion: None, contact_card: None, results: Vec::new() };
        let Some((concepts, suggestion)) = self.understand(&request.query)? else {
            return Ok(out);
        };
        out.suggestion = suggestion;
        let mut stem = self.stem.clone();
        let analysed = analyse_concepts(&concepts, &mut stem);
        let page_fields = self.page_fields();
        let concept_fields = self.concept_fields();
        let Some(matching) = concepts_query(&analysed, &page_fields, &concept_fields) else {
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
        let first = TopDocs::with_limit(limit.max(RERANK_CANDIDATES)).order_by_score();
        let hits = searcher.search(&BooleanQuery::new(clauses), &first)?;
        let hits = self.rerank(&searcher, &analysed, &hits, limit)?;
        if hits.is_empty() {
            return Ok(out);
        }
        let mut ords = Vec::with_capacity(hits.len());
        for (score, address) in &hits {
            let (hit, ord) = self.page_hit(&searcher, *score, *address)?;
            out.results.push(hit);
            ords.push(ord);
        }
        let mut highlighter = snippet::Highlighter::new(highlight_terms(&analysed));
        self.add_sections(&analysed, &mut highlighter, &ords, &mut out.results)?;
        Ok(out)
    }

    /// Each candidate page's score split by query concept and field: what the ranking is
    /// made of. For the relevance tests and `safeguarding search --explain`, never on the
    /// search path.
    pub fn breakdown(&self, request: &SearchRequest, candidates: usize) -> Result<ScoreBreakdown> {
        guard::contain("explaining a search", || self.breakdown_unguarded(request, candidates))
    }

    fn breakdown_unguarded(&self, request: &SearchRequest, candidates: usize) -> Result<ScoreBreakdown> {
        let mut out = ScoreBreakdown { fields: FIELD_NAMES.to_vec(), ..ScoreBreakdown::default() };
        let Some((concepts, _)) = self.understand(&request.query)? else {
            return Ok(out);
        };
        let mut stem = self.stem.clone();
        let analysed = analyse_concepts(&concepts, &mut stem);
        let Some(matching) = concepts_query(&analysed, &self.page_fields(), &self.concept_fields()) else {
            return Ok(out);
        };
        let searcher = self.pages.searcher();
        let hits = searcher.search(&matching, &TopDocs::with_limit(candidates.max(1)).order_by_score())?;
        let addresses: Vec<DocAddress> = hits.iter().map(|(_, a)| *a).collect();
        let parts = self.concept_field_scores(&searcher, &analysed, &addresses)?;
        for concept in &analysed {
            out.concepts
                .push(concept.alternatives.iter().map(|(a, _)| a.words.join(" ")).collect::<Vec<_>>().join(" | "));
        }
        for ((score, address), parts) in hits.into_iter().zip(parts) {
            let (hit, _) = self.page_hit(&searcher, score, address)?;
            out.pages.push(PageBreakdown { id: hit.id, score, parts });
        }
        Ok(out)
    }

    /// Orders the first stage's candidates by [`page_score`] and keeps the best `limit`.
    fn rerank(
        &self,
        searcher: &tantivy::Searcher,
        analysed: &[AnalysedConcept<'_>],
        hits: &[(f32, DocAddress)],
        limit: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let addresses: Vec<DocAddress> = hits.iter().map(|(_, a)| *a).collect();
        let parts = self.concept_field_scores(searcher, analysed, &addresses)?;
        let mut scored: Vec<(f32, usize)> = parts.iter().map(|p| page_score(p)).zip(0..).collect();
        // Ties keep the first stage's order, so equal pages do not shuffle between searches.
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(scored.into_iter().take(limit).map(|(score, i)| (score, addresses[i])).collect())
    }

    /// `[candidate][concept][field]`: each candidate page's score for one concept in one field,
    /// fields in the order of [`FIELD_NAMES`].
    fn concept_field_scores(
        &self,
        searcher: &tantivy::Searcher,
        analysed: &[AnalysedConcept<'_>],
        addresses: &[DocAddress],
    ) -> Result<Vec<Vec<[f32; FIELD_NAMES.len()]>>> {
        let fields = self.page_fields();
        let concept_fields = self.concept_fields();
        let mut parts = vec![vec![[0.0f32; FIELD_NAMES.len()]; analysed.len()]; addresses.len()];
        for (ci, concept) in analysed.iter().enumerate() {
            let one = std::slice::from_ref(concept);
            let title_weight = self.title_weight(searcher, concept)?;
            for fi in 0..FIELD_NAMES.len() {
                let q = match (fields.get(fi), fi.checked_sub(TEXT_FIELDS).and_then(|c| concept_fields.get(c))) {
                    (Some(f), _) => concepts_query(one, std::slice::from_ref(f), &[]),
                    (None, Some(f)) => concepts_query(one, &[], std::slice::from_ref(f)),
                    (None, None) => None,
                };
                let Some(q) = q else { continue };
                let weight = if fi == 0 { title_weight } else { 1.0 };
                for (di, score) in scores_at(searcher, q.as_ref(), addresses)?.into_iter().enumerate() {
                    parts[di][ci][fi] = score * weight;
                }
            }
        }
        Ok(parts)
    }

    /// How much a title match of `concept` counts, from how many pages use it anywhere.
    ///
    /// Titles are short, so BM25 rates any word in one highly: "tell" in "Telling ..." or
    /// "find" gave a page more than the words that carried the situation. A word most pages
    /// use says little about which page is meant, wherever it appears. The page count is the
    /// largest of the concept's terms' counts in any field, a cheap lower bound of the pages
    /// it matches.
    fn title_weight(&self, searcher: &tantivy::Searcher, concept: &AnalysedConcept<'_>) -> Result<f32> {
        let mut pages = 0u64;
        for (alt, terms) in &concept.alternatives {
            if alt.origin == Origin::Synonym {
                continue;
            }
            for t in terms {
                for (field, _) in self.page_fields() {
                    pages = pages.max(searcher.doc_freq(&Term::from_field_text(field, &t.text))?);
                }
            }
        }
        for id in &concept.concept.synonyms {
            for (field, _) in self.concept_fields() {
                pages = pages.max(searcher.doc_freq(&Term::from_field_text(field, &concept_token(*id)))?);
            }
        }
        let all = searcher.num_docs() as f32;
        let idf = |df: f32| (1.0 + all / (df + 0.5)).ln();
        Ok((idf(pages as f32) / idf(1.0)).sqrt().min(1.0))
    }

    fn page_fields(&self) -> [(Field, f32); TEXT_FIELDS] {
        [
            (self.pf.title, TITLE_BOOST),
            (self.pf.keywords, KEYWORDS_BOOST),
            (self.pf.asked_as, ASKED_AS_BOOST),
            (self.pf.headings, HEADINGS_BOOST),
            (self.pf.summary, SUMMARY_BOOST),
            (self.pf.body, BODY_BOOST),
        ]
    }

    fn concept_fields(&self) -> [(Field, f32); 2] {
        [(self.pf.concepts_head, CONCEPTS_HEAD_BOOST), (self.pf.concepts_body, BODY_BOOST)]
    }

    fn page_hit(&self, searcher: &tantivy::Searcher, score: f32, address: DocAddress) -> Result<(SearchResult, u64)> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |f: Field| doc.get_first(f).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let ord = doc
            .get_first(self.pf.ord)
            .and_then(|v| v.as_u64())
            .ok_or_else(|| Error::Corrupt("page without ord".into()))?;
        let hit = SearchResult {
            id: text(self.pf.id),
            title: text(self.pf.title),
            topic: text(self.pf.topic),
            summary: text(self.pf.summary),
            score,
            section: None,
            snippet: Snippet::default(),
        };
        Ok((hit, ord))
    }

    /// Finds each result's best section and cuts its snippet. Sections are grouped by the page
    /// ordinal in a fast field, so only the winning sections' stored text is read.
    fn add_sections(
        &self,
        analysed: &[AnalysedConcept<'_>],
        highlighter: &mut snippet::Highlighter,
        ords: &[u64],
        results: &mut [SearchResult],
    ) -> Result<()> {
        let fields = [(self.sf.heading, HEADINGS_BOOST), (self.sf.text, BODY_BOOST)];
        let concept_fields = [(self.sf.concepts, BODY_BOOST)];
        let searcher = self.sections.searcher();
        let mut best: Vec<Option<DocAddress>> = vec![None; results.len()];
        if let Some(matching) = concepts_query(analysed, &fields, &concept_fields) {
            let pages: Vec<(Occur, Box<dyn Query>)> = ords
                .iter()
                .map(|o| {
                    let q = TermQuery::new(Term::from_field_u64(self.sf.page_ord, *o), IndexRecordOption::Basic);
                    (Occur::Should, Box::new(q) as Box<dyn Query>)
                })
                .collect();
            let query =
                BooleanQuery::new(vec![(Occur::Must, matching), (Occur::Must, Box::new(BooleanQuery::new(pages)))]);
            let hits = searcher.search(&query, &TopDocs::with_limit(results.len() * 12).order_by_score())?;
            let columns = searcher
                .segment_readers()
                .iter()
                .map(|seg| seg.fast_fields().u64("page_ord"))
                .collect::<tantivy::Result<Vec<_>>>()?;
            for (_, address) in hits {
                let Some(ord) = columns.get(address.segment_ord as usize).and_then(|c| c.first(address.doc_id)) else {
                    continue;
                };
                if let Some(i) = ords.iter().position(|o| *o == ord) {
                    best[i].get_or_insert(address);
                }
            }
        }
        for (result, address) in results.iter_mut().zip(best) {
            let section = match address {
                Some(a) => {
                    let doc: TantivyDocument = searcher.doc(a)?;
                    let text =
                        |f: Field| doc.get_first(f).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                    Some((text(self.sf.anchor), text(self.sf.heading), text(self.sf.text)))
                }
                None => None,
            };
            let from_section = section.as_ref().and_then(|(_, _, text)| snippet::best_snippet(text, highlighter));
            result.snippet = from_section
                .or_else(|| snippet::best_snippet(&result.summary, highlighter))
                .unwrap_or_else(|| snippet::lead(&result.summary));
            if let Some((anchor, heading, _)) = section {
                if !anchor.is_empty() {
                    result.section = Some(SectionRef { anchor, heading });
                }
            }
        }
        Ok(())
    }
}

fn build_into(staging: &Path, pages: &[Page], thesaurus: &Thesaurus, meta: &IndexMeta, work: &Work<'_>) -> Result<()> {
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
    // Segments are merged once, at the end: a background merge started by the default policy
    // takes segments from under that final merge, which then fails ("segments that were merged
    // could not be found"), as installing 50,000 pages did.
    pw.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    sw.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    let total = pages.len() as u64;
    let mut stem = analyzer::stemmed();
    let mut concepts = |texts: &[&str]| -> String {
        let mut out = String::new();
        for text in texts {
            let ws: Vec<String> = analyzer::analyze(&mut stem, text).into_iter().map(|t| t.text).collect();
            for id in thesaurus.concepts_in(&ws) {
                out.push_str(&concept_token(id));
                out.push(' ');
            }
        }
        out
    };
    for (done, page) in pages.iter().enumerate() {
        work.step(Stage::Indexing, done as u64, total)?;
        let body = page.plain_text();
        let mut doc = page_document(&pf, page, &body);
        doc.add_u64(pf.ord, done as u64);
        let mut head: Vec<&str> = vec![&page.title, &page.summary];
        head.extend(page.keywords.iter().map(String::as_str));
        head.extend(page.headings());
        doc.add_text(pf.concepts_head, concepts(&head));
        doc.add_text(pf.concepts_body, concepts(&[&body]));
        pw.add_document(doc)?;
        for s in page.sections() {
            let mut doc = TantivyDocument::default();
            doc.add_u64(sf.page_ord, done as u64);
            let heading = s.heading.as_deref().unwrap_or("");
            doc.add_text(sf.anchor, s.anchor.as_deref().unwrap_or(""));
            doc.add_text(sf.heading, heading);
            doc.add_text(sf.text, &s.text);
            doc.add_text(sf.concepts, concepts(&[heading, &s.text]));
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

fn page_document(f: &PageFields, page: &Page, body: &str) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &page.id);
    doc.add_text(f.title, &page.title);
    doc.add_text(f.summary, &page.summary);
    for a in &page.asked_as {
        doc.add_text(f.asked_as, a);
    }
    for k in &page.keywords {
        doc.add_text(f.keywords, k);
        doc.add_text(f.words, k);
    }
    for h in page.headings() {
        doc.add_text(f.headings, h);
    }
    doc.add_text(f.body, body);
    doc.add_text(f.topic, &page.topic);
    for a in &page.audience {
        doc.add_text(f.audience, a);
    }
    doc.add_text(f.words, &page.title);
    doc.add_text(f.words, &page.summary);
    doc.add_text(f.words, body);
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

/// A concept's alternatives with their terms already stemmed, so each is analysed once per
/// search however many field sets it is queried against.
struct AnalysedConcept<'a> {
    concept: &'a Concept,
    alternatives: Vec<(&'a Alternative, Vec<analyzer::Term>)>,
}

fn analyse_concepts<'a>(concepts: &'a [Concept], stem: &mut TextAnalyzer) -> Vec<AnalysedConcept<'a>> {
    concepts
        .iter()
        .map(|c| AnalysedConcept {
            concept: c,
            alternatives: c
                .alternatives
                .iter()
                .map(|a| (a, analyzer::analyze(stem, &a.words.join(" "))))
                .filter(|(_, terms)| !terms.is_empty())
                .collect(),
        })
        .collect()
}

/// The whole query as one flat OR of boosted term lookups.
///
/// Keeping every clause a plain term query lets tantivy skip whole blocks of documents that
/// cannot reach the top results (block-max WAND); nested or phrase clauses would force it to
/// score every matching document, which is what made large libraries slow.
fn concepts_query(
    concepts: &[AnalysedConcept<'_>],
    fields: &[(Field, f32)],
    concept_fields: &[(Field, f32)],
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Field, String, f32)> = Vec::new();
    let mut add =
        |field: Field, text: &str, boost: f32| match clauses.iter_mut().find(|(f, t, _)| *f == field && t == text) {
            Some(existing) => existing.2 = existing.2.max(boost),
            None => clauses.push((field, text.to_string(), boost)),
        };
    for c in concepts {
        for (alt, terms) in &c.alternatives {
            if alt.origin == Origin::Synonym {
                continue;
            }
            let meaningful: Vec<&analyzer::Term> =
                terms.iter().filter(|t| terms.len() == 1 || !is_stop_word(&t.text)).collect();
            // A phrase is one idea: "female genital mutilation reporting" is about reporting as
            // much as about FGM, so a three-word concept must not outweigh the word beside it.
            let share = 1.0 / (meaningful.len().max(1) as f32).sqrt();
            for t in meaningful {
                for &(field, boost) in fields {
                    add(field, &t.text, boost * alt.origin.weight() * share);
                }
            }
        }
        for id in &c.concept.synonyms {
            for &(field, boost) in concept_fields {
                add(field, &concept_token(*id), boost * Origin::Synonym.weight());
            }
        }
    }
    if clauses.is_empty() {
        return None;
    }
    let should = clauses
        .into_iter()
        .map(|(field, text, boost)| {
            let q = TermQuery::new(Term::from_field_text(field, &text), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(should)))
}

/// Every stemmed term any alternative searches for, minus stop words: what snippets mark.
fn highlight_terms(concepts: &[AnalysedConcept<'_>]) -> Vec<String> {
    concepts
        .iter()
        .flat_map(|c| c.alternatives.iter())
        .flat_map(|(_, terms)| terms.iter())
        .map(|t| t.text.clone())
        .filter(|t| !is_stop_word(t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[title, keywords, asked_as, headings, summary, body, concepts_head, concepts_body]`
    fn fields(text: [f32; 6], concepts: [f32; 2]) -> [f32; FIELD_NAMES.len()] {
        let mut out = [0.0; FIELD_NAMES.len()];
        out[..TEXT_FIELDS].copy_from_slice(&text);
        out[TEXT_FIELDS..].copy_from_slice(&concepts);
        out
    }

    #[test]
    fn a_word_repeated_in_every_field_counts_about_once() {
        let none = fields([0.0; 6], [0.0; 2]);
        // One query word in all six fields, against two query words in the body once each.
        let repeats = [fields([3.0; 6], [0.0; 2]), none];
        let covers =
            [fields([0.0, 0.0, 0.0, 0.0, 0.0, 3.5], [0.0; 2]), fields([0.0, 0.0, 0.0, 0.0, 0.0, 3.5], [0.0; 2])];
        let sum = |p: &[[f32; FIELD_NAMES.len()]]| p.iter().flatten().sum::<f32>();
        assert!(sum(&repeats) > sum(&covers), "summing every field prefers the repeated word");
        assert!(page_score(&covers) > page_score(&repeats), "counting a concept once prefers coverage");
        // Synonym-concept matches still add in full.
        let with_concept = [fields([3.0; 6], [2.0, 1.0]), none];
        assert!((page_score(&with_concept) - page_score(&repeats) - 3.0).abs() < 1e-4);
    }
}
