//! For the fuzz targets only (feature `fuzzing`): sign or seal whatever bytes the fuzzer makes,
//! so that mutations reach the readers' content parsers instead of stopping at a signature or
//! an authentication tag. Only the fuzz targets and the protocol's own tests enable it.

use ed25519_dalek::SigningKey;

/// `payload` signed as a share request's content would be, as the portal serves it.
pub fn sign_share_request_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::share::REQUEST_AAD, key)
}

/// `request` as portals before version 2 signed it (version 1: whole days, fields 6 and 7 the
/// first and last day since 1970-01-01), for the tests of the upgrade. Its span must begin and
/// end at midnight in Vietnam's time.
pub fn sign_share_request_v1(request: &crate::ShareRequest, key: &SigningKey) -> String {
    use ciborium::Value;
    let (first, last) = crate::share::span_days(request.from, request.to);
    assert_eq!(
        crate::share::whole_days(first, last),
        (request.from, request.to),
        "a version 1 request asks for whole days"
    );
    let day = |d: chrono::NaiveDate| (d - chrono::NaiveDate::default()).num_days();
    let content = Value::Map(vec![
        (0.into(), 1.into()),
        (1.into(), Value::Bytes(request.id.to_vec())),
        (2.into(), Value::Text(request.code.clone())),
        (3.into(), Value::Text(request.department.clone())),
        (4.into(), Value::Bytes(request.department_key.to_vec())),
        (5.into(), Value::Bytes(request.department_key_id.0.to_vec())),
        (6.into(), day(first).into()),
        (7.into(), day(last).into()),
        (8.into(), Value::Text(request.purpose.clone())),
        (9.into(), request.expires.into()),
        (10.into(), Value::Text(request.upload_url.clone())),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    sign_share_request_content(&payload, key)
}

/// `payload` signed as a door request's content would be, as the portal serves it.
pub fn sign_door_request_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::door_request::AAD, key)
}

/// `payload` signed as a co-sign request is, whatever it holds.
pub fn sign_cosign_request_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::cosign::REQUEST_AAD, key)
}

/// `plaintext` sealed for `request_id` to the department's `public` key, as a door seals its
/// guestbook's CBOR.
pub fn seal_guestbook_plaintext(
    plaintext: &[u8],
    request_id: &[u8; 16],
    public: &[u8; 32],
    random: [u8; 32],
) -> Vec<u8> {
    crate::share::seal_with(
        crate::door_request::HPKE_INFO,
        crate::door_request::SEALED_GUESTBOOK_VERSION,
        plaintext,
        request_id,
        public,
        random,
    )
    .expect("the key is valid")
}

/// `payload` signed as an exposure list's content would be, as the portal serves it (version 2).
pub fn sign_exposure_list_content(payload: &[u8], key: &SigningKey) -> String {
    sign_cose(
        payload,
        crate::exposure::LIST_AAD,
        Some(crate::exposure::LIST_CONTENT_TYPE),
        key,
    )
}

/// `list` as portals before version 2 signed it (version 1: no end of validity, no withdrawn
/// venues), for the tests of the upgrade.
pub fn sign_exposure_list_v1(list: &crate::exposure::ExposureList, key: &SigningKey) -> String {
    use ciborium::Value;
    let notices = Value::Array(list.notices.iter().map(|n| n.to_cbor()).collect());
    let content = Value::Map(vec![
        (0.into(), 1.into()),
        (1.into(), list.sequence.into()),
        (2.into(), list.issued.into()),
        (3.into(), list.base.map_or(Value::Null, Value::from)),
        (4.into(), notices),
        (
            5.into(),
            Value::Array(list.retracted.iter().map(|id| (*id).into()).collect()),
        ),
    ]);
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).expect("writing CBOR to a Vec cannot fail");
    signed(&payload, crate::exposure::LIST_AAD_V1, key)
}

