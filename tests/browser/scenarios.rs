//! Issue 12's scenarios, each as a candidate lives it.

use std::time::Duration;

use serde_json::{json, Value};

use crate::driver::session;
use crate::exam::{self, Exam};
use crate::helpers::token_of;
use crate::proxy::Proxy;
use crate::room::{button, question, Room};
use crate::run;

const SAVED: (&str, &str) = ("Saved", "已保存");

/// A small paper with every kind the seed lacks, for the scenarios that need no seed.
fn small_paper(prompt: &str) -> Value {
    json!({
        "title": "Small paper",
        "instructions": "Answer every question.",
        "sections": [
            {"title": "Single choice", "kind": "single_choice", "points": 2, "questions": [
                {"key": "n1", "prompt": prompt, "options": [{"text": "Red"}, {"text": "Blue"}, {"text": "<b>Green</b>"}], "answer": "B",
                 "explanation": "The sky is blue."}
            ]},
            {"title": "True or false", "kind": "true_false", "points": 1, "penalty": 1, "questions": [
                {"key": "n2", "prompt": "Water is wet.", "answer": true}
            ]},
            {"title": "Blanks", "kind": "fill_blank", "points": 1, "questions": [
                {"key": "n3", "prompt": "The capital of France is ____.", "accepted": [{"text": "Paris"}]},
                {"key": "n4", "kind": "numeric", "prompt": "2 + 3 = ?", "answer": 5, "tolerance": 0}
            ]},
            {"title": "Essay", "kind": "essay", "points": 5, "questions": [
                {"key": "n5", "prompt": "Describe your last project.", "word_limit": 50}
            ]}
        ]
    })
}

fn answer<'a>(stored: &'a Value, key: &str) -> &'a Value {
    &stored["answers"][key]["answer"]
}

#[actix_web::test]
async fn the_seed_paper_is_sat_end_to_end_with_the_keyboard() {
    let app = exam::app().await;
    let exam = Exam::seed(&app, json!({"title": "客服经理笔试（2026 春季）", "shuffle_options": true})).await;
    let invitation = exam.invite(&app, "李雷").await;
    let Some(browser) = session("zh-CN").await else { return };
    let room = Room { client: browser.client.clone(), base: app.address.clone() };
    run(browser, async {
        room.open(&invitation.start_path).await;
        room.wait_for(&button("Start", "开始")).await;
        room.use_language("zh").await;
        let intro = room.text("main").await;
        for words in ["客服经理笔试（2026 春季）", "少选、错选不得分", "人工评分", "单选题", "60 分钟"] {
            assert!(intro.contains(words), "the intro lacks {words}: {intro}");
        }
        let url = room.client.current_url().await.unwrap();
        assert!(!url.as_str().contains(&invitation.code), "the code stays in the address bar: {url}");
        // Tall enough that the Start button is in the picture.
        room.client.set_window_size(1280, 1000).await.unwrap();
        room.screenshot("start").await;
        room.client.set_window_size(1280, 900).await.unwrap();
        room.start().await;

        let single = ["C", "C", "B", "C", "B"];
        let multi: [&[&str]; 5] = [&["A", "B", "C", "E"], &["A", "B", "C", "D", "E"], &["A", "C", "E"], &["A", "B", "C", "E"], &["A", "B", "C", "D"]];
        let text = |n: usize| format!("第{n}题：先倾听患者的诉求，再核实情况，最后回访确认满意度。");
        // Question 1 is answered wrongly first, and changed after the reload.
        room.choose(1, &exam.option(1, "A")).await;
        for n in 2..=5 {
            room.choose(n, &exam.option(n, single[n - 1])).await;
        }
        for (i, keys) in multi.iter().enumerate() {
            let texts: Vec<String> = keys.iter().map(|k| exam.option(6 + i, k)).collect();
            room.tick(6 + i, &texts.iter().map(String::as_str).collect::<Vec<_>>()).await;
        }
        room.flag(8).await;
        for n in 11..=14 {
            room.write(n, &text(n)).await;
        }
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(20)).await;

        let before = room.shown_answers().await;
        room.reload().await;
        assert_eq!(room.shown_answers().await, before, "a reload lost an answer");
        let flagged = room.js("return [...document.querySelectorAll('nav button')].filter(b => b.getAttribute('aria-label').includes('已标记')).map(b => b.textContent);", vec![]).await;
        assert_eq!(flagged, json!(["8"]));

        room.choose(1, &exam.option(1, "C")).await;
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(20)).await;
        room.screenshot("question-zh").await;
        for n in 15..=20 {
            room.write(n, &text(n)).await;
        }
        let said = room.submit().await;
        assert!(said.contains("所有题目均已作答"), "{said}");
        room.wait_for(&button("Check for results", "查看成绩")).await;
        assert!(room.text("main").await.contains("已交卷"));

        let stored = exam::stored(&app, &invitation.code).await;
        assert_eq!(stored["state"], "submitted", "open answers wait for markers");
        for n in 1..=20 {
            let key = exam.question(n)["key"].as_str().unwrap().to_string();
            let expected = match n {
                1..=5 => json!(single[n - 1]),
                6..=10 => json!(multi[n - 6]),
                _ => json!(text(n)),
            };
            assert_eq!(answer(&stored, &key), &expected, "question {n}");
        }
        room.assert_same_origin().await;

        exam.mark_all(&app, 3.0).await;
        exam.release(&app).await;
        room.press_button("Check for results", "查看成绩").await;
        room.wait_for("//h1[.='考试成绩']").await;
        let result = room.text("main").await;
        assert!(result.contains("医疗客服的核心是服务患者"), "the explanation is missing: {result}");
        assert!(result.contains(&format!("C. {}", exam.option(1, "C"))), "the option text is missing: {result}");
        assert!(result.contains("总分：55 / 110"), "{result}");
        room.screenshot("result").await;
    })
    .await;
}

