//! Sharing against a fake portal in the test's process: which answers are believed, what each
//! means for the citizen, and that nothing leaves the phone unless it may.

use std::io;
use std::sync::{Arc, Mutex};

use app::share::{deliver, save_file, REQUEST_LIMIT};
use app::{Portals, Sharing};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use diary::{Diary, Entry};
use ed25519_dalek::SigningKey;
use protocol::answer::SHARE_REQUEST_ANSWER;
use protocol::{sign_share_request, Authority, ShareRequest, TrustList};

mod common;
use common::sharing::*;
use common::*;

fn kind<T>(result: Result<T, app::Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(e) => e.kind().into(),
    }
}

/// `code` fetched through `portal` (trusting `trust`), then consent: the kind of each, and
/// whether anything was posted.
async fn refused_before_consent(trust: TrustList, portal: FakePortal, code: &str) -> String {
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    let id = visit(&diary, "Chợ Xanh", 27, 9).await;
    let sharing = Sharing::new("1.0.0");
    let portals = portal.portals(&trust);
    let fetched = kind(sharing.fetch(&portals, &diary, code, &now).await);
    // Nothing fetched, so there is nothing to consent to.
    let consent = sharing
        .consent(&portals, &diary, code, &[id], [1; 32], &now)
        .await;
    assert_eq!(kind(consent), "share_not_fetched", "{fetched}");
    assert_eq!(portal.posts(), Vec::<String>::new(), "nothing was sent");
    assert!(diary.shares().await.unwrap().is_empty(), "nothing sealed");
    fetched
}

fn answering(reply: Reply) -> FakePortal {
    FakePortal::new(move |_, _, _, _| reply.clone())
}

