//! `GET /exams/{id}/audit`: an exam's trail for its recruiter — the exam's own events, its
//! invitations' (code exchanges, revocations, extra time), its attempts' and its marks' — filtered by
//! attempt, action and time, and paged by a cursor on the time-ordered event id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::attempt_review::AuditEventView;
use super::auth::StaffPrincipal;
use super::exams::owned_exam;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts;
use crate::store::audit::{self, ExamAttempt, ExamFilter};
use crate::store::time::to_db;

/// Events of a page when the request names no `limit`.
pub const DEFAULT_PAGE: i64 = 100;
/// Most events of one page.
pub const MAX_PAGE: i64 = 1000;

/// Filters and paging of the trail.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this attempt's events (its own, its marks', its invitation's).
    pub attempt: Option<String>,
    /// Only this action (`attempt.start`), or every action under a prefix ending in `.` (`marking.`).
    pub action: Option<String>,
    /// Events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Events per page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// `next_cursor` of the page before.
    pub cursor: Option<String>,
}

/// One page of the trail, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Exam.
    pub exam_id: String,
    /// The events.
    pub events: Vec<AuditEventView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// One page of an exam's trail.
pub async fn page(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    query: AuditQuery,
) -> Result<AuditPage, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::field("limit", format!("a page has 1 to {MAX_PAGE} events")));
    }
    // The cursor is the last event's id: ids are opaque to clients, and time-ordered for us.
    if query.cursor.as_deref().is_some_and(|c| uuid::Uuid::parse_str(c).is_err()) {
        return Err(ApiError::bad_request("bad_query", "the cursor is not one this trail gave"));
    }
    let who = who.clone();
    state
        .db
        .run(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let attempt = match &query.attempt {
                None => None,
                Some(id) => {
                    let a =
                        attempts::get(c, id)?.filter(|a| a.exam_id == exam.id).ok_or(ApiError::NotFound("attempt"))?;
                    Some(ExamAttempt { attempt_id: a.id, invitation_id: a.invitation_id })
                }
            };
            let filter = ExamFilter {
                attempt,
                action: query.action,
                from: query.from.map(to_db),
                until: query.until.map(to_db),
            };
            let mut found = audit::of_exam(c, &exam.id, &filter, query.cursor.as_deref(), limit + 1)?;
            let more = found.len() as i64 > limit;
            found.truncate(usize::try_from(limit).unwrap_or(0));
            let next_cursor = if more { found.last().map(|e| e.id.clone()) } else { None };
            Ok(AuditPage {
                exam_id: exam.id,
                events: found.into_iter().map(AuditEventView::from).collect(),
                next_cursor,
            })
        })
        .await
}
