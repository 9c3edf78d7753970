//! The OpenAPI document: generated from the route table, then completed with the error answers that
//! every route shares because they come from one place (the auth extractors, the body and path
//! extractors, the error type), so no handler annotation repeats them and none can forget one.
//!
//! A route's own annotation declares what only it answers (its success, its 409s, its 429). Roles are
//! written as the bearer requirement's role list (OpenAPI 3.1 allows role names for any scheme), and
//! a listed role is what makes a route answer 403. Every error is `application/problem+json` with the
//! [`Problem`] schema, which is what [`ApiError`](crate::error::ApiError) sends.

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{OpenApi, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;

use crate::error::{Problem, ProblemField};

/// The content type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Document metadata; the paths come from the route table.
#[derive(OpenApi)]
#[openapi(
    info(title = "examd", description = "Written-exam server for recruitment"),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// The token kinds: a staff token (`bearer`, from `/auth/login`), a candidate token (`candidate`, from
/// `/auth/access`), and the optional scrape token of `/metrics`.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let jwt = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "bearer",
            jwt("A staff token from POST /api/v1/auth/login; the roles listed are those admitted"),
        );
        components.add_security_scheme("candidate", jwt("A candidate token from POST /api/v1/auth/access"));
        components.add_security_scheme(
            "metrics",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The `metrics_token` setting, when set"))
                    .build(),
            ),
        );
    }
}

/// The full OpenAPI document, generated from the same route table the server runs.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = super::register(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    complete_errors(&mut api);
    api
}

/// What an operation's declaration says about the shared error answers.
struct Shape {
    /// A token is required (not merely accepted).
    secured: bool,
    /// Only some roles are admitted.
    roles: bool,
    /// Path or query parameters.
    params: bool,
    /// Path parameters naming an object.
    object: bool,
    /// Query parameters (their values are checked: 422 with the field).
    query: bool,
    /// A request body, and whether it is JSON.
    body: Option<bool>,
}

fn shape(op: &Operation) -> Shape {
    let requirements: Vec<serde_json::Value> =
        op.security.iter().flatten().filter_map(|r| serde_json::to_value(r).ok()).collect();
    let optional = requirements.iter().any(|r| r.as_object().is_some_and(|m| m.is_empty()));
    let roles = requirements
        .iter()
        .filter_map(|r| r.as_object())
        .flat_map(|m| m.values())
        .any(|v| v.as_array().is_some_and(|a| !a.is_empty()));
    let params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let object = op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Path);
    let query = op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
    let body = op.request_body.as_ref().map(|b| b.content.keys().any(|c| c == "application/json"));
    Shape { secured: !requirements.is_empty() && !optional, roles, params, object, query, body }
}

fn problem(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    RefOr::T(ResponseBuilder::new().description(description).content(PROBLEM_JSON, content).build())
}

/// Adds the shared error answers each operation can give, and declares every error (the shared ones
/// and the routes' own) as `application/problem+json` with the [`Problem`] schema.
fn complete_errors(api: &mut utoipa::openapi::OpenApi) {
    let components = api.components.get_or_insert_with(Default::default);
    components.schemas.entry("Problem".into()).or_insert_with(Problem::schema);
    let mut nested = Vec::new();
    Problem::schemas(&mut nested);
    components.schemas.entry("ProblemField".into()).or_insert_with(ProblemField::schema);
    for (name, schema) in nested {
        components.schemas.entry(name).or_insert(schema);
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let api_route = path.starts_with("/api/v1/");
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
        for op in operations.into_iter().flatten() {
            let s = shape(op);
            let mut shared: Vec<(&str, &str)> = Vec::new();
            if s.secured {
                shared.push(("401", "No valid token: missing, invalid, expired, revoked, or of the other kind"));
            }
            if s.roles {
                shared.push(("403", "Your role may not do this"));
            }
            if s.params || s.body.is_some() {
                shared.push(("400", "The request cannot be read: a malformed path, query or body"));
            }
            if s.object {
                shared.push(("404", "No such object, or not one you may see"));
            }
            if s.query || s.body.is_some() {
                shared.push(("422", "The content is invalid; `errors` lists each field"));
            }
            if let Some(json) = s.body {
                shared.push(("408", "The body did not arrive within `body_read_timeout_ms`"));
                shared.push(("413", "The body is larger than allowed"));
                if json {
                    shared.push(("415", "The body is not JSON (`Content-Type: application/json`)"));
                }
            }
            if api_route {
                shared.push(("503", "The database is unavailable; retry after `Retry-After` seconds"));
            }
            let responses = &mut op.responses.responses;
            for (status, description) in shared {
                responses.entry(status.to_string()).or_insert_with(|| problem(description));
            }
            for (status, response) in responses.iter_mut() {
                if status.parse::<u16>().is_ok_and(|s| s >= 400) {
                    if let RefOr::T(response) = response {
                        *response = match problem(&response.description) {
                            RefOr::T(mut p) => {
                                p.headers = std::mem::take(&mut response.headers);
                                p
                            }
                            RefOr::Ref(_) => continue,
                        };
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_a_problem_and_secured_routes_declare_401() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let secured =
                    op["security"].as_array().is_some_and(|r| r.iter().all(|r| !r.as_object().unwrap().is_empty()));
                if secured {
                    assert!(responses.contains_key("401"), "{method} {path} does not declare 401");
                }
                for (status, response) in responses {
                    if status.as_str() >= "400" {
                        let content = response["content"].as_object().unwrap();
                        assert_eq!(content.keys().collect::<Vec<_>>(), [PROBLEM_JSON], "{method} {path} {status}");
                        assert_eq!(content[PROBLEM_JSON]["schema"]["$ref"], "#/components/schemas/Problem");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} operations");
    }
}
