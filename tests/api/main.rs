//! One integration binary: every test starts the real examd over HTTP against its own database.

mod cli;
mod delivery;
mod exam_flow;
mod foundation;
mod helpers;
mod imports;
mod marking;
mod papers;
mod regrade;
mod results;
mod security;
