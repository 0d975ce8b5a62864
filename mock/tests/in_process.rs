//! The in-process handle as a user's test uses it: this repository's generated clients
//! against `MockServer`, with recorded requests, overrides, sequences and delays.

use std::time::Duration;

use authgen::runtime::token::TokenCache;
use authgen::runtime::{Config, Error, RetryPolicy, TransportKind};
use authgen::{moota, uqudo};
use authgen_mock::{Answer, MockServer};
use serde_json::json;

fn config(mock: &MockServer) -> Config {
    Config::new().base_url(mock.url()).allow_http_loopback(true)
}

fn token_request() -> uqudo::TokenRequest {
    uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: "id".into(),
        client_secret: "secret".into(),
    }
}

fn login() -> moota::LoginRequest {
    moota::LoginRequest { username: "user".into(), password: "pass".into(), scopes: vec![moota::Scope::Api] }
}

#[tokio::test]
async fn a_client_credentials_token_from_the_uqudo_client_and_the_request_it_sent() {
    let mock = MockServer::start("../specs/uqudo.yaml").unwrap();
    let client = uqudo::Client::new(config(&mock)).unwrap();
    let token = client.get_token(token_request()).await.unwrap();
    assert_eq!(
        (token.token_type.as_str(), token.expires_in, token.scope.as_str()),
        ("bearer", 1800, "scopes")
    );
    assert!(token.access_token.expose_secret().starts_with("mock-token-"));
    let cache = TokenCache::new(client.get_token_source(token_request()));
    assert!(cache.token().await.unwrap().secret().expose_secret().starts_with("mock-token-"));

    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    let sent = &requests[0];
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/api/oauth/token"));
    assert_eq!(sent.operation.as_deref(), Some("getToken"));
    assert_eq!(sent.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(sent.body, "grant_type=client_credentials&client_id=id&client_secret=secret");
    assert_eq!(sent.status, 200);
}

#[tokio::test]
async fn a_login_then_a_call_secured_by_its_token() {
    let mock = MockServer::start("../specs/moota.yaml").unwrap();
    let client = moota::Client::new(config(&mock)).unwrap();
    // The client refuses to send without its token; a bare request is refused by the mock.
    let bare = reqwest::get(format!("{}/api/v2/user", mock.url())).await.unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(bare.headers()["www-authenticate"], "Bearer realm=\"authgen-mock\"");

    let api = client.clone().with_bearer_auth_cache(TokenCache::new(client.login_token_source(login())));
    let object = api.get_object("user").await.unwrap();
    assert_eq!(object, json!({}));
    let calls: Vec<(Option<String>, u16)> =
        mock.requests().into_iter().map(|r| (r.operation, r.status)).collect();
    let names = |name: &str| Some(name.to_string());
    assert_eq!(calls, [(names("getObject"), 401), (names("login"), 200), (names("getObject"), 200)]);
    let authorization = mock.requests()[2].header("authorization").unwrap().to_string();
    assert!(authorization.starts_with("Bearer mock-token-"), "{authorization}");
}

#[tokio::test]
async fn an_answer_set_by_the_test_replaces_the_specs() {
    let mock = MockServer::start("../specs/moota.yaml").unwrap();
    let client = moota::Client::new(config(&mock)).unwrap();
    mock.answer("login", Answer::json(302, json!({"message": "Invalid Credentials"})));
    let wrong = client.login(login()).await;
    let Err(Error::Status { status, error: moota::LoginError::Found(message), .. }) = wrong else {
        panic!("expected the documented 302, got {wrong:?}")
    };
    assert_eq!((status.as_u16(), message.message.as_str()), (302, "Invalid Credentials"));
    let unchecked =
        reqwest::Client::new().post(format!("{}/api/v2/auth/login", mock.url())).json(&json!({})).send();
    assert_eq!(unchecked.await.unwrap().status(), 422, "a request that breaks the spec is still refused");
    mock.reset();
    assert!(client.login(login()).await.is_ok(), "after a reset the spec answers again");
}

#[tokio::test]
async fn a_sequence_of_answers_exercises_retries() {
    let mock = MockServer::start("../specs/moota.yaml").unwrap();
    let retrying =
        RetryPolicy::new().max_attempts(3).backoff(Duration::from_millis(1), Duration::from_millis(5));
    let client = moota::Client::new(config(&mock).retry(retrying)).unwrap().with_bearer_auth("t");
    // The client's method names the operation, as its `operationId` does.
    mock.answers("get_object", [Answer::status(503), Answer::status(503).header("retry-after", "0")]);
    let object = client.get_object("bank").await.unwrap();
    assert_eq!(object, json!({}));
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200], "two failures, then the spec's answer");
}

#[tokio::test]
async fn a_delay_makes_a_call_time_out() {
    let mock = MockServer::start("../specs/moota.yaml").unwrap();
    let once = config(&mock).retry(RetryPolicy::off()).timeout(Duration::from_millis(50));
    let client = moota::Client::new(once).unwrap().with_bearer_auth("t");
    mock.delay("getObject", Duration::from_secs(5));
    let slow = client.get_object("user").await;
    assert!(matches!(&slow, Err(Error::Transport(err)) if err.kind() == TransportKind::Timeout), "{slow:?}");
}

#[test]
fn operations_are_named_and_a_wrong_name_fails_the_test() {
    let mock = MockServer::start("../specs/moota.yaml").unwrap();
    assert_eq!(mock.operations().collect::<Vec<_>>(), ["login", "getObject"]);
    let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        mock.answer("getObjects", Answer::status(500))
    }));
    let message = *wrong.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(message, "../specs/moota.yaml has no operation `getObjects`; it has: login, get_object");
}

#[test]
fn dropping_the_server_stops_it() {
    let mock = MockServer::start("../specs/uqudo.yaml").unwrap();
    let address = mock.url().trim_start_matches("http://").to_string();
    assert!(std::net::TcpStream::connect(&address).is_ok());
    drop(mock);
    assert!(std::net::TcpStream::connect(&address).is_err(), "nothing listens after the drop");
}

#[test]
fn a_document_that_cannot_be_read_says_why() {
    let err = MockServer::start("../specs/missing.yaml").unwrap_err().to_string();
    assert!(err.starts_with("../specs/missing.yaml: 1 problem\nerror: the file cannot be read"), "{err}");
}
