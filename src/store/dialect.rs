//! Every difference between the engines lives here; no other module matches on the backend.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::result::Error as DieselError;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use super::upsert::NewResponse;
use super::DbConn;
use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Per-connection settings.
pub fn on_connect(conn: &mut DbConn, sqlite_synchronous: &str) -> diesel::QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            let level = match sqlite_synchronous {
                "normal" => "NORMAL",
                "off" => "OFF",
                _ => "FULL",
            };
            c.batch_execute(&format!(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = {level}; PRAGMA foreign_keys = ON;"
            ))
        }
        // Durable acknowledgements: the default, stated so a server-wide setting cannot weaken it silently.
        DbConn::Pg(c) => c.batch_execute("SET synchronous_commit = on; SET TIME ZONE 'UTC';"),
    }
}

/// Applies the migrations of this engine's folder.
pub fn run_migrations(conn: &mut DbConn) -> Result<(), String> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| e.to_string())?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Runs `f` in a transaction that holds the write lock from its start on SQLite (`BEGIN IMMEDIATE`),
/// so two writers never deadlock upgrading a read lock; an ordinary transaction on PostgreSQL.
pub fn write_transaction<T, F>(conn: &mut DbConn, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
{
    let DbConn::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE").map_err(ApiError::from)?;
    match f(conn) {
        Ok(value) => match <DbConn as Connection>::TransactionManager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                rollback(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            rollback(conn);
            Err(e)
        }
    }
}

fn rollback(conn: &mut DbConn) {
    if let Err(e) = <DbConn as Connection>::TransactionManager::rollback_transaction(conn) {
        tracing::error!(error = %e, "rollback failed");
    }
}

/// Whether an error is the engine telling us a unique constraint held.
pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// Lists the migration versions of both folders, for the test that keeps them twins.
pub fn migration_versions() -> (Vec<String>, Vec<String>) {
    use diesel::migration::MigrationSource;
    let list = |m: EmbeddedMigrations| -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&m)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default()
    };
    (list(SQLITE_MIGRATIONS), list(POSTGRES_MIGRATIONS))
}

