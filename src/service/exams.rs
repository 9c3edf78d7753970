//! Exams: a published paper offered in a window to invited candidates, with markers assigned.
//! A recruiter reaches only their own exams; an admin reaches all.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::StaffPrincipal;
use super::new_id;
use super::papers::owned_paper;
use crate::domain::deadline;
use crate::domain::paper::{FieldError, Paper};
use crate::domain::points::Points;
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::exams::{self, ExamRow};
use crate::store::invitations;
use crate::store::papers::PUBLISHED;
use crate::store::time::{from_db, to_db};
use crate::store::{attempts, audit, users, DbConn};

/// Longest exam: a week. Longer is a typo, not an exam.
pub(super) const MAX_DURATION_SECONDS: i64 = 7 * 24 * 3600;
/// Most network slack after a deadline.
const MAX_GRACE_SECONDS: i64 = 3600;

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
    /// Language of the exam's mails: `zh` (default) or `en`.
    pub language: Option<String>,
    /// Subject template of its mails, with placeholders such as `{exam}`; empty: the built-in one.
    pub mail_subject: Option<String>,
    /// Body template of its mails (`{name}`, `{exam}`, `{start_url}`, `{code}`, `{opens_at}`,
    /// `{closes_at}`, `{duration}`); empty: the built-in one.
    pub mail_body: Option<String>,
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
    /// Language of the exam's mails: `zh` (default) or `en`.
    pub language: Option<String>,
    /// Subject template of its mails, with placeholders such as `{exam}`; empty: the built-in one.
    pub mail_subject: Option<String>,
    /// Body template of its mails (`{name}`, `{exam}`, `{start_url}`, `{code}`, `{opens_at}`,
    /// `{closes_at}`, `{duration}`); empty: the built-in one.
    pub mail_body: Option<String>,
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
    /// Language of its mails.
    pub language: String,
    /// The recruiter's subject template, if any.
    pub mail_subject: Option<String>,
    /// The recruiter's body template, if any.
    pub mail_body: Option<String>,
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
            language: "zh".into(),
            mail_subject: None,
            mail_body: None,
        }
    }
}

/// The views of these exams, with their mail settings.
fn views(c: &mut DbConn, rows: Vec<ExamRow>) -> Result<Vec<ExamView>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut mail: std::collections::HashMap<String, exams::ExamMailRow> =
        exams::mail_of(c, &ids)?.into_iter().map(|m| (m.exam_id.clone(), m)).collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let found = mail.remove(&r.id);
            let mut view = ExamView::from(r);
            if let Some(m) = found {
                (view.language, view.mail_subject, view.mail_body) = (m.language, m.mail_subject, m.mail_body);
            }
            view
        })
        .collect())
}

fn view(c: &mut DbConn, row: ExamRow) -> Result<ExamView, ApiError> {
    views(c, vec![row])?.pop().ok_or(ApiError::NotFound("exam"))
}

fn check_timing(
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    duration: i64,
    grace: i64,
    errors: &mut Vec<FieldError>,
) {
    let mut err = |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
    for (field, at) in [("opens_at", opens_at), ("closes_at", closes_at)] {
        if !deadline::is_reasonable(at) {
            err(field, "a date between the years 1970 and 9999");
        }
    }
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

/// Runs `f` in a read on an exam the caller owns, with its paper (for the recruiter's views of it).
pub async fn read_owned_exam<T, F>(state: &AppState, who: &StaffPrincipal, exam_id: String, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &AppState, ExamRow, Arc<Paper>) -> Result<T, ApiError> + Send + 'static,
{
    let (who, st) = (who.clone(), state.clone());
    state
        .db
        .run(move |c| {
            let exam = owned_exam(c, &who, &exam_id)?;
            let paper = super::marking::exam_paper(c, &st.papers, &exam)?;
            f(c, &st, exam, paper)
        })
        .await
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
    super::mail::check_mail_fields(
        new.language.as_deref(),
        new.mail_subject.as_deref(),
        new.mail_body.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let (who, now) = (who.clone(), state.clock.now());
    state
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
            if new.language.is_some() || new.mail_subject.is_some() || new.mail_body.is_some() {
                exams::set_mail(
                    c,
                    &exams::ExamMailRow {
                        exam_id: row.id.clone(),
                        language: new.language.unwrap_or_else(|| "zh".into()).trim().to_string(),
                        mail_subject: new.mail_subject.filter(|t| !t.is_empty()),
                        mail_body: new.mail_body.filter(|t| !t.is_empty()),
                    },
                )?;
            }
            audit::record(c, now, &who.actor(), "exam.create", &format!("exam:{}", row.id), serde_json::json!({}))?;
            view(c, row)
        })
        .await
}

