//! The roll-out coverage report's counting: active venues with posters by district and commune,
//! by sector, and week by week (weeks start on Monday, Vietnam time).
//!
//! Today's tables count the venues active now. The weekly history counts, for each week, the
//! venues that had a poster and were still active at the end of that week (from `poster_first_at`
//! and `deactivated_at`), so deactivating a venue does not rewrite earlier weeks.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use protocol::Sector;

use super::time::local;
use super::venues::sector_label;
use crate::i18n::Tr;
use crate::units::UnitList;

/// Venues of one commune.
pub struct CommuneLine {
    pub district_code: String,
    pub district: String,
    pub code: u32,
    pub name: String,
    pub registered: usize,
    pub with_poster: usize,
}

pub struct SectorLine {
    pub sector: String,
    pub label: String,
    pub registered: usize,
    pub with_poster: usize,
}

pub struct WeekLine {
    /// The Monday that starts the week.
    pub monday: NaiveDate,
    pub new_posters: usize,
    pub total: usize,
}

pub struct DistrictLine {
    pub code: u32,
    pub name: String,
    pub communes: usize,
    pub covered: usize,
    pub registered: usize,
    pub with_poster: usize,
}

impl DistrictLine {
    /// Its communes with a poster downloaded, in whole percent of its communes.
    pub fn percent(&self) -> usize {
        percent(self.covered, self.communes)
    }
}

/// `part` of `whole` in whole percent, rounded down (so that 100 % means every one); 0 of 0 is 0.
pub fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

/// A venue as the report counts it.
#[derive(Debug, Clone)]
pub struct Counted {
    /// When it was registered.
    pub created_at: i64,
    pub commune: u32,
    pub sector: String,
    pub poster_first_at: Option<i64>,
    pub active: bool,
    /// When it was deactivated; `None` while active, and for venues deactivated before the
    /// portal kept this time whose last change was not known either (none: see migration 0004).
    pub deactivated_at: Option<i64>,
}

pub struct Coverage {
    pub province: String,
    pub communes: Vec<CommuneLine>,
    pub districts: Vec<DistrictLine>,
    pub sectors: Vec<SectorLine>,
    pub weeks: Vec<WeekLine>,
    pub registered: usize,
    pub with_poster: usize,
    pub covered_communes: usize,
}

impl Coverage {
    /// The communes with no poster downloaded, each with its district where the list has them
    /// ("Xã Đức Hạnh (Huyện Bảo Lâm)"): six names occur in more than one district.
    pub fn uncovered(&self) -> Vec<String> {
        self.communes
            .iter()
            .filter(|c| c.with_poster == 0)
            .map(|c| {
                if c.district.is_empty() {
                    c.name.clone()
                } else {
                    format!("{} ({})", c.name, c.district)
                }
            })
            .collect()
    }

    /// The province's communes with a poster downloaded, in whole percent.
    pub fn percent(&self) -> usize {
        percent(self.covered_communes, self.communes.len())
    }
}

/// The venues as they stood at `until` (a Unix time), for a report "as of" a past day: those
/// registered by then, with a poster only if its first was downloaded by then, and active unless
/// deactivated by then.
///
/// What the portal does not keep it cannot go back to: a venue's commune and sector are today's,
/// and a venue deactivated and later reactivated counts as active throughout (reactivating clears
/// the time of the deactivation).
pub fn as_of(venues: &[Counted], until: i64) -> Vec<Counted> {
    venues
        .iter()
        .filter(|v| v.created_at <= until)
        .map(|v| {
            let gone_by_then = v.deactivated_at.is_some_and(|d| d <= until);
            Counted {
                poster_first_at: v.poster_first_at.filter(|&t| t <= until),
                // Inactive since a time the portal does not know: inactive then too.
                active: v.active || (v.deactivated_at.is_some() && !gone_by_then),
                deactivated_at: v.deactivated_at.filter(|_| gone_by_then),
                ..v.clone()
            }
        })
        .collect()
}

fn monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

