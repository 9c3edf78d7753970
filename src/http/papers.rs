//! Papers: author, import, read, replace, delete, publish, copy, export.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{Recruiting, Staff};
use super::read_body;
use crate::domain::points::Points;
use crate::error::{ApiError, Problem};
use crate::formats::{Format, ImportOptions};
use crate::service::papers::{self, PaperSummary};
use crate::state::AppState;

fn content_type(req: &HttpRequest) -> String {
    req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_lowercase()
}

/// Create a draft from a paper document (JSON, or YAML with `Content-Type: application/yaml`).
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    request_body(description = "The paper document, as JSON or YAML", content(
        (serde_json::Value = "application/json"),
        (String = "application/yaml"),
    )),
    responses(
        (status = 201, description = "The draft, with generated keys", body = serde_json::Value),
        (status = 400, description = "Unreadable JSON/YAML", body = Problem),
        (status = 422, description = "Invalid paper, with field errors", body = Problem),
    )
)]
#[post("/papers")]
pub async fn create(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(body, state.settings.max_import_bytes).await?;
    let doc = papers::read_document(body, &content_type(&req)).await?;
    Ok(HttpResponse::Created().json(papers::create(&state, &staff.principal, doc).await?))
}

/// Import options.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `cn-text`, `gift`, `aiken`, `json` or `yaml`; detected from the file name and content when absent.
    format: Option<String>,
    /// Points per question where the file gives none.
    points: Option<String>,
    /// Title where the file gives none.
    title: Option<String>,
}

/// Import a question bank file into a new draft; the answer lists warnings, each with its line, column,
/// a short quote of the file there (`excerpt`) and a message.
///
/// The body is the file itself, or a `multipart/form-data` upload whose file part is read (its
/// name helps detect the format). Text may be UTF-8, UTF-16 or GB18030/GBK; a Word `.docx` is read
/// paragraph by paragraph. The answer's `source` says which encoding and format were used.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(ImportQuery),
    request_body(content = String, description = "The file: text (UTF-8, UTF-16, GB18030), a .docx, or a multipart upload", content_type = "text/plain"),
    responses(
        (status = 201, description = "The draft, its missing keys, the warnings, the source and a per-section summary", body = serde_json::Value),
        (status = 400, description = "Not text in a known encoding nor a Word file (`invalid_utf8`), or a multipart body without a file", body = Problem),
        (status = 422, description = "Nothing importable, or the result is not a valid paper", body = Problem),
    )
)]
#[post("/papers/import")]
pub async fn import(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let format = match query.format.as_deref() {
        Some(name) => Some(Format::parse(name).ok_or_else(|| {
            ApiError::field("format", format!("unknown format `{name}`: use cn-text, gift, aiken, json or yaml"))
        })?),
        None => None,
    };
    let default_points =
        match query.points.as_deref() {
            Some(p) => Some(Points::parse(p).ok().filter(|p| p.is_positive()).ok_or_else(|| {
                ApiError::field("points", "points must be a positive number with at most two decimals")
            })?),
            None => None,
        };
    let limit = state.settings.max_import_bytes;
    let (bytes, file_name) = if content_type(&req).starts_with("multipart/form-data") {
        super::upload::file_part(&req, body, limit).await?
    } else {
        (read_body(body, limit).await?, None)
    };
    let options = ImportOptions { default_points, title: query.title };
    let view = papers::import(&state, &staff.principal, format, bytes, file_name, &options).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List the caller's papers.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    responses((status = 200, description = "Papers, newest first", body = [PaperSummary]))
)]
#[get("/papers")]
pub async fn list(state: web::Data<AppState>, staff: Staff<Recruiting>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(papers::list(&state, &staff.principal).await?))
}

/// Read a paper with its keys.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id")),
    responses(
        (status = 200, description = "The document with id, status, version and total_points", body = serde_json::Value),
        (status = 404, description = "No such paper of yours", body = Problem),
    )
)]
#[get("/papers/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(papers::get(&state, &staff.principal, id.into_inner()).await?))
}

/// Replace a draft. A paper as `GET /papers/{id}` gave it may be sent back as it is: the read's own
/// fields (`id`, `status`, `version`, `total_points`, `missing_keys`, …) are accepted and ignored.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id")),
    request_body(description = "The paper document, as JSON or YAML", content(
        (serde_json::Value = "application/json"),
        (String = "application/yaml"),
    )),
    responses(
        (status = 200, description = "The draft", body = serde_json::Value),
        (status = 404, description = "No such paper of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The paper is published", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid paper", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/papers/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(body, state.settings.max_import_bytes).await?;
    let doc = papers::read_replacement(body, &content_type(&req)).await?;
    Ok(HttpResponse::Ok().json(papers::replace(&state, &staff.principal, id.into_inner(), doc).await?))
}

/// Delete a draft.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The paper is published", body = Problem),
    )
)]
#[delete("/papers/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    papers::delete(&state, &staff.principal, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publish (freeze) a draft.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id")),
    responses(
        (status = 200, description = "The published paper", body = serde_json::Value),
        (status = 409, description = "Already published", body = Problem),
        (status = 422, description = "`paper_incomplete`: questions still without a key, one entry each", body = Problem),
    )
)]
#[post("/papers/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(papers::publish(&state, &staff.principal, id.into_inner()).await?))
}

/// Copy a paper into a new draft, one version up.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id")),
    responses((status = 201, description = "The new draft", body = serde_json::Value))
)]
#[post("/papers/{id}/copy")]
pub async fn copy(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(papers::copy(&state, &staff.principal, id.into_inner()).await?))
}

/// Export format.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `json` (default), `yaml` or `gift`.
    format: Option<String>,
}

/// Export a paper as JSON, YAML or GIFT.
#[utoipa::path(
    tag = "papers",
    security(("bearer" = ["admin", "recruiter"])),
    params(("id" = String, Path, description = "Paper id"), ExportQuery),
    responses(
        (status = 200, description = "The file: JSON for `format=json`, YAML for `yaml`, GIFT text for `gift`", content(
            (serde_json::Value = "application/json"),
            (String = "application/yaml"),
            (String = "text/plain"),
        )),
        (status = 422, description = "Unknown format", body = Problem),
    )
)]
#[get("/papers/{id}/export")]
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff<Recruiting>,
    id: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let format = query.into_inner().format.unwrap_or_else(|| "json".into());
    let (text, content_type) = papers::export(&state, &staff.principal, id.into_inner(), &format).await?;
    Ok(HttpResponse::Ok().content_type(content_type).body(text))
}
