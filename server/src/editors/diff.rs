//! Line diffs between two texts (a draft and the published page, or two published versions),
//! as structured lines for the pages and the API and as unified text for people and tools.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One line of a diff.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Line {
    /// `same`, `added` or `removed`.
    pub op: &'static str,
    /// Line number in the old text (not for added lines).
    pub old: Option<usize>,
    /// Line number in the new text (not for removed lines).
    pub new: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub lines: Vec<Line>,
    pub added: usize,
    pub removed: usize,
    pub unified: String,
}

/// Lines unchanged within this distance of a change are kept in `lines`; the rest are elided
/// so a one-line edit in a long page shows as a few lines.
const CONTEXT: usize = 3;

pub fn diff(old: &str, new: &str, old_name: &str, new_name: &str) -> Diff {
    let d = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for group in d.grouped_ops(CONTEXT) {
        for op in group {
            for change in d.iter_changes(&op) {
                let op = match change.tag() {
                    ChangeTag::Equal => "same",
                    ChangeTag::Insert => {
                        added += 1;
                        "added"
                    }
                    ChangeTag::Delete => {
                        removed += 1;
                        "removed"
                    }
                };
                lines.push(Line {
                    op,
                    old: change.old_index().map(|i| i + 1),
                    new: change.new_index().map(|i| i + 1),
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                });
            }
        }
    }
    let unified = d.unified_diff().context_radius(CONTEXT).header(old_name, new_name).to_string();
    Diff { lines, added, removed, unified }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_changed_line() {
        let d = super::diff("a\nb\nc\n", "a\nB\nc\n", "old", "new");
        assert_eq!((d.added, d.removed), (1, 1));
        assert!(d.unified.contains("-b\n+B\n"), "{}", d.unified);
        assert_eq!(d.lines.iter().filter(|l| l.op == "same").count(), 2);
    }
}
