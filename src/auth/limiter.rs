//! Slows password guessing: after too many failures for one account or one client address in a window,
//! logins are refused with 429 and a Retry-After until the window passes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per key (`email:…`, `ip:…`) in a fixed window.
#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Bound on remembered keys, so an attacker cycling addresses cannot grow memory without limit.
const MAX_KEYS: usize = 100_000;

impl FailureLimiter {
    /// Allows `max_failures` per `window`.
    pub fn new(max_failures: u32, window: Duration) -> FailureLimiter {
        FailureLimiter { max_failures, window, entries: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds)` when any of the keys is locked out now.
    pub fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(entries) = self.entries.lock() else { return Ok(()) };
        for key in keys {
            if let Some((start, count)) = entries.get(key) {
                let elapsed = now.duration_since(*start);
                if *count >= self.max_failures && elapsed < self.window {
                    return Err((self.window - elapsed).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    /// Records a failure for each key.
    pub fn fail(&self, keys: &[String]) {
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

    /// Forgets failures of an account after a successful login.
    pub fn succeed(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_the_limit_and_forgets_on_success() {
        let limiter = FailureLimiter::new(2, Duration::from_secs(60));
        let keys = vec!["email:a".to_string(), "ip:1".to_string()];
        assert!(limiter.check(&keys).is_ok());
        limiter.fail(&keys);
        limiter.fail(&keys);
        assert!(limiter.check(&keys).is_err());
        assert!(limiter.check(&["email:b".to_string()]).is_ok());
        limiter.succeed("email:a");
        assert!(limiter.check(&["email:a".to_string()]).is_ok());
    }
}
