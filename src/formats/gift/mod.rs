//! Moodle GIFT import and export.
//!
//! Import follows Moodle's own reader (`question/format/gift/format.php`): questions are separated by
//! blank lines, `//` lines are comments (an answer written over several lines reads with single spaces), `::name::` names a question, the first `{…}` is the answer block
//! and text after it makes a missing-word question (`_____` marks the gap). The kind comes from the block
//! as Moodle decides it: `{}` essay, `{#…}` numeric, any `~` choice (single when some answer starts with
//! `=`, otherwise multiple response with `%weights%`), `=… -> …` matching, `T`/`TRUE`/`F`/`FALSE`
//! true/false, anything else a short answer (our `fill_blank`).
//!
//! Decisions, so the result is a paper examd can validate and grade as Moodle would:
//! - **Sections by kind.** GIFT has no sections, so questions are grouped into one section per kind, in
//!   the order the kinds first appear (questions keep their file order within it). Each section then
//!   carries its kind's rules (points, `weighted` scoring for multiple response) and reads like the
//!   单选题/多选题 sections recruiters already write; one mixed section with per-question kinds would leave
//!   the section's own kind meaningless. `$CATEGORY:` lines name question-bank folders, not exam parts,
//!   and are dropped — unless examd wrote the file: its `[examd:section]` comment after a category
//!   restores that section, and `[examd:question]`/`[examd:paper]` what GIFT cannot say ([`examd_meta`]).
//! - **Points.** GIFT has none: every question gets `ImportOptions::default_points`, else 1, with a warning.
//! - **Several right answers.** Every `=` answer (and any `~%100%`) is full credit in Moodle, where the
//!   candidate picks one; examd keys all of them (`answer: [A, C]` in a single-choice question: any one,
//!   chosen alone, is right), with a warning naming them. The kind never changes.
//! - **Metadata.** `// [id:…]` in a question's comments is its key (Moodle's stable id number); `[tag:…]`
//!   has no place in examd and is named in a warning.
//! - **Keys.** A question name becomes its key when it is a valid key; otherwise it is made one
//!   (`2-08 TSL` → `2-08_TSL`) and repeated names get `_2`, `_3`… Unnamed questions get generated keys.
//! - **Feedback.** examd has one `explanation` per question: answer feedback is kept there, labelled with
//!   its answer (`red: wrong, it's yellow`), true/false feedback as written, then the `####` general
//!   feedback.
//! - **Never invent a key.** A question is skipped, with a warning naming it, when examd cannot hold its
//!   key: matching questions, descriptions, a multiple response with no positive weight, a short answer
//!   with no positive credit, a numeric question with no full-credit answer. Moodle credit that examd's
//!   model cannot hold (partial credit on a single-choice distractor, extra numeric answers, the `*`
//!   wildcard) is dropped with a warning; the question stays.
//! - **Forgotten blank lines.** A line opening with `::name::` after a closed answer block starts the
//!   next question; Moodle would glue both into one garbled question.
//! - Text is kept as written: `[html]`/`[moodle]`/`[plain]`/`[markdown]` markers are dropped, markup is not
//!   interpreted or stripped.
//!
//! Export writes what GIFT can say; see [`export`].

mod build;
mod examd_meta;
mod export;
mod keys;
mod meta;
mod parse;
mod text;

#[cfg(test)]
mod moodle_answers;
#[cfg(test)]
mod tests;

pub use export::{export, export_with_losses};

use super::{default_points, nothing_found, ImportError, ImportOptions, ImportWarning, Imported};
use crate::domain::paper::{PaperDoc, QuestionDoc, QuestionKind, Scoring, SectionDoc};
use crate::domain::points::Points;

