//! The stylesheet, the icon and four small scripts (likely duplicates while typing; pickers;
//! the notice while an Excel export is prepared; the print button), compiled into the binary:
//! no front-end build step.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../static/app.css");
const ICON: &str = include_str!("../../static/icon.svg");
const SIMILAR_JS: &str = include_str!("../../static/similar.js");
const PRINT_JS: &str = include_str!("../../static/print.js");
const PICK_JS: &str = include_str!("../../static/pick.js");
const EXPORT_JS: &str = include_str!("../../static/export.js");

/// `/static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "icon.svg" => (ICON, "image/svg+xml"),
        "similar.js" => (SIMILAR_JS, "text/javascript; charset=utf-8"),
        "print.js" => (PRINT_JS, "text/javascript; charset=utf-8"),
        "pick.js" => (PICK_JS, "text/javascript; charset=utf-8"),
        "export.js" => (EXPORT_JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
