//! Issue 3: authoring, validation, publishing, ownership and round-trips of papers.

use serde_json::json;

use crate::helpers::*;

pub fn small_paper() -> serde_json::Value {
    json!({
        "title": "客服经理笔试",
        "instructions": "考试时间30分钟。",
        "sections": [
            {"title": "单选题", "kind": "single_choice", "points": 2, "questions": [
                {"key": "q1", "prompt": "首要原则是?", "options": [{"text": "快速回应"}, {"text": "理解患者"}], "answer": "B",
                 "explanation": "以患者为中心"}
            ]},
            {"title": "多选题", "kind": "multiple_choice", "points": 3, "scoring": "partial", "questions": [
                {"key": "q2", "prompt": "核心能力?", "options": [{"text": "沟通"}, {"text": "法规"}, {"text": "临床"}], "answer": ["A", "B"]}
            ]},
            {"title": "简答题", "kind": "short_answer", "points": 5.5, "questions": [
                {"key": "q3", "prompt": "如何平衡?", "reference_answer": "理解规定底线", "rubric": [{"criterion": "政策红线", "points": 2}]}
            ]}
        ]
    })
}

#[actix_web::test]
async fn a_recruiter_creates_reads_and_publishes_a_paper() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let created = app.post("/papers", Some(&recruiter), &small_paper()).await.expect(201);
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["version"], 1);
    assert_eq!(created.body["total_points"], 10.5);
    let id = created.body["id"].as_str().unwrap();
    let read = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200);
    assert_eq!(read.body["sections"][0]["questions"][0]["answer"], "B");
    assert_eq!(read.body["sections"][0]["questions"][0]["options"][1]["key"], "B");
    let listed = app.get("/papers", Some(&recruiter)).await.expect(200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1);

    let published = app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    assert_eq!(published.body["status"], "published");
    app.put(&format!("/papers/{id}"), Some(&recruiter), &small_paper()).await.expect_problem(409, "paper_published");
    app.delete(&format!("/papers/{id}"), Some(&recruiter)).await.expect_problem(409, "paper_published");
    app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({}))
        .await
        .expect_problem(409, "paper_published");

    let copy = app.post(&format!("/papers/{id}/copy"), Some(&recruiter), &json!({})).await.expect(201);
    assert_eq!(copy.body["version"], 2);
    assert_eq!(copy.body["derived_from"], id);
    assert_eq!(copy.body["status"], "draft");
    let copy_id = copy.body["id"].as_str().unwrap();
    let mut edited = small_paper();
    edited["title"] = json!("客服经理笔试 第二版");
    let replaced = app.put(&format!("/papers/{copy_id}"), Some(&recruiter), &edited).await.expect(200);
    assert_eq!(replaced.body["title"], "客服经理笔试 第二版");
    let original = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200);
    assert_eq!(original.body["title"], "客服经理笔试");
    app.delete(&format!("/papers/{copy_id}"), Some(&recruiter)).await.expect(204);
    app.get(&format!("/papers/{copy_id}"), Some(&recruiter)).await.expect_problem(404, "not_found");
}

#[actix_web::test]
async fn an_invalid_paper_is_refused_with_field_errors_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let mut paper = small_paper();
    paper["sections"][0]["questions"][0]["answer"] = json!("F");
    paper["sections"][1]["points"] = json!(0);
    paper["sections"][2]["questions"][0]["prompt"] = json!(" ");
    let reply = app.post("/papers", Some(&recruiter), &paper).await.expect_problem(422, "validation_failed");
    let errors = reply.body["errors"].as_array().unwrap();
    let messages: Vec<&str> = errors.iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.contains(&"section 1, question 1: answer key F is not among the options A–B"), "{messages:?}");
    assert!(errors.iter().any(|e| e["field"] == "sections[1].points"));
    assert!(errors.iter().any(|e| e["field"] == "sections[2].questions[0].prompt"));

    let mut wrong_type = small_paper();
    wrong_type["sections"][0]["questions"][0]["points"] = json!("lots");
    let reply = app.post("/papers", Some(&recruiter), &wrong_type).await.expect_problem(422, "validation_failed");
    assert_eq!(reply.body["errors"][0]["field"], "sections[0].questions[0].points");
    let mut unknown = small_paper();
    unknown["sections"][0]["weight"] = json!(3);
    app.post("/papers", Some(&recruiter), &unknown).await.expect_problem(422, "validation_failed");
    app.send("POST", "/papers", Some(&recruiter), Some("application/json"), b"{\"title\":".to_vec())
        .await
        .expect_problem(400, "malformed_json");

    let listed = app.get("/papers", Some(&recruiter)).await.expect(200);
    assert_eq!(listed.body, json!([]));
}

#[actix_web::test]
async fn json_and_yaml_round_trip_exactly() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let id = app.post("/papers", Some(&recruiter), &small_paper()).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let original = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200).body;
    for format in ["json", "yaml"] {
        let exported = app.get(&format!("/papers/{id}/export?format={format}"), Some(&recruiter)).await.expect(200);
        let imported = app
            .send(
                "POST",
                &format!("/papers/import?format={format}"),
                Some(&recruiter),
                Some("text/plain"),
                exported.text.into_bytes(),
            )
            .await
            .expect(201);
        assert_eq!(imported.body["sections"], original["sections"], "{format}");
        assert_eq!(imported.body["title"], original["title"]);
        assert_eq!(imported.body["instructions"], original["instructions"]);
        assert_eq!(imported.body["total_points"], original["total_points"]);
        assert_eq!(imported.body["warnings"], json!([]));
    }
    let yaml = app.get(&format!("/papers/{id}/export?format=yaml"), Some(&recruiter)).await.expect(200).text;
    let via_post =
        app.send("POST", "/papers", Some(&recruiter), Some("application/yaml"), yaml.into_bytes()).await.expect(201);
    assert_eq!(via_post.body["sections"], original["sections"]);
}

#[actix_web::test]
async fn papers_belong_to_their_recruiter() {
    let app = spawn_app().await;
    let (_, owner) = app.staff("recruiter").await;
    let (_, other) = app.staff("recruiter").await;
    let (_, marker) = app.staff("marker").await;
    let admin = app.admin_token().await;
    let id =
        app.post("/papers", Some(&owner), &small_paper()).await.expect(201).body["id"].as_str().unwrap().to_string();
    let path = format!("/papers/{id}");
    app.get(&path, Some(&other)).await.expect_problem(404, "not_found");
    app.put(&path, Some(&other), &small_paper()).await.expect_problem(404, "not_found");
    app.delete(&path, Some(&other)).await.expect_problem(404, "not_found");
    app.post(&format!("{path}/publish"), Some(&other), &json!({})).await.expect_problem(404, "not_found");
    app.get(&format!("{path}/export"), Some(&other)).await.expect_problem(404, "not_found");
    assert_eq!(app.get("/papers", Some(&other)).await.expect(200).body, json!([]));
    app.get(&path, Some(&marker)).await.expect_problem(403, "forbidden");
    app.get(&format!("{path}/export"), Some(&marker)).await.expect_problem(403, "forbidden");
    app.post("/papers", Some(&marker), &small_paper()).await.expect_problem(403, "forbidden");
    app.get(&path, None).await.expect_problem(401, "unauthorized");
    app.get(&path, Some(&admin)).await.expect(200);
}
