//! Section headings: `一、单选题(共5题,每题2分)`, `第二部分 简答题`, `三、情境模擬與解決問題能力`.
//!
//! A heading is a Chinese numeral and `、` followed by a short title. Answers number their own
//! lists the same way (`一、及时响应。…`), so a title without a known kind word only counts when a
//! first question (`1.`) follows it, and a title never runs into sentence punctuation.

use crate::domain::paper::QuestionKind;

use super::spec::{self, Spec};
use super::text::{cjk_number, contains_any, is_cjk_numeral, skip_spaces, starts_with, Line};

/// A recognised section heading.
#[derive(Debug, Clone, Default)]
pub(super) struct Heading {
    /// `三` in `三、简答题`.
    pub numeral: Option<u32>,
    /// The title as written, without numeral and spec.
    pub title: String,
    /// The kind its title names, if any.
    pub kind: Option<QuestionKind>,
    /// A heading of the answer part (`一、单选题答案`).
    pub answers: bool,
    /// Count, points and rules.
    pub spec: Spec,
}

/// Longest title taken for a heading; longer text is a sentence.
const MAX_TITLE: usize = 40;
/// Longest spec taken after a title (or after its bracket).
const MAX_SPEC: usize = 80;
/// Longest bracket read as a heading's spec.
const MAX_BRACKET: usize = 160;

/// Words naming a kind, checked in order (multiple before the generic choice words).
const KIND_WORDS: [(QuestionKind, &[&str]); 7] = [
    (QuestionKind::MultipleChoice, &["多选", "多選", "多项选择", "多項選擇", "不定项", "不定項"]),
    (QuestionKind::SingleChoice, &["单选", "單選", "单项选择", "單項選擇"]),
    (QuestionKind::TrueFalse, &["判断", "判斷", "是非题", "是非題", "对错题", "對錯題"]),
    (QuestionKind::FillBlank, &["填空"]),
    (QuestionKind::Scenario, &["情景", "情境", "案例", "场景", "場景"]),
    (QuestionKind::Essay, &["开放", "開放", "论述", "論述", "作文", "写作", "寫作"]),
    (QuestionKind::ShortAnswer, &["简答", "簡答", "问答", "問答", "名词解释", "名詞解釋"]),
];

/// Words that open an unbracketed spec (`单选题 共5题`).
const SPEC_WORDS: [&str; 7] = ["共", "每", "本", "满", "滿", "计", "計"];

/// `选择题` alone says "choice" but not which; the keys decide later.
const CHOICE_WORDS: [&str; 2] = ["选择题", "選擇題"];

/// The kind a title names.
pub(super) fn kind_of(title: &str) -> Option<QuestionKind> {
    KIND_WORDS.iter().find(|(_, words)| contains_any(title, words)).map(|(kind, _)| *kind)
}

/// Labels a question may carry before its text (`1. 单选题 问题一？`, `1.【多选题】…`).
const QUESTION_LABELS: [(&str, QuestionKind); 12] = [
    ("不定项选择题", QuestionKind::MultipleChoice),
    ("多项选择题", QuestionKind::MultipleChoice),
    ("單項選擇題", QuestionKind::SingleChoice),
    ("单项选择题", QuestionKind::SingleChoice),
    ("多選題", QuestionKind::MultipleChoice),
    ("多选题", QuestionKind::MultipleChoice),
    ("單選題", QuestionKind::SingleChoice),
    ("单选题", QuestionKind::SingleChoice),
    ("判斷題", QuestionKind::TrueFalse),
    ("判断题", QuestionKind::TrueFalse),
    ("填空题", QuestionKind::FillBlank),
    ("简答题", QuestionKind::ShortAnswer),
];

/// A kind label at the start of a question's text, and the text after it.
pub(super) fn question_kind_label(prompt: &str) -> Option<(QuestionKind, String)> {
    let folded: String = prompt.chars().map(super::text::fold).collect();
    let open = folded.starts_with(['(', '[', '【']);
    let after_open = if open { 1 } else { 0 };
    let body: String = folded.chars().skip(after_open).collect();
    let (word, kind) = QUESTION_LABELS.iter().find(|(w, _)| body.starts_with(w))?;
    let mut rest = body.chars().skip(word.chars().count()).peekable();
    if open && rest.next_if(|c| matches!(c, ')' | ']' | '】')).is_none() {
        return None;
    }
    let mut skipped = after_open + word.chars().count() + usize::from(open);
    while rest.next_if(|c| c.is_whitespace() || matches!(c, ':' | '.' | '、')).is_some() {
        skipped += 1;
    }
    // A label stands apart from the text: `单选题的定义是什么？` is a question about single choice.
    let separated = open || skipped > word.chars().count();
    let text: String = prompt.chars().skip(skipped).collect();
    (separated && !text.trim().is_empty()).then(|| (*kind, text.trim().to_string()))
}

fn names_a_kind(title: &str) -> bool {
    kind_of(title).is_some() || contains_any(title, &CHOICE_WORDS)
}

