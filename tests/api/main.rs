//! One integration binary: every test starts the real examd over HTTP against its own database.
// Test helpers outside #[test] functions may panic: a failed expectation is what a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod console;
mod delivery;
mod exam_flow;
mod foundation;
mod hardening;
mod helpers;
mod imports;
mod load;
mod mail;
mod marking;
mod marking_desk;
mod metrics;
mod openapi;
mod papers;
mod regrade;
mod results;
mod room;
mod scale;
mod security;
mod slow_clients;
