//! The notice form, a page of its own: a tracer drafts a notice for a venue of the case (its
//! window proposed from the visit), a supervisor for another venue with a reason, and either may
//! edit or delete a draft before it is approved. A mistake brings the form back as it was typed,
//! with the message next to its field. The page shows the notice in both languages as phones
//! will show it (refreshed while typing by `static/notice-form.js`; without the script, as the
//! form was last sent), and the proposed advice follows the level chosen.
//!
//! Editing replaces the draft with a new one (a new id, and a new id for phones): a supervisor
//! who opened the old draft's confirmation page cannot approve words they did not see, and an
//! owner's co-signature, which covers the notice's id, never carries over to other words.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use fluent_bundle::FluentValue;
use rand::rngs::OsRng;
use rand::RngCore;
use serde::Deserialize;

use super::clock::now;
use super::confirm::ConfirmPage;
use super::error::{render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::FieldErrors;
use super::frame::AllowsScript;
use super::notices::case_venues;
use super::notices::CASE_STAFF;
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::notices::{
    needs_cosign, public_id, validate, venue_allowed, venue_of, with_editor, Draft, NoticeInput,
};
use crate::domain::time::{local, local_input, parse_local, show_span};
use crate::i18n::{Lang, Tr};
use crate::store::{audit, cases, notices, venues};
use crate::text::clean;

pub fn routes() -> Routes {
    let staff = Access::Any(CASE_STAFF);
    Routes::new()
        .get("/cases/{id}/notices/new", staff, new)
        .get("/cases/{id}/notices/{notice}/edit", staff, edit_page)
        .post("/cases/{id}/notices/{notice}/edit", staff, edit)
        .get("/cases/{id}/notices/{notice}/delete", staff, confirm_delete)
        .post("/cases/{id}/notices/{notice}/delete", staff, delete)
        .get("/static/notice-form.js", Access::Anyone, script)
}

/// The levels, in the order the form offers them.
const LEVELS: [&str; 2] = ["monitor", "test"];

/// The notice in one language as a phone shows it (`ui/src/screens/Alerts.svelte`), with what
/// the page's script needs to redraw it.
pub struct PhoneCard {
    pub lang: &'static str,
    pub heading: String,
    pub level: String,
    pub advice: String,
    pub visit: String,
    pub window: String,
    pub next: String,
    /// The level's title for each level, in [`LEVELS`] order.
    pub titles: [String; 2],
    /// The visit and window lines with `{time}`, `{from}` and `{to}` for the script to fill.
    pub visit_pattern: String,
    pub window_pattern: String,
}

/// Months as the app's English (`Intl`, en-GB) shortens them: September is "Sept".
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec",
];

/// A time as the phone writes it: `09:30 03/12/2026`, or `09:30 03 Dec 2026` in English.
fn phone_time(ts: i64, lang: Lang) -> String {
    let t = local(ts);
    match lang {
        Lang::Vi => t.format("%H:%M %d/%m/%Y").to_string(),
        Lang::En => {
            let month = MONTHS[chrono::Datelike::month0(&t) as usize];
            format!("{} {month} {}", t.format("%H:%M %d"), t.format("%Y"))
        }
    }
}

/// `hotline`: the department's name and hotline as the trust file gives phones, which name it.
fn phone_card(
    lang: Lang,
    reader: &Tr,
    form: &NoticeInput,
    venue_name: &str,
    hotline: Option<(&str, &str)>,
) -> PhoneCard {
    let tr = Tr::new(lang);
    // Without a venue yet, a placeholder in the phone's language.
    let placeholder = tr.t("notice-preview-venue");
    let venue_name = if venue_name.is_empty() {
        placeholder.as_str()
    } else {
        venue_name
    };
    let level = if LEVELS.contains(&form.level.as_str()) {
        form.level.as_str()
    } else {
        "test"
    };
    let times = (parse_local(&form.from), parse_local(&form.to));
    let text = |ts: Option<i64>| ts.map(|t| phone_time(t, lang)).unwrap_or_default();
    let visit = tr.ta(
        "phone-alert-visit",
        &[
            ("name", FluentValue::from(venue_name.to_owned())),
            ("time", FluentValue::from(text(times.0))),
        ],
    );
    let window = tr.ta(
        "phone-alert-window",
        &[
            ("from", FluentValue::from(text(times.0))),
            ("to", FluentValue::from(text(times.1))),
        ],
    );
    let visit_pattern = tr.ta(
        "phone-alert-visit",
        &[
            ("name", FluentValue::from(venue_name.to_owned())),
            ("time", "{time}".into()),
        ],
    );
    let window_pattern = tr.ta(
        "phone-alert-window",
        &[("from", "{from}".into()), ("to", "{to}".into())],
    );
    let advice = match lang {
        Lang::Vi => clean(&form.advice_vi),
        Lang::En => clean(&form.advice_en),
    };
    PhoneCard {
        lang: lang.code(),
        heading: reader.t(&format!("notice-preview-{}", lang.code())),
        level: tr.t(&format!("phone-alert-level-{level}")),
        advice,
        visit,
        window,
        next: match hotline {
            Some((authority, hotline)) => tr.ta(
                "phone-alert-next-hotline",
                &[
                    ("authority", FluentValue::from(authority.to_owned())),
                    ("hotline", FluentValue::from(hotline.to_owned())),
                ],
            ),
            None => tr.t("phone-alert-next"),
        },
        titles: LEVELS.map(|l| tr.t(&format!("phone-alert-level-{l}"))),
        visit_pattern,
        window_pattern,
    }
}

