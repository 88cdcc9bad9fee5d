//! A tracer's request to a venue's door: the form, the request the door fetches and verifies,
//! the sealed guestbook it uploads (once, only for its request and window), the case page and the
//! overlap view that open it (each opening audited). Through the real router, on SQLite and
//! PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal::domain::accounts::Role;
use portal::domain::time::local_input;
use portal::store::Backend;
use protocol::door::{seal_contact, seal_entry, CardSource, Contact, DoorKey, Scanned};
use protocol::{
    Guestbook, GuestbookEntry, SharedDiary, SharedVisit, TrustList, VerifiedDoorRequest,
};
use support::{between, days_ago, Client, Portal};

on_both_backends!(
    a_door_answers_a_tracers_request_and_the_case_page_shows_whom_it_recorded,
    a_request_to_a_door_refuses_what_no_door_could_answer,
    the_overlap_view_lists_the_people_a_door_recorded_while_the_case_was_there,
);

const PERSON: &str = "Nông Văn Dũng";
const NUMBER: &str = "004090001234";
const CARD_NAME: &str = "Bế Thị Lan";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn trust(p: &Portal) -> TrustList {
    TrustList::from_json(&std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap())
        .unwrap()
}

async fn staff(p: &Portal) -> Client {
    p.add_user("truy.vet", &[Role::Tracer, Role::Registrar])
        .await;
    p.signed_in("truy.vet").await
}

async fn register_venue(p: &Portal, c: &mut Client) -> String {
    let commune = p.app.units.communes[0].code.to_string();
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", "Bưu điện Phường Thục Phán"),
                ("address", "Số 1 Phố Vườn Cam"),
                ("commune", &commune),
                ("sector", "state-agency"),
                ("usual_stay", ""),
                ("contact_name", "Bà Hoa"),
                ("contact_phone", "0912345678"),
            ],
        )
        .await;
    let id = r
        .location()
        .trim_start_matches("/venues/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "{}", r.body);
    id
}

async fn open_case(c: &mut Client, label: &str) -> i64 {
    let r = c.post("/cases", &[("label", label), ("notes", "")]).await;
    r.location().trim_start_matches("/cases/").parse().unwrap()
}

