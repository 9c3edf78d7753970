//! A file as it arrives: Word or text, in whatever encoding, with or without a format named.
//! Turns the bytes into text and picks the importer, saying what it found, so a recruiter sees
//! "GB18030, cn-text (detected)" rather than a refusal or a silent guess.

use serde::Serialize;

use super::{docx, Format, ImportError};

/// The text of an uploaded file and how it was read.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// How the file was read, for the import's answer.
    pub source: Source,
}

/// What the import says about the file itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// `utf-8`, `utf-16le`, `utf-16be`, `gb18030`, or `docx`.
    pub encoding: &'static str,
    /// The format name used (`cn-text`, `gift`, …).
    pub format: &'static str,
    /// Whether the format was detected rather than named by the caller.
    pub detected: bool,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Neither text in an encoding examd reads nor a Word file.
    #[error("the file is not text in UTF-8, UTF-16 or GB18030 (GBK), nor a Word .docx file")]
    NotText,
    /// A Word file whose parts cannot be read.
    #[error("{0}")]
    Word(ImportError),
}

/// Reads `bytes` (named `file_name`, if the upload says) in `format`, or in the format detected.
pub fn decode(bytes: &[u8], file_name: Option<&str>, format: Option<Format>) -> Result<Decoded, UploadError> {
    let lower = file_name.map(str::to_lowercase).unwrap_or_default();
    let (text, encoding) = if docx::is_zip(bytes) || lower.ends_with(".docx") {
        (docx::text(bytes).map_err(UploadError::Word)?, "docx")
    } else {
        text_of(bytes).ok_or(UploadError::NotText)?
    };
    let detected = format.is_none();
    let format = format.unwrap_or_else(|| detect(&text, &lower));
    Ok(Decoded { text, source: Source { encoding, format: format.name(), detected } })
}

/// UTF-8 or UTF-16 (by byte-order mark, or by the zero bytes of mostly-ASCII UTF-16 without one),
/// else GB18030, the superset of GBK and GB2312 that Chinese Windows saves plain text in.
fn text_of(bytes: &[u8]) -> Option<(String, &'static str)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if !had_errors {
            return Some((text.into_owned(), label(encoding)));
        }
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        // Checked before UTF-8: ASCII in UTF-16 is valid UTF-8 full of NULs.
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if !had_errors {
            return Some((text.into_owned(), label(encoding)));
        }
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        return Some((text.to_string(), "utf-8"));
    } else {
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if !had_errors {
            return Some((text.into_owned(), "gb18030"));
        }
    }
    None
}

/// UTF-16 without a byte-order mark: line breaks and ASCII put a zero in every other byte.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    let zeros = |offset: usize| bytes.iter().skip(offset).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    let half = bytes.len() / 2;
    if odd * 4 > half && even == 0 {
        Some(encoding_rs::UTF_16LE)
    } else if even * 4 > half && odd == 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

fn label(encoding: &'static encoding_rs::Encoding) -> &'static str {
    match encoding.name() {
        "UTF-16LE" => "utf-16le",
        "UTF-16BE" => "utf-16be",
        _ => "utf-8",
    }
}

/// The format by file name, else by content: a canonical document, GIFT's `::title::` and `{=…}`,
/// Aiken's `ANSWER:` lines, and everything else is a Chinese plain-text bank.
pub fn detect(text: &str, file_name: &str) -> Format {
    let by_name = [(".json", Format::Json), (".yaml", Format::Yaml), (".yml", Format::Yaml), (".gift", Format::Gift)];
    if let Some((_, format)) = by_name.iter().find(|(ext, _)| file_name.ends_with(ext)) {
        return *format;
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        return Format::Json;
    }
    if trimmed.starts_with("title:") || trimmed.starts_with("---") {
        return Format::Yaml;
    }
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let gift = lines
        .iter()
        .filter(|l| l.starts_with("::") || l.starts_with("$CATEGORY") || l.contains("{=") || l.contains("{~"))
        .count();
    if gift > 0 && gift * 4 >= lines.iter().filter(|l| l.contains('{') || l.starts_with("::")).count() {
        return Format::Gift;
    }
    let aiken = lines.iter().filter(|l| l.starts_with("ANSWER:") || l.starts_with("ANSWER ")).count();
    if aiken > 0 && lines.iter().filter(|l| l.starts_with("A.") || l.starts_with("A)")).count() >= aiken {
        return Format::Aiken;
    }
    Format::CnText
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gbk_and_utf16_and_says_so() {
        let text = "一、单选题（每题2分）\n1.首要原则？\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let decoded = decode(&gbk, None, None).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.source.encoding), (text, "gb18030"));
        let mut utf16: Vec<u8> = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16, None, None).unwrap().source.encoding, "utf-16le");
        let bare: Vec<u8> = "1.abc\nA.x\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&bare, None, None).unwrap().text, "1.abc\nA.x\n");
        assert!(decode(&[0x81, 0x20, 0xff], None, None).is_err());
    }

    #[test]
    fn detects_the_format_from_name_and_content() {
        assert_eq!(detect("{\"title\": 1}", ""), Format::Json);
        assert_eq!(detect("title: 试卷\nsections: []", ""), Format::Yaml);
        assert_eq!(detect("::Q1:: 1+1? {=2 ~3}", ""), Format::Gift);
        assert_eq!(detect("Q?\nA. x\nB. y\nANSWER: A\n", ""), Format::Aiken);
        assert_eq!(detect("一、单选题\n1.甲？\nA.x\n答案：A", ""), Format::CnText);
        assert_eq!(detect("anything", "bank.gift"), Format::Gift);
        let decoded = decode("1.甲？".as_bytes(), Some("题库.txt"), Some(Format::Gift)).unwrap();
        assert_eq!(decoded.source, Source { encoding: "utf-8", format: "gift", detected: false });
    }

    #[test]
    fn reads_word_files() {
        use crate::formats::docx::tests::{docx, p, NUMBERING};
        let body = [p("首要原则？", Some("1")), p("甲", Some("2")), p("乙", Some("2")), p("答案：B", None)].concat();
        let decoded = decode(&docx(&body, NUMBERING), Some("题库.docx"), None).unwrap();
        assert_eq!(decoded.source, Source { encoding: "docx", format: "cn-text", detected: true });
        assert_eq!(decoded.text, "1.首要原则？\nA.甲\nB.乙\n答案：B\n");
    }
}
