//! The two real documents, synthetic papers for the rules they do not show, and fuzzing.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::domain::paper::{AnswerKey, Paper, PenaltyFloor, QuestionKind, Scoring};
use crate::domain::points::Points;

const SEED_000: &str = include_str!("../../../tests/fixtures/seeds/000_9dfe5f0092d33d60.txt");
const SEED_001: &str = include_str!("../../../tests/fixtures/seeds/001_feb79bb3dd53de14.txt");

fn read(text: &str) -> Imported {
    match import(text, &ImportOptions::default()) {
        Ok(imported) => imported,
        Err(e) => panic!("import failed: {e:?}"),
    }
}

fn valid(doc: &PaperDoc) -> Paper {
    match Paper::parse(doc.clone()) {
        Ok(paper) => paper,
        Err(errors) => panic!("the imported paper does not validate: {errors:#?}"),
    }
}

fn one(key: &str) -> Option<AnswerKey> {
    Some(AnswerKey::One(key.into()))
}

fn many(keys: &str) -> Option<AnswerKey> {
    Some(AnswerKey::Many(keys.chars().map(String::from).collect()))
}

fn has_warning(imported: &Imported, needle: &str) -> bool {
    imported.warnings.iter().any(|w| w.message.contains(needle))
}

#[test]
fn seed_001_gives_five_sections_worth_110_points() {
    let imported = read(SEED_001);
    let doc = &imported.doc;
    assert_eq!(doc.title, "2026年医疗行业客服经理面试题及答案");
    let shape: Vec<_> = doc.sections.iter().map(|s| (s.title.as_str(), s.kind, s.questions.len(), s.points)).collect();
    assert_eq!(
        shape,
        [
            ("单选题", QuestionKind::SingleChoice, 5, Points::whole(2)),
            ("多选题", QuestionKind::MultipleChoice, 5, Points::whole(3)),
            ("简答题", QuestionKind::ShortAnswer, 5, Points::whole(5)),
            ("情景题", QuestionKind::Scenario, 3, Points::whole(10)),
            ("开放题", QuestionKind::Essay, 2, Points::whole(15)),
        ]
    );
    let paper = valid(doc);
    assert_eq!(paper.total_points(), Points::whole(110));
}

#[test]
fn seed_001_keys_options_and_explanations() {
    let doc = read(SEED_001).doc;
    let single: Vec<_> = doc.sections[0].questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(single, [one("C"), one("C"), one("B"), one("C"), one("B")]);
    let multiple: Vec<_> = doc.sections[1].questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(multiple, [many("ABCE"), many("ABCDE"), many("ACE"), many("ABCE"), many("ABCD")]);
    assert_eq!(doc.sections[1].scoring, None, "no rule is written in the heading");
    for q in doc.sections[..2].iter().flat_map(|s| &s.questions) {
        assert!(q.explanation.is_some(), "{} has no explanation", q.prompt);
    }
    let q1 = &doc.sections[0].questions[0];
    assert_eq!(q1.prompt, "医疗客服经理在处理患者投诉时,首要原则是?");
    let options: Vec<_> = q1.options.iter().map(|o| (o.key.as_str(), o.text.as_str())).collect();
    assert_eq!(options[2], ("C", "理解患者情绪并主动提供解决方案"));
    assert_eq!(options.len(), 4);
    assert_eq!(doc.sections[1].questions[0].options.len(), 5);
    assert!(q1.explanation.as_deref().is_some_and(|e| e.starts_with("医疗客服的核心是服务患者")));
}

#[test]
fn seed_001_short_answer_1_keeps_its_truncated_answer_without_furniture() {
    let imported = read(SEED_001);
    let doc = &imported.doc;
    let reference = doc.sections[2].questions[0].reference_answer.as_deref().unwrap_or_default();
    assert!(reference.starts_with("-理解规定底线:客服需明确医院政策红线"), "{reference}");
    assert!(reference.ends_with("-升"), "{reference}");
    for furniture in ["原创力", "VIP", "下载", "您可能关注", "文档评论", "pptx"] {
        assert!(!reference.contains(furniture), "{furniture} in {reference}");
    }
    for q in &doc.sections[2].questions[1..] {
        assert_eq!(q.reference_answer, None);
    }
    assert!(has_warning(&imported, "no reference answer found for question(s) 2, 3, 4, 5"));
    assert!(imported.warnings.iter().any(|w| w.line == 112 && w.message.contains("paper ends here")));
}