#[tokio::test]
async fn each_portal_answer_becomes_one_kind() {
    for (reply, expected) in [
        (status(410), "share_expired"),
        (status(409), "share_answered"),
        (status(429), "share_throttled"),
        (status(404), "share_unknown_code"),
        (status(500), "share_portal_error"),
        // A redirect is not followed: the request goes only where the app chose.
        (status(302), "share_portal_error"),
        (ok("<html>not json</html>".into()), "share_portal_garbage"),
        (ok(r#"{"format":"x"}"#.into()), "share_portal_garbage"),
        (Err("connection refused".into()), "share_network"),
        // A portal that sends more than a request can be: not read to its end.
        (ok("x".repeat(REQUEST_LIMIT as usize + 1)), "share_network"),
    ] {
        let fetched = refused_before_consent(trust(), answering(reply.clone()), &code(1)).await;
        assert_eq!(fetched, expected, "{reply:?}");
    }

    // A code that is not one: no portal is asked.
    let portal = answering(status(404));
    let fetched = refused_before_consent(trust(), portal, "7KQ2-M9XD").await;
    assert_eq!(fetched, "share_code_invalid");
    // A code as portals issue them now, read back with one character wrong, or two swapped:
    // the app says so, and asks no portal for a code nobody issued.
    let issued = protocol::spoken_code_for("https://yte.caobang.example", [42; 8]);
    let plain: Vec<char> = issued.chars().filter(|c| *c != '-').collect();
    let mut wrong = plain.clone();
    wrong[7] = if wrong[7] == '5' { '6' } else { '5' };
    let mut swapped = plain.clone();
    let (i, j) = (2..12)
        .map(|i| (i, i + 1))
        .find(|(i, j)| plain[*i] != plain[*j])
        .unwrap();
    swapped.swap(i, j);
    for typed in [wrong, swapped] {
        let typed: String = typed.into_iter().collect();
        let portal = answering(status(404));
        let fetched = refused_before_consent(trust(), portal, &typed).await;
        assert_eq!(fetched, "share_code_mistyped", "{typed}");
        // Not even looked up.
        let (portal, trusted, store) = (answering(status(404)), trust(), MemoryStore::default());
        let (_dir, diary) = diary_in(&store, trusted.clone()).await;
        let _ = Sharing::new("1.0.0")
            .fetch(&portal.portals(&trusted), &diary, &typed, &now)
            .await;
        assert!(portal.seen.lock().unwrap().is_empty(), "{typed}");
    }
    let portal = answering(status(404));
    let review = refused_before_consent(trust(), portal, &issued).await;
    assert_eq!(
        review, "share_unknown_code",
        "a code as issued is asked for"
    );
    // The same code with a character left out is 12 characters, as old codes were; it begins
    // with a trusted portal's tag of today, so it is a slip, and no portal is asked.
    let ours = protocol::spoken_code_for(PORTAL, [42; 8]);
    let dropped: String = ours.chars().filter(|c| *c != '-').take(12).collect();
    let (portal, trusted, store) = (answering(status(404)), trust(), MemoryStore::default());
    let (_dir, diary) = diary_in(&store, trusted.clone()).await;
    let fetched = Sharing::new("1.0.0")
        .fetch(&portal.portals(&trusted), &diary, &dropped, &now)
        .await;
    assert_eq!(kind(fetched), "share_code_mistyped", "{dropped}");
    assert!(portal.seen.lock().unwrap().is_empty());
    // A code of today from a portal the phone does not trust: none of its portals is asked.
    let elsewhere = protocol::spoken_code_for("https://yte.langson.example", [42; 8]);
    let portal = answering(status(404));
    let fetched = Sharing::new("1.0.0")
        .fetch(&portal.portals(&trusted), &diary, &elsewhere, &now)
        .await;
    assert_eq!(kind(fetched), "share_unknown_code");
    assert!(portal.seen.lock().unwrap().is_empty());

    let no_one = TrustList::default();
    let fetched = refused_before_consent(no_one, answering(status(404)), &code(1)).await;
    assert_eq!(fetched, "share_no_authority");
}

#[tokio::test]
async fn the_one_portal_that_knows_the_code_is_asked_as_the_trust_file_says() {
    let trust = trust_two();
    let ours = request(&code(1), OTHER_PORTAL, OTHER_AUTHORITY);
    let portal = FakePortal::new(move |_, url, _, _| {
        if url == lookup(OTHER_PORTAL, &code(1)) {
            served(&ours, &other_authority())
        } else {
            status(404)
        }
    });
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    let sharing = Sharing::new("1.0.0");
    // Typed in lower case with spaces: the code is the same.
    let typed = code(1).to_lowercase().replace('-', " ");
    let review = sharing
        .fetch(&portal.portals(&trust), &diary, &typed, &now)
        .await
        .unwrap();
    assert_eq!(review.code, code(1));
    assert_eq!(review.authority, OTHER_AUTHORITY);
    assert_eq!(review.department, OTHER_AUTHORITY);
    let seen = portal.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|s| s.url.clone()).collect::<Vec<_>>(),
        [lookup(PORTAL, &code(1)), lookup(OTHER_PORTAL, &code(1))]
    );
    assert!(seen.iter().all(|s| s.limit == Some(64 * 1024)));
}

/// A code begins with the tag of the portal that issued it: the app asks that portal alone, so
/// the code does not travel to the other trusted portals. (`code(1)` has no trusted portal's tag:
/// a code from before tags, for which every portal is asked, as above.)
#[tokio::test]
async fn a_tagged_code_is_asked_of_its_own_portal_only() {
    let trust = trust_two();
    assert!(![PORTAL, OTHER_PORTAL]
        .iter()
        .any(|p| code(1).starts_with(&protocol::code_tag(p))));
    let tagged = protocol::share_code_for(OTHER_PORTAL, [1; 8]);
    let ours = request(&tagged, OTHER_PORTAL, OTHER_AUTHORITY);
    let portal = FakePortal::new(move |_, url, _, _| {
        if url == lookup(OTHER_PORTAL, &tagged) {
            served(&ours, &other_authority())
        } else {
            status(404)
        }
    });
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    let sharing = Sharing::new("1.0.0");
    let code = protocol::share_code_for(OTHER_PORTAL, [1; 8]);
    let review = sharing
        .fetch(&portal.portals(&trust), &diary, &code, &now)
        .await
        .unwrap();
    assert_eq!(review.authority, OTHER_AUTHORITY);
    let seen = portal.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|s| s.url.clone()).collect::<Vec<_>>(),
        [lookup(OTHER_PORTAL, &code)]
    );
}

