//! argon2id password hashing, off the async workers and bounded to the machine's cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Hashes and verifies passwords with a fixed cost; at most one hash per core runs at a time so a
/// login flood queues (and then gets 429) instead of exhausting memory.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Logins waiting for a hashing slot; past [`MAX_WAITING_PER_CORE`] per core the next is told to
    /// come back later at once, so a flood costs neither memory nor CPU.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    /// Verified against when the e-mail is unknown, so the answer takes as long as for a known one.
    dummy_hash: Arc<String>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("params", &self.params).finish()
    }
}

/// How long a login waits for a free hashing slot before it is told to come back later.
const QUEUE_WAIT: Duration = Duration::from_secs(5);
/// Logins allowed to wait per core.
const MAX_WAITING_PER_CORE: usize = 32;

impl PasswordHasher {
    /// A hasher with this argon2id cost.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<PasswordHasher, String> {
        let params = Params::new(memory_kib, iterations, parallelism, None).map_err(|e| e.to_string())?;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let mut hasher = PasswordHasher {
            params,
            permits: Arc::new(Semaphore::new(cores)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: cores * MAX_WAITING_PER_CORE,
            dummy_hash: Arc::new(String::new()),
        };
        hasher.dummy_hash = Arc::new(hasher.hash_now("examd dummy password")?);
        Ok(hasher)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes on the calling thread (for the CLI and start-up).
    pub fn hash_now(&self, password: &str) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    }

    /// Hashes on the blocking pool.
    pub async fn hash(&self, password: SecretString) -> Result<String, ApiError> {
        let this = self.clone();
        self.bounded(move || this.hash_now(password.expose_secret()).map_err(ApiError::internal)).await
    }

    /// Verifies `password` against `stored`, or against a dummy hash when there is no account, so both
    /// cases cost the same; returns whether it matched.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool, ApiError> {
        let this = self.clone();
        self.bounded(move || {
            let known = stored.is_some();
            let hash = stored.unwrap_or_else(|| this.dummy_hash.to_string());
            let parsed = PasswordHash::new(&hash).map_err(|e| ApiError::internal(format!("stored hash: {e}")))?;
            let matched = this.argon2().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok();
            Ok(known && matched)
        })
        .await
    }

    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::TooManyRequests(1));
        }
        let acquired = tokio::time::timeout(QUEUE_WAIT, self.permits.clone().acquire_owned()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = acquired
            .map_err(|_| ApiError::TooManyRequests(1))?
            .map_err(|_| ApiError::internal("hashing semaphore closed"))?;
        let result = actix_web::web::block(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| ApiError::internal(format!("hashing task failed: {e}")))?;
        result
    }
}
