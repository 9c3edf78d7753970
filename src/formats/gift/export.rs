//! examd paper → GIFT, for Moodle and for round trips through examd's own importer.

use std::fmt::Write;

use super::examd_meta;

use crate::domain::paper::{
    option_key, AcceptedDoc, AnswerKey, OptionDoc, PaperDoc, QuestionDoc, QuestionKind, Scoring, SectionDoc,
};

/// Writes a paper (meant for a validated one, `Paper::doc()`) as GIFT.
///
/// Every question is written as `::key::prompt{…}`, its explanation (an open question's reference
/// answer) as `####` general feedback, the title and instructions as `//` comments, each section as a
/// `$CATEGORY:` with its points in a comment. What GIFT cannot say is listed by
/// [`export_with_losses`]: points, penalties, shuffle flags, rubrics and word limits. Open kinds (short
/// answer, scenario, essay) are all GIFT essays `{}`, so they come back as essays.
///
/// Multiple choice is always written with weights, as GIFT knows no other rule: `weighted` keeps its
/// weights; `partial` and `all_or_nothing` give each key option 100/n % and every other option −100 %,
/// which is exactly `partial` once the sum is clamped at 0 (Moodle has no all-or-nothing, so that
/// rule is exported as partial credit); `per_correct` gives each key option its value as a share of
/// the points, and every other option −100 %.
#[must_use]
pub fn export(doc: &PaperDoc) -> String {
    export_with_losses(doc).0
}

/// Writes a paper as GIFT, and says what GIFT could not carry: the list is also written at the top of
/// the file as comments, so whoever opens it in Moodle or in examd is told. Each section becomes a
/// `$CATEGORY:` (Moodle files its questions in a category of that name) followed by its points as a
/// comment; an open question's reference answer is its `####` general feedback, which Moodle shows
/// after the attempt.
#[must_use]
pub fn export_with_losses(doc: &PaperDoc) -> (String, Vec<String>) {
    let lost = losses(doc);
    let mut out = String::new();
    comment(&mut out, &doc.title);
    comment(&mut out, &doc.instructions);
    for loss in &lost {
        comment(&mut out, &format!("Not carried into Moodle: {loss}"));
    }
    for (i, section) in doc.sections.iter().enumerate() {
        let _ = writeln!(out, "\n$CATEGORY: $course$/{}", section.title.trim().replace('/', "//").replace('\n', " "));
        comment(&mut out, &format!("Section: {}; {} point(s) per question", section.title, section.points));
        let _ = writeln!(out, "{}", examd_meta::section_line(section));
        if i == 0 {
            let _ = writeln!(out, "{}", examd_meta::paper_line(doc));
        }
        for question in &section.questions {
            out.push('\n');
            if let Some(line) = examd_meta::question_line(section, question) {
                let _ = writeln!(out, "{line}");
            }
            write_question(&mut out, section, question);
        }
    }
    (out, lost)
}

