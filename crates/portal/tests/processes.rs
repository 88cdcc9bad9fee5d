//! Two real `portal serve` processes on one PostgreSQL, behind nginx from Debian alternating
//! between them (round robin), as a department would run the portal on several machines: a
//! registrar imports venues and an admin resets a password through the proxy while one process
//! is killed midway. Nothing is lost and nothing is done twice.

mod support;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use portal::domain::accounts::Role;
use portal::store::Backend;
use support::nginx::Nginx;
use support::{between, Client, Portal};

/// A `portal serve` process on the test's database and data folder.
struct Serve(Child);

impl Serve {
    fn start(p: &Portal, port: u16) -> Serve {
        let child = Command::new(env!("CARGO_BIN_EXE_portal"))
            .args(["serve", "--behind-proxy", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(p.dir.path())
            .env_remove("PORTAL_MASTER_KEY")
            .env("DATABASE_URL", &p.url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Dropped (killed and waited for) on every path, the panic below included.
        let serve = Serve(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return serve;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("portal serve did not start on {port}");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends each request the test's client makes over real HTTP to `to` (the proxy).
async fn forward(State(to): State<SocketAddr>, request: Request<Body>) -> Response {
    let stream = tokio::net::TcpStream::connect(to).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let (mut parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    parts
        .headers
        .insert(header::HOST, HeaderValue::from_static("127.0.0.1"));
    let request = hyper::Request::from_parts(parts, http_body_util::Full::new(body));
    let answer = sender.send_request(request).await.unwrap();
    let (parts, body) = answer.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Response::from_parts(parts, Body::from(body))
}

/// The test's client, reaching the portal through the proxy on `port`.
fn through(c: &Client, port: u16) -> Client {
    let proxy: SocketAddr = ([127, 0, 0, 1], port).into();
    c.via(&Router::new().fallback(forward).with_state(proxy))
}

#[tokio::test]
async fn staff_work_goes_on_when_one_process_behind_the_proxy_dies() {
    let p = Portal::new(Backend::Postgres).await;
    p.add_user("lan", &[Role::Registrar]).await;
    let hoa = p.add_user("hoa", &[Role::Tracer]).await;
    let (a, b, proxy) = (
        support::free_port(),
        support::free_port(),
        support::free_port(),
    );
    let mut first = Serve::start(&p, a);
    let _second = Serve::start(&p, b);
    let dir = tempfile::tempdir().unwrap();
    // Round robin, request by request; a process that does not answer is skipped (a request
    // not yet sent to it goes to the other, POST included).
    let _nginx = Nginx::start(
        dir.path(),
        proxy,
        &format!("upstream portal {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}"),
        "location / { proxy_pass http://portal; proxy_set_header X-Forwarded-For $remote_addr; \
         proxy_set_header Host $host; }",
    );

    // A registrar signs in and uploads a file through the proxy: the requests alternate
    // between the two processes.
    let mut lan = through(&p.client(), proxy);
    assert_eq!(
        lan.login("lan", support::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let csrf = lan.csrf().await;
    let file = support::three_markets_csv(p.app.units.communes[0].code);
    let r = lan
        .upload("/venues/import", &csrf, "cho.csv", file.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let job = r.location().to_owned();
    let page = lan.settled(&job).await;
    assert!(page.contains("id=\"import-save\""), "{page}");

    // An admin resets a password through the proxy, before the kill: the request and the page
    // after it may go to different processes.
    let mut admin = through(&p.client(), proxy);
    assert_eq!(
        admin.login("admin", support::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let reset = admin.post(&format!("/admin/users/{hoa}/reset"), &[]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);

    // One process dies. The preview is still there; the registrar presses Lưu twice at once
    // (two tabs), and the survivor saves the file once.
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let mut other_tab = through(&lan, proxy);
    let save = format!("{job}/save");
    let (one, two) = tokio::join!(lan.post(&save, &[]), other_tab.post(&save, &[]));
    assert_eq!(
        (one.status, two.status),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let page = lan.settled(&job).await;
    assert!(page.contains("Đã lưu 3 địa điểm"), "{page}");
    assert_eq!(p.count("SELECT COUNT(*) FROM venues").await, 3);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_log WHERE action = 'venues_imported'")
            .await,
        1
    );

    // The password waits in the database: the survivor shows it, once.
    let shown = admin.get(reset.location()).await;
    let password = between(&shown.body, "id=\"temporary-password\">", "<");
    assert_eq!(
        p.client().login("hoa", &password).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(!admin
        .get(reset.location())
        .await
        .body
        .contains("temporary-password"));
}
