//! The venue registry: forms, posters, CSV import and its progress page.

use crate::*;

crate::on_both_backends!(
    venues_are_validated_registered_edited_and_found,
    posters_carry_a_code_the_app_verifies,
    csv_import_saves_all_rows_or_none,
    an_import_s_posters_come_as_one_pdf,
    a_commune_merged_in_2025_says_where_it_went,
    an_import_goes_on_whichever_process_answers,
    the_list_filters_by_poster_sorts_and_exports,
);

async fn the_list_filters_by_poster_sorts_and_exports(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let b = register(&p, &mut c, "Bưu điện Hòa Chung").await;
    let a = register(&p, &mut c, "Ủy ban Phường Thục Phán").await;
    let m = register(&p, &mut c, "Chợ Xanh").await;
    // One poster downloaded.
    assert_eq!(
        c.get(&format!("/venues/{m}/poster/svg")).await.status,
        StatusCode::OK
    );
    let names = |body: &str| -> Vec<String> {
        body.split("<td class=\"wrap\"><a href=\"/venues/")
            .skip(1)
            .map(|row| between(row, "\">", "</a>"))
            .collect()
    };
    // By name, as Vietnamese folds it (Bưu, Chợ, Ủy).
    let page = c.get("/venues").await;
    assert_eq!(
        names(&page.body),
        ["Bưu điện Hòa Chung", "Chợ Xanh", "Ủy ban Phường Thục Phán"]
    );
    // Those still without a poster, which the list offers to chase first.
    let page = c.get("/venues?poster=no").await;
    assert_eq!(
        names(&page.body),
        ["Bưu điện Hòa Chung", "Ủy ban Phường Thục Phán"]
    );
    let page = c.get("/venues?poster=yes").await;
    assert_eq!(names(&page.body), ["Chợ Xanh"]);
    let page = c.get("/venues?sort=poster").await;
    assert_eq!(names(&page.body).last().unwrap(), "Chợ Xanh");
    assert!(page
        .body
        .contains("aria-sort=\"ascending\"><a class=\"sort\" href=\"/venues?sort=poster\">"));
    // The headings keep the filters; an unknown order is the default one.
    let page = c.get("/venues?poster=no&sort=name;DROP").await;
    assert_eq!(
        names(&page.body),
        ["Bưu điện Hòa Chung", "Ủy ban Phường Thục Phán"]
    );
    assert!(
        page.body
            .contains("href=\"/venues?poster=no&#38;sort=poster\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("href=\"/venues.csv?poster=no&#38;sort=name%3BDROP\""));

    // The CSV file: the same filter and order, days as dd/mm/yyyy, contacts included, audited.
    let csv = c.get("/venues.csv?poster=no").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.bytes.starts_with("\u{feff}".as_bytes()));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(
        lines[0].starts_with("Tên địa điểm,Địa chỉ,Xã, phường")
            || lines[0].starts_with("Tên địa điểm,Địa chỉ,\"Xã, phường\""),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("Bưu điện Hòa Chung,"), "{}", lines[1]);
    assert!(lines[1].contains(&b) && lines[2].contains(&a));
    let issued = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%d/%m/%Y")
        .to_string();
    assert!(lines[1].contains(&issued), "{}", lines[1]);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'venues_exported' AND detail = '2'")
            .await,
        1
    );

    // The posters still to hand out, in bulk: one PDF, a page each, and then they count as
    // downloaded.
    let list = c.get("/venues?poster=no").await;
    assert!(
        list.body.contains("href=\"/venues/posters.pdf?poster=no\""),
        "{}",
        list.body
    );
    let pdf = c.get("/venues/posters.pdf?poster=no").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf
        .header("content-disposition")
        .contains("ap-phich-2-dia-diem.pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // pdf-writer writes each page's dictionary as `/Type /Page` on its own line.
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert_eq!(text.matches("/Type /Page\n").count(), 2, "two pages");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NULL")
            .await,
        0
    );
    assert_eq!(
        p.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'posters_downloaded' AND detail = '2'"
        )
        .await,
        1
    );
    // None left: the list says so instead of an empty file.
    let r = c.get("/venues/posters.pdf?poster=no").await;
    assert_eq!(r.location(), "/venues?poster=no&bulk=none");
    let page = c.get(r.location()).await;
    assert!(page.body.contains("id=\"bulk-error\""));
}

