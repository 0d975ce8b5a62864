//! [`Hook`]: a look at, and a hand in, every exchange a client makes.

/// Sees every request just before it is sent, and may change it (a header, a trace id,
/// a signature), and sees every response as it arrives. Called once per attempt, after
/// credentials are attached, so a retried or re-authenticated request is seen (and
/// signed) again. Add one with [`Config::hook`](crate::Config::hook).
///
/// ```
/// use authgen_runtime::{Config, Hook, reqwest};
///
/// struct TraceId;
///
/// impl Hook for TraceId {
///     fn on_request(&self, request: &mut reqwest::Request) {
///         let id = reqwest::header::HeaderValue::from_static("7f3a");
///         request.headers_mut().insert("x-trace-id", id);
///     }
/// }
///
/// let config = Config::new().hook(TraceId);
/// ```
pub trait Hook: Send + Sync + 'static {
    /// The request about to be sent; change what you must.
    fn on_request(&self, request: &mut reqwest::Request) {
        let _ = request;
    }

    /// The response's status and headers, before its body is read.
    fn on_response(&self, response: &reqwest::Response) {
        let _ = response;
    }
}
