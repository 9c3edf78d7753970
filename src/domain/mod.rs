//! Pure rules: the paper model, points, answers, scoring, shuffling, statistics. No IO, no actix, no diesel.

pub mod access;
pub mod answer;
pub mod deadline;
pub mod mail;
pub mod marking;
pub mod paper;
pub mod points;
pub mod score_record;
pub mod scoring;
pub mod shuffle;
pub mod stats;
pub mod user;
