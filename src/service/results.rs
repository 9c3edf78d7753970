//! The recruiter's results: one row per attempt with its candidate, the automatic and marked parts, the
//! total and each section, as JSON pages or a CSV stream. Every number is the score record grading
//! stored (`grading::refresh`), so the table, the CSV and the candidate's own result always agree, and
//! no read grades the exam again. Filters, sort and paging run in SQL; a request holds one page at most.

use std::sync::Arc;

use base64::Engine;
use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::read_owned_exam;
use super::grading::stored_score;
use crate::domain::paper::Paper;
use crate::domain::points::Points;
use crate::domain::scoring::{AttemptScore, SectionScore};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::state;
use crate::store::exams::ExamRow;
use crate::store::results::{self as rows, AttemptWithCandidate, Keyset, Selection, SortKey};
use crate::store::DbConn;

/// States a results filter may name.
const STATES: &[&str] = &[state::IN_PROGRESS, state::SUBMITTED, state::EXPIRED, state::GRADED];
/// Rows of a page when the request names no `limit`.
pub const DEFAULT_PAGE: i64 = 100;
/// Most rows of one page a client asks for.
pub const MAX_PAGE: i64 = 1000;

/// Filters, order and paging of the results table.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ResultsFilter {
    /// Only attempts in this state: `in_progress`, `submitted`, `expired` or `graded`.
    pub state: Option<String>,
    /// Only complete (`true`) or incomplete (`false`) results.
    pub complete: Option<bool>,
    /// `started` (default), `total`, `name`, `state` or `submitted`; ties are broken by attempt id.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`. Attempts without the sort value (no total yet, not submitted) come last.
    pub order: Option<String>,
    /// Rows per page, 1 to 1000 (default 100). The CSV ignores it and streams every row.
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// A checked filter: what the query says, in the store's terms.
#[derive(Debug, Clone)]
struct Query {
    selection: Selection,
    key: SortKey,
    descending: bool,
    limit: i64,
    after: Option<Keyset>,
}

/// The cursor says which order it belongs to, so a cursor of another order is refused, not misread.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    sort: String,
    desc: bool,
    after: Keyset,
}

/// The sort keys by their names in the query (and in cursors).
const SORTS: [(&str, SortKey); 5] = [
    ("started", SortKey::Started),
    ("total", SortKey::Total),
    ("name", SortKey::Name),
    ("state", SortKey::State),
    ("submitted", SortKey::Submitted),
];

fn sort_key(name: &str) -> Option<SortKey> {
    SORTS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

fn sort_name(key: SortKey) -> &'static str {
    SORTS.iter().find(|(_, k)| *k == key).map(|(n, _)| *n).unwrap_or("started")
}

impl ResultsFilter {
    fn check(self) -> Result<Query, ApiError> {
        if let Some(s) = self.state.as_deref().filter(|s| !STATES.contains(s)) {
            return Err(ApiError::field("state", format!("unknown state `{s}`: use {}", STATES.join(", "))));
        }
        let sort = self.sort.unwrap_or_else(|| "started".into());
        let key = sort_key(&sort)
            .ok_or_else(|| ApiError::field("sort", "sort by started, total, name, state or submitted"))?;
        let descending = match self.order.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ApiError::field("order", "order is asc or desc")),
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::field("limit", format!("a page has 1 to {MAX_PAGE} rows")));
        }
        let after = match self.cursor {
            None => None,
            Some(text) => {
                let bad = || ApiError::bad_request("bad_query", "the cursor is not one this results order gave");
                let bytes =
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.as_bytes()).map_err(|_| bad())?;
                let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
                if cursor.sort != sort || cursor.desc != descending {
                    return Err(bad());
                }
                Some(cursor.after)
            }
        };
        let selection = Selection { state: self.state, complete: self.complete };
        Ok(Query { selection, key, descending, limit, after })
    }
}

