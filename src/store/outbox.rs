//! The mail outbox: one row per mail to send, written in the transaction that made its reason (an
//! invitation, a reminder), claimed by one sender at a time (see [`super::dialect::claim_mail`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{exam_mail, exams, invitations, mail_outbox};
use super::DbConn;

/// States of an outbox row.
pub mod state {
    /// Waiting to be sent (first time, or again after a transient failure).
    pub const QUEUED: &str = "queued";
    /// Claimed by a sender under a lease.
    pub const SENDING: &str = "sending";
    /// Accepted by the SMTP server.
    pub const SENT: &str = "sent";
    /// Refused for good (5xx) or given up on.
    pub const FAILED: &str = "failed";
}

/// What an invitation's `email_status` says.
pub mod email_status {
    /// No mail was asked for (the recruiter handed the code out).
    pub const NOT_SENT: &str = "not_sent";
    /// A mail is in the outbox.
    pub const QUEUED: &str = "queued";
    /// The SMTP server accepted the last mail.
    pub const SENT: &str = "sent";
    /// The last mail failed; `email_error` has the server's reply.
    pub const FAILED: &str = "failed";
    /// Every status, for the listing's filter.
    pub const ALL: &[&str] = &[NOT_SENT, QUEUED, SENT, FAILED];
}

/// Kinds of mail.
pub mod kind {
    /// The first mail of an invitation.
    pub const INVITATION: &str = "invitation";
    /// A reminder to a candidate who has not started.
    pub const REMINDER: &str = "reminder";
}

/// A stored outbox row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_outbox)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OutboxRow {
    /// Id (also the mail's Message-ID, so a receiver can tell a repeat).
    pub id: String,
    /// The invitation mailed.
    pub invitation_id: String,
    /// See [`kind`].
    pub kind: String,
    /// The access code, until the SMTP server accepted the mail.
    pub access_code: Option<String>,
    /// See [`state`].
    pub state: String,
    /// Tries so far.
    pub attempts: i32,
    /// Not before.
    pub next_attempt_at: NaiveDateTime,
    /// The sending instance.
    pub claimed_by: Option<String>,
    /// End of its claim.
    pub lease_expires_at: Option<NaiveDateTime>,
    /// The last SMTP reply or connection error.
    pub last_error: Option<String>,
    /// Made.
    pub created_at: NaiveDateTime,
    /// Accepted by the SMTP server.
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxRow {
    /// A new mail, due now.
    pub fn queued(id: String, invitation_id: String, kind: &str, code: String, now: NaiveDateTime) -> OutboxRow {
        OutboxRow {
            id,
            invitation_id,
            kind: kind.to_string(),
            access_code: Some(code),
            state: state::QUEUED.to_string(),
            attempts: 0,
            next_attempt_at: now,
            claimed_by: None,
            lease_expires_at: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }
}

/// Inserts mails and marks their invitations queued (row by row, as invitations are: the
/// multi-connection cannot express a batch insert).
pub fn enqueue(conn: &mut DbConn, rows: &[OutboxRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(mail_outbox::table).values(row).execute(conn)?;
    }
    for chunk in rows.chunks(500) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.invitation_id.as_str()).collect();
        diesel::update(invitations::table.filter(invitations::id.eq_any(ids)))
            .set((invitations::email_status.eq(email_status::QUEUED), invitations::email_error.eq(None::<String>)))
            .execute(conn)?;
    }
    Ok(())
}

