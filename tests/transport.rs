//! What goes wrong below the contract: TLS, timeouts, bad bodies, huge bodies, dropped
//! connections, insecure URLs; and secrets that must not print.

mod support;

use std::time::Duration;

use authgen::runtime::{Config, ConfigError, Error, TransportKind};
use authgen::{core_banking, mogoplus, moota, uqudo};
use authgen_sandbox::{Fault, Provider, Sandbox};
use support::{config, sandbox};

fn uqudo_request(sandbox: &Sandbox) -> uqudo::TokenRequest {
    uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: sandbox.credentials().username.clone(),
        client_secret: sandbox.credentials().password.as_str().into(),
    }
}

async fn uqudo_call(
    sandbox: &Sandbox,
    config: Config,
) -> Result<uqudo::TokenResponse, Error<uqudo::GetTokenError>> {
    uqudo::Client::new(config).unwrap().get_token(uqudo_request(sandbox)).await
}

#[tokio::test]
async fn an_untrusted_server_certificate_is_a_tls_error() {
    let sandbox = sandbox(Provider::Uqudo).await;
    let other_ca = Sandbox::start(Provider::Dakota).await.unwrap();
    let wrong =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(other_ca.ca_pem().as_bytes());
    let err = uqudo_call(&sandbox, wrong).await.unwrap_err();
    let Error::Transport(transport) = &err else { panic!("{err:?}") };
    assert_eq!(transport.kind(), TransportKind::Tls, "{err}");
    assert_eq!(sandbox.token_requests(), 0);
}

#[tokio::test]
async fn mogoplus_without_a_client_certificate_fails_the_handshake() {
    let sandbox = sandbox(Provider::Mogoplus).await;
    let no_identity =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes());
    let credentials = sandbox.credentials();
    let client = mogoplus::Client::new(no_identity)
        .unwrap()
        .with_basic_auth(&credentials.username, credentials.password.as_str());
    // Without an identity the mutualTLS scheme is unsatisfied: the client does not even try.
    let err = client.request_token().await.unwrap_err();
    assert!(matches!(err, Error::MissingCredentials { .. }), "{err:?}");
    // A client that presents no certificate anyway (the scheme claimed by another
    // identity-less path) is refused by the server's handshake.
    let raw = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).unwrap()])
        .build()
        .unwrap();
    let refused = raw
        .post(format!("{}/api/v1/oauth2/token?grant_type=client_credentials", sandbox.base_url()))
        .send()
        .await;
    assert!(refused.is_err(), "the handshake must fail without a client certificate");
    assert_eq!(sandbox.requests(), 0);
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused_as_tls() {
    let sandbox = sandbox(Provider::Mogoplus).await;
    let other = Sandbox::start(Provider::Mogoplus).await.unwrap();
    let foreign = Config::new()
        .base_url(sandbox.base_url())
        .add_root_certificate_pem(sandbox.ca_pem().as_bytes())
        .identity_pem(other.client_identity_pem().unwrap().as_bytes());
    let credentials = sandbox.credentials();
    let client = mogoplus::Client::new(foreign)
        .unwrap()
        .with_basic_auth(&credentials.username, credentials.password.as_str());
    let err = client.request_token().await.unwrap_err();
    let Error::Transport(transport) = &err else { panic!("{err:?}") };
    assert_eq!(transport.kind(), TransportKind::Tls, "{err}");
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_refused_before_sending() {
    let err = uqudo::Client::new(Config::new().base_url("http://192.0.2.10").allow_http_loopback(true))
        .unwrap_err();
    assert!(matches!(err, ConfigError::InsecureScheme { .. }), "{err:?}");
    assert!(err.to_string().starts_with("`http://192.0.2.10` is not HTTPS"));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::Slow(Duration::from_secs(5))));
    let err = uqudo_call(&sandbox, config(&sandbox).timeout(Duration::from_millis(300))).await.unwrap_err();
    let Error::Transport(transport) = &err else { panic!("{err:?}") };
    assert_eq!(transport.kind(), TransportKind::Timeout);
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_keeping_the_raw_body() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::MalformedJson));
    let err = uqudo_call(&sandbox, config(&sandbox)).await.unwrap_err();
    let Error::Decode { status, body, .. } = &err else { panic!("{err:?}") };
    assert_eq!(status.as_u16(), 200);
    assert_eq!(body.text(), r#"{"access_token": "tru"#);
    assert!(!err.to_string().contains("tru"), "messages never quote the body: {err}");
}