fn encode_cursor(query: &Query, after: Keyset) -> String {
    let sort = sort_name(query.key);
    let cursor = Cursor { sort: sort.into(), desc: query.descending, after };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
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
    /// Attempts the filters select, over every page.
    pub total_count: i64,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
    /// One row per attempt, in the order asked (by default the order they started).
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

/// One page of rows, each from its stored score, and where the next page starts if one follows.
fn page_rows(
    c: &mut DbConn,
    paper: &Paper,
    exam: &ExamRow,
    query: &Query,
) -> Result<(Vec<ResultRow>, Option<Keyset>), ApiError> {
    let mut found =
        rows::page(c, &exam.id, &query.selection, query.key, query.descending, query.after.clone(), query.limit + 1)?;
    let more = found.len() as i64 > query.limit;
    found.truncate(usize::try_from(query.limit).unwrap_or(0));
    let next = found
        .last()
        .filter(|_| more)
        .map(|last| Keyset { value: query.key.value_of(last), id: last.attempt.id.clone() });
    let mut out = Vec::with_capacity(found.len());
    for a in found {
        // Answers of an attempt still being sat are not a result yet.
        let score =
            if a.attempt.state == state::IN_PROGRESS { None } else { Some(stored_score(c, paper, exam, &a.attempt)?) };
        out.push(row(paper, a, score));
    }
    Ok((out, next))
}

/// A page of the results of an exam the caller owns.
#[tracing::instrument(skip(state, filter), fields(user = %who.id, exam = %exam_id))]
pub async fn table(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    filter: ResultsFilter,
) -> Result<ResultsTable, ApiError> {
    let query = filter.check()?;
    read_owned_exam(state, who, exam_id, move |c, _, exam, paper| {
        let total_count = rows::count(c, &exam.id, &query.selection)?;
        let (rows, next) = page_rows(c, &paper, &exam, &query)?;
        let next_cursor = next.map(|after| encode_cursor(&query, after));
        Ok(ResultsTable {
            exam_id: exam.id,
            max_points: paper.total_points(),
            section_titles: section_titles(&paper),
            released_at: exam.released_at.map(crate::store::time::from_db),
            total_count,
            next_cursor,
            rows,
        })
    })
    .await
}

fn section_titles(paper: &Paper) -> Vec<String> {
    paper.doc().sections.iter().map(|s| s.title.clone()).collect()
}

/// Every row of an exam's results the filter selects, as CSV text, page by page: the header first,
/// then one chunk per page of `results_page_rows` read when the client has taken the one before, so
/// the memory held is one page whatever the exam's size; without a filter, the invited candidates who
/// never started close the file. Authorization and the filter are checked before the first byte.
/// Also gives the `Content-Disposition` naming the file after the exam.
pub async fn csv(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    filter: ResultsFilter,
) -> Result<(String, impl Stream<Item = Result<actix_web::web::Bytes, ApiError>>), ApiError> {
    use futures_util::StreamExt;
    let unfiltered = filter.state.is_none() && filter.complete.is_none();
    let mut query = filter.check()?;
    query.limit = state.settings.results_page_rows;
    query.after = None;
    let (exam, paper) = read_owned_exam(state, who, exam_id, |_, _, exam, paper| Ok((exam, paper))).await?;
    let disposition = super::results_csv::disposition(&exam.title, exam.opens_at.date());
    let header = super::results_csv::header(&paper);
    let (st, exam_id, last_paper) = (state.clone(), exam.id.clone(), paper.clone());
    let pages = Pager { state: state.clone(), exam: Arc::new(exam), paper, query, done: false };
    let first = futures_util::stream::once(async move { Ok(actix_web::web::Bytes::from(header)) });
    let last = futures_util::stream::once(async move {
        if !unfiltered {
            return Ok(actix_web::web::Bytes::new());
        }
        let people = st.db.run(move |c| Ok(rows::never_started(c, &exam_id)?)).await?;
        let text: String =
            people.iter().map(|(email, name)| super::results_csv::not_started_line(&last_paper, email, name)).collect();
        Ok(actix_web::web::Bytes::from(text))
    });
    Ok((disposition, first.chain(futures_util::stream::unfold(pages, Pager::next_chunk)).chain(last)))
}

/// Reads the pages of a CSV one after another.
struct Pager {
    state: AppState,
    exam: Arc<ExamRow>,
    paper: Arc<Paper>,
    query: Query,
    done: bool,
}

impl Pager {
    async fn next_chunk(mut self) -> Option<(Result<actix_web::web::Bytes, ApiError>, Pager)> {
        if self.done {
            return None;
        }
        let (exam, paper, query) = (self.exam.clone(), self.paper.clone(), self.query.clone());
        let page = self.state.db.run(move |c| page_rows(c, &paper, &exam, &query)).await;
        match page {
            Err(e) => {
                self.done = true;
                Some((Err(e), self))
            }
            Ok((rows, next)) => {
                let text: String = rows.iter().map(|r| super::results_csv::line(&self.paper, r)).collect();
                self.done = next.is_none();
                self.query.after = next;
                Some((Ok(actix_web::web::Bytes::from(text)), self))
            }
        }
    }
}
