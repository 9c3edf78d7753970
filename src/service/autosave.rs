//! Answer saves, the hottest write, are group-committed (`group_commit`): every waiting save is checked
//! and written in one transaction and acknowledged after its commit. The batch's answers are written
//! by one multi-row upsert on either engine.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::group_commit::GroupCommit;
use crate::clock::Clock;
use crate::domain::deadline;
use crate::error::ApiError;
use crate::store::attempts::{self, state, SaveGuard};
use crate::store::dialect::{self, NewResponse};
use crate::store::time::{from_db, to_db};
use crate::store::Db;

/// Most saves written in one transaction.
const MAX_BATCH: usize = 1_000;
/// Most saves waiting; beyond it a save is answered 503 at once rather than queueing without bound.
const QUEUE_DEPTH: usize = 50_000;

/// One save waiting for the writer.
#[derive(Debug)]
pub struct SaveJob {
    /// Attempt.
    pub attempt_id: String,
    /// Question key.
    pub question: String,
    /// The checked answer as JSON; `None` clears it.
    pub answer: Option<String>,
    /// Client sequence number.
    pub seq: i64,
}

/// A committed save.
#[derive(Debug, Clone)]
pub struct SaveAck {
    /// When it was stored (the batch's time).
    pub saved_at: DateTime<Utc>,
    /// The attempt's deadline at that moment.
    pub deadline_at: DateTime<Utc>,
}

/// The handle requests use to queue saves.
#[derive(Debug, Clone)]
pub struct AutoSave {
    commit: GroupCommit<SaveJob, SaveAck>,
}

impl AutoSave {
    /// Starts the writer thread on `db`.
    pub fn start(db: Db, clock: Arc<dyn Clock>) -> AutoSave {
        let write = Box::new(move |c: &mut crate::store::DbConn, batch: &[SaveJob]| write_batch(c, batch, clock.now()));
        AutoSave { commit: GroupCommit::start("autosave", db, MAX_BATCH, QUEUE_DEPTH, write) }
    }

    /// Queues a save and waits until its batch has committed.
    pub async fn save(
        &self,
        attempt_id: String,
        question: String,
        answer: Option<String>,
        seq: i64,
    ) -> Result<SaveAck, ApiError> {
        self.commit.submit(SaveJob { attempt_id, question, answer, seq }).await
    }
}

fn stale(stored_seq: i64) -> ApiError {
    ApiError::conflict("stale_seq", format!("a save with seq {stored_seq} is stored; send a higher seq"))
}

fn closed(guard: &SaveGuard) -> ApiError {
    ApiError::conflict(
        "attempt_closed",
        format!(
            "the attempt is closed (deadline {}); the answer saved last before it stands",
            from_db(guard.deadline_at)
        ),
    )
}

/// Checks and writes one batch inside its transaction; returns one outcome per request, in order.
fn write_batch(
    c: &mut crate::store::DbConn,
    requests: &[SaveJob],
    now: DateTime<Utc>,
) -> Result<Vec<Result<SaveAck, ApiError>>, ApiError> {
    let mut ids: Vec<&str> = requests.iter().map(|r| r.attempt_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let guards: HashMap<String, SaveGuard> =
        attempts::save_guards(c, &ids)?.into_iter().map(|g| (g.attempt_id.clone(), g)).collect();
    let guard = |r: &SaveJob| guards.get(&r.attempt_id);
    let mut outcomes: Vec<Option<Result<SaveAck, ApiError>>> = requests.iter().map(|_| None).collect();
    // The newest save per (attempt, question) is written; an older one in the same batch is superseded.
    let mut newest: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in requests.iter().enumerate() {
        let Some(guard) = guard(r) else {
            outcomes[i] = Some(Err(ApiError::NotFound("attempt")));
            continue;
        };
        let open = guard.state == state::IN_PROGRESS
            && deadline::accepts_saves(now, from_db(guard.deadline_at), i64::from(guard.grace_seconds));
        if guard.revoked {
            outcomes[i] = Some(Err(ApiError::Unauthorized("this invitation has been revoked".into())));
        } else if !open {
            outcomes[i] = Some(Err(closed(guard)));
        } else {
            let slot = newest.entry((r.attempt_id.as_str(), r.question.as_str())).or_insert(i);
            if requests[*slot].seq < r.seq {
                *slot = i;
            }
        }
    }
    let chosen: Vec<usize> = {
        let mut v: Vec<usize> = newest.values().copied().collect();
        v.sort_unstable();
        v
    };
    let saved_at = to_db(now);
    let rows: Vec<NewResponse<'_>> = chosen
        .iter()
        .map(|&i| NewResponse {
            attempt_id: &requests[i].attempt_id,
            question_key: &requests[i].question,
            answer: requests[i].answer.as_deref(),
            seq: requests[i].seq,
            saved_at,
        })
        .collect();
    let written = dialect::upsert_responses(c, &rows)?;
    let unwritten: Vec<(String, String)> = chosen
        .iter()
        .zip(&written)
        .filter(|(_, w)| !**w)
        .map(|(&i, _)| (requests[i].attempt_id.clone(), requests[i].question.clone()))
        .collect();
    let current = if unwritten.is_empty() { Vec::new() } else { attempts::responses_for(c, &unwritten)? };
    for (i, r) in requests.iter().enumerate() {
        if outcomes[i].is_some() {
            continue;
        }
        let Some(guard) = guard(r) else { continue };
        let winner = newest.get(&(r.attempt_id.as_str(), r.question.as_str())).copied().unwrap_or(i);
        if winner != i {
            outcomes[i] = Some(Err(stale(requests[winner].seq)));
            continue;
        }
        let was_written = chosen.binary_search(&i).map(|p| written[p]).unwrap_or(false);
        let stored = current.iter().find(|s| s.attempt_id == r.attempt_id && s.question_key == r.question);
        // A retry of the save already stored (same seq, same answer) is acknowledged again, not refused.
        let same_as_stored = stored.is_some_and(|s| s.seq == r.seq && s.answer == r.answer);
        outcomes[i] = Some(if was_written || same_as_stored {
            Ok(SaveAck { saved_at: now, deadline_at: from_db(guard.deadline_at) })
        } else {
            Err(stale(stored.map(|s| s.seq).unwrap_or(r.seq)))
        });
    }
    Ok(outcomes.into_iter().map(|o| o.unwrap_or_else(|| Err(ApiError::internal("save lost its outcome")))).collect())
}
