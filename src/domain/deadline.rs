//! When an attempt must end. The server's clock is the only clock.

use chrono::{DateTime, Duration, Utc};

/// The last year a date given to examd may fall in. Beyond it, times no longer fit RFC 3339 as every
/// client writes it, and a few days added to them overflow chrono's range.
pub const LAST_YEAR: i32 = 9999;

/// Whether a date given by a client is one examd can work with (years 1970 to [`LAST_YEAR`]).
pub fn is_reasonable(t: DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (1970..=LAST_YEAR).contains(&t.year())
}

/// `t` plus `seconds`, saturating at the ends of time instead of overflowing (which panics).
pub fn plus_seconds(t: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let fallback = if seconds < 0 { DateTime::<Utc>::MIN_UTC } else { DateTime::<Utc>::MAX_UTC };
    Duration::try_seconds(seconds).and_then(|d| t.checked_add_signed(d)).unwrap_or(fallback)
}

/// deadline = min(start + duration + extra time, closes_at).
pub fn deadline(
    started_at: DateTime<Utc>,
    duration_seconds: i64,
    extra_seconds: i64,
    closes_at: DateTime<Utc>,
) -> DateTime<Utc> {
    plus_seconds(started_at, duration_seconds.saturating_add(extra_seconds)).min(closes_at)
}

/// Saves are accepted until deadline + grace (network slack), refused after.
pub fn accepts_saves(now: DateTime<Utc>, deadline_at: DateTime<Utc>, grace_seconds: i64) -> bool {
    now <= plus_seconds(deadline_at, grace_seconds)
}

/// Whole seconds left before the deadline, never negative.
pub fn remaining_seconds(now: DateTime<Utc>, deadline_at: DateTime<Utc>) -> i64 {
    (deadline_at - now).num_seconds().max(0)
}

/// Why an exam cannot be started now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowError {
    /// Before `opens_at`.
    NotOpenYet(DateTime<Utc>),
    /// At or after `closes_at`.
    Closed(DateTime<Utc>),
}

/// Whether a new attempt may start now.
pub fn can_start(now: DateTime<Utc>, opens_at: DateTime<Utc>, closes_at: DateTime<Utc>) -> Result<(), WindowError> {
    if now < opens_at {
        Err(WindowError::NotOpenYet(opens_at))
    } else if now >= closes_at {
        Err(WindowError::Closed(closes_at))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn arithmetic_at_the_ends_of_time_saturates() {
        let far = t("+262142-01-01T00:00:00Z");
        assert!(!is_reasonable(far));
        assert!(is_reasonable(t("9999-12-31T23:59:59Z")) && !is_reasonable(t("1969-12-31T23:59:59Z")));
        assert_eq!(plus_seconds(DateTime::<Utc>::MAX_UTC, 60), DateTime::<Utc>::MAX_UTC);
        assert_eq!(plus_seconds(DateTime::<Utc>::MIN_UTC, -60), DateTime::<Utc>::MIN_UTC);
        assert_eq!(plus_seconds(far, i64::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(deadline(far, i64::MAX, i64::MAX, DateTime::<Utc>::MAX_UTC), DateTime::<Utc>::MAX_UTC);
        assert!(accepts_saves(far, DateTime::<Utc>::MAX_UTC, i64::MAX));
    }

    #[test]
    fn the_window_caps_the_deadline() {
        let start = t("2026-11-24T09:00:00Z");
        assert_eq!(deadline(start, 3600, 0, t("2026-11-24T18:00:00Z")), t("2026-11-24T10:00:00Z"));
        assert_eq!(deadline(start, 3600, 600, t("2026-11-24T18:00:00Z")), t("2026-11-24T10:10:00Z"));
        assert_eq!(deadline(start, 3600, 0, t("2026-11-24T09:30:00Z")), t("2026-11-24T09:30:00Z"));
    }

    #[test]
    fn grace_extends_saves_not_the_deadline() {
        let d = t("2026-11-24T10:00:00Z");
        assert!(accepts_saves(t("2026-11-24T10:00:30Z"), d, 30));
        assert!(!accepts_saves(t("2026-11-24T10:00:31Z"), d, 30));
        assert_eq!(remaining_seconds(t("2026-11-24T10:00:31Z"), d), 0);
        assert_eq!(remaining_seconds(t("2026-11-24T09:59:00Z"), d), 60);
    }

    #[test]
    fn starting_is_refused_outside_the_window() {
        let (open, close) = (t("2026-11-24T09:00:00Z"), t("2026-11-24T18:00:00Z"));
        assert_eq!(can_start(t("2026-11-24T08:59:59Z"), open, close), Err(WindowError::NotOpenYet(open)));
        assert!(can_start(open, open, close).is_ok());
        assert_eq!(can_start(close, open, close), Err(WindowError::Closed(close)));
    }
}
