//! Exposure notices: what a tracer may draft from a case's visits, the states a notice passes
//! through (draft, published, retracted), and the list the app downloads, which names venues
//! only by hash.

use protocol::cosign::{Agreement, Cosign, CosignRequest};
use protocol::exposure::{self, ExposureList, Level, Notice};
use serde::Deserialize;
use uuid::Uuid;

use super::time::parse_local;
use crate::authority::Authority;
use crate::text::clean;

/// Notices whose window ended longer ago than this leave the list (the longest a diary keeps
/// visits).
pub const RETENTION_SECONDS: i64 = 60 * 24 * 3600;

/// How long a signed list may be used: two days from its signing. The portal signs afresh at
/// least daily (a list's tag changes with the day), so a phone that refreshes keeps a valid list;
/// one cut off from the portal is told its list is old after two days.
pub const LIST_LIFETIME_SECONDS: i64 = 2 * 86_400;

/// A notice's window at most: a case's stay at a place, not a province's week.
pub const MAX_WINDOW_SECONDS: i64 = 24 * 3600;

/// A supervisor's reason for a notice outside a case's visits, at most this long.
pub const MAX_REASON_CHARS: usize = 500;

/// A notice as the case page's form gives it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NoticeInput {
    #[serde(default)]
    pub venue_id: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub advice_vi: String,
    #[serde(default)]
    pub advice_en: String,
    /// A supervisor's reason for a venue the case's shared visits and guestbooks do not name.
    #[serde(default)]
    pub reason: String,
    /// `1` on a supervisor's form for a venue outside the case (it keeps its reason field when
    /// it comes back with a mistake).
    #[serde(default)]
    pub other: String,
}

/// A notice ready to be saved as a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub venue: Uuid,
    pub from: i64,
    pub to: i64,
    pub level: Level,
    pub advice_vi: String,
    pub advice_en: String,
}

/// The venue a notice names: only a venue id the portal could have made (its ids are what phones
/// hash); whether it is registered is the store's to say.
pub fn venue_of(input: &NoticeInput) -> Option<Uuid> {
    Uuid::parse_str(input.venue_id.trim()).ok()
}

/// Checks the rest of a notice for `venue` at `now`, or the message id of what is wrong: a
/// window that has begun and ended by now (a notice says where a case was, not where it will be),
/// at most [`MAX_WINDOW_SECONDS`] long.
pub fn validate(input: &NoticeInput, venue: Uuid, now: i64) -> Result<Draft, &'static str> {
    let (Some(from), Some(to)) = (parse_local(&input.from), parse_local(&input.to)) else {
        return Err("notice-window-invalid");
    };
    if from >= to {
        return Err("notice-window-invalid");
    }
    // The form's times are to the minute: a window may run to the end of the current one (a
    // visit of the last few seconds is in it), not beyond.
    if to > end_of_minute(now) {
        return Err("notice-window-future");
    }
    if to - from > MAX_WINDOW_SECONDS {
        return Err("notice-window-too-long");
    }
    // Older than the list keeps notices (and phones their visits): no phone would ever see it.
    if to < now - RETENTION_SECONDS {
        return Err("notice-window-too-old");
    }
    let Some(level) = Level::parse(input.level.trim()) else {
        return Err("notice-level-invalid");
    };
    let (advice_vi, advice_en) = (clean(&input.advice_vi), clean(&input.advice_en));
    for advice in [&advice_vi, &advice_en] {
        if advice.is_empty() || advice.chars().count() > exposure::MAX_ADVICE_CHARS {
            return Err("notice-advice-invalid");
        }
    }
    // Once published, a notice the protocol will not sign (advice with invisible characters,
    // which pasted text can carry) would leave every phone without a list: refused here instead.
    let probe = Notice {
        id: 0,
        venue_hash: exposure::venue_hash(&venue),
        from,
        to,
        level,
        advice_vi: advice_vi.clone(),
        advice_en: advice_en.clone(),
        cosign: None,
    };
    if probe.validate().is_err() {
        return Err("notice-advice-invalid");
    }
    Ok(Draft {
        venue,
        from,
        to,
        level,
        advice_vi,
        advice_en,
    })
}