/// Reads an exam.
pub async fn get(state: &AppState, who: &StaffPrincipal, id: String) -> Result<ExamView, ApiError> {
    let who = who.clone();
    state
        .db
        .run(move |c| {
            let row = owned_exam(c, &who, &id)?;
            view(c, row)
        })
        .await
}

/// Lists the caller's exams.
pub async fn list(state: &AppState, who: &StaffPrincipal) -> Result<Vec<ExamView>, ApiError> {
    if who.role == Role::Marker {
        return Err(ApiError::Forbidden);
    }
    let owner = (who.role != Role::Admin).then(|| who.id.clone());
    state
        .db
        .run(move |c| {
            let rows = exams::list(c, owner.as_deref())?;
            views(c, rows)
        })
        .await
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
    state
        .db
        .write(move |c| {
            let exam = owned_exam(c, &who, &id)?;
            let opens_at = change.opens_at.unwrap_or(from_db(exam.opens_at));
            let closes_at = change.closes_at.unwrap_or(from_db(exam.closes_at));
            let duration = change.duration_seconds.unwrap_or(i64::from(exam.duration_seconds));
            let grace = change.grace_seconds.unwrap_or(i64::from(exam.grace_seconds));
            let mut errors = Vec::new();
            check_timing(opens_at, closes_at, duration, grace, &mut errors);
            super::mail::check_mail_fields(
                change.language.as_deref(),
                change.mail_subject.as_deref(),
                change.mail_body.as_deref(),
                &mut errors,
            );
            if !errors.is_empty() {
                return Err(ApiError::fields(errors));
            }
            if change.language.is_some() || change.mail_subject.is_some() || change.mail_body.is_some() {
                // An empty template goes back to the built-in text.
                let keep = |given: &Option<String>, old: &Option<String>| match given {
                    Some(t) if t.is_empty() => None,
                    Some(t) => Some(t.clone()),
                    None => old.clone(),
                };
                let old = exams::mail_of(c, std::slice::from_ref(&id))?.pop();
                let (old_language, old_subject, old_body) = match old {
                    Some(m) => (m.language, m.mail_subject, m.mail_body),
                    None => ("zh".to_string(), None, None),
                };
                exams::set_mail(
                    c,
                    &exams::ExamMailRow {
                        exam_id: id.clone(),
                        language: change.language.as_deref().map(str::trim).map(str::to_string).unwrap_or(old_language),
                        mail_subject: keep(&change.mail_subject, &old_subject),
                        mail_body: keep(&change.mail_body, &old_body),
                    },
                )?;
            }
            if let Some(blocked) = super::release::window_change_blocker(&exam, closes_at, now) {
                return Err(blocked);
            }
            exams::update_window(c, &id, to_db(opens_at), to_db(closes_at), duration as i32, grace as i32)?;
            let moved = recompute_deadlines(c, &id, duration, closes_at, i64::from(exam.grace_seconds), now)?;
            audit::record(
                c,
                now,
                &who.actor(),
                "exam.update",
                &format!("exam:{id}"),
                serde_json::json!({"opens_at": opens_at, "closes_at": closes_at, "duration_seconds": duration,
                    "grace_seconds": grace, "attempts_moved": moved}),
            )?;
            let row = exams::get(c, &id)?.ok_or(ApiError::NotFound("exam"))?;
            view(c, row)
        })
        .await
}

/// Recomputes the deadline of every attempt of an exam still being sat; returns how many moved. An
/// attempt past its deadline and grace is over even before the sweeper marks it so: it is not revived.
fn recompute_deadlines(
    c: &mut DbConn,
    exam_id: &str,
    duration: i64,
    closes_at: DateTime<Utc>,
    old_grace: i64,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut moved = 0;
    let open = attempts::in_progress_of_exam(c, exam_id)?
        .into_iter()
        .filter(|a| deadline::accepts_saves(now, from_db(a.deadline_at), old_grace));
    for attempt in open {
        let extra = invitations::get(c, &attempt.invitation_id)?.map(|i| i.extra_seconds).unwrap_or(0);
        let new = deadline::deadline(from_db(attempt.started_at), duration, i64::from(extra), closes_at);
        if to_db(new) != attempt.deadline_at {
            moved += attempts::set_deadline(c, &attempt.id, to_db(new))?;
        }
    }
    Ok(moved)
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
