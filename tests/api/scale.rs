//! Issue 14: results read from stored scores, filtered, sorted and paged in SQL, and streamed as CSV.

use serde_json::{json, Value};

use crate::exam_flow::Invited;
use crate::helpers::*;

/// A recruiter's exam on a paper of five one-point questions, and seven candidates who answered the
/// first 0..=5 of them right (two tie), in an order that is not their score order; one still sitting.
async fn seven_scores(app: &TestApp) -> (String, String, Vec<Invited>) {
    let (_, recruiter) = app.staff("recruiter").await;
    let questions: Vec<Value> = (1..=5)
        .map(|i| json!({"key": format!("q{i}"), "prompt": format!("{i}?"), "options": [{"text": "对"}, {"text": "错"}], "answer": "A"}))
        .collect();
    let paper = json!({"title": "五题", "sections": [{"title": "单选", "kind": "single_choice", "points": 1, "questions": questions}]});
    let paper = app.post("/papers", Some(&recruiter), &paper).await.expect(201).body;
    let id = paper["id"].as_str().unwrap();
    app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    let exam = app.create_exam(&recruiter, id, json!({})).await["id"].as_str().unwrap().to_string();
    let names = ["丙", "甲", "戊", "乙", "己", "丁", "庚"];
    let invited = app.invite_names(&recruiter, &exam, &names).await;
    for (i, right) in [2, 5, 0, 4, 2, 3].into_iter().enumerate() {
        let answers: Vec<(String, Value)> = (1..=right).map(|q| (format!("q{q}"), json!("A"))).collect();
        app.sit(&invited[i].code, &answers, true).await;
    }
    app.sit(&invited[6].code, &[], false).await;
    (recruiter, exam, invited)
}

/// Every row of the results in this order, page by page, and the pages' sizes.
async fn all_pages(app: &TestApp, recruiter: &str, exam: &str, query: &str) -> (Vec<Value>, Vec<usize>) {
    let (mut rows, mut sizes, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page = app.get(&format!("/exams/{exam}/results?{query}{after}"), Some(recruiter)).await.expect(200).body;
        assert_eq!(page["total_count"], 7);
        sizes.push(page["rows"].as_array().unwrap().len());
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return (rows, sizes),
        }
    }
}

fn totals(rows: &[Value]) -> Vec<Option<f64>> {
    rows.iter().map(|r| r["total"].as_f64()).collect()
}

#[actix_web::test]
async fn results_page_by_keyset_in_every_order() {
    let app = spawn_app().await;
    let (recruiter, exam, invited) = seven_scores(&app).await;
    let (by_total, sizes) = all_pages(&app, &recruiter, &exam, "sort=total&order=desc&limit=3").await;
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(totals(&by_total), [Some(5.0), Some(4.0), Some(3.0), Some(2.0), Some(2.0), Some(0.0), None]);
    // Ties are broken the same way every time, and the one still sitting comes last either way.
    let (ascending, _) = all_pages(&app, &recruiter, &exam, "sort=total&limit=2").await;
    assert_eq!(totals(&ascending), [Some(0.0), Some(2.0), Some(2.0), Some(3.0), Some(4.0), Some(5.0), None]);
    let (by_name, _) = all_pages(&app, &recruiter, &exam, "sort=name&limit=4").await;
    let mut names: Vec<&str> = invited.iter().map(|i| i.name.as_str()).collect();
    names.sort();
    assert_eq!(by_name.iter().map(|r| r["candidate"]["name"].as_str().unwrap()).collect::<Vec<_>>(), names);
    let (started, _) = all_pages(&app, &recruiter, &exam, "limit=1").await;
    let started_names: Vec<&str> = started.iter().map(|r| r["candidate"]["name"].as_str().unwrap()).collect();
    assert_eq!(started_names, ["丙", "甲", "戊", "乙", "己", "丁", "庚"]);
    let (submitted, _) = all_pages(&app, &recruiter, &exam, "sort=submitted&order=desc&limit=5").await;
    assert_eq!(submitted.last().unwrap()["state"], "in_progress");

    // Filters run in the query, and the count says what they select.
    let graded = app.get(&format!("/exams/{exam}/results?state=graded&complete=true"), Some(&recruiter)).await;
    let graded = graded.expect(200).body;
    assert_eq!((graded["total_count"].as_i64(), graded["rows"].as_array().unwrap().len()), (Some(6), 6));
    let none = app.get(&format!("/exams/{exam}/results?complete=false&state=graded"), Some(&recruiter)).await;
    assert_eq!((none.body["total_count"].as_i64(), none.body["next_cursor"].is_null()), (Some(0), true));
}

#[actix_web::test]
async fn bad_paging_is_refused_plainly() {
    let app = spawn_app().await;
    let (recruiter, exam, _) = seven_scores(&app).await;
    let results = format!("/exams/{exam}/results");
    for (query, field) in [("limit=0", "limit"), ("limit=1001", "limit"), ("sort=age", "sort"), ("order=up", "order")] {
        let refused =
            app.get(&format!("{results}?{query}"), Some(&recruiter)).await.expect_problem(422, "validation_failed");
        assert_eq!(refused.body["errors"][0]["field"], field);
    }
    app.get(&format!("{results}?cursor=not-a-cursor"), Some(&recruiter)).await.expect_problem(400, "bad_query");
    // A cursor of one order is not read as a place in another.
    let page = app.get(&format!("{results}?sort=total&limit=2"), Some(&recruiter)).await.expect(200).body;
    let cursor = page["next_cursor"].as_str().unwrap();
    app.get(&format!("{results}?sort=name&cursor={cursor}"), Some(&recruiter)).await.expect_problem(400, "bad_query");
}

#[actix_web::test]
async fn the_csv_streams_every_row_a_few_at_a_time() {
    // Two rows per database read: seven rows come in four reads, after the header.
    let app = spawn_app_with(&[("EXAMD_RESULTS_PAGE_ROWS", "2")]).await;
    let (recruiter, exam, _) = seven_scores(&app).await;
    let csv = app.get(&format!("/exams/{exam}/results.csv?sort=total&order=desc"), Some(&recruiter)).await.expect(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 8, "{}", csv.text);
    assert!(lines[0].starts_with("邮箱,姓名,状态,已评完,自动评分,人工评分,总分（满分"), "{}", lines[0]);
    let totals: Vec<&str> = lines[1..].iter().map(|l| l.split(',').nth(6).unwrap()).collect();
    assert_eq!(totals, ["5", "4", "3", "2", "2", "0", ""]);
    // The statistics read their rows the same way and count every graded attempt.
    let stats = app.get(&format!("/exams/{exam}/statistics"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(stats["graded_attempts"], 6);
    assert_eq!(stats["questions"][0]["facility"].as_f64(), Some(5.0 / 6.0));
    assert_eq!(app.assert_scores_are_fresh(&exam).await, 6);
}
