//! A parsed GIFT question → an examd question, with a warning for whatever examd's model cannot carry.

use std::fmt::Display;

use super::parse::{excerpt, RawKind, RawQuestion};
use super::text::{self, Answer};
use crate::domain::paper::{option_key, AcceptedDoc, AnswerKey, OptionDoc, QuestionDoc, QuestionKind};
use crate::formats::ImportWarning;

/// A question ready for its section; its key is set later, once every name is known.
pub(super) type Built = (QuestionKind, QuestionDoc);

struct Ctx<'a> {
    raw: &'a RawQuestion,
    warnings: &'a mut Vec<ImportWarning>,
}

impl Ctx<'_> {
    fn warn(&mut self, message: impl Display) {
        let message = format!("{}: {message}", self.raw.label());
        self.warnings.push(ImportWarning::new(self.raw.line, message));
    }
}

/// Maps one question; `None` (with a warning) when it cannot be taken without inventing something.
pub(super) fn build(raw: &RawQuestion, warnings: &mut Vec<ImportWarning>) -> Option<Built> {
    let mut ctx = Ctx { raw, warnings };
    match raw.kind {
        RawKind::Essay => Some((QuestionKind::Essay, base(raw, Vec::new()))),
        RawKind::Matching => {
            ctx.warn("matching questions are not supported by examd; skipped");
            None
        }
        RawKind::TrueFalse => Some(true_false(raw)),
        RawKind::Choice => choice(&mut ctx),
        RawKind::ShortAnswer => fill_blank(&mut ctx),
        RawKind::Numeric => numeric(&mut ctx),
    }
}

/// Feedback has no field of its own in examd; it is kept, labelled, in the explanation.
fn base(raw: &RawQuestion, mut feedback: Vec<String>) -> QuestionDoc {
    if !raw.general_feedback.is_empty() {
        feedback.push(raw.general_feedback.clone());
    }
    let explanation = (!feedback.is_empty()).then(|| feedback.join("\n"));
    QuestionDoc { prompt: raw.prompt.clone(), explanation, ..QuestionDoc::default() }
}

fn feedback_lines(answers: &[Answer]) -> Vec<String> {
    answers
        .iter()
        .filter(|a| !a.feedback.is_empty())
        .map(|a| format!("{}: {}", answer_label(&a.text), a.feedback))
        .collect()
}

fn answer_label(text: &str) -> &str {
    if text.is_empty() || text == "*" {
        "any other answer"
    } else {
        text
    }
}

/// Moodle's first feedback is shown for a wrong answer, the second for a right one; both explain the key.
fn true_false(raw: &RawQuestion) -> Built {
    let mut parts = raw.answers.splitn(3, '#');
    let key = parts.next().unwrap_or_default().trim();
    let value = key.eq_ignore_ascii_case("T") || key.eq_ignore_ascii_case("TRUE");
    let feedback = parts.map(text::clean).filter(|f| !f.is_empty()).collect();
    let mut doc = base(raw, feedback);
    doc.answer = Some(AnswerKey::Bool(value));
    (QuestionKind::TrueFalse, doc)
}

/// Moodle's rule: an `=` answer makes a single-choice question, only `~` answers a multiple-response one.
fn choice(ctx: &mut Ctx<'_>) -> Option<Built> {
    let all = text::answers(&ctx.raw.answers, &['~', '=']);
    let single = all.iter().any(|a| a.marker == Some('='));
    let feedback = feedback_lines(&all);
    let empty = all.iter().filter(|a| a.text.is_empty()).count();
    if empty > 0 {
        ctx.warn(format!("{empty} option(s) without text left out"));
    }
    let answers: Vec<Answer> = all.into_iter().filter(|a| !a.text.is_empty()).collect();
    if answers.len() < 2 {
        ctx.warn("a choice question needs at least two options; skipped");
        return None;
    }
    let mut doc = base(ctx.raw, feedback);
    doc.options = answers
        .iter()
        .enumerate()
        .map(|(i, a)| OptionDoc { key: option_key(i), text: a.text.clone(), weight: None })
        .collect();
    if single {
        single_choice(ctx, &answers, doc)
    } else {
        multiple_choice(ctx, &answers, doc)
    }
}

