//! The SMTP transport: `smtp_url` read the way the settings document it, one pooled `lettre` transport
//! per instance, and each reply sorted into sent, try again (4xx, network) or failed for good (5xx).

use std::str::FromStr;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::domain::mail::RenderedMail;

/// How one try ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted the mail.
    Sent,
    /// Try again later: a 4xx reply, a refused connection, a timeout. Carries the reply.
    Transient(String),
    /// Do not try again: a 5xx reply, an address the server or lettre refuses. Carries the reply.
    Permanent(String),
}

/// The URL lettre is given for `smtp_url`. `smtp://` with credentials or on port 587 requires STARTTLS
/// (lettre's bare `smtp://` is plain text, and a password must never cross the network in clear);
/// `smtp://host:25` without credentials stays plain, for a relay on the same machine or network; an
/// explicit `tls=` parameter is kept as given.
pub fn lettre_url(url: &str) -> String {
    let url = url.trim();
    let Some(rest) = url.strip_prefix("smtp://") else { return url.to_string() };
    if url.contains("tls=") {
        return url.to_string();
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') || authority.ends_with(":587") {
        let joiner = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joiner}tls=required")
    } else {
        url.to_string()
    }
}

/// Checks `smtp_url` without connecting; the error never repeats the URL (it may hold a password).
pub fn check_url(url: &str) -> Result<(), String> {
    if !(url.trim().starts_with("smtp://") || url.trim().starts_with("smtps://")) {
        return Err("expected smtp://host:port or smtps://host:port".into());
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url(url))
        .map(drop)
        .map_err(|e| format!("cannot be read ({})", e.to_string().replace(url, "…")))
}

/// The address of `Name <address>` or of a bare address.
pub fn address_of(from: &str) -> &str {
    let from = from.trim();
    match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => &from[open + 1..close],
        _ => from,
    }
}

/// One instance's SMTP transport and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport (it connects on first use, and keeps connections pooled).
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        check_url(url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url(url))
            .map_err(|_| "smtp_url cannot be read".to_string())?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = Mailbox::from_str(from.trim())
            .or_else(|_| Address::from_str(address_of(from)).map(|a| Mailbox::new(None, a)))
            .map_err(|e| format!("mail_from: {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one mail; `id` becomes its Message-ID, so a receiver can recognise a repeat.
    pub async fn send(&self, id: &str, to_name: &str, to_email: &str, mail: &RenderedMail) -> Outcome {
        let to = match Address::from_str(to_email) {
            Ok(address) => Mailbox::new(Some(to_name.to_string()), address),
            Err(e) => return Outcome::Permanent(format!("the address cannot be used: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{id}@examd>")))
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()));
        let message = match message {
            Ok(m) => m,
            Err(e) => return Outcome::Permanent(format!("the mail cannot be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Permanent(e.to_string()),
            Err(e) => Outcome::Transient(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_submission_port_require_starttls() {
        assert_eq!(lettre_url("smtp://localhost:25"), "smtp://localhost:25");
        assert_eq!(lettre_url("smtp://u:p@mail.example.com:587"), "smtp://u:p@mail.example.com:587?tls=required");
        assert_eq!(lettre_url("smtp://mail.example.com:587"), "smtp://mail.example.com:587?tls=required");
        assert_eq!(lettre_url("smtp://h:25?tls=opportunistic"), "smtp://h:25?tls=opportunistic");
        assert_eq!(lettre_url("smtps://u:p@h:465"), "smtps://u:p@h:465");
        assert!(check_url("smtp://127.0.0.1:2525").is_ok() && check_url("smtps://h:465").is_ok());
        let e = check_url("http://user:secret@h").unwrap_err();
        assert!(!e.contains("secret"));
    }

    // The pooled transport starts its reaper task on the tokio runtime it is built in.
    #[tokio::test]
    async fn the_sender_may_carry_a_name() {
        assert_eq!(address_of("examd <exam@example.com>"), "exam@example.com");
        assert_eq!(address_of("exam@example.com"), "exam@example.com");
        assert!(Mailer::new("smtp://127.0.0.1:2525", "考试 <exam@example.com>").is_ok());
    }
}
