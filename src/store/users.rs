//! Staff accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::users;
use super::DbConn;

/// A stored account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Lower-cased e-mail.
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// `admin`, `recruiter` or `marker`.
    pub role: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When it was made.
    pub created_at: NaiveDateTime,
}

/// A new account.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// Id.
    pub id: &'a str,
    /// Lower-cased e-mail.
    pub email: &'a str,
    /// Name.
    pub display_name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Now.
    pub created_at: NaiveDateTime,
}

/// Inserts an account.
pub fn insert(conn: &mut DbConn, user: &NewUser<'_>) -> QueryResult<()> {
    diesel::insert_into(users::table).values(user).execute(conn).map(drop)
}

/// The account with this e-mail.
pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::email.eq(email)).select(UserRow::as_select()).get_result(conn).optional()
}

/// The account with this id.
pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).get_result(conn).optional()
}

/// Accounts with these ids.
pub fn by_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<UserRow>> {
    users::table.filter(users::id.eq_any(ids)).select(UserRow::as_select()).load(conn)
}

/// Whether any admin exists.
pub fn any_admin(conn: &mut DbConn) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.filter(users::role.eq("admin")))).get_result(conn)
}

/// Every account, oldest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<UserRow>> {
    users::table.order(users::created_at.asc()).select(UserRow::as_select()).load(conn)
}
