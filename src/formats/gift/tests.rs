//! GIFT import against Moodle's own fixture, export round trips, and fuzzing.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::{export, import};
use crate::domain::paper::{AcceptedDoc, AnswerKey, Paper, PaperDoc, QuestionKind, Scoring};
use crate::domain::points::Points;
use crate::formats::{ImportOptions, Imported};

const FIXTURE: &str = include_str!("../../../tests/fixtures/moodle/questions.gift.txt");

fn read(gift: &str) -> Imported {
    import(gift, &ImportOptions::default()).unwrap()
}

fn paper(gift: &str) -> Paper {
    Paper::parse(read(gift).doc).unwrap()
}

type View = Vec<(String, QuestionKind, String, Option<AnswerKey>)>;

/// Every question's key, kind, prompt and answer key, in paper order.
fn view(paper: &Paper) -> View {
    paper.questions().map(|q| (q.key().to_string(), q.kind(), q.doc.prompt.clone(), q.doc.answer.clone())).collect()
}

fn by_key(mut view: View) -> View {
    view.sort_by(|a, b| a.0.cmp(&b.0));
    view
}

#[test]
fn moodle_fixture_gives_every_kind_moodle_gives() {
    let paper = paper(FIXTURE);
    let kinds: Vec<_> = paper.doc().sections.iter().map(|s| s.kind).collect();
    use QuestionKind::*;
    assert_eq!(kinds, [Essay, SingleChoice, MultipleChoice, Numeric, FillBlank, TrueFalse]);
    let keys: Vec<_> = view(&paper).into_iter().map(|(key, ..)| key).collect();
    assert_eq!(keys, ["Q8", "Q2", "colours", "Q5", "Shortanswer", "Q1", "2-08_TSL", "2-08_TSL_2"]);

    let essay = paper.question("Q8").unwrap();
    assert_eq!((essay.kind(), essay.doc.prompt.as_str()), (Essay, "How are you?"));

    let single = paper.question("Q2").unwrap();
    let texts: Vec<_> = single.doc.options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, ["yellow", "red", "blue"]);
    assert_eq!(single.doc.answer, Some(AnswerKey::One("A".into())));
    assert_eq!(single.doc.prompt, "What's between orange and green in the spectrum?");
    assert!(single.doc.explanation.as_deref().unwrap().contains("red: wrong, it's yellow"));
}

#[test]
fn moodle_fixture_keeps_weights_tolerances_and_credits() {
    let paper = paper(FIXTURE);
    let colours = paper.question("colours").unwrap();
    assert_eq!(colours.kind(), QuestionKind::MultipleChoice);
    assert_eq!(colours.scoring(), Scoring::Weighted);
    let options: Vec<_> = colours.doc.options.iter().map(|o| (o.text.as_str(), o.weight)).collect();
    assert_eq!(
        options,
        [("yellow", Some(50.0)), ("red", Some(-100.0)), ("off-beige", Some(50.0)), ("blue", Some(-100.0))]
    );
    assert_eq!(colours.doc.answer, Some(AnswerKey::Many(vec!["A".into(), "C".into()])));

    let numeric = paper.question("Q5").unwrap();
    assert_eq!((numeric.doc.answer.clone(), numeric.doc.tolerance), (Some(AnswerKey::Number(3.0)), Some(2.0)));

    let short = paper.question("Shortanswer").unwrap();
    assert_eq!(short.kind(), QuestionKind::FillBlank);
    let accepted =
        [AcceptedDoc { text: "Frog".into(), credit: None }, AcceptedDoc { text: "Cat".into(), credit: Some(0.5) }];
    assert_eq!(short.doc.accepted, accepted);
    assert!(short.doc.explanation.as_deref().unwrap().contains("any other answer: Completely wrong"));
}

#[test]
fn moodle_fixture_true_false_keeps_keys_and_feedback() {
    let paper = paper(FIXTURE);
    let q1 = paper.question("Q1").unwrap();
    assert_eq!(q1.doc.answer, Some(AnswerKey::Bool(false)));
    let explanation = q1.doc.explanation.as_deref().unwrap();
    assert!(explanation.starts_with("42 is the Ultimate Answer.\nYou gave the right answer.\n"), "{explanation}");
    assert!(explanation.ends_with("a Hitchiker's Guide to the Galaxy reference."));
    for key in ["2-08_TSL", "2-08_TSL_2"] {
        let q = paper.question(key).unwrap();
        assert_eq!((q.kind(), q.doc.answer.clone()), (QuestionKind::TrueFalse, Some(AnswerKey::Bool(true))));
        assert_eq!(q.doc.prompt, "TSL is blablabla.");
    }
}