#[tokio::test]
async fn two_portals_claiming_one_code_are_neither_believed() {
    let trust = trust_two();
    let portal = FakePortal::new(|_, url, _, _| {
        if url.starts_with(PORTAL) {
            served(&request(&code(1), PORTAL, AUTHORITY), &authority())
        } else {
            served(
                &request(&code(1), OTHER_PORTAL, OTHER_AUTHORITY),
                &other_authority(),
            )
        }
    });
    assert_eq!(
        refused_before_consent(trust, portal, &code(1)).await,
        "share_untrusted"
    );
}

/// A portal that claimed the code but whose answer did not arrive whole stops the fetch: the
/// network failed it, whatever another portal says (a second claim would not have been believed,
/// and a refusal elsewhere is not this request's).
#[tokio::test]
async fn an_answer_that_does_not_arrive_whole_fails_the_fetch_whatever_the_others_say() {
    for other in [
        served(
            &request(&code(1), OTHER_PORTAL, OTHER_AUTHORITY),
            &other_authority(),
        ),
        status(410),
        status(404),
    ] {
        let portal = FakePortal::new(move |_, url, _, _| {
            if url.starts_with(PORTAL) {
                ok("x".repeat(REQUEST_LIMIT as usize + 1))
            } else {
                other.clone()
            }
        });
        assert_eq!(
            refused_before_consent(trust_two(), portal, &code(1)).await,
            "share_network"
        );
    }
}

/// A version 3 request, signed by `signer` as a newer portal would: the version field of a
/// real request changed and the content signed again.
fn newer_version(signer: &SigningKey) -> String {
    use coset::{CborSerializable, CoseSign1, CoseSign1Builder};
    use ed25519_dalek::Signer;
    let text = sign_share_request(&request(&code(1), PORTAL, AUTHORITY), signer).unwrap();
    let sign1 = CoseSign1::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap();
    let mut content: ciborium::Value =
        ciborium::from_reader(&sign1.payload.clone().unwrap()[..]).unwrap();
    let ciborium::Value::Map(fields) = &mut content else {
        panic!("a request is a map")
    };
    fields[0].1 = 3.into();
    let mut payload = Vec::new();
    ciborium::into_writer(&content, &mut payload).unwrap();
    let newer = CoseSign1Builder::new()
        .protected(sign1.protected.header.clone())
        .payload(payload)
        .create_signature(b"visit-diary/share-request/v1", |tbs| {
            signer.sign(tbs).to_bytes().to_vec()
        })
        .build();
    URL_SAFE_NO_PAD.encode(newer.to_vec().unwrap())
}

#[tokio::test]
async fn a_request_that_must_not_be_believed_says_why_and_nothing_is_sent() {
    let asked = code(1);
    let ours = || request(&code(1), PORTAL, AUTHORITY);
    let good = sign_share_request(&ours(), &authority()).unwrap();
    let cases: Vec<(&str, Reply, &str)> = vec![
        (
            "signed for another code",
            served(&request(&code(2), PORTAL, AUTHORITY), &authority()),
            "share_untrusted",
        ),
        (
            "naming another department",
            served(&request(&code(1), PORTAL, "Sở Y tế Giả"), &authority()),
            "share_untrusted",
        ),
        (
            "signed by a stranger's key",
            served(&ours(), &stranger()),
            "share_untrusted",
        ),
        (
            "sending the diary away from the signer's portal",
            served(
                &request(&code(1), "https://evil.example", AUTHORITY),
                &authority(),
            ),
            "share_untrusted",
        ),
        (
            "expired an hour ago",
            served(
                &ShareRequest {
                    expires: (at(9, 0)).timestamp(),
                    ..ours()
                },
                &authority(),
            ),
            "share_expired",
        ),
        (
            "of a newer version",
            ok(answer(SHARE_REQUEST_ANSWER, &newer_version(&authority()))),
            "share_newer_version",
        ),
        (
            "that is not base64url",
            ok(answer(SHARE_REQUEST_ANSWER, "!!!")),
            "share_portal_garbage",
        ),
        (
            "not a signed request",
            ok(answer(SHARE_REQUEST_ANSWER, "bm90IGEgcmVxdWVzdA")),
            "share_portal_garbage",
        ),
        (
            "cut in half",
            ok(answer(SHARE_REQUEST_ANSWER, &good[..good.len() / 2])),
            "share_portal_garbage",
        ),
    ];
    for (what, reply, expected) in cases {
        let fetched = refused_before_consent(trust(), answering(reply), &asked).await;
        assert_eq!(fetched, expected, "a request {what}");
    }

    // The other trusted portal answers with a request the first authority signed: not from
    // the signer's own portal.
    let portal = FakePortal::new(move |_, url, _, _| {
        if url.starts_with(OTHER_PORTAL) {
            served(&request(&code(1), PORTAL, AUTHORITY), &authority())
        } else {
            status(404)
        }
    });
    assert_eq!(
        refused_before_consent(trust_two(), portal, &code(1)).await,
        "share_untrusted"
    );

    // The same request, served by its own portal, is believed: the refusals above are the
    // checks', not the fixture's.
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust()).await;
    let portal = answering(served(&ours(), &authority()));
    let trust = trust();
    let review = Sharing::new("1.0.0")
        .fetch(&portal.portals(&trust), &diary, &asked, &now)
        .await
        .unwrap();
    assert_eq!(review.authority, AUTHORITY);
}