#[tokio::test]
async fn a_wrong_content_type_is_a_decode_error_keeping_the_raw_body() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::WrongContentType));
    let err = uqudo_call(&sandbox, config(&sandbox)).await.unwrap_err();
    let Error::Decode { body, .. } = &err else { panic!("{err:?}") };
    assert_eq!(body.content_type(), Some("text/html"));
    assert!(body.text().starts_with("<html>"));
}

#[tokio::test]
async fn an_undocumented_500_keeps_status_and_body() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::ServerError));
    let err = uqudo_call(&sandbox, config(&sandbox)).await.unwrap_err();
    let Error::UnexpectedStatus { status, body } = &err else { panic!("{err:?}") };
    assert_eq!((status.as_u16(), body.text().as_ref()), (500, r#"{"message":"internal error"}"#));
}

#[tokio::test]
async fn a_huge_body_is_cut_off_at_the_limit() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::HugeBody { bytes: 256 << 20 }));
    let limited = config(&sandbox).max_response_bytes(1 << 20);
    let started = std::time::Instant::now();
    let err = uqudo_call(&sandbox, limited).await.unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { limit: 1_048_576, .. }), "{err:?}");
    // Reading 256 MiB over loopback TLS would take far longer than reading 1 MiB; this
    // bound is loose on purpose (it guards against reading it all, not speed).
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let sandbox = sandbox(Provider::Uqudo).await;
    sandbox.set_fault(Some(Fault::DropConnection));
    let err = uqudo_call(&sandbox, config(&sandbox)).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn no_request_struct_or_error_prints_a_secret() {
    let sandbox = sandbox(Provider::CoreBanking).await;
    let secret = "TOP-SECRET-VALUE";
    let requests = [
        format!(
            "{:?}",
            core_banking::AuthenticateRequest { client_id: "id".into(), client_secret: secret.into() }
        ),
        format!(
            "{:?}",
            uqudo::TokenRequest {
                grant_type: uqudo::GrantType::ClientCredentials,
                client_id: "id".into(),
                client_secret: secret.into()
            }
        ),
        format!(
            "{:?}",
            moota::LoginRequest { username: "u".into(), password: secret.into(), scopes: vec![] }
        ),
        format!(
            "{:?}",
            authgen::dakota::Auth {
                username: "u".into(),
                password: secret.into(),
                grant_type: "password".into()
            }
        ),
        format!(
            "{:?}",
            mogoplus::TokenResponse {
                access_token: secret.into(),
                token_type: "Bearer".into(),
                expires_in: 1
            }
        ),
        format!("{:?}", mogoplus::Client::new(Config::new()).unwrap().with_basic_auth("u", secret)),
        format!("{:?}", config(&sandbox).identity_pem(secret)),
    ];
    for text in &requests {
        assert!(!text.contains(secret), "{text}");
    }
    sandbox.set_fault(Some(Fault::Respond { status: 200, body: serde_json::json!({"accessToken": secret}) }));
    let client = core_banking::Client::new(config(&sandbox)).unwrap();
    let err = client
        .authenticate(core_banking::AuthenticateRequest {
            client_id: "id".into(),
            client_secret: secret.into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(secret));
    assert!(err.raw_body().unwrap().text().contains(secret), "the raw body is kept for whoever asks");
}
