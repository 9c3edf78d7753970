//! examd: a written-exam server for recruitment.
//!
//! Layers, dependencies pointing down only: [`http`] (handlers) → [`service`] (use cases) →
//! [`domain`] (pure rules) and [`store`] (diesel); [`formats`] reads and writes paper files. [`load`] is
//! the `examd-load` measuring tool, a client of the HTTP API only.

pub mod auth;
pub mod clock;
pub mod domain;
pub mod error;
pub mod formats;
pub mod http;
pub mod load;
pub mod mail;
pub mod scheduling;
pub mod service;
pub mod settings;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
