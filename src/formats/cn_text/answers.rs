//! The answer part: `答案及解析` or `参考答案` after all questions or after each section, its
//! headings (`一、单选题答案`), numbered answers and key runs (`1-5 CCBCB`), matched back to the
//! questions by section and number.

use super::heading::{heading_at, Heading};
use super::parse::{Mode, Parser, Target};
use super::text::{is_cjk_numeral, skip_spaces, Line};
use super::tokens;

/// Whole-line titles that open an answer part.
const ANSWER_PART_TITLES: [&str; 14] = [
    "答案及解析",
    "參考答案及解析",
    "参考答案及解析",
    "答案与解析",
    "答案與解析",
    "参考答案与解析",
    "參考答案與解析",
    "答案解析",
    "试题答案",
    "試題答案",
    "参考答案及评分标准",
    "答案及评分标准",
    "答案和解析",
    "习题答案",
];
/// Titles that open an answer part, or label the answer of the question just read.
const BARE_ANSWER_TITLES: [&str; 5] = ["参考答案", "參考答案", "答案", "标准答案", "標準答案"];

/// `答案及解析`, `六、参考答案:`: `Some(bare)` when the line titles an answer part, where `bare`
/// says the title could also label the answer of one question.
pub(super) fn answer_part_title(line: &Line) -> Option<bool> {
    let f: Vec<char> = line.folded.iter().copied().filter(|c| !c.is_whitespace()).collect();
    let numeral = f.iter().take_while(|&&c| is_cjk_numeral(c)).count();
    let start = if numeral > 0 && matches!(f.get(numeral), Some('、' | '.')) { numeral + 1 } else { 0 };
    let core: String = f[start..].iter().collect();
    let core = core.trim_end_matches(':').trim_start_matches('【').trim_end_matches('】');
    if ANSWER_PART_TITLES.contains(&core) {
        Some(false)
    } else {
        BARE_ANSWER_TITLES.contains(&core).then_some(true)
    }
}

/// `1-5 CCBCB 6-10 ABDCA`: runs of one-character keys, when the whole line is made of them.
pub(super) fn key_runs(f: &[char]) -> Option<Vec<(u32, Vec<char>)>> {
    let is_key = |c: char| c.is_ascii_uppercase() || "√×✓✗对错對錯".contains(c);
    let mut runs = Vec::new();
    let mut i = skip_spaces(f, 0);
    while i < f.len() {
        let (first, after_first) = digits(f, i)?;
        if !matches!(f.get(after_first), Some('-' | '~' | '—' | '–')) {
            return None;
        }
        let (last, mut j) = digits(f, after_first + 1)?;
        if last < first || last - first >= 100 {
            return None;
        }
        j = skip_spaces(f, j);
        if matches!(f.get(j), Some('.' | ':' | '、')) {
            j = skip_spaces(f, j + 1);
        }
        let mut keys = Vec::new();
        while keys.len() < (last - first + 1) as usize {
            match f.get(j) {
                Some(&c) if is_key(c) => keys.push(c),
                Some(c) if c.is_whitespace() => {}
                _ => return None,
            }
            j += 1;
        }
        runs.push((first, keys));
        i = skip_spaces(f, j);
    }
    (!runs.is_empty()).then_some(runs)
}

