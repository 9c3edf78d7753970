//! Paper import and export: the canonical JSON/YAML document, plain-text Chinese question banks,
//! Moodle GIFT and Aiken. Pure functions from text to a [`PaperDoc`] plus what could not be read.

pub mod aiken;
pub mod canonical;
pub mod cn_text;
#[cfg(test)]
mod fuzz;
pub mod gift;

mod types;
pub use types::*;

/// Reads `text` in `format`.
pub fn import(format: Format, text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    match format {
        Format::Json => canonical::from_json(text),
        Format::Yaml => canonical::from_yaml(text),
        Format::CnText => cn_text::import(text, options),
        Format::Gift => gift::import(text, options),
        Format::Aiken => aiken::import(text, options),
    }
}
