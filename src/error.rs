//! One error type for the whole API, mapped to `application/problem+json` (RFC 9457) in one place.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::paper::FieldError;

/// Every way a request can fail. Each kind has a stable machine `code`; see [`ApiError::code`].
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is well-formed but its content is wrong; lists each field.
    #[error("{detail}")]
    Validation {
        /// Summary.
        detail: String,
        /// One entry per problem.
        errors: Vec<FieldError>,
    },
    /// A draft cannot be published yet: each entry names a question that still needs its key.
    #[error("{detail}")]
    Incomplete {
        /// Summary.
        detail: String,
        /// One entry per question without a key.
        errors: Vec<FieldError>,
    },
    /// The request cannot be read (malformed JSON, bad query).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Valid credentials, not allowed.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// Nothing there (or nothing the caller may see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the object's state.
    #[error("{detail}")]
    Conflict {
        /// Stable code, e.g. `attempt_closed`.
        code: &'static str,
        /// What the state is.
        detail: String,
    },
    /// Too many attempts; try again after this many seconds.
    #[error("too many requests; retry after {0} seconds")]
    TooManyRequests(u64),
    /// The body is larger than allowed.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The body did not arrive within `body_read_timeout_ms` of the headers.
    #[error("the request body was not received in time")]
    BodyTimeout,
    /// The body is not JSON (or the format named).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The database is not reachable now.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// A bug or an unexpected failure; the cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

/// The problem+json body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, the same for every problem of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// Stable machine code.
    pub code: String,
    /// Field errors of a validation problem (empty for other problems; always present, as the contract shows).
    pub errors: Vec<ProblemField>,
}

/// One field error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// Path of the field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ApiError {
    /// A 500 whose cause is logged, not shown.
    pub fn internal(cause: impl Into<String>) -> ApiError {
        ApiError::Internal(cause.into())
    }

    /// A validation failure with one field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::Validation { detail: message.clone(), errors: vec![FieldError { field: field.to_string(), message }] }
    }

    /// A validation failure with several fields.
    pub fn fields(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] => one.message.clone(),
            many => format!("{} problems in the request", many.len()),
        };
        ApiError::Validation { detail, errors }
    }

    /// A draft that cannot be published until these questions have keys.
    pub fn incomplete(errors: Vec<FieldError>) -> ApiError {
        let detail = format!(
            "the paper cannot be published: {} question(s) still need a key ({})",
            errors.len(),
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ")
        );
        ApiError::Incomplete { detail, errors }
    }

    /// A conflict with the object's state.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::Conflict { code, detail: detail.into() }
    }

    /// A request that cannot be read.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest { code, detail: detail.into() }
    }

    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "validation_failed",
            ApiError::Incomplete { .. } => "paper_incomplete",
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::TooManyRequests(_) => "rate_limited",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::BodyTimeout => "body_timeout",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "Invalid request content",
            ApiError::Incomplete { .. } => "Paper incomplete",
            ApiError::BadRequest { .. } => "Bad request",
            ApiError::Unauthorized(_) => "Unauthorized",
            ApiError::Forbidden => "Forbidden",
            ApiError::NotFound(_) => "Not found",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::TooManyRequests(_) => "Too many requests",
            ApiError::PayloadTooLarge(_) => "Payload too large",
            ApiError::BodyTimeout => "Request timeout",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let errors = match self {
            ApiError::Validation { errors, .. } | ApiError::Incomplete { errors, .. } => {
                errors.iter().map(|e| ProblemField { field: e.field.clone(), message: e.message.clone() }).collect()
            }
            _ => Vec::new(),
        };
        Problem {
            kind: format!("urn:examd:problem:{}", self.code()),
            title: self.title().to_string(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
            code: self.code().to_string(),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } | ApiError::Incomplete { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(cause = %cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(cause = %cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        match self {
            ApiError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        if let ApiError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("already_exists", "a record with these values already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                ApiError::Unavailable(info.message().to_string())
            }
            // SQLite's busy timeout ran out: the database is overloaded, not broken; the client may retry.
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                ApiError::Unavailable(info.message().to_string())
            }
            other => ApiError::internal(format!("database: {other}")),
        }
    }
}

/// Every stable code a client may see; a test pins this list so codes never change by accident.
pub const CODES: &[&str] = &[
    "already_exists",
    "attempt_closed",
    "bad_body",
    "bad_path",
    "bad_query",
    "body_timeout",
    "email_taken",
    "exam_closed",
    "exam_not_closed",
    "exam_not_open",
    "forbidden",
    "internal",
    "invalid_utf8",
    "lease_lost",
    "mail_not_configured",
    "malformed_json",
    "malformed_yaml",
    "mark_not_settled",
    "marking_incomplete",
    "not_adjudicable",
    "not_found",
    "own_account",
    "paper_incomplete",
    "paper_not_published",
    "paper_published",
    "payload_too_large",
    "rate_limited",
    "regrade_moved",
    "results_not_released",
    "results_released",
    "stale_seq",
    "unauthorized",
    "unavailable",
    "unsupported_media_type",
    "validation_failed",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }

    /// The codes the source passes to `conflict(…)` and `bad_request(…)`, however the call is wrapped.
    fn codes_in_source() -> std::collections::BTreeSet<String> {
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut found = std::collections::BTreeSet::new();
        for text in files {
            for call in ["conflict(", "bad_request(", "code: \""] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    let rest = rest.strip_prefix('"').unwrap_or(rest);
                    let code: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                        .collect();
                    if !code.is_empty() && rest[code.len()..].starts_with('"') {
                        found.insert(code);
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_code_the_api_can_send_is_pinned() {
        let fixed = [
            ApiError::field("x", "y"),
            ApiError::incomplete(Vec::new()),
            ApiError::Unauthorized(String::new()),
            ApiError::Forbidden,
            ApiError::NotFound("x"),
            ApiError::TooManyRequests(1),
            ApiError::PayloadTooLarge(1),
            ApiError::BodyTimeout,
            ApiError::UnsupportedMediaType(String::new()),
            ApiError::Unavailable(String::new()),
            ApiError::internal("x"),
        ];
        let mut all: std::collections::BTreeSet<String> = fixed.iter().map(|e| e.code().to_string()).collect();
        all.extend(codes_in_source());
        let pinned: std::collections::BTreeSet<String> = CODES.iter().map(|c| c.to_string()).collect();
        assert_eq!(all, pinned, "a code was added, renamed or removed: clients rely on them");
    }

    #[test]
    fn problems_have_the_rfc_9457_shape() {
        let problem = serde_json::to_value(ApiError::field("sections[0].points", "must be above 0").problem()).unwrap();
        assert_eq!(problem["type"], "urn:examd:problem:validation_failed");
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["errors"][0]["field"], "sections[0].points");
        let internal = serde_json::to_value(ApiError::internal("secret database detail").problem()).unwrap();
        assert_eq!(internal["detail"], "internal error");
    }
}