async fn venues_are_validated_registered_edited_and_found(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    // Every field wrong: each message next to its field, nothing saved.
    let r = c
        .post(
            "/venues/new",
            &[
                ("name", "  "),
                ("address", ""),
                ("commune", "99999"),
                ("sector", "casino"),
                ("usual_stay", "2"),
                ("contact_name", ""),
                ("contact_phone", "12345"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "name",
        "address",
        "commune",
        "sector",
        "usual_stay",
        "contact_name",
        "contact_phone",
    ] {
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    assert!(r.body.contains("không có trong danh mục"));
    assert!(r.body.contains("value=\"2\""), "what was typed stays");
    // What the poster's font cannot draw would print as empty boxes: refused, naming it.
    let commune = commune_2025(&p);
    let mut form = venue_form("Quán Phở Bò 🍜 ngon", &commune);
    form[1] = ("address", "Số 5 Phố Kim Đồng ☎ 漢");
    let r = c.post("/venues/new", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let name_error = between(&r.body, "id=\"name-error\">", "</p>");
    assert!(
        name_error.contains("không in được") && name_error.contains('🍜'),
        "{name_error}"
    );
    let address_error = between(&r.body, "id=\"address-error\">", "</p>");
    assert!(address_error.contains("☎ 漢"), "{address_error}");
    // A commune of another province is not in this portal's list.
    let hanoi = portal::units::UnitList::load(Edition::Y2025, 1)
        .unwrap()
        .communes[0]
        .code
        .to_string();
    let r = c
        .post("/venues/new", &venue_form("Quán Cô Ba", &hanoi))
        .await;
    assert!(r.body.contains("id=\"commune-error\""));
    // Too long for a QR code a phone reads easily.
    let long_name = "Nhà văn hóa ".repeat(16);
    let long_address = "Tổ dân phố số 1, ".repeat(17);
    let mut form = venue_form(&long_name, "");
    let commune = commune_2025(&p);
    form[1] = ("address", &long_address);
    form[2] = ("commune", &commune);
    let r = c.post("/venues/new", &form).await;
    assert!(r.body.contains("quá dài để mã QR"), "{}", r.body);
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);

    let id = register(&p, &mut c, "  Quán   Cô Ba ").await;
    // The same place twice, however it is typed, is refused.
    let r = c
        .post("/venues/new", &venue_form("QUÁN CÔ BA", &commune))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("đã có một địa điểm cùng tên"), "{}", r.body);
    let page = c.get(&format!("/venues/{id}?registered=1")).await;
    assert!(page.body.contains("Đã đăng ký địa điểm"));
    assert!(page.body.contains("value=\"Quán Cô Ba\""), "spaces tidied");
    assert!(page.body.contains("value=\"0912345678\""), "phone tidied");
    assert!(
        page.body.contains("value=\"60\""),
        "the sector's usual stay"
    );

    // Search ignores accents and case.
    for q in ["quan co ba", "QUÁN", "vuon cam"] {
        let r = c
            .get(&format!("/venues?q={}", crate::support::urlencode(q)))
            .await;
        assert!(r.body.contains("Quán Cô Ba"), "{q}");
    }
    let r = c.get("/venues?q=%25").await;
    assert!(r.body.contains("0 địa điểm"), "% is searched as itself");

    // Editing what the code says asks for a new poster; the contact alone does not.
    let mut form = venue_form("Quán Cô Ba", &commune);
    form[5] = ("contact_name", "Nông Văn Tư");
    let r = c.post(&format!("/venues/{id}"), &form).await;
    assert_eq!(r.location(), format!("/venues/{id}?saved=1"));
    let form = venue_form("Quán Cô Ba 2", &commune);
    let r = c.post(&format!("/venues/{id}"), &form).await;
    assert_eq!(r.location(), format!("/venues/{id}?reprint=1"));
    let mut bad = venue_form("", &commune);
    bad[6] = ("contact_phone", "");
    let r = c.post(&format!("/venues/{id}"), &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE name = 'Quán Cô Ba 2'")
            .await,
        1,
        "unchanged"
    );

    // Pages of 25.
    for i in 0..29 {
        register(&p, &mut c, &format!("Cửa hàng số {i:02}")).await;
    }
    let first = c.get("/venues").await;
    assert!(first.body.contains("30 địa điểm"));
    assert!(first.body.contains("1 / 2"));
    assert_eq!(
        first.body.matches("<tr>").count() + first.body.matches("<tr class").count(),
        26
    );
    let second = c.get("/venues?page=2").await;
    assert!(second.body.contains("2 / 2"));
    assert!(second.body.contains("Quán Cô Ba 2"));

    // Deactivated: gone from the active list, no poster, back when reactivated.
    c.post(&format!("/venues/{id}/deactivate"), &[]).await;
    let r = c.get("/venues?q=co+ba").await;
    assert!(r.body.contains("0 địa điểm"));
    let r = c.get("/venues?q=co+ba&status=inactive").await;
    assert!(r.body.contains("Quán Cô Ba 2"));
    let r = c.get(&format!("/venues/{id}/poster/pdf")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("đã ngừng hoạt động"));
    c.post(&format!("/venues/{id}/activate"), &[]).await;
    assert_eq!(
        c.get(&format!("/venues/{id}/poster/svg")).await.status,
        StatusCode::OK
    );
}

async fn posters_carry_a_code_the_app_verifies(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let id = register(&p, &mut c, "Ủy ban nhân dân Phường Thục Phán").await;
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NULL")
            .await,
        1
    );
    let pdf = c.get(&format!("/venues/{id}/poster/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    // Named after the venue, as a person would save it.
    assert_eq!(
        pdf.header("content-disposition"),
        "attachment; filename=\"uy-ban-nhan-dan-phuong-thuc-phan.pdf\""
    );
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let png = c.get(&format!("/venues/{id}/poster/png")).await;
    assert_eq!(png.header("content-type"), "image/png");
    let svg = c.get(&format!("/venues/{id}/poster/svg")).await;
    assert!(svg.body.contains("<svg"));
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NOT NULL")
            .await,
        1
    );

    // The QR on the PNG decodes to a code that the app's trust file verifies, naming the venue.
    let image = image::load_from_memory(&png.bytes).unwrap().to_luma8();
    let mut grid = rqrr::PreparedImage::prepare(image);
    let grids = grid.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    let trust = protocol::TrustList::from_json(
        &std::fs::read_to_string(p.dir.path().join("trust.json")).unwrap(),
    )
    .unwrap();
    let venue = protocol::read_venue_code(&text, &trust).unwrap();
    assert_eq!(venue.venue.id.to_string(), id);
    assert_eq!(venue.venue.name, "Ủy ban nhân dân Phường Thục Phán");
    assert_eq!(venue.host, "yte.caobang.example");
    // The same code every time for an unchanged venue: a reprinted poster matches the first.
    let again = c.get(&format!("/venues/{id}/poster/svg")).await;
    assert_eq!(again.body, svg.body);
    // A5 and A6 for a counter; no other paper.
    for (size, width) in [("A5", "148mm"), ("a6", "105mm")] {
        let small = c.get(&format!("/venues/{id}/poster/svg?size={size}")).await;
        assert_eq!(small.status, StatusCode::OK);
        assert!(small.body.contains(&format!("width=\"{width}\"")), "{size}");
    }
    assert_eq!(
        c.get(&format!("/venues/{id}/poster/pdf?size=B5"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'poster_downloaded'")
            .await,
        6
    );
}

async fn csv_import_saves_all_rows_or_none(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    p.add_user("minh", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let csrf = c.csrf().await;
    let name = &p.app.units.communes[1].name;
    let code = p.app.units.communes[0].code;
    let mut good = String::from("ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n");
    for i in 0..300 {
        let commune = if i % 2 == 0 {
            code.to_string()
        } else {
            name.clone()
        };
        good += &format!(
            "Cửa hàng {i},\"Số {i}, phố Kim Đồng\",{commune},Cửa hàng,Bà Hoa,0912345{i:03}\n"
        );
    }
    let bad = "name,address,commune,sector,contact_name,contact_phone\n\
               Chợ A,Số 1,Hoàn Kiếm,market,Ông B,0912345678\n\
               Chợ B,Số 2,9999999,chợ trời,Ông C,12\n\
               Chợ C,Số 3,Phường Thục Phán,market,Ông D,0912345678\n\
               =1+2,Số 4,Phường Thục Phán,market,Ông E,0912345678\n";

    // A file with mistakes: every one listed by row and column, nothing saved.
    let r = c
        .upload("/venues/import", &csrf, "bad.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.settled(r.location()).await;
    assert!(page.contains("Chưa lưu gì"), "{page}");
    // Each with the value the file has there, and a name a spreadsheet would run is refused.
    let value = |v: &str| format!("<td class=\"wrap import-value\">{v}</td>");
    for expected in [
        format!("<td>2</td><td>Xã, phường</td>{}", value("Hoàn Kiếm")),
        format!("<td>3</td><td>Lĩnh vực</td>{}", value("chợ trời")),
        format!("<td>3</td><td>Số điện thoại liên hệ</td>{}", value("12")),
        format!("<td>5</td><td>Tên địa điểm</td>{}", value("=1+2")),
    ] {
        assert!(page.contains(&expected), "{expected} in {page}");
    }
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
    // Someone else cannot see the job.
    let mut minh = p.signed_in("minh").await;
    assert_eq!(minh.get(r.location()).await.status, StatusCode::NOT_FOUND);
    drop(minh);

    // A right file is shown before it is saved: how many, where, the first rows.
    let r = c
        .upload("/venues/import", &csrf, "good.csv", good.as_bytes())
        .await;
    let job = r.location().to_owned();
    let page = c.settled(&job).await;
    assert!(
        page.contains("Mọi dòng đều đúng: 300 địa điểm, ở 2 xã, phường."),
        "{page}"
    );
    assert_eq!(page.matches("<tr><td>").count(), 50);
    assert!(page.contains("… và 250 dòng nữa."));
    assert!(page
        .contains("<td class=\"text\">Cửa hàng 0</td><td class=\"text\">Số 0, phố Kim Đồng</td>"));
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
    // Someone else cannot save it.
    let mut minh = p.signed_in("minh").await;
    let r = minh.post(&format!("{job}/save"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Saved when its registrar says so; a second press saves nothing twice.
    let r = c.post(&format!("{job}/save"), &[]).await;
    assert_eq!(r.location(), job);
    c.post(&format!("{job}/save"), &[]).await;
    let page = c.settled(&job).await;
    assert!(page.contains("Đã lưu 300 địa điểm"), "{page}");
    assert!(page.contains("value=\"600\""), "a full progress bar");
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 300);
    // The venues of this import, listed; too many for one PDF, so offered in parts.
    let batch = job.trim_start_matches("/venues/import/");
    assert!(page.contains(&format!("href=\"/venues?import={batch}\"")));
    assert!(!page.contains("id=\"import-posters\""));
    let list = c.get(&format!("/venues?import={batch}")).await;
    assert!(list.body.contains("300 địa điểm"), "{}", list.body);
    assert!(list.body.contains(">1–200</a>"));
    assert!(list.body.contains(">201–300</a>"));
    // The parts of the posters not yet downloaded. Each starts at a venue, so a part
    // downloaded (here the first, and all but 10 of the second, marked by hand to keep the test
    // short) does not shift the next one: the second still gives what is left of it.
    let todo = c.get(&format!("/venues?import={batch}&poster=no")).await;
    let before = &todo.body[..todo.body.find("\">201–300").unwrap()];
    let link = "href=\"/venues/posters.pdf?";
    let second = before[before.rfind(link).unwrap() + link.len()..].replace("&#38;", "&");
    assert!(second.contains("part=2&from="), "{second}");
    sqlx::query(
        "UPDATE venues SET poster_first_at = 1 WHERE import_batch = $1 AND id NOT IN \
         (SELECT id FROM venues WHERE import_batch = $1 ORDER BY search_key DESC, id DESC LIMIT 10)",
    )
    .bind(batch)
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    let part = c.get(&format!("/venues/posters.pdf?{second}")).await;
    assert_eq!(part.status, StatusCode::OK);
    assert_eq!(
        part.header("content-disposition"),
        "attachment; filename=\"ap-phich-phan-2-10-dia-diem.pdf\""
    );
    // A part whose start is unknown has nothing to print.
    let r = c
        .get(&format!(
            "/venues/posters.pdf?import={batch}&part=2&from=nope"
        ))
        .await;
    assert!(r.location().ends_with("bulk=none"), "{}", r.location());
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE sector = 'shop'")
            .await,
        300
    );
    // The same file again: all duplicates, nothing saved twice.
    let r = c
        .upload("/venues/import", &csrf, "good.csv", good.as_bytes())
        .await;
    let page = c.settled(r.location()).await;
    assert!(page.contains("trùng tên và địa chỉ"));
    // Looked at and dropped: nothing saved.
    let bad_names = good.replace("Cửa hàng ", "Quầy ");
    let r = c
        .upload("/venues/import", &csrf, "other.csv", bad_names.as_bytes())
        .await;
    let job = r.location().to_owned();
    c.settled(&job).await;
    c.post(&format!("{job}/cancel"), &[]).await;
    let page = c.settled(&job).await;
    assert!(page.contains("Đã bỏ, không lưu địa điểm nào"), "{page}");
    c.post(&format!("{job}/save"), &[]).await;
    assert!(c.settled(&job).await.contains("Đã bỏ"));
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 300);

    // Files that cannot be read say why, on the form.
    for (bytes, words) in [
        (&b"a,b\n1,2\n"[..], "thiếu cột"),
        (&b"\xff\xfe\x00"[..], "UTF-8"),
        (&b""[..], "Tệp trống."),
        ("\u{feff}\r\n \n".as_bytes(), "Tệp trống."),
        (
            &b"ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n"[..],
            "chỉ có dòng tên cột",
        ),
        // No file chosen: the browser sends a part without a name.
        (&b"no name"[..], "Hãy chọn một tệp"),
    ] {
        let name = if bytes == b"no name" { "" } else { "x.csv" };
        let bytes = if name.is_empty() { &b""[..] } else { bytes };
        let r = c.upload("/venues/import", &csrf, name, bytes).await;
        // Back to the form by a redirect: the upload's address, with its token, is not kept.
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.location().starts_with("/venues/import?error="),
            "{}",
            r.location()
        );
        let page = c.get(r.location()).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(words), "{words}");
    }
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'venues_imported'")
            .await,
        1
    );
}

/// The venues of one import, and their posters as one PDF a page each, counted as downloaded;
/// venues registered by hand are not among them.
async fn an_import_s_posters_come_as_one_pdf(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    register(&p, &mut c, "Quán đăng ký tay").await;
    let csrf = c.csrf().await;
    let file = support::three_markets_csv(p.app.units.communes[0].code);
    let r = c
        .upload("/venues/import", &csrf, "cho.csv", file.as_bytes())
        .await;
    let job = r.location().to_owned();
    assert!(c.settled(&job).await.contains("id=\"import-save\""));
    c.post(&format!("{job}/save"), &[]).await;
    let page = c.settled(&job).await;
    let batch = job.trim_start_matches("/venues/import/");
    let posters = format!("/venues/posters.pdf?import={batch}");
    assert!(page.contains(&format!("href=\"{posters}\"")), "{page}");
    let list = c.get(&format!("/venues?import={batch}")).await;
    assert!(list.body.contains("id=\"venue-count\">3 địa điểm<"));
    assert!(!list.body.contains("Quán đăng ký tay"));
    assert!(list.body.contains("id=\"one-import\""));
    let pdf = c.get(&posters).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.header("content-disposition"),
        "attachment; filename=\"ap-phich-3-dia-diem.pdf\""
    );
    // A page each: page objects, not the page tree.
    let text = String::from_utf8_lossy(&pdf.bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(pages, 3);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM venues WHERE poster_first_at IS NOT NULL")
            .await,
        3
    );
}

/// A file from before 1 July 2025 names communes that no longer exist: each row says which
/// commune it became part of, instead of "not in the list".
async fn a_commune_merged_in_2025_says_where_it_went(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let csrf = c.csrf().await;
    let file = "ten,dia_chi,xa_phuong,huyen,linh_vuc,nguoi_lien_he,dien_thoai\n\
                Chợ Sông Hiến,Số 1,Phường Sông Hiến,,Chợ,Bà Hoa,0912345001\n\
                Quán Vĩnh Quang,Số 2,Xã Vĩnh Quang,,Chợ,Bà Hoa,0912345002\n\
                Quán Vĩnh Quang,Số 2,Xã Vĩnh Quang,Huyện Bảo Lâm,Chợ,Bà Hoa,0912345002\n\
                Chợ Hưng Đạo,Số 3,Xã Hưng Đạo,Thành phố Cao Bằng,Chợ,Bà Hoa,0912345003\n\
                Chợ Hưng Đạo,Số 4,Xã Hưng Đạo,,Chợ,Bà Hoa,0912345004\n";
    let r = c
        .upload("/venues/import", &csrf, "cu.csv", file.as_bytes())
        .await;
    let page = c.settled(r.location()).await;
    let rows: Vec<String> = page
        .split("<tr><td>")
        .skip(1)
        .map(|r| r[..r.find("</tr>").unwrap()].to_owned())
        .collect();
    assert_eq!(rows.len(), 4, "{page}");
    for (row, says) in [
        (
            0,
            "Phường Sông Hiến đã sáp nhập vào Phường Thục Phán từ 01/07/2025",
        ),
        (
            1,
            "Có nhiều xã cũ tên Xã Vĩnh Quang, đã sáp nhập từ 01/07/2025 vào những nơi khác nhau \
             (theo huyện cũ): Thành phố Cao Bằng: Phường Nùng Trí Cao; Huyện Bảo Lâm: Xã Lý Bôn.",
        ),
        (2, "Xã Vĩnh Quang đã sáp nhập vào Xã Lý Bôn"),
        (3, "Xã Hưng Đạo đã sáp nhập vào Phường Thục Phán"),
    ] {
        assert!(
            rows[row].starts_with(&format!("{}</td>", row + 2)),
            "{}",
            rows[row]
        );
        assert!(rows[row].contains(says), "{says} in {}", rows[row]);
    }
    // Xã Hưng Đạo without a former district is today's Xã Hưng Đạo: that row is right.
    assert!(!page.contains("<tr><td>6</td>"));
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 0);
}

