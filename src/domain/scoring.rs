//! Auto-grading: what an answer earns under the rules of DESIGN §2, and an attempt's totals.
//!
//! Two layers, both pure:
//! - [`grade`] scores one answer to one question: [`Grade::Auto`] with points, or [`Grade::NeedsMarking`]
//!   for a non-blank answer to an open question. A blank or missing answer is always `Auto(0)`: never a
//!   penalty, and an open question left empty needs no marker.
//! - [`grade_attempt`] scores a whole attempt against its paper, adding the markers' points, applying
//!   each section's penalty floor, and saying whether the result is complete. Its total is the sum of
//!   its section points, exactly (hundredths throughout).
//!
//! Rules decided here where DESIGN is silent:
//! - Multiple choice, every rule: exactly the key always earns full points. For `per_correct` that is
//!   what 少选每个0.5分 means (the value is for 少选, choosing too few); otherwise a 4-option key at 0.5
//!   each would cap a 3-point question at 2.
//! - `weighted`: unknown option keys weigh 0; the weight sum is applied once and rounded to the hundredth.
//! - With `penalty_floor: question` a penalty can never bite on a right-or-wrong question (a wrong answer
//!   already scores 0), so 答错倒扣 only has an effect with `penalty_floor: section`.
//! - Answers are re-normalised here (case, spacing) so grading never depends on how they were stored; an
//!   answer of a shape the question cannot take counts as wrong, not blank.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::answer::Answer;
use super::paper::{AnswerKey, Paper, PenaltyFloor, QuestionKind, QuestionRef, Scoring};
use super::points::Points;

/// What grading an answer gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    /// Points set by the server; below 0 only for a penalty under a section floor.
    Auto(Points),
    /// An open answer that a marker must score.
    NeedsMarking,
}

impl Grade {
    /// The points, if the server set them.
    pub fn points(self) -> Option<Points> {
        match self {
            Grade::Auto(p) => Some(p),
            Grade::NeedsMarking => None,
        }
    }
}

/// One question's line in an attempt's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionScore {
    /// The question's key.
    pub key: String,
    /// Index of its section in the paper.
    pub section_index: usize,
    /// Points earned; `None` while a marker's score is awaited.
    pub points: Option<Points>,
    /// Most it can earn.
    pub max_points: Points,
    /// Whether the server set the points (a blank open answer included); false for a marker's score.
    pub auto: bool,
}

/// One section's line in an attempt's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionScore {
    /// The section's heading.
    pub title: String,
    /// Its questions' points after its penalty floor; awaited marks count 0 until they come.
    pub points: Points,
    /// Most it can earn.
    pub max_points: Points,
}

/// An attempt's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptScore {
    /// Sum of the section points.
    pub total: Points,
    /// The server's share: `total - marked_points`, so it carries any section-floor adjustment and the
    /// two parts always add up to the total.
    pub auto_points: Points,
    /// Sum of the markers' points.
    pub marked_points: Points,
    /// Whether every question has points (the attempt can become `graded`).
    pub complete: bool,
    /// Per section, in paper order.
    pub sections: Vec<SectionScore>,
    /// Per question, in paper order.
    pub questions: Vec<QuestionScore>,
}

/// Grades one answer; `None` and blank answers earn 0 and never a penalty.
pub fn grade(question: &QuestionRef<'_>, answer: Option<&Answer>) -> Grade {
    let Some(answer) = answer.filter(|a| !a.is_blank()) else {
        return Grade::Auto(Points::ZERO);
    };
    match question.kind() {
        QuestionKind::SingleChoice => {
            // A key of several options lists the right ones; one of them, alone, is the answer.
            let chosen = chosen(answer);
            let right = chosen.len() == 1 && chosen.is_subset(&key_set(question));
            Grade::Auto(right_or_wrong(question, right))
        }
        QuestionKind::TrueFalse => {
            let right = matches!(question.doc.answer, Some(AnswerKey::Bool(k)) if answer.as_bool() == Some(k));
            Grade::Auto(right_or_wrong(question, right))
        }
        QuestionKind::MultipleChoice => Grade::Auto(multiple_choice(question, &chosen(answer))),
        QuestionKind::FillBlank => Grade::Auto(fill_blank(question, answer)),
        QuestionKind::Numeric => Grade::Auto(numeric(question, answer)),
        QuestionKind::ShortAnswer | QuestionKind::Scenario | QuestionKind::Essay => Grade::NeedsMarking,
    }
}

