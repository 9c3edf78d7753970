//! Signed bearer tokens (HS256, algorithm pinned). Each purpose has its own audience, so a candidate's
//! token is never a staff token. Expiry is checked against examd's clock, not the OS clock, so tests
//! that move time see tokens expire.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::user::Role;

/// Audience of staff tokens.
pub const STAFF_AUDIENCE: &str = "examd:staff";
/// Audience of candidate tokens.
pub const CANDIDATE_AUDIENCE: &str = "examd:candidate";
/// Shortest secret accepted.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims examd signs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id (staff) or invitation id (candidate).
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience: staff or candidate.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Staff role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The staff account's token version when the token was issued (see `service::token_standing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<i32>,
    /// The exam a candidate token is scoped to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exam: Option<String>,
}

/// What a token is issued for.
#[derive(Debug, Clone)]
pub enum Grant {
    /// A staff member in a role, at the account's current token version.
    Staff {
        /// User id.
        user_id: String,
        /// Role.
        role: Role,
        /// The account's token version.
        version: i32,
    },
    /// A candidate of one invitation to one exam.
    Candidate {
        /// Invitation id.
        invitation_id: String,
        /// Exam id.
        exam_id: String,
    },
}

/// Signs and checks tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    /// Tokens whose signature, issuer and shape passed, with their claims: a candidate sends the same
    /// token with every save, and checking it again costs more than the rest of the request's routing.
    /// Keyed by the whole token, so only the exact signed bytes hit; audience and expiry are still
    /// checked on every use.
    verified: Mutex<HashMap<String, Claims>>,
}

/// Most verified tokens remembered; past it the map starts over.
const VERIFIED_CAPACITY: usize = 50_000;

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("issuer", &self.issuer).finish_non_exhaustive()
    }
}

/// Why a token was refused (never detailed to the client beyond "invalid token").
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, algorithm, audience, issuer or shape.
    #[error("invalid token")]
    Invalid,
    /// Past its expiry, with the claims it carries: genuine, so a caller may ask whether what the
    /// token stands for has outlived the expiry it was signed with (a window extended after issue).
    #[error("token expired")]
    Expired(Box<Claims>),
}

impl TokenKeys {
    /// Keys from a secret of at least [`MIN_SECRET_BYTES`].
    pub fn new(secret: &SecretString, issuer: &str) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            issuer: issuer.to_string(),
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Signs a token for what `grant` allows, valid until `expires`.
    pub fn issue(
        &self,
        grant: Grant,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let (aud, sub, role, ver, exam) = match grant {
            Grant::Staff { user_id, role, version } => (STAFF_AUDIENCE, user_id, Some(role), Some(version), None),
            Grant::Candidate { invitation_id, exam_id } => {
                (CANDIDATE_AUDIENCE, invitation_id, None, None, Some(exam_id))
            }
        };
        let claims = Claims {
            sub,
            iss: self.issuer.clone(),
            aud: aud.to_string(),
            exp: expires.timestamp(),
            iat: now.timestamp(),
            role,
            ver,
            exam,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Checks signature, algorithm, issuer, audience and expiry (against `now`).
    pub fn verify(&self, token: &str, audience: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims = match self.remembered(token) {
            Some(claims) => claims,
            None => {
                let claims = self.decode(token)?;
                self.remember(token, &claims);
                claims
            }
        };
        if claims.aud != audience {
            return Err(TokenError::Invalid);
        }
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired(Box::new(claims)));
        }
        Ok(claims)
    }

    /// Signature, algorithm, issuer and required claims; audience and expiry are left to [`Self::verify`].
    fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_audience(&[STAFF_AUDIENCE, CANDIDATE_AUDIENCE]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        // Expiry is checked against examd's clock, not the OS clock.
        validation.validate_exp = false;
        Ok(jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|_| TokenError::Invalid)?.claims)
    }

    fn remembered(&self, token: &str) -> Option<Claims> {
        self.verified.lock().ok()?.get(token).cloned()
    }

    fn remember(&self, token: &str, claims: &Claims) {
        if let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
            verified.insert(token.to_string(), claims.clone());
        }
    }
}