#[test]
fn moodle_fixture_warns_about_matching_names_and_points() {
    let imported = read(FIXTURE);
    let messages: Vec<_> = imported.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
    let matching = messages.iter().find(|(_, m)| m.contains("Moodle activities")).unwrap();
    assert_eq!(matching.0, 5);
    assert!(matching.1.contains("matching questions are not supported"), "{messages:?}");
    assert!(messages.iter().any(|(line, m)| *line == 2 && m.contains("worth 1 (no default was given)")));
    assert!(messages.iter().any(|(line, m)| *line == 49 && m.contains("key is 2-08_TSL_2")));
    let prompts: String = imported.doc.sections.iter().flat_map(|s| &s.questions).map(|q| q.prompt.clone()).collect();
    assert!(!prompts.contains("[html]") && !prompts.contains("Forum"), "nothing of the matching question is kept");
}

#[test]
fn options_set_points_and_title() {
    let options = ImportOptions { default_points: Some(Points::from_hundredths(250)), title: Some("Bank".into()) };
    let imported = import(FIXTURE, &options).unwrap();
    assert_eq!(imported.doc.title, "Bank");
    assert!(imported.doc.sections.iter().all(|s| s.points == Points::from_hundredths(250)));
    assert!(imported.warnings.iter().any(|w| w.message.contains("worth 2.5 (the import's default)")));
    assert_eq!(read(FIXTURE).doc.title, "Imported GIFT questions");
}

#[test]
fn escapes_comments_and_multiline_questions() {
    let gift = r"// a comment
::Escapes::  Is 1\:1 \{a\} \= \~ \# \\ ok?\nSecond line
{
  =yes\: really # right
  ~no \~ way
}

$CATEGORY: $course$/Top/Maths

::Blank::Moodle costs {~lots =nothing} to download.";
    let paper = paper(gift);
    let q = paper.question("Escapes").unwrap();
    assert_eq!(q.doc.prompt, "Is 1:1 {a} = ~ # \\ ok?\nSecond line");
    let texts: Vec<_> = q.doc.options.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(texts, ["yes: really", "no ~ way"]);
    assert_eq!(q.doc.explanation.as_deref(), Some("yes: really: right"));
    assert_eq!(paper.question("Blank").unwrap().doc.prompt, "Moodle costs _____ to download.");
    assert_eq!(paper.question("Blank").unwrap().doc.answer, Some(AnswerKey::One("B".into())));
}

#[test]
fn credit_examd_cannot_hold_is_dropped_with_a_warning() {
    let gift =
        "::N:: e? {#=2.72:0.01 =%50%3:0.5 ~#no}\n\n::S:: Pick {=a ~%50%b ~c}\n\n::W:: Name {=%0%x =%150%y =%20%*}";
    let imported = read(gift);
    let paper = Paper::parse(imported.doc.clone()).unwrap();
    let n = paper.question("N").unwrap();
    assert_eq!((n.doc.answer.clone(), n.doc.tolerance), (Some(AnswerKey::Number(2.72)), Some(0.01)));
    assert_eq!(paper.question("W").unwrap().doc.accepted, [AcceptedDoc { text: "y".into(), credit: None }]);
    let messages: Vec<_> = imported.warnings.iter().map(|w| w.message.as_str()).collect();
    for expected in
        ["answer 3:0.5 earns 50%", "option \"b\" carries 50%", "\"x\" earns 0%", "capped at 100%", "wildcard answer *"]
    {
        assert!(messages.iter().any(|m| m.contains(expected)), "{expected} not in {messages:?}");
    }
}

#[test]
fn questions_without_a_key_are_skipped_and_an_empty_file_is_an_error() {
    let gift = "::M:: Pick {~%-50%a ~b}\n\n::D:: Just a description\n\n::B:: Broken {=a";
    let error = import(gift, &ImportOptions::default()).unwrap_err();
    assert_eq!(error.line, Some(1));
    assert!(error.message.contains("3 problem(s)") && error.message.contains("no option carries a positive weight"));
    assert!(import("// nothing here\n\n", &ImportOptions::default()).is_err());
}

#[test]
fn export_then_import_gives_the_moodle_fixture_back() {
    let first = read(FIXTURE).doc;
    let gift = export(&first);
    let second = read(&gift);
    assert_eq!(second.doc, first, "{gift}");
    assert!(second.warnings.is_empty(), "the points come back from examd's comments: {:?}", second.warnings);
}