/// A section's points: the sum of its questions', floored at 0 under [`PenaltyFloor::Section`] (扣完为止).
pub fn section_total(question_points: impl IntoIterator<Item = Points>, floor: PenaltyFloor) -> Points {
    let sum: Points = question_points.into_iter().sum();
    match floor {
        PenaltyFloor::Question => sum,
        PenaltyFloor::Section => sum.max(Points::ZERO),
    }
}

/// Grades an attempt: `answers` and `marks` (markers' points for open answers) are keyed by question key.
///
/// Marks count only for answers that need marking and are clamped to `0..=points`, so a stray or
/// out-of-range mark can never push a total past the paper's maximum. Run it again after a key
/// correction: it is the regrade.
pub fn grade_attempt(
    paper: &Paper,
    answers: &BTreeMap<String, Answer>,
    marks: &BTreeMap<String, Points>,
) -> AttemptScore {
    let questions: Vec<QuestionScore> =
        paper.questions().map(|q| score_question(&q, answers.get(q.key()), marks.get(q.key()).copied())).collect();
    let sections: Vec<SectionScore> = paper
        .doc()
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| SectionScore {
            title: section.title.clone(),
            points: section_total(
                questions.iter().filter(|q| q.section_index == index).filter_map(|q| q.points),
                section.penalty_floor,
            ),
            max_points: paper.section_points(index),
        })
        .collect();
    let total: Points = sections.iter().map(|s| s.points).sum();
    let marked_points: Points = questions.iter().filter(|q| !q.auto).filter_map(|q| q.points).sum();
    AttemptScore {
        total,
        auto_points: total - marked_points,
        marked_points,
        complete: questions.iter().all(|q| q.points.is_some()),
        sections,
        questions,
    }
}

fn score_question(question: &QuestionRef<'_>, answer: Option<&Answer>, mark: Option<Points>) -> QuestionScore {
    let max_points = question.points();
    let (points, auto) = match grade(question, answer) {
        Grade::Auto(p) => (Some(p), true),
        Grade::NeedsMarking => (mark.map(|m| m.clamp_to(Points::ZERO, max_points)), false),
    };
    QuestionScore { key: question.key().to_string(), section_index: question.section_index, points, max_points, auto }
}

/// Full points when right; when wrong, minus the penalty, floored at 0 unless the section holds the floor.
fn right_or_wrong(question: &QuestionRef<'_>, right: bool) -> Points {
    if right {
        return question.points();
    }
    let penalised = Points::ZERO - question.penalty();
    match question.section.penalty_floor {
        PenaltyFloor::Question => penalised.max(Points::ZERO),
        PenaltyFloor::Section => penalised,
    }
}

fn chosen(answer: &Answer) -> BTreeSet<String> {
    answer.chosen_options().unwrap_or_default().into_iter().collect()
}

fn key_set(question: &QuestionRef<'_>) -> BTreeSet<String> {
    match &question.doc.answer {
        Some(AnswerKey::One(k)) => BTreeSet::from([k.clone()]),
        Some(AnswerKey::Many(ks)) => ks.iter().cloned().collect(),
        _ => BTreeSet::new(),
    }
}

fn multiple_choice(question: &QuestionRef<'_>, chosen: &BTreeSet<String>) -> Points {
    let points = question.points();
    let key = key_set(question);
    let earned = match question.scoring() {
        Scoring::Weighted => weighted(question, chosen),
        _ if chosen.is_empty() => Points::ZERO,
        _ if *chosen == key => points,
        _ if !chosen.is_subset(&key) => Points::ZERO,
        Scoring::AllOrNothing => Points::ZERO,
        Scoring::Partial => points.scale(count(chosen), count(&key)),
        Scoring::PerCorrect(each) => each.scale(count(chosen), 1),
    };
    earned.clamp_to(Points::ZERO, points)
}

