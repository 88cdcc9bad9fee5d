//! The exposure list exported as static files (`portal exposures export`) and served by nginx
//! from Debian with the configuration README gives (`docs/nginx-exposures.conf`): a phone gets
//! the same list the portal serves, checked as the app checks it, a 304 for the copy it has, and
//! the changes since a sequence. On SQLite (through the real binary) and PostgreSQL.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::exposure::{read_exposure_list, venue_hash, ExposureList};
use support::cases::register_venue;
use support::nginx::Nginx;
use support::Portal;

on_both_backends!(the_exported_list_is_what_nginx_serves_to_phones);

/// A plain HTTP/1.0 GET: the status, the headers (names in lower case) and the body.
fn get(port: u16, path: &str, etag: Option<&str>) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let condition = etag
        .map(|e| format!("If-None-Match: {e}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: localhost\r\n{condition}\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(answer[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (status, headers, answer[split + 4..].to_vec())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

/// What the app does with a body: the answer's signed list, checked against the trust list.
fn as_the_app_reads(p: &Portal, body: &[u8]) -> ExposureList {
    let body = std::str::from_utf8(body).unwrap();
    let signed =
        protocol::read_answer(body, protocol::answer::EXPOSURE_LIST_ANSWER).expect("an answer");
    read_exposure_list(&signed, &p.trust(), None, chrono::Utc::now().timestamp())
        .expect("a list the app accepts")
        .list
}

async fn the_exported_list_is_what_nginx_serves_to_phones(backend: Backend) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let mut c = p.signed_in("lan").await;
    // Two venues withdrawn: two sequences, each with a change phones must learn.
    let mut hashes = Vec::new();
    for name in ["Chợ Cũ", "Quán Đã Đóng"] {
        let venue = register_venue(&p, &mut c, name).await;
        let r = c.post(&format!("/venues/{venue}/deactivate"), &[]).await;
        assert!(r.location().ends_with("deactivated=1"));
        hashes.push(venue_hash(&uuid::Uuid::parse_str(&venue).unwrap()));
    }
    hashes.sort();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exposures");
    if backend == Backend::Sqlite {
        // The real command, as cron would run it.
        let run = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["exposures", "export", "--changes", "5", "--data-dir"])
            .arg(p.dir.path())
            .arg("--out")
            .arg(&out)
            .env_remove("PORTAL_MASTER_KEY")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", p.dir.path().join("portal.db").display()),
            )
            .output()
            .unwrap();
        assert!(run.status.success(), "{run:?}");
        assert!(String::from_utf8_lossy(&run.stdout).contains("Exposure list 2 written"));
    } else {
        portal::cli::export::export(&p.app, &out, 5).await.unwrap();
    }
    let api = out.join("api/v1");
    assert!(api.join("exposures").is_file());
    let mut since: Vec<String> = std::fs::read_dir(api.join("exposures-since"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    since.sort();
    assert_eq!(since, ["0", "1"]);

    // nginx's workers run as another user: the folders must be readable to them.
    use std::os::unix::fs::PermissionsExt;
    for d in [
        dir.path(),
        &out,
        &out.join("api"),
        &api,
        &api.join("exposures-since"),
    ] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let port = support::free_port();
    let block = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nginx-exposures.conf"),
    )
    .unwrap()
    .replace("/srv/visit-diary/exposures", out.to_str().unwrap());
    let _nginx = Nginx::start(dir.path(), port, "", &block);

    // The whole list: what the portal itself serves now, accepted as the app accepts it.
    let (status, headers, body) = get(port, "/api/v1/exposures", None);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(header(&headers, "cache-control"), "public, max-age=300");
    let served = as_the_app_reads(&p, &body);
    let own = p.client().get("/api/v1/exposures").await;
    let own = as_the_app_reads(&p, own.body.as_bytes());
    assert_eq!((served.sequence, served.base), (2, None));
    let mut withdrawn = served.withdrawn.clone();
    withdrawn.sort();
    assert_eq!(withdrawn, hashes);
    assert_eq!(
        (served.sequence, &served.withdrawn, served.notices.len()),
        (own.sequence, &own.withdrawn, own.notices.len())
    );
    // The copy a phone has: 304, no body.
    let etag = header(&headers, "etag").to_owned();
    let (status, _, body) = get(port, "/api/v1/exposures", Some(&etag));
    assert_eq!((status, body.len()), (304, 0));
    // The changes since sequence 1: the list based on it.
    let (status, _, body) = get(port, "/api/v1/exposures?since=1", None);
    assert_eq!(status, 200);
    let changes = as_the_app_reads(&p, &body);
    assert_eq!((changes.sequence, changes.base), (2, Some(1)));
    // Since a sequence the export did not write (or not a number): the whole list.
    for query in ["?since=40", "?since=abc"] {
        let (status, _, body) = get(port, &format!("/api/v1/exposures{query}"), None);
        assert_eq!(status, 200, "{query}");
        assert_eq!(as_the_app_reads(&p, &body).base, None, "{query}");
    }
    // The change files are not reachable by their own path.
    assert_eq!(get(port, "/api/v1/exposures-since/1", None).0, 404);

    // A later export removes change lists that fell out of its window.
    portal::cli::export::export(&p.app, &out, 1).await.unwrap();
    let left: Vec<_> = std::fs::read_dir(api.join("exposures-since"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["1"]);
}
