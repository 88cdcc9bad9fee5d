//! The authorisation matrix: every route of the router's own table (`portal::web::route_table`)
//! tried by every role, by nobody signed in and by an ended session. The table says who may use
//! each route; a test here checks it against the department's rule for each part of the site, so
//! a route given the wrong role fails even though the walk would follow the table.

use portal::domain::accounts::Role;
use portal::store::Backend;
use portal::web::{route_table, Access, Route};

use crate::support::{self, Portal};
use crate::{register, StatusCode};

crate::on_both_backends!(every_role_against_every_route);

/// The objects the walk's paths name, made before it starts.
struct Objects {
    venue: String,
    user: i64,
    job: String,
    case: i64,
    request: String,
    notice: i64,
    code: String,
    /// A second draft, which the walk edits and deletes (the first is published and retracted).
    spare_notice: i64,
    /// A request still open, which the walk prints a slip for and cancels.
    open_request: String,
}

/// Real paths for a route of the table (some are tried at several), naming the objects made.
fn paths(route: &str, o: &Objects) -> Vec<String> {
    let v = |s: &str| format!("/venues/{}{s}", o.venue);
    let u = |s: &str| format!("/admin/users/{}{s}", o.user);
    let c = |s: &str| format!("/cases/{}{s}", o.case);
    match route {
        "/lang/{lang}" => vec!["/lang/vi?next=/".into()],
        "/v/{version}" => vec!["/v/1".into()],
        "/admin/users/{id}" => vec![u("")],
        "/admin/users/{id}/disable" => vec![u("/disable")],
        "/admin/users/{id}/enable" => vec![u("/enable")],
        "/admin/users/{id}/reset" => vec![u("/reset")],
        "/venues/import/{job}" => vec![format!("/venues/import/{}", o.job)],
        "/venues/import/{job}/save" => vec![format!("/venues/import/{}/save", o.job)],
        "/venues/import/{job}/cancel" => vec![format!("/venues/import/{}/cancel", o.job)],
        "/venues/{id}" => vec![v("")],
        "/venues/{id}/deactivate" => vec![v("/deactivate")],
        "/venues/{id}/activate" => vec![v("/activate")],
        "/venues/{id}/poster/{format}" => ["svg", "png", "pdf"]
            .iter()
            .map(|f| v(&format!("/poster/{f}")))
            .collect(),
        "/cases/{id}" => vec![c("")],
        "/cases/{id}/requests" => vec![c("/requests")],
        "/cases/{id}/door-requests" => vec![c("/door-requests")],
        "/cases/{id}/requests/{request}/qr" => vec![c(&format!("/requests/{}/qr", o.request))],
        "/cases/{id}/requests/{request}/file" => {
            vec![c(&format!("/requests/{}/file", o.request))]
        }
        "/cases/{id}/requests/{request}/slip" => {
            vec![c(&format!("/requests/{}/slip", o.open_request))]
        }
        "/cases/{id}/requests/{request}/cancel" => {
            vec![c(&format!("/requests/{}/cancel", o.open_request))]
        }
        "/cases/{id}/visits.csv" => vec![c("/visits.csv")],
        "/cases/{id}/overlaps" => vec![c("/overlaps")],
        "/cases/{id}/notices" => vec![c("/notices")],
        "/cases/{id}/notices/{notice}/publish" => {
            vec![c(&format!("/notices/{}/publish", o.notice))]
        }
        "/cases/{id}/notices/{notice}/retract" => {
            vec![c(&format!("/notices/{}/retract", o.notice))]
        }
        "/cases/{id}/notices/new" => vec![c("/notices/new")],
        "/cases/{id}/notices/{notice}/edit" => {
            vec![c(&format!("/notices/{}/edit", o.spare_notice))]
        }
        "/cases/{id}/notices/{notice}/delete" => {
            vec![c(&format!("/notices/{}/delete", o.spare_notice))]
        }
        "/api/v1/share-requests/{code}" => vec![format!("/api/v1/share-requests/{}", o.code)],
        "/api/v1/share-requests/{code}/diary" => {
            vec![format!("/api/v1/share-requests/{}/diary", o.code)]
        }
        "/api/v1/share-requests/{code}/guestbook" => {
            vec![format!("/api/v1/share-requests/{}/guestbook", o.code)]
        }
        "/api/v1/notices/{notice}/cosign" => {
            vec![format!("/api/v1/notices/{}/cosign", o.notice)]
        }
        "/api/v1/venue-blocks/{block}" => vec!["/api/v1/venue-blocks/0".into()],
        "/reports/venues" => vec!["/reports/venues?commune=1273".into()],
        "/reports/coverage/{table}" => ["communes.csv", "sectors.csv", "weeks.csv"]
            .iter()
            .map(|t| format!("/reports/coverage/{t}"))
            .collect(),
        fixed if !fixed.contains('{') => vec![fixed.to_owned()],
        other => panic!("the matrix has no path for the route {other}: add one in paths()"),
    }
}

