//! The acknowledged-saves log: one JSON line per attempt started (with the candidate's token, so the
//! attempt can be read back later), per save the server acknowledged with a 2xx, and per attempt it
//! closed. `examd-load verify` reads it back against the server after a crash.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Entry {
    /// An attempt started: where, and the token that reads it.
    Attempt {
        /// Attempt id.
        attempt: String,
        /// Base URL of the instance that started it.
        target: String,
        /// The candidate's bearer token.
        token: String,
    },
    /// A save the server acknowledged.
    Save {
        /// Attempt id.
        attempt: String,
        /// Question key.
        question: String,
        /// The save's sequence number.
        seq: i64,
        /// [`answer_hash`] of the answer as the server stored it.
        hash: String,
    },
    /// A submit the server acknowledged, with the state it answered (`submitted` or `expired`).
    Closed {
        /// Attempt id.
        attempt: String,
        /// State in the answer.
        state: String,
    },
}

/// A short fingerprint of an answer, from its JSON form (the log must not grow with essay length).
pub fn answer_hash(answer: &Value) -> String {
    let digest = Sha256::digest(answer.to_string().as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Appends entries to a log file. Lines are buffered; [`AckLog::flush`] writes them out, and the file
/// only has to outlive the load tool, not the server it measures.
pub struct AckLog {
    out: BufWriter<File>,
    failed: Option<String>,
}

impl AckLog {
    /// Creates (or truncates) the log.
    pub fn create(path: &Path) -> Result<AckLog, String> {
        let file = File::create(path).map_err(|e| format!("cannot create the ack log {}: {e}", path.display()))?;
        Ok(AckLog { out: BufWriter::new(file), failed: None })
    }

    /// Appends one entry; the first write error is kept for [`AckLog::flush`] to report.
    pub fn write(&mut self, entry: &Entry) {
        if self.failed.is_some() {
            return;
        }
        let line = serde_json::to_string(entry).map_err(|e| e.to_string());
        if let Err(e) = line.and_then(|l| writeln!(self.out, "{l}").map_err(|e| e.to_string())) {
            self.failed = Some(e);
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) -> Result<(), String> {
        if let Some(e) = self.failed.take() {
            return Err(format!("writing the ack log: {e}"));
        }
        self.out.flush().map_err(|e| format!("writing the ack log: {e}"))
    }
}

/// Reads every entry of a log; a torn last line (a tool killed mid-write) is skipped, anything else
/// unreadable is an error.
pub fn read(path: &Path) -> Result<Vec<Entry>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open the ack log {}: {e}", path.display()))?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    let last = lines.len().saturating_sub(1);
    let mut entries = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str(line) {
            Ok(entry) => entries.push(entry),
            Err(_) if i == last => {}
            Err(e) => return Err(format!("{}:{}: not an ack log line: {e}", path.display(), i + 1)),
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_round_trip_and_a_torn_last_line_is_skipped() {
        let path = std::env::temp_dir().join(format!("acklog-{}.jsonl", uuid::Uuid::new_v4().simple()));
        let entries = vec![
            Entry::Attempt { attempt: "a1".into(), target: "http://127.0.0.1:1".into(), token: "t".into() },
            Entry::Save { attempt: "a1".into(), question: "s1q1".into(), seq: 3, hash: answer_hash(&json!("C")) },
            Entry::Closed { attempt: "a1".into(), state: "submitted".into() },
        ];
        let mut log = AckLog::create(&path).map_err(|e| e.to_string()).unwrap();
        entries.iter().for_each(|e| log.write(e));
        log.flush().unwrap();
        drop(log);
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"t\":\"sa").unwrap();
        assert_eq!(read(&path).unwrap(), entries);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn the_hash_tells_answers_apart() {
        assert_eq!(answer_hash(&json!(["A", "C"])), answer_hash(&json!(["A", "C"])));
        assert_ne!(answer_hash(&json!(["A", "C"])), answer_hash(&json!(["C", "A"])));
        assert_ne!(answer_hash(&json!("true")), answer_hash(&json!(true)));
        assert_eq!(answer_hash(&json!("x")).len(), 24);
    }
}
