//! Web-page furniture: the notices, page counters and download lists that document sites wrap
//! around a paper when it is copied out of the page.

use super::text::{contains_any, fold};

/// Names of document sites and page-template leftovers: a line holding one is never paper text.
const SITE_WORDS: [&str; 13] = [
    "第PAGE页",
    "第PAGE頁",
    "NUMPAGES",
    "book118",
    "原创力",
    "原創力",
    "人人文库",
    "人人文庫",
    "道客巴巴",
    "百度文库",
    "百度文庫",
    "版权说明",
    "版權說明",
];

/// Words that mark a bulleted line as a site notice rather than a list item of an answer.
const NOTICE_WORDS: [&str; 18] = [
    "VIP", "下载", "下載", "版权", "版權", "本站", "文档", "文檔", "侵权", "侵權", "会员", "會員", ".pdf", ".doc",
    ".ppt", ".xls", ".txt", "上传",
];

/// Whole lines that open the site's own part of the page; nothing after them belongs to the paper.
const END_MARKERS: [&str; 26] = [
    "您可能关注的文档",
    "您可能關注的文檔",
    "最近下载",
    "最近下載",
    "原创力文档",
    "原創力文檔",
    "文档评论",
    "文檔評論",
    "温馨提示",
    "溫馨提示",
    "最新文档",
    "最新文檔",
    "相关文档",
    "相關文檔",
    "相关推荐",
    "相關推薦",
    "猜你喜欢",
    "猜你喜歡",
    "评论",
    "評論",
    "提交评论",
    "提交評論",
    "下载本文档",
    "下載本文檔",
    "文档简介",
    "文檔簡介",
];

/// Whether a line is site furniture wherever it stands (notices, page counters, file lists).
pub(super) fn is_furniture(line: &str) -> bool {
    let compact: String = line.chars().map(fold).filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return false;
    }
    let lower = compact.to_lowercase();
    let bulleted = line.trim_start().starts_with(['-', '•', '·', '●', '▪'])
        && line.trim_start().chars().nth(1).is_some_and(char::is_whitespace);
    contains_any(&compact, &SITE_WORDS)
        || (bulleted && (contains_any(&compact, &NOTICE_WORDS) || contains_any(&lower, &NOTICE_WORDS)))
        || compact.starts_with("已阅读")
        || compact.starts_with("已閱讀")
        || is_page_counter(&compact)
}

/// `第3页`, `第3页共9页`, `…_第3頁`, `3/9`: page counters and thumbnails.
fn is_page_counter(compact: &str) -> bool {
    let chars: Vec<char> = compact.chars().collect();
    if let Some(slash) = chars.iter().position(|&c| c == '/') {
        let digits = |s: &[char]| !s.is_empty() && s.iter().all(char::is_ascii_digit);
        if digits(&chars[..slash]) && digits(&chars[slash + 1..]) {
            return true;
        }
    }
    let Some(last) = chars.last() else { return false };
    if !matches!(last, '页' | '頁') {
        return false;
    }
    // Walk back over `第N页` and an optional `共N页` before it.
    let mut end = chars.len() - 1;
    let mut counters = 0;
    while let Some(start) = counter_start(&chars[..end]) {
        counters += 1;
        if start == 0 {
            return true;
        }
        if matches!(chars[start - 1], '_' | '-' | '—') && chars.len() <= 80 {
            return true;
        }
        match chars[..start].last() {
            Some('页' | '頁') if counters == 1 => end = start - 1,
            _ => return false,
        }
    }
    false
}

/// Start of `第N` or `共N` ending right before `end` (the `页` that follows is already cut off).
fn counter_start(chars: &[char]) -> Option<usize> {
    let digits = chars.iter().rev().take_while(|c| c.is_ascii_digit() || "PAGENUMS".contains(**c)).count();
    if digits == 0 || digits == chars.len() {
        return None;
    }
    let at = chars.len() - digits - 1;
    matches!(chars[at], '第' | '共').then_some(at)
}

/// Whether a line opens the site's part of the page (after the paper has begun).
pub(super) fn is_end_marker(line: &str) -> bool {
    let compact: String = line.chars().map(fold).filter(|c| !c.is_whitespace()).collect();
    let core = strip_counter_suffix(&compact);
    END_MARKERS.contains(&core)
}

/// `文档评论(0)` → `文档评论`.
fn strip_counter_suffix(s: &str) -> &str {
    match s.strip_suffix(')').and_then(|rest| rest.rsplit_once('(')) {
        Some((head, count)) if count.chars().all(|c| c.is_ascii_digit()) => head,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_notices_and_counters_of_both_seeds() {
        assert!(is_furniture("- 4、该文档为VIP文档,如果想要下载,成为VIP会员后,下载免费。"));
        assert!(is_furniture("第PAGE页共NUMPAGES页"));
        assert!(is_furniture("2025年醫學客服專員招聘面試參考題庫及答案_第3頁"));
        assert!(is_furniture("已閱讀5頁,還剩14頁未讀, 繼續免費閱讀"));
        assert!(is_furniture("  • 2. 本站的文檔不包含任何第三方提供的附件圖紙等"));
        assert!(is_furniture("第3页共9页"));
        assert!(is_furniture("0/150"));
        assert!(is_end_marker("文档评论(0)"));
        assert!(is_end_marker("溫馨提示"));
    }

    #[test]
    fn leaves_answer_lines_alone() {
        assert!(!is_furniture("-理解规定底线:客服需明确医院政策红线,避免违规承诺。"));
        assert!(!is_furniture("-升"));
        assert!(!is_furniture("1.请说明下载文件前应检查什么?"));
        assert!(!is_furniture("详见教材第3页"));
        assert!(!is_end_marker("评论区的差评如何处理?"));
    }
}
