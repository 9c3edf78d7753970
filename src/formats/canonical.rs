//! The canonical document in JSON and YAML: one serde model, so export → import round-trips exactly.

use super::{ImportError, Imported};
use crate::domain::paper::PaperDoc;

/// Reads a JSON paper document.
pub fn from_json(text: &str) -> Result<Imported, ImportError> {
    serde_json::from_str::<PaperDoc>(text)
        .map(|doc| Imported { doc, warnings: Vec::new() })
        .map_err(|e| ImportError { line: Some(e.line()), message: format!("invalid JSON paper: {e}") })
}

/// Reads a YAML paper document.
pub fn from_yaml(text: &str) -> Result<Imported, ImportError> {
    serde_yaml::from_str::<PaperDoc>(text)
        .map(|doc| Imported { doc, warnings: Vec::new() })
        .map_err(|e| ImportError { line: e.location().map(|l| l.line()), message: format!("invalid YAML paper: {e}") })
}

/// Writes the document as pretty JSON.
pub fn to_json(doc: &PaperDoc) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}

/// Writes the document as YAML.
pub fn to_yaml(doc: &PaperDoc) -> String {
    serde_yaml::to_string(doc).unwrap_or_default()
}