/// `payload` signed with external AAD `aad` and, when given, `content_type` in the protected
/// header: any format's signature, right or wrong, for the tests of domain separation.
pub fn sign_cose(
    payload: &[u8],
    aad: &[u8],
    content_type: Option<&str>,
    key: &SigningKey,
) -> String {
    use base64::Engine;
    let bytes = crate::cose::sign_typed(payload.to_vec(), aad, content_type, key)
        .expect("a COSE_Sign1 encodes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn signed(payload: &[u8], aad: &[u8], key: &SigningKey) -> String {
    use base64::Engine;
    let bytes = crate::cose::sign(payload.to_vec(), aad, key).expect("a COSE_Sign1 encodes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A diary's version 2 plaintext (compact CBOR, padded), every place written out.
pub fn diary_plaintext_v2(diary: &crate::SharedDiary) -> Vec<u8> {
    crate::compact::encode(diary, &|_| false)
}

/// `plaintext` sealed for the request `answering` names to the department's `public` key as the
/// app seals its compact CBOR for it (padded or not, as given): version 3 for a version 2
/// request, version 2 for a version 1 request.
pub fn seal_diary_plaintext_v2(
    plaintext: &[u8],
    answering: &crate::share::Answering,
    public: &[u8; 32],
    random: [u8; 32],
) -> Vec<u8> {
    let version = if answering.version == 1 { 2 } else { 3 };
    crate::share::seal_plaintext(version, plaintext, answering, public, random)
        .expect("the key is valid")
}

/// `plaintext` sealed for `request_id` to the department's `public` key, as apps before version
/// 2 sealed a diary's JSON (version 1).
pub fn seal_diary_plaintext(
    plaintext: &[u8],
    request_id: &[u8; 16],
    public: &[u8; 32],
    random: [u8; 32],
) -> Vec<u8> {
    let answering = crate::share::Answering {
        id: *request_id,
        hash: [0; 32],
        version: 1,
    };
    crate::share::seal_plaintext(1, plaintext, &answering, public, random)
        .expect("the key is valid")
}

/// `plaintext` sealed to a door key as a contact card's content would be, as the card's text.
pub fn seal_card_plaintext(
    plaintext: &[u8],
    key: &crate::door::DoorKey,
    random: [u8; 32],
) -> String {
    crate::door::seal_card_bytes(plaintext, key, random).expect("the key is valid")
}

/// `plaintext` sealed to a door key as an entry recorded at `venue` at `time_in` would be.
pub fn seal_entry_plaintext(
    plaintext: &[u8],
    venue: &uuid::Uuid,
    time_in: i64,
    key: &crate::door::DoorKey,
    random: [u8; 32],
) -> Vec<u8> {
    crate::door::seal_entry_bytes(plaintext, venue, time_in, key, random).expect("the key is valid")
}

/// A diary sealed and opened behind one key agreement made beforehand: the HPKE contexts of the
/// sender and the department for one request, set up once, so that each run of a fuzz target
/// pays for ChaCha20-Poly1305 and the diary's parser, not for X25519. What it opens goes through
/// the same reading as [`crate::open_diary`] after the key agreement. The two contexts count
/// their messages (each is a nonce); sealing and opening one message in each call keeps them in
/// step.
pub struct PrecomputedDiary {
    sender: hpke::aead::AeadCtxS<
        hpke::aead::ChaCha20Poly1305,
        hpke::kdf::HkdfSha256,
        hpke::kem::X25519HkdfSha256,
    >,
    receiver: crate::share::Receiver,
    version: u8,
    bound: Vec<u8>,
    request_id: [u8; 16],
}

impl PrecomputedDiary {
    /// The key agreement for a diary answering `answering` (a version 1 request's diary in
    /// version 1, JSON, when `json`), sealed to the department's `public` key and opened with its
    /// `secret`.
    pub fn new(
        answering: &crate::share::Answering,
        json: bool,
        public: &[u8; 32],
        secret: &[u8; 32],
        random: [u8; 32],
    ) -> Self {
        use hpke::{Deserializable, Serializable};
        use rand_chacha::rand_core::SeedableRng;
        let (version, info, binding) = if json {
            (1, crate::share::HPKE_INFO, answering.id.to_vec())
        } else {
            crate::share::sealing_for(answering)
        };
        let bound = crate::share::bound_to(info, &binding);
        let recipient = <hpke::kem::X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(public)
            .expect("the key is valid");
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(random);
        let (encapped, sender) = hpke::setup_sender::<
            hpke::aead::ChaCha20Poly1305,
            hpke::kdf::HkdfSha256,
            hpke::kem::X25519HkdfSha256,
            _,
        >(&hpke::OpModeS::Base, &recipient, &bound, &mut rng)
        .expect("the key is valid");
        let mut sealed = vec![version];
        sealed.extend_from_slice(&encapped.to_bytes());
        sealed.extend_from_slice(&[0; 16]);
        let (receiver, _) = crate::share::receiver(info, version, &sealed, &binding, secret)
            .expect("the key is valid");
        PrecomputedDiary {
            sender,
            receiver,
            version,
            bound,
            request_id: answering.id,
        }
    }

    /// `plaintext` sealed, then opened and read as a sealed diary of this version.
    pub fn seal_and_open(&mut self, plaintext: &[u8]) -> crate::Result<crate::SharedDiary> {
        let ciphertext = self
            .sender
            .seal(plaintext, &self.bound)
            .expect("a context seals 2^96 messages");
        let opened = crate::share::open_sealed(&mut self.receiver, &ciphertext, &self.bound)
            .expect("what was just sealed opens");
        crate::share::read_diary(self.version, &opened, &self.request_id)
    }
}

/// A share request's CBOR content read as [`crate::read_share_request`] reads it once the
/// signature verified, as signed by the first authority in `trust` (no Ed25519 at all).
pub fn read_share_request_content(
    content: &[u8],
    trust: &crate::TrustList,
    now: i64,
) -> crate::Result<crate::VerifiedShareRequest> {
    let authority = &trust.authorities[0];
    let (request, version) = crate::cose::accept_request(
        content,
        authority,
        now,
        crate::share::parse_request,
        crate::share::expiry_and_upload,
    )?;
    Ok(crate::VerifiedShareRequest {
        request,
        authority: authority.name.clone(),
        portal_url: authority.portal_url.clone(),
        key_id: authority.keys[0].kid,
        version,
        hash: crate::share::sha256(content),
    })
}

/// An exposure list's CBOR content (version 2) read as [`crate::exposure::read_exposure_list`]
/// reads it once the signature verified (no Ed25519 at all).
pub fn read_exposure_list_content(
    content: &[u8],
    last: Option<crate::exposure::Accepted>,
    now: i64,
) -> crate::Result<crate::exposure::ExposureList> {
    crate::exposure::read_content(2, content, last, now)
}
