//! `vd-bench upload`: 64 phones sending sealed diaries to the portal at once, each diary to its
//! own share request, until every one is sent; each phone on its own kept-alive connection and
//! with its own address (`X-Forwarded-For`, which the portal reads with `--behind-proxy`).
//!
//! wrk and oha replay one body, and a share request is answered once, so they cannot make this
//! load. The client is a single thread of tokio tasks over hyper's HTTP/1.1 connection, so that
//! it takes as little of the machine's two cores from the portal as it can.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

struct Upload {
    code: String,
    body: Bytes,
}

#[derive(Default)]
struct Tally {
    latencies_ms: Vec<f64>,
    statuses: BTreeMap<u16, usize>,
    socket_errors: usize,
}

/// Sends every `CODE.vdshare` in `dir` to the portal at `addr`, `connections` at a time.
pub async fn run(addr: SocketAddr, dir: &Path, connections: usize) -> Value {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("the sealed diaries' folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    let uploads: Vec<Upload> = files
        .iter()
        .map(|path| Upload {
            code: path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a code")
                .to_owned(),
            body: Bytes::from(std::fs::read(path).expect("a sealed diary")),
        })
        .collect();
    let queue = Arc::new(Mutex::new(uploads.into_iter().enumerate()));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let phones: Vec<_> = (0..connections)
        .map(|phone| {
            let (queue, tally) = (queue.clone(), tally.clone());
            tokio::spawn(async move {
                let mut sender: Option<SendRequest<Full<Bytes>>> = None;
                loop {
                    let Some((i, upload)) = queue.lock().expect("queue").next() else {
                        break;
                    };
                    let began = Instant::now();
                    let status = send(&mut sender, addr, phone, i, &upload).await;
                    let ms = began.elapsed().as_secs_f64() * 1000.0;
                    let mut tally = tally.lock().expect("tally");
                    match status {
                        Some(status) => {
                            tally.latencies_ms.push(ms);
                            *tally.statuses.entry(status).or_default() += 1;
                        }
                        None => tally.socket_errors += 1,
                    }
                }
            })
        })
        .collect();
    for phone in phones {
        phone.await.expect("a phone");
    }
    let seconds = start.elapsed().as_secs_f64();
    let tally = std::mem::take(&mut *tally.lock().expect("tally"));
    let mut latencies = tally.latencies_ms;
    latencies.sort_by(|a, b| a.total_cmp(b));
    assert!(!latencies.is_empty(), "no upload was answered");
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    json!({
        "requests": latencies.len(),
        "seconds": seconds,
        "throughput_per_s": latencies.len() as f64 / seconds,
        "p50_ms": at(0.5),
        "p90_ms": at(0.9),
        "p99_ms": at(0.99),
        "socket_errors": tally.socket_errors,
        "non_2xx": tally.statuses.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(_, n)| n).sum::<usize>(),
        "statuses": tally.statuses.iter().map(|(s, n)| (s.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "client": format!("{connections} connections from one thread (vd-bench upload, hyper)"),
    })
}

/// One upload on the phone's connection (made again if it closed); the answer's status, or
/// `None` if no answer came (the upload is not retried: a lost answer is counted as an error).
async fn send(
    sender: &mut Option<SendRequest<Full<Bytes>>>,
    addr: SocketAddr,
    phone: usize,
    i: usize,
    upload: &Upload,
) -> Option<u16> {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        stream.set_nodelay(true).ok()?;
        let (s, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .ok()?;
        tokio::spawn(connection);
        *sender = Some(s);
    }
    let sender = sender.as_mut()?;
    sender.ready().await.ok()?;
    let request = hyper::Request::post(format!("/api/v1/share-requests/{}/diary", upload.code))
        .header(hyper::header::HOST, addr.to_string())
        .header(hyper::header::CONTENT_TYPE, "application/octet-stream")
        .header(
            "x-forwarded-for",
            format!("10.{phone}.{}.{}", i / 250, i % 250),
        )
        .body(Full::new(upload.body.clone()))
        .expect("a request");
    let answer = sender.send_request(request).await.ok()?;
    let status = answer.status().as_u16();
    answer.into_body().collect().await.ok()?;
    Some(status)
}