#[test]
fn seed_001_ignores_the_page_furniture_before_the_paper() {
    let imported = read(SEED_001);
    let doc = &imported.doc;
    assert_eq!(doc.instructions, "");
    let everything = serde_json::to_string(doc).unwrap_or_default();
    for furniture in ["book118", "NUMPAGES", "VIP", "原创力"] {
        assert!(!everything.contains(furniture), "{furniture} leaked into the paper");
    }
    assert!(imported.warnings.iter().all(|w| w.line > 9), "{:?}", imported.warnings);
}

#[test]
fn seed_001_scenario_prompts_keep_both_lines() {
    let doc = read(SEED_001).doc;
    let q = &doc.sections[3].questions[0];
    assert_eq!(
        q.prompt,
        "情景:一位患者通过电话投诉,称其在线预约挂号被系统随机取消,情绪激动,要求医院赔偿。\n请问客服经理应如何处理?(需分步骤说明)"
    );
    assert_eq!(q.reference_answer, None);
}

const SEED_000_TITLES: [&str; 5] =
    ["自我認知與職業動機", "專業知識與技能", "情境模擬與解決問題能力", "團隊協作與溝通能力類", "潛力與文化適配"];

#[test]
fn seed_000_sections_as_headed() {
    let imported = read(SEED_000);
    let doc = &imported.doc;
    assert_eq!(doc.title, "2025年醫學客服專員招聘面試參考題庫及答案");
    let titles: Vec<_> = doc.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, SEED_000_TITLES);
    let counts: Vec<_> = doc.sections.iter().map(|s| s.questions.len()).collect();
    assert_eq!(counts, [6, 6, 6, 6, 3]);
    let kinds: Vec<_> = doc.sections.iter().map(|s| s.kind).collect();
    use QuestionKind::{Scenario, ShortAnswer};
    assert_eq!(kinds, [ShortAnswer, ShortAnswer, Scenario, ShortAnswer, ShortAnswer]);
    for s in &doc.sections {
        for point in ["及時響應", "表示理解", "澄清事實", "說明正在", "提供進一步", "再次表達"]
        {
            assert!(!s.title.starts_with(point), "an answer's list item became section {}", s.title);
        }
    }
    let paper = valid(doc);
    assert_eq!(paper.total_points(), Points::whole(27 * 5));
}

#[test]
fn seed_000_separates_questions_from_their_answers() {
    let doc = read(SEED_000).doc;
    let source = text::strip_pinyin(SEED_000);
    for q in doc.sections.iter().flat_map(|s| &s.questions) {
        let reference = q.reference_answer.as_deref().unwrap_or_default();
        assert!(reference.chars().count() > 50, "{} has no reference answer", q.prompt);
        assert!(!q.prompt.contains(reference), "the prompt holds its answer: {}", q.prompt);
        // Nothing between prompt and answer is lost or doubled: they stand side by side in the source.
        let opening: String = reference.chars().take(20).collect();
        let adjacent = [format!("{}{opening}", q.prompt), format!("{}參考答案:{opening}", q.prompt)];
        assert!(adjacent.iter().any(|a| source.contains(a.as_str())), "{} | {opening}", q.prompt);
        assert!(!q.prompt.contains("參考答案"), "{}", q.prompt);
        assert!(q.prompt.ends_with(['?', '。']), "prompt runs on: {}", q.prompt);
        assert!(q.prompt.chars().count() < 120, "prompt too long: {}", q.prompt);
    }
    let first = &doc.sections[0].questions[0];
    assert_eq!(first.prompt, "護士工作壓力大、節奏快,有時還會受到委屈。你為什么選擇這個職業?是什么支撐你堅持下去?");
    assert!(first.reference_answer.as_deref().is_some_and(|r| r.starts_with("我選擇護士職業")));
    let second = &doc.sections[0].questions[1];
    assert_eq!(second.prompt, "你認為自己最大的優點和缺點是什么?請結合具體事例說明。");
    let emailed = &doc.sections[2].questions[4];
    let reference = emailed.reference_answer.as_deref().unwrap_or_default();
    assert!(reference.contains("一、及時響應") && reference.contains("六、再次表達關懷"), "{reference}");
    let last = &doc.sections[4].questions[2];
    assert!(last.reference_answer.as_deref().is_some_and(|r| r.ends_with("得到了上級和同事的認可,")));
}

#[test]
fn seed_000_loses_the_spliced_pinyin() {
    let doc = read(SEED_000).doc;
    let mut texts = vec![doc.title.clone()];
    for s in &doc.sections {
        texts.push(s.title.clone());
        for q in &s.questions {
            texts.push(q.prompt.clone());
            texts.extend(q.reference_answer.clone());
        }
    }
    for text in &texts {
        assert!(!has_pinyin_gloss(text), "pinyin left in: {text}");
        for furniture in ["溫馨提示", "本站", "提交評論"] {
            assert!(!text.contains(furniture), "{furniture} in {text}");
        }
    }
    assert!(doc.title.contains("醫學"));
}

