//! Turns the drafts into the paper document: kinds, points, rules and keys per section, with a
//! warning for everything assumed or left out. Keys are only ever taken from the text.

use crate::domain::paper::{AcceptedDoc, AnswerKey, OptionDoc, PenaltyFloor, QuestionDoc, QuestionKind, SectionDoc};
use crate::domain::points::Points;

use super::draft::{DraftQuestion, DraftSection};
use super::heading::question_kind_label;
use super::keys::{accepted, bracketed_key, choice_letters, truth};
use super::open::split_unlabeled_answer;
use super::repeats::{settle, Settled};
use super::ImportWarning;

/// Points per question when neither the file nor the caller gives any.
const FALLBACK_POINTS: Points = Points::whole(5);

/// Builds one section, or `None` (with a warning) when it holds no question.
pub(super) fn section(
    draft: &DraftSection,
    default_points: Option<Points>,
    warnings: &mut Vec<ImportWarning>,
) -> Option<SectionDoc> {
    // Warnings on the heading's line quote the heading, which a run-on line holds somewhere inside.
    let heading = draft.heading.title.clone();
    let mut warn = |line: usize, message: String| {
        let hint = if line == draft.line { heading.as_str() } else { "" };
        warnings.push(ImportWarning::about(line, hint, message));
    };
    let kind = section_kind(draft);
    let title = if draft.implicit { kind_title(kind).to_string() } else { draft.heading.title.clone() };
    if draft.questions.is_empty() {
        warn(draft.line, format!("section “{title}” has no questions and was left out"));
        return None;
    }
    let found = draft.questions.len();
    if let Some(count) = draft.heading.spec.count.filter(|&c| c as usize != found) {
        warn(draft.line, format!("section “{title}”: the heading says {count} questions, {found} were found"));
    }
    let (points, overrides) = points(draft, &title, default_points, &mut warn);
    // Warnings about a question quote its stem, so they point at it even on a run-on line.
    let mut about_questions = Vec::new();
    let mut questions: Vec<QuestionDoc> = draft
        .questions
        .iter()
        .map(|q| {
            let before = about_questions.len();
            let doc =
                question(q, kind, &title, &mut |line, message| about_questions.push(ImportWarning::new(line, message)));
            for w in about_questions[before..].iter_mut().filter(|w| w.line == q.line) {
                w.excerpt.clone_from(&q.prompt);
            }
            doc
        })
        .collect();
    for (q, p) in questions.iter_mut().zip(overrides) {
        q.points = p;
    }
    if draft.questions.iter().zip(&questions).any(|(d, q)| d.answer.is_none() && q.reference_answer.is_some()) {
        warn(
            draft.line,
            format!("section “{title}”: answers without a 参考答案 label were taken from the text after each question"),
        );
    }
    report_unanswered(draft, &title, kind, &questions, &mut warn);
    let mut section = SectionDoc::new(title, kind, points, questions);
    rules(draft, &mut section, &mut warn);
    warnings.extend(about_questions);
    Some(section)
}

fn section_kind(draft: &DraftSection) -> QuestionKind {
    if let Some(kind) = draft.heading.kind {
        return kind;
    }
    if !draft.questions.iter().any(|q| q.options.len() >= 2) {
        return QuestionKind::ShortAnswer;
    }
    let several =
        |q: &DraftQuestion| q.answer.as_ref().and_then(|a| choice_letters(&a.text)).is_some_and(|(l, _)| l.len() > 1);
    if draft.questions.iter().any(several) {
        QuestionKind::MultipleChoice
    } else {
        QuestionKind::SingleChoice
    }
}

/// A title for questions that came without a heading.
fn kind_title(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::SingleChoice => "单选题",
        QuestionKind::MultipleChoice => "多选题",
        QuestionKind::TrueFalse => "判断题",
        QuestionKind::FillBlank => "填空题",
        QuestionKind::Numeric => "计算题",
        QuestionKind::ShortAnswer => "简答题",
        QuestionKind::Scenario => "情景题",
        QuestionKind::Essay => "论述题",
    }
}

