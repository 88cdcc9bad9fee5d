//! The notice form as tracers use it: a mistake keeps what was typed, drafts are edited (a new
//! draft in place of the old, so nobody approves words they did not see) and deleted before
//! approval, the advice follows the level, and the preview says what phones will say, in both
//! languages. On SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use portal::domain::accounts::Role;
use portal::domain::time::local_input;
use portal::i18n::{Lang, Tr};
use portal::store::Backend;
use support::cases::case_with_visit;
use support::{between, Portal};

on_both_backends!(
    a_draft_is_edited_and_deleted_before_approval,
    the_form_proposes_advice_by_level_and_shows_both_phones,
    the_preview_names_the_department_s_hotline_as_phones_will,
    whoever_edited_a_draft_may_not_approve_it
);

fn advice(level: &str, lang: Lang) -> String {
    Tr::new(lang).t(&format!("notice-default-advice-{level}"))
}

async fn a_draft_is_edited_and_deleted_before_approval(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let mut lan = p.signed_in("lan").await;
    let mut hoa = p.signed_in("hoa").await;
    let (case, venue) = case_with_visit(&p, &mut lan).await;
    let t = chrono::Utc::now().timestamp();
    let (from, to) = (local_input(t - 3 * 3600), local_input(t - 2 * 3600));
    let (test_vi, test_en) = (advice("test", Lang::Vi), advice("test", Lang::En));
    let r = lan
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "test"),
                ("advice_vi", &test_vi),
                ("advice_en", &test_en),
            ],
        )
        .await;
    assert!(
        r.location().ends_with("notice=drafted#notices"),
        "{} {}",
        r.status,
        r.body
    );
    let first = p.count("SELECT MAX(id) FROM exposure_notices").await;
    let public = |id: i64| format!("SELECT public_id FROM exposure_notices WHERE id = {id}");
    let first_public = p.count(&public(first)).await;

    // The case page offers editing and deleting the draft.
    let page = lan.get(&format!("/cases/{case}")).await;
    let edit = format!("/cases/{case}/notices/{first}/edit");
    let delete = format!("/cases/{case}/notices/{first}/delete");
    assert!(page.body.contains(&format!("href=\"{edit}\"")));
    assert!(page.body.contains(&format!("href=\"{delete}\"")));

    // The edit form holds the draft as it is; the venue is not a field.
    let form = lan.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains(&format!("value=\"{from}\"")),
        "{}",
        form.body
    );
    assert!(form.body.contains(&format!(">{test_vi}</textarea>")));
    assert!(form.body.contains("id=\"venue-name\">Chợ Xanh Cao Bằng<"));
    assert!(!form.body.contains("id=\"venue_id\""));

    // The supervisor opens the draft's confirmation page meanwhile.
    let confirm = hoa
        .get(&format!("/cases/{case}/notices/{first}/publish"))
        .await;
    assert!(confirm.body.contains("id=\"confirm\""));

    // A mistake: the form comes back as typed, with the message at the end time; the draft stays.
    let typed = "Theo dõi sức khỏe, đo nhiệt độ mỗi sáng.";
    let future = local_input(t + 7200);
    let r = lan
        .post(
            &edit,
            &[
                ("from", &from),
                ("to", &future),
                ("level", "monitor"),
                ("advice_vi", typed),
                ("advice_en", "Watch your health."),
            ],
        )
        .await;
    r.assert_refused("notice-window-future", "to");
    assert!(r.body.contains(&format!(">{typed}</textarea>")));
    assert!(r.body.contains(&format!("value=\"{future}\"")));
    assert!(r.body.contains("<option value=\"monitor\" selected>"));
    assert_eq!(p.count(&public(first)).await, first_public);

    // The level changed but the advice is still the other level's proposal: refused, next to it.
    let r = lan
        .post(
            &edit,
            &[
                ("from", &from),
                ("to", &to),
                ("level", "monitor"),
                ("advice_vi", &test_vi),
                ("advice_en", "Watch your health."),
            ],
        )
        .await;
    r.assert_refused("notice-advice-other-level", "advice_vi");

    // Edited: a new draft (a new id for phones too) in place of the old one.
    let later_from = local_input(t - 3 * 3600 + 600);
    let r = lan
        .post(
            &edit,
            &[
                ("from", &later_from),
                ("to", &to),
                ("level", "monitor"),
                ("advice_vi", typed),
                ("advice_en", "Watch your health."),
                // A venue sent with the form is not taken: the draft keeps its own.
                ("venue_id", "00000000-0000-4000-8000-000000000000"),
            ],
        )
        .await;
    assert!(
        r.location().ends_with("notice=edited#notices"),
        "{}",
        r.location()
    );
    let second = p.count("SELECT MAX(id) FROM exposure_notices").await;
    assert_ne!(second, first);
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 1);
    assert_ne!(p.count(&public(second)).await, first_public);
    let (stored_venue, level, advice_vi, window_from): (String, String, String, i64) =
        sqlx::query_as(
            "SELECT venue_id, level, advice_vi, window_from FROM exposure_notices WHERE id = $1",
        )
        .bind(second)
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        (stored_venue.as_str(), level.as_str(), advice_vi.as_str()),
        (venue.as_str(), "monitor", typed)
    );
    assert_eq!(local_input(window_from), later_from);
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'notice_edited'")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    assert_eq!(detail, format!("case {case}: replaces {first}"));
    let page = lan.get(&format!("/cases/{case}?notice=edited")).await;
    assert!(page.body.contains(&Tr::new(Lang::Vi).t("notice-edited")));

    // The page the supervisor opened before the edit publishes nothing: that draft is gone.
    let r = hoa
        .post(&format!("/cases/{case}/notices/{first}/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'draft'")
            .await,
        1
    );

    // Deleting asks first, then the draft is gone; the list's sequence does not move.
    let delete = format!("/cases/{case}/notices/{second}/delete");
    let sequence = "SELECT sequence FROM exposure_list";
    let before = p.count(sequence).await;
    let ask = lan.get(&delete).await;
    assert!(ask.body.contains("id=\"confirm\""));
    assert!(ask.body.contains(typed));
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 1);
    let r = lan.post(&delete, &[]).await;
    assert!(
        r.location().ends_with("notice=deleted#notices"),
        "{}",
        r.location()
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);
    assert_eq!(p.count(sequence).await, before);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'notice_deleted'")
            .await,
        1
    );
    assert_eq!(lan.post(&delete, &[]).await.status, StatusCode::NOT_FOUND);

    // A published notice is neither edited nor deleted: it is retracted.
    let r = lan
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &from),
                ("to", &to),
                ("level", "test"),
                ("advice_vi", &test_vi),
                ("advice_en", &test_en),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"));
    let third = p.count("SELECT MAX(id) FROM exposure_notices").await;
    let r = hoa
        .post(&format!("/cases/{case}/notices/{third}/publish"), &[])
        .await;
    assert!(
        r.location().contains("notice=published"),
        "{}",
        r.location()
    );
    for path in ["edit", "delete"] {
        let path = format!("/cases/{case}/notices/{third}/{path}");
        assert_eq!(lan.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(lan.post(&path, &[]).await.status, StatusCode::NOT_FOUND);
    }
    let page = lan.get(&format!("/cases/{case}")).await;
    assert!(!page.body.contains(&format!("/notices/{third}/edit")));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'published'")
            .await,
        1
    );
}

