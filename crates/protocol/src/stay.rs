//! How long a visit counts for: the one stay rule the app (automatic check-out, exposure
//! matching) and the portal (overlaps between cases) share.
//!
//! A visit never checked out lasts its venue's usual stay, [`DEFAULT_STAY_MINUTES`] where its
//! code names none, at least [`MIN_STAY_MINUTES`] and never more than [`MAX_STAY_MINUTES`]. In
//! matching and overlaps a visit counts from its time in to its time out (or to the end of that
//! stay), half-open, and for at most [`MAX_SPAN_SECONDS`]: a visit left open for days or given a
//! mistyped time out would otherwise meet everyone at its venue.

/// A visit's stay when it was never checked out and its venue names no usual stay.
pub const DEFAULT_STAY_MINUTES: u16 = 2 * 60;
/// The shortest stay a visit never checked out is given.
pub const MIN_STAY_MINUTES: u16 = 1;
/// The longest usual stay a venue code may carry, and so the longest a visit stays open: 12
/// hours.
pub const MAX_STAY_MINUTES: u16 = 12 * 60;
/// The longest a visit counts for in exposure matching and in overlaps, however long it was.
pub const MAX_SPAN_SECONDS: i64 = 24 * 3600;

/// How long a visit never checked out lasts, in minutes, given its venue's usual stay.
pub fn stay_minutes(usual: Option<u32>) -> i64 {
    usual
        .map_or(i64::from(DEFAULT_STAY_MINUTES), i64::from)
        .clamp(i64::from(MIN_STAY_MINUTES), i64::from(MAX_STAY_MINUTES))
}

/// The half-open interval `[start, end)`, Unix seconds, a visit counts for in exposure matching
/// and in overlaps: from its time in to its time out, or to its time in plus
/// [`stay_minutes`]`(usual_stay_minutes)` when it was never checked out. It never ends before its
/// time in, and never lasts longer than [`MAX_SPAN_SECONDS`].
pub fn span(time_in: i64, time_out: Option<i64>, usual_stay_minutes: Option<u32>) -> (i64, i64) {
    // Saturating: times come from files and other phones, and must not overflow into the past.
    let end =
        time_out.unwrap_or_else(|| time_in.saturating_add(stay_minutes(usual_stay_minutes) * 60));
    let latest = time_in.saturating_add(MAX_SPAN_SECONDS);
    (time_in, end.clamp(time_in, latest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stay_is_the_venues_or_two_hours_and_from_one_minute_to_twelve_hours() {
        for (usual, minutes) in [
            (None, 120),
            (Some(0), 1),
            (Some(1), 1),
            (Some(2), 2),
            (Some(45), 45),
            (Some(120), 120),
            (Some(719), 719),
            (Some(720), 720),
            (Some(721), 720),
            (Some(u32::MAX), 720),
        ] {
            assert_eq!(stay_minutes(usual), minutes, "{usual:?}");
        }
    }

    const IN: i64 = 1_795_000_000;

    #[test]
    fn a_visit_checked_out_counts_from_its_time_in_to_its_time_out() {
        assert_eq!(span(IN, Some(IN + 600), Some(45)), (IN, IN + 600));
        // A time out longer than the usual stay is the visit's own: the stay does not cut it.
        assert_eq!(
            span(IN, Some(IN + 13 * 3600), Some(45)),
            (IN, IN + 13 * 3600)
        );
        // Checked out the moment it began: an empty interval, which meets only a window that began
        // before that moment and ends after it.
        assert_eq!(span(IN, Some(IN), None), (IN, IN));
    }

    #[test]
    fn a_visit_never_checked_out_counts_for_its_stay() {
        assert_eq!(span(IN, None, Some(45)), (IN, IN + 45 * 60));
        assert_eq!(span(IN, None, None), (IN, IN + 120 * 60));
        assert_eq!(span(IN, None, Some(0)), (IN, IN + 60));
        assert_eq!(span(IN, None, Some(720)), (IN, IN + 720 * 60));
        assert_eq!(span(IN, None, Some(721)), (IN, IN + 720 * 60));
    }

    #[test]
    fn a_span_never_ends_before_it_begins_nor_lasts_more_than_a_day() {
        assert_eq!(span(IN, Some(IN - 1), None), (IN, IN));
        assert_eq!(
            span(IN, Some(IN + MAX_SPAN_SECONDS - 1), None).1,
            IN + MAX_SPAN_SECONDS - 1
        );
        assert_eq!(
            span(IN, Some(IN + MAX_SPAN_SECONDS), None).1,
            IN + MAX_SPAN_SECONDS
        );
        assert_eq!(
            span(IN, Some(IN + MAX_SPAN_SECONDS + 1), None).1,
            IN + MAX_SPAN_SECONDS
        );
        assert_eq!(
            span(IN, Some(IN + 30 * 3600), Some(60)),
            (IN, IN + 24 * 3600)
        );
    }

    #[test]
    fn times_at_the_ends_of_the_range_do_not_overflow() {
        assert_eq!(span(i64::MAX, None, None), (i64::MAX, i64::MAX));
        assert_eq!(
            span(i64::MAX - 60, Some(i64::MIN), None),
            (i64::MAX - 60, i64::MAX - 60)
        );
        assert_eq!(span(i64::MIN, None, Some(1)), (i64::MIN, i64::MIN + 60));
        assert_eq!(
            span(i64::MIN, Some(i64::MAX), None),
            (i64::MIN, i64::MIN + MAX_SPAN_SECONDS)
        );
    }
}