#[actix_web::test]
async fn every_answer_typed_while_the_network_is_down_is_stored_when_it_returns() {
    let app = exam::app().await;
    let exam = Exam::paper(&app, small_paper("Which colour is the sky?"), json!({})).await;
    let invitation = exam.invite(&app, "Ada").await;
    let proxy = Proxy::start(app.address.trim_start_matches("http://").to_string()).await;
    let Some(browser) = session("en-US").await else { return };
    let room = Room { client: browser.client.clone(), base: proxy.address.clone() };
    run(browser, async {
        room.open(&invitation.start_path).await;
        room.use_language("en").await;
        room.start().await;
        room.choose(1, "Red").await;
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(10)).await;

        proxy.cut();
        room.choose(1, "Blue").await;
        room.choose(2, "True").await;
        room.write(3, "Paris").await;
        room.write(4, "5").await;
        room.write(5, "A first draft").await;
        room.write(5, "I led the migration of our billing system").await;
        let offline = room
            .wait_until("the offline status", "const s = document.querySelector('header [role=status]').textContent; return s.startsWith('Offline — ') && s;", Duration::from_secs(15))
            .await;
        assert!(offline.as_str().unwrap().ends_with("answers waiting"), "{offline}");
        assert!(room.text("main").await.contains("8 / 50 words"));

        proxy.restore();
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(30)).await;
        let stored = exam::stored(&app, &invitation.code).await;
        assert_eq!(answer(&stored, "n1"), "B");
        assert_eq!(answer(&stored, "n2"), &json!(true));
        assert_eq!(answer(&stored, "n3"), "Paris");
        assert_eq!(answer(&stored, "n4"), &json!(5.0));
        assert_eq!(answer(&stored, "n5"), "I led the migration of our billing system");
        room.assert_same_origin().await;

        // Offline again, the tab crashes with an answer still queued; a new tab picks it up.
        proxy.cut();
        room.write(5, "I led the billing migration and trained the team").await;
        let crashed = room.client.window().await.unwrap();
        let fresh = room.client.new_window(true).await.unwrap();
        room.client.switch_to_window(crashed).await.unwrap();
        room.client.close_window().await.unwrap();
        room.client.switch_to_window(fresh.handle).await.unwrap();
        proxy.restore();
        room.open("/take").await;
        room.wait_for(&question(5)).await;
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(30)).await;
        let shown = room.shown_answers().await;
        assert_eq!(shown["5"], "I led the billing migration and trained the team");
        let stored = exam::stored(&app, &invitation.code).await;
        assert_eq!(answer(&stored, "n5"), "I led the billing migration and trained the team");
    })
    .await;
}

#[actix_web::test]
async fn a_newer_save_from_another_device_wins_and_saving_goes_on_above_it() {
    let app = exam::app().await;
    let exam = Exam::paper(&app, small_paper("Which colour is the sky?"), json!({})).await;
    let invitation = exam.invite(&app, "Bea").await;
    let Some(browser) = session("en-US").await else { return };
    let room = Room { client: browser.client.clone(), base: app.address.clone() };
    run(browser, async {
        room.open(&invitation.start_path).await;
        room.use_language("en").await;
        room.start().await;
        room.choose(1, "Red").await;
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(10)).await;
        // Another device of the same candidate saves a much later answer.
        let token = token_of(app.post("/auth/access", None, &json!({"code": invitation.code})).await.expect(200));
        let attempt = exam::stored(&app, &invitation.code).await["id"].as_str().unwrap().to_string();
        app.put(&format!("/attempts/{attempt}/answers/n1"), Some(&token), &json!({"answer": "C", "seq": 1000}))
            .await
            .expect(200);
        room.choose(1, "Blue").await;
        let takes_server = "return [...document.querySelectorAll('fieldset')][0].querySelector('input:checked')?.closest('label').textContent.includes('Green');";
        room.wait_until("the page to take the server's answer", takes_server, Duration::from_secs(10)).await;
        assert_eq!(answer(&exam::stored(&app, &invitation.code).await, "n1"), "C");
        // The page's seq continues above the server's: the candidate's next change is stored.
        room.choose(1, "Blue").await;
        room.wait_status(SAVED.0, SAVED.1, Duration::from_secs(10)).await;
        let stored = exam::stored(&app, &invitation.code).await;
        assert_eq!(answer(&stored, "n1"), "B");
        assert!(stored["answers"]["n1"]["seq"].as_i64().unwrap() > 1000);
    })
    .await;
}

