//! Correcting the key of an auto-graded question on a published paper, and regrading every closed
//! attempt sat on it. Only the key changes: prompts, options and points stay frozen, so every attempt is
//! still graded against the paper it was sat on, with the key it should always have had.
//!
//! The key changes in one transaction, which also records one regrade per exam on the paper. Each
//! regrade then works through the exam's closed attempts in chunks (`regrade_chunk_attempts`), one short transaction
//! each, which reads the chunk's answers and marks in two queries, stores the new scores and moves the
//! regrade's cursor on. So the SQLite writer is never held for long (candidates' saves go between
//! chunks), a regrade stopped anywhere resumes after its last committed chunk when examd starts again,
//! and a chunk that another instance already took is not taken twice. Attempts closing meanwhile are
//! graded with the new key when they close.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::auth::StaffPrincipal;
use super::grading::{self, answers_of, closed_state_of, settled_marks};
use super::new_id;
use super::papers::{load_paper, owned_paper};
use crate::domain::paper::{AcceptedDoc, AnswerKey, Paper, QuestionKind, Scoring};
use crate::domain::points::Points;
use crate::domain::scoring::{grade, grade_attempt};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::attempts::{self, ResponseRow};
use crate::store::papers::{self, PaperRow, PUBLISHED};
use crate::store::regrades::{self, RegradeRow};
use crate::store::tasks::{self, TaskRow};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, dialect, exams, DbConn};

/// The corrected key: `answer` for choice, true/false and numeric questions (with `tolerance` for
/// numeric), `accepted` for fill-in-the-blank.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyCorrection {
    /// `"C"`, `["A","C"]`, `true` or a number.
    #[schema(schema_with = crate::service::attempts::answer_schema)]
    pub answer: Option<AnswerKey>,
    /// Accepted answers of a fill-in-the-blank question.
    #[schema(value_type = Option<Vec<Object>>)]
    pub accepted: Option<Vec<AcceptedDoc>>,
    /// Allowed distance from a numeric key (kept when omitted).
    pub tolerance: Option<f64>,
}

/// An attempt whose total the correction changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangedTotal {
    /// Attempt.
    pub attempt_id: String,
    /// Total before.
    #[schema(value_type = Option<f64>)]
    pub old_total: Option<Points>,
    /// Total after.
    #[schema(value_type = f64)]
    pub new_total: Points,
}

/// What the correction did, before the paper view is added.
#[derive(Debug, Default)]
pub struct Regraded {
    /// Closed attempts regraded.
    pub regraded: usize,
    /// How many of them changed total.
    pub changed_count: usize,
    /// Those whose total changed (the first [`MAX_LISTED`]; the audit trail has every one).
    pub changed: Vec<ChangedTotal>,
    /// The regrade of each exam on the paper (`GET /exams/{id}/regrades/{regrade}`).
    pub regrades: Vec<RegradeView>,
}

/// The code of a chunk another instance committed first (retried, never sent to a client).
const TAKEN: &str = "regrade_moved";
/// Changed totals listed in the answer to a correction.
pub const MAX_LISTED: usize = 1000;

/// A regrade as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegradeView {
    /// Id.
    pub id: String,
    /// Exam.
    pub exam_id: String,
    /// Paper whose key changed.
    pub paper_id: String,
    /// Question whose key changed.
    pub question: String,
    /// `running` or `done`.
    pub state: String,
    /// Closed attempts to regrade.
    pub total: i32,
    /// Regraded so far.
    pub done: i32,
    /// Of those, with a changed total.
    pub changed: i32,
    /// When the key changed.
    pub started_at: DateTime<Utc>,
    /// When the last chunk committed.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RegradeRow> for RegradeView {
    fn from(r: RegradeRow) -> RegradeView {
        RegradeView {
            id: r.id,
            exam_id: r.exam_id,
            paper_id: r.paper_id,
            question: r.question_key,
            state: r.state,
            total: r.total,
            done: r.done,
            changed: r.changed,
            started_at: from_db(r.started_at),
            finished_at: r.finished_at.map(from_db),
        }
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::field("answer", message)
}

