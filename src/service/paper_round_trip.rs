//! `PUT /papers/{id}` takes back what `GET /papers/{id}` gave: the read adds the paper's own fields
//! (`id`, `status`, `version`, `total_points`, `missing_keys`, …) beside the document, and the paper
//! model refuses unknown fields, so without this every client would have to strip them.
//!
//! Exactly the view's fields are dropped, and only at the top level: a typo anywhere else (or a
//! field no read ever gives) is still refused, so a mistake never passes silently.

use super::papers::document_error;
use crate::domain::paper::PaperDoc;
use crate::error::ApiError;
use crate::formats::canonical::{self, DocError, Syntax};

/// The fields `service::papers::PaperView` adds to the document, and nothing else.
pub const VIEW_FIELDS: &[&str] = &[
    "id",
    "status",
    "version",
    "derived_from",
    "total_points",
    "owner_id",
    "created_at",
    "updated_at",
    "published_at",
    "missing_keys",
];

/// Reads a replacement document, accepting and ignoring the read's own fields.
///
/// The document is read as any other first (with its line numbers and the nesting check); only if
/// that fails on a field is it read again as a tree, and, if it carries view fields, read once more
/// without them. The nesting check has passed by then, so the tree is safe to build.
pub fn read_replacement(text: &str, syntax: Syntax) -> Result<PaperDoc, ApiError> {
    let first = canonical::read(text, syntax);
    let Err(DocError::Field { .. }) = &first else {
        return first.map_err(document_error);
    };
    let tree: Option<serde_json::Value> = match syntax {
        Syntax::Json => serde_json::from_str(text).ok(),
        Syntax::Yaml => serde_yaml::from_str(text).ok(),
    };
    let Some(serde_json::Value::Object(mut fields)) = tree else {
        return first.map_err(document_error);
    };
    let before = fields.len();
    fields.retain(|k, _| !VIEW_FIELDS.contains(&k.as_str()));
    if fields.len() == before {
        return first.map_err(document_error);
    }
    serde_path_to_error::deserialize(serde_json::Value::Object(fields)).map_err(|e| {
        let path = e.path().to_string();
        ApiError::field(&path, e.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"title": "T", "sections": [{"title": "S", "kind": "single_choice", "points": 2,
        "questions": [{"prompt": "p", "options": [{"key": "A", "text": "x"}, {"key": "B", "text": "y"}], "answer": "A"}]}]}"#;

    fn with(extra: serde_json::Value) -> String {
        let mut doc: serde_json::Value = serde_json::from_str(DOC).unwrap();
        doc.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        doc.to_string()
    }

    #[test]
    fn the_reads_own_fields_are_ignored() {
        let plain = canonical::read(DOC, Syntax::Json).unwrap();
        let read = with(serde_json::json!({"id": "x", "status": "draft", "version": 1, "total_points": 2,
            "missing_keys": [], "owner_id": "u", "created_at": "2030-01-01T00:00:00Z"}));
        assert_eq!(read_replacement(&read, Syntax::Json).unwrap(), plain);
        let yaml = serde_yaml::to_string(&serde_json::from_str::<serde_json::Value>(&read).unwrap()).unwrap();
        assert_eq!(read_replacement(&yaml, Syntax::Yaml).unwrap(), plain);
    }

    #[test]
    fn any_other_unknown_field_is_still_refused() {
        let e = read_replacement(&with(serde_json::json!({"id": "x", "colour": "red"})), Syntax::Json).unwrap_err();
        assert!(format!("{e:?}").contains("colour"), "{e:?}");
        let e = read_replacement(&with(serde_json::json!({"warnings": []})), Syntax::Json).unwrap_err();
        assert!(format!("{e:?}").contains("warnings"), "{e:?}");
    }
}