/// A heading starting at `i`, and the index where it ends (the first question or the line's end).
///
/// `next_line_q1` says whether the next line of text starts with question 1, for headings that
/// stand alone on their line.
pub(super) fn heading_at(line: &Line, i: usize, next_line_q1: bool) -> Option<(Heading, usize)> {
    let f = &line.folded;
    let at_start = i == 0;
    if let Some(&prev) = i.checked_sub(1).and_then(|p| f.get(p)) {
        if is_cjk_numeral(prev) || prev == '第' || prev.is_ascii_alphanumeric() {
            return None;
        }
    }
    let (numeral, after_numeral) = numeral_prefix(f, i)?;
    if numeral.is_none() && !at_start {
        return None;
    }
    let title_start = skip_spaces(f, after_numeral);
    let title_end = title_end(f, title_start)?;
    let title = line.slice(title_start, title_end);
    if title.is_empty() {
        return None;
    }
    // A bracket right after the title is the spec whatever else it says
    // (`（每题1分，共10分。请在括号内填写对或错）`); only what follows it must look like a spec.
    let bracket_end = bracket_close(f, title_end).map(|close| close + 1);
    let spec_from = bracket_end.unwrap_or(title_end);
    let q1 = (spec_from..f.len().min(spec_from + MAX_SPEC)).find(|&k| is_question_one(f, k));
    let end = q1.unwrap_or(f.len());
    // The length is checked before anything reads the spec, so a long line of heading-like text
    // stays linear.
    if end - spec_from > MAX_SPEC {
        return None;
    }
    let after = &f[spec_from..end];
    if !(after.iter().all(|c| c.is_whitespace() || *c == ':') || is_spec_like(after)) {
        return None;
    }
    if bracket_end.is_some() && !is_bracket_spec(&f[title_start..title_end], &f[title_end..spec_from]) {
        return None;
    }
    let folded_title: String = f[title_start..title_end].iter().collect();
    let answers = folded_title.contains("答案");
    let followed_by_question = q1.is_some() || next_line_q1;
    let spec = spec::parse(&f[title_end..end]);
    let len = title.chars().count();
    let accepted = match numeral {
        None => KIND_WORDS
            .iter()
            .flat_map(|(_, w)| w.iter())
            .chain(CHOICE_WORDS.iter())
            .any(|w| folded_title.starts_with(w)),
        Some(_) if names_a_kind(&folded_title) || answers => len <= 20,
        Some(_) => len <= 30 && (followed_by_question || (at_start && spec.count.is_some())),
    };
    accepted.then(|| {
        let kind = kind_of(&folded_title);
        (Heading { numeral, title, kind, answers, spec }, end)
    })
}

