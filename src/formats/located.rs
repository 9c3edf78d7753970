//! Class 8 of issue 18: every warning points at a line, a column and a quote of the file.

use super::{import, Format, ImportOptions, ImportWarning};

fn warnings(format: Format, text: &str) -> Vec<ImportWarning> {
    import(format, text, &ImportOptions::default()).map(|i| i.warnings).unwrap_or_default()
}

#[test]
fn warnings_on_a_run_on_line_point_at_their_question() {
    let text = "一、单选题（每题2分）1.甲的选项？A.x B.y 答案：B 2.第二题没有答案？A.x B.y 3.第三题？A.x B.y 答案：C";
    let ws = warnings(Format::CnText, text);
    let col = |needle: &str| text[..text.find(needle).unwrap()].chars().count() + 1;
    let about = |m: &str| ws.iter().find(|w| w.message.contains(m)).unwrap_or_else(|| panic!("{m} not in {ws:#?}"));
    let keyless = about("question 2");
    assert_eq!((keyless.line, keyless.column), (1, col("第二题")), "{keyless:?}");
    assert!(keyless.excerpt.starts_with("第二题没有答案"));
    let wrong = about("key C is not among");
    assert_eq!(wrong.column, col("第三题"));
    assert!(ws.iter().all(|w| w.column >= 1 && !w.excerpt.is_empty()), "{ws:#?}");
}

#[test]
fn every_format_locates_its_warnings() {
    for (format, text) in [
        (Format::Gift, "::a:: Pick {~x ~y}\n\n  ::b:: Name {=%0%x =y}"),
        (Format::Aiken, include_str!("../../tests/fixtures/moodle/aiken_errors.txt")),
    ] {
        let ws = warnings(format, text);
        assert!(!ws.is_empty());
        for w in &ws {
            let raw = text.split('\n').nth(w.line - 1).unwrap();
            let quoted: String = raw.chars().skip(w.column - 1).collect();
            assert!(quoted.starts_with(w.excerpt.trim_end_matches('…')), "{w:?} in {raw:?}");
        }
    }
}

#[test]
fn a_document_cut_off_mid_answer_is_warned() {
    let cut = "二、简答题\n1.为什么选择这个职业？\n参考答案：我选择护士职业并决心坚持下去，是源于一种多层次";
    let ws = warnings(Format::CnText, cut);
    let w = ws.iter().find(|w| w.message.contains("stops here")).unwrap_or_else(|| panic!("{ws:#?}"));
    assert_eq!(w.line, 3);
    assert!(w.excerpt.starts_with("是源于一种多层次"), "{w:?}");
    for whole in [
        "二、简答题\n1.为什么选择这个职业？\n参考答案：我选择护士职业，是源于一种认同。",
        "一、单选题\n1.甲？\nA.x\nB.y\n答案：B",
        "一、判断题\n1.甲。\n答案：对",
    ] {
        assert!(!warnings(Format::CnText, whole).iter().any(|w| w.message.contains("stops here")), "{whole}");
    }
}

#[test]
fn garbled_characters_are_warned_where_they_stand() {
    let ws = warnings(Format::CnText, "一、单选题\n1.甲\u{FFFD}乙？\nA.x\nB.\u{E5DD}y\n答案：B");
    let garbled: Vec<_> = ws.iter().filter(|w| w.message.contains("damaged")).map(|w| (w.line, w.column)).collect();
    assert_eq!(garbled, [(2, 4), (4, 3)]);
}
