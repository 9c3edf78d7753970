//! `examd-load verify`: reads every attempt of one or more ack logs back from the server and checks that
//! each acknowledged save is still there (at least its sequence number, and the same answer when the
//! number is equal) and that each acknowledged submit still holds.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::future::join_all;
use serde::Serialize;
use serde_json::Value;

use super::acklog::{self, answer_hash, Entry};
use super::client::{Http, Request};

/// What to verify.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// Ack logs, read in order.
    pub logs: Vec<PathBuf>,
    /// Read every attempt from this server instead of the one that started it.
    pub target: Option<String>,
    /// Concurrent reads.
    pub connections: usize,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// What the logs promise about one attempt.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expected {
    /// Instance that started it.
    pub target: String,
    /// Token that reads it.
    pub token: String,
    /// Latest acknowledged save per question: (seq, answer hash).
    pub saves: BTreeMap<String, (i64, String)>,
    /// State of an acknowledged submit.
    pub closed: Option<String>,
}

/// The outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdict {
    /// Attempts checked.
    pub attempts: usize,
    /// Answers checked: the latest acknowledged save of each question of each attempt.
    pub saves: usize,
    /// Acknowledged saves missing, older, or with another answer.
    pub lost: usize,
    /// Acknowledged submits no longer closed.
    pub reopened: usize,
    /// Attempts the server would not show.
    pub unreadable: usize,
    /// The first problems found, for people.
    pub problems: Vec<String>,
}

impl Verdict {
    /// Nothing lost, nothing reopened, everything readable.
    pub fn ok(&self) -> bool {
        self.lost == 0 && self.reopened == 0 && self.unreadable == 0
    }

    /// One paragraph for people.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "verified {} attempts, {} answers (latest acknowledged save per question): {} lost, {} submits reopened, {} attempts unreadable — {}\n",
            self.attempts,
            self.saves,
            self.lost,
            self.reopened,
            self.unreadable,
            if self.ok() { "OK" } else { "FAILED" }
        );
        for p in &self.problems {
            text.push_str(&format!("  {p}\n"));
        }
        text
    }

    fn note(&mut self, problem: String) {
        if self.problems.len() < 20 {
            self.problems.push(problem);
        }
    }
}

/// Folds log entries into what each attempt must show, by attempt id.
pub fn expectations(entries: impl IntoIterator<Item = Entry>) -> BTreeMap<String, Expected> {
    let mut all: BTreeMap<String, Expected> = BTreeMap::new();
    for entry in entries {
        match entry {
            Entry::Attempt { attempt, target, token } => {
                let e = all.entry(attempt).or_default();
                (e.target, e.token) = (target, token);
            }
            Entry::Save { attempt, question, seq, hash } => {
                let saves = &mut all.entry(attempt).or_default().saves;
                if saves.get(&question).is_none_or(|(s, _)| *s <= seq) {
                    saves.insert(question, (seq, hash));
                }
            }
            Entry::Closed { attempt, state } => all.entry(attempt).or_default().closed = Some(state),
        }
    }
    all
}

/// Problems of one attempt as the server shows it (`GET /attempts/{id}`).
pub fn check_attempt(expected: &Expected, shown: &Value) -> (Vec<String>, usize, usize) {
    let (mut problems, mut lost, mut reopened) = (Vec::new(), 0, 0);
    for (question, (seq, hash)) in &expected.saves {
        let saved = &shown["answers"][question];
        let got = saved["seq"].as_i64();
        let problem = match got {
            None => Some(format!("{question}: acknowledged seq {seq} is missing")),
            Some(g) if g < *seq => Some(format!("{question}: acknowledged seq {seq}, stored seq {g}")),
            Some(g) if g == *seq && answer_hash(&saved["answer"]) != *hash => {
                Some(format!("{question}: seq {seq} stored with another answer"))
            }
            Some(_) => None,
        };
        if let Some(p) = problem {
            lost += 1;
            problems.push(p);
        }
    }
    if let Some(closed) = &expected.closed {
        let state = shown["state"].as_str().unwrap_or_default();
        if state != closed && state != "graded" {
            reopened += 1;
            problems.push(format!("acknowledged as {closed}, now {state}"));
        }
    }
    (problems, lost, reopened)
}

