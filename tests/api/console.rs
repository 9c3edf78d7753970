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
