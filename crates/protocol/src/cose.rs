//! What every signed format here shares: a COSE_Sign1 that re-encodes to the same bytes, with
//! only a protected header naming EdDSA and an 8-byte key id, and a payload; verified with
//! `verify_strict` against the trusted key with that id.

use ciborium::Value;
use coset::{iana, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder};
use ed25519_dalek::{Signature, Signer, SigningKey};

use crate::{Authority, Error, KeyId, Result, TrustList, TrustedKey};

pub(crate) struct Signed {
    pub kid: KeyId,
    /// The protected header's content type, when it has one (formats from version 2 on name
    /// themselves there; see [`sign_typed`]).
    pub content_type: Option<String>,
    pub sign1: CoseSign1,
}

impl Signed {
    pub fn payload(&self) -> &[u8] {
        self.sign1.payload.as_deref().unwrap_or_default()
    }
}

/// Signs `payload` with external AAD `aad`: a COSE_Sign1 whose protected header names EdDSA and
/// the key's id, as [`decode`] reads it.
pub(crate) fn sign(
    payload: Vec<u8>,
    aad: &[u8],
    key: &SigningKey,
) -> std::result::Result<Vec<u8>, coset::CoseError> {
    sign_typed(payload, aad, None, key)
}

/// [`sign`], with the format's content type in the protected header when given. Formats from
/// version 2 on carry one: a signature made for one format then names it in the signed bytes
/// themselves, besides in the external AAD, so no other format's reader can take it.
pub(crate) fn sign_typed(
    payload: Vec<u8>,
    aad: &[u8],
    content_type: Option<&str>,
    key: &SigningKey,
) -> std::result::Result<Vec<u8>, coset::CoseError> {
    let kid = KeyId::of(&key.verifying_key());
    let mut header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.0.to_vec());
    if let Some(content_type) = content_type {
        header = header.content_type(content_type.to_owned());
    }
    CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload)
        .create_signature(aad, |tbs| key.sign(tbs).to_bytes().to_vec())
        .build()
        .to_vec()
}

/// Checks the shape of a COSE_Sign1; an error says what is wrong, in words.
pub(crate) fn decode(bytes: &[u8]) -> std::result::Result<Signed, &'static str> {
    let sign1 =
        CoseSign1::from_slice(bytes).map_err(|_| "the payload is not a COSE_Sign1 structure")?;
    // The COSE structure must re-encode to the same bytes. (The protected header and the content
    // are signed; each content's own encoding is checked by its reader.)
    if sign1.clone().to_vec().ok().as_deref() != Some(bytes) {
        return Err("the payload is not canonically encoded");
    }
    if !sign1.unprotected.is_empty() {
        return Err("unexpected unprotected header");
    }
    let header = &sign1.protected.header;
    if header.alg
        != Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA,
        ))
    {
        return Err("the signature algorithm is not EdDSA");
    }
    let kid = KeyId::from_slice(&header.key_id).ok_or("the key id is not 8 bytes")?;
    if sign1.payload.is_none() {
        return Err("the payload is missing");
    }
    let content_type = match &header.content_type {
        None => None,
        Some(coset::RegisteredLabel::Text(text)) => Some(text.clone()),
        Some(_) => return Err("the content type is not one of this system's"),
    };
    Ok(Signed {
        kid,
        content_type,
        sign1,
    })
}

/// Verifies the signature (with external AAD `aad`) against the trusted key the header names,
/// a key not retired before `now` (Unix seconds) when given; returns the authority that holds it
/// and the key.
pub(crate) fn verify<'t>(
    signed: &Signed,
    aad: &[u8],
    trust: &'t TrustList,
    now: Option<i64>,
) -> Result<(&'t Authority, &'t TrustedKey)> {
    let kid = signed.kid;
    let (authority, key) = trust.find(&kid).ok_or(Error::UnknownKey { kid })?;
    signed.sign1.verify_signature(aad, |sig, data| {
        let sig = Signature::from_slice(sig).map_err(|_| Error::BadSignature)?;
        key.key
            .verify_strict(data, &sig)
            .map_err(|_| Error::BadSignature)
    })?;
    if let Some(now) = now {
        key.check_on(crate::trust::vietnam_day(now))?;
    }
    Ok((authority, key))
}

