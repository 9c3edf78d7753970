//! Issue 3: the two real documents and Moodle's own fixtures, imported through the HTTP API.

use serde_json::{json, Value};

use crate::helpers::*;

pub const SEED_001: &str = include_str!("../fixtures/seeds/001_feb79bb3dd53de14.txt");
const SEED_000: &str = include_str!("../fixtures/seeds/000_9dfe5f0092d33d60.txt");
const GIFT: &str = include_str!("../fixtures/moodle/questions.gift.txt");
const AIKEN: &str = include_str!("../fixtures/moodle/questions.aiken.txt");
const AIKEN_ERRORS: &str = include_str!("../fixtures/moodle/aiken_errors.txt");

impl TestApp {
    pub async fn import(&self, token: &str, query: &str, text: &str) -> Reply {
        self.send("POST", &format!("/papers/import?{query}"), Some(token), Some("text/plain"), text.as_bytes().to_vec())
            .await
    }
}

fn questions(section: &Value) -> &Vec<Value> {
    section["questions"].as_array().unwrap()
}

fn keys_of(section: &Value) -> Vec<String> {
    questions(section)
        .iter()
        .map(|q| match &q["answer"] {
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().map(|k| k.as_str().unwrap()).collect::<String>(),
            other => other.to_string(),
        })
        .collect()
}

#[actix_web::test]
async fn seed_001_becomes_five_sections_worth_110_points() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.import(&recruiter, "format=cn-text", SEED_001).await.expect(201).body;
    assert_eq!(paper["title"], "2026年医疗行业客服经理面试题及答案");
    assert_eq!(paper["total_points"], 110);
    assert_eq!(paper["status"], "draft");
    let sections = paper["sections"].as_array().unwrap();
    let shape: Vec<(String, usize, i64)> = sections
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_string(), questions(s).len(), s["points"].as_i64().unwrap()))
        .collect();
    let expected = [
        ("single_choice", 5, 2),
        ("multiple_choice", 5, 3),
        ("short_answer", 5, 5),
        ("scenario", 3, 10),
        ("essay", 2, 15),
    ];
    assert_eq!(shape, expected.map(|(k, n, p)| (k.to_string(), n, p)));
    assert_eq!(keys_of(&sections[0]), ["C", "C", "B", "C", "B"]);
    assert_eq!(keys_of(&sections[1]), ["ABCE", "ABCDE", "ACE", "ABCE", "ABCD"]);
    assert_eq!(questions(&sections[0])[0]["options"].as_array().unwrap().len(), 4);
    assert_eq!(questions(&sections[1])[0]["options"].as_array().unwrap().len(), 5);
    assert_eq!(questions(&sections[0])[0]["options"][2]["text"], "理解患者情绪并主动提供解决方案");
    for section in &sections[..2] {
        for q in questions(section) {
            assert!(q["explanation"].as_str().is_some_and(|e| !e.is_empty()), "no 解析 on {}", q["key"]);
        }
    }
    assert!(questions(&sections[0])[0]["explanation"].as_str().unwrap().starts_with("医疗客服的核心是服务患者"));
    let reference = questions(&sections[2])[0]["reference_answer"].as_str().unwrap();
    assert!(reference.len() > 40, "{reference}");
    for furniture in ["原创力", "VIP", "下载", "版权", "PAGE"] {
        assert!(!reference.contains(furniture), "furniture {furniture} in {reference}");
        assert!(!paper.to_string().contains(furniture), "furniture {furniture} in the paper");
    }
    let summary: Vec<i64> =
        paper["summary"].as_array().unwrap().iter().map(|s| s["questions"].as_i64().unwrap()).collect();
    assert_eq!(summary, [5, 5, 5, 3, 2]);
    let warnings = paper["warnings"].as_array().unwrap();
    assert!(warnings.iter().all(|w| w["line"].as_u64().unwrap() > 0 && w["message"].is_string()));
}