/// Writes the correction into a copy of the document; the caller validates it with [`Paper::parse`].
fn apply(paper: &Paper, key: &str, fix: KeyCorrection) -> Result<crate::domain::paper::PaperDoc, ApiError> {
    let q = paper.question(key).ok_or(ApiError::NotFound("question"))?;
    let kind = q.kind();
    if kind.is_open() {
        return Err(ApiError::field("question", "a marked question has no key; its reference answer guides markers"));
    }
    if kind == QuestionKind::MultipleChoice && q.scoring() == Scoring::Weighted {
        return Err(invalid("a weighted question is scored by its option weights; copy the paper to change them"));
    }
    let (si, qi) = (q.section_index, q.section.questions.iter().position(|d| d.key == key).unwrap_or_default());
    let mut doc = paper.doc().clone();
    let target = &mut doc.sections[si].questions[qi];
    match (kind, fix) {
        (QuestionKind::FillBlank, KeyCorrection { accepted: Some(accepted), answer: None, tolerance: None }) => {
            target.accepted = accepted;
        }
        (QuestionKind::FillBlank, _) => return Err(ApiError::field("accepted", "send `accepted` answers only")),
        (QuestionKind::Numeric, KeyCorrection { answer: Some(answer), accepted: None, tolerance }) => {
            target.answer = Some(answer);
            target.tolerance = tolerance.or(target.tolerance);
        }
        (QuestionKind::Numeric, _) => return Err(invalid("send `answer` (and optionally `tolerance`) only")),
        (_, KeyCorrection { answer: Some(answer), accepted: None, tolerance: None }) => target.answer = Some(answer),
        _ => return Err(invalid("send `answer` only")),
    }
    Ok(doc)
}

/// The new version stamp: now, but always after the old one, so every instance's paper cache (keyed by
/// the stamp) sees a new version even when the clock has not moved since publishing.
fn next_stamp(row: &PaperRow, now: DateTime<Utc>) -> chrono::NaiveDateTime {
    to_db(now).max(row.updated_at + chrono::Duration::microseconds(1))
}

/// Corrects a key and regrades every closed attempt of every exam sat on the paper, chunk by chunk;
/// answers when every regrade is done (they go on to the end if the client leaves first).
#[tracing::instrument(skip(state, fix), fields(user = %who.id, paper = %paper_id, question = %key))]
pub async fn correct_key(
    state: &AppState,
    who: &StaffPrincipal,
    paper_id: String,
    key: String,
    fix: KeyCorrection,
) -> Result<Regraded, ApiError> {
    let (who, st) = (who.clone(), state.clone());
    let started = state
        .db
        .write(move |c| {
            let row = owned_paper(c, &who, &paper_id)?;
            if row.status != PUBLISHED {
                return Err(ApiError::conflict(
                    "paper_not_published",
                    "a draft's key is changed by replacing the draft (PUT /papers/{id})",
                ));
            }
            let old = load_paper(&row)?;
            let doc = apply(&old, &key, fix)?;
            let new = Paper::parse(doc).map_err(ApiError::fields)?;
            let (old_q, new_q) = (key_of(&old, &key), key_of(&new, &key));
            if old_q == new_q {
                // Sending the key it already has changes nothing (a retried request is not an error).
                return Ok(Vec::new());
            }
            let now = st.clock.now();
            let document = serde_json::to_string(new.doc()).map_err(|e| ApiError::internal(e.to_string()))?;
            if papers::replace_published_document(c, &row.id, &document, next_stamp(&row, now))? != 1 {
                return Err(ApiError::conflict("paper_not_published", "the paper is not published"));
            }
            let mut started = Vec::new();
            for exam in exams::using_paper(c, &row.id)? {
                let total = i32::try_from(regrades::closed_count(c, &exam.id)?).unwrap_or(i32::MAX);
                let regrade = RegradeRow {
                    id: new_id(),
                    exam_id: exam.id,
                    paper_id: row.id.clone(),
                    question_key: key.clone(),
                    actor: who.actor(),
                    state: regrades::state::RUNNING.into(),
                    total,
                    done: 0,
                    changed: 0,
                    after_attempt: None,
                    started_at: to_db(now),
                    finished_at: None,
                };
                regrades::insert(c, &regrade)?;
                started.push(regrade.id);
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "paper.key_correction",
                &format!("paper:{}", row.id),
                serde_json::json!({"question": key, "old_key": old_q, "new_key": new_q, "regrades": started}),
            )?;
            Ok(started)
        })
        .await?;
    let mut outcome = Regraded::default();
    for id in started {
        // On its own task: a client that leaves does not stop the regrade between two chunks.
        let (st, job) = (state.clone(), id.clone());
        let done = actix_web::rt::spawn(async move { run(&st, &job).await })
            .await
            .map_err(|e| ApiError::internal(format!("regrade task: {e}")))??;
        outcome.regraded += done.regraded;
        outcome.changed_count += done.changed_count;
        outcome.changed.extend(done.changed.into_iter().take(MAX_LISTED - outcome.changed.len().min(MAX_LISTED)));
        let st = state.clone();
        outcome
            .regrades
            .push(st.db.run(move |c| regrades::get(c, &id)?.ok_or(ApiError::NotFound("regrade"))).await?.into());
    }
    Ok(outcome)
}

