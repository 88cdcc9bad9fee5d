//! What the app crate's tests share: a real SQLCipher diary in a temporary folder with an
//! in-memory key store and the test authority of `test-support`, a second authority, and a fake
//! portal behind [`app::Http`].
#![allow(dead_code, unused_imports)]

pub mod sharing;

use std::sync::Mutex;

use app::{Answer, Http, Portals};
use chrono::{DateTime, TimeZone, Utc};
use diary::{Diary, KeyStore};
use ed25519_dalek::SigningKey;
use protocol::{Authority, TrustList, TrustedKey};
pub use test_support::{
    authority_key as authority, trust, MemoryStore, AUTHORITY, PORTAL_URL as PORTAL,
};

pub const OTHER_AUTHORITY: &str = "Sở Y tế Bắc Kạn";
pub const OTHER_PORTAL: &str = "https://yte.backan.example";

pub fn other_authority() -> SigningKey {
    test_support::key(8)
}

pub fn stranger() -> SigningKey {
    test_support::key(9)
}

/// Two trusted authorities, each with its own portal.
pub fn trust_two() -> TrustList {
    let mut trust = trust();
    trust.authorities.push(Authority {
        name: OTHER_AUTHORITY.into(),
        portal_url: OTHER_PORTAL.into(),
        hosts: Vec::new(),
        keys: vec![TrustedKey::new(other_authority().verifying_key())],
        door_keys: Vec::new(),
        hotline: None,
    });
    trust
}

/// 28 November 2026 at `h:m` UTC.
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, m, 0).unwrap()
}

/// A new diary in a temporary folder, its key in `store`; the folder goes with the returned
/// guard.
pub async fn diary_in(store: &MemoryStore, trust: TrustList) -> (tempfile::TempDir, Diary) {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust, Some(store as &dyn KeyStore))
        .await
        .unwrap();
    (dir, diary)
}

/// One request that reached the fake portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: &'static str,
    pub url: String,
    pub if_none_match: Option<String>,
    pub limit: Option<u64>,
}

/// What the fake portal answers: a status, an ETag and a body, or why no answer came.
pub type Reply = Result<(u16, Option<String>, String), String>;

/// How the fake portal answers: given the method, the URL and the `If-None-Match` sent, and how
/// many times that method and URL came before.
type Answering = dyn Fn(&str, &str, Option<&str>, usize) -> Reply + Send + Sync;

/// A portal in the test's process.
pub struct FakePortal {
    answer: Box<Answering>,
    pub seen: Mutex<Vec<Seen>>,
    /// The bodies of the POSTs, in order.
    pub bodies: Mutex<Vec<Vec<u8>>>,
}

impl FakePortal {
    pub fn new(
        answer: impl Fn(&str, &str, Option<&str>, usize) -> Reply + Send + Sync + 'static,
    ) -> FakePortal {
        FakePortal {
            answer: Box::new(answer),
            seen: Mutex::default(),
            bodies: Mutex::default(),
        }
    }

    fn reply(
        &self,
        method: &'static str,
        url: &str,
        if_none_match: Option<&str>,
        limit: Option<u64>,
    ) -> Reply {
        let mut seen = self.seen.lock().unwrap();
        let before = seen
            .iter()
            .filter(|s| s.method == method && s.url == url)
            .count();
        seen.push(Seen {
            method,
            url: url.to_owned(),
            if_none_match: if_none_match.map(str::to_owned),
            limit,
        });
        drop(seen);
        (self.answer)(method, url, if_none_match, before)
    }

    /// Every POST that reached the portal, by URL.
    pub fn posts(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.method == "POST")
            .map(|s| s.url.clone())
            .collect()
    }

    pub fn portals<'a>(&'a self, trust: &'a TrustList) -> Portals<'a, FakePortal> {
        Portals { trust, http: self }
    }
}

impl Http for FakePortal {
    async fn get(
        &self,
        url: &str,
        if_none_match: Option<&str>,
        limit: u64,
    ) -> Result<Answer, String> {
        let (status, etag, body) = self.reply("GET", url, if_none_match, Some(limit))?;
        // As the real client: only a 200 answer's body is read, up to the limit.
        let body = match status {
            200 if body.len() as u64 > limit => Err("the answer is longer than the limit".into()),
            200 => Ok(body),
            _ => Ok(String::new()),
        };
        Ok(Answer { status, etag, body })
    }

    async fn post(&self, url: &str, body: Vec<u8>) -> Result<u16, String> {
        self.bodies.lock().unwrap().push(body);
        self.reply("POST", url, None, None)
            .map(|(status, _, _)| status)
    }
}

/// A JSON answer as the portal writes it around a signed text.
pub fn answer(format: &str, signed: &str) -> String {
    String::from_utf8(protocol::answer::write_answer(format, signed.to_owned())).unwrap()
}

pub fn ok(body: String) -> Reply {
    Ok((200, None, body))
}

pub fn status(status: u16) -> Reply {
    Ok((status, None, "{}".into()))
}

/// A venue code signed by the trusted authority for a market whose venue id is sixteen bytes
/// of `n`.
pub fn venue_code(name: &str, n: u8) -> String {
    test_support::code(name, n)
}