/// Reads every logged attempt back and checks it.
pub async fn verify(cfg: &VerifyConfig) -> Result<Verdict, String> {
    let mut entries = Vec::new();
    for log in &cfg.logs {
        entries.extend(acklog::read(log)?);
    }
    let expected = expectations(entries);
    let http = Http::new(cfg.connections, cfg.timeout);
    let reads = expected.iter().map(|(id, exp)| {
        let http = http.clone();
        let base = cfg.target.clone().unwrap_or_else(|| exp.target.clone());
        async move {
            let url = format!("{}/api/v1/attempts/{id}", base.trim_end_matches('/'));
            let (outcome, _) = http.call(Request::get(url).bearer(&exp.token), None).await;
            (
                id,
                exp,
                outcome.and_then(|a| {
                    a.json().map_err(|e| super::client::Failure {
                        kind: "unreadable".into(),
                        status: Some(a.status),
                        detail: e,
                    })
                }),
            )
        }
    });
    let mut verdict = Verdict { attempts: expected.len(), ..Verdict::default() };
    for (id, exp, shown) in join_all(reads).await {
        verdict.saves += exp.saves.len();
        match shown {
            Ok(view) => {
                let (problems, lost, reopened) = check_attempt(exp, &view);
                verdict.lost += lost;
                verdict.reopened += reopened;
                problems.into_iter().for_each(|p| verdict.note(format!("attempt {id}: {p}")));
            }
            Err(f) => {
                verdict.unreadable += 1;
                verdict.note(format!("attempt {id}: cannot read it back: {f}"));
            }
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn save(attempt: &str, q: &str, seq: i64, answer: Value) -> Entry {
        Entry::Save { attempt: attempt.into(), question: q.into(), seq, hash: answer_hash(&answer) }
    }

    #[test]
    fn the_latest_acknowledged_save_per_question_is_expected() {
        let all = expectations([
            Entry::Attempt { attempt: "a".into(), target: "http://x".into(), token: "t".into() },
            save("a", "q1", 1, json!("A")),
            save("a", "q1", 3, json!("B")),
            save("a", "q2", 2, json!("x")),
            Entry::Closed { attempt: "a".into(), state: "submitted".into() },
        ]);
        let a = &all["a"];
        assert_eq!(a.saves["q1"], (3, answer_hash(&json!("B"))));
        assert_eq!(a.saves.len(), 2);
        assert_eq!((a.target.as_str(), a.closed.as_deref()), ("http://x", Some("submitted")));
    }

    #[test]
    fn a_missing_older_or_different_save_is_lost_and_a_newer_one_is_fine() {
        let all = expectations([
            save("a", "q1", 3, json!("B")),
            save("a", "q2", 2, json!("x")),
            save("a", "q3", 5, json!(["A", "C"])),
            save("a", "q4", 1, json!(true)),
            Entry::Closed { attempt: "a".into(), state: "submitted".into() },
        ]);
        let shown = json!({"state": "in_progress", "answers": {
            "q1": {"answer": "B", "seq": 3},
            "q2": {"answer": "y", "seq": 2},
            "q3": {"answer": ["A"], "seq": 4},
            "q5": {"answer": "z", "seq": 9},
        }});
        let (problems, lost, reopened) = check_attempt(&all["a"], &shown);
        assert_eq!((lost, reopened), (3, 1), "{problems:?}");
        let newer = json!({"state": "graded", "answers": {
            "q1": {"answer": "C", "seq": 4}, "q2": {"answer": "x", "seq": 2},
            "q3": {"answer": ["A", "C"], "seq": 5}, "q4": {"answer": true, "seq": 1},
        }});
        assert_eq!(check_attempt(&all["a"], &newer), (vec![], 0, 0));
    }
}
