//! Exams: a published paper offered in a window to invited candidates, with markers assigned.
//! A recruiter reaches only their own exams; an admin reaches all.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::new_id;
use super::papers::owned_paper;
use crate::auth::random_token;
use crate::domain::access::{AccessCode, CODE_BYTES};
use crate::domain::deadline;
use crate::domain::paper::FieldError;
use crate::domain::points::Points;
use crate::domain::user::{Email, Role};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::{self, ExamRow};
use crate::store::invitations::{self, InvitationRow};
use crate::store::papers::PUBLISHED;
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, users, DbConn};

/// Longest exam: a week. Longer is a typo, not an exam.
const MAX_DURATION_SECONDS: i64 = 7 * 24 * 3600;
/// Most network slack after a deadline.
const MAX_GRACE_SECONDS: i64 = 3600;
/// Most candidates invited in one request.
const MAX_INVITES_PER_REQUEST: usize = 10_000;

/// When results reach candidates.
pub const RELEASE_POLICIES: &[&str] = &["manual", "when_complete"];

/// What a recruiter sends to create an exam.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExam {
    /// A published paper of the caller's.
    pub paper_id: String,
    /// Shown to candidates (default: the paper's title).
    pub title: Option<String>,
    /// Start of the window.
    pub opens_at: DateTime<Utc>,
    /// End of the window.
    pub closes_at: DateTime<Utc>,
    /// Time allowed per attempt.
    pub duration_seconds: i64,
    /// Network slack after the deadline (default 30).
    pub grace_seconds: Option<i64>,
    /// Shuffle questions per candidate (default false).
    pub shuffle_questions: Option<bool>,
    /// Shuffle options per candidate (default false).
    pub shuffle_options: Option<bool>,
    /// `manual` (default) or `when_complete`.
    pub release_policy: Option<String>,
    /// Two independent marks per open answer (default false).
    pub double_marking: Option<bool>,
    /// Largest gap between the two marks settled by their mean (default 0).
    #[schema(value_type = Option<f64>)]
    pub marking_tolerance: Option<Points>,
}

/// A change to an exam's window or timing; omitted fields stay.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExamChange {
    /// New start.
    pub opens_at: Option<DateTime<Utc>>,
    /// New end.
    pub closes_at: Option<DateTime<Utc>>,
    /// New duration.
    pub duration_seconds: Option<i64>,
    /// New grace.
    pub grace_seconds: Option<i64>,
}

/// An exam as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExamView {
    /// Id.
    pub id: String,
    /// Paper sat.
    pub paper_id: String,
    /// Title.
    pub title: String,
    /// Window start.
    pub opens_at: DateTime<Utc>,
    /// Window end.
    pub closes_at: DateTime<Utc>,
    /// Time per attempt.
    pub duration_seconds: i64,
    /// Slack after deadlines.
    pub grace_seconds: i64,
    /// Questions shuffled per candidate.
    pub shuffle_questions: bool,
    /// Options shuffled per candidate.
    pub shuffle_options: bool,
    /// `manual` or `when_complete`.
    pub release_policy: String,
    /// Two marks per open answer.
    pub double_marking: bool,
    /// Gap settled by the mean.
    #[schema(value_type = f64)]
    pub marking_tolerance: Points,
    /// When results were released.
    pub released_at: Option<DateTime<Utc>>,
}

impl From<ExamRow> for ExamView {
    fn from(r: ExamRow) -> ExamView {
        ExamView {
            id: r.id,
            paper_id: r.paper_id,
            title: r.title,
            opens_at: from_db(r.opens_at),
            closes_at: from_db(r.closes_at),
            duration_seconds: i64::from(r.duration_seconds),
            grace_seconds: i64::from(r.grace_seconds),
            shuffle_questions: r.shuffle_questions,
            shuffle_options: r.shuffle_options,
            release_policy: r.release_policy,
            double_marking: r.double_marking,
            marking_tolerance: Points::from_hundredths(r.marking_tolerance),
            released_at: r.released_at.map(from_db),
        }
    }
}

