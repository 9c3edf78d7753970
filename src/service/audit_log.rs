//! Audit events that do not belong to a transaction of their own request, group-committed. A code
//! exchange writes nothing else, and thousands of candidates exchange their codes in the minute an
//! exam opens: one transaction (and on SQLite one fsync) per exchange would cap the rate at the disk's.

use chrono::{DateTime, Utc};

use super::group_commit::GroupCommit;
use crate::error::ApiError;
use crate::store::{audit, Db, DbConn};

/// Most events written in one transaction.
const MAX_BATCH: usize = 1_000;
/// Most events waiting before new ones are refused (503).
const QUEUE_DEPTH: usize = 20_000;

/// One event to append.
#[derive(Debug)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who, as `candidate:<invitation id>`, `user:<id>` or `system`.
    pub actor: String,
    /// What, e.g. `access.token`.
    pub action: &'static str,
    /// On what, e.g. `invitation:<id>`.
    pub subject: String,
    /// Details.
    pub detail: serde_json::Value,
}

/// The handle requests use to append events.
#[derive(Debug, Clone)]
pub struct AuditLog {
    commit: GroupCommit<AuditEntry, ()>,
}

impl AuditLog {
    /// Starts the writer thread on `db`.
    pub fn start(db: Db) -> AuditLog {
        AuditLog { commit: GroupCommit::start("audit", db, MAX_BATCH, QUEUE_DEPTH, Box::new(write_batch)) }
    }

    /// Appends an event and waits until it is committed.
    pub async fn record(&self, entry: AuditEntry) -> Result<(), ApiError> {
        self.commit.submit(entry).await
    }
}

fn write_batch(c: &mut DbConn, entries: &[AuditEntry]) -> Result<Vec<Result<(), ApiError>>, ApiError> {
    for e in entries {
        audit::record(c, e.at, &e.actor, e.action, &e.subject, e.detail.clone())?;
    }
    Ok(entries.iter().map(|_| Ok(())).collect())
}