/// Asks the door of `venue` for `from`..`to`; returns the code the case page shows.
async fn ask_door(c: &mut Client, case: i64, venue: &str, from: i64, to: i64) -> String {
    let r = c
        .post(
            &format!("/cases/{case}/door-requests"),
            &[
                ("venue_id", venue),
                ("from", &local_input(from)),
                ("to", &local_input(to)),
                ("purpose", "Truy vết ca bệnh số 12: ai có mặt tại quầy"),
                ("hours", "48"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(r.location()).await;
    assert!(page.body.contains("Bưu điện Phường Thục Phán"));
    between(&page.body, "<p class=\"code\" id=\"code-", "</p>")
        .split('>')
        .nth(1)
        .unwrap()
        .to_owned()
}

/// What a door's device does: fetch the request by its code and verify it.
async fn fetch(p: &Portal, code: &str) -> VerifiedDoorRequest {
    let r = p
        .client()
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let signed = protocol::read_answer(&r.body, protocol::door_request::DOOR_REQUEST_ANSWER)
        .expect("a door request's answer");
    protocol::read_door_request(&signed, &trust(p), now()).unwrap()
}

fn door_key(p: &Portal) -> DoorKey {
    DoorKey::new(p.app.authority.door.as_ref().unwrap().public)
}

/// The entries a door recorded: an ID card at `at` and a personal card a minute later.
fn entries(p: &Portal, request: &VerifiedDoorRequest, at: i64) -> Vec<GuestbookEntry> {
    let key = door_key(p);
    let card = seal_contact(
        &Contact::checked(CARD_NAME, "0987 654 321", 1273).unwrap(),
        CardSource::Printed,
        &key,
        rand::random(),
    )
    .unwrap();
    let card = protocol::door::parse_contact_card(&card).unwrap();
    let scans = [
        Scanned::IdCard {
            number: NUMBER.into(),
            name: PERSON.into(),
            born: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            sex: protocol::idcard::Sex::Male,
            address: "Phường Thục Phán, Cao Bằng".into(),
        },
        Scanned::contact_card(&card),
    ];
    let venue = request.request.venue;
    scans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let t = at + 60 * i as i64;
            GuestbookEntry {
                time_in: t,
                time_out: Some(t + 600),
                sealed: seal_entry(s, &venue, t, &key, rand::random()).unwrap(),
            }
        })
        .collect()
}

fn seal(request: &VerifiedDoorRequest, entries: Vec<GuestbookEntry>) -> Vec<u8> {
    let guestbook = Guestbook {
        request_id: request.request.id,
        venue: request.request.venue,
        app_version: "0.1.0".into(),
        entries,
    };
    protocol::seal_guestbook(&guestbook, &request.request, rand::random()).unwrap()
}

async fn upload(p: &Portal, code: &str, what: &str, body: Vec<u8>) -> support::Response {
    p.client()
        .send(
            Request::post(format!("/api/v1/share-requests/{code}/{what}"))
                .header("content-type", "application/octet-stream")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
}

async fn a_door_answers_a_tracers_request_and_the_case_page_shows_whom_it_recorded(
    backend: Backend,
) {
    let p = Portal::new(backend).await;
    let mut c = staff(&p).await;
    let venue = register_venue(&p, &mut c).await;
    let case = open_case(&mut c, "Ca 12").await;
    let t = now();
    let code = ask_door(&mut c, case, &venue, t - 3 * 3600, t).await;

    let request = fetch(&p, &code).await;
    assert_eq!(request.request.venue.to_string(), venue);
    assert_eq!(request.authority, "Sở Y tế Cao Bằng");
    assert!(request
        .request
        .upload_url
        .ends_with(&format!("{code}/guestbook")));
    // A citizen's app reading it as a share request: refused (the answer is of another kind).
    let r = p
        .client()
        .get(&format!("/api/v1/share-requests/{code}"))
        .await;
    assert!(
        protocol::read_answer(&r.body, protocol::answer::SHARE_REQUEST_ANSWER).is_err(),
        "a door request is never served as a citizen's"
    );

    let sealed = seal(&request, entries(&p, &request, t - 2 * 3600));
    // Sent where a citizen's diary goes: refused, nothing stored.
    let r = upload(&p, &code, "diary", sealed.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Something else sealed for it: refused.
    let r = upload(&p, &code, "guestbook", sealed[..sealed.len() - 1].to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE sealed IS NOT NULL")
            .await,
        0
    );
    let r = upload(&p, &code, "guestbook", sealed.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The same bytes again (the door never heard the answer): stored, once.
    let r = upload(&p, &code, "guestbook", sealed.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let other = seal(&request, entries(&p, &request, t - 2 * 3600));
    assert_eq!(
        upload(&p, &code, "guestbook", other).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'guestbook_received'")
            .await,
        1
    );

    // The case page: both people, the ID card marked, every opening audited.
    let page = c.get(&format!("/cases/{case}")).await;
    let table = between(
        &page.body,
        "<ul class=\"guestbook\" id=\"guestbook\">",
        "</ul>",
    );
    assert_eq!(
        table.matches("class=\"card door-entry\"").count(),
        2,
        "{table}"
    );
    assert!(table.contains(PERSON) && table.contains(NUMBER), "{table}");
    assert!(table.contains("data-source=\"id-card\"") && table.contains("Thẻ căn cước"));
    assert!(table.contains(CARD_NAME) && table.contains("0987654321"));
    assert!(table.contains("data-source=\"printed\""));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'guestbook_opened'")
            .await,
        1
    );
    // They are not the case's own visits: not in its timeline or its CSV.
    assert!(!between(&page.body, "id=\"visits-heading\"", "</section>").contains(PERSON));
    let csv = c.get(&format!("/cases/{case}/visits.csv")).await;
    assert!(!csv.body.contains(PERSON));
    // The CSV did not open the guestbook at all.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'guestbook_opened%'")
            .await,
        1
    );
    // The audit log's page names what happened in words.
    p.add_user("quan.tri", &[Role::Admin]).await;
    let mut admin = p.signed_in("quan.tri").await;
    let audit = admin.get("/admin/audit").await;
    assert!(
        audit.body.contains("Mở sổ khách tại cửa được gửi"),
        "{}",
        audit.body
    );
}

async fn a_request_to_a_door_refuses_what_no_door_could_answer(backend: Backend) {
    let p = Portal::new(backend).await;
    let mut c = staff(&p).await;
    let venue = register_venue(&p, &mut c).await;
    let case = open_case(&mut c, "Ca 13").await;
    let t = now();
    let unknown = uuid::Uuid::from_u128(rand::random()).to_string();
    let checks = [
        (
            unknown.as_str(),
            t - 3600,
            t,
            "Không có địa điểm nào với số hiệu này",
        ),
        ("chợ", t - 3600, t, "Không có địa điểm nào với số hiệu này"),
        (
            venue.as_str(),
            t - 8 * 86400,
            t,
            "Khoảng giờ dài nhất là 7 ngày",
        ),
        (
            venue.as_str(),
            t - 3600,
            t + 7200,
            "không kết thúc sau bây giờ",
        ),
        (
            venue.as_str(),
            t,
            t - 3600,
            "giờ kết thúc phải sau giờ bắt đầu",
        ),
    ];
    for (venue_id, from, to, message) in checks {
        let r = c
            .post(
                &format!("/cases/{case}/door-requests"),
                &[
                    ("venue_id", venue_id),
                    ("from", &local_input(from)),
                    ("to", &local_input(to)),
                    ("purpose", "Truy vết"),
                    ("hours", "48"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{venue_id}");
        assert!(
            between(&r.body, "id=\"door-error\">", "</p>").contains(message),
            "{message}"
        );
        // What was typed stays in the form.
        assert!(r.body.contains(&format!("value=\"{venue_id}\"")));
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM share_requests").await, 0);
    // A citizen's request does not take a guestbook.
    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(3)),
                ("to", &days_ago(0)),
                ("purpose", "Truy vết"),
                ("hours", "48"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(r.location()).await;
    let code = between(&page.body, "<p class=\"code\" id=\"code-", "</p>")
        .split('>')
        .nth(1)
        .unwrap()
        .to_owned();
    let r = upload(&p, &code, "guestbook", vec![1; 200]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_overlap_view_lists_the_people_a_door_recorded_while_the_case_was_there(
    backend: Backend,
) {
    let p = Portal::new(backend).await;
    let mut c = staff(&p).await;
    let venue = register_venue(&p, &mut c).await;
    let case = open_case(&mut c, "Ca 14").await;
    let t = now();
    // The case's citizen shared a visit to the venue, three to two hours ago.
    let r = c
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &days_ago(1)),
                ("to", &days_ago(0)),
                ("purpose", "Truy vết"),
                ("hours", "48"),
            ],
        )
        .await;
    let page = c.get(r.location()).await;
    let share_code = between(&page.body, "<p class=\"code\" id=\"code-", "</p>")
        .split('>')
        .nth(1)
        .unwrap()
        .to_owned();
    let r = p
        .client()
        .get(&format!("/api/v1/share-requests/{share_code}"))
        .await;
    let signed = protocol::read_answer(&r.body, protocol::answer::SHARE_REQUEST_ANSWER).unwrap();
    let share = protocol::read_share_request(&signed, &trust(&p), t).unwrap();
    let diary = SharedDiary::new(
        &share.request.id,
        "0.1.0",
        vec![SharedVisit {
            name: "Bưu điện Phường Thục Phán".into(),
            address: "Số 1 Phố Vườn Cam".into(),
            unit: Some(1273),
            venue_id: Some(venue.clone()),
            origin: "vd1".into(),
            time_in: t - 3 * 3600,
            time_out: Some(t - 2 * 3600),
        }],
    );
    let sealed = protocol::seal_diary(&diary, &share, rand::random()).unwrap();
    assert_eq!(
        upload(&p, &share_code, "diary", sealed).await.status,
        StatusCode::CREATED
    );
    // Under the visit, a request to its venue's door for the visit's own stay, no longer.
    let page = c.get(&format!("/cases/{case}")).await;
    let ask = between(&page.body, "<details class=\"ask-door\">", "</details>");
    assert!(
        ask.contains(&format!("name=\"venue_id\" value=\"{venue}\"")),
        "{ask}"
    );
    let end = (t - 2 * 3600 + 59).div_euclid(60) * 60;
    assert!(
        ask.contains(&format!("name=\"to\" value=\"{}\"", local_input(end))),
        "{ask}"
    );
    // The door recorded two people: one then, one long after.
    let code = ask_door(&mut c, case, &venue, t - 4 * 3600, t).await;
    let request = fetch(&p, &code).await;
    let mut then = entries(&p, &request, t - 2 * 3600 - 1800);
    then.truncate(1);
    let mut later = entries(&p, &request, t - 1800);
    later.drain(..1);
    then.extend(later);
    assert_eq!(
        upload(&p, &code, "guestbook", seal(&request, then))
            .await
            .status,
        StatusCode::CREATED
    );
    let page = c.get(&format!("/cases/{case}/overlaps")).await;
    let table = between(&page.body, "<table id=\"overlaps\">", "</table>");
    assert_eq!(table.matches("class=\"overlap\"").count(), 1, "{table}");
    assert!(
        table.contains(PERSON) && table.contains("Thẻ căn cước"),
        "{table}"
    );
    assert!(!table.contains(CARD_NAME), "{table}");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'guestbook_opened_overlap'")
            .await,
        1
    );
}
