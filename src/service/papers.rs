//! Papers: create, import, read, replace and delete drafts, publish (freeze), copy into a new version,
//! export. A recruiter reaches only their own papers; an admin reaches all.

use serde::Serialize;

use super::auth::StaffPrincipal;
use super::new_id;
use crate::domain::paper::{DraftPaper, FieldError, Paper, PaperDoc};
use crate::domain::points::Points;
use crate::domain::user::Role;
use crate::error::ApiError;
use crate::formats::canonical::{self, DocError, Syntax};
use crate::formats::upload::{self, Source, UploadError};
use crate::formats::{self, Format, ImportOptions, ImportWarning};
use crate::state::AppState;
use crate::store::papers::{self, PaperRow, DRAFT, PUBLISHED};
use crate::store::time::{from_db, to_db};
use crate::store::{audit, DbConn};

/// A paper as the API shows it: the document with its id, status, version and total.
#[derive(Debug, Serialize)]
pub struct PaperView {
    /// Id.
    pub id: String,
    /// `draft` or `published`.
    pub status: String,
    /// Version number.
    pub version: i32,
    /// The published paper a draft was copied from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    /// Most points.
    pub total_points: Points,
    /// Owner's user id.
    pub owner_id: String,
    /// Made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Frozen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A draft's questions that still need a key before it can be published (empty once complete).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_keys: Vec<FieldError>,
    /// The document, every question with its key.
    #[serde(flatten)]
    pub document: PaperDoc,
}

/// A line of the paper list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaperSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `draft` or `published`.
    pub status: String,
    /// Version.
    pub version: i32,
    /// Most points.
    #[schema(value_type = f64)]
    pub total_points: Points,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// What an import made.
#[derive(Debug, Serialize)]
pub struct ImportView {
    /// The new draft.
    #[serde(flatten)]
    pub paper: PaperView,
    /// What the importer could not take as written, with line numbers.
    pub warnings: Vec<ImportWarning>,
    /// How the file was read: encoding and format, and whether the format was detected.
    pub source: Source,
    /// Counts per section, to check against the source at a glance.
    pub summary: Vec<SectionSummary>,
}

/// One section's counts.
#[derive(Debug, Serialize)]
pub struct SectionSummary {
    /// Section title.
    pub title: String,
    /// Kind name.
    pub kind: &'static str,
    /// Questions found.
    pub questions: usize,
    /// Points of the section.
    pub points: Points,
}

