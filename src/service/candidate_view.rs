//! What a candidate sees of an attempt: the paper without keys in the attempt's order, and the answers.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::deadline;
use crate::domain::paper::{Paper, QuestionKind};
use crate::domain::points::Points;
use crate::domain::shuffle::{layout_for_exam, ExamShuffle};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state, AttemptContext, ResponseRow};
use crate::store::exams::{self, ExamRow};
use crate::store::time::from_db;
use crate::store::DbConn;

/// An attempt as its candidate sees it: the paper without keys, in the attempt's order, and the answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// `in_progress`, `submitted`, `expired` or `graded`.
    pub state: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// When time runs out.
    pub deadline_at: DateTime<Utc>,
    /// The server's clock now; the client timer follows it.
    pub server_time: DateTime<Utc>,
    /// Seconds before the deadline.
    pub remaining_seconds: i64,
    /// Seconds after the deadline during which saves are still accepted.
    pub grace_seconds: i64,
    /// Submitted or expired at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Paper title.
    pub title: String,
    /// Paper instructions.
    pub instructions: String,
    /// The paper, without keys, explanations, reference answers or rubrics.
    pub sections: Vec<CandidateSection>,
    /// Saved answers by question key.
    #[schema(schema_with = saved_answers_schema)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// `answers`: by question key, `{answer, seq, saved_at}` as the save stored them.
fn saved_answers_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let saved = ObjectBuilder::new()
        .property("answer", super::attempts::answer_schema())
        .property(
            "seq",
            ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        )
        .property(
            "saved_at",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .required("answer")
        .required("seq")
        .required("saved_at");
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::RefOr(saved.into())))
        .description(Some("Saved answers by question key"))
        .into()
}

/// A section as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateSection {
    /// Heading.
    pub title: String,
    /// Kind.
    pub kind: String,
    /// Points per question.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Questions in this attempt's order.
    pub questions: Vec<CandidateQuestion>,
}

/// A question as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateQuestion {
    /// Key, used to save the answer.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Prompt.
    pub prompt: String,
    /// Options in this attempt's order.
    pub options: Vec<CandidateOption>,
    /// Points.
    #[schema(value_type = f64)]
    pub points: Points,
    /// Word limit of an open answer.
    pub word_limit: Option<u32>,
}

/// An option as the candidate sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateOption {
    /// Key to answer with.
    pub key: String,
    /// Text.
    pub text: String,
}

/// Renders the paper for one attempt. Built field by field from what a candidate may see, so a key,
/// explanation, reference answer or rubric cannot slip in by a new field on the paper.
fn candidate_sections(paper: &Paper, seed: u64, exam: &ExamRow) -> Vec<CandidateSection> {
    let shuffle = ExamShuffle { questions: exam.shuffle_questions, options: exam.shuffle_options };
    let layout = layout_for_exam(paper, seed, shuffle);
    paper
        .doc()
        .sections
        .iter()
        .zip(layout.sections)
        .map(|(section, placed)| CandidateSection {
            title: section.title.clone(),
            kind: section.kind.as_str().to_string(),
            points: section.points,
            questions: placed
                .iter()
                .filter_map(|p| paper.question(&p.key).map(|q| (p, q)))
                .map(|(p, q)| CandidateQuestion {
                    key: q.key().to_string(),
                    kind: q.kind().as_str().to_string(),
                    prompt: q.doc.prompt.clone(),
                    options: p
                        .options
                        .iter()
                        .filter_map(|k| q.doc.options.iter().find(|o| &o.key == k))
                        .map(|o| CandidateOption { key: o.key.clone(), text: o.text.clone() })
                        .collect(),
                    points: q.points(),
                    word_limit: q.doc.word_limit.filter(|_| q.kind().is_open() || q.kind() == QuestionKind::FillBlank),
                })
                .collect(),
        })
        .collect()
}

fn answers_json(rows: Vec<ResponseRow>) -> serde_json::Map<String, serde_json::Value> {
    rows.into_iter()
        .map(|r| {
            let answer = r.answer.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or(serde_json::Value::Null);
            let saved = serde_json::json!({"answer": answer, "seq": r.seq, "saved_at": from_db(r.saved_at)});
            (r.question_key, saved)
        })
        .collect()
}

/// Renders an attempt for its candidate.
pub fn view(
    c: &mut DbConn,
    state: &AppState,
    ctx: &AttemptContext,
    now: DateTime<Utc>,
) -> Result<AttemptView, ApiError> {
    let attempt = &ctx.attempt;
    let exam = exams::get(c, &attempt.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let paper = state.papers.get(c, &ctx.paper_id, ctx.paper_updated_at)?;
    let deadline_at = from_db(attempt.deadline_at);
    Ok(AttemptView {
        id: attempt.id.clone(),
        exam_id: attempt.exam_id.clone(),
        state: attempt.state.clone(),
        started_at: from_db(attempt.started_at),
        deadline_at,
        server_time: now,
        remaining_seconds: if attempt.state == state::IN_PROGRESS {
            deadline::remaining_seconds(now, deadline_at)
        } else {
            0
        },
        grace_seconds: i64::from(exam.grace_seconds),
        closed_at: attempt.closed_at.map(from_db),
        title: paper.doc().title.clone(),
        instructions: paper.doc().instructions.clone(),
        sections: candidate_sections(&paper, attempt.seed as u64, &exam),
        answers: answers_json(attempts::responses_of(c, &attempt.id)?),
    })
}
