//! Errors as they cross IPC: the one place an `app::Error` becomes what the UI receives.

use serde::Serialize;

/// An error as the UI receives it: a stable `kind` it translates, an English `message` for logs,
/// and for some kinds a `detail` the sentence needs (a place and time, seconds to wait). The UI
/// never shows `message` to the user.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct IpcError {
    pub kind: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl IpcError {
    /// Phones: the file was written but the system share sheet did not open.
    pub fn share_sheet(message: String) -> IpcError {
        IpcError {
            kind: "share_sheet".into(),
            message,
            detail: None,
        }
    }
}

impl From<app::Error> for IpcError {
    fn from(e: app::Error) -> IpcError {
        IpcError {
            kind: e.kind().to_owned(),
            detail: e.detail(),
            message: e.to_string(),
        }
    }
}

// The diary's and the protocol's errors go through `app::Error`, so that `?` works on them in
// commands and their kinds are mapped in one place.
impl From<diary::Error> for IpcError {
    fn from(e: diary::Error) -> IpcError {
        app::Error::from(e).into()
    }
}

impl From<protocol::Error> for IpcError {
    fn from(e: protocol::Error) -> IpcError {
        app::Error::from(e).into()
    }
}
