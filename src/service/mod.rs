//! Use cases: each function is one thing a user does, owns its transaction and checks authorization
//! on the object it touches.

pub mod access;
pub mod adjudication;
pub mod attempt_owners;
pub mod attempts;
pub mod auth;
pub mod autosave;
pub mod candidate_view;
pub mod exam_intro;
pub mod exams;
pub mod grading;
pub mod invitations;
pub mod marking;
pub mod paper_cache;
pub mod papers;
pub mod regrade;
pub mod release;
pub mod results;
pub mod statistics;
pub mod users;

/// A new time-ordered id.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
