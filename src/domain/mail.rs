//! The invitation mail: languages, the recruiter's subject and body templates with named placeholders,
//! and rendering them into a plain-text and an HTML part. Pure: no IO, no SMTP.
//!
//! A template is text with `{placeholder}`s; `{{` and `}}` stand for literal braces. It is checked
//! when saved, so an unknown placeholder is refused then, not found in a candidate's inbox. Values are
//! data: in the HTML part every value (a candidate's name too) and the template text itself are escaped,
//! so nothing a recruiter or candidate typed becomes markup.

use chrono::{DateTime, Utc};

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &["name", "exam", "start_url", "code", "opens_at", "closes_at", "duration"];

/// Longest subject template, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest body template, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

/// The language of a mail (and of the built-in texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl Language {
    /// Reads `zh` or `en`.
    pub fn parse(s: &str) -> Result<Language, String> {
        match s.trim() {
            "zh" => Ok(Language::Zh),
            "en" => Ok(Language::En),
            _ => Err("the language is zh or en".into()),
        }
    }

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(&'static str),
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

impl Template {
    /// Parses a template; the error names the first unknown placeholder or stray brace.
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) if name.len() < 40 => name.push(c),
                            _ => return Err("a `{` without its `}` (write `{{` for a literal brace)".into()),
                        }
                    }
                    let Some(known) = PLACEHOLDERS.iter().find(|p| **p == name) else {
                        return Err(format!("unknown placeholder {{{name}}}; use {}", list_placeholders()));
                    };
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Field(known));
                }
                '}' => return Err("a `}` without its `{` (write `}}` for a literal brace)".into()),
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template(pieces))
    }

    /// Checks a subject template: one line, not too long, known placeholders.
    pub fn parse_subject(source: &str) -> Result<Template, String> {
        if source.trim().is_empty() || source.chars().count() > MAX_SUBJECT_CHARS {
            return Err(format!("the subject has 1 to {MAX_SUBJECT_CHARS} characters"));
        }
        if source.chars().any(char::is_control) {
            return Err("the subject is one line without control characters".into());
        }
        Template::parse(source)
    }

    /// Checks a body template: not too long, known placeholders.
    pub fn parse_body(source: &str) -> Result<Template, String> {
        if source.trim().is_empty() || source.chars().count() > MAX_BODY_CHARS {
            return Err(format!("the body has 1 to {MAX_BODY_CHARS} characters"));
        }
        Template::parse(source)
    }

    fn render_with(&self, value: &dyn Fn(&str) -> String, text: &dyn Fn(&str) -> String) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => text(t),
                Piece::Field(f) => value(f),
            })
            .collect()
    }
}

fn list_placeholders() -> String {
    PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ")
}

/// What a mail says about one invitation.
#[derive(Debug, Clone)]
pub struct MailFacts {
    /// The candidate's name.
    pub name: String,
    /// The exam's title.
    pub exam: String,
    /// `{public_url}/take#<code>`.
    pub start_url: String,
    /// The access code, for typing.
    pub code: String,
    /// Window start.
    pub opens_at: DateTime<Utc>,
    /// Window end.
    pub closes_at: DateTime<Utc>,
    /// Time per attempt.
    pub duration_seconds: i64,
    /// The mail's language.
    pub language: Language,
    /// A reminder (its subject says so) rather than the first invitation.
    pub reminder: bool,
}

