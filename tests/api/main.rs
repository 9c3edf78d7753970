//! One integration binary: every test starts the real examd over HTTP against its own database.

mod cli;
mod delivery;
mod foundation;
mod helpers;
mod imports;
mod papers;
mod security;
