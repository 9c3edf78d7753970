//! What the parser collects: sections, questions, options and answers as read, with their lines.

use std::collections::BTreeMap;

use super::heading::Heading;
use super::ImportWarning;

/// An option as read.
#[derive(Debug, Clone)]
pub(super) struct DraftOption {
    pub letter: char,
    pub text: String,
}

/// An answer as read (a key, an accepted text or a reference answer), with where it was written.
#[derive(Debug, Clone)]
pub(super) struct DraftAnswer {
    pub line: usize,
    pub text: String,
}

/// A question as read.
#[derive(Debug, Clone)]
pub(super) struct DraftQuestion {
    pub number: u32,
    pub line: usize,
    pub prompt: String,
    pub options: Vec<DraftOption>,
    pub answer: Option<DraftAnswer>,
    /// Answers written before `answer` for the same question (a second answer part, or a
    /// question that swallowed the next one): never silently dropped.
    pub earlier_answers: Vec<DraftAnswer>,
    pub explanation: Option<String>,
}

/// A section as read.
#[derive(Debug, Clone)]
pub(super) struct DraftSection {
    pub line: usize,
    pub heading: Heading,
    /// Questions came before any heading; the section has no title of its own.
    pub implicit: bool,
    /// Text between the heading and the first question.
    pub intro: String,
    pub questions: Vec<DraftQuestion>,
    /// Question number → index, for matching the answer part.
    pub by_number: BTreeMap<u32, usize>,
    /// An answer-part heading was matched to this section.
    pub in_answer_part: bool,
}

/// Everything read from the document, before it becomes a paper.
#[derive(Debug, Default)]
pub(super) struct Draft {
    /// Text before the first heading, with its line: the title and instructions are among it.
    pub preamble: Vec<(usize, String)>,
    pub sections: Vec<DraftSection>,
    pub warnings: Vec<ImportWarning>,
    /// Line where site furniture took over from the paper.
    pub end_line: Option<usize>,
}

impl DraftQuestion {
    pub fn new(number: u32, line: usize) -> DraftQuestion {
        DraftQuestion {
            number,
            line,
            prompt: String::new(),
            options: Vec::new(),
            answer: None,
            earlier_answers: Vec::new(),
            explanation: None,
        }
    }
}

impl DraftSection {
    pub fn new(line: usize, heading: Heading, implicit: bool) -> DraftSection {
        DraftSection {
            line,
            heading,
            implicit,
            intro: String::new(),
            questions: Vec::new(),
            by_number: BTreeMap::new(),
            in_answer_part: false,
        }
    }

    /// The title for messages (implicit sections have none of their own yet).
    pub fn display_title(&self) -> String {
        if self.heading.title.is_empty() {
            "untitled section".to_string()
        } else {
            self.heading.title.clone()
        }
    }
}
