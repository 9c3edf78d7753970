//! The background mail sender, one per instance: claims due mails from the outbox, sends them at most
//! `smtp_max_per_second`, and group-commits each outcome. Several instances on one PostgreSQL each
//! claim different mails; a claim whose instance died comes back after `mail_lease_seconds`.
//!
//! A mail is marked sent, and its code wiped, in the commit right after the SMTP server accepted it.
//! Only an instance killed between those two moments (milliseconds) leaves a mail to be sent again;
//! SMTP has no way to ask a server whether it already took a mail, so this is the narrowest a sender
//! can make it. The Message-ID is the outbox id, so a receiver can recognise such a repeat.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use tokio::sync::Semaphore;

use super::group_commit::GroupCommit;
use super::new_id;
use crate::domain::mail::{render, Language, MailFacts, Template};
use crate::error::ApiError;
use crate::mail::transport::{Mailer, Outcome};
use crate::state::AppState;
use crate::store::outbox::{self, ClaimedMail};
use crate::store::time::{from_db, to_db};
use crate::store::{dialect, DbConn};

/// Tries before a mail that keeps failing transiently is given up on (about 2 hours of backoff).
const MAX_TRIES: i32 = 8;
/// First retry delay; it doubles with every try, up to an hour.
const FIRST_RETRY_SECONDS: i64 = 30;
/// Mails in flight at once: the SMTP round trips of one overlap the others', still paced by the rate.
const IN_FLIGHT: usize = 4;

/// What one try came to, for the outcome writer.
#[derive(Debug)]
struct Delivery {
    outbox_id: String,
    invitation_id: String,
    result: Recorded,
}

#[derive(Debug)]
enum Recorded {
    Sent(DateTime<Utc>),
    Retry(DateTime<Utc>, String),
    Failed(String),
}

/// The delay before try `tries + 1`, after `tries` failed.
pub fn retry_delay(tries: i32) -> chrono::Duration {
    let doubled = FIRST_RETRY_SECONDS.saturating_mul(1_i64 << tries.clamp(0, 20));
    chrono::Duration::seconds(doubled.min(3600))
}

struct Sender {
    state: AppState,
    mailer: Mailer,
    outcomes: GroupCommit<Delivery, ()>,
    public_base: String,
}

/// Runs until the process ends; returns at once when no `smtp_url` is set.
pub async fn run_sender(state: AppState) {
    if !state.settings.mail_enabled() {
        return;
    }
    let mailer = match Mailer::new(state.settings.smtp_url.expose_secret(), &state.settings.mail_from) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail cannot be sent; queued mail stays in the outbox");
            return;
        }
    };
    let outcomes = GroupCommit::start("mail", state.db.clone(), 500, 10_000, Box::new(write_outcomes));
    let rate = state.settings.smtp_max_per_second.max(1);
    let lease = state.settings.mail_lease_seconds;
    // A batch takes a third of the lease at the full rate, so its last mail goes out well before
    // another instance may take it over.
    let batch = (i64::from(rate) * lease / 3).clamp(1, 200);
    let public_base = state.settings.public_base();
    let sender = Rc::new(Sender { state: state.clone(), mailer, outcomes, public_base });
    let instance = format!("mailer-{}", new_id());
    let mut pace = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let claimed = claim(&state, &instance, lease, batch).await;
        let mails = match claimed {
            Ok(mails) if !mails.is_empty() => mails,
            Ok(_) => {
                // Nothing due: wait for this instance's next queued mail, or look again in a second
                // (mail queued elsewhere, retries coming due).
                let _ = tokio::time::timeout(Duration::from_secs(1), state.mail_wake.notified()).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim mail; will try again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for mail in mails {
            pace.tick().await;
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let sender = sender.clone();
            actix_web::rt::spawn(async move {
                sender.deliver(mail).await;
                drop(slot);
            });
        }
        // The next claim waits for this batch, so no mail of it can be claimed by this instance twice.
        if slots.acquire_many(IN_FLIGHT as u32).await.is_err() {
            return;
        }
    }
}

