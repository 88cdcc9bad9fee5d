use serde::Serialize;

/// Errors as they cross IPC: a stable `kind` the UI translates, an English `message` for logs,
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
    pub fn new(kind: &str, message: impl Into<String>) -> IpcError {
        IpcError {
            kind: kind.to_owned(),
            message: message.into(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> IpcError {
        self.detail = Some(detail);
        self
    }
}

impl From<diary::Error> for IpcError {
    fn from(e: diary::Error) -> IpcError {
        let error = IpcError::new(e.kind(), e.to_string());
        match e {
            diary::Error::Duplicate { name, time_in } => {
                error.with_detail(serde_json::json!({ "name": name, "time_in": time_in }))
            }
            _ => error,
        }
    }
}

impl From<protocol::Error> for IpcError {
    fn from(e: protocol::Error) -> IpcError {
        IpcError::new(e.kind(), e.to_string())
    }
}