fn check_timing(
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    duration: i64,
    grace: i64,
    errors: &mut Vec<FieldError>,
) {
    let mut err = |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
    if closes_at <= opens_at {
        err("closes_at", "the exam must close after it opens");
    }
    if !(1..=MAX_DURATION_SECONDS).contains(&duration) {
        err("duration_seconds", "the duration is between 1 second and 7 days");
    }
    if !(0..=MAX_GRACE_SECONDS).contains(&grace) {
        err("grace_seconds", "the grace is between 0 and 3600 seconds");
    }
}

/// The exam if the caller may manage it; another recruiter's exam is "not found".
pub fn owned_exam(conn: &mut DbConn, who: &StaffPrincipal, id: &str) -> Result<ExamRow, ApiError> {
    if who.role == Role::Marker {
        return Err(ApiError::Forbidden);
    }
    match exams::get(conn, id)? {
        Some(row) if who.role == Role::Admin || row.owner_id == who.id => Ok(row),
        _ => Err(ApiError::NotFound("exam")),
    }
}

/// Creates an exam from a published paper.
#[tracing::instrument(skip(state, new), fields(user = %who.id))]
pub async fn create(state: &AppState, who: &StaffPrincipal, new: NewExam) -> Result<ExamView, ApiError> {
    let grace = new.grace_seconds.unwrap_or(30);
    let mut errors = Vec::new();
    check_timing(new.opens_at, new.closes_at, new.duration_seconds, grace, &mut errors);
    let policy = new.release_policy.clone().unwrap_or_else(|| "manual".into());
    if !RELEASE_POLICIES.contains(&policy.as_str()) {
        errors.push(FieldError { field: "release_policy".into(), message: "manual or when_complete".into() });
    }
    let tolerance = new.marking_tolerance.unwrap_or(Points::ZERO);
    if tolerance.is_negative() {
        errors.push(FieldError { field: "marking_tolerance".into(), message: "the tolerance is 0 or more".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let (who, now) = (who.clone(), state.clock.now());
    let row = state
        .db
        .write(move |c| {
            let paper = owned_paper(c, &who, &new.paper_id).map_err(|e| match e {
                ApiError::NotFound(_) => ApiError::field("paper_id", "no such paper of yours"),
                other => other,
            })?;
            if paper.status != PUBLISHED {
                return Err(ApiError::field("paper_id", "publish the paper before offering it as an exam"));
            }
            let row = ExamRow {
                id: new_id(),
                owner_id: who.id.clone(),
                paper_id: paper.id,
                title: new.title.filter(|t| !t.trim().is_empty()).unwrap_or(paper.title),
                opens_at: to_db(new.opens_at),
                closes_at: to_db(new.closes_at),
                duration_seconds: new.duration_seconds as i32,
                grace_seconds: grace as i32,
                shuffle_questions: new.shuffle_questions.unwrap_or(false),
                shuffle_options: new.shuffle_options.unwrap_or(false),
                release_policy: policy,
                double_marking: new.double_marking.unwrap_or(false),
                marking_tolerance: tolerance.hundredths(),
                released_at: None,
                created_at: to_db(now),
            };
            exams::insert(c, &row)?;
            audit::record(c, now, &who.actor(), "exam.create", &format!("exam:{}", row.id), serde_json::json!({}))?;
            Ok(row)
        })
        .await?;
    Ok(row.into())
}

/// Reads an exam.
pub async fn get(state: &AppState, who: &StaffPrincipal, id: String) -> Result<ExamView, ApiError> {
    let who = who.clone();
    Ok(state.db.run(move |c| owned_exam(c, &who, &id)).await?.into())
}

/// Lists the caller's exams.
pub async fn list(state: &AppState, who: &StaffPrincipal) -> Result<Vec<ExamView>, ApiError> {
    if who.role == Role::Marker {
        return Err(ApiError::Forbidden);
    }
    let owner = (who.role != Role::Admin).then(|| who.id.clone());
    let rows = state.db.run(move |c| Ok(exams::list(c, owner.as_deref())?)).await?;
    Ok(rows.into_iter().map(ExamView::from).collect())
}

/// Changes the window or timing. Attempts in progress get their deadline recomputed, so extending the
/// window extends those whose window was their limit (and shortening it shortens them).
pub async fn update(
    state: &AppState,
    who: &StaffPrincipal,
    id: String,
    change: ExamChange,
) -> Result<ExamView, ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    let row = state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &id)?;
            let opens_at = change.opens_at.unwrap_or(from_db(exam.opens_at));
            let closes_at = change.closes_at.unwrap_or(from_db(exam.closes_at));
            let duration = change.duration_seconds.unwrap_or(i64::from(exam.duration_seconds));
            let grace = change.grace_seconds.unwrap_or(i64::from(exam.grace_seconds));
            let mut errors = Vec::new();
            check_timing(opens_at, closes_at, duration, grace, &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::fields(errors));
            }
            exams::update_window(c, &id, to_db(opens_at), to_db(closes_at), duration as i32, grace as i32)?;
            let moved = recompute_deadlines(c, &id, duration, closes_at)?;
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.update",
                &format!("exam:{id}"),
                serde_json::json!({"opens_at": opens_at, "closes_at": closes_at, "duration_seconds": duration,
                    "grace_seconds": grace, "attempts_moved": moved}),
            )?;
            exams::get(c, &id)?.ok_or(ApiError::NotFound("exam"))
        })
        .await?;
    Ok(row.into())
}