/// A form's fields as the client sends them.
fn fields(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The phone's words (`ui/src/locales/*.json`, `alerts`), with `{name}` as the app writes its
/// arguments.
fn app_alert(lang: &str, key: &str) -> String {
    let path = format!(
        "{}/../../ui/src/locales/{lang}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut at = &json["alerts"];
    for part in key.split('.') {
        at = &at[part];
    }
    at.as_str()
        .unwrap_or_else(|| panic!("alerts.{key}"))
        .to_owned()
}

async fn the_form_proposes_advice_by_level_and_shows_both_phones(backend: Backend) {
    // The preview's words are the app's, word for word, in both languages.
    for lang in [Lang::Vi, Lang::En] {
        let tr = Tr::new(lang);
        let code = lang.code();
        let args = |names: &[&'static str]| -> Vec<(&'static str, fluent_bundle::FluentValue)> {
            names
                .iter()
                .map(|n| (*n, format!("{{{n}}}").into()))
                .collect()
        };
        for level in ["monitor", "test"] {
            assert_eq!(
                tr.t(&format!("phone-alert-level-{level}")),
                app_alert(code, &format!("level.{level}"))
            );
        }
        assert_eq!(
            tr.ta("phone-alert-visit", &args(&["name", "time"])),
            app_alert(code, "visit")
        );
        assert_eq!(
            tr.ta("phone-alert-window", &args(&["from", "to"])),
            app_alert(code, "window")
        );
        assert_eq!(tr.t("phone-alert-next"), app_alert(code, "next"));
        assert_eq!(
            tr.ta("phone-alert-next-hotline", &args(&["authority", "hotline"])),
            app_alert(code, "nextHotline")
        );
    }

    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    let mut lan = p.signed_in("lan").await;
    let (case, venue) = case_with_visit(&p, &mut lan).await;
    let form = lan
        .get(&format!(
            "/cases/{case}/notices/new?venue_id={venue}&from=03/12/2026%2009:30&to=03/12/2026%2010:45"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    // The page's own script may run; nothing else.
    assert!(form
        .header("content-security-policy")
        .contains("script-src 'self'"));
    // Level "test" first, its advice proposed; the other level's proposal is there for the
    // script to swap in.
    assert!(form.body.contains("<option value=\"test\" selected>"));
    assert!(form
        .body
        .contains(&format!(">{}</textarea>", advice("test", Lang::Vi))));
    assert!(form.body.contains(&format!(
        "data-advice-monitor-vi=\"{}\"",
        advice("monitor", Lang::Vi)
    )));
    // Both phones, in their own language and way of writing times.
    let vi = between(&form.body, "data-lang=\"vi\"", "</figure>");
    let en = between(&form.body, "data-lang=\"en\"", "</figure>");
    assert!(vi.contains(">Đi xét nghiệm</h3>"), "{vi}");
    assert!(
        vi.contains("Lượt ghé: Chợ Xanh Cao Bằng, 09:30 03/12/2026"),
        "{vi}"
    );
    assert!(vi.contains("Thời gian có nguy cơ: 09:30 03/12/2026 – 10:45 03/12/2026"));
    // No hotline in the settings: the health station, and 115 for an emergency.
    assert!(
        vi.contains(&Tr::new(Lang::Vi).t("phone-alert-next")),
        "{vi}"
    );
    assert!(!vi.contains("đường dây nóng"), "{vi}");
    assert!(en.contains(">Get tested</h3>"), "{en}");
    assert!(
        en.contains("Time of risk: 09:30 03 Dec 2026 – 10:45 03 Dec 2026"),
        "{en}"
    );
    assert!(en.contains(&format!(">{}</p>", advice("test", Lang::En))));

    // Sent at level "monitor" with the proposal of "test" in English only: refused there.
    let r = lan
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", venue.as_str()),
                ("from", &local_input(chrono::Utc::now().timestamp() - 7200)),
                ("to", &local_input(chrono::Utc::now().timestamp() - 3600)),
                ("level", "monitor"),
                ("advice_vi", &advice("monitor", Lang::Vi)),
                ("advice_en", &advice("test", Lang::En)),
            ],
        )
        .await;
    r.assert_refused("notice-advice-other-level", "advice_en");
    // The preview shows what was sent: the monitor title over the advice as typed.
    let en = between(&r.body, "data-lang=\"en\"", "</figure>");
    assert!(en.contains(">Monitor your health</h3>"), "{en}");
    assert_eq!(p.count("SELECT COUNT(*) FROM exposure_notices").await, 0);
}

/// Four eyes survive editing: the first author and every editor are authors, and none of them
/// approves; a draft for a venue outside the case stays a supervisor's to edit; an edit that
/// changes nothing replaces nothing.
async fn whoever_edited_a_draft_may_not_approve_it(backend: Backend) {
    use support::cases::register_venue;
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
    p.add_user("minh", &[Role::Tracer, Role::Supervisor]).await;
    p.add_user("hoa", &[Role::Supervisor]).await;
    let mut lan = p.signed_in("lan").await;
    let mut minh = p.signed_in("minh").await;
    let mut hoa = p.signed_in("hoa").await;
    let (case, venue) = case_with_visit(&p, &mut lan).await;
    let t = chrono::Utc::now().timestamp();
    let (from, to) = (local_input(t - 3 * 3600), local_input(t - 2 * 3600));
    let notice = |venue: &str, level: &str, reason: &str| -> Vec<(String, String)> {
        [
            ("venue_id", venue.to_owned()),
            ("from", from.clone()),
            ("to", to.clone()),
            ("level", level.to_owned()),
            ("advice_vi", advice(level, Lang::Vi)),
            ("advice_en", advice(level, Lang::En)),
            ("reason", reason.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    };
    let latest = || p.count("SELECT MAX(id) FROM exposure_notices");

    // Minh, a supervisor, drafts; Lan edits it. Now neither may approve: the words are both of
    // theirs.
    let r = minh
        .post(
            &format!("/cases/{case}/notices"),
            &fields(&notice(&venue, "test", "")),
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let drafted = latest().await;
    // Sent back unchanged: nothing is replaced, and nobody became an author.
    let edit = format!("/cases/{case}/notices/{drafted}/edit");
    let r = lan.post(&edit, &fields(&notice(&venue, "test", ""))).await;
    assert!(
        r.location().ends_with("notice=unchanged#notices"),
        "{}",
        r.location()
    );
    assert_eq!(latest().await, drafted);
    let r = lan
        .post(&edit, &fields(&notice(&venue, "monitor", "")))
        .await;
    assert!(
        r.location().ends_with("notice=edited#notices"),
        "{}",
        r.location()
    );
    let edited = latest().await;
    for (who, c) in [("minh", &mut minh)] {
        let r = c
            .post(&format!("/cases/{case}/notices/{edited}/publish"), &[])
            .await;
        assert_eq!(
            r.location(),
            format!("/cases/{case}?notice_error=notice-own-draft"),
            "{who}"
        );
    }
    let page = minh.get(&format!("/cases/{case}")).await;
    assert!(!page.body.contains(&format!("/notices/{edited}/publish")));
    // Minh edits it back: still only Hoa, who wrote none of it, may approve.
    let edit = format!("/cases/{case}/notices/{edited}/edit");
    let r = minh.post(&edit, &fields(&notice(&venue, "test", ""))).await;
    assert!(r.location().ends_with("notice=edited#notices"));
    let again = latest().await;
    let r = lan
        .post(&format!("/cases/{case}/notices/{again}/publish"), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a tracer publishes nothing"
    );
    let r = minh
        .post(&format!("/cases/{case}/notices/{again}/publish"), &[])
        .await;
    assert!(
        r.location().contains("notice-own-draft"),
        "{}",
        r.location()
    );
    let (created_by, editors): (i64, String) =
        sqlx::query_as("SELECT created_by, editors FROM exposure_notices WHERE id = $1")
            .bind(again)
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    let minh_id = p
        .count("SELECT id FROM users WHERE username = 'minh'")
        .await;
    let lan_id = p.count("SELECT id FROM users WHERE username = 'lan'").await;
    assert_eq!(created_by, minh_id);
    assert_eq!(editors, format!(",{lan_id},"));
    let r = hoa
        .post(&format!("/cases/{case}/notices/{again}/publish"), &[])
        .await;
    assert!(
        r.location().contains("notice=published"),
        "{}",
        r.location()
    );

    // A supervisor's draft for a venue the case does not name: a tracer may not edit it.
    let elsewhere = register_venue(&p, &mut lan, "Quán Cà phê Phố Cũ").await;
    let r = minh
        .post(
            &format!("/cases/{case}/notices"),
            &fields(&notice(&elsewhere, "test", "Khai báo qua điện thoại")),
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let outside = latest().await;
    let edit = format!("/cases/{case}/notices/{outside}/edit");
    let r = lan
        .post(&edit, &fields(&notice(&elsewhere, "monitor", "")))
        .await;
    r.assert_refused("notice-venue-not-in-case", "venue_id");
    assert_eq!(latest().await, outside);
    let r = hoa
        .post(&edit, &fields(&notice(&elsewhere, "monitor", "")))
        .await;
    assert!(
        r.location().ends_with("notice=edited#notices"),
        "{}",
        r.location()
    );
}

/// With a hotline in the department's settings, the trust file gives it to phones, whose alerts
/// name it: the preview does too. One that is not a phone number stays out of both.
async fn the_preview_names_the_department_s_hotline_as_phones_will(backend: Backend) {
    for (hotline, shown) in [
        ("0206 3852 123", true),
        ("0206 3852 123 (giờ hành chính)", false),
    ] {
        let p = Portal::with_settings(backend, |s| {
            s.department.hotline = Some(hotline.into());
        })
        .await;
        p.add_user("lan", &[Role::Tracer, Role::Registrar]).await;
        let mut lan = p.signed_in("lan").await;
        let (case, venue) = case_with_visit(&p, &mut lan).await;
        let form = lan
            .get(&format!("/cases/{case}/notices/new?venue_id={venue}"))
            .await;
        let vi = between(&form.body, "data-lang=\"vi\"", "</figure>");
        let en = between(&form.body, "data-lang=\"en\"", "</figure>");
        let name = &p.app.authority.settings.name;
        assert_eq!(
            vi.contains(&format!(
                "hãy gọi đường dây nóng của {name}: 0206 3852 123, hoặc báo trạm y tế"
            )),
            shown,
            "{hotline}: {vi}"
        );
        assert_eq!(
            en.contains(&format!("call the hotline of {name} on 0206 3852 123")),
            shown,
            "{hotline}: {en}"
        );
        assert_eq!(
            p.app.authority.trust().authorities[0].hotline.is_some(),
            shown
        );
    }
}
