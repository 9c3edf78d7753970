//! Issue 18, class 10: several right answers, id numbers and tags, as Moodle reads them.

use super::import;
use crate::domain::paper::{AnswerKey, Paper, QuestionKind};
use crate::domain::points::Points;
use crate::formats::{ImportOptions, Imported};

fn read(gift: &str) -> Imported {
    import(gift, &ImportOptions::default()).unwrap()
}

#[test]
fn several_right_answers_are_all_keyed_and_any_one_scores() {
    let imported = read("::Two:: Which are prime? {=2 ~4 =3 ~6}\n\n::One:: Pick {~x =y}");
    let paper = Paper::parse(imported.doc.clone()).unwrap();
    let two = paper.question("Two").unwrap();
    assert_eq!(two.kind(), QuestionKind::SingleChoice, "the kind stays what Moodle shows: pick one");
    assert_eq!(two.doc.answer, Some(AnswerKey::Many(vec!["A".into(), "C".into()])));
    for (chosen, points) in [("A", 1), ("C", 1), ("B", 0)] {
        let answer = crate::domain::answer::Answer::Text(chosen.into());
        let grade = crate::domain::scoring::grade(&two, Some(&answer));
        assert_eq!(grade, crate::domain::scoring::Grade::Auto(Points::whole(points)), "{chosen}");
    }
    assert_eq!(paper.question("One").unwrap().doc.answer, Some(AnswerKey::One("B".into())));
    assert!(imported
        .warnings
        .iter()
        .any(|w| w.message.contains("2 options are marked right") && w.message.contains("A, C")));
}

#[test]
fn ids_become_keys_and_tags_are_warned() {
    let gift = "// question: 1\n// [id:hr-7] [tag:easy] [tag:hr]\n::Named:: Pick {=a ~b}\n\n// [id:x1]\nWhat? {T}\n\n// [tag:lost]\n\nNo tags? {F}";
    let imported = read(gift);
    let paper = Paper::parse(imported.doc.clone()).unwrap();
    assert!(paper.question("hr-7").is_some() && paper.question("x1").is_some());
    let messages: Vec<_> = imported.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
    assert!(messages.iter().any(|(l, m)| *l == 3 && m.contains("tags easy, hr are not kept")), "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 3 && m.contains("id number hr-7 is its key")), "{messages:?}");
    assert!(!messages.iter().any(|(_, m)| m.contains("lost")), "a comment chunk of its own belongs to no question");
}
