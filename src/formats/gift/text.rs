//! The GIFT text layer: blocks of lines, escapes, format tags and answer weights.
//!
//! Escaped special characters (`\:` `\#` `\=` `\~` `\{` `\}` `\\` `\n`) are swapped for sentinels while a
//! block is cut up, so every later step can split on the bare character without looking behind it, and are
//! swapped back only when a piece of text leaves the parser (as Moodle does with its `&&058;` placeholders).

/// Sentinels for escaped characters. Unicode reserves U+FDD0..U+FDEF for process-internal use, so they do
/// not occur in real text; any that do are replaced on the way in.
const ESCAPES: [(char, char, char); 8] = [
    ('\\', '\u{FDD0}', '\\'),
    (':', '\u{FDD1}', ':'),
    ('#', '\u{FDD2}', '#'),
    ('=', '\u{FDD3}', '='),
    ('{', '\u{FDD4}', '{'),
    ('}', '\u{FDD5}', '}'),
    ('~', '\u{FDD6}', '~'),
    ('n', '\u{FDD7}', '\n'),
];

/// One question's worth of lines: GIFT separates questions by blank lines.
#[derive(Debug)]
pub(super) struct Block {
    /// 1-based line of its first line that is not a comment.
    pub line: usize,
    /// The lines without comments, trimmed, with escapes swapped for sentinels.
    pub text: String,
    /// Whether a reserved noncharacter had to be replaced.
    pub replaced: bool,
    /// Its `//` comment lines without the slashes, where Moodle keeps `[id:…]` and `[tag:…]`.
    pub comments: Vec<String>,
}

/// Cuts the file into blocks; `//` comment lines neither end a block nor belong to it.
pub(super) fn blocks(input: &str) -> Vec<Block> {
    let normal = normalise_newlines(input);
    let mut out = Vec::new();
    let mut current: Option<Gathering<'_>> = None;
    // Comments belong to the blank-line-separated chunk they stand in, as in Moodle, also those
    // written before the question's first line.
    let mut comments: Vec<&str> = Vec::new();
    for (index, line) in normal.split('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            out.extend(current.take().map(|g| g.finish(&mut comments)));
            comments.clear();
        } else if let Some(comment) = trimmed.strip_prefix("//") {
            comments.push(comment);
        } else {
            // A name opening a line after a finished answer block starts the next question: the blank
            // line between them was forgotten, and Moodle would glue both into one garbled question.
            if trimmed.starts_with("::") && current.as_ref().is_some_and(|g| g.closed) {
                out.extend(current.take().map(|g| g.finish(&mut comments)));
            }
            current.get_or_insert_with(|| Gathering::new(index + 1)).add(line);
        }
    }
    out.extend(current.take().map(|g| g.finish(&mut comments)));
    out
}

/// The lines of a block being read, and whether its first answer block has been closed.
struct Gathering<'a> {
    line: usize,
    lines: Vec<&'a str>,
    open: bool,
    closed: bool,
}

impl<'a> Gathering<'a> {
    fn new(line: usize) -> Self {
        Gathering { line, lines: Vec::new(), open: false, closed: false }
    }

    fn add(&mut self, line: &'a str) {
        if !self.closed {
            for c in encode(line).0.chars() {
                match c {
                    '{' => self.open = true,
                    '}' if self.open => self.closed = true,
                    _ => {}
                }
            }
        }
        self.lines.push(line);
    }

    fn finish(self, comments: &mut Vec<&str>) -> Block {
        let (text, replaced) = encode(self.lines.join("\n").trim());
        let comments = comments.drain(..).map(str::to_string).collect();
        Block { line: self.line, text, replaced, comments }
    }
}

/// Text with a byte-order mark removed and every line ending as `\n` (Windows and old Mac files too).
fn normalise_newlines(input: &str) -> String {
    input.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n")
}

fn encode(raw: &str) -> (String, bool) {
    let mut out = String::with_capacity(raw.len());
    let mut replaced = false;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if is_sentinel(c) {
            out.push('\u{FFFD}');
            replaced = true;
            continue;
        }
        if c == '\\' {
            let mut ahead = chars.clone();
            if let Some(sentinel) = ahead.next().and_then(sentinel_for) {
                out.push(sentinel);
                chars = ahead;
                continue;
            }
        }
        out.push(c);
    }
    (out, replaced)
}

