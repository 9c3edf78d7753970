//! Who owns an attempt and which paper it sits, remembered per attempt so a save needs no database read
//! before it is queued. Only facts that never change once an attempt exists are kept here; the deadline,
//! state and revocation are read inside the save's own transaction, so this cache cannot make a save
//! pass that the database would refuse — on this instance or any other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The fixed facts of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptFacts {
    /// The invitation (candidate) it belongs to.
    pub invitation_id: String,
    /// The paper it sits.
    pub paper_id: String,
}

/// Most attempts remembered; past it the map starts over (a miss costs one indexed read).
const CAPACITY: usize = 200_000;

/// The cache.
#[derive(Debug, Default, Clone)]
pub struct AttemptOwners {
    entries: Arc<Mutex<HashMap<String, AttemptFacts>>>,
}

impl AttemptOwners {
    /// The facts, if remembered.
    pub fn get(&self, attempt_id: &str) -> Option<AttemptFacts> {
        self.entries.lock().ok()?.get(attempt_id).cloned()
    }

    /// Remembers an attempt's facts.
    pub fn put(&self, attempt_id: &str, facts: AttemptFacts) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(attempt_id.to_string(), facts);
        }
    }
}
