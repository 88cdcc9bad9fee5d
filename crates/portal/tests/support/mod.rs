//! What the portal's tests share: a throwaway PostgreSQL server, a portal in a temporary folder on
//! either backend, and a small HTTP client that drives the router in process (cookies, CSRF).
#![allow(dead_code)]

pub mod cases;
pub mod nginx;
pub mod uploads;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use portal::authority::{Authority, Settings};
use portal::domain::accounts::{hash_password, Role};
use portal::store::users::{self, NewUser};
use portal::store::{Backend, Db};
use portal::units::{Edition, UnitList};
use portal::web::{self, AppState};
use tower::ServiceExt;

pub const PASSWORD: &str = "a long enough test password";

/// An import file of three markets in the commune `code`, every row right.
pub fn three_markets_csv(code: u32) -> String {
    format!(
        "ten,dia_chi,xa_phuong,linh_vuc,nguoi_lien_he,dien_thoai\n\
         Chợ Một,Số 1,{code},Chợ,Bà Hoa,0912345001\n\
         Chợ Hai,Số 2,{code},Chợ,Bà Hoa,0912345002\n\
         Chợ Ba,Số 3,{code},Chợ,Bà Hoa,0912345003\n"
    )
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// A PostgreSQL server of this test binary's own, from Debian's `postgresql` package: `initdb` in
/// a temporary folder (as the `postgres` user when the tests run as root, since `initdb` refuses
/// root), on a free port, reached over 127.0.0.1. A watchdog stops it and removes the folder when
/// the test binary exits.
pub struct PgServer {
    pub port: u16,
}

fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.join("initdb").exists());
    versions.sort();
    versions.pop().expect(
        "PostgreSQL's server is not installed: `make deps` installs Debian's postgresql package",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn postgres() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = pg_bin();
        let dir = tempfile::Builder::new()
            .prefix("visit-diary-pg-")
            .tempdir()
            .unwrap()
            .keep();
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(ok.success(), "chown the PostgreSQL folder to postgres");
        }
        let data = dir.join("data");
        let out = as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200",
            dir.display()
        );
        let out = as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Stops the server once this process is gone, however it ends.
        let stop =
            format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {runuser} {pg_ctl} -D {data} stop \
             -m immediate >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            runuser = if is_root() { "runuser -u postgres --" } else { "" },
            pg_ctl = bin.join("pg_ctl").display(),
            data = data.display(),
            dir = dir.display(),
        );
        // `setsid -f` forks the watchdog into its own session and returns at once.
        let started = Command::new("setsid")
            .args(["-f", "sh", "-c", &stop])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the watchdog starts");
        assert!(started.success(), "the watchdog starts");
        PgServer { port }
    })
}

impl PgServer {
    /// A new, empty database on the server.
    pub async fn database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "portal_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        sqlx::any::install_default_drivers();
        let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

// ---------------------------------------------------------------------------------------------
// A portal

pub struct Portal {
    pub app: AppState,
    pub router: Router,
    pub dir: tempfile::TempDir,
    pub backend: Backend,
    /// The database's address, for a second process on it.
    pub url: String,
}

impl Portal {
    pub async fn new(backend: Backend) -> Portal {
        Portal::with_units(backend, Edition::Y2025).await
    }

    pub async fn with_units(backend: Backend, units: Edition) -> Portal {
        Portal::configured(backend, units, false, "http://127.0.0.1").await
    }

    pub async fn configured(
        backend: Backend,
        units: Edition,
        behind_proxy: bool,
        portal_url: &str,
    ) -> Portal {
        Portal::set_up(backend, units, behind_proxy, portal_url, |_| {}).await
    }

    /// A portal whose settings `change` edits before `init`.
    pub async fn with_settings(backend: Backend, change: impl FnOnce(&mut Settings)) -> Portal {
        Portal::set_up(backend, Edition::Y2025, false, "http://127.0.0.1", change).await
    }