fn count(set: &BTreeSet<String>) -> i64 {
    i64::try_from(set.len()).unwrap_or(i64::MAX)
}

fn weighted(question: &QuestionRef<'_>, chosen: &BTreeSet<String>) -> Points {
    let percent: f64 =
        question.doc.options.iter().filter(|o| chosen.contains(&o.key)).map(|o| o.weight.unwrap_or(0.0)).sum();
    share_of(question.points(), percent / 100.0)
}

fn fill_blank(question: &QuestionRef<'_>, answer: &Answer) -> Points {
    let Some(given) = answer.as_text().map(normalise_blank) else {
        return Points::ZERO;
    };
    let best = question
        .doc
        .accepted
        .iter()
        .filter(|a| normalise_blank(&a.text) == given)
        .map(|a| a.credit.unwrap_or(1.0))
        .fold(0.0, f64::max);
    share_of(question.points(), best).clamp_to(Points::ZERO, question.points())
}

/// The form fill-in answers are compared in: NFKC (full-width `ＡＢＣ１` is `ABC1`), lower case, and no
/// whitespace at all — spacing never changes meaning in Chinese and rarely in a blank, so `New York`,
/// ` new  york ` and `NewYork` all match, as do `个人 敏感信息` and `个人敏感信息`.
pub fn normalise_blank(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect()
}

fn numeric(question: &QuestionRef<'_>, answer: &Answer) -> Points {
    let (Some(AnswerKey::Number(key)), Some(given)) = (&question.doc.answer, answer.as_number()) else {
        return Points::ZERO;
    };
    // A relative epsilon absorbs binary noise (0.1 + 0.2 against 0.3) without widening a real tolerance.
    let epsilon = 1e-9 * key.abs().max(1.0);
    if (given - key).abs() <= question.doc.tolerance.unwrap_or(0.0) + epsilon {
        question.points()
    } else {
        Points::ZERO
    }
}