/// Per-question points and any per-question overrides that make a section total add up.
fn points(
    draft: &DraftSection,
    title: &str,
    default_points: Option<Points>,
    warn: &mut impl FnMut(usize, String),
) -> (Points, Vec<Option<Points>>) {
    let spec = &draft.heading.spec;
    let found = draft.questions.len();
    let none = vec![None; found];
    if let Some((a, b, total)) = spec.product.filter(|_| spec.each.is_none()) {
        // `2×10=20分` and `10×2=20分` both occur: the factor that counts the questions found is the count.
        let count = Points::whole(found as i64);
        let each = if b == count {
            Some(a)
        } else if a == count {
            Some(b)
        } else {
            None
        };
        match each {
            Some(each) => return (each, none),
            None => warn(
                draft.line,
                format!("section “{title}”: neither factor of {a}×{b}={total} is the {found} questions found; the total was shared out"),
            ),
        }
    }
    let total_from_product = spec.product.map(|(_, _, total)| total);
    if let Some(each) = spec.each.filter(|_| spec.per_blank) {
        return super::blanks::points(draft, title, each, warn);
    }
    if let Some(each) = spec.each {
        let count = spec.count.map_or(found as i64, i64::from);
        if let Some(total) = spec.total.filter(|t| t.hundredths() != each.hundredths() * count) {
            warn(draft.line, format!("section “{title}”: {count} × {each} points is not the stated total of {total}; {each} per question was used"));
        }
        return (each, none);
    }
    if let Some(total) = spec.total.or(total_from_product) {
        let count = spec.count.map_or(found as i64, i64::from).max(1);
        let (base, rest) = (total.hundredths() / count, total.hundredths() % count);
        if rest == 0 {
            return (Points::from_hundredths(base), none);
        }
        let base = Points::from_hundredths(base);
        let more = Points::from_hundredths(base.hundredths() + 1);
        let rest = usize::try_from(rest).unwrap_or(0).min(found);
        warn(
            draft.line,
            format!("section “{title}”: {total} points do not split evenly over {count} questions; {base} each, the last {rest} get {more}"),
        );
        let overrides = (0..found).map(|i| (i >= found - rest).then_some(more)).collect();
        return (base, overrides);
    }
    let points = default_points.unwrap_or(FALLBACK_POINTS);
    warn(draft.line, format!("section “{title}” gives no points; {points} per question was used"));
    (points, none)
}

/// The scoring rule, penalty and floor from the heading, where the section's kind can use them.
fn rules(draft: &DraftSection, section: &mut SectionDoc, warn: &mut impl FnMut(usize, String)) {
    let spec = &draft.heading.spec;
    let title = &section.title;
    if section.kind == QuestionKind::MultipleChoice {
        section.scoring = spec.scoring;
        if let Some(rule) = &spec.unsupported {
            warn(
                draft.line,
                format!("section “{title}”: the rule “{rule}” cannot be expressed; all-or-nothing scoring applies"),
            );
        }
    }
    let penalised = matches!(section.kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse);
    match spec.penalty {
        Some(p) if penalised => section.penalty = Some(p),
        Some(p) => warn(
            draft.line,
            format!(
                "section “{title}”: a penalty of {p} applies only to single choice and true/false; it was left out"
            ),
        ),
        None => {}
    }
    if spec.floor_at_section && penalised {
        section.penalty_floor = PenaltyFloor::Section;
    }
}

fn question(
    draft: &DraftQuestion,
    section_kind: QuestionKind,
    title: &str,
    warn: &mut impl FnMut(usize, String),
) -> QuestionDoc {
    let mut doc = QuestionDoc { prompt: draft.prompt.trim().to_string(), ..QuestionDoc::default() };
    if doc.prompt.is_empty() {
        warn(draft.line, format!("question {} of “{title}” has no text", draft.number));
    }
    let labelled = question_kind_label(&doc.prompt);
    if let Some((_, rest)) = &labelled {
        doc.prompt = rest.clone();
    }
    let settled = settle(draft, labelled.as_ref().map_or(section_kind, |l| l.0), title, warn);
    let answer = match &settled {
        Settled::One(text) => Some(text.as_str()),
        Settled::None | Settled::Conflict => None,
    };
    let kind = question_kind(draft, section_kind, labelled.map(|l| l.0), answer, title, warn);
    if kind != section_kind {
        doc.kind = Some(kind);
    }
    let mut explanation = draft.explanation.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(String::from);
    let conflict = settled == Settled::Conflict;
    match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            doc.options = draft
                .options
                .iter()
                .map(|o| OptionDoc { key: o.letter.to_string(), text: o.text.clone(), weight: None })
                .collect();
            if !conflict {
                let (key, rest) = choice_key(draft, &mut doc.prompt, answer, kind, title, warn);
                doc.answer = key;
                if explanation.is_none() && !rest.is_empty() {
                    explanation = Some(rest);
                }
            }
        }
        QuestionKind::TrueFalse => {
            options_into_prompt(draft, &mut doc.prompt, title, warn);
            if !conflict {
                doc.answer = truth_key(answer, &mut doc.prompt).map(AnswerKey::Bool);
            }
        }
        QuestionKind::FillBlank => {
            options_into_prompt(draft, &mut doc.prompt, title, warn);
            doc.accepted = answer
                .map(accepted)
                .unwrap_or_default()
                .into_iter()
                .map(|text| AcceptedDoc { text, credit: None })
                .collect();
        }
        _ => {
            options_into_prompt(draft, &mut doc.prompt, title, warn);
            doc.reference_answer = match answer {
                Some(a) => Some(a.to_string()),
                None => split_unlabeled_answer(&doc.prompt).map(|(prompt, answer)| {
                    doc.prompt = prompt;
                    answer
                }),
            };
        }
    }
    doc.explanation = explanation;
    let keyed = matches!(kind, QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::TrueFalse);
    if doc.answer.is_none() && keyed && !conflict {
        let line = draft.answer.as_ref().map_or(draft.line, |a| a.line);
        warn(
            line,
            format!("question {} of “{title}” has no key that could be read; it was left without one", draft.number),
        );
    }
    if kind == QuestionKind::FillBlank && doc.accepted.is_empty() {
        warn(draft.line, format!("question {} of “{title}” has no accepted answer", draft.number));
    }
    doc
}

