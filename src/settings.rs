//! Typed settings: `config/default.toml` (built in), then the file named by `EXAMD_CONFIG`, then
//! `EXAMD_<KEY>` environment variables. Unknown keys are refused so a typo never passes silently.

use std::path::{Path, PathBuf};

use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use toml::{Table, Value};

const DEFAULTS: &str = include_str!("../config/default.toml");

/// Everything examd can be told at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[expect(missing_docs, reason = "each key is documented in config/default.toml")]
pub struct Settings {
    pub bind: String,
    pub public_url: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub db_pool_size: u32,
    pub db_connect_timeout_seconds: u64,
    pub sqlite_synchronous: String,
    pub cpu_scheduling: crate::scheduling::CpuScheduling,
    pub jwt_secret: SecretString,
    pub jwt_secret_file: String,
    pub jwt_issuer: String,
    pub staff_token_seconds: i64,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub login_max_failures: u32,
    pub login_window_seconds: u64,
    pub address_max_failures: u32,
    pub failure_delay_ms: u64,
    pub admin_email: String,
    pub admin_password: SecretString,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    pub client_request_timeout_ms: u64,
    pub body_read_timeout_ms: u64,
    pub max_connections_per_ip: usize,
    pub max_answer_chars: usize,
    pub results_page_rows: i64,
    pub regrade_chunk_attempts: i64,
    pub marking_lease_seconds: i64,
    pub expiry_sweep_seconds: u64,
    pub smtp_url: SecretString,
    pub mail_from: String,
    pub smtp_max_per_second: u32,
    pub mail_lease_seconds: i64,
    pub metrics_token: SecretString,
    pub metrics_bind: String,
    pub log_format: String,
    pub log_level: String,
}

/// Why the settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file could not be read.
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    /// A file is not valid TOML.
    #[error("{0} is not valid TOML: {1}")]
    Toml(String, toml::de::Error),
    /// An environment variable does not fit its key's type.
    #[error("{0}: {1}")]
    Env(String, String),
    /// A value is unusable (unknown key, wrong type, out of range).
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads from the built-in defaults, `EXAMD_CONFIG` and the process environment.
    pub fn load() -> Result<Settings, SettingsError> {
        Settings::load_from(std::env::vars())
    }

    /// Loads with the environment given explicitly (tests pass their own).
    pub fn load_from(env: impl IntoIterator<Item = (String, String)>) -> Result<Settings, SettingsError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut table: Table = DEFAULTS.parse().map_err(|e| SettingsError::Toml("config/default.toml".into(), e))?;
        let file = env.iter().find(|(k, _)| k == "EXAMD_CONFIG").map(|(_, v)| v.clone());
        if let Some(path) = file.filter(|p| !p.is_empty()) {
            let text = std::fs::read_to_string(&path).map_err(|e| SettingsError::Read(path.clone(), e))?;
            let overlay: Table = text.parse().map_err(|e| SettingsError::Toml(path.clone(), e))?;
            table.extend(overlay);
        }
        for (name, raw) in &env {
            let Some(key) = name.strip_prefix("EXAMD_").map(str::to_lowercase) else { continue };
            // Only keys the defaults know come from the environment; EXAMD_CONFIG and the test
            // suite's own EXAMD_TEST_* variables are not settings.
            if let Some(default) = table.get(&key) {
                let value = coerce(default, raw).map_err(|e| SettingsError::Env(name.clone(), e))?;
                table.insert(key, value);
            }
        }
        let settings: Settings =
            Value::Table(table).try_into().map_err(|e: toml::de::Error| SettingsError::Invalid(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), SettingsError> {
        let invalid = |m: &str| Err(SettingsError::Invalid(m.to_string()));
        if !["full", "normal", "off"].contains(&self.sqlite_synchronous.as_str()) {
            return invalid("sqlite_synchronous must be full, normal or off");
        }
        if !["pretty", "json"].contains(&self.log_format.as_str()) {
            return invalid("log_format must be pretty or json");
        }
        if self.db_pool_size == 0 {
            return invalid("db_pool_size must be at least 1");
        }
        if !(1..=10_000).contains(&self.results_page_rows) || !(1..=10_000).contains(&self.regrade_chunk_attempts) {
            return invalid("results_page_rows and regrade_chunk_attempts must be between 1 and 10000");
        }
        if self.body_read_timeout_ms == 0 || self.max_connections_per_ip == 0 {
            return invalid("body_read_timeout_ms and max_connections_per_ip must be at least 1");
        }
        if self.smtp_max_per_second == 0 || self.mail_lease_seconds < 2 {
            return invalid("smtp_max_per_second must be at least 1 and mail_lease_seconds at least 2");
        }
        if self.mail_enabled() {
            crate::mail::transport::check_url(self.smtp_url.expose_secret())
                .map_err(|e| SettingsError::Invalid(format!("smtp_url: {e}")))?;
            if lettre::Address::from_str(crate::mail::transport::address_of(&self.mail_from)).is_err() {
                return invalid("mail_from must be an address, or a name and <address>, when smtp_url is set");
            }
        }
        if self.staff_token_seconds <= 0 || self.marking_lease_seconds <= 0 {
            return invalid("token and lease lifetimes must be positive");
        }
        Ok(())
    }

    /// The base of links given out (start links, mail), without a trailing slash: `public_url` when
    /// set, otherwise the bind address over plain HTTP.
    pub fn public_base(&self) -> String {
        let configured = self.public_url.trim().trim_end_matches('/');
        if configured.is_empty() {
            format!("http://{}", self.bind)
        } else {
            configured.to_string()
        }
    }

    /// Whether mail is configured (`smtp_url` set): without it nothing is sent.
    pub fn mail_enabled(&self) -> bool {
        !self.smtp_url.expose_secret().trim().is_empty()
    }

    /// Where the generated JWT secret is kept.
    pub fn generated_secret_path(&self) -> PathBuf {
        Path::new(&self.data_dir).join("jwt-secret")
    }

    /// Whether the argon2 cost is below OWASP's recommendation (allowed for tests, never silent).
    pub fn argon2_below_owasp(&self) -> bool {
        self.argon2_memory_kib < 19456 || self.argon2_iterations < 2
    }
}