/// The end of the minute `now` is in: the latest a notice's window may end.
pub fn end_of_minute(now: i64) -> i64 {
    now.div_euclid(60) * 60 + 60
}

/// Whether a notice may name `venue` for a case whose shared visits and door guestbooks name
/// `case_venues`: yes; otherwise only a supervisor, with a reason (which the audit log keeps).
/// `Err` is the message id.
pub fn venue_allowed<'a>(
    venue: &Uuid,
    case_venues: impl IntoIterator<Item = &'a str>,
    supervisor: bool,
    reason: &str,
) -> Result<Override, &'static str> {
    let venue = venue.to_string();
    if case_venues
        .into_iter()
        .any(|v| v.eq_ignore_ascii_case(&venue))
    {
        return Ok(Override::No);
    }
    if !supervisor {
        return Err("notice-venue-not-in-case");
    }
    let reason = clean(reason);
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err("notice-reason-missing");
    }
    Ok(Override::Because(reason))
}

/// Whether a draft names a venue outside its case's visits, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    No,
    Because(String),
}

/// The id phones will know a new notice by, from 64 random bits: in [2^32, 2^53), so that it is
/// never an earlier notice's row id (which those keep), fits a database integer and a
/// JavaScript number, and says nothing of the notices before it.
pub fn public_id(random: u64) -> i64 {
    const LOW: u64 = 1 << 32;
    const HIGH: u64 = 1 << 53;
    (LOW + random % (HIGH - LOW)) as i64
}

/// How long a co-sign request shown to a venue's owner may be answered: a day.
pub const COSIGN_REQUEST_SECONDS: i64 = 24 * 3600;

/// Whether notices for `venue_id` need its owner's co-signature: its id derives from an owner
/// key ([`protocol::cosign::cosigns`]).
pub fn needs_cosign(venue_id: &str) -> bool {
    Uuid::parse_str(venue_id).is_ok_and(|id| protocol::cosign::cosigns(&id))
}

/// A co-signature as the store keeps it (the owner's key and signature in hex).
pub fn cosign_of(owner_hex: &str, signature_hex: &str) -> Option<Cosign> {
    Some(Cosign {
        owner: hex::decode(owner_hex).ok()?.try_into().ok()?,
        signature: hex::decode(signature_hex).ok()?.try_into().ok()?,
    })
}

/// The request a draft's venue owner signs, as its QR carries it: signed by the authority, open
/// for [`COSIGN_REQUEST_SECONDS`], answered at this portal.
pub fn cosign_request(
    authority: &Authority,
    public_id: i64,
    venue_id: &str,
    (from, to): (i64, i64),
    level: &str,
    now: i64,
) -> crate::Result<String> {
    let venue = Uuid::parse_str(venue_id).map_err(|e| crate::Error::Stored(e.to_string()))?;
    let request = CosignRequest {
        notice: public_id as u64,
        venue,
        from,
        to,
        level: Level::parse(level).unwrap_or(Level::Monitor),
        expires: now + COSIGN_REQUEST_SECONDS,
        upload_url: format!(
            "{}/api/v1/notices/{public_id}/cosign",
            authority.settings.portal_url.trim_end_matches('/')
        ),
    };
    Ok(protocol::cosign::sign_cosign_request(
        &request,
        &authority.key,
    )?)
}

/// What the venue's owner agrees to by co-signing the draft phones will know as `public_id`,
/// as stored (none for a stored venue or level that does not read).
pub fn agreement(
    public_id: i64,
    venue_id: &str,
    (from, to): (i64, i64),
    level: &str,
) -> Option<Agreement> {
    Some(Agreement {
        notice: u64::try_from(public_id).ok()?,
        venue: exposure::venue_hash(&Uuid::parse_str(venue_id).ok()?),
        from,
        to,
        level: Level::parse(level)?,
    })
}

/// Whether `signature` is the venue owner's (`owner_hex`, the key the venue was registered with)
/// on exactly this agreement.
pub fn cosign_verifies(owner_hex: &str, signature: &[u8; 64], agreed: &Agreement) -> bool {
    let Some(owner) = hex::decode(owner_hex).ok().and_then(|o| o.try_into().ok()) else {
        return false;
    };
    Cosign {
        owner,
        signature: *signature,
    }
    .verifies(agreed)
}

