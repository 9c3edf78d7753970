//! The paper document: the canonical model that JSON and YAML (de)serialise and every importer produces.
//!
//! `PaperDoc` is the wire form, as a recruiter writes it. `Paper::parse` turns it into a `Paper`, which is
//! known to be valid (every auto-graded question has a key that fits it, keys are unique, points are
//! positive) and normalised (question keys generated where absent), so the rest of examd never checks again.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::points::Points;

/// What kind of answer a question takes, and so how it is graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One option (auto-graded).
    SingleChoice,
    /// Several options (auto-graded by the section's scoring rule).
    MultipleChoice,
    /// True or false (auto-graded).
    TrueFalse,
    /// Short text matched against accepted answers (auto-graded).
    FillBlank,
    /// A number within a tolerance (auto-graded).
    Numeric,
    /// A few sentences, marked by a person (a Chinese 简答题).
    ShortAnswer,
    /// A case to reason through, marked by a person.
    Scenario,
    /// A long answer, marked by a person.
    Essay,
}

impl QuestionKind {
    /// Whether a person marks this kind rather than the server.
    pub fn is_open(self) -> bool {
        matches!(self, Self::ShortAnswer | Self::Scenario | Self::Essay)
    }

    /// Whether answers are picked from options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice)
    }

    /// The name used in documents and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::TrueFalse => "true_false",
            Self::FillBlank => "fill_blank",
            Self::Numeric => "numeric",
            Self::ShortAnswer => "short_answer",
            Self::Scenario => "scenario",
            Self::Essay => "essay",
        }
    }
}

/// How a multiple-choice answer earns points.
///
/// Written `all_or_nothing`, `partial`, `weighted` or `{per_correct: 0.5}` in JSON and YAML alike.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScoringRepr", into = "ScoringRepr")]
pub enum Scoring {
    /// Full points only for exactly the key (少选/错选不得分).
    AllOrNothing,
    /// No wrong option: points × chosen-correct / key size; any wrong option: 0.
    Partial,
    /// Each correct option chosen earns this much, any wrong option: 0, never more than the points.
    PerCorrect(Points),
    /// Option weights (percent of the points, may be negative), sum clamped to 0..points.
    Weighted,
}

/// The written form of [`Scoring`]: a name, or a map for the one rule that carries a value. Spelled out
/// because serde_yaml would otherwise write the value-carrying variant as a YAML tag (`!per_correct`).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ScoringRepr {
    Name(String),
    PerCorrect { per_correct: Points },
}

impl TryFrom<ScoringRepr> for Scoring {
    type Error = String;
    fn try_from(r: ScoringRepr) -> Result<Scoring, String> {
        match r {
            ScoringRepr::PerCorrect { per_correct } => Ok(Scoring::PerCorrect(per_correct)),
            ScoringRepr::Name(n) => match n.as_str() {
                "all_or_nothing" => Ok(Scoring::AllOrNothing),
                "partial" => Ok(Scoring::Partial),
                "weighted" => Ok(Scoring::Weighted),
                other => Err(format!(
                    "unknown scoring `{other}`: expected all_or_nothing, partial, weighted or {{per_correct: N}}"
                )),
            },
        }
    }
}

impl From<Scoring> for ScoringRepr {
    fn from(s: Scoring) -> ScoringRepr {
        match s {
            Scoring::AllOrNothing => ScoringRepr::Name("all_or_nothing".into()),
            Scoring::Partial => ScoringRepr::Name("partial".into()),
            Scoring::Weighted => ScoringRepr::Name("weighted".into()),
            Scoring::PerCorrect(per_correct) => ScoringRepr::PerCorrect { per_correct },
        }
    }
}

/// Where a penalty for wrong answers stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyFloor {
    /// A question never scores below 0.
    #[default]
    Question,
    /// Questions may go below 0 but the section total never does (扣完为止).
    Section,
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDoc {
    /// `A`, `B`, … (assigned in order when absent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// What the candidate reads.
    pub text: String,
    /// Percent of the question's points for `weighted` scoring (GIFT `%50%`, `%-100%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// An accepted answer to a fill-in-the-blank question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptedDoc {
    /// The accepted text; matched after normalising case, width and spacing.
    pub text: String,
    /// Share of the points it earns, 0 < credit ≤ 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<f64>,
}