fn digits(f: &[char], i: usize) -> Option<(u32, usize)> {
    let n = f[i.min(f.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 3 {
        return None;
    }
    Some((f[i..i + n].iter().collect::<String>().parse().ok()?, i + n))
}

/// Whether the line after a bare `参考答案` shows an answer part rather than one question's answer.
pub(super) fn opens_section_or_question(line: &Line) -> bool {
    tokens::starts_question(line) || heading_at(line, 0, true).is_some() || key_runs(&line.folded).is_some()
}

impl Parser {
    /// In an answer part, a heading without points that repeats a section's title or kind
    /// introduces that section's answers rather than a new section.
    pub(super) fn names_a_read_section(&self, h: &Heading) -> bool {
        let spec = &h.spec;
        let bare = spec.count.is_none() && spec.each.is_none() && spec.total.is_none();
        bare && self
            .draft
            .sections
            .iter()
            .any(|s| s.heading.title == h.title || (h.kind.is_some() && s.heading.kind == h.kind))
    }

    /// The section an answer heading answers: by title, then kind, then numeral, then order.
    pub(super) fn section_for_answers(&mut self, h: &Heading) -> Option<usize> {
        let name = strip_answer_words(&h.title);
        let sections = &self.draft.sections;
        let fresh = |i: &usize| !sections[*i].in_answer_part;
        let by_title: Vec<usize> = (0..sections.len()).filter(|&i| sections[i].heading.title == name).collect();
        let by_kind: Vec<usize> =
            (0..sections.len()).filter(|&i| h.kind.is_some() && sections[i].heading.kind == h.kind).collect();
        let by_numeral = h.numeral.and_then(|n| (n as usize).checked_sub(1)).filter(|&i| i < sections.len());
        let next_in_order = self.answer_section.map_or(0, |s| s + 1);
        let found = by_title
            .iter()
            .find(|i| fresh(i))
            .or(by_title.first())
            .or(by_kind.iter().find(|i| fresh(i)))
            .or(by_kind.first())
            .copied()
            .or(by_numeral)
            .or((next_in_order < sections.len()).then_some(next_in_order));
        if let Some(i) = found {
            self.draft.sections[i].in_answer_part = true;
        }
        found
    }

    /// Starts an answer part. The first usually answers the whole paper from its first section;
    /// a later one follows (and answers) the section just read.
    pub(super) fn answer_part(&mut self, line: usize) {
        if self.draft.sections.is_empty() {
            self.warn(line, "an answer part comes before any question; its answers were left out".into());
        }
        self.answer_section = if self.answer_parts == 0 {
            let sections = &self.draft.sections;
            let unanswered = sections.iter().position(|s| s.questions.iter().all(|q| q.answer.is_none()));
            unanswered.or((!sections.is_empty()).then_some(0))
        } else {
            self.draft.sections.len().checked_sub(1)
        };
        self.answer_parts += 1;
        self.mode = Mode::Answers;
        self.answer_headed = false;
        self.last_answer_number = 0;
        self.next_question = 1;
        self.in_answer_text = false;
        self.current = None;
        self.target = Target::Discard;
    }

    /// Answer `n` of the current answer section; without headings, numbering that starts over
    /// moves on to the next section.
    pub(super) fn answer_item(&mut self, n: u32, line: usize) {
        let restarted = !self.answer_headed && self.last_answer_number > 0 && n <= self.last_answer_number;
        if restarted {
            self.answer_section = self.answer_section.map(|s| s + 1).filter(|&s| s < self.draft.sections.len());
        }
        self.last_answer_number = n;
        let found = self.answer_section.and_then(|s| Some((s, *self.draft.sections[s].by_number.get(&n)?)));
        match found {
            Some(at) => {
                self.current = Some(at);
                self.start_answer(line);
                self.target = Target::Answer;
            }
            None => {
                let place = match self.answer_section {
                    Some(s) => format!("section “{}”", self.draft.sections[s].display_title()),
                    None => "any section".to_string(),
                };
                self.warn(line, format!("answer {n} matches no question in {place}; it was left out"));
                self.current = None;
                self.target = Target::Discard;
            }
        }
    }

    /// Records `1-5 CCBCB` as five answers.
    pub(super) fn key_runs(&mut self, runs: Vec<(u32, Vec<char>)>, line: usize) {
        for (first, keys) in runs {
            for (n, key) in (first..).zip(keys) {
                self.answer_item(n, line);
                self.text(key.to_string(), line);
            }
        }
        self.next_question = self.last_answer_number.saturating_add(1);
        self.in_answer_text = false;
    }
}

/// `单选题答案` → `单选题`, so an answer heading finds its section by title.
fn strip_answer_words(title: &str) -> String {
    let mut t = title.trim().to_string();
    for suffix in ["及解析", "与解析", "與解析", "解析", "参考答案", "參考答案", "答案"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim().to_string();
        }
    }
    t
}
