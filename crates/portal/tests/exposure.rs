//! Exposure notices: drafted from a case's shared visits, published, retracted, and served as
//! one signed list that names venues only by hash. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::exposure::{read_exposure_list, venue_hash, Level};
use protocol::TrustList;
use support::cases::{case_asking, case_sharing, case_with_visit, register_venue, visit};
use support::Portal;

on_both_backends!(
    notices_are_drafted_published_served_and_retracted,
    no_single_person_alerts_a_venue,
    visits_outside_the_days_asked_stay_out_of_the_case,
    the_overlap_view_shows_other_cases_at_the_same_place_and_time,
    own_venues_come_by_id_and_show_as_the_registry_names_them,
    another_process_s_change_reaches_phones_within_a_second
);

/// A download reads the list's sequence from memory when it was read less than a second ago, so
/// a change made by another portal process on the same database (here: the database changed
/// behind this one's back) reaches phones within that second, and no sooner.
async fn another_process_s_change_reaches_phones_within_a_second(backend: Backend) {
    let p = Portal::new(backend).await;
    assert_eq!(list(&p, "").await.1.unwrap().sequence, 0);
    sqlx::query("UPDATE exposure_list SET sequence = sequence + 1 WHERE id = 1")
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    // Within the second: the sequence as this process last read it, no query.
    assert_eq!(list(&p, "").await.1.unwrap().sequence, 0);
    tokio::time::sleep(portal::web::memory::SEQUENCE_FRESH + std::time::Duration::from_millis(100))
        .await;
    assert_eq!(list(&p, "").await.1.unwrap().sequence, 1);
}

fn trust(p: &Portal) -> TrustList {
    p.trust()
}

async fn list(
    p: &Portal,
    query: &str,
) -> (support::Response, Option<protocol::exposure::ExposureList>) {
    let r = p.client().get(&format!("/api/v1/exposures{query}")).await;
    if r.status != StatusCode::OK {
        return (r, None);
    }
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let now = chrono::Utc::now().timestamp();
    let read = read_exposure_list(json["signed"].as_str().unwrap(), &trust(p), None, now).unwrap();
    // Version 2: issued now, for two days.
    assert_eq!(read.version, 2);
    let list = read.list;
    assert!((now - 5..=now).contains(&list.issued), "{}", list.issued);
    assert_eq!(list.not_after, Some(list.issued + 2 * 86_400));
    (r, Some(list))
}

