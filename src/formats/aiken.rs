//! Moodle Aiken import: single-choice questions written as a stem line, `A)` / `A.` option lines and an
//! `ANSWER: B` line.
//!
//! Follows Moodle's reader (`question/format/aiken/format.php`): blank lines are ignored, an option line
//! is a capital letter, `)` or `.`, and its text (the space after the label may be missing, as Moodle
//! allows), and `ANSWER:` closes the question. A question that cannot be taken is reported once, with
//! its line, and skipped; the rest of the file still imports. Two things go beyond Moodle: a stem may run
//! over several lines as long as no blank line or option comes between them, and a line like `I.e. …`
//! outside a question is read as a stem rather than an option with no question.
//!
//! All questions go into one `single_choice` section (Aiken has no other kind and no sections); points
//! are `ImportOptions::default_points`, else 1, with a warning. Text is kept exactly as written: Aiken
//! files are plain text, so `<b>` or `&` is never read as markup.

use super::{default_points, nothing_found, ImportError, ImportOptions, ImportWarning, Imported};
use crate::domain::paper::{option_key, AnswerKey, OptionDoc, PaperDoc, QuestionDoc, QuestionKind, SectionDoc};

/// Reads an Aiken file; every question skipped is a warning with its line.
///
/// # Errors
///
/// When not one question could be taken; the message counts the problems and quotes the first.
pub fn import(text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let normal = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = Reader::default();
    for (index, line) in normal.split('\n').enumerate() {
        reader.line(index + 1, line);
    }
    let Reader { questions, mut warnings, .. } = reader.finish();
    let Some(&(first_line, _)) = questions.first() else { return Err(nothing_found("Aiken", &warnings)) };
    let points = default_points("Aiken", options, first_line, &mut warnings);
    let title = options
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Imported Aiken questions")
        .to_string();
    let section = SectionDoc::new(
        "Single choice".to_string(),
        QuestionKind::SingleChoice,
        points,
        questions.into_iter().map(|(_, q)| q).collect(),
    );
    warnings.sort_by_key(|w| w.line);
    Ok(Imported { doc: PaperDoc { title, instructions: String::new(), sections: vec![section] }, warnings })
}

