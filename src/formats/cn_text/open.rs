//! Open questions whose answer follows with no label (`…你为什么选择这个职业?我选择…`).
//!
//! The prompt is the run of sentences up to the last question or request; the answer starts at
//! the first statement after a question. A context sentence before the question stays in the prompt.

/// Verbs that open a request (`请结合具体事例说明。`) which belongs to the prompt.
const REQUESTS: [&str; 26] = [
    "请",
    "請",
    "简述",
    "簡述",
    "描述",
    "谈谈",
    "談談",
    "说明",
    "說明",
    "解释",
    "解釋",
    "举例",
    "舉例",
    "分析",
    "列举",
    "列舉",
    "论述",
    "論述",
    "阐述",
    "闡述",
    "结合",
    "結合",
    "试述",
    "試述",
    "谈一谈",
    "談一談",
];

/// An answer shorter than this is more likely a second sentence of the prompt.
const MIN_ANSWER_CHARS: usize = 30;

/// Splits `text` into prompt and answer, if an unlabeled answer follows the question.
pub(super) fn split_unlabeled_answer(text: &str) -> Option<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let sentences = sentences(&chars);
    let mut asked = false;
    for &(start, end) in &sentences {
        let sentence: String = chars[start..end].iter().collect();
        if is_question_like(&sentence) {
            asked = true;
        } else if asked {
            let prompt: String = chars[..start].iter().collect();
            let answer: String = chars[start..].iter().collect();
            let answer = answer.trim();
            return (answer.chars().count() >= MIN_ANSWER_CHARS)
                .then(|| (prompt.trim().to_string(), answer.to_string()));
        }
    }
    None
}

/// Sentence spans, cut after `。？！?!` outside brackets and quotes.
fn sentences(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let (mut start, mut depth) = (0, 0i32);
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '(' | '（' | '“' | '「' | '《' => depth += 1,
            ')' | '）' | '”' | '」' | '》' => depth = (depth - 1).max(0),
            '。' | '？' | '?' | '！' | '!' if depth == 0 => {
                while chars.get(i + 1).is_some_and(|c| "。？?！!”’」".contains(*c)) {
                    i += 1;
                }
                spans.push((start, i + 1));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < chars.len() {
        spans.push((start, chars.len()));
    }
    spans
}

fn is_question_like(sentence: &str) -> bool {
    let s = sentence.trim();
    let core = s.trim_end_matches(['”', '’', '」', ')', '）']);
    let bracketed = (s.starts_with('(') || s.starts_with('（')) && (s.ends_with(')') || s.ends_with('）'));
    core.ends_with(['?', '？']) || REQUESTS.iter().any(|r| s.starts_with(r)) || bracketed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_context_and_requests_in_the_prompt() {
        let text = "護士工作壓力大。你為什么選擇這個職業?請結合事例說明。我選擇護士職業并決心堅持下去,是源于一種多層次、深度的價值認同感,最核心的支撐是成就感。";
        let (prompt, answer) = split_unlabeled_answer(text).unwrap_or_default();
        assert_eq!(prompt, "護士工作壓力大。你為什么選擇這個職業?請結合事例說明。");
        assert!(answer.starts_with("我選擇"));
    }

    #[test]
    fn leaves_prompts_without_an_answer_alone() {
        assert_eq!(split_unlabeled_answer("情景:一位患者投诉。\n请问应如何处理?(需分步骤说明)"), None);
        assert_eq!(split_unlabeled_answer("描述一次你处理过的最复杂的医疗投诉案例及解决方案。"), None);
        assert_eq!(split_unlabeled_answer("你为什么想做客服?具体到你的经历。"), None);
    }
}