/// Reads a GIFT file; everything skipped or changed along the way is a warning with its line.
///
/// # Errors
///
/// When not one question could be taken; the message counts the problems and quotes the first.
pub fn import(text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut warnings = Vec::new();
    let mut questions = Vec::new();
    let mut keys = keys::Keys::default();
    let mut first_line = None;
    // Sections examd wrote into its own export (`[examd:section]` after `$CATEGORY:`), and the one
    // the questions being read belong to.
    let mut restored: Vec<SectionDoc> = Vec::new();
    let mut paper_meta = None;
    for block in text::blocks(text) {
        if block.replaced {
            let message = "a Unicode noncharacter (U+FDD0–U+FDEF) was replaced with U+FFFD".to_string();
            warnings.push(ImportWarning::new(block.line, message));
        }
        if block.text.starts_with("$CATEGORY:") {
            if let Some(section) = examd_meta::read_section(&block.comments) {
                // Only the section's own fields: its questions are the GIFT questions that follow.
                restored.push(SectionDoc { questions: Vec::new(), ..section });
                paper_meta = paper_meta.or_else(|| examd_meta::read_paper(&block.comments));
            }
        }
        let Some(raw) = parse::parse_block(&block, &mut warnings) else { continue };
        let Some((kind, mut doc)) = build::build(&raw, &mut warnings) else { continue };
        doc.key = key(&mut keys, &raw, &block.comments, &mut warnings);
        first_line.get_or_insert(raw.line);
        let at = restored.len().checked_sub(1);
        if let Some(section) = at.map(|i| &restored[i]) {
            examd_meta::restore(&mut doc, section, kind, examd_meta::read_question(&block.comments));
        }
        questions.push((at, kind, doc));
    }
    let Some(first_line) = first_line else { return Err(nothing_found("GIFT", &warnings)) };
    // Points are asked for (and warned) only for questions outside any section examd wrote.
    let points = if questions.iter().any(|q| q.0.is_none()) {
        default_points("GIFT", options, first_line, &mut warnings)
    } else {
        Points::whole(1)
    };
    let title = match &paper_meta {
        Some(meta) => meta.title.clone(),
        None => options
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or("Imported GIFT questions")
            .to_string(),
    };
    let instructions = paper_meta.map(|m| m.instructions).unwrap_or_default();
    let mut by_kind = Vec::new();
    for (at, kind, doc) in questions {
        match at {
            Some(i) => restored[i].questions.push(doc),
            None => by_kind.push((kind, doc)),
        }
    }
    let mut sections = sections_by_kind(by_kind, points);
    sections.extend(restored.into_iter().filter(|s| !s.questions.is_empty()));
    let doc = PaperDoc { title, instructions, sections };
    warnings.sort_by_key(|w| w.line);
    Ok(Imported { doc, warnings })
}

/// Moodle's `[id:…]` is the question's stable id, so it is the key when given (else the name);
/// tags have no place in examd, so they are named in a warning rather than lost silently.
fn key(
    keys: &mut keys::Keys,
    raw: &parse::RawQuestion,
    comments: &[String],
    warnings: &mut Vec<ImportWarning>,
) -> String {
    let meta = meta::read(comments);
    if !meta.tags.is_empty() {
        let message =
            format!("{}: tags {} are not kept (examd questions have no tags)", raw.label(), meta.tags.join(", "));
        warnings.push(ImportWarning::new(raw.line, message));
    }
    if let (Some(id), Some(name)) = (&meta.id, &raw.name) {
        if id != name {
            let message = format!("{}: its id number {id} is its key; the name is not kept", raw.label());
            warnings.push(ImportWarning::new(raw.line, message));
        }
    }
    keys.assign(meta.id.as_deref().or(raw.name.as_deref()), raw.line, warnings)
}

fn sections_by_kind(questions: Vec<(QuestionKind, QuestionDoc)>, points: Points) -> Vec<SectionDoc> {
    let mut sections: Vec<SectionDoc> = Vec::new();
    for (kind, question) in questions {
        match sections.iter_mut().find(|s| s.kind == kind) {
            Some(section) => section.questions.push(question),
            None => sections.push(section(kind, points, question)),
        }
    }
    sections
}

fn section(kind: QuestionKind, points: Points, first: QuestionDoc) -> SectionDoc {
    let mut section = SectionDoc::new(section_title(kind).to_string(), kind, points, vec![first]);
    // GIFT's only multiple-choice form is the weighted multiple response.
    section.scoring = (kind == QuestionKind::MultipleChoice).then_some(Scoring::Weighted);
    section
}

fn section_title(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::SingleChoice => "Single choice",
        QuestionKind::MultipleChoice => "Multiple choice",
        QuestionKind::TrueFalse => "True or false",
        QuestionKind::FillBlank => "Fill in the blank",
        QuestionKind::Numeric => "Numeric",
        QuestionKind::ShortAnswer => "Short answer",
        QuestionKind::Scenario => "Scenario",
        QuestionKind::Essay => "Essay",
    }
}
