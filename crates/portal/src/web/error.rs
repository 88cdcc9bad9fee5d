//! Why a request failed, and the answers every handler builds: a rendered page, a download.
//! The error page itself is drawn by the frame (`frame.rs`), in the reader's language.

use askama::Template;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::Error;

#[derive(Debug)]
pub enum WebError {
    NotFound,
    Forbidden,
    BadCsrf,
    /// A form for something that cannot be done in its present state (e.g. a poster for a
    /// deactivated venue).
    Conflict(&'static str),
    Internal(String),
}

/// The error page to draw, left in the response's extensions for the frame.
#[derive(Clone, Copy)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: &'static str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "error-not-found-title",
                "error-not-found",
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "error-forbidden-title",
                "error-forbidden",
            ),
            WebError::BadCsrf => (StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf"),
            WebError::Conflict(message) => (StatusCode::CONFLICT, "error-conflict-title", message),
            WebError::Internal(e) => {
                eprintln!("portal: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "error-internal-title",
                    "error-internal",
                )
            }
        };
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorPage { title, message });
        response
    }
}

impl From<Error> for WebError {
    fn from(e: Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<sqlx::Error> for WebError {
    fn from(e: sqlx::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<csv::Error> for WebError {
    fn from(e: csv::Error) -> WebError {
        WebError::Internal(e.to_string())
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> WebError {
        WebError::Internal(e.to_string())
    }
}

pub type WebResult<T = Response> = Result<T, WebError>;

pub fn render(page: impl Template) -> WebResult {
    Ok(Html(page.render()?).into_response())
}

pub fn render_status(status: StatusCode, page: impl Template) -> WebResult {
    Ok((status, Html(page.render()?)).into_response())
}

/// Answers a poster or CSV download.
pub fn download(content_type: &'static str, filename: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A CSV file as spreadsheets open it: a byte-order mark (Vietnamese text opens as UTF-8), and
/// cells that never start a formula.
pub fn csv_file(rows: impl IntoIterator<Item = Vec<String>>) -> WebResult<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row.iter().map(|c| crate::text::csv_cell(c)))?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(
        out.into_inner()
            .map_err(|e| WebError::Internal(e.to_string()))?,
    );
    Ok(bytes)
}
