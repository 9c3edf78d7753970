//! Prepares a run through the real API, as a recruiter would: an admin creates a recruiter and the
//! markers, the recruiter imports and publishes the paper, opens an exam now, invites the candidates in
//! batches and assigns the markers.

use chrono::{Duration as Span, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::client::{Http, Request};
use super::marking::Marker;
use super::Config;

/// What the run needs from the setup.
#[derive(Debug)]
pub struct Prepared {
    /// The exam.
    pub exam_id: String,
    /// One access code per candidate.
    pub codes: Vec<String>,
    /// The markers, logged in.
    pub markers: Vec<Marker>,
}

async fn json_call(http: &Http, what: &str, req: Request<'_>) -> Result<Value, String> {
    let (outcome, _) = http.call(req, None).await;
    outcome.map_err(|f| format!("setup: {what}: {f}"))?.json().map_err(|e| format!("setup: {what}: {e}"))
}

fn field(v: &Value, name: &str, what: &str) -> Result<String, String> {
    v[name].as_str().map(str::to_string).ok_or_else(|| format!("setup: {what}: no `{name}` in the answer"))
}

async fn login(http: &Http, api: &str, email: &str, password: &str) -> Result<String, String> {
    let what = format!("logging in as {email}");
    let v = json_call(
        http,
        &what,
        Request::post(format!("{api}/auth/login"), json!({"email": email, "password": password})),
    )
    .await?;
    field(&v, "access_token", &what)
}

async fn create_staff(
    http: &Http,
    api: &str,
    admin: &str,
    email: &str,
    password: &str,
    role: &str,
) -> Result<String, String> {
    let body =
        json!({"email": email, "password": password, "role": role, "display_name": format!("examd-load {role}")});
    let what = format!("creating the {role} {email}");
    let v = json_call(http, &what, Request::post(format!("{api}/users"), body).bearer(admin)).await?;
    field(&v, "id", &what)
}

fn api(target: &str) -> String {
    format!("{target}/api/v1")
}

/// Runs the setup against the first target; markers log in on the target they will mark on.
pub async fn prepare(http: &Http, cfg: &Config) -> Result<Prepared, String> {
    let first = cfg.targets.first().ok_or("setup: no target")?;
    let api0 = api(first);
    // Unique names per run, so runs can share a database (the durability script relies on it).
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
    let password = format!("load-{}", uuid::Uuid::new_v4().simple());
    let admin = login(http, &api0, &cfg.admin_email, &cfg.admin_password).await?;
    let recruiter_email = format!("recruiter-{run}@load.example.com");
    create_staff(http, &api0, &admin, &recruiter_email, &password, "recruiter").await?;
    let recruiter = login(http, &api0, &recruiter_email, &password).await?;

    let import = Request::post_text(format!("{api0}/papers/import?format=cn-text"), cfg.paper).bearer(&recruiter);
    let paper = field(&json_call(http, "importing the paper", import).await?, "id", "importing the paper")?;
    let publish = Request::post(format!("{api0}/papers/{paper}/publish"), json!({})).bearer(&recruiter);
    json_call(http, "publishing the paper", publish).await?;

    let now = Utc::now();
    let at = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let duration = cfg.exam_duration.as_secs().max(1) as i64;
    let exam = json!({
        "paper_id": paper,
        "title": format!("examd-load {run}"),
        // Opened a little in the past so a server clock slightly behind ours still lets candidates in.
        "opens_at": at(now - Span::minutes(5)),
        "closes_at": at(now + Span::seconds(duration) + Span::days(1)),
        "duration_seconds": duration,
        "grace_seconds": cfg.grace.as_secs(),
    });
    let exam =
        json_call(http, "creating the exam", Request::post(format!("{api0}/exams"), exam).bearer(&recruiter)).await?;
    let exam_id = field(&exam, "id", "creating the exam")?;

    let mut codes = Vec::with_capacity(cfg.candidates);
    let batch = cfg.invite_batch.clamp(1, 10_000);
    for chunk_start in (0..cfg.candidates).step_by(batch) {
        let people: Vec<Value> = (chunk_start..(chunk_start + batch).min(cfg.candidates))
            .map(|i| json!({"email": format!("c{i}-{run}@load.example.com"), "name": format!("Candidate {i}")}))
            .collect();
        let what = format!("inviting candidates {chunk_start}..{}", chunk_start + people.len());
        let req = Request::post(format!("{api0}/exams/{exam_id}/invitations"), json!({"candidates": people}));
        let issued = json_call(http, &what, req.bearer(&recruiter)).await?;
        let list = issued["invitations"].as_array().ok_or(format!("setup: {what}: no invitations in the answer"))?;
        for inv in list {
            codes.push(field(inv, "access_code", &what)?);
        }
    }

    let mut ids = Vec::new();
    let mut markers = Vec::new();
    for j in 0..cfg.markers {
        let email = format!("marker{j}-{run}@load.example.com");
        ids.push(create_staff(http, &api0, &admin, &email, &password, "marker").await?);
        let target = cfg.targets[j % cfg.targets.len()].clone();
        let token = login(http, &api(&target), &email, &password).await?;
        markers.push(Marker { target, token });
    }
    if !ids.is_empty() {
        let req = Request::post(format!("{api0}/exams/{exam_id}/markers"), json!({"user_ids": ids}));
        json_call(http, "assigning the markers", req.bearer(&recruiter)).await?;
    }
    Ok(Prepared { exam_id, codes, markers })
}