/// Four eyes: a draft reaches phones only when someone other than who drafted it approves it.
pub fn may_publish(drafted_by: i64, editors: &str, approver: i64) -> bool {
    drafted_by != approver && !editors.contains(&format!(",{approver},"))
}

/// The editors of a draft once `editor` has edited it (`,5,9,`): its first author and those
/// already listed are not added again.
pub fn with_editor(drafted_by: i64, editors: &str, editor: i64) -> String {
    if drafted_by == editor || editors.contains(&format!(",{editor},")) {
        editors.to_owned()
    } else if editors.is_empty() {
        format!(",{editor},")
    } else {
        format!("{editors}{editor},")
    }
}

/// What a tracer does to a notice: publish a draft, or retract a published one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Publish,
    Retract,
}

impl Change {
    /// The state a notice must be in.
    pub fn from_state(self) -> &'static str {
        match self {
            Change::Publish => "draft",
            Change::Retract => "published",
        }
    }

    /// The state it is in afterwards.
    pub fn to_state(self) -> &'static str {
        match self {
            Change::Publish => "published",
            Change::Retract => "retracted",
        }
    }

    /// The last part of its address, `/cases/{id}/notices/{notice}/<path>`.
    pub fn path(self) -> &'static str {
        match self {
            Change::Publish => "publish",
            Change::Retract => "retract",
        }
    }

    /// Its audit-log action.
    pub fn action(self) -> &'static str {
        match self {
            Change::Publish => "notice_published",
            Change::Retract => "notice_retracted",
        }
    }
}

/// A published or retracted notice as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    /// What the list calls it ([`public_id`]).
    pub public_id: i64,
    pub venue_id: String,
    pub from: i64,
    pub to: i64,
    pub level: String,
    pub advice_vi: String,
    pub advice_en: String,
    pub state: String,
    /// The venue owner's key and signature (hex), for a co-signing venue's notice.
    pub cosign: Option<(String, String)>,
}

/// The list as of `now`, issued now and valid for [`LIST_LIFETIME_SECONDS`]: every published
/// notice still within retention, or with `since`, what changed after that sequence (retracted
/// ones named by id), and every withdrawn venue (by id). A notice the protocol will not sign
/// (saved before the form checked it) is left out rather than leaving every phone without a
/// list; each left out comes back with the reason, for the operator.
pub fn list(
    sequence: u64,
    since: Option<u64>,
    changed: Vec<Stored>,
    withdrawn: &[String],
    now: i64,
) -> (ExposureList, Vec<(i64, String)>) {
    let oldest = now - RETENTION_SECONDS;
    let mut notices = Vec::new();
    let mut retracted = Vec::new();
    let mut left_out = Vec::new();
    for n in changed {
        if n.state == "retracted" {
            if since.is_some() {
                retracted.push(n.public_id as u64);
            }
            continue;
        }
        if n.to < oldest {
            continue;
        }
        let Ok(venue) = Uuid::parse_str(&n.venue_id) else {
            continue;
        };
        let notice = Notice {
            id: n.public_id as u64,
            venue_hash: exposure::venue_hash(&venue),
            from: n.from,
            to: n.to,
            level: Level::parse(&n.level).unwrap_or(Level::Monitor),
            advice_vi: n.advice_vi,
            advice_en: n.advice_en,
            cosign: n.cosign.as_ref().and_then(|(k, s)| cosign_of(k, s)),
        };
        if let Err(e) = notice.validate() {
            left_out.push((n.id, e.to_string()));
            continue;
        }
        notices.push(notice);
    }
    let list = ExposureList {
        sequence,
        issued: now,
        not_after: Some(now + LIST_LIFETIME_SECONDS),
        base: since,
        notices,
        retracted,
        withdrawn: withdrawn
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .map(|id| exposure::venue_hash(&id))
            .collect(),
    };
    (list, left_out)
}

/// The tag of a list: the sequence, the day (notices drop off with time without a new
/// sequence) and `since`. The same tag is the same list.
pub fn list_tag(sequence: u64, since: Option<u64>, now: i64) -> String {
    let day = now / 86_400;
    match since {
        Some(s) => format!("\"{sequence}-{day}-since-{s}\""),
        None => format!("\"{sequence}-{day}\""),
    }
}

