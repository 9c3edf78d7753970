//! Per-question statistics of an exam, over its graded attempts, so recruiters see which questions work.

use serde::Serialize;

use super::auth::StaffPrincipal;
use super::exams::read_owned_exam;
use super::grading::compute_score;
use crate::domain::points::Points;
use crate::domain::score_record::ScoreRecord;
use crate::domain::stats::ItemAnalysis;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::results as rows;

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

/// Statistics per question over the graded attempts of an exam the caller owns, in one pass over their
/// stored scores, a page at a time: the memory held is a page and a few sums per question.
#[tracing::instrument(skip(state), fields(user = %who.id, exam = %exam_id))]
pub async fn statistics(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<ExamStatistics, ApiError> {
    read_owned_exam(state, who, exam_id, move |c, st, exam, paper| {
        let page_rows = st.settings.results_page_rows;
        let mut analysis = ItemAnalysis::new(paper.questions().map(|q| q.points().hundredths()).collect());
        let questions = paper.questions().count();
        let mut after = None;
        loop {
            let page = rows::graded_records(c, &exam.id, after.take(), page_rows)?;
            for (_, id, record) in &page {
                // The record's numbers alone; an attempt graded before records were kept is graded afresh.
                let points: Vec<i64> = match record.as_deref().and_then(|r| serde_json::from_str::<ScoreRecord>(r).ok())
                {
                    Some(record) if record.questions.len() == questions => {
                        record.questions.iter().map(|(p, _)| p.unwrap_or(0)).collect()
                    }
                    _ => compute_score(c, &paper, &exam, id)?
                        .questions
                        .iter()
                        .map(|q| q.points.unwrap_or(Points::ZERO).hundredths())
                        .collect(),
                };
                analysis.add(&points);
            }
            match page.last().filter(|_| page.len() as i64 == page_rows) {
                Some((started, id, _)) => after = Some((*started, id.clone())),
                None => break,
            }
        }
        let graded_attempts = analysis.attempts();
        let questions = paper
            .questions()
            .zip(analysis.finish())
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
        Ok(ExamStatistics { exam_id: exam.id, graded_attempts, questions })
    })
    .await
}
