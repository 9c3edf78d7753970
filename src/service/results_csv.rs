//! The results CSV's words: headers in the paper's language (Chinese when the paper is written in
//! Chinese, else English), each points column with its maximum, one column per section and per
//! question, and a file name from the exam's title and date.
//!
//! State cells stay the API's codes (`graded`, `submitted`, `expired`, `in_progress`, and
//! `not_started` for invited candidates who never began), so a sheet can be filtered the same way in
//! either language.

use super::results::ResultRow;
use crate::domain::paper::Paper;
use crate::domain::points::Points;

/// The language of a paper's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// 中文.
    Chinese,
    /// English.
    English,
}

impl Language {
    /// Chinese when the paper's title or any section title holds a CJK character.
    pub fn of(paper: &Paper) -> Language {
        let doc = paper.doc();
        let cjk = |t: &str| {
            t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
        };
        if cjk(&doc.title) || doc.sections.iter().any(|s| cjk(&s.title)) {
            Language::Chinese
        } else {
            Language::English
        }
    }

    fn fixed(self) -> [&'static str; 6] {
        match self {
            Language::Chinese => ["邮箱", "姓名", "状态", "已评完", "自动评分", "人工评分"],
            Language::English => ["Email", "Name", "State", "Complete", "Auto points", "Marked points"],
        }
    }

    fn with_max(self, label: &str, max: Points) -> String {
        match self {
            Language::Chinese => format!("{label}（满分{max}）"),
            Language::English => format!("{label} (max {max})"),
        }
    }

    fn total(self) -> &'static str {
        match self {
            Language::Chinese => "总分",
            Language::English => "Total",
        }
    }

    fn question(self, number: usize) -> String {
        match self {
            Language::Chinese => format!("第{number}题"),
            Language::English => format!("Q{number}"),
        }
    }
}

/// A CSV cell: quoted when it must be, and text that a spreadsheet would run as a formula is defused
/// with a leading apostrophe (OWASP's advice for CSV injection), since names come from invitations.
pub fn cell(text: &str, numeric: bool) -> String {
    let defused = if !numeric && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn points_cell(p: Option<Points>) -> String {
    p.map(|p| p.to_string()).unwrap_or_default()
}

/// The CSV's first line, after a UTF-8 byte-order mark so spreadsheet programs read Chinese names.
pub fn header(paper: &Paper) -> String {
    let lang = Language::of(paper);
    let mut header: Vec<String> = lang.fixed().iter().map(|h| h.to_string()).collect();
    header.push(lang.with_max(lang.total(), paper.total_points()));
    for (i, s) in paper.doc().sections.iter().enumerate() {
        header.push(cell(&lang.with_max(&s.title, paper.section_points(i)), false));
    }
    for (i, q) in paper.questions().enumerate() {
        header.push(cell(&lang.with_max(&lang.question(i + 1), q.points()), false));
    }
    format!("\u{feff}{}\r\n", header.join(","))
}

/// One attempt's line: the same numbers as the JSON row, a cell per section and per question.
pub fn line(paper: &Paper, r: &ResultRow) -> String {
    let mut line = vec![
        cell(&r.candidate.email, false),
        cell(&r.candidate.name, false),
        r.state.clone(),
        r.complete.to_string(),
        points_cell(r.auto_points),
        points_cell(r.marked_points),
        points_cell(r.total),
    ];
    line.extend(r.sections.iter().map(|s| points_cell(s.points)));
    for q in paper.questions() {
        line.push(points_cell(r.questions.iter().find(|l| l.key == q.key()).and_then(|l| l.points)));
    }
    format!("{}\r\n", line.join(","))
}

/// The line of an invited candidate who never started: no points at all.
pub fn not_started_line(paper: &Paper, email: &str, name: &str) -> String {
    let blanks = 3 + paper.doc().sections.len() + paper.questions().count();
    let mut line = vec![cell(email, false), cell(name, false), "not_started".to_string(), "false".to_string()];
    line.extend(std::iter::repeat_n(String::new(), blanks));
    format!("{}\r\n", line.join(","))
}

/// `Content-Disposition` for the file: the exam's title and opening date in `filename*` (RFC 6266,
/// UTF-8 percent-encoded), with an ASCII `filename` for clients that read only that.
pub fn disposition(title: &str, date: chrono::NaiveDate) -> String {
    let stem: String = title
        .chars()
        .map(|c| if c.is_control() || "/\\\"*:<>?|".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim()
        .to_string();
    let stem = if stem.is_empty() { "results".to_string() } else { stem };
    let name = format!("{stem} {date}.csv");
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_. ".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("王小明", false), "王小明");
        assert_eq!(cell("Smith, Jane", false), "\"Smith, Jane\"");
        assert_eq!(cell("say \"hi\"", false), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")", false), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1.5", true), "-1.5");
        assert_eq!(cell("-cmd", false), "'-cmd");
    }

    #[test]
    fn the_file_is_named_after_the_exam_and_its_date() {
        let date = chrono::NaiveDate::from_ymd_opt(2030, 3, 1).unwrap();
        assert_eq!(
            disposition("客服经理笔试", date),
            "attachment; filename=\"______ 2030-03-01.csv\"; filename*=UTF-8''%E5%AE%A2%E6%9C%8D%E7%BB%8F%E7%90%86%E7%AC%94%E8%AF%95%202030-03-01.csv"
        );
        assert!(disposition("a/b\"c", date).starts_with("attachment; filename=\"a_b_c 2030-03-01.csv\""));
    }
}
