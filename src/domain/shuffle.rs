//! Per-attempt order of questions and options, derived from the attempt's seed alone.
//!
//! The same seed always gives the same [`Layout`] (a reload shows the same order), so the order is never
//! stored. The generator is SplitMix64 with Fisher–Yates, written here rather than taken from `rand`,
//! whose algorithms may change between versions and would reshuffle attempts in progress.
//!
//! Each section's question order and each question's option order come from their own stream, keyed by
//! the section index or the question key, so the order of one never depends on the size of another.
//! Sections themselves keep the paper's order.

use super::paper::{Paper, QuestionDoc, SectionDoc};

/// The order one attempt shows the paper in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Per section, in paper order: its questions in the order shown.
    pub sections: Vec<Vec<QuestionLayout>>,
}

/// One question as placed in a [`Layout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionLayout {
    /// The question's key.
    pub key: String,
    /// Its option keys in the order shown (empty for questions without options).
    pub options: Vec<String>,
}

/// What the exam asks to shuffle on top of what each section asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExamShuffle {
    /// Shuffle question order in every section.
    pub questions: bool,
    /// Shuffle option order of every question.
    pub options: bool,
}

/// The layout for `seed`: shuffled where the section's `shuffle_questions` / `shuffle_options` ask.
pub fn layout(paper: &Paper, seed: u64) -> Layout {
    layout_for_exam(paper, seed, ExamShuffle::default())
}

/// The layout for `seed`, shuffled where the section or the exam asks.
pub fn layout_for_exam(paper: &Paper, seed: u64, exam: ExamShuffle) -> Layout {
    let sections = paper.doc().sections.iter().enumerate().map(|(i, s)| section_layout(s, i, seed, exam)).collect();
    Layout { sections }
}

fn section_layout(section: &SectionDoc, index: usize, seed: u64, exam: ExamShuffle) -> Vec<QuestionLayout> {
    let mut questions: Vec<QuestionLayout> = section
        .questions
        .iter()
        .map(|q| QuestionLayout { key: q.key.clone(), options: option_order(section, q, seed, exam) })
        .collect();
    if section.shuffle_questions || exam.questions {
        let label = [b"questions/".as_slice(), &(index as u64).to_le_bytes()].concat();
        SplitMix64::stream(seed, &label).shuffle(&mut questions);
    }
    questions
}

fn option_order(section: &SectionDoc, question: &QuestionDoc, seed: u64, exam: ExamShuffle) -> Vec<String> {
    let mut options: Vec<String> = question.options.iter().map(|o| o.key.clone()).collect();
    if section.shuffle_options || exam.options {
        let label = [b"options/".as_slice(), question.key.as_bytes()].concat();
        SplitMix64::stream(seed, &label).shuffle(&mut options);
    }
    options
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified, so the order is ours forever.
struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for one labelled purpose under `seed`.
    fn stream(seed: u64, label: &[u8]) -> SplitMix64 {
        SplitMix64(seed ^ fnv1a(label))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` for `n > 0`; rejection keeps it unbiased where `n` does not divide 2⁶⁴.
    fn below(&mut self, n: u64) -> u64 {
        let limit = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < limit {
                return x % n;
            }
        }
    }

    /// Fisher–Yates.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// FNV-1a, 64-bit: a fixed, dependency-free hash to turn a label into a stream offset.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01B3))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::paper::PaperDoc;
    use super::*;

    fn paper(shuffle_questions: bool, shuffle_options: bool) -> Paper {
        let questions: String = (1..=10)
            .map(|i| format!("      - {{key: q{i}, prompt: p, options: [{{text: a}}, {{text: b}}, {{text: c}}, {{text: d}}, {{text: e}}], answer: A}}\n"))
            .collect();
        let yaml = format!(
            "title: T\nsections:\n  - title: S\n    kind: single_choice\n    points: 1\n    shuffle_questions: {shuffle_questions}\n    shuffle_options: {shuffle_options}\n    questions:\n{questions}  - title: E\n    kind: essay\n    points: 5\n    questions: [{{key: e1, prompt: p}}]\n"
        );
        let doc: PaperDoc = serde_yaml::from_str(&yaml).unwrap();
        Paper::parse(doc).unwrap()
    }

    fn question_order(layout: &Layout) -> Vec<&str> {
        layout.sections[0].iter().map(|q| q.key.as_str()).collect()
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        let mut rng = SplitMix64(0);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(first, [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F]);
    }

    #[test]
    fn the_same_seed_gives_the_same_order() {
        let p = paper(true, true);
        assert_eq!(layout(&p, 42), layout(&p, 42));
    }

    #[test]
    fn the_order_is_pinned_across_releases() {
        let shown = layout(&paper(true, true), 42);
        assert_eq!(question_order(&shown), ["q6", "q4", "q8", "q9", "q5", "q7", "q2", "q10", "q3", "q1"]);
        assert_eq!(shown.sections[0][0].options, ["C", "D", "A", "E", "B"]);
    }

    #[test]
    fn orders_are_permutations_and_differ_across_seeds() {
        let p = paper(true, true);
        let mut seen = BTreeSet::new();
        for seed in 0..50 {
            let shown = layout(&p, seed);
            let mut keys = question_order(&shown);
            seen.insert(keys.join(","));
            keys.sort_unstable();
            let mut original: Vec<_> = p.questions().take(10).map(|q| q.key()).collect();
            original.sort_unstable();
            assert_eq!(keys, original);
            for q in &shown.sections[0] {
                let mut options = q.options.clone();
                options.sort();
                assert_eq!(options, ["A", "B", "C", "D", "E"]);
            }
        }
        assert!(seen.len() >= 49, "50 seeds gave only {} orders", seen.len());
    }

    #[test]
    fn options_of_one_question_differ_between_questions() {
        let shown = layout(&paper(false, true), 7);
        let distinct: BTreeSet<_> = shown.sections[0].iter().map(|q| q.options.join("")).collect();
        assert!(distinct.len() > 1);
    }

    #[test]
    fn without_flags_the_paper_order_stands() {
        let p = paper(false, false);
        for seed in [0, 1, u64::MAX] {
            let shown = layout(&p, seed);
            let expected: Vec<String> = (1..=10).map(|i| format!("q{i}")).collect();
            assert_eq!(question_order(&shown), expected);
            assert!(shown.sections[0].iter().all(|q| q.options == ["A", "B", "C", "D", "E"]));
            assert_eq!(shown.sections[1], [QuestionLayout { key: "e1".into(), options: vec![] }]);
        }
    }

    #[test]
    fn below_is_roughly_uniform() {
        let mut rng = SplitMix64(1);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[rng.below(3) as usize] += 1;
        }
        assert!(counts.iter().all(|c| (9_500..10_500).contains(c)), "{counts:?}");
    }
}
