//! What a candidate reads before starting: the exam (its own title, not the paper's), instructions,
//! duration, window, and per section how many questions, what each is worth and how it is scored. Also
//! where the candidate stands (no attempt yet, in progress, closed) so a page can continue after a reload.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::auth::CandidatePrincipal;
use crate::domain::paper::{Paper, PenaltyFloor, QuestionKind, Scoring};
use crate::domain::points::Points;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::{self, ExamRow};
use crate::store::invitations::{self, InvitationRow};
use crate::store::time::from_db;
use crate::store::{attempts, papers, DbConn};

/// The exam as a candidate sees it before starting.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateExam {
    /// Id.
    pub id: String,
    /// The exam's title (set by the recruiter; the paper's own title is shown once the attempt starts).
    pub title: String,
    /// Instructions of the paper.
    pub instructions: String,
    /// Window start.
    pub opens_at: DateTime<Utc>,
    /// Window end.
    pub closes_at: DateTime<Utc>,
    /// Time allowed (before any extra time).
    pub duration_seconds: i64,
    /// Extra time granted to this candidate.
    pub extra_seconds: i64,
    /// Most points.
    #[schema(value_type = f64)]
    pub total_points: Points,
    /// The sections in paper order, without any question text.
    pub sections: Vec<SectionSummary>,
}

/// One section, summarised for the intro.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SectionSummary {
    /// Heading.
    pub title: String,
    /// Kind of its questions (`single_choice`, …, `essay`).
    pub kind: String,
    /// How many questions it has.
    pub questions: usize,
    /// Points per question (the section's weight; a question may override it).
    #[schema(value_type = f64)]
    pub points: Points,
    /// Most points of the whole section.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// How a multiple-choice answer earns points: `all_or_nothing`, `partial`, `weighted` or
    /// `{"per_correct": 0.5}`; absent for other kinds.
    #[schema(value_type = Option<Object>)]
    pub scoring: Option<Scoring>,
    /// Points lost for a wrong (not a blank) answer, when the section deducts them.
    #[schema(value_type = Option<f64>)]
    pub penalty: Option<Points>,
    /// Where deductions stop: `question` (a question never below 0) or `section` (扣完为止).
    #[schema(value_type = Option<String>)]
    pub penalty_floor: Option<PenaltyFloor>,
    /// Whether people mark it (so its points come later).
    pub marked_by_people: bool,
}

/// The caller's attempt, if it exists.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptBrief {
    /// Id.
    pub id: String,
    /// `in_progress`, `submitted`, `expired` or `graded`.
    pub state: String,
    /// When time runs out.
    pub deadline_at: DateTime<Utc>,
}

/// `GET /exam`: the intro, and where the caller stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExamIntro {
    /// The exam.
    pub exam: CandidateExam,
    /// The caller's attempt (`null` before starting).
    pub attempt: Option<AttemptBrief>,
    /// Whether results can be read now (`GET /attempts/{id}/result`).
    pub results_released: bool,
    /// The server's clock now.
    pub server_time: DateTime<Utc>,
}

/// Builds the candidate's view of an exam.
pub fn candidate_exam(exam: ExamRow, inv: &InvitationRow, paper: &Paper) -> CandidateExam {
    let doc = paper.doc();
    let sections = doc
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let penalised = matches!(s.kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse);
            let penalty = s.penalty.filter(|p| penalised && *p > Points::default());
            SectionSummary {
                title: s.title.clone(),
                kind: s.kind.as_str().to_string(),
                questions: s.questions.len(),
                points: s.points,
                max_points: paper.section_points(i),
                scoring: (s.kind == QuestionKind::MultipleChoice).then(|| s.scoring.unwrap_or(Scoring::AllOrNothing)),
                penalty,
                penalty_floor: penalty.map(|_| s.penalty_floor),
                marked_by_people: s.kind.is_open(),
            }
        })
        .collect();
    CandidateExam {
        id: exam.id,
        title: exam.title,
        instructions: doc.instructions.clone(),
        opens_at: from_db(exam.opens_at),
        closes_at: from_db(exam.closes_at),
        duration_seconds: i64::from(exam.duration_seconds),
        extra_seconds: i64::from(inv.extra_seconds),
        total_points: paper.total_points(),
        sections,
    }
}

/// The caller's invitation (still standing), its exam and the exam's paper.
pub fn invited(
    c: &mut DbConn,
    st: &AppState,
    who: &CandidatePrincipal,
) -> Result<(InvitationRow, ExamRow, std::sync::Arc<Paper>), ApiError> {
    let revoked = || ApiError::Unauthorized("this invitation has been revoked".into());
    let inv = invitations::get(c, &who.invitation_id)?.ok_or_else(revoked)?;
    if inv.revoked_at.is_some() || inv.exam_id != who.exam_id {
        return Err(revoked());
    }
    let exam = exams::get(c, &inv.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let stamp = papers::stamp(c, &exam.paper_id)?.ok_or(ApiError::NotFound("paper"))?;
    let paper = st.papers.get(c, &exam.paper_id, stamp)?;
    Ok((inv, exam, paper))
}

/// The caller's exam intro and attempt brief. A revoked invitation's token stops working here too.
#[tracing::instrument(skip(state), fields(invitation = %who.invitation_id))]
pub async fn intro(state: &AppState, who: &CandidatePrincipal) -> Result<ExamIntro, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .run(move |c| {
            let now = st.clock.now();
            let (inv, exam, paper) = invited(c, &st, &who)?;
            let results_released = super::release::is_released(c, &exam, now)?;
            let attempt = attempts::by_invitation(c, &inv.id)?.map(|a| AttemptBrief {
                id: a.id,
                state: a.state,
                deadline_at: from_db(a.deadline_at),
            });
            Ok(ExamIntro { exam: candidate_exam(exam, &inv, &paper), attempt, results_released, server_time: now })
        })
        .await
}
