//! Staff accounts: creation by an admin (or the CLI), the first admin, and "who am I".

use secrecy::{ExposeSecret, SecretString};

use super::auth::{StaffPrincipal, UserView};
use super::new_id;
use crate::auth::password::PasswordHasher;
use crate::clock::Clock;
use crate::domain::paper::FieldError;
use crate::domain::user::{Email, PersonName, Role};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::time::to_db;
use crate::store::{audit, dialect, users, DbConn};

/// Shortest password accepted (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted; argon2 of a megabyte would be a cheap denial of service.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A request to create an account, before checking.
#[derive(Debug)]
pub struct NewStaff {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: SecretString,
    /// Role name.
    pub role: String,
    /// Name (defaults to the e-mail's local part).
    pub display_name: Option<String>,
}

struct CheckedStaff {
    email: Email,
    role: Role,
    display_name: String,
}

fn check(new: &NewStaff) -> Result<CheckedStaff, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&new.email).map_err(|m| errors.push(FieldError { field: "email".into(), message: m }));
    let role = Role::parse(&new.role).ok_or_else(|| {
        errors.push(FieldError { field: "role".into(), message: "role must be admin, recruiter or marker".into() })
    });
    let chars = new.password.expose_secret().chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        errors.push(FieldError {
            field: "password".into(),
            message: format!("a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        });
    }
    // No name given: the e-mail's local part stands in for it.
    let display_name = match new.display_name.as_deref().filter(|n| !n.trim().is_empty()) {
        None => String::new(),
        Some(raw) => PersonName::parse(raw).map(PersonName::into_string).unwrap_or_else(|m| {
            errors.push(FieldError { field: "display_name".into(), message: m });
            String::new()
        }),
    };
    match (email, role) {
        (Ok(email), Ok(role)) if errors.is_empty() => {
            let display_name = if display_name.is_empty() {
                email.as_str().split('@').next().unwrap_or_default().to_string()
            } else {
                display_name
            };
            Ok(CheckedStaff { email, role, display_name })
        }
        _ => Err(ApiError::fields(errors)),
    }
}

fn insert(
    conn: &mut DbConn,
    checked: &CheckedStaff,
    hash: &str,
    clock: &dyn Clock,
    actor: &str,
) -> Result<UserView, ApiError> {
    let id = new_id();
    let now = clock.now();
    let row = users::NewUser {
        id: &id,
        email: checked.email.as_str(),
        display_name: &checked.display_name,
        role: checked.role.as_str(),
        password_hash: hash,
        created_at: to_db(now),
    };
    users::insert(conn, &row).map_err(|e| {
        if dialect::is_unique_violation(&e) {
            ApiError::conflict("email_taken", format!("an account for {} exists already", checked.email.as_str()))
        } else {
            e.into()
        }
    })?;
    audit::record(
        conn,
        now,
        actor,
        "user.create",
        &format!("user:{id}"),
        serde_json::json!({"role": checked.role.as_str()}),
    )?;
    Ok(UserView {
        id,
        email: checked.email.as_str().to_string(),
        display_name: checked.display_name.clone(),
        role: checked.role.as_str().to_string(),
        disabled: false,
        must_set_password: false,
    })
}

/// An admin creates a staff account.
#[tracing::instrument(skip(state, new), fields(admin = %admin.id))]
pub async fn create(state: &AppState, admin: &StaffPrincipal, new: NewStaff) -> Result<UserView, ApiError> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let checked = check(&new)?;
    let hash = state.passwords.hash(new.password).await?;
    let clock = state.clock.clone();
    let actor = admin.actor();
    state.db.write(move |c| insert(c, &checked, &hash, clock.as_ref(), &actor)).await
}

/// Creates an account from the command line (no admin needed: the operator owns the machine).
pub fn create_now(
    conn: &mut DbConn,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    new: NewStaff,
) -> Result<UserView, ApiError> {
    let checked = check(&new)?;
    let hash = hasher.hash_now(new.password.expose_secret()).map_err(ApiError::internal)?;
    dialect::write_transaction(conn, |c| insert(c, &checked, &hash, clock, "cli"))
}

/// The caller's own account.
pub async fn me(state: &AppState, who: &StaffPrincipal) -> Result<UserView, ApiError> {
    let id = who.id.clone();
    state
        .db
        .run(move |c| {
            users::by_id(c, &id)?.map(UserView::from).ok_or(ApiError::Unauthorized("account no longer exists".into()))
        })
        .await
}

/// What the first start did about the admin account.
#[derive(Debug)]
pub enum Bootstrap {
    /// An admin existed already.
    Existing,
    /// The configured admin was created.
    Configured(String),
    /// An admin with a random password was created; the password is shown once.
    Generated(String, SecretString),
}

/// Makes sure an empty database has an admin: the configured one, or one with a random password.
pub fn ensure_admin(
    conn: &mut DbConn,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    email: &str,
    password: &SecretString,
) -> Result<Bootstrap, ApiError> {
    if users::any_admin(conn)? {
        return Ok(Bootstrap::Existing);
    }
    let (email, password, generated) = if email.trim().is_empty() || password.expose_secret().is_empty() {
        ("admin@examd.local".to_string(), SecretString::from(crate::auth::random_token(18)), true)
    } else {
        (email.to_string(), password.clone(), false)
    };
    let view = create_now(
        conn,
        hasher,
        clock,
        NewStaff {
            email,
            password: password.clone(),
            role: "admin".into(),
            display_name: Some("Administrator".into()),
        },
    )?;
    if !generated {
        return Ok(Bootstrap::Configured(view.email));
    }
    // Marked so the console tells the admin to set their own; setting it clears the mark.
    users::change(conn, &view.id, &users::AccountChange { password_generated: Some(true), ..Default::default() })?;
    Ok(Bootstrap::Generated(view.email, password))
}

