//! Mail out: the SMTP side of delivery, through `lettre` (no SMTP is written here). What a mail says is
//! `domain::mail`; when and how often it is sent is `service::mailer`.

pub mod transport;
