//! Character helpers shared by the scanners: width folding, pinyin glosses, numbers and lines.

use crate::domain::points::Points;

/// Folds full-width ASCII and wide spaces to their half-width forms, one char for one, so the
/// scanners compare against `(`, `:`, `1`, `A` only while the text shown keeps its own punctuation.
pub(super) fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        _ => c,
    }
}

/// Whether `c` is a CJK ideograph.
pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// One input line after pinyin removal and trimming: the text as written (for output) and its
/// folded twin (for scanning), char for char, so an index found in one slices the other.
#[derive(Debug)]
pub(super) struct Line {
    /// 1-based line number in the input.
    pub number: usize,
    pub orig: Vec<char>,
    pub folded: Vec<char>,
    /// A line of a Markdown code block (or its fence): kept as written and never scanned for markers,
    /// so `1.` or `A.` in code is code.
    pub code: bool,
}

impl Line {
    /// Reads a physical line.
    pub fn new(number: usize, raw: &str) -> Line {
        let unmarked = unmark(raw.trim_end_matches('\r').trim_start_matches('\u{FEFF}'));
        let cleaned = strip_pinyin(&unmarked);
        let orig: Vec<char> = cleaned.trim().chars().collect();
        let folded = orig.iter().map(|&c| fold(c)).collect();
        Line { number, orig, folded, code: false }
    }

    /// A line inside a code fence, or the fence itself: only the line end is trimmed.
    pub fn code(number: usize, raw: &str) -> Line {
        let orig: Vec<char> = raw.trim_end().trim_start_matches('\u{FEFF}').chars().collect();
        let folded = orig.iter().map(|&c| fold(c)).collect();
        Line { number, orig, folded, code: true }
    }

    /// Whether this raw line opens or closes a Markdown code fence.
    pub fn is_fence(raw: &str) -> bool {
        let t = raw.trim_start();
        t.starts_with("```") || t.starts_with("~~~")
    }

    /// Whether the line holds nothing.
    pub fn is_blank(&self) -> bool {
        self.orig.is_empty()
    }

    /// The whole line as written.
    pub fn text(&self) -> String {
        self.orig.iter().collect()
    }

    /// Chars `from..to` as written, trimmed.
    pub fn slice(&self, from: usize, to: usize) -> String {
        let to = to.min(self.orig.len());
        let from = from.min(to);
        self.orig[from..to].iter().collect::<String>().trim().to_string()
    }
}

/// Removes the Markdown that banks shared as `.md` carry: `## ` heading marks, `> ` quotes,
/// `**bold**`/`__bold__`, backslash escapes (`1\.`), code-fence lines, and table pipes
/// (`| A | 甲 |` → `A 甲`, which reads as an option).
pub(super) fn unmark(line: &str) -> String {
    let t = line.trim_start();
    if t.starts_with("```") || t.starts_with("~~~") || is_table_rule(t) {
        return String::new();
    }
    let t = t.trim_start_matches('#').trim_start_matches('>');
    let t = if t.len() < line.trim_start().len() { t.trim_start() } else { t };
    let mut out = strip_double_underscores(&t.replace("**", ""));
    for escaped in ["\\.", "\\*", "\\_", "\\#", "\\(", "\\)", "\\[", "\\]", "\\-"] {
        out = out.replace(escaped, &escaped[1..]);
    }
    if out.starts_with('|') && out.trim_end().ends_with('|') {
        let cells: Vec<&str> =
            out.trim().trim_matches('|').split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        return cells.join(" ");
    }
    out
}

/// `__bold__` loses its marks; a longer run of underscores is a blank to fill in (`____`) and stays.
fn strip_double_underscores(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars().map(Some).chain(std::iter::once(None)) {
        if c == Some('_') {
            run += 1;
            continue;
        }
        if run != 2 {
            out.extend(std::iter::repeat_n('_', run));
        }
        run = 0;
        out.extend(c);
    }
    out
}