fn is_sentinel(c: char) -> bool {
    ('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

fn sentinel_for(c: char) -> Option<char> {
    ESCAPES.iter().find(|(escaped, _, _)| *escaped == c).map(|(_, sentinel, _)| *sentinel)
}

/// Swaps sentinels back for the characters they stand for.
pub(super) fn decode(encoded: &str) -> String {
    encoded
        .chars()
        .map(|c| ESCAPES.iter().find(|(_, sentinel, _)| *sentinel == c).map_or(c, |(_, _, plain)| *plain))
        .collect()
}

/// Moodle's text-format markers; examd keeps text as written, so the marker itself is dropped.
const FORMAT_TAGS: [&str; 4] = ["html", "moodle", "plain", "markdown"];

/// Drops one leading `[html]`, `[moodle]`, `[plain]` or `[markdown]` (any other bracket is text).
pub(super) fn strip_format_tag(encoded: &str) -> &str {
    let trimmed = encoded.trim();
    let Some(rest) = trimmed.strip_prefix('[') else { return trimmed };
    match rest.split_once(']') {
        Some((tag, after)) if FORMAT_TAGS.iter().any(|t| t.eq_ignore_ascii_case(tag)) => after.trim(),
        _ => trimmed,
    }
}

/// A piece of encoded text as the user should read it: format tag dropped, escapes undone, trimmed.
pub(super) fn clean(encoded: &str) -> String {
    decode(strip_format_tag(encoded)).trim().to_string()
}

/// Reads a leading `%50%` / `%-33.3%` weight; anything else is not a weight and stays text.
pub(super) fn take_weight(piece: &str) -> (Option<f64>, &str) {
    let trimmed = piece.trim();
    let Some(rest) = trimmed.strip_prefix('%') else { return (None, trimmed) };
    let Some((number, after)) = rest.split_once('%') else { return (None, trimmed) };
    let plausible = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    match number.parse::<f64>() {
        Ok(w) if plausible && w.is_finite() => (Some(w), after),
        _ => (None, trimmed),
    }
}

/// One answer of an answer block: `=%50%Cat#What is it with cats?`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Answer {
    /// `=` or `~` when the answer started with one; text before the first marker has none.
    pub marker: Option<char>,
    /// The `%…%` weight, in percent.
    pub weight: Option<f64>,
    /// The answer, cleaned.
    pub text: String,
    /// The feedback after `#`, cleaned; empty when there is none.
    pub feedback: String,
}

/// Splits an answer block at every bare `marker` character, as Moodle does.
pub(super) fn answers(block: &str, markers: &[char]) -> Vec<Answer> {
    let mut pieces: Vec<(Option<char>, &str)> = Vec::new();
    let mut start = 0;
    let mut marker = None;
    for (i, c) in block.char_indices() {
        if markers.contains(&c) {
            pieces.push((marker, &block[start..i]));
            marker = Some(c);
            start = i + c.len_utf8();
        }
    }
    pieces.push((marker, &block[start..]));
    pieces
        .into_iter()
        .filter(|(marker, piece)| marker.is_some() || !piece.trim().is_empty())
        .map(|(marker, piece)| answer(marker, piece))
        .collect()
}

fn answer(marker: Option<char>, piece: &str) -> Answer {
    let (weight, rest) = take_weight(piece);
    let (text, feedback) = rest.split_once('#').unwrap_or((rest, ""));
    Answer { marker, weight, text: clean(text), feedback: clean(feedback) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_survive_splitting_and_come_back() {
        let (encoded, replaced) = encode(r"a\:b\#c\=d\~e\{f\}g\\h\ni\x");
        assert!(!replaced);
        assert!(!encoded.contains([':', '#', '=', '~', '{', '}']));
        assert_eq!(decode(&encoded), "a:b#c=d~e{f}g\\h\ni\\x");
        assert_eq!(decode(&encode(r"\\:").0), "\\:");
    }

    #[test]
    fn reserved_noncharacters_in_the_input_are_replaced() {
        let (encoded, replaced) = encode("x\u{FDD1}y");
        assert!(replaced);
        assert_eq!(decode(&encoded), "x\u{FFFD}y");
    }

    #[test]
    fn blocks_split_at_blank_lines_and_skip_comments() {
        let found = blocks("// c\n::a:: one {}\r\n\r\n\n// only a comment\n\n  two\n  {T}");
        let lines: Vec<_> = found.iter().map(|b| (b.line, b.text.as_str())).collect();
        assert_eq!(lines, [(2, "::a:: one {}"), (7, "two\n  {T}")]);
        let glued = blocks("::a:: one {\n=x\n}\n::b:: two {T} and\nmore {F}\n  ::c:: three {F}");
        let lines: Vec<_> = glued.iter().map(|b| (b.line, b.text.as_str())).collect();
        assert_eq!(lines, [(1, "::a:: one {\n=x\n}"), (4, "::b:: two {T} and\nmore {F}"), (6, "::c:: three {F}")]);
    }

    #[test]
    fn format_tags_and_weights() {
        assert_eq!(strip_format_tag(" [html]<b>x</b>"), "<b>x</b>");
        assert_eq!(strip_format_tag("[note] x"), "[note] x");
        assert_eq!(take_weight("%-100%[plain]blue"), (Some(-100.0), "[plain]blue"));
        assert_eq!(take_weight("%33.33333%x"), (Some(33.33333), "x"));
        assert_eq!(take_weight("%abc%x"), (None, "%abc%x"));
        let found = answers(" =yellow # right ~%50%[plain]blue#[html]wrong ", &['~', '=']);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].marker, found[0].text.as_str(), found[0].feedback.as_str()),
            (Some('='), "yellow", "right")
        );
        assert_eq!(
            (found[1].weight, found[1].text.as_str(), found[1].feedback.as_str()),
            (Some(50.0), "blue", "wrong")
        );
    }
}