/// Moodle gives every `=` answer (and any `~%100%` one) full credit and lets the candidate pick one,
/// so several of them make a single-choice question whose key lists them all: any one, chosen alone,
/// is right.
fn single_choice(ctx: &mut Ctx<'_>, answers: &[Answer], mut doc: QuestionDoc) -> Option<Built> {
    let full = |a: &Answer| a.marker == Some('=') || a.weight.is_some_and(|w| w >= 100.0);
    let right: Vec<usize> = answers.iter().enumerate().filter(|(_, a)| full(a)).map(|(i, _)| i).collect();
    if right.is_empty() {
        ctx.warn("the correct option has no text, so there is no key; skipped");
        return None;
    }
    let names: Vec<String> = right.iter().map(|i| option_key(*i)).collect();
    for (_, other) in answers.iter().enumerate().filter(|(i, _)| !right.contains(i)) {
        if let Some(w) = other.weight.filter(|w| *w != 0.0) {
            ctx.warn(format!(
                "option \"{}\" carries {w}% in Moodle, but a single-choice question scores only its key \
                 ({}); that weight is dropped",
                excerpt(&other.text),
                names.join(", ")
            ));
        }
    }
    doc.answer = Some(match <[String; 1]>::try_from(names) {
        Ok([one]) => AnswerKey::One(one),
        Err(names) => {
            ctx.warn(format!(
                "{} options are marked right: any one of them, chosen alone, earns the points, as in \
                 Moodle (key {})",
                names.len(),
                names.join(", ")
            ));
            AnswerKey::Many(names)
        }
    });
    Some((QuestionKind::SingleChoice, doc))
}

/// Weights are kept as written and scored with `weighted`; the key lists the options worth something, so
/// a recruiter can switch the rule without re-entering it.
fn multiple_choice(ctx: &mut Ctx<'_>, answers: &[Answer], mut doc: QuestionDoc) -> Option<Built> {
    for (option, answer) in doc.options.iter_mut().zip(answers) {
        option.weight = answer.weight.filter(|w| *w != 0.0);
    }
    let positive: Vec<(String, f64)> =
        doc.options.iter().filter_map(|o| o.weight.filter(|w| *w > 0.0).map(|w| (o.key.clone(), w))).collect();
    if positive.is_empty() {
        ctx.warn("no option carries a positive weight, so there is no key; skipped");
        return None;
    }
    let total: f64 = positive.iter().map(|(_, w)| w).sum();
    if (total - 100.0).abs() > 0.01 {
        let shown = (total * 1000.0).round() / 1000.0;
        ctx.warn(format!("the positive weights add up to {shown}% rather than 100%"));
    }
    doc.answer = Some(AnswerKey::Many(positive.into_iter().map(|(key, _)| key).collect()));
    Some((QuestionKind::MultipleChoice, doc))
}

/// Moodle's short answer is examd's fill-in-the-blank: each `=` answer with a positive weight is accepted.
fn fill_blank(ctx: &mut Ctx<'_>) -> Option<Built> {
    let all = text::answers(&ctx.raw.answers, &['=']);
    let mut doc = base(ctx.raw, feedback_lines(&all));
    doc.accepted = all.iter().filter_map(|a| accepted(ctx, a)).collect();
    if doc.accepted.is_empty() {
        ctx.warn("no answer earns credit; skipped");
        return None;
    }
    Some((QuestionKind::FillBlank, doc))
}