#[actix_web::test]
async fn seed_000_keeps_its_headed_sections_and_separates_answers() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.import(&recruiter, "format=cn-text&points=4", SEED_000).await.expect(201).body;
    let sections = paper["sections"].as_array().unwrap();
    let titles: Vec<&str> = sections.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        ["自我認知與職業動機", "專業知識與技能", "情境模擬與解決問題能力", "團隊協作與溝通能力類", "潛力與文化適配"]
    );
    let counts: Vec<usize> = sections.iter().map(|s| questions(s).len()).collect();
    assert_eq!(counts, [6, 6, 6, 6, 3]);
    assert_eq!(sections[2]["kind"], "scenario");
    assert_eq!(paper["total_points"], 27 * 4);
    let warnings = paper["warnings"].to_string();
    assert!(warnings.contains("gives no points"), "{warnings}");
    for section in sections {
        for q in questions(section) {
            let prompt = q["prompt"].as_str().unwrap();
            let reference = q["reference_answer"].as_str().unwrap_or_default();
            assert!(!reference.is_empty(), "{prompt} has no reference answer");
            let opening: String = reference.chars().take(25).collect();
            assert!(!prompt.contains(&opening), "answer left in the prompt: {prompt}");
            assert!(!prompt.contains("參考答案") && !prompt.contains("参考答案"));
        }
    }
    // Warnings quote the file as written (glosses and all), so a recruiter can search for them.
    let text = without_warnings(&paper);
    for pinyin in ["(yī)", "(xué)", "yī", "xué"] {
        assert!(!text.contains(pinyin), "pinyin {pinyin} left in the paper");
    }
    assert!(text.contains("醫學"));
}

#[actix_web::test]
async fn moodle_gift_fixture_gives_what_moodle_gives() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.import(&recruiter, "format=gift", GIFT).await.expect(201).body;
    let all: Vec<&Value> = paper["sections"].as_array().unwrap().iter().flat_map(|s| questions(s).iter()).collect();
    let by_key = |key: &str| {
        let section = paper["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| questions(s).iter().any(|q| q["key"] == key))
            .unwrap();
        let q = questions(section).iter().find(|q| q["key"] == key).unwrap().clone();
        (q["kind"].as_str().unwrap_or(section["kind"].as_str().unwrap()).to_string(), q, section.clone())
    };
    assert_eq!(by_key("Q8").0, "essay");
    let (kind, q2, _) = by_key("Q2");
    assert_eq!(kind, "single_choice");
    let yellow = q2["options"].as_array().unwrap().iter().find(|o| o["text"] == "yellow").unwrap();
    assert_eq!(q2["answer"], yellow["key"]);
    let (kind, colours, section) = by_key("colours");
    assert_eq!(kind, "multiple_choice");
    assert_eq!(colours["scoring"].as_str().or(section["scoring"].as_str()), Some("weighted"));
    let mut weights: Vec<i64> =
        colours["options"].as_array().unwrap().iter().map(|o| o["weight"].as_f64().unwrap() as i64).collect();
    weights.sort();
    assert_eq!(weights, [-100, -100, 50, 50]);
    let (kind, q5, _) = by_key("Q5");
    assert_eq!((kind.as_str(), &q5["answer"], &q5["tolerance"]), ("numeric", &json!(3.0), &json!(2.0)));
    let (kind, short, _) = by_key("Shortanswer");
    assert_eq!(kind, "fill_blank");
    let accepted = short["accepted"].as_array().unwrap();
    assert_eq!(accepted[0]["text"], "Frog");
    assert!(accepted[0]["credit"].is_null() || accepted[0]["credit"] == 1.0);
    assert_eq!((&accepted[1]["text"], &accepted[1]["credit"]), (&json!("Cat"), &json!(0.5)));
    let (kind, q1, _) = by_key("Q1");
    assert_eq!((kind.as_str(), &q1["answer"]), ("true_false", &json!(false)));
    assert!(q1["explanation"].as_str().unwrap().contains("Hitchiker"));
    let tsl: Vec<&&Value> = all.iter().filter(|q| q["prompt"] == "TSL is blablabla.").collect();
    assert_eq!(tsl.len(), 2);
    assert!(tsl.iter().all(|q| q["answer"] == true));
    let warnings = paper["warnings"].to_string();
    assert!(warnings.contains("Moodle activities") && warnings.to_lowercase().contains("matching"), "{warnings}");
    let text = without_warnings(&paper);
    assert!(!text.contains("[html]") && !text.contains("[plain]"));
    assert!(!paper.to_string().contains("Forum"), "nothing invented from the matching question");
    let exported = app
        .get(&format!("/papers/{}/export?format=gift", paper["id"].as_str().unwrap()), Some(&recruiter))
        .await
        .expect(200);
    let again = app.import(&recruiter, "format=gift", &exported.text).await.expect(201).body;
    assert_eq!(again["sections"].as_array().unwrap().len(), paper["sections"].as_array().unwrap().len());
}

