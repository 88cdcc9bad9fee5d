//! Phones behind one address, as mobile carriers put them (carrier-grade NAT): 500 citizens
//! answer 500 share requests from one address, each mistyping their code once first, while 20
//! guessers behind the same address try codes of their own. Every citizen's diary arrives; the
//! guessers are refused only once the address's failures pass the limit that was sized for this
//! (`domain::throttle`). On SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use portal::domain::accounts::Role;
use portal::domain::throttle::LOOKUP_FAILURES;
use portal::store::Backend;
use rand::Rng;
use support::cases::visit;
use support::{days_ago, Portal};

on_both_backends!(five_hundred_phones_behind_one_address_are_not_refused_for_twenty_guessers);

const PHONES: usize = 500;
const GUESSERS: usize = 20;
/// Each guesser's tries while the phones answer.
const GUESSES_EACH: usize = 20;

/// A code no request has: random characters of the codes' alphabet.
fn random_code() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let chars: String = (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
}

/// The code with its last character changed: a slip of one key.
fn mistyped(code: &str) -> String {
    let last = if code.ends_with('7') { '8' } else { '7' };
    format!("{}{last}", &code[..code.len() - 1])
}

async fn five_hundred_phones_behind_one_address_are_not_refused_for_twenty_guessers(
    backend: Backend,
) {
    let p = Portal::new(backend).await;
    p.add_user("lan", &[Role::Tracer]).await;
    let mut lan = p.signed_in("lan").await;
    let r = lan
        .post("/cases", &[("label", "Đợt truy vết"), ("notes", "")])
        .await;
    let case = r.location().to_owned();
    for i in 0..PHONES {
        let r = lan
            .post(
                &format!("{case}/requests"),
                &[
                    ("from", &days_ago(2)),
                    ("to", &days_ago(0)),
                    ("purpose", &format!("Truy vết, người thứ {i}")),
                    ("hours", "48"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM share_requests")
        .fetch_all(&p.app.db.pool)
        .await
        .unwrap();
    assert_eq!(codes.len(), PHONES);

    // One carrier address for everyone, each connection on its own port.
    let shared = |port: usize| -> support::Client {
        let mut c = p.client();
        c.addr = format!("100.64.12.34:{}", 1024 + port).parse().unwrap();
        c
    };
    let now = chrono::Utc::now().timestamp();
    let mut guesses = 0;
    for (i, code) in codes.iter().enumerate() {
        // The citizen types the code with a slip first, then right.
        let mut phone = shared(i);
        let r = phone
            .get(&format!("/api/v1/share-requests/{}", mistyped(code)))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "phone {i}'s slip");
        let sealed = p
            .seal_answer_from(
                &mut phone,
                code,
                vec![visit("Chợ Xanh", "", now - 3600, None)],
            )
            .await;
        let r = p.send_answer_from(&mut phone, code, sealed).await;
        assert_eq!(r.status, StatusCode::CREATED, "phone {i}: {}", r.body);
        // Between phones, the guessers try their luck from the same address.
        if i % (PHONES / GUESSES_EACH) == 0 {
            for g in 0..GUESSERS {
                let mut guesser = shared(PHONES + g);
                let r = guesser
                    .get(&format!("/api/v1/share-requests/{}", random_code()))
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "guesser {g}");
                guesses += 1;
            }
        }
    }
    assert_eq!(guesses, GUESSERS * GUESSES_EACH);
    // Every diary arrived, once.
    assert_eq!(
        p.count("SELECT COUNT(*) FROM share_requests WHERE sealed IS NOT NULL")
            .await,
        PHONES as i64
    );
    // The address's count holds the slips and the guesses, nothing of the real lookups.
    let failures = (PHONES + guesses) as i64;
    assert_eq!(
        p.count("SELECT failures FROM login_throttle WHERE key = 'share:100.64.12.34'")
            .await,
        failures
    );

    // Guessers who keep going use up what is left, and are refused then.
    let mut guesser = shared(PHONES + GUESSERS);
    for i in failures..LOOKUP_FAILURES {
        let r = guesser
            .get(&format!("/api/v1/share-requests/{}", random_code()))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "guess {i}");
    }
    let r = guesser
        .get(&format!("/api/v1/share-requests/{}", random_code()))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        p.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'share_codes_throttled' \
             AND target = 'share:100.64.12.34'"
        )
        .await,
        1
    );
}
