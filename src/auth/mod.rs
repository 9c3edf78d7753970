//! Credentials: password hashing, signed tokens and the brakes on guessing.

pub mod limiter;
pub mod password;
pub mod token;

use base64::Engine;
use rand::RngCore;

/// A random URL-safe string of `bytes` random bytes (access codes, generated passwords).
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
