//! The recruiter's results: one row per attempt with its candidate, the automatic and marked parts, the
//! total and each section, as JSON or CSV. Every number is computed by the same rule that grades an
//! attempt ([`grade_attempt`]) from the saved answers and the settled marks, so the table, the CSV and
//! the candidate's own result always agree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::read_owned_exam;
use super::grading::{answers_of, settled_marks};
use crate::domain::paper::Paper;
use crate::domain::points::Points;
use crate::domain::scoring::{grade_attempt, AttemptScore, SectionScore};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, state, ResponseRow};
use crate::store::exams::ExamRow;
use crate::store::results::{self as rows, AttemptWithCandidate};
use crate::store::tasks::{self, TaskRow};
use crate::store::DbConn;

/// States a results filter may name.
const STATES: &[&str] = &[state::IN_PROGRESS, state::SUBMITTED, state::EXPIRED, state::GRADED];

/// One attempt's score from its answers and settled marks.
pub fn attempt_score(
    c: &mut DbConn,
    paper: &Paper,
    exam: &ExamRow,
    attempt_id: &str,
) -> Result<AttemptScore, ApiError> {
    let answers = answers_of(&attempts::responses_of(c, attempt_id)?);
    let (marks, _) = settled_marks(exam, &tasks::of_attempt(c, attempt_id)?);
    Ok(grade_attempt(paper, &answers, &marks))
}

/// Every attempt of an exam with its candidate and, once closed, its score (in one query per table).
pub fn exam_scores(
    c: &mut DbConn,
    paper: &Paper,
    exam: &ExamRow,
) -> Result<Vec<(AttemptWithCandidate, Option<AttemptScore>)>, ApiError> {
    let mut responses: BTreeMap<String, Vec<ResponseRow>> = BTreeMap::new();
    for r in rows::responses_of_exam(c, &exam.id)? {
        responses.entry(r.attempt_id.clone()).or_default().push(r);
    }
    let mut marks: BTreeMap<String, Vec<TaskRow>> = BTreeMap::new();
    for t in tasks::of_exam(c, &exam.id)? {
        marks.entry(t.attempt_id.clone()).or_default().push(t);
    }
    Ok(rows::attempts_with_candidates(c, &exam.id)?
        .into_iter()
        .map(|a| {
            // Answers of an attempt still being sat are not a result yet.
            let score = (a.attempt.state != state::IN_PROGRESS).then(|| {
                let answers = answers_of(responses.get(&a.attempt.id).map(Vec::as_slice).unwrap_or_default());
                let (settled, _) = settled_marks(exam, marks.get(&a.attempt.id).map(Vec::as_slice).unwrap_or_default());
                grade_attempt(paper, &answers, &settled)
            });
            (a, score)
        })
        .collect())
}

/// Filters of the results table.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ResultsFilter {
    /// Only attempts in this state: `in_progress`, `submitted`, `expired` or `graded`.
    pub state: Option<String>,
    /// Only complete (`true`) or incomplete (`false`) results.
    pub complete: Option<bool>,
}

/// The results table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultsTable {
    /// Exam.
    pub exam_id: String,
    /// Most points of the paper.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Section headings, in the order of each row's `sections` (and the CSV's last columns).
    pub section_titles: Vec<String>,
    /// When results were released to candidates.
    pub released_at: Option<chrono::DateTime<chrono::Utc>>,
    /// One row per attempt, in the order they started.
    pub rows: Vec<ResultRow>,
}

/// A candidate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CandidateLine {
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
}

/// One attempt's line. Points are `null` while the attempt is being sat.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    /// Attempt.
    pub attempt_id: String,
    /// Who sat it.
    pub candidate: CandidateLine,
    /// `in_progress`, `submitted`, `expired` or `graded`.
    pub state: String,
    /// Every answer has points.
    pub complete: bool,
    /// The server's part of the total.
    #[schema(value_type = Option<f64>)]
    pub auto_points: Option<Points>,
    /// The markers' part.
    #[schema(value_type = Option<f64>)]
    pub marked_points: Option<Points>,
    /// Total.
    #[schema(value_type = Option<f64>)]
    pub total: Option<Points>,
    /// Per section.
    pub sections: Vec<SectionLine>,
    /// Per question, in paper order.
    pub questions: Vec<QuestionLine>,
}

/// One section's points.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SectionLine {
    /// Heading.
    pub title: String,
    /// Points earned (`null` while the attempt is being sat).
    #[schema(value_type = Option<f64>)]
    pub points: Option<Points>,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
}

