//! Papers: drafts and published versions, the document kept as JSON text.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::papers;
use super::DbConn;

/// A stored paper.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = papers)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PaperRow {
    /// Id.
    pub id: String,
    /// The recruiter who owns it.
    pub owner_id: String,
    /// Title (also inside the document; here for listing).
    pub title: String,
    /// `draft` or `published`.
    pub status: String,
    /// 1 for a new paper; a draft copied from version n is n + 1.
    pub version: i32,
    /// The published paper this draft was copied from.
    pub derived_from: Option<String>,
    /// The normalised paper document, JSON.
    pub document: String,
    /// Most points, in hundredths.
    pub total_points: i64,
    /// Made.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Frozen.
    pub published_at: Option<NaiveDateTime>,
}

/// Status of a draft.
pub const DRAFT: &str = "draft";
/// Status of a frozen paper.
pub const PUBLISHED: &str = "published";

/// Inserts a paper.
pub fn insert(conn: &mut DbConn, row: &PaperRow) -> QueryResult<()> {
    diesel::insert_into(papers::table).values(row).execute(conn).map(drop)
}

/// The paper with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<PaperRow>> {
    papers::table.find(id).select(PaperRow::as_select()).get_result(conn).optional()
}

/// Papers of one owner (or of everyone), newest first.
pub fn list(conn: &mut DbConn, owner: Option<&str>) -> QueryResult<Vec<PaperRow>> {
    let mut query = papers::table.select(PaperRow::as_select()).order(papers::created_at.desc()).into_boxed();
    if let Some(owner) = owner {
        query = query.filter(papers::owner_id.eq(owner.to_string()));
    }
    query.load(conn)
}

/// Replaces a draft's document; returns how many rows changed (0 when it is no longer a draft).
pub fn replace_draft(
    conn: &mut DbConn,
    id: &str,
    title: &str,
    document: &str,
    total_points: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(papers::table.find(id).filter(papers::status.eq(DRAFT)))
        .set((
            papers::title.eq(title),
            papers::document.eq(document),
            papers::total_points.eq(total_points),
            papers::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Replaces a published paper's document (key corrections only; the service checks what changed).
pub fn replace_published_document(
    conn: &mut DbConn,
    id: &str,
    document: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(papers::table.find(id).filter(papers::status.eq(PUBLISHED)))
        .set((papers::document.eq(document), papers::updated_at.eq(now)))
        .execute(conn)
}

/// Freezes a draft; returns how many rows changed.
pub fn publish(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(papers::table.find(id).filter(papers::status.eq(DRAFT)))
        .set((papers::status.eq(PUBLISHED), papers::published_at.eq(Some(now)), papers::updated_at.eq(now)))
        .execute(conn)
}

/// Forgets that papers were copied from `id` (before `id` is deleted); returns the copies' ids.
pub fn detach_copies(conn: &mut DbConn, id: &str) -> QueryResult<Vec<String>> {
    let copies = papers::table.filter(papers::derived_from.eq(id)).select(papers::id).load(conn)?;
    if !copies.is_empty() {
        diesel::update(papers::table.filter(papers::derived_from.eq(id)))
            .set(papers::derived_from.eq(None::<String>))
            .execute(conn)?;
    }
    Ok(copies)
}

/// Deletes a draft; returns how many rows changed.
pub fn delete_draft(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(papers::table.find(id).filter(papers::status.eq(DRAFT))).execute(conn)
}

/// A paper's version stamp (for the paper cache), without reading its document.
pub fn stamp(conn: &mut DbConn, id: &str) -> QueryResult<Option<NaiveDateTime>> {
    papers::table.find(id).select(papers::updated_at).get_result(conn).optional()
}
