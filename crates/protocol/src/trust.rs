//! The trust file: which authorities, and which of their keys, the app believes.
//!
//! ```json
//! { "format": "visit-diary-trust", "version": 1,
//!   "authorities": [ { "name": "Sở Y tế Cao Bằng", "portal_url": "https://…",
//!                      "keys": [ { "kid": "…16 hex…", "alg": "Ed25519", "public_key": "…base64url…" } ],
//!                      "door_keys": [ { "kid": "…", "alg": "X25519", "public_key": "…" } ] } ] }
//! ```
//!
//! A signing key may carry `not_after` (`YYYY-MM-DD`): a key retired by `portal keys rotate`,
//! whose venue codes, lists and requests are believed until that day (in Vietnam) and not after.
//!
//! `door_keys` (optional) are the keys venue mode seals personal cards and door entries to
//! (`door.rs`); an authority without one has no venue mode yet.
//!
//! `hosts` (optional) are the hosts the authority's venue codes name (`https://<host>/v/1#…`):
//! a code signed by the authority's key for any other host is refused, so one authority's key
//! cannot put its codes under another's address. A trust file from before has none, and then the
//! host is not checked.
//!
//! Each authority's name must be unique in the file: the phone keeps each authority's exposure
//! list and notices under its name.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::door::DoorKey;
use crate::foreign::nhs::NhsKey;
use crate::{Error, KeyId, Result};

pub const TRUST_FORMAT: &str = "visit-diary-trust";
pub const TRUST_VERSION: u32 = 1;

/// The parsed, checked trust file.
#[derive(Debug, Clone, Default)]
pub struct TrustList {
    pub authorities: Vec<Authority>,
    /// NHS COVID-19 poster keys by `kid`. Only real NHS keys belong in a shipped trust file; the
    /// NHS test key of the test vectors is for tests.
    pub nhs_keys: Vec<NhsKey>,
}

#[derive(Debug, Clone)]
pub struct Authority {
    pub name: String,
    pub portal_url: String,
    /// The hosts its venue codes name; empty: not checked (a trust file from before).
    pub hosts: Vec<String>,
    pub keys: Vec<TrustedKey>,
    /// The keys personal cards and door entries are sealed to (venue mode).
    pub door_keys: Vec<DoorKey>,
    /// The phone number citizens call with a question (the one its posters print): an alert's
    /// next steps name it. Digits, spaces, dots, hyphens and a leading `+`.
    pub hotline: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub kid: KeyId,
    pub key: VerifyingKey,
    /// A retired key's last day (in Vietnam): after it, nothing it signed is accepted. `None`
    /// for a key in use.
    pub not_after: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    format: String,
    version: u32,
    authorities: Vec<AuthorityFile>,
    #[serde(default, skip_serializing_if = "ForeignFile::is_empty")]
    foreign: ForeignFile,
}

/// Keys of other countries' systems.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ForeignFile {
    #[serde(default)]
    nhs_covid19: Vec<PemKeyFile>,
}

