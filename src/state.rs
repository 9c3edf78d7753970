//! What every request handler and background task shares.

use std::sync::Arc;

use crate::auth::limiter::Brakes;
use crate::auth::password::PasswordHasher;
use crate::auth::token::TokenKeys;
use crate::clock::Clock;
use crate::service::attempt_owners::AttemptOwners;
use crate::service::audit_log::AuditLog;
use crate::service::autosave::AutoSave;
use crate::service::paper_cache::PaperCache;
use crate::service::token_standing::StaffStandings;
use crate::settings::Settings;
use crate::store::Db;

/// Shared, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings in force.
    pub settings: Arc<Settings>,
    /// The only clock.
    pub clock: Arc<dyn Clock>,
    /// Token signing.
    pub tokens: Arc<TokenKeys>,
    /// Password hashing.
    pub passwords: PasswordHasher,
    /// Brakes on guessing passwords and access codes.
    pub brakes: Arc<Brakes>,
    /// Parsed published papers.
    pub papers: PaperCache,
    /// Who owns each attempt (fixed facts only).
    pub attempt_owners: AttemptOwners,
    /// The group-committing answer writer.
    pub autosave: AutoSave,
    /// The group-committing writer of audit events that stand alone (code exchanges).
    pub audit_log: AuditLog,
    /// What this instance knows of staff accounts' token versions.
    pub staff_standings: Arc<StaffStandings>,
    /// Wakes this instance's mail sender when mail was queued (it also looks every second, for mail
    /// queued by other instances and retries coming due).
    pub mail_wake: Arc<tokio::sync::Notify>,
}
