//! The file part of a `multipart/form-data` upload (`curl -F file=@题库.docx`), read within the
//! import size limit. Only the part that carries a file (or is named `file`) is the document:
//! the other parts and the part headers are never taken for its text.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::error::ApiError;

/// The bytes and file name of the upload's file part.
pub async fn file_part(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(web::Bytes, Option<String>), ApiError> {
    let broken =
        |e: actix_multipart::MultipartError| ApiError::bad_request("bad_body", format!("reading the upload: {e}"));
    let mut multipart = Multipart::new(req.headers(), payload);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(broken)?;
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        let is_file = file_name.is_some() || field.name() == Some("file");
        let mut body = web::BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(broken)?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            if is_file {
                body.extend_from_slice(&chunk);
            }
        }
        if is_file {
            return Ok((body.freeze(), file_name));
        }
    }
    Err(ApiError::bad_request("bad_body", "the upload has no file part (send the file as `-F file=@name`)"))
}
