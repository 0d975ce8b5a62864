//! [`Request`]: a request under construction: parameters, body, per-call options, and
//! credentials attached by the operation's security requirement.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
};

use super::encode;
use super::multipart::Multipart;
use crate::binary::Binary;
use crate::call::CallOptions;
use crate::client::{ApiKeyLocation, ClientCore, Credential};
use std::time::Duration;

use crate::error::{Error, ValidationError};
use crate::retry::{RetryPolicy, idempotent_method};
use crate::secret::Secret;
use crate::token::{ScopedTokens, TokenCache, bearer_value};

/// A request of one operation.
pub struct Request<'c> {
    pub(super) core: &'c ClientCore,
    pub(super) builder: reqwest::RequestBuilder,
    /// Why it must not be sent, found while building it.
    pub(super) refused: Option<Box<Refusal>>,
    /// Where its bearer token comes from, when a cache gives it.
    pub(super) bearer: Option<Bearer<'c>>,
    /// The OAuth scopes the operation needs, by scheme.
    pub(super) scopes: Vec<(&'static str, &'static [&'static str])>,
    /// `name=value` pairs, sent as one `Cookie` header (RFC 6265 allows only one).
    pub(super) cookies: Vec<String>,
    /// Kept as parts, not a stream, so that a retry can send it again.
    pub(super) multipart: Option<Multipart>,
    /// A body not in memory (a file, a stream), opened anew for each attempt.
    pub(super) upload: Option<Box<Binary>>,
    /// A success's body is left to read as a stream, each item within the timeout.
    pub(super) streamed: bool,
    /// Whether sending it twice has the effect of sending it once.
    pub(super) idempotent: bool,
    /// This call's retry policy, when not the client's.
    pub(super) retry: Option<Box<RetryPolicy>>,
    /// Each attempt's time limit, when not the client's.
    pub(super) timeout: Option<std::time::Duration>,
    /// The idempotency key header and the key given for this call, if any.
    pub(super) idempotency: Option<Box<(&'static str, Option<String>)>>,
    /// Where to send it instead of the operation's URL (a next page's `Link`). The rare
    /// fields are boxed: every builder step moves the request.
    pub(super) url: Option<Box<url::Url>>,
    pub(super) method: Method,
    /// The operation's method name and path template, for its tracing span.
    pub(super) operation: (&'static str, &'static str),
}

/// The cache a request's bearer token comes from.
pub(super) enum Bearer<'c> {
    /// One cache, whatever the operation.
    Cache(&'c TokenCache),
    /// The cache of the scopes the operation needs, among `tokens`.
    Scoped { cache: TokenCache, tokens: &'c ScopedTokens, needed: &'static [&'static str] },
}

impl Bearer<'_> {
    pub(super) fn cache(&self) -> &TokenCache {
        match self {
            Bearer::Cache(cache) => cache,
            Bearer::Scoped { cache, .. } => cache,
        }
    }

    /// The cache of the operation's scopes and `more` (what a 403 asked for), when
    /// `more` adds any.
    pub(super) fn widened<'m>(&self, more: impl Iterator<Item = &'m str>) -> Option<TokenCache> {
        let Bearer::Scoped { tokens, needed, .. } = self else { return None };
        let mut wider: Vec<&str> = needed.to_vec();
        wider.extend(more.filter(|scope| !needed.contains(scope)));
        (wider.len() > needed.len()).then(|| tokens.cache(wider))
    }
}

pub(super) enum Refusal {
    MissingCredentials(String),
    Invalid(ValidationError),
}

impl ClientCore {
    /// Starts a request to `path` (percent-encoded, starting with `/`).
    pub fn request(&self, method: Method, path: &str) -> Request<'_> {
        Request::new(self, method, path)
    }

    /// Starts a request to `url`, which need not be under the base URL (an
    /// authorization server's endpoints, found in its metadata).
    pub(crate) fn request_at(&self, method: Method, url: url::Url) -> Request<'_> {
        let mut request = Request::new(self, method, "");
        request.url = Some(Box::new(url));
        request
    }
}

