//! The paper document: the canonical model that JSON and YAML (de)serialise and every importer produces.
//!
//! `PaperDoc` is the wire form, as a recruiter writes it. `Paper::parse` turns it into a `Paper`, which is
//! known to be valid (every auto-graded question has a key that fits it, keys are unique, points are
//! positive) and normalised (question keys generated where absent), so the rest of examd never checks again.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::points::Points;

mod validate;
use validate::validate;

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
    /// Several option keys (`[A, B, C, E]`). In a single-choice question, the options any one of
    /// which (chosen alone) is right, as Moodle reads GIFT's `{=a =b ~c}`.
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

/// A paper known to be valid, complete and normalised. Built only by [`Paper::parse`] or
/// [`DraftPaper::complete`].
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

/// A draft: valid in every respect but one, that auto-graded questions may still lack their key.
/// Question banks are mostly published without answers; they are imported whole, and the keys
/// are filled in before publishing ([`DraftPaper::complete`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftPaper {
    paper: Paper,
    missing_keys: Vec<FieldError>,
}

impl DraftPaper {
    /// Normalises and validates a document, setting missing keys aside instead of refusing it.
    pub fn parse(mut doc: PaperDoc) -> Result<DraftPaper, Vec<FieldError>> {
        normalise(&mut doc);
        let findings = validate(&doc);
        if findings.only_missing_keys() {
            Ok(DraftPaper { paper: Paper(doc), missing_keys: findings.missing_keys })
        } else {
            Err(findings.all)
        }
    }

    /// The normalised document.
    pub fn doc(&self) -> &PaperDoc {
        self.paper.doc()
    }

    /// The keys still missing, one entry per question (`sections[0].questions[2].answer`).
    pub fn missing_keys(&self) -> &[FieldError] {
        &self.missing_keys
    }

    /// Most points a candidate could earn.
    pub fn total_points(&self) -> Points {
        self.paper.total_points()
    }

    /// Most points of one section.
    pub fn section_points(&self, index: usize) -> Points {
        self.paper.section_points(index)
    }

    /// The paper, once every auto-graded question has its key; else the questions that lack one.
    pub fn complete(self) -> Result<Paper, Vec<FieldError>> {
        if self.missing_keys.is_empty() {
            Ok(self.paper)
        } else {
            Err(self.missing_keys)
        }
    }
}

impl Paper {
    /// Normalises and validates a document; every problem is reported, not only the first.
    pub fn parse(doc: PaperDoc) -> Result<Paper, Vec<FieldError>> {
        DraftPaper::parse(doc)?.complete()
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

#[cfg(test)]
mod tests;
