//! The parenthesised part of a heading: `(共5题,每题2分,少选每个0.5分,答错倒扣1分,扣完为止)`.

use crate::domain::paper::Scoring;
use crate::domain::points::Points;

use super::text::{contains_any, number_at, skip_spaces, starts_with};

/// What a heading says about its section beyond the title.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Spec {
    /// `共5题`.
    pub count: Option<u32>,
    /// `每题2分`.
    pub each: Option<Points>,
    /// `每空1分`: `each` is per blank, so a question is worth it once per blank it has.
    pub per_blank: bool,
    /// `共13分`, `满分20分`.
    pub total: Option<Points>,
    /// The multiple-choice rule written in the heading.
    pub scoring: Option<Scoring>,
    /// A rule that was read but cannot be expressed, quoted for the warning.
    pub unsupported: Option<String>,
    /// `答错倒扣1分`.
    pub penalty: Option<Points>,
    /// `扣完为止`: the section total never goes below zero.
    pub floor_at_section: bool,
    /// `(2×10=20分)`: two factors and the total; which factor counts questions is decided
    /// against the questions found.
    pub product: Option<(Points, Points, Points)>,
}

const QUESTION_UNITS: [&str; 6] = ["小题", "小題", "道题", "道題", "题", "題"];
/// Units of `每…N分` beyond questions: `每空1分` (a fill-in question with one blank each).
const EACH_UNITS: [&str; 8] = ["小题", "小題", "道题", "道題", "题", "題", "小空", "空"];
const SHORTFALL: [&str; 12] =
    ["少选", "少選", "漏选", "漏選", "选对", "選對", "对一个", "對一個", "对一项", "對一項", "正确选项", "正確選項"];
const NOTHING: [&str; 5] = ["不得分", "不给分", "不給分", "得0分", "零分"];
const PROPORTIONAL: [&str; 3] = ["按比例", "部分分", "酌情"];
const FLOOR: [&str; 6] = ["扣完为止", "扣完為止", "扣至0", "扣至零", "扣到0", "扣到零"];

/// Reads the spec from the folded text that follows a heading's title.
pub(super) fn parse(f: &[char]) -> Spec {
    let mut spec = Spec::default();
    read_counts(f, &mut spec);
    spec.product = product(f);
    for clause in f.split(|c| matches!(c, ',' | ';' | '(' | ')' | '。' | '，' | '；')) {
        read_rules(clause, &mut spec);
    }
    spec
}