/// Invitations of these that have a mail waiting or being sent (whose code the outbox still holds).
pub fn pending_of(conn: &mut DbConn, invitation_ids: &[String]) -> QueryResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in invitation_ids.chunks(500) {
        found.extend(
            mail_outbox::table
                .filter(mail_outbox::invitation_id.eq_any(chunk))
                .filter(mail_outbox::state.eq_any([state::QUEUED, state::SENDING]))
                .select(mail_outbox::invitation_id)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// Everything a claimed mail needs to be written: the row and its invitation's and exam's facts.
#[derive(Debug, Clone, Queryable)]
pub struct ClaimedMail {
    /// Outbox id.
    pub id: String,
    /// See [`kind`].
    pub kind: String,
    /// The access code (absent only if a bug wiped it early).
    pub access_code: Option<String>,
    /// Tries before this one.
    pub attempts: i32,
    /// Invitation.
    pub invitation_id: String,
    /// Recipient.
    pub email: String,
    /// Candidate's name.
    pub name: String,
    /// The invitation's language, if it has its own.
    pub invitation_language: Option<String>,
    /// Exam title.
    pub exam_title: String,
    /// Window start.
    pub opens_at: NaiveDateTime,
    /// Window end.
    pub closes_at: NaiveDateTime,
    /// Time per attempt.
    pub duration_seconds: i32,
    /// The exam's language, if set.
    pub exam_language: Option<String>,
    /// The exam's subject template.
    pub mail_subject: Option<String>,
    /// The exam's body template.
    pub mail_body: Option<String>,
}

/// The mails with these outbox ids, ready to render.
pub fn claimed(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<ClaimedMail>> {
    mail_outbox::table
        .inner_join(
            invitations::table
                .inner_join(exams::table.left_join(exam_mail::table.on(exam_mail::exam_id.eq(exams::id)))),
        )
        .filter(mail_outbox::id.eq_any(ids))
        .order(mail_outbox::id.asc())
        .select((
            mail_outbox::id,
            mail_outbox::kind,
            mail_outbox::access_code,
            mail_outbox::attempts,
            invitations::id,
            invitations::email,
            invitations::name,
            invitations::language,
            exams::title,
            exams::opens_at,
            exams::closes_at,
            exams::duration_seconds,
            exam_mail::language.nullable(),
            exam_mail::mail_subject.nullable(),
            exam_mail::mail_body.nullable(),
        ))
        .load(conn)
}

/// The mail was accepted: the code is wiped and the invitation says sent.
pub fn mark_sent(conn: &mut DbConn, id: &str, invitation_id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::state.eq(state::SENT),
            mail_outbox::access_code.eq(None::<String>),
            mail_outbox::sent_at.eq(Some(at)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::claimed_by.eq(None::<String>),
            mail_outbox::lease_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    diesel::update(invitations::table.find(invitation_id))
        .set((
            invitations::email_status.eq(email_status::SENT),
            invitations::email_sent_at.eq(Some(at)),
            invitations::email_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// A transient failure: back in the queue until `next`, the reply kept for the recruiter to see.
pub fn mark_retry(
    conn: &mut DbConn,
    id: &str,
    invitation_id: &str,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::state.eq(state::QUEUED),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::next_attempt_at.eq(next),
            mail_outbox::last_error.eq(Some(error)),
            mail_outbox::claimed_by.eq(None::<String>),
            mail_outbox::lease_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    diesel::update(invitations::table.find(invitation_id))
        .set(invitations::email_error.eq(Some(format!("will retry: {error}"))))
        .execute(conn)
        .map(drop)
}

/// A permanent failure: the code is wiped (a resend issues a fresh one) and the reply kept.
pub fn mark_failed(conn: &mut DbConn, id: &str, invitation_id: &str, error: &str) -> QueryResult<()> {
    diesel::update(mail_outbox::table.find(id))
        .set((
            mail_outbox::state.eq(state::FAILED),
            mail_outbox::access_code.eq(None::<String>),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::last_error.eq(Some(error)),
            mail_outbox::claimed_by.eq(None::<String>),
            mail_outbox::lease_expires_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    diesel::update(invitations::table.find(invitation_id))
        .set((invitations::email_status.eq(email_status::FAILED), invitations::email_error.eq(Some(error))))
        .execute(conn)
        .map(drop)
}

/// How many mails are waiting or being sent (for tests and the benchmark).
pub fn unfinished(conn: &mut DbConn) -> QueryResult<i64> {
    mail_outbox::table.filter(mail_outbox::state.eq_any([state::QUEUED, state::SENDING])).count().get_result(conn)
}
