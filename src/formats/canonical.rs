//! The canonical document in JSON and YAML: one serde model, so export → import round-trips exactly,
//! and one reader for every way a document arrives (`POST /papers`, `PUT /papers/{id}`, imports).
//!
//! Before a parser sees the text, [`nesting_depth`] measures how deeply its collections nest and a
//! document nested past [`MAX_NESTING`] is refused. libyaml tracks pending keys per flow level and
//! rescans them on every token, so `[[[[…]]]]` 40,000 deep took it 11–18 s of CPU before serde's own
//! recursion limit could say no; the scan takes a millisecond.

use super::{ImportError, Imported};
use crate::domain::paper::PaperDoc;

/// Deepest nesting of collections a document may have. The paper model itself nests six deep
/// (sections → questions → options/accepted/rubric → fields); this leaves room for any hand-written
/// flow style and refuses only hostile input.
pub const MAX_NESTING: usize = 64;

/// The two syntaxes of the canonical document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON.
    Json,
    /// YAML 1.2 (JSON is a subset).
    Yaml,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocError {
    /// Not well-formed (or nested too deeply): nothing about the paper can be said.
    Syntax {
        /// The syntax that was expected.
        syntax: Syntax,
        /// What the parser said.
        message: String,
        /// 1-based line, where known.
        line: Option<usize>,
    },
    /// Well-formed, but a field does not fit the paper model.
    Field {
        /// Where, as `sections[0].questions[2].answer`.
        path: String,
        /// What is wrong.
        message: String,
        /// 1-based line, where known.
        line: Option<usize>,
    },
}

impl DocError {
    /// The 1-based line the error is on, where the parser knew it.
    pub fn line(&self) -> Option<usize> {
        match self {
            DocError::Syntax { line, .. } | DocError::Field { line, .. } => *line,
        }
    }
}

impl std::fmt::Display for DocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocError::Syntax { syntax: Syntax::Json, message, .. } => write!(f, "malformed JSON: {message}"),
            DocError::Syntax { syntax: Syntax::Yaml, message, .. } => write!(f, "malformed YAML: {message}"),
            DocError::Field { path, message, .. } => write!(f, "{path}: {message}"),
        }
    }
}

/// serde's own messages for a value that does not fit (serde_yaml has no error category of its own).
const SERDE_DATA_ERRORS: &[&str] = &[
    "missing field",
    "unknown field",
    "invalid type",
    "invalid value",
    "unknown variant",
    "invalid length",
    "duplicate field",
];

/// Reads a paper document. Syntax errors and field errors are told apart, and a field error names the
/// field (`sections[0].questions[2].answer`).
pub fn read(text: &str, syntax: Syntax) -> Result<PaperDoc, DocError> {
    if let Some(line) = too_deep(text) {
        return Err(DocError::Syntax {
            syntax,
            message: format!("collections nest more than {MAX_NESTING} deep"),
            line: Some(line),
        });
    }
    match syntax {
        Syntax::Json => read_json(text),
        Syntax::Yaml => read_yaml(text),
    }
}

fn read_json(text: &str) -> Result<PaperDoc, DocError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = Some(inner.line());
        if inner.is_data() {
            DocError::Field { path, message: inner.to_string(), line }
        } else {
            DocError::Syntax { syntax: Syntax::Json, message: inner.to_string(), line }
        }
    })?;
    de.end().map_err(|e| DocError::Syntax { syntax: Syntax::Json, message: e.to_string(), line: Some(e.line()) })?;
    Ok(doc)
}

fn read_yaml(text: &str) -> Result<PaperDoc, DocError> {
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = inner.location().map(|l| l.line());
        let message = inner.to_string();
        if path == "." && !SERDE_DATA_ERRORS.iter().any(|p| message.starts_with(p)) {
            DocError::Syntax { syntax: Syntax::Yaml, message, line }
        } else {
            DocError::Field { path, message, line }
        }
    })
}

