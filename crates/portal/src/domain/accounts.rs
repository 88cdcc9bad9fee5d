//! Staff accounts: roles, user names and passwords, sessions and their tokens. Randomness comes
//! in as an argument (the web server and the command line pass the system's generator).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

/// A session ends after this long without a request…
pub const IDLE_SECONDS: i64 = 30 * 60;
/// …and in any case this long after sign-in.
pub const ABSOLUTE_SECONDS: i64 = 12 * 3600;
/// A live session's last request is written down at most this often.
pub const TOUCH_SECONDS: i64 = 60;
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 256;
/// The longest user name worth looking up at sign-in (names are at most 32 characters).
pub const MAX_TYPED_NAME: usize = 64;
/// A display name's length at most.
const MAX_DISPLAY_NAME: usize = 100;

/// The staff roles. A person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages staff accounts and reads the audit log.
    Admin,
    /// Registers venues and prints their posters.
    Registrar,
    /// Works on cases (share requests, exposure notices).
    Tracer,
    /// Reads the roll-out reports.
    Reporter,
    /// Approves a tracer's exposure notice before it reaches any phone (the second pair of
    /// eyes), and may draft one for a venue outside a case's visits, saying why.
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Registrar,
        Role::Tracer,
        Role::Reporter,
        Role::Supervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrar => "registrar",
            Role::Tracer => "tracer",
            Role::Reporter => "reporter",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The roles stored as `admin,tracer`; unknown names are dropped.
    pub fn list(text: &str) -> Vec<Role> {
        text.split(',')
            .filter_map(|r| Role::parse(r.trim()))
            .collect()
    }

    pub fn join(roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// 32 random bytes as base64url: session tokens, CSRF tokens, import job ids.
pub fn random_token(rng: &mut (impl RngCore + CryptoRng)) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a session token: its SHA-256, so a copy of the database opens no
/// session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Argon2id, version 19, m = 19 MiB, t = 2, p = 1: the OWASP recommendation. Tens of
/// milliseconds on purpose; the web server runs it away from its async workers.
pub fn hash_password(password: &str, rng: &mut (impl RngCore + CryptoRng)) -> String {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing a password of bounded length")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A temporary password for a new or reset account: 16 characters from an alphabet without look-
/// alike letters, in groups of four (80 bits).
pub fn temporary_password(rng: &mut (impl RngCore + CryptoRng)) -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Words a staff password must not lean on besides its owner's names: what Vietnamese users
/// often type as a password (they are not in the estimator's English lists), and this service.
const GUESSABLE_WORDS: &[&str] = &[
    "matkhau",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "iloveyou",
    "vietnam",
    "caobang",
    "hanoi",
    "saigon",
    "hochiminh",
    "soyte",
    "yte",
    "nhatky",
    "raovao",
    "visitdiary",
    "portal",
    "admin",
];

/// Why a new password is refused, as a message id: too short or long, or guessable (a common
/// password, a keyboard row, a repeat, a date, or built on `names`, its owner's user and
/// display names), as the zxcvbn estimator scores it below "safely unguessable".
pub fn password_problem(password: &str, names: &[&str]) -> Option<&'static str> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Some("password-too-short");
    }
    if n > MAX_PASSWORD_CHARS {
        return Some("password-too-long");
    }
    // A name as typed, and as a password would carry it: without accents or spaces, and each
    // word of it ("Nguyễn Thị Lan" as "nguyenthilan", "nguyen", "lan").
    let mut words: Vec<String> = GUESSABLE_WORDS.iter().map(|w| (*w).to_owned()).collect();
    for name in names {
        let folded = protocol::text::fold(name);
        words.push(folded.replace(' ', ""));
        words.extend(folded.split(' ').filter(|w| w.len() > 1).map(str::to_owned));
    }
    words.retain(|w| !w.is_empty());
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    (u8::from(estimate.score()) < 3).then_some("password-guessable")
}

/// A user name: 3 to 32 lower-case letters, digits, dots, hyphens or underscores.
pub fn username_problem(name: &str) -> Option<&'static str> {
    let ok = (3..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    (!ok).then_some("username-invalid")
}

/// A user name as typed at sign-in: trimmed, lower case, no longer than any name can be.
pub fn typed_username(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .take(MAX_TYPED_NAME)
        .collect()
}

