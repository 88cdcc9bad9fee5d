//! Properties of venue code v1 over generated venues and keys, and of every reader over
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
        let any = read_code(&code, &trust_in(&key)).unwrap();
        prop_assert_eq!(any.name, venue.name);
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
        prop_assert!(read_code(&code, &trust).is_err());
    }

    #[test]
    fn no_text_makes_a_reader_panic(text in any::<String>()) {
        let trust = TrustList::default();
        let _ = read_code(&text, &trust);
        for prefix in ["https://yte.example/v/1#", "NZCOVIDTRACER:", "UKC19TRACING:1:", "https://e.coronawarn.app?v=1#"] {
            let _ = read_code(&format!("{prefix}{text}"), &trust);
        }
    }
}
