//! Points per blank (`每空1分`): a fill-in question is worth them once for each blank of its stem.

use super::draft::DraftSection;
use crate::domain::points::Points;

/// `每空1分`: each question is worth the points once per blank in its stem (at least once); the
/// section's own points are one blank's, questions with more blanks override them.
pub(super) fn points(
    draft: &DraftSection,
    title: &str,
    each: Points,
    warn: &mut impl FnMut(usize, String),
) -> (Points, Vec<Option<Points>>) {
    let blanks: Vec<i64> = draft.questions.iter().map(|q| blank_count(&q.prompt).max(1)).collect();
    let overrides = blanks.iter().map(|&n| (n > 1).then(|| Points::from_hundredths(each.hundredths() * n))).collect();
    let sum: i64 = blanks.iter().map(|n| each.hundredths() * n).sum();
    if let Some(total) = draft.heading.spec.total.filter(|t| t.hundredths() != sum) {
        let sum = Points::from_hundredths(sum);
        warn(
            draft.line,
            format!("section “{title}”: {each} per blank gives {sum} points, not the stated total of {total}"),
        );
    }
    (each, overrides)
}

/// Blanks in a stem: runs of underscores, and empty brackets `（ ）`/`( )`.
fn blank_count(prompt: &str) -> i64 {
    let chars: Vec<char> = prompt.chars().collect();
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '_' || c == '＿' {
            count += 1;
            while i < chars.len() && (chars[i] == '_' || chars[i] == '＿') {
                i += 1;
            }
            continue;
        }
        if matches!(c, '(' | '（') {
            let close = chars[i + 1..].iter().position(|c| !c.is_whitespace() && *c != '\u{3000}');
            if close.is_some_and(|at| matches!(chars[i + 1 + at], ')' | '）')) {
                count += 1;
            }
        }
        i += 1;
    }
    count
}
