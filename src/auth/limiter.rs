//! Brakes on guessing secrets (staff passwords, candidates' access codes). The policy, in one place:
//!
//! - A wrong secret is answered after a delay that grows with the failures counted against it (the
//!   account for a password, the address for a code), so guessing is slow; a right secret is never
//!   delayed.
//! - A password is refused without being checked (429) once the same *account from the same address*
//!   has failed [`Brakes::per_pair`] times in the window: that pair is the guesser, or a person who
//!   forgot, and a colleague or an attacker elsewhere cannot lock the account's owner out.
//! - An address that has failed [`Brakes::per_address`] times (a larger budget: a test centre behind
//!   one NAT shares it) has its wrong answers told apart as 429 with `Retry-After`, but its right
//!   secrets still pass: nobody is refused the right secret because someone else failed.
//!
//! Counts are per instance (see docs/decisions.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What is being guessed.
#[derive(Debug, Clone, Copy)]
pub enum Secret<'a> {
    /// A staff account's password; the account is its e-mail.
    Password {
        /// The normalised e-mail.
        account: &'a str,
    },
    /// An invitation's access code.
    AccessCode,
}

/// The brakes, with their budgets.
#[derive(Debug)]
pub struct Brakes {
    failures: FailureCounts,
    /// Failures of one account from one address before its password is no longer checked.
    pub per_pair: u32,
    /// Failures of one address before its wrong answers are 429.
    pub per_address: u32,
    /// Added to the delay of a refusal for every failure past the third.
    pub delay_step: Duration,
}

/// Longest delay before a refusal.
const MAX_DELAY: Duration = Duration::from_secs(2);
/// Failures answered without delay (typos).
const FREE_FAILURES: u32 = 3;

impl Brakes {
    /// Brakes counting failures in `window`.
    pub fn new(per_pair: u32, per_address: u32, window: Duration, delay_step: Duration) -> Brakes {
        Brakes { failures: FailureCounts::new(window), per_pair, per_address, delay_step }
    }

    fn keys(secret: Secret<'_>, address: &str) -> (Option<String>, String) {
        match secret {
            Secret::Password { account } => (Some(format!("pair:{account}|{address}")), format!("login-ip:{address}")),
            Secret::AccessCode => (None, format!("access-ip:{address}")),
        }
    }

    /// Before the secret is checked: `Err(retry after seconds)` when it must not be.
    pub fn before(&self, secret: Secret<'_>, address: &str) -> Result<(), u64> {
        match Brakes::keys(secret, address) {
            (Some(pair), _) => self.failures.over(&pair, self.per_pair),
            (None, _) => Ok(()),
        }
    }

    /// After a wrong secret: counts it, waits the delay, and says whether to answer 429 (with the
    /// seconds to wait) instead of 401.
    pub async fn refuse(&self, secret: Secret<'_>, address: &str) -> Option<u64> {
        let (pair, ip) = Brakes::keys(secret, address);
        let account = match secret {
            Secret::Password { account } => Some(format!("account:{account}")),
            Secret::AccessCode => None,
        };
        // Whether this failure goes past a budget already spent (the ones within it are told apart from
        // a lock-out only by their delay).
        let pair_over = pair.as_deref().and_then(|k| self.failures.over(k, self.per_pair).err());
        let over = pair_over.or_else(|| self.failures.over(&ip, self.per_address).err());
        let counted: Vec<String> = [pair, Some(ip.clone()), account.clone()].into_iter().flatten().collect();
        self.failures.fail(&counted);
        // The delay follows whichever count is highest: the account's own (guessed from anywhere) or
        // the address's (guessing anything).
        let worst = [account.as_deref(), Some(ip.as_str())].into_iter().flatten().map(|k| self.failures.count(k)).max();
        let delay = self.delay_step.saturating_mul(worst.unwrap_or(0).saturating_sub(FREE_FAILURES)).min(MAX_DELAY);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        over
    }

    /// After a right secret: the pair's failures are forgotten (the person got in).
    pub fn succeeded(&self, secret: Secret<'_>, address: &str) {
        if let (Some(pair), _) = Brakes::keys(secret, address) {
            self.failures.forget(&pair);
        }
    }
}

/// Failures per key in a fixed window.
#[derive(Debug)]
struct FailureCounts {
    window: Duration,
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Bound on remembered keys, so an attacker cycling addresses cannot grow memory without limit.
const MAX_KEYS: usize = 100_000;

impl FailureCounts {
    fn new(window: Duration) -> FailureCounts {
        FailureCounts { window, entries: Mutex::new(HashMap::new()) }
    }

    /// Failures of `key` in the current window.
    fn count(&self, key: &str) -> u32 {
        let Ok(entries) = self.entries.lock() else { return 0 };
        entries.get(key).filter(|(start, _)| start.elapsed() < self.window).map(|(_, n)| *n).unwrap_or(0)
    }

    /// `Err(seconds left in the window)` when `key` has `max` failures or more.
    fn over(&self, key: &str, max: u32) -> Result<(), u64> {
        let Ok(entries) = self.entries.lock() else { return Ok(()) };
        match entries.get(key) {
            Some((start, count)) if *count >= max && start.elapsed() < self.window => {
                Err((self.window - start.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brakes() -> Brakes {
        Brakes::new(3, 6, Duration::from_secs(60), Duration::ZERO)
    }

    #[actix_web::test]
    async fn a_guesser_locks_only_their_own_pair() {
        let b = brakes();
        let ann = Secret::Password { account: "ann@x.com" };
        for _ in 0..3 {
            assert_eq!(b.refuse(ann, "10.0.0.1").await, None);
        }
        assert!(b.before(ann, "10.0.0.1").is_err());
        // Ann herself, elsewhere, is still checked.
        assert!(b.before(ann, "10.0.0.2").is_ok());
        b.succeeded(ann, "10.0.0.1");
        assert!(b.before(ann, "10.0.0.1").is_ok());
    }

    #[actix_web::test]
    async fn an_address_over_its_budget_is_told_429_but_still_checked() {
        let b = brakes();
        for _ in 0..6 {
            assert_eq!(b.refuse(Secret::AccessCode, "10.0.0.9").await, None);
        }
        assert!(b.refuse(Secret::AccessCode, "10.0.0.9").await.is_some());
        // Codes are never refused unchecked: the right one from the same NAT passes.
        assert!(b.before(Secret::AccessCode, "10.0.0.9").is_ok());
        assert!(b.before(Secret::Password { account: "bo@x.com" }, "10.0.0.9").is_ok());
    }

    #[actix_web::test]
    async fn refusals_slow_down_past_the_free_ones() {
        let b = Brakes::new(100, 100, Duration::from_secs(60), Duration::from_millis(20));
        let ann = Secret::Password { account: "ann@x.com" };
        for i in 0..3 {
            b.refuse(ann, &format!("10.0.1.{i}")).await;
        }
        let started = Instant::now();
        b.refuse(ann, "10.0.1.9").await;
        // The fourth failure on the account, from a fresh address, waits one step.
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}
