//! A candidate's saved answer, and the check that it fits its question before it is stored.
//!
//! The API takes whatever JSON a client sends (`"C"`, `["A","C"]`, `true`, `8`, text; `null` clears the
//! answer and never reaches this module). [`check`] refuses what cannot be an answer to the question and
//! returns the answer in one canonical form per kind, so storage and grading see a single spelling:
//!
//! | kind | accepted | stored as |
//! | --- | --- | --- |
//! | single_choice | `"c"`, `" C "`, `["C"]` (one option) | `Text("C")` |
//! | multiple_choice | `"C"`, `["c","A","A"]` | `Options(["A","C"])`, de-duplicated, in the paper's option order |
//! | true_false | `true`, `"true"`, `"FALSE"` | `Bool` — strings too, because form-based clients cannot send a JSON bool |
//! | numeric | `8`, `"8"`, `"８"`, `"-2.5"` (finite) | `Number` — strings too, read after NFKC so full-width digits work |
//! | fill_blank, short_answer, scenario, essay | text within the limits | `Text`, exactly as typed |
//!
//! A blank answer (whitespace-only text or an empty list) is accepted for every kind and stored as
//! `Text("")` (`Options([])` for multiple choice): a candidate who unticks every box has answered nothing,
//! and grading treats it exactly like `null` — zero, never a penalty.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::paper::{QuestionKind, QuestionRef};

/// A candidate's answer as the API carries it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// `true` / `false`.
    Bool(bool),
    /// A JSON number.
    Number(f64),
    /// A string: an option key, a number or a truth value written as text, or free text.
    Text(String),
    /// A list of option keys.
    Options(Vec<String>),
}