/// Writes responses unless the stored one carries a higher or equal `seq`: last write wins by the
/// client's sequence, so a delayed older save never overwrites a newer one. Returns, per row, whether it
/// was written. Rows must have distinct (attempt, question) keys.
///
/// One multi-row `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING` per batch on both engines: SQLite
/// parses one statement per batch instead of one per row (diesel re-prepares every upsert, it caches
/// none), PostgreSQL makes one round trip. It runs on the inner connection because the multi-connection
/// derive cannot express upserts.
pub fn upsert_responses(conn: &mut DbConn, rows: &[NewResponse<'_>]) -> diesel::QueryResult<Vec<bool>> {
    use diesel::RunQueryDsl;

    use super::upsert::UpsertResponses;
    let mut written = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(UpsertResponses::MAX_ROWS) {
        let statement = UpsertResponses(chunk);
        let keys: Vec<(String, String)> = match conn {
            DbConn::Pg(c) => statement.load(c)?,
            DbConn::Sqlite(c) => statement.load(c)?,
        };
        let keys: std::collections::HashSet<(&str, &str)> =
            keys.iter().map(|(a, q)| (a.as_str(), q.as_str())).collect();
        written.extend(chunk.iter().map(|row| keys.contains(&(row.attempt_id, row.question_key))));
    }
    Ok(written)
}

/// Claims the next task of an exam (of one question, when given) for `marker` until `until`: the oldest
/// first-round task first, never one whose other round this marker holds or has marked (double marking
/// needs two different markers). Returns the task as claimed, or `None` when nothing is left.
///
/// PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` inside the caller's transaction, so concurrent claims on
/// any number of instances each lock a different row instead of queueing on the same one; a per-marker
/// advisory lock serialises one marker's own concurrent claims, which the sibling rule must see.
/// SQLite: the caller's `BEGIN IMMEDIATE` already serialises writers; the conditional update in
/// [`tasks::take`] is checked for exactly one changed row all the same.
pub fn claim_task(
    conn: &mut DbConn,
    exam_id: &str,
    question: Option<&str>,
    marker: &str,
    now: chrono::NaiveDateTime,
    until: chrono::NaiveDateTime,
) -> diesel::QueryResult<Option<super::tasks::TaskRow>> {
    use diesel::{BoolExpressionMethods, ExpressionMethods, IntoSql, OptionalExtension, QueryDsl, RunQueryDsl};

    use super::schema::marking_tasks;
    use super::tasks::{self, claimable_at, ADJUDICATION_ROUND};
    use diesel::sql_types::{Bool, Text};

    // The same query on both engines; only the locking clause differs.
    macro_rules! next {
        () => {
            marking_tasks::table
                .select(marking_tasks::id)
                .filter(marking_tasks::exam_id.eq(exam_id))
                .filter(marking_tasks::round.lt(ADJUDICATION_ROUND))
                // Implied by the next filter, but written out so both engines use the partial index of
                // undone tasks (which has exactly this predicate) instead of sorting the whole exam. A
                // literal, not a bound value: PostgreSQL's generic plan for a prepared statement cannot
                // prove a partial index's predicate from a parameter.
                .filter(diesel::dsl::sql::<Bool>("marking_tasks.state <> 'done'"))
                .filter(claimable_at!(now))
                .filter(marking_tasks::question_key.eq(question.unwrap_or_default()).or(question.is_none().into_sql::<Bool>()))
                .filter(
                    diesel::dsl::sql::<Bool>(
                        "NOT EXISTS (SELECT 1 FROM marking_tasks other WHERE other.attempt_id = marking_tasks.attempt_id \
                         AND other.question_key = marking_tasks.question_key AND other.id <> marking_tasks.id \
                         AND (other.marked_by = ",
                    )
                    .bind::<Text, _>(marker)
                    .sql(" OR other.claimed_by = ")
                    .bind::<Text, _>(marker)
                    .sql("))"),
                )
                // Question by question: a marker sees one question across candidates (consistent marking),
                // and markers working side by side hold different attempts, so scoring (which locks the
                // attempt to recompute it) does not queue them behind each other.
                .order((
                    marking_tasks::round.asc(),
                    marking_tasks::question_key.asc(),
                    marking_tasks::created_at.asc(),
                    marking_tasks::id.asc(),
                ))
                .limit(1)
        };
    }
    // A row taken between our select and update (impossible under either engine's locking, but cheap to
    // survive) just means trying the next one.
    for _ in 0..3 {
        let id: Option<String> = match conn {
            DbConn::Pg(c) => {
                // Right after an exam closes its tasks are new and the table's statistics stale: the
                // planner then sorts every open task of the exam on each claim (8–11 ms, measured) instead
                // of walking the ordered partial index to the first free one (0.1 ms). For this one
                // transaction, tell it what the index is for.
                // One round trip for both: `set_config(…, true)` is `SET LOCAL`.
                diesel::sql_query(
                    "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true), \
                     pg_advisory_xact_lock(hashtext($1))",
                )
                .bind::<Text, _>(marker)
                .execute(c)?;
                next!().for_update().skip_locked().get_result(c).optional()?
            }
            DbConn::Sqlite(c) => next!().get_result(c).optional()?,
        };
        let Some(id) = id else { return Ok(None) };
        if let Some(task) = tasks::take(conn, &id, marker, now, until)? {
            return Ok(Some(task));
        }
    }
    Ok(None)
}

/// Locks an attempt's row until the transaction ends, so concurrent marks on one attempt recompute its
/// points one after the other: on PostgreSQL two transactions scoring its last two answers would each
/// miss the other's uncommitted mark and both leave it ungraded. SQLite's `BEGIN IMMEDIATE` already
/// serialises every writer.
///
/// Returns the attempt as locked (one round trip for the lock and the read).
pub fn lock_attempt(conn: &mut DbConn, id: &str) -> diesel::QueryResult<Option<super::attempts::AttemptRow>> {
    use diesel::{OptionalExtension, QueryDsl, RunQueryDsl, SelectableHelper};

    use super::attempts::AttemptRow;
    use super::schema::attempts;
    match conn {
        DbConn::Pg(c) => attempts::table.find(id).select(AttemptRow::as_select()).for_update().get_result(c).optional(),
        DbConn::Sqlite(_) => super::attempts::get(conn, id),
    }
}

/// Rows per multi-row `INSERT` of invitations: 8 parameters a row stays under both engines' bind
/// limits (SQLite 32,766, PostgreSQL 65,535).
const INVITATIONS_PER_INSERT: usize = 1_000;

/// Inserts many invitations, one multi-row `INSERT` per thousand. Diesel writes batch inserts per
/// engine, not for the connection over both, so each engine's connection runs its own; one statement
/// per row made 10,000 invitations take 1.1–1.7 s on PostgreSQL.
pub fn insert_invitations(conn: &mut DbConn, rows: &[super::invitations::InvitationRow]) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;

    use super::schema::invitations;
    for chunk in rows.chunks(INVITATIONS_PER_INSERT) {
        let insert = diesel::insert_into(invitations::table).values(chunk);
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// Locks a chunk of attempts (by id order, so two lockers cannot deadlock) and returns them as locked:
/// a regrade chunk on PostgreSQL then sees every mark committed before it, and marks scored after wait
/// for it. SQLite's `BEGIN IMMEDIATE` already serialises every writer.
pub fn lock_attempts(conn: &mut DbConn, ids: &[String]) -> diesel::QueryResult<Vec<super::attempts::AttemptRow>> {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, SelectableHelper};

    use super::attempts::AttemptRow;
    use super::schema::attempts;
    let chunk = attempts::table.filter(attempts::id.eq_any(ids)).order(attempts::id.asc());
    match conn {
        DbConn::Pg(c) => chunk.select(AttemptRow::as_select()).for_update().load(c),
        DbConn::Sqlite(c) => chunk.select(AttemptRow::as_select()).load(c),
    }
}

/// Locks an exam's row until the transaction ends, so two attempts graded at once cannot each see the
/// other still ungraded and both skip the automatic release (PostgreSQL; SQLite serialises writers).
pub fn lock_exam(conn: &mut DbConn, id: &str) -> diesel::QueryResult<()> {
    use diesel::{QueryDsl, RunQueryDsl};

    use super::schema::exams;
    match conn {
        DbConn::Pg(c) => exams::table.find(id).select(exams::id).for_update().execute(c).map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Claims up to `limit` due mails for sender `by` until `until` and returns their ids: queued mails
/// whose time has come, and mails whose sender's lease ran out (its instance died mid-batch).
///
/// The marking queue's pattern: PostgreSQL selects with `FOR UPDATE SKIP LOCKED`, so senders on several
/// instances each lock different rows instead of queueing on the same ones; SQLite's `BEGIN IMMEDIATE`
/// (the caller's write transaction) serialises claims, and the conditional update takes only rows still
/// claimable either way.
pub fn claim_mail(
    conn: &mut DbConn,
    by: &str,
    now: chrono::NaiveDateTime,
    until: chrono::NaiveDateTime,
    limit: i64,
) -> diesel::QueryResult<Vec<String>> {
    use diesel::{BoolExpressionMethods, ExpressionMethods, QueryDsl, RunQueryDsl};

    use super::outbox::state;
    use super::schema::mail_outbox as m;
    macro_rules! claimable {
        () => {
            m::state
                .eq(state::QUEUED)
                .and(m::next_attempt_at.le(now))
                .or(m::state.eq(state::SENDING).and(m::lease_expires_at.le(now)))
        };
    }
    macro_rules! due {
        () => {
            m::table.select(m::id).filter(claimable!()).order((m::next_attempt_at.asc(), m::id.asc())).limit(limit)
        };
    }
    let ids: Vec<String> = match conn {
        DbConn::Pg(c) => due!().for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due!().load(c)?,
    };
    if ids.is_empty() {
        return Ok(ids);
    }
    diesel::update(m::table.filter(m::id.eq_any(&ids)).filter(claimable!()))
        .set((m::state.eq(state::SENDING), m::claimed_by.eq(Some(by)), m::lease_expires_at.eq(Some(until))))
        .returning(m::id)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migration_versions() {
        let (sqlite, postgres) = migration_versions();
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }
}