async fn notices_are_drafted_published_served_and_retracted(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let mut c = p.signed_in("lan").await;
    // The second pair of eyes: publishing is hers.
    let mut s = p.signed_in("hoa").await;
    let (case, venue) = case_with_visit(&p, &mut c).await;

    // Nothing published yet: an empty list, sequence 0.
    let (_, empty) = list(&p, "").await;
    let empty = empty.unwrap();
    assert_eq!((empty.sequence, empty.notices.len()), (0, 0));

    // The case page offers a notice for the shared visit, its window taken from the visit.
    let page = c.get(&format!("/cases/{case}")).await;
    let link =
        support::between(&page.body, "class=\"make-notice\" href=\"", "\"").replace("&amp;", "&");
    assert!(
        link.starts_with(&format!("/cases/{case}/notices/new?venue_id={venue}&")),
        "{link}"
    );
    let form = c.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .body
        .contains(&format!("name=\"venue_id\" value=\"{venue}\"")));
    let from = support::between(&form.body, "name=\"from\" type=\"text\" value=\"", "\"");
    let to = support::between(&form.body, "name=\"to\" type=\"text\" value=\"", "\"");
    assert!(portal::domain::time::parse_local(&from).is_some(), "{from}");

    // Bad input: the form again as typed, the message next to its field, nothing saved.
    for (form, why) in [
        (
            [
                ("venue_id", "not-a-venue"),
                ("from", from.as_str()),
                ("to", to.as_str()),
            ],
            ("notice-venue-unknown", "venue_id"),
        ),
        (
            [
                ("venue_id", venue.as_str()),
                ("from", to.as_str()),
                ("to", from.as_str()),
            ],
            ("notice-window-invalid", "to"),
        ),
    ] {
        let mut fields = form.to_vec();
        fields.extend([
            ("level", "test"),
            ("advice_vi", "Đi xét nghiệm."),
            ("advice_en", "Get tested."),
        ]);
        let r = c.post(&format!("/cases/{case}/notices"), &fields).await;
        r.assert_refused(why.0, why.1);
        // What was typed is still there.
        assert!(r.body.contains(">Đi xét nghiệm.</textarea>"), "{}", r.body);
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);

    let advice = "Hãy đi xét nghiệm tại trạm y tế gần nhất.";
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "test"),
                ("advice_vi", advice),
                ("advice_en", "Get tested at the nearest health station."),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let id = p.count("SELECT id FROM exposure_notices").await;
    // A draft is not published.
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 0);

    s.post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    let (r, published) = list(&p, "").await;
    let published = published.unwrap();
    assert_eq!(published.sequence, 1);
    assert_eq!(published.notices.len(), 1);
    let n = &published.notices[0];
    assert_eq!(
        n.venue_hash,
        venue_hash(&uuid::Uuid::parse_str(&venue).unwrap())
    );
    assert_eq!((n.level, n.advice_vi.as_str()), (Level::Test, advice));
    assert_eq!(n.to - n.from, 3600);
    // Phones know it by a random id, not the row's: consecutive notices say nothing of each
    // other or of the drafts between them.
    let public: i64 = sqlx::query_scalar("SELECT public_id FROM exposure_notices WHERE id = $1")
        .bind(id)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n.id, public as u64);
    assert!(n.id >= 1 << 32, "{}", n.id);
    // The list names no venue.
    assert!(!r.body.contains(&venue) && !r.body.contains("Chợ Xanh"));
    // A CDN may cache it; a client that has it gets 304.
    assert_eq!(r.header("cache-control"), "public, max-age=300");
    let etag = r.header("etag").to_owned();
    let again = p
        .client()
        .send(
            Request::get("/api/v1/exposures")
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Publishing twice does nothing.
    let r = s
        .post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Only what changed since a sequence.
    let since = list(&p, "?since=1").await.1.unwrap();
    assert_eq!((since.base, since.notices.len()), (Some(1), 0));
    let since0 = list(&p, "?since=0").await.1.unwrap();
    assert_eq!(since0.notices.len(), 1);

    // Retracted: gone from the whole list, named in the changes since it was published.
    c.post(&format!("/cases/{case}/notices/{id}/retract"), &[])
        .await;
    let whole = list(&p, "").await.1.unwrap();
    assert_eq!((whole.sequence, whole.notices.len()), (2, 0));
    let changes = list(&p, "?since=1").await.1.unwrap();
    assert_eq!(changes.retracted, vec![public as u64]);
    let (r, _) = list(&p, "").await;
    assert_ne!(r.header("etag"), etag, "a new list, a new tag");

    // A venue withdrawn travels in the list, as a new sequence (so caches and phones fetch it);
    // restored, it leaves the list again.
    let r = c.post(&format!("/venues/{venue}/deactivate"), &[]).await;
    assert!(r.location().ends_with("deactivated=1"), "{}", r.location());
    let withdrawn = list(&p, "").await.1.unwrap();
    let hash = venue_hash(&uuid::Uuid::parse_str(&venue).unwrap());
    assert_eq!(
        (withdrawn.sequence, withdrawn.withdrawn.clone()),
        (3, vec![hash])
    );
    assert_eq!(list(&p, "?since=2").await.1.unwrap().withdrawn, vec![hash]);
    c.post(&format!("/venues/{venue}/activate"), &[]).await;
    let restored = list(&p, "").await.1.unwrap();
    assert_eq!((restored.sequence, restored.withdrawn.len()), (4, 0));

    // An old notice drops off the list by itself.
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "monitor"),
                ("advice_vi", "Theo dõi."),
                ("advice_en", "Watch."),
            ],
        )
        .await;
    assert!(r.location().contains("drafted"));
    let second = p.count("SELECT MAX(id) FROM exposure_notices").await;
    s.post(&format!("/cases/{case}/notices/{second}/publish"), &[])
        .await;
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 1);
    // The notice ages past the retention (moved back in time here; a published notice is
    // never changed by the portal, so its list cache is told).
    sqlx::query("UPDATE exposure_notices SET window_to = window_to - 61 * 86400, window_from = window_from - 61 * 86400 WHERE id = $1")
        .bind(second)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    p.app.exposure_lists.clear();
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'notice_%'")
            .await,
        5
    );
}