#[actix_web::test]
async fn at_zero_the_page_submits_by_itself() {
    let app = exam::app().await;
    let exam = Exam::paper(
        &app,
        small_paper("Which colour is the sky?"),
        json!({"duration_seconds": 12, "grace_seconds": 10}),
    )
    .await;
    let invitation = exam.invite(&app, "Grace").await;
    let Some(browser) = session("en-US").await else { return };
    let room = Room { client: browser.client.clone(), base: app.address.clone() };
    run(browser, async {
        room.open(&invitation.start_path).await;
        room.use_language("en").await;
        room.start().await;
        let shown = room.text("[role=timer]").await;
        let seconds: u32 = shown.rsplit(':').next().unwrap().trim().parse().unwrap();
        assert!(shown.contains("00:") && seconds <= 12, "the clock shows more than the server allows: {shown}");
        room.choose(1, "Blue").await;
        room.write(3, "Paris").await;
        assert!(room.text("[role=alert]").await.contains("1 minute left"));
        room.wait_until(
            "the page to submit",
            "return document.querySelector('main h1')?.textContent === 'Submitted';",
            Duration::from_secs(40),
        )
        .await;
        let stored = exam::stored(&app, &invitation.code).await;
        assert_ne!(stored["state"], "in_progress");
        assert_eq!(answer(&stored, "n1"), "B");
        assert_eq!(answer(&stored, "n3"), "Paris");
        let listing = app.get(&format!("/exams/{}/invitations", exam.exam_id), Some(&exam.recruiter)).await.expect(200);
        assert_eq!(listing.body[0]["status"], "submitted", "the page handed in, not the server's sweep");
    })
    .await;
}

#[actix_web::test]
async fn html_in_the_paper_is_shown_as_text_and_nothing_leaves_the_origin() {
    let app = exam::app().await;
    let mut paper = small_paper("<img src=x onerror=alert(1)> Which colour?");
    paper["instructions"] = json!("<script>alert(2)</script> Read carefully.");
    let exam = Exam::paper(&app, paper, json!({"title": "<i>Exam</i>"})).await;
    let invitation = exam.invite(&app, "Mallory").await;
    let Some(browser) = session("en-US").await else { return };
    let room = Room { client: browser.client.clone(), base: app.address.clone() };
    run(browser, async {
        room.open("/").await;
        for link in ["/take", "/mark", "/console"] {
            room.wait_for(&format!("//a[@href='{link}']")).await;
        }
        room.open(&invitation.start_path).await;
        room.use_language("en").await;
        room.wait_for(&button("Start", "开始")).await;
        let intro = room.text("main").await;
        assert!(
            intro.contains("<i>Exam</i>") && intro.contains("<script>alert(2)</script> Read carefully."),
            "{intro}"
        );
        room.start().await;
        let legend = room.text("fieldset legend").await;
        assert!(legend.contains("<img src=x onerror=alert(1)> Which colour?"), "{legend}");
        assert!(room.text("main").await.contains("<b>Green</b>"));
        let markup =
            room.js("return document.querySelectorAll('main img, main b, main i, main script').length;", vec![]).await;
        assert_eq!(markup, json!(0), "paper text became markup");
        assert!(room.client.get_alert_text().await.is_err(), "a script from the paper ran");
        // The policy backs this up: assigning HTML strings throws (Trusted Types), inline script is refused.
        let refused = room
            .js("try { document.body.innerHTML = '<b>x</b>'; return false; } catch (e) { return true; }", vec![])
            .await;
        assert_eq!(refused, json!(true));
        room.wait_for(&question(5)).await;
        room.assert_same_origin().await;
        // On a phone-sized window nothing runs off the side.
        room.client.set_window_size(390, 844).await.unwrap();
        let fits = room.js("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await;
        assert_eq!(fits, json!(true), "the room scrolls sideways on a phone");
    })
    .await;
}