impl MailFacts {
    fn value(&self, field: &str) -> String {
        match field {
            "name" => self.name.clone(),
            "exam" => self.exam.clone(),
            "start_url" => self.start_url.clone(),
            "code" => self.code.clone(),
            "opens_at" => when(self.opens_at),
            "closes_at" => when(self.closes_at),
            "duration" => duration(self.duration_seconds, self.language),
            _ => String::new(),
        }
    }
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// Renders the exam's templates (or the built-in ones of the language) for one invitation.
pub fn render(subject: Option<&Template>, body: Option<&Template>, facts: &MailFacts) -> RenderedMail {
    let (default_subject, default_body) = defaults(facts.language);
    let subject_t = subject.cloned().unwrap_or(default_subject);
    let body_t = body.cloned().unwrap_or(default_body);
    // Header values stay on one line whatever a value holds.
    let one_line = |f: &str| facts.value(f).replace(['\r', '\n'], " ");
    let mut subject = subject_t.render_with(&one_line, &|t| t.to_string());
    if facts.reminder {
        subject = match facts.language {
            Language::Zh => format!("提醒：{subject}"),
            Language::En => format!("Reminder: {subject}"),
        };
    }
    let text = body_t.render_with(&|f| facts.value(f), &|t| t.to_string());
    let html_inner = body_t.render_with(
        &|f| match f {
            "start_url" => {
                let url = escape(&facts.start_url);
                format!("<a href=\"{url}\">{url}</a>")
            }
            other => escape(&facts.value(other)),
        },
        &escape,
    );
    let lang = facts.language.as_str();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><p>{}</p></body></html>\n",
        escape(&subject),
        html_inner
            .replace("\r\n", "\n")
            .split("\n\n")
            .map(|paragraph| paragraph.replace('\n', "<br>\n"))
            .collect::<Vec<_>>()
            .join("</p>\n<p>")
    );
    RenderedMail { subject, text, html }
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn duration(seconds: i64, language: Language) -> String {
    // Whole minutes, rounded up: "0 minutes" for a 30-second exam would mislead.
    let minutes = (seconds.max(0) + 59) / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (language, h, m) {
        (Language::Zh, 0, m) => format!("{m} 分钟"),
        (Language::Zh, h, 0) => format!("{h} 小时"),
        (Language::Zh, h, m) => format!("{h} 小时 {m} 分钟"),
        (Language::En, 0, m) => format!("{m} minute{}", if m == 1 { "" } else { "s" }),
        (Language::En, h, 0) => format!("{h} hour{}", if h == 1 { "" } else { "s" }),
        (Language::En, h, m) => format!("{h} h {m} min"),
    }
}

const ZH_SUBJECT: &str = "笔试邀请：{exam}";
const ZH_BODY: &str = "{name}，您好：\n\n诚邀您参加笔试「{exam}」。\n\n开放时间：{opens_at} 至 {closes_at}；开始后作答时长 {duration}。\n\n开始考试：{start_url}\n\n也可以打开考试页面，输入访问码：{code}\n\n访问码仅供您本人使用，请勿转发。";
const EN_SUBJECT: &str = "Invitation: {exam}";
const EN_BODY: &str = "Dear {name},\n\nYou are invited to sit the written exam \"{exam}\".\n\nIt can be started between {opens_at} and {closes_at}; once started you have {duration}.\n\nStart the exam: {start_url}\n\nOr open the exam page and type your access code: {code}\n\nThe code is yours alone: please do not pass it on.";

/// The built-in subject and body of a language.
fn defaults(language: Language) -> (Template, Template) {
    let (s, b) = match language {
        Language::Zh => (ZH_SUBJECT, ZH_BODY),
        Language::En => (EN_SUBJECT, EN_BODY),
    };
    // The built-in texts parse (a unit test says so); an empty template is the harmless fallback.
    (Template::parse(s).unwrap_or(Template(Vec::new())), Template::parse(b).unwrap_or(Template(Vec::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(language: Language) -> MailFacts {
        MailFacts {
            name: "<b>Zhang</b> & \"Li\"".into(),
            exam: "客服经理笔试".into(),
            start_url: "https://exam.example.com/take#abc_DEF-123".into(),
            code: "abc_DEF-123".into(),
            opens_at: DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z").unwrap().with_timezone(&Utc),
            closes_at: DateTime::parse_from_rfc3339("2026-12-02T09:00:00Z").unwrap().with_timezone(&Utc),
            duration_seconds: 5400,
            language,
            reminder: false,
        }
    }

    #[test]
    fn built_in_texts_parse_and_carry_link_and_code() {
        for language in [Language::Zh, Language::En] {
            let mail = render(None, None, &facts(language));
            assert!(mail.text.contains("https://exam.example.com/take#abc_DEF-123"));
            assert!(mail.text.contains("abc_DEF-123") && mail.html.contains("abc_DEF-123"));
            assert!(mail.html.contains("<a href=\"https://exam.example.com/take#abc_DEF-123\">"));
        }
        assert!(render(None, None, &facts(Language::Zh)).text.contains("1 小时 30 分钟"));
        assert!(render(None, None, &facts(Language::En)).subject.starts_with("Invitation: "));
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_are_refused() {
        assert!(Template::parse("Hello {name}, {nmae}").unwrap_err().contains("{nmae}"));
        assert!(Template::parse("Hello {name").is_err());
        assert!(Template::parse("a } b").is_err());
        let t = Template::parse("{{literal}} {code}").unwrap();
        let mail = render(Some(&t), Some(&t), &facts(Language::En));
        assert_eq!(mail.subject, "{literal} abc_DEF-123");
        assert!(Template::parse_subject("two\nlines").is_err());
    }

    #[test]
    fn values_are_escaped_in_html_but_not_in_text() {
        let body = Template::parse_body("Hi {name} <i>{exam}</i>\n\nbye").unwrap();
        let mail = render(None, Some(&body), &facts(Language::En));
        assert!(mail.text.starts_with("Hi <b>Zhang</b> & \"Li\" <i>"));
        assert!(mail.html.contains("Hi &lt;b&gt;Zhang&lt;/b&gt; &amp; &quot;Li&quot; &lt;i&gt;"));
        assert!(!mail.html.contains("<b>") && mail.html.contains("</p>\n<p>bye"), "{}", mail.html);
    }

    #[test]
    fn reminders_say_so_in_the_subject() {
        let mut f = facts(Language::Zh);
        f.reminder = true;
        assert!(render(None, None, &f).subject.starts_with("提醒：笔试邀请"));
    }
}