/// A notice's fields with this window, for `venue`.
fn notice_form<'a>(venue: &'a str, from: &'a str, to: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("venue_id", venue),
        ("from", from),
        ("to", to),
        ("level", "test"),
        ("advice_vi", "Đi xét nghiệm."),
        ("advice_en", "Get tested."),
    ]
}

async fn no_single_person_alerts_a_venue(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    // A supervisor who also traces: she drafts, and still cannot publish alone.
    p.add_user("minh", &[Role::Tracer, Role::Supervisor]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let mut lan = p.signed_in("lan").await;
    let mut minh = p.signed_in("minh").await;
    let mut hoa = p.signed_in("hoa").await;
    let (case, venue) = case_with_visit(&p, &mut lan).await;
    let elsewhere = register_venue(&p, &mut lan, "Quán Cà phê Phố Cũ").await;
    let t = chrono::Utc::now().timestamp();
    let input = portal::domain::time::local_input;
    let (from, to) = (input(t - 3 * 3600), input(t - 2 * 3600));
    let refused = |r: &support::Response, why: &str| {
        assert_eq!(
            r.location(),
            format!("/cases/{case}?notice_error={why}"),
            "{why}"
        )
    };
    let notices = || p.count("SELECT COUNT(*) FROM exposure_notices");

    // Windows: at most a day, and over by now.
    let (long_from, future_to) = (input(t - 2 * 3600 - 24 * 3600 - 60), input(t + 3600));
    for (from, to, why) in [
        (
            long_from.as_str(),
            to.as_str(),
            ("notice-window-too-long", "from"),
        ),
        (
            from.as_str(),
            future_to.as_str(),
            ("notice-window-future", "to"),
        ),
    ] {
        let r = lan
            .post(
                &format!("/cases/{case}/notices"),
                &notice_form(&venue, from, to),
            )
            .await;
        r.assert_refused(why.0, why.1);
    }
    assert_eq!(notices().await, 0);

    // A registered venue the case's visits do not name: not for a tracer, even with a reason.
    let mut form = notice_form(&elsewhere, &from, &to);
    form.push(("reason", "Ca khai báo qua điện thoại"));
    let r = lan.post(&format!("/cases/{case}/notices"), &form).await;
    r.assert_refused("notice-venue-not-in-case", "venue_id");
    // A supervisor may, saying why; the reason goes into the audit log.
    let r = minh
        .post(
            &format!("/cases/{case}/notices"),
            &notice_form(&elsewhere, &from, &to),
        )
        .await;
    r.assert_refused("notice-reason-missing", "reason");
    assert_eq!(notices().await, 0);
    let r = minh.post(&format!("/cases/{case}/notices"), &form).await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'notice_drafted_override'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!(detail, format!("case {case}: Ca khai báo qua điện thoại"));
    let override_id = p.count("SELECT MAX(id) FROM exposure_notices").await;

    // The case's own venue: the tracer's draft. Checking it opened the case's diary, audited.
    let r = lan
        .post(
            &format!("/cases/{case}/notices"),
            &notice_form(&venue, &from, &to),
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let id = p.count("SELECT MAX(id) FROM exposure_notices").await;
    assert!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_opened_notice'")
            .await
            >= 2
    );

    // Four eyes: the tracer may not publish; the supervisor who drafted may not either.
    let r = lan
        .post(&format!("/cases/{case}/notices/{id}/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = minh
        .post(&format!("/cases/{case}/notices/{override_id}/publish"), &[])
        .await;
    refused(&r, "notice-own-draft");
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'draft'")
            .await,
        2
    );

    // The supervisors' list of drafts: both, each leading to its case; not for tracers.
    let page = hoa.get("/notices").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("class=\"card awaiting-notice\"").count(),
        2
    );
    assert!(page
        .body
        .contains(&format!("href=\"/cases/{case}#notices\"")));
    assert!(page.body.contains("Quán Cà phê Phố Cũ"));
    assert_eq!(lan.get("/notices").await.status, StatusCode::FORBIDDEN);
    // Minh's own draft waits for someone else, on the case page too.
    let case_page = minh.get(&format!("/cases/{case}")).await;
    assert!(!case_page
        .body
        .contains(&format!("/notices/{override_id}/publish")));
    assert!(case_page.body.contains(&format!("/notices/{id}/publish")));

    // A supervisor who does not trace reads the case and its notices, with who drafted each,
    // and is offered none of the tracer's forms.
    let hoa_page = hoa.get(&format!("/cases/{case}")).await;
    assert_eq!(hoa_page.status, StatusCode::OK);
    assert_eq!(hoa_page.body.matches("Người soạn:").count(), 2);
    for tracers_only in [
        format!("action=\"/cases/{case}/requests\""),
        format!("action=\"/cases/{case}/door-requests\""),
        format!("href=\"/cases/{case}/visits.csv\""),
    ] {
        assert!(!hoa_page.body.contains(&tracers_only), "{tracers_only}");
    }

    // Another supervisor publishes both: now phones get them.
    for n in [id, override_id] {
        let r = hoa
            .post(&format!("/cases/{case}/notices/{n}/publish"), &[])
            .await;
        assert!(
            r.location().contains("notice=published"),
            "{}",
            r.location()
        );
    }
    assert_eq!(list(&p, "").await.1.unwrap().notices.len(), 2);
    let published_by: Vec<String> = sqlx::query_scalar(
        "SELECT username FROM audit_log WHERE action = 'notice_published' ORDER BY id",
    )
    .fetch_all(&p.app.db.pool)
    .await
    .unwrap();
    assert_eq!(published_by, ["hoa", "hoa"]);
}

/// A (modified) app that sends more than the days asked: the rest is not shown, exported or
/// used for a notice; the case page says how many.
async fn visits_outside_the_days_asked_stay_out_of_the_case(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let market = register_venue(&p, &mut c, "Chợ Xanh Cao Bằng").await;
    let cafe = register_venue(&p, &mut c, "Quán Cà phê Phố Cũ").await;
    let now = chrono::Utc::now().timestamp();
    // Asked for the last three days; the cafe visit is ten days old.
    let (case, _) = case_sharing(
        &p,
        &mut c,
        "Ca 7",
        (3, 0),
        vec![
            visit(
                "Chợ Xanh Cao Bằng",
                &market,
                now - 5 * 3600,
                Some(now - 4 * 3600),
            ),
            visit(
                "Quán Cà phê Phố Cũ",
                &cafe,
                now - 10 * 86400,
                Some(now - 10 * 86400 + 3600),
            ),
        ],
    )
    .await;
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Chợ Xanh Cao Bằng"));
    assert!(
        !page.body.contains("Quán Cà phê Phố Cũ"),
        "the visit outside is shown"
    );
    assert!(page
        .body
        .contains("1 lượt ghé do điện thoại gửi nằm ngoài khoảng thời gian được hỏi"));
    let csv = c.get(&format!("/cases/{case}/visits.csv")).await;
    assert!(csv.body.contains("Chợ Xanh Cao Bằng") && !csv.body.contains("Phố Cũ"));
    // Nor can a notice name the cafe on its strength.
    let (from, to) = (
        portal::domain::time::local_input(now - 10 * 86400),
        portal::domain::time::local_input(now - 10 * 86400 + 3600),
    );
    let r = c
        .post(
            &format!("/cases/{case}/notices"),
            &notice_form(&cafe, &from, &to),
        )
        .await;
    r.assert_refused("notice-venue-not-in-case", "venue_id");
}

async fn the_overlap_view_shows_other_cases_at_the_same_place_and_time(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let market = register_venue(&p, &mut c, "Chợ Xanh Cao Bằng").await;
    let school = register_venue(&p, &mut c, "Trường Tiểu học Hợp Giang").await;
    let h = 3600;
    // 10:00 local (UTC+7) two days ago, so that every stay below falls within one local day
    // whatever the hour the test runs.
    let zone = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let t = (chrono::Utc::now().with_timezone(&zone).date_naive() - chrono::Duration::days(2))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .unwrap()
        .timestamp();

    // Case 1 was at the market 10:00–12:00 and at the school, never checked out, at 14:00 (both
    // registered as markets here: a usual stay of an hour, so 14:00–15:00).
    let (first, _) = case_sharing(
        &p,
        &mut c,
        "Ca 1",
        (5, 0),
        vec![
            visit("Chợ Xanh Cao Bằng", &market, t, Some(t + 2 * h)),
            visit("Trường Tiểu học Hợp Giang", &school, t + 4 * h, None),
        ],
    )
    .await;
    // Case 2 overlapped at the market (11:00–13:00); case 3 arrived as case 1 left (touching
    // ends); case 4 came to the school at 14:30, within that hour; case 5 shared weeks before.
    let (second, _) = case_sharing(
        &p,
        &mut c,
        "Ca 2 <b>",
        (5, 0),
        vec![visit("Chợ Xanh Cao Bằng", &market, t + h, Some(t + 3 * h))],
    )
    .await;
    let (third, third_code) = case_sharing(
        &p,
        &mut c,
        "Ca 3",
        (5, 0),
        vec![visit(
            "Chợ Xanh Cao Bằng",
            &market,
            t + 2 * h,
            Some(t + 3 * h),
        )],
    )
    .await;
    let (fourth, _) = case_sharing(
        &p,
        &mut c,
        "Ca 4",
        (5, 0),
        vec![visit(
            "Trường Tiểu học Hợp Giang",
            &school,
            t + 4 * h + 1800,
            Some(t + 7 * h),
        )],
    )
    .await;
    // Case 6 came at 15:30, after the school's hour (though within two): not there together.
    let (sixth, _) = case_sharing(
        &p,
        &mut c,
        "Ca 6",
        (5, 0),
        vec![visit(
            "Trường Tiểu học Hợp Giang",
            &school,
            t + 5 * h + 1800,
            Some(t + 7 * h),
        )],
    )
    .await;
    let (_, old_code) = case_sharing(
        &p,
        &mut c,
        "Ca 5",
        (30, 20),
        vec![visit(
            "Chợ Xanh Cao Bằng",
            &market,
            t - 20 * 24 * h,
            Some(t - 20 * 24 * h + h),
        )],
    )
    .await;

    // The case page leads there, saying that it opens other cases' diaries.
    let page = c.get(&format!("/cases/{first}")).await;
    assert!(page
        .body
        .contains(&format!("href=\"/cases/{first}/overlaps\"")));

    let before = p.count("SELECT COUNT(*) FROM audit_log").await;
    let page = c.get(&format!("/cases/{first}/overlaps")).await;
    assert_eq!(page.status, StatusCode::OK);
    let rows: Vec<&str> = page.body.split("<tr class=\"overlap\">").skip(1).collect();
    assert_eq!(rows.len(), 2, "{}", page.body);
    assert!(rows[0].contains("Chợ Xanh Cao Bằng"));
    assert!(rows[0].contains(&format!("href=\"/cases/{second}\"")));
    assert!(rows[0].contains("Ca 2 &#60;b&#62;"), "labels are escaped");
    assert!(rows[1].contains("Trường Tiểu học Hợp Giang"));
    assert!(rows[1].contains(&format!("href=\"/cases/{fourth}\"")));
    assert!(!page.body.contains(&format!("href=\"/cases/{third}\"")));
    assert!(!page.body.contains(&format!("href=\"/cases/{sixth}\"")));
    // The time both were at the market: 11:00–12:00 local.
    let both = |ts: i64| {
        chrono::DateTime::from_timestamp(ts, 0)
            .unwrap()
            .with_timezone(&chrono::FixedOffset::east_opt(7 * h as i32).unwrap())
            .format("%H:%M")
            .to_string()
    };
    assert!(rows[0].contains(&format!("{}–{}</strong>", both(t + h), both(t + 2 * h))));

    // Every other diary compared was opened and logged; the one from weeks before was not.
    let opened = |code: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'diary_opened_overlap' \
             AND target = '{code}'"
        )
    };
    assert_eq!(p.count(&opened(&third_code)).await, 1);
    assert_eq!(p.count(&opened(&old_code)).await, 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'diary_opened_overlap'")
            .await,
        4
    );
    // And this case's own diary, as on its page: five entries in all.
    assert_eq!(p.count("SELECT COUNT(*) FROM audit_log").await, before + 5);
    assert!(page.body.contains("4 nhật ký"));

    // Only tracers see it.
    p.add_user("minh", &[Role::Registrar]).await;
    let mut registrar = p.signed_in("minh").await;
    assert_eq!(
        registrar
            .get(&format!("/cases/{first}/overlaps"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// The app sends visits to this authority's own venues by id alone (sealed diary version 2): the
/// case page shows them with the registry's name and address, or those of the code `portal
/// venue-code make` recorded; an id neither holds (only a modified app sends one) shows as the id.
async fn own_venues_come_by_id_and_show_as_the_registry_names_them(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let venue = register_venue(&p, &mut c, "Chợ Xanh Cao Bằng").await;
    let (case, code) = case_asking(&p, &mut c, "Ca 21", (1, 0)).await;
    let now = chrono::Utc::now().timestamp();
    let unknown = "0b0d6a52-2f3c-4a55-9a4e-2d9b4c1f7e10";
    // A venue `portal venue-code make` signed: in `venues.jsonl`, not in the registry.
    let made = protocol::Venue {
        id: protocol::Venue::id_from_random([0x33; 16]),
        name: "Nhà văn hóa Tổ 5".into(),
        address: "Tổ 5, Phường Sông Hiến".into(),
        unit: 1273,
        sector: protocol::Sector::Other,
        usual_stay_minutes: 60,
        issued: chrono::Utc::now().date_naive(),
    };
    let made_code =
        protocol::sign_venue_code(&made, &p.app.authority.settings.host, &p.app.authority.key)
            .unwrap();
    portal::store::venue_file::record(&p.app.authority.dir, &made.id.to_string(), &made_code)
        .unwrap();
    let visits = vec![
        visit(
            "Tên trên điện thoại",
            &venue,
            now - 3 * 3600,
            Some(now - 2 * 3600),
        ),
        visit("Tên khác", &made.id.to_string(), now - 2 * 3600, None),
        visit("Không có trong sổ", unknown, now - 3600, None),
    ];
    let r = p
        .share_visits_naming(&code, visits, &|v| v.origin == "vd1")
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let page = c.get(&format!("/cases/{case}")).await;
    assert!(page.body.contains("Chợ Xanh Cao Bằng"), "{}", page.body);
    assert!(page.body.contains("Phố Xuân Trường"));
    assert!(page.body.contains("Nhà văn hóa Tổ 5"), "{}", page.body);
    assert!(page.body.contains("Tổ 5, Phường Sông Hiến"));
    // What the phone called them did not leave it.
    assert!(!page.body.contains("Tên trên điện thoại"));
    assert!(!page.body.contains("Tên khác"));
    assert!(!page.body.contains("Không có trong sổ"));
    assert!(page.body.contains(unknown));
}
