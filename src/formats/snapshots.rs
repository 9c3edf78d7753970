//! The seeds and Moodle's fixtures import exactly as they did when these snapshots were taken: any
//! change to the document or to a warning's line and message shows here as a diff to review.
//! `EXAMD_BLESS=1 cargo test --lib snapshots` rewrites them after a deliberate change.

use serde_json::json;

use super::{import, Format, ImportOptions};

const CASES: &[(&str, Format, &str)] = &[
    ("seed_000", Format::CnText, include_str!("../../tests/fixtures/seeds/000_9dfe5f0092d33d60.txt")),
    ("seed_001", Format::CnText, include_str!("../../tests/fixtures/seeds/001_feb79bb3dd53de14.txt")),
    ("moodle_gift", Format::Gift, include_str!("../../tests/fixtures/moodle/questions.gift.txt")),
    ("moodle_aiken", Format::Aiken, include_str!("../../tests/fixtures/moodle/questions.aiken.txt")),
    ("moodle_aiken_errors", Format::Aiken, include_str!("../../tests/fixtures/moodle/aiken_errors.txt")),
];

fn snapshot(format: Format, text: &str) -> String {
    let value = match import(format, text, &ImportOptions::default()) {
        Ok(imported) => json!({
            "doc": imported.doc,
            "warnings": imported.warnings.iter().map(|w| json!({"line": w.line, "column": w.column, "excerpt": w.excerpt, "message": w.message})).collect::<Vec<_>>(),
        }),
        Err(e) => json!({"error": {"line": e.line, "message": e.message}}),
    };
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

#[test]
fn seeds_and_moodle_fixtures_import_as_snapshotted() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots");
    let bless = std::env::var_os("EXAMD_BLESS").is_some();
    for (name, format, text) in CASES {
        let path = dir.join(format!("{name}.json"));
        let got = snapshot(*format, text);
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap();
        assert!(
            got == want,
            "{name} imports differently from {}; diff it with EXAMD_BLESS=1 and git diff",
            path.display()
        );
    }
}

/// JSON and YAML carry every field of the model: both seeds and every Moodle fixture come back
/// exactly, as imported and as normalised for storage.
#[test]
fn seeds_and_moodle_fixtures_round_trip_exactly_through_json_and_yaml() {
    use super::canonical::{from_json, from_yaml, to_json, to_yaml};
    use crate::domain::paper::DraftPaper;
    for (name, format, text) in CASES {
        let Ok(imported) = import(*format, text, &ImportOptions::default()) else { continue };
        let stored = DraftPaper::parse(imported.doc.clone()).unwrap().doc().clone();
        for doc in [imported.doc, stored] {
            assert_eq!(from_json(&to_json(&doc)).unwrap().doc, doc, "{name} through JSON");
            assert_eq!(from_yaml(&to_yaml(&doc)).unwrap().doc, doc, "{name} through YAML");
        }
    }
}

/// What GIFT can carry comes back through it: prompts, kinds of the auto-graded questions, keys.
#[test]
fn seeds_through_gift_keep_prompts_and_keys_and_say_what_was_lost() {
    use crate::domain::paper::DraftPaper;
    for (name, format, text) in CASES.iter().filter(|c| c.1 == Format::CnText) {
        let doc =
            DraftPaper::parse(import(*format, text, &ImportOptions::default()).unwrap().doc).unwrap().doc().clone();
        let (gift, lost) = super::gift::export_with_losses(&doc);
        assert!(!lost.is_empty(), "{name}: points and section titles are always lost");
        let back = import(Format::Gift, &gift, &ImportOptions::default()).unwrap().doc;
        assert_eq!(DraftPaper::parse(back.clone()).unwrap().doc(), &doc, "{name}: examd's comments restore it all");
        let keyed = |d: &crate::domain::paper::PaperDoc| {
            let mut v: Vec<_> = d
                .sections
                .iter()
                .flat_map(|s| &s.questions)
                .map(|q| (q.key.clone(), q.prompt.clone(), q.answer.clone()))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        assert_eq!(keyed(&back), keyed(&doc), "{name}");
    }
}
