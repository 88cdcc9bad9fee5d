//! Properties of venue codes v1 and v2 over generated venues and keys, and of every reader over
//! arbitrary text.

use chrono::{Days, NaiveDate};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use protocol::{read_code, read_venue_code, sign_venue_code, Sector, TrustList, Venue};
use test_support::{trust_in, HOST};

/// Text of Vietnamese letters (with every tone mark), digits and punctuation seen on signs.
fn vietnamese_text(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵAĂÂĐÊÔƠƯÁÀẢÃẠỨỪỬỮỰ0123456789 ,.-–/()"
        .chars()
        .collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..max).prop_filter_map(
        "trimmed and not empty",
        |cs| {
            let s: String = cs.into_iter().collect::<String>().trim().to_owned();
            (!s.is_empty()).then_some(s)
        },
    )
}

fn venue() -> impl Strategy<Value = Venue> {
    (
        any::<[u8; 16]>(),
        // Worst case: every character a three-byte letter, and the code still fits its limit.
        vietnamese_text(60),
        vietnamese_text(60),
        any::<u32>(),
        proptest::sample::select(Sector::ALL.to_vec()),
        1u16..=720,
        0u64..40_000,
    )
        .prop_map(|(id, name, address, unit, sector, stay, days)| Venue {
            id: Venue::id_from_random(id),
            name,
            address,
            unit,
            sector,
            usual_stay_minutes: stay,
            issued: NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap()
                .checked_add_days(Days::new(days))
                .unwrap(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_signed_code_reads_back_as_the_same_venue(venue in venue(), seed in any::<[u8; 32]>()) {
        let key = SigningKey::from_bytes(&seed);
        let code = sign_venue_code(&venue, HOST, &key).unwrap();
        let read = read_venue_code(&code, &trust_in(&key)).unwrap();
        prop_assert_eq!(&read.venue, &venue);
        let any = read_code(&code, &trust_in(&key), test_support::today()).unwrap();
        prop_assert_eq!(any.name, venue.name);
    }

    #[test]
    fn a_v2_code_reads_back_as_the_same_venue_at_its_streets_address(
        venue in venue(),
        seed in any::<[u8; 32]>(),
        valid in 0u64..=protocol::venue_v2::MAX_VALID_DAYS,
    ) {
        use protocol::units::{self, Edition};
        let key = SigningKey::from_bytes(&seed);
        let terms = protocol::Terms {
            edition: Edition::Y2021,
            valid_until: venue.issued + Days::new(valid),
        };
        let Ok(code) = protocol::sign_venue_code_v2(&venue, &terms, HOST, &key) else {
            // Only an address too long once its commune's names are added is refused.
            let street = protocol::units::street_of(&venue.address, Edition::Y2021, venue.unit);
            let shown = units::address(&street, Edition::Y2021, venue.unit).unwrap();
            prop_assert!(shown.chars().count() > 300);
            return Ok(());
        };
        let read = read_venue_code(&code, &trust_in(&key)).unwrap();
        let street = units::street_of(&venue.address, Edition::Y2021, venue.unit);
        let address = units::address(&street, Edition::Y2021, venue.unit).unwrap_or(street);
        prop_assert_eq!(&read.venue, &protocol::Venue { address, ..venue.clone() });
        prop_assert_eq!(read.valid_until, Some(terms.valid_until));
        // Another key's signature is never read as this one's.
        let other = SigningKey::from_bytes(&[seed[0].wrapping_add(1); 32]);
        prop_assert!(read_venue_code(&code, &trust_in(&other)).is_err());
    }

    #[test]
    fn no_digits_make_the_v2_reader_panic(digits in "[0-9]{0,700}") {
        let _ = read_venue_code(&format!("https://{HOST}/v/2#{digits}"), &test_support::trust());
    }

    #[test]
    fn a_code_signed_by_another_key_is_never_read_as_verified(
        venue in venue(),
        seed in any::<[u8; 32]>(),
        other in any::<[u8; 32]>(),
    ) {
        prop_assume!(seed != other);
        let code = sign_venue_code(&venue, HOST, &SigningKey::from_bytes(&other)).unwrap();
        let trust = trust_in(&SigningKey::from_bytes(&seed));
        prop_assert!(read_venue_code(&code, &trust).is_err());
        prop_assert!(read_code(&code, &trust, test_support::today()).is_err());
    }

    #[test]
    fn no_text_makes_a_reader_panic(text in any::<String>()) {
        let trust = TrustList::default();
        let _ = read_code(&text, &trust, test_support::today());
        for prefix in ["https://yte.example/v/1#", "https://yte.example/v/2#", "NZCOVIDTRACER:", "UKC19TRACING:1:", "https://e.coronawarn.app?v=1#"] {
            let _ = read_code(&format!("{prefix}{text}"), &trust, test_support::today());
        }
        // The venue co-signature's two texts, which a venue's device scans.
        let _ = protocol::cosign::read_cosign_request(&text, &test_support::trust(), 0);
        let _ = protocol::cosign::read_owner_sheet(&text);
        let _ = protocol::cosign::read_owner_sheet(&format!("VDOWNER1.{text}"));
    }

    /// Whatever the owner, notice, window and level, the owner's co-signature verifies for that
    /// notice only: moving any one of its terms makes it fail.
    #[test]
    fn a_co_signature_holds_for_its_own_notice_only(
        seed in any::<[u8; 32]>(),
        notice in any::<u64>(),
        from in any::<i64>(),
        length in 1i64..86_400,
        level in any::<bool>(),
        nudge in 1u64..1_000,
    ) {
        use protocol::cosign::{venue_id_of_owner, Agreement};
        use protocol::exposure::{venue_hash, Level};
        let owner = ed25519_dalek::SigningKey::from_bytes(&seed);
        let venue = venue_hash(&venue_id_of_owner(&owner.verifying_key().to_bytes()));
        let from = from.clamp(i64::MIN / 2, i64::MAX / 2);
        let level = if level { Level::Test } else { Level::Monitor };
        let agreed = Agreement { notice, venue, from, to: from + length, level };
        let cosign = agreed.sign(&owner);
        prop_assert!(cosign.verifies(&agreed));
        let other_level = if level == Level::Test { Level::Monitor } else { Level::Test };
        for other in [
            Agreement { notice: notice.wrapping_add(nudge), ..agreed },
            Agreement { from: from + nudge as i64, ..agreed },
            Agreement { to: from + length + nudge as i64, ..agreed },
            Agreement { level: other_level, ..agreed },
        ] {
            prop_assert!(!cosign.verifies(&other));
        }
    }
}
