//! The authority's keys and settings in the data folder.
//!
//! `authority.json` holds the name, host, portal address and the unit list in use;
//! `authority.key` the Ed25519 signing seed, `department.key` the X25519 key that opens shared
//! diaries and `door.key` the X25519 key that opens personal cards and venue mode's entries, all
//! sealed under the master key (see `keys`); `trust.json` what the app must trust.

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem, Serializable};
use protocol::{Authority as TrustedAuthority, KeyId, TrustList, TrustedKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::io;
use crate::keys::{self, Kind, MasterKey};
use crate::units::Edition;
use crate::{Error, Result};

pub const KEY_FILE: &str = "authority.key";
pub const DEPARTMENT_KEY_FILE: &str = "department.key";
pub const DOOR_KEY_FILE: &str = "door.key";
pub const CONFIG_FILE: &str = "authority.json";
pub const TRUST_FILE: &str = "trust.json";

type HpkeKem = hpke::kem::X25519HkdfSha256;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The department's name as citizens read it.
    pub name: String,
    /// The host written into venue codes.
    pub host: String,
    /// Where the app and staff reach the portal. Session cookies are `Secure` when it is https.
    pub portal_url: String,
    /// The GSO code of the province the portal serves (Cao Bằng is 4).
    #[serde(default = "default_province")]
    pub province: u32,
    /// Which official list of units venues are registered under.
    #[serde(default)]
    pub units: Edition,
    /// The phone apps that answer this host's venue links (app links, universal links), for the
    /// `/.well-known` files; none until the deployment names them in `authority.json`.
    #[serde(default, skip_serializing_if = "Apps::is_empty")]
    pub apps: Apps,
    /// How many days an answer to a share request (a diary or a door's guestbook) is kept after
    /// it came, with its request's own key; then both are deleted (`domain::retention`).
    #[serde(default = "default_retention_days")]
    pub diary_retention_days: u32,
    /// What the department prints on posters and on its report file, beyond its name.
    #[serde(default, skip_serializing_if = "Department::is_empty")]
    pub department: Department,
}

/// The department's print details in `authority.json`, each optional: a poster or a report
/// without one leaves its line out or says what a department usually writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// The body above the department in a letterhead ("UBND TỈNH CAO BẰNG"); by default
    /// "UBND" and the province's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The department's abbreviation in a document's number ("SYT" in "Số: …/BC-SYT").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abbreviation: Option<String>,
    /// Who signs a report ("GIÁM ĐỐC", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"); by default "GIÁM ĐỐC".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The phone number citizens call with a question, printed on posters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotline: Option<String>,
    /// Where citizens get the app, as a poster prints it ("Tải trên CH Play và App Store").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_the_app: Option<String>,
    /// A logo for the posters' header: an SVG file, relative to the data folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<PathBuf>,
}

impl Department {
    pub fn is_empty(&self) -> bool {
        *self == Department::default()
    }
}

/// The deployment's phone apps, as the platforms' link-verification files name them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apps {
    /// The Android package (`org.visitdiary.app`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android_package: Option<String>,
    /// The SHA-256 fingerprints of the certificates the Android app is signed with
    /// (`AB:CD:…`, as `keytool` prints them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub android_sha256: Vec<String>,
    /// The iOS app ids, `TEAMID.bundle.id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apple_app_ids: Vec<String>,
}

impl Apps {
    pub fn is_empty(&self) -> bool {
        self.android_package.is_none()
            && self.android_sha256.is_empty()
            && self.apple_app_ids.is_empty()
    }
}

fn default_province() -> u32 {
    4
}

fn default_retention_days() -> u32 {
    crate::domain::retention::DEFAULT_DAYS
}

/// An HPKE key pair (RFC 9180, DHKEM X25519 HKDF-SHA256): the department's, which opens shared
/// diaries, or the door key, which opens what venue mode seals.
pub struct DepartmentKey {
    pub public: [u8; 32],
    secret: Zeroizing<[u8; 32]>,
}

impl DepartmentKey {
    fn generate() -> DepartmentKey {
        let mut ikm = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(ikm.as_mut());
        DepartmentKey::derive(&ikm)
    }

    /// The key pair RFC 9180's DeriveKeyPair makes from `ikm` (32 random bytes in use; fixed
    /// bytes in tests).
    pub fn derive(ikm: &[u8; 32]) -> DepartmentKey {
        let (secret, public) = HpkeKem::derive_keypair(ikm);
        DepartmentKey::from_parts(&public.to_bytes(), &secret.to_bytes())
            .expect("a derived key pair has the right sizes")
    }