/// A marking criterion for human-marked questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricCriterion {
    /// What the marker looks for.
    pub criterion: String,
    /// What it is worth.
    pub points: Points,
}

/// The answer key of an auto-graded question, as written in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerKey {
    /// True/false.
    Bool(bool),
    /// Numeric value.
    Number(f64),
    /// One option key (`C`).
    One(String),
    /// Several option keys (`[A, B, C, E]`).
    Many(Vec<String>),
}

/// A question as written in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QuestionDoc {
    /// Stable within the paper; generated when absent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Overrides the section's kind (GIFT files mix kinds in one section).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<QuestionKind>,
    /// What the candidate reads.
    pub prompt: String,
    /// Overrides the section's per-question points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    /// Overrides the section's scoring rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
    /// Overrides the section's penalty for a wrong answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Points>,
    /// Options of a choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDoc>,
    /// The key of a choice, true/false or numeric question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerKey>,
    /// Accepted answers of a fill-in-the-blank question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<AcceptedDoc>,
    /// Allowed distance from a numeric key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Why the key is right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// What a marker compares an open answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_answer: Option<String>,
    /// Marking criteria.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rubric: Vec<RubricCriterion>,
    /// Most words (or CJK characters) an open answer may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_limit: Option<u32>,
}

/// A section as written in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDoc {
    /// Heading shown to candidates.
    pub title: String,
    /// Default kind of its questions.
    pub kind: QuestionKind,
    /// Points per question, unless a question overrides it.
    pub points: Points,
    /// Multiple-choice rule (default `all_or_nothing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
    /// Deducted for a wrong (not a blank) single-choice or true/false answer (答错倒扣).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Points>,
    /// Where penalties stop.
    #[serde(default, skip_serializing_if = "is_default")]
    pub penalty_floor: PenaltyFloor,
    /// Shuffle question order per candidate.
    #[serde(default, skip_serializing_if = "is_default")]
    pub shuffle_questions: bool,
    /// Shuffle option order per candidate.
    #[serde(default, skip_serializing_if = "is_default")]
    pub shuffle_options: bool,
    /// Guidance for markers of the whole section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Its questions, in order.
    #[serde(default)]
    pub questions: Vec<QuestionDoc>,
}

impl SectionDoc {
    /// A section with the default rules (all-or-nothing, no penalty, no shuffling).
    pub fn new(title: String, kind: QuestionKind, points: Points, questions: Vec<QuestionDoc>) -> SectionDoc {
        SectionDoc {
            title,
            kind,
            points,
            scoring: None,
            penalty: None,
            penalty_floor: PenaltyFloor::default(),
            shuffle_questions: false,
            shuffle_options: false,
            guidance: None,
            questions,
        }
    }
}

