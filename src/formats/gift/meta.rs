//! Moodle's question metadata in GIFT comments: `// [id:abc-1] [tag:easy] [tag:hr]` (Moodle 3.6+
//! writes and reads them in the comment lines of a question's chunk).

/// The id number and tags a question's comments give.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Meta {
    /// `[id:…]`: Moodle's stable id number for the question.
    pub id: Option<String>,
    /// Every `[tag:…]`, in order.
    pub tags: Vec<String>,
}

/// Reads `[id:…]` and `[tag:…]` from comment lines; `\]` stands for `]` inside them.
pub(super) fn read(comments: &[String]) -> Meta {
    let mut meta = Meta::default();
    for comment in comments {
        let mut rest = comment.as_str();
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let Some((value, next)) = bracket_value(after) else { break };
            if let Some(id) = value.strip_prefix("id:") {
                meta.id.get_or_insert_with(|| id.trim().to_string());
            } else if let Some(tag) = value.strip_prefix("tag:") {
                meta.tags.push(tag.trim().to_string());
            }
            rest = next;
        }
    }
    meta.id = meta.id.filter(|id| !id.is_empty());
    meta.tags.retain(|t| !t.is_empty());
    meta
}

/// The text up to the first `]` not escaped as `\]`, unescaped, and what follows it.
fn bracket_value(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if text[i + 1..].starts_with(']') => {
                value.push(']');
                chars.next();
            }
            ']' => return Some((value, &text[i + 1..])),
            _ => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tags_from_comment_lines() {
        let comments =
            vec![" question: 2  name: x".to_string(), " [id:hr-7] [tag:easy] [tag:a\\]b] [note]".to_string()];
        let meta = read(&comments);
        assert_eq!(meta.id.as_deref(), Some("hr-7"));
        assert_eq!(meta.tags, ["easy", "a]b"]);
        assert_eq!(read(&[" [id: ] [tag:".to_string()]), Meta::default());
    }
}
