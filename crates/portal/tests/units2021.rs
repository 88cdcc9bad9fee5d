//! A portal on Cao Bằng's 2021 three-tier list (province → district → commune): six commune
//! names occur in more than one district, and the same GSO code can name different communes in
//! the 2021 and 2025 lists. Each test runs on SQLite and on PostgreSQL; the command line's own
//! list of units is tested in `cli.rs`.

mod support;

use axum::http::StatusCode;
use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Utc};
use portal::domain::accounts::Role;
use portal::store::Backend;
use portal::units::Edition;
use support::{Client, Portal};

on_both_backends!(
    an_import_asks_for_the_district_of_a_name_two_districts_share,
    the_import_template_follows_the_list_of_units,
    the_venue_list_names_districts_and_filters_by_them,
    past_weeks_keep_a_venue_deactivated_later,
    districts_have_their_own_csv,
    forms_name_their_list_and_sort_communes_as_vietnamese_does,
);

/// Every form that asks for a commune says which list it uses, and offers the communes by
/// district, each in the Vietnamese alphabet's order of its own name (Đề after Duyệt, Hợp after
/// Hoà, the kind of unit aside).
async fn forms_name_their_list_and_sort_communes_as_vietnamese_does(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &Role::ALL).await;
    let mut c = p.signed_in("lan").await;
    for path in ["/venues/new", "/venues", "/venues/import"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            page.body
                .contains("Danh mục đơn vị hành chính đang dùng: Tỉnh Cao Bằng, bản 2021"),
            "{path}: {}",
            support::between(&page.body, "units-note\">", "<")
        );
    }
    // A personal card's commune is where the person lives now: the current list, and it says so.
    let card = c.get("/cards/new").await;
    assert!(card
        .body
        .contains("Danh mục đơn vị hành chính đang dùng: Cao Bằng, bản từ 01/07/2025"));
    let page = c.get("/venues/new").await;
    let groups: Vec<String> = page
        .body
        .split("<optgroup label=\"")
        .skip(1)
        .map(|g| g[..g.find('"').unwrap()].to_owned())
        .collect();
    assert_eq!(
        groups,
        [
            "Huyện Bảo Lạc",
            "Huyện Bảo Lâm",
            "Thành phố Cao Bằng",
            "Huyện Hạ Lang",
            "Huyện Hà Quảng",
            "Huyện Hoà An",
            "Huyện Nguyên Bình",
            "Huyện Quảng Hòa",
            "Huyện Thạch An",
            "Huyện Trùng Khánh",
        ]
    );
    let city = support::between(
        &page.body,
        "<optgroup label=\"Thành phố Cao Bằng\">",
        "</optgroup>",
    );
    let communes: Vec<String> = city
        .split("\">")
        .skip(1)
        .map(|o| o[..o.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(
        communes,
        [
            "Xã Chu Trinh",
            "Phường Duyệt Trung",
            "Phường Đề Thám",
            "Phường Hoà Chung",
            "Phường Hợp Giang",
            "Xã Hưng Đạo",
            "Phường Ngọc Xuân",
            "Phường Sông Bằng",
            "Phường Sông Hiến",
            "Phường Tân Giang",
            "Xã Vĩnh Quang",
        ]
    );
}

const HEADER_VI: &str = "ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n";

/// Uploads a file and, when every row is right, saves it: the page that ends the import.
async fn import(c: &mut Client, text: &str) -> String {
    let csrf = c.csrf().await;
    let r = c
        .upload("/venues/import", &csrf, "venues.csv", text.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let job = r.location().to_owned();
    let page = c.settled(&job).await;
    // A right file waits for the registrar to look at it: here they save it at once.
    if !page.contains("id=\"import-save\"") {
        return page;
    }
    c.post(&format!("{job}/save"), &[]).await;
    c.settled(&job).await
}

fn id_of(location: &str) -> String {
    location
        .trim_start_matches("/venues/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn register(c: &mut Client, name: &str, commune: &str) -> String {
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", name),
                ("address", "Phố Kim Đồng"),
                ("commune", commune),
                ("sector", "shop"),
                ("usual_stay", ""),
                ("contact_name", "Bà Hoa"),
                ("contact_phone", "0912345678"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id_of(r.location())
}

async fn an_import_asks_for_the_district_of_a_name_two_districts_share(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;

    // Without a district: the row says which districts have the name, not "not in the list".
    let ambiguous = format!(
        "{HEADER_VI}Quán A,Số 1,Xã Vĩnh Quang,Cửa hàng,Bà B,0912345678\n\
         Quán B,Số 2,hung dao,Cửa hàng,Bà B,0912345678\n"
    );
    let page = import(&mut c, &ambiguous).await;
    assert!(page.contains("Chưa lưu gì"), "{page}");
    assert!(
        page.contains(
            "<td>2</td><td>Xã, phường</td><td class=\"wrap import-value\">Xã Vĩnh Quang</td>\
             <td>Xã Vĩnh Quang có ở 2 huyện, thành phố: \
             Thành phố Cao Bằng (1693), Huyện Bảo Lâm (1300) (số trong ngoặc là mã xã). \
             Hãy thêm cột huyện (tên cột district hoặc huyen), hoặc ghi mã xã thay cho tên xã.</td>"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "Xã Hưng Đạo có ở 3 huyện, thành phố: Thành phố Cao Bằng (1705), \
             Huyện Bảo Lạc (1351), Huyện Nguyên Bình (1783)"
        ),
        "{page}"
    );
    assert!(!page.contains("không có trong danh mục"), "{page}");

    // The same in English.
    let r = c.get("/lang/en?next=%2Fvenues").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = import(&mut c, &ambiguous).await;
    assert!(
        page.contains(
            "The name Xã Vĩnh Quang is used in 2 districts: Thành phố Cao Bằng (1693), \
             Huyện Bảo Lâm (1300) (commune codes in brackets). Add a district column \
             (district or huyen)"
        ),
        "{page}"
    );
    c.get("/lang/vi?next=%2Fvenues").await;
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);

    // A district column, by name (with or without "Huyện", accents or not) or by code; a
    // commune code that is not in the district named, and an unknown district, are wrong.
    let wrong = "ten,dia_chi,huyen,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n\
                 Quán A,Số 1,Huyện Hà Quảng,1693,Cửa hàng,Bà B,0912345678\n\
                 Quán B,Số 2,Huyện Hoàn Kiếm,Xã Vĩnh Quang,Cửa hàng,Bà B,0912345678\n";
    let page = import(&mut c, wrong).await;
    assert!(
        page.contains(
            "<td>2</td><td>Huyện, thành phố</td><td class=\"wrap import-value\">Huyện Hà Quảng</td>\
             <td>Xã Vĩnh Quang không thuộc Huyện Hà Quảng."
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "<td>3</td><td>Huyện, thành phố</td><td class=\"wrap import-value\">Huyện Hoàn Kiếm</td>\
             <td>Huyện, thành phố này không có"
        ),
        "{page}"
    );

    let good = "Tên;Địa chỉ;Huyện/Thành phố;Xã/Phường;Lĩnh vực;Người liên hệ;Điện thoại\n\
                Quán A;Số 1;Huyện Bảo Lâm;Xã Vĩnh Quang;Cửa hàng;Bà B;0912345678\n\
                Quán B;Số 2;thanh pho cao bang;Vĩnh Quang;Cửa hàng;Bà B;0912345678\n\
                Quán C;Số 3;51;Xã Quang Trung;Cửa hàng;Bà B;0912345678\n\
                Quán D;Số 4;;1783;Cửa hàng;Bà B;0912345678\n\
                Quán E;Số 5;;Phường Hợp Giang;Cửa hàng;Bà B;0912345678\n";
    let page = import(&mut c, good).await;
    assert!(page.contains("Đã lưu 5 địa điểm"), "{page}");
    for (name, code) in [
        ("Quán A", 1300),
        ("Quán B", 1693),
        ("Quán C", 1702),
        ("Quán D", 1783),
        ("Quán E", 1273),
    ] {
        assert_eq!(
            p.count(&format!(
                "SELECT commune_code FROM venues WHERE name = '{name}'"
            ))
            .await,
            code,
            "{name}"
        );
    }
}

async fn the_import_template_follows_the_list_of_units(backend: Backend) {
    for (edition, commune, district) in [
        (
            Edition::Y2021,
            "Phường Sông Hiến",
            Some("Thành phố Cao Bằng"),
        ),
        (Edition::Y2025, "Phường Thục Phán", None),
    ] {
        let p = Portal::with_units(backend, edition).await;
        p.add_user("lan", &[Role::Registrar]).await;
        let mut c = p.signed_in("lan").await;
        let page = c.get("/venues/import").await;
        assert_eq!(
            page.body.contains("<code>huyen</code>"),
            district.is_some(),
            "{edition:?}"
        );

        let vi = c.get("/venues/import/template.csv").await;
        assert_eq!(vi.status, StatusCode::OK);
        // A byte-order mark first, so that Excel reads the Vietnamese as UTF-8; the sector by
        // its Vietnamese name.
        assert!(vi.bytes.starts_with("\u{feff}".as_bytes()));
        let vi_text = vi.body.trim_start_matches('\u{feff}');
        assert!(vi.body.contains(commune), "{edition:?}: {}", vi.body);
        assert!(
            vi.body.contains(",\"Nhà hàng, quán ăn, cà phê\","),
            "{}",
            vi.body
        );
        match district {
            Some(d) => {
                assert!(
                    vi_text.starts_with("ten,dia_chi,huyen,xa_phuong,"),
                    "{}",
                    vi.body
                );
                assert!(vi.body.contains(d), "{}", vi.body);
            }
            None => assert!(!vi.body.contains("huyen"), "{}", vi.body),
        }
        // Uploaded as it is, the template registers its venue.
        let page = import(&mut c, &vi.body).await;
        assert!(page.contains("Đã lưu 1 địa điểm"), "{edition:?}: {page}");

        c.get("/lang/en?next=%2Fvenues").await;
        let en = c.get("/venues/import/template.csv").await;
        assert!(
            en.body
                .trim_start_matches('\u{feff}')
                .starts_with("name,address,"),
            "{}",
            en.body
        );
        assert_eq!(en.body.contains(",district,"), district.is_some());
        assert!(en.body.contains(commune));
        // The same venue again: a duplicate, which shows the row was read as the same commune.
        let page = import(&mut c, &en.body).await;
        assert!(page.contains("<td>2</td>"), "{page}");
        assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 1);
    }
}

async fn the_venue_list_names_districts_and_filters_by_them(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    register(&mut c, "Cửa hàng Một", "1693").await;
    register(&mut c, "Cửa hàng Hai", "1300").await;
    register(&mut c, "Cửa hàng Ba", "1273").await;

    let list = c.get("/venues").await;
    assert!(
        list.body
            .contains("<td>Xã Vĩnh Quang, Thành phố Cao Bằng</td>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("<td>Xã Vĩnh Quang, Huyện Bảo Lâm</td>"));
    assert!(list
        .body
        .contains("<td>Phường Hợp Giang, Thành phố Cao Bằng</td>"));
    assert!(list
        .body
        .contains("<select id=\"district\" name=\"district\">"));

    let bao_lam = c.get("/venues?district=42").await;
    assert!(bao_lam.body.contains("Cửa hàng Hai"), "{}", bao_lam.body);
    assert!(!bao_lam.body.contains("Cửa hàng Một"));
    assert!(bao_lam.body.contains("<option value=\"42\" selected>"));
    let city = c.get("/venues?district=40").await;
    assert!(city.body.contains("Cửa hàng Một") && city.body.contains("Cửa hàng Ba"));
    assert!(!city.body.contains("Cửa hàng Hai"));
    // A district and a commune of another district: nothing.
    let none = c.get("/venues?district=42&commune=1693").await;
    for name in ["Cửa hàng Một", "Cửa hàng Hai", "Cửa hàng Ba"] {
        assert!(!none.body.contains(name), "{}", none.body);
    }
    // Anything else in the district box is no filter.
    for odd in ["99", "abc", "42%20OR%201%3D1"] {
        let all = c.get(&format!("/venues?district={odd}")).await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(
            all.body.contains("Cửa hàng Một") && all.body.contains("Cửa hàng Hai"),
            "{odd}"
        );
    }

    // The two-tier list has no districts: no district box, the commune alone.
    let p = Portal::with_units(backend, Edition::Y2025).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    register(&mut c, "Cửa hàng Một", "1273").await;
    let list = c.get("/venues").await;
    assert!(
        list.body.contains("<td>Phường Thục Phán</td>"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("id=\"district\""));
}

/// The Monday of the week (Vietnam time) holding `t`.
fn monday_of(t: chrono::DateTime<Utc>) -> NaiveDate {
    let local = t
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    local - Duration::days(local.weekday().num_days_from_monday() as i64)
}

async fn past_weeks_keep_a_venue_deactivated_later(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let early = register(&mut c, "Chợ Sớm", "1267").await;
    let late = register(&mut c, "Chợ Muộn", "1270").await;
    for id in [&early, &late] {
        let r = c.get(&format!("/venues/{id}/poster/svg")).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    // The early venue's poster went out five weeks ago.
    let now = Utc::now();
    let five_weeks_ago = now - Duration::weeks(5);
    sqlx::query("UPDATE venues SET poster_first_at = $1 WHERE id = $2")
        .bind(five_weeks_ago.timestamp())
        .bind(&early)
        .execute(&p.app.db.pool)
        .await
        .unwrap();

    let weeks = |body: &str| -> Vec<String> {
        body.trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let first = monday_of(five_weeks_ago);
    let expected = |this_week_total: usize| -> Vec<String> {
        (0..=5)
            .map(|i| {
                let week = first + Duration::weeks(i);
                let new = if i == 0 || i == 5 { 1 } else { 0 };
                let total = if i == 5 { this_week_total } else { 1 };
                format!("{},{new},{total}", week.format("%d/%m/%Y"))
            })
            .collect()
    };
    assert_eq!(monday_of(now), first + Duration::weeks(5));
    let before = c.get("/reports/coverage/weeks.csv").await;
    assert_eq!(weeks(&before.body), expected(2));

    // Deactivated this week: the earlier weeks keep counting it, this week does not.
    let r = c.post(&format!("/venues/{early}/deactivate"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let deactivated_at = p
        .count(&format!(
            "SELECT deactivated_at FROM venues WHERE id = '{early}'"
        ))
        .await;
    assert!((deactivated_at - Utc::now().timestamp()).abs() < 60);
    let after = c.get("/reports/coverage/weeks.csv").await;
    assert_eq!(weeks(&after.body), expected(1), "{}", after.body);
    let page = c.get("/reports/coverage").await;
    assert!(page.body.contains("id=\"total-with-poster\">1<"));
    assert!(page.body.contains("id=\"weeks-note\""));

    // A second deactivation keeps the first time; activating again clears it.
    sqlx::query("UPDATE venues SET deactivated_at = $1 WHERE id = $2")
        .bind(deactivated_at - 100)
        .bind(&early)
        .execute(&p.app.db.pool)
        .await
        .unwrap();
    c.post(&format!("/venues/{early}/deactivate"), &[]).await;
    assert_eq!(
        p.count(&format!(
            "SELECT deactivated_at FROM venues WHERE id = '{early}'"
        ))
        .await,
        deactivated_at - 100
    );
    c.post(&format!("/venues/{early}/activate"), &[]).await;
    assert_eq!(
        p.count(&format!(
            "SELECT COUNT(*) FROM venues WHERE id = '{early}' AND deactivated_at IS NULL \
             AND active = 1"
        ))
        .await,
        1
    );
    let again = c.get("/reports/coverage/weeks.csv").await;
    assert_eq!(weeks(&again.body), expected(2));
}

async fn districts_have_their_own_csv(backend: Backend) {
    let p = Portal::with_units(backend, Edition::Y2021).await;
    p.add_user("lan", &[Role::Registrar, Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let a = register(&mut c, "Chợ A", "1267").await;
    register(&mut c, "Chợ B", "1300").await;
    c.get(&format!("/venues/{a}/poster/svg")).await;

    let page = c.get("/reports/coverage").await;
    assert!(page
        .body
        .contains("<a href=\"/reports/coverage/districts.csv\">"));
    let csv = c.get("/reports/coverage/districts.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(csv
        .header("content-disposition")
        .contains("coverage-districts.csv"));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 11, "{}", csv.body);
    assert_eq!(
        lines[0],
        "Mã huyện,\"Huyện, thành phố\",\"Số xã, phường\",\"Số xã, phường có địa điểm đã tải áp phích\",\
         Đã đăng ký,Đã tải áp phích"
    );
    assert_eq!(lines[1], "40,Thành phố Cao Bằng,11,1,1,1");
    assert_eq!(lines[2], "42,Huyện Bảo Lâm,13,0,1,0");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE target = 'districts.csv'")
            .await,
        1
    );

    // The two-tier list has no districts: no such file.
    let p = Portal::with_units(backend, Edition::Y2025).await;
    p.add_user("lan", &[Role::Reporter]).await;
    let mut c = p.signed_in("lan").await;
    let page = c.get("/reports/coverage").await;
    assert!(!page.body.contains("districts.csv"));
    assert_eq!(
        c.get("/reports/coverage/districts.csv").await.status,
        StatusCode::NOT_FOUND
    );
}
