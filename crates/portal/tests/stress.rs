//! The portal under stress: 10 000 diary uploads, 64 at a time, to the real `portal` binary, on
//! SQLite and on PostgreSQL. When half are acknowledged the server is killed (SIGKILL) and started
//! again on the same port and data; at three quarters it is stopped (SIGTERM) and started again.
//!
//! The 64 clients behave as the app does (`src-tauri/src/share.rs`): only 201 means stored; a
//! connection error, a 5xx or a 429 means "try again later", with the same bytes. Each client is
//! a phone with its own address (`X-Forwarded-For`, read with `--behind-proxy`). At the end every
//! upload must have been acknowledged, and the database must hold each diary exactly once, byte
//! for byte, with exactly one `diary_received` entry in the audit log, even for the uploads whose
//! answer was lost when the server was killed. While the portal is down, every diary it stored
//! must already have its entry (a phone may never come back to retry).
//!
//! Then, with the portal up: 250 uploads sent twice at once (an app retrying while its first try
//! is still being handled) must both be acknowledged; 100 acknowledged uploads sent again must be
//! acknowledged again (and add nothing); other bytes for an answered request must get 409.
//!
//! `STRESS_UPLOADS` changes the number of uploads (default 10 000). Figures go to stderr
//! (`cargo test -p portal --test stress -- --nocapture`).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use portal::authority::Authority;
use portal::store::{Backend, Db};
use support::nginx::Nginx;
use support::uploads::{insert, make_all, Upload};

on_both_backends!(uploads_survive_a_killed_and_a_stopped_server);

async fn uploads_survive_a_killed_and_a_stopped_server(backend: Backend) {
    stress(backend, false).await
}

/// The same through nginx (from Debian) alternating between two `portal serve` processes on one
/// PostgreSQL: the first process is killed and then stopped as above, and started again each
/// time, while the second serves throughout. `STRESS_UPLOADS` applies here too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_through_a_proxy_survive_one_of_two_processes_killed() {
    stress(Backend::Postgres, true).await
}

const CLIENTS: usize = 64;
/// An upload that has had no definite answer for this long is given up (and the test fails).
const GIVE_UP: Duration = Duration::from_secs(120);

fn uploads() -> usize {
    std::env::var("STRESS_UPLOADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn portal(database: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_portal"));
    // The data folder's own master key; the database the test chose.
    c.env_remove("PORTAL_MASTER_KEY").env_remove("DATABASE_URL");
    if let Some(url) = database {
        c.env("DATABASE_URL", url);
    }
    c.env("PORTAL_ADMIN_PASSWORD", support::PASSWORD);
    c
}

// ---------------------------------------------------------------------------------------------
// The server, as a child process

struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

/// Starts `portal serve` and waits until it listens (it prints its address once bound).
fn start(dir: &Path, database: Option<&str>, listen: &str, log: &Path) -> Server {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = portal(database)
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args(["--listen", listen, "--behind-proxy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("portal serve starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(
        line.starts_with("Portal: http://"),
        "portal serve did not start: {line:?} (exit: {:?})",
        child.try_wait()
    );
    Server { child, stdout }
}

impl Drop for Server {
    /// A failing test leaves no portal behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM: the portal finishes what it is doing and says it has stopped.
    fn stop(mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stdout, &mut rest).unwrap();
        assert!(status.success(), "portal serve after SIGTERM: {status}");
        assert!(rest.contains("The portal has stopped."), "{rest}");
    }
}

// ---------------------------------------------------------------------------------------------
// The phones

/// What one client saw.
#[derive(Default)]
struct Seen {
    /// Index of each upload acknowledged with 201, and the attempts it took.
    acknowledged: Vec<(usize, u32)>,
    /// Index, status and body of each upload refused for good.
    refused: Vec<(usize, u16, String)>,
    /// Uploads with no definite answer in time.
    given_up: Vec<usize>,
    /// Failed attempts by kind.
    errors: BTreeMap<&'static str, usize>,
    /// Uploads acknowledged after an attempt whose answer was lost (it may have been stored).
    after_lost_answer: usize,
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, &'static str> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused",
            _ => "connect failed",
        })?;
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| "handshake failed")?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

