//! One integration binary: every test starts the real examd over HTTP against its own database.

mod foundation;
mod helpers;
mod imports;
mod load;
mod papers;