fn accepted(ctx: &mut Ctx<'_>, answer: &Answer) -> Option<AcceptedDoc> {
    let weight = answer.weight.unwrap_or(100.0);
    let shown = excerpt(&answer.text);
    if answer.text.is_empty() {
        ctx.warn("an empty answer was left out");
        return None;
    }
    if answer.text == "*" {
        // `=%0%*` only carries feedback for every other answer, which the explanation keeps.
        if weight > 0.0 {
            ctx.warn(format!(
                "the wildcard answer * earns {weight}% in Moodle; examd cannot accept any answer, so it was left out"
            ));
        }
        return None;
    }
    if weight <= 0.0 {
        ctx.warn(format!("answer \"{shown}\" earns {weight}%, so it is not an accepted answer; left out"));
        return None;
    }
    if answer.text.contains('*') {
        ctx.warn(format!("answer \"{shown}\" contains *, a wildcard in Moodle; examd matches it literally"));
    }
    if weight > 100.0 {
        ctx.warn(format!("answer \"{shown}\" earns {weight}%; capped at 100%"));
    }
    let credit = (weight < 100.0).then_some(weight / 100.0);
    Some(AcceptedDoc { text: answer.text.clone(), credit })
}

/// examd's numeric question has one value and one tolerance: the first full-credit answer.
fn numeric(ctx: &mut Ctx<'_>) -> Option<Built> {
    let body = ctx.raw.answers.strip_prefix('#').unwrap_or(&ctx.raw.answers);
    let (main, otherwise) = body.split_once('~').unwrap_or((body, ""));
    let all = text::answers(main, &['=']);
    let mut feedback = feedback_lines(&all);
    let otherwise = otherwise.split_once('#').map(|(_, f)| text::clean(f)).unwrap_or_default();
    if !otherwise.is_empty() {
        feedback.push(format!("any other answer: {otherwise}"));
    }
    if all.iter().all(|a| a.text.is_empty() || a.text == "*") {
        ctx.warn("the answer block gives no number; skipped");
        return None;
    }
    let mut key = None;
    for answer in all.iter().filter(|a| a.text != "*") {
        let Some(value) = number_answer(&answer.text) else {
            ctx.warn(format!(
                "\"{}\" is not a number, a range min..max or value:tolerance; skipped",
                excerpt(&answer.text)
            ));
            return None;
        };
        let weight = answer.weight.unwrap_or(100.0);
        if weight >= 100.0 && key.is_none() {
            key = Some(value);
        } else if weight > 0.0 {
            ctx.warn(format!(
                "answer {} earns {weight}% in Moodle, but a numeric question has one key; it earns nothing here",
                excerpt(&answer.text)
            ));
        }
    }
    let Some((value, tolerance)) = key else {
        ctx.warn("no number earns full credit, so there is no key; skipped");
        return None;
    };
    let mut doc = base(ctx.raw, feedback);
    doc.answer = Some(AnswerKey::Number(value));
    doc.tolerance = tolerance;
    Some((QuestionKind::Numeric, doc))
}

/// `3`, `3:2` (value and tolerance) or `1..5` (a range, read as its middle ± half its width).
fn number_answer(text: &str) -> Option<(f64, Option<f64>)> {
    if let Some((min, max)) = text.split_once("..").filter(|(min, _)| !min.trim().is_empty()) {
        let (min, max) = (number(min)?, number(max)?);
        return finite(f64::midpoint(min, max), Some(((max - min) / 2.0).abs()));
    }
    if let Some((value, tolerance)) = text.split_once(':').filter(|(value, _)| !value.trim().is_empty()) {
        return finite(number(value)?, Some(number(tolerance)?.abs()));
    }
    finite(number(text)?, None)
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn finite(value: f64, tolerance: Option<f64>) -> Option<(f64, Option<f64>)> {
    (value.is_finite() && tolerance.is_none_or(f64::is_finite)).then_some((value, tolerance))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_ranges_and_tolerances() {
        assert_eq!(number_answer("3:2"), Some((3.0, Some(2.0))));
        assert_eq!(number_answer("1..5"), Some((3.0, Some(2.0))));
        assert_eq!(number_answer("-5..-1"), Some((-3.0, Some(2.0))));
        assert_eq!(number_answer(" 42 "), Some((42.0, None)));
        assert_eq!(number_answer("3:-1"), Some((3.0, Some(1.0))));
        assert_eq!(number_answer("-1.7e308..1.7e308"), None);
        assert_eq!(number_answer("NaN"), None);
        assert_eq!(number_answer("..5"), None);
        assert_eq!(number_answer("three"), None);
    }
}
