//! Where a warning points: the column and a short quote of the text it is about, for every format.
//!
//! Importers say what they know: the line always, a hint of the text when they have one (a question's
//! stem, an option). [`locate`] then finds the hint in the raw line, so the column is right even on a
//! document that is one run-on line; without a hint it points at the line's first character. Quotes
//! come from the file as written, not from what the importer made of it, so a recruiter can search
//! for them.

use super::ImportWarning;

/// Longest quote, in characters; enough to recognise a stem, short enough for a table cell.
pub const EXCERPT_CHARS: usize = 40;
/// How much of a hint is looked for in the raw line: long enough to be unique, short enough that
/// little of the markup an importer removed can stand inside it.
const HINT_CHARS: usize = 8;

/// The start of `text`'s first line, at most [`EXCERPT_CHARS`] characters, `…` when anything is cut:
/// how every format quotes text in its warnings.
pub fn excerpt(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or_default();
    let mut short: String = first_line.chars().take(EXCERPT_CHARS).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// Fills in each warning's column and quote from `text`, the input as the importer read it.
/// A warning that already has a column keeps it; a hint in `excerpt` is replaced by the quote.
pub fn locate(text: &str, warnings: &mut [ImportWarning]) {
    if warnings.is_empty() {
        return;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    // Searching is what could grow with the file times the warnings (a run-on line with a warning per
    // question): each line is searched onward from the last hint found on it, and the whole search
    // may read the text at most SEARCH_BUDGET times; past that, warnings point at their line's start.
    let mut budget = SEARCH_BUDGET * text.chars().count().max(1);
    // The line being located (its number, its characters, where the last hint was found on it); the
    // warnings come sorted by line, so each line is split into characters once.
    let mut cursor: (usize, Vec<char>, usize) = (0, Vec::new(), 0);
    for w in warnings.iter_mut() {
        let Some(line) = w.line.checked_sub(1).and_then(|i| lines.get(i)) else { continue };
        if cursor.0 != w.line {
            cursor = (w.line, line.trim_end_matches('\r').chars().collect(), 0);
        }
        let raw = &cursor.1;
        if w.column == 0 {
            let found = hint_column(raw, &w.excerpt, cursor.2, &mut budget)
                .or_else(|| hint_column(raw, &w.excerpt, 0, &mut budget));
            w.column = found.unwrap_or_else(|| first_column(raw));
            if let Some(column) = found {
                cursor.2 = column - 1;
            }
        }
        let from: String = raw[(w.column - 1).min(raw.len())..].iter().take(EXCERPT_CHARS * 2).collect();
        w.excerpt = excerpt(from.trim_end());
    }
}

/// How many times over [`locate`] may read the text while looking for hints.
const SEARCH_BUDGET: usize = 8;

/// 1-based character column where the start of `hint` stands in `raw`, looking from `from` on.
fn hint_column(raw: &[char], hint: &str, from: usize, budget: &mut usize) -> Option<usize> {
    let probe: Vec<char> = hint.trim().chars().filter(|c| !c.is_whitespace()).take(HINT_CHARS).collect();
    if probe.is_empty() || from >= raw.len() {
        return None;
    }
    let cost = raw.len() - from;
    if *budget < cost {
        return None;
    }
    *budget -= cost;
    (from..raw.len()).find(|&at| matches_at(raw, at, &probe)).map(|at| at + 1)
}

/// Longest gloss stepped over; bounds the work per position, so matching stays linear.
const MAX_GLOSS: usize = 12;

/// Matching steps over a bracketed gloss such as `(yè)`, which cn-text removes before it reads a line,
/// so a hint taken from the cleaned text is found in the raw one.
fn matches_at(raw: &[char], mut at: usize, probe: &[char]) -> bool {
    for (i, want) in probe.iter().enumerate() {
        loop {
            match raw.get(at) {
                Some(c) if c == want => break,
                Some(c) if c.is_whitespace() && i > 0 => at += 1,
                Some('(') if i > 0 => match raw[at..].iter().take(MAX_GLOSS).position(|c| *c == ')') {
                    Some(close) if raw[at + 1..at + close].iter().all(|c| c.is_alphabetic() && !is_cjk(*c)) => {
                        at += close + 1;
                    }
                    _ => return false,
                },
                _ => return false,
            }
        }
        at += 1;
    }
    true
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

fn first_column(raw: &[char]) -> usize {
    raw.iter().take_while(|c| c.is_whitespace() || **c == '\u{FEFF}').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(line: usize, hint: &str) -> ImportWarning {
        ImportWarning { line, column: 0, excerpt: hint.into(), message: String::new() }
    }

    #[test]
    fn hints_are_found_on_a_run_on_line_and_quoted_as_written() {
        let text = "title\n1.甲？A.x B.y 2.乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙？A.x";
        let mut ws = [warning(2, "乙乙乙"), warning(2, "missing"), warning(1, ""), warning(9, "x")];
        locate(text, &mut ws);
        assert_eq!(ws[0].column, 15);
        assert!(ws[0].excerpt.starts_with("乙乙乙") && ws[0].excerpt.ends_with("？A.x"), "{}", ws[0].excerpt);
        assert_eq!(
            (ws[1].column, ws[1].excerpt.as_str()),
            (1, "1.甲？A.x B.y 2.乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙乙…")
        );
        assert_eq!((ws[2].column, ws[2].excerpt.as_str()), (1, "title"));
        assert_eq!((ws[3].column, ws[3].excerpt.as_str()), (0, "x"), "a line past the end is left alone");
        let mut glossed = [warning(1, "專業知識與技能")];
        locate("二、專業(yè)知識與技能", &mut glossed);
        assert_eq!((glossed[0].column, glossed[0].excerpt.as_str()), (3, "專業(yè)知識與技能"));
    }

    #[test]
    fn excerpts_are_short_and_one_line() {
        assert_eq!(excerpt("short"), "short");
        assert_eq!(excerpt("one\ntwo"), "one…");
        assert_eq!(excerpt(&"x".repeat(EXCERPT_CHARS)).chars().count(), EXCERPT_CHARS);
        assert_eq!(excerpt(&"x".repeat(50)).chars().count(), EXCERPT_CHARS + 1);
    }
}
