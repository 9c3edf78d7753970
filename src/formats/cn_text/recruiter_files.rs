//! Inputs shaped like the real recruitment tests of issue 18 (written for these tests): the wrong
//! keys, refused files and silent changes of kind they used to cause.

use proptest::prelude::*;

use super::*;
use crate::domain::paper::{AnswerKey, QuestionDoc, QuestionKind};
use crate::domain::points::Points;

fn read(text: &str) -> Imported {
    match import(text, &ImportOptions::default()) {
        Ok(imported) => imported,
        Err(e) => panic!("import failed: {e:?}"),
    }
}

fn keys(imported: &Imported, section: usize) -> Vec<Option<AnswerKey>> {
    imported.doc.sections[section].questions.iter().map(|q| q.answer.clone()).collect()
}

fn one(key: &str) -> Option<AnswerKey> {
    Some(AnswerKey::One(key.into()))
}

fn warned(imported: &Imported, needle: &str) -> bool {
    imported.warnings.iter().any(|w| w.message.contains(needle))
}

#[test]
fn a_number_followed_by_digits_starts_its_own_question() {
    let imported = read(
        "一、单选题（每题2分）\n1.门诊几点开始？\nA.8点 B.9点\n答案：A\n2、18岁以上患者可否独自签字？\nA.可以 B.不可以\n答案：A\n3、120急救电话由谁接听？\nA.调度员 B.护士\n答案：A\n",
    );
    assert_eq!(imported.doc.sections[0].questions.len(), 3);
    assert_eq!(keys(&imported, 0), [one("A"), one("A"), one("A")]);
    assert_eq!(imported.doc.sections[0].questions[2].prompt, "120急救电话由谁接听？");
}

#[test]
fn two_different_answers_for_one_question_leave_it_without_a_key() {
    let imported = read("一、单选题（每题2分）\n1.首要原则？\nA.甲 B.乙\n答案：A\n答案及解析\n1.B\n");
    assert_eq!(keys(&imported, 0), [None]);
    assert!(warned(&imported, "“A” at line 4 and “B” at line 6"), "{:?}", imported.warnings);
}

#[test]
fn a_heading_with_a_sentence_in_its_bracket_opens_its_section() {
    let text = "\
一、单选题（每题2分，共2分）
1.甲？
A.x B.y
答案：A
二、判断题（每题1分，共2分。请在括号内填写对或错）
1.说法一。
答案：对
2.说法二。
答案：错
";
    let imported = read(text);
    let doc = &imported.doc;
    assert_eq!(doc.sections.len(), 2, "{:#?}", doc.sections);
    assert_eq!(keys(&imported, 0), [one("A")], "the true/false answers stay off the choice question");
    assert_eq!((doc.sections[1].kind, doc.sections[1].points), (QuestionKind::TrueFalse, Points::whole(1)));
    assert_eq!(keys(&imported, 1), [Some(AnswerKey::Bool(true)), Some(AnswerKey::Bool(false))]);
}

#[test]
fn a_bank_without_answers_imports_every_question_keyless() {
    let imported =
        read("一、单选题（共2题，每题2分）\n1.甲？\nA.x B.y\n2.乙？\nA.x B.y\n二、判断题（共1题）\n1.对吗？\n");
    assert_eq!(keys(&imported, 0), [None, None]);
    assert_eq!(keys(&imported, 1), [None]);
    let missing = imported.warnings.iter().filter(|w| w.message.contains("no key that could be read")).count();
    assert_eq!(missing, 3);
}

fn only_question(text: &str) -> QuestionDoc {
    let imported = read(text);
    let section = &imported.doc.sections[0];
    let mut q = section.questions[0].clone();
    q.kind = q.kind.or(Some(section.kind));
    q
}

fn letters(q: &QuestionDoc) -> Vec<(&str, &str)> {
    q.options.iter().map(|o| (o.key.as_str(), o.text.as_str())).collect()
}

#[test]
fn options_run_on_one_line_after_the_stem() {
    let q = only_question("1.首诉负责制要求？A.推诿B.一次办结C.转接D.挂断【答案】B\n");
    assert_eq!(q.prompt, "首诉负责制要求？");
    assert_eq!(letters(&q), [("A", "推诿"), ("B", "一次办结"), ("C", "转接"), ("D", "挂断")]);
    assert_eq!((q.kind, q.answer), (Some(QuestionKind::SingleChoice), one("B")));
}