#[tokio::test]
async fn the_review_holds_the_visits_of_the_citizens_own_days() {
    let trust = trust();
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    // The evening before the first day, and just after its local midnight (still the 25th in
    // UTC).
    visit(&diary, "Quán cà phê", 25, 23).await;
    let early = visit(&diary, "Chợ sớm", 26, 1).await;
    let late = visit(&diary, "Nhà văn hóa", 28, 16).await;
    let portal = answering(served(&request(&code(1), PORTAL, AUTHORITY), &authority()));
    let review = Sharing::new("1.0.0")
        .fetch(&portal.portals(&trust), &diary, &code(1), &now)
        .await
        .unwrap();
    let ids: Vec<i64> = review.visits.iter().map(|v| v.id).collect();
    assert_eq!(
        ids,
        [early, late],
        "oldest first, only the 26th to the 28th"
    );
    assert_eq!(
        (review.from.as_str(), review.to.as_str()),
        ("2026-11-26", "2026-11-28")
    );
    assert_eq!(review.purpose, "Truy vết ca bệnh số 12");
    assert_eq!(review.expires, at(10, 0) + Duration::hours(48));
}

/// A phone set to another zone (a traveller's, UTC+1) offers the visits of the request's days in
/// Vietnam's time, which are the ones the portal keeps: by its own clock it would take the 25th
/// at 23:30 as outside and the 28th at 20:00 as inside, and the portal would drop one it sent.
#[tokio::test]
async fn a_phone_in_another_zone_offers_the_days_as_the_portal_reads_them() {
    let trust = trust();
    let store = MemoryStore::default();
    let (_dir, diary) = diary_in(&store, trust.clone()).await;
    let paris = FixedOffset::east_opt(3600).unwrap();
    let at_paris = |d: u32, h: u32, m: u32| {
        day(d)
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_local_timezone(paris)
            .unwrap()
            .with_timezone(&Utc)
    };
    let entry = |name: &str, time_in: DateTime<Utc>| Entry {
        name: name.into(),
        address: "Phường Thục Phán".into(),
        time_in,
        time_out: Some(time_in + Duration::minutes(30)),
        note: String::new(),
    };
    // The request (made at 10:00 on the 28th) is open for two days: read the next morning.
    let later = at(10, 0) + Duration::days(1);
    // 05:30 on the 26th in Vietnam: inside.
    let late_evening = diary
        .add_manual(&entry("Quán khuya", at_paris(25, 23, 30)), later)
        .await
        .unwrap()
        .id;
    // 02:00 on the 29th in Vietnam: outside.
    diary
        .add_manual(&entry("Chợ đêm", at_paris(28, 20, 0)), later)
        .await
        .unwrap();
    let portal = answering(served(&request(&code(1), PORTAL, AUTHORITY), &authority()));
    let in_paris = || later.with_timezone(&paris);
    let review = Sharing::new("1.0.0")
        .fetch(&portal.portals(&trust), &diary, &code(1), &in_paris)
        .await
        .unwrap();
    let ids: Vec<i64> = review.visits.iter().map(|v| v.id).collect();
    assert_eq!(ids, [late_evening]);
}

