//! Access codes: what a candidate types to open their invitation. 144 random bits, URL-safe, shown once;
//! only a SHA-256 of the code is stored. A fast hash is right here (unlike passwords) because the code is
//! random and long: there is nothing to brute-force, and thousands of candidates start in one minute.

use sha2::{Digest, Sha256};

/// Random bytes per code (≥128 bits required; 18 bytes is 24 base64url characters).
pub const CODE_BYTES: usize = 18;

/// A syntactically valid access code.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessCode(String);

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a code: it is a credential.
        f.write_str("AccessCode(…)")
    }
}

impl AccessCode {
    /// Wraps freshly generated random text.
    pub fn from_random(text: String) -> AccessCode {
        AccessCode(text)
    }

    /// Parses what a candidate sent: trimmed, base64url alphabet, the length we issue.
    pub fn parse(s: &str) -> Option<AccessCode> {
        let s = s.trim();
        let valid = s.len() == 24 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| AccessCode(s.to_string()))
    }

    /// The code itself, to show once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored and looked up.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_hash_stably() {
        let code = AccessCode::parse(" abcdefghijklmnopqrstuv-_ ").unwrap();
        assert_eq!(code.hash(), AccessCode::parse("abcdefghijklmnopqrstuv-_").unwrap().hash());
        assert_eq!(code.hash().len(), 64);
        assert!(AccessCode::parse("short").is_none());
        assert!(AccessCode::parse("abcdefghijklmnopqrstuv+/").is_none());
        assert_eq!(format!("{code:?}"), "AccessCode(…)");
    }
}
