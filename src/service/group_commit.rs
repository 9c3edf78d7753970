//! Group commit: requests queue their writes for one writer thread, which takes every write waiting,
//! applies them all in one transaction, commits once and only then answers each. With SQLite in
//! `synchronous=FULL` that is one fsync per batch instead of one per write: durable against power loss
//! and still fast. Answer saves (`autosave`) and the audit events of code exchanges (`audit_log`) are
//! written this way.

use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;
use crate::store::{Db, DbConn};

/// Writes one batch inside its transaction; one outcome per item, in order. An `Err` of the whole
/// batch rolls it back, and every item is answered that it was not stored.
pub type BatchWriter<J, R> = dyn Fn(&mut DbConn, &[J]) -> Result<Vec<Result<R, ApiError>>, ApiError> + Send;

struct Job<J, R> {
    item: J,
    reply: oneshot::Sender<Result<R, ApiError>>,
}

/// The handle requests use to queue writes.
pub struct GroupCommit<J, R> {
    queue: mpsc::Sender<Job<J, R>>,
    name: &'static str,
}

impl<J, R> Clone for GroupCommit<J, R> {
    fn clone(&self) -> Self {
        GroupCommit { queue: self.queue.clone(), name: self.name }
    }
}

impl<J, R> std::fmt::Debug for GroupCommit<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").field("name", &self.name).finish_non_exhaustive()
    }
}

impl<J: Send + 'static, R: Send + 'static> GroupCommit<J, R> {
    /// Starts the writer thread `examd-<name>`: at most `max_batch` items a transaction, at most
    /// `depth` waiting (beyond it a write is answered 503 at once rather than queueing without bound).
    pub fn start(name: &'static str, db: Db, max_batch: usize, depth: usize, write: Box<BatchWriter<J, R>>) -> Self {
        let (queue, jobs) = mpsc::channel(depth);
        let spawned = std::thread::Builder::new()
            .name(format!("examd-{name}"))
            .spawn(move || writer(name, db, max_batch, jobs, write));
        if let Err(e) = spawned {
            tracing::error!(error = %e, name, "cannot start a group-commit writer; its writes will fail");
        }
        GroupCommit { queue, name }
    }

    /// Queues a write and waits until its batch has committed.
    pub async fn submit(&self, item: J) -> Result<R, ApiError> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .try_send(Job { item, reply })
            .map_err(|_| ApiError::Unavailable(format!("the {} queue is full", self.name)))?;
        outcome.await.map_err(|_| ApiError::internal(format!("the {} writer stopped", self.name)))?
    }
}

fn writer<J, R>(
    name: &str,
    db: Db,
    max_batch: usize,
    mut jobs: mpsc::Receiver<Job<J, R>>,
    write: Box<BatchWriter<J, R>>,
) {
    while let Some(first) = jobs.blocking_recv() {
        // Where the writer shares a core with the request threads, let them run first: they queue the
        // writes that are already on the wire, and the batch that follows is bigger for it.
        std::thread::yield_now();
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<J>, Vec<_>) = batch.into_iter().map(|j| (j.item, j.reply)).unzip();
        match db.write_now(|c| write(c, &items)) {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, writes = items.len(), name, "batch failed; nothing of it was stored");
                for reply in replies {
                    let _ = reply.send(Err(ApiError::Unavailable("the write could not be stored; retry".into())));
                }
            }
        }
    }
}
