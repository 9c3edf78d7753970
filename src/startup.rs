//! Builds the application from settings: storage, keys, routes, background tasks. Tests start the real
//! thing on port 0 with their own clock.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use secrecy::ExposeSecret;
use utoipa_actix_web::AppExt;

use crate::auth::limiter::Brakes;
use crate::auth::password::PasswordHasher;
use crate::auth::token::{resolve_secret, TokenKeys};
use crate::clock::{Clock, SystemClock};
use crate::http;
use crate::http::middleware::Metrics;
use crate::service::audit_log::AuditLog;
use crate::service::autosave::AutoSave;
use crate::service::users::{ensure_admin, Bootstrap};
use crate::settings::Settings;
use crate::state::AppState;
use crate::store::{Backend, Db, StoreConfig};

/// Why examd could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is unusable.
    #[error("{0}")]
    Config(String),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::OpenError),
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

/// The running server.
pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own address (`metrics_bind`), and that address's port.
    metrics_server: Option<(u16, Server)>,
    state: AppState,
}

/// Opens the database and builds the shared state (also used by CLI commands).
pub fn build_state(settings: Settings, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
    let backend = Backend::from_url(&settings.database_url).map_err(StartError::Config)?;
    let db = Db::open(&StoreConfig {
        backend,
        pool_size: settings.db_pool_size,
        connect_timeout: Duration::from_secs(settings.db_connect_timeout_seconds),
        sqlite_synchronous: settings.sqlite_synchronous.clone(),
    })?;
    let secret = resolve_secret(&settings.jwt_secret, &settings.jwt_secret_file, &settings.generated_secret_path())
        .map_err(StartError::Config)?;
    if settings.argon2_below_owasp() {
        tracing::warn!(
            memory_kib = settings.argon2_memory_kib,
            iterations = settings.argon2_iterations,
            "argon2 cost is below OWASP's recommendation (19456 KiB, 2 iterations): fine for tests, not for production"
        );
    }
    let passwords =
        PasswordHasher::new(settings.argon2_memory_kib, settings.argon2_iterations, settings.argon2_parallelism)
            .map_err(|e| StartError::Config(format!("argon2 parameters: {e}")))?;
    Ok(AppState {
        tokens: Arc::new(TokenKeys::new(&secret, &settings.jwt_issuer)),
        passwords,
        brakes: Arc::new(Brakes::new(
            settings.login_max_failures,
            settings.address_max_failures,
            Duration::from_secs(settings.login_window_seconds),
            Duration::from_millis(settings.failure_delay_ms),
        )),
        autosave: AutoSave::start(db.clone(), clock.clone()),
        audit_log: AuditLog::start(db.clone()),
        db,
        settings: Arc::new(settings),
        clock,
        papers: Default::default(),
        attempt_owners: Default::default(),
        staff_standings: Default::default(),
        mail_wake: Default::default(),
    })
}

/// The full OpenAPI document, generated from the same route table the server runs.
pub fn openapi() -> utoipa::openapi::OpenApi {
    http::openapi::document()
}