/// Counts venues: today's tables from the active ones, the weekly history from every venue that
/// had a poster, each counted from the week of its first poster until the week it was
/// deactivated (that week and later no longer count it).
pub fn count(units: &UnitList, tr: &Tr, venues: &[Counted], today: NaiveDate) -> Coverage {
    let mut by_commune: HashMap<u32, (usize, usize)> = HashMap::new();
    let mut by_sector: HashMap<&str, (usize, usize)> = HashMap::new();
    // Venues given their first poster in each week, and the change in the running total each week.
    let mut new_in_week: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut change: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let week_of = |t: i64| monday(local(t).date_naive());
    for v in venues {
        if let Some(t) = v.poster_first_at {
            let until = match (v.active, v.deactivated_at) {
                (true, _) => None,
                (false, Some(d)) => Some(week_of(d)),
                // Inactive since an unknown time: left out of the history.
                (false, None) => continue,
            };
            let from = week_of(t);
            *new_in_week.entry(from).or_default() += 1;
            if until.is_none_or(|u| u > from) {
                *change.entry(from).or_default() += 1;
                if let Some(u) = until {
                    *change.entry(u).or_default() -= 1;
                }
            }
        }
        if !v.active {
            continue;
        }
        let c = by_commune.entry(v.commune).or_default();
        let s = by_sector.entry(v.sector.as_str()).or_default();
        c.0 += 1;
        s.0 += 1;
        if v.poster_first_at.is_some() {
            c.1 += 1;
            s.1 += 1;
        }
    }
    let communes: Vec<CommuneLine> = units
        .communes
        .iter()
        .map(|c| {
            let (registered, with_poster) = by_commune.get(&c.code).copied().unwrap_or_default();
            let district = c.district.and_then(|d| units.district(d));
            CommuneLine {
                district_code: district.map(|d| d.code.to_string()).unwrap_or_default(),
                district: district.map(|d| d.name.clone()).unwrap_or_default(),
                code: c.code,
                name: c.name.clone(),
                registered,
                with_poster,
            }
        })
        .collect();
    let districts = units
        .districts
        .iter()
        .map(|d| {
            let lines: Vec<&CommuneLine> = communes
                .iter()
                .filter(|c| c.district_code == d.code.to_string())
                .collect();
            DistrictLine {
                code: d.code,
                name: d.name.clone(),
                communes: lines.len(),
                covered: lines.iter().filter(|c| c.with_poster > 0).count(),
                registered: lines.iter().map(|c| c.registered).sum(),
                with_poster: lines.iter().map(|c| c.with_poster).sum(),
            }
        })
        .collect();
    let sectors = Sector::ALL
        .iter()
        .map(|s| {
            let (registered, with_poster) = by_sector.get(s.as_str()).copied().unwrap_or_default();
            SectorLine {
                sector: s.as_str().to_owned(),
                label: sector_label(tr, s.as_str()),
                registered,
                with_poster,
            }
        })
        .collect();
    // Every week from the first poster to this one, quiet weeks included.
    let mut weeks = Vec::new();
    if let Some((&first, _)) = new_in_week.iter().next() {
        let mut week = first;
        let mut total: i64 = 0;
        let last = monday(today).max(*new_in_week.keys().last().expect("not empty"));
        while week <= last {
            total += change.get(&week).copied().unwrap_or(0);
            weeks.push(WeekLine {
                monday: week,
                new_posters: new_in_week.get(&week).copied().unwrap_or(0),
                total: total.max(0) as usize,
            });
            week += Duration::days(7);
        }
    }
    let active: Vec<&Counted> = venues.iter().filter(|v| v.active).collect();
    Coverage {
        province: units.province_name.clone(),
        registered: active.len(),
        with_poster: active
            .iter()
            .filter(|v| v.poster_first_at.is_some())
            .count(),
        covered_communes: communes.iter().filter(|c| c.with_poster > 0).count(),
        communes,
        districts,
        sectors,
        weeks,
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn percentages_round_down_and_survive_nothing() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(160, 161), 99);
        assert_eq!(percent(3, 3), 100);
    }

    use super::*;
    use crate::i18n::Lang;
    use crate::units::Edition;

    fn ts(date: &str) -> i64 {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn active(commune: u32, sector: &str, poster: Option<i64>) -> Counted {
        Counted {
            created_at: ts("2026-10-01"),
            commune,
            sector: sector.to_owned(),
            poster_first_at: poster,
            active: true,
            deactivated_at: None,
        }
    }

    #[test]
    fn a_deactivated_venue_counts_in_the_weeks_before() {
        let units = UnitList::load(Edition::Y2021, 4).unwrap();
        let tr = Tr::new(Lang::Vi);
        let gone = |poster: &str, deactivated: Option<&str>| Counted {
            active: false,
            deactivated_at: deactivated.map(ts),
            ..active(1267, "shop", Some(ts(poster)))
        };
        let venues = vec![
            active(1270, "shop", Some(ts("2026-11-02"))),
            // A poster in week 1, deactivated in week 5.
            gone("2026-11-03", Some("2026-12-02")),
            // A poster and its deactivation in the same week: never in a total.
            gone("2026-11-10", Some("2026-11-12")),
            // Deactivated before the portal kept the time, with no time known.
            gone("2026-11-04", None),
        ];
        let r = count(
            &units,
            &tr,
            &venues,
            NaiveDate::from_ymd_opt(2026, 12, 9).unwrap(),
        );
        let weeks: Vec<(String, usize, usize)> = r
            .weeks
            .iter()
            .map(|w| (w.monday.to_string(), w.new_posters, w.total))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-11-02".into(), 2, 2),
                ("2026-11-09".into(), 1, 2),
                ("2026-11-16".into(), 0, 2),
                ("2026-11-23".into(), 0, 2),
                ("2026-11-30".into(), 0, 1),
                ("2026-12-07".into(), 0, 1),
            ]
        );
        // Today's tables count active venues only.
        assert_eq!((r.registered, r.with_poster), (1, 1));
        let song_hien = r.communes.iter().find(|c| c.code == 1267).unwrap();
        assert_eq!((song_hien.registered, song_hien.with_poster), (0, 0));
    }

    #[test]
    fn counts_by_commune_district_sector_and_week() {
        let units = UnitList::load(Edition::Y2021, 4).unwrap();
        let tr = Tr::new(Lang::Vi);
        let venues = vec![
            active(1267, "shop", Some(ts("2026-11-02"))),
            active(1267, "school", Some(ts("2026-11-04"))),
            active(1270, "shop", None),
            active(1270, "market", Some(ts("2026-11-17"))),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let r = count(&units, &tr, &venues, today);
        assert_eq!((r.registered, r.with_poster, r.covered_communes), (4, 3, 2));
        let song_hien = r.communes.iter().find(|c| c.code == 1267).unwrap();
        assert_eq!((song_hien.registered, song_hien.with_poster), (2, 2));
        let song_bang = r.communes.iter().find(|c| c.code == 1270).unwrap();
        assert_eq!((song_bang.registered, song_bang.with_poster), (2, 1));
        // Communes with none are listed too.
        assert_eq!(r.communes.len(), 161);
        let city = r
            .districts
            .iter()
            .find(|d| d.name == "Thành phố Cao Bằng")
            .unwrap();
        assert_eq!((city.covered, city.registered, city.with_poster), (2, 4, 3));
        let shop = r.sectors.iter().find(|s| s.sector == "shop").unwrap();
        assert_eq!((shop.registered, shop.with_poster), (2, 1));
        // Weeks from Monday 2 November to the week of 29 November, the quiet one included.
        let weeks: Vec<(String, usize, usize)> = r
            .weeks
            .iter()
            .map(|w| (w.monday.to_string(), w.new_posters, w.total))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-11-02".into(), 2, 2),
                ("2026-11-09".into(), 0, 2),
                ("2026-11-16".into(), 1, 3),
                ("2026-11-23".into(), 0, 3),
            ]
        );
    }

    #[test]
    fn weeks_follow_vietnam_time() {
        // 17:30 UTC on Sunday 8 November is 00:30 on Monday 9 November in Vietnam.
        let t = NaiveDate::from_ymd_opt(2026, 11, 8)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let units = UnitList::load(Edition::Y2025, 4).unwrap();
        let code = units.communes[0].code;
        let r = count(
            &units,
            &Tr::new(Lang::En),
            &[active(code, "shop", Some(t))],
            NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
        );
        assert_eq!(r.weeks[0].monday.to_string(), "2026-11-09");
        assert!(r.districts.is_empty());
    }

    #[test]
    fn a_report_as_of_a_day_counts_what_stood_then() {
        let units = UnitList::load(Edition::Y2021, 4).unwrap();
        let tr = Tr::new(Lang::Vi);
        let registered = |day: &str, v: Counted| Counted {
            created_at: ts(day),
            ..v
        };
        let venues = vec![
            // Registered and given a poster before the day.
            active(1270, "shop", Some(ts("2026-11-02"))),
            // Registered before, its first poster after.
            active(1270, "market", Some(ts("2026-11-20"))),
            // Registered after the day.
            registered("2026-11-18", active(1267, "shop", Some(ts("2026-11-18")))),
            // Deactivated after the day: active then.
            Counted {
                active: false,
                deactivated_at: Some(ts("2026-11-25")),
                ..active(1267, "school", None)
            },
            // Deactivated before the day.
            Counted {
                active: false,
                deactivated_at: Some(ts("2026-11-05")),
                ..active(1273, "school", Some(ts("2026-11-03")))
            },
        ];
        let day = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        let end = crate::domain::time::start_of(day + Duration::days(1)) - 1;
        let then = count(&units, &tr, &as_of(&venues, end), day);
        assert_eq!(then.registered, 3);
        assert_eq!(then.with_poster, 1);
        assert_eq!(then.covered_communes, 1);
        let school = then.sectors.iter().find(|s| s.sector == "school").unwrap();
        assert_eq!((school.registered, school.with_poster), (1, 0));
        // Weeks end with the week of the day. The venue gone on 5 November, in the week of its
        // first poster, is among that week's new posters but not in any total.
        let weeks: Vec<(String, usize)> = then
            .weeks
            .iter()
            .map(|w| (w.monday.to_string(), w.total))
            .collect();
        assert_eq!(then.weeks[0].new_posters, 2);
        assert_eq!(
            weeks,
            [("2026-11-02".to_owned(), 1), ("2026-11-09".to_owned(), 1),]
        );
        // Today, everything registered counts.
        let now = count(
            &units,
            &tr,
            &venues,
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        );
        assert_eq!((now.registered, now.with_poster), (3, 3));
    }
}