#[test]
fn options_without_a_dot_or_in_brackets() {
    let q = only_question("1.哪项正确？\nA 甲\nB 乙\n正确答案：B\n");
    assert_eq!((letters(&q), q.answer.clone()), (vec![("A", "甲"), ("B", "乙")], one("B")));
    let q = only_question("1.哪项正确？\nA）甲\nB）乙\n【答案】A\n【解析】因为甲。\n");
    assert_eq!((letters(&q), q.answer.clone()), (vec![("A", "甲"), ("B", "乙")], one("A")));
    assert_eq!(q.explanation.as_deref(), Some("因为甲。"));
    let q = only_question("1.哪项正确？ (A)甲 (B)乙 (C)丙\n答案：C\n");
    assert_eq!((letters(&q), q.answer.clone()), (vec![("A", "甲"), ("B", "乙"), ("C", "丙")], one("C")));
}

#[test]
fn a_question_s_own_kind_label_decides_its_kind() {
    let imported = read("1. 多选题 哪些正确？\nA.甲 B.乙 C.丙\n答案：AC\n2. 单选题 哪个正确？\nA.甲 B.乙\n答案：B\n");
    let qs = &imported.doc.sections[0].questions;
    assert_eq!(qs[0].prompt, "哪些正确？");
    let kinds: Vec<_> = qs.iter().map(|q| q.kind.unwrap_or(imported.doc.sections[0].kind)).collect();
    assert_eq!(kinds, [QuestionKind::MultipleChoice, QuestionKind::SingleChoice]);
    assert_eq!(qs[1].answer, one("B"));
}

#[test]
fn options_and_a_letter_key_make_a_choice_question_with_a_warning() {
    let imported = read("一、简答题（每题5分）\n1.哪项正确？\nA.甲\nB.乙\n答案：B\n");
    let q = &imported.doc.sections[0].questions[0];
    assert_eq!((q.kind, q.answer.clone()), (Some(QuestionKind::SingleChoice), one("B")));
    assert!(warned(&imported, "imported as single_choice rather than short_answer"));
}

#[test]
fn code_in_a_stem_does_not_start_an_option() {
    let q = only_question("一、单选题（每题2分）\n1.执行 x = f(A) 之后，x 的值为？\nA.1 B.2\n答案：B\n");
    assert_eq!(q.prompt, "执行 x = f(A) 之后，x 的值为？");
    assert_eq!((letters(&q), q.answer.clone()), (vec![("A", "1"), ("B", "2")], one("B")));
    let q = only_question("1.调用 g(B.x) 与 h(A) 的结果？\nA.相同\nB.不同\n答案：B\n");
    assert_eq!(q.prompt, "调用 g(B.x) 与 h(A) 的结果？");
}

#[test]
fn points_written_as_products() {
    let imported = read("一、单选题（2×3=6分）\n1.甲？\nA.x B.y\n2.乙？\nA.x B.y\n3.丙？\nA.x B.y\n");
    assert_eq!(imported.doc.sections[0].points, Points::whole(2));
    let imported = read("一、填空题（3×2=6分）\n1.甲____\n答案：x\n2.乙____\n答案：y\n");
    assert_eq!(imported.doc.sections[0].points, Points::whole(3));
    let imported = read("一、填空题（每空1分）\n1.甲____\n答案：x\n");
    assert_eq!(imported.doc.sections[0].points, Points::whole(1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the text, a question is never keyed with a letter that is not one of its options.
    #[test]
    fn keys_are_always_among_the_options(
        text in "[0-9A-Ea-e一二三、.．:：()（）\n 第题分共每选单多判断答案解析参考【】正确对错×=f_x]{0,300}",
    ) {
        if let Ok(imported) = import(&text, &ImportOptions::default()) {
            for q in imported.doc.sections.iter().flat_map(|s| &s.questions) {
                let named: Vec<&String> = match &q.answer {
                    Some(AnswerKey::One(k)) => vec![k],
                    Some(AnswerKey::Many(ks)) => ks.iter().collect(),
                    _ => Vec::new(),
                };
                for k in named {
                    prop_assert!(q.options.iter().any(|o| &o.key == k), "key {k} of {q:?}");
                }
            }
        }
    }
}

#[test]
fn a_markdown_bank_reads_like_plain_text() {
    let text = "# 护士笔试\n\n## 一、单选题（每题2分）\n\n1\\. **首要原则**是？\n\n| A | 推诿 |\n|---|---|\n| B | 一次办结 |\n\n**答案：B**\n";
    let imported = read(text);
    assert_eq!(imported.doc.title, "护士笔试");
    let q = &imported.doc.sections[0].questions[0];
    assert_eq!((q.prompt.as_str(), q.answer.clone()), ("首要原则是？", one("B")));
    assert_eq!(q.options.len(), 2);
}
