//! Logging: human-readable in development, JSON for collectors; filtered like RUST_LOG.

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once; later calls (tests start many apps) are ignored.
pub fn init(format: &str, filter: &str) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_new(filter).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().flatten_event(true).with_current_span(true).try_init()
    } else {
        builder.compact().try_init()
    };
}
