//! Human marking rules: the step a mark moves in, and how one or two marks settle a question.

use super::paper::RubricCriterion;
use super::points::Points;

/// How an open answer's marks stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Waiting for a mark.
    Pending,
    /// Settled at these points.
    Resolved(Points),
    /// Two marks further apart than the tolerance: a recruiter decides.
    NeedsAdjudication {
        /// The first mark.
        first: Points,
        /// The second mark.
        second: Points,
    },
}

/// Settles a question from its marks: one mark, or with double marking two marks within `tolerance`
/// (their mean, to the hundredth), or a recruiter's adjudication, which always wins.
pub fn resolve(
    double: bool,
    tolerance: Points,
    first: Option<Points>,
    second: Option<Points>,
    adjudicated: Option<Points>,
) -> Resolution {
    if let Some(p) = adjudicated {
        return Resolution::Resolved(p);
    }
    match (double, first, second) {
        (false, Some(p), _) => Resolution::Resolved(p),
        (true, Some(a), Some(b)) => {
            let gap = if a > b { a - b } else { b - a };
            if gap <= tolerance {
                Resolution::Resolved((a + b).scale(1, 2))
            } else {
                Resolution::NeedsAdjudication { first: a, second: b }
            }
        }
        _ => Resolution::Pending,
    }
}

/// The smallest amount a mark moves in: half a point, or finer where the question's points or its
/// rubric are finer (a 0.25-point criterion allows quarter points).
pub fn step(max: Points, rubric: &[RubricCriterion]) -> Points {
    let g = rubric.iter().map(|r| r.points.hundredths()).chain([max.hundredths()]).fold(50, gcd);
    Points::from_hundredths(g.max(1))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// Whether `points` is a mark a marker may give: within `0..=max` and on the step.
pub fn valid_mark(points: Points, max: Points, step: Points) -> bool {
    !points.is_negative() && points <= max && points.hundredths() % step.hundredths().max(1) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Points {
        Points::parse(s).unwrap()
    }

    #[test]
    fn one_mark_settles_single_marking() {
        assert_eq!(resolve(false, Points::ZERO, None, None, None), Resolution::Pending);
        assert_eq!(resolve(false, Points::ZERO, Some(p("3")), None, None), Resolution::Resolved(p("3")));
    }

    #[test]
    fn two_close_marks_give_their_mean_and_distant_ones_go_to_a_recruiter() {
        assert_eq!(resolve(true, p("1"), Some(p("3")), None, None), Resolution::Pending);
        assert_eq!(resolve(true, p("1"), Some(p("3")), Some(p("4")), None), Resolution::Resolved(p("3.5")));
        assert_eq!(
            resolve(true, p("1"), Some(p("2")), Some(p("4")), None),
            Resolution::NeedsAdjudication { first: p("2"), second: p("4") }
        );
        assert_eq!(resolve(true, p("1"), Some(p("2")), Some(p("4")), Some(p("3"))), Resolution::Resolved(p("3")));
    }

    #[test]
    fn the_step_follows_the_finest_rubric_point() {
        assert_eq!(step(p("5"), &[]), p("0.5"));
        let rubric = [RubricCriterion { criterion: "x".into(), points: p("0.25") }];
        assert_eq!(step(p("5"), &rubric), p("0.25"));
        assert!(valid_mark(p("4.5"), p("5"), p("0.5")));
        assert!(!valid_mark(p("4.3"), p("5"), p("0.5")));
        assert!(!valid_mark(p("5.5"), p("5"), p("0.5")));
        assert!(!valid_mark(p("-1"), p("5"), p("0.5")));
    }
}
