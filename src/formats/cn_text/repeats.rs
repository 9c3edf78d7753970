//! A question answered more than once: a second answer part, or a question that swallowed the
//! next one (`2.…答案：A` then `3、12岁…答案：B` read as one question). Guessing which answer is
//! right would risk a wrong key, so two different keys leave the question without one, and every
//! repeat is reported with both places.

use crate::domain::paper::QuestionKind;

use super::draft::DraftQuestion;
use super::keys::{accepted, choice_letters, truth};

/// The answer a question keeps after its repeats are compared.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Settled {
    /// No answer was written.
    None,
    /// One answer (or repeats that agree).
    One(String),
    /// Different keys for one question: no key is set.
    Conflict,
}

/// Compares every answer written for `draft`. Open questions keep all their answers as one
/// reference text (nothing is graded by it, and nothing is lost).
pub(super) fn settle(
    draft: &DraftQuestion,
    kind: QuestionKind,
    title: &str,
    warn: &mut impl FnMut(usize, String),
) -> Settled {
    let all: Vec<(usize, &str)> = draft
        .earlier_answers
        .iter()
        .chain(draft.answer.as_ref())
        .map(|a| (a.line, a.text.trim()))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let Some(&(last_line, last)) = all.last() else { return Settled::None };
    if all.len() == 1 {
        return Settled::One(last.to_string());
    }
    let n = draft.number;
    let places: Vec<String> = all.iter().map(|(line, text)| format!("“{}” at line {line}", shown(text))).collect();
    let places = places.join(" and ");
    if kind.is_open() {
        warn(
            last_line,
            format!(
                "question {n} of “{title}” is answered more than once ({places}); all are kept in its reference answer"
            ),
        );
        let texts: Vec<&str> = all.iter().map(|(_, t)| *t).collect();
        return Settled::One(texts.join("\n"));
    }
    let first = key_of(all[0].1, kind);
    if first.is_some() && all.iter().all(|(_, t)| key_of(t, kind) == first) {
        warn(last_line, format!("question {n} of “{title}” is answered more than once, with the same key ({places})"));
        return Settled::One(last.to_string());
    }
    warn(
        last_line,
        format!("question {n} of “{title}” has different answers ({places}); no key was set: check which is right before publishing"),
    );
    Settled::Conflict
}

/// What an answer says as a key, to compare repeats (`A,B` and `AB` agree).
fn key_of(text: &str, kind: QuestionKind) -> Option<String> {
    match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let (mut letters, _) = choice_letters(text)?;
            letters.sort_unstable();
            letters.dedup();
            Some(letters.into_iter().collect())
        }
        QuestionKind::TrueFalse => truth(text).map(|t| t.to_string()),
        QuestionKind::FillBlank => {
            let mut texts = accepted(text);
            texts.sort();
            Some(texts.join("\u{1f}"))
        }
        _ => Some(text.to_string()),
    }
}

/// An answer as quoted in a warning: its first 20 characters.
fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(20).collect();
    if text.chars().count() > 20 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::cn_text::draft::DraftAnswer;

    fn answered(texts: &[(usize, &str)]) -> DraftQuestion {
        let mut q = DraftQuestion::new(2, 1);
        let mut answers: Vec<DraftAnswer> =
            texts.iter().map(|(line, text)| DraftAnswer { line: *line, text: text.to_string() }).collect();
        q.answer = answers.pop();
        q.earlier_answers = answers;
        q
    }

    fn settled(texts: &[(usize, &str)], kind: QuestionKind) -> (Settled, Vec<String>) {
        let mut warnings = Vec::new();
        let s = settle(&answered(texts), kind, "单选题", &mut |_, m| warnings.push(m));
        (s, warnings)
    }

    #[test]
    fn two_different_keys_leave_no_key_and_name_both_places() {
        let (s, warnings) = settled(&[(3, "A"), (9, "B")], QuestionKind::SingleChoice);
        assert_eq!(s, Settled::Conflict);
        assert!(warnings[0].contains("“A” at line 3 and “B” at line 9"), "{warnings:?}");
    }

    #[test]
    fn repeats_that_agree_keep_the_key_with_a_warning() {
        let (s, warnings) = settled(&[(3, "A,C"), (9, "CA")], QuestionKind::MultipleChoice);
        assert_eq!(s, Settled::One("CA".into()));
        assert!(warnings[0].contains("same key"));
        let (s, _) = settled(&[(3, "对"), (9, "√")], QuestionKind::TrueFalse);
        assert_eq!(s, Settled::One("√".into()));
    }

    #[test]
    fn open_questions_keep_every_answer() {
        let (s, warnings) = settled(&[(3, "要点一"), (9, "要点二")], QuestionKind::ShortAnswer);
        assert_eq!(s, Settled::One("要点一\n要点二".into()));
        assert_eq!(warnings.len(), 1);
        assert_eq!(settled(&[(3, "B")], QuestionKind::SingleChoice), (Settled::One("B".into()), vec![]));
    }
}
