//! What a run measured: per phase, successes with their latency in an HDR histogram, failures by kind,
//! and throughput over the phase's wall time; rendered as text for people and as JSON for scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest latency the histogram tracks exactly; slower answers are clamped to it (and still counted).
const MAX_TRACKED_MICROS: u64 = 300_000_000;

/// Counts of one phase while it runs.
#[derive(Debug)]
pub struct PhaseStats {
    name: &'static str,
    histogram: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
    began: Option<Instant>,
    ended: Option<Instant>,
}

impl PhaseStats {
    /// An empty phase named for the report.
    pub fn new(name: &'static str) -> PhaseStats {
        // Three significant digits from 1 µs to 5 minutes: microsecond resolution in a few hundred KiB.
        // These constant bounds are valid, so construction cannot fail at run time.
        let histogram = Histogram::new_with_bounds(1, MAX_TRACKED_MICROS, 3)
            .unwrap_or_else(|e| unreachable!("constant histogram bounds are valid: {e}"));
        PhaseStats { name, histogram, ok: 0, errors: BTreeMap::new(), began: None, ended: None }
    }

    /// Marks the start of the phase's wall time (the first call counts).
    pub fn begin(&mut self, at: Instant) {
        self.began.get_or_insert(at);
    }

    /// Marks the end of the phase's wall time (the last call counts).
    pub fn end(&mut self, at: Instant) {
        self.ended = Some(self.ended.map_or(at, |e| e.max(at)));
    }

    /// A success and how long it took.
    pub fn ok(&mut self, latency: Duration) {
        self.ok += 1;
        let micros = (latency.as_micros() as u64).clamp(1, MAX_TRACKED_MICROS);
        // Cannot fail: the value is clamped into the histogram's bounds.
        let _ = self.histogram.record(micros);
    }

    /// A failure of this kind (e.g. `409 stale_seq`, `transport: timeout`).
    pub fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_default() += 1;
    }

    /// Successes so far.
    pub fn successes(&self) -> u64 {
        self.ok
    }

    /// The phase's figures.
    pub fn summary(&self) -> PhaseReport {
        let elapsed = match (self.began, self.ended) {
            (Some(b), Some(e)) => e.saturating_duration_since(b).as_secs_f64(),
            _ => 0.0,
        };
        let ms = |micros: u64| micros as f64 / 1000.0;
        let h = &self.histogram;
        PhaseReport {
            name: self.name.to_string(),
            ok: self.ok,
            failed: self.errors.values().sum(),
            elapsed_seconds: elapsed,
            per_second: if elapsed > 0.0 { self.ok as f64 / elapsed } else { 0.0 },
            latency_ms: Latency {
                p50: ms(h.value_at_quantile(0.50)),
                p90: ms(h.value_at_quantile(0.90)),
                p99: ms(h.value_at_quantile(0.99)),
                p999: ms(h.value_at_quantile(0.999)),
                max: ms(h.max()),
                mean: h.mean() / 1000.0,
            },
            errors: self.errors.clone(),
        }
    }
}

/// Latency percentiles of the successes, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

/// One phase's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    /// `baseline`, `access`, `start`, `save`, `submit`, `claim` or `score`.
    pub name: String,
    /// Successful requests (2xx; 204 for a claim with nothing left).
    pub ok: u64,
    /// Failed requests.
    pub failed: u64,
    /// Wall time of the phase.
    pub elapsed_seconds: f64,
    /// Successes per second of wall time.
    pub per_second: f64,
    /// Latency of the successes.
    pub latency_ms: Latency,
    /// Failures by kind: HTTP status and problem `code`, or the transport error.
    pub errors: BTreeMap<String, u64>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The servers driven.
    pub targets: Vec<String>,
    /// Candidates invited and driven.
    pub candidates: usize,
    /// Concurrent requests at most.
    pub connections: usize,
    /// `rate R/s (open loop)` or `burst (closed loop)`.
    pub mode: String,
    /// The phases that ran, in order.
    pub phases: Vec<PhaseReport>,
    /// Acknowledged saves per second divided by `/healthz` answers per second, when both ran.
    pub save_to_baseline: Option<f64>,
    /// Marking tasks handed to more than one marker (must be 0).
    pub double_claims: u64,
    /// Remarks, e.g. that the marking routes are missing.
    pub notes: Vec<String>,
}

impl Report {
    /// The phase of this name, if it ran.
    pub fn phase(&self, name: &str) -> Option<&PhaseReport> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// Failed requests over every phase.
    pub fn failures(&self) -> u64 {
        self.phases.iter().map(|p| p.failed).sum()
    }

    /// Fills in the ratio of saves to the baseline.
    pub fn compute_ratio(&mut self) {
        let rate = |name: &str| self.phase(name).map(|p| p.per_second).filter(|r| *r > 0.0);
        self.save_to_baseline = rate("save").zip(rate("baseline")).map(|(s, b)| s / b);
    }

