//! An attempt's score as it is kept: written by the grading rule whenever an answer is graded, marked,
//! adjudicated or regraded, and read by every reader (results, CSV, statistics, the candidate's result)
//! without grading again. Points are exact hundredths, as everywhere.

use serde::{Deserialize, Serialize};

use super::paper::Paper;
use super::points::Points;
use super::scoring::{AttemptScore, QuestionScore, SectionScore};

/// The stored score: what [`AttemptScore`] holds beyond what the paper says (titles, keys, maxima).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRecord {
    /// Total.
    pub total: i64,
    /// The server's share.
    pub auto: i64,
    /// The markers' share.
    pub marked: i64,
    /// Every question has points.
    pub complete: bool,
    /// Per section, in paper order.
    pub sections: Vec<i64>,
    /// Per question, in paper order: points (`None` while a mark is awaited) and whether the server set them.
    pub questions: Vec<(Option<i64>, bool)>,
}

impl ScoreRecord {
    /// The record of a computed score.
    pub fn of(score: &AttemptScore) -> ScoreRecord {
        ScoreRecord {
            total: score.total.hundredths(),
            auto: score.auto_points.hundredths(),
            marked: score.marked_points.hundredths(),
            complete: score.complete,
            sections: score.sections.iter().map(|s| s.points.hundredths()).collect(),
            questions: score.questions.iter().map(|q| (q.points.map(Points::hundredths), q.auto)).collect(),
        }
    }

    /// The score again, with the paper's titles, keys and maxima; `None` when the record does not fit
    /// the paper's shape (then the caller grades afresh).
    pub fn score(&self, paper: &Paper) -> Option<AttemptScore> {
        if self.sections.len() != paper.doc().sections.len() || self.questions.len() != paper.questions().count() {
            return None;
        }
        let sections = paper
            .doc()
            .sections
            .iter()
            .zip(&self.sections)
            .enumerate()
            .map(|(i, (s, &points))| SectionScore {
                title: s.title.clone(),
                points: Points::from_hundredths(points),
                max_points: paper.section_points(i),
            })
            .collect();
        let questions = paper
            .questions()
            .zip(&self.questions)
            .map(|(q, &(points, auto))| QuestionScore {
                key: q.key().to_string(),
                section_index: q.section_index,
                points: points.map(Points::from_hundredths),
                max_points: q.points(),
                auto,
            })
            .collect();
        Some(AttemptScore {
            total: Points::from_hundredths(self.total),
            auto_points: Points::from_hundredths(self.auto),
            marked_points: Points::from_hundredths(self.marked),
            complete: self.complete,
            sections,
            questions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::answer::Answer;
    use crate::domain::paper::PaperDoc;
    use crate::domain::scoring::grade_attempt;

    #[test]
    fn a_record_gives_back_the_score_it_was_made_from() {
        let doc: PaperDoc = serde_json::from_value(serde_json::json!({"title": "T", "sections": [
            {"title": "单选", "kind": "single_choice", "points": 2.5, "questions": [
                {"prompt": "a", "options": [{"text": "x"}, {"text": "y"}], "answer": "A"},
                {"prompt": "b", "options": [{"text": "x"}, {"text": "y"}], "answer": "B"}]},
            {"title": "简答", "kind": "short_answer", "points": 5, "questions": [{"prompt": "c"}, {"prompt": "d"}]}]}))
        .unwrap();
        let paper = Paper::parse(doc).unwrap();
        let keys: Vec<String> = paper.questions().map(|q| q.key().to_string()).collect();
        let answers = [(keys[0].clone(), Answer::Text("A".into())), (keys[2].clone(), Answer::Text("…".into()))].into();
        let marks = [(keys[2].clone(), Points::from_hundredths(350))].into();
        let score = grade_attempt(&paper, &answers, &marks);
        let record = ScoreRecord::of(&score);
        let stored: ScoreRecord = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(stored.score(&paper), Some(score));
        let mut short = stored.clone();
        short.questions.pop();
        assert_eq!(short.score(&paper), None);
    }
}
