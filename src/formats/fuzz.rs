//! Shared by the importers' fuzz tests: real input with a few random edits.

use proptest::prelude::*;

/// `text` with 1–11 random insertions (drawn from `special`, to hit a format's own syntax), deletions or
/// truncations.
pub fn mutated(text: &'static str, special: impl Strategy<Value = char>) -> impl Strategy<Value = String> {
    proptest::collection::vec((any::<prop::sample::Index>(), 0u8..5, special), 1..12).prop_map(move |edits| {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, op, c) in edits {
            let i = at.index(chars.len() + 1);
            match op {
                0 | 1 => chars.insert(i, c),
                2 | 3 if i < chars.len() => {
                    chars.remove(i);
                }
                _ => chars.truncate(i),
            }
        }
        chars.into_iter().collect()
    })
}