impl<'c> Request<'c> {
    fn new(core: &'c ClientCore, method: Method, path: &str) -> Self {
        let idempotent = idempotent_method(&method);
        let base = core.base_url();
        // Written out: `format!` costs more than the two copies it makes.
        let mut url = String::with_capacity(base.len() + path.len());
        url.push_str(base);
        url.push_str(path);
        let builder = core.http().request(method.clone(), url);
        let refused = dot_segment(path).map(|invalid| Box::new(Refusal::Invalid(invalid)));
        Request {
            core,
            builder,
            refused,
            bearer: None,
            scopes: Vec::new(),
            cookies: Vec::new(),
            multipart: None,
            upload: None,
            streamed: false,
            idempotent,
            retry: None,
            timeout: None,
            idempotency: None,
            url: None,
            method,
            operation: ("", ""),
        }
    }

    /// Names the operation (`get_token`) and its path template (`/realms/{realm}/token`)
    /// in the call's tracing span: never the path's values, which may be identifiers.
    pub fn operation(mut self, name: &'static str, template: &'static str) -> Self {
        self.operation = (name, template);
        self
    }

    /// Marks the operation idempotent though its method is not (`x-authgen-idempotent`):
    /// a 502, 503, 504 or timeout is then retried.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Sets the idempotency key header `header` to `given` (or to the key of the call's
    /// options), else to a fresh random key (UUID v4 text); every retry of this call
    /// sends the same key, so the server can tell them apart from new calls. Marks the
    /// request idempotent.
    pub fn idempotency_key(mut self, header: &'static str, given: Option<&str>) -> Self {
        self.idempotency = Some(Box::new((header, given.map(str::to_string))));
        self.idempotent()
    }

