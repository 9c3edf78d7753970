//! The connection type over both engines (a private module: the derive generates undocumented items).

use diesel::{PgConnection, SqliteConnection};

/// One connection to whichever engine the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL.
    Pg(PgConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}
