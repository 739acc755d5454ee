//! Reads TOML with a line number for every value, so each problem can be reported where it is.
//!
//! serde's derive stops at the first error; editors need every problem in one pass, so content
//! TOML is parsed into a spanned tree and read field by field.

use std::borrow::Cow;
use std::ops::Range;

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diagnostic::{Diagnostics, Lines};

/// A value and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// One TOML text inside a file (the whole file, or a page's front matter).
pub(crate) struct TomlSource<'a> {
    pub path: &'a str,
    lines: Lines,
    /// Byte offset of the TOML text within the file.
    base: usize,
}

impl<'a> TomlSource<'a> {
    pub(crate) fn new(path: &'a str, file_text: &str, base: usize) -> TomlSource<'a> {
        TomlSource { path, lines: Lines::new(file_text), base }
    }

    pub(crate) fn line(&self, span: &Range<usize>) -> usize {
        self.lines.line_of(self.base + span.start)
    }

    /// Parses `text`, reporting every syntax error. Returns `None` if there was any, so that a
    /// syntax slip is not followed by a cascade of "missing field" reports.
    pub(crate) fn parse<'i>(&self, text: &'i str, diags: &mut Diagnostics) -> Option<Spanned<DeTable<'i>>> {
        let (table, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() {
            return Some(table);
        }
        for e in errors {
            let line = self.line(&e.span().unwrap_or(0..0));
            diags.error(self.path, line, format!("TOML syntax: {}", e.message().trim()));
        }
        None
    }
}

/// Reads a file that is a list of `[[key]]` tables (topics, helplines, bank holidays), handing
/// each table's fields to `read`. Unknown keys are reported once `read` returns.
pub(crate) fn for_each_table(
    path: &str,
    text: &str,
    key: &'static str,
    diags: &mut Diagnostics,
    mut read: impl FnMut(&mut Fields<'_, '_, '_, '_>),
) {
    let src = TomlSource::new(path, text, 0);
    let Some(doc) = src.parse(text, diags) else { return };
    let mut top = Fields::new(&src, diags, doc.get_ref(), 1, "");
    let tables = top.tables(key, true);
    top.finish();
    for (table, line) in tables {
        let mut f = Fields::new(&src, diags, table, line, "");
        read(&mut f);
        f.finish();
    }
}

/// An entry of a list whose items may be strings or tables (`sources`, `changes`).
pub(crate) enum ListEntry<'t, 'i> {
    Text(Located<String>),
    Table(&'t DeTable<'i>, usize),
}

/// Reads the fields of one table and remembers which were used, so unknown (often misspelt) keys
/// can be reported.
pub(crate) struct Fields<'s, 'd, 't, 'i> {
    src: &'s TomlSource<'s>,
    diags: &'d mut Diagnostics,
    table: &'t DeTable<'i>,
    line: usize,
    /// Where this table is, for messages: "" for the top level, or e.g. "service 2".
    context: String,
    used: Vec<&'static str>,
}

impl<'s, 'd, 't, 'i> Fields<'s, 'd, 't, 'i> {
    pub(crate) fn new(
        src: &'s TomlSource<'s>,
        diags: &'d mut Diagnostics,
        table: &'t DeTable<'i>,
        line: usize,
        context: impl Into<String>,
    ) -> Self {
        Fields { src, diags, table, line, context: context.into(), used: Vec::new() }
    }

    pub(crate) fn diags(&mut self) -> &mut Diagnostics {
        self.diags
    }

    pub(crate) fn error(&mut self, line: usize, message: impl Into<String>) {
        let message = self.with_context(message.into());
        self.diags.error(self.src.path, line, message);
    }

    pub(crate) fn warning(&mut self, line: usize, message: impl Into<String>) {
        let message = self.with_context(message.into());
        self.diags.warning(self.src.path, line, message);
    }

    fn with_context(&self, message: String) -> String {
        if self.context.is_empty() {
            message
        } else {
            format!("{}: {message}", self.context)
        }
    }

    fn get(&mut self, key: &'static str, required: bool) -> Option<(&'t DeValue<'i>, usize)> {
        self.used.push(key);
        match self.table.get(key) {
            Some(v) => Some((v.get_ref(), self.src.line(&v.span()))),
            None => {
                if required {
                    let line = self.line;
                    self.error(line, format!("`{key}` is missing"));
                }
                None
            }
        }
    }

    fn type_error(&mut self, key: &str, expected: &str, found: &DeValue<'_>, line: usize) {
        self.error(line, format!("`{key}` must be {expected}, found {}", found.type_str()));
    }

    /// A non-empty string.
    pub(crate) fn string(&mut self, key: &'static str, required: bool) -> Option<Located<String>> {
        let (value, line) = self.get(key, required)?;
        match value.as_str() {
            Some(s) if s.trim().is_empty() => {
                self.error(line, format!("`{key}` is empty"));
                None
            }
            Some(s) => Some(Located { value: s.trim().to_string(), line }),
            None => {
                self.type_error(key, "a string", value, line);
                None
            }
        }
    }

