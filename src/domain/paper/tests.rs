//! Unit tests of the paper model and its validation.

use super::*;

fn doc(yaml: &str) -> PaperDoc {
    serde_yaml::from_str(yaml).unwrap()
}

#[test]
fn reads_the_design_example_and_generates_keys() {
    let paper = Paper::parse(doc(r#"
title: T
sections:
  - title: 单选题
    kind: single_choice
    points: 2
    questions:
      - prompt: Q?
        options: [{text: a}, {text: b}, {text: c}]
        answer: c
  - title: 多选题
    kind: multiple_choice
    points: 3
    scoring: {per_correct: 0.5}
    questions:
      - prompt: Q2?
        options: [{text: a}, {text: b}]
        answer: [A, B]
"#))
    .unwrap();
    let keys: Vec<_> = paper.questions().map(|q| q.key().to_string()).collect();
    assert_eq!(keys, ["s1q1", "s2q1"]);
    assert_eq!(paper.total_points(), Points::whole(5));
    assert_eq!(paper.question("s1q1").unwrap().doc.answer, Some(AnswerKey::One("C".into())));
    assert_eq!(paper.question("s2q1").unwrap().scoring(), Scoring::PerCorrect(Points::from_hundredths(50)));
}

#[test]
fn names_the_place_of_each_problem() {
    let errors = Paper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: single_choice
    points: 2
    questions:
      - prompt: a
        options: [{text: a}, {text: b}, {text: c}, {text: d}, {text: e}]
      - prompt: b
      - prompt: c
        options: [{text: a}, {text: b}, {text: c}, {text: d}, {text: e}]
        answer: F
"#))
    .unwrap_err();
    let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
    assert!(messages.contains(&"section 1, question 3: answer key F is not among the options A–E"), "{messages:?}");
    assert!(messages.contains(&"section 1, question 1: an auto-graded question needs an answer key"));
    assert!(messages.contains(&"section 1, question 2: a choice question needs at least two options"));
    assert_eq!(errors[0].field, "sections[0].questions[0].answer");
}

#[test]
fn refuses_duplicate_keys_and_zero_points() {
    let errors = Paper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: essay
    points: 0
    questions:
      - {key: q, prompt: a}
      - {key: q, prompt: b}
"#))
    .unwrap_err();
    assert!(errors.iter().any(|e| e.message.contains("key q is used twice")));
    assert!(errors.iter().any(|e| e.field == "sections[0].points"));
}

#[test]
fn a_draft_may_lack_keys_and_completing_it_lists_them() {
    let draft = DraftPaper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: single_choice
    points: 2
    questions:
      - prompt: a
        options: [{text: a}, {text: b}]
      - prompt: b
        options: [{text: a}, {text: b}]
        answer: B
  - title: F
    kind: fill_blank
    points: 1
    questions:
      - prompt: c ____
"#))
    .unwrap();
    let fields: Vec<_> = draft.missing_keys().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["sections[0].questions[0].answer", "sections[1].questions[0].accepted"]);
    assert_eq!(draft.total_points(), Points::whole(5));
    assert_eq!(draft.complete().unwrap_err().len(), 2);
}

#[test]
fn a_draft_with_a_wrong_key_is_still_refused() {
    let errors = DraftPaper::parse(doc(r#"
title: T
sections:
  - title: S
    kind: single_choice
    points: 2
    questions:
      - prompt: a
        options: [{text: a}, {text: b}]
        answer: F
"#))
    .unwrap_err();
    assert!(errors[0].message.contains("answer key F is not among the options A–B"), "{errors:?}");
}
