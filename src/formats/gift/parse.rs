//! One block of GIFT → its name, prompt, answer block and kind, following Moodle's `readquestion`.

use super::text::{self, Block};
use crate::formats::ImportWarning;

/// The kind of answer block, decided the way Moodle decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RawKind {
    /// `{}`.
    Essay,
    /// `{#…}`.
    Numeric,
    /// Any `~` in the block.
    Choice,
    /// `=` together with `->`.
    Matching,
    /// `{T}`, `{FALSE#…}`.
    TrueFalse,
    /// Everything else: `{=Frog =%50%Cat}`.
    ShortAnswer,
}

/// A question as cut out of its block, before it is mapped onto examd's model.
#[derive(Debug)]
pub(super) struct RawQuestion {
    /// 1-based line where it starts.
    pub line: usize,
    /// `::name::`, cleaned.
    pub name: Option<String>,
    /// The question text, cleaned, with `_____` where a missing word's answer block stood.
    pub prompt: String,
    /// The answer block without its braces and general feedback, still encoded, on one line.
    pub answers: String,
    /// The `####` general feedback, cleaned.
    pub general_feedback: String,
    /// How the answer block reads.
    pub kind: RawKind,
}

impl RawQuestion {
    /// How warnings name the question: its name, else the start of its text.
    pub fn label(&self) -> String {
        describe(self.name.as_deref(), &self.prompt)
    }
}

fn describe(name: Option<&str>, prompt: &str) -> String {
    match name {
        Some(name) => format!("question \"{}\"", excerpt(name)),
        None if prompt.is_empty() => "a question".to_string(),
        None => format!("question \"{}\"", excerpt(prompt)),
    }
}

pub(super) use crate::formats::place::excerpt;

/// Reads a block; `None` for a category line, a comment-only block, or a block that is no question
/// (with a warning saying why).
pub(super) fn parse_block(block: &Block, warnings: &mut Vec<ImportWarning>) -> Option<RawQuestion> {
    let (text, line) = match skip_category(&block.text) {
        Some(rest) => (rest, block.line + 1),
        None => (block.text.as_str(), block.line),
    };
    if text.is_empty() {
        return None;
    }
    let (name, rest) = take_name(text);
    let mut warn = |message: String| warnings.push(ImportWarning::new(line, message));
    let (before, answers, after) = match split_answer_block(rest) {
        Ok(parts) => parts,
        Err(why) => {
            warn(format!("{}: {why}; skipped", describe(name.as_deref(), &text::clean(rest))));
            return None;
        }
    };
    let prompt = prompt_text(before, after);
    if prompt.is_empty() {
        warn(format!("{}: the question has no text; skipped", describe(name.as_deref(), "")));
        return None;
    }
    if after.contains(['{', '}']) {
        warn(format!(
            "{}: only the first answer block {{…}} is read; is a blank line missing before the next question?",
            describe(name.as_deref(), &prompt)
        ));
    }
    let (answers, general_feedback) = split_general_feedback(answers);
    // An answer written over several lines reads as one line with single spaces, whatever the indent.
    let answers = answers.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let kind = classify(&answers);
    Some(RawQuestion { line, name, prompt, answers, general_feedback, kind })
}

/// `$CATEGORY:` names a Moodle question-bank category; examd groups by kind instead, so the line is
/// dropped and what follows it, if anything, is read as a question.
fn skip_category(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("$CATEGORY:")?;
    Some(rest.split_once('\n').map_or("", |(_, question)| question.trim()))
}

fn take_name(text: &str) -> (Option<String>, &str) {
    let Some(rest) = text.strip_prefix("::") else { return (None, text) };
    match rest.split_once("::") {
        Some((name, after)) => {
            let name = text::decode(name).trim().to_string();
            (Some(name).filter(|n| !n.is_empty()), after.trim())
        }
        None => (None, rest.trim()),
    }
}

type Parts<'a> = (&'a str, &'a str, &'a str);

/// Text before the first `{`, between it and the first `}`, and after that.
fn split_answer_block(text: &str) -> Result<Parts<'_>, &'static str> {
    match (text.find('{'), text.find('}')) {
        (Some(open), Some(close)) if open < close => Ok((&text[..open], &text[open + 1..close], &text[close + 1..])),
        (None, None) => Err("there is no answer block {…}, which Moodle reads as a description; examd has none"),
        _ => Err("the braces do not pair up (a literal brace is written \\{ or \\})"),
    }
}

/// A missing-word question keeps its place for the answer as `_____`, as Moodle shows it.
fn prompt_text(before: &str, after: &str) -> String {
    if after.trim().is_empty() {
        text::clean(before)
    } else {
        text::clean(&format!("{before}_____{after}"))
    }
}

fn split_general_feedback(answers: &str) -> (&str, String) {
    match answers.rfind("####") {
        Some(at) => (answers[..at].trim(), text::clean(&answers[at + 4..])),
        None => (answers.trim(), String::new()),
    }
}

fn classify(answers: &str) -> RawKind {
    if answers.is_empty() {
        RawKind::Essay
    } else if answers.starts_with('#') {
        RawKind::Numeric
    } else if answers.contains('~') {
        RawKind::Choice
    } else if answers.contains('=') && answers.contains("->") {
        RawKind::Matching
    } else if is_true_false(answers) {
        RawKind::TrueFalse
    } else {
        RawKind::ShortAnswer
    }
}

fn is_true_false(answers: &str) -> bool {
    let key = answers.split('#').next().unwrap_or_default().trim();
    ["T", "TRUE", "F", "FALSE"].iter().any(|k| k.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(gift: &str) -> (Option<RawQuestion>, Vec<ImportWarning>) {
        let mut warnings = Vec::new();
        let block = text::blocks(gift).into_iter().next().unwrap();
        (parse_block(&block, &mut warnings), warnings)
    }

    #[test]
    fn a_missing_word_keeps_its_place() {
        let (q, _) = parse("Moodle costs {~lots =nothing} to download.");
        let q = q.unwrap();
        assert_eq!(q.prompt, "Moodle costs _____ to download.");
        assert_eq!(q.kind, RawKind::Choice);
    }

    #[test]
    fn names_general_feedback_and_kinds() {
        let (q, _) = parse("::Q\\:1:: [html]Is it? {true####Because.}");
        let q = q.unwrap();
        assert_eq!((q.name.as_deref(), q.prompt.as_str()), (Some("Q:1"), "Is it?"));
        assert_eq!((q.kind, q.general_feedback.as_str()), (RawKind::TrueFalse, "Because."));
        assert_eq!(classify("#3:2"), RawKind::Numeric);
        assert_eq!(classify("=a -> b"), RawKind::Matching);
        assert_eq!(classify("=Frog"), RawKind::ShortAnswer);
    }

    #[test]
    fn descriptions_and_broken_braces_are_reported() {
        let (q, w) = parse("Just some text");
        assert!(q.is_none() && w[0].message.contains("description"), "{w:?}");
        let (q, w) = parse("::x:: Broken } {");
        assert!(q.is_none() && w[0].message.contains("braces"), "{w:?}");
        let (q, w) = parse("$CATEGORY: $course$/Top\n::c:: Cat? {T}");
        assert!(q.is_some_and(|q| q.line == 2) && w.is_empty());
    }

    #[test]
    fn answers_over_several_lines_keep_single_spaces() {
        let (q, _) = parse("::m:: Pick {\n    =the first\n      right answer\n    ~a wrong\tone\n}");
        assert_eq!(q.unwrap().answers, "=the first right answer ~a wrong\tone");
    }
}
