//! The types every importer shares.

use serde::Serialize;

use crate::domain::paper::PaperDoc;
use crate::domain::points::Points;

/// The formats examd reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The canonical document as JSON.
    Json,
    /// The canonical document as YAML.
    Yaml,
    /// Plain-text Chinese question banks (`一、单选题(共5题,每题2分)` …).
    CnText,
    /// Moodle GIFT.
    Gift,
    /// Moodle Aiken.
    Aiken,
}

impl Format {
    /// Parses the `format=` name used by the API and the CLI.
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "cn-text" => Some(Format::CnText),
            "gift" => Some(Format::Gift),
            "aiken" => Some(Format::Aiken),
            _ => None,
        }
    }
}

/// What the caller tells an importer that the file does not say.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Points per question where the file gives none (a warning says it was used).
    pub default_points: Option<Points>,
    /// Title where the file gives none.
    pub title: Option<String>,
}

/// Something the importer could not take as written, with where it stands in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportWarning {
    /// 1-based line in the input.
    pub line: usize,
    /// What was skipped, assumed or left out.
    pub message: String,
}

/// An importer's result: the document (not yet validated as a `Paper`) and its warnings.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The paper as far as the file gives it.
    pub doc: PaperDoc,
    /// What the caller should know about.
    pub warnings: Vec<ImportWarning>,
}

/// Why nothing could be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ImportError {
    /// 1-based line of the problem, where one line is to blame.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}
