//! Where something new starts on a line: a heading, a question number, an option, an answer or
//! explanation label. Text from these documents often runs together on one line
//! (`…的原因是什么?参考答案:我认为…。2.你对…`), so a line is cut at every such marker.
//!
//! What counts as a marker depends on where the reader stands (which question number comes next,
//! whether options are expected), so the parser passes a [`Context`] in.

use super::heading::{heading_at, Heading};
use super::text::{is_cjk_numeral, skip_spaces, starts_with, Line};

/// What the parser expects next, which decides what a marker may be.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context {
    /// The number the next question should carry.
    pub next_question: u32,
    /// Inside the text of an answer or explanation, where list items (`1.`, `A.`) are text unless
    /// they carry the next question's number.
    pub in_answer_text: bool,
    /// Whether option letters start options, and the next letter.
    pub options: Options,
    /// Whether the next line of text starts with question 1 (a lone heading then counts).
    pub next_line_q1: bool,
}

/// Where option letters are taken as options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Options {
    /// Not here (open sections, answer parts).
    Off,
    /// Only at the start of a line (open sections: a choice question there is reported).
    LineOnly(char),
    /// At the start of a line, or running on after a stem that has ended (sections whose kind
    /// is not known yet).
    LineStart(char),
    /// Also inside a line (`A.甲 B.乙`), in choice sections.
    Anywhere(char),
}

/// An answer or explanation label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Label {
    /// `参考答案:`, `答案:`, `【答案】`, `答:`.
    Answer,
    /// `解析:`, `【解析】`.
    Explanation,
}

/// What a marker opens.
#[derive(Debug, Clone)]
pub(super) enum MarkerKind {
    /// A section heading.
    Heading(Heading),
    /// Question (or answer) number `n`.
    Question(u32),
    /// Option letter.
    Choice(char),
    /// Answer or explanation label.
    Label(Label),
    /// Plain text at the start of a line, continuing whatever came before.
    Continue,
}

/// A marker at `start..end`; its text runs from `end` to the next marker.
#[derive(Debug, Clone)]
pub(super) struct Marker {
    pub start: usize,
    pub end: usize,
    pub kind: MarkerKind,
}

/// The marker a line starts with (`Continue` when it starts with plain text).
pub(super) fn line_start(line: &Line, ctx: &Context) -> Marker {
    let f = &line.folded;
    if let Some((h, end)) = heading_at(line, 0, ctx.next_line_q1) {
        return Marker { start: 0, end, kind: MarkerKind::Heading(h) };
    }
    if let Some((n, end)) = question_number_at(f, 0, Some(ctx.next_question)) {
        if n == ctx.next_question || !ctx.in_answer_text {
            return Marker { start: 0, end, kind: MarkerKind::Question(n) };
        }
    }
    let letter = match ctx.options {
        Options::LineOnly(c) | Options::LineStart(c) | Options::Anywhere(c) => Some(c),
        Options::Off => None,
    };
    if let (Some(expected), Some((c, end))) = (letter, option_at(f, 0, true)) {
        // A skipped letter is still an option; only earlier letters are text.
        if c >= expected && c <= 'H' {
            return Marker { start: 0, end, kind: MarkerKind::Choice(c) };
        }
    }
    if let Some((label, end)) = label_at(f, 0) {
        return Marker { start: 0, end, kind: MarkerKind::Label(label) };
    }
    Marker { start: 0, end: 0, kind: MarkerKind::Continue }
}

/// The first marker at or after `from` inside a line.
pub(super) fn next_marker(line: &Line, from: usize, ctx: &Context) -> Option<Marker> {
    let f = &line.folded;
    (from..f.len()).find_map(|k| marker_at(line, k, ctx))
}

fn marker_at(line: &Line, k: usize, ctx: &Context) -> Option<Marker> {
    let f = &line.folded;
    let c = f[k];
    let marker = |end, kind| Some(Marker { start: k, end, kind });
    if let Some((label, end)) = label_at(f, k) {
        return marker(end, MarkerKind::Label(label));
    }
    if is_cjk_numeral(c) || c == '第' {
        if let Some((h, end)) = heading_at(line, k, ctx.next_line_q1) {
            return marker(end, MarkerKind::Heading(h));
        }
    }
    let prev = k.checked_sub(1).map(|p| f[p]);
    // `v2.`, `1-2.`, `3.5.`, `第1、2题`, `1、2、3` are not numbering.
    let number_ok = prev.is_none_or(|p| !(p.is_ascii_alphanumeric() || "-/.~第、".contains(p)));
    if c.is_ascii_digit() && number_ok {
        if let Some((n, end)) = question_number_at(f, k, None) {
            if n == ctx.next_question {
                return marker(end, MarkerKind::Question(n));
            }
        }
    }
    match ctx.options {
        Options::Anywhere(expected) if starts_option(f, k, expected) => {
            option_at(f, k, false).map(|(letter, end)| Marker { start: k, end, kind: MarkerKind::Choice(letter) })
        }
        // Where the kind is unknown, options run on after a stem only when the stem has ended
        // (`…要求？A.推诿B.一次办结`), so `方案A.` inside a sentence stays text.
        Options::LineStart(expected) if starts_option(f, k, expected) && (expected != 'A' || ends_stem(prev)) => {
            option_at(f, k, false).map(|(letter, end)| Marker { start: k, end, kind: MarkerKind::Choice(letter) })
        }
        _ => None,
    }
}