/// `(` followed by Latin letters with a tone mark and `)`.
fn has_pinyin_gloss(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().filter(|(_, c)| matches!(c, '(' | '（')).any(|(i, _)| {
        let body: Vec<char> =
            chars[i + 1..].iter().take_while(|c| c.is_alphabetic() && !text::is_han(**c)).copied().collect();
        let closed = matches!(chars.get(i + 1 + body.len()), Some(')' | '）'));
        closed && body.iter().any(|c| "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ".contains(*c))
    })
}

#[test]
fn seed_000_warns_that_it_used_default_points() {
    let imported = read(SEED_000);
    let defaulted = imported.warnings.iter().filter(|w| w.message.contains("gives no points; 5 per question")).count();
    assert_eq!(defaulted, 5);
    let options = ImportOptions { default_points: Some(Points::whole(10)), title: None };
    let imported = import(SEED_000, &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(imported.doc.sections.iter().all(|s| s.points == Points::whole(10)));
    assert!(has_warning(&imported, "gives no points; 10 per question"));
}

const SYNTHETIC: &str = "\
某公司2026年招聘笔试
考试时间60分钟。
一、單選題（共3題，每題2分，答錯倒扣1分，扣完為止）
1．首要原则是？
A．甲　B．乙　C．丙　D．丁
2、第二题？
A.甲
B.乙
答案：B
3.第三题？（ A ）
A.甲 B.乙
二、多选题(共2题,每题3分,少选每个0.5分,错选不得分)
1.多选一？
A.甲 B.乙 C.丙
2.多选二？
A.甲 B.乙 C.丙
三、判斷題（共2題，共5分）
1.对吗？
2.错吗？
四、填空题（共1题，每题2分）
1.患者隐私信息属于____。
五、简答题（共3题，共10分）
1.简述为什么？
2.说明怎样。
3.解释是什么。
答案及解析
一、单选题答案
1．C
解析：因为丙。
二、多选题答案
1.A,B
2.ABC
三、判断题答案
1.√
2.错误
四、填空题答案
1.敏感信息/个人敏感信息
五、简答题答案
1.参考答案：要点一。
要点二。
";

#[test]
fn synthetic_paper_reads_rules_keys_and_points() {
    let imported = read(SYNTHETIC);
    let doc = &imported.doc;
    assert_eq!(doc.title, "某公司2026年招聘笔试");
    assert_eq!(doc.instructions, "考试时间60分钟。");
    let [single, multiple, truth, blank, short] = &doc.sections[..] else { panic!("{:#?}", doc.sections) };
    assert_eq!(
        (single.kind, single.penalty, single.penalty_floor),
        (QuestionKind::SingleChoice, Some(Points::whole(1)), PenaltyFloor::Section)
    );
    let keys: Vec<_> = single.questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(keys, [one("C"), one("B"), one("A")]);
    assert_eq!(single.questions[0].options.len(), 4);
    assert_eq!(single.questions[0].explanation.as_deref(), Some("因为丙。"));
    assert_eq!(single.questions[2].prompt, "第三题？（　　）");
    assert_eq!(multiple.scoring, Some(Scoring::PerCorrect(Points::from_hundredths(50))));
    assert_eq!(multiple.questions[1].answer, many("ABC"));
    assert_eq!(truth.points, Points::from_hundredths(250));
    let truths: Vec<_> = truth.questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(truths, [Some(AnswerKey::Bool(true)), Some(AnswerKey::Bool(false))]);
    let accepted: Vec<_> = blank.questions[0].accepted.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(accepted, ["敏感信息", "个人敏感信息"]);
    assert_eq!(short.questions[0].reference_answer.as_deref(), Some("要点一。\n要点二。"));
    assert_eq!(short.points, Points::from_hundredths(333));
    assert_eq!(short.questions[2].points, Some(Points::from_hundredths(334)));
    assert!(has_warning(&imported, "do not split evenly"));
    let paper = valid(doc);
    assert_eq!(paper.total_points(), Points::whole(6 + 6 + 5 + 2 + 10));
}

#[test]
fn never_invents_a_missing_key() {
    let text = "一、单选题（共3题，每题1分）\n1.甲？\nA.x\nB.y\n2.乙？\nA.x\nB.y\n答案：见解析\n答案及解析\n1.B\n";
    let imported = read(text);
    let questions = &imported.doc.sections[0].questions;
    assert_eq!(questions[0].answer, one("B"));
    assert_eq!(questions[1].answer, None);
    let missing: Vec<_> =
        imported.warnings.iter().filter(|w| w.message.contains("no key that could be read")).collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].line, 8, "the line of the unreadable key");
    assert!(imported.warnings.iter().any(|w| w.line == 1 && w.message.contains("says 3 questions, 2 were found")));
}

