//! Exams, their markers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{exam_mail, exam_markers, exams};
use super::DbConn;

/// A stored exam.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = exams)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExamRow {
    /// Id.
    pub id: String,
    /// The recruiter who runs it.
    pub owner_id: String,
    /// The published paper sat.
    pub paper_id: String,
    /// Title shown to candidates.
    pub title: String,
    /// Start of the window.
    pub opens_at: NaiveDateTime,
    /// End of the window: no attempt runs past it.
    pub closes_at: NaiveDateTime,
    /// Time allowed per attempt.
    pub duration_seconds: i32,
    /// Network slack after a deadline.
    pub grace_seconds: i32,
    /// Shuffle questions per candidate.
    pub shuffle_questions: bool,
    /// Shuffle options per candidate.
    pub shuffle_options: bool,
    /// `manual` or `when_complete`.
    pub release_policy: String,
    /// Two markers per open answer.
    pub double_marking: bool,
    /// Largest gap between two marks that is settled by their mean (hundredths).
    pub marking_tolerance: i64,
    /// When results were released.
    pub released_at: Option<NaiveDateTime>,
    /// Made.
    pub created_at: NaiveDateTime,
}

/// Inserts an exam.
pub fn insert(conn: &mut DbConn, row: &ExamRow) -> QueryResult<()> {
    diesel::insert_into(exams::table).values(row).execute(conn).map(drop)
}

/// The exam with this id.
pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<ExamRow>> {
    exams::table.find(id).select(ExamRow::as_select()).get_result(conn).optional()
}

/// Exams of one owner (or everyone's), newest first.
pub fn list(conn: &mut DbConn, owner: Option<&str>) -> QueryResult<Vec<ExamRow>> {
    let mut query = exams::table.select(ExamRow::as_select()).order(exams::created_at.desc()).into_boxed();
    if let Some(owner) = owner {
        query = query.filter(exams::owner_id.eq(owner.to_string()));
    }
    query.load(conn)
}

/// Changes the window and timing.
pub fn update_window(
    conn: &mut DbConn,
    id: &str,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    duration_seconds: i32,
    grace_seconds: i32,
) -> QueryResult<usize> {
    diesel::update(exams::table.find(id))
        .set((
            exams::opens_at.eq(opens_at),
            exams::closes_at.eq(closes_at),
            exams::duration_seconds.eq(duration_seconds),
            exams::grace_seconds.eq(grace_seconds),
        ))
        .execute(conn)
}

/// Marks results released.
pub fn release(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(exams::table.find(id).filter(exams::released_at.is_null()))
        .set(exams::released_at.eq(Some(at)))
        .execute(conn)
}

/// Exams using this paper.
pub fn using_paper(conn: &mut DbConn, paper_id: &str) -> QueryResult<Vec<ExamRow>> {
    exams::table.filter(exams::paper_id.eq(paper_id)).select(ExamRow::as_select()).load(conn)
}

/// Assigns a marker (no-op when assigned already).
pub fn add_marker(conn: &mut DbConn, exam_id: &str, user_id: &str) -> QueryResult<()> {
    let exists = diesel::select(diesel::dsl::exists(
        exam_markers::table.filter(exam_markers::exam_id.eq(exam_id)).filter(exam_markers::user_id.eq(user_id)),
    ))
    .get_result::<bool>(conn)?;
    if !exists {
        diesel::insert_into(exam_markers::table)
            .values((exam_markers::exam_id.eq(exam_id), exam_markers::user_id.eq(user_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// An exam with what each marking request needs beside it, in one round trip: the stamp of its paper
/// (to check the parsed copy in the paper cache) and whether `user_id` is assigned to mark it.
pub fn for_marker(
    conn: &mut DbConn,
    exam_id: &str,
    user_id: &str,
) -> QueryResult<Option<(ExamRow, NaiveDateTime, bool)>> {
    use super::schema::papers;
    exams::table
        .inner_join(papers::table.on(papers::id.eq(exams::paper_id)))
        .filter(exams::id.eq(exam_id))
        .select((
            ExamRow::as_select(),
            papers::updated_at,
            diesel::dsl::exists(
                exam_markers::table.filter(exam_markers::exam_id.eq(exam_id)).filter(exam_markers::user_id.eq(user_id)),
            ),
        ))
        .get_result(conn)
        .optional()
}

/// Takes a marker off an exam; how many rows went (0: not assigned).
pub fn remove_marker(conn: &mut DbConn, exam_id: &str, user_id: &str) -> QueryResult<usize> {
    diesel::delete(
        exam_markers::table.filter(exam_markers::exam_id.eq(exam_id)).filter(exam_markers::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// The exam's markers.
pub fn markers(conn: &mut DbConn, exam_id: &str) -> QueryResult<Vec<String>> {
    exam_markers::table.filter(exam_markers::exam_id.eq(exam_id)).select(exam_markers::user_id).load(conn)
}

/// The exams a user is assigned to mark, newest first.
pub fn assigned_to(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<ExamRow>> {
    exams::table
        .inner_join(exam_markers::table.on(exam_markers::exam_id.eq(exams::id)))
        .filter(exam_markers::user_id.eq(user_id))
        .order(exams::created_at.desc())
        .select(ExamRow::as_select())
        .load(conn)
}

/// An exam's mail language and templates.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = exam_mail)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ExamMailRow {
    /// Exam.
    pub exam_id: String,
    /// `zh` or `en`.
    pub language: String,
    /// The recruiter's subject template (none: the language's built-in one).
    pub mail_subject: Option<String>,
    /// The recruiter's body template (none: the language's built-in one).
    pub mail_body: Option<String>,
}

/// The mail settings of these exams (those that have any).
pub fn mail_of(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<ExamMailRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            exam_mail::table.filter(exam_mail::exam_id.eq_any(chunk)).select(ExamMailRow::as_select()).load(conn)?,
        );
    }
    Ok(rows)
}

/// Replaces an exam's mail settings (delete and insert: the derive has no upsert, and the caller's
/// write transaction makes the pair atomic).
pub fn set_mail(conn: &mut DbConn, row: &ExamMailRow) -> QueryResult<()> {
    diesel::delete(exam_mail::table.find(&row.exam_id)).execute(conn)?;
    diesel::insert_into(exam_mail::table).values(row).execute(conn).map(drop)
}
