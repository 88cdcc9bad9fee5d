//! What a venue's link opens when the app does not: `/v/{version}`, a page that tells a citizen
//! how to get and open Visit Diary, with the venue's name read from the address's fragment by a
//! script in their browser (the fragment never reaches this server); and the `/.well-known` files
//! with which Android and iOS let the app answer this host's links, from the deployment's
//! settings (`authority.json`, `apps`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::error::{render, WebError, WebResult};
use super::extract::{Chrome, Visitor};
use super::frame::AllowsScript;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::i18n::{Lang, Tr};

pub fn routes() -> Routes {
    Routes::new()
        .get("/v/{version}", Access::Anyone, venue_link)
        .get("/static/venue-link.js", Access::Anyone, script)
        .get("/.well-known/assetlinks.json", Access::Anyone, assetlinks)
        .get(
            "/.well-known/apple-app-site-association",
            Access::Anyone,
            apple_association,
        )
}

#[derive(Template)]
#[template(path = "venue_link.html")]
struct VenueLinkTemplate {
    c: Chrome,
    authority: String,
    /// The steps in both languages, the reader's first: a switch of language would lose the
    /// fragment, and with it the venue.
    texts: Vec<Steps>,
    /// What the script needs to read a v2 code, as JSON: the text coding, and the names of this
    /// portal's communes (a v2 code carries the street and the commune's code).
    v2: String,
}

/// The text coding and this portal's communes with the names above them, as JSON safe inside a
/// `<script>` element.
fn v2_tables(app: &AppState) -> String {
    let (chars, lengths) = protocol::text_code::definition();
    let edition = app.authority.settings.units.protocol();
    let units: serde_json::Map<String, serde_json::Value> = app
        .units
        .communes
        .iter()
        .filter_map(|c| {
            let names = protocol::units::names(edition, c.code)?;
            Some((c.code.to_string(), json!(names.join(", "))))
        })
        .collect();
    json!({
        "chars": chars,
        "lengths": lengths,
        "edition": edition,
        "units": units,
    })
    .to_string()
    .replace('<', "\\u003c")
}

/// What the page says, in one language.
struct Steps {
    lang: &'static str,
    title: String,
    steps: [String; 3],
    authority: String,
}

fn steps(lang: Lang) -> Steps {
    let tr = Tr::new(lang);
    Steps {
        lang: lang.code(),
        title: tr.t("venue-link-steps-title"),
        steps: [
            tr.t("venue-link-step-install"),
            tr.t("venue-link-step-scan"),
            tr.t("venue-link-step-again"),
        ],
        authority: tr.t("venue-link-authority"),
    }
}

async fn venue_link(
    State(app): State<AppState>,
    Visitor(ctx): Visitor,
    Path(version): Path<String>,
) -> WebResult {
    // Only the versions of the venue code there are.
    let ours = [
        protocol::venue::VENUE_CODE_VERSION,
        protocol::venue_v2::VENUE_CODE_V2,
    ];
    if !ours.iter().any(|v| v.to_string() == version) {
        return Err(WebError::NotFound);
    }
    let mut response = render(VenueLinkTemplate {
        c: ctx.chrome("venue-link-title"),
        authority: app.authority.settings.name.clone(),
        texts: vec![steps(ctx.lang), steps(ctx.lang.other())],
        v2: app
            .venue_link_tables
            .get_or_init(|| v2_tables(&app))
            .clone(),
    })?;
    response.extensions_mut().insert(AllowsScript);
    Ok(response)
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/venue-link.js"),
    )
        .into_response()
}

/// Android's Digital Asset Links: the app may open this host's links.
async fn assetlinks(State(app): State<AppState>) -> Response {
    let apps = &app.authority.settings.apps;
    let Some(package) = &apps.android_package else {
        return StatusCode::NOT_FOUND.into_response();
    };
    public_json(json!([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {
            "namespace": "android_app",
            "package_name": package,
            "sha256_cert_fingerprints": apps.android_sha256,
        },
    }]))
}

/// Apple's app-site association: the app answers `/v/…` on this host.
async fn apple_association(State(app): State<AppState>) -> Response {
    let ids = &app.authority.settings.apps.apple_app_ids;
    if ids.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    public_json(json!({
        "applinks": {
            "details": [{ "appIDs": ids, "components": [{ "/": "/v/*" }] }],
        },
    }))
}

/// JSON the platforms fetch: no redirect, cacheable.
fn public_json(value: serde_json::Value) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Json(value),
    )
        .into_response()
}
