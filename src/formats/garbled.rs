//! Characters that say the file was damaged on its way: U+FFFD (bytes a decoder could not read),
//! private-use code points (a font's own symbols, lost outside it), and mojibake (UTF-8 read as
//! Latin-1 or Windows-1252, `Ã©`, `â€™`; GBK's famous `锟斤拷`). Such text imports as written, since
//! guessing a repair could change an answer; the recruiter is told where to look.

use super::ImportWarning;

/// Lines reported one by one; beyond them one warning counts the rest, so a wholly garbled file
/// does not bury every other warning.
const MAX_REPORTED: usize = 10;

/// Two-character sequences that are almost only ever mojibake.
const MOJIBAKE: &[&str] = &["锟斤拷", "烫烫烫", "屯屯屯", "ï»¿", "â€"];

/// One warning per line with garbled characters, pointing at the first.
pub fn warnings(text: &str) -> Vec<ImportWarning> {
    let mut out = Vec::new();
    let mut more = 0;
    for (i, line) in text.split('\n').enumerate() {
        let Some((column, what)) = first_garbled(line) else { continue };
        if out.len() == MAX_REPORTED {
            more += 1;
            continue;
        }
        let mut w = ImportWarning::new(
            i + 1,
            format!("{what} here: the file may have been damaged or read in the wrong encoding"),
        );
        w.column = column;
        out.push(w);
    }
    if more > 0 {
        if let Some(last) = out.last() {
            let message = format!("{more} more line(s) after this one have garbled characters");
            out.push(ImportWarning { message, ..last.clone() });
        }
    }
    out
}

/// 1-based column and a description of the first garbled character of a line.
fn first_garbled(line: &str) -> Option<(usize, &'static str)> {
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let what = match c {
            '\u{FFFD}' => "a replacement character (U+FFFD, bytes that could not be decoded)",
            '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}' => "a private-use character (a symbol of some font)",
            // `Ã` or `Â` before a Latin-1 continuation: a UTF-8 letter read as Latin-1 (`Ã©` for `é`).
            'Ã' | 'Â' if chars.get(i + 1).is_some_and(|n| ('\u{80}'..='\u{BF}').contains(n)) => {
                "mojibake (UTF-8 text read as Latin-1)"
            }
            _ if MOJIBAKE
                .iter()
                .any(|m| m.chars().zip(&chars[i..]).filter(|(a, b)| a == *b).count() == m.chars().count()) =>
            {
                "mojibake (text decoded in the wrong encoding)"
            }
            _ => continue,
        };
        return Some((i + 1, what));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_private_use_and_mojibake_are_found_where_they_stand() {
        let found = warnings("fine\n1.甲\u{FFFD}乙\nA.\u{E000}\ncafÃ© â€™\n锟斤拷\n中文。é ok");
        let places: Vec<_> = found.iter().map(|w| (w.line, w.column)).collect();
        assert_eq!(places, [(2, 4), (3, 3), (4, 4), (5, 1)]);
        assert!(found[2].message.contains("Latin-1"));
    }

    #[test]
    fn a_wholly_garbled_file_gives_a_bounded_number_of_warnings() {
        let found = warnings(&"\u{FFFD}\n".repeat(50));
        assert_eq!(found.len(), MAX_REPORTED + 1);
        assert!(found[MAX_REPORTED].message.starts_with("40 more line(s)"));
    }
}
