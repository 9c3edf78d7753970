//! The marking desk in headless Chromium (issue 15): two markers mark the open answers of seed 001 sat
//! by three candidates, one question by question, one by exam, with a rubric total, a skip, a renewed
//! lease and a lost one, and a correction; the results then hold exactly those points, and no page nor
//! any response the page received names a candidate or an attempt.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::key::Key;
use serde_json::json;

use crate::driver::session;
use crate::exam::{self, SEED_001};
use crate::helpers::*;
use crate::room::{button, Room};
use crate::run;

/// Short, so the test sees the page renew it (at half the lease) without waiting ten minutes.
const LEASE_SECONDS: &str = "20";
const NAMES: [&str; 3] = ["欧阳明月", "司马青云", "Zhu Wenqing"];
const RUBRIC: [(&str, f64); 3] =
    [("指出投诉的核心诉求", 2.0), ("给出可执行的处理步骤", 2.0), ("表达清楚、语气得体", 1.0)];

/// Seed 001 with a rubric and marker guidance on its first open question, sat by three candidates.
struct Sat {
    recruiter: String,
    exam_id: String,
    /// Open questions: key → (paper number, points).
    open: BTreeMap<String, (usize, f64)>,
    rubric_key: String,
    attempts: Vec<String>,
    emails: Vec<String>,
}

async fn seed_sat_by_three(app: &TestApp) -> Sat {
    let (_, recruiter) = app.staff("recruiter").await;
    let draft = app
        .send(
            "POST",
            "/papers/import?format=cn-text",
            Some(&recruiter),
            Some("text/plain"),
            SEED_001.as_bytes().to_vec(),
        )
        .await
        .expect(201);
    let paper_id = draft.body["id"].as_str().unwrap().to_string();
    let mut doc = app.get(&format!("/papers/{paper_id}/export?format=json"), Some(&recruiter)).await.expect(200).body;
    // The keys as the server gave them, in paper order (the document may leave them implicit).
    let view = app.get(&format!("/papers/{paper_id}"), Some(&recruiter)).await.expect(200).body;
    let keys: Vec<String> = view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["questions"].as_array().unwrap().iter().map(|q| q["key"].as_str().unwrap().to_string()))
        .collect();
    let mut open = BTreeMap::new();
    let mut rubric_key = String::new();
    let mut number = 0;
    for section in doc["sections"].as_array_mut().unwrap() {
        let section_kind = section["kind"].as_str().unwrap_or_default().to_string();
        let section_points = section["points"].as_f64();
        for q in section["questions"].as_array_mut().unwrap() {
            number += 1;
            let kind = q["kind"].as_str().map(str::to_string).unwrap_or_else(|| section_kind.clone());
            if !["short_answer", "scenario", "essay"].contains(&kind.as_str()) {
                continue;
            }
            let key = keys[number - 1].clone();
            if rubric_key.is_empty() {
                let points = q["points"].as_f64().or(section_points);
                assert_eq!(points, Some(5.0), "the first short answer is worth 5");
                q["rubric"] =
                    json!(RUBRIC.iter().map(|(c, p)| json!({"criterion": c, "points": p})).collect::<Vec<_>>());
                rubric_key = key.clone();
            }
            open.insert(key, (number, q["points"].as_f64().or(section_points).unwrap()));
        }
        if section["questions"].as_array().unwrap().iter().any(|q| q["key"] == rubric_key.as_str()) {
            section["guidance"] = json!("按要点给分；语言通顺即可，不因错别字扣分。");
        }
    }
    app.put(&format!("/papers/{paper_id}"), Some(&recruiter), &doc).await.expect(200);
    let exam = crate::exam::Exam::publish(app, recruiter.clone(), &paper_id, json!({})).await;
    let mut attempts = Vec::new();
    let mut emails = Vec::new();
    for (c, name) in NAMES.iter().enumerate() {
        let invitation = exam.invite(app, name).await;
        emails.push(invitation.email.clone());
        let token = token_of(app.post("/auth/access", None, &json!({"code": invitation.code})).await.expect(200));
        let attempt = app.post("/attempts", Some(&token), &json!({})).await.expect(201).body;
        let id = attempt["id"].as_str().unwrap().to_string();
        for (seq, key) in open.keys().enumerate() {
            let body = json!({"answer": answer_text(c, key), "seq": seq + 1});
            app.put(&format!("/attempts/{id}/answers/{key}"), Some(&token), &body).await.expect(200);
        }
        app.post(&format!("/attempts/{id}/submit"), Some(&token), &json!({})).await.expect(200);
        attempts.push(id);
    }
    Sat { recruiter, exam_id: exam.exam_id, open, rubric_key, attempts, emails }
}