/// The line where nesting first passes [`MAX_NESTING`], if it does.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    // A `[` or `{` opens a collection only where a value may start (after an indicator, or at the
    // start of a line); elsewhere it is part of a plain scalar such as `a[1]`.
    let mut value_may_start = true;
    let mut block_indents: Vec<usize> = Vec::new();
    let mut column = 0usize;
    let mut at_line_start = true;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            comment = false;
            column = 0;
            at_line_start = true;
            value_may_start = true;
            continue;
        }
        if comment {
            continue;
        }
        if at_line_start && c != ' ' {
            at_line_start = false;
            // Block nesting: every deeper indentation opens a level, a shallower one closes levels.
            while block_indents.last().is_some_and(|&i| i > column) {
                block_indents.pop();
            }
            if depth == 0 && quote.is_none() && block_indents.last() != Some(&column) {
                block_indents.push(column);
            }
        }
        column += 1;
        if let Some(q) = quote {
            match c {
                '\\' if q == '"' && !escaped => escaped = true,
                _ if c == q && !escaped => {
                    quote = None;
                    value_may_start = false;
                }
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' | '\'' if value_may_start => quote = Some(c),
            '#' if value_may_start || column == 1 => comment = true,
            '[' | '{' if value_may_start => {
                depth += 1;
                if depth + block_indents.len() > MAX_NESTING {
                    return Some(line);
                }
            }
            ']' | '}' if depth > 0 => {
                depth -= 1;
                value_may_start = false;
            }
            ':' | '-' | ',' | '?' | '[' | '{' => value_may_start = true,
            ' ' | '\t' => {}
            _ => value_may_start = false,
        }
        if block_indents.len() > MAX_NESTING {
            return Some(line);
        }
    }
    None
}

/// Reads a JSON paper document as an import.
pub fn from_json(text: &str) -> Result<Imported, ImportError> {
    imported(read(text, Syntax::Json))
}

/// Reads a YAML paper document as an import.
pub fn from_yaml(text: &str) -> Result<Imported, ImportError> {
    imported(read(text, Syntax::Yaml))
}

fn imported(read: Result<PaperDoc, DocError>) -> Result<Imported, ImportError> {
    read.map(|doc| Imported { doc, warnings: Vec::new() })
        .map_err(|e| ImportError { line: e.line(), message: format!("invalid paper: {e}") })
}

/// Writes the document as pretty JSON.
pub fn to_json(doc: &PaperDoc) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}

/// Writes the document as YAML.
pub fn to_yaml(doc: &PaperDoc) -> String {
    serde_yaml::to_string(doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAPER: &str = "title: T\nsections:\n  - title: S\n    kind: single_choice\n    points: 2\n    questions:\n      - prompt: \"a[1] {b} # not a comment\"\n        options: [{key: A, text: 'x [y'}, {key: B, text: z}]\n        answer: A\n";

    #[test]
    fn a_paper_in_either_syntax_reads_with_brackets_inside_text() {
        let doc = read(PAPER, Syntax::Yaml).unwrap();
        assert_eq!(doc.sections[0].questions[0].prompt, "a[1] {b} # not a comment");
        let json = to_json(&doc);
        assert_eq!(read(&json, Syntax::Json).unwrap(), doc);
        assert_eq!(read(&to_yaml(&doc), Syntax::Yaml).unwrap(), doc);
    }

    #[test]
    fn deep_flow_nesting_is_refused_at_once() {
        let deep = format!("title: {}{}\n", "[".repeat(40_000), "]".repeat(40_000));
        let started = std::time::Instant::now();
        let e = read(&deep, Syntax::Yaml).unwrap_err();
        assert!(matches!(e, DocError::Syntax { .. }), "{e:?}");
        assert!(e.to_string().contains("nest"), "{e}");
        // Generous for a debug build on a loaded machine; the parser took 11 s on this input.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        let json = format!("{{\"title\": {}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(read(&json, Syntax::Json).unwrap_err().to_string().contains("nest"));
    }

    #[test]
    fn deep_block_nesting_is_refused_too() {
        let deep: String = (0..200).map(|i| format!("{}- \n", "  ".repeat(i))).collect();
        let e = read(&format!("title:\n{deep}"), Syntax::Yaml).unwrap_err();
        assert!(e.to_string().contains("nest"), "{e}");
    }

    #[test]
    fn unclosed_brackets_in_plain_text_are_not_nesting() {
        let text = "title: 选出[正确的\ninstructions: a [b [c [d\nsections: []\n";
        assert_eq!(read(text, Syntax::Yaml).unwrap().instructions, "a [b [c [d");
    }

    #[test]
    fn field_errors_name_the_field_and_syntax_errors_say_malformed() {
        let e = read("title: T\nsections:\n  - title: S\n    kind: nope\n", Syntax::Yaml).unwrap_err();
        assert!(matches!(&e, DocError::Field { path, .. } if path.starts_with("sections[0]")), "{e:?}");
        let e = read("{\"title\": ", Syntax::Json).unwrap_err();
        assert!(e.to_string().starts_with("malformed JSON"), "{e}");
    }
}