/// `points × share` to the nearest hundredth; used where a document gives a float share (weights, credit).
fn share_of(points: Points, share: f64) -> Points {
    // `as` saturates (and maps NaN to 0); callers clamp the result to the question's range.
    Points::from_hundredths((points.hundredths() as f64 * share).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::super::paper::PaperDoc;
    use super::*;
    use proptest::prelude::*;

    fn paper(yaml: &str) -> Paper {
        let doc: PaperDoc = serde_yaml::from_str(yaml).unwrap();
        Paper::parse(doc).unwrap()
    }

    fn answer(json: &str) -> Answer {
        serde_json::from_str(json).unwrap()
    }

    fn pts(s: &str) -> Points {
        Points::parse(s).unwrap()
    }

    /// Grades `json` against the only question of a one-section paper.
    fn grade_one(section_yaml: &str, json: &str) -> Grade {
        let p = paper(&format!("title: T\nsections:\n  - title: S\n{section_yaml}"));
        let q = p.questions().next().unwrap();
        grade(&q, Some(&answer(json)))
    }

    const ABCDE: &str = "[{text: a}, {text: b}, {text: c}, {text: d}, {text: e}]";

    fn multiple(scoring: &str, options: &str, key: &str) -> String {
        format!(
            "    kind: multiple_choice\n    points: 3\n    scoring: {scoring}\n    questions:\n      - {{prompt: p, options: {options}{key}}}\n"
        )
    }

    fn abce(scoring: &str, json: &str) -> Grade {
        grade_one(&multiple(scoring, ABCDE, ", answer: [A, B, C, E]"), json)
    }

    #[test]
    fn single_choice_with_several_right_options_takes_any_one_of_them_alone() {
        let section = format!("    kind: single_choice\n    points: 2\n    questions:\n      - {{prompt: p, options: {ABCDE}, answer: [A, C]}}\n");
        let points = |json: &str| match grade_one(&section, json) {
            Grade::Auto(p) => p,
            Grade::NeedsMarking => panic!("single choice is auto-graded"),
        };
        assert_eq!(points(r#""A""#), pts("2"));
        assert_eq!(points(r#""C""#), pts("2"));
        assert_eq!(points(r#""B""#), Points::ZERO);
        assert_eq!(points(r#"["A", "C"]"#), Points::ZERO, "both right options together are not one answer");
    }

    #[test]
    fn all_or_nothing_needs_exactly_the_key() {
        assert_eq!(abce("all_or_nothing", r#"["A","B","C"]"#), Grade::Auto(Points::ZERO));
        assert_eq!(abce("all_or_nothing", r#"["e","C","B","A"]"#), Grade::Auto(Points::whole(3)));
        assert_eq!(abce("all_or_nothing", r#"["A","B","C","D","E"]"#), Grade::Auto(Points::ZERO));
    }

    #[test]
    fn partial_scales_exactly_and_any_wrong_option_is_zero() {
        assert_eq!(abce("partial", r#"["A","B","C"]"#), Grade::Auto(pts("2.25")));
        assert_eq!(abce("partial", r#""A""#), Grade::Auto(pts("0.75")));
        assert_eq!(abce("partial", r#"["A","B","C","E"]"#), Grade::Auto(Points::whole(3)));
        assert_eq!(abce("partial", r#"["A","D"]"#), Grade::Auto(Points::ZERO));
    }

    #[test]
    fn per_correct_pays_each_option_chosen_and_full_points_for_the_key() {
        assert_eq!(abce("{per_correct: 0.5}", r#"["A","B","C"]"#), Grade::Auto(pts("1.5")));
        assert_eq!(abce("{per_correct: 0.5}", r#"["A","B","C","E"]"#), Grade::Auto(Points::whole(3)));
        assert_eq!(abce("{per_correct: 0.5}", r#"["A","D"]"#), Grade::Auto(Points::ZERO));
        assert_eq!(abce("{per_correct: 1.5}", r#"["A","B","C"]"#), Grade::Auto(Points::whole(3)));
    }

    #[test]
    fn weighted_sums_option_weights_within_the_points() {
        let options = "[{text: a, weight: 50}, {text: b, weight: 50}, {text: c, weight: -100}, {text: d}]";
        let w = |json| grade_one(&multiple("weighted", options, ""), json);
        assert_eq!(w(r#"["A","B"]"#), Grade::Auto(Points::whole(3)));
        assert_eq!(w(r#"["A"]"#), Grade::Auto(pts("1.5")));
        assert_eq!(w(r#"["A","D"]"#), Grade::Auto(pts("1.5")));
        assert_eq!(w(r#"["A","B","C"]"#), Grade::Auto(Points::ZERO));
        assert_eq!(w(r#"["C"]"#), Grade::Auto(Points::ZERO));
        let thirds = "[{text: a, weight: 33.33333}, {text: b, weight: 33.33333}, {text: c, weight: 33.33333}]";
        let t = |json| grade_one(&multiple("weighted", thirds, ""), json);
        assert_eq!(t(r#"["A","B","C"]"#), Grade::Auto(Points::whole(3)));
        assert_eq!(t(r#"["A"]"#), Grade::Auto(Points::whole(1)));
    }

    fn penalised(floor: &str, json: &str) -> Grade {
        grade_one(
            &format!(
                "    kind: single_choice\n    points: 2\n    penalty: 1\n    penalty_floor: {floor}\n    questions:\n      - {{prompt: p, options: {ABCDE}, answer: C}}\n"
            ),
            json,
        )
    }

    #[test]
    fn single_choice_penalty_never_applies_to_a_blank() {
        assert_eq!(penalised("section", r#""c""#), Grade::Auto(Points::whole(2)));
        assert_eq!(penalised("section", r#""A""#), Grade::Auto(Points::whole(-1)));
        assert_eq!(penalised("question", r#""A""#), Grade::Auto(Points::ZERO));
        assert_eq!(penalised("section", r#""  ""#), Grade::Auto(Points::ZERO));
        assert_eq!(penalised("section", "[]"), Grade::Auto(Points::ZERO));
        assert_eq!(penalised("section", r#"["A","C"]"#), Grade::Auto(Points::whole(-1)));
    }

    /// 判断题(共10题,每题1分,答错倒扣1分): `right` of 10 answered right, the rest wrong.
    fn true_false_section(floor: &str, right: usize) -> AttemptScore {
        let questions: String = (1..=10).map(|i| format!("      - {{key: t{i}, prompt: p, answer: true}}\n")).collect();
        let p = paper(&format!(
            "title: T\nsections:\n  - title: 判断题\n    kind: true_false\n    points: 1\n    penalty: 1\n    penalty_floor: {floor}\n    questions:\n{questions}"
        ));
        let answers = (1..=10).map(|i| (format!("t{i}"), Answer::Bool(i <= right))).collect();
        grade_attempt(&p, &answers, &BTreeMap::new())
    }

    #[test]
    fn wrong_answers_are_deducted_down_to_the_floor() {
        assert_eq!(true_false_section("section", 6).total, Points::whole(2));
        let floored = true_false_section("section", 3);
        assert_eq!(floored.questions.iter().filter_map(|q| q.points).sum::<Points>(), Points::whole(-4));
        assert_eq!(floored.total, Points::ZERO, "扣完为止: the section stops at 0");
        assert_eq!(floored.auto_points, Points::ZERO);
        assert_eq!(true_false_section("question", 3).total, Points::whole(3));
        assert_eq!(true_false_section("question", 6).total, Points::whole(6));
    }

    #[test]
    fn true_false_reads_bools_and_their_text() {
        let tf = |json| {
            grade_one("    kind: true_false\n    points: 1\n    questions:\n      - {prompt: p, answer: false}\n", json)
        };
        assert_eq!(tf("false"), Grade::Auto(Points::whole(1)));
        assert_eq!(tf(r#""False""#), Grade::Auto(Points::whole(1)));
        assert_eq!(tf("true"), Grade::Auto(Points::ZERO));
    }

    #[test]
    fn fill_blank_normalises_case_width_and_spacing() {
        let section = "    kind: fill_blank\n    points: 2\n    questions:\n      - prompt: p\n        accepted: [{text: ABC1}, {text: New York}, {text: 个人敏感信息}, {text: 隐私, credit: 0.5}, {text: 隐 私, credit: 0.75}]\n";
        let fb = |json| grade_one(section, json);
        assert_eq!(fb(r#""ＡＢＣ１""#), Grade::Auto(Points::whole(2)));
        assert_eq!(fb(r#""abc1""#), Grade::Auto(Points::whole(2)));
        assert_eq!(fb(r#"" new  york ""#), Grade::Auto(Points::whole(2)));
        assert_eq!(fb(r#""NewYork""#), Grade::Auto(Points::whole(2)));
        assert_eq!(fb(r#""个人　敏感信息""#), Grade::Auto(Points::whole(2)));
        assert_eq!(fb(r#""隐私""#), Grade::Auto(pts("1.5")), "the best matching credit counts");
        assert_eq!(fb(r#""敏感""#), Grade::Auto(Points::ZERO));
    }

    #[test]
    fn numeric_allows_the_tolerance_and_float_noise() {
        let num = |key: &str, tolerance: &str, json: &str| {
            grade_one(&format!("    kind: numeric\n    points: 1\n    questions:\n      - {{prompt: p, answer: {key}, tolerance: {tolerance}}}\n"), json)
        };
        let noisy = (0.1f64 + 0.2).to_string();
        assert_eq!(num("0.3", "0", &noisy), Grade::Auto(Points::whole(1)));
        assert_eq!(num("8", "0.5", "8.5"), Grade::Auto(Points::whole(1)));
        assert_eq!(num("8", "0.5", "7.49"), Grade::Auto(Points::ZERO));
        assert_eq!(num("8", "0", r#""８""#), Grade::Auto(Points::whole(1)));
        assert_eq!(num("8", "0", r#""eight""#), Grade::Auto(Points::ZERO));
    }

    #[test]
    fn open_answers_need_a_marker_unless_blank() {
        let essay = "    kind: essay\n    points: 15\n    questions:\n      - {prompt: p}\n";
        assert_eq!(grade_one(essay, r#""我认为……""#), Grade::NeedsMarking);
        assert_eq!(grade_one(essay, r#"" ""#), Grade::Auto(Points::ZERO));
    }

    /// The paper of seed 001 (2026年医疗行业客服经理面试题) with its keys.
    fn seed_001() -> Paper {
        let choices = |prefix: &str, keys: &[&str]| -> String {
            let line = |(i, k): (usize, &&str)| {
                format!("      - {{key: {prefix}{}, prompt: p, options: {ABCDE}, answer: {k}}}\n", i + 1)
            };
            keys.iter().enumerate().map(line).collect()
        };
        let open = |prefix: &str, n: usize| -> String {
            (1..=n).map(|i| format!("      - {{key: {prefix}{i}, prompt: p}}\n")).collect()
        };
        let section = |title: &str, kind: &str, points: u32, questions: String| {
            format!("  - title: {title}\n    kind: {kind}\n    points: {points}\n    questions:\n{questions}")
        };
        paper(
            &[
                "title: 2026年医疗行业客服经理面试题\nsections:\n".to_string(),
                section("单选题", "single_choice", 2, choices("s", &["C", "C", "B", "C", "B"])),
                section(
                    "多选题",
                    "multiple_choice",
                    3,
                    choices("m", &["[A, B, C, E]", "[A, B, C, D, E]", "[A, C, E]", "[A, B, C, E]", "[A, B, C, D]"]),
                ),
                section("简答题", "short_answer", 5, open("a", 5)),
                section("情景题", "scenario", 10, open("c", 3)),
                section("开放题", "essay", 15, open("e", 2)),
            ]
            .concat(),
        )
    }

    fn keyed_answers(p: &Paper) -> BTreeMap<String, Answer> {
        p.questions()
            .filter_map(|q| match &q.doc.answer {
                Some(AnswerKey::One(k)) => Some((q.key().to_string(), Answer::Text(k.clone()))),
                Some(AnswerKey::Many(ks)) => Some((q.key().to_string(), Answer::Options(ks.clone()))),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn seed_001_keyed_choices_score_25_and_open_blanks_complete() {
        let p = seed_001();
        assert_eq!(p.total_points(), Points::whole(110));
        let score = grade_attempt(&p, &keyed_answers(&p), &BTreeMap::new());
        assert_eq!(score.total, Points::whole(25));
        assert_eq!(score.auto_points, Points::whole(25));
        assert!(score.complete, "unanswered open questions need no marker");
        let sections: Vec<_> = score.sections.iter().map(|s| (s.points, s.max_points)).collect();
        assert_eq!(sections[..2], [(Points::whole(10), Points::whole(10)), (Points::whole(15), Points::whole(15))]);
    }

    #[test]
    fn seed_001_open_answers_wait_for_marks() {
        let p = seed_001();
        let mut answers = keyed_answers(&p);
        answers.insert("m1".into(), answer(r#"["A","B","C"]"#));
        answers.insert("a1".into(), answer(r#""理解规定底线""#));
        answers.insert("e2".into(), answer(r#""AI 客服""#));
        let pending = grade_attempt(&p, &answers, &BTreeMap::new());
        assert!(!pending.complete);
        assert_eq!(pending.total, Points::whole(22), "A,B,C for A,B,C,E is 0 under all_or_nothing");
        let marks = BTreeMap::from([("a1".to_string(), pts("3.5")), ("e2".to_string(), Points::whole(99))]);
        let done = grade_attempt(&p, &answers, &marks);
        assert!(done.complete);
        assert_eq!(done.marked_points, pts("18.5"), "a mark above the points is clamped to 15");
        assert_eq!(done.total, pts("40.5"));
        assert_eq!(done.auto_points + done.marked_points, done.total);
        assert_eq!(
            done.questions.iter().find(|q| q.key == "a1").map(|q| (q.points, q.auto)),
            Some((Some(pts("3.5")), false))
        );
    }

    /// One random auto-graded question (JSON, without key) and an answer to it (`None`: left blank).
    fn question() -> impl Strategy<Value = (serde_json::Value, Option<Answer>)> {
        let numbers = (-40i32..40, 0i32..4, -40i32..40);
        let weights = prop::collection::vec(-100i32..=100, 6);
        (0u8..5, 2usize..=6, 1u32..64, 0u32..128, weights, 0i64..=300, numbers, 0usize..5, any::<(bool, bool)>()).prop_map(
            |(kind, n, key_mask, answer_mask, mut weights, penalty, (key, tolerance, given), text, (key_bool, given_bool))| {
                // Bits 0–5 pick A–F; bit 6 picks Z, an option no question has.
                let pick = |mask: u32| -> Vec<&str> {
                    (0..7).filter(|i| mask & (1 << i) != 0).map(|i| ["A", "B", "C", "D", "E", "F", "Z"][i]).collect()
                };
                let mut key_options = pick(key_mask & ((1 << n) - 1));
                if key_options.is_empty() {
                    key_options.push("A");
                }
                if weights[..n].iter().all(|w| *w <= 0) {
                    weights[0] = 50;
                }
                let options: Vec<_> = weights[..n].iter().map(|w| serde_json::json!({"text": "o", "weight": w})).collect();
                let penalty = penalty as f64 / 100.0;
                let chosen = Answer::Options(pick(answer_mask).into_iter().map(String::from).collect());
                let (mut doc, answer) = match kind {
                    0 => (serde_json::json!({"kind": "single_choice", "options": options, "answer": key_options[0], "penalty": penalty}), chosen),
                    1 => (serde_json::json!({"kind": "multiple_choice", "options": options, "answer": key_options}), chosen),
                    2 => (serde_json::json!({"kind": "true_false", "answer": key_bool, "penalty": penalty}), Answer::Bool(given_bool)),
                    3 => (
                        serde_json::json!({"kind": "numeric", "answer": f64::from(key) / 4.0, "tolerance": f64::from(tolerance) / 2.0}),
                        Answer::Number(f64::from(given) / 4.0),
                    ),
                    _ => (
                        serde_json::json!({"kind": "fill_blank", "accepted": [{"text": "Alpha Beta"}, {"text": "甲乙", "credit": 0.37}]}),
                        Answer::Text(["alpha beta", "ＡＬＰＨＡbeta", "甲 乙", "wrong", ""][text].to_string()),
                    ),
                };
                doc["prompt"] = "p".into();
                (doc, Some(answer).filter(|_| answer_mask != 0))
            },
        )
    }

    /// A one-section paper of random questions under a random rule and floor, with answers.
    fn section() -> impl Strategy<Value = (Paper, BTreeMap<String, Answer>)> {
        let scoring = prop_oneof![
            Just("all_or_nothing"),
            Just("partial"),
            Just("weighted"),
            Just("{per_correct: 0.75}"),
            Just("{per_correct: 2}")
        ];
        (scoring, 1i64..=1000, any::<bool>(), prop::collection::vec(question(), 1..8)).prop_map(
            |(scoring, points, section_floor, questions)| {
                let floor = if section_floor { "section" } else { "question" };
                let mut answers = BTreeMap::new();
                let mut docs = Vec::new();
                for (i, (mut doc, answer)) in questions.into_iter().enumerate() {
                    doc["key"] = format!("q{i}").into();
                    docs.push(doc);
                    if let Some(a) = answer {
                        answers.insert(format!("q{i}"), a);
                    }
                }
                let yaml = format!(
                    "title: T\nsections:\n  - {{title: S, kind: essay, points: {}, scoring: {scoring}, penalty_floor: {floor}, questions: {}}}\n",
                    points as f64 / 100.0,
                    serde_json::Value::Array(docs)
                );
                (paper(&yaml), answers)
            },
        )
    }

    proptest! {
        #[test]
        fn points_stay_within_the_question_and_the_section(case in section()) {
            let (p, answers) = case;
            let score = grade_attempt(&p, &answers, &BTreeMap::new());
            let floor = p.doc().sections[0].penalty_floor;
            for (q, s) in p.questions().zip(&score.questions) {
                let points = s.points.unwrap_or(Points::whole(-999));
                prop_assert!(points <= q.points(), "{} > {}", points, q.points());
                let lowest = if floor == PenaltyFloor::Question { Points::ZERO } else { Points::ZERO - q.penalty() };
                prop_assert!(points >= lowest, "{} < {}", points, lowest);
            }
            let section = &score.sections[0];
            prop_assert!(section.points >= Points::ZERO && section.points <= section.max_points);
            prop_assert_eq!(score.total, section.points);
            prop_assert!(score.complete);
        }
    }
}
