//! Issue 11: the served OpenAPI document tells the truth about errors, content types and answers.

use serde_json::Value;

use crate::helpers::*;

#[actix_web::test]
async fn the_served_document_declares_every_error_as_a_problem() {
    let app = spawn_app().await;
    let spec = app.get("/api/openapi.json", None).await.expect(200).body;
    let mut secured = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let requirements = op["security"].as_array().cloned().unwrap_or_default();
            let required = !requirements.is_empty() && requirements.iter().all(|r| !r.as_object().unwrap().is_empty());
            if required {
                secured += 1;
                assert!(responses.contains_key("401"), "{method} {path} does not declare 401");
            }
            let roles =
                requirements.iter().flat_map(|r| r.as_object().unwrap().values()).any(|v| v != &Value::Array(vec![]));
            if roles {
                assert!(responses.contains_key("403"), "{method} {path} admits some roles but does not declare 403");
            }
            let input = op["parameters"].as_array().is_some_and(|p| !p.is_empty()) || op.get("requestBody").is_some();
            if input {
                assert!(responses.contains_key("400"), "{method} {path} takes input but does not declare 400");
            }
            for (status, response) in responses {
                if status.as_str() >= "400" {
                    let content = response["content"].as_object().unwrap();
                    assert!(
                        content.len() == 1 && content.contains_key("application/problem+json"),
                        "{method} {path} {status}"
                    );
                    assert_eq!(content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem");
                }
            }
        }
    }
    assert!(secured >= 38, "only {secured} secured operations");
    assert!(spec["components"]["schemas"]["Problem"]["properties"]["errors"].is_object());

    // Clients generated from the document can save an answer and read an export.
    for schema in ["SaveAnswer", "KeyCorrection"] {
        let answer = &spec["components"]["schemas"][schema]["properties"]["answer"];
        let kinds: Vec<&str> =
            answer["oneOf"].as_array().unwrap().iter().map(|s| s["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["string", "array", "boolean", "number", "null"], "{schema}: {answer}");
    }
    let export = &spec["paths"]["/api/v1/papers/{id}/export"]["get"]["responses"]["200"]["content"];
    for media in ["application/json", "application/yaml", "text/plain"] {
        assert!(export.get(media).is_some(), "export does not declare {media}: {export}");
    }
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_a_problem() {
    let app = spawn_app().await;
    app.get("/api/v1/no-such-route", None).await.expect_problem(404, "not_found");
    app.send("PATCH", "/healthz", None, None, Vec::new()).await.expect_problem(404, "not_found");
    app.get("/nowhere", None).await.expect_problem(404, "not_found");
}
