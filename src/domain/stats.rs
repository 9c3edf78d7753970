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

/// Item analysis accumulated one attempt at a time, so an exam of any size is analysed in one pass
/// holding a few sums per question. Points are exact hundredths and the sums exact integers: the
/// variances come from differences of large sums, which floats would cancel into noise.
#[derive(Debug, Clone)]
pub struct ItemAnalysis {
    max: Vec<i64>,
    n: i128,
    sum_t: i128,
    sum_tt: i128,
    sum_x: Vec<i128>,
    sum_xx: Vec<i128>,
    sum_xt: Vec<i128>,
    full: Vec<i128>,
}

impl ItemAnalysis {
    /// An analysis of questions with these maxima (hundredths), in paper order.
    pub fn new(max: Vec<i64>) -> ItemAnalysis {
        let zeros = vec![0; max.len()];
        ItemAnalysis {
            n: 0,
            sum_t: 0,
            sum_tt: 0,
            sum_x: zeros.clone(),
            sum_xx: zeros.clone(),
            sum_xt: zeros.clone(),
            full: zeros,
            max,
        }
    }

    /// Adds one attempt's points per question (hundredths, in the same order; missing ones count 0).
    pub fn add(&mut self, points: &[i64]) {
        let cell = |j: usize| i128::from(points.get(j).copied().unwrap_or(0));
        let t: i128 = (0..self.max.len()).map(cell).sum();
        self.n += 1;
        self.sum_t += t;
        self.sum_tt += t * t;
        for j in 0..self.max.len() {
            let x = cell(j);
            self.sum_x[j] += x;
            self.sum_xx[j] += x * x;
            self.sum_xt[j] += x * t;
            self.full[j] += i128::from(x >= i128::from(self.max[j]));
        }
    }

    /// Attempts added so far.
    pub fn attempts(&self) -> usize {
        usize::try_from(self.n).unwrap_or(usize::MAX)
    }

    /// The statistics per question.
    pub fn finish(&self) -> Vec<QuestionStats> {
        let n = self.n;
        (0..self.max.len())
            .map(|j| {
                let (sx, sxx, sxt) = (self.sum_x[j], self.sum_xx[j], self.sum_xt[j]);
                // The rest of the paper: y = t - x.
                let sy = self.sum_t - sx;
                let syy = self.sum_tt - 2 * sxt + sxx;
                let sxy = sxt - sxx;
                let (vx, vy, cov) = (n * sxx - sx * sx, n * syy - sy * sy, n * sxy - sx * sy);
                QuestionStats {
                    attempts: self.attempts(),
                    mean: (n > 0).then(|| sx as f64 / n as f64 / 100.0),
                    facility: (n > 0).then(|| self.full[j] as f64 / n as f64),
                    discrimination: (n >= 2 && vx > 0 && vy > 0)
                        .then(|| (cov as f64 / ((vx as f64).sqrt() * (vy as f64).sqrt())).clamp(-1.0, 1.0)),
                }
            })
            .collect()
    }
}

/// Statistics per question, in the order of `max_points`.
///
/// `rows` holds one row per attempt, one cell per question in the same order as `max_points`. A row
/// shorter than `max_points` counts the missing questions as 0 (the attempt earned nothing there);
/// extra cells are ignored. Pass only complete attempts, or awaited marks would count as zeros.
pub fn question_stats(max_points: &[f64], rows: &[Vec<f64>]) -> Vec<QuestionStats> {
    let hundredths = |p: f64| (p * 100.0).round() as i64;
    let mut analysis = ItemAnalysis::new(max_points.iter().copied().map(hundredths).collect());
    for row in rows {
        analysis.add(&row.iter().copied().map(hundredths).collect::<Vec<_>>());
    }
    analysis.finish()
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