enum Attempt {
    Answer(u16, String),
    /// The request never left: retry at once.
    NotSent(&'static str),
    /// The request may have reached the portal, but no answer came.
    Lost(&'static str),
}

async fn attempt(
    sender: &mut Option<SendRequest<Full<Bytes>>>,
    addr: SocketAddr,
    phone: &str,
    upload: &Upload,
) -> Attempt {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        match connect(addr).await {
            Ok(s) => *sender = Some(s),
            Err(kind) => return Attempt::NotSent(kind),
        }
    }
    let s = sender.as_mut().unwrap();
    if s.ready().await.is_err() {
        *sender = None;
        return Attempt::NotSent("connection closed while idle");
    }
    let request = hyper::Request::post(format!("/api/v1/share-requests/{}/diary", upload.code))
        .header("host", addr.to_string())
        .header("content-type", "application/octet-stream")
        .header("x-forwarded-for", phone)
        .body(Full::new(upload.sealed.clone()))
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(60), async {
        let response = s.send_request(request).await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok::<_, hyper::Error>((status, body))
    })
    .await;
    match answer {
        Ok(Ok((status, body))) => {
            Attempt::Answer(status, String::from_utf8_lossy(&body).into_owned())
        }
        Ok(Err(e)) => {
            *sender = None;
            if e.is_canceled() {
                Attempt::NotSent("request not sent")
            } else if e.is_incomplete_message() {
                Attempt::Lost("connection closed before the answer")
            } else {
                Attempt::Lost("connection error")
            }
        }
        Err(_) => {
            *sender = None;
            Attempt::Lost("no answer in 60 s")
        }
    }
}

/// A phone with its own address and kept-alive connection.
struct Phone {
    me: String,
    addr: SocketAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
    seen: Seen,
}

impl Phone {
    fn new(me: String, addr: SocketAddr) -> Phone {
        Phone {
            me,
            addr,
            sender: None,
            seen: Seen::default(),
        }
    }

    /// Sends upload `i` until the portal gives a definite answer, as the app's retry does: the
    /// same bytes again after a connection error, a 5xx or a 429. True when it was stored.
    async fn deliver(&mut self, i: usize, upload: &Upload) -> bool {
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut lost = false;
        loop {
            attempts += 1;
            let wait = match attempt(&mut self.sender, self.addr, &self.me, upload).await {
                Attempt::Answer(201, _) => {
                    self.seen.acknowledged.push((i, attempts));
                    self.seen.after_lost_answer += usize::from(lost);
                    return true;
                }
                Attempt::Answer(status @ (429 | 500..=599), _) => {
                    *self.seen.errors.entry(kind_of(status)).or_default() += 1;
                    Duration::from_millis(100)
                }
                Attempt::Answer(status, body) => {
                    self.seen.refused.push((i, status, body));
                    return false;
                }
                Attempt::NotSent(kind) => {
                    *self.seen.errors.entry(kind).or_default() += 1;
                    Duration::from_millis(20)
                }
                Attempt::Lost(kind) => {
                    lost = true;
                    *self.seen.errors.entry(kind).or_default() += 1;
                    Duration::from_millis(20)
                }
            };
            if started.elapsed() > GIVE_UP {
                self.seen.given_up.push(i);
                return false;
            }
            tokio::time::sleep(wait).await;
        }
    }
}

/// Phone `w` takes the next upload below `end` until there are none.
async fn phone(
    w: usize,
    addr: SocketAddr,
    work: Arc<Vec<Upload>>,
    next: Arc<AtomicUsize>,
    end: usize,
    acknowledged: Arc<AtomicUsize>,
) -> Seen {
    let mut phone = Phone::new(format!("10.64.{w}.1"), addr);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            return phone.seen;
        }
        if phone.deliver(i, &work[i]).await {
            acknowledged.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The same upload sent twice at once, on two connections: an app that tries again while its
/// first try is still being handled (it timed out, or the citizen tapped twice).
async fn twice(w: usize, addr: SocketAddr, work: Arc<Vec<Upload>>, pairs: Vec<usize>) -> Seen {
    let mut a = Phone::new(format!("10.65.{w}.1"), addr);
    let mut b = Phone::new(format!("10.65.{w}.1"), addr);
    for i in pairs {
        let (x, y) = tokio::join!(a.deliver(i, &work[i]), b.deliver(i, &work[i]));
        // A pair counts as one upload, acknowledged when both tries were.
        if x && y {
            b.seen.acknowledged.pop();
        } else if x {
            a.seen.acknowledged.pop();
        } else if y {
            b.seen.acknowledged.pop();
        }
    }
    let mut seen = a.seen;
    seen.merge(b.seen);
    seen
}

impl Seen {
    fn merge(&mut self, other: Seen) {
        self.acknowledged.extend(other.acknowledged);
        self.refused.extend(other.refused);
        self.given_up.extend(other.given_up);
        self.after_lost_answer += other.after_lost_answer;
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
    }
}

fn kind_of(status: u16) -> &'static str {
    match status {
        429 => "429 throttled",
        500 => "500 internal",
        502 => "502",
        503 => "503",
        _ => "other 5xx",
    }
}

