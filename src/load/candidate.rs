//! One candidate's real path through the API: access code → token → start → autosaves → submit.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use actix_web::rt::time::sleep_until;
use serde_json::{json, Value};

use super::acklog::{answer_hash, AckLog, Entry};
use super::client::{Answer, Http, Request, Timed};
use super::report::PhaseStats;
use super::schedule;

/// What every candidate of a run shares.
pub struct Shared<'a> {
    /// The client.
    pub http: Http,
    /// Where acknowledged saves go, if anywhere.
    pub acks: Option<&'a RefCell<AckLog>>,
}

impl Shared<'_> {
    fn ack(&self, entry: Entry) {
        if let Some(log) = self.acks {
            log.borrow_mut().write(&entry);
        }
    }
}

/// How fast saves are sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// This many saves per second across all candidates, on a fixed schedule (open loop).
    Rate(f64),
    /// Each candidate's next save as soon as its previous one is answered (closed loop).
    Burst,
}

/// How many saves each candidate sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// A fixed number.
    Each(u64),
    /// As many as fit in this time.
    For(Duration),
}

/// A question as the candidate needs it to answer.
#[derive(Debug, Clone)]
pub struct Question {
    key: String,
    kind: String,
    options: Vec<String>,
    word_limit: Option<u64>,
}

/// A candidate and how far they got.
#[derive(Debug)]
pub struct Candidate {
    index: usize,
    code: String,
    target: String,
    token: Option<String>,
    attempt: Option<String>,
    questions: Vec<Question>,
    seq: i64,
    open: bool,
}

/// Counts the outcome into the phase; the answer when it succeeded.
fn tally(stats: &RefCell<PhaseStats>, (outcome, latency): Timed) -> Option<Answer> {
    let mut s = stats.borrow_mut();
    s.end(Instant::now());
    match outcome {
        Ok(answer) => {
            s.ok(latency);
            Some(answer)
        }
        Err(f) => {
            s.error(&f.kind);
            None
        }
    }
}