/// One request of the walk: a route of the table at one of its paths.
struct Request {
    route: Route,
    path: String,
}

/// Every route of the table at its paths, in the table's order (publishing before retracting).
fn requests(objects: &Objects) -> Vec<Request> {
    route_table()
        .into_iter()
        .flat_map(|route| {
            paths(route.path, objects)
                .into_iter()
                .map(move |path| Request {
                    route: route.clone(),
                    path,
                })
        })
        .collect()
}

fn allows(access: Access, role: Role) -> bool {
    access.admits(&[role])
}

/// Who the department lets use each part of the site: admins the accounts and the log,
/// registrars the venues and personal cards, tracers the cases, reporters the reports; anyone
/// the sign-in, the language switch, the style sheet and the script, the app's API, the page a
/// venue's link opens without the app and the platforms' link files; every member of staff the
/// rest. Exposure notices have two pairs of eyes: supervisors alone publish them and list the
/// drafts waiting; they read a case, draft (for a venue outside it, saying why) and retract as
/// tracers do, and edit or delete drafts.
fn department_rule(path: &str) -> Access {
    const CASE_STAFF: &[Role] = &[Role::Tracer, Role::Supervisor];
    match path {
        "/notices" | "/cases/{id}/notices/{notice}/publish" => {
            return Access::Role(Role::Supervisor)
        }
        "/cases/{id}"
        | "/cases/{id}/notices"
        | "/cases/{id}/notices/new"
        | "/cases/{id}/notices/{notice}/edit"
        | "/cases/{id}/notices/{notice}/delete"
        | "/cases/{id}/notices/{notice}/retract" => return Access::Any(CASE_STAFF),
        _ => {}
    }
    // `/venues.csv` is the venue list's own file.
    let first = path
        .split('/')
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(".csv");
    match first {
        "admin" => Access::Role(Role::Admin),
        "venues" | "cards" => Access::Role(Role::Registrar),
        "cases" => Access::Role(Role::Tracer),
        "reports" => Access::Role(Role::Reporter),
        "api" | "login" | "lang" | "static" | "v" | ".well-known" => Access::Anyone,
        _ => Access::Staff,
    }
}

#[test]
fn the_table_gives_each_route_the_access_the_department_decided() {
    let table = route_table();
    assert!(table.len() > 40, "{table:?}");
    for route in &table {
        assert_eq!(
            route.access,
            department_rule(route.path),
            "{} {}",
            route.method,
            route.path
        );
    }
    // Each method and path once: a second entry would hide which access applies.
    let mut seen = std::collections::BTreeSet::new();
    for route in &table {
        assert!(seen.insert((route.method, route.path)), "{route:?} twice");
    }
    // Every route has paths to try, and each fits its pattern.
    let objects = Objects {
        venue: "v".into(),
        user: 1,
        job: "j".into(),
        case: 1,
        request: "r".into(),
        notice: 1,
        spare_notice: 2,
        open_request: "o".into(),
        code: "c".into(),
    };
    for r in requests(&objects) {
        let path = r.path.split('?').next().unwrap();
        let (parts, pattern): (Vec<_>, Vec<_>) =
            (path.split('/').collect(), r.route.path.split('/').collect());
        assert_eq!(
            parts.len(),
            pattern.len(),
            "{} for {}",
            r.path,
            r.route.path
        );
        for (part, want) in parts.iter().zip(&pattern) {
            assert!(
                want.starts_with('{') || part == want,
                "{} for {}",
                r.path,
                r.route.path
            );
        }
    }
}

/// Sends one request of the matrix as a browser would: a form with `csrf` (the session's, or
/// before sign-in the login form's), an upload with it in the address.
async fn send(c: &mut support::Client, request: &Request, csrf: &str) -> support::Response {
    match (request.route.method, request.route.upload) {
        ("GET", _) => c.get(&request.path).await,
        (_, true) => c.upload(&request.path, csrf, "v.csv", b"name\n").await,
        _ => c.post_raw(&request.path, &[("csrf", csrf)]).await,
    }
}