/// `|---|:---:|`: the rule under a Markdown table's header.
fn is_table_rule(t: &str) -> bool {
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

const TONED: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ";

/// Neutral-tone syllables carry no tone mark, so they are recognised by name; anything else
/// toneless in brackets (`(kg)`, `(app)`) is real text.
const NEUTRAL_SYLLABLES: [&str; 14] =
    ["de", "le", "men", "me", "zi", "ge", "ba", "ma", "ne", "zhe", "guo", "tou", "mo", "ya"];

/// Removes the pinyin some sites splice after characters (`醫(yī)學(xué)` → `醫學`).
pub(super) fn strip_pinyin(s: &str) -> String {
    if !s.contains([')', '）']) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        match pinyin_gloss_len(&chars, i).or_else(|| orphan_gloss_len(&chars, i)) {
            Some(len) => i += len,
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Length of a bracketed pinyin syllable starting at `i`, right after a character.
///
/// A toned syllable also counts after a non-Han character, because the sites' broken encoding
/// sometimes turns the glossed character into Latin garbage (`I(yè)`, `t(yī)`); a gloss is always
/// glued to what precedes it, so a spaced `café (é)` stays.
fn pinyin_gloss_len(chars: &[char], i: usize) -> Option<usize> {
    let prev = *chars.get(i.checked_sub(1)?)?;
    if !matches!(chars[i], '(' | '（') || prev.is_whitespace() {
        return None;
    }
    let close = chars[i + 1..].iter().take(8).position(|&c| c == ')' || c == '）')? + i + 1;
    let body = &chars[i + 1..close];
    let letters = |c: &char| c.is_ascii_lowercase() || *c == 'ü' || TONED.contains(*c);
    if body.is_empty() || !body.iter().all(letters) {
        return None;
    }
    let word: String = body.iter().collect();
    let toned = body.iter().any(|&c| TONED.contains(c));
    (toned || (is_han(prev) && NEUTRAL_SYLLABLES.contains(&word.as_str()))).then_some(close - i + 1)
}

/// Length of a gloss whose character and `(` the site's encoding turned into `?` (`或?qū)I`):
/// the `?` stays to mark the lost character.
fn orphan_gloss_len(chars: &[char], i: usize) -> Option<usize> {
    if i == 0 || chars[i - 1] != '?' {
        return None;
    }
    let body = chars[i..].iter().take(7).take_while(|&&c| c.is_ascii_lowercase() || TONED.contains(c)).count();
    let toned = chars[i..i + body].iter().any(|&c| TONED.contains(c));
    (body > 0 && toned && matches!(chars.get(i + body), Some(')' | '）'))).then_some(body + 1)
}

/// Whether `c` writes a Chinese number.
pub(super) fn is_cjk_numeral(c: char) -> bool {
    "〇零一二两三四五六七八九十百".contains(c)
}

/// The value of Chinese numerals such as `十二` or `一百零五`.
pub(super) fn cjk_number(chars: &[char]) -> Option<u32> {
    if chars.is_empty() || chars.len() > 8 {
        return None;
    }
    let (mut total, mut current) = (0u32, 0u32);
    for &c in chars {
        match "〇一二三四五六七八九".chars().position(|d| d == c) {
            Some(d) => current = d as u32,
            None => match c {
                '零' => current = 0,
                '两' => current = 2,
                '十' => (total, current) = (total + current.max(1) * 10, 0),
                '百' => (total, current) = (total + current.max(1) * 100, 0),
                _ => return None,
            },
        }
    }
    Some(total + current)
}

/// A number written at `i` in ASCII digits (with an optional decimal part) or Chinese numerals:
/// its value in points and the index after it.
pub(super) fn number_at(f: &[char], i: usize) -> Option<(Points, usize)> {
    let digits_end = i + f[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits_end > i {
        let mut end = digits_end;
        if f.get(end) == Some(&'.') && f.get(end + 1).is_some_and(char::is_ascii_digit) {
            end += 1 + f[end + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        }
        let text: String = f[i..end].iter().collect();
        return Points::parse(&text).ok().map(|p| (p, end));
    }
    let cjk_end = i + f[i..].iter().take_while(|&&c| is_cjk_numeral(c)).count();
    let value = cjk_number(&f[i..cjk_end])?;
    Some((Points::whole(i64::from(value)), cjk_end))
}

/// Index of the first char at or after `i` that is not a space.
pub(super) fn skip_spaces(f: &[char], mut i: usize) -> usize {
    while f.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// Whether `f[i..]` starts with `word`.
pub(super) fn starts_with(f: &[char], i: usize, word: &str) -> bool {
    (i..).zip(word.chars()).all(|(k, w)| f.get(k) == Some(&w))
}

/// Whether any of `words` occurs in `s`.
pub(super) fn contains_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_pinyin_glosses_only() {
        assert_eq!(strip_pinyin("醫(yī)學(xué)客服"), "醫學客服");
        assert_eq!(strip_pinyin("權限或?qū)I(yè)知識"), "權限或?I知識");
        assert_eq!(strip_pinyin("我們(men)"), "我們");
        assert_eq!(strip_pinyin("體重(kg)與(app)"), "體重(kg)與(app)");
        assert_eq!(strip_pinyin("(yī)"), "(yī)");
        assert_eq!(strip_pinyin("獒t(yī)學 café (é)"), "獒t學 café (é)");
    }

    #[test]
    fn strips_markdown() {
        assert_eq!(unmark("## 一、单选题（每题2分）"), "一、单选题（每题2分）");
        assert_eq!(unmark("1\\. **首要原则**是？"), "1. 首要原则是？");
        assert_eq!(unmark("**答案：B**"), "答案：B");
        assert_eq!(unmark("| A | 甲 |"), "A 甲");
        assert_eq!(unmark("|---|---|"), "");
        assert_eq!(unmark("```python"), "");
        assert_eq!(unmark("x = f(A)  # 注释"), "x = f(A)  # 注释");
    }

    #[test]
    fn reads_chinese_numerals() {
        assert_eq!(cjk_number(&['十', '二']), Some(12));
        assert_eq!(cjk_number(&['二', '十']), Some(20));
        assert_eq!(cjk_number(&['一', '百', '零', '五']), Some(105));
    }
}
