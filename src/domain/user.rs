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

#[cfg(test)]
mod tests {
    use super::*;

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