/// Read by the JSON type directly. `#[serde(untagged)]` would buffer every answer and, for text, first
/// try a bool and a number, each failure formatting an error that quotes the text: measurable on the
/// save path with long answers.
impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
        d.deserialize_any(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> serde::de::Visitor<'de> for AnswerVisitor {
    type Value = Answer;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an option key, a list of option keys, true/false, a number or text")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Answer, E> {
        Ok(Answer::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Answer, E> {
        Ok(Answer::Number(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Answer, E> {
        Ok(Answer::Number(v as f64))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Answer, E> {
        Ok(Answer::Number(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Answer, E> {
        Ok(Answer::Text(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Answer, E> {
        Ok(Answer::Text(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Answer, A::Error> {
        let mut keys = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(key) = seq.next_element::<String>()? {
            keys.push(key);
        }
        Ok(Answer::Options(keys))
    }
}

/// Why an answer does not fit its question; the message is shown to the candidate (HTTP 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// The JSON type does not suit the question (a number for a choice, a list for an essay…).
    #[error("a {kind} question takes {expected}")]
    WrongShape {
        /// The question's kind, in words.
        kind: &'static str,
        /// What it takes, in words.
        expected: &'static str,
    },
    /// An option key the question does not have.
    #[error("option {option} is not among {options}")]
    UnknownOption {
        /// The key as sent (trimmed, upper-cased, shortened if long).
        option: String,
        /// The question's keys, as a range such as `A–D`.
        options: String,
    },
    /// More than one option for a single-choice question.
    #[error("single choice takes one option")]
    SingleOption,
    /// A numeric answer that is not a finite number.
    #[error("a numeric answer must be a finite number")]
    NotFinite,
    /// Text longer than the server accepts for any answer.
    #[error("answer exceeds the {max}-character limit")]
    TooLong {
        /// The limit in characters.
        max: usize,
    },
    /// Text over the question's word limit (see [`word_count`]).
    #[error("answer exceeds the {limit}-word limit ({words} words)")]
    OverWordLimit {
        /// The question's limit.
        limit: u32,
        /// What the answer counts.
        words: usize,
    },
}

impl Answer {
    /// Whether the answer says nothing: whitespace-only text or a list without a non-blank entry.
    pub fn is_blank(&self) -> bool {
        match self {
            Answer::Text(t) => t.trim().is_empty(),
            Answer::Options(keys) => keys.iter().all(|k| k.trim().is_empty()),
            Answer::Bool(_) | Answer::Number(_) => false,
        }
    }

    /// The option keys chosen, trimmed and upper-cased, blanks dropped; `None` for a bool or number.
    pub fn chosen_options(&self) -> Option<Vec<String>> {
        let raw: &[String] = match self {
            Answer::Text(t) => std::slice::from_ref(t),
            Answer::Options(keys) => keys,
            Answer::Bool(_) | Answer::Number(_) => return None,
        };
        Some(raw.iter().map(|k| k.trim().to_uppercase()).filter(|k| !k.is_empty()).collect())
    }

    /// The answer as a truth value: a bool, or the text `true`/`false` in any case.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Answer::Bool(b) => Some(*b),
            Answer::Text(t) if t.trim().eq_ignore_ascii_case("true") => Some(true),
            Answer::Text(t) if t.trim().eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// The answer as a finite number: a JSON number, or text that reads as one after NFKC.
    pub fn as_number(&self) -> Option<f64> {
        let value = match self {
            Answer::Number(v) => *v,
            Answer::Text(t) => t.nfkc().collect::<String>().trim().parse().ok()?,
            Answer::Bool(_) | Answer::Options(_) => return None,
        };
        value.is_finite().then_some(value)
    }

    /// The answer's text, for text kinds.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Answer::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Checks that `answer` fits `question` and returns it in canonical form (see the module table).
///
/// `max_text_chars` bounds every text answer, whatever the question says, so one answer cannot fill the
/// database; the question's `word_limit` is checked on top with [`word_count`].
pub fn check(question: &QuestionRef<'_>, answer: &Answer, max_text_chars: usize) -> Result<Answer, AnswerError> {
    let kind = question.kind();
    if answer.is_blank() {
        return Ok(blank(kind));
    }
    match kind {
        QuestionKind::SingleChoice => match check_options(question, answer)?.as_slice() {
            [one] => Ok(Answer::Text(one.clone())),
            _ => Err(AnswerError::SingleOption),
        },
        QuestionKind::MultipleChoice => check_options(question, answer).map(Answer::Options),
        QuestionKind::TrueFalse => answer.as_bool().map(Answer::Bool).ok_or_else(|| wrong_shape(kind)),
        QuestionKind::Numeric => check_number(answer),
        QuestionKind::FillBlank | QuestionKind::ShortAnswer | QuestionKind::Scenario | QuestionKind::Essay => {
            check_text(question, answer, max_text_chars)
        }
    }
}

fn blank(kind: QuestionKind) -> Answer {
    match kind {
        QuestionKind::MultipleChoice => Answer::Options(Vec::new()),
        _ => Answer::Text(String::new()),
    }
}

/// The chosen keys, each known to the question, without repeats, in the paper's option order.
fn check_options(question: &QuestionRef<'_>, answer: &Answer) -> Result<Vec<String>, AnswerError> {
    let chosen = answer.chosen_options().ok_or_else(|| wrong_shape(question.kind()))?;
    let options = &question.doc.options;
    if let Some(unknown) = chosen.iter().find(|k| !options.iter().any(|o| &o.key == *k)) {
        return Err(AnswerError::UnknownOption { option: shorten(unknown), options: option_range(question) });
    }
    Ok(options.iter().filter(|o| chosen.contains(&o.key)).map(|o| o.key.clone()).collect())
}

fn check_number(answer: &Answer) -> Result<Answer, AnswerError> {
    match answer {
        Answer::Number(_) | Answer::Text(_) => answer.as_number().map(Answer::Number).ok_or(AnswerError::NotFinite),
        _ => Err(wrong_shape(QuestionKind::Numeric)),
    }
}

fn check_text(question: &QuestionRef<'_>, answer: &Answer, max_text_chars: usize) -> Result<Answer, AnswerError> {
    let text = answer.as_text().ok_or_else(|| wrong_shape(question.kind()))?;
    if text.chars().count() > max_text_chars {
        return Err(AnswerError::TooLong { max: max_text_chars });
    }
    if let Some(limit) = question.doc.word_limit {
        let words = word_count(text);
        if words > limit as usize {
            return Err(AnswerError::OverWordLimit { limit, words });
        }
    }
    Ok(answer.clone())
}

/// Counts words the way a recruiter's "500 words" / "500字" means it.
///
/// Each CJK ideograph or kana counts as one (Chinese and Japanese are limited in characters, 字); any
/// other run of letters and digits counts as one word. ASCII punctuation and `’` inside a run do not
/// split it (`don't`, `e-mail`, `3.5` are one word each); whitespace and other punctuation (`，。、`) end
/// it. So `我用Excel做分析` is 6 and `Hello, world!` is 2. Hangul is counted by words, as Korean is
/// written with spaces.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            count += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            count += usize::from(!in_word);
            in_word = true;
        } else if !(c.is_ascii_punctuation() || c == '’') {
            in_word = false;
        }
    }
    count
}

fn is_cjk(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3040..=0x30FF       // hiragana, katakana
            | 0x31F0..=0x31FF // katakana extensions
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // compatibility ideographs
            | 0xFF66..=0xFF9D // half-width katakana
            | 0x20000..=0x3134F // extensions B–G
    )
}

fn wrong_shape(kind: QuestionKind) -> AnswerError {
    let (kind, expected) = match kind {
        QuestionKind::SingleChoice => ("single-choice", "one option key such as \"C\""),
        QuestionKind::MultipleChoice => ("multiple-choice", "a list of option keys such as [\"A\", \"C\"]"),
        QuestionKind::TrueFalse => ("true/false", "true or false"),
        QuestionKind::Numeric => ("numeric", "a number"),
        QuestionKind::FillBlank => ("fill-in-the-blank", "text"),
        QuestionKind::ShortAnswer => ("short-answer", "text"),
        QuestionKind::Scenario => ("scenario", "text"),
        QuestionKind::Essay => ("essay", "text"),
    };
    AnswerError::WrongShape { kind, expected }
}

fn option_range(question: &QuestionRef<'_>) -> String {
    let options = &question.doc.options;
    match (options.first(), options.last()) {
        (Some(first), Some(last)) => format!("{}–{}", first.key, last.key),
        _ => "the options".to_string(),
    }
}

/// Keeps an error message readable when a client sends a whole paragraph as an option key.
fn shorten(key: &str) -> String {
    const MAX: usize = 16;
    if key.chars().count() <= MAX {
        key.to_string()
    } else {
        format!("{}…", key.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::super::paper::{Paper, PaperDoc};
    use super::*;

    fn paper() -> Paper {
        let doc: PaperDoc = serde_yaml::from_str(
            r#"
title: T
sections:
  - title: S
    kind: single_choice
    points: 2
    questions:
      - {key: single, prompt: p, options: [{text: a}, {text: b}, {text: c}, {text: d}], answer: C}
      - {key: multi, kind: multiple_choice, prompt: p, options: [{text: a}, {text: b}, {text: c}, {text: d}], answer: [A, C]}
      - {key: tf, kind: true_false, prompt: p, answer: true}
      - {key: num, kind: numeric, prompt: p, answer: 8}
      - {key: blank, kind: fill_blank, prompt: p, accepted: [{text: x}]}
      - {key: essay, kind: essay, prompt: p, word_limit: 5}
"#,
        )
        .unwrap();
        Paper::parse(doc).unwrap()
    }

    fn checked(key: &str, json: &str) -> Result<Answer, AnswerError> {
        let paper = paper();
        let answer: Answer = serde_json::from_str(json).unwrap();
        check(&paper.question(key).unwrap(), &answer, 100)
    }

    fn message(key: &str, json: &str) -> String {
        checked(key, json).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_api_shape() {
        let read = |json: &str| serde_json::from_str::<Answer>(json).unwrap();
        assert_eq!(read(r#""C""#), Answer::Text("C".into()));
        assert_eq!(read(r#"["A","C"]"#), Answer::Options(vec!["A".into(), "C".into()]));
        assert_eq!(read("true"), Answer::Bool(true));
        assert_eq!(read("8"), Answer::Number(8.0));
        assert_eq!(read("-2.5"), Answer::Number(-2.5));
    }

    #[test]
    fn single_choice_takes_one_known_option() {
        assert_eq!(checked("single", r#"" c ""#), Ok(Answer::Text("C".into())));
        assert_eq!(checked("single", r#"["c"]"#), Ok(Answer::Text("C".into())));
        assert_eq!(checked("single", r#"["C","c"]"#), Ok(Answer::Text("C".into())));
        assert_eq!(message("single", r#"["A","C"]"#), "single choice takes one option");
        assert_eq!(message("single", r#""F""#), "option F is not among A–D");
        assert_eq!(message("single", "true"), "a single-choice question takes one option key such as \"C\"");
    }

    #[test]
    fn multiple_choice_is_deduplicated_in_option_order() {
        let ac = Answer::Options(vec!["A".into(), "C".into()]);
        assert_eq!(checked("multi", r#"["c","A","a"]"#), Ok(ac));
        assert_eq!(checked("multi", r#""b""#), Ok(Answer::Options(vec!["B".into()])));
        assert_eq!(message("multi", r#"["A","F"]"#), "option F is not among A–D");
    }

    #[test]
    fn blank_answers_are_accepted_and_canonical() {
        assert_eq!(checked("multi", "[]"), Ok(Answer::Options(vec![])));
        assert_eq!(checked("single", r#""  ""#), Ok(Answer::Text(String::new())));
        assert_eq!(checked("tf", r#""""#), Ok(Answer::Text(String::new())));
        assert_eq!(checked("essay", r#"" \n ""#), Ok(Answer::Text(String::new())));
    }

    #[test]
    fn true_false_and_numeric_accept_text_forms() {
        assert_eq!(checked("tf", r#"" FALSE ""#), Ok(Answer::Bool(false)));
        assert_eq!(message("tf", r#""yes""#), "a true/false question takes true or false");
        assert_eq!(checked("num", r#""８""#), Ok(Answer::Number(8.0)));
        assert_eq!(checked("num", r#""-2.5""#), Ok(Answer::Number(-2.5)));
        assert_eq!(message("num", r#""inf""#), "a numeric answer must be a finite number");
        assert_eq!(message("num", r#"["A"]"#), "a numeric question takes a number");
    }

    #[test]
    fn text_is_kept_as_typed_within_limits() {
        assert_eq!(checked("blank", r#"" X ""#), Ok(Answer::Text(" X ".into())));
        assert_eq!(message("blank", "3"), "a fill-in-the-blank question takes text");
        let long = format!("\"{}\"", "x".repeat(101));
        assert_eq!(message("blank", &long), "answer exceeds the 100-character limit");
        assert!(checked("essay", r#""one two three four five""#).is_ok());
        assert_eq!(message("essay", r#""one two three four five six""#), "answer exceeds the 5-word limit (6 words)");
        assert_eq!(message("essay", r#""患者隐私信息""#), "answer exceeds the 5-word limit (6 words)");
    }

    #[test]
    fn counts_latin_words_and_cjk_characters() {
        assert_eq!(word_count("Hello, world!"), 2);
        assert_eq!(word_count("don't use e-mail for 3.5 days"), 6);
        assert_eq!(word_count("我用Excel做分析。"), 6);
        assert_eq!(word_count("理解规定底线，灵活沟通"), 10);
        assert_eq!(word_count(" — … "), 0);
        assert_eq!(word_count("한국어 문장"), 2);
    }

    #[test]
    fn shortens_long_unknown_keys_in_messages() {
        let long = format!("\"{}\"", "Z".repeat(40));
        assert_eq!(message("single", &long), format!("option {}… is not among A–D", "Z".repeat(16)));
    }
}

#[cfg(test)]
mod wire_tests {
    use super::Answer;

    #[test]
    fn answers_read_by_their_json_type() {
        let read = |s: &str| serde_json::from_str::<Answer>(s);
        assert_eq!(read("\"C\"").unwrap(), Answer::Text("C".into()));
        assert_eq!(read("[\"A\",\"C\"]").unwrap(), Answer::Options(vec!["A".into(), "C".into()]));
        assert_eq!(read("true").unwrap(), Answer::Bool(true));
        assert_eq!(read("8").unwrap(), Answer::Number(8.0));
        assert_eq!(read("-2.5").unwrap(), Answer::Number(-2.5));
        assert!(read("{\"a\": 1}").is_err());
        assert!(read("[1, 2]").is_err());
        assert_eq!(serde_json::to_string(&Answer::Options(vec!["A".into()])).unwrap(), "[\"A\"]");
    }
}
