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