impl Application {
    /// Starts on the system clock.
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Application::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// Starts with the given clock (tests move it).
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
        let bind = settings.bind.clone();
        let state =
            web::block(move || build_state(settings, clock)).await.map_err(|e| StartError::Config(e.to_string()))??;
        announce_admin(&state).await;
        actix_web::rt::spawn(crate::service::attempts::run_expiry_sweeper(state.clone()));
        actix_web::rt::spawn(crate::service::regrade::resume_all(state.clone()));
        actix_web::rt::spawn(crate::service::mailer::run_sender(state.clone()));
        let listener = TcpListener::bind(&bind).map_err(|e| StartError::Bind(bind.clone(), e))?;
        let port = listener.local_addr().map_err(|e| StartError::Bind(bind.clone(), e))?.port();
        let metrics = Metrics::new().map_err(|e| StartError::Config(format!("metrics: {e}")))?;
        let spec = Arc::new(openapi());
        let app_state = state.clone();
        let max_body = state.settings.max_body_bytes;
        let request_timeout = Duration::from_millis(state.settings.client_request_timeout_ms);
        let body_timeout = Duration::from_millis(state.settings.body_read_timeout_ms);
        let cap = http::limits::ConnectionCap::new(state.settings.max_connections_per_ip);
        let metrics_bind = state.settings.metrics_bind.trim().to_string();
        let metrics_token = state.settings.metrics_token.expose_secret().to_string();
        let access = http::ops::MetricsAccess::new(metrics_bind.is_empty(), &metrics_token);
        let metrics_server = if metrics_bind.is_empty() {
            None
        } else {
            Some(metrics_server(&metrics_bind, metrics.clone(), http::ops::MetricsAccess::new(true, &metrics_token))?)
        };
        let server = HttpServer::new(move || {
            let (json, query, path) = http::extractor_config(max_body);
            let metrics_for_mw = metrics.clone();
            let spec = spec.clone();
            let app = App::new()
                .wrap(Compress::default())
                .wrap(from_fn(move |req, next| http::limits::body_deadline(body_timeout, req, next)))
                .wrap(from_fn(move |req, next| http::middleware::observe(metrics_for_mw.clone(), req, next)))
                .app_data(web::Data::new(app_state.clone()))
                .app_data(web::Data::new(metrics.clone()))
                .app_data(web::Data::new(access.clone()))
                .app_data(json)
                .app_data(query)
                .app_data(path)
                .into_utoipa_app();
            let (app, _) = http::register(app).split_for_parts();
            app.configure(http::pages::configure)
                .route(
                    "/api/openapi.json",
                    web::get().to(move || {
                        let spec = spec.clone();
                        async move { actix_web::HttpResponse::Ok().json(spec.as_ref()) }
                    }),
                )
                .default_service(web::to(http::not_found))
        })
        .client_request_timeout(request_timeout)
        .on_connect(move |io, data| cap.on_connect(io, data))
        .shutdown_timeout(30)
        .listen(listener)
        .map_err(|e| StartError::Bind(bind, e))?
        .run();
        Ok(Application { port, server, metrics_server, state })
    }

    /// The port of the metrics listener, when `metrics_bind` names one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_server.as_ref().map(|(port, _)| *port)
    }

    /// The port actually bound (tests bind port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests reach the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until a shutdown signal; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics_server {
            Some((_, metrics)) => futures_util::future::try_join(self.server, metrics).await.map(|_| ()),
            None => self.server.await,
        }
    }
}

/// `/metrics` alone on its own address: one worker is plenty for a scraper.
fn metrics_server(bind: &str, metrics: Metrics, access: http::ops::MetricsAccess) -> Result<(u16, Server), StartError> {
    let listener = TcpListener::bind(bind).map_err(|e| StartError::Bind(bind.to_string(), e))?;
    let port = listener.local_addr().map_err(|e| StartError::Bind(bind.to_string(), e))?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(metrics.clone()))
            .app_data(web::Data::new(access.clone()))
            .service(http::ops::metrics)
            .default_service(web::to(http::not_found))
    })
    .workers(1)
    .shutdown_timeout(5)
    .listen(listener)
    .map_err(|e| StartError::Bind(bind.to_string(), e))?
    .run();
    Ok((port, server))
}

async fn announce_admin(state: &AppState) {
    let s = state.clone();
    let outcome = state
        .db
        .run(move |c| {
            ensure_admin(c, &s.passwords, s.clock.as_ref(), &s.settings.admin_email, &s.settings.admin_password)
        })
        .await;
    match outcome {
        Ok(Bootstrap::Existing) => {}
        Ok(Bootstrap::Configured(email)) => tracing::info!(%email, "created the configured admin account"),
        Ok(Bootstrap::Generated(email, password)) => {
            // Shown once, on purpose: the operator's only way in on a fresh install.
            tracing::warn!(
                %email,
                password = %password.expose_secret(),
                "created the first admin with a one-time password; log in and create your own admin, or set EXAMD_ADMIN_EMAIL/EXAMD_ADMIN_PASSWORD"
            );
        }
        Err(e) => tracing::error!(error = %e, "could not ensure an admin account"),
    }
}
