//! How guessing is slowed: failed sign-ins counted per account and per address, unknown share
//! codes per address, over a window; the counts themselves live in the database (`store::throttle`)
//! so that several portal processes share them.

/// Failed sign-ins counted over this window…
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// …lock an account after this many…
pub const ACCOUNT_FAILURES: i64 = 5;
/// …and an address after this many, for this long.
pub const ADDRESS_FAILURES: i64 = 20;
pub const LOCK_SECONDS: i64 = 15 * 60;
/// Unknown share codes an address may try in `LOOKUP_WINDOW` before it is refused for a while.
pub const LOOKUP_FAILURES: i64 = 10;
pub const LOOKUP_WINDOW: i64 = 15 * 60;

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
    }
}
