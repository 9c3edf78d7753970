//! placeholder
use super::{ImportError, ImportOptions, Imported};
/// Reads the format.
pub fn import(_text: &str, _options: &ImportOptions) -> Result<Imported, ImportError> {
    Err(ImportError { line: None, message: "not implemented yet".into() })
}
