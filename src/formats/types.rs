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

    /// The name [`Format::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::CnText => "cn-text",
            Format::Gift => "gift",
            Format::Aiken => "aiken",
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
    /// 1-based character column in that line (see [`super::place::locate`]); 0 until located.
    pub column: usize,
    /// A short quote of the text at that place, as written in the file. Before [`super::place::locate`]
    /// runs, a hint of the text to look for (or empty).
    pub excerpt: String,
    /// What was skipped, assumed or left out.
    pub message: String,
}

impl ImportWarning {
    /// A warning about line `line`, located later.
    pub fn new(line: usize, message: impl Into<String>) -> ImportWarning {
        ImportWarning { line, column: 0, excerpt: String::new(), message: message.into() }
    }

    /// A warning about the text `hint` on line `line`: [`super::place::locate`] looks for it there.
    pub fn about(line: usize, hint: &str, message: impl Into<String>) -> ImportWarning {
        ImportWarning { line, column: 0, excerpt: hint.to_string(), message: message.into() }
    }
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

/// The error for a file that gave no question at all, naming its first problem.
pub fn nothing_found(format: &str, warnings: &[ImportWarning]) -> ImportError {
    match warnings.first() {
        Some(first) => ImportError {
            line: Some(first.line),
            message: format!(
                "no question could be imported from the {format} text ({} problem(s); the first, line {}: {})",
                warnings.len(),
                first.line,
                first.message
            ),
        },
        None => ImportError { line: None, message: format!("the {format} text contains no question") },
    }
}

/// Points per question for a format that has none: the caller's default, else 1, with a warning either way.
pub fn default_points(format: &str, options: &ImportOptions, line: usize, warnings: &mut Vec<ImportWarning>) -> Points {
    let (points, source) = match options.default_points {
        Some(p) => (p, "the import's default"),
        None => (Points::whole(1), "no default was given"),
    };
    let message = format!("{format} gives no points: every question is worth {points} ({source})");
    warnings.push(ImportWarning::new(line, message));
    points
}
