//! Marking tasks: one open answer (one round of it, with double marking) waiting for a marker.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::marking_tasks;
use super::DbConn;

/// States of a task.
pub mod state {
    /// Waiting in the queue (or its lease ran out).
    pub const OPEN: &str = "open";
    /// Held by a marker under a lease.
    pub const CLAIMED: &str = "claimed";
    /// Scored.
    pub const DONE: &str = "done";
}

/// Round number of a recruiter's adjudication; rounds below it are markers' rounds.
pub const ADJUDICATION_ROUND: i32 = 3;

/// A stored task.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = marking_tasks)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TaskRow {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// Attempt.
    pub attempt_id: String,
    /// Question.
    pub question_key: String,
    /// 1, or 2 for the second mark of double marking; 3 for a recruiter's adjudication.
    pub round: i32,
    /// See [`state`].
    pub state: String,
    /// Holder.
    pub claimed_by: Option<String>,
    /// End of the holder's lease.
    pub lease_expires_at: Option<NaiveDateTime>,
    /// Bumped on every claim; a score must carry the fence of its claim.
    pub fence: i64,
    /// Points given (hundredths).
    pub points: Option<i64>,
    /// Marker's comment.
    pub comment: Option<String>,
    /// Who scored it.
    pub marked_by: Option<String>,
    /// When.
    pub marked_at: Option<NaiveDateTime>,
    /// Made.
    pub created_at: NaiveDateTime,
}

/// Inserts a task.
pub fn insert(conn: &mut DbConn, row: &TaskRow) -> QueryResult<()> {
    diesel::insert_into(marking_tasks::table).values(row).execute(conn).map(drop)
}

/// The task with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<TaskRow>> {
    marking_tasks::table.find(id).select(TaskRow::as_select()).get_result(conn).optional()
}

/// Tasks of one attempt.
pub fn of_attempt(conn: &mut DbConn, attempt_id: &str) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table.filter(marking_tasks::attempt_id.eq(attempt_id)).select(TaskRow::as_select()).load(conn)
}

/// Tasks of these attempts.
pub fn of_attempts(conn: &mut DbConn, attempt_ids: &[String]) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table.filter(marking_tasks::attempt_id.eq_any(attempt_ids)).select(TaskRow::as_select()).load(conn)
}

/// Tasks of one exam.
pub fn of_exam(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table.filter(marking_tasks::exam_id.eq(exam_id)).select(TaskRow::as_select()).load(conn)
}

/// Whether a task may be claimed at `now`: open, or claimed under a lease that has run out.
macro_rules! claimable_at {
    ($now:expr) => {
        $crate::store::schema::marking_tasks::state.eq($crate::store::tasks::state::OPEN).or(
            $crate::store::schema::marking_tasks::state
                .eq($crate::store::tasks::state::CLAIMED)
                .and($crate::store::schema::marking_tasks::lease_expires_at.lt($now)),
        )
    };
}
pub(crate) use claimable_at;

/// Hands a claimable task to `marker` until `until`, bumping its fence. Returns the task as taken, or
/// `None` when someone else got there first. The condition is repeated here so the
/// update is safe on its own, whatever the engine's locking did before it.
pub fn take(
    conn: &mut DbConn,
    id: &str,
    marker: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Option<TaskRow>> {
    diesel::update(marking_tasks::table.find(id).filter(claimable_at!(now)))
        .set((
            marking_tasks::state.eq(state::CLAIMED),
            marking_tasks::claimed_by.eq(Some(marker)),
            marking_tasks::lease_expires_at.eq(Some(until)),
            marking_tasks::fence.eq(marking_tasks::fence + 1),
        ))
        // The columns in `TaskRow`'s order: the multi-connection cannot pass `as_returning()` through.
        .returning(marking_tasks::all_columns)
        .get_result(conn)
        .optional()
}

/// A marker's score on a task they hold.
#[derive(Debug, Clone)]
pub struct Score<'a> {
    /// The holder.
    pub marker: &'a str,
    /// The fence of the holder's claim.
    pub fence: i64,
    /// Points (hundredths).
    pub points: i64,
    /// Comment.
    pub comment: Option<&'a str>,
    /// Now: the lease must still run.
    pub at: NaiveDateTime,
}