/// The secret in force: the configured one (refused when shorter than 32 bytes), else the one examd
/// generated in the data directory on an earlier start, else a new one kept there, owner-only.
pub fn resolve_secret(configured: &SecretString, file: &str, generated_at: &Path) -> Result<SecretString, String> {
    let from_file;
    let configured = if !file.is_empty() {
        from_file = std::fs::read_to_string(file).map_err(|e| format!("cannot read jwt_secret_file {file}: {e}"))?;
        from_file.trim()
    } else {
        configured.expose_secret()
    };
    if !configured.is_empty() {
        if configured.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the configured JWT secret is {} bytes; it must be at least {MIN_SECRET_BYTES} bytes",
                configured.len()
            ));
        }
        return Ok(SecretString::from(configured.to_string()));
    }
    if let Ok(existing) = std::fs::read_to_string(generated_at) {
        if existing.trim().len() >= MIN_SECRET_BYTES {
            return Ok(SecretString::from(existing.trim().to_string()));
        }
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_owner_only(generated_at, &secret)
        .map_err(|e| format!("cannot keep the generated JWT secret in {}: {e}", generated_at.display()))?;
    tracing::warn!(
        path = %generated_at.display(),
        "no JWT secret configured: generated one and kept it (owner-only); instances sharing a database need the same EXAMD_JWT_SECRET"
    );
    Ok(SecretString::from(secret))
}

fn write_owner_only(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&SecretString::from("x".repeat(32)), "examd")
    }

    fn staff_grant() -> Grant {
        Grant::Staff { user_id: "u1".into(), role: Role::Admin, version: 3 }
    }

    #[test]
    fn expiry_saturates_and_staff_tokens_carry_their_version() {
        let now = Utc::now();
        let token = keys().issue(staff_grant(), now, DateTime::<Utc>::MAX_UTC).unwrap();
        let claims = keys().verify(&token, STAFF_AUDIENCE, now).unwrap();
        assert_eq!((claims.ver, claims.role), (Some(3), Some(Role::Admin)));
    }

    #[test]
    fn a_token_verifies_only_in_its_audience_and_lifetime() {
        let now = Utc::now();
        let keys = keys();
        let token = keys.issue(staff_grant(), now, now + chrono::Duration::hours(1)).unwrap();
        // The later checks find the token already verified: the cache must not widen what passes.
        assert_eq!(keys.verify(&token, STAFF_AUDIENCE, now).unwrap().sub, "u1");
        assert!(matches!(keys.verify(&token, CANDIDATE_AUDIENCE, now), Err(TokenError::Invalid)));
        assert!(matches!(
            keys.verify(&token, STAFF_AUDIENCE, now + chrono::Duration::hours(2)),
            Err(TokenError::Expired(claims)) if claims.sub == "u1"
        ));
        assert!(matches!(
            TokenKeys::new(&SecretString::from("y".repeat(32)), "examd").verify(&token, STAFF_AUDIENCE, now),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn a_verified_token_changed_by_one_byte_is_refused() {
        let now = Utc::now();
        let keys = keys();
        let grant = Grant::Candidate { invitation_id: "inv1".into(), exam_id: "e1".into() };
        let token = keys.issue(grant, now, now + chrono::Duration::hours(1)).unwrap();
        assert!(keys.verify(&token, CANDIDATE_AUDIENCE, now).is_ok());
        let mut tampered = token.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(matches!(keys.verify(&tampered, CANDIDATE_AUDIENCE, now), Err(TokenError::Invalid)));
    }

    #[test]
    fn short_secrets_are_refused_and_generated_ones_are_kept() {
        let dir = std::env::temp_dir().join(format!("examd-secret-{}", uuid::Uuid::new_v4()));
        let path = dir.join("jwt-secret");
        assert!(resolve_secret(&SecretString::from("short"), "", &path).unwrap_err().contains("at least 32"));
        let first = resolve_secret(&SecretString::from(""), "", &path).unwrap();
        let second = resolve_secret(&SecretString::from(""), "", &path).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
