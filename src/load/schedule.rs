//! When each request of a run is meant to be sent. Open-loop runs measure latency from these intended
//! times, not from when the request actually left: a server that stalls for a second then delays every
//! request scheduled in that second, and each of them must count the wait (the "coordinated omission"
//! that a closed-loop measurement hides, recording a single slow sample for the whole stall).

use std::time::{Duration, Instant};

/// Offset of candidate `i` of `n` when their starts are spread evenly over `within`.
pub fn start_offset(i: usize, n: usize, within: Duration) -> Duration {
    if n == 0 {
        return Duration::ZERO;
    }
    within.mul_f64(i as f64 / n as f64)
}

/// Offset of the `k`-th save of candidate `i` of `n`, at `rate` saves per second across all candidates.
///
/// Saves are dealt round-robin: the global sequence number of this save is `k * n + i`, so the candidates
/// take turns and every one of them saves at `rate / n` per second.
pub fn save_offset(i: usize, k: u64, n: usize, rate: f64) -> Duration {
    let global = k as f64 * n as f64 + i as f64;
    Duration::from_secs_f64(global / rate)
}

/// Saves per candidate that a run of `duration` at `rate` saves per second needs (at least one).
pub fn saves_for(duration: Duration, rate: f64, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    ((rate * duration.as_secs_f64()) / n as f64).ceil().max(1.0) as u64
}

/// Latency of a request meant to leave at `intended` and answered at `done`: it includes any time the
/// request waited for its turn.
pub fn latency_since(intended: Instant, done: Instant) -> Duration {
    done.saturating_duration_since(intended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_spread_evenly_over_the_window() {
        let within = Duration::from_secs(10);
        assert_eq!(start_offset(0, 5000, within), Duration::ZERO);
        assert_eq!(start_offset(2500, 5000, within), Duration::from_secs(5));
        assert!(start_offset(4999, 5000, within) < within);
        assert_eq!(start_offset(3, 10, Duration::ZERO), Duration::ZERO);
        assert_eq!(start_offset(0, 0, within), Duration::ZERO);
    }

    #[test]
    fn saves_are_dealt_round_robin_at_the_global_rate() {
        // 10 candidates at 1000 saves/s: one save every millisecond, each candidate every 10 ms.
        assert_eq!(save_offset(0, 0, 10, 1000.0), Duration::ZERO);
        assert_eq!(save_offset(3, 0, 10, 1000.0), Duration::from_millis(3));
        assert_eq!(save_offset(3, 1, 10, 1000.0), Duration::from_millis(13));
        assert_eq!(save_offset(9, 99, 10, 1000.0), Duration::from_millis(999));
        assert_eq!(saves_for(Duration::from_secs(30), 10_000.0, 1000), 300);
        assert_eq!(saves_for(Duration::from_millis(1), 1.0, 1000), 1);
    }

    /// One connection, 100 saves/s scheduled, the server stalls for one second on the 10th request and
    /// answers every other one in 1 ms. Measured from the send, only the stalled request is slow; measured
    /// from the intended time, the ~100 requests queued behind the stall carry their wait too.
    #[test]
    fn latency_from_the_intended_time_counts_the_queue_behind_a_stall() {
        let t0 = Instant::now();
        let (mut free_at, mut from_send, mut from_intent) = (t0, Vec::new(), Vec::new());
        for k in 0..200u64 {
            let intended = t0 + save_offset(0, k, 1, 100.0);
            let sent = intended.max(free_at);
            let service = if k == 10 { Duration::from_secs(1) } else { Duration::from_millis(1) };
            let done = sent + service;
            free_at = done;
            from_send.push(done - sent);
            from_intent.push(latency_since(intended, done));
        }
        let slow = |v: &[Duration]| v.iter().filter(|d| **d >= Duration::from_millis(100)).count();
        assert_eq!(slow(&from_send), 1);
        assert!(slow(&from_intent) >= 90, "{}", slow(&from_intent));
        assert_eq!(from_intent[10], Duration::from_secs(1));
        assert_eq!(from_intent[11], Duration::from_millis(991));
        // Once the queue drains, requests are on time again.
        assert_eq!(from_intent[199], Duration::from_millis(1));
    }

    #[test]
    fn an_early_answer_is_not_a_negative_latency() {
        let t = Instant::now();
        assert_eq!(latency_since(t + Duration::from_secs(1), t), Duration::ZERO);
    }
}