fn view(row: PaperRow) -> Result<PaperView, ApiError> {
    let document: PaperDoc =
        serde_json::from_str(&row.document).map_err(|e| ApiError::internal(format!("stored paper {}: {e}", row.id)))?;
    let missing_keys = match row.status.as_str() {
        DRAFT => DraftPaper::parse(document.clone()).map(|d| d.missing_keys().to_vec()).unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(PaperView {
        missing_keys,
        id: row.id,
        status: row.status,
        version: row.version,
        derived_from: row.derived_from,
        total_points: Points::from_hundredths(row.total_points),
        owner_id: row.owner_id,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        published_at: row.published_at.map(from_db),
        document,
    })
}

/// Loads a stored draft, which may still lack keys.
pub fn load_draft(row: &PaperRow) -> Result<DraftPaper, ApiError> {
    let doc: PaperDoc =
        serde_json::from_str(&row.document).map_err(|e| ApiError::internal(format!("stored paper {}: {e}", row.id)))?;
    DraftPaper::parse(doc).map_err(|_| ApiError::internal(format!("stored paper {} no longer validates", row.id)))
}

/// Loads the stored paper as a validated, complete [`Paper`].
pub fn load_paper(row: &PaperRow) -> Result<Paper, ApiError> {
    let doc: PaperDoc =
        serde_json::from_str(&row.document).map_err(|e| ApiError::internal(format!("stored paper {}: {e}", row.id)))?;
    Paper::parse(doc).map_err(|_| ApiError::internal(format!("stored paper {} no longer validates", row.id)))
}

fn require_recruiter(who: &StaffPrincipal) -> Result<(), ApiError> {
    match who.role {
        Role::Admin | Role::Recruiter => Ok(()),
        Role::Marker => Err(ApiError::Forbidden),
    }
}

/// The paper if the caller may reach it; another recruiter's paper is "not found", not "forbidden",
/// so ids reveal nothing.
pub fn owned_paper(conn: &mut DbConn, who: &StaffPrincipal, id: &str) -> Result<PaperRow, ApiError> {
    require_recruiter(who)?;
    match papers::get(conn, id)? {
        Some(row) if who.role == Role::Admin || row.owner_id == who.id => Ok(row),
        _ => Err(ApiError::NotFound("paper")),
    }
}

/// A draft may lack keys; anything else wrong is refused.
fn parse(doc: PaperDoc) -> Result<DraftPaper, ApiError> {
    DraftPaper::parse(doc).map_err(ApiError::fields)
}

fn insert_draft(
    conn: &mut DbConn,
    who: &StaffPrincipal,
    paper: &DraftPaper,
    now: chrono::DateTime<chrono::Utc>,
    version: i32,
    derived_from: Option<String>,
) -> Result<PaperRow, ApiError> {
    let row = PaperRow {
        id: new_id(),
        owner_id: who.id.clone(),
        title: paper.doc().title.clone(),
        status: DRAFT.into(),
        version,
        derived_from,
        document: serde_json::to_string(paper.doc()).map_err(|e| ApiError::internal(e.to_string()))?,
        total_points: paper.total_points().hundredths(),
        created_at: to_db(now),
        updated_at: to_db(now),
        published_at: None,
    };
    papers::insert(conn, &row)?;
    audit::record(conn, now, &who.actor(), "paper.create", &format!("paper:{}", row.id), serde_json::json!({}))?;
    Ok(row)
}

/// Creates a draft from a document.
#[tracing::instrument(skip(state, doc), fields(user = %who.id))]
pub async fn create(state: &AppState, who: &StaffPrincipal, doc: PaperDoc) -> Result<PaperView, ApiError> {
    require_recruiter(who)?;
    let paper = super::off_worker(move || parse(doc)).await??;
    let (who, now) = (who.clone(), state.clock.now());
    let row = state.db.write(move |c| insert_draft(c, &who, &paper, now, 1, None)).await?;
    view(row)
}

/// Imports an uploaded file into a new draft: decoded (encoding, Word), read in `format` or the
/// format detected, validated as a draft that may lack keys. The answer lists what the importer
/// warned about and how the file was read.
#[tracing::instrument(skip(state, bytes, options), fields(user = %who.id, ?format))]
pub async fn import(
    state: &AppState,
    who: &StaffPrincipal,
    format: Option<Format>,
    bytes: actix_web::web::Bytes,
    file_name: Option<String>,
    options: &ImportOptions,
) -> Result<ImportView, ApiError> {
    require_recruiter(who)?;
    let options = options.clone();
    let (paper, warnings, source) = super::off_worker(move || {
        let decoded = upload::decode(&bytes, file_name.as_deref(), format).map_err(|e| match e {
            UploadError::NotText => ApiError::bad_request("invalid_utf8", e.to_string()),
            UploadError::Word(e) => ApiError::field("body", e.message),
        })?;
        let format = Format::parse(decoded.source.format).unwrap_or(Format::CnText);
        let text = decoded.text.strip_prefix('\u{feff}').unwrap_or(&decoded.text);
        let (paper, warnings) = read_import(format, text, &options)?;
        Ok::<_, ApiError>((paper, warnings, decoded.source))
    })
    .await??;
    let summary = paper
        .doc()
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionSummary {
            title: s.title.clone(),
            kind: s.kind.as_str(),
            questions: s.questions.len(),
            points: paper.section_points(i),
        })
        .collect();
    let (who, now) = (who.clone(), state.clock.now());
    let row = state.db.write(move |c| insert_draft(c, &who, &paper, now, 1, None)).await?;
    Ok(ImportView { paper: view(row)?, warnings, source, summary })
}

