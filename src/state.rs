//! What every request handler and background task shares.

use std::sync::Arc;

use crate::auth::limiter::FailureLimiter;
use crate::auth::password::PasswordHasher;
use crate::auth::token::TokenKeys;
use crate::clock::Clock;
use crate::service::attempt_owners::AttemptOwners;
use crate::service::autosave::AutoSave;
use crate::service::paper_cache::PaperCache;
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
    /// Failed-login brake (also failed access codes, keyed by client address).
    pub login_failures: Arc<FailureLimiter>,
    /// Parsed published papers.
    pub papers: PaperCache,
    /// Who owns each attempt (fixed facts only).
    pub attempt_owners: AttemptOwners,
    /// The group-committing answer writer.
    pub autosave: AutoSave,
}