#[actix_web::test]
async fn moodle_aiken_fixtures_import_and_report_each_bad_question() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.import(&recruiter, "format=aiken", AIKEN).await.expect(201).body;
    let qs = questions(&paper["sections"][0]);
    assert_eq!(qs.len(), 2);
    assert_eq!(keys_of(&paper["sections"][0]), ["B", "A"]);
    assert!(paper.to_string().contains("<html class=\\\"cool\\\"> &"), "{paper}");

    let paper = app.import(&recruiter, "format=aiken&points=1", AIKEN_ERRORS).await.expect(201).body;
    assert_eq!(keys_of(&paper["sections"][0]), ["A", "B"]);
    assert_eq!(questions(&paper["sections"][0])[1]["options"][1]["text"], "Correct (No space)");
    let warnings: Vec<&Value> = paper["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| !w["message"].as_str().unwrap().contains("points"))
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    let lines: Vec<u64> = warnings.iter().map(|w| w["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [1, 5, 14]);
    assert!(
        warnings[0]["message"].as_str().unwrap().contains("too few")
            || warnings[0]["message"].as_str().unwrap().contains("at least two")
    );
    assert!(warnings[1]["message"].as_str().unwrap().contains("no question before it"));
    assert!(warnings[2]["message"].as_str().unwrap().contains("no ANSWER"));
}

#[actix_web::test]
async fn bad_imports_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    app.import(&recruiter, "format=pdf", "x").await.expect_problem(422, "validation_failed");
    app.import(&recruiter, "format=cn-text&points=-1", SEED_001).await.expect_problem(422, "validation_failed");
    app.import(&recruiter, "format=cn-text", "just some words, no questions")
        .await
        .expect_problem(422, "validation_failed");
    app.import(&recruiter, "format=aiken", "nothing here").await.expect_problem(422, "validation_failed");
    app.send("POST", "/papers/import?format=cn-text", Some(&recruiter), Some("text/plain"), vec![0xff, 0xfe, 0xfd])
        .await
        .expect_problem(400, "invalid_utf8");
    app.import(&recruiter, "formats=cn-text", SEED_001).await.expect_problem(400, "bad_query");
    let (_, marker) = app.staff("marker").await;
    app.import(&marker, "format=cn-text", SEED_001).await.expect_problem(403, "forbidden");
    assert_eq!(app.get("/papers", Some(&recruiter)).await.expect(200).body, json!([]));
}

/// A recruitment test as published: questions and options, no answer part.
const KEYLESS_BANK: &str = "\
客服岗位笔试题
一、单选题（每题2分，共4分）
1.首诉负责制要求？
A.推诿 B.一次办结 C.转接
2.投诉应在多久内回复？
A.一天 B.一周
二、填空题（共1题，每题1分）
1.患者信息属于____。
三、简答题（共1题，共5分）
1.简述沟通技巧。
";

#[actix_web::test]
async fn a_bank_without_keys_imports_whole_and_publishing_asks_for_each_key() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let paper = app.import(&recruiter, "format=cn-text", KEYLESS_BANK).await.expect(201).body;
    let id = paper["id"].as_str().unwrap().to_string();
    assert_eq!(paper["status"], "draft");
    assert_eq!(paper["total_points"], 10);
    assert_eq!(questions(&paper["sections"][0]).len(), 2);
    let missing: Vec<&str> =
        paper["missing_keys"].as_array().unwrap().iter().map(|m| m["field"].as_str().unwrap()).collect();
    assert_eq!(
        missing,
        ["sections[0].questions[0].answer", "sections[0].questions[1].answer", "sections[1].questions[0].accepted"]
    );
    let warned = paper["warnings"].to_string();
    assert!(warned.contains("question 1 of “单选题” has no key"), "{warned}");

    let refused = app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({})).await;
    let refused = refused.expect_problem(422, "paper_incomplete");
    assert_eq!(refused.body["errors"].as_array().unwrap().len(), 3);
    assert!(refused.body["detail"].as_str().unwrap().contains("3 question(s) still need a key"));
    let read = app.get(&format!("/papers/{id}"), Some(&recruiter)).await.expect(200).body;
    assert_eq!(read["missing_keys"].as_array().unwrap().len(), 3);

    let mut keyed = read.clone();
    keyed["sections"][0]["questions"][0]["answer"] = json!("B");
    keyed["sections"][0]["questions"][1]["answer"] = json!("A");
    keyed["sections"][1]["questions"][0]["accepted"] = json!([{"text": "敏感信息"}]);
    for field in ["id", "status", "version", "total_points", "owner_id", "created_at", "updated_at", "missing_keys"] {
        keyed.as_object_mut().unwrap().remove(field);
    }
    let replaced = app.put(&format!("/papers/{id}"), Some(&recruiter), &keyed).await.expect(200).body;
    assert!(replaced.get("missing_keys").is_none(), "{replaced}");
    let published = app.post(&format!("/papers/{id}/publish"), Some(&recruiter), &json!({})).await.expect(200);
    assert_eq!(published.body["status"], "published");
}