/// Every staff account (admin only).
pub async fn list(state: &AppState, admin: &StaffPrincipal) -> Result<Vec<UserView>, ApiError> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    state.db.run(|c| Ok(users::list(c)?.into_iter().map(UserView::from).collect())).await
}

/// What an admin changes about an account (absent fields stay as they are).
#[derive(Debug, Default)]
pub struct StaffChange {
    /// New role name.
    pub role: Option<String>,
    /// Disable (`true`) or enable again (`false`).
    pub disabled: Option<bool>,
}

/// Changes an account's role or disables/enables it. Every token the account holds stops working at
/// once (its token version moves on); another instance sees it within `token_standing::STANDING_TTL`.
/// An admin cannot change their own account this way, so an instance always keeps an admin.
#[tracing::instrument(skip(state, change), fields(admin = %admin.id, user = %id))]
pub async fn change(
    state: &AppState,
    admin: &StaffPrincipal,
    id: String,
    change: StaffChange,
) -> Result<UserView, ApiError> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    let role = match change.role.as_deref() {
        None => None,
        Some(r) => {
            Some(Role::parse(r).ok_or_else(|| ApiError::field("role", "role must be admin, recruiter or marker"))?)
        }
    };
    if id == admin.id {
        return Err(ApiError::conflict("own_account", "an admin cannot change their own role or disable themselves"));
    }
    let (actor, now) = (admin.actor(), state.clock.now());
    let user_id = id.clone();
    let row = state
        .db
        .write(move |c| {
            let before = users::by_id(c, &user_id)?.ok_or(ApiError::NotFound("account"))?;
            let disabled_at = change.disabled.map(|d| d.then(|| before.disabled_at.unwrap_or(to_db(now))));
            let set = users::AccountChange { role: role.map(Role::as_str), disabled_at, ..Default::default() };
            users::change(c, &user_id, &set)?;
            audit::record(
                c,
                now,
                &actor,
                "user.change",
                &format!("user:{user_id}"),
                serde_json::json!({"role": role.map(Role::as_str), "disabled": change.disabled,
                    "previous_role": before.role, "was_disabled": before.disabled_at.is_some()}),
            )?;
            users::by_id(c, &user_id)?.ok_or(ApiError::NotFound("account"))
        })
        .await?;
    state.staff_standings.forget(&id);
    Ok(row.into())
}

/// The staff member with this e-mail, as a principal (for CLI commands that act on their behalf).
pub async fn principal_by_email(state: &AppState, email: &str) -> Result<StaffPrincipal, ApiError> {
    let email = Email::parse(email).map_err(|m| ApiError::field("email", m))?;
    let row = state.db.run(move |c| users::by_email(c, email.as_str())?.ok_or(ApiError::NotFound("account"))).await?;
    let role = Role::parse(&row.role).ok_or_else(|| ApiError::internal("stored role unknown"))?;
    Ok(StaffPrincipal { id: row.id, role })
}

/// A password change: the current password proves it is the owner at the keyboard, not someone who
/// found an open session.
#[derive(Debug)]
pub struct PasswordChange {
    /// The password now.
    pub current_password: SecretString,
    /// The new one (12 to 256 characters).
    pub new_password: SecretString,
}

/// Changes the caller's own password. The token version moves on, so every other session of the
/// account ends at once; the caller gets a fresh token for this one. A generated first-admin password
/// stops working here like any old password, and the account is no longer told to set one. Wrong
/// current passwords are braked like wrong logins (a stolen token must not become a guessing oracle).
#[tracing::instrument(skip(state, change, client), fields(user = %who.id))]
pub async fn change_password(
    state: &AppState,
    who: &StaffPrincipal,
    change: PasswordChange,
    client: &str,
) -> Result<super::auth::LoginOutcome, ApiError> {
    use crate::auth::limiter::Secret;
    let chars = change.new_password.expose_secret().chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(ApiError::field(
            "new_password",
            format!("a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let id = who.id.clone();
    let user = state
        .db
        .run(move |c| users::by_id(c, &id)?.ok_or(ApiError::Unauthorized("account no longer exists".into())))
        .await?;
    let secret = Secret::Password { account: &user.email };
    state.brakes.before(secret, client).map_err(ApiError::TooManyRequests)?;
    if !state.passwords.verify(change.current_password, Some(user.password_hash.clone())).await? {
        return Err(match state.brakes.refuse(secret, client).await {
            Some(retry) => ApiError::TooManyRequests(retry),
            None => ApiError::field("current_password", "this is not the account's current password"),
        });
    }
    state.brakes.succeeded(secret, client);
    let hash = state.passwords.hash(change.new_password).await?;
    let (actor, now, id) = (who.actor(), state.clock.now(), who.id.clone());
    let row = state
        .db
        .write(move |c| {
            let set = users::AccountChange {
                password_hash: Some(&hash),
                password_generated: Some(false),
                ..Default::default()
            };
            users::change(c, &id, &set)?;
            audit::record(c, now, &actor, "user.password", &format!("user:{id}"), serde_json::json!({}))?;
            users::by_id(c, &id)?.ok_or(ApiError::NotFound("account"))
        })
        .await?;
    state.staff_standings.forget(&who.id);
    super::auth::staff_session(state, row)
}