/// Whether option `expected` (`B.`, `(B)`) may start at `k` inside a line: never inside an
/// identifier or a call (`f(A)`, `x_A.`, `(A)` after a name).
fn starts_option(f: &[char], k: usize, expected: char) -> bool {
    let at = if f[k] == '(' { k + 1 } else { k };
    if f.get(at) != Some(&expected) {
        return false;
    }
    let prev = k.checked_sub(1).map(|p| f[p]);
    let glued = |p: char| p.is_ascii_alphanumeric() || "_(.$".contains(p);
    if prev.is_some_and(glued) {
        return false;
    }
    // `A)` after an opening bracket is the inside of `(A)`, handled at the bracket.
    !(f[k] != '(' && prev == Some('('))
}

/// Whether the character before a run-on first option ends a stem (`？`, `：`, `。`, a space, a bracket).
fn ends_stem(prev: Option<char>) -> bool {
    prev.is_none_or(|p| p.is_whitespace() || "?:。!;)】".contains(p))
}

/// `12.`, `12、`, `第12题`: the number and where its text starts.
///
/// A digit right after `、` still starts the text (`3、12岁以下…`). After `.` it may be a decimal
/// (`3.5分`), so there it starts the text only when `expected` says this number comes next.
pub(super) fn question_number_at(f: &[char], i: usize, expected: Option<u32>) -> Option<(u32, usize)> {
    if f.get(i) == Some(&'第') {
        let digits = f[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let unit = i + 1 + digits;
        if digits == 0 || digits > 3 || !matches!(f.get(unit), Some('题' | '題')) {
            return None;
        }
        let n = f[i + 1..unit].iter().collect::<String>().parse().ok()?;
        let after = if matches!(f.get(unit + 1), Some('.' | '、' | ':')) { unit + 2 } else { unit + 1 };
        return Some((n, skip_spaces(f, after)));
    }
    let digits = f[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let delimiter = f.get(i + digits).copied();
    if digits == 0 || digits > 3 || !matches!(delimiter, Some('.' | '、')) {
        return None;
    }
    let n = f[i..i + digits].iter().collect::<String>().parse().ok()?;
    let digit_follows = f.get(i + digits + 1).is_some_and(char::is_ascii_digit);
    if digit_follows && delimiter == Some('.') && expected != Some(n) {
        return None;
    }
    Some((n, skip_spaces(f, i + digits + 1)))
}

/// `A.`, `B、`, `C:`, `D)`, `(E)`, and at a line start `A 甲`: the letter and where its text starts.
pub(super) fn option_at(f: &[char], i: usize, at_line_start: bool) -> Option<(char, usize)> {
    let c = *f.get(i)?;
    if c == '(' {
        let letter = *f.get(i + 1)?;
        let text = skip_spaces(f, i + 3);
        // `（A）` closing a stem is a key written into the prompt, not an option.
        let has_text = f.get(text).is_some_and(|t| !"。.,?)".contains(*t));
        return (letter.is_ascii_uppercase() && f.get(i + 2) == Some(&')') && has_text).then_some((letter, text));
    }
    if !c.is_ascii_uppercase() {
        return None;
    }
    if matches!(f.get(i + 1), Some('.' | '、' | ':' | ')')) {
        return Some((c, skip_spaces(f, i + 2)));
    }
    // `A 甲`: a letter, a space and text that is not Latin (`A lot` is prose).
    let text = skip_spaces(f, i + 1);
    let spaced = at_line_start && text > i + 1 && f.get(text).is_some_and(|t| !t.is_ascii());
    spaced.then_some((c, text))
}

const ANSWER_WORDS: [&str; 7] = ["参考答案", "參考答案", "标准答案", "標準答案", "正确答案", "正確答案", "答案"];
const EXPLANATION_WORDS: [&str; 4] = ["答案解析", "试题解析", "試題解析", "解析"];

/// `参考答案:`, `解析：`, `【答案】`, `答:` at `i`: the label and where its text starts.
pub(super) fn label_at(f: &[char], i: usize) -> Option<(Label, usize)> {
    let c = *f.get(i)?;
    if c == '【' {
        let close = f[i + 1..].iter().take(7).position(|&c| c == '】')? + i + 1;
        let inner: String = f[i + 1..close].iter().collect();
        let label = label_named(&inner)?;
        let after = skip_spaces(f, close + 1);
        let after = if f.get(after) == Some(&':') { after + 1 } else { after };
        return Some((label, skip_spaces(f, after)));
    }
    if !"参參标標正答解试試".contains(c) {
        return None;
    }
    let (word, label) = EXPLANATION_WORDS
        .iter()
        .map(|w| (*w, Label::Explanation))
        .chain(ANSWER_WORDS.iter().map(|w| (*w, Label::Answer)))
        .find(|(w, _)| starts_with(f, i, w))
        .or_else(|| (c == '答' && after_sentence(f, i)).then_some(("答", Label::Answer)))?;
    let colon = skip_spaces(f, i + word.chars().count());
    (f.get(colon) == Some(&':')).then(|| (label, skip_spaces(f, colon + 1)))
}

fn label_named(inner: &str) -> Option<Label> {
    let inner = inner.trim();
    if EXPLANATION_WORDS.contains(&inner) || inner == "分析" {
        Some(Label::Explanation)
    } else if ANSWER_WORDS.contains(&inner) {
        Some(Label::Answer)
    } else {
        None
    }
}

/// A bare `答:` is a label only where a sentence (or the line) ends before it, not in `回答:`.
fn after_sentence(f: &[char], i: usize) -> bool {
    i == 0 || "。?!) ".contains(f[i - 1])
}

/// Whether a line starts with a question number.
pub(super) fn starts_question(line: &Line) -> bool {
    question_number_at(&line.folded, 0, None).is_some()
}

/// Whether a line starts with question 1.
pub(super) fn starts_question_one(line: &Line) -> bool {
    question_number_at(&line.folded, 0, None).is_some_and(|(n, _)| n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(next_question: u32, options: Options) -> Context {
        Context { next_question, in_answer_text: false, options, next_line_q1: false }
    }

    fn kinds(s: &str, c: Context) -> Vec<String> {
        let line = Line::new(1, s);
        let mut out = vec![];
        let mut m = line_start(&line, &c);
        loop {
            out.push(format!("{:?}", m.kind).chars().take(12).collect::<String>());
            match next_marker(&line, m.end.max(m.start + 1).min(line.folded.len()), &c) {
                Some(next) => m = next,
                None => break,
            }
        }
        out
    }

    #[test]
    fn cuts_at_labels_and_the_next_number() {
        let ks = kinds("3.为什么?参考答案:因为…。4.下一题", ctx(4, Options::Off));
        assert_eq!(ks, ["Question(3)", "Label(Answer", "Question(4)"]);
    }

    #[test]
    fn ignores_decimals_and_other_numbers() {
        let ks = kinds("每1.5小时一次,共2.5分。7.不是下一题", ctx(4, Options::Off));
        assert_eq!(ks, ["Continue"]);
    }

    #[test]
    fn cuts_at_the_expected_option_letter_only() {
        let line = Line::new(1, "A.甲 B.乙");
        let b = next_marker(&line, 2, &ctx(2, Options::Anywhere('B'))).map(|m| m.start);
        assert_eq!(b, Some(4));
        assert!(next_marker(&line, 2, &ctx(2, Options::Anywhere('C'))).is_none());
        assert_eq!(next_marker(&line, 2, &ctx(2, Options::LineStart('B'))).map(|m| m.start), Some(4));
        let stem = Line::new(1, "比较方案A.甲");
        assert!(next_marker(&stem, 0, &ctx(2, Options::LineStart('A'))).is_none(), "A inside a sentence");
        assert_eq!(option_at(&['B', '．'], 0, false), None, "callers pass folded text");
        assert_eq!(option_at(&['B', '.'], 0, false), Some(('B', 2)));
    }

    #[test]
    fn reads_labels() {
        let f: Vec<char> = "【解析】因为".chars().collect();
        assert_eq!(label_at(&f, 0), Some((Label::Explanation, 4)));
        let f: Vec<char> = "回答:".chars().collect();
        assert_eq!(label_at(&f, 1), None);
        let f: Vec<char> = "答案解析:".chars().collect();
        assert_eq!(label_at(&f, 0).map(|l| l.0), Some(Label::Explanation));
    }
}
