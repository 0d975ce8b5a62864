//! Requests against a loopback server: what is refused before sending (dot segments,
//! values a header or cookie cannot carry, Basic usernames with `:`), and bearer calls
//! with a multipart body or a token that cannot be sent.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use authgen_runtime::__private::{ApiKeyLocation, ClientCore, Credential, Method, Multipart, path_segment};
use authgen_runtime::token::{AccessToken, BoxFuture, TokenCache, TokenError, TokenSource};
use authgen_runtime::{Binary, Config, Error};
use support::Server;
use tokio::time::Instant;

fn core(server: &Server) -> ClientCore {
    ClientCore::new(Config::new().base_url(&server.url).allow_http_loopback(true), &[], &[]).unwrap()
}

async fn ok_server() -> Server {
    Server::start(|_| (200, "{}".into())).await
}

async fn send(core: &ClientCore, path: &str) -> Result<u16, Error<()>> {
    core.request(Method::GET, path).security(&[&["auth"]]).send::<()>().await.map(|r| r.status())
}

/// Hands out the tokens in `tokens` in turn (the last one forever), counting fetches.
struct Tokens {
    tokens: Vec<&'static str>,
    fetches: Arc<AtomicU32>,
}

impl TokenSource for Tokens {
    fn fetch(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) as usize;
        let token = self.tokens[n.min(self.tokens.len() - 1)];
        Box::pin(async move { Ok(AccessToken::new(token, Instant::now())) })
    }
}

fn cache(tokens: Vec<&'static str>) -> (TokenCache, Arc<AtomicU32>) {
    let fetches = Arc::new(AtomicU32::new(0));
    (TokenCache::new(Tokens { tokens, fetches: fetches.clone() }), fetches)
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let server = ok_server().await;
    let mut core = core(&server);
    core.set_credential("auth", Credential::Bearer("s3cr3t".into()));
    for dots in [".", ".."] {
        let err = path_segment("object", dots).unwrap_err();
        assert_eq!(err.field, "object");
    }
    // Also when two parameters together make one (`/files/{name}.{ext}`).
    for path in ["/files/..", "/a/./b", "/a/../b?x=1", "/.."] {
        let err = send(&core, path).await.unwrap_err();
        assert!(matches!(&err, Error::Invalid(v) if v.field == "path"), "{path}: {err:?}");
    }
    assert_eq!(send(&core, "/files/...").await.unwrap(), 200, "three dots are a name");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_cookie_value_cannot_add_a_cookie() {
    let server = ok_server().await;
    let core = core(&server);
    let request = core.request(Method::GET, "/").cookie("session", "abc; admin=1").cookie("theme", "dark");
    request.send::<()>().await.unwrap();
    let cookies = server.requests()[0].headers("cookie");
    assert_eq!(cookies, ["session=abc%3B%20admin=1; theme=dark"], "one Cookie header, two cookies");
}

#[tokio::test]
async fn credentials_that_would_be_altered_or_split_are_refused_naming_them_not_their_value() {
    let server = ok_server().await;
    let refused = [
        Credential::Basic { username: "ad:min".into(), password: "pw".into() },
        Credential::Basic { username: "admin".into(), password: "p\r\nw".into() },
        Credential::Bearer("s3cr3t\n".into()),
        Credential::ApiKey { location: ApiKeyLocation::Cookie, name: "key", value: "s3cr3t; admin=1".into() },
        Credential::ApiKey { location: ApiKeyLocation::Header, name: "X-Key", value: "s3cr3t\n".into() },
    ];
    for credential in refused {
        let mut core = core(&server);
        core.set_credential("auth", credential.clone());
        let err = send(&core, "/").await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{credential:?}: {err:?}");
        let text = err.to_string();
        assert!(!text.contains("s3cr3t") && !text.contains("pw") && !text.contains("min"), "{text}");
    }
    let core = core(&server);
    let err =
        core.request(Method::GET, "/").header("X-Trace", "a\r\nX-Admin: 1").send::<()>().await.unwrap_err();
    assert!(matches!(&err, Error::Invalid(v) if v.field == "X-Trace"), "{err:?}");
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_is_dropped_and_the_next_call_fetches_another() {
    let server = ok_server().await;
    let (cache, fetches) = cache(vec!["s3cr3t\n", "good"]);
    let mut core = core(&server);
    core.set_credential("auth", Credential::BearerCache(cache));
    let err = send(&core, "/").await.unwrap_err();
    let Error::Token(token_error) = &err else { panic!("{err:?}") };
    assert!(token_error.to_string().contains("cannot be sent in an HTTP header"), "{err}");
    assert!(!format!("{err} {err:?}").contains("s3cr3t"));
    assert_eq!(server.requests().len(), 0);
    // Refused like a failed fetch: fetched again after the first back-off (0.5 s).
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(send(&core, "/").await.unwrap(), 200);
    assert_eq!(server.requests()[0].headers("authorization"), ["Bearer good"]);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_multipart_call_answered_401_invalidates_the_token_and_retries_once_with_its_body() {
    let server = Server::start(|request| {
        let authorized = request.headers("authorization") == ["Bearer fresh"];
        if authorized { (200, "{}".into()) } else { (401, "{}".into()) }
    })
    .await;
    let (cache, fetches) = cache(vec!["revoked", "fresh"]);
    let mut core = core(&server);
    core.set_credential("auth", Credential::BearerCache(cache));
    let file = Binary::from(b"PNG-BYTES".as_slice());
    let body = Multipart::object(&serde_json::json!({"name": "sticker"}), &["file"]).file("file", &file);
    let request = core.request(Method::POST, "/upload").security(&[&["auth"]]).multipart(body);
    assert_eq!(request.send::<()>().await.unwrap().status(), 200);
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "the rejected token was invalidated");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the call and its retry");
    for request in &requests {
        let body = String::from_utf8_lossy(&request.body);
        assert!(body.contains("sticker") && body.contains("PNG-BYTES"), "{body}");
        assert!(body.contains("filename=\"file\"\r\nContent-Type: application/octet-stream\r\n"), "{body}");
    }
}

#[tokio::test]
async fn userinfo_in_the_base_url_never_prints() {
    let server = ok_server().await;
    let url = server.url.replace("http://", "http://user:pa55w0rd@");
    let core = ClientCore::new(Config::new().base_url(url).allow_http_loopback(true), &[], &[]).unwrap();
    assert!(!format!("{core:?}").contains("pa55w0rd"), "{core:?}");
    let err = ClientCore::new(Config::new().base_url("http://user:pa55w0rd@10.0.0.1"), &[], &[]).unwrap_err();
    assert!(!err.to_string().contains("pa55w0rd"), "{err}");
}

#[tokio::test]
async fn the_longest_timeouts_are_accepted_without_a_panic() {
    let server = ok_server().await;
    let config = Config::new()
        .base_url(&server.url)
        .allow_http_loopback(true)
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX);
    let core = ClientCore::new(config, &[], &[]).unwrap();
    assert_eq!(core.request(Method::GET, "/").send::<()>().await.unwrap().status(), 200);
}