impl From<&SectionScore> for SectionLine {
    fn from(s: &SectionScore) -> SectionLine {
        SectionLine { title: s.title.clone(), points: Some(s.points), max_points: s.max_points }
    }
}

/// One question's points.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionLine {
    /// Key.
    pub key: String,
    /// Points (`null` while a mark is awaited or the attempt is being sat).
    #[schema(value_type = Option<f64>)]
    pub points: Option<Points>,
    /// Most points.
    #[schema(value_type = f64)]
    pub max_points: Points,
    /// Given by the server rather than a marker.
    pub auto: bool,
}

fn row(paper: &Paper, a: AttemptWithCandidate, score: Option<AttemptScore>) -> ResultRow {
    let (sections, questions) = match &score {
        Some(s) => (
            s.sections.iter().map(SectionLine::from).collect(),
            s.questions
                .iter()
                .map(|q| QuestionLine { key: q.key.clone(), points: q.points, max_points: q.max_points, auto: q.auto })
                .collect(),
        ),
        None => (
            paper
                .doc()
                .sections
                .iter()
                .enumerate()
                .map(|(i, s)| SectionLine { title: s.title.clone(), points: None, max_points: paper.section_points(i) })
                .collect(),
            paper
                .questions()
                .map(|q| QuestionLine {
                    key: q.key().to_string(),
                    points: None,
                    max_points: q.points(),
                    auto: !q.kind().is_open(),
                })
                .collect(),
        ),
    };
    ResultRow {
        attempt_id: a.attempt.id,
        candidate: CandidateLine { email: a.email, name: a.name },
        state: a.attempt.state,
        complete: score.as_ref().is_some_and(|s| s.complete),
        auto_points: score.as_ref().map(|s| s.auto_points),
        marked_points: score.as_ref().map(|s| s.marked_points),
        total: score.as_ref().map(|s| s.total),
        sections,
        questions,
    }
}

/// The results of an exam the caller owns.
#[tracing::instrument(skip(state, filter), fields(user = %who.id, exam = %exam_id))]
pub async fn table(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    filter: ResultsFilter,
) -> Result<ResultsTable, ApiError> {
    if let Some(s) = filter.state.as_deref().filter(|s| !STATES.contains(s)) {
        return Err(ApiError::field("state", format!("unknown state `{s}`: use {}", STATES.join(", "))));
    }
    read_owned_exam(state, who, exam_id, move |c, _, exam, paper| {
        let rows = exam_scores(c, &paper, &exam)?
            .into_iter()
            .map(|(a, score)| row(&paper, a, score))
            .filter(|r| filter.state.as_ref().is_none_or(|s| &r.state == s))
            .filter(|r| filter.complete.is_none_or(|c| r.complete == c))
            .collect();
        Ok(ResultsTable {
            exam_id: exam.id,
            max_points: paper.total_points(),
            section_titles: paper.doc().sections.iter().map(|s| s.title.clone()).collect(),
            released_at: exam.released_at.map(crate::store::time::from_db),
            rows,
        })
    })
    .await
}

/// A CSV cell: quoted when it must be, and text that a spreadsheet would run as a formula is defused
/// with a leading apostrophe (OWASP's advice for CSV injection), since names come from invitations.
fn cell(text: &str, numeric: bool) -> String {
    let defused = if !numeric && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn points_cell(p: Option<Points>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

/// The table as CSV: one line per candidate, the same numbers as the JSON table. Starts with a UTF-8
/// byte-order mark so spreadsheet programs read Chinese names correctly.
pub fn to_csv(table: &ResultsTable) -> String {
    let mut out = String::from("\u{feff}");
    let mut header: Vec<String> = ["email", "name", "state", "complete", "auto_points", "marked_points", "total"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    header.extend(table.section_titles.iter().map(|t| cell(t, false)));
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in &table.rows {
        let mut line = vec![
            cell(&r.candidate.email, false),
            cell(&r.candidate.name, false),
            r.state.clone(),
            r.complete.to_string(),
            points_cell(r.auto_points),
            points_cell(r.marked_points),
            points_cell(r.total),
        ];
        line.extend(r.sections.iter().map(|s| points_cell(s.points)));
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("王小明", false), "王小明");
        assert_eq!(cell("Smith, Jane", false), "\"Smith, Jane\"");
        assert_eq!(cell("say \"hi\"", false), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")", false), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1.5", true), "-1.5");
        assert_eq!(cell("-cmd", false), "'-cmd");
    }
}