    fn from_parts(public: &[u8], secret: &[u8]) -> Option<DepartmentKey> {
        let public: [u8; 32] = public.try_into().ok()?;
        let secret: [u8; 32] = secret.try_into().ok()?;
        // The public key must be the one the private key gives.
        let private = <HpkeKem as Kem>::PrivateKey::from_bytes(&secret).ok()?;
        if HpkeKem::sk_to_pk(&private).to_bytes().as_slice() != public {
            return None;
        }
        Some(DepartmentKey {
            public,
            secret: Zeroizing::new(secret),
        })
    }

    pub fn key_id(&self) -> KeyId {
        KeyId::of_department(&self.public)
    }

    /// The key's id as a door key (`door.key`), which venue mode's formats name.
    pub fn key_id_as_door(&self) -> KeyId {
        KeyId::of_door(&self.public)
    }

    /// The private key's bytes, for opening shared diaries.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.secret.clone()
    }
}

/// The keys made for each request: one HPKE key pair per share request (a citizen's or a
/// door's), whose private key is kept in the request's row sealed under the master key. A diary
/// then opens only with its own request's key: a key that leaks opens one request's answer, not
/// every diary ever shared, and deleting a request's key deletes the only way to open its answer.
/// Requests made before this kept the department key, which still opens theirs.
pub struct RequestKeys(MasterKey);

/// Where a request key's errors point: the column it is kept in.
const REQUEST_KEY_COLUMN: &str = "share_requests.request_key";

impl RequestKeys {
    pub fn new(master: MasterKey) -> RequestKeys {
        RequestKeys(master)
    }

    /// A new key pair for a request, from 32 bytes of `rng`, and its private key sealed as the
    /// request's row keeps it.
    pub fn make(
        &self,
        rng: &mut (impl rand::RngCore + rand::CryptoRng),
    ) -> (DepartmentKey, String) {
        let mut ikm = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(ikm.as_mut());
        let key = DepartmentKey::derive(&ikm);
        let sealed = keys::seal(&self.0, Kind::RequestHpke, &key.public, key.secret.as_ref());
        (key, sealed)
    }

    /// A temporary password sealed for the page that shows it once, bound to `context` (the
    /// admin's session and the account): kept in the database, so that any portal process can
    /// show it, and unreadable there without the master key.
    pub fn seal_password(&self, context: &str, password: &str) -> String {
        keys::seal(
            &self.0,
            Kind::HandoverPassword,
            context.as_bytes(),
            password.as_bytes(),
        )
    }

    /// A password sealed by [`RequestKeys::seal_password`] for this `context`; `None` for any
    /// other context, or if it does not open.
    pub fn open_password(&self, context: &str, sealed: &str) -> Option<Zeroizing<String>> {
        let (public, secret) = keys::open(
            &self.0,
            Kind::HandoverPassword,
            sealed,
            Path::new("password_handovers"),
        )
        .ok()?;
        if public != context.as_bytes() {
            return None;
        }
        String::from_utf8(secret.to_vec()).ok().map(Zeroizing::new)
    }

    /// A request's key pair from its row's sealed text; `None` if it does not open under this
    /// master key.
    pub fn open(&self, sealed: &str) -> Option<DepartmentKey> {
        let (public, secret) = keys::open(
            &self.0,
            Kind::RequestHpke,
            sealed,
            Path::new(REQUEST_KEY_COLUMN),
        )
        .ok()?;
        DepartmentKey::from_parts(&public, &secret)
    }
}

pub struct Authority {
    pub settings: Settings,
    pub key: SigningKey,
    /// The department key: opens what was sealed for requests made before each request had a
    /// key of its own.
    pub department: DepartmentKey,
    /// The door key; a data folder from before venue mode has none until `init` runs again.
    pub door: Option<DepartmentKey>,
    pub requests: RequestKeys,
    /// The next signing key's public half, made by `portal keys next` (see `rotation`).
    pub next: Option<ed25519_dalek::VerifyingKey>,
    /// Signing keys retired by `portal keys rotate`, each with its last day.
    pub retired: Vec<TrustedKey>,
    /// The data folder it was loaded from (empty for one made in memory): `venues.jsonl` there
    /// names the venues `portal venue-code make` signed, which are not in the registry.
    pub dir: PathBuf,
}

