//! Parsed published papers, shared by every request. A paper is cached under its id *and* its
//! `updated_at`, which every caller reads from the database with the row that names the paper: after a
//! key correction on any instance the stamp changes and the stale entry is simply never asked for again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;

use crate::domain::paper::Paper;
use crate::error::ApiError;
use crate::store::{papers, DbConn};

/// Most papers kept; a server runs a handful of exams at once.
const CAPACITY: usize = 256;

/// A parsed paper with the version stamp it was parsed at.
type Entry = (NaiveDateTime, Arc<Paper>);

/// The cache.
#[derive(Debug, Default, Clone)]
pub struct PaperCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl PaperCache {
    /// The paper at this version, parsed once.
    pub fn get(&self, conn: &mut DbConn, paper_id: &str, updated_at: NaiveDateTime) -> Result<Arc<Paper>, ApiError> {
        if let Some(paper) = self.cached(paper_id, updated_at) {
            return Ok(paper);
        }
        let row = papers::get(conn, paper_id)?.ok_or(ApiError::NotFound("paper"))?;
        let paper = Arc::new(super::papers::load_paper(&row)?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(paper_id.to_string(), (row.updated_at, paper.clone()));
        }
        Ok(paper)
    }

    /// Any cached version of the paper. Enough where only what a key correction cannot change matters
    /// (questions, kinds, options): checking that an answer fits its question.
    pub fn any(&self, paper_id: &str) -> Option<Arc<Paper>> {
        self.entries.lock().ok()?.get(paper_id).map(|(_, p)| p.clone())
    }

    fn cached(&self, paper_id: &str, updated_at: NaiveDateTime) -> Option<Arc<Paper>> {
        let entries = self.entries.lock().ok()?;
        entries.get(paper_id).filter(|(stamp, _)| *stamp == updated_at).map(|(_, p)| p.clone())
    }
}