/// The paper document as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperDoc {
    /// Shown to recruiters and candidates.
    pub title: String,
    /// Read by candidates before they start.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instructions: String,
    /// The sections, in order.
    #[serde(default)]
    pub sections: Vec<SectionDoc>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One problem with a document, naming the place (`sections[1].questions[2].answer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Path of the offending field.
    pub field: String,
    /// What is wrong, in words a recruiter understands.
    pub message: String,
}

/// A paper known to be valid and normalised. Built only by [`Paper::parse`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Paper(PaperDoc);

/// A question with the rules it inherits from its section resolved.
#[derive(Debug, Clone, Copy)]
pub struct QuestionRef<'a> {
    /// Index of its section.
    pub section_index: usize,
    /// Its section.
    pub section: &'a SectionDoc,
    /// The question as written.
    pub doc: &'a QuestionDoc,
}

impl<'a> QuestionRef<'a> {
    /// The question's stable key.
    pub fn key(&self) -> &'a str {
        &self.doc.key
    }

    /// Its own kind, or its section's.
    pub fn kind(&self) -> QuestionKind {
        self.doc.kind.unwrap_or(self.section.kind)
    }

    /// Its own points, or its section's.
    pub fn points(&self) -> Points {
        self.doc.points.unwrap_or(self.section.points)
    }

    /// The multiple-choice rule in force.
    pub fn scoring(&self) -> Scoring {
        self.doc.scoring.or(self.section.scoring).unwrap_or(Scoring::AllOrNothing)
    }

    /// The penalty for a wrong answer, if any.
    pub fn penalty(&self) -> Points {
        self.doc.penalty.or(self.section.penalty).unwrap_or(Points::ZERO)
    }
}

impl Paper {
    /// Normalises and validates a document; every problem is reported, not only the first.
    pub fn parse(mut doc: PaperDoc) -> Result<Paper, Vec<FieldError>> {
        normalise(&mut doc);
        let errors = validate(&doc);
        if errors.is_empty() {
            Ok(Paper(doc))
        } else {
            Err(errors)
        }
    }

    /// The normalised document (what export writes and storage keeps).
    pub fn doc(&self) -> &PaperDoc {
        &self.0
    }

    /// Gives the document back, to edit it into a new draft.
    pub fn into_doc(self) -> PaperDoc {
        self.0
    }

    /// Every question in paper order with its section's rules.
    pub fn questions(&self) -> impl Iterator<Item = QuestionRef<'_>> {
        self.0.sections.iter().enumerate().flat_map(|(section_index, section)| {
            section.questions.iter().map(move |doc| QuestionRef { section_index, section, doc })
        })
    }

    /// The question with this key.
    pub fn question(&self, key: &str) -> Option<QuestionRef<'_>> {
        self.questions().find(|q| q.key() == key)
    }

    /// Most points a candidate can earn.
    pub fn total_points(&self) -> Points {
        self.questions().map(|q| q.points()).sum()
    }

    /// Most points of one section.
    pub fn section_points(&self, index: usize) -> Points {
        self.questions().filter(|q| q.section_index == index).map(|q| q.points()).sum()
    }
}

/// Option keys `A`…`Z`, then `AA`… for the rare longer list.
pub fn option_key(index: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if index < 26 {
        (letters[index] as char).to_string()
    } else {
        format!("{}{}", option_key(index / 26 - 1), letters[index % 26] as char)
    }
}

fn normalise(doc: &mut PaperDoc) {
    let taken: BTreeSet<String> = doc
        .sections
        .iter()
        .flat_map(|s| s.questions.iter().map(|q| q.key.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect();
    for (si, section) in doc.sections.iter_mut().enumerate() {
        for (qi, q) in section.questions.iter_mut().enumerate() {
            q.key = q.key.trim().to_string();
            if q.key.is_empty() {
                let mut candidate = format!("s{}q{}", si + 1, qi + 1);
                let mut n = 1;
                while taken.contains(&candidate) {
                    n += 1;
                    candidate = format!("s{}q{}_{n}", si + 1, qi + 1);
                }
                q.key = candidate;
            }
            for (oi, option) in q.options.iter_mut().enumerate() {
                option.key = option.key.trim().to_uppercase();
                if option.key.is_empty() {
                    option.key = option_key(oi);
                }
            }
            q.answer = q.answer.take().map(|a| match a {
                AnswerKey::One(k) => AnswerKey::One(k.trim().to_uppercase()),
                AnswerKey::Many(ks) => AnswerKey::Many(ks.iter().map(|k| k.trim().to_uppercase()).collect()),
                other => other,
            });
        }
    }
}

/// Longest key a question may have; keys appear in URLs.
const MAX_KEY_LEN: usize = 64;

fn validate(doc: &PaperDoc) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut err = |field: String, message: String| errors.push(FieldError { field, message });
    if doc.title.trim().is_empty() {
        err("title".into(), "the paper needs a title".into());
    }
    if doc.sections.is_empty() {
        err("sections".into(), "the paper needs at least one section".into());
    }
    let mut seen_keys = BTreeSet::new();
    for (si, section) in doc.sections.iter().enumerate() {
        let sp = format!("sections[{si}]");
        let place = format!("section {}", si + 1);
        if section.title.trim().is_empty() {
            err(format!("{sp}.title"), format!("{place}: the section needs a title"));
        }
        if !section.points.is_positive() {
            err(format!("{sp}.points"), format!("{place}: points per question must be above 0"));
        }
        if section.questions.is_empty() {
            err(format!("{sp}.questions"), format!("{place}: the section has no questions"));
        }
        if let Some(p) = section.penalty {
            if p.is_negative() {
                err(format!("{sp}.penalty"), format!("{place}: a penalty is written as a positive amount"));
            }
        }
        if let Some(Scoring::PerCorrect(v)) = section.scoring {
            if !v.is_positive() {
                err(format!("{sp}.scoring"), format!("{place}: per_correct needs a value above 0"));
            }
        }
        for (qi, q) in section.questions.iter().enumerate() {
            let qp = format!("{sp}.questions[{qi}]");
            let place = format!("section {}, question {}", si + 1, qi + 1);
            let question = QuestionRef { section_index: si, section, doc: q };
            if !seen_keys.insert(q.key.clone()) {
                err(format!("{qp}.key"), format!("{place}: key {} is used twice", q.key));
            }
            if q.key.len() > MAX_KEY_LEN || !q.key.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
                err(
                    format!("{qp}.key"),
                    format!("{place}: a key is at most {MAX_KEY_LEN} letters, digits, '-', '_' or '.'"),
                );
            }
            validate_question(&question, &qp, &place, &mut err);
        }
    }
    errors
}

fn validate_question(q: &QuestionRef<'_>, qp: &str, place: &str, err: &mut impl FnMut(String, String)) {
    let doc = q.doc;
    let kind = q.kind();
    if doc.prompt.trim().is_empty() {
        err(format!("{qp}.prompt"), format!("{place}: the prompt is empty"));
    }
    if !q.points().is_positive() {
        err(format!("{qp}.points"), format!("{place}: points must be above 0"));
    }
    if q.penalty().is_negative() {
        err(format!("{qp}.penalty"), format!("{place}: a penalty is written as a positive amount"));
    }
    if q.penalty().is_positive() && !matches!(kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse) {
        err(
            format!("{qp}.penalty"),
            format!("{place}: a penalty applies only to single choice and true/false questions"),
        );
    }
    let option_keys: Vec<&str> = doc.options.iter().map(|o| o.key.as_str()).collect();
    let option_range = match (option_keys.first(), option_keys.last()) {
        (Some(first), Some(last)) => format!("{first}–{last}"),
        _ => "none".to_string(),
    };
    let known = |k: &str| option_keys.contains(&k);
    if kind.has_options() {
        if doc.options.len() < 2 {
            err(format!("{qp}.options"), format!("{place}: a choice question needs at least two options"));
        }
        let mut seen = BTreeSet::new();
        for (oi, o) in doc.options.iter().enumerate() {
            if !seen.insert(o.key.as_str()) {
                err(format!("{qp}.options[{oi}].key"), format!("{place}: option {} appears twice", o.key));
            }
            if o.text.trim().is_empty() {
                err(format!("{qp}.options[{oi}].text"), format!("{place}: option {} has no text", o.key));
            }
        }
    } else if !doc.options.is_empty() {
        err(format!("{qp}.options"), format!("{place}: a {} question has no options", kind.as_str()));
    }
    let weighted = kind == QuestionKind::MultipleChoice && q.scoring() == Scoring::Weighted;
    if kind.has_options() && !weighted {
        let named: Vec<&String> = match &doc.answer {
            Some(AnswerKey::One(k)) => vec![k],
            Some(AnswerKey::Many(ks)) => ks.iter().collect(),
            _ => Vec::new(),
        };
        for k in named.iter().filter(|k| !known(k)) {
            err(format!("{qp}.answer"), format!("{place}: answer key {k} is not among the options {option_range}"));
        }
        if named.iter().collect::<BTreeSet<_>>().len() != named.len() {
            err(format!("{qp}.answer"), format!("{place}: the answer key names an option twice"));
        }
    }
    match (kind, &doc.answer) {
        (QuestionKind::SingleChoice, Some(AnswerKey::One(_))) => {}
        (QuestionKind::MultipleChoice, _) if weighted => {
            let any_positive = doc.options.iter().any(|o| o.weight.unwrap_or(0.0) > 0.0);
            if !any_positive {
                err(
                    format!("{qp}.options"),
                    format!("{place}: weighted scoring needs an option with a positive weight"),
                );
            }
        }
        (QuestionKind::MultipleChoice, Some(AnswerKey::Many(ks))) if ks.is_empty() => {
            err(format!("{qp}.answer"), format!("{place}: the answer key names no option"));
        }
        // A one-letter key in a multiple-choice question is a list of one, written without brackets.
        (QuestionKind::MultipleChoice, Some(AnswerKey::Many(_) | AnswerKey::One(_))) => {}
        (QuestionKind::TrueFalse, Some(AnswerKey::Bool(_))) => {}
        (QuestionKind::Numeric, Some(AnswerKey::Number(v))) => {
            if !v.is_finite() {
                err(format!("{qp}.answer"), format!("{place}: the numeric key must be a finite number"));
            }
            if doc.tolerance.is_some_and(|t| !(t >= 0.0 && t.is_finite())) {
                err(format!("{qp}.tolerance"), format!("{place}: the tolerance must be 0 or more"));
            }
        }
        (QuestionKind::FillBlank, None) => {
            if doc.accepted.is_empty() {
                err(format!("{qp}.accepted"), format!("{place}: a fill-in-the-blank question needs accepted answers"));
            }
            for (ai, a) in doc.accepted.iter().enumerate() {
                if a.text.trim().is_empty() {
                    err(format!("{qp}.accepted[{ai}].text"), format!("{place}: an accepted answer is empty"));
                }
                if a.credit.is_some_and(|c| !(c > 0.0 && c <= 1.0)) {
                    err(format!("{qp}.accepted[{ai}].credit"), format!("{place}: credit is a share between 0 and 1"));
                }
            }
        }
        (k, None) if !k.is_open() => {
            err(format!("{qp}.answer"), format!("{place}: an auto-graded question needs an answer key"));
        }
        (k, Some(_)) if k.is_open() || k == QuestionKind::FillBlank => {
            err(format!("{qp}.answer"), format!("{place}: a {} question takes no `answer` key", k.as_str()));
        }
        (k, Some(_)) => {
            let expected = match k {
                QuestionKind::SingleChoice => "one option key such as \"C\"",
                QuestionKind::MultipleChoice => "a list of option keys such as [A, C]",
                QuestionKind::TrueFalse => "true or false",
                _ => "a number",
            };
            err(format!("{qp}.answer"), format!("{place}: the answer key must be {expected}"));
        }
        _ => {}
    }
    if !doc.accepted.is_empty() && kind != QuestionKind::FillBlank {
        err(format!("{qp}.accepted"), format!("{place}: only fill-in-the-blank questions take accepted answers"));
    }
    for (ri, r) in doc.rubric.iter().enumerate() {
        if !r.points.is_positive() {
            err(format!("{qp}.rubric[{ri}].points"), format!("{place}: a rubric criterion is worth more than 0"));
        }
    }
    if doc.word_limit == Some(0) {
        err(format!("{qp}.word_limit"), format!("{place}: a word limit must be above 0"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(yaml: &str) -> PaperDoc {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn reads_the_design_example_and_generates_keys() {
        let paper = Paper::parse(doc(r#"
title: T
sections:
  - title: 单选题
    kind: single_choice
    points: 2
    questions:
      - prompt: Q?
        options: [{text: a}, {text: b}, {text: c}]
        answer: c
  - title: 多选题
    kind: multiple_choice
    points: 3
    scoring: {per_correct: 0.5}
    questions:
      - prompt: Q2?
        options: [{text: a}, {text: b}]
        answer: [A, B]
"#))
        .unwrap();
        let keys: Vec<_> = paper.questions().map(|q| q.key().to_string()).collect();
        assert_eq!(keys, ["s1q1", "s2q1"]);
        assert_eq!(paper.total_points(), Points::whole(5));
        assert_eq!(paper.question("s1q1").unwrap().doc.answer, Some(AnswerKey::One("C".into())));
        assert_eq!(paper.question("s2q1").unwrap().scoring(), Scoring::PerCorrect(Points::from_hundredths(50)));
    }

    #[test]
    fn names_the_place_of_each_problem() {
        let errors = Paper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: single_choice
    points: 2
    questions:
      - prompt: a
        options: [{text: a}, {text: b}, {text: c}, {text: d}, {text: e}]
      - prompt: b
      - prompt: c
        options: [{text: a}, {text: b}, {text: c}, {text: d}, {text: e}]
        answer: F
"#))
        .unwrap_err();
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(messages.contains(&"section 1, question 3: answer key F is not among the options A–E"), "{messages:?}");
        assert!(messages.contains(&"section 1, question 1: an auto-graded question needs an answer key"));
        assert!(messages.contains(&"section 1, question 2: a choice question needs at least two options"));
        assert_eq!(errors[0].field, "sections[0].questions[0].answer");
    }

    #[test]
    fn refuses_duplicate_keys_and_zero_points() {
        let errors = Paper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: essay
    points: 0
    questions:
      - {key: q, prompt: a}
      - {key: q, prompt: b}
"#))
        .unwrap_err();
        assert!(errors.iter().any(|e| e.message.contains("key q is used twice")));
        assert!(errors.iter().any(|e| e.field == "sections[0].points"));
    }
}
