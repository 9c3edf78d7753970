//! Browser tests: the exam room in real headless Chromium over WebDriver (fantoccini, Debian's
//! chromedriver), against the real examd. One chromedriver per binary; a fresh browser per test.
// Test helpers outside #[test] functions may panic: a failed expectation is what a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The API tests' app helpers (spawn on port 0, own database), shared rather than copied; this binary
// uses only part of them.
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod desk;
mod driver;
mod exam;
mod modules;
mod proxy;
mod room;
mod scenarios;

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

/// Runs a scenario and closes its browser whether it passed or not, then reports the outcome.
pub async fn run(session: driver::Session, body: impl Future<Output = ()>) {
    let outcome = AssertUnwindSafe(body).catch_unwind().await;
    session.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