    /// Applies one call's options: its timeout, retry policy, extra headers and
    /// idempotency key.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.timeout = options.timeout.or(self.timeout);
        self.retry = options.retry.map(Box::new).or(self.retry);
        self.url = options.url.map(Box::new).or(self.url);
        for (name, value) in &options.headers {
            match (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
                (Ok(name), Ok(value)) => self.builder = self.builder.header(name, value),
                _ => self.invalid(name, NOT_A_HEADER_VALUE),
            }
        }
        if let Some(key) = options.idempotency_key {
            let header = self.idempotency.as_deref().map_or("Idempotency-Key", |(header, _)| header);
            self.idempotency = Some(Box::new((header, Some(key))));
            self.idempotent = true;
        }
        self
    }

    /// Retries this call by `policy` instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(Box::new(policy));
        self
    }

    fn refuse(&mut self, refusal: Refusal) {
        self.refused.get_or_insert_with(|| Box::new(refusal));
    }

    fn invalid(&mut self, field: &str, problem: &str) {
        self.refuse(Refusal::Invalid(ValidationError { field: field.into(), problem: problem.into() }));
    }

    /// Adds a query parameter in `form` style, exploded (arrays repeat the name).
    pub fn query<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder = self.builder.query(&encode::form_pairs(name, value));
        self
    }

    /// Adds a query parameter sent unexploded: an array as one value, its items joined
    /// by `delimiter` (`name=1,2`).
    pub fn query_delimited<T: serde::Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &T,
        delimiter: &str,
    ) -> Self {
        self.builder = self.builder.query(&encode::delimited_pairs(name, value, delimiter));
        self
    }

    /// Adds a query parameter in `deepObject` style (`name[key]=value`).
    pub fn query_deep<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder = self.builder.query(&encode::deep_pairs(name, value));
        self
    }

    /// Sets a header, in `simple` style. A value a header cannot carry (a line break,
    /// another control character) refuses the request, naming the header.
    pub fn header<T: serde::Serialize + ?Sized>(self, name: &'static str, value: &T) -> Self {
        self.header_text(name, encode::simple(value))
    }

    /// Sets header `name` to `value` in `simple` style, exploded (an object as `k=v,…`).
    pub fn header_exploded<T: serde::Serialize + ?Sized>(self, name: &'static str, value: &T) -> Self {
        self.header_text(name, encode::simple_exploded(value))
    }

    fn header_text(mut self, name: &'static str, text: String) -> Self {
        match HeaderValue::try_from(text) {
            Ok(value) => self.builder = self.builder.header(name, value),
            Err(_) => self.invalid(name, NOT_A_HEADER_VALUE),
        }
        self
    }

    /// Sets a header to `value` as it is (a credential marked sensitive stays so).
    pub(crate) fn header_value(mut self, name: &'static str, value: HeaderValue) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// Adds a cookie (`name=value`) to the `Cookie` header; the value is percent-encoded
    /// where RFC 6265 does not allow a byte (`;`, `,`, space, quotes, controls, `%`), so
    /// it can never end its cookie and start another.
    pub fn cookie<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.cookies.push(format!("{name}={}", encode::cookie_value(&encode::simple(value))));
        self
    }

    /// Sets `Accept`.
    pub fn accept(self, media: &'static str) -> Self {
        self.static_header(ACCEPT, media)
    }

    /// Sets `name` to `value`, text the code holds for good (a media type): the header
    /// refers to it where `HeaderValue::try_from` would allocate a copy. A value a header
    /// cannot carry fails the request when it is built, as any other does.
    fn static_header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.builder = match HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes())) {
            Ok(value) => self.builder.header(name, value),
            Err(_) => self.builder.header(name, value),
        };
        self
    }

    /// Asks for a stream of `media` (in place of any `Accept` set before) and leaves a
    /// success's body to be read as it arrives.
    pub fn stream(mut self, media: &'static str) -> Self {
        // `headers` replaces the values of the names it sets.
        self.builder =
            self.builder.headers(HeaderMap::from_iter([(ACCEPT, HeaderValue::from_static(media))]));
        self.streamed()
    }

    /// Leaves a success's body to be read as it arrives, each chunk within the timeout.
    pub(crate) fn streamed(mut self) -> Self {
        self.streamed = true;
        self
    }

    pub(crate) fn method(&self) -> &Method {
        &self.method
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    /// An `application/x-www-form-urlencoded` body; nested values in brackets.
    pub fn form<T: serde::Serialize + ?Sized>(self, body: &T) -> Self {
        let mut request = self.static_header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        request.builder = request.builder.body(encode::form_text(body));
        request
    }

    /// A body of raw bytes with its media type: in memory, or read from its file or
    /// stream as it is sent.
    pub fn binary(self, media: &'static str, body: &Binary) -> Self {
        let mut request = self.static_header(CONTENT_TYPE, media);
        match body.in_memory() {
            Some(bytes) => request.builder = request.builder.body(bytes.clone()),
            None => request.upload = Some(Box::new(body.clone())),
        }
        request
    }

    /// A text body with its media type.
    pub fn text(self, media: &'static str, body: &str) -> Self {
        let mut request = self.static_header(CONTENT_TYPE, media);
        request.builder = request.builder.body(body.to_string());
        request
    }

    /// A `multipart/form-data` body, built anew for each attempt (a retry sends it
    /// again).
    pub fn multipart(mut self, body: Multipart) -> Self {
        self.multipart = Some(body);
        self
    }

    /// Adds the bodies that are built anew for each attempt: a multipart form, a file
    /// opened again, a stream (which only the first attempt can send).
    pub(super) fn with_bodies<E>(
        &self,
        mut builder: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, Error<E>> {
        if let Some(multipart) = &self.multipart {
            builder = builder.multipart(multipart.to_form()?);
        }
        if let Some(upload) = &self.upload {
            let (body, length) = upload.open()?;
            builder = builder.body(body);
            if let Some(length) = length {
                builder = builder.header(CONTENT_LENGTH, length);
            }
        }
        Ok(builder)
    }

    /// Whether another attempt could send the body again (a stream cannot).
    pub(super) fn resendable(&self) -> bool {
        let parts = self.multipart.as_ref().is_none_or(Multipart::resendable);
        parts && self.upload.as_deref().is_none_or(Binary::resendable)
    }

    /// A streamed answer's limits: of its head (what is left of the call's deadline, at
    /// most the timeout), and of each item (the timeout).
    pub(super) fn stream_limits(&self, deadline: Option<tokio::time::Instant>) -> (Duration, Duration) {
        let item = self.timeout.unwrap_or(self.core.timeout());
        let left = deadline.map(|deadline| deadline.saturating_duration_since(tokio::time::Instant::now()));
        (left.map_or(item, |left| left.min(item)), item)
    }

    /// The OAuth scopes the operation needs of `scheme`: its token is asked for them.
    /// Before [`security`](Self::security), which attaches the token.
    pub fn scopes(mut self, scheme: &'static str, scopes: &'static [&'static str]) -> Self {
        self.scopes.push((scheme, scopes));
        self
    }

    /// Attaches the credentials of the first alternative whose schemes all have some
    /// (an empty alternative needs none). With none satisfiable, [`send`](Self::send)
    /// fails without sending.
    pub fn security(mut self, alternatives: &[&[&'static str]]) -> Self {
        let core = self.core;
        let usable = alternatives.iter().find(|schemes| schemes.iter().all(|s| core.credential(s).is_some()));
        match usable {
            Some(schemes) => {
                for scheme in schemes.iter() {
                    if let Some(credential) = core.credential(scheme) {
                        self = self.attach(scheme, credential);
                    }
                }
            }
            None => {
                let names: Vec<String> = alternatives.iter().map(|schemes| schemes.join(" + ")).collect();
                self.refuse(Refusal::MissingCredentials(names.join(" or ")));
            }
        }
        self
    }

    /// Attaches one credential. One that cannot be sent as it is (a Basic username with
    /// `:`, a key that would split its cookie, a control character) refuses the request
    /// with a message naming it, never its value: altering a secret would only fail later.
    fn attach(mut self, scheme: &str, credential: &'c Credential) -> Self {
        match credential {
            Credential::Basic { username, password } => match basic_problem(username, password) {
                None => self.builder = self.builder.basic_auth(username, Some(password.expose_secret())),
                Some(problem) => self.invalid("username and password (HTTP Basic)", problem),
            },
            Credential::Bearer(token) => match bearer_value(token) {
                Ok(value) => self.builder = self.builder.header(AUTHORIZATION, value),
                Err(problem) => self.invalid("bearer token", &problem),
            },
            Credential::BearerCache(cache) => self.bearer = Some(Bearer::Cache(cache)),
            Credential::ScopedCache(tokens) => {
                let needed = self.scopes.iter().find(|(s, _)| *s == scheme).map_or(&[][..], |(_, n)| n);
                self.bearer = Some(Bearer::Scoped { cache: tokens.cache(needed.iter().copied()), tokens, needed })
            }
            Credential::ApiKey { location: ApiKeyLocation::Query, name, value } => {
                self.builder = self.builder.query(&[(name, value.expose_secret())])
            }
            Credential::ApiKey { location: ApiKeyLocation::Cookie, name, value } => {
                match encode::is_cookie_value(value.expose_secret()) {
                    true => self.cookies.push(format!("{name}={}", value.expose_secret())),
                    false => self.invalid(name, "(an API key) is not a valid cookie value: it has a byte RFC 6265 forbids (`;`, `,`, space, quote, backslash or a control character)"),
                }
            }
            Credential::ApiKey { location: ApiKeyLocation::Header, name, value } => {
                match sensitive(value) {
                    Some(value) => self.builder = self.builder.header(*name, value),
                    None => self.invalid(name, NOT_A_HEADER_VALUE),
                }
            }
            Credential::MutualTls => {}
        }
        self
    }
}

pub(super) const NOT_A_HEADER_VALUE: &str = "cannot be sent in an HTTP header: it has a character a header cannot carry (a control character such as a line break)";

/// An API key as a sensitive header value, if it can be one.
fn sensitive(value: &Secret) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(value.expose_secret()).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Why Basic credentials cannot be sent (RFC 7617: no `:` in the user-id, no control
/// characters in either), if they cannot.
fn basic_problem(username: &str, password: &Secret) -> Option<&'static str> {
    if username.contains(':') {
        return Some("cannot be sent: the username contains `:`, which HTTP Basic forbids (RFC 7617)");
    }
    let control = |text: &str| text.chars().any(char::is_control);
    (control(username) || control(password.expose_secret()))
        .then_some("cannot be sent: they contain a control character, which HTTP Basic forbids (RFC 7617)")
}

/// A `.` or `..` segment in `path`: a URL parser would resolve it and the request would
/// leave its operation's path (`/objects/..` is `/`), taking its credentials along.
fn dot_segment(path: &str) -> Option<ValidationError> {
    // Most paths have no dot at all: one fast search says so.
    if !path.contains('.') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/').any(|segment| segment == "." || segment == "..").then(|| ValidationError {
        field: "path".into(),
        problem: "has a `.` or `..` segment, which would leave the operation's path".into(),
    })
}