    /// The report as a table.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "targets: {}", self.targets.join(", "));
        let _ =
            writeln!(out, "candidates: {}  connections: {}  mode: {}", self.candidates, self.connections, self.mode);
        let _ = writeln!(
            out,
            "{:<9} {:>9} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "phase", "ok", "failed", "seconds", "per sec", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"
        );
        for p in &self.phases {
            let l = &p.latency_ms;
            let _ = writeln!(
                out,
                "{:<9} {:>9} {:>7} {:>9.2} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                p.name, p.ok, p.failed, p.elapsed_seconds, p.per_second, l.p50, l.p90, l.p99, l.p999, l.max
            );
        }
        for p in self.phases.iter().filter(|p| !p.errors.is_empty()) {
            for (kind, n) in &p.errors {
                let _ = writeln!(out, "error     {:<9} {n:>9}  {kind}", p.name);
            }
        }
        if let Some(r) = self.save_to_baseline {
            let _ = writeln!(out, "saves/s ÷ baseline/s: {r:.3}");
        }
        if self.double_claims > 0 {
            let _ = writeln!(out, "DOUBLE CLAIMS: {} marking tasks were handed to two markers", self.double_claims);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(name: &'static str, latencies_ms: &[u64], errors: &[&str], seconds: u64) -> PhaseReport {
        let mut s = PhaseStats::new(name);
        let t = Instant::now();
        s.begin(t);
        for ms in latencies_ms {
            s.ok(Duration::from_millis(*ms));
        }
        for e in errors {
            s.error(e);
        }
        s.end(t + Duration::from_secs(seconds));
        s.summary()
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        // 1..=100 ms: p50 is 50, p90 is 90, p99 is 99, p99.9 and max are 100 (within the histogram's 0.1 %).
        let latencies: Vec<u64> = (1..=100).collect();
        let p = phase("save", &latencies, &["409 stale_seq", "409 stale_seq", "transport: timeout"], 4);
        let near = |a: f64, b: f64| (a - b).abs() <= b * 0.001 + 1e-9;
        assert!(near(p.latency_ms.p50, 50.0), "{:?}", p.latency_ms);
        assert!(near(p.latency_ms.p90, 90.0), "{:?}", p.latency_ms);
        assert!(near(p.latency_ms.p99, 99.0), "{:?}", p.latency_ms);
        assert!(near(p.latency_ms.p999, 100.0), "{:?}", p.latency_ms);
        assert!(near(p.latency_ms.max, 100.0), "{:?}", p.latency_ms);
        assert!(near(p.latency_ms.mean, 50.5), "{:?}", p.latency_ms);
        assert_eq!((p.ok, p.failed), (100, 3));
        assert_eq!(p.per_second, 25.0);
        assert_eq!(p.errors["409 stale_seq"], 2);
    }

    #[test]
    fn an_empty_phase_reports_zeros_not_nan() {
        let p = PhaseStats::new("claim").summary();
        assert_eq!((p.ok, p.failed, p.per_second, p.elapsed_seconds), (0, 0, 0.0, 0.0));
        assert_eq!(p.latency_ms.p99, 0.0);
        assert!(serde_json::to_string(&p).is_ok());
    }

    #[test]
    fn the_text_report_shows_phases_errors_ratio_and_notes() {
        let mut report = Report {
            targets: vec!["http://127.0.0.1:8080".into()],
            candidates: 1000,
            connections: 64,
            mode: "burst (closed loop)".into(),
            phases: vec![phase("baseline", &[1, 2, 3], &[], 1), phase("save", &[10, 20], &["409 stale_seq"], 1)],
            save_to_baseline: None,
            double_claims: 0,
            notes: vec!["marking not available (POST /api/v1/marking/claim: route not found)".into()],
        };
        report.compute_ratio();
        let ratio = report.save_to_baseline.unwrap_or_default();
        assert!((ratio - 2.0 / 3.0).abs() < 1e-9, "{ratio}");
        let text = report.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "targets: http://127.0.0.1:8080");
        assert!(lines[2].starts_with("phase") && lines[2].contains("p99 ms"), "{text}");
        let save = lines.iter().find(|l| l.starts_with("save ")).copied().unwrap_or_default();
        let cells: Vec<&str> = save.split_whitespace().collect();
        assert_eq!(cells[..5], ["save", "2", "1", "1.00", "2.0"], "{save}");
        assert!(text.contains("error     save              1  409 stale_seq"), "{text}");
        assert!(text.contains("saves/s ÷ baseline/s: 0.667"), "{text}");
        assert!(text.contains("note: marking not available"), "{text}");
        assert_eq!(report.failures(), 1);
    }
}
