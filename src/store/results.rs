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

/// Rows after a keyset in a sort order where nulls come last whichever the direction (SQLite and
/// PostgreSQL disagree on where `ORDER BY` puts them, so the order and this filter both say it).
#[derive(Debug, Clone)]
struct After {
    column: &'static str,
    keyset: Keyset,
    descending: bool,
}

impl Expression for After {
    type SqlType = Bool;
}

// Raw SQL over the results query's own tables (attempts joined with invitations).
impl<QS> AppearsOnTable<QS> for After {}

impl<GB> ValidGrouping<GB> for After {
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl QueryId for After {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl After {
    fn push_value<'b>(&'b self, value: &'b SortValue, out: &mut AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        match value {
            SortValue::Time(t) => out.push_bind_param::<Timestamp, _>(t),
            SortValue::Int(i) => out.push_bind_param::<BigInt, _>(i),
            SortValue::Text(s) => out.push_bind_param::<Text, _>(s),
        }
    }
}

impl QueryFragment<MultiBackend> for After {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let (col, op) = (self.column, if self.descending { " < " } else { " > " });
        match &self.keyset.value {
            // (col beyond v) OR (col = v AND id beyond) OR col IS NULL: the nulls come after every value.
            Some(v) => {
                out.push_sql(&format!("(({col}{op}"));
                self.push_value(v, &mut out)?;
                out.push_sql(&format!(") OR ({col} = "));
                self.push_value(v, &mut out)?;
                out.push_sql(&format!(" AND attempts.id{op}"));
                out.push_bind_param::<Text, _>(&self.keyset.id)?;
                out.push_sql(&format!(") OR {col} IS NULL)"));
            }
            None => {
                out.push_sql(&format!("({col} IS NULL AND attempts.id{op}"));
                out.push_bind_param::<Text, _>(&self.keyset.id)?;
                out.push_sql(")");
            }
        }
        Ok(())
    }
}

fn order_clause(key: SortKey, descending: bool) -> String {
    let (col, dir) = (key.column(), if descending { "DESC" } else { "ASC" });
    format!("{col} IS NULL, {col} {dir}, attempts.id {dir}")
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
pub fn page(
    conn: &mut DbConn,
    exam_id: &str,
    selection: &Selection,
    key: SortKey,
    descending: bool,
    after: Option<Keyset>,
    limit: i64,
) -> QueryResult<Vec<AttemptWithCandidate>> {
    let mut query = selected(exam_id, selection);
    if let Some(keyset) = after {
        query = query.filter(After { column: key.column(), keyset, descending });
    }
    query
        .order(sql::<Bool>(&order_clause(key, descending)))
        .limit(limit)
        .select((AttemptRow::as_select(), invitations::email, invitations::name))
        .load::<(AttemptRow, String, String)>(conn)
        .map(|rows| {
            rows.into_iter().map(|(attempt, email, name)| AttemptWithCandidate { attempt, email, name }).collect()
        })
}

/// How many of an exam's attempts the selection names.
pub fn count(conn: &mut DbConn, exam_id: &str, selection: &Selection) -> QueryResult<i64> {
    selected(exam_id, selection).count().get_result(conn)
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
