//! Invitations: one access code per candidate, shown once and stored as a hash; revocation, extra time
//! and the status recruiters follow.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::{owned_exam, MAX_DURATION_SECONDS};
use super::new_id;
use crate::auth::random_token;
use crate::domain::access::{AccessCode, CODE_BYTES};
use crate::domain::deadline;
use crate::domain::mail::Language;
use crate::domain::paper::FieldError;
use crate::domain::user::{Email, PersonName};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::ExamRow;
use crate::store::invitations::{self, InvitationRow};
use crate::store::outbox::{self, kind, OutboxRow};
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, dialect, DbConn};

/// Most candidates invited in one request.
const MAX_INVITES_PER_REQUEST: usize = 10_000;

/// A candidate to invite.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitee {
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Language of this candidate's mail (`zh` or `en`); absent: the exam's.
    pub language: Option<String>,
}

/// A new invitation, with its access code shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedInvitation {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// The one-time-shown code the candidate types.
    pub access_code: String,
    /// The link that opens the exam room with this code: `{public_url}/take#<code>`. The code rides in
    /// the fragment, which browsers never send, so it reaches no server log and no `Referer`.
    pub start_url: String,
}

/// Invites candidates; each gets a random access code, stored only as a hash.
#[tracing::instrument(skip(state, candidates), fields(user = %who.id, count = candidates.len()))]
pub async fn invite(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    candidates: Vec<Invitee>,
    send_email: bool,
) -> Result<Vec<IssuedInvitation>, ApiError> {
    if candidates.is_empty() || candidates.len() > MAX_INVITES_PER_REQUEST {
        return Err(ApiError::field("candidates", format!("send 1 to {MAX_INVITES_PER_REQUEST} candidates")));
    }
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.into_iter().enumerate() {
        let language = c.language.as_deref().map(Language::parse).transpose();
        match (Email::parse(&c.email), PersonName::parse(&c.name), language) {
            (Ok(email), Ok(name), Ok(language)) => checked.push((email, name.into_string(), language)),
            (email, name, language) => {
                if let Err(m) = language {
                    errors.push(FieldError { field: format!("candidates[{i}].language"), message: m });
                }
                if let Err(m) = email {
                    errors.push(FieldError { field: format!("candidates[{i}].email"), message: m });
                }
                if let Err(m) = name {
                    errors.push(FieldError { field: format!("candidates[{i}].name"), message: m });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let (who, now, enabled) = (who.clone(), state.clock.now(), state.settings.mail_enabled());
    let take = format!("{}/take#", state.settings.public_base());
    let issued = state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            if send_email {
                super::mail::require_mail(enabled)?;
            }
            let mut issued = Vec::with_capacity(checked.len());
            let mut rows = Vec::with_capacity(checked.len());
            let mut languages = Vec::new();
            let mut mails = Vec::new();
            for (email, name, language) in checked {
                let code = AccessCode::from_random(random_token(CODE_BYTES));
                let row = InvitationRow {
                    id: new_id(),
                    exam_id: exam.id.clone(),
                    email: email.as_str().to_string(),
                    name,
                    code_hash: code.hash(),
                    extra_seconds: 0,
                    revoked_at: None,
                    created_at: to_db(now),
                };
                if let Some(language) = language {
                    languages.push((row.id.clone(), language));
                }
                if send_email {
                    // The mail goes in this same transaction: an invitation is never without its mail.
                    let code = code.reveal().to_string();
                    mails.push(OutboxRow::queued(new_id(), row.id.clone(), kind::INVITATION, code, to_db(now)));
                }
                issued.push(IssuedInvitation {
                    id: row.id.clone(),
                    email: row.email.clone(),
                    name: row.name.clone(),
                    access_code: code.reveal().to_string(),
                    start_url: format!("{take}{}", code.reveal()),
                });
                rows.push(row);
            }
            dialect::insert_invitations(c, &rows)?;
            // Only invitations in another language than the exam's carry one.
            for (id, language) in languages {
                invitations::set_language(c, &id, language.as_str())?;
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.invite",
                &format!("exam:{}", exam.id),
                serde_json::json!({"count": issued.len(), "send_email": send_email}),
            )?;
            outbox::enqueue(c, &mails)?;
            Ok(issued)
        })
        .await?;
    if send_email {
        state.mail_wake.notify_one();
    }
    Ok(issued)
}

/// An invitation as the recruiter sees it (never the code).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// `not_started`, `in_progress`, `submitted`, `expired`, `graded` or `revoked`.
    pub status: String,
    /// Extra time granted.
    pub extra_seconds: i64,
    /// The mail: `not_sent`, `queued`, `sent` or `failed`.
    pub email_status: String,
    /// Why the last mail failed (the SMTP server's reply), or what a retry waits on.
    pub email_error: Option<String>,
    /// When the SMTP server accepted the last mail.
    pub email_sent_at: Option<DateTime<Utc>>,
}

/// The exam's invitations with their status; only those of one `email_status` when given.
pub async fn invitations(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    email_status: Option<String>,
) -> Result<Vec<InvitationView>, ApiError> {
    if let Some(status) = email_status.as_deref() {
        if !outbox::email_status::ALL.contains(&status) {
            return Err(ApiError::bad_request("bad_query", "email_status is not_sent, queued, sent or failed"));
        }
    }
    let who = who.clone();
    let (exam, rows) = state
        .db
        .run(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let rows = invitations::listing(c, &exam.id, email_status.as_deref())?;
            Ok((exam, rows))
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(inv, (email_status, email_error, sent_at), attempt)| InvitationView {
            email_status,
            email_error,
            email_sent_at: sent_at.map(from_db),
            status: match (&inv.revoked_at, attempt) {
                (Some(_), _) => "revoked".into(),
                (None, Some(attempt)) => invitation_status(&exam, attempt),
                (None, None) => "not_started".into(),
            },
            id: inv.id,
            email: inv.email,
            name: inv.name,
            extra_seconds: i64::from(inv.extra_seconds),
        })
        .collect())
}