/// `共5题`, `共13分`, `每题2分`, `满分20分`.
fn read_counts(f: &[char], spec: &mut Spec) {
    for i in 0..f.len() {
        match f[i] {
            '共' | '满' | '滿' | '计' | '計' => {
                if let Some((value, end)) = number_at(f, skip_spaces(f, i + 1)) {
                    let end = skip_spaces(f, end);
                    if f[i] == '共' && QUESTION_UNITS.iter().any(|u| starts_with(f, end, u)) {
                        let whole = value.hundredths() / 100;
                        spec.count = spec.count.or(u32::try_from(whole).ok().filter(|_| value.hundredths() % 100 == 0));
                    } else if starts_with(f, end, "分") {
                        spec.total = spec.total.or(Some(value));
                    }
                }
            }
            '每' => {
                let after = skip_spaces(f, i + 1);
                if let Some(unit) = EACH_UNITS.iter().find(|u| starts_with(f, after, u)) {
                    let mut at = skip_spaces(f, after + unit.chars().count());
                    if f.get(at) == Some(&'得') {
                        at = skip_spaces(f, at + 1);
                    }
                    if let Some((value, end)) = number_at(f, at) {
                        if starts_with(f, skip_spaces(f, end), "分") && spec.each.is_none() {
                            spec.each = Some(value);
                            spec.per_blank = unit.ends_with('空');
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// `2×10=20分`, `5*5=25分`, `2 x 10 = 20分`: the first product written as factors and a total.
fn product(f: &[char]) -> Option<(Points, Points, Points)> {
    (0..f.len()).find_map(|i| {
        let starts_number =
            f[i].is_ascii_digit() && !i.checked_sub(1).is_some_and(|p| f[p].is_ascii_digit() || f[p] == '.');
        if !starts_number {
            return None;
        }
        let (a, end) = number_at(f, i)?;
        let times = skip_spaces(f, end);
        if !matches!(f.get(times), Some('×' | '*' | 'x' | 'X' | '✕')) {
            return None;
        }
        let (b, end) = number_at(f, skip_spaces(f, times + 1))?;
        let equals = skip_spaces(f, end);
        if f.get(equals) != Some(&'=') {
            return None;
        }
        let (total, end) = number_at(f, skip_spaces(f, equals + 1))?;
        (starts_with(f, skip_spaces(f, end), "分") && a.hundredths() * b.hundredths() == total.hundredths() * 100)
            .then_some((a, b, total))
    })
}

/// The scoring rule, penalty and floor written in one clause.
fn read_rules(clause: &[char], spec: &mut Spec) {
    let text: String = clause.iter().collect();
    if contains_any(&text, &FLOOR) {
        spec.floor_at_section = true;
    }
    if let Some(p) = penalty(clause, &text) {
        spec.penalty = Some(p);
    }
    if contains_any(&text, &SHORTFALL) {
        if let Some(v) = per_correct_value(clause) {
            spec.scoring = Some(Scoring::PerCorrect(v));
        } else if contains_any(&text, &PROPORTIONAL) {
            spec.scoring = spec.scoring.or(Some(Scoring::Partial));
        } else if contains_any(&text, &NOTHING) {
            spec.scoring = spec.scoring.or(Some(Scoring::AllOrNothing));
        } else if text.contains('分') {
            spec.unsupported = Some(text.trim().to_string());
        }
    } else if contains_any(&text, &PROPORTIONAL) && spec.scoring.is_none() {
        spec.scoring = Some(Scoring::Partial);
    }
}

/// `少选每个0.5分`, `漏选每项得1分`: the value after a `每` that does not count questions.
fn per_correct_value(clause: &[char]) -> Option<Points> {
    let at = clause.iter().position(|&c| c == '每')?;
    if QUESTION_UNITS.iter().any(|u| starts_with(clause, at + 1, u)) {
        return None;
    }
    (at + 1..clause.len()).find_map(|i| {
        let (value, end) = number_at(clause, i).filter(|_| clause[i].is_ascii_digit())?;
        starts_with(clause, skip_spaces(clause, end), "分").then_some(value)
    })
}

/// `答错倒扣1分`, `错一题扣0.5分`: a deduction for wrong answers.
fn penalty(clause: &[char], text: &str) -> Option<Points> {
    if !contains_any(text, &["错", "錯", "倒扣"]) {
        return None;
    }
    let at = clause.iter().position(|&c| c == '扣')?;
    let (value, end) = number_at(clause, skip_spaces(clause, at + 1))?;
    starts_with(clause, skip_spaces(clause, end), "分").then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> Spec {
        parse(&s.chars().map(super::super::text::fold).collect::<Vec<_>>())
    }

    #[test]
    fn reads_counts_and_points() {
        let s = spec("(共5题,每题2分)");
        assert_eq!((s.count, s.each, s.total), (Some(5), Some(Points::whole(2)), None));
        let s = spec("（共2题，共13分）");
        assert_eq!((s.count, s.each, s.total), (Some(2), None, Some(Points::whole(13))));
        let s = spec("（共十题，每小题 1.5 分）");
        assert_eq!((s.count, s.each), (Some(10), Some(Points::from_hundredths(150))));
    }

    #[test]
    fn reads_points_written_as_products() {
        let (two, ten, twenty) = (Points::whole(2), Points::whole(10), Points::whole(20));
        assert_eq!(spec("(2×10=20分)").product, Some((two, ten, twenty)));
        assert_eq!(spec("（5＊5＝25分）").product, Some((Points::whole(5), Points::whole(5), Points::whole(25))));
        assert_eq!(spec("(2×10=21分)").product, None, "a product that does not add up is not read");
        assert_eq!(spec("（每空1分，共5分）").each, Some(Points::whole(1)));
        assert!(spec("（每空1分，共5分）").per_blank && !spec("（每题1分）").per_blank);
    }

    #[test]
    fn reads_scoring_rules() {
        assert_eq!(spec("（共10题，每题3分，少选/错选不得分）").scoring, Some(Scoring::AllOrNothing));
        let s = spec("(共5题,每题2分,少选每个0.5分,错选不得分)");
        assert_eq!(s.scoring, Some(Scoring::PerCorrect(Points::from_hundredths(50))));
        let s = spec("（共10题，每题1分，答错倒扣1分，扣完为止）");
        assert_eq!((s.penalty, s.floor_at_section), (Some(Points::whole(1)), true));
        assert_eq!(spec("(共5题,每题2分)").scoring, None);
        assert!(spec("(少选得1分)").unsupported.is_some());
    }
}