fn hand_made() -> PaperDoc {
    serde_yaml::from_str(
        r#"
title: Hand made
instructions: "Read carefully.\nTwo lines."
sections:
  - title: Mixed
    kind: single_choice
    points: 2
    questions:
      - key: one
        prompt: "Which {braces} = ~tilde~ #hash: and \\ backslash?\nLine two"
        options: [{text: "[html] not a tag"}, {text: "%50% off"}, {text: "a = b"}]
        answer: B
        explanation: "Because: {it} is #1.\n- really"
      - {key: tf, kind: true_false, prompt: "// not a comment", answer: false}
      - key: blank
        kind: fill_blank
        prompt: 患者隐私信息属于____。
        accepted: [{text: 敏感信息}, {text: 隐私, credit: 0.3}]
      - {key: num, kind: numeric, prompt: "5 + 3 = ?", answer: -8.25, tolerance: 0.5}
      - {key: exact, kind: numeric, prompt: "2 + 2 = ?", answer: 4}
      - {key: open, kind: essay, prompt: "Describe a day.", explanation: "Any honest answer."}
      - key: weighted
        kind: multiple_choice
        scoring: weighted
        prompt: Pick the primes
        options: [{text: "2", weight: 50}, {text: "3", weight: 50}, {text: "4", weight: -100}, {text: "9"}]
"#,
    )
    .unwrap()
}

#[test]
fn export_then_import_keeps_a_hand_made_paper() {
    let original = Paper::parse(hand_made()).unwrap();
    let gift = export(original.doc());
    let back = paper(&gift);
    let mut expected = by_key(view(&original));
    // Weighted multiple choice comes back with the key it implies.
    expected
        .iter_mut()
        .filter(|q| q.0 == "weighted")
        .for_each(|q| q.3 = Some(AnswerKey::Many(vec!["A".into(), "B".into()])));
    assert_eq!(by_key(view(&back)), expected, "{gift}");
    for q in original.questions() {
        let twin = back.question(q.key()).unwrap();
        let options = |d: &crate::domain::paper::QuestionDoc| {
            d.options.iter().map(|o| (o.text.clone(), o.weight)).collect::<Vec<_>>()
        };
        assert_eq!(options(twin.doc), options(q.doc), "{}", q.key());
        assert_eq!((&twin.doc.accepted, twin.doc.tolerance), (&q.doc.accepted, q.doc.tolerance), "{}", q.key());
        assert_eq!(twin.doc.explanation, q.doc.explanation, "{}", q.key());
    }
}

#[test]
fn rules_other_than_weighted_export_as_derived_weights() {
    let mut doc = hand_made();
    let section = &mut doc.sections[0];
    section.questions.truncate(1);
    section.kind = QuestionKind::MultipleChoice;
    section.questions[0].answer = Some(AnswerKey::Many(vec!["A".into(), "C".into()]));
    let gift = export(&doc);
    assert!(gift.contains("~%50%[plain][html] not a tag"), "{gift}");
    assert!(gift.contains("~%-100%[plain]%50% off") && gift.contains("~%50%a \\= b"), "{gift}");
    section_rule(&mut doc, Scoring::PerCorrect(Points::from_hundredths(50)));
    let gift = export(&doc);
    assert!(gift.contains("~%25%a \\= b"), "0.5 of 2 points is 25%: {gift}");
    let back = paper(&gift);
    let q = back.question("one").unwrap();
    assert_eq!(q.doc.answer, Some(AnswerKey::Many(vec!["A".into(), "C".into()])));
}

fn section_rule(doc: &mut PaperDoc, scoring: Scoring) {
    doc.sections[0].scoring = Some(scoring);
}

#[test]
fn open_kinds_come_back_as_essays() {
    let doc: PaperDoc = serde_yaml::from_str(
        "title: T\nsections:\n  - {title: S, kind: short_answer, points: 5, \
         questions: [{key: s, prompt: Why?, reference_answer: Because}]}",
    )
    .unwrap();
    let (gift, lost) = super::export_with_losses(&doc);
    assert!(gift.contains("::s::Why?{\n\t####Because\n}"), "the reference answer is the general feedback: {gift}");
    assert!(gift.contains("$CATEGORY: $course$/S") && gift.contains("5 point(s) per question"), "{gift}");
    let back = paper(&gift);
    let s = back.question("s").unwrap();
    assert_eq!((s.kind(), s.doc.reference_answer.as_deref()), (QuestionKind::ShortAnswer, Some("Because")));
    let moodle_like = paper(&gift.lines().filter(|l| !l.contains("[examd:")).collect::<Vec<_>>().join("\n"));
    let s = moodle_like.question("s").unwrap();
    assert_eq!(
        (s.kind(), s.doc.explanation.as_deref()),
        (QuestionKind::Essay, Some("Because")),
        "without examd's comments"
    );
    for expected in ["come back as essays", "comes back as the explanation", "its own points"] {
        assert!(lost.iter().any(|l| l.contains(expected)), "{expected} not in {lost:?}");
        assert!(gift.contains(expected), "the file says so too");
    }
}

