//! What the audit log records: every action a member of staff (or the app's API) can take, by
//! the name the log keeps and the filter offers.

/// Every action the portal records, for the filter.
pub const ACTIONS: &[&str] = &[
    "login",
    "login_failed",
    "login_throttled",
    "login_refused_disabled",
    "logout",
    "password_changed",
    "password_change_failed",
    "password_change_throttled",
    "user_created",
    "user_edited",
    "user_disabled",
    "user_enabled",
    "user_password_reset",
    "venue_registered",
    "venue_edited",
    "venue_deactivated",
    "venue_activated",
    "venues_imported",
    "poster_downloaded",
    "contact_card_made",
    "report_downloaded",
    "case_opened",
    "share_request_created",
    "diary_opened",
    "diary_opened_overlap",
    "diary_unreadable",
    "diary_exported",
    "diary_received_file",
    "diary_received",
    "share_codes_throttled",
    "door_request_created",
    "guestbook_opened",
    "guestbook_opened_overlap",
    "guestbook_unreadable",
    "guestbook_received",
    "guestbook_received_file",
    "notice_drafted",
    "notice_drafted_override",
    "diary_opened_notice",
    "notice_published",
    "notice_retracted",
    "notice_cosigned",
    "notice_edited",
    "notice_deleted",
    "share_request_cancelled",
    "venues_exported",
    "posters_downloaded",
    "audit_exported",
    "answers_deleted",
];

/// One entry of the audit log: who did what to which object, from where.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The account, when a member of staff did it.
    pub user_id: Option<i64>,
    /// The account's name, `app` for the app's API, or the name typed at a failed sign-in.
    pub username: String,
    pub action: &'static str,
    pub target: String,
    pub detail: String,
    pub address: String,
    pub at: i64,
}

/// The message id of an action's label.
pub fn action_label(action: &str) -> String {
    format!("action-{}", action.replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{ids, EN, VI};

    #[test]
    fn every_action_has_a_label_in_both_languages() {
        for (lang, text) in [("vi", VI), ("en", EN)] {
            let known = ids(text);
            for action in ACTIONS {
                assert!(known.contains(&action_label(action)), "{lang}: {action}");
            }
        }
    }
}