/// A fetched request `code(n)` and consent to the one visit, the upload answered by `upload`.
struct Consented {
    _dir: tempfile::TempDir,
    diary: Diary,
    portal: Arc<FakePortal>,
    sharing: Sharing,
    visit: i64,
}

async fn fetched(upload: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Consented {
    let store = MemoryStore::default();
    let (dir, diary) = diary_in(&store, trust()).await;
    let visit = visit(&diary, "Chợ Xanh", 27, 9).await;
    let portal = Arc::new(FakePortal::new(move |method, _, _, before| match method {
        "GET" => served(&request(&code(1), PORTAL, AUTHORITY), &authority()),
        _ => upload(before),
    }));
    let sharing = Sharing::new("1.0.0");
    let trust = trust();
    sharing
        .fetch(&portal.portals(&trust), &diary, &code(1), &now)
        .await
        .unwrap();
    Consented {
        _dir: dir,
        diary,
        portal,
        sharing,
        visit,
    }
}

impl Consented {
    async fn consent(&self) -> Result<app::ShareOutcome, app::Error> {
        let trust = trust();
        self.sharing
            .consent(
                &self.portal.portals(&trust),
                &self.diary,
                &code(1),
                &[self.visit],
                [1; 32],
                &now,
            )
            .await
    }
}

#[tokio::test]
async fn after_consent_each_upload_answer_has_its_own_kind() {
    let upload_url = format!("{}/diary", lookup(PORTAL, &code(1)));
    for (reply, delivered, problem, status, note) in [
        (status(201), true, None, "uploaded", None),
        (
            status(409),
            false,
            Some("share_upload_answered"),
            "refused",
            Some("answered"),
        ),
        (
            status(410),
            false,
            Some("share_upload_expired"),
            "refused",
            Some("expired"),
        ),
        (
            status(503),
            false,
            Some("share_upload_failed"),
            "pending",
            None,
        ),
        (
            status(302),
            false,
            Some("share_upload_failed"),
            "pending",
            None,
        ),
        (
            Err("connection reset".into()),
            false,
            Some("share_upload_network"),
            "pending",
            None,
        ),
    ] {
        let shared = fetched(move |_| reply.clone()).await;
        let outcome = shared.consent().await.unwrap();
        assert_eq!(outcome.delivered, delivered, "{status}");
        assert_eq!(outcome.problem.as_ref().map(|p| p.kind()), problem);
        assert_eq!(outcome.share.status, status);
        assert_eq!(outcome.share.note.as_deref(), note);
        assert_eq!(outcome.share.delivered_at.is_some(), delivered);
        assert_eq!(
            shared.portal.posts(),
            std::slice::from_ref(&upload_url),
            "one POST"
        );
        // Exactly the visit chosen went into the sealed diary.
        let sent = outcome.share.visits.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].name, "Chợ Xanh");
    }
}

#[tokio::test]
async fn a_second_tap_seals_nothing_more_and_a_kept_share_is_sent_on_retry() {
    let shared = fetched(|before| {
        if before == 0 {
            status(503)
        } else {
            status(201)
        }
    })
    .await;
    let first = shared.consent().await.unwrap();
    assert_eq!(first.share.status, "pending");
    // Taken, not copied: the second tap finds nothing to seal.
    assert_eq!(kind(shared.consent().await), "share_not_fetched");
    assert_eq!(shared.diary.shares().await.unwrap().len(), 1);
    assert_eq!(shared.portal.posts().len(), 1);

    let trust = trust();
    let again = deliver(
        &shared.portal.portals(&trust),
        &shared.diary,
        first.share.id,
        &|| at(11, 0),
    )
    .await
    .unwrap();
    assert!(again.delivered);
    assert!(again.problem.is_none());
    assert_eq!(again.share.status, "uploaded");
    assert_eq!(again.share.delivered_at, Some(at(11, 0)));
    assert_eq!(shared.portal.posts().len(), 2);
}