/// `一、`, `十二．`, `第三部分 `: the numeral's value and where the title starts.
/// `Some((None, i))` when there is no numeral at all.
fn numeral_prefix(f: &[char], i: usize) -> Option<(Option<u32>, usize)> {
    let di = f.get(i) == Some(&'第');
    let start = if di { i + 1 } else { i };
    let run = f[start.min(f.len())..].iter().take_while(|&&c| is_cjk_numeral(c)).count();
    let (value, mut j) = if run > 0 {
        (cjk_number(&f[start..start + run])?, start + run)
    } else if di {
        let digits = f[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        let text: String = f[start..start + digits].iter().collect();
        (text.parse().ok()?, start + digits)
    } else {
        return Some((None, i));
    };
    if di {
        let suffix = ["部分", "部份", "大题", "大題", "单元", "單元", "章", "节", "節", "篇", "卷"]
            .iter()
            .find(|s| starts_with(f, j, s))?;
        j += suffix.chars().count();
        if matches!(f.get(j), Some('、' | '.' | ':')) {
            j += 1;
        }
        return Some((Some(value), j));
    }
    match f.get(j) {
        Some('、' | '.' | ':') if !f.get(j + 1).is_some_and(char::is_ascii_digit) => Some((Some(value), j + 1)),
        _ => None,
    }
}

/// Where a title ends: at a bracket, sentence punctuation, a spec word after a space, or the first
/// question. `None` when the text runs on too long to be a title.
fn title_end(f: &[char], start: usize) -> Option<usize> {
    for k in start..f.len() {
        if k - start > MAX_TITLE {
            return None;
        }
        let c = f[k];
        // Only the first space of a run looks ahead, so a run of spaces is skipped once.
        let first_space = c == ' ' && k > start && f[k - 1] != ' ';
        let spec_follows = first_space && SPEC_WORDS.iter().any(|w| starts_with(f, skip_spaces(f, k), w));
        if "([【,:;。!?".contains(c) || spec_follows || is_question_one(f, k) {
            return Some(k);
        }
    }
    (f.len() - start <= MAX_TITLE).then_some(f.len())
}

/// Whether question `1.` (or `1、`) starts at `k`.
pub(super) fn is_question_one(f: &[char], k: usize) -> bool {
    f[k] == '1'
        && !k.checked_sub(1).is_some_and(|p| f[p].is_ascii_digit())
        && matches!(f.get(k + 1), Some('.' | '、'))
        && !f.get(k + 2).is_some_and(char::is_ascii_digit)
}

/// The index of the bracket closing the one opened at `open`, within [`MAX_BRACKET`] characters.
fn bracket_close(f: &[char], open: usize) -> Option<usize> {
    let close = match f.get(open)? {
        '(' => ')',
        '[' => ']',
        '【' => '】',
        _ => return None,
    };
    let inner = f[open + 1..].iter().take(MAX_BRACKET);
    let at = inner.take_while(|c| !matches!(c, '(' | '[' | '【')).position(|&c| c == close)?;
    Some(open + 1 + at)
}

/// A bracket after a title is a spec when the title names a kind or the bracket speaks of
/// questions or points (`(共5题)`, `（20分）`), not when it is an aside of a sentence.
fn is_bracket_spec(title: &[char], bracket: &[char]) -> bool {
    let title: String = title.iter().collect();
    let bracket: String = bracket.iter().collect();
    names_a_kind(&title) || contains_any(&bracket, &["题", "題", "分"]) || bracket.chars().count() <= 12
}

/// Whether the text between a title and its first question reads as a spec rather than prose.
fn is_spec_like(f: &[char]) -> bool {
    let s: String = f.iter().collect();
    let s = s.trim();
    let Some(first) = s.chars().next() else { return true };
    let opens = "([【,:".contains(first) || SPEC_WORDS.iter().any(|w| s.starts_with(w));
    let body = s.trim_end_matches(['。', ':']);
    opens
        && s.chars().count() <= MAX_SPEC
        && !body.contains(['。', '?', '!'])
        && (contains_any(s, &["题", "題", "分"]) || (s.starts_with('(') && s.ends_with(')')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str, i: usize, next_q1: bool) -> Option<Heading> {
        heading_at(&Line::new(1, s), i, next_q1).map(|(h, _)| h)
    }

    #[test]
    fn reads_numbered_kind_headings() {
        let h = at("一、单选题(共5题,每题2分)", 0, false).unwrap_or_default();
        assert_eq!((h.numeral, h.title.as_str(), h.kind), (Some(1), "单选题", Some(QuestionKind::SingleChoice)));
        assert_eq!(h.spec.count, Some(5));
        let h = at("二、多選題（共10題，每題3分，少選/錯選不得分）", 0, false).unwrap_or_default();
        assert_eq!(h.kind, Some(QuestionKind::MultipleChoice));
        let h = at("一、单选题答案", 0, false).unwrap_or_default();
        assert!(h.answers);
        assert_eq!(at("第二部分 简答题", 0, false).map(|h| h.numeral), Some(Some(2)));
    }

    #[test]
    fn needs_a_first_question_after_a_plain_title() {
        let line = "及答案一、自我認知與職業動機1.護士工作壓力大";
        let h = at(line, 3, false).unwrap_or_default();
        assert_eq!(h.title, "自我認知與職業動機");
        assert!(at("一、自我認知與職業動機", 0, false).is_none());
        assert!(at("一、自我認知與職業動機", 0, true).is_some());
    }

    #[test]
    fn reads_a_spec_with_sentences_inside_the_bracket() {
        let h = at("三、判断题（每题1分，共10分。请在括号内填写对或错）", 0, false).unwrap_or_default();
        assert_eq!(h.kind, Some(QuestionKind::TrueFalse));
        assert_eq!(
            (h.spec.each, h.spec.total),
            (Some(crate::domain::points::Points::whole(1)), Some(crate::domain::points::Points::whole(10)))
        );
        let h = at("二、多选题（本题共5小题。每小题选出所有正确答案！每题4分）1.甲", 0, false).unwrap_or_default();
        assert_eq!((h.spec.count, h.spec.each), (Some(5), Some(crate::domain::points::Points::whole(4))));
        assert!(at("一、患者说(我很生气。你们怎么回事?)", 0, false).is_none());
    }

    #[test]
    fn reads_a_question_s_own_kind_label() {
        let label = question_kind_label;
        assert_eq!(label("单选题 问题一？"), Some((QuestionKind::SingleChoice, "问题一？".into())));
        assert_eq!(label("【多选题】问题二？"), Some((QuestionKind::MultipleChoice, "问题二？".into())));
        assert_eq!(label("（判断题）说法对吗"), Some((QuestionKind::TrueFalse, "说法对吗".into())));
        assert_eq!(label("单选题的定义是什么？"), None);
    }

    #[test]
    fn refuses_numbered_answer_points() {
        assert!(at("一、及時響應。在規定的工作時間內盡快回復患者。", 0, true).is_none());
        assert!(at("處理。四、說明正在采取的措施和解決方案。告知患者", 3, false).is_none());
        assert!(at("一、二级医院的分诊流程", 0, false).is_none());
    }
}
