//! What the results table, the CSV and the statistics read: an exam's attempts with their candidates,
//! filtered, sorted and paged in SQL (keyset: a page starts after the last row of the one before, so a
//! page costs the same wherever it is), each with the score record grading last stored.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};

use super::attempts::{AttemptRow, ResponseRow};
use super::conn::MultiBackend;
use super::schema::{attempts, invitations, responses};
use super::DbConn;

/// An attempt with the candidate who sat it.
#[derive(Debug, Clone)]
pub struct AttemptWithCandidate {
    /// The attempt.
    pub attempt: AttemptRow,
    /// Candidate's e-mail.
    pub email: String,
    /// Candidate's name.
    pub name: String,
}

/// Which attempts of an exam.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only attempts in this state.
    pub state: Option<String>,
    /// Only complete (or incomplete) results.
    pub complete: Option<bool>,
}

/// What a results page is sorted by; the attempt id breaks ties, so the order is total and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// When the attempt started (the default).
    Started,
    /// Total points; attempts without a total (being sat) last.
    Total,
    /// Candidate's name.
    Name,
    /// The attempt's state.
    State,
    /// When the attempt was submitted or expired; open attempts last.
    Submitted,
}

/// The sort value of a row, as a cursor carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    /// A time.
    Time(NaiveDateTime),
    /// Points in hundredths.
    Int(i64),
    /// Text.
    Text(String),
}

/// Where a page starts: after the row with this sort value (`None`: a null one) and id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Keyset {
    /// The last row's sort value.
    pub value: Option<SortValue>,
    /// The last row's attempt id.
    pub id: String,
}

impl SortKey {
    /// Whether rows may lack the value.
    fn nullable(self) -> bool {
        matches!(self, SortKey::Total | SortKey::Submitted)
    }

    fn column(self) -> &'static str {
        match self {
            SortKey::Started => "attempts.started_at",
            SortKey::Total => "attempts.total_points",
            SortKey::Name => "invitations.name",
            SortKey::State => "attempts.state",
            SortKey::Submitted => "attempts.closed_at",
        }
    }

    /// The sort value of a row, for the cursor after it.
    pub fn value_of(self, row: &AttemptWithCandidate) -> Option<SortValue> {
        match self {
            SortKey::Started => Some(SortValue::Time(row.attempt.started_at)),
            SortKey::Total => row.attempt.total_points.map(SortValue::Int),
            SortKey::Name => Some(SortValue::Text(row.name.clone())),
            SortKey::State => Some(SortValue::Text(row.attempt.state.clone())),
            SortKey::Submitted => row.attempt.closed_at.map(SortValue::Time),
        }
    }
}

/// `(column, attempts.id)` beyond a row's (value, id) in the sort direction: a row-value comparison,
/// which both engines turn into a range of the `(exam_id, column, id)` index.
#[derive(Debug, Clone)]
struct Beyond {
    column: &'static str,
    value: SortValue,
    id: String,
    descending: bool,
}

impl Expression for Beyond {
    type SqlType = Bool;
}

// Raw SQL over the results query's own tables (attempts joined with invitations).
impl<QS> AppearsOnTable<QS> for Beyond {}

impl<GB> ValidGrouping<GB> for Beyond {
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl QueryId for Beyond {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Beyond {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let op = if self.descending { "<" } else { ">" };
        out.push_sql(&format!("({}, attempts.id) {op} (", self.column));
        match &self.value {
            SortValue::Time(t) => out.push_bind_param::<Timestamp, _>(t)?,
            SortValue::Int(i) => out.push_bind_param::<BigInt, _>(i)?,
            SortValue::Text(s) => out.push_bind_param::<Text, _>(s)?,
        }
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&self.id)?;
        out.push_sql(")");
        Ok(())
    }
}

fn direction(descending: bool) -> &'static str {
    if descending {
        "DESC"
    } else {
        "ASC"
    }
}

/// An exam's attempts joined with their invitations, boxed so filters can be added as asked.
type Selected<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Filter<
        diesel::dsl::InnerJoinOn<
            attempts::table,
            invitations::table,
            diesel::dsl::Eq<invitations::id, attempts::invitation_id>,
        >,
        diesel::dsl::Eq<attempts::exam_id, String>,
    >,
    MultiBackend,
>;

/// The exam's attempts the selection names: what the page and the count both start from.
fn selected<'a>(exam_id: &str, selection: &Selection) -> Selected<'a> {
    let mut query = attempts::table
        .inner_join(invitations::table.on(invitations::id.eq(attempts::invitation_id)))
        .filter(attempts::exam_id.eq(exam_id.to_string()))
        .into_boxed::<MultiBackend>();
    if let Some(state) = &selection.state {
        query = query.filter(attempts::state.eq(state.clone()));
    }
    if let Some(complete) = selection.complete {
        query = query.filter(attempts::complete.eq(complete));
    }
    query
}