/// Works a regrade through to its end, one chunk per transaction.
pub async fn run(state: &AppState, regrade_id: &str) -> Result<Regraded, ApiError> {
    let mut outcome = Regraded::default();
    loop {
        let (st, id) = (state.clone(), regrade_id.to_string());
        let done = match state.db.write(move |c| chunk(c, &st, &id)).await {
            // Another instance committed that chunk first (and this one's writes were rolled back).
            Err(e) if e.code() == TAKEN => continue,
            other => other?,
        };
        match done {
            Chunk::Done => return Ok(outcome),
            Chunk::Regraded { count, changed } => {
                outcome.regraded += count;
                outcome.changed_count += changed.len();
                let room = MAX_LISTED.saturating_sub(outcome.changed.len());
                outcome.changed.extend(changed.into_iter().take(room));
            }
        }
    }
}

/// Resumes every regrade a stop left unfinished (called at start; several instances may each try).
pub async fn resume_all(state: AppState) {
    let running = match state.db.run(|c| Ok(regrades::running(c)?)).await {
        Ok(ids) => ids,
        Err(e) => return tracing::warn!(error = %e, "cannot read unfinished regrades"),
    };
    for id in running {
        match run(&state, &id).await {
            Ok(done) => tracing::info!(regrade = %id, regraded = done.regraded, "resumed an unfinished regrade"),
            Err(e) => {
                tracing::warn!(regrade = %id, error = %e, "an unfinished regrade failed again; it resumes at the next start")
            }
        }
    }
}

/// What one chunk did.
enum Chunk {
    /// Nothing was left.
    Done,
    /// Regraded `count` attempts; these changed total.
    Regraded { count: usize, changed: Vec<ChangedTotal> },
}