/// The kind a question is imported as: its own label (`1. 多选题 …`) or its section's, unless its
/// options say otherwise. A change is always reported.
fn question_kind(
    draft: &DraftQuestion,
    section_kind: QuestionKind,
    label: Option<QuestionKind>,
    answer: Option<&str>,
    title: &str,
    warn: &mut impl FnMut(usize, String),
) -> QuestionKind {
    let n = draft.number;
    let kind = label.unwrap_or(section_kind);
    if kind.has_options() && draft.options.len() < 2 {
        warn(
            draft.line,
            format!(
                "question {n} of “{title}” is {} but has no options; it was imported as a short-answer question",
                kind.as_str()
            ),
        );
        return QuestionKind::ShortAnswer;
    }
    let letters = answer.and_then(choice_letters).map(|(l, _)| l).unwrap_or_default();
    let fits = !letters.is_empty() && letters.iter().all(|l| draft.options.iter().any(|o| o.letter == *l));
    if !kind.has_options() && draft.options.len() >= 2 && fits {
        let choice = if letters.len() > 1 { QuestionKind::MultipleChoice } else { QuestionKind::SingleChoice };
        warn(
            draft.line,
            format!(
                "question {n} of “{title}” has options and a letter key; it was imported as {} rather than {}",
                choice.as_str(),
                kind.as_str()
            ),
        );
        return choice;
    }
    kind
}

/// The key of a choice question, from its answer or from the prompt's brackets, checked against
/// its options; anything unreadable stays `None`.
fn choice_key(
    draft: &DraftQuestion,
    prompt: &mut String,
    answer: Option<&str>,
    kind: QuestionKind,
    title: &str,
    warn: &mut impl FnMut(usize, String),
) -> (Option<AnswerKey>, String) {
    let from_answer = answer.and_then(choice_letters);
    let (letters, rest) = match from_answer {
        Some(found) => found,
        None if answer.is_some() => return (None, String::new()),
        None => match bracketed_key(prompt, |k| choice_letters(k).is_some_and(|(_, rest)| rest.is_empty())) {
            Some((blanked, key)) => {
                *prompt = blanked;
                (choice_letters(&key).map(|k| k.0).unwrap_or_default(), String::new())
            }
            None => return (None, String::new()),
        },
    };
    let line = draft.answer.as_ref().map_or(draft.line, |a| a.line);
    let n = draft.number;
    if let Some(unknown) = letters.iter().find(|l| !draft.options.iter().any(|o| o.letter == **l)) {
        warn(line, format!("question {n} of “{title}”: key {unknown} is not among its options"));
        return (None, rest);
    }
    let keys: Vec<String> = letters.iter().map(char::to_string).collect();
    match kind {
        QuestionKind::SingleChoice if keys.len() == 1 => (keys.into_iter().next().map(AnswerKey::One), rest),
        QuestionKind::SingleChoice => {
            warn(line, format!("question {n} of “{title}” is single choice but its key names {} options", keys.len()));
            (None, rest)
        }
        _ => (Some(AnswerKey::Many(keys)), rest),
    }
}

fn truth_key(answer: Option<&str>, prompt: &mut String) -> Option<bool> {
    match answer {
        Some(a) => truth(a),
        None => {
            let (blanked, key) = bracketed_key(prompt, |k| truth(k).is_some())?;
            *prompt = blanked;
            truth(&key)
        }
    }
}

/// Options under a question that takes none are kept as prompt text rather than lost.
fn options_into_prompt(draft: &DraftQuestion, prompt: &mut String, title: &str, warn: &mut impl FnMut(usize, String)) {
    if draft.options.is_empty() {
        return;
    }
    for o in &draft.options {
        prompt.push('\n');
        prompt.push(o.letter);
        prompt.push('.');
        prompt.push_str(&o.text);
    }
    warn(
        draft.line,
        format!(
            "question {} of “{title}” has options its kind does not use; they were kept in the prompt",
            draft.number
        ),
    );
}

/// Questions of a section the answer part covered but did not answer, so the recruiter knows
/// which reference answers or keys the document lost (it often stops mid-answer).
fn report_unanswered(
    draft: &DraftSection,
    title: &str,
    kind: QuestionKind,
    questions: &[QuestionDoc],
    warn: &mut impl FnMut(usize, String),
) {
    if !draft.in_answer_part || !kind.is_open() {
        return;
    }
    let missing: Vec<String> = draft
        .questions
        .iter()
        .zip(questions)
        .filter(|(_, q)| q.reference_answer.is_none())
        .map(|(d, _)| d.number.to_string())
        .collect();
    if !missing.is_empty() {
        warn(
            draft.line,
            format!("section “{title}”: no reference answer found for question(s) {}", missing.join(", ")),
        );
    }
}