impl Authority {
    /// The private key that opens the answer to a request: its own key (`request_key`, as its
    /// row keeps it), or the department key for a request made before requests had their own.
    /// `None` when the request's key does not open.
    pub fn request_secret(&self, request_key: Option<&str>) -> Option<Zeroizing<[u8; 32]>> {
        match request_key {
            Some(sealed) => Some(self.requests.open(sealed)?.secret_bytes()),
            None => Some(self.department.secret_bytes()),
        }
    }
}

/// What `init` did, step by step.
#[derive(Debug, Default)]
pub struct InitReport {
    pub settings_created: bool,
    pub master_key_created: bool,
    pub signing_key_created: bool,
    pub department_key_created: bool,
    pub door_key_created: bool,
    /// An `authority.key` from before keys were sealed was sealed in place (same key).
    pub signing_key_sealed: bool,
    pub trust_created: bool,
    /// The door key was added to an existing trust file.
    pub trust_door_key_added: bool,
    /// The department's hotline in the settings differs from the trust file's: written there.
    pub trust_hotline_updated: bool,
    /// The settings' hotline is not one phone number (posters print it as it is), so the trust
    /// file, which the app refuses with anything else in it, leaves it out.
    pub hotline_not_in_trust: Option<String>,
    /// The existing trust file does not list this authority's signing key, so the door key could
    /// not be added to its entry.
    pub trust_lacks_authority: bool,
}