#[test]
fn reads_answers_after_each_section_and_key_runs() {
    let text = "\
一、单选题(共2题,每题1分)
1.甲？
A.x B.y
2.乙？
A.x B.y
参考答案
1-2 BA
二、简答题(共1题,每题5分)
1.为什么？
参考答案
这是参考答案。
";
    let imported = read(text);
    let doc = &imported.doc;
    assert_eq!(doc.sections.len(), 2, "{:#?}", doc.sections);
    let keys: Vec<_> = doc.sections[0].questions.iter().map(|q| q.answer.clone()).collect();
    assert_eq!(keys, [one("B"), one("A")]);
    assert_eq!(doc.sections[1].questions[0].reference_answer.as_deref(), Some("这是参考答案。"));
    valid(doc);
}

#[test]
fn questions_without_headings_get_a_section_and_titles_fall_back() {
    let text = "1.甲？\nA.x\nB.y\nC.z\n答案：A,C\n";
    let imported = read(text);
    assert_eq!(imported.doc.title, "导入的试卷");
    assert_eq!(imported.doc.sections[0].kind, QuestionKind::MultipleChoice);
    assert_eq!(imported.doc.sections[0].title, "多选题");
    assert!(has_warning(&imported, "before any section heading"));
    let options = ImportOptions { default_points: None, title: Some("给定标题".into()) };
    let titled = import(text, &options).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(titled.doc.title, "给定标题");
}

#[test]
fn refuses_text_without_questions() {
    let error = import("只是一段文字。\n没有题目。", &ImportOptions::default()).err();
    assert!(error.is_some_and(|e| e.line.is_none()));
    assert!(import("", &ImportOptions::default()).is_err());
}

#[test]
fn reads_a_hundred_kilobytes_quickly() {
    let big = SEED_000.repeat(3) + &SEED_001.repeat(2);
    let hostile = [
        big.clone(),
        "1.".repeat(50_000),
        "一、".repeat(50_000),
        "醫(".repeat(50_000),
        format!("一、单选题(共1题,每题1分)\n1.题？{}", "A.x ".repeat(25_000)),
        format!("答案及解析\n{}", "1.答案:x\n".repeat(10_000)),
        "一".repeat(100_000),
        "一、a(".repeat(25_000),
        ("一、".repeat(9) + &" ".repeat(2_000)).repeat(50),
        "一、单选题(".repeat(15_000),
        "参考答案:".repeat(20_000),
        "【答案】".repeat(20_000),
        "1".repeat(100_000),
        format!("一、简答题\n1.为什么?{}", "我认为。".repeat(25_000)),
    ];
    for text in hostile {
        let started = Instant::now();
        let _ = import(&text, &ImportOptions::default());
        let took = started.elapsed();
        // A guard against a quadratic blow-up (which takes minutes on such input), not a speed target:
        // a loaded CI machine may be many times slower than a quiet one.
        assert!(took < Duration::from_secs(30), "{} bytes took {took:?}", text.len());
    }
}

/// Cuts `text` at the char boundary nearest to `share` of its length.
fn cut(text: &str, share: f64) -> &str {
    let mut at = ((text.len() as f64) * share) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

fn seed(i: usize) -> &'static str {
    if i == 0 {
        SEED_000
    } else {
        SEED_001
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = import(&text, &ImportOptions::default());
    }

    #[test]
    fn never_panics_on_marker_soup(text in "[0-9A-Ea-e一二三十、.．:：()（）\n 第题分共每少选错扣完为止√×答案解析参考【】醫yīxué-]{0,400}") {
        let _ = import(&text, &ImportOptions::default());
    }

    #[test]
    fn never_panics_on_truncated_seeds(i in 0..2usize, share in 0.0..1.0f64) {
        let text = cut(seed(i), share);
        if let Ok(imported) = import(text, &ImportOptions::default()) {
            prop_assert!(!imported.doc.sections.is_empty());
        }
    }

    #[test]
    fn never_panics_on_seeds_with_insertions(
        i in 0..2usize,
        inserts in proptest::collection::vec((0.0..1.0f64, "[0-9A-E一二、.:()（）\n 答案解析参考题分√×]{1,6}"), 1..24),
    ) {
        let mut text = seed(i).to_string();
        for (share, piece) in inserts {
            let at = cut(&text, share).len();
            text.insert_str(at, &piece);
        }
        let _ = import(&text, &ImportOptions::default());
    }
}
