//! Paper import and export: the canonical JSON/YAML document, plain-text Chinese question banks,
//! Moodle GIFT and Aiken, from text, GB18030/UTF-16 text or Word files ([`upload`]). Pure functions
//! from bytes in memory to a [`PaperDoc`] plus what could not be read.

pub mod aiken;
pub mod canonical;
pub mod cn_text;
pub mod docx;
#[cfg(test)]
mod fuzz;
mod garbled;
pub mod gift;
#[cfg(test)]
mod located;
pub mod place;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod snapshots;
pub mod upload;

mod types;
pub use types::*;

/// Reads `text` in `format`; every warning comes back with its line, column and a quote of the text.
pub fn import(format: Format, text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    // Every format then counts lines alike, and warnings are located in the lines they were read from:
    // a lone `\r` (old Mac files) ends a line too.
    let normalised;
    let text = if text.contains('\r') {
        normalised = text.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut imported = read(format, text, options)?;
    imported.warnings.extend(garbled::warnings(text));
    imported.warnings.sort_by_key(|w| w.line);
    place::locate(text, &mut imported.warnings);
    Ok(imported)
}

fn read(format: Format, text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    match format {
        Format::Json => canonical::from_json(text),
        Format::Yaml => canonical::from_yaml(text),
        Format::CnText => cn_text::import(text, options),
        Format::Gift => gift::import(text, options),
        Format::Aiken => aiken::import(text, options),
    }
}
