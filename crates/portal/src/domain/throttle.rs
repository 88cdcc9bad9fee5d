//! How guessing is slowed: failed sign-ins counted per account and per address, unknown share
//! codes per address and per code prefix, over a window; the counts themselves live in the database (`store::throttle`)
//! so that several portal processes share them.

/// Failed sign-ins counted over this window…
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// …lock an account after this many…
pub const ACCOUNT_FAILURES: i64 = 5;
/// …and an address after this many, for this long.
pub const ADDRESS_FAILURES: i64 = 20;
pub const LOCK_SECONDS: i64 = 15 * 60;
/// Unknown share codes one address may try in [`LOOKUP_WINDOW`] before it is refused until the
/// window ends. Sized for carrier-grade NAT, where one address carries the phones of a whole
/// district, not for one phone:
///
/// - Honest failures: a tracing round in one district asks a few hundred people at once (the
///   test takes 500 phones behind one address, answering within one window). A citizen who
///   mistypes a code once costs one failure, so 500 people cost at most about 500; the limit is
///   twice that.
/// - What a guesser gains from it: a code has 10 random characters of 29 after the portal's
///   2-character tag (29^10, about 2^48.6; a version 1 code, 50 random bits). With 10 000
///   requests open at once (far above a province's load), one guess finds one with probability
///   10^4 / 29^10 ≈ 2.4 × 10^-11; an address allowed 1 000 failures every 15 minutes makes
///   96 000 a day, about 2.3 × 10^-6 chance of one hit a day. What a hit gives:
///   the request's purpose and days, and the chance to answer it with a diary of one's own
///   before the citizen does (which the tracer sees: the citizen's own answer is then refused
///   and the check digits differ).
/// - What it costs: 20 guessers behind the same address as honest phones can use it up; the
///   phones then wait for the window's end (or answer from another network, or hand over a
///   file). Counting only failures, and giving back every lookup of a real code, keeps honest
///   use from ever counting.
pub const LOOKUP_FAILURES: i64 = 1_000;
pub const LOOKUP_WINDOW: i64 = 15 * 60;
/// Unknown codes that begin like one another ([`PREFIX_CHARS`]) tried in [`LOOKUP_WINDOW`],
/// from any address, before every code so beginning is refused until the window ends: someone
/// who saw the start of a code over a shoulder, or a set of addresses sharing out a search,
/// gets this many tries at its other 6 random characters (29^6, about 2^29), however many
/// addresses they have. A citizen's own
/// typos in the end of their code count here only when the code still reads as one (a version 1
/// code; a version 2 code's check character catches one wrong or two swapped characters).
pub const PREFIX_FAILURES: i64 = 20;
/// The characters of a normalised code (without hyphens) that make its prefix: the portal's
/// 2-character tag and 4 random characters (29^4, about 700 000 prefixes; a version 1 code's,
/// 20 bits).
pub const PREFIX_CHARS: usize = 6;

/// The part of a client's address a throttle counts: IPv4 as it is, IPv6 by its /64 (one
/// household or phone, which can pick any address in it).
pub fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => addr.to_owned(),
    }
}

/// The count of sign-ins to one account.
pub fn account_key(username: &str) -> String {
    format!("user:{username}")
}

/// The count of sign-ins from one address (by network for IPv6, as share codes are).
pub fn sign_in_address_key(addr: &str) -> String {
    format!("addr:{}", address_key(addr))
}

/// The count of share-code lookups from one address.
pub fn lookup_key(addr: &str) -> String {
    format!("share:{}", address_key(addr))
}

/// The count of unknown share codes that begin like `code` (normalised), from any address;
/// `None` for text that is no code at all (only the address counts it).
pub fn prefix_key(code: &str) -> Option<String> {
    let code = protocol::normalize_share_code(code)?.replace('-', "");
    Some(format!("share-prefix:{}", &code[..PREFIX_CHARS]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_network_and_ipv4_by_address() {
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("192.0.2.10"), "192.0.2.10");
        assert_eq!(sign_in_address_key("192.0.2.10"), "addr:192.0.2.10");
        assert_eq!(lookup_key("2001:db8::1"), "share:2001:db8:0:0::/64");
        assert_eq!(account_key("lan"), "user:lan");
        // Typed or read any way, a code counts under the same prefix.
        assert_eq!(
            prefix_key("7kq2 m9xd 4rta").as_deref(),
            Some("share-prefix:7KQ2M9")
        );
        assert_eq!(prefix_key("7KQ2-M9XD-4RTB"), prefix_key("7KQ2-M9XD-4RTA"));
        assert_ne!(prefix_key("7KQ2-M8XD-4RTA"), prefix_key("7KQ2-M9XD-4RTA"));
        assert_eq!(prefix_key("not a code"), None);
    }
}