/// What a route open to anyone must not answer: a refusal, or a detour to sign in.
fn assert_open(r: &support::Response, who: &str, request: &Request) {
    assert!(
        r.status != StatusCode::FORBIDDEN
            && !r.status.is_server_error()
            && !r.location().starts_with("/login"),
        "{who} may {} {}: got {} {}",
        request.route.method,
        request.path,
        r.status,
        r.location()
    );
}

async fn every_role_against_every_route(backend: Backend) {
    let p = Portal::new(backend).await;
    let name = |role: Role| format!("only-{}", role.as_str());
    for role in Role::ALL {
        p.add_user(&name(role), &[role]).await;
    }
    let mut registrar = p.signed_in("only-registrar").await;
    let venue = register(&p, &mut registrar, "Quán Bí Mật Của Matrix").await;
    let target = p.add_user("target", &[Role::Tracer]).await;
    let csrf = registrar.csrf().await;
    let header =
        "name,address,commune,sector,contact_name,contact_phone\nA,B,1,shop,C,0912345678\n";
    let upload = registrar
        .upload("/venues/import", &csrf, "v.csv", header.as_bytes())
        .await;
    let job = upload
        .location()
        .trim_start_matches("/venues/import/")
        .to_owned();
    assert!(!job.is_empty(), "{}", upload.body);
    let mut tracer = p.signed_in("only-tracer").await;
    let r = tracer
        .post("/cases", &[("label", "Ca Matrix"), ("notes", "")])
        .await;
    let case: i64 = r.location().trim_start_matches("/cases/").parse().unwrap();
    tracer
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &support::days_ago(9)),
                ("to", &support::days_ago(8)),
                ("purpose", "Matrix"),
                ("hours", "48"),
            ],
        )
        .await;
    let (request, code): (String, String) = sqlx::query_as("SELECT id, code FROM share_requests")
        .fetch_one(&p.app.db.pool)
        .await
        .unwrap();
    let t = chrono::Utc::now().timestamp();
    // The case's citizen was at the venue: a tracer may draft a notice for it.
    let shared = p
        .share_visits(
            &code,
            vec![protocol::SharedVisit {
                name: "Quán Bí Mật Của Matrix".into(),
                address: "Phố Xuân Trường".into(),
                unit: Some(1273),
                venue_id: Some(venue.clone()),
                origin: "vd1".into(),
                time_in: t - 8 * 86400 - 7200,
                time_out: Some(t - 8 * 86400 - 3600),
            }],
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.body);
    let r = tracer
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &portal::domain::time::local_input(t - 7200)),
                ("to", &portal::domain::time::local_input(t)),
                ("level", "monitor"),
                ("advice_vi", "Theo dõi sức khỏe (Matrix)."),
                ("advice_en", "Watch for symptoms (Matrix)."),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let notice = p.count("SELECT id FROM exposure_notices").await;
    let r = tracer
        .post(
            &format!("/cases/{case}/notices"),
            &[
                ("venue_id", &venue),
                ("from", &portal::domain::time::local_input(t - 3 * 7200)),
                ("to", &portal::domain::time::local_input(t - 2 * 7200)),
                ("level", "monitor"),
                ("advice_vi", "Bản nháp thứ hai (Matrix)."),
                ("advice_en", "A second draft (Matrix)."),
            ],
        )
        .await;
    assert!(r.location().contains("notice=drafted"), "{}", r.location());
    let spare_notice = p.count("SELECT MAX(id) FROM exposure_notices").await;
    tracer
        .post(
            &format!("/cases/{case}/requests"),
            &[
                ("from", &support::days_ago(2)),
                ("to", &support::days_ago(1)),
                ("purpose", "Matrix, still open"),
                ("hours", "48"),
            ],
        )
        .await;
    let open_request: String =
        sqlx::query_scalar("SELECT id FROM share_requests WHERE answered_at IS NULL")
            .fetch_one(&p.app.db.pool)
            .await
            .unwrap();
    let objects = Objects {
        venue: venue.clone(),
        user: target,
        job,
        case,
        request,
        notice,
        code,
        spare_notice,
        open_request,
    };
    let routes = requests(&objects);

    for role in Role::ALL {
        let mut c = p.signed_in(&name(role)).await;
        let csrf = c.csrf().await;
        for route in &routes {
            if route.route.path == "/logout" {
                // Signing out ends the session the rest of the walk uses: on a session of its own.
                let mut once = p.signed_in(&name(role)).await;
                let csrf = once.csrf().await;
                let r = send(&mut once, route, &csrf).await;
                assert_eq!(r.location(), "/login", "{role:?}");
                assert_eq!(once.get("/").await.status, StatusCode::SEE_OTHER);
                continue;
            }
            let r = send(&mut c, route, &csrf).await;
            let who = format!("{role:?}");
            match route.route.access {
                Access::Anyone => assert_open(&r, &who, route),
                access if allows(access, role) => {
                    // Two roles may retract a notice, and only a published one: for the role
                    // whose walk comes when it is not (or no longer) published there is nothing
                    // to do, which is not a refusal. Likewise a draft edited, deleted or
                    // published earlier in the walk has no edit or delete any more, and a
                    // request cancelled or answered earlier no slip or cancellation.
                    let path = route.route.path;
                    let gone = if path.ends_with("/retract") {
                        true
                    } else if path.ends_with("/edit") || path.ends_with("/delete") {
                        let draft = format!(
                            "SELECT COUNT(*) FROM exposure_notices \
                             WHERE id = {} AND state = 'draft'",
                            objects.spare_notice
                        );
                        p.count(&draft).await == 0
                    } else if path.ends_with("/slip") || path.ends_with("/cancel") {
                        let cancelled = format!(
                            "SELECT COUNT(*) FROM share_requests \
                             WHERE id = '{}' AND cancelled_at IS NOT NULL",
                            objects.open_request
                        );
                        p.count(&cancelled).await == 1
                    } else {
                        false
                    };
                    let done_already = r.status == StatusCode::NOT_FOUND && gone;
                    assert!(
                        (r.status.is_success()
                            || r.status.is_redirection()
                            || r.status == StatusCode::UNPROCESSABLE_ENTITY
                            || done_already)
                            && !r.location().starts_with("/login"),
                        "{role:?} may {} {}: got {} {}",
                        route.route.method,
                        route.path,
                        r.status,
                        r.location()
                    );
                }
                Access::Staff | Access::Role(_) | Access::Any(_) => {
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "{role:?} may not {} {}",
                        route.route.method,
                        route.path
                    );
                    assert!(!r.body.contains("Matrix"), "a refusal shows no data");
                    assert!(r.body.contains("Không có quyền"));
                }
            }
        }
    }
    // What the allowed requests did is theirs: the notice went out and was taken back.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM exposure_notices WHERE state = 'retracted'")
            .await,
        1
    );

    // Nobody signed in: every route for staff sends to the login page, and nothing else is shown.
    let mut anonymous = p.client();
    anonymous.get("/login").await;
    for route in &routes {
        let csrf = anonymous.cookies["vd_csrf"].clone();
        let r = send(&mut anonymous, route, &csrf).await;
        match route.route.access {
            Access::Anyone => assert_open(&r, "nobody", route),
            Access::Staff | Access::Role(_) | Access::Any(_) => {
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} {}",
                    route.route.method,
                    route.path
                );
                assert!(
                    r.location().starts_with("/login"),
                    "{} {}",
                    route.route.method,
                    route.path
                );
            }
        }
    }
    // A session that has ended: the same, saying why, for forms sent with its token too.
    let mut ended = p.signed_in("admin").await;
    let stale = ended.csrf().await;
    sqlx::query(
        "UPDATE sessions SET last_seen = last_seen - 3600 \
         WHERE user_id = (SELECT id FROM users WHERE username = 'admin')",
    )
    .execute(&p.app.db.pool)
    .await
    .unwrap();
    ended.get("/login").await;
    for route in &routes {
        let csrf = if route.route.path == "/login" {
            ended.cookies["vd_csrf"].clone()
        } else {
            stale.clone()
        };
        let r = send(&mut ended, route, &csrf).await;
        match route.route.access {
            Access::Anyone => assert_open(&r, "an ended session", route),
            Access::Staff | Access::Role(_) | Access::Any(_) => {
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} {}",
                    route.route.method,
                    route.path
                );
                assert!(
                    r.location().starts_with("/login") && r.location().ends_with("ended=1"),
                    "{} {}: {}",
                    route.route.method,
                    route.path,
                    r.location()
                );
            }
        }
    }
    // Unknown routes and objects are 404s.
    let mut admin = p.signed_in("admin").await;
    assert_eq!(
        admin.get("/no/such/page").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/admin/users/99999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        registrar.get("/venues/not-a-uuid").await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/venues/{}", uuid::Uuid::nil());
    assert_eq!(registrar.get(&unknown).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        registrar
            .get(&format!("/venues/{venue}/poster/exe"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
