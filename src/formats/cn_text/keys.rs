//! Answer keys as written: `C`, `A,B,C,E`, `ABCE`, `√`, `错误`, `敏感信息/个人敏感信息`.

use super::text::fold;

/// Option letters at the start of a key (`A,B,C,E`, `ABCE`, `A、C`), and what follows them.
pub(super) fn choice_letters(text: &str) -> Option<(Vec<char>, String)> {
    let f: Vec<char> = text.chars().map(fold).collect();
    let mut i = 0;
    while f.get(i).is_some_and(|c| c.is_whitespace() || "([【".contains(*c)) {
        i += 1;
    }
    let mut letters = Vec::new();
    while let Some(&c) = f.get(i) {
        if c.is_ascii_uppercase() {
            letters.push(c);
        } else if !(c.is_whitespace() || ",、/".contains(c)) {
            break;
        }
        i += 1;
    }
    // `Apple` or `ABC公司`-like words are text, not keys.
    if letters.is_empty() || f.get(i).is_some_and(char::is_ascii_lowercase) {
        return None;
    }
    let rest: String = text.chars().skip(i).collect();
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || ")]】。.,，:：;；".contains(c));
    Some((letters, rest.trim().to_string()))
}

/// Words for true and false, longest first so `正确` is not read as a lone `正`.
const TRUTH: [(&str, bool); 20] = [
    ("正确", true),
    ("正確", true),
    ("错误", false),
    ("錯誤", false),
    ("TRUE", true),
    ("FALSE", false),
    ("对", true),
    ("對", true),
    ("错", false),
    ("錯", false),
    ("是", true),
    ("否", false),
    ("√", true),
    ("✓", true),
    ("✔", true),
    ("×", false),
    ("✗", false),
    ("✘", false),
    ("T", true),
    ("F", false),
];

/// A true/false key (`对`, `√`, `正确`, `T`, `×`, `错误`, `F`).
pub(super) fn truth(text: &str) -> Option<bool> {
    let folded: String = text.chars().map(fold).collect::<String>().to_uppercase();
    let t = folded.trim_start_matches(|c: char| c.is_whitespace() || "([【".contains(c));
    let (word, value) =
        TRUTH.iter().find(|(w, _)| t.starts_with(w)).copied().or_else(|| t.starts_with('X').then_some(("X", false)))?;
    // `T`/`F`/`X` must stand alone, not begin a word (`Tom`, `Xray`).
    let alone = !t[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric());
    alone.then_some(value)
}

/// Accepted answers of a fill-in-the-blank question: alternatives split at `/`, `|`, `或`.
pub(super) fn accepted(text: &str) -> Vec<String> {
    text.split(['/', '|', '｜', '或'])
        .map(|s| s.trim().trim_end_matches(['。', '.', '；', ';']).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A key written into the prompt's brackets (`首要原则是（ C ）`): the prompt with the brackets
/// emptied, and the key.
pub(super) fn bracketed_key(prompt: &str, wanted: impl Fn(&str) -> bool) -> Option<(String, String)> {
    let chars: Vec<char> = prompt.chars().collect();
    let close = chars.iter().rposition(|&c| c == ')' || c == '）')?;
    let open = chars[..close].iter().rposition(|&c| c == '(' || c == '（')?;
    let inner: String = chars[open + 1..close].iter().collect();
    let key = inner.trim().to_string();
    if key.is_empty() || key.chars().count() > 8 || !wanted(&key) {
        return None;
    }
    let blanked: String = chars[..=open].iter().chain(['　', '　'].iter()).chain(chars[close..].iter()).collect();
    Some((blanked, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_choice_keys() {
        assert_eq!(choice_letters("A,B,C,E"), Some((vec!['A', 'B', 'C', 'E'], String::new())));
        assert_eq!(choice_letters("ABCE"), Some((vec!['A', 'B', 'C', 'E'], String::new())));
        assert_eq!(choice_letters("Ｃ。理解患者").map(|k| k.1), Some("理解患者".to_string()));
        assert_eq!(choice_letters("Apple"), None);
        assert_eq!(choice_letters("见解析"), None);
    }

    #[test]
    fn reads_true_false() {
        for (text, value) in [
            ("对", true),
            ("√", true),
            ("正确", true),
            ("T", true),
            ("错误", false),
            ("×", false),
            ("F", false),
            ("错", false),
        ] {
            assert_eq!(truth(text), Some(value), "{text}");
        }
        assert_eq!(truth("Tom"), None);
        assert_eq!(truth("不知道"), None);
    }

    #[test]
    fn finds_keys_in_brackets() {
        let (prompt, key) = bracketed_key("首要原则是（ C ）。", |k| choice_letters(k).is_some()).unwrap_or_default();
        assert_eq!((prompt.as_str(), key.as_str()), ("首要原则是（　　）。", "C"));
        assert_eq!(accepted("敏感信息/个人敏感信息。"), ["敏感信息", "个人敏感信息"]);
    }
}
