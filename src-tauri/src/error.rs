use serde::Serialize;

/// Errors as they cross IPC: a stable `kind` the UI translates, and an English `message` for
/// logs. The UI never shows `message` to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct IpcError {
    pub kind: String,
    pub message: String,
}

impl IpcError {
    pub fn new(kind: &str, message: impl Into<String>) -> IpcError {
        IpcError {
            kind: kind.to_owned(),
            message: message.into(),
        }
    }
}

impl From<diary::Error> for IpcError {
    fn from(e: diary::Error) -> IpcError {
        IpcError::new(e.kind(), e.to_string())
    }
}

impl From<protocol::Error> for IpcError {
    fn from(e: protocol::Error) -> IpcError {
        IpcError::new(e.kind(), e.to_string())
    }
}
