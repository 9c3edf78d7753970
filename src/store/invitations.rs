//! Invitations: one per candidate per exam, found by the hash of its access code.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attempts, invitations};
use super::DbConn;

/// A stored invitation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct InvitationRow {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// Candidate's e-mail.
    pub email: String,
    /// Candidate's name.
    pub name: String,
    /// SHA-256 of the access code.
    pub code_hash: String,
    /// Extra time for this candidate.
    pub extra_seconds: i32,
    /// When it was revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// Made.
    pub created_at: NaiveDateTime,
}

/// The invitation with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<InvitationRow>> {
    invitations::table.find(id).select(InvitationRow::as_select()).get_result(conn).optional()
}

/// The invitation whose code hashes to this.
pub fn by_code_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::code_hash.eq(hash))
        .select(InvitationRow::as_select())
        .get_result(conn)
        .optional()
}

/// An invitation's attempt as far as its status needs: state, deadline, when it closed.
pub type AttemptStatus = (String, NaiveDateTime, Option<NaiveDateTime>);

/// Revokes an invitation.
pub fn revoke(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id).filter(invitations::revoked_at.is_null()))
        .set(invitations::revoked_at.eq(Some(at)))
        .execute(conn)
}

/// Sets a candidate's extra time.
pub fn set_extra_time(conn: &mut DbConn, id: &str, seconds: i32) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id)).set(invitations::extra_seconds.eq(seconds)).execute(conn)
}

/// What the recruiter sees of an invitation's mail: status, the last reply, when it was accepted.
pub type MailStatus = (String, Option<String>, Option<NaiveDateTime>);

/// An exam's invitations (of one `email_status`, when given) with their mail and attempt status.
pub fn listing(
    conn: &mut DbConn,
    exam_id: &str,
    email_status: Option<&str>,
) -> QueryResult<Vec<(InvitationRow, MailStatus, Option<AttemptStatus>)>> {
    let mut query = invitations::table
        .left_join(attempts::table.on(attempts::invitation_id.eq(invitations::id)))
        .filter(invitations::exam_id.eq(exam_id))
        .into_boxed();
    if let Some(status) = email_status {
        query = query.filter(invitations::email_status.eq(status.to_string()));
    }
    query
        .order((invitations::created_at.asc(), invitations::id.asc()))
        .select((
            InvitationRow::as_select(),
            (invitations::email_status, invitations::email_error, invitations::email_sent_at),
            (attempts::state, attempts::deadline_at, attempts::closed_at).nullable(),
        ))
        .load(conn)
}

/// An exam's invitations that are not revoked and have no attempt, with their mail status.
pub fn unstarted(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<(InvitationRow, String)>> {
    invitations::table
        .left_join(attempts::table.on(attempts::invitation_id.eq(invitations::id)))
        .filter(invitations::exam_id.eq(exam_id))
        .filter(invitations::revoked_at.is_null())
        .filter(attempts::id.nullable().is_null())
        .order((invitations::created_at.asc(), invitations::id.asc()))
        .select((InvitationRow::as_select(), invitations::email_status))
        .load(conn)
}

/// Gives an invitation a new code: the old one stops working at once.
pub fn replace_code(conn: &mut DbConn, id: &str, code_hash: &str) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id)).set(invitations::code_hash.eq(code_hash)).execute(conn)
}

/// Sets an invitation's own mail language.
pub fn set_language(conn: &mut DbConn, id: &str, language: &str) -> QueryResult<usize> {
    diesel::update(invitations::table.find(id)).set(invitations::language.eq(Some(language))).execute(conn)
}