/// Scores a task if `score.marker` holds it under the claim `score.fence` and the lease has not run out;
/// 1 when scored, 0 otherwise (the lease was lost: expired, re-claimed or released).
pub fn score(conn: &mut DbConn, id: &str, score: &Score<'_>) -> QueryResult<usize> {
    diesel::update(
        marking_tasks::table
            .find(id)
            .filter(marking_tasks::state.eq(state::CLAIMED))
            .filter(marking_tasks::claimed_by.eq(score.marker))
            .filter(marking_tasks::fence.eq(score.fence))
            .filter(marking_tasks::lease_expires_at.ge(score.at)),
    )
    .set((
        marking_tasks::state.eq(state::DONE),
        marking_tasks::points.eq(Some(score.points)),
        marking_tasks::comment.eq(score.comment),
        marking_tasks::marked_by.eq(Some(score.marker)),
        marking_tasks::marked_at.eq(Some(score.at)),
        marking_tasks::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Puts a task `marker` holds under the claim `fence` back in the queue; 1 when released.
pub fn release(conn: &mut DbConn, id: &str, marker: &str, fence: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        marking_tasks::table
            .find(id)
            .filter(marking_tasks::state.eq(state::CLAIMED))
            .filter(marking_tasks::claimed_by.eq(marker))
            .filter(marking_tasks::fence.eq(fence))
            .filter(marking_tasks::lease_expires_at.ge(now)),
    )
    .set((
        marking_tasks::state.eq(state::OPEN),
        marking_tasks::claimed_by.eq(None::<String>),
        marking_tasks::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// How many markers' tasks (not adjudications) of an exam stand where, per question: `[waiting, held,
/// scored]` as [`standing`] counts them, by aggregate queries rather than by loading the tasks.
pub fn standing_counts(conn: &mut DbConn, exam_id: &str, now: NaiveDateTime) -> QueryResult<Vec<(String, [i64; 3])>> {
    use diesel::dsl::count_star;
    let markers = marking_tasks::exam_id.eq(exam_id.to_string()).and(marking_tasks::round.lt(ADJUDICATION_ROUND));
    let by_state: Vec<(String, String, i64)> = marking_tasks::table
        .filter(markers.clone())
        .group_by((marking_tasks::question_key, marking_tasks::state))
        .select((marking_tasks::question_key, marking_tasks::state, count_star()))
        .load(conn)?;
    // A claim whose lease ran out is waiting again.
    let lapsed: Vec<(String, i64)> = marking_tasks::table
        .filter(markers)
        .filter(marking_tasks::state.eq(state::CLAIMED))
        .filter(marking_tasks::lease_expires_at.lt(now))
        .group_by(marking_tasks::question_key)
        .select((marking_tasks::question_key, count_star()))
        .load(conn)?;
    let mut counts: std::collections::BTreeMap<String, [i64; 3]> = std::collections::BTreeMap::new();
    for (key, task_state, n) in by_state {
        let slot = match task_state.as_str() {
            state::DONE => 2,
            state::CLAIMED => 1,
            _ => 0,
        };
        counts.entry(key).or_default()[slot] += n;
    }
    for (key, n) in lapsed {
        let entry = counts.entry(key).or_default();
        entry[1] -= n;
        entry[0] += n;
    }
    Ok(counts.into_iter().collect())
}

/// How many double-marked answers of an exam have two marks further apart than `tolerance`
/// (hundredths) and no adjudication yet, counted in the database.
pub fn awaiting_adjudication(conn: &mut DbConn, exam_id: &str, tolerance: i64) -> QueryResult<i64> {
    let (second, third) = diesel::alias!(marking_tasks as second, marking_tasks as third);
    let adjudicated = third
        .filter(third.field(marking_tasks::attempt_id).eq(marking_tasks::attempt_id))
        .filter(third.field(marking_tasks::question_key).eq(marking_tasks::question_key))
        .filter(third.field(marking_tasks::round).eq(ADJUDICATION_ROUND))
        .filter(third.field(marking_tasks::state).eq(state::DONE));
    let gap = marking_tasks::points - second.field(marking_tasks::points);
    marking_tasks::table
        .inner_join(
            second.on(second
                .field(marking_tasks::attempt_id)
                .eq(marking_tasks::attempt_id)
                .and(second.field(marking_tasks::question_key).eq(marking_tasks::question_key))),
        )
        .filter(marking_tasks::exam_id.eq(exam_id.to_string()))
        .filter(marking_tasks::round.eq(1).and(marking_tasks::state.eq(state::DONE)))
        .filter(second.field(marking_tasks::round).eq(2).and(second.field(marking_tasks::state).eq(state::DONE)))
        .filter(gap.gt(tolerance).or((second.field(marking_tasks::points) - marking_tasks::points).gt(tolerance)))
        .filter(diesel::dsl::not(diesel::dsl::exists(adjudicated)))
        .count()
        .get_result(conn)
}

/// Where a task stands in its queue at `now`: 0 waiting (an expired lease counts as waiting), 1 held under
/// a live lease, 2 scored. Progress views count tasks by it.
pub fn standing(task: &TaskRow, now: NaiveDateTime) -> usize {
    match task.state.as_str() {
        state::DONE => 2,
        state::CLAIMED if task.lease_expires_at.is_some_and(|l| l >= now) => 1,
        _ => 0,
    }
}

/// Extends the lease of a task `marker` holds under the claim `fence` to `until`, if it still runs at
/// `now`; 1 when renewed. The fence stays: a renewal is the same claim, so the page's fence stays good.
pub fn renew(
    conn: &mut DbConn,
    id: &str,
    marker: &str,
    fence: i64,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        marking_tasks::table
            .find(id)
            .filter(marking_tasks::state.eq(state::CLAIMED))
            .filter(marking_tasks::claimed_by.eq(marker))
            .filter(marking_tasks::fence.eq(fence))
            .filter(marking_tasks::lease_expires_at.ge(now)),
    )
    .set(marking_tasks::lease_expires_at.eq(Some(until)))
    .execute(conn)
}

/// The markers' tasks `marker` holds under a lease still running at `now`, oldest claim first.
pub fn held_by(conn: &mut DbConn, marker: &str, now: NaiveDateTime) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table
        .filter(marking_tasks::state.eq(state::CLAIMED))
        .filter(marking_tasks::claimed_by.eq(marker))
        .filter(marking_tasks::lease_expires_at.ge(now))
        .filter(marking_tasks::round.lt(ADJUDICATION_ROUND))
        .order((marking_tasks::lease_expires_at.asc(), marking_tasks::id.asc()))
        .select(TaskRow::as_select())
        .load(conn)
}

/// The markers' tasks of one exam that `marker` scored, most recent first.
pub fn scored_by(conn: &mut DbConn, exam_id: &str, marker: &str) -> QueryResult<Vec<TaskRow>> {
    marking_tasks::table
        .filter(marking_tasks::exam_id.eq(exam_id))
        .filter(marking_tasks::state.eq(state::DONE))
        .filter(marking_tasks::marked_by.eq(marker))
        .filter(marking_tasks::round.lt(ADJUDICATION_ROUND))
        .order((marking_tasks::marked_at.desc(), marking_tasks::id.asc()))
        .select(TaskRow::as_select())
        .load(conn)
}

/// Replaces the points and comment of a task `marker` scored; 1 when changed. `marked_at` moves to the
/// correction's time, so the latest word on a mark is dated.
pub fn correct(
    conn: &mut DbConn,
    id: &str,
    marker: &str,
    points: i64,
    comment: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        marking_tasks::table
            .find(id)
            .filter(marking_tasks::state.eq(state::DONE))
            .filter(marking_tasks::marked_by.eq(marker))
            .filter(marking_tasks::round.lt(ADJUDICATION_ROUND)),
    )
    .set((
        marking_tasks::points.eq(Some(points)),
        marking_tasks::comment.eq(comment),
        marking_tasks::marked_at.eq(Some(at)),
    ))
    .execute(conn)
}

/// Replaces a recruiter's round-3 mark (an adjudication or an earlier correction) with a correction.
pub fn set_recruiter_mark(
    conn: &mut DbConn,
    id: &str,
    points: i64,
    comment: Option<&str>,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(marking_tasks::table.find(id).filter(marking_tasks::round.eq(ADJUDICATION_ROUND)))
        .set((
            marking_tasks::points.eq(Some(points)),
            marking_tasks::comment.eq(comment),
            marking_tasks::marked_by.eq(Some(by)),
            marking_tasks::marked_at.eq(Some(at)),
        ))
        .execute(conn)
}
