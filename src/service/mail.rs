//! Mailing candidates: sending invitations later, resending, reminders, and the exam's mail settings.
//! Every mail is queued in the outbox inside the transaction that decided it; `service::mailer` sends.
//!
//! Codes: the outbox holds a code only until its mail is accepted, and the invitation only its hash.
//! So a mail for an invitation whose code is no longer held (never mailed, mailed already, failed) needs
//! a fresh code: the invitation's hash is replaced, the old code stops working at once, and the audit
//! trail names every invitation whose code changed. An invitation with a mail still in the outbox is
//! skipped: that mail carries a working code and will arrive.

use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::exams::owned_exam;
use super::new_id;
use crate::auth::random_token;
use crate::domain::access::{AccessCode, CODE_BYTES};
use crate::domain::mail::{Language, Template};
use crate::domain::paper::FieldError;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::ExamRow;
use crate::store::invitations::{self, InvitationRow};
use crate::store::outbox::{self, email_status, kind, OutboxRow};
use crate::store::time::to_db;
use crate::store::{audit, DbConn};

/// Refuses a request for mail when this server has no `smtp_url`: queued mail would never leave.
/// Checked after the exam's ownership, so a stranger learns nothing of this server's set-up.
pub fn require_mail(enabled: bool) -> Result<(), ApiError> {
    if enabled {
        Ok(())
    } else {
        Err(ApiError::conflict("mail_not_configured", "this server sends no mail: set smtp_url (EXAMD_SMTP_URL) first"))
    }
}

/// Checks a mail language and templates as given to create or change an exam; `None` leaves a field.
pub fn check_mail_fields(
    language: Option<&str>,
    subject: Option<&str>,
    body: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    let mut err = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
    if let Some(Err(m)) = language.map(Language::parse) {
        err("language", m);
    }
    // An empty template means "the built-in text": nothing to check.
    if let Some(Err(m)) = subject.filter(|s| !s.is_empty()).map(Template::parse_subject) {
        err("mail_subject", m);
    }
    if let Some(Err(m)) = body.filter(|s| !s.is_empty()).map(Template::parse_body) {
        err("mail_body", m);
    }
}

/// Whom `POST /exams/{id}/invitations/send` mails.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// These invitations (a resend, whatever their status); absent: every invitation not started whose
    /// mail was never sent or failed.
    pub invitation_ids: Option<Vec<String>>,
}

/// What a send or a reminder queued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SendSummary {
    /// Invitations given a mail (each with a fresh code; the old one stopped working).
    pub queued: Vec<String>,
    /// Invitations left alone: revoked, or with a mail still waiting in the outbox.
    pub skipped: Vec<String>,
}

/// Gives each invitation a fresh code and queues a mail with it; returns the outbox rows written.
pub(super) fn queue_with_fresh_codes(
    c: &mut DbConn,
    targets: &[InvitationRow],
    mail_kind: &str,
    now: chrono::NaiveDateTime,
) -> Result<Vec<OutboxRow>, ApiError> {
    let mut rows = Vec::with_capacity(targets.len());
    for inv in targets {
        let code = AccessCode::from_random(random_token(CODE_BYTES));
        invitations::replace_code(c, &inv.id, &code.hash())?;
        rows.push(OutboxRow::queued(new_id(), inv.id.clone(), mail_kind, code.reveal().to_string(), now));
    }
    outbox::enqueue(c, &rows)?;
    Ok(rows)
}

/// Splits candidates into those to mail and those to skip (revoked, or a mail still pending).
fn split(c: &mut DbConn, candidates: Vec<InvitationRow>) -> Result<(Vec<InvitationRow>, Vec<String>), ApiError> {
    let ids: Vec<String> = candidates.iter().map(|i| i.id.clone()).collect();
    let pending: std::collections::HashSet<String> = outbox::pending_of(c, &ids)?.into_iter().collect();
    let (mut go, mut skipped) = (Vec::new(), Vec::new());
    for inv in candidates {
        if inv.revoked_at.is_some() || pending.contains(&inv.id) {
            skipped.push(inv.id);
        } else {
            go.push(inv);
        }
    }
    Ok((go, skipped))
}