    async fn set_up(
        backend: Backend,
        units: Edition,
        behind_proxy: bool,
        portal_url: &str,
        change: impl FnOnce(&mut Settings),
    ) -> Portal {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings {
            name: "Sở Y tế Cao Bằng".into(),
            host: "yte.caobang.example".into(),
            portal_url: portal_url.into(),
            province: 4,
            units,
            apps: Default::default(),
            diary_retention_days: portal::domain::retention::DEFAULT_DAYS,
            department: Default::default(),
        };
        change(&mut settings);
        // The list the settings name, which `change` may have chosen.
        let units = settings.units;
        Authority::init(dir.path(), settings).unwrap();
        let authority = Authority::load(dir.path()).unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("portal.db").display()),
            Backend::Postgres => postgres().database().await,
        };
        let db = Db::open(&url).await.unwrap();
        assert_eq!(db.backend, backend);
        let units = UnitList::load(units, 4).unwrap();
        let app = AppState::configured(db, authority, units, behind_proxy);
        let portal = Portal {
            router: web::router(app.clone()),
            app,
            dir,
            backend,
            url,
        };
        portal.add_user("admin", &[Role::Admin]).await;
        portal
    }

    pub async fn add_user(&self, name: &str, roles: &[Role]) -> i64 {
        insert_user(
            &self.app.db.pool,
            name,
            &format!("{name} (test)"),
            roles,
            PASSWORD,
            false,
        )
        .await
        .unwrap()
    }

    /// A second `portal serve` process on the same database and data folder, as behind a proxy
    /// that alternates between them: the same data, its own memory.
    pub async fn second_process(&self) -> Router {
        let db = Db::open(&self.url).await.unwrap();
        let authority = Authority::load(self.dir.path()).unwrap();
        let units = UnitList::load(self.app.units.edition, 4).unwrap();
        web::router(AppState::configured(db, authority, units, false))
    }

    /// A browser with no cookies yet.
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            addr: "192.0.2.10:5000".parse().unwrap(),
        }
    }

    /// A browser signed in as `name` (with the test password).
    pub async fn signed_in(&self, name: &str) -> Client {
        let mut c = self.client();
        let r = c.login(name, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{name} signs in: {}",
            r.body
        );
        c
    }

    /// The trust file `portal init` wrote: what the app trusts this portal's keys by.
    pub fn trust(&self) -> protocol::TrustList {
        protocol::TrustList::from_json(
            &std::fs::read_to_string(self.dir.path().join("trust.json")).unwrap(),
        )
        .unwrap()
    }

    /// Answers the share request `code` as the app does: fetched, checked, `visits` sealed to
    /// it and uploaded. The upload's answer.
    pub async fn share_visits(&self, code: &str, visits: Vec<protocol::SharedVisit>) -> Response {
        self.share_visits_naming(code, visits, &|_| false).await
    }

    /// [`Portal::share_visits`], sending the visits `own` picks by venue id alone, as the app
    /// sends visits to the requesting authority's own venues.
    pub async fn share_visits_naming(
        &self,
        code: &str,
        visits: Vec<protocol::SharedVisit>,
        own: &dyn Fn(&protocol::SharedVisit) -> bool,
    ) -> Response {
        let sealed = self.seal_answer(code, visits, own).await;
        self.send_answer(code, sealed).await
    }

    /// The diary a phone seals for the request behind `code`, fetched now from the app's API.
    pub async fn seal_answer(
        &self,
        code: &str,
        visits: Vec<protocol::SharedVisit>,
        own: &dyn Fn(&protocol::SharedVisit) -> bool,
    ) -> Vec<u8> {
        self.seal_answer_via(&mut self.client(), code, visits, own)
            .await
    }

    /// [`Portal::seal_answer`] by one phone (its address), naming no venue by id alone.
    pub async fn seal_answer_from(
        &self,
        phone: &mut Client,
        code: &str,
        visits: Vec<protocol::SharedVisit>,
    ) -> Vec<u8> {
        self.seal_answer_via(phone, code, visits, &|_| false).await
    }

    async fn seal_answer_via(
        &self,
        phone: &mut Client,
        code: &str,
        visits: Vec<protocol::SharedVisit>,
        own: &dyn Fn(&protocol::SharedVisit) -> bool,
    ) -> Vec<u8> {
        let fetched = phone.get(&format!("/api/v1/share-requests/{code}")).await;
        let json: serde_json::Value = serde_json::from_str(&fetched.body)
            .unwrap_or_else(|_| panic!("{} {}", fetched.status, fetched.body));
        let request = protocol::read_share_request(
            json["signed"].as_str().unwrap(),
            &self.trust(),
            chrono::Utc::now().timestamp(),
        )
        .unwrap();
        let diary = protocol::SharedDiary::new(&request.request.id, "0.1.0", visits);
        protocol::seal_diary_naming(&diary, &request, own, rand::random()).unwrap()
    }

    /// Uploads a sealed diary for `code`, as the app does.
    pub async fn send_answer(&self, code: &str, sealed: Vec<u8>) -> Response {
        self.send_answer_from(&mut self.client(), code, sealed)
            .await
    }

    /// [`Portal::send_answer`] by one phone (its address).
    pub async fn send_answer_from(
        &self,
        phone: &mut Client,
        code: &str,
        sealed: Vec<u8>,
    ) -> Response {
        phone
            .send(
                Request::post(format!("/api/v1/share-requests/{code}/diary"))
                    .body(Body::from(sealed))
                    .unwrap(),
            )
            .await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.app.db.pool)
            .await
            .unwrap()
    }
}

