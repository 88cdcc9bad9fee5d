//! Overlaps between cases: other cases whose shared visits were at the same venue at a time that
//! overlaps one of this case's visits. Pure logic; the web page opens the diaries and logs it.
//!
//! A visit counts by the one stay rule the app also matches exposure notices by
//! (`protocol::stay::span`): its time in to its time out, or, when the citizen never checked out,
//! its time in plus the venue's usual stay (two hours at a venue this portal does not know, never
//! more than twelve); half-open, so one that ends at the minute another begins does not overlap
//! it; and for at most a day (a visit left open for days, from before the app closed visits by
//! itself, or a mistyped entry, would otherwise meet everyone). Only visits that name a venue (by
//! origin and venue id) can be compared; names are not matched.

use protocol::SharedVisit;

/// One of this case's visits and another case's visit that shared a venue and a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub venue_name: String,
    pub venue_address: String,
    /// This case's stay, unix seconds, half-open.
    pub mine: (i64, i64),
    pub other_case: i64,
    /// Which of `others` it is.
    pub other: usize,
    /// The other case's stay.
    pub theirs: (i64, i64),
    /// When both were there.
    pub both: (i64, i64),
}

/// The stay of a visit; `usual_stay` gives a venue's usual stay in minutes when known.
pub fn stay(visit: &SharedVisit, usual_stay: &impl Fn(&str) -> Option<u32>) -> (i64, i64) {
    let usual = visit.venue_id.as_deref().and_then(usual_stay);
    protocol::stay::span(visit.time_in, visit.time_out, usual)
}

/// Every pair of this case's visit and another case's visit at the same venue whose stays
/// overlap, earliest first.
pub fn overlaps(
    mine: &[SharedVisit],
    others: &[(i64, SharedVisit)],
    usual_stay: impl Fn(&str) -> Option<u32>,
) -> Vec<Overlap> {
    let mut found = Vec::new();
    for m in mine {
        let Some(venue) = m.venue_id.as_deref() else {
            continue;
        };
        let a = stay(m, &usual_stay);
        for (other, (case, o)) in others.iter().enumerate() {
            if o.origin != m.origin || o.venue_id.as_deref() != Some(venue) {
                continue;
            }
            let b = stay(o, &usual_stay);
            if a.0 < b.1 && b.0 < a.1 {
                found.push(Overlap {
                    venue_name: m.name.clone(),
                    venue_address: m.address.clone(),
                    mine: a,
                    other_case: *case,
                    other,
                    theirs: b,
                    both: (a.0.max(b.0), a.1.min(b.1)),
                });
            }
        }
    }
    found.sort_by_key(|o| (o.both.0, o.other_case));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn visit(venue: &str, time_in: i64, time_out: Option<i64>) -> SharedVisit {
        SharedVisit {
            name: format!("Venue {venue}"),
            address: "Phường Thục Phán".into(),
            unit: Some(1273),
            venue_id: Some(venue.into()),
            origin: "vd1".into(),
            time_in,
            time_out,
        }
    }

    fn none(_: &str) -> Option<u32> {
        None
    }

    #[test]
    fn overlapping_stays_at_the_same_venue_are_found_with_their_shared_time() {
        let mine = [visit("a", 10 * H, Some(12 * H))];
        let others = [(7, visit("a", 11 * H, Some(13 * H)))];
        let found = overlaps(&mine, &others, none);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].other_case, 7);
        assert_eq!(found[0].both, (11 * H, 12 * H));
        assert_eq!(found[0].mine, (10 * H, 12 * H));
        assert_eq!(found[0].theirs, (11 * H, 13 * H));
    }

    #[test]
    fn touching_ends_other_venues_and_visits_without_a_venue_do_not_overlap() {
        let mine = [visit("a", 10 * H, Some(12 * H))];
        let mut nameless = visit("a", 10 * H, Some(12 * H));
        nameless.venue_id = None;
        let mut foreign = visit("a", 10 * H, Some(12 * H));
        foreign.origin = "nz-covid-tracer".into();
        let others = [
            (1, visit("a", 12 * H, Some(13 * H))),
            (2, visit("a", 8 * H, Some(10 * H))),
            (3, visit("b", 10 * H, Some(12 * H))),
            (4, nameless),
            (5, foreign),
        ];
        assert_eq!(overlaps(&mine, &others, none), vec![]);
    }

    #[test]
    fn a_visit_never_checked_out_lasts_the_venues_usual_stay_or_two_hours() {
        let mine = [visit("a", 10 * H, None)];
        let others = [(1, visit("a", 11 * H + 30 * 60, Some(14 * H)))];
        // Two hours by default: 10:00–12:00 meets 11:30.
        assert_eq!(overlaps(&mine, &others, none).len(), 1);
        // A venue where people stay an hour: 10:00–11:00 does not.
        assert_eq!(overlaps(&mine, &others, |_| Some(60)).len(), 0);
        // A usual stay longer than any venue may name counts as twelve hours, as on phones.
        assert_eq!(stay(&mine[0], &|_| Some(24 * 60)), (10 * H, 22 * H));
    }

    #[test]
    fn a_stay_counts_for_a_day_at_most() {
        // Checked in at midnight and "out" thirty hours later: counted until the next midnight.
        let mine = [visit("a", 25 * H, Some(26 * H))];
        let others = [(1, visit("a", 0, Some(30 * H)))];
        assert_eq!(overlaps(&mine, &others, none), vec![]);
        assert_eq!(stay(&others[0].1, &none), (0, 24 * H));
    }

    #[test]
    fn several_cases_are_listed_earliest_first() {
        let mine = [
            visit("a", 10 * H, Some(12 * H)),
            visit("b", 8 * H, Some(9 * H)),
        ];
        let others = [
            (2, visit("a", 11 * H, Some(11 * H + 1))),
            (3, visit("b", 8 * H, Some(8 * H + 60))),
            (4, visit("a", 9 * H, Some(20 * H))),
        ];
        let cases: Vec<i64> = overlaps(&mine, &others, none)
            .iter()
            .map(|o| o.other_case)
            .collect();
        assert_eq!(cases, vec![3, 4, 2]);
    }
}