impl Authority {
    /// Makes what is missing of an authority in `dir`. Existing keys are never replaced: each
    /// key file is written once, and a folder where `init` stopped half-way is completed by the
    /// next `init`.
    pub fn init(dir: &Path, settings: Settings) -> Result<InitReport> {
        if protocol::venue::check_host(&settings.host).as_deref() != Some(settings.host.as_str()) {
            return Err(Error::InvalidHost(settings.host));
        }
        fs::create_dir_all(dir).map_err(io(dir))?;
        let mut report = InitReport::default();
        let config_path = dir.join(CONFIG_FILE);
        if !config_path.exists() {
            crate::units::UnitList::load(settings.units, settings.province)?;
            let config = serde_json::to_string_pretty(&settings).expect("settings serialise");
            fs::write(&config_path, config + "\n").map_err(io(&config_path))?;
            report.settings_created = true;
        }
        let key_path = dir.join(KEY_FILE);
        let department_path = dir.join(DEPARTMENT_KEY_FILE);
        // A master key is made only while nothing is sealed yet (a key from before sealing is
        // plain and will be sealed below); otherwise a missing master key is an error.
        let signing_sealed = match fs::read_to_string(&key_path) {
            Ok(text) => legacy_seed(&text).is_none(),
            Err(_) => key_path.exists(),
        };
        let any_key = signing_sealed || department_path.exists();
        let master_existed = std::env::var_os(keys::MASTER_KEY_ENV).is_some()
            || dir.join(keys::MASTER_KEY_FILE).exists();
        let master = MasterKey::find(dir, !any_key)?;
        report.master_key_created = !master_existed;

        match fs::read_to_string(&key_path) {
            Ok(text) => {
                if let Some(seed) = legacy_seed(&text) {
                    let key = SigningKey::from_bytes(&seed);
                    let sealed = keys::seal(
                        &master,
                        Kind::AuthoritySigning,
                        key.verifying_key().as_bytes(),
                        seed.as_ref(),
                    );
                    keys::replace_private(&key_path, &sealed)?;
                    report.signing_key_sealed = true;
                } else {
                    open_signing(&master, &text, &key_path)?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                new_signing_key(&master, &key_path)?;
                report.signing_key_created = true;
            }
            Err(e) => return Err(io(key_path)(e)),
        }
        match fs::read_to_string(&department_path) {
            Ok(text) => {
                open_department(&master, &text, &department_path)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = DepartmentKey::generate();
                let sealed = keys::seal(
                    &master,
                    Kind::DepartmentHpke,
                    &key.public,
                    key.secret.as_ref(),
                );
                keys::write_private(&department_path, &sealed)?;
                report.department_key_created = true;
            }
            Err(e) => return Err(io(department_path)(e)),
        }
        let door_path = dir.join(DOOR_KEY_FILE);
        match fs::read_to_string(&door_path) {
            Ok(text) => {
                open_door(&master, &text, &door_path)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = DepartmentKey::generate();
                let sealed = keys::seal(&master, Kind::DoorHpke, &key.public, key.secret.as_ref());
                keys::write_private(&door_path, &sealed)?;
                report.door_key_created = true;
            }
            Err(e) => return Err(io(door_path)(e)),
        }
        let trust_path = dir.join(TRUST_FILE);
        let authority = Authority::load(dir)?;
        if !trust_path.exists() {
            fs::write(&trust_path, authority.trust().to_json()).map_err(io(&trust_path))?;
            report.trust_created = true;
        } else {
            match add_door_key(&trust_path, &authority)? {
                DoorInTrust::Added => report.trust_door_key_added = true,
                DoorInTrust::AuthorityMissing => report.trust_lacks_authority = true,
                DoorInTrust::AlreadyThere => {}
            }
            report.trust_hotline_updated = set_hotline(&trust_path, &authority)?;
        }
        report.hotline_not_in_trust = authority
            .settings
            .department
            .hotline
            .clone()
            .filter(|_| authority.trust_hotline().is_none());
        Ok(report)
    }

    pub fn load(dir: &Path) -> Result<Authority> {
        let key_path = dir.join(KEY_FILE);
        let text = match fs::read_to_string(&key_path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotInitialised(dir.to_owned()))
            }
            Err(e) => return Err(io(key_path)(e)),
        };
        if legacy_seed(&text).is_some() {
            return Err(Error::KeyNotSealed(key_path));
        }
        let config_path = dir.join(CONFIG_FILE);
        let config = fs::read_to_string(&config_path).map_err(io(&config_path))?;
        let settings = parse_settings(&config_path, &config)?;
        let master = MasterKey::find(dir, false)?;
        let key = open_signing(&master, &text, &key_path)?;
        let department_path = dir.join(DEPARTMENT_KEY_FILE);
        let department_text = match fs::read_to_string(&department_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotInitialised(dir.to_owned()))
            }
            Err(e) => return Err(io(department_path)(e)),
        };
        let department = open_department(&master, &department_text, &department_path)?;
        let door_path = dir.join(DOOR_KEY_FILE);
        let door = match fs::read_to_string(&door_path) {
            Ok(text) => Some(open_door(&master, &text, &door_path)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(door_path)(e)),
        };
        let next = crate::rotation::next_public(dir, &master)?;
        Ok(Authority {
            settings,
            key,
            department,
            door,
            requests: RequestKeys::new(master),
            next,
            retired: crate::rotation::retired(dir)?,
            dir: dir.to_owned(),
        })
    }

    /// The department's hotline as the trust file carries it: one phone number, else none.
    pub fn trust_hotline(&self) -> Option<String> {
        self.settings
            .department
            .hotline
            .as_deref()
            .map(str::trim)
            .filter(|h| protocol::trust::is_phone_number(h))
            .map(str::to_owned)
    }

    /// The trust file the app needs to believe this authority.
    pub fn trust(&self) -> TrustList {
        TrustList {
            nhs_keys: Vec::new(),
            authorities: vec![TrustedAuthority {
                name: self.settings.name.clone(),
                portal_url: self.settings.portal_url.clone(),
                hosts: vec![self.settings.host.clone()],
                // The signing key, the next one (believed before it signs), the retired ones.
                keys: std::iter::once(TrustedKey::new(self.key.verifying_key()))
                    .chain(self.next.map(TrustedKey::new))
                    .chain(self.retired.iter().cloned())
                    .collect(),
                door_keys: self
                    .door
                    .iter()
                    .map(|k| protocol::door::DoorKey::new(k.public))
                    .collect(),
                hotline: self.trust_hotline(),
            }],
        }
    }
}

/// Reads the trust file in `dir`.
/// The settings in a data folder, if it has them (a folder may hold only a trust file).
pub fn settings_in(dir: &Path) -> Result<Option<Settings>> {
    let path = dir.join(CONFIG_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => parse_settings(&path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

fn parse_settings(path: &Path, text: &str) -> Result<Settings> {
    serde_json::from_str(text).map_err(|e| Error::DamagedConfig(path.to_owned(), e.to_string()))
}

pub fn load_trust(dir: &Path) -> Result<TrustList> {
    let path: PathBuf = dir.join(TRUST_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotInitialised(dir.to_owned()))
        }
        Err(e) => return Err(io(path)(e)),
    };
    Ok(TrustList::from_json(&text)?)
}

/// The seed of an `authority.key` written before keys were sealed (64 hex digits).
fn legacy_seed(text: &str) -> Option<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
    let seed: [u8; 32] = bytes.as_slice().try_into().ok()?;
    Some(Zeroizing::new(seed))
}

