//! The `cn-text` importer: plain-text Chinese question banks as recruiters keep them, usually
//! copied out of a document site (`一、单选题(共5题,每题2分)`, `1.…`, `A.…`, `答案及解析`).
//!
//! Reading happens in three steps: [`text`] cleans each line (pinyin glosses, width folding for
//! scanning); [`parse`] cuts lines at markers ([`tokens`], [`heading`]) and follows the paper from
//! its preamble through the sections to the answer part, collecting drafts; [`build`] turns the
//! drafts into a [`PaperDoc`], deciding kinds, points and keys. Page furniture ([`furniture`]) is
//! dropped on the way. Whatever is assumed or left out becomes an [`ImportWarning`] with its line
//! and a hint of its text (a stem, a heading) for locating it; a document whose last line stops in the
//! middle of an answer is warned as cut off;
//! a key is never made up.
//!
//! What protects the keys: a question number is a number whatever its text starts with
//! (`3、12岁以下…`; after `.` a digit is read as a decimal unless that number comes next); a
//! heading's bracket is its spec whatever sentence it holds; two different answers for one
//! question leave it keyless ([`repeats`]); options start at a line start or after a stem has
//! ended, never inside `f(A)`. A bank without answers imports whole, its questions keyless and
//! warned. Markdown markup is stripped per line ([`text::unmark`]), code blocks kept as code; a question's own kind label
//! (`1. 多选题 …`) and options with a letter key decide its kind, and any change is warned.

mod answers;
mod blanks;
mod build;
mod draft;
mod furniture;
mod heading;
mod keys;
mod open;
mod parse;
mod repeats;
mod spec;
mod text;
mod tokens;

#[cfg(test)]
mod leftovers;
#[cfg(test)]
mod recruiter_files;
#[cfg(test)]
mod tests;

use crate::domain::paper::PaperDoc;

use super::{ImportError, ImportOptions, ImportWarning, Imported};
use draft::Draft;
use text::Line;

/// Title used when neither the document nor the caller gives one.
const FALLBACK_TITLE: &str = "导入的试卷";
/// A preamble line longer than this is prose, not a title.
const MAX_TITLE_CHARS: usize = 60;

/// Reads a plain-text Chinese question bank.
///
/// Fails only when no section or numbered question can be found at all; everything else that
/// could not be read is reported in the warnings.
pub fn import(text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    let lines = read_lines(text);
    let mut draft = parse::read(&lines);
    let mut warnings = std::mem::take(&mut draft.warnings);
    let sections: Vec<_> =
        draft.sections.iter().filter_map(|s| build::section(s, options.default_points, &mut warnings)).collect();
    if sections.is_empty() {
        return Err(ImportError {
            line: None,
            message: "no question was found in the cn-text file: it looked for section headings (`一、单选题（每题2分）`, \
                      `第一部分`, `## 二、多选题`), numbered questions (`1.`, `1、`, `1．`, `第1题`, `1\\.`) and options \
                      (`A.`, `A、`, `(A)`); is the file a question bank, or in another format (json, yaml, gift, aiken)?"
                .into(),
        });
    }
    let (title, instructions) = title_and_instructions(&draft, options, &mut warnings);
    if let Some(line) = draft.end_line {
        warnings
            .push(ImportWarning::new(line, "the paper ends here; the site furniture from this line on was left out"));
    }
    warnings.extend(truncated_answer(&draft, &lines));
    warnings.sort_by_key(|w| w.line);
    Ok(Imported { doc: PaperDoc { title, instructions, sections }, warnings })
}

/// The document's lines; those of a Markdown code block, fences included, are kept as code.
fn read_lines(text: &str) -> Vec<Line> {
    let mut in_code = false;
    let mut lines = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let fence = Line::is_fence(raw);
        lines.push(if in_code || fence { Line::code(i + 1, raw) } else { Line::new(i + 1, raw) });
        if fence {
            in_code = !in_code;
        }
    }
    lines
}

/// The title is the first short line before the first heading; lines after it are instructions,
/// lines before it are skipped (one warning), as is everything the furniture filter missed.
fn title_and_instructions(
    draft: &Draft,
    options: &ImportOptions,
    warnings: &mut Vec<ImportWarning>,
) -> (String, String) {
    let title_like = |t: &str| t.chars().count() <= MAX_TITLE_CHARS && !t.ends_with('。') && !t.starts_with(['-', '•']);
    let at = draft.preamble.iter().position(|(_, t)| title_like(t));
    let skipped = &draft.preamble[..at.unwrap_or(draft.preamble.len())];
    if let Some((line, _)) = skipped.first() {
        warnings.push(ImportWarning::new(
            *line,
            format!("{} line(s) of text before the paper were skipped", skipped.len()),
        ));
    }
    let title = match at.map(|i| draft.preamble[i].1.clone()).or_else(|| options.title.clone()) {
        Some(title) => title,
        None => {
            warnings.push(ImportWarning::new(1, format!("the document gives no title; “{FALLBACK_TITLE}” was used")));
            FALLBACK_TITLE.to_string()
        }
    };
    let after_title = at.map_or(&[][..], |i| &draft.preamble[i + 1..]);
    let intros =
        draft.sections.iter().filter(|s| !s.intro.is_empty()).map(|s| format!("{}：{}", s.display_title(), s.intro));
    let instructions: Vec<String> = after_title.iter().map(|(_, t)| t.clone()).chain(intros).collect();
    (title, instructions.join("\n"))
}

/// Shorter answers are keys (`B`, `对`) or phrases, which need no closing punctuation.
const MIN_SENTENCE_CHARS: usize = 6;

/// A warning when the document's last line is the middle of an answer: a reference answer that
/// stops without closing punctuation is what a copy cut off at a page limit looks like.
fn truncated_answer(draft: &Draft, lines: &[Line]) -> Option<ImportWarning> {
    let last_line = lines.iter().rev().find(|l| !l.is_blank())?.number;
    let question = draft
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .max_by_key(|q| q.answer.as_ref().map_or(q.line, |a| a.line))?;
    let answer = question.answer.as_ref().filter(|a| a.line == last_line)?;
    let text = answer.text.trim();
    let last = text.chars().next_back()?;
    let open = text::is_han(last) || last.is_alphanumeric() || matches!(last, ',' | '，' | '、' | '：' | ':');
    if !open || text.chars().count() < MIN_SENTENCE_CHARS {
        return None;
    }
    let tail: String = text.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
    let message = format!(
        "the document stops here, in the middle of question {}'s answer (“…{tail}”); was the file cut off?",
        question.number
    );
    Some(ImportWarning::about(last_line, &tail, message))
}
