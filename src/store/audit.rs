//! The append-only audit trail: who did what when. Rows are only ever inserted.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::audit_events;
use super::time::to_db;
use super::DbConn;

/// A recorded event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AuditEvent {
    /// Id (time-ordered).
    pub id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Who: `user:<id>`, `candidate:<invitation id>` or `system`.
    pub actor: String,
    /// What, e.g. `attempt.start`.
    pub action: String,
    /// On what, e.g. `attempt:<id>`.
    pub subject: String,
    /// Details as JSON.
    pub detail: String,
}

/// Appends an event.
pub fn record(
    conn: &mut DbConn,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    let event = AuditEvent {
        id: uuid::Uuid::now_v7().to_string(),
        at: to_db(at),
        actor: actor.to_string(),
        action: action.to_string(),
        subject: subject.to_string(),
        detail: detail.to_string(),
    };
    diesel::insert_into(audit_events::table).values(&event).execute(conn).map(drop)
}

/// Events about a subject, oldest first.
pub fn for_subject(conn: &mut DbConn, subject: &str) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::subject.eq(subject))
        .order(audit_events::id.asc())
        .select(AuditEvent::as_select())
        .load(conn)
}

/// Events about any of these subjects, oldest first.
pub fn for_subjects(conn: &mut DbConn, subjects: &[String]) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::subject.eq_any(subjects))
        .order(audit_events::id.asc())
        .select(AuditEvent::as_select())
        .load(conn)
}

/// Which of an exam's events to read.
#[derive(Debug, Clone, Default)]
pub struct ExamFilter {
    /// Only this attempt's events (its own, its marks', its invitation's).
    pub attempt: Option<ExamAttempt>,
    /// Only this action (`attempt.start`), or actions under a prefix ending in `.` (`marking.`).
    pub action: Option<String>,
    /// At or after.
    pub from: Option<NaiveDateTime>,
    /// Before.
    pub until: Option<NaiveDateTime>,
}

/// An attempt to narrow an exam's trail to, with its invitation.
#[derive(Debug, Clone)]
pub struct ExamAttempt {
    /// Attempt id.
    pub attempt_id: String,
    /// Its invitation's id.
    pub invitation_id: String,
}

/// One page of an exam's trail, oldest first: events about the exam, its invitations, its attempts
/// and its marking tasks, after the event `after` (keyset on the time-ordered id, so a page costs the
/// same wherever it is), at most `limit`.
///
/// The subjects are matched by subqueries rather than a stored exam id: every event is recorded
/// with its subject only, and the subqueries are each one indexed lookup per exam.
pub fn of_exam(
    conn: &mut DbConn,
    exam_id: &str,
    filter: &ExamFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuditEvent>> {
    use super::schema::{attempts, invitations, marking_tasks};
    use diesel::dsl::sql;
    use diesel::sql_types::Text;

    let mut query = audit_events::table.into_boxed();
    query = match &filter.attempt {
        Some(a) => {
            let subjects = vec![format!("attempt:{}", a.attempt_id), format!("invitation:{}", a.invitation_id)];
            let tasks =
                marking_tasks::table
                    .filter(marking_tasks::attempt_id.eq(a.attempt_id.clone()))
                    .select(sql::<Text>("'task:' || marking_tasks.id"));
            query.filter(audit_events::subject.eq_any(subjects).or(audit_events::subject.eq_any(tasks)))
        }
        None => {
            let invitations = invitations::table
                .filter(invitations::exam_id.eq(exam_id.to_string()))
                .select(sql::<Text>("'invitation:' || invitations.id"));
            let attempts = attempts::table
                .filter(attempts::exam_id.eq(exam_id.to_string()))
                .select(sql::<Text>("'attempt:' || attempts.id"));
            let tasks = marking_tasks::table
                .filter(marking_tasks::exam_id.eq(exam_id.to_string()))
                .select(sql::<Text>("'task:' || marking_tasks.id"));
            query.filter(
                audit_events::subject
                    .eq(format!("exam:{exam_id}"))
                    .or(audit_events::subject.eq_any(invitations))
                    .or(audit_events::subject.eq_any(attempts))
                    .or(audit_events::subject.eq_any(tasks)),
            )
        }
    };
    if let Some(action) = &filter.action {
        query = match action.strip_suffix('.') {
            Some(prefix) => query.filter(audit_events::action.like(format!("{}.%", prefix.replace(['%', '_'], "")))),
            None => query.filter(audit_events::action.eq(action.clone())),
        };
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::at.lt(until));
    }
    if let Some(after) = after {
        query = query.filter(audit_events::id.gt(after.to_string()));
    }
    query.order(audit_events::id.asc()).limit(limit).select(AuditEvent::as_select()).load(conn)
}
