//! One chromedriver per test binary, started on first use and shared; each test gets its own WebDriver
//! session, which is its own headless Chromium with a fresh profile. Where Chromium or chromedriver is
//! missing the tests say so in one line and return, except under CI, where they fail.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Where Debian puts them; `EXAMD_CHROMIUM` / `EXAMD_CHROMEDRIVER` point elsewhere.
fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
}

struct Driver {
    url: String,
    _child: Child,
}

static DRIVER: OnceLock<Result<Mutex<Driver>, String>> = OnceLock::new();
/// Sessions at once: each is a Chromium, and the machine is small.
static SESSIONS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_driver() -> Result<Mutex<Driver>, String> {
    let (chromium, chromedriver) =
        (tool("EXAMD_CHROMIUM", "/usr/bin/chromium"), tool("EXAMD_CHROMEDRIVER", "/usr/bin/chromedriver"));
    for path in [&chromium, &chromedriver] {
        if !path.exists() {
            return Err(format!("{} not found (apt-get install chromium chromium-driver)", path.display()));
        }
    }
    let port = free_port();
    // Started from a thread that lives as long as the test binary: the child gets SIGTERM when the
    // thread that made it ends (PR_SET_PDEATHSIG), so no chromedriver outlives the tests.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut command = Command::new(chromedriver);
        command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe and touches only the child's own state.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let _ = tx.send(command.spawn().map_err(|e| format!("chromedriver: {e}")));
        loop {
            std::thread::park();
        }
    });
    let child = rx.recv().map_err(|e| e.to_string())??;
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("chromedriver did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Mutex::new(Driver { url: format!("http://127.0.0.1:{port}"), _child: child }))
}

/// A browser session for one test; `None` (after one line saying why) where there is no browser.
/// Under `CI` a missing browser fails the test instead: the browser tests never pass silently there.
pub async fn session(language: &str) -> Option<Session> {
    let url = match DRIVER.get_or_init(start_driver) {
        Ok(driver) => driver.lock().unwrap().url.clone(),
        Err(why) if std::env::var_os("CI").is_some() => panic!("browser tests cannot run under CI: {why}"),
        Err(why) => {
            static SAID: std::sync::Once = std::sync::Once::new();
            // Straight to stderr: the test harness captures `eprintln!` of passing tests, and this
            // line is meant to be seen.
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "browser tests skipped: {why}");
            });
            return None;
        }
    };
    let permit = SESSIONS.acquire().await.unwrap();
    let profile = std::env::temp_dir().join(format!("examd-chromium-{}", uuid::Uuid::new_v4().simple()));
    let args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-extensions".into(),
        "--window-size=1280,900".into(),
        format!("--lang={language}"),
        format!("--accept-lang={language}"),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": tool("EXAMD_CHROMIUM", "/usr/bin/chromium"), "args": args, "prefs": {"intl.accept_languages": language}}),
    );
    let client =
        ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&url).await.expect("a WebDriver session");
    Some(Session { client, profile, _permit: permit })
}

/// A browser window of one test. Close it with [`Session::close`]; the profile is removed on drop.
pub struct Session {
    pub client: Client,
    profile: PathBuf,
    _permit: tokio::sync::SemaphorePermit<'static>,
}

impl Session {
    /// Ends the browser.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