/// Recomputes the deadline of every in-progress attempt of an exam; returns how many moved.
fn recompute_deadlines(
    c: &mut DbConn,
    exam_id: &str,
    duration: i64,
    closes_at: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut moved = 0;
    for attempt in attempts::in_progress_of_exam(c, exam_id)? {
        let extra = invitations::get(c, &attempt.invitation_id)?.map(|i| i.extra_seconds).unwrap_or(0);
        let new = deadline::deadline(from_db(attempt.started_at), duration, i64::from(extra), closes_at);
        if to_db(new) != attempt.deadline_at {
            moved += attempts::set_deadline(c, &attempt.id, to_db(new))?;
        }
    }
    Ok(moved)
}

/// A candidate to invite.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitee {
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
}

/// A new invitation, with its access code shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedInvitation {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// The one-time-shown code the candidate types.
    pub access_code: String,
}

/// Invites candidates; each gets a random access code, stored only as a hash.
#[tracing::instrument(skip(state, candidates), fields(user = %who.id, count = candidates.len()))]
pub async fn invite(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    candidates: Vec<Invitee>,
) -> Result<Vec<IssuedInvitation>, ApiError> {
    if candidates.is_empty() || candidates.len() > MAX_INVITES_PER_REQUEST {
        return Err(ApiError::field("candidates", format!("send 1 to {MAX_INVITES_PER_REQUEST} candidates")));
    }
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.into_iter().enumerate() {
        let name = c.name.trim().to_string();
        match Email::parse(&c.email) {
            Ok(email) if !name.is_empty() && name.chars().count() <= 200 => checked.push((email, name)),
            Ok(_) => errors.push(FieldError {
                field: format!("candidates[{i}].name"),
                message: "a name of 1 to 200 characters".into(),
            }),
            Err(m) => errors.push(FieldError { field: format!("candidates[{i}].email"), message: m }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let mut issued = Vec::with_capacity(checked.len());
            for (email, name) in checked {
                let code = AccessCode::from_random(random_token(CODE_BYTES));
                let row = InvitationRow {
                    id: new_id(),
                    exam_id: exam.id.clone(),
                    email: email.as_str().to_string(),
                    name,
                    code_hash: code.hash(),
                    extra_seconds: 0,
                    revoked_at: None,
                    created_at: to_db(now),
                };
                invitations::insert(c, &row)?;
                issued.push(IssuedInvitation {
                    id: row.id,
                    email: row.email,
                    name: row.name,
                    access_code: code.reveal().to_string(),
                });
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.invite",
                &format!("exam:{}", exam.id),
                serde_json::json!({"count": issued.len()}),
            )?;
            Ok(issued)
        })
        .await
}

/// An invitation as the recruiter sees it (never the code).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationView {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// `not_started`, `in_progress`, `submitted`, `expired`, `graded` or `revoked`.
    pub status: String,
    /// Extra time granted.
    pub extra_seconds: i64,
}