async fn claim(state: &AppState, instance: &str, lease: i64, batch: i64) -> Result<Vec<ClaimedMail>, ApiError> {
    let (instance, now) = (instance.to_string(), state.clock.now());
    let until = now + chrono::Duration::seconds(lease);
    state
        .db
        .write(move |c| {
            let ids = dialect::claim_mail(c, &instance, to_db(now), to_db(until), batch)?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            Ok(outbox::claimed(c, &ids)?)
        })
        .await
}

impl Sender {
    async fn deliver(&self, mail: ClaimedMail) {
        let outcome = match self.render(&mail) {
            Some((facts, rendered)) => self.mailer.send(&mail.id, &facts.name, &mail.email, &rendered).await,
            None => Outcome::Permanent("the access code is no longer held; send the invitation again".into()),
        };
        let now = self.state.clock.now();
        let tries = mail.attempts + 1;
        let result = match outcome {
            Outcome::Sent => Recorded::Sent(now),
            Outcome::Transient(reply) if tries >= MAX_TRIES => {
                Recorded::Failed(format!("gave up after {tries} tries: {reply}"))
            }
            Outcome::Transient(reply) => Recorded::Retry(now + retry_delay(mail.attempts), reply),
            Outcome::Permanent(reply) => Recorded::Failed(reply),
        };
        // Ids and outcomes only: the code and the mail's text are never logged.
        match &result {
            Recorded::Sent(_) => {
                tracing::info!(outbox = %mail.id, invitation = %mail.invitation_id, tries, "mail sent")
            }
            Recorded::Retry(at, reply) => {
                tracing::warn!(outbox = %mail.id, tries, retry_at = %at, reply = %reply, "mail deferred")
            }
            Recorded::Failed(reply) => tracing::warn!(outbox = %mail.id, tries, reply = %reply, "mail failed"),
        }
        let delivery = Delivery { outbox_id: mail.id.clone(), invitation_id: mail.invitation_id, result };
        if let Err(e) = self.outcomes.submit(delivery).await {
            // Left claimed: after the lease it is tried again (a sent one then goes twice; see above).
            tracing::error!(outbox = %mail.id, error = %e, "cannot record a mail's outcome");
        }
    }

    fn render(&self, mail: &ClaimedMail) -> Option<(MailFacts, crate::domain::mail::RenderedMail)> {
        let code = mail.access_code.clone()?;
        let language = mail
            .invitation_language
            .as_deref()
            .and_then(|l| Language::parse(l).ok())
            .or_else(|| mail.exam_language.as_deref().and_then(|l| Language::parse(l).ok()))
            .unwrap_or(Language::Zh);
        let facts = MailFacts {
            name: mail.name.clone(),
            exam: mail.exam_title.clone(),
            start_url: format!("{}/take#{code}", self.public_base),
            code,
            opens_at: from_db(mail.opens_at),
            closes_at: from_db(mail.closes_at),
            duration_seconds: i64::from(mail.duration_seconds),
            language,
            reminder: mail.kind == outbox::kind::REMINDER,
        };
        // Templates were checked when saved; one that no longer parses falls back to the built-in text.
        let subject = mail.mail_subject.as_deref().and_then(|s| Template::parse(s).ok());
        let body = mail.mail_body.as_deref().and_then(|s| Template::parse(s).ok());
        let rendered = render(subject.as_ref(), body.as_ref(), &facts);
        Some((facts, rendered))
    }
}

fn write_outcomes(c: &mut DbConn, batch: &[Delivery]) -> Result<Vec<Result<(), ApiError>>, ApiError> {
    for d in batch {
        match &d.result {
            Recorded::Sent(at) => outbox::mark_sent(c, &d.outbox_id, &d.invitation_id, to_db(*at))?,
            Recorded::Retry(at, reply) => outbox::mark_retry(c, &d.outbox_id, &d.invitation_id, to_db(*at), reply)?,
            Recorded::Failed(reply) => outbox::mark_failed(c, &d.outbox_id, &d.invitation_id, reply)?,
        }
    }
    Ok(batch.iter().map(|_| Ok(())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(retry_delay(0).num_seconds(), 30);
        assert_eq!(retry_delay(1).num_seconds(), 60);
        assert_eq!(retry_delay(6).num_seconds(), 1920);
        assert_eq!(retry_delay(7).num_seconds(), 3600);
        assert_eq!(retry_delay(40).num_seconds(), 3600);
    }
}
