//! Staff accounts: roles and e-mail addresses.

use serde::{Deserialize, Serialize};

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates staff accounts; sees everything.
    Admin,
    /// Authors papers, runs exams, reads results.
    Recruiter,
    /// Scores open answers of assigned exams.
    Marker,
}

impl Role {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Recruiter => "recruiter",
            Role::Marker => "marker",
        }
    }

    /// Parses the stored and wire name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "recruiter" => Some(Role::Recruiter),
            "marker" => Some(Role::Marker),
            _ => None,
        }
    }
}

/// An e-mail address, trimmed and lower-cased so one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` shapes; the real proof is the mail that arrives.
    pub fn parse(s: &str) -> Result<Email, String> {
        let s = s.trim().to_lowercase();
        let valid = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
        if valid {
            Ok(Email(s))
        } else {
            Err(format!("`{}` is not an e-mail address", s.chars().take(80).collect::<String>()))
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as people see it (a candidate, a staff member): Unicode NFC, spaces collapsed,
/// 1 to 200 characters, with no control characters and no bidirectional overrides (which would make a
/// name shown in a results table or a mail read as something else), and something visible in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

impl PersonName {
    /// Normalises and checks a name.
    pub fn parse(raw: &str) -> Result<PersonName, String> {
        use unicode_normalization::UnicodeNormalization;
        let name = raw.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(c) = name.chars().find(|&c| c.is_control() || is_bidi_control(c)) {
            return Err(format!("a name may not contain the control character U+{:04X}", u32::from(c)));
        }
        if !name.chars().any(|c| !is_invisible(c)) {
            return Err("a name needs at least one visible character".into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("a name has at most {MAX_NAME_CHARS} characters"));
        }
        Ok(PersonName(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the implicit marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that show nothing: zero-width spaces and joiners, the word joiner, the BOM, and the
/// format characters around them.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_and_hostile_ones_refused() {
        assert_eq!(PersonName::parse("  王\u{3000}小明 \t Lee ").unwrap().as_str(), "王 小明 Lee");
        // NFC: an e with a combining acute becomes one character.
        assert_eq!(PersonName::parse("Rene\u{301}").unwrap().as_str(), "Ren\u{e9}");
        assert!(PersonName::parse("a\0b").unwrap_err().contains("U+0000"));
        assert!(PersonName::parse("evil\u{202E}gnp.exe").unwrap_err().contains("U+202E"));
        assert!(PersonName::parse("\u{200B}\u{200D}\u{FEFF}").unwrap_err().contains("visible"));
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"名".repeat(201)).is_err());
        assert!(PersonName::parse(&"名".repeat(200)).is_ok());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        assert!(Email::parse("ann@localhost").is_err());
        assert!(Email::parse("@x.com").is_err());
        assert!(Email::parse("a b@x.com").is_err());
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Admin, Role::Recruiter, Role::Marker] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