/// The advice a new notice proposes for `level`, in `lang`.
pub fn default_advice(level: &str, lang: Lang) -> String {
    let level = if level == "monitor" {
        "monitor"
    } else {
        "test"
    };
    Tr::new(lang).t(&format!("notice-default-advice-{level}"))
}

/// The field an advice belongs to that is the other level's proposed advice word for word (a
/// level changed without the advice following it), or `None`.
pub fn advice_of_other_level(form: &NoticeInput) -> Option<&'static str> {
    let other = match form.level.trim() {
        "monitor" => "test",
        "test" => "monitor",
        _ => return None,
    };
    [
        ("advice_vi", &form.advice_vi, Lang::Vi),
        ("advice_en", &form.advice_en, Lang::En),
    ]
    .into_iter()
    .find(|(_, advice, lang)| clean(advice) == default_advice(other, *lang))
    .map(|(field, _, _)| field)
}

/// A notice as the form sent it, checked for `venue` at `now`: [`validate`], and advice that is
/// not the other level's proposal word for word. `Err` is the message id.
pub fn checked(form: &NoticeInput, venue: uuid::Uuid, now: i64) -> Result<Draft, &'static str> {
    let draft = validate(form, venue, now)?;
    match advice_of_other_level(form) {
        Some(_) => Err("notice-advice-other-level"),
        None => Ok(draft),
    }
}

/// The field a refusal of [`validate`] (or the case checks) is about.
fn field_of(why: &str, form: &NoticeInput) -> &'static str {
    match why {
        "notice-venue-unknown" | "notice-venue-not-in-case" => "venue_id",
        "notice-window-invalid" if parse_local(&form.from).is_none() => "from",
        "notice-window-invalid" | "notice-window-future" => "to",
        "notice-window-too-long" | "notice-window-too-old" => "from",
        "notice-level-invalid" => "level",
        "notice-reason-missing" => "reason",
        "notice-advice-other-level" => advice_of_other_level(form).unwrap_or("advice_vi"),
        "notice-advice-invalid" => {
            // As `validate` and the protocol judge each: empty, too long, or carrying a character
            // the list would refuse (a notice of this advice alone does not sign).
            let bad = |a: &str| {
                let a = clean(a);
                let probe = protocol::exposure::Notice {
                    id: 0,
                    venue_hash: [0; 16],
                    from: 0,
                    to: 60,
                    level: protocol::exposure::Level::Test,
                    advice_vi: a.clone(),
                    advice_en: a.clone(),
                    cosign: None,
                };
                a.is_empty()
                    || a.chars().count() > protocol::exposure::MAX_ADVICE_CHARS
                    || probe.validate().is_err()
            };
            if bad(&form.advice_vi) || !bad(&form.advice_en) {
                "advice_vi"
            } else {
                "advice_en"
            }
        }
        _ => "form",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_the_phone_writes_them() {
        // 03/09/2026 09:30 and 03/12/2026 09:30 in Vietnam.
        let sept = crate::domain::time::parse_local("03/09/2026 09:30").unwrap();
        assert_eq!(phone_time(sept, Lang::En), "09:30 03 Sept 2026");
        assert_eq!(phone_time(sept, Lang::Vi), "09:30 03/09/2026");
        let dec = crate::domain::time::parse_local("03/12/2026 09:30").unwrap();
        assert_eq!(phone_time(dec, Lang::En), "09:30 03 Dec 2026");
    }
}