/// The exam's invitations with their status.
pub async fn invitations(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
) -> Result<Vec<InvitationView>, ApiError> {
    let who = who.clone();
    let (exam, rows) = state
        .db
        .run(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let rows = invitations::with_attempt_state(c, &exam.id)?;
            Ok((exam, rows))
        })
        .await?;
    Ok(rows
        .into_iter()
        .map(|(inv, attempt)| InvitationView {
            status: match (&inv.revoked_at, attempt) {
                (Some(_), _) => "revoked".into(),
                (None, Some(attempt)) => invitation_status(&exam, attempt),
                (None, None) => "not_started".into(),
            },
            id: inv.id,
            email: inv.email,
            name: inv.name,
            extra_seconds: i64::from(inv.extra_seconds),
        })
        .collect())
}

/// An invitation's status from its attempt; a graded attempt still says how it ended.
fn invitation_status(exam: &ExamRow, (state, deadline_at, closed_at): invitations::AttemptStatus) -> String {
    match (state.as_str(), closed_at) {
        (attempts::state::GRADED, Some(closed)) => {
            super::grading::how_it_ended(deadline_at, closed, exam.grace_seconds).to_string()
        }
        _ => state,
    }
}

fn owned_invitation(
    c: &mut DbConn,
    who: &StaffPrincipal,
    exam_id: &str,
    id: &str,
) -> Result<(ExamRow, InvitationRow), ApiError> {
    let exam = owned_exam(c, who, exam_id)?;
    match invitations::get(c, id)? {
        Some(inv) if inv.exam_id == exam.id => Ok((exam, inv)),
        _ => Err(ApiError::NotFound("invitation")),
    }
}

/// Revokes an invitation: its code and tokens stop working; an attempt in progress is closed.
pub async fn revoke(state: &AppState, who: &StaffPrincipal, exam_id: String, id: String) -> Result<(), ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let (_, inv) = owned_invitation(c, &who, &exam_id, &id)?;
            invitations::revoke(c, &inv.id, to_db(now))?;
            audit::record(
                c,
                now,
                &who.actor(),
                "invitation.revoke",
                &format!("invitation:{}", inv.id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Grants a candidate extra time; an attempt in progress gets its deadline moved.
pub async fn set_extra_time(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    id: String,
    seconds: i64,
) -> Result<(), ApiError> {
    if !(0..=MAX_DURATION_SECONDS).contains(&seconds) {
        return Err(ApiError::field("extra_seconds", "extra time is between 0 seconds and 7 days"));
    }
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let (exam, inv) = owned_invitation(c, &who, &exam_id, &id)?;
            invitations::set_extra_time(c, &inv.id, seconds as i32)?;
            if let Some(attempt) = attempts::by_invitation(c, &inv.id)? {
                let new = deadline::deadline(
                    from_db(attempt.started_at),
                    i64::from(exam.duration_seconds),
                    seconds,
                    from_db(exam.closes_at),
                );
                attempts::set_deadline(c, &attempt.id, to_db(new))?;
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "invitation.extra_time",
                &format!("invitation:{}", inv.id),
                serde_json::json!({"extra_seconds": seconds, "previous": inv.extra_seconds}),
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Assigns markers (staff with the marker or admin role) to an exam.
pub async fn assign_markers(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    user_ids: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let found = users::by_ids(c, &user_ids)?;
            let mut errors = Vec::new();
            for (i, id) in user_ids.iter().enumerate() {
                match found.iter().find(|u| &u.id == id) {
                    Some(u) if u.role == "marker" || u.role == "admin" => exams::add_marker(c, &exam.id, id)?,
                    Some(_) => {
                        errors.push(FieldError { field: format!("user_ids[{i}]"), message: "not a marker".into() })
                    }
                    None => errors.push(FieldError { field: format!("user_ids[{i}]"), message: "no such user".into() }),
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::fields(errors));
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.markers",
                &format!("exam:{}", exam.id),
                serde_json::json!({"user_ids": user_ids}),
            )?;
            Ok(exams::markers(c, &exam.id)?)
        })
        .await
}

/// How long a candidate token lives: until the exam closes, plus grace (and any extra time).
pub fn candidate_token_expiry(exam: &ExamRow, extra_seconds: i64) -> DateTime<Utc> {
    from_db(exam.closes_at) + Duration::seconds(i64::from(exam.grace_seconds) + extra_seconds)
}