/// Regrades the next chunk of a regrade's exam and moves its cursor on, in the caller's transaction.
fn chunk(c: &mut DbConn, st: &AppState, regrade_id: &str) -> Result<Chunk, ApiError> {
    let regrade = regrades::get(c, regrade_id)?.ok_or(ApiError::NotFound("regrade"))?;
    if regrade.state == regrades::state::DONE {
        return Ok(Chunk::Done);
    }
    let exam = exams::get(c, &regrade.exam_id)?.ok_or(ApiError::NotFound("exam"))?;
    let paper = super::marking::exam_paper(c, &st.papers, &exam)?;
    let question = paper.question(&regrade.question_key).ok_or(ApiError::NotFound("question"))?;
    let now = st.clock.now();
    let after = regrade.after_attempt.as_deref();
    let size = st.settings.regrade_chunk_attempts;
    let ids: Vec<String> = regrades::next_chunk(c, &exam.id, after, size)?.into_iter().map(|a| a.id).collect();
    let last = ids.last().cloned().or_else(|| after.map(str::to_string));
    let finished = (ids.len() < usize::try_from(size).unwrap_or(usize::MAX)).then(|| to_db(now));
    // Locked and read again: a mark scored meanwhile on another instance is in the old total.
    let locked = dialect::lock_attempts(c, &ids)?;
    let mut responses: BTreeMap<String, Vec<ResponseRow>> = BTreeMap::new();
    for r in attempts::responses_of_attempts(c, &ids)? {
        responses.entry(r.attempt_id.clone()).or_default().push(r);
    }
    let mut marks: BTreeMap<String, Vec<TaskRow>> = BTreeMap::new();
    for t in tasks::of_attempts(c, &ids)? {
        marks.entry(t.attempt_id.clone()).or_default().push(t);
    }
    let mut changed = Vec::new();
    for attempt in &locked {
        let answers = answers_of(responses.get(&attempt.id).map(Vec::as_slice).unwrap_or_default());
        let points = grade(&question, answers.get(&regrade.question_key)).points().map(Points::hundredths);
        attempts::set_response_points(c, &attempt.id, &regrade.question_key, points)?;
        let (settled, _) = settled_marks(&exam, marks.get(&attempt.id).map(Vec::as_slice).unwrap_or_default());
        let score = grade_attempt(&paper, &answers, &settled);
        grading::store_score(c, &attempt.id, closed_state_of(attempt, &exam), &score)?;
        if attempt.total_points != Some(score.total.hundredths()) {
            let old_total = attempt.total_points.map(Points::from_hundredths);
            audit::record(
                c,
                now,
                &regrade.actor,
                "attempt.regrade",
                &format!("attempt:{}", attempt.id),
                serde_json::json!({"paper_id": regrade.paper_id, "question": regrade.question_key, "regrade": regrade.id,
                    "old_total": old_total, "new_total": score.total, "closed_at": attempt.closed_at.map(from_db)}),
            )?;
            changed.push(ChangedTotal { attempt_id: attempt.id.clone(), old_total, new_total: score.total });
        }
    }
    let (count, changed_count) = (locked.len(), i32::try_from(changed.len()).unwrap_or(i32::MAX));
    let moved = regrades::advance(
        c,
        &regrade.id,
        after,
        last.as_deref(),
        i32::try_from(count).unwrap_or(i32::MAX),
        changed_count,
        finished,
    )?;
    if moved == 0 {
        // Another instance committed this chunk first: what this transaction wrote is rolled back.
        return Err(ApiError::conflict("regrade_moved", "another instance took this chunk"));
    }
    Ok(if count == 0 && finished.is_some() { Chunk::Done } else { Chunk::Regraded { count, changed } })
}

/// A regrade of an exam the caller owns.
pub async fn view(
    state: &AppState,
    who: &StaffPrincipal,
    exam_id: String,
    regrade_id: String,
) -> Result<RegradeView, ApiError> {
    let who = who.clone();
    state
        .db
        .run(move |c| {
            let exam = super::exams::owned_exam(c, &who, &exam_id)?;
            match regrades::get(c, &regrade_id)? {
                Some(r) if r.exam_id == exam.id => Ok(r.into()),
                _ => Err(ApiError::NotFound("regrade")),
            }
        })
        .await
}

/// The regrades of an exam the caller owns, newest first.
pub async fn list(state: &AppState, who: &StaffPrincipal, exam_id: String) -> Result<Vec<RegradeView>, ApiError> {
    let who = who.clone();
    state
        .db
        .run(move |c| {
            let exam = super::exams::owned_exam(c, &who, &exam_id)?;
            Ok(regrades::of_exam(c, &exam.id)?.into_iter().map(RegradeView::from).collect())
        })
        .await
}

/// A question's key as the audit trail records it.
fn key_of(paper: &Paper, key: &str) -> serde_json::Value {
    paper
        .question(key)
        .map(|q| serde_json::json!({"answer": q.doc.answer, "accepted": q.doc.accepted, "tolerance": q.doc.tolerance}))
        .unwrap_or_default()
}
