//! Issue 16: what the recruiter's console needs from the API — papers read and written back as they
//! are, staff to assign, attempts read whole, marks corrected, the audit trail, accounts.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::papers::small_paper;

#[actix_web::test]
async fn a_paper_read_is_written_back_as_it_is() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let id = app.post("/papers", Some(&recruiter), &small_paper()).await.expect(201).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut read = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200).body;
    for field in ["id", "status", "version", "total_points", "owner_id", "created_at", "updated_at"] {
        assert!(read.get(field).is_some(), "the read gives {field}");
    }
    // The console edits points in a form and sends the read back whole.
    read["sections"][0]["points"] = json!(3);
    let written = app.put(&format!("/papers/{id}"), Some(&recruiter), &read).await.expect(200).body;
    assert_eq!(written["sections"][0]["points"], json!(3));
    assert_eq!(written["id"], read["id"]);
    assert_ne!(written["total_points"], read["total_points"], "the total is the server's, not the one sent");

    // The same in YAML.
    let yaml = serde_yaml::to_string(&written).unwrap();
    app.send("PUT", &format!("/papers/{id}"), Some(&recruiter), Some("application/yaml"), yaml.into_bytes())
        .await
        .expect(200);

    // Only the read's own fields are forgiven: anything else unknown is still a 422 naming it.
    let mut typo = written.clone();
    typo["colour"] = json!("red");
    let refused = app.put(&format!("/papers/{id}"), Some(&recruiter), &typo).await.expect(422);
    assert!(refused.text.contains("colour"), "{}", refused.text);
    let mut nested: Value = written.clone();
    nested["sections"][0]["id"] = json!("x");
    app.put(&format!("/papers/{id}"), Some(&recruiter), &nested).await.expect(422);
}

#[actix_web::test]
async fn a_recruiter_finds_markers_by_name_assigns_and_removes_them() {
    let app = spawn_app().await;
    let setup = app.seed_exam(json!({})).await;
    let (marker_id, marker) = app.staff("marker").await;
    let (_, other_recruiter) = app.staff("recruiter").await;
    let admin = app.admin_token().await;

    // Without admin rights: id, e-mail and name only, of the role asked for.
    let found = app.get("/users?role=marker", Some(&setup.recruiter)).await.expect(200).body;
    let card = found.as_array().unwrap().iter().find(|u| u["id"] == marker_id.as_str()).unwrap().clone();
    assert_eq!(card.as_object().unwrap().keys().collect::<Vec<_>>(), ["display_name", "email", "id"]);
    assert!(found.as_array().unwrap().iter().all(|u| u.get("role").is_none()));
    let everyone = app.get("/users", Some(&admin)).await.expect(200).body;
    assert!(everyone.as_array().unwrap().iter().all(|u| u.get("role").is_some()), "an admin sees accounts whole");
    app.get("/users?role=marker", Some(&marker)).await.expect(403);
    app.get("/users?role=boss", Some(&setup.recruiter)).await.expect(422);

    let exam = &setup.exam_id;
    app.post(&format!("/exams/{exam}/markers"), Some(&setup.recruiter), &json!({"user_ids": [marker_id]}))
        .await
        .expect(200);
    let assigned = app.get(&format!("/exams/{exam}/markers"), Some(&setup.recruiter)).await.expect(200).body;
    assert_eq!(assigned, json!([card]));
    app.get(&format!("/exams/{exam}/markers"), Some(&other_recruiter)).await.expect(404);
    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&other_recruiter)).await.expect(404);
    app.get("/marking/exams", Some(&marker)).await.expect(200);

    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&setup.recruiter)).await.expect(204);
    assert_eq!(app.get(&format!("/exams/{exam}/markers"), Some(&setup.recruiter)).await.expect(200).body, json!([]));
    app.delete(&format!("/exams/{exam}/markers/{marker_id}"), Some(&setup.recruiter)).await.expect(404);
    app.post("/marking/claim", Some(&marker), &json!({"exam_id": exam})).await.expect(404);
}