/// What Moodle will not take from the GIFT file, one line per kind of loss. examd's own import reads
/// all of it back from the `[examd:…]` comments.
fn losses(doc: &PaperDoc) -> Vec<String> {
    let questions = || doc.sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q)));
    let count = |test: &dyn Fn(&SectionDoc, &QuestionDoc) -> bool| questions().filter(|(s, q)| test(s, q)).count();
    let kind = |s: &SectionDoc, q: &QuestionDoc| q.kind.unwrap_or(s.kind);
    let mut lost =
        vec!["the title, instructions, section titles and points are comments and categories: Moodle files the \
              questions by section but gives them its own points (examd's import reads them back from the \
              [examd:…] comments)"
            .to_string()];
    let mut note = |n: usize, what: &str| {
        if n > 0 {
            lost.push(format!("{n} question(s): {what}"));
        }
    };
    note(
        count(&|s, q| kind(s, q).is_open() && kind(s, q) != QuestionKind::Essay),
        "short answer and scenario questions come back as essays",
    );
    note(
        count(&|s, q| kind(s, q).is_open() && q.reference_answer.is_some()),
        "the reference answer is the general feedback, which comes back as the explanation",
    );
    note(
        count(&|s, q| kind(s, q).is_open() && q.reference_answer.is_some() && q.explanation.is_some()),
        "the explanation is left out, as the general feedback holds the reference answer",
    );
    note(count(&|_, q| !q.rubric.is_empty()), "the marking rubric is left out");
    note(count(&|_, q| q.word_limit.is_some()), "the word limit is left out");
    note(
        count(&|s, q| q.penalty.or(s.penalty).is_some_and(|p| p.is_positive())),
        "the penalty for a wrong answer is left out",
    );
    note(
        count(&|s, q| {
            kind(s, q) == QuestionKind::MultipleChoice
                && q.scoring.or(s.scoring).unwrap_or(Scoring::AllOrNothing) == Scoring::AllOrNothing
        }),
        "all-or-nothing multiple choice is written as Moodle's partial credit (weights), and comes back weighted",
    );
    note(
        count(&|s, q| {
            kind(s, q) == QuestionKind::MultipleChoice
                && matches!(q.scoring.or(s.scoring), Some(Scoring::Partial | Scoring::PerCorrect(_)))
        }),
        "the scoring rule is written as weights and comes back weighted",
    );
    let shuffled =
        doc.sections.iter().filter(|s| s.shuffle_questions || s.shuffle_options || s.guidance.is_some()).count();
    if shuffled > 0 {
        lost.push(format!("{shuffled} section(s): shuffling and marker guidance are left out"));
    }
    lost
}

fn comment(out: &mut String, text: &str) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let _ = writeln!(out, "// {line}");
    }
}

// `write!` into a `String` cannot fail, hence the ignored results.
fn write_question(out: &mut String, section: &SectionDoc, q: &QuestionDoc) {
    if !q.key.is_empty() {
        let _ = write!(out, "::{}::", escape(&q.key));
    }
    out.push_str(&protect(escape(&q.prompt)));
    let mut lines = answer_lines(section, q);
    let open = q.kind.unwrap_or(section.kind).is_open();
    let feedback =
        if open { q.reference_answer.as_deref().or(q.explanation.as_deref()) } else { q.explanation.as_deref() };
    if let Some(feedback) = feedback.filter(|e| !e.trim().is_empty()) {
        lines.push(format!("####{}", protect(escape(feedback))));
    }
    if lines.is_empty() {
        out.push_str("{}\n");
        return;
    }
    out.push_str("{\n");
    for line in lines {
        let _ = writeln!(out, "\t{line}");
    }
    out.push_str("}\n");
}

fn answer_lines(section: &SectionDoc, q: &QuestionDoc) -> Vec<String> {
    match q.kind.unwrap_or(section.kind) {
        QuestionKind::SingleChoice => single_choice(q),
        QuestionKind::MultipleChoice => multiple_choice(section, q),
        QuestionKind::TrueFalse => true_false(q),
        QuestionKind::FillBlank => q.accepted.iter().map(accepted).collect(),
        QuestionKind::Numeric => numeric(q),
        QuestionKind::ShortAnswer | QuestionKind::Scenario | QuestionKind::Essay => Vec::new(),
    }
}

/// Option keys as `Paper::parse` normalises them, so an unnormalised document exports the same.
fn keys_of(q: &QuestionDoc) -> Vec<String> {
    q.options
        .iter()
        .enumerate()
        .map(|(i, o)| match o.key.trim() {
            "" => option_key(i),
            key => key.to_uppercase(),
        })
        .collect()
}

fn answer_keys(q: &QuestionDoc) -> Vec<String> {
    match &q.answer {
        Some(AnswerKey::One(key)) => vec![key.trim().to_uppercase()],
        Some(AnswerKey::Many(keys)) => keys.iter().map(|k| k.trim().to_uppercase()).collect(),
        _ => Vec::new(),
    }
}

