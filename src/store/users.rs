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
    /// Signed into every staff token; a token of another version is no longer valid.
    pub token_version: i32,
    /// When an admin disabled the account (it cannot log in, its tokens stop working).
    pub disabled_at: Option<NaiveDateTime>,
}

/// What a staff token is checked against on each request (cached; see `service::staff_tokens`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TokenStanding {
    /// The version current tokens carry.
    pub token_version: i32,
    /// Disabled since.
    pub disabled_at: Option<NaiveDateTime>,
}

/// The token standing of an account (`None`: no such account).
pub fn token_standing(conn: &mut DbConn, id: &str) -> QueryResult<Option<TokenStanding>> {
    users::table.find(id).select(TokenStanding::as_select()).get_result(conn).optional()
}

/// Changes an account's role, disabled state or password hash, bumping its token version so every
/// token issued before stops working; returns how many rows changed.
pub fn change(conn: &mut DbConn, id: &str, change: &AccountChange<'_>) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set((change, users::token_version.eq(users::token_version + 1))).execute(conn)
}

/// What an account change sets (absent fields stay).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct AccountChange<'a> {
    /// New role name.
    pub role: Option<&'a str>,
    /// `Some(None)` enables, `Some(Some(t))` disables.
    pub disabled_at: Option<Option<NaiveDateTime>>,
    /// New argon2id PHC string.
    pub password_hash: Option<&'a str>,
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