// ---------------------------------------------------------------------------------------------
// The test

struct Restart {
    how: &'static str,
    /// Acknowledged uploads when the signal was sent, and once the portal was down.
    when: usize,
    heard: usize,
    /// Requests answered in the database, and `diary_received` entries, while it was down.
    stored: i64,
    receipts: i64,
    down: Duration,
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

/// `behind_proxy`: two processes and nginx, the phones reaching the portal through nginx.
async fn stress(backend: Backend, behind_proxy: bool) {
    let n = uploads();
    let doubles = (n / 40).max(8);
    let begun = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("portal.log");
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(support::postgres().database().await),
    };
    let database = database.as_deref();
    // The phones' way in: the portal, or the proxy in front of its two processes.
    let port = support::free_port();
    let portal_url = format!("http://127.0.0.1:{port}");
    let (listen, second) = match behind_proxy {
        false => (format!("127.0.0.1:{port}"), None),
        true => (
            format!("127.0.0.1:{}", support::free_port()),
            Some(format!("127.0.0.1:{}", support::free_port())),
        ),
    };

    let out = portal(database)
        .args(["init", "--data-dir"])
        .arg(&data)
        .args(["--host", "yte.caobang.example", "--portal-url", &portal_url])
        .output()
        .unwrap();
    assert!(out.status.success(), "portal init: {out:?}");
    let authority = Authority::load(&data).unwrap();
    let url = database
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sqlite://{}", data.join("portal.db").display()));
    let db = Db::open(&url).await.unwrap();

    let t = Instant::now();
    let made = tokio::task::block_in_place(|| make_all(&authority, &portal_url, n + doubles));
    let sealing = t.elapsed();
    let t = Instant::now();
    insert(&db, &made).await;
    let inserting = t.elapsed();
    let work: Arc<Vec<Upload>> = Arc::new(
        made.into_iter()
            .map(|m| Upload {
                code: m.request.code,
                sealed: Bytes::from(m.sealed),
            })
            .collect(),
    );

    let mut server = Some(start(&data, database, &listen, &log));
    let _second = second
        .as_ref()
        .map(|other| start(&data, database, other, &log));
    // Round robin, request by request. The phones' own addresses go through as they came: each
    // stands for a phone reaching the proxy from its own address.
    let _nginx = second.as_ref().map(|other| {
        Nginx::start(
            dir.path(),
            port,
            &format!("upstream portal {{ server {listen}; server {other}; }}"),
            "location / { proxy_pass http://portal; \
             proxy_set_header X-Forwarded-For $http_x_forwarded_for; proxy_set_header Host $host; }",
        )
    });
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let phones: Vec<_> = (0..CLIENTS)
        .map(|w| {
            tokio::spawn(phone(
                w,
                addr,
                work.clone(),
                next.clone(),
                n,
                acknowledged.clone(),
            ))
        })
        .collect();