/// Until when a signed list may be served as it is: until its oldest notice drops off, and no
/// longer than the first half of its validity, so that what phones get always has a day left.
pub fn valid_until(list: &ExposureList) -> i64 {
    let half_life = list
        .not_after
        .map_or(i64::MAX, |end| end - LIST_LIFETIME_SECONDS / 2);
    list.notices
        .iter()
        .map(|n| n.to + RETENTION_SECONDS)
        .min()
        .unwrap_or(i64::MAX)
        .min(half_life)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(from: &str, to: &str, level: &str, advice: &str) -> NoticeInput {
        NoticeInput {
            venue_id: Uuid::from_bytes([7; 16]).to_string(),
            from: from.into(),
            to: to.into(),
            level: level.into(),
            advice_vi: advice.into(),
            advice_en: "Watch for symptoms.".into(),
            ..NoticeInput::default()
        }
    }

    /// 2026-12-01 07:00 in Cao Bằng (00:00 UTC).
    const NOW: i64 = 1796083200;

    #[test]
    fn a_notice_needs_a_window_a_level_and_advice_the_protocol_signs() {
        let venue = Uuid::from_bytes([7; 16]);
        let ok = input(
            "2026-11-29T08:00",
            "2026-11-29T10:00",
            "monitor",
            " Theo dõi ",
        );
        assert_eq!(venue_of(&ok), Some(venue));
        let draft = validate(&ok, venue, NOW).unwrap();
        assert_eq!(
            (draft.to - draft.from, draft.advice_vi.as_str()),
            (7200, "Theo dõi")
        );
        for (bad, why) in [
            (
                input("2026-11-29T10:00", "2026-11-29T10:00", "monitor", "x"),
                "notice-window-invalid",
            ),
            (
                input("29/11/2026", "2026-11-29T10:00", "monitor", "x"),
                "notice-window-invalid",
            ),
            (
                input("2026-11-29T08:00", "2026-11-29T10:00", "panic", "x"),
                "notice-level-invalid",
            ),
            (
                input("2026-11-29T08:00", "2026-11-29T10:00", "monitor", " "),
                "notice-advice-invalid",
            ),
            (
                input(
                    "2026-11-29T08:00",
                    "2026-11-29T10:00",
                    "monitor",
                    "a\u{200b}b",
                ),
                "notice-advice-invalid",
            ),
        ] {
            assert_eq!(validate(&bad, venue, NOW), Err(why), "{bad:?}");
        }
        let mut not_ours = ok.clone();
        not_ours.venue_id = "Quán Cô Ba".into();
        assert_eq!(venue_of(&not_ours), None);
    }

    #[test]
    fn a_window_is_a_stay_that_has_happened_not_a_week_or_tomorrow() {
        let venue = Uuid::from_bytes([7; 16]);
        let window = |from: &str, to: &str| validate(&input(from, to, "test", "x"), venue, NOW);
        // 24 hours exactly, ending with the current minute (07:00 local): fine.
        assert!(window("2026-11-30T07:01", "2026-12-01T07:01").is_ok());
        assert_eq!(
            window("2026-11-30T06:59", "2026-12-01T07:00"),
            Err("notice-window-too-long")
        );
        assert_eq!(
            window("2026-11-24T07:00", "2026-12-01T07:00"),
            Err("notice-window-too-long")
        );
        assert_eq!(
            window("2026-12-01T06:00", "2026-12-01T07:02"),
            Err("notice-window-future")
        );
        assert_eq!(
            window("2026-12-02T08:00", "2026-12-02T09:00"),
            Err("notice-window-future")
        );
    }

    #[test]
    fn only_a_venue_of_the_case_unless_a_supervisor_says_why() {
        let venue = Uuid::from_bytes([7; 16]);
        let other = Uuid::from_bytes([8; 16]).to_string();
        let mine = venue.to_string().to_uppercase();
        assert_eq!(
            venue_allowed(&venue, [other.as_str(), mine.as_str()], false, ""),
            Ok(Override::No)
        );
        assert_eq!(
            venue_allowed(&venue, [other.as_str()], false, "lý do"),
            Err("notice-venue-not-in-case")
        );
        assert_eq!(
            venue_allowed(&venue, [other.as_str()], true, "  "),
            Err("notice-reason-missing")
        );
        assert_eq!(
            venue_allowed(&venue, [], true, " Ca F1 khai báo qua điện thoại "),
            Ok(Override::Because("Ca F1 khai báo qua điện thoại".into()))
        );
    }

    #[test]
    fn public_ids_are_never_row_ids_and_fit_a_javascript_number() {
        for random in [0, 1, u64::MAX, (1 << 53) - (1 << 32), 1 << 63] {
            let id = public_id(random);
            assert!((1 << 32..1 << 53).contains(&id), "{random}: {id}");
        }
        assert_ne!(public_id(7), public_id(8));
    }

    #[test]
    fn the_one_who_drafted_does_not_approve() {
        assert!(!may_publish(4, "", 4));
        assert!(may_publish(4, "", 5));
        // Whoever edited it is one of its authors too.
        let editors = with_editor(4, "", 5);
        assert_eq!(editors, ",5,");
        assert!(!may_publish(4, &editors, 5));
        assert!(may_publish(4, &editors, 15));
        let editors = with_editor(4, &editors, 15);
        assert_eq!(editors, ",5,15,");
        assert!(!may_publish(4, &editors, 15) && !may_publish(4, &editors, 5));
        assert!(may_publish(4, &editors, 1));
        assert_eq!(with_editor(4, &editors, 4), editors);
        assert_eq!(with_editor(4, &editors, 5), editors);
    }

    fn stored(id: i64, to: i64, state: &str, advice: &str) -> Stored {
        Stored {
            id,
            public_id: (1 << 40) + id,
            venue_id: Uuid::from_bytes([id as u8; 16]).to_string(),
            from: to - 3600,
            to,
            level: "monitor".into(),
            advice_vi: advice.into(),
            advice_en: "Watch.".into(),
            state: state.into(),
            cosign: None,
        }
    }

    #[test]
    fn the_list_keeps_what_is_published_and_recent_and_names_retractions_only_in_changes() {
        let now = 100 * 86_400;
        let changed = vec![
            stored(1, now - 3600, "published", "Theo dõi."),
            stored(2, now - RETENTION_SECONDS - 1, "published", "Cũ."),
            stored(3, now, "retracted", "Rút."),
            stored(4, now, "published", "a\u{200b}b"),
        ];
        let withdrawn = [Uuid::from_bytes([5; 16]).to_string()];
        let (whole, left_out) = list(9, None, changed.clone(), &withdrawn, now);
        assert_eq!(whole.issued, now);
        assert_eq!(whole.not_after, Some(now + LIST_LIFETIME_SECONDS));
        assert_eq!(
            whole.withdrawn,
            [exposure::venue_hash(&Uuid::from_bytes([5; 16]))]
        );
        // Phones know notices by their public ids; the operator by row ids.
        assert_eq!(
            whole.notices.iter().map(|n| n.id).collect::<Vec<_>>(),
            [(1 << 40) + 1]
        );
        assert!(whole.retracted.is_empty());
        assert_eq!(left_out.iter().map(|l| l.0).collect::<Vec<_>>(), [4]);
        let (change, _) = list(9, Some(8), changed, &withdrawn, now);
        assert_eq!(change.retracted, [(1 << 40) + 3]);
        assert_eq!(change.base, Some(8));
        // The whole set of withdrawn venues, in a change too.
        assert_eq!(change.withdrawn, whole.withdrawn);
        // Served for a day at most, though its notice stays two months.
        assert_eq!(valid_until(&whole), now + LIST_LIFETIME_SECONDS / 2);
        let endless = ExposureList {
            not_after: None,
            ..whole.clone()
        };
        assert_eq!(valid_until(&endless), now - 3600 + RETENTION_SECONDS);
        assert_eq!(list_tag(9, None, now), "\"9-100\"");
        assert_eq!(list_tag(9, Some(8), now + 86_400), "\"9-101-since-8\"");
    }

    #[test]
    fn publishing_and_retracting_move_one_state_on() {
        assert_eq!(
            (Change::Publish.from_state(), Change::Publish.to_state()),
            ("draft", "published")
        );
        assert_eq!(
            (Change::Retract.from_state(), Change::Retract.to_state()),
            ("published", "retracted")
        );
    }
}
