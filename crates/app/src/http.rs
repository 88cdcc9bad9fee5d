//! The network as the app's rules see it: a small trait the shell implements with its real
//! client and tests with a fake, and the portals the app may reach through it.

use std::future::Future;

use protocol::TrustList;

/// A portal's answer to a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    /// The body of a 200 answer (the only one whose body the app reads), or why it could not be
    /// read (past the limit, cut off on the way); empty for other answers.
    pub body: Result<String, String>,
}

/// HTTP as the app uses it. Implementations follow no redirects (a 3xx is an answer like any
/// other, so a request goes only where the app chose) and give up after a bounded time. `Err`
/// is why no answer came (no network, a timeout), in words for logs.
pub trait Http: Sync {
    /// GETs `url`, sending `if_none_match` as `If-None-Match`. Reading a 200 answer's body
    /// stops past `limit` bytes, and the answer says so in its `body`.
    fn get(
        &self,
        url: &str,
        if_none_match: Option<&str>,
        limit: u64,
    ) -> impl Future<Output = Result<Answer, String>> + Send;

    /// POSTs `body` as `application/octet-stream`; the answer's status.
    fn post(&self, url: &str, body: Vec<u8>) -> impl Future<Output = Result<u16, String>> + Send;
}

/// The only portals the app ever contacts (those of the authorities it trusts), and the client
/// that reaches them.
pub struct Portals<'a, H> {
    pub trust: &'a TrustList,
    pub http: &'a H,
}

impl<H> Portals<'_, H> {
    /// Whether `url` is under the portal of an authority the app trusts.
    pub(crate) fn trusts(&self, url: &str) -> bool {
        self.trust
            .authorities
            .iter()
            .any(|a| url.starts_with(&format!("{}/", a.portal_url.trim_end_matches('/'))))
    }
}