/// What candidate `c` wrote to `key`: the test tells answers apart by it, the marker sees only text.
fn answer_text(c: usize, key: &str) -> String {
    format!("第{c}份回答（{key}）：先倾听患者诉求，再协调科室给出方案。")
}

/// Which (candidate, question) an answer shown on the desk is.
fn whose(text: &str) -> (usize, String) {
    let c = text.chars().nth(1).and_then(|d| d.to_digit(10)).expect("an answer of the test") as usize;
    let key = text.split('（').nth(1).and_then(|r| r.split('）').next()).expect("a key").to_string();
    (c, key)
}

/// One marker's browser on the desk.
struct Desk {
    room: Room,
    /// Points the page reported as scored: (candidate, question) → points.
    given: BTreeMap<(usize, String), f64>,
}

const THE_ANSWER: &str = "//section[h2='The answer' or h2='考生答案']/p";
const NOTHING_LEFT: &str =
    "//p[normalize-space(.)='Nothing is left for you to mark here.' or normalize-space(.)='这里已没有需要您批阅的答案。']";

impl Desk {
    async fn log_in(&self, email: &str) {
        self.room.open("/mark").await;
        // Every response the page receives from now on is kept, to check it names no one.
        self.room
            .js(
                "window.__seen = []; const f = window.fetch.bind(window);
                 window.fetch = async (...a) => { const r = await f(...a); r.clone().text().then((t) => window.__seen.push(t)); return r; };",
                vec![],
            )
            .await;
        self.room.wait_for("//input[@id='email']").await;
        self.room.client.find(fantoccini::Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
        let password = self.room.client.find(fantoccini::Locator::Id("password")).await.unwrap();
        password.send_keys(STAFF_PASSWORD).await.unwrap();
        self.room.press(Key::Enter.into()).await;
        self.room.wait_for("//h1[normalize-space(.)='Your exams' or normalize-space(.)='我的阅卷考试']").await;
    }

    /// Waits for the next answer (other than `previous`), or for "nothing left"; `None` then.
    async fn next_answer(&self, previous: Option<&(usize, String)>) -> Option<(usize, String)> {
        let script = format!(
            "{FIND} const p = find({THE_ANSWER:?}); if (find({NOTHING_LEFT:?})) return 'none';
             return p && p.textContent !== {prev:?} ? p.textContent : null;",
            prev = previous.map(|(c, k)| answer_text(*c, k)).unwrap_or_default()
        );
        let found = self.room.wait_until("the next answer", &script, Duration::from_secs(20)).await;
        (found != "none").then(|| whose(found.as_str().unwrap()))
    }

    /// Types points into the points field (the page focuses it on every answer).
    async fn type_points(&self, points: f64) {
        self.room.client.active_element().await.unwrap().send_keys(&points.to_string()).await.unwrap();
    }

    /// Ticks rubric criteria `which` (Tab to each box, Space), returning the total the page shows.
    async fn tick(&self, which: &[usize]) -> String {
        for i in which {
            let target = format!("document.getElementById('crit-{i}')");
            self.room.tab_until(&format!("criterion {i}"), &format!("active === {target}")).await;
            self.room.press(' ').await;
        }
        self.room.text(".rubric-total").await
    }

    /// Enter: score and next; records the points once the page says they were scored.
    async fn score_and_next(&mut self, answer: (usize, String), points: f64) -> Option<(usize, String)> {
        self.room.press(Key::Enter.into()).await;
        let next = self.next_answer(Some(&answer)).await;
        let status = self.room.text("header [role=status]").await;
        let body = self.room.text("body").await;
        let calls = self
            .room
            .js(r#"return window.__seen.map(s => s.slice(0, 90) + ' ' + (s.match(/"fence":\d+/) || [''])[0]);"#, vec![])
            .await;
        let body = format!("{body}\n{calls:#}");
        assert!(status.contains(&points.to_string()), "scored {points}, the page says {status:?}:\n{body}");
        self.given.insert(answer, points);
        next
    }

    /// Everything the page received and shows, to search for identity.
    async fn seen(&self) -> String {
        let seen = self.room.js("return window.__seen.join('\\n');", vec![]).await;
        let dom = self.room.js("return document.documentElement.outerHTML;", vec![]).await;
        format!("{}\n{}", seen.as_str().unwrap(), dom.as_str().unwrap())
    }
}

const FIND: &str = "const find = (x) => document.evaluate(x, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;";

async fn email_of(app: &TestApp, token: &str) -> String {
    app.get("/me", Some(token)).await.expect(200).body["email"].as_str().unwrap().to_string()
}

/// Points for candidate `c` on a question worth `max`: different per answer, on the step.
fn points_for(c: usize, key: &str, max: f64) -> f64 {
    let n = key.bytes().map(usize::from).sum::<usize>() + c;
    (n % (max as usize + 1)) as f64
}

#[actix_web::test]
async fn two_markers_mark_seed_001_blind_and_the_results_hold_their_points() {
    let app = exam::app_with(&[("EXAMD_MARKING_LEASE_SECONDS", LEASE_SECONDS)]).await;
    let sat = seed_sat_by_three(&app).await;
    let (first_id, first_token) = app.staff("marker").await;
    let (second_id, second_token) = app.staff("marker").await;
    let body = json!({"user_ids": [first_id, second_id]});
    app.post(&format!("/exams/{}/markers", sat.exam_id), Some(&sat.recruiter), &body).await.expect(200);
    let (first_email, second_email) = (email_of(&app, &first_token).await, email_of(&app, &second_token).await);
    let mut given = BTreeMap::new();
    let mut seen = String::new();

    // The first marker, by question: the rubric question, then the next one.
    let Some(browser) = session("en-US").await else { return };
    let mut desk =
        Desk { room: Room { client: browser.client.clone(), base: app.address.clone() }, given: BTreeMap::new() };
    run(browser, async {
        desk.log_in(&first_email).await;
        desk.room.screenshot("desk-exams").await;
        let (rubric_number, _) = sat.open[&sat.rubric_key];
        desk.room.press_button(&format!("Mark question {rubric_number}"), &format!("批阅第 {rubric_number} 题")).await;
        let mut answer = desk.next_answer(None).await.unwrap();
        let page = desk.room.text("main").await;
        for shown in [
            "Reference answer",
            "Rubric",
            "Guidance for markers",
            "按要点给分",
            "Enter scores and claims the next answer",
        ] {
            assert!(page.contains(shown), "the desk does not show {shown:?}:\n{page}");
        }
        // A rubric total: criteria 1 and 3 ticked make 3 of 5.
        assert_eq!(desk.tick(&[0, 2]).await, "Rubric total: 3 / 5");
        desk.room.screenshot("desk-question").await;
        answer = desk.score_and_next(answer, 3.0).await.unwrap();

        // A skip gives the answer back and brings another.
        let skipped = answer.clone();
        desk.room.press_button("Skip", "跳过").await;
        answer = desk.next_answer(Some(&skipped)).await.unwrap();
        assert_eq!(desk.room.text("header [role=status]").await, "Skipped: the answer went back to the queue.");

        // A renewal: the marker types and reads on; past half the lease the page renews it.
        let held = app.get("/marking/tasks?held=true", Some(&first_token)).await.expect(200).body;
        let first_lease = held[0]["lease_expires_at"].clone();
        desk.room.tab_until("the points", "active === document.getElementById('points')").await;
        let points = points_for(answer.0, &answer.1, 5.0);
        desk.type_points(points).await;
        let renewed = 'wait: {
            for _ in 0..250 {
                let now = app.get("/marking/tasks?held=true", Some(&first_token)).await.expect(200).body;
                if now[0]["lease_expires_at"] != first_lease {
                    break 'wait true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            false
        };
        assert!(renewed, "the page did not renew the lease");
        desk.score_and_next(answer, points).await.unwrap();

        // A lost lease: another tab of the same marker gives the answer back; the typed score stays.
        desk.type_points(1.0).await;
        let held = app.get("/marking/tasks?held=true", Some(&first_token)).await.expect(200).body;
        let release = format!("/marking/tasks/{}/release", held[0]["id"].as_str().unwrap());
        app.post(&release, Some(&first_token), &json!({})).await.expect(204);
        desk.room.press(Key::Enter.into()).await;
        desk.room.wait_for("//div[@role='alert']/p[contains(., 'You no longer hold this answer')]").await;
        let kept = desk.room.js("return document.getElementById('points').value;", vec![]).await;
        assert_eq!(kept, json!("1"), "the typed score was lost");
        desk.room.press_button("Claim the next answer", "领取下一份答案").await;
        let gone = format!("{FIND} return !find(\"//div[@role='alert' and contains(@class, 'lost')]\");");
        desk.room.wait_until("the next answer after the lost one", &gone, Duration::from_secs(15)).await;
        let mut next = desk.next_answer(None).await;
        // Then on to the end of this question, and the one after it, by question.
        let mut questions_done = 0;
        loop {
            while let Some(a) = next {
                let (_, max) = sat.open[&a.1];
                let p = points_for(a.0, &a.1, max);
                desk.type_points(p).await;
                next = desk.score_and_next(a, p).await;
            }
            questions_done += 1;
            desk.room.press_button("Back to exams", "返回考试列表").await;
            if questions_done == 2 {
                break;
            }
            let (key, (number, _)) = sat.open.iter().find(|(k, _)| **k != sat.rubric_key).unwrap();
            assert!(!key.is_empty());
            desk.room.press_button(&format!("Mark question {number}"), &format!("批阅第 {number} 题")).await;
            next = desk.next_answer(None).await;
        }

        // The look back: one mark corrected before release.
        desk.room.wait_for(&button("My marks", "我的评分")).await;
        desk.room.press_button("My marks", "我的评分").await;
        desk.room.wait_for("//table").await;
        let first_row = desk.room.text("main tbody tr td").await;
        let corrected = whose(&first_row);
        let n = sat.open[&corrected.1].0;
        assert!(n > 0);
        // The first row's button (most recent mark first); its accessible name names the question.
        let label = desk
            .room
            .js("return document.querySelector('main tbody button').getAttribute('aria-label');", vec![])
            .await;
        assert_eq!(label, json!(format!("Correct the mark of question {n}")));
        desk.room.press_button("Correct", "更正").await;
        let field = "document.querySelector('form.fix input')";
        desk.room.tab_until("the correction's points", &format!("active === {field}")).await;
        desk.room.clear_field().await;
        desk.type_points(0.5).await;
        desk.room.press(Key::Enter.into()).await;
        desk.room.wait_for("//span[@role='status'][contains(., 'Corrected to 0.5 points')]").await;
        desk.given.insert(corrected, 0.5);
        desk.room.screenshot("desk-marks").await;
        // The token lives in this tab only.
        let storage = desk
            .room
            .js("return [Object.keys(sessionStorage), JSON.stringify(localStorage), document.cookie];", vec![])
            .await;
        assert_eq!(storage[0], json!(["examd.staff"]));
        assert!(!storage[1].as_str().unwrap().contains("eyJ") && storage[2] == "", "{storage}");
        seen.push_str(&desk.seen().await);
        given.append(&mut desk.given);
    })
    .await;

    // The second marker, by exam, in Chinese: everything that is left.
    let Some(browser) = session("zh-CN").await else { return };
    let mut desk =
        Desk { room: Room { client: browser.client.clone(), base: app.address.clone() }, given: BTreeMap::new() };
    run(browser, async {
        desk.log_in(&second_email).await;
        desk.room.press_button("Mark the whole exam", "按整卷批阅").await;
        let mut next = desk.next_answer(None).await;
        while let Some(a) = next {
            let (_, max) = sat.open[&a.1];
            let p = points_for(a.0, &a.1, max);
            desk.type_points(p).await;
            next = desk.score_and_next(a, p).await;
        }
        seen.push_str(&desk.seen().await);
        given.append(&mut desk.given);
    })
    .await;

    // Every answer was marked once, and the results hold exactly the points given.
    assert_eq!(given.len(), 3 * sat.open.len());
    let results = app.get(&format!("/exams/{}/results", sat.exam_id), Some(&sat.recruiter)).await.expect(200).body;
    for row in results["rows"].as_array().unwrap() {
        let c = NAMES.iter().position(|n| row["candidate"]["name"] == *n).unwrap();
        assert_eq!(row["complete"], true);
        for q in row["questions"].as_array().unwrap().iter().filter(|q| q["auto"] == false) {
            let key = q["key"].as_str().unwrap().to_string();
            assert_eq!(q["points"].as_f64().unwrap(), given[&(c, key.clone())], "candidate {c}, {key}");
        }
    }
    assert_eq!(app.assert_scores_are_fresh(&sat.exam_id).await, 3);
    // No candidate, and no attempt, in any page or response the desk had.
    for who in NAMES.iter().map(|s| s.to_string()).chain(sat.emails.clone()).chain(sat.attempts.clone()) {
        assert!(!seen.contains(&who), "{who} reached the marking desk");
    }
}
