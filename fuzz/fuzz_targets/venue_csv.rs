//! The portal's CSV import of venues: the file staff upload, read and every row checked as the
//! import checks it (against the official units and a real authority made once in a temporary
//! folder).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal::authority::{Authority, Settings};
use portal::units::{Edition, UnitList};
use portal::web::venues::{check_row, parse_csv};
use std::sync::OnceLock;

fn context() -> &'static (UnitList, Authority) {
    static CONTEXT: OnceLock<(UnitList, Authority)> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("venue-csv-fuzz-{}", std::process::id()));
        let settings = Settings {
            name: "Sở Y tế Cao Bằng".into(),
            host: "yte.caobang.example".into(),
            portal_url: "https://yte.caobang.example".into(),
            province: 4,
            units: Edition::default(),
        };
        Authority::init(&dir, settings).expect("an authority is made");
        let authority = Authority::load(&dir).expect("the authority loads");
        let _ = std::fs::remove_dir_all(&dir);
        let units = UnitList::load(authority.settings.units, 4).expect("the units load");
        (units, authority)
    })
}

fuzz_target!(|data: &[u8]| {
    let (units, authority) = context();
    if let Ok(rows) = parse_csv(data) {
        assert!(!rows.is_empty());
        for (row, input) in rows {
            assert!(row >= 2, "data rows come after the header");
            if let Ok(venue) = check_row(input, units, authority) {
                assert!(!venue.name.is_empty() && !venue.address.is_empty());
            }
        }
    }
});