/// Adds an account as the admin pages do, with its password hashed.
pub async fn insert_user<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
    username: &str,
    display_name: &str,
    roles: &[Role],
    password: &str,
    must_change_password: bool,
) -> Result<i64, sqlx::Error> {
    let hash = hash_password(password, &mut rand::rngs::OsRng);
    let user = NewUser {
        username,
        display_name,
        roles,
        password_hash: &hash,
        must_change_password,
    };
    users::insert(db, &user, chrono::Utc::now().timestamp()).await
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// A form sent back (422) with message `why` (its id; the reader reads Vietnamese) next to
    /// one of its fields; which field's, as `field`.
    pub fn assert_refused(&self, why: &str, field: &str) {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {} {}",
            self.location(),
            self.body
        );
        let message = portal::i18n::Tr::new(portal::i18n::Lang::Vi)
            .t(why)
            .replace('&', "&amp;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let shown = format!("<p class=\"field-error\" id=\"{field}-error\">{message}</p>");
        assert!(
            self.body.contains(&shown),
            "{why} at {field}: {}",
            self.body
        );
    }

    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("the page has a form");
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub addr: SocketAddr,
}

impl Client {
    /// The same browser (its cookies) reaching another process of the portal.
    pub fn via(&self, router: &Router) -> Client {
        Client {
            router: router.clone(),
            cookies: self.cookies.clone(),
            addr: self.addr,
        }
    }

    /// An import's page once it stops refreshing itself (checked, saved or refused), each
    /// look answered 200.
    pub async fn settled(&mut self, path: &str) -> String {
        for _ in 0..600 {
            let r = self.get(path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
            if !r.body.contains("http-equiv=\"refresh\"") {
                return r.body;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the import at {path} did not finish");
    }

    pub async fn send(&mut self, request: Request<Body>) -> Response {
        let mut request = request;
        request.extensions_mut().insert(ConnectInfo(self.addr));
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if set.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Posts a form as it is, without adding a CSRF token.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts a form with the CSRF token of the page at `from` (as a browser would).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf().await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// The session's CSRF token, read from a page's forms.
    pub async fn csrf(&mut self) -> String {
        self.get("/account/password").await.csrf()
    }

    pub async fn login(&mut self, name: &str, password: &str) -> Response {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post_raw(
            "/login",
            &[("csrf", &csrf), ("username", name), ("password", password)],
        )
        .await
    }

    /// Uploads a file as the import form does.
    pub async fn upload(
        &mut self,
        path: &str,
        csrf: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Response {
        let boundary = "----visit-diary-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let uri = format!("{path}?csrf={}", urlencode(csrf));
        self.send(
            Request::post(uri)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap()
        .trim_start_matches('=')
        .to_owned()
}

/// Runs each named test against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(portal::store::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(portal::store::Backend::Postgres).await
                }
            )*
        }
    };
}

/// The date `n` days before today in Vietnam, as a date input sends it.
pub fn days_ago(n: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        - chrono::Duration::days(n))
    .date_naive()
    .to_string()
}

/// The text between `start` and the next `end`.
pub fn between(text: &str, start: &str, end: &str) -> String {
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {text}"))
        + start.len();
    let rest = &text[at..];
    rest[..rest.find(end).unwrap()].to_owned()
}
