//! Question names (`::Q2::`) → question keys: unique, at most 64 bytes of letters, digits, `-`, `_`, `.`.

use std::collections::{HashMap, HashSet};

use crate::formats::ImportWarning;

/// Longest key `Paper::parse` accepts (keys appear in URLs).
const MAX_KEY_LEN: usize = 64;

/// Hands out keys in file order, remembering which are taken.
#[derive(Default)]
pub(super) struct Keys {
    used: HashSet<String>,
    /// Next suffix to try per base, so a name repeated thousands of times stays linear.
    next_suffix: HashMap<String, usize>,
}

impl Keys {
    /// The key for a question named `name`; empty (generated later by `Paper::parse`) when it has no
    /// usable name. Says so when the key is not the name as written.
    pub fn assign(&mut self, name: Option<&str>, line: usize, warnings: &mut Vec<ImportWarning>) -> String {
        let Some(name) = name else { return String::new() };
        let base = sanitise(name);
        if base.is_empty() {
            let message = format!("question \"{name}\": the name cannot be a key, so a key is generated");
            warnings.push(ImportWarning::new(line, message));
            return base;
        }
        let renamed = base != name;
        let key = self.unique(base.clone());
        let mut reasons = Vec::new();
        if renamed {
            reasons.push(format!("a key is at most {MAX_KEY_LEN} letters, digits, '-', '_' or '.'"));
        }
        if key != base {
            reasons.push("an earlier question has the same name".to_string());
        }
        if reasons.is_empty() {
            return key;
        }
        let message = format!("question \"{name}\": its key is {key}, since {}", reasons.join(" and "));
        warnings.push(ImportWarning::new(line, message));
        key
    }

    fn unique(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(2);
        let key = loop {
            let candidate = suffixed(&base, n);
            n += 1;
            if self.used.insert(candidate.clone()) {
                break candidate;
            }
        };
        self.next_suffix.insert(base, n);
        key
    }
}

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || "-_.".contains(c)
}

/// Runs of other characters become one `_`; none at either end.
fn sanitise(name: &str) -> String {
    if name.len() <= MAX_KEY_LEN && name.chars().all(allowed) {
        return name.to_string();
    }
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars() {
        if !allowed(c) {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        out.push(c);
    }
    truncate(&out, MAX_KEY_LEN).to_string()
}

fn suffixed(base: &str, n: usize) -> String {
    let suffix = format!("_{n}");
    format!("{}{suffix}", truncate(base, MAX_KEY_LEN.saturating_sub(suffix.len())))
}

fn truncate(text: &str, max_bytes: usize) -> &str {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_unique_valid_keys() {
        let mut keys = Keys::default();
        let mut warnings = Vec::new();
        let mut assign = |name: Option<&str>| keys.assign(name, 1, &mut warnings);
        assert_eq!(assign(Some("Q2")), "Q2");
        assert_eq!(assign(Some("2-08 TSL")), "2-08_TSL");
        assert_eq!(assign(Some("2-08 TSL")), "2-08_TSL_2");
        assert_eq!(assign(Some("2-08_TSL_2")), "2-08_TSL_2_2");
        assert_eq!(assign(Some("单选 第1题?")), "单选_第1题");
        assert_eq!(assign(Some("???")), "");
        assert_eq!(assign(None), "");
        let long = "é".repeat(40);
        let first = assign(Some(&long));
        let second = assign(Some(&long));
        assert!(first.len() <= MAX_KEY_LEN && second.len() <= MAX_KEY_LEN && first != second);
        assert!(second.ends_with("_2"));
        assert_eq!(warnings.len(), 7, "{warnings:?}");
    }
}