    // Half acknowledged: SIGKILL, in the middle of whatever the portal was doing. Three quarters:
    // SIGTERM. Each time the portal starts again on the same port and data.
    let mut restarts = Vec::new();
    for (at, how) in [(n / 2, "SIGKILL"), (n * 3 / 4, "SIGTERM")] {
        while acknowledged.load(Ordering::Relaxed) < at {
            assert!(
                !phones.iter().all(|p| p.is_finished()),
                "the phones stopped before {at} uploads were acknowledged"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let when = acknowledged.load(Ordering::Relaxed);
        let down = Instant::now();
        let s = server.take().unwrap();
        tokio::task::block_in_place(|| {
            if how == "SIGKILL" {
                s.kill();
            } else {
                s.stop();
            }
        });
        // With the portal down: what it stored that no phone has heard of yet, and whether each
        // stored diary already has its receipt in the audit log.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let heard = acknowledged.load(Ordering::Relaxed);
        // One statement, one snapshot: the other process may be storing meanwhile.
        let (stored, receipts): (i64, i64) =
            sqlx::query_as(&format!("SELECT ({ANSWERED}), ({RECEIPTS})"))
                .fetch_one(&db.pool)
                .await
                .unwrap();
        server = Some(tokio::task::block_in_place(|| {
            start(&data, database, &listen, &log)
        }));
        restarts.push(Restart {
            how,
            when,
            heard,
            stored,
            receipts,
            down: down.elapsed(),
        });
    }
    let mut seen = Seen::default();
    for p in phones {
        seen.merge(p.await.unwrap());
    }
    let uploading = t.elapsed();

    // The same upload twice at once, for requests of their own.
    let t = Instant::now();
    let pairs: Vec<_> = (0..CLIENTS / 2)
        .map(|w| {
            let mine = (n + w..n + doubles).step_by(CLIENTS / 2).collect();
            tokio::spawn(twice(w, addr, work.clone(), mine))
        })
        .collect();
    let mut seen_twice = Seen::default();
    for p in pairs {
        seen_twice.merge(p.await.unwrap());
    }
    let doubling = t.elapsed();

    // A phone that never heard the answer sends the same bytes again: stored, not refused. Other
    // bytes for an answered request: refused, and nothing changes.
    let mut again = Phone::new("10.66.0.1".into(), addr);
    for i in (0..n).step_by((n / 100).max(1)) {
        again.deliver(i, &work[i]).await;
    }
    let mut other = Phone::new("10.66.0.2".into(), addr);
    for i in (0..n).step_by((n / 10).max(1)) {
        let j = (i + 1) % n;
        let swapped = Upload {
            code: work[i].code.clone(),
            sealed: work[j].sealed.clone(),
        };
        other.deliver(i, &swapped).await;
    }
    tokio::task::block_in_place(|| server.take().unwrap().stop());

    // The figures, for the docs.
    let retried = seen.acknowledged.iter().filter(|(_, a)| *a > 1).count();
    let attempts: u64 = seen.acknowledged.iter().map(|(_, a)| u64::from(*a)).sum();
    let most = seen.acknowledged.iter().map(|(_, a)| *a).max().unwrap_or(0);
    let through = if behind_proxy {
        ", through nginx to two processes"
    } else {
        ""
    };
    eprintln!("stress ({backend:?}{through}): {n} uploads, {CLIENTS} clients");
    eprintln!(
        "  setup: signing and sealing {} requests {:.1} s ({} threads), inserting them {:.1} s",
        n + doubles,
        sealing.as_secs_f64(),
        std::thread::available_parallelism().map_or(2, |n| n.get()),
        inserting.as_secs_f64()
    );
    for r in &restarts {
        eprintln!(
            "  {} after {} acknowledged: portal back in {:.2} s; while down: {} acknowledged, {} \
             stored ({} whose answer was lost), {} receipts in the audit log",
            r.how,
            r.when,
            r.down.as_secs_f64(),
            r.heard,
            r.stored,
            r.stored - r.heard as i64,
            r.receipts
        );
    }
    eprintln!(
        "  uploading: {:.1} s ({:.0} uploads/s); acknowledged {} ({} after a retry, {} of them \
         after an answer lost in a restart; {attempts} attempts, at most {most} for one); \
         refused {}; given up {}",
        uploading.as_secs_f64(),
        n as f64 / uploading.as_secs_f64(),
        seen.acknowledged.len(),
        retried,
        seen.after_lost_answer,
        seen.refused.len(),
        seen.given_up.len()
    );
    eprintln!("  failed attempts by kind: {:?}", seen.errors);
    eprintln!(
        "  the same upload twice at once: {doubles} pairs in {:.1} s; both tries acknowledged \
         {}, one refused {} (first: {:?}), failed attempts {:?}",
        doubling.as_secs_f64(),
        seen_twice.acknowledged.len(),
        seen_twice.refused.len(),
        seen_twice.refused.first(),
        seen_twice.errors
    );
    eprintln!(
        "  sent again: {} of {} acknowledged; other bytes for an answered request: {} of {} \
         refused",
        again.seen.acknowledged.len(),
        again.seen.acknowledged.len() + again.seen.refused.len() + again.seen.given_up.len(),
        other.seen.refused.len(),
        other.seen.acknowledged.len() + other.seen.refused.len() + other.seen.given_up.len(),
    );
    let errors = std::fs::read_to_string(&log).unwrap_or_default();
    let logged: Vec<&str> = errors.lines().collect();
    eprintln!(
        "  portal stderr: {} lines{}",
        logged.len(),
        logged
            .iter()
            .take(5)
            .map(|l| format!("\n    {l}"))
            .collect::<String>()
    );
    eprintln!("  total: {:.1} s", begun.elapsed().as_secs_f64());

    // Every upload got a definite answer, and it was "stored", once.
    assert!(
        seen.refused.is_empty(),
        "refused for good: {} (first: {:?})",
        seen.refused.len(),
        seen.refused.first()
    );
    assert!(
        seen.given_up.is_empty(),
        "no definite answer: {}",
        seen.given_up.len()
    );
    let mut heard: Vec<usize> = seen.acknowledged.iter().map(|(i, _)| *i).collect();
    heard.sort_unstable();
    heard.dedup();
    assert_eq!(heard.len(), n, "every upload acknowledged");
    assert_eq!(seen.acknowledged.len(), n, "and once");
    // While the portal was down, each diary it had stored had its receipt already: a phone that
    // never comes back must not leave a diary without one.
    for r in &restarts {
        assert_eq!(
            r.receipts, r.stored,
            "after {}: {} diaries stored, {} receipts in the audit log",
            r.how, r.stored, r.receipts
        );
    }
    assert!(
        seen_twice.refused.is_empty() && seen_twice.given_up.is_empty(),
        "the same upload twice at once: {} refused (first: {:?}), {} given up",
        seen_twice.refused.len(),
        seen_twice.refused.first(),
        seen_twice.given_up.len()
    );
    assert_eq!(seen_twice.acknowledged.len(), doubles);
    assert!(again.seen.refused.is_empty() && again.seen.given_up.is_empty());
    assert!(other.seen.acknowledged.is_empty() && other.seen.given_up.is_empty());
    assert!(other
        .seen
        .refused
        .iter()
        .all(|(_, status, _)| *status == 409));

    // The database holds each diary once, exactly as it was sent, and nothing else.
    type Row = (String, Option<Vec<u8>>, Option<i64>, Option<String>);
    let rows: Vec<Row> =
        sqlx::query_as("SELECT code, sealed, answered_at, delivered_via FROM share_requests")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), n + doubles);
    let sent: HashMap<&str, &[u8]> = work
        .iter()
        .map(|u| (u.code.as_str(), &u.sealed[..]))
        .collect();
    let wrong: Vec<&str> = rows
        .iter()
        .filter(|(code, sealed, answered, via)| {
            sealed.as_deref() != sent.get(code.as_str()).copied()
                || answered.is_none()
                || via.as_deref() != Some("upload")
        })
        .map(|(code, ..)| code.as_str())
        .collect();
    assert!(
        wrong.is_empty(),
        "{} requests not answered with the bytes sent (first: {:?})",
        wrong.len(),
        wrong.first()
    );
    // One receipt in the audit log per diary: none lost in the kill, none added by a retry.
    let audit: Vec<(String, i64)> = sqlx::query_as(
        "SELECT target, COUNT(*) FROM audit_log WHERE action = 'diary_received' GROUP BY target",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let doubled: Vec<_> = audit.iter().filter(|(_, c)| *c != 1).collect();
    assert!(
        doubled.is_empty(),
        "{} diaries with more than one receipt (first: {:?})",
        doubled.len(),
        doubled.first()
    );
    assert_eq!(audit.len(), n + doubles, "one receipt per diary");
    assert!(audit
        .iter()
        .all(|(code, _)| sent.contains_key(code.as_str())));
    // Each from the phone's own address, as the proxy told it.
    let elsewhere = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'diary_received' \
         AND address NOT LIKE '10.64.%' AND address NOT LIKE '10.65.%'",
    )
    .await;
    assert_eq!(elsewhere, 0);
    db.close().await;
}

const ANSWERED: &str = "SELECT COUNT(*) FROM share_requests WHERE answered_at IS NOT NULL";
const RECEIPTS: &str = "SELECT COUNT(*) FROM audit_log WHERE action = 'diary_received'";