#[test]
fn export_lists_rubrics_penalties_and_all_or_nothing_as_lost() {
    let doc: PaperDoc = serde_yaml::from_str(
        "title: T\nsections:\n  - {title: M, kind: multiple_choice, points: 2, penalty: 1, questions: [{prompt: P, options: [{text: a}, {text: b}], answer: [A]}]}\n  - {title: E, kind: essay, points: 9, shuffle_questions: true, questions: [{prompt: Q, word_limit: 100, rubric: [{criterion: c, points: 9}]}]}",
    )
    .unwrap();
    let (_, lost) = super::export_with_losses(&doc);
    for expected in ["rubric", "word limit", "penalty", "all-or-nothing", "shuffling"] {
        assert!(lost.iter().any(|l| l.contains(expected)), "{expected} not in {lost:?}");
    }
}

/// Fixture text with a few random edits, biased towards GIFT's special characters.
fn mutated(text: &'static str) -> impl Strategy<Value = String> {
    let special = prop_oneof![
        Just('{'),
        Just('}'),
        Just('~'),
        Just('='),
        Just('#'),
        Just(':'),
        Just('\\'),
        Just('%'),
        Just('\n'),
        Just('\u{FDD3}'),
        any::<char>()
    ];
    crate::formats::fuzz::mutated(text, special)
}

/// Text for any part of a question: words, numbers, escapes, and bare special characters.
fn piece() -> impl Strategy<Value = String> {
    "([a-zA-Z ]|[0-9]{1,3}|\\\\[:#=~{}n\\\\]|[#=~:%*.\\[\\]/-]|->|\\.\\.|\\[html\\]|中){1,8}"
}

/// Questions shaped like GIFT, with random parts: most of them import, so round trips get exercised.
fn gift_questions() -> impl Strategy<Value = String> {
    let marker = prop_oneof![Just("="), Just("~"), Just("=%50%"), Just("~%-100%"), Just("~%33.3%"), Just("")];
    let answer = (marker, piece(), proptest::option::of(piece())).prop_map(|(m, text, feedback)| match feedback {
        Some(f) => format!("{m}{text}#{f}"),
        None => format!("{m}{text}"),
    });
    let head = prop_oneof![Just(""), Just("#"), Just("T"), Just("FALSE"), Just("#3:1")];
    let question = (
        proptest::option::of("[A-Za-z0-9 _.-]{1,8}"),
        piece(),
        head,
        proptest::collection::vec(answer, 0..5),
        proptest::option::of(piece()),
        proptest::option::of(piece()),
    )
        .prop_map(|(name, prompt, head, answers, general, after)| {
            let name = name.map(|n| format!("::{n}::")).unwrap_or_default();
            let general = general.map(|g| format!("####{g}")).unwrap_or_default();
            let after = after.unwrap_or_default();
            format!("{name}{prompt}{{{head}\n {}{general}}}{after}", answers.join("\n "))
        });
    proptest::collection::vec(question, 1..6).prop_map(|qs| qs.join("\n\n"))
}

/// Whatever the input, no panic; anything imported is a paper examd accepts, and exporting it gives a
/// file that imports to the same paper.
fn check(text: &str) -> Result<(), TestCaseError> {
    let Ok(imported) = import(text, &ImportOptions::default()) else { return Ok(()) };
    let lines = text.split(['\n', '\r']).count();
    prop_assert!(imported.warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
    prop_assert!(Paper::parse(imported.doc.clone()).is_ok(), "{:?}", Paper::parse(imported.doc));
    // GIFT cannot write a short answer containing `->`: Moodle would read it as matching.
    let arrows = imported.doc.sections.iter().flat_map(|s| &s.questions).flat_map(|q| &q.accepted);
    if arrows.clone().any(|a| a.text.contains("->")) {
        return Ok(());
    }
    let gift = export(&imported.doc);
    let again = import(&gift, &ImportOptions::default());
    prop_assert_eq!(again.map(|i| i.doc).ok(), Some(imported.doc), "{}", gift);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn gift_like_text_never_panics_and_round_trips(text in gift_questions()) {
        check(&text)?;
    }

    #[test]
    fn mutated_fixture_never_panics(text in mutated(FIXTURE)) {
        check(&text)?;
    }
}

#[test]
fn large_inputs_finish_quickly() {
    let limit = Duration::from_secs(5);
    let cases = [
        FIXTURE.repeat(100_000 / FIXTURE.len() + 1),
        format!("::q:: {{{}}}", "~%50%a ".repeat(14_000)),
        "{".repeat(100_000),
        "::a:: x {}\n\n".repeat(9_000),
        "\\".repeat(100_000),
    ];
    for text in &cases {
        let started = Instant::now();
        let _ = import(text, &ImportOptions::default());
        assert!(started.elapsed() < limit, "{} bytes took {:?}", text.len(), started.elapsed());
    }
    let imported = read(&cases[3]);
    assert_eq!(imported.doc.sections[0].questions.len(), 9_000);
    assert!(Paper::parse(imported.doc).is_ok());
}