    /// A list of non-empty strings. `min` is the least number of entries allowed.
    pub(crate) fn string_list(
        &mut self,
        key: &'static str,
        required: bool,
        min: usize,
    ) -> Option<Vec<Located<String>>> {
        let (value, line) = self.get(key, required)?;
        let Some(items) = value.as_array() else {
            self.type_error(key, "a list of strings", value, line);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let item_line = self.src.line(&item.span());
            match item.get_ref().as_str() {
                Some(s) if !s.trim().is_empty() => out.push(Located { value: s.trim().to_string(), line: item_line }),
                Some(_) => self.error(item_line, format!("`{key}` has an empty entry")),
                None => self.type_error(key, "a list of strings", item.get_ref(), item_line),
            }
        }
        if out.len() < min {
            self.error(line, format!("`{key}` needs at least {min} entr{}", if min == 1 { "y" } else { "ies" }));
            return None;
        }
        Some(out)
    }

    /// A list whose entries are strings or (inline) tables; other entries are reported.
    pub(crate) fn mixed_list(&mut self, key: &'static str, required: bool) -> Option<Vec<ListEntry<'t, 'i>>> {
        let (value, line) = self.get(key, required)?;
        let Some(items) = value.as_array() else {
            self.type_error(key, "a list", value, line);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            let item_line = self.src.line(&item.span());
            match item.get_ref() {
                DeValue::String(s) if !s.trim().is_empty() => {
                    out.push(ListEntry::Text(Located { value: s.trim().to_string(), line: item_line }))
                }
                DeValue::Table(t) => out.push(ListEntry::Table(t, item_line)),
                other => self.type_error(key, "a list of strings or tables", other, item_line),
            }
        }
        Some(out)
    }

    /// Reads a nested table with the same file and diagnostics; `context` prefixes its messages.
    pub(crate) fn child<'c>(
        &'c mut self,
        table: &'t DeTable<'i>,
        line: usize,
        context: impl Into<String>,
    ) -> Fields<'s, 'c, 't, 'i> {
        Fields::new(self.src, self.diags, table, line, context)
    }

    /// The line a key is on, or the table's own line when it is absent.
    pub(crate) fn line_of(&self, key: &str) -> usize {
        self.table.get(key).map_or(self.line, |v| self.src.line(&v.span()))
    }

    /// A calendar date, written as a TOML date (`2026-11-23`) or a string in that form.
    pub(crate) fn date(&mut self, key: &'static str, required: bool) -> Option<Located<NaiveDate>> {
        let (value, line) = self.get(key, required)?;
        let parsed = match value {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
                _ => None,
            },
            DeValue::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
            _ => None,
        };
        match parsed {
            Some(value) => Some(Located { value, line }),
            None => {
                self.error(line, format!("`{key}` must be a date written YYYY-MM-DD"));
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, key: &'static str, required: bool) -> Option<Located<i64>> {
        let (value, line) = self.get(key, required)?;
        match value.as_integer().and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok()) {
            Some(value) => Some(Located { value, line }),
            None => {
                self.type_error(key, "a whole number", value, line);
                None
            }
        }
    }

    pub(crate) fn float(&mut self, key: &'static str, required: bool) -> Option<Located<f64>> {
        let (value, line) = self.get(key, required)?;
        let parsed = match value {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|i| i as f64),
            _ => None,
        };
        match parsed {
            Some(value) if value.is_finite() => Some(Located { value, line }),
            _ => {
                self.type_error(key, "a number", value, line);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, key: &'static str, required: bool) -> Option<Located<bool>> {
        let (value, line) = self.get(key, required)?;
        match value.as_bool() {
            Some(value) => Some(Located { value, line }),
            None => {
                self.type_error(key, "true or false", value, line);
                None
            }
        }
    }

    /// A `[table]`.
    pub(crate) fn table(&mut self, key: &'static str, required: bool) -> Option<(&'t DeTable<'i>, usize)> {
        let (value, line) = self.get(key, required)?;
        match value.as_table() {
            Some(t) => Some((t, line)),
            None => {
                self.type_error(key, "a table", value, line);
                None
            }
        }
    }

    /// An array of tables (`[[key]]`), each with its line.
    pub(crate) fn tables(&mut self, key: &'static str, required: bool) -> Vec<(&'t DeTable<'i>, usize)> {
        let Some((value, line)) = self.get(key, required) else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.type_error(key, "a list of tables", value, line);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            let item_line = self.src.line(&item.span());
            match item.get_ref().as_table() {
                Some(t) => out.push((t, item_line)),
                None => self.type_error(key, "a list of tables", item.get_ref(), item_line),
            }
        }
        out
    }

    /// Every entry of a table whose keys are free-form (e.g. `[abbreviations]`).
    pub(crate) fn entries(
        table: &'t DeTable<'i>,
    ) -> impl Iterator<Item = (&'t Spanned<Cow<'i, str>>, &'t Spanned<DeValue<'i>>)> {
        table.iter()
    }

    /// Reports keys that no reader asked for: usually a misspelt field name.
    pub(crate) fn finish(mut self) {
        let unknown: Vec<(String, usize)> = self
            .table
            .iter()
            .filter(|(k, _)| !self.used.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| (k.get_ref().to_string(), self.src.line(&k.span())))
            .collect();
        if unknown.is_empty() {
            return;
        }
        let mut expected = self.used.clone();
        expected.sort_unstable();
        expected.dedup();
        let expected = expected.join(", ");
        for (key, line) in unknown {
            self.error(line, format!("unknown field `{key}` (expected one of: {expected})"));
        }
    }
}
