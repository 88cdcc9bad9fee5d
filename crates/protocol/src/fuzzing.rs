//! For the fuzz targets only (feature `fuzzing`): sign or seal whatever bytes the fuzzer makes,
//! so that mutations reach the readers' content parsers instead of stopping at a signature or
//! an authentication tag. Only the fuzz targets and the protocol's own tests enable it.

use ed25519_dalek::SigningKey;

/// `payload` signed as a share request's content would be, as the portal serves it.
pub fn sign_share_request_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::share::REQUEST_AAD, key)
}

/// `payload` signed as a door request's content would be, as the portal serves it.
pub fn sign_door_request_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::door_request::AAD, key)
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

/// `payload` signed as an exposure list's content would be, as the portal serves it.
pub fn sign_exposure_list_content(payload: &[u8], key: &SigningKey) -> String {
    signed(payload, crate::exposure::LIST_AAD, key)
}

fn signed(payload: &[u8], aad: &[u8], key: &SigningKey) -> String {
    use base64::Engine;
    let bytes = crate::cose::sign(payload.to_vec(), aad, key).expect("a COSE_Sign1 encodes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `plaintext` sealed for `request_id` to the department's `public` key, as the app seals a
/// diary's JSON.
pub fn seal_diary_plaintext(
    plaintext: &[u8],
    request_id: &[u8; 16],
    public: &[u8; 32],
    random: [u8; 32],
) -> Vec<u8> {
    crate::share::seal_bytes(plaintext, request_id, public, random).expect("the key is valid")
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
