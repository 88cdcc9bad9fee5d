//! Share requests made directly in a portal's database, each with a diary sealed for it: what
//! the stress tests upload (`tests/stress.rs`), through one process or through a proxy.

use hyper::body::Bytes;
use portal::authority::Authority;
use portal::store::Db;
use protocol::{ShareRequest, SharedDiary, SharedVisit};
use rand::RngCore;

pub struct Upload {
    pub code: String,
    pub sealed: Bytes,
}

/// What the test makes directly in the database, as the portal made each request before requests
/// had keys of their own: signed with the authority's key, for the department's key (which still
/// opens such requests' diaries).
pub struct Made {
    pub request: ShareRequest,
    pub signed: String,
    pub sealed: Vec<u8>,
}

pub fn make(authority: &Authority, portal_url: &str, i: usize) -> Made {
    let mut id = [0u8; 16];
    let mut code = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(&mut code);
    let code = protocol::share_code(code);
    let today = chrono::Utc::now().date_naive();
    let (from, to) = protocol::share::whole_days(today - chrono::Duration::days(14), today);
    let request = ShareRequest {
        id,
        code: code.clone(),
        department: authority.settings.name.clone(),
        department_key: authority.department.public,
        department_key_id: authority.department.key_id(),
        from,
        to,
        purpose: format!("Truy vết ca bệnh số {i}"),
        expires: chrono::Utc::now().timestamp() + 48 * 3600,
        upload_url: format!("{portal_url}/api/v1/share-requests/{code}/diary"),
    };
    let signed = protocol::sign_share_request(&request, &authority.key).unwrap();
    let now = chrono::Utc::now().timestamp();
    let visits = (0..3)
        .map(|v| SharedVisit {
            name: format!("Quán cà phê số {i}-{v}"),
            address: "Số 2 Phố Hoàng Đình Giong, Phường Thục Phán".into(),
            unit: Some(1273),
            venue_id: Some(uuid::Uuid::from_u128(i as u128 * 8 + v).to_string()),
            origin: "vd1".into(),
            time_in: now - (v as i64 + 2) * 3600,
            time_out: Some(now - (v as i64 + 1) * 3600),
        })
        .collect();
    let diary = SharedDiary::new(&id, "0.1.0", visits);
    let read = protocol::read_share_request(&signed, &authority.trust(), now).unwrap();
    let sealed = protocol::seal_diary(&diary, &read, rand::random()).unwrap();
    Made {
        request,
        signed,
        sealed,
    }
}

/// Signs and seals `n` requests over every core.
pub fn make_all(authority: &Authority, portal_url: &str, n: usize) -> Vec<Made> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t * per..((t + 1) * per).min(n))
                        .map(|i| make(authority, portal_url, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
    })
}

pub async fn insert(db: &Db, made: &[Made]) {
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let t = chrono::Utc::now().timestamp();
    let case: i64 = sqlx::query_scalar(
        "INSERT INTO cases (label, notes, created_by, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind("Ổ dịch thử tải")
    .bind("")
    .bind(admin)
    .bind(t)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    for m in made {
        let r = &m.request;
        sqlx::query(
            "INSERT INTO share_requests (id, case_id, code, date_from, date_to, purpose, \
             expires_at, signed, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(hex::encode(r.id))
        .bind(case)
        .bind(&r.code)
        .bind(r.from.to_string())
        .bind(r.to.to_string())
        .bind(&r.purpose)
        .bind(r.expires)
        .bind(&m.signed)
        .bind(admin)
        .bind(t)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}
