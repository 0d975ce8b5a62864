//! Every operation of every document in `specs/`, called through this repository's
//! generated client against the mock serving that document: each answer decodes.
//! (The bench documents' clients are generated and checked in `tests/agree.rs`.)

use authgen::runtime::Config;
use authgen::{core_banking, dakota, mogoplus, moota, uqudo};
use authgen_mock::MockServer;

fn serve(stem: &str) -> (MockServer, Config) {
    let mock = MockServer::start(format!("../specs/{stem}.yaml")).unwrap();
    let config = Config::new().base_url(mock.url()).allow_http_loopback(true);
    (mock, config)
}

/// A client identity for MOGOPLUS's mutual TLS, which the plain-HTTP mock does not ask
/// for but the client will not send without.
fn identity() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let certificate =
        rcgen::CertificateParams::new(vec!["client".into()]).unwrap().self_signed(&key).unwrap();
    certificate.pem() + &key.serialize_pem()
}

#[tokio::test]
async fn every_operation_of_specs_decodes_the_mocks_answer() {
    let (_mock, config) = serve("mogoplus");
    let client =
        mogoplus::Client::new(config.identity_pem(identity())).unwrap().with_basic_auth("user", "password");
    let token = client.request_token().await.unwrap();
    assert!(token.access_token.expose_secret().starts_with("mock-token-"));

    let (_mock, config) = serve("moota");
    let client = moota::Client::new(config).unwrap();
    let login = moota::LoginRequest {
        username: "u".into(),
        password: "p".into(),
        scopes: vec![moota::Scope::Mutation],
    };
    let token = client.login(login).await.unwrap();
    client.with_bearer_auth(token.access_token).get_object("mutation").await.unwrap();

    let (_mock, config) = serve("dakota");
    let auth = dakota::Auth { username: "u".into(), password: "p".into(), grant_type: "password".into() };
    let token = dakota::Client::new(config).unwrap().post_index_php_api_oauth2(auth).await.unwrap();
    assert!(token.access_token.unwrap().expose_secret().starts_with("mock-token-"));

    let (_mock, config) = serve("uqudo");
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: "id".into(),
        client_secret: "secret".into(),
    };
    uqudo::Client::new(config).unwrap().get_token(request).await.unwrap();

    let (_mock, config) = serve("core_banking");
    let request =
        core_banking::AuthenticateRequest { client_id: "id".into(), client_secret: "secret".into() };
    let token = core_banking::Client::new(config).unwrap().authenticate(request).await.unwrap();
    assert!(token.access_token.expose_secret().starts_with("mock-token-"));
}