/// Reads an imported file and validates the draft it gives. Keys the file does not give are no
/// reason to refuse it: the draft keeps them as missing, and publishing asks for them.
fn read_import(
    format: Format,
    text: &str,
    options: &ImportOptions,
) -> Result<(DraftPaper, Vec<ImportWarning>), ApiError> {
    let imported = formats::import(format, text, options).map_err(|e| {
        let field = e.line.map(|l| format!("line {l}")).unwrap_or_else(|| "body".into());
        ApiError::field(&field, e.message)
    })?;
    let warnings = imported.warnings;
    let paper = DraftPaper::parse(imported.doc).map_err(|mut errors| {
        // The importer's own warnings explain most validation failures.
        errors.extend(
            warnings.iter().map(|w| FieldError { field: format!("line {}", w.line), message: w.message.clone() }),
        );
        ApiError::fields(errors)
    })?;
    Ok((paper, warnings))
}

/// Reads a paper with its keys.
pub async fn get(state: &AppState, who: &StaffPrincipal, id: String) -> Result<PaperView, ApiError> {
    let who = who.clone();
    let row = state.db.run(move |c| owned_paper(c, &who, &id)).await?;
    view(row)
}

/// Lists the caller's papers (an admin's: everyone's).
pub async fn list(state: &AppState, who: &StaffPrincipal) -> Result<Vec<PaperSummary>, ApiError> {
    require_recruiter(who)?;
    let owner = (who.role != Role::Admin).then(|| who.id.clone());
    let rows = state.db.run(move |c| Ok(papers::list(c, owner.as_deref())?)).await?;
    Ok(rows
        .into_iter()
        .map(|r| PaperSummary {
            id: r.id,
            title: r.title,
            status: r.status,
            version: r.version,
            total_points: Points::from_hundredths(r.total_points),
            updated_at: from_db(r.updated_at),
        })
        .collect())
}

fn published_conflict() -> ApiError {
    ApiError::conflict(
        "paper_published",
        "a published paper cannot be changed; copy it into a new draft (POST /papers/{id}/copy)",
    )
}

/// Replaces a draft with a new document.
pub async fn replace(state: &AppState, who: &StaffPrincipal, id: String, doc: PaperDoc) -> Result<PaperView, ApiError> {
    let paper = super::off_worker(move || parse(doc)).await??;
    let (who, now) = (who.clone(), state.clock.now());
    let row = state
        .db
        .write(move |c| {
            let row = owned_paper(c, &who, &id)?;
            if row.status != DRAFT {
                return Err(published_conflict());
            }
            let document = serde_json::to_string(paper.doc()).map_err(|e| ApiError::internal(e.to_string()))?;
            let title = &paper.doc().title;
            papers::replace_draft(c, &id, title, &document, paper.total_points().hundredths(), to_db(now))?;
            audit::record(c, now, &who.actor(), "paper.replace", &format!("paper:{id}"), serde_json::json!({}))?;
            papers::get(c, &id)?.ok_or(ApiError::NotFound("paper"))
        })
        .await?;
    view(row)
}

/// Deletes a draft.
pub async fn delete(state: &AppState, who: &StaffPrincipal, id: String) -> Result<(), ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    state
        .db
        .write(move |c| {
            let row = owned_paper(c, &who, &id)?;
            if row.status != DRAFT {
                return Err(published_conflict());
            }
            // A draft copied from this one keeps its content; only the link to its origin goes.
            let detached = papers::detach_copies(c, &id)?;
            if papers::delete_draft(c, &id)? == 0 {
                return Err(published_conflict());
            }
            audit::record(
                c,
                now,
                &who.actor(),
                "paper.delete",
                &format!("paper:{id}"),
                serde_json::json!({"detached_copies": detached}),
            )?;
            Ok(())
        })
        .await
}