/// One page of an exam's attempts with their candidates: `limit` rows after `after`, in `key` order.
///
/// Rows without a sort value (no total yet, not submitted) come last in either direction. The two
/// engines disagree on where `ORDER BY` puts nulls, and sorting on "is null" first would defeat the
/// index, so a page is read in two parts: the rows with a value in the index's order, then (when the
/// page has room and the key can be null) the rows without one in id order.
pub fn page(
    conn: &mut DbConn,
    exam_id: &str,
    selection: &Selection,
    key: SortKey,
    descending: bool,
    after: Option<Keyset>,
    limit: i64,
) -> QueryResult<Vec<AttemptWithCandidate>> {
    let (col, dir) = (key.column(), direction(descending));
    let load = |query: Selected<'_>, limit: i64, order: String, conn: &mut DbConn| {
        query
            .order(sql::<Bool>(&order))
            .limit(limit)
            .select((AttemptRow::as_select(), invitations::email, invitations::name))
            .load::<(AttemptRow, String, String)>(conn)
            .map(|rows| {
                rows.into_iter()
                    .map(|(attempt, email, name)| AttemptWithCandidate { attempt, email, name })
                    .collect::<Vec<_>>()
            })
    };
    let (after_value, after_id) = match after {
        Some(Keyset { value, id }) => (value, Some(id)),
        None => (None, None),
    };
    let mut rows = Vec::new();
    let in_nulls = after_id.is_some() && after_value.is_none();
    if !in_nulls {
        let mut query = selected(exam_id, selection).filter(sql::<Bool>(&format!("{col} IS NOT NULL")));
        if let (Some(value), Some(id)) = (after_value, after_id.clone()) {
            query = query.filter(Beyond { column: col, value, id, descending });
        }
        rows = load(query, limit, format!("{col} {dir}, attempts.id {dir}"), conn)?;
    }
    let room = limit - rows.len() as i64;
    if key.nullable() && room > 0 {
        let mut query = selected(exam_id, selection).filter(sql::<Bool>(&format!("{col} IS NULL")));
        if let Some(id) = after_id.filter(|_| in_nulls) {
            query = if descending { query.filter(attempts::id.lt(id)) } else { query.filter(attempts::id.gt(id)) };
        }
        rows.extend(load(query, room, format!("attempts.id {dir}"), conn)?);
    }
    Ok(rows)
}

/// The stored score records of an exam's graded attempts, a page at a time in start order after
/// `after` (start time, id): only what the statistics read, through the `(exam, state, started, id)` index.
pub fn graded_records(
    conn: &mut DbConn,
    exam_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<(NaiveDateTime, String, Option<String>)>> {
    let mut query = attempts::table
        .filter(attempts::exam_id.eq(exam_id.to_string()))
        .filter(attempts::state.eq(super::attempts::state::GRADED))
        .into_boxed::<MultiBackend>();
    if let Some((started, id)) = after {
        query = query.filter(Beyond {
            column: "attempts.started_at",
            value: SortValue::Time(started),
            id,
            descending: false,
        });
    }
    query
        .order((attempts::started_at.asc(), attempts::id.asc()))
        .limit(limit)
        .select((attempts::started_at, attempts::id, attempts::score_record))
        .load(conn)
}

/// How many of an exam's attempts the selection names (the filters are the attempt's own columns, so
/// no join).
pub fn count(conn: &mut DbConn, exam_id: &str, selection: &Selection) -> QueryResult<i64> {
    let mut query = attempts::table.filter(attempts::exam_id.eq(exam_id.to_string())).into_boxed::<MultiBackend>();
    if let Some(state) = &selection.state {
        query = query.filter(attempts::state.eq(state.clone()));
    }
    if let Some(complete) = selection.complete {
        query = query.filter(attempts::complete.eq(complete));
    }
    query.count().get_result(conn)
}

/// Every saved answer of an exam's attempts.
pub fn responses_of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<ResponseRow>> {
    responses::table
        .inner_join(attempts::table.on(attempts::id.eq(responses::attempt_id)))
        .filter(attempts::exam_id.eq(exam_id))
        .select(ResponseRow::as_select())
        .load(conn)
}

/// How many attempts of an exam are not graded yet (in progress, or closed awaiting marks).
pub fn ungraded_count(conn: &mut DbConn, exam_id: &str) -> QueryResult<i64> {
    attempts::table
        .filter(attempts::exam_id.eq(exam_id))
        .filter(attempts::state.ne(super::attempts::state::GRADED))
        .count()
        .get_result(conn)
}

/// Invited candidates of an exam who never started (revoked invitations left out), by name:
/// `(email, name)`.
pub fn never_started(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<(String, String)>> {
    invitations::table
        .filter(invitations::exam_id.eq(exam_id))
        .filter(invitations::revoked_at.is_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            attempts::table.filter(attempts::invitation_id.eq(invitations::id)),
        )))
        .order((invitations::name.asc(), invitations::id.asc()))
        .select((invitations::email, invitations::name))
        .load(conn)
}
