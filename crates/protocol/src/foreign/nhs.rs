//! NHS COVID-19 (England and Wales): `UKC19TRACING:<version>:<JWS compact>`. The JWS header is
//! `{alg: ES256, kid}`; the payload `{id, opn, pc?, vt?}`; the signature ES256 (P-256, raw
//! `r || s`) over `header.payload`. Keys come from the trust file, chosen by `kid`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;

use super::{check_shown_text, clean};
use crate::{Error, Result};

pub const PREFIX: &str = "UKC19TRACING:";

/// A configured NHS poster key.
#[derive(Debug, Clone)]
pub struct NhsKey {
    pub kid: String,
    pub key: VerifyingKey,
}

impl NhsKey {
    /// The key as SubjectPublicKeyInfo PEM.
    pub fn pem(&self) -> String {
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        self.key
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
    }

    /// Reads a SubjectPublicKeyInfo PEM, as the NHS app's tests and configuration hold them.
    pub fn from_pem(kid: &str, pem: &str) -> Result<NhsKey> {
        use p256::pkcs8::DecodePublicKey;
        let key = VerifyingKey::from_public_key_pem(pem).map_err(|_| {
            Error::InvalidTrust(format!("NHS key {kid:?} is not a P-256 public key"))
        })?;
        Ok(NhsKey {
            kid: kid.to_owned(),
            key,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NhsVenue {
    /// The poster's 8-character id.
    pub id: String,
    pub name: String,
    pub postcode: Option<String>,
    pub venue_type: Option<String>,
    pub kid: String,
    /// `true` when the signature checked out under a configured key; `false` when the `kid` is
    /// not configured (a bad signature under a configured key is an error instead).
    pub verified: bool,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    id: String,
    opn: String,
    pc: Option<String>,
    vt: Option<String>,
}

pub fn read(text: &str, keys: &[NhsKey]) -> Result<NhsVenue> {
    let text = text.trim();
    let rest = text.strip_prefix(PREFIX).ok_or(Error::NotVenueCode)?;
    let mut parts = rest.split(':');
    let (Some(version), Some(jws), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Error::Malformed(
            "an NHS code has exactly a version and a token".into(),
        ));
    };
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Malformed(
            "the NHS code version is not a number".into(),
        ));
    }
    match version.parse::<u64>() {
        Ok(1) => {}
        Ok(0) | Err(_) => return Err(Error::Malformed("the NHS code version is not valid".into())),
        Ok(other) => return Err(Error::UnsupportedVersion(other)),
    }
    let segments: Vec<&str> = jws.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = segments[..] else {
        return Err(Error::Malformed(
            "the NHS token does not have three parts".into(),
        ));
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| Error::Malformed(format!("the NHS token's {what} is not base64url")))
    };
    let header: Header = serde_json::from_slice(&decode(header_b64, "header")?)
        .map_err(|_| Error::Malformed("the NHS token's header is not JSON".into()))?;
    if header.alg != "ES256" {
        return Err(Error::Malformed(format!(
            "the NHS token's algorithm {:?} is not ES256",
            header.alg
        )));
    }
    let kid = header
        .kid
        .ok_or_else(|| Error::Malformed("the NHS token names no key".into()))?;
    let payload: Payload = serde_json::from_slice(&decode(payload_b64, "payload")?)
        .map_err(|_| Error::Malformed("the NHS token's payload is not the expected JSON".into()))?;
    // Even when the key is unknown, the code must carry a well-formed ES256 signature to be kept.
    let signature = Signature::from_slice(&decode(signature_b64, "signature")?).map_err(|_| {
        Error::Malformed("the NHS token's signature is not an ES256 signature".into())
    })?;
    check_shown_text("key id", &kid, 64)?;

    let verified = match keys.iter().find(|k| k.kid == kid) {
        Some(key) => {
            let signed = &jws[..header_b64.len() + 1 + payload_b64.len()];
            key.key
                .verify(signed.as_bytes(), &signature)
                .map_err(|_| Error::BadSignature)?;
            true
        }
        None => false,
    };
    let venue = NhsVenue {
        id: clean(&payload.id),
        name: clean(&payload.opn),
        postcode: payload.pc.map(|p| clean(&p)).filter(|p| !p.is_empty()),
        venue_type: payload.vt.map(|v| clean(&v)).filter(|v| !v.is_empty()),
        kid,
        verified,
    };
    check_shown_text("poster id", &venue.id, 32)?;
    check_shown_text("name", &venue.name, 200)?;
    if let Some(postcode) = &venue.postcode {
        check_shown_text("postcode", postcode, 16)?;
    }
    if let Some(venue_type) = &venue.venue_type {
        check_shown_text("venue type", venue_type, 64)?;
    }
    Ok(venue)
}