/// Makes a signing key and writes it to `path` (where there is none yet), sealed under the
/// master key, through a temporary file and a rename so that a crash leaves no half-written key;
/// returns its public half.
pub(crate) fn new_signing_key(master: &MasterKey, path: &Path) -> Result<VerifyingKey> {
    let mut seed = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(seed.as_mut());
    let key = SigningKey::from_bytes(&seed);
    let sealed = keys::seal(
        master,
        Kind::AuthoritySigning,
        key.verifying_key().as_bytes(),
        seed.as_ref(),
    );
    keys::replace_private(path, &sealed)?;
    Ok(key.verifying_key())
}

/// An Ed25519 signing key sealed under the master key, checked against its public half.
pub(crate) fn open_signing(master: &MasterKey, text: &str, path: &Path) -> Result<SigningKey> {
    let (public, secret) = keys::open(master, Kind::AuthoritySigning, text, path)?;
    let seed: [u8; 32] = secret
        .as_slice()
        .try_into()
        .map_err(|_| Error::DamagedKey(path.to_owned()))?;
    let key = SigningKey::from_bytes(&seed);
    if key.verifying_key().as_bytes().as_slice() != public.as_slice() {
        return Err(Error::DamagedKey(path.to_owned()));
    }
    Ok(key)
}

fn open_department(master: &MasterKey, text: &str, path: &Path) -> Result<DepartmentKey> {
    let (public, secret) = keys::open(master, Kind::DepartmentHpke, text, path)?;
    DepartmentKey::from_parts(&public, &secret).ok_or_else(|| Error::DamagedKey(path.to_owned()))
}

fn open_door(master: &MasterKey, text: &str, path: &Path) -> Result<DepartmentKey> {
    let (public, secret) = keys::open(master, Kind::DoorHpke, text, path)?;
    DepartmentKey::from_parts(&public, &secret).ok_or_else(|| Error::DamagedKey(path.to_owned()))
}

enum DoorInTrust {
    Added,
    AlreadyThere,
    AuthorityMissing,
}

/// Adds the authority's door key to its entry in an existing trust file (one made before venue
/// mode), keeping everything else in it. The file is replaced through a temporary file and a
/// rename, so a crash leaves the old file or the new one.
fn add_door_key(path: &Path, authority: &Authority) -> Result<DoorInTrust> {
    let Some(door) = &authority.door else {
        return Ok(DoorInTrust::AlreadyThere);
    };
    let text = fs::read_to_string(path).map_err(io(path))?;
    let mut trust = TrustList::from_json(&text)?;
    let signing = KeyId::of(&authority.key.verifying_key());
    let door = protocol::door::DoorKey::new(door.public);
    let Some(entry) = trust
        .authorities
        .iter_mut()
        .find(|a| a.keys.iter().any(|k| k.kid == signing))
    else {
        return Ok(DoorInTrust::AuthorityMissing);
    };
    if entry.door_keys.contains(&door) {
        return Ok(DoorInTrust::AlreadyThere);
    }
    entry.door_keys.push(door);
    replace_file(path, &trust.to_json())?;
    Ok(DoorInTrust::Added)
}

/// Writes the department's hotline from the settings into this authority's entry of the trust
/// file at `path`, if it differs; whether it did.
fn set_hotline(path: &Path, authority: &Authority) -> Result<bool> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    let mut trust = TrustList::from_json(&text)?;
    let signing = KeyId::of(&authority.key.verifying_key());
    let hotline = &authority.trust_hotline();
    let Some(entry) = trust
        .authorities
        .iter_mut()
        .find(|a| a.keys.iter().any(|k| k.kid == signing))
    else {
        return Ok(false);
    };
    if &entry.hotline == hotline {
        return Ok(false);
    }
    entry.hotline = hotline.clone();
    replace_file(path, &trust.to_json())?;
    Ok(true)
}

/// Replaces a (public) file of the data folder through a temporary file and a rename, so a crash
/// leaves the old file or the new one.
pub(crate) fn replace_file(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(io(path))
}