/// The entries of a signed content: exactly one CBOR map, in the one encoding the signing side
/// writes (no trailing bytes, no other spelling of the same values).
pub(crate) fn canonical_map(
    bytes: &[u8],
) -> std::result::Result<Vec<(Value, Value)>, &'static str> {
    let value: Value = ciborium::from_reader(bytes).map_err(|_| "the content is not CBOR")?;
    let mut again = Vec::new();
    ciborium::into_writer(&value, &mut again).expect("writing CBOR to a Vec cannot fail");
    if again != bytes {
        return Err("the content is not canonically encoded");
    }
    match value {
        Value::Map(entries) => Ok(entries),
        _ => Err("the content is not a map"),
    }
}

/// The fields of a signed content whose keys are the integers 0, 1, 2, … in order, each read by
/// its kind; anything else is `NotShareRequest` (the signed requests' malformed error).
pub(crate) struct Fields(Vec<(Value, Value)>);

impl Fields {
    /// The content `bytes`, which must have exactly `count` fields.
    pub fn read(bytes: &[u8], count: usize) -> Result<Fields> {
        let entries = canonical_map(bytes).map_err(malformed)?;
        if entries.len() != count {
            return Err(malformed("the content has the wrong fields"));
        }
        Ok(Fields(entries))
    }

    fn field(&self, k: u64) -> Result<&Value> {
        let (key, value) = &self.0[k as usize];
        (key.as_integer() == Some(k.into()))
            .then_some(value)
            .ok_or_else(|| malformed("the fields are out of order"))
    }

    pub fn int(&self, k: u64) -> Result<i64> {
        self.field(k)?
            .as_integer()
            .and_then(|i| i64::try_from(i).ok())
            .ok_or_else(|| malformed("a number field"))
    }

    pub fn text(&self, k: u64) -> Result<String> {
        self.field(k)?
            .as_text()
            .map(str::to_owned)
            .ok_or_else(|| malformed("a text field"))
    }

    pub fn bytes(&self, k: u64) -> Result<Vec<u8>> {
        self.field(k)?
            .as_bytes()
            .cloned()
            .ok_or_else(|| malformed("a bytes field"))
    }

    /// Field `k` as exactly `N` bytes (`what` names it in the error).
    pub fn array<const N: usize>(&self, k: u64, what: &str) -> Result<[u8; N]> {
        self.bytes(k)?.try_into().map_err(|_| malformed(what))
    }

    /// The format version in field 0, which must be `version`.
    pub fn version(&self, version: u64) -> Result<()> {
        let found = self.int(0)?;
        if found != version as i64 {
            return Err(Error::UnsupportedVersion(found as u64));
        }
        Ok(())
    }
}

pub(crate) fn malformed(what: &str) -> Error {
    Error::NotShareRequest(what.to_owned())
}

/// A signed request (a share request, a door request) as it travels: `content` signed with
/// external AAD `aad`, in base64url.
pub(crate) fn sign_request(content: Value, aad: &[u8], key: &SigningKey) -> Result<String> {
    use base64::Engine;
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    let bytes = sign(payload, aad, key)
        .map_err(|e| Error::InvalidShareRequest(format!("cannot encode: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A signed request read: its signature (external AAD `aad`) against the trusted authorities,
/// its content by `parse`, still open at `now` (Unix seconds) by its `expires`, and uploading only
/// to the signing authority's own portal. Returns the request, its authority and the key's id.
pub(crate) fn read_request<'t, T>(
    text: &str,
    aad: &[u8],
    trust: &'t TrustList,
    now: i64,
    parse: impl FnOnce(&[u8]) -> Result<T>,
    expires_and_upload: impl FnOnce(&T) -> (i64, &str),
) -> Result<(T, &'t Authority, KeyId)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| malformed("not base64url"))?;
    let signed = decode(&bytes).map_err(malformed)?;
    let (authority, _) = verify(&signed, aad, trust, Some(now))?;
    let request = accept_request(signed.payload(), authority, now, parse, expires_and_upload)?;
    Ok((request, authority, signed.kid))
}

/// The content of a request `authority` signed, once its signature verified: parsed, still open
/// at `now`, and answered only on that authority's own portal.
pub(crate) fn accept_request<T>(
    content: &[u8],
    authority: &Authority,
    now: i64,
    parse: impl FnOnce(&[u8]) -> Result<T>,
    expires_and_upload: impl FnOnce(&T) -> (i64, &str),
) -> Result<T> {
    let request = parse(content)?;
    let (expires, upload_url) = expires_and_upload(&request);
    if now >= expires {
        return Err(Error::ShareRequestExpired);
    }
    // What answers it goes only to the portal of the authority that signed it.
    let portal = authority.portal_url.trim_end_matches('/');
    if !upload_url.starts_with(&format!("{portal}/")) {
        return Err(Error::UploadElsewhere(upload_url.to_owned()));
    }
    Ok(request)
}
