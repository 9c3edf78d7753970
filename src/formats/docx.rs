//! Word `.docx` files: the paragraphs of `word/document.xml`, one line each, with the numbers
//! Word draws for numbered lists (`1.`, `A.`, `一、`) written out from `word/numbering.xml`, so
//! the text importers see what the recruiter sees. Read from memory through `zip` and `quick-xml`.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::ImportError;

/// Largest XML part read out of the archive, so a small file cannot inflate into gigabytes.
const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;

/// Whether `bytes` is a zip archive (a `.docx` is one).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The document's text: one line per paragraph, list numbers written out.
pub fn text(bytes: &[u8]) -> Result<String, ImportError> {
    let refuse = |what: String| ImportError { line: None, message: format!("the Word file cannot be read: {what}") };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| refuse(e.to_string()))?;
    let document =
        part(&mut archive, "word/document.xml")?.ok_or_else(|| refuse("it has no word/document.xml".into()))?;
    let numbering = part(&mut archive, "word/numbering.xml")?.map(|xml| levels(&xml)).unwrap_or_default();
    paragraphs(&document, &numbering).map_err(refuse)
}

fn part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, ImportError> {
    let Ok(file) = archive.by_name(name) else { return Ok(None) };
    let mut xml = String::new();
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| ImportError { line: None, message: format!("the Word file cannot be read: {name}: {e}") })?;
    Ok(Some(xml))
}

/// How one list level draws its number: `numFmt` and `lvlText` (`%1.`).
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
}

/// numId → level → how it is drawn.
type Numbering = HashMap<String, HashMap<u8, Level>>;

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// Reads `numbering.xml`: abstract definitions, then the `w:num` ids that point at them.
fn levels(xml: &str) -> Numbering {
    let mut reader = Reader::from_str(xml);
    let mut abstracts: HashMap<String, HashMap<u8, Level>> = HashMap::new();
    let mut nums: HashMap<String, String> = HashMap::new();
    let (mut abstract_id, mut level, mut num_id) = (None::<String>, None::<u8>, None::<String>);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().as_ref() {
                b"w:abstractNum" => abstract_id = attr(&e, b"w:abstractNumId"),
                b"w:lvl" => level = attr(&e, b"w:ilvl").and_then(|l| l.parse().ok()),
                b"w:numFmt" | b"w:lvlText" => {
                    if let (Some(a), Some(l), Some(v)) = (&abstract_id, level, attr(&e, b"w:val")) {
                        let entry = abstracts.entry(a.clone()).or_default().entry(l).or_default();
                        if e.name().as_ref() == b"w:numFmt" {
                            entry.format = v;
                        } else {
                            entry.text = v;
                        }
                    }
                }
                b"w:num" => num_id = attr(&e, b"w:numId"),
                b"w:abstractNumId" => {
                    if let (Some(n), Some(v)) = (&num_id, attr(&e, b"w:val")) {
                        nums.insert(n.clone(), v);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    nums.into_iter().filter_map(|(num, a)| Some((num, abstracts.get(&a)?.clone()))).collect()
}

/// The paragraphs of `document.xml` as lines.
fn paragraphs(xml: &str, numbering: &Numbering) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut line = String::new();
    let (mut in_text, mut num_id, mut ilvl) = (false, None::<String>, 0u8);
    let mut counters: HashMap<String, [u32; 9]> = HashMap::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"w:numId" => num_id = attr(&e, b"w:val").filter(|v| v != "0"),
                b"w:ilvl" => ilvl = attr(&e, b"w:val").and_then(|v| v.parse().ok()).unwrap_or(0).min(8),
                b"w:tab" => line.push('\t'),
                b"w:br" | b"w:cr" => line.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => line.push_str(&t.decode().map_err(|e| e.to_string())?),
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().map_err(|e| e.to_string())?;
                line.push_str(&quick_xml::escape::unescape(&format!("&{name};")).map_err(|e| e.to_string())?);
            }
            Event::End(e) if e.name().as_ref() == b"w:p" => {
                if let Some(id) = num_id.take() {
                    let counts = counters.entry(id.clone()).or_insert([0; 9]);
                    let at = usize::from(ilvl);
                    counts[at] += 1;
                    counts[at + 1..].iter_mut().for_each(|c| *c = 0);
                    let level = numbering.get(&id).and_then(|l| l.get(&ilvl)).cloned().unwrap_or_default();
                    line.insert_str(0, &list_number(&level, counts));
                }
                out.push_str(line.trim_end());
                out.push('\n');
                line.clear();
                ilvl = 0;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `%1.` with counter 3 in `decimal` → `3.`; `upperLetter` → `C.`; `chineseCounting` → `三、`.
fn list_number(level: &Level, counts: &[u32; 9]) -> String {
    let template = if level.text.is_empty() { "%1.".to_string() } else { level.text.clone() };
    let mut out = template;
    for (i, &n) in counts.iter().enumerate() {
        let value = match level.format.as_str() {
            "upperLetter" => letter(n, b'A'),
            "lowerLetter" => letter(n, b'a'),
            "chineseCounting" | "chineseCountingThousand" | "ideographTraditional" | "taiwaneseCounting" => chinese(n),
            "bullet" | "none" => String::new(),
            _ => n.to_string(),
        };
        out = out.replace(&format!("%{}", i + 1), &value);
    }
    out
}

fn letter(n: u32, base: u8) -> String {
    u8::try_from(n.saturating_sub(1) % 26).map(|d| char::from(base + d).to_string()).unwrap_or_default()
}

fn chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |d: u32| DIGITS[(d % 10) as usize];
    match n {
        0..=9 => digit(n).to_string(),
        10..=19 => format!("十{}", if n == 10 { String::new() } else { digit(n).to_string() }),
        20..=99 => format!("{}十{}", digit(n / 10), if n % 10 == 0 { String::new() } else { digit(n).to_string() }),
        _ => n.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// A minimal `.docx`: the given document body and numbering, zipped.
    pub(crate) fn docx(body: &str, numbering: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(document.as_bytes()).unwrap();
        if !numbering.is_empty() {
            zip.start_file("word/numbering.xml", options).unwrap();
            zip.write_all(format!(r#"<w:numbering xmlns:w="x">{numbering}</w:numbering>"#).as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A paragraph, numbered in list `num` when given.
    pub(crate) fn p(text: &str, num: Option<&str>) -> String {
        let props = num.map_or(String::new(), |n| {
            format!(r#"<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="{n}"/></w:numPr></w:pPr>"#)
        });
        format!(r#"<w:p>{props}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    pub(crate) const NUMBERING: &str = r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num><w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>"#;

    #[test]
    fn reads_paragraphs_and_writes_out_list_numbers() {
        let body = [
            p("单选题（每题2分）", Some("3")),
            p("首要原则？", Some("1")),
            p("甲 &amp; 乙", Some("2")),
            p("丙", Some("2")),
            p("答案：B", None),
        ]
        .concat();
        let text = text(&docx(&body, NUMBERING)).unwrap();
        assert_eq!(text, "一、单选题（每题2分）\n1.首要原则？\nA.甲 & 乙\nB.丙\n答案：B\n");
    }

    #[test]
    fn refuses_what_is_not_a_word_file() {
        assert!(text(b"PK\x03\x04 not really").is_err());
        assert!(text(&docx("", "")).is_ok_and(|t| t.is_empty()));
        assert_eq!(chinese(12), "十二");
        assert_eq!(chinese(20), "二十");
    }
}