#[actix_web::test]
async fn a_question_number_followed_by_digits_keeps_each_key_on_its_own_question() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let text = "一、单选题（每题1分）\n1.挂号需要什么？\nA.身份证 B.医保卡\n答案：A\n2、12岁以下患儿就诊需由谁陪同？\nA.监护人 B.邻居\n答案：A\n3.5岁儿童可以独自就诊吗？\nA.可以 B.不可以\n答案：B\n";
    let paper = app.import(&recruiter, "format=cn-text", text).await.expect(201).body;
    let section = &paper["sections"][0];
    assert_eq!(keys_of(section), ["A", "A", "B"]);
    assert_eq!(questions(section)[1]["prompt"], "12岁以下患儿就诊需由谁陪同？");
    assert_eq!(questions(section)[2]["prompt"], "5岁儿童可以独自就诊吗？");
    assert!(!paper["warnings"].to_string().contains("more than once"), "{}", paper["warnings"]);
}

/// A `multipart/form-data` body as `curl -F file=@name` sends it, with a form field before the file.
fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "------------------------examdtest";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n不是试卷\r\n").into_bytes();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes());
    body.extend_from_slice(content);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A minimal Word file: one paragraph per line, the first three in a decimal list.
fn word_file(lines: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let paragraphs: String = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let numbered = if i == 1 {
                r#"<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>"#
            } else {
                ""
            };
            format!("<w:p>{numbered}<w:r><w:t>{line}</w:t></w:r></w:p>")
        })
        .collect();
    let document = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>"#
    );
    let numbering = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.start_file("word/numbering.xml", options).unwrap();
    zip.write_all(numbering.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn a_gbk_file_uploaded_as_a_form_imports_with_its_format_detected() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let (gbk, _, _) = encoding_rs::GBK.encode("护士笔试\n一、单选题（每题2分）\n1.首要原则？\nA.甲 B.乙\n答案：B\n");
    let (content_type, body) = multipart("题库.txt", &gbk);
    let paper = app.send("POST", "/papers/import", Some(&recruiter), Some(&content_type), body).await.expect(201).body;
    assert_eq!(paper["title"], "护士笔试", "the part headers are not the title");
    assert_eq!(paper["source"], json!({"encoding": "gb18030", "format": "cn-text", "detected": true}));
    assert_eq!(keys_of(&paper["sections"][0]), ["B"]);

    let (content_type, body) = multipart("bank.gift", GIFT.as_bytes());
    let paper = app.send("POST", "/papers/import", Some(&recruiter), Some(&content_type), body).await.expect(201).body;
    assert_eq!(paper["source"]["format"], "gift");
}

#[actix_web::test]
async fn a_word_file_imports_with_its_list_numbers() {
    let app = spawn_app().await;
    let (_, recruiter) = app.staff("recruiter").await;
    let docx = word_file(&["一、单选题（每题2分）", "首要原则？", "A.甲", "B.乙", "答案：B"]);
    let paper = app
        .send("POST", "/papers/import", Some(&recruiter), Some("application/octet-stream"), docx)
        .await
        .expect(201)
        .body;
    assert_eq!(paper["source"], json!({"encoding": "docx", "format": "cn-text", "detected": true}));
    let q = &questions(&paper["sections"][0])[0];
    assert_eq!((q["prompt"].as_str(), q["answer"].as_str()), (Some("首要原则？"), Some("B")));
    app.send(
        "POST",
        "/papers/import",
        Some(&recruiter),
        Some("application/octet-stream"),
        b"PK\x03\x04broken".to_vec(),
    )
    .await
    .expect_problem(422, "validation_failed");
}

/// An import answer without its warnings, whose quotes show the file as written.
fn without_warnings(answer: &Value) -> String {
    let mut answer = answer.clone();
    if let Some(object) = answer.as_object_mut() {
        object.remove("warnings");
    }
    answer.to_string()
}
