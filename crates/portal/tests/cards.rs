//! Personal cards printed from the portal by registrars: the form, the card whose QR opens with
//! the door key to what was typed, nothing of the person kept (one audit line naming the commune),
//! the form's refusals next to their fields, the page without a door key, and nobody but
//! registrars. Through the real router, on SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use portal::authority::{Authority, DOOR_KEY_FILE};
use portal::domain::accounts::Role;
use portal::store::Backend;
use portal::units::{Edition, UnitList};
use protocol::door::{open_contact_card, parse_contact_card, CardSource, DoorKey};
use support::{between, Client, Portal};

on_both_backends!(
    a_registrar_prints_a_card_that_only_the_door_key_opens,
    the_form_refuses_what_no_card_could_carry,
    only_registrars_make_cards,
    without_a_door_key_the_page_says_so_and_makes_nothing,
    a_portal_on_the_2021_list_prints_cards_with_2025_communes,
);

const NAME: &str = "Lương Thị Ánh";
/// A phone number as staff type it, and as the card carries it.
const PHONE: &str = "0987 654 321";
const PHONE_DIGITS: &str = "0987654321";

async fn registrar(p: &Portal) -> Client {
    p.add_user("xa.phuong", &[Role::Registrar]).await;
    p.signed_in("xa.phuong").await
}

fn commune(p: &Portal) -> String {
    p.app.units.communes[0].code.to_string()
}

async fn cards_made(p: &Portal) -> i64 {
    p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'contact_card_made'")
        .await
}

/// The text of the card's QR, read back from the inline SVG as a phone's camera would.
fn scan(page: &str) -> String {
    let svg = format!("<svg{}</svg>", between(page, "<svg", "</svg>"));
    let png = portal::poster::render_png(&svg, 192.0).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR on the card");
    grids[0].decode().unwrap().1
}

/// Every byte the portal wrote to its data folder (the SQLite database and its journal, the
/// authority's files): what a copy of the server's disk would hold.
fn data_folder_bytes(p: &Portal) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(p.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(path).unwrap());
        }
    }
    all
}

/// Text as a page must show what was typed: markup as entities (askama writes `&#60;`).
fn escaped(typed: &str) -> String {
    typed.replace('<', "&#60;").replace('>', "&#62;")
}