#[derive(Template)]
#[template(path = "notice_form.html")]
pub struct NoticeForm {
    c: Chrome,
    case_id: i64,
    /// Where the form posts: a new draft, or the draft it replaces.
    action: String,
    /// Editing a draft for a venue whose owner co-signs: the owner must sign the new version.
    cosign_warning: bool,
    /// A form for a venue typed by its id: a supervisor's for a venue the case does not name
    /// asks for a reason too (`may_override`).
    other: bool,
    may_override: bool,
    venue_id: String,
    /// The venue's name, when the form names one.
    venue_name: String,
    form: NoticeInput,
    errors: FieldErrors,
    levels: Vec<(&'static str, String)>,
    /// The proposed advice for each level and language, for the script: `[level][vi, en]`.
    defaults: Vec<(&'static str, String, String)>,
    cards: [PhoneCard; 2],
}

impl NoticeForm {
    async fn new(
        app: &AppState,
        staff: &Staff,
        case_id: i64,
        action: String,
        form: NoticeInput,
    ) -> WebResult<NoticeForm> {
        let tr = staff.tr();
        let venue_name = match venue_of(&form) {
            Some(id) => venues::find(&app.db.pool, &id.to_string())
                .await?
                .map(|v| v.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let other = form.other == "1" || !form.reason.trim().is_empty();
        let editing = action.ends_with("/edit");
        let title = if editing {
            "notice-edit-title"
        } else {
            "notice-form-title"
        };
        Ok(NoticeForm {
            c: staff.chrome(title),
            case_id,
            action,
            cosign_warning: editing && needs_cosign(&form.venue_id),
            other,
            may_override: staff.session.roles.contains(&Role::Supervisor),
            venue_id: form.venue_id.trim().to_owned(),
            levels: LEVELS
                .iter()
                .map(|l| (*l, tr.t(&format!("notice-level-{l}"))))
                .collect(),
            defaults: LEVELS
                .iter()
                .map(|l| (*l, default_advice(l, Lang::Vi), default_advice(l, Lang::En)))
                .collect(),
            cards: {
                let hotline = app.authority.trust_hotline();
                let hotline = hotline
                    .as_deref()
                    .map(|h| (app.authority.settings.name.as_str(), h));
                [
                    phone_card(Lang::Vi, &tr, &form, &venue_name, hotline),
                    phone_card(Lang::En, &tr, &form, &venue_name, hotline),
                ]
            },
            venue_name,
            form,
            errors: FieldErrors::default(),
        })
    }

    fn show(self, status: StatusCode) -> WebResult {
        let mut response = render_status(status, self)?;
        response.extensions_mut().insert(AllowsScript);
        Ok(response)
    }
}

/// The form again, as typed, with `why` (a message id) next to its field.
pub async fn refused(
    app: &AppState,
    staff: &Staff,
    case_id: i64,
    action: String,
    form: NoticeInput,
    why: &str,
) -> WebResult {
    let field = field_of(why, &form);
    let mut form = form;
    if why == "notice-reason-missing" {
        // A supervisor's notice for a venue outside the case: the form asks for the reason.
        form.other = "1".to_owned();
    }
    let message = staff.tr().t(why);
    let mut page = NoticeForm::new(app, staff, case_id, action, form).await?;
    page.errors.add(field, message);
    page.show(StatusCode::UNPROCESSABLE_ENTITY)
}

/// What the form is opened with: a venue and window from a visit's row, or nothing (a
/// supervisor's form for another venue).
#[derive(Debug, Default, Deserialize)]
struct Opened {
    #[serde(default)]
    venue_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn new(
    State(app): State<AppState>,
    staff: Staff,
    Path(case_id): Path<i64>,
    Query(q): Query<Opened>,
) -> WebResult {
    if cases::find(&app.db.pool, case_id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    // No venue: the form asks for one (a tracer's must be named by the case; a supervisor's may
    // be any registered venue, with a reason).
    let other = q.venue_id.trim().is_empty();
    let form = NoticeInput {
        venue_id: q.venue_id,
        from: q.from,
        to: q.to,
        level: "test".to_owned(),
        advice_vi: default_advice("test", Lang::Vi),
        advice_en: default_advice("test", Lang::En),
        other: if other { "1".to_owned() } else { String::new() },
        ..NoticeInput::default()
    };
    let action = format!("/cases/{case_id}/notices");
    NoticeForm::new(&app, &staff, case_id, action, form)
        .await?
        .show(StatusCode::OK)
}

/// Draft `id` of case `case_id`, or not found.
async fn stored_draft(app: &AppState, case_id: i64, id: i64) -> WebResult<notices::Listed> {
    notices::of_case(&app.db.pool, case_id)
        .await?
        .into_iter()
        .find(|n| n.id == id && n.state == "draft")
        .ok_or(WebError::NotFound)
}

/// A stored draft as the form shows it.
fn input_of(n: &notices::Listed) -> NoticeInput {
    NoticeInput {
        venue_id: n.venue_id.clone(),
        from: local_input(n.window_from),
        to: local_input(n.window_to),
        level: n.level.clone(),
        advice_vi: n.advice_vi.clone(),
        advice_en: n.advice_en.clone(),
        ..NoticeInput::default()
    }
}

async fn edit_page(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    let form = input_of(&stored_draft(&app, case_id, id).await?);
    let action = format!("/cases/{case_id}/notices/{id}/edit");
    NoticeForm::new(&app, &staff, case_id, action, form)
        .await?
        .show(StatusCode::OK)
}

/// Saves the edited draft as a new draft in place of the old one. Its venue stays (another
/// venue is another notice, drafted as such), and so do its authors, with the editor added:
/// none of them may approve it. A draft for a venue the case does not name is a supervisor's
/// exception, which only a supervisor edits.
async fn edit(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
    Form(mut form): Form<NoticeInput>,
) -> WebResult {
    let stored = stored_draft(&app, case_id, id).await?;
    form.venue_id = stored.venue_id.clone();
    form.reason.clear();
    let action = format!("/cases/{case_id}/notices/{id}/edit");
    let Some(venue) = venue_of(&form) else {
        return Err(WebError::NotFound);
    };
    let t = now();
    let draft = match checked(&form, venue, t) {
        Ok(draft) => draft,
        Err(why) => return refused(&app, &staff, case_id, action, form, why).await,
    };
    let unchanged = (
        draft.from,
        draft.to,
        draft.level.as_str(),
        &draft.advice_vi,
        &draft.advice_en,
    ) == (
        stored.window_from,
        stored.window_to,
        stored.level.as_str(),
        &stored.advice_vi,
        &stored.advice_en,
    );
    if unchanged {
        return Ok(
            Redirect::to(&format!("/cases/{case_id}?notice=unchanged#notices")).into_response(),
        );
    }
    let supervisor = staff.session.roles.contains(&Role::Supervisor);
    if !supervisor {
        // A tracer edits only a draft for a venue the case names, as a tracer drafts.
        let named = case_venues(&app, &staff, case_id).await?;
        if let Err(why) = venue_allowed(&venue, named.iter().map(String::as_str), false, "") {
            return refused(&app, &staff, case_id, action, form, why).await;
        }
    }
    let editors = with_editor(stored.created_by, &stored.editors, staff.session.user_id);
    let mut tx = app.db.begin().await?;
    if !notices::delete_draft(&mut *tx, case_id, id).await? {
        // Approved or deleted meanwhile: nothing to edit any more.
        tx.rollback().await?;
        return Err(WebError::NotFound);
    }
    let public = public_id(OsRng.next_u64());
    let authors = (stored.created_by, editors.as_str());
    let new_id = notices::insert(&mut *tx, case_id, &draft, authors, t, public).await?;
    let entry = staff.entry(
        "notice_edited",
        &new_id.to_string(),
        &format!("case {case_id}: replaces {id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?notice=edited#notices")).into_response())
}

async fn confirm_delete(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    let draft = input_of(&stored_draft(&app, case_id, id).await?);
    let tr = staff.tr();
    let venue = venues::find(&app.db.pool, &draft.venue_id)
        .await?
        .map(|v| v.name)
        .unwrap_or(draft.venue_id.clone());
    let span = match (parse_local(&draft.from), parse_local(&draft.to)) {
        (Some(from), Some(to)) => show_span(from, to),
        _ => String::new(),
    };
    ConfirmPage::new(
        staff.chrome("confirm-delete-notice-title"),
        format!("/cases/{case_id}/notices/{id}/delete"),
        tr.t("notice-delete"),
        format!("/cases/{case_id}#notices"),
    )
    .fact(tr.t("confirm-notice-venue"), venue)
    .fact(tr.t("confirm-notice-window"), span)
    .fact(tr.t("notice-advice-vi"), draft.advice_vi)
    .will(tr.t("confirm-delete-notice-phones"))
    .will(tr.t("confirm-delete-notice-undo"))
    .show()
}

async fn delete(
    State(app): State<AppState>,
    staff: Staff,
    Path((case_id, id)): Path<(i64, i64)>,
) -> WebResult {
    let t = now();
    let mut tx = app.db.begin().await?;
    if !notices::delete_draft(&mut *tx, case_id, id).await? {
        tx.rollback().await?;
        return Err(WebError::NotFound);
    }
    let entry = staff.entry(
        "notice_deleted",
        &id.to_string(),
        &format!("case {case_id}"),
        t,
    );
    audit::write(&mut *tx, &entry).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/cases/{case_id}?notice=deleted#notices")).into_response())
}

async fn script() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/notice-form.js"),
    )
        .into_response()
}
