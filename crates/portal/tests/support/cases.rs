//! Cases as the exposure and notice tests start from: a registered venue, a case whose citizen
//! shared visits there through the app's API.

use axum::http::StatusCode;
use protocol::SharedVisit;

use super::{days_ago, Client, Portal};

/// Registers a venue in the portal; returns its id.
pub async fn register_venue(p: &Portal, c: &mut Client, name: &str) -> String {
    let commune = p.app.units.communes[0].code.to_string();
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", name),
                ("address", "Phố Xuân Trường"),
                ("commune", &commune),
                ("sector", "market"),
                ("usual_stay", ""),
                ("contact_name", "Bà Hoa"),
                ("contact_phone", "0912345678"),
            ],
        )
        .await;
    r.location()
        .trim_start_matches("/venues/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// A visit to a venue, hours ago (time out `None` when never checked out).
pub fn visit(name: &str, venue: &str, time_in: i64, time_out: Option<i64>) -> SharedVisit {
    SharedVisit {
        name: name.into(),
        address: "Phố Xuân Trường".into(),
        unit: Some(1273),
        venue_id: Some(venue.into()),
        origin: "vd1".into(),
        time_in,
        time_out,
    }
}

/// A new case with a share request for `from_day`..`to_day` days ago, not yet answered. Returns
/// the case and the request's code.
pub async fn case_asking(
    p: &Portal,
    c: &mut Client,
    label: &str,
    days: (i64, i64),
) -> (i64, String) {
    let r = c.post("/cases", &[("label", label), ("notes", "")]).await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    c.post(
        &format!("/cases/{case}/requests"),
        &[
            ("from", &days_ago(days.0)),
            ("to", &days_ago(days.1)),
            ("purpose", "Truy vết"),
            ("hours", "48"),
        ],
    )
    .await;
    let code: String = sqlx::query_scalar("SELECT code FROM share_requests WHERE case_id = $1")
        .bind(case)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    (case, code)
}

/// A case whose citizen answered a share request for `from_day`..`to_day` days ago with
/// `visits`, through the app's API. Returns the case and the request's code.
pub async fn case_sharing(
    p: &Portal,
    c: &mut Client,
    label: &str,
    days: (i64, i64),
    visits: Vec<SharedVisit>,
) -> (i64, String) {
    let (case, code) = case_asking(p, c, label, days).await;
    let r = p.share_visits(&code, visits).await;
    assert_eq!(r.status, StatusCode::CREATED);
    (case, code)
}

/// A case whose citizen shared one visit at a venue this portal registered.
pub async fn case_with_visit(p: &Portal, c: &mut Client) -> (i64, String) {
    let venue = register_venue(p, c, "Chợ Xanh Cao Bằng").await;
    // On a whole minute: a sealed diary carries times in minutes.
    let now = chrono::Utc::now().timestamp() / 60 * 60;
    let visits = vec![visit(
        "Chợ Xanh Cao Bằng",
        &venue,
        now - 3 * 3600,
        Some(now - 2 * 3600),
    )];
    let (case, _) = case_sharing(p, c, "Ca 3", (5, 0), visits).await;
    (case, venue)
}
