//! The batch upsert of answers as one hand-built statement. Diesel's upsert DSL on SQLite turns a batch
//! into one statement per row and cannot add the `WHERE` that keeps a newer `seq`; this writes
//! `INSERT … VALUES (…), (…) ON CONFLICT … DO UPDATE … WHERE … RETURNING` for both engines, with every
//! value bound.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::QueryResult;

/// One answer to write, borrowed from the save that carries it.
#[derive(Debug, Clone, Copy)]
pub struct NewResponse<'a> {
    /// Attempt.
    pub attempt_id: &'a str,
    /// Question key.
    pub question_key: &'a str,
    /// The answer as JSON; `None` clears it.
    pub answer: Option<&'a str>,
    /// Client sequence number.
    pub seq: i64,
    /// When it is stored.
    pub saved_at: chrono::NaiveDateTime,
}

/// Upserts these responses; returns the keys of the rows it inserted or overwrote.
#[derive(Debug, Clone, Copy)]
pub struct UpsertResponses<'a>(pub &'a [NewResponse<'a>]);

impl UpsertResponses<'_> {
    /// Most rows per statement: five parameters a row (points stay empty until grading), under PostgreSQL's 65,535 and SQLite's 32,766.
    pub const MAX_ROWS: usize = 5_000;
}

impl<DB> QueryFragment<DB> for UpsertResponses<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
    chrono::NaiveDateTime: ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // The text depends on the row count; a cache of one statement per batch size would grow with it.
        out.unsafe_to_cache_prepared();
        out.push_sql("INSERT INTO responses (attempt_id, question_key, answer, seq, saved_at) VALUES ");
        for (i, row) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            out.push_bind_param::<Text, _>(row.attempt_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(row.question_key)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&row.answer)?;
            out.push_sql(", ");
            out.push_bind_param::<BigInt, _>(&row.seq)?;
            out.push_sql(", ");
            out.push_bind_param::<Timestamp, _>(&row.saved_at)?;
            out.push_sql(")");
        }
        out.push_sql(
            " ON CONFLICT (attempt_id, question_key) DO UPDATE SET answer = excluded.answer, seq = excluded.seq, \
             saved_at = excluded.saved_at WHERE responses.seq < excluded.seq RETURNING attempt_id, question_key",
        );
        Ok(())
    }
}

impl QueryId for UpsertResponses<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for UpsertResponses<'_> {
    type SqlType = (Text, Text);
}

impl<Conn> diesel::RunQueryDsl<Conn> for UpsertResponses<'_> {}
