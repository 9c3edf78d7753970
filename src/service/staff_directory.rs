//! Who a recruiter may assign: staff listed without admin rights, and an exam's markers listed and
//! removed. A recruiter sees only what assigning needs (id, e-mail, name) of enabled accounts; roles,
//! disabled accounts and everything else stay the admin's.

use serde::Serialize;

use super::auth::{StaffPrincipal, UserView};
use super::exams::owned_exam;
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{audit, exams, users};

/// A colleague as a recruiter sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffCard {
    /// User id (what `POST /exams/{id}/markers` takes).
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub display_name: String,
}

impl From<users::UserRow> for StaffCard {
    fn from(u: users::UserRow) -> StaffCard {
        StaffCard { id: u.id, email: u.email, display_name: u.display_name }
    }
}

/// A staff listing: whole accounts for an admin, cards for anyone else.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum StaffListing {
    /// What an admin sees.
    Accounts(Vec<UserView>),
    /// What a recruiter sees.
    Cards(Vec<StaffCard>),
}

/// Staff accounts, optionally of one role. An admin sees every account whole; a recruiter sees the
/// enabled ones as cards.
pub async fn list(state: &AppState, who: &StaffPrincipal, role: Option<String>) -> Result<StaffListing, ApiError> {
    let role = match role.as_deref() {
        None => None,
        Some(r) => {
            Some(Role::parse(r).ok_or_else(|| ApiError::field("role", "role must be admin, recruiter or marker"))?)
        }
    };
    let admin = match who.role {
        Role::Admin => true,
        Role::Recruiter => false,
        Role::Marker => return Err(ApiError::Forbidden),
    };
    let rows = state.db.run(|c| Ok(users::list(c)?)).await?;
    let rows = rows.into_iter().filter(move |u| role.is_none_or(|r| u.role == r.as_str()));
    Ok(if admin {
        StaffListing::Accounts(rows.map(UserView::from).collect())
    } else {
        StaffListing::Cards(rows.filter(|u| u.disabled_at.is_none()).map(StaffCard::from).collect())
    })
}

/// The markers assigned to one of the caller's exams, by name.
pub async fn markers(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<Vec<StaffCard>, ApiError> {
    let who = who.clone();
    state
        .db
        .run(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let ids = exams::markers(c, &exam.id)?;
            let mut cards: Vec<StaffCard> = users::by_ids(c, &ids)?.into_iter().map(StaffCard::from).collect();
            cards.sort_by(|a, b| a.display_name.cmp(&b.display_name).then_with(|| a.email.cmp(&b.email)));
            Ok(cards)
        })
        .await
}

/// Takes a marker off an exam. What they marked stays; answers they hold go back to the queue when
/// their lease runs out, and they can no longer score them (scoring checks the assignment).
pub async fn remove_marker(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    user_id: String,
) -> Result<(), ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            if exams::remove_marker(c, &exam.id, &user_id)? == 0 {
                return Err(ApiError::NotFound("marker"));
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.marker_removed",
                &format!("exam:{}", exam.id),
                serde_json::json!({"user_id": user_id}),
            )?;
            Ok(())
        })
        .await
}
