//! Timestamps are stored as naive UTC, truncated to microseconds so both engines give back what was stored.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// A UTC instant as stored.
pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

/// A stored instant as UTC.
pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}