/// An invitation's status from its attempt; a graded attempt still says how it ended.
fn invitation_status(exam: &ExamRow, (state, deadline_at, closed_at): invitations::AttemptStatus) -> String {
    match (state.as_str(), closed_at) {
        (attempts::state::GRADED, Some(closed)) => {
            super::grading::how_it_ended(deadline_at, closed, exam.grace_seconds).to_string()
        }
        _ => state,
    }
}

fn owned_invitation(
    c: &mut DbConn,
    who: &StaffPrincipal,
    exam_id: &str,
    id: &str,
) -> Result<(ExamRow, InvitationRow), ApiError> {
    let exam = owned_exam(c, who, exam_id)?;
    match invitations::get(c, id)? {
        Some(inv) if inv.exam_id == exam.id => Ok((exam, inv)),
        _ => Err(ApiError::NotFound("invitation")),
    }
}

/// Revokes an invitation: its code and tokens stop working, so an attempt in progress takes no more
/// answers (it still closes and is graded at its deadline).
pub async fn revoke(state: &AppState, who: &StaffPrincipal, exam_id: String, id: String) -> Result<(), ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let (_, inv) = owned_invitation(c, &who, &exam_id, &id)?;
            invitations::revoke(c, &inv.id, to_db(now))?;
            audit::record(
                c,
                now,
                &who.actor(),
                "invitation.revoke",
                &format!("invitation:{}", inv.id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Grants a candidate extra time; an attempt in progress gets its deadline moved.
pub async fn set_extra_time(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    id: String,
    seconds: i64,
) -> Result<(), ApiError> {
    if !(0..=MAX_DURATION_SECONDS).contains(&seconds) {
        return Err(ApiError::field("extra_seconds", "extra time is between 0 seconds and 7 days"));
    }
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let (exam, inv) = owned_invitation(c, &who, &exam_id, &id)?;
            invitations::set_extra_time(c, &inv.id, seconds as i32)?;
            if let Some(attempt) = attempts::by_invitation(c, &inv.id)? {
                let new = deadline::deadline(
                    from_db(attempt.started_at),
                    i64::from(exam.duration_seconds),
                    seconds,
                    from_db(exam.closes_at),
                );
                attempts::set_deadline(c, &attempt.id, to_db(new))?;
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "invitation.extra_time",
                &format!("invitation:{}", inv.id),
                serde_json::json!({"extra_seconds": seconds, "previous": inv.extra_seconds}),
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// How long a candidate token lives: until the exam closes, plus grace (and any extra time).
pub fn candidate_token_expiry(exam: &ExamRow, extra_seconds: i64) -> DateTime<Utc> {
    deadline::plus_seconds(from_db(exam.closes_at), i64::from(exam.grace_seconds).saturating_add(extra_seconds))
}
