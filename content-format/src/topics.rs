//! The list of topics (`topics.toml`) that pages are filed under.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostics;
use crate::fields::for_each_table;
use crate::page::is_slug;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: String,
    pub title: String,
    pub description: String,
}

pub fn parse_topics(path: &str, text: &str, diags: &mut Diagnostics) -> Vec<Topic> {
    let mut topics: Vec<Topic> = Vec::new();
    for_each_table(path, text, "topic", diags, |f| {
        let id = f.string("id", true);
        let title = f.string("title", true);
        let description = f.string("description", true);
        if let Some(id) = &id {
            if !is_slug(&id.value) {
                f.error(id.line, format!("topic id '{}' must be lower-case letters, digits and hyphens", id.value));
            }
            if topics.iter().any(|t| t.id == id.value) {
                f.error(id.line, format!("topic '{}' is listed twice", id.value));
            }
        }
        if let (Some(id), Some(title), Some(description)) = (id, title, description) {
            topics.push(Topic { id: id.value, title: title.value, description: description.value });
        }
    });
    topics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_topics_and_reports_duplicates() {
        let mut diags = Diagnostics::default();
        let text = "[[topic]]\nid = \"fgm\"\ntitle = \"FGM\"\ndescription = \"d\"\n\n[[topic]]\nid = \"fgm\"\ntitle = \"Again\"\n";
        let topics = parse_topics("topics.toml", text, &mut diags);
        assert_eq!(topics.len(), 1);
        let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(msgs.contains(&"topics.toml:7: error: topic 'fgm' is listed twice".to_string()), "{msgs:?}");
        assert!(msgs.contains(&"topics.toml:6: error: `description` is missing".to_string()), "{msgs:?}");
    }
}
