//! Issue 18's leftovers of classes 4 and 7: code blocks stay code, points per blank, and the error
//! for a file with nothing recognisable.

use super::*;
use crate::domain::points::Points;

fn read(text: &str) -> Imported {
    import(text, &ImportOptions::default()).unwrap()
}

#[test]
fn code_blocks_are_code_in_the_prompt_never_questions_or_options() {
    let text = "## 一、单选题（每题2分）\n1\\. 下面代码输出什么？\n```python\n1. x = f(A)\nA. print(x)\n```\nA. 1\nB. 2\n**答案：B**\n2. 第二题？\nA. 甲\nB. 乙\n答案：A";
    let imported = read(text);
    let qs = &imported.doc.sections[0].questions;
    assert_eq!(qs.len(), 2, "{qs:#?}");
    assert_eq!(qs[0].prompt, "下面代码输出什么？\n```python\n1. x = f(A)\nA. print(x)\n```");
    let options: Vec<_> = qs[0].options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(options, ["1", "2"]);
    assert_eq!(qs[0].answer, Some(crate::domain::paper::AnswerKey::One("B".into())));
    assert!(!imported.warnings.iter().any(|w| w.message.contains("expected")), "{:#?}", imported.warnings);
}

#[test]
fn points_per_blank_count_each_blank() {
    let text = "二、填空题（每空1分，共5分）\n1.中国的首都是____。\n答案：北京\n2.____和____是两种颜色，（ ）也是。\n答案：红/绿/蓝\n3.一加一等于几\n答案：2";
    let imported = read(text);
    let section = &imported.doc.sections[0];
    assert_eq!(section.points, Points::whole(1));
    let points: Vec<_> = section.questions.iter().map(|q| q.points).collect();
    assert_eq!(points, [None, Some(Points::whole(3)), None]);
    assert_eq!(section.questions[1].prompt, "____和____是两种颜色，（ ）也是。", "blanks are not Markdown bold");
    assert!(!imported.warnings.iter().any(|w| w.message.contains("stated total")), "1 + 3 + 1 is the 5 stated");
    let off = read("二、填空题（每空2分，共5分）\n1.甲____。\n答案：乙");
    assert!(off.warnings.iter().any(|w| w.message.contains("2 per blank gives 2 points, not the stated total of 5")));
}

#[test]
fn nothing_recognisable_says_what_was_looked_for() {
    let error = import("just some prose\nwithout any question", &ImportOptions::default()).unwrap_err();
    for looked_for in ["一、单选题", "第1题", "(A)", "gift"] {
        assert!(error.message.contains(looked_for), "{looked_for} not in {}", error.message);
    }
}