/// Why a display name is refused, as a message id (the name as cleaned).
pub fn display_name_problem(name: &str) -> Option<&'static str> {
    (name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME).then_some("display-name-invalid")
}

/// Whether a session made at `created` and last used at `last_seen` is still alive at `now`.
pub fn session_alive(created: i64, last_seen: i64, account_active: bool, now: i64) -> bool {
    account_active && now - last_seen <= IDLE_SECONDS && now - created <= ABSOLUTE_SECONDS
}

/// What a form for staff accounts asks; each problem is a field and a message id.
pub fn account_problems(display_name: &str, roles: &[Role]) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if let Some(p) = display_name_problem(display_name) {
        problems.push(("display_name", p));
    }
    if roles.is_empty() {
        problems.push(("roles", "roles-required"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn roles_round_trip_and_unknown_names_are_dropped() {
        let roles = [Role::Admin, Role::Tracer];
        assert_eq!(Role::join(&roles), "admin,tracer");
        assert_eq!(Role::list("admin, tracer,root"), roles);
    }

    #[test]
    fn passwords_are_hashed_with_a_salt_and_checked() {
        let mut rng = StdRng::seed_from_u64(1);
        let a = hash_password("a long enough password", &mut rng);
        let b = hash_password("a long enough password", &mut rng);
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify_password("a long enough password", &a));
        assert!(!verify_password("a long enough passwore", &a));
        assert!(!verify_password("a long enough password", "not a hash"));
        assert_eq!(password_problem("short", &[]), Some("password-too-short"));
        assert_eq!(
            password_problem(&"x".repeat(257), &[]),
            Some("password-too-long")
        );
        assert_eq!(password_problem("twelve chars", &[]), None);
        // Long enough, and still among the first guesses.
        for guessable in [
            "123456789012",
            "passwordpassword",
            "qwertyuiop123",
            "Password1234",
            "iloveyou1234",
            "anhyeuem1234",
            "matkhau12345",
            "caobang2021!",
            "aaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(
                password_problem(guessable, &[]),
                Some("password-guessable"),
                "{guessable}"
            );
        }
        // Built on its owner's name.
        assert_eq!(password_problem("nguyenthilan", &[]), None);
        assert_eq!(
            password_problem("nguyenthilan", &["lan", "Nguyễn Thị Lan"]),
            Some("password-guessable")
        );
        assert_eq!(
            password_problem("hoa ban nở trắng núi rừng", &["lan"]),
            None
        );
    }

    #[test]
    fn temporary_passwords_avoid_look_alike_letters() {
        let mut rng = StdRng::seed_from_u64(2);
        let p = temporary_password(&mut rng);
        assert_eq!(p.len(), 19);
        assert_eq!(p.split('-').count(), 4);
        assert!(!p.contains(['0', '1', 'i', 'l', 'o']), "{p}");
        assert_ne!(p, temporary_password(&mut rng));
    }

    #[test]
    fn user_names_and_tokens() {
        assert_eq!(username_problem("lan.anh"), None);
        for bad in ["la", "Lan", "lan anh", &"x".repeat(33)] {
            assert_eq!(username_problem(bad), Some("username-invalid"), "{bad}");
        }
        assert_eq!(typed_username("  Lan.Anh "), "lan.anh");
        assert_eq!(typed_username(&"x".repeat(100)).len(), MAX_TYPED_NAME);
        let mut rng = StdRng::seed_from_u64(3);
        let token = random_token(&mut rng);
        assert_eq!(token.len(), 43);
        assert!(same_token(&token, &token.clone()));
        assert!(!same_token(&token, &random_token(&mut rng)));
        assert_eq!(token_hash("x").len(), 64);
    }

    #[test]
    fn a_session_ends_when_idle_too_long_or_old_or_its_account_is_disabled() {
        let t = 1_000_000;
        assert!(session_alive(t, t, true, t + IDLE_SECONDS));
        assert!(!session_alive(t, t, true, t + IDLE_SECONDS + 1));
        assert!(!session_alive(
            t,
            t + ABSOLUTE_SECONDS,
            true,
            t + ABSOLUTE_SECONDS + 1
        ));
        assert!(!session_alive(t, t, false, t));
    }
}