#[tokio::test]
async fn a_kept_share_goes_only_to_a_portal_still_trusted() {
    let shared = fetched(|_| status(503)).await;
    let kept = shared.consent().await.unwrap();
    assert_eq!(kept.share.status, "pending");
    // An update of the app trusts no longer that authority, or one whose address merely
    // begins the same way.
    let mut lookalike = trust();
    lookalike.authorities[0].portal_url = "https://yte.caobang.ex".into();
    let elsewhere = TrustList {
        nhs_keys: Vec::new(),
        authorities: vec![Authority {
            portal_url: OTHER_PORTAL.into(),
            ..trust_two().authorities[1].clone()
        }],
    };
    for trust in [TrustList::default(), lookalike, elsewhere] {
        let portals = Portals {
            trust: &trust,
            http: shared.portal.as_ref(),
        };
        let outcome = deliver(&portals, &shared.diary, kept.share.id, &|| at(11, 0))
            .await
            .unwrap();
        assert!(!outcome.delivered);
        assert_eq!(
            outcome.problem.map(|p| p.kind()),
            Some("share_upload_untrusted")
        );
        assert_eq!(outcome.share.status, "pending", "kept to save as a file");
    }
    assert_eq!(shared.portal.posts().len(), 1, "not one POST more");
}

#[tokio::test]
async fn sealing_that_fails_gives_the_request_back_and_a_late_consent_seals_nothing() {
    let shared = fetched(|_| status(201)).await;
    let trust = trust();
    let portals = shared.portal.portals(&trust);
    let nothing = shared
        .sharing
        .consent(&portals, &shared.diary, &code(1), &[], [1; 32], &now)
        .await;
    assert_eq!(kind(nothing), "nothing_chosen");
    // The citizen chooses again: the request is still there.
    assert!(shared.consent().await.unwrap().delivered);

    // Fetched, then read until it closed.
    let late = fetched(|_| status(201)).await;
    let after = now() + Duration::hours(48);
    let trust = common::trust();
    let portals = late.portal.portals(&trust);
    let consent = late
        .sharing
        .consent(
            &portals,
            &late.diary,
            &code(1),
            &[late.visit],
            [1; 32],
            &|| after,
        )
        .await;
    assert_eq!(kind(consent), "share_consent_expired");
    let again = late
        .sharing
        .consent(
            &portals,
            &late.diary,
            &code(1),
            &[late.visit],
            [1; 32],
            &now,
        )
        .await;
    assert_eq!(kind(again), "share_not_fetched", "the request is gone");
    assert!(late.diary.shares().await.unwrap().is_empty());
    assert!(late.portal.posts().is_empty());

    // Cancelled: forgotten.
    let cancelled = fetched(|_| status(201)).await;
    cancelled.sharing.forget(&code(1));
    assert_eq!(kind(cancelled.consent().await), "share_not_fetched");
}

#[tokio::test]
async fn a_share_file_takes_the_first_free_name() {
    let shared = fetched(|_| status(503)).await;
    let id = shared.consent().await.unwrap().share.id;
    let tried = Mutex::new(Vec::new());
    let saved = save_file(&shared.diary, id, at(12, 0), |name, bytes| {
        assert!(!bytes.is_empty(), "the sealed bytes are written");
        tried.lock().unwrap().push(name.to_owned());
        if tried.lock().unwrap().len() < 3 {
            Err(io::ErrorKind::AlreadyExists.into())
        } else {
            Ok(format!("/Downloads/{name}"))
        }
    })
    .await
    .unwrap();
    let stem = format!("nhat-ky-ra-vao-{}", code(1));
    assert_eq!(
        tried.into_inner().unwrap(),
        [
            format!("{stem}.vdshare"),
            format!("{stem}-2.vdshare"),
            format!("{stem}-3.vdshare")
        ]
    );
    assert_eq!(saved.status, "file");
    assert_eq!(saved.note, Some(format!("/Downloads/{stem}-3.vdshare")));

    // Every name taken, or the folder refusing: the file's own kind, and the share kept.
    let full = fetched(|_| status(503)).await;
    let id = full.consent().await.unwrap().share.id;
    let mut tries = 0;
    let taken = save_file(&full.diary, id, at(12, 0), |_, _| {
        tries += 1;
        Err(io::ErrorKind::AlreadyExists.into())
    })
    .await;
    assert_eq!(kind(taken), "share_file");
    assert_eq!(tries, 100);
    let refused = save_file(&full.diary, id, at(12, 0), |_, _| {
        Err(io::ErrorKind::PermissionDenied.into())
    })
    .await;
    assert_eq!(kind(refused), "share_file");
    assert_eq!(full.diary.share(id).await.unwrap().status, "pending");
}