/// Every right option is `=`; when all of them are right, the last is written `~%100%` (full credit
/// in Moodle too), since a block without `~` would read as a short answer.
fn single_choice(q: &QuestionDoc) -> Vec<String> {
    let key = answer_keys(q);
    let keys = keys_of(q);
    let all_right = keys.iter().all(|k| key.contains(k));
    let last = keys.len().saturating_sub(1);
    keys.iter()
        .zip(&q.options)
        .enumerate()
        .map(|(i, (k, o))| match key.contains(k) {
            true if all_right && i == last => format!("~%100%{}", option_text(o)),
            true => format!("={}", option_text(o)),
            false => format!("~{}", option_text(o)),
        })
        .collect()
}

fn multiple_choice(section: &SectionDoc, q: &QuestionDoc) -> Vec<String> {
    q.options.iter().zip(weights(section, q)).map(|(o, w)| weighted_option(o, w)).collect()
}

fn weighted_option(o: &OptionDoc, weight: f64) -> String {
    if weight == 0.0 {
        format!("~{}", option_text(o))
    } else {
        format!("~%{}%{}", percent(weight), option_text(o))
    }
}

fn weights(section: &SectionDoc, q: &QuestionDoc) -> Vec<f64> {
    let scoring = q.scoring.or(section.scoring).unwrap_or(Scoring::AllOrNothing);
    if scoring == Scoring::Weighted {
        return q.options.iter().map(|o| o.weight.unwrap_or(0.0)).collect();
    }
    let key = answer_keys(q);
    let options = keys_of(q);
    let in_key = options.iter().filter(|k| key.contains(k)).count().max(1) as f64;
    let points = q.points.unwrap_or(section.points).as_f64();
    let right = match scoring {
        Scoring::PerCorrect(value) if points > 0.0 => (value.as_f64() / points * 100.0).min(100.0),
        _ => 100.0 / in_key,
    };
    // Five decimals, as Moodle writes 33.33333.
    let right = (right * 1e5).round() / 1e5;
    options.iter().map(|k| if key.contains(k) { right } else { -100.0 }).collect()
}

fn true_false(q: &QuestionDoc) -> Vec<String> {
    match q.answer {
        Some(AnswerKey::Bool(value)) => vec![if value { "TRUE" } else { "FALSE" }.to_string()],
        _ => Vec::new(),
    }
}

fn accepted(a: &AcceptedDoc) -> String {
    match a.credit {
        Some(c) if c < 1.0 => format!("=%{}%{}", credit_percent(c), protect(escape(&a.text))),
        _ => format!("={}", protect(escape(&a.text))),
    }
}

fn numeric(q: &QuestionDoc) -> Vec<String> {
    match (&q.answer, q.tolerance) {
        (Some(AnswerKey::Number(v)), Some(t)) => vec![format!("#{v}:{t}")],
        (Some(AnswerKey::Number(v)), None) => vec![format!("#{v}")],
        _ => Vec::new(),
    }
}

fn option_text(o: &OptionDoc) -> String {
    protect(escape(&o.text))
}

/// The shortest decimal that reads back as exactly `weight`, so weights survive a round trip.
fn percent(weight: f64) -> String {
    shortest(weight, |p| p == weight)
}

/// A credit share as the percentage whose import (`p / 100`) gives back exactly `credit`.
fn credit_percent(credit: f64) -> String {
    shortest(credit * 100.0, |p| p / 100.0 == credit)
}

fn shortest(value: f64, reads_back: impl Fn(f64) -> bool) -> String {
    let text = (0..=17)
        .map(|decimals| format!("{value:.decimals$}"))
        .find(|text| text.parse::<f64>().is_ok_and(&reads_back))
        .unwrap_or_else(|| value.to_string());
    if text.parse::<f64>() == Ok(0.0) {
        "0".to_string()
    } else {
        text
    }
}

/// Moodle's escaping: the characters GIFT reserves get a backslash, newlines become `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '\\' | ':' | '#' | '=' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Text that would read as a format tag, a weight or a comment gets an explicit `[plain]` in front,
/// which both Moodle and examd drop again.
fn protect(escaped: String) -> String {
    if escaped.starts_with(['[', '%']) || escaped.starts_with("//") {
        format!("[plain]{escaped}")
    } else {
        escaped
    }
}
