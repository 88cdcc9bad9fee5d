//! The exposure list exported as static files (`portal exposures export`) and served by nginx
//! from Debian with the configuration README gives (`docs/nginx-exposures.conf`): a phone gets
//! the same list the portal serves, checked as the app checks it, a 304 for the copy it has, and
//! the changes since a sequence. On SQLite (through the real binary) and PostgreSQL.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use portal::domain::accounts::Role;
use portal::store::Backend;
use protocol::exposure::{read_exposure_list, venue_hash, ExposureList};
use support::cases::register_venue;
use support::Portal;

on_both_backends!(the_exported_list_is_what_nginx_serves_to_phones);

/// nginx from Debian serving `root` on `port` with the project's configuration block.
struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, root: &Path, port: u16) -> Nginx {
        let block = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nginx-exposures.conf"),
        )
        .unwrap()
        .replace("/srv/visit-diary/exposures", root.to_str().unwrap());
        let temp = |name: &str| dir.join(name).display().to_string();
        let conf = format!(
            "worker_processes 1;\npid {pid};\nerror_log {log};\nevents {{ worker_connections 64; }}\n\
             http {{\n access_log off;\n client_body_temp_path {body};\n proxy_temp_path {proxy};\n\
             fastcgi_temp_path {fastcgi};\n uwsgi_temp_path {uwsgi};\n scgi_temp_path {scgi};\n\
             server {{\n listen 127.0.0.1:{port};\n{block}\n }}\n}}\n",
            pid = temp("nginx.pid"),
            log = temp("error.log"),
            body = temp("body"),
            proxy = temp("proxy"),
            fastcgi = temp("fastcgi"),
            uwsgi = temp("uwsgi"),
            scgi = temp("scgi"),
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        // Its output to a file: a worker left behind must not hold the test's pipes open.
        let child = Command::new("nginx")
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (Debian's nginx-light, which make test installs)");
        let nginx = Nginx(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Nginx {
    /// SIGTERM, which stops the workers too (SIGKILL would leave them running).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

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
    let _nginx = Nginx::start(dir.path(), &out, port);

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
