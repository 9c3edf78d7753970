//! Per-question statistics across attempts, so recruiters see which questions work.
//!
//! Classical item analysis: the mean, the facility (how many got it fully right) and the discrimination
//! (whether the candidates who did well on the rest of the paper also did well on this question). Floats
//! are fine here: these describe points, they are never added back into them.

/// Statistics of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionStats {
    /// How many attempts were counted.
    pub attempts: usize,
    /// Mean points; `None` without attempts.
    pub mean: Option<f64>,
    /// Share of attempts with full points, 0..=1; `None` without attempts.
    pub facility: Option<f64>,
    /// Pearson correlation of the question's points with the rest of the paper's total (the total
    /// without this question, so a question does not correlate with itself), -1..=1. `None` with fewer
    /// than two attempts or when either side never varies (everyone scored the same).
    pub discrimination: Option<f64>,
}

/// Statistics per question, in the order of `max_points`.
///
/// `rows` holds one row per attempt, one cell per question in the same order as `max_points`. A row
/// shorter than `max_points` counts the missing questions as 0 (the attempt earned nothing there);
/// extra cells are ignored. Pass only complete attempts, or awaited marks would count as zeros.
pub fn question_stats(max_points: &[f64], rows: &[Vec<f64>]) -> Vec<QuestionStats> {
    let cell = |row: &Vec<f64>, j: usize| row.get(j).copied().unwrap_or(0.0);
    let totals: Vec<f64> = rows.iter().map(|row| (0..max_points.len()).map(|j| cell(row, j)).sum()).collect();
    max_points
        .iter()
        .enumerate()
        .map(|(j, max)| {
            let points: Vec<f64> = rows.iter().map(|row| cell(row, j)).collect();
            let rest: Vec<f64> = totals.iter().zip(&points).map(|(total, p)| total - p).collect();
            QuestionStats {
                attempts: rows.len(),
                mean: mean(&points),
                facility: mean(&points.iter().map(|p| f64::from(u8::from(full_marks(*p, *max)))).collect::<Vec<_>>()),
                discrimination: pearson(&points, &rest),
            }
        })
        .collect()
}

/// Points are exact hundredths converted to floats, so a small tolerance recognises a full mark.
fn full_marks(points: f64, max: f64) -> bool {
    points >= max - 1e-6
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Below this sum of squares a side is treated as constant: real spreads of hundredths are far larger
/// (two values 0.01 apart already give 5e-5), float noise around equal values far smaller.
const NO_SPREAD: f64 = 1e-9;

fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() < 2 || xs.len() != ys.len() {
        return None;
    }
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= NO_SPREAD || syy <= NO_SPREAD {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() < 1e-9)
    }

    #[test]
    fn hand_computed_item_analysis() {
        // q1 (max 1): 1 1 0 0; q2 (max 3): 3 2 1 0; q3 (max 2): 2 on every attempt.
        let rows = vec![vec![1.0, 3.0, 2.0], vec![1.0, 2.0, 2.0], vec![0.0, 1.0, 2.0], vec![0.0, 0.0, 2.0]];
        let stats = question_stats(&[1.0, 3.0, 2.0], &rows);
        assert!(close(stats[0].mean, 0.5) && close(stats[0].facility, 0.5));
        // x = q1 = (1,1,0,0), rest = q2 + q3 = (5,4,3,2): Sxy = 2, Sxx = 1, Syy = 5 → 2/√5.
        assert!(close(stats[0].discrimination, 2.0 / 5f64.sqrt()), "{:?}", stats[0]);
        assert!(close(stats[1].mean, 1.5) && close(stats[1].facility, 0.25));
        assert!(close(stats[1].discrimination, 2.0 / 5f64.sqrt()));
        assert!(close(stats[2].mean, 2.0) && close(stats[2].facility, 1.0));
        assert_eq!(stats[2].discrimination, None, "no spread, no discrimination");
    }

    #[test]
    fn a_question_the_weak_get_right_discriminates_negatively() {
        // q1: 0 0 1; rest (q2): 2 2 0 → x̄ = 1/3, ȳ = 4/3; Sxy = -4/3, Sxx = 2/3, Syy = 8/3 → -1.
        let rows = vec![vec![0.0, 2.0], vec![0.0, 2.0], vec![1.0, 0.0]];
        let stats = question_stats(&[1.0, 2.0], &rows);
        assert!(close(stats[0].discrimination, -1.0), "{:?}", stats[0]);
        assert!(close(stats[0].facility, 1.0 / 3.0));
        // Half a 2-point question is not full marks.
        let halves = question_stats(&[2.0], &[vec![0.5], vec![2.0]]);
        assert!(close(halves[0].facility, 0.5) && close(halves[0].mean, 1.25));
    }

    #[test]
    fn too_few_attempts_leave_what_is_undefined_empty() {
        assert_eq!(
            question_stats(&[1.0], &[]),
            [QuestionStats { attempts: 0, mean: None, facility: None, discrimination: None }]
        );
        let one = question_stats(&[1.0, 1.0], &[vec![1.0, 0.0]]);
        assert_eq!(one[0].discrimination, None);
        assert!(close(one[0].mean, 1.0));
    }

    #[test]
    fn short_rows_count_missing_questions_as_zero() {
        let stats = question_stats(&[1.0, 1.0], &[vec![1.0], vec![0.0, 1.0]]);
        assert!(close(stats[1].mean, 0.5));
        assert!(close(stats[0].discrimination, -1.0));
    }
}