/// Whether `page` holds `text`, whichever entities the escaping chose.
fn shows(page: &str, text: &str) -> bool {
    let named = text.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
    page.contains(text) || page.contains(&named)
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn a_registrar_prints_a_card_that_only_the_door_key_opens(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = registrar(&p).await;
    let home = c.get("/").await;
    assert!(
        home.body.contains("href=\"/cards/new\""),
        "in the navigation"
    );
    let form = c.get("/cards/new").await;
    assert_eq!(form.status, StatusCode::OK);
    for field in ["id=\"name\"", "id=\"phone\"", "<select id=\"commune\""] {
        assert!(form.body.contains(field), "{field}");
    }
    assert!(form.body.contains(&p.app.units.communes[0].name));

    let commune = commune(&p);
    let r = c
        .post(
            "/cards/new",
            &[
                ("name", "  Lương   Thị Ánh "),
                ("phone", PHONE),
                ("commune", &commune),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!(">{NAME}</p>")), "{}", r.body);
    assert!(r.body.contains(&p.app.units.communes[0].name));
    assert!(r.body.contains("Show this card at the door."));
    assert!(r
        .body
        .contains("Đưa thẻ này cho người bảo vệ quét ở cửa ra vào."));
    assert!(r.body.contains("href=\"/cards/new\""), "make another card");
    assert!(r.body.contains("class=\"printing-card\""));
    assert!(!r.body.contains("<?xml"), "the SVG is inline in the page");
    assert!(!r.body.contains("<script"), "no JavaScript");
    // The page is not kept by the browser either.
    assert_eq!(r.header("cache-control"), "no-store");
    // The name is on the card, not in the page's title (which browsers keep in their history).
    assert!(!between(&r.body, "<title>", "</title>").contains("Lương"));

    // The QR opens with the door key to what was typed, as the protocol writes it.
    let text = scan(&r.body);
    let card = parse_contact_card(&text).unwrap();
    let door = p.app.authority.door.as_ref().unwrap();
    assert_eq!(card.kid, DoorKey::new(door.public).kid);
    let opened = open_contact_card(&card, &door.secret_bytes()).unwrap();
    assert_eq!(opened.contact.name, NAME);
    assert_eq!(opened.contact.phone, PHONE_DIGITS);
    assert_eq!(opened.contact.commune.to_string(), commune);
    assert_eq!(opened.source, CardSource::Printed);
    // Nothing else opens it: the department key that opens shared diaries is another key.
    assert!(open_contact_card(&card, &p.app.authority.department.secret_bytes()).is_err());

    // One line in the audit log, naming the commune and who made it; never the person.
    assert_eq!(cards_made(&p).await, 1);
    assert_eq!(
        p.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contact_card_made' \
             AND target = '{commune}' AND username = 'xa.phuong'"
        ))
        .await,
        1
    );
    for typed in ["Lương", "Ánh", PHONE_DIGITS, "654"] {
        assert_eq!(
            p.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{typed}%' \
                 OR target LIKE '%{typed}%'"
            ))
            .await,
            0,
            "{typed}"
        );
    }
    // The admin's log lists it by its label.
    let mut admin = p.signed_in("admin").await;
    let log = admin.get("/admin/audit?action=contact_card_made").await;
    let row = format!("<td>Tạo thẻ cá nhân</td><td class=\"wrap\">{commune}</td>");
    assert!(log.body.contains(&row), "{}", log.body);
    assert!(!log.body.contains("Lương"));
    if backend == Backend::Sqlite {
        // Nor anywhere on the server's disk: the database, its journal, the authority's files.
        let disk = data_folder_bytes(&p);
        for typed in ["Lương", "Ánh", PHONE_DIGITS, &text] {
            assert!(!holds(&disk, typed), "{typed} on the disk");
        }
    }

    // Each card is sealed afresh: the same person's second card is another text.
    let again = c
        .post(
            "/cards/new",
            &[("name", NAME), ("phone", PHONE), ("commune", &commune)],
        )
        .await;
    assert_ne!(scan(&again.body), text);
    assert_eq!(cards_made(&p).await, 2);
}

