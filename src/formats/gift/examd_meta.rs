//! examd's own metadata in GIFT comments, for what GIFT cannot say: `// [examd:section] {…}` after a
//! section's `$CATEGORY:` line, `// [examd:question] {…}` before a question, `// [examd:paper] {…}`
//! with the first section. Moodle ignores comments; examd's import reads them back, so a paper
//! exported as GIFT comes back with its title, sections, points and rubrics.

use serde::{Deserialize, Serialize};

use crate::domain::paper::{PaperDoc, QuestionDoc, QuestionKind, RubricCriterion, SectionDoc};
use crate::domain::points::Points;

const PAPER: &str = "[examd:paper] ";
const SECTION: &str = "[examd:section] ";
const QUESTION: &str = "[examd:question] ";

/// The paper's own fields.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct PaperMeta {
    pub title: String,
    #[serde(default)]
    pub instructions: String,
}

/// What a question has that its GIFT form does not carry. `kind`, `explanation` and
/// `reference_answer` are written for every open question, as GIFT makes them all essays whose
/// general feedback holds the reference answer.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct QuestionMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<crate::domain::paper::Scoring>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Points>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rubric: Vec<RubricCriterion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_limit: Option<u32>,
    /// Present for open questions: their own kind (none: the section's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenMeta>,
}

/// An open question's fields that its essay form loses.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct OpenMeta {
    pub kind: Option<QuestionKind>,
    pub explanation: Option<String>,
    pub reference_answer: Option<String>,
}

/// The comment line for the paper.
pub(super) fn paper_line(doc: &PaperDoc) -> String {
    let meta = PaperMeta { title: doc.title.clone(), instructions: doc.instructions.clone() };
    format!("// {PAPER}{}", serde_json::to_string(&meta).unwrap_or_default())
}

/// The comment line for a section (every field but its questions).
pub(super) fn section_line(section: &SectionDoc) -> String {
    let bare = SectionDoc { questions: Vec::new(), ..section.clone() };
    format!("// {SECTION}{}", serde_json::to_string(&bare).unwrap_or_default())
}

/// The comment line for a question, when it has anything GIFT does not carry.
pub(super) fn question_line(section: &SectionDoc, q: &QuestionDoc) -> Option<String> {
    let open = q.kind.unwrap_or(section.kind).is_open().then(|| OpenMeta {
        kind: q.kind,
        explanation: q.explanation.clone(),
        reference_answer: q.reference_answer.clone(),
    });
    let meta = QuestionMeta {
        points: q.points,
        scoring: q.scoring,
        penalty: q.penalty,
        rubric: q.rubric.clone(),
        word_limit: q.word_limit,
        open,
    };
    let empty = meta.points.is_none()
        && meta.scoring.is_none()
        && meta.penalty.is_none()
        && meta.rubric.is_empty()
        && meta.word_limit.is_none()
        && meta.open.is_none();
    (!empty).then(|| format!("// {QUESTION}{}", serde_json::to_string(&meta).unwrap_or_default()))
}

fn find<T: for<'de> Deserialize<'de>>(comments: &[String], tag: &str) -> Option<T> {
    comments.iter().find_map(|c| serde_json::from_str(c.trim().strip_prefix(tag.trim_end())?.trim()).ok())
}

/// The paper's metadata among a block's comments.
pub(super) fn read_paper(comments: &[String]) -> Option<PaperMeta> {
    find(comments, PAPER)
}

/// A section's metadata among a block's comments.
pub(super) fn read_section(comments: &[String]) -> Option<SectionDoc> {
    find(comments, SECTION)
}

/// A question's metadata among a block's comments.
pub(super) fn read_question(comments: &[String]) -> Option<QuestionMeta> {
    find(comments, QUESTION)
}

/// Puts a question's metadata back; weights GIFT needed for a rule other than `weighted` go again.
pub(super) fn restore(doc: &mut QuestionDoc, section: &SectionDoc, built: QuestionKind, meta: Option<QuestionMeta>) {
    let meta = meta.unwrap_or_default();
    doc.points = meta.points;
    doc.scoring = meta.scoring;
    doc.penalty = meta.penalty;
    doc.rubric = meta.rubric;
    doc.word_limit = meta.word_limit;
    match meta.open {
        Some(open) if built == QuestionKind::Essay => {
            doc.kind = open.kind;
            doc.explanation = open.explanation;
            doc.reference_answer = open.reference_answer;
        }
        _ => doc.kind = (built != section.kind).then_some(built),
    }
    let scoring = doc.scoring.or(section.scoring);
    if built == QuestionKind::MultipleChoice && scoring != Some(crate::domain::paper::Scoring::Weighted) {
        for option in &mut doc.options {
            option.weight = None;
        }
    }
}
