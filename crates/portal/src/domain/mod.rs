//! The portal's rules, with no SQL and no HTTP: what a valid venue, account, share request or
//! exposure notice is, how a CSV file is read, how coverage and overlaps are counted. Functions
//! take the time and the randomness they need as arguments, so each rule has unit tests of its
//! own; `store` keeps what they decide and `web` shows it.

pub mod accounts;
pub mod audit;
pub mod cards;
pub mod coverage;
pub mod door_requests;
pub mod import;
pub mod notices;
pub mod overlap;
pub mod requests;
pub mod retention;
pub mod throttle;
pub mod time;
pub mod venues;

use crate::i18n::Tr;

/// A problem with what staff entered: the field, a message id and the message's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn new(field: &'static str, message: &'static str) -> Problem {
        Problem {
            field,
            message,
            args: Vec::new(),
        }
    }

    /// The message in the reader's language.
    pub fn text(&self, tr: &Tr) -> String {
        let args: Vec<(&str, fluent_bundle::FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v.as_str().into()))
            .collect();
        tr.ta(self.message, &args)
    }
}

impl From<(&'static str, &'static str)> for Problem {
    fn from((field, message): (&'static str, &'static str)) -> Problem {
        Problem::new(field, message)
    }
}

/// An authority for the rules' unit tests, made in memory from fixed keys.
#[cfg(test)]
pub(crate) mod testing {
    use crate::authority::{Authority, DepartmentKey, RequestKeys, Settings};
    use crate::keys::MasterKey;
    use crate::units::Edition;

    pub fn authority() -> Authority {
        Authority {
            settings: Settings {
                name: test_support::AUTHORITY.into(),
                host: test_support::HOST.into(),
                portal_url: test_support::PORTAL_URL.into(),
                province: 4,
                units: Edition::Y2025,
                apps: Default::default(),
                diary_retention_days: crate::domain::retention::DEFAULT_DAYS,
                department: Default::default(),
            },
            key: test_support::authority_key(),
            department: DepartmentKey::derive(&[8; 32]),
            door: None,
            requests: RequestKeys::new(MasterKey::from_bytes([9; 32])),
            next: None,
            retired: Vec::new(),
            dir: Default::default(),
        }
    }
}
