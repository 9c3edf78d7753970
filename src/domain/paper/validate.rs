//! Validation of a normalised document, with messages that name the place ("section 2, question 3:
//! answer key F is not among the options A–E") and a field path for clients.

use std::collections::BTreeSet;

use super::{AnswerKey, FieldError, PaperDoc, QuestionKind, QuestionRef, Scoring};

/// Longest key a question may have; keys appear in URLs.
const MAX_KEY_LEN: usize = 64;

/// What validation found: errors that make the document unusable, and keys a draft may still
/// lack (a question bank imported without its answers) but a published paper may not.
#[derive(Debug, Default)]
pub(super) struct Findings {
    /// Every problem, in document order.
    pub all: Vec<FieldError>,
    /// The missing keys among them.
    pub missing_keys: Vec<FieldError>,
}

impl Findings {
    /// Whether only keys are missing.
    pub fn only_missing_keys(&self) -> bool {
        self.all.len() == self.missing_keys.len()
    }
}

pub(super) fn validate(doc: &PaperDoc) -> Findings {
    let all = std::cell::RefCell::new(Vec::new());
    let mut missing_keys = Vec::new();
    let mut err = |field: String, message: String| all.borrow_mut().push(FieldError { field, message });
    let mut missing = |field: String, message: String| {
        let error = FieldError { field, message };
        all.borrow_mut().push(error.clone());
        missing_keys.push(error);
    };
    if doc.title.trim().is_empty() {
        err("title".into(), "the paper needs a title".into());
    }
    if doc.sections.is_empty() {
        err("sections".into(), "the paper needs at least one section".into());
    }
    let mut seen_keys = BTreeSet::new();
    for (si, section) in doc.sections.iter().enumerate() {
        let sp = format!("sections[{si}]");
        let place = format!("section {}", si + 1);
        if section.title.trim().is_empty() {
            err(format!("{sp}.title"), format!("{place}: the section needs a title"));
        }
        if !section.points.is_positive() {
            err(format!("{sp}.points"), format!("{place}: points per question must be above 0"));
        }
        if section.questions.is_empty() {
            err(format!("{sp}.questions"), format!("{place}: the section has no questions"));
        }
        if let Some(p) = section.penalty {
            if p.is_negative() {
                err(format!("{sp}.penalty"), format!("{place}: a penalty is written as a positive amount"));
            }
        }
        if let Some(Scoring::PerCorrect(v)) = section.scoring {
            if !v.is_positive() {
                err(format!("{sp}.scoring"), format!("{place}: per_correct needs a value above 0"));
            }
        }
        for (qi, q) in section.questions.iter().enumerate() {
            let qp = format!("{sp}.questions[{qi}]");
            let place = format!("section {}, question {}", si + 1, qi + 1);
            let question = QuestionRef { section_index: si, section, doc: q };
            if !seen_keys.insert(q.key.clone()) {
                err(format!("{qp}.key"), format!("{place}: key {} is used twice", q.key));
            }
            if q.key.len() > MAX_KEY_LEN || !q.key.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
                err(
                    format!("{qp}.key"),
                    format!("{place}: a key is at most {MAX_KEY_LEN} letters, digits, '-', '_' or '.'"),
                );
            }
            validate_question(&question, &qp, &place, &mut err, &mut missing);
        }
    }
    Findings { all: all.into_inner(), missing_keys }
}