/// Reads an environment value as the type of the key's default.
fn coerce(default: &Value, raw: &str) -> Result<Value, String> {
    match default {
        Value::Integer(_) => raw.trim().parse().map(Value::Integer).map_err(|_| "expected a whole number".into()),
        Value::Boolean(_) => raw.trim().parse().map(Value::Boolean).map_err(|_| "expected true or false".into()),
        Value::Float(_) => raw.trim().parse().map(Value::Float).map_err(|_| "expected a number".into()),
        _ => Ok(Value::String(raw.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_load_and_env_overrides_them() {
        let s = Settings::load_from(env(&[("EXAMD_BIND", "0.0.0.0:9000"), ("EXAMD_DB_POOL_SIZE", "4")])).unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.db_pool_size, 4);
        assert_eq!(s.database_url, "./data/examd.db");
        assert_eq!(s.cpu_scheduling, crate::scheduling::CpuScheduling::Batch);
        assert_eq!(s.public_base(), "http://0.0.0.0:9000");
        let s = Settings::load_from(env(&[("EXAMD_PUBLIC_URL", "https://exam.example.com/")])).unwrap();
        assert_eq!(s.public_base(), "https://exam.example.com");
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let e = Settings::load_from(env(&[("EXAMD_DB_POOL_SIZE", "many")])).unwrap_err();
        assert!(e.to_string().contains("EXAMD_DB_POOL_SIZE"), "{e}");
        assert!(Settings::load_from(env(&[("EXAMD_LOG_FORMAT", "xml")])).is_err());
        let e = Settings::load_from(env(&[("EXAMD_CPU_SCHEDULING", "fifo")])).unwrap_err();
        assert!(e.to_string().contains("`fifo`") && e.to_string().contains("`batch`"), "{e}");
    }

    #[test]
    fn unknown_keys_in_a_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("examd-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("local.toml");
        std::fs::write(&file, "bnid = \"x\"\n").unwrap();
        let e = Settings::load_from(env(&[("EXAMD_CONFIG", file.to_str().unwrap())])).unwrap_err();
        assert!(e.to_string().contains("bnid"), "{e}");
    }
}