/// Escapes a question key for a path segment (generated keys are plain, imported ones may not be).
fn path_segment(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The answer to send as save `k` of candidate `i`: a valid answer of the question's kind that changes
/// from save to save, so a lost or reordered save is visible.
pub fn answer_for(q: &Question, i: usize, k: u64) -> Value {
    let turn = i as u64 + k;
    let pick = |n: usize| (turn % n.max(1) as u64) as usize;
    match q.kind.as_str() {
        "single_choice" if !q.options.is_empty() => json!(q.options[pick(q.options.len())]),
        "multiple_choice" if !q.options.is_empty() => {
            // A non-empty subset: the bits of a number between 1 and 2^n - 1.
            let n = q.options.len().min(16);
            let mask = turn % ((1u64 << n) - 1) + 1;
            let chosen: Vec<&String> =
                q.options.iter().take(n).enumerate().filter(|(b, _)| mask >> b & 1 == 1).map(|(_, o)| o).collect();
            json!(chosen)
        }
        "true_false" => json!(turn % 2 == 0),
        "numeric" => json!(turn % 1000),
        "fill_blank" => json!(format!("答案{turn}")),
        _ => {
            // Open answers grow as a candidate types; keep under any word limit (one CJK character = one word).
            let sentence = "理解患者情绪并主动提供解决方案,同时坚持医院规定的底线。";
            let mut text = format!("第{k}稿:{}", sentence.repeat(1 + (k % 6) as usize));
            if let Some(limit) = q.word_limit {
                text = text.chars().take((limit / 2).max(1) as usize).collect();
            }
            json!(text)
        }
    }
}

fn questions_of(attempt: &Value) -> Vec<Question> {
    let sections = attempt["sections"].as_array().map(Vec::as_slice).unwrap_or_default();
    sections
        .iter()
        .flat_map(|s| s["questions"].as_array().map(Vec::as_slice).unwrap_or_default())
        .filter_map(|q| {
            Some(Question {
                key: q["key"].as_str()?.to_string(),
                kind: q["kind"].as_str()?.to_string(),
                options: q["options"]
                    .as_array()
                    .map(|o| o.iter().filter_map(|o| o["key"].as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                word_limit: q["word_limit"].as_u64(),
            })
        })
        .collect()
}

impl Candidate {
    /// Candidate `index` holding an access `code`, served by the instance at `target`.
    pub fn new(index: usize, code: String, target: String) -> Candidate {
        Candidate { index, code, target, token: None, attempt: None, questions: Vec::new(), seq: 0, open: false }
    }

    /// Position among the run's candidates.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether the attempt started and is still open to saves.
    pub fn is_open(&self) -> bool {
        self.open
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.target)
    }

    /// Exchanges the code at `intended` (latency counted from then) and starts the attempt at once.
    pub async fn start(
        &mut self,
        shared: &Shared<'_>,
        intended: Instant,
        access: &RefCell<PhaseStats>,
        start: &RefCell<PhaseStats>,
    ) {
        sleep_until(intended.into()).await;
        let req = Request::post(self.url("/auth/access"), json!({ "code": self.code }));
        let Some(answer) = tally(access, shared.http.call(req, Some(intended)).await) else { return };
        let Some(token) = answer.json().ok().and_then(|v| v["access_token"].as_str().map(str::to_string)) else {
            access.borrow_mut().error("200 without access_token");
            return;
        };
        let req = Request::post(self.url("/attempts"), json!({})).bearer(&token);
        let timed = shared.http.call(req, None).await;
        let view = tally(start, timed).and_then(|a| a.json().ok());
        let Some((id, view)) = view.and_then(|v| Some((v["id"].as_str()?.to_string(), v))) else { return };
        self.questions = questions_of(&view);
        self.open = view["state"] == "in_progress" && !self.questions.is_empty();
        shared.ack(Entry::Attempt { attempt: id.clone(), target: self.target.clone(), token: token.clone() });
        (self.token, self.attempt) = (Some(token), Some(id));
    }

    /// Sends this candidate's saves; `n` candidates share the pace, starting at `t0`.
    pub async fn save_all(
        &mut self,
        shared: &Shared<'_>,
        (pace, amount): (Pace, Amount),
        (t0, n): (Instant, usize),
        stats: &RefCell<PhaseStats>,
    ) {
        let (count, until) = match (pace, amount) {
            (_, Amount::Each(m)) => (m, None),
            (Pace::Rate(rate), Amount::For(d)) => (schedule::saves_for(d, rate, n), None),
            (Pace::Burst, Amount::For(d)) => (u64::MAX, Some(t0 + d)),
        };
        for k in 0..count {
            if !self.open || until.is_some_and(|u| Instant::now() >= u) {
                break;
            }
            let intended = match pace {
                Pace::Rate(rate) => {
                    let at = t0 + schedule::save_offset(self.index, k, n, rate);
                    sleep_until(at.into()).await;
                    Some(at)
                }
                Pace::Burst => None,
            };
            self.save(shared, k, intended, stats).await;
        }
    }

    async fn save(&mut self, shared: &Shared<'_>, k: u64, intended: Option<Instant>, stats: &RefCell<PhaseStats>) {
        let (Some(token), Some(attempt)) = (&self.token, &self.attempt) else { return };
        let q = &self.questions[(self.index + k as usize) % self.questions.len()];
        self.seq += 1;
        let body = json!({ "answer": answer_for(q, self.index, k), "seq": self.seq });
        let url = self.url(&format!("/attempts/{attempt}/answers/{}", path_segment(&q.key)));
        let (outcome, latency) = shared.http.call(Request::put(url, body).bearer(token), intended).await;
        if let Err(f) = &outcome {
            // A closed attempt takes no more saves: a real client stops too.
            if f.kind == "409 attempt_closed" {
                self.open = false;
            }
        }
        let Some(answer) = tally(stats, (outcome, latency)) else { return };
        if shared.acks.is_some() {
            // The hash of the answer as stored (the server normalises, e.g. option order).
            let stored = answer.json().map(|v| v["answer"].clone()).unwrap_or(Value::Null);
            let (attempt, question, seq) = (attempt.clone(), q.key.clone(), self.seq);
            shared.ack(Entry::Save { attempt, question, seq, hash: answer_hash(&stored) });
        }
    }

    /// Hands the attempt in.
    pub async fn submit(&mut self, shared: &Shared<'_>, stats: &RefCell<PhaseStats>) {
        let (Some(token), Some(attempt)) = (&self.token, &self.attempt) else { return };
        let req = Request::post(self.url(&format!("/attempts/{attempt}/submit")), json!({})).bearer(token);
        let Some(answer) = tally(stats, shared.http.call(req, None).await) else { return };
        self.open = false;
        if let Some(state) = answer.json().ok().and_then(|v| v["state"].as_str().map(str::to_string)) {
            shared.ack(Entry::Closed { attempt: attempt.clone(), state });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: &str, options: &[&str], word_limit: Option<u64>) -> Question {
        Question {
            key: "k".into(),
            kind: kind.into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            word_limit,
        }
    }

    #[test]
    fn answers_fit_their_question_and_change_between_saves() {
        let abcde = ["A", "B", "C", "D", "E"];
        assert_eq!(answer_for(&q("single_choice", &abcde[..4], None), 0, 2), json!("C"));
        for k in 0..40 {
            let multi = answer_for(&q("multiple_choice", &abcde, None), 3, k);
            let chosen = multi.as_array().map(Vec::len).unwrap_or_default();
            assert!((1..=5).contains(&chosen), "{multi}");
        }
        assert_ne!(
            answer_for(&q("multiple_choice", &abcde, None), 0, 1),
            answer_for(&q("multiple_choice", &abcde, None), 0, 2)
        );
        assert!(answer_for(&q("true_false", &[], None), 1, 0).is_boolean());
        let essay = answer_for(&q("essay", &[], None), 0, 3);
        assert_ne!(essay, answer_for(&q("essay", &[], None), 0, 4));
        let limited = answer_for(&q("short_answer", &[], Some(20)), 0, 5);
        assert_eq!(limited.as_str().map(|s| s.chars().count()), Some(10));
    }

    #[test]
    fn question_keys_are_escaped_for_the_path() {
        assert_eq!(path_segment("s1q1"), "s1q1");
        assert_eq!(path_segment("a b/題"), "a%20b%2F%E9%A1%8C");
    }
}