#[tokio::test]
async fn a_running_import_shows_its_progress_and_refreshes_itself() {
    use portal::store::imports;
    let p = Portal::new(Backend::Sqlite).await;
    let owner = p.add_user("lan", &[Role::Registrar]).await;
    let now = chrono::Utc::now().timestamp();
    let db = &p.app.db.pool;
    imports::create(db, "job-1", owner, "<b>venues</b>.csv", 100, now)
        .await
        .unwrap();
    imports::progress(db, "job-1", 100, 30, now).await.unwrap();
    let mut c = p.signed_in("lan").await;
    let page = c.get("/venues/import/job-1").await;
    assert!(page
        .body
        .contains("<meta http-equiv=\"refresh\" content=\"1\">"));
    assert!(
        page.body.contains("max=\"200\" value=\"130\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("<p>65%</p>"));
    assert!(page.body.contains("&#60;b&#62;venues"));
    // Saving, silent for a minute: on SQLite its progress cannot be written while the saving
    // transaction holds the database, so it still counts as running.
    imports::progress(db, "job-1", 100, 30, now - 60)
        .await
        .unwrap();
    let page = c.get("/venues/import/job-1").await;
    assert!(page.body.contains("http-equiv=\"refresh\""));
    // Silent for eleven minutes: its process stopped. It says so and stops refreshing; nothing
    // of it was saved.
    imports::progress(db, "job-1", 100, 30, now - 660)
        .await
        .unwrap();
    let page = c.get("/venues/import/job-1").await;
    assert!(!page.body.contains("http-equiv=\"refresh\""));
    assert!(
        page.body.contains("id=\"import-interrupted\""),
        "{}",
        page.body
    );
    // Checking, silent for a minute: stopped.
    imports::create(db, "job-2", owner, "b.csv", 100, now)
        .await
        .unwrap();
    imports::progress(db, "job-2", 40, 0, now - 60)
        .await
        .unwrap();
    let page = c.get("/venues/import/job-2").await;
    assert!(
        page.body.contains("id=\"import-interrupted\""),
        "{}",
        page.body
    );
    // A job a day old is forgotten.
    imports::create(db, "job-3", owner, "c.csv", 1, now - 2 * 86_400)
        .await
        .unwrap();
    assert_eq!(
        c.get("/venues/import/job-3").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Behind a proxy that alternates between two portal processes: the upload goes to one, the
/// preview, the save and the result to either, and the import is saved once.
async fn an_import_goes_on_whichever_process_answers(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    let second = p.second_process().await;
    let mut d = c.via(&second);
    let csrf = c.csrf().await;
    let code = p.app.units.communes[0].code;
    let file = format!(
        "ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n\
         Chợ Một,Số 1,{code},Chợ,Bà Hoa,0912345001\n\
         Chợ Hai,Số 2,{code},Chợ,Bà Hoa,0912345002\n"
    );
    let r = c
        .upload("/venues/import", &csrf, "cho.csv", file.as_bytes())
        .await;
    let job = r.location().to_owned();
    let page = d.settled(&job).await;
    assert!(page.contains("id=\"import-save\""), "{page}");
    // Saved through the second process; pressed again through the first: once.
    d.post(&format!("{job}/save"), &[]).await;
    c.post(&format!("{job}/save"), &[]).await;
    let page = c.settled(&job).await;
    assert!(page.contains("Đã lưu 2 địa điểm"), "{page}");
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 2);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'venues_imported'")
            .await,
        1
    );
    // The checked rows (with their contacts) are not kept once saved.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM import_jobs WHERE rows <> ''")
            .await,
        0
    );
}