fn finish(
    c: &mut DbConn,
    who: &StaffPrincipal,
    exam: &ExamRow,
    action: &str,
    now: chrono::DateTime<chrono::Utc>,
    rows: Vec<OutboxRow>,
    skipped: Vec<String>,
) -> Result<SendSummary, ApiError> {
    let queued: Vec<String> = rows.into_iter().map(|r| r.invitation_id).collect();
    audit::record(
        c,
        now,
        &who.actor(),
        action,
        &format!("exam:{}", exam.id),
        serde_json::json!({"queued": queued.len(), "skipped": skipped.len(), "codes_replaced": queued}),
    )?;
    Ok(SendSummary { queued, skipped })
}

/// Sends (or resends) invitations by mail, each with a fresh code.
#[tracing::instrument(skip(state, request), fields(user = %who.id))]
pub async fn send(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    request: SendRequest,
) -> Result<SendSummary, ApiError> {
    let enabled = state.settings.mail_enabled();
    if request.invitation_ids.as_ref().is_some_and(|ids| ids.is_empty() || ids.len() > 10_000) {
        return Err(ApiError::field("invitation_ids", "name 1 to 10000 invitations, or leave it out for all unsent"));
    }
    let (who, now) = (who.clone(), state.clock.now());
    let summary = state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            require_mail(enabled)?;
            let candidates = match request.invitation_ids {
                Some(ids) => chosen(c, &exam, &ids)?,
                None => invitations::unstarted(c, &exam.id)?
                    .into_iter()
                    .filter(|(_, status)| status == email_status::NOT_SENT || status == email_status::FAILED)
                    .map(|(inv, _)| inv)
                    .collect(),
            };
            let (go, skipped) = split(c, candidates)?;
            let rows = queue_with_fresh_codes(c, &go, kind::INVITATION, to_db(now))?;
            finish(c, &who, &exam, "mail.send", now, rows, skipped)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(summary)
}

fn chosen(c: &mut DbConn, exam: &ExamRow, ids: &[String]) -> Result<Vec<InvitationRow>, ApiError> {
    let mut found = Vec::with_capacity(ids.len());
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        match invitations::get(c, id)? {
            Some(inv) if inv.exam_id == exam.id => {
                if seen.insert(inv.id.clone()) {
                    found.push(inv);
                }
            }
            _ => errors.push(FieldError {
                field: format!("invitation_ids[{i}]"),
                message: "no such invitation of this exam".into(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(ApiError::fields(errors))
    }
}

/// Reminds candidates who have not started and were mailed before: each gets a reminder with a fresh
/// code. Those never mailed (the recruiter handed their code out) are skipped, so a reminder never
/// changes a code the candidate was given by hand; so are those whose mail is still in the outbox.
#[tracing::instrument(skip(state), fields(user = %who.id))]
pub async fn remind(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<SendSummary, ApiError> {
    let enabled = state.settings.mail_enabled();
    let (who, now) = (who.clone(), state.clock.now());
    let summary = state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            require_mail(enabled)?;
            if now >= crate::store::time::from_db(exam.closes_at) {
                return Err(ApiError::conflict("exam_closed", "the exam has closed: a reminder would only disappoint"));
            }
            let mut never_mailed = Vec::new();
            let mut candidates = Vec::new();
            for (inv, status) in invitations::unstarted(c, &exam.id)? {
                if status == email_status::NOT_SENT {
                    never_mailed.push(inv.id);
                } else {
                    candidates.push(inv);
                }
            }
            let (go, mut skipped) = split(c, candidates)?;
            skipped.extend(never_mailed);
            let rows = queue_with_fresh_codes(c, &go, kind::REMINDER, to_db(now))?;
            finish(c, &who, &exam, "mail.remind", now, rows, skipped)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(summary)
}
