//! The portal's CSV import of venues: the file staff upload, read and every row checked as the
//! import checks it (against the official units and an authority made in memory from fixed
//! keys).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::authority::{Authority, DepartmentKey, RequestKeys, Settings};
use portal::domain::import::{check_row, parse_csv};
use portal::keys::MasterKey;
use portal::units::{Edition, UnitList};
use std::sync::OnceLock;

fn context() -> &'static (UnitList, Authority) {
    static CONTEXT: OnceLock<(UnitList, Authority)> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let authority = Authority {
            settings: Settings {
                name: test_support::AUTHORITY.into(),
                host: test_support::HOST.into(),
                portal_url: test_support::PORTAL_URL.into(),
                province: 4,
                units: Edition::default(),
                apps: Default::default(),
                diary_retention_days: portal::domain::retention::DEFAULT_DAYS,
                department: Default::default(),
            },
            key: test_support::authority_key(),
            department: DepartmentKey::derive(&[8; 32]),
            door: None,
            requests: RequestKeys::new(MasterKey::from_bytes([9; 32])),
            next: None,
            retired: Vec::new(),
            dir: Default::default(),
        };
        let units = UnitList::load(authority.settings.units, 4).expect("the units load");
        (units, authority)
    })
}

/// The day the rows are checked on (the probe code a row is signed into carries it).
fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date")
}

fuzz_target!(|data: &[u8]| {
    let (units, authority) = context();
    if let Ok(rows) = parse_csv(data) {
        assert!(!rows.is_empty());
        for (row, input) in rows {
            assert!(row >= 2, "data rows come after the header");
            if let Ok(venue) = check_row(input, units, authority, today()) {
                assert!(!venue.name.is_empty() && !venue.address.is_empty());
            }
        }
    }
});