impl ForeignFile {
    fn is_empty(&self) -> bool {
        self.nhs_covid19.is_empty()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PemKeyFile {
    kid: String,
    pem: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityFile {
    name: String,
    portal_url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    hosts: Vec<String>,
    keys: Vec<KeyFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    door_keys: Vec<KeyFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hotline: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    kid: String,
    alg: String,
    public_key: String,
    /// A retired signing key's last day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not_after: Option<String>,
}

/// A phone number as people write one: 3 to 15 digits, grouped by spaces, dots or hyphens, a
/// leading `+` allowed (`1900 9095`, `0206 3852 123`, `+84 206 3852 123`). Nothing else, so a
/// trust file cannot put words of its own into an alert.
pub fn is_phone_number(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let body = text.strip_prefix('+').unwrap_or(text);
    (3..=15).contains(&digits)
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body.ends_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'))
}

impl TrustList {
    /// Reads a trust file. Every key's id must match the key, so a typo cannot make the app trust
    /// a key under a name it does not have.
    pub fn from_json(text: &str) -> Result<TrustList> {
        let file: TrustFile =
            serde_json::from_str(text).map_err(|e| Error::InvalidTrust(e.to_string()))?;
        if file.format != TRUST_FORMAT {
            return Err(Error::InvalidTrust(format!("format is {:?}", file.format)));
        }
        if file.version != TRUST_VERSION {
            return Err(Error::InvalidTrust(format!(
                "version {} is not read",
                file.version
            )));
        }
        let mut authorities = Vec::with_capacity(file.authorities.len());
        // One key under two names would let the app credit a code to the wrong authority.
        let mut seen = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for a in file.authorities {
            if !names.insert(a.name.clone()) {
                return Err(Error::InvalidTrust(format!(
                    "two authorities are named {:?}",
                    a.name
                )));
            }
            let mut hosts = Vec::with_capacity(a.hosts.len());
            for host in &a.hosts {
                match crate::venue::check_host(host) {
                    Some(checked) if &checked == host => hosts.push(checked),
                    _ => return Err(Error::InvalidTrust(format!("host {host:?}"))),
                }
            }
            let mut keys = Vec::with_capacity(a.keys.len());
            for k in a.keys {
                if k.alg != "Ed25519" {
                    return Err(Error::InvalidTrust(format!("key algorithm {:?}", k.alg)));
                }
                let bytes = URL_SAFE_NO_PAD
                    .decode(&k.public_key)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| Error::InvalidTrust(format!("key {} is not 32 bytes", k.kid)))?;
                let key = VerifyingKey::from_bytes(&bytes).map_err(|_| {
                    Error::InvalidTrust(format!("key {} is not a valid key", k.kid))
                })?;
                let kid = KeyId::of(&key);
                if !seen.insert(kid) {
                    return Err(Error::InvalidTrust(format!("key {kid} is listed twice")));
                }
                if KeyId::parse_hex(&k.kid) != Some(kid) {
                    return Err(Error::InvalidTrust(format!(
                        "key id {} does not match its key (expected {kid})",
                        k.kid
                    )));
                }
                let not_after = match &k.not_after {
                    None => None,
                    Some(day) => {
                        Some(NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                            Error::InvalidTrust(format!("key {kid}: not_after {day:?} is no date"))
                        })?)
                    }
                };
                keys.push(TrustedKey {
                    kid,
                    key,
                    not_after,
                });
            }
            let mut door_keys = Vec::with_capacity(a.door_keys.len());
            for k in a.door_keys {
                if k.alg != "X25519" {
                    return Err(Error::InvalidTrust(format!(
                        "door key algorithm {:?}",
                        k.alg
                    )));
                }
                let public = URL_SAFE_NO_PAD
                    .decode(&k.public_key)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| {
                        Error::InvalidTrust(format!("door key {} is not 32 bytes", k.kid))
                    })?;
                let key = DoorKey::new(public);
                if !seen.insert(key.kid) {
                    return Err(Error::InvalidTrust(format!(
                        "key {} is listed twice",
                        key.kid
                    )));
                }
                if KeyId::parse_hex(&k.kid) != Some(key.kid) {
                    return Err(Error::InvalidTrust(format!(
                        "door key id {} does not match its key (expected {})",
                        k.kid, key.kid
                    )));
                }
                door_keys.push(key);
            }
            if let Some(hotline) = &a.hotline {
                if !is_phone_number(hotline) {
                    return Err(Error::InvalidTrust(format!("hotline {hotline:?}")));
                }
            }
            authorities.push(Authority {
                name: a.name,
                portal_url: a.portal_url,
                hosts,
                keys,
                door_keys,
                hotline: a.hotline,
            });
        }
        let nhs_keys = file
            .foreign
            .nhs_covid19
            .iter()
            .map(|k| NhsKey::from_pem(&k.kid, &k.pem))
            .collect::<Result<Vec<_>>>()?;
        let mut nhs_kids = std::collections::HashSet::new();
        if let Some(twice) = nhs_keys.iter().find(|k| !nhs_kids.insert(&k.kid)) {
            return Err(Error::InvalidTrust(format!(
                "NHS key {:?} is listed twice",
                twice.kid
            )));
        }
        Ok(TrustList {
            authorities,
            nhs_keys,
        })
    }

    /// Writes the trust file for one authority with the given public keys.
    pub fn to_json(&self) -> String {
        let file = TrustFile {
            format: TRUST_FORMAT.to_owned(),
            version: TRUST_VERSION,
            authorities: self
                .authorities
                .iter()
                .map(|a| AuthorityFile {
                    name: a.name.clone(),
                    portal_url: a.portal_url.clone(),
                    hosts: a.hosts.clone(),
                    keys: a
                        .keys
                        .iter()
                        .map(|k| KeyFile {
                            kid: k.kid.to_string(),
                            alg: "Ed25519".to_owned(),
                            public_key: URL_SAFE_NO_PAD.encode(k.key.as_bytes()),
                            not_after: k.not_after.map(|d| d.format("%Y-%m-%d").to_string()),
                        })
                        .collect(),
                    door_keys: a
                        .door_keys
                        .iter()
                        .map(|k| KeyFile {
                            kid: k.kid.to_string(),
                            alg: "X25519".to_owned(),
                            public_key: URL_SAFE_NO_PAD.encode(k.public),
                            not_after: None,
                        })
                        .collect(),
                    hotline: a.hotline.clone(),
                })
                .collect(),
            foreign: ForeignFile {
                nhs_covid19: self
                    .nhs_keys
                    .iter()
                    .map(|k| PemKeyFile {
                        kid: k.kid.clone(),
                        pem: k.pem(),
                    })
                    .collect(),
            },
        };
        let mut text = serde_json::to_string_pretty(&file).expect("trust file serialises");
        text.push('\n');
        text
    }

    /// The authority whose door key has this id, if trusted, and the key.
    pub fn door_key(&self, kid: &KeyId) -> Option<(&Authority, &DoorKey)> {
        self.authorities
            .iter()
            .find_map(|a| a.door_keys.iter().find(|k| &k.kid == kid).map(|k| (a, k)))
    }

    /// The authority and key with this id, if trusted.
    pub fn find(&self, kid: &KeyId) -> Option<(&Authority, &TrustedKey)> {
        self.authorities
            .iter()
            .find_map(|a| a.keys.iter().find(|k| &k.kid == kid).map(|k| (a, k)))
    }
}

impl TrustedKey {
    pub fn new(key: VerifyingKey) -> TrustedKey {
        TrustedKey {
            kid: KeyId::of(&key),
            key,
            not_after: None,
        }
    }

    /// A key retired after `not_after`: what it signed is accepted until that day, and not after.
    pub fn retired(key: VerifyingKey, not_after: NaiveDate) -> TrustedKey {
        TrustedKey {
            not_after: Some(not_after),
            ..TrustedKey::new(key)
        }
    }

    /// Whether the key may still be believed on `today` (the day in Vietnam).
    pub fn check_on(&self, today: NaiveDate) -> Result<()> {
        match self.not_after {
            Some(until) if today > until => Err(Error::KeyRetired {
                kid: self.kid,
                until,
            }),
            _ => Ok(()),
        }
    }
}

/// The day in Vietnam at `now` (Unix seconds), the day keys and codes are valid by.
pub(crate) fn vietnam_day(now: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&crate::share::request_zone())
        .date_naive()
}
