//! How long the portal keeps what citizens and doors shared: an answer (a sealed diary or
//! guestbook) and its request's own key are deleted together `diary_retention_days` after the
//! answer came (60 by default, the longest span a request may ask for, and how long notices stay
//! in the list); a request never answered loses its key a day after it expired, since nothing can
//! be sealed to it any more (the day leaves an upload under way at the expiry time its key), and
//! is marked closed so that its missing key is never taken for an old request's.

/// The retention when the settings name none.
pub const DEFAULT_DAYS: u32 = 60;
/// How long after its expiry an unanswered request keeps its key.
pub const EXPIRED_KEY_GRACE: i64 = 86_400;
const DAY: i64 = 86_400;

/// When an answer that came at `answered_at` is deleted, keeping it `days` (at least one).
pub fn deleted_at(answered_at: i64, days: u32) -> i64 {
    answered_at.saturating_add(i64::from(days.max(1)) * DAY)
}

/// What a purge at `now` deletes: answers that came at or before `answered_before`, and the keys
/// of unanswered requests that expired at or before `expired_before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub answered_before: i64,
    pub expired_before: i64,
}

pub fn cutoffs(now: i64, days: u32) -> Cutoffs {
    Cutoffs {
        answered_before: now.saturating_sub(i64::from(days.max(1)) * DAY),
        expired_before: now - EXPIRED_KEY_GRACE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_goes_when_its_days_are_over_and_not_a_second_before() {
        let answered = 1_000_000;
        let at = deleted_at(answered, 60);
        assert_eq!(at, answered + 60 * 86_400);
        // A purge at that moment takes it; one a second earlier does not.
        assert!(answered <= cutoffs(at, 60).answered_before);
        assert!(answered > cutoffs(at - 1, 60).answered_before);
        // Zero days is read as one: an answer is never deleted as it arrives.
        assert_eq!(deleted_at(answered, 0), answered + 86_400);
        assert_eq!(cutoffs(answered, 0).answered_before, answered - 86_400);
        // An unanswered request keeps its key a day past its expiry.
        assert_eq!(cutoffs(answered, 60).expired_before, answered - 86_400);
    }
}
