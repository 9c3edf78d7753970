//! Per-question statistics of an exam, over its graded attempts, so recruiters see which questions work.

use serde::Serialize;

use super::auth::StaffPrincipal;
use super::exams::read_owned_exam;
use super::results::exam_scores;
use crate::domain::points::Points;
use crate::domain::stats::question_stats;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::state;

/// The statistics of an exam.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExamStatistics {
    /// Exam.
    pub exam_id: String,
    /// Graded attempts counted (others would count awaited marks as zeros).
    pub graded_attempts: usize,
    /// Per question, in paper order.
    pub questions: Vec<QuestionStatistics>,
}

/// One question's statistics.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionStatistics {
    /// Key.
    pub key: String,
    /// Index of its section.
    pub section: usize,
    /// Kind.
    pub kind: String,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Attempts counted.
    pub attempts: usize,
    /// Mean points (`null` without attempts).
    pub mean: Option<f64>,
    /// Share of attempts with full points, 0..1.
    pub facility: Option<f64>,
    /// Correlation with the rest of the paper, -1..1 (`null` with fewer than two attempts or no spread).
    pub discrimination: Option<f64>,
}

/// Statistics per question over the graded attempts of an exam the caller owns.
#[tracing::instrument(skip(state), fields(user = %who.id, exam = %exam_id))]
pub async fn statistics(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<ExamStatistics, ApiError> {
    read_owned_exam(state, who, exam_id, move |c, _, exam, paper| {
        let rows: Vec<Vec<f64>> = exam_scores(c, &paper, &exam)?
            .into_iter()
            .filter(|(a, _)| a.attempt.state == state::GRADED)
            .filter_map(|(_, score)| score)
            .map(|s| s.questions.iter().map(|q| q.points.unwrap_or(Points::ZERO).as_f64()).collect())
            .collect();
        let max: Vec<f64> = paper.questions().map(|q| q.points().as_f64()).collect();
        let questions = paper
            .questions()
            .zip(question_stats(&max, &rows))
            .map(|(q, s)| QuestionStatistics {
                key: q.key().to_string(),
                section: q.section_index,
                kind: q.kind().as_str().to_string(),
                max_points: q.points(),
                attempts: s.attempts,
                mean: s.mean,
                facility: s.facility,
                discrimination: s.discrimination,
            })
            .collect();
        Ok(ExamStatistics { exam_id: exam.id, graded_attempts: rows.len(), questions })
    })
    .await
}