/// Freezes a draft: from now on attempts are graded against exactly this document. A draft that
/// still lacks keys is refused with one entry per question that needs one.
pub async fn publish(state: &AppState, who: &StaffPrincipal, id: String) -> Result<PaperView, ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    let row = state
        .db
        .write(move |c| {
            let row = owned_paper(c, &who, &id)?;
            if row.status == PUBLISHED {
                return Err(ApiError::conflict("paper_published", "the paper is published already"));
            }
            load_draft(&row)?.complete().map_err(ApiError::incomplete)?;
            papers::publish(c, &id, to_db(now))?;
            audit::record(
                c,
                now,
                &who.actor(),
                "paper.publish",
                &format!("paper:{id}"),
                serde_json::json!({"version": row.version}),
            )?;
            papers::get(c, &id)?.ok_or(ApiError::NotFound("paper"))
        })
        .await?;
    view(row)
}

/// Copies a paper into a new draft, one version up, to edit what is published.
pub async fn copy(state: &AppState, who: &StaffPrincipal, id: String) -> Result<PaperView, ApiError> {
    let (who, now) = (who.clone(), state.clock.now());
    let row = state
        .db
        .write(move |c| {
            let source = owned_paper(c, &who, &id)?;
            let paper = load_draft(&source)?;
            insert_draft(c, &who, &paper, now, source.version + 1, Some(source.id))
        })
        .await?;
    view(row)
}

/// The paper as a file in `format` (json, yaml or gift), with its content type.
pub async fn export(
    state: &AppState,
    who: &StaffPrincipal,
    id: String,
    format: &str,
) -> Result<(String, &'static str), ApiError> {
    let who = who.clone();
    let row = state.db.run(move |c| owned_paper(c, &who, &id)).await?;
    let paper = load_draft(&row)?;
    match format {
        "json" => Ok((canonical::to_json(paper.doc()), "application/json")),
        "yaml" | "yml" => Ok((canonical::to_yaml(paper.doc()), "application/yaml")),
        "gift" => Ok((formats::gift::export(paper.doc()), "text/plain; charset=utf-8")),
        other => Err(ApiError::field("format", format!("cannot export as `{other}`: use json, yaml or gift"))),
    }
}

/// Reads a document sent as JSON or YAML (by content type), off the async workers. Syntax errors
/// (and documents nested past any paper's shape) are a 400; a document that parses but does not fit
/// the model is a 422 naming the field (`sections[0].questions[2].answer`).
pub async fn read_document(body: actix_web::web::Bytes, content_type: &str) -> Result<PaperDoc, ApiError> {
    let syntax = if content_type.contains("yaml") { Syntax::Yaml } else { Syntax::Json };
    super::off_worker(move || {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("invalid_utf8", "the body is not UTF-8 text"))?;
        canonical::read(text, syntax).map_err(document_error)
    })
    .await?
}

/// Reads a draft's replacement like [`read_document`], accepting the fields a read of the paper adds
/// (see `service::paper_round_trip`).
pub async fn read_replacement(body: actix_web::web::Bytes, content_type: &str) -> Result<PaperDoc, ApiError> {
    let syntax = if content_type.contains("yaml") { Syntax::Yaml } else { Syntax::Json };
    super::off_worker(move || {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("invalid_utf8", "the body is not UTF-8 text"))?;
        super::paper_round_trip::read_replacement(text, syntax)
    })
    .await?
}

/// The API's answer to a document that cannot be read: 400 when malformed, 422 naming the field.
pub fn document_error(e: DocError) -> ApiError {
    match e {
        DocError::Field { path, message, .. } => ApiError::field(&path, message),
        DocError::Syntax { syntax: Syntax::Yaml, .. } => ApiError::bad_request("malformed_yaml", e.to_string()),
        DocError::Syntax { syntax: Syntax::Json, .. } => ApiError::bad_request("malformed_json", e.to_string()),
    }
}
