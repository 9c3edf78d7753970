//! Use cases: each function is one thing a user does, owns its transaction and checks authorization
//! on the object it touches.

pub mod access;
pub mod adjudication;
pub mod attempt_owners;
pub mod attempt_review;
pub mod attempts;
pub mod audit_log;
pub mod auth;
pub mod autosave;
pub mod candidate_view;
pub mod exam_audit;
pub mod exam_intro;
pub mod exams;
pub mod grading;
pub mod group_commit;
pub mod invitations;
pub mod mail;
pub mod mailer;
pub mod marking;
pub mod marking_desk;
pub mod paper_cache;
pub mod paper_round_trip;
pub mod papers;
pub mod regrade;
pub mod release;
pub mod results;
pub mod results_csv;
pub mod staff_directory;
pub mod statistics;
pub mod token_standing;
pub mod users;

/// Runs CPU-bound work (parsing an uploaded document, validating a paper) on the blocking pool: an
/// async worker busy with one upload would stall every request queued behind it.
pub async fn off_worker<T, F>(f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    actix_web::web::block(f).await.map_err(|e| crate::error::ApiError::internal(format!("blocking task: {e}")))
}

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