async fn the_form_refuses_what_no_card_could_carry(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = registrar(&p).await;
    let commune = commune(&p);
    let refused = |name: &'static str, phone: &'static str, commune: String| {
        vec![
            ("name".to_owned(), name.to_owned()),
            ("phone".to_owned(), phone.to_owned()),
            ("commune".to_owned(), commune),
        ]
    };
    // Each: the form, the field the sentence stands next to, and the sentence.
    let cases = [
        (
            refused(NAME, "0912", commune.clone()),
            "phone",
            "Số điện thoại phải bắt đầu bằng 0 hoặc +84",
        ),
        (
            refused(" ", PHONE, commune.clone()),
            "name",
            "Hãy nhập họ và tên.",
        ),
        (
            refused("<script>alert(1)</script>", PHONE, commune.clone()),
            "name",
            "Họ tên chỉ gồm chữ cái",
        ),
        (
            refused("Nguyễn Văn 2", PHONE, commune.clone()),
            "name",
            "Họ tên chỉ gồm chữ cái",
        ),
        // Phường Hoàn Kiếm: a commune of Hà Nội, not of this portal's province.
        (
            refused(NAME, PHONE, "70".to_owned()),
            "commune",
            "không có trong danh mục",
        ),
        (
            refused(NAME, PHONE, String::new()),
            "commune",
            "Hãy chọn xã, phường.",
        ),
    ];
    for (form, field, sentence) in cases {
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = c.post("/cards/new", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let next_to = between(&r.body, &format!("id=\"{field}-error\">"), "</p>");
        assert!(next_to.contains(sentence), "{field}: {next_to}");
        assert!(r.body.contains(&format!("id=\"{field}\"")));
        assert!(!r.body.contains("<svg"), "no card");
        // What was typed is kept, escaped.
        assert!(!r.body.contains("<script>"), "escaped");
        let typed = form[0].1.trim();
        if !typed.is_empty() {
            assert!(
                shows(&r.body, &format!("value=\"{}\"", escaped(typed))),
                "{typed}"
            );
        }
        if form[2].1 == commune {
            assert!(r.body.contains(&format!("value=\"{commune}\" selected")));
        }
    }
    // The same sentences in English.
    c.get("/lang/en?next=%2Fcards%2Fnew").await;
    let r = c
        .post(
            "/cards/new",
            &[("name", "<b>Lan</b>"), ("phone", "12"), ("commune", "70")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("A name is letters"), "{}", r.body);
    assert!(r.body.contains("3 things in the form need fixing."));
    assert!(shows(&r.body, &escaped("<b>Lan</b>")));
    assert_eq!(cards_made(&p).await, 0, "nothing audited");
}

async fn only_registrars_make_cards(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("truy.vet", &[Role::Tracer]).await;
    let mut tracer = p.signed_in("truy.vet").await;
    assert!(!tracer.get("/").await.body.contains("/cards/new"));
    let commune = commune(&p);
    let form = [
        ("name", NAME),
        ("phone", PHONE),
        ("commune", commune.as_str()),
    ];
    assert_eq!(tracer.get("/cards/new").await.status, StatusCode::FORBIDDEN);
    let r = tracer.post("/cards/new", &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("<svg"));
    let mut nobody = p.client();
    let r = nobody.get("/cards/new").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
    assert_eq!(cards_made(&p).await, 0);
}

async fn without_a_door_key_the_page_says_so_and_makes_nothing(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("xa.phuong", &[Role::Registrar]).await;
    // A data folder from before venue mode: no door key until `portal init` runs again.
    std::fs::remove_file(p.dir.path().join(DOOR_KEY_FILE)).unwrap();
    let authority = Authority::load(p.dir.path()).unwrap();
    assert!(authority.door.is_none());
    let app = portal::web::AppState::new(
        p.app.db.clone(),
        authority,
        UnitList::load(Edition::Y2025, 4).unwrap(),
    );
    let p = Portal {
        router: portal::web::router(app.clone()),
        app,
        dir: p.dir,
        backend,
        url: p.url,
    };
    let mut c = p.signed_in("xa.phuong").await;
    let r = c.get("/cards/new").await;
    assert_eq!(r.status, StatusCode::OK);
    let said = between(&r.body, "id=\"no-door-key\">", "</p>");
    assert!(said.contains("portal init"), "{said}");
    assert!(!r.body.contains("action=\"/cards/new\""), "no form");
    let commune = commune(&p);
    let r = c
        .post(
            "/cards/new",
            &[("name", NAME), ("phone", PHONE), ("commune", &commune)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("portal init"));
    assert!(!r.body.contains("<svg") && !r.body.contains("Lương"));
    assert_eq!(cards_made(&p).await, 0);
}

async fn a_portal_on_the_2021_list_prints_cards_with_2025_communes(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    let mut c = registrar(&p).await;
    // A card's commune is a 2025 code, as the app's cards: the 2021 list's 1273 is another place.
    let form = c.get("/cards/new").await;
    assert!(form.body.contains("Phường Thục Phán"));
    assert!(!form
        .body
        .contains("<optgroup label=\"Thành phố Cao Bằng\">"));
    let r = c
        .post(
            "/cards/new",
            &[("name", NAME), ("phone", PHONE), ("commune", "1273")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Phường Thục Phán"));
    assert!(!r.body.contains("Hợp Giang"));
    let door = p.app.authority.door.as_ref().unwrap();
    let card = parse_contact_card(&scan(&r.body)).unwrap();
    let opened = open_contact_card(&card, &door.secret_bytes()).unwrap();
    assert_eq!(opened.contact.commune, 1273);
}
