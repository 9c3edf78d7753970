//! The pages: HTML, CSS and JavaScript modules from `web/`, embedded in the binary at build time and served
//! at the API's origin. The pages are clients of `/api/v1` and nothing else; this module only ships them.
//!
//! Caching: pages are `no-cache` with a strong `ETag` (so a deploy is seen at once, and a revisit costs a
//! 304). Assets live under `/assets/<version>/…`, where the version is a hash of every embedded file, so
//! they can be cached for a year: a changed file makes a new version, hence a new URL. Module imports are
//! relative (`./api.js`) and stay inside the version.

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{guard, web, HttpRequest, HttpResponse, HttpResponseBuilder};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The embedded `web/` folder. In debug builds rust-embed reads the files from disk on each request
/// (edit and reload); release builds carry them inside the binary.
#[derive(rust_embed::Embed)]
#[folder = "web/"]
struct Assets;

/// Every page and asset carries these. `require-trusted-types-for` makes any assignment of a string to
/// `innerHTML` (and the like) throw, so paper text cannot become markup even by a slip in the code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/// Where the HTML files say the assets are; replaced by `/assets/<version>` when served.
const ASSETS_PLACEHOLDER: &str = "%ASSETS%";

/// The pages: path → file in `web/`.
const PAGES: &[(&str, &str)] =
    &[("/", "index.html"), ("/take", "take.html"), ("/mark", "mark.html"), ("/console", "coming.html")];

/// Registers the pages and assets (outside `/api`, and outside the OpenAPI document: they are not API).
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, file) in PAGES {
        cfg.route(path, get_or_head().to(move |req: HttpRequest| async move { page(&req, file) }));
    }
    cfg.route("/assets/{version}/{path:.*}", get_or_head().to(asset));
}

/// GET, and HEAD for monitors and link checkers (actix sends the headers without the body).
fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// A hash of every embedded file: changes whenever any asset does.
pub fn assets_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut names: Vec<String> = Assets::iter().map(|n| n.to_string()).collect();
        names.sort();
        let mut hash = Sha256::new();
        for name in names {
            if let Some(file) = Assets::get(&name) {
                hash.update(name.as_bytes());
                hash.update(file.metadata.sha256_hash());
            }
        }
        hex(&hash.finalize()[..8])
    })
}

fn page(req: &HttpRequest, file: &str) -> Result<HttpResponse, ApiError> {
    let html = Assets::get(file).ok_or(ApiError::NotFound("page"))?;
    let text =
        String::from_utf8_lossy(&html.data).replace(ASSETS_PLACEHOLDER, &format!("/assets/{}", assets_version()));
    let etag = format!("\"{}\"", hex(&Sha256::digest(text.as_bytes())[..16]));
    Ok(respond(req, &etag, "text/html; charset=utf-8", "no-cache", text.into_bytes()))
}

async fn asset(req: HttpRequest, path: web::Path<(String, String)>) -> Result<HttpResponse, ApiError> {
    let (version, name) = path.into_inner();
    // HTML is served only as a page (with its placeholder filled), never raw from here.
    if name.split('/').any(|part| part.is_empty() || part.starts_with('.')) || name.ends_with(".html") {
        return Err(ApiError::NotFound("asset"));
    }
    let file = Assets::get(&name).ok_or(ApiError::NotFound("asset"))?;
    let content_type = content_type(&name).ok_or(ApiError::NotFound("asset"))?;
    // An old page may ask for an old version: it gets today's file, but not for keeps.
    let cache = if version == assets_version() { "public, max-age=31536000, immutable" } else { "no-cache" };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    Ok(respond(&req, &etag, content_type, cache, file.data.into_owned()))
}

/// Builds the response, or a 304 when the client already holds this `ETag`.
fn respond(req: &HttpRequest, etag: &str, content_type: &str, cache: &str, body: Vec<u8>) -> HttpResponse {
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut res = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    secure(&mut res);
    res.insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, cache));
    if matches {
        return res.finish();
    }
    res.content_type(content_type).body(body)
}

/// The security headers every page and asset carries.
fn secure(res: &mut HttpResponseBuilder) {
    res.insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header(("Cross-Origin-Opener-Policy", "same-origin"));
}

/// The content types examd ships; anything else in `web/` is not served.
fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ` onclick=`, ` onload=`…: an inline event handler, which the policy would block anyway.
    fn has_inline_handler(html: &str) -> bool {
        html.match_indices(" on").any(|(i, _)| {
            let rest = &html[i + 3..];
            let name = rest.chars().take_while(char::is_ascii_alphabetic).count();
            name > 0 && rest[name..].starts_with('=')
        })
    }

    #[test]
    fn every_embedded_file_has_a_content_type_and_pages_exist() {
        for name in Assets::iter() {
            assert!(name.ends_with(".html") || content_type(&name).is_some(), "{name} would not be served");
        }
        for (_, file) in PAGES {
            assert!(Assets::get(file).is_some(), "{file} missing from web/");
        }
        assert_eq!(assets_version().len(), 16);
    }

    #[test]
    fn no_page_loads_anything_from_another_origin_or_runs_inline_script() {
        for name in Assets::iter() {
            let file = Assets::get(&name).unwrap();
            let text = String::from_utf8_lossy(&file.data);
            for banned in ["http://", "https://", "//fonts.", "innerHTML", "outerHTML", "insertAdjacentHTML", "eval("] {
                // The SVG namespace URI is an identifier, not a request.
                let text = text.replace("http://www.w3.org/2000/svg", "");
                assert!(!text.contains(banned), "{name} contains {banned}");
            }
            if name.ends_with(".html") {
                assert!(!text.contains("<script>") && !has_inline_handler(&text), "{name} has inline script");
            }
        }
    }
}
