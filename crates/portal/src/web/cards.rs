//! Personal cards, for registrars (commune staff): the form, and the card itself, sealed to the
//! authority's door key and drawn as a page to print on an ID-1 card. Nothing about the person is
//! kept: the card is sealed, shown once and forgotten; the audit log records that a card was made
//! and for which commune, never the name or the phone number.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Form;
use protocol::door::{seal_contact, CardSource, DoorKey};
use rand::RngCore;

use super::clock::now;
use super::error::{render, render_status, WebError, WebResult};
use super::extract::{Chrome, Staff};
use super::forms::{commune_groups, units_note, ChoiceGroup, FieldErrors};
use super::routes::{Access, Routes};
use super::state::AppState;
use crate::domain::accounts::Role;
use crate::domain::cards::{validate, CardInput, ValidCard};
use crate::store::audit;
use crate::units::{Edition, UnitList};

/// The communes a card may name: the portal's province in the 2025 list, whatever list its venues
/// use. A card's commune code is read by the app and the portal alike as a 2025 code (the app's
/// own cards use that list), and the 2021 list's codes name other places (1273 is Phường Hợp
/// Giang there, Phường Thục Phán in 2025).
fn card_units(app: &AppState) -> &'static UnitList {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static LISTS: OnceLock<Mutex<HashMap<u32, &'static UnitList>>> = OnceLock::new();
    let province = app.authority.settings.province;
    let mut lists = LISTS
        .get_or_init(Mutex::default)
        .lock()
        .expect("not poisoned");
    lists.entry(province).or_insert_with(|| {
        let list = UnitList::load(Edition::Y2025, province)
            .expect("the bundled 2025 list has every province");
        Box::leak(Box::new(list))
    })
}

pub fn routes() -> Routes {
    let registrar = Access::Role(Role::Registrar);
    Routes::new()
        .get("/cards/new", registrar, new_page)
        .post("/cards/new", registrar, create)
}

/// A name at most this many letters long is printed in the largest type; a longer one smaller,
/// so that it stays on the card.
const LARGE_NAME_CHARS: usize = 32;

#[derive(Template)]
#[template(path = "card_form.html")]
struct FormTemplate {
    c: Chrome,
    v: CardInput,
    errors: FieldErrors,
    communes: Vec<ChoiceGroup>,
    /// Which list of units the communes come from.
    units_note: String,
    /// The portal has a door key to seal cards to; without one there is no form.
    can_seal: bool,
}

impl FormTemplate {
    fn new(staff: &Staff, app: &AppState, v: CardInput) -> FormTemplate {
        FormTemplate {
            c: staff.chrome("card-new-title"),
            v,
            errors: FieldErrors::default(),
            communes: commune_groups(card_units(app)),
            units_note: units_note(&staff.tr(), card_units(app)),
            can_seal: app.authority.door.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "card.html")]
struct CardTemplate {
    c: Chrome,
    /// The authority whose door key the card is sealed to: its doors are where the card works.
    authority: String,
    name: String,
    long_name: bool,
    commune: String,
    /// The QR as inline SVG, drawn here from the sealed text alone.
    qr: String,
}

async fn new_page(State(app): State<AppState>, staff: Staff) -> WebResult {
    render(FormTemplate::new(&staff, &app, CardInput::default()))
}

async fn create(
    State(app): State<AppState>,
    staff: Staff,
    Form(input): Form<CardInput>,
) -> WebResult {
    let Some(door) = &app.authority.door else {
        // An old data folder: say so, and make nothing.
        return render_status(
            StatusCode::CONFLICT,
            FormTemplate::new(&staff, &app, CardInput::default()),
        );
    };
    let card = match validate(&input, card_units(&app)) {
        Ok(card) => card,
        Err(problems) => {
            let mut page = FormTemplate::new(&staff, &app, input);
            page.errors = FieldErrors::of(&staff.tr(), &problems);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let ValidCard {
        contact,
        commune_label,
    } = card;
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let text = seal_contact(
        &contact,
        CardSource::Printed,
        &DoorKey::new(door.public),
        random,
    )
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let qr = crate::qr::inline_svg(&text, 240)?;
    // The commune only: the log must not become a register of who holds a card.
    let code = contact.commune.to_string();
    let t = now();
    audit::write(
        &app.db.pool,
        &staff.entry("contact_card_made", &code, &commune_label, t),
    )
    .await?;
    render(CardTemplate {
        c: staff.chrome("card-title"),
        authority: app.authority.settings.name.clone(),
        long_name: contact.name.chars().count() > LARGE_NAME_CHARS,
        name: contact.name,
        commune: commune_label,
        qr,
    })
}
