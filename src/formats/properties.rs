//! What every import must show, whatever the input (issue 18): no panic, no key that names a letter
//! the question does not offer, every warning located, and work that grows linearly with the input.

use std::time::Instant;

use proptest::prelude::*;

use super::{import, Format, ImportOptions};
use crate::domain::paper::{AnswerKey, PaperDoc};

const FORMATS: [Format; 3] = [Format::CnText, Format::Gift, Format::Aiken];

/// Pieces of every format's syntax, so random text reaches the parsers' deep paths.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("一、单选题(共2题,每题2分)\n".to_string()),
        Just("二、多选题（每空1分）\n".to_string()),
        Just("1.".to_string()),
        Just("2、".to_string()),
        Just("A.".to_string()),
        Just("B、".to_string()),
        Just("(C)".to_string()),
        Just("答案：".to_string()),
        Just("【答案】".to_string()),
        Just("参考答案：".to_string()),
        Just("ANSWER: ".to_string()),
        Just("```\n".to_string()),
        Just("::q:: ".to_string()),
        Just("{=a ~b =c}".to_string()),
        Just("{~%50%a ~%50%b}".to_string()),
        Just("// [id:x] [tag:y]\n".to_string()),
        Just("$CATEGORY: $course$/S\n// [examd:section] {\"title\":\"S\",\"kind\":\"multiple_choice\",\"points\":2}\n".to_string()),
        Just("// [examd:question] {\"points\":3,\"open\":{\"kind\":\"short_answer\",\"explanation\":null,\"reference_answer\":\"r\"}}\n".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        "[A-Ea-e甲乙？?。 ]{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
}

/// Every key a choice question carries names one of its options.
fn keys_among_options(doc: &PaperDoc) -> Result<(), String> {
    for q in doc.sections.iter().flat_map(|s| &s.questions) {
        let named: Vec<&String> = match &q.answer {
            Some(AnswerKey::One(k)) => vec![k],
            Some(AnswerKey::Many(ks)) => ks.iter().collect(),
            _ => continue,
        };
        let offered: Vec<String> = q
            .options
            .iter()
            .enumerate()
            .map(|(i, o)| if o.key.is_empty() { crate::domain::paper::option_key(i) } else { o.key.clone() })
            .collect();
        if let Some(k) = named.iter().find(|k| !offered.contains(k)) {
            return Err(format!("question {:?} is keyed {k}, offering {offered:?}", q.prompt));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_input_panics_or_keys_a_letter_it_does_not_offer(text in text()) {
        let lines = text.replace("\r\n", "\n").split(['\n', '\r']).count();
        for format in FORMATS {
            let Ok(imported) = import(format, &text, &ImportOptions::default()) else { continue };
            prop_assert!(keys_among_options(&imported.doc).is_ok(), "{format:?}: {:?}", keys_among_options(&imported.doc));
            for w in &imported.warnings {
                prop_assert!(w.line >= 1 && w.line <= lines && w.column >= 1, "{format:?}: {w:?}");
            }
        }
    }
}

/// The least time of a few imports: the floor is what the work costs, the rest is the machine's load.
fn least_time(format: Format, text: &str) -> f64 {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let _ = import(format, text, &ImportOptions::default());
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// 8 times the input takes about 8 times the work; a quadratic part would take 64 times. The bound
    /// is loose on purpose (a shared CI machine's noise), and no absolute time is asserted.
    #[test]
    fn import_work_grows_linearly(unit in text().prop_filter("some text", |t| t.len() >= 8)) {
        let copies = (1_500 / unit.len()).max(20);
        for format in FORMATS {
            let small = least_time(format, &unit.repeat(copies));
            let large = least_time(format, &unit.repeat(copies * 8));
            // Below a millisecond, timer resolution and caches dominate; grow the floor instead.
            let ratio = large / small.max(1e-3);
            prop_assert!(ratio < 32.0, "{format:?}: 8× the input took {ratio:.1}× as long ({unit:?})");
        }
    }
}