/// What one line is, by its shape alone.
#[derive(Debug, PartialEq)]
enum Line<'a> {
    Blank,
    /// Label, text, and whether a space followed the label.
    Option(char, &'a str, bool),
    Answer(&'a str),
    Text(&'a str),
}

fn classify(raw: &str) -> Line<'_> {
    let line = raw.trim();
    if line.is_empty() {
        return Line::Blank;
    }
    if let Some(rest) = line.strip_prefix("ANSWER") {
        if let Some(key) = rest.trim_start().strip_prefix([':', '：']) {
            return Line::Answer(key.trim());
        }
    }
    let mut chars = line.chars();
    if let (Some(label), Some(mark)) = (chars.next(), chars.next()) {
        if label.is_ascii_uppercase() && (mark == ')' || mark == '.') {
            let rest = chars.as_str();
            return Line::Option(label, rest.trim(), rest.is_empty() || rest.starts_with(char::is_whitespace));
        }
    }
    Line::Text(line)
}

/// The question being read. `orphan` marks options met with no stem: they are reported once and their
/// lines, up to the next `ANSWER:`, are passed over quietly.
struct Pending {
    line: usize,
    prompt: String,
    options: Vec<(char, String)>,
    orphan: bool,
}

#[derive(Default)]
struct Reader {
    pending: Option<Pending>,
    after_blank: bool,
    questions: Vec<(usize, QuestionDoc)>,
    warnings: Vec<ImportWarning>,
}

impl Reader {
    fn line(&mut self, number: usize, raw: &str) {
        match classify(raw) {
            Line::Blank => {
                self.after_blank = true;
                return;
            }
            Line::Text(text) => self.text(number, text),
            Line::Option(label, text, spaced) => self.option(number, label, text, spaced, raw.trim()),
            Line::Answer(key) => self.answer(number, key),
        }
        self.after_blank = false;
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(ImportWarning::new(line, message));
    }

    fn text(&mut self, number: usize, text: &str) {
        let after_blank = self.after_blank;
        match self.pending.as_mut() {
            Some(p) if !p.orphan && p.options.is_empty() && !after_blank => {
                p.prompt.push('\n');
                p.prompt.push_str(text);
                return;
            }
            Some(p) if !p.orphan => {
                let (line, stem) = (p.line, excerpt(&p.prompt));
                let message =
                    format!("question \"{stem}\" has no ANSWER line before the next question (line {number}); skipped");
                self.warn(line, message);
            }
            _ => {}
        }
        self.pending = Some(Pending { line: number, prompt: text.to_string(), options: Vec::new(), orphan: false });
    }

    fn option(&mut self, number: usize, label: char, text: &str, spaced: bool, whole: &str) {
        match self.pending.as_mut() {
            Some(p) if p.orphan => {}
            Some(p) => p.options.push((label, text.to_string())),
            // `I.e. what…` with no question open is a stem; Moodle would call it an option.
            None if !spaced => self.text(number, whole),
            None => {
                self.warn(number, format!("option {label}) has no question before it; skipped"));
                self.pending = Some(Pending { line: number, prompt: String::new(), options: Vec::new(), orphan: true });
            }
        }
    }

    fn answer(&mut self, number: usize, key: &str) {
        match self.pending.take() {
            None => self.warn(number, "ANSWER line with no question before it; skipped".to_string()),
            Some(p) if p.orphan => {}
            Some(p) => match question(&p, key) {
                Ok(doc) => self.questions.push((p.line, doc)),
                Err(why) => self.warn(p.line, format!("question \"{}\" {why}; skipped", excerpt(&p.prompt))),
            },
        }
    }

    fn finish(mut self) -> Self {
        if let Some(p) = self.pending.take().filter(|p| !p.orphan) {
            let message = format!("question \"{}\" has no ANSWER line; skipped", excerpt(&p.prompt));
            self.warn(p.line, message);
        }
        self
    }
}

/// The finished question, or why it cannot be taken (never a guessed key).
fn question(p: &Pending, key: &str) -> Result<QuestionDoc, String> {
    if p.options.len() < 2 {
        return Err(format!("has {} answer option(s); a choice question needs at least two", p.options.len()));
    }
    let letter = answer_letter(key).ok_or_else(|| format!("has ANSWER: {key}, which is not one option letter"))?;
    let index = p.options.iter().position(|(label, _)| *label == letter).ok_or_else(|| {
        let labels: String = p.options.iter().map(|(label, _)| *label).collect();
        format!("has ANSWER: {letter}, which is not among its options {labels}")
    })?;
    if let Some((label, _)) = p.options.iter().find(|(_, text)| text.is_empty()) {
        return Err(format!("has an option {label}) without text"));
    }
    let options = p
        .options
        .iter()
        .enumerate()
        .map(|(i, (_, text))| OptionDoc { key: option_key(i), text: text.clone(), weight: None })
        .collect();
    Ok(QuestionDoc {
        prompt: p.prompt.clone(),
        options,
        answer: Some(AnswerKey::One(option_key(index))),
        ..QuestionDoc::default()
    })
}

/// `B`, `b`, `B.` or `B)`; `A, C` is refused, since Aiken questions have one answer.
fn answer_letter(key: &str) -> Option<char> {
    let mut chars = key.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let rest = chars.as_str().trim();
    (letter.is_ascii_uppercase() && matches!(rest, "" | "." | ")")).then_some(letter)
}

use super::place::excerpt;

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use proptest::prelude::*;

    use crate::domain::points::Points;

    use super::*;
    use crate::domain::paper::Paper;

    const QUESTIONS: &str = include_str!("../../tests/fixtures/moodle/questions.aiken.txt");
    const ERRORS: &str = include_str!("../../tests/fixtures/moodle/aiken_errors.txt");

    fn read(text: &str) -> Imported {
        import(text, &ImportOptions::default()).unwrap()
    }

    fn questions(imported: &Imported) -> Vec<&QuestionDoc> {
        imported.doc.sections.iter().flat_map(|s| &s.questions).collect()
    }

    #[test]
    fn moodle_fixture_gives_two_single_choice_questions_as_plain_text() {
        let imported = read(QUESTIONS);
        let qs = questions(&imported);
        let keys: Vec<_> = qs.iter().map(|q| q.answer.clone()).collect();
        assert_eq!(keys, [Some(AnswerKey::One("B".into())), Some(AnswerKey::One("A".into()))]);
        assert_eq!(qs[0].prompt, "The Moodle project was started by:");
        assert_eq!(qs[0].options[3].text, "Tim Hunt");
        assert_eq!(
            qs[1].prompt,
            "Moodle's abilities include handling user input that includes <html class=\"cool\"> & images:"
        );
        assert_eq!(imported.doc.sections[0].kind, QuestionKind::SingleChoice);
        assert_eq!(imported.doc.title, "Imported Aiken questions");
        assert_eq!(imported.warnings.len(), 1, "only the points warning: {:?}", imported.warnings);
        assert!(imported.warnings[0].message.contains("worth 1 (no default was given)"));
        assert!(Paper::parse(imported.doc).is_ok());
    }

    #[test]
    fn moodle_error_fixture_keeps_the_good_questions_and_reports_each_bad_one() {
        let imported = read(ERRORS);
        let qs = questions(&imported);
        let got: Vec<_> = qs.iter().map(|q| (q.prompt.as_str(), q.answer.clone())).collect();
        assert_eq!(
            got,
            [
                ("A good question", Some(AnswerKey::One("A".into()))),
                ("A second good question", Some(AnswerKey::One("B".into()))),
            ]
        );
        let texts: Vec<_> = qs[1].options.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(texts, ["Incorrect (No space)", "Correct (No space)"]);
        let problems: Vec<_> = imported
            .warnings
            .iter()
            .filter(|w| !w.message.contains("no points"))
            .map(|w| (w.line, w.message.as_str()))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].0 == 1 && problems[0].1.contains("1 answer option(s)"), "{problems:?}");
        assert!(problems[1].0 == 5 && problems[1].1.contains("option A) has no question before it"));
        assert!(problems[2].0 == 14 && problems[2].1.contains("has no ANSWER line before the next question (line 18)"));
        assert!(Paper::parse(imported.doc).is_ok());
    }

    #[test]
    fn stems_keys_and_line_endings() {
        let text = concat!(
            "\u{feff}I.e. which is\r\nright?\r\nA. one\r\nB) two\r\nANSWER: b.\r\n\r\n",
            "Q\nA) x\nB) y\nANSWER: A, B\n\n",
            "R\nA) x\nB) y\nANSWER: C",
        );
        let imported =
            import(text, &ImportOptions { default_points: Some(Points::whole(2)), title: Some("T".into()) }).unwrap();
        let qs = questions(&imported);
        assert_eq!(qs.len(), 1);
        assert_eq!(
            (qs[0].prompt.as_str(), qs[0].answer.clone()),
            ("I.e. which is\nright?", Some(AnswerKey::One("B".into())))
        );
        assert_eq!(imported.doc.sections[0].points, Points::whole(2));
        let messages: Vec<_> = imported.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
        assert!(
            messages.contains(&(7, "question \"Q\" has ANSWER: A, B, which is not one option letter; skipped")),
            "{messages:?}"
        );
        assert!(messages.contains(&(12, "question \"R\" has ANSWER: C, which is not among its options AB; skipped")));
    }

    #[test]
    fn a_file_with_no_question_is_an_error() {
        let error = import("A) lonely\nANSWER: A\n", &ImportOptions::default()).unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(error.message.contains("no question could be imported"));
        assert!(import("", &ImportOptions::default()).is_err());
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        if let Ok(imported) = import(text, &ImportOptions::default()) {
            let lines = text.split(['\n', '\r']).count();
            prop_assert!(imported.warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
            prop_assert!(Paper::parse(imported.doc).is_ok());
        }
        Ok(())
    }

    fn mutated(text: &'static str) -> impl Strategy<Value = String> {
        let special = prop_oneof![Just('\n'), Just(')'), Just('.'), Just(':'), Just('A'), Just(' '), any::<char>()];
        crate::formats::fuzz::mutated(text, special)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            check(&text)?;
        }

        #[test]
        fn aiken_like_text_never_panics(text in "([A-E][).] ?|ANSWER: ?|[a-eA-E]|\\n|\\r| |x){0,80}") {
            check(&text)?;
        }

        #[test]
        fn mutated_fixtures_never_panic(a in mutated(QUESTIONS), b in mutated(ERRORS)) {
            check(&a)?;
            check(&b)?;
        }
    }

    #[test]
    fn large_inputs_finish_quickly() {
        let cases = [
            QUESTIONS.repeat(100_000 / QUESTIONS.len() + 1),
            "A) x\n".repeat(20_000),
            format!("Q\n{}ANSWER: A\n", "B) y\n".repeat(20_000)),
            "x".repeat(100_000),
        ];
        for text in &cases {
            let started = Instant::now();
            let _ = import(text, &ImportOptions::default());
            assert!(started.elapsed() < Duration::from_secs(5), "{} bytes took {:?}", text.len(), started.elapsed());
        }
        assert_eq!(questions(&read(&cases[0])).len(), 2 * (100_000 / QUESTIONS.len() + 1));
    }
}