fn validate_question(
    q: &QuestionRef<'_>,
    qp: &str,
    place: &str,
    err: &mut impl FnMut(String, String),
    missing: &mut impl FnMut(String, String),
) {
    let doc = q.doc;
    let kind = q.kind();
    if doc.prompt.trim().is_empty() {
        err(format!("{qp}.prompt"), format!("{place}: the prompt is empty"));
    }
    if !q.points().is_positive() {
        err(format!("{qp}.points"), format!("{place}: points must be above 0"));
    }
    if q.penalty().is_negative() {
        err(format!("{qp}.penalty"), format!("{place}: a penalty is written as a positive amount"));
    }
    if q.penalty().is_positive() && !matches!(kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse) {
        err(
            format!("{qp}.penalty"),
            format!("{place}: a penalty applies only to single choice and true/false questions"),
        );
    }
    let option_keys: Vec<&str> = doc.options.iter().map(|o| o.key.as_str()).collect();
    let option_range = match (option_keys.first(), option_keys.last()) {
        (Some(first), Some(last)) => format!("{first}–{last}"),
        _ => "none".to_string(),
    };
    let known = |k: &str| option_keys.contains(&k);
    if kind.has_options() {
        if doc.options.len() < 2 {
            err(format!("{qp}.options"), format!("{place}: a choice question needs at least two options"));
        }
        let mut seen = BTreeSet::new();
        for (oi, o) in doc.options.iter().enumerate() {
            if !seen.insert(o.key.as_str()) {
                err(format!("{qp}.options[{oi}].key"), format!("{place}: option {} appears twice", o.key));
            }
            if o.text.trim().is_empty() {
                err(format!("{qp}.options[{oi}].text"), format!("{place}: option {} has no text", o.key));
            }
        }
    } else if !doc.options.is_empty() {
        err(format!("{qp}.options"), format!("{place}: a {} question has no options", kind.as_str()));
    }
    let weighted = kind == QuestionKind::MultipleChoice && q.scoring() == Scoring::Weighted;
    if kind.has_options() && !weighted {
        let named: Vec<&String> = match &doc.answer {
            Some(AnswerKey::One(k)) => vec![k],
            Some(AnswerKey::Many(ks)) => ks.iter().collect(),
            _ => Vec::new(),
        };
        for k in named.iter().filter(|k| !known(k)) {
            err(format!("{qp}.answer"), format!("{place}: answer key {k} is not among the options {option_range}"));
        }
        if named.iter().collect::<BTreeSet<_>>().len() != named.len() {
            err(format!("{qp}.answer"), format!("{place}: the answer key names an option twice"));
        }
    }
    match (kind, &doc.answer) {
        (QuestionKind::SingleChoice, Some(AnswerKey::One(_))) => {}
        // Several right options, any one of which earns the points (GIFT's `{=a =b ~c}`).
        (QuestionKind::SingleChoice, Some(AnswerKey::Many(ks))) if ks.is_empty() => {
            err(format!("{qp}.answer"), format!("{place}: the answer key names no option"));
        }
        (QuestionKind::SingleChoice, Some(AnswerKey::Many(_))) => {}
        (QuestionKind::MultipleChoice, _) if weighted => {
            let any_positive = doc.options.iter().any(|o| o.weight.unwrap_or(0.0) > 0.0);
            if !any_positive {
                err(
                    format!("{qp}.options"),
                    format!("{place}: weighted scoring needs an option with a positive weight"),
                );
            }
        }
        (QuestionKind::MultipleChoice, Some(AnswerKey::Many(ks))) if ks.is_empty() => {
            err(format!("{qp}.answer"), format!("{place}: the answer key names no option"));
        }
        // A one-letter key in a multiple-choice question is a list of one, written without brackets.
        (QuestionKind::MultipleChoice, Some(AnswerKey::Many(_) | AnswerKey::One(_))) => {}
        (QuestionKind::TrueFalse, Some(AnswerKey::Bool(_))) => {}
        (QuestionKind::Numeric, Some(AnswerKey::Number(v))) => {
            if !v.is_finite() {
                err(format!("{qp}.answer"), format!("{place}: the numeric key must be a finite number"));
            }
            if doc.tolerance.is_some_and(|t| !(t >= 0.0 && t.is_finite())) {
                err(format!("{qp}.tolerance"), format!("{place}: the tolerance must be 0 or more"));
            }
        }
        (QuestionKind::FillBlank, None) => {
            if doc.accepted.is_empty() {
                missing(
                    format!("{qp}.accepted"),
                    format!("{place}: a fill-in-the-blank question needs accepted answers"),
                );
            }
            for (ai, a) in doc.accepted.iter().enumerate() {
                if a.text.trim().is_empty() {
                    err(format!("{qp}.accepted[{ai}].text"), format!("{place}: an accepted answer is empty"));
                }
                if a.credit.is_some_and(|c| !(c > 0.0 && c <= 1.0)) {
                    err(format!("{qp}.accepted[{ai}].credit"), format!("{place}: credit is a share between 0 and 1"));
                }
            }
        }
        (k, None) if !k.is_open() => {
            missing(format!("{qp}.answer"), format!("{place}: an auto-graded question needs an answer key"));
        }
        (k, Some(_)) if k.is_open() || k == QuestionKind::FillBlank => {
            err(format!("{qp}.answer"), format!("{place}: a {} question takes no `answer` key", k.as_str()));
        }
        (k, Some(_)) => {
            let expected = match k {
                QuestionKind::SingleChoice => {
                    "one option key such as \"C\" (or a list of options any one of which is right)"
                }
                QuestionKind::MultipleChoice => "a list of option keys such as [A, C]",
                QuestionKind::TrueFalse => "true or false",
                _ => "a number",
            };
            err(format!("{qp}.answer"), format!("{place}: the answer key must be {expected}"));
        }
        _ => {}
    }
    if !doc.accepted.is_empty() && kind != QuestionKind::FillBlank {
        err(format!("{qp}.accepted"), format!("{place}: only fill-in-the-blank questions take accepted answers"));
    }
    for (ri, r) in doc.rubric.iter().enumerate() {
        if !r.points.is_positive() {
            err(format!("{qp}.rubric[{ri}].points"), format!("{place}: a rubric criterion is worth more than 0"));
        }
    }
    if doc.word_limit == Some(0) {
        err(format!("{qp}.word_limit"), format!("{place}: a word limit must be above 0"));
    }
}
