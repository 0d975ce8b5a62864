//! Every OAuth flow and client authentication method against a real authorization
//! server: oidc-provider over HTTPS (certificates made at start), started once for this
//! binary with a client per method. Tokens are judged by the server itself
//! (introspection) and by an API that checks them ([`ResourceServer`]).
//!
//! Without Node or `sandbox/oidc/node_modules` the tests say so loudly and pass; under
//! `CI=true` they fail.

use std::sync::{Arc, Mutex, OnceLock};

use authgen_runtime::oauth::{
    AuthorizationCode, ClientAuth, ClientCredentials, DeviceAuthorization, Dpop, FileTokenStore, JwtBearer,
    PasswordGrant, RefreshTokens, ServerMetadata, SigningKey, TokenEndpoint, TokenExchange, TokenStore,
};
use authgen_runtime::token::{TokenCache, TokenSource};
use authgen_runtime::tower::util::MapRequestLayer;
use authgen_runtime::{Config, reqwest};
use authgen_sandbox::oidc::OidcProvider;
use authgen_sandbox::resource::{ResourceOptions, ResourceServer};
use serde_json::{Value, json};

/// A secret that a plain Basic header (not form-encoded first) gets wrong.
const SECRET: &str = "s3cr:et+&% /=";
const ASSERTION_ISSUER: &str = "https://assertions.example.test";
const RESOURCE: &str = "https://api.example.test";

struct Fixture {
    provider: OidcProvider,
    client_key: SigningKey,
    assertion_key: SigningKey,
    self_signed_identity: String,
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(start).as_ref()
}

/// A new RSA key as PKCS#8 PEM, as a key file holds it.
fn rsa_pem() -> String {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use base64::Engine;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der: Pkcs8V1Der = pair.as_der().unwrap();
    let text = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = text.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n"))
}

fn start() -> Option<Fixture> {
    let client_key = SigningKey::from_pem(rsa_pem().as_bytes(), "RS256").unwrap().with_kid("client-1");
    let assertion_key = SigningKey::generate_es256().with_kid("assertions-1");
    let (self_signed_identity, self_signed_cert) =
        OidcProvider::self_signed_identity("self-signed.example.test");
    let confidential = |id: &str, method: &str| {
        json!({
            "client_id": id, "client_secret": SECRET, "token_endpoint_auth_method": method,
            "grant_types": ["client_credentials"], "response_types": [], "scope": "api:read api:write",
        })
    };
    let mut exchanger = confidential("exchanger", "client_secret_basic");
    exchanger["grant_types"] = json!([
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "password"
    ]);
    let mut clients = vec![
        confidential("basic", "client_secret_basic"),
        confidential("post", "client_secret_post"),
        confidential("storm", "client_secret_basic"),
        confidential("dpop", "client_secret_basic"),
        confidential("dpop-nonce", "client_secret_basic"),
        exchanger,
        json!({
            "client_id": "key", "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [client_key.public_jwk()]},
            "grant_types": ["client_credentials"], "response_types": [],
        }),
        json!({
            "client_id": "tls", "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_san_dns": "tls-client.example.test",
            "tls_client_certificate_bound_access_tokens": true,
            "grant_types": ["client_credentials"], "response_types": [],
        }),
        json!({
            "client_id": "self-signed", "token_endpoint_auth_method": "self_signed_tls_client_auth",
            "x_self_signed_cert_pem": self_signed_cert,
            "tls_client_certificate_bound_access_tokens": true,
            "grant_types": ["client_credentials"], "response_types": [],
        }),
        json!({
            "client_id": "app", "token_endpoint_auth_method": "none", "application_type": "native",
            "redirect_uris": ["http://127.0.0.1/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
        }),
        json!({
            "client_id": "device", "token_endpoint_auth_method": "none", "x_slow_down_first": true,
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"], "response_types": [],
        }),
    ];
    clients[3]["dpop_bound_access_tokens"] = json!(true);
    clients[4]["x_dpop_nonce"] = json!(true);
    let provider = OidcProvider::start(json!({
        "tls": true,
        "clients": clients,
        "scopes": ["api:read", "api:write"],
        "ttl": {"access_token": 30, "refresh_token": 120},
        "resources": {RESOURCE: {"scope": "api:read api:write"}},
        "device_interval": 1,
        "jwt_bearer": {"issuer": ASSERTION_ISSUER, "jwks": {"keys": [assertion_key.public_jwk()]}},
        "password_users": {"bob": "bob-password"},
    }))?;
    Some(Fixture { provider, client_key, assertion_key, self_signed_identity })
}

impl Fixture {
    fn config(&self) -> Config {
        Config::new().add_root_certificate_pem(self.provider.ca_pem().expect("an HTTPS provider"))
    }

    fn endpoint(&self, auth: ClientAuth) -> TokenEndpoint {
        TokenEndpoint::new(&self.provider.token_url(), auth, &self.config()).unwrap()
    }

    fn secret(&self, id: &str) -> TokenEndpoint {
        self.endpoint(ClientAuth::client_secret_basic(id, SECRET))
    }

    async fn api(&self, options: ResourceOptions) -> ResourceServer {
        ResourceServer::start(&self.provider, options).await.unwrap()
    }
}

/// A plain HTTP client calling the API as a generated client would.
fn http(config_identity: Option<&str>, fixture: &Fixture) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(fixture.provider.ca_pem().unwrap().as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder().tls_certs_only([ca]).no_proxy();
    if let Some(pem) = config_identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn call_api(
    client: &reqwest::Client,
    url: &str,
    authorization: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = client.get(url).header("authorization", authorization).send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, response.json().await.unwrap_or(Value::Null), headers)
}

#[tokio::test]
async fn client_secret_basic_and_post_with_scopes_and_a_resource() {
    let Some(f) = fixture() else { return };
    let read = ClientCredentials::new(f.secret("basic")).scopes(["api:read"]);
    let token = read.fetch().await.unwrap();
    assert!(token.lifetime().is_some_and(|l| l.as_secs() <= 30));
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!((claims["active"].clone(), claims["client_id"].clone()), (json!(true), json!("basic")));
    assert_eq!(claims["scope"], "api:read");

    let post = ClientCredentials::new(f.endpoint(ClientAuth::client_secret_post("post", SECRET)));
    let token = post.scopes(["api:write", "api:read"]).fetch().await.unwrap();
    assert_eq!(token.scopes(), ["api:read", "api:write"]);

    let for_api = ClientCredentials::new(f.secret("basic")).scopes(["api:read"]).resource(RESOURCE);
    let token = for_api.fetch().await.unwrap();
    assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["aud"], RESOURCE);
    assert_ne!(for_api.identity(), read.identity(), "another resource is another token");
}

/// What a hook saw of each exchange: `METHOD URL header-names` of each request, and the
/// status of each answer. Clones share what they saw.
#[derive(Clone, Default)]
struct Seen {
    requests: Arc<Mutex<Vec<String>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

impl authgen_runtime::Hook for Seen {
    fn on_request(&self, request: &mut authgen_runtime::reqwest::Request) {
        let names: Vec<&str> = request.headers().keys().map(|name| name.as_str()).collect();
        let seen = format!("{} {} {}", request.method(), request.url(), names.join(","));
        self.requests.lock().unwrap().push(seen);
    }

    fn on_response(&self, response: &authgen_runtime::reqwest::Response) {
        self.statuses.lock().unwrap().push(response.status().as_u16());
    }
}

#[tokio::test]
async fn a_hook_and_a_layer_see_the_token_request_and_its_answer() {
    let Some(f) = fixture() else { return };
    let seen = Seen::default();
    let layered = Arc::new(Mutex::new(Vec::new()));
    let log = layered.clone();
    let layer = MapRequestLayer::new(move |request: reqwest::Request| {
        log.lock().unwrap().push(format!("{} {}", request.method(), request.url()));
        request
    });
    let config = f.config().hook(seen.clone()).layer(layer);
    let auth = ClientAuth::client_secret_basic("basic", SECRET);
    let endpoint = TokenEndpoint::new(&f.provider.token_url(), auth, &config).unwrap();
    let token = ClientCredentials::new(endpoint).scopes(["api:read"]).fetch().await.unwrap();
    assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["active"], json!(true));
    let requests = seen.requests.lock().unwrap().clone();
    let [request] = requests.as_slice() else { panic!("{requests:?}") };
    let expected = format!("POST {} ", f.provider.token_url());
    assert!(request.starts_with(&expected) && request.contains("authorization"), "{request}");
    assert_eq!(*seen.statuses.lock().unwrap(), [200]);
    assert_eq!(*layered.lock().unwrap(), [format!("POST {}", f.provider.token_url())], "the layers too");
}

#[tokio::test]
async fn a_token_answer_past_the_response_limit_is_the_exchanges_error() {
    let Some(f) = fixture() else { return };
    let config = f.config().max_response_bytes(64);
    let auth = ClientAuth::client_secret_basic("basic", SECRET);
    let endpoint = TokenEndpoint::new(&f.provider.token_url(), auth, &config).unwrap();
    let error = ClientCredentials::new(endpoint).fetch().await.unwrap_err();
    assert!(error.message().contains("larger than the limit of 64 bytes"), "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn the_api_takes_bearer_tokens_with_the_scopes_it_needs() {
    let Some(f) = fixture() else { return };
    let api = f.api(ResourceOptions { scopes: vec!["api:write".into()], ..Default::default() }).await;
    let client = http(None, f);
    let read = ClientCredentials::new(f.secret("basic")).scopes(["api:read"]).fetch().await.unwrap();
    let (status, _, headers) =
        call_api(&client, api.url(), &format!("Bearer {}", read.secret().expose_secret())).await;
    assert_eq!(status, 403);
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .contains(r#"error="insufficient_scope", scope="api:write""#)
    );
    let write = ClientCredentials::new(f.secret("basic")).scopes(["api:write"]).fetch().await.unwrap();
    let (status, body, _) =
        call_api(&client, api.url(), &format!("Bearer {}", write.secret().expose_secret())).await;
    assert_eq!((status, body["client_id"].clone()), (200, json!("basic")));
    let (status, _, _) = call_api(&client, api.url(), "Bearer not-a-token").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_wrong_secret_names_invalid_client_and_never_the_secret() {
    let Some(f) = fixture() else { return };
    let wrong = "wrong-Secret-7731";
    let source = ClientCredentials::new(f.endpoint(ClientAuth::client_secret_basic("basic", wrong)));
    let error = source.fetch().await.unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_client"));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(error.is_permanent());
    let shown = format!("{error} {error:?} {source:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(!shown.contains(wrong) && !shown.contains(SECRET), "{shown}");
}

#[tokio::test]
async fn private_key_jwt_signs_a_fresh_rs256_assertion_for_each_request() {
    let Some(f) = fixture() else { return };
    let source = ClientCredentials::new(f.endpoint(ClientAuth::private_key_jwt("key", f.client_key.clone())));
    // The server refuses an assertion it has seen: two in a row pass only with a new jti.
    for _ in 0..2 {
        let token = source.fetch().await.unwrap();
        assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["client_id"], "key");
    }
    let stranger = SigningKey::generate_es256().with_kid("client-1");
    let error = ClientCredentials::new(f.endpoint(ClientAuth::private_key_jwt("key", stranger)))
        .fetch()
        .await
        .unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_client"));
}

#[tokio::test]
async fn tls_client_auth_gives_certificate_bound_tokens_the_api_checks() {
    let Some(f) = fixture() else { return };
    let identity = f.provider.client_identity_pem("tls-client.example.test");
    let config = f.config().identity_pem(identity.clone());
    let endpoint =
        TokenEndpoint::new(&f.provider.token_url(), ClientAuth::tls_client_auth("tls"), &config).unwrap();
    let thumbprint = endpoint.certificate_thumbprint().unwrap().to_string();
    let token = ClientCredentials::new(endpoint).fetch().await.unwrap();
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!(claims["cnf"]["x5t#S256"], thumbprint.as_str());

    let api = f.api(ResourceOptions::default()).await;
    let bearer = format!("Bearer {}", token.secret().expose_secret());
    let (status, body, _) = call_api(&http(Some(&identity), f), api.url(), &bearer).await;
    assert_eq!((status, body["bound"].clone()), (200, json!("mtls")));
    // The same token from a connection without the certificate is refused.
    assert_eq!(call_api(&http(None, f), api.url(), &bearer).await.0, 401);

    let other = f.provider.client_identity_pem("someone-else.example.test");
    let config = f.config().identity_pem(other);
    let endpoint =
        TokenEndpoint::new(&f.provider.token_url(), ClientAuth::tls_client_auth("tls"), &config).unwrap();
    let error = ClientCredentials::new(endpoint).fetch().await.unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_client"));
    let error = TokenEndpoint::new(&f.provider.token_url(), ClientAuth::tls_client_auth("tls"), &f.config())
        .unwrap_err();
    assert!(error.to_string().contains("needs a TLS client identity"), "{error}");
}

#[tokio::test]
async fn self_signed_tls_client_auth_binds_tokens_to_the_registered_certificate() {
    let Some(f) = fixture() else { return };
    let config = f.config().identity_pem(f.self_signed_identity.clone());
    let auth = ClientAuth::self_signed_tls_client_auth("self-signed");
    let endpoint = TokenEndpoint::new(&f.provider.token_url(), auth, &config).unwrap();
    let thumbprint = endpoint.certificate_thumbprint().unwrap().to_string();
    let token = ClientCredentials::new(endpoint).fetch().await.unwrap();
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!(claims["cnf"]["x5t#S256"], thumbprint.as_str());
}

#[tokio::test]
async fn discovery_checks_the_issuer_and_leads_to_the_endpoints() {
    let Some(f) = fixture() else { return };
    let metadata = ServerMetadata::discover(f.provider.issuer(), &f.config()).await.unwrap();
    assert_eq!(metadata.token_endpoint.as_deref(), Some(f.provider.token_url().as_str()));
    assert!(metadata.device_authorization_endpoint.is_some());
    assert_eq!(metadata.authorization_response_iss_parameter_supported, Some(true));
    let auth = metadata.client_secret("basic", SECRET);
    assert_eq!(auth.method(), "client_secret_basic");
    let token =
        ClientCredentials::new(metadata.token_endpoint(auth, &f.config()).unwrap()).fetch().await.unwrap();
    assert!(!token.secret().expose_secret().is_empty());

    // The same server under another name: its metadata names 127.0.0.1, not localhost.
    let other = f.provider.issuer().replace("127.0.0.1", "localhost");
    let error = ServerMetadata::discover(&other, &f.config()).await.unwrap_err().to_string();
    assert!(error.contains(&format!("not `{other}`")), "{error}");
    let well_known = format!("{other}/.well-known/openid-configuration");
    assert!(ServerMetadata::from_url(&well_known, &f.config()).await.is_err());
    let well_known = format!("{}/.well-known/openid-configuration", f.provider.issuer());
    assert!(ServerMetadata::from_url(&well_known, &f.config()).await.is_ok());
}

/// Signs in through the loopback listener, the test playing the browser: follows the
/// authorization URL, lets the server log in and consent, lands on the listener.
async fn sign_in(f: &'static Fixture, flow: AuthorizationCode) -> authgen_runtime::token::AccessToken {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let flow = flow.on_authorize(move |url| {
        let _ = tx.send(url.to_string());
    });
    let browser = tokio::spawn(async move {
        let url = rx.recv().await.unwrap();
        let redirect = f.provider.authorize(&url).await;
        assert!(redirect.starts_with("http://127.0.0.1:") && redirect.contains("iss="), "{redirect}");
        let page =
            reqwest::Client::builder().no_proxy().build().unwrap().get(&redirect).send().await.unwrap();
        assert_eq!(page.status(), 200);
    });
    let token = flow.fetch().await.unwrap();
    browser.await.unwrap();
    token
}

#[tokio::test]
async fn authorization_code_through_the_loopback_listener_then_rotating_refresh_tokens() {
    let Some(f) = fixture() else { return };
    let dir = std::env::temp_dir().join(format!("authgen-oauth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = FileTokenStore::new(dir.join("app.json"));
    let metadata = ServerMetadata::discover(f.provider.issuer(), &f.config()).await.unwrap();
    let flow = AuthorizationCode::from_metadata(&metadata, ClientAuth::none("app"), &f.config())
        .unwrap()
        .scopes(["openid", "api:read"])
        .store(store.clone());
    let token = sign_in(f, flow).await;
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!((claims["sub"].clone(), claims["client_id"].clone()), (json!("alice"), json!("app")));
    let first = store.load().await.unwrap().expect("the refresh token is kept");
    assert_eq!(Some(&first), token.refresh_token());

    // The next run: no sign-in, a refresh; the server rotates, the store follows.
    let tokens = RefreshTokens::new(
        metadata.token_endpoint(ClientAuth::none("app"), &f.config()).unwrap(),
        store.clone(),
    );
    let refreshed = tokens.fetch().await.unwrap();
    assert_ne!(refreshed.secret(), token.secret());
    let second = store.load().await.unwrap().unwrap();
    assert_ne!(second, first);
    assert_eq!(Some(&second), refreshed.refresh_token());

    // A client that fails to authenticate keeps its refresh token: the token is not at fault.
    let misconfigured =
        RefreshTokens::new(f.endpoint(ClientAuth::client_secret_basic("app", "nope")), store.clone());
    assert_eq!(misconfigured.fetch().await.unwrap_err().oauth_error(), Some("invalid_client"));
    assert_eq!(store.load().await.unwrap(), Some(second));

    // The old refresh token is refused, and its use revokes the whole family.
    let endpoint = f.endpoint(ClientAuth::none("app"));
    let reuse =
        endpoint.grant("refresh_token", &[("refresh_token", first.expose_secret())]).await.unwrap_err();
    assert_eq!(reuse.oauth_error(), Some("invalid_grant"));
    assert!(!reuse.to_string().contains(first.expose_secret()));
    let error = tokens.fetch().await.unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_grant"));
    assert!(store.load().await.unwrap().is_none(), "a refused refresh token is forgotten");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_redirect_with_another_state_or_issuer_is_refused() {
    let Some(f) = fixture() else { return };
    let flow =
        AuthorizationCode::new(f.endpoint(ClientAuth::none("app")), &format!("{}/auth", f.provider.issuer()))
            .unwrap()
            .issuer(f.provider.issuer());
    let request = flow.start("http://127.0.0.1:1/callback");
    assert!(request.url().contains("code_challenge_method=S256"));
    let callback =
        |state: &str, iss: &str| format!("http://127.0.0.1:1/callback?code=c0de&state={state}&iss={iss}");
    let mixed_up =
        flow.finish(&request, &callback(request.state(), "https%3A%2F%2Fevil.example")).await.unwrap_err();
    assert!(mixed_up.to_string().contains("RFC 9207"), "{mixed_up}");
    let forged = flow.finish(&request, &callback("other", f.provider.issuer())).await.unwrap_err();
    assert!(forged.to_string().contains("state"), "{forged}");
    let denied = format!("http://127.0.0.1:1/callback?error=access_denied&state={}", request.state());
    let denied = flow.finish(&request, &denied).await.unwrap_err();
    assert_eq!(denied.oauth_error(), Some("access_denied"));
    assert!(!format!("{request:?}").contains("verifier"));
}

#[tokio::test]
async fn the_device_flow_shows_the_code_and_honours_slow_down() {
    let Some(f) = fixture() else { return };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let metadata = ServerMetadata::discover(f.provider.issuer(), &f.config()).await.unwrap();
    let flow =
        DeviceAuthorization::from_metadata(&metadata, ClientAuth::none("device"), &f.config(), move |code| {
            assert!(code.verification_uri().ends_with("/device"));
            let _ = tx.send(code.user_code().to_string());
        })
        .unwrap()
        .scopes(["openid", "api:read"]);
    let user = tokio::spawn(async move {
        let code = rx.recv().await.unwrap();
        // The user is slower than the first poll, which the server answers slow_down.
        while f.provider.device_polls().await == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        f.provider.approve_device(&code).await;
    });
    let token = flow.fetch().await.unwrap();
    user.await.unwrap();
    assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["sub"], "alice");
    assert!(token.refresh_token().is_some());
    // One slow_down (the first poll, on purpose); a second would mean the client kept
    // polling at the old interval.
    assert_eq!(f.provider.slow_downs().await, 1);
}

#[tokio::test]
async fn token_exchange_and_the_jwt_bearer_grant() {
    let Some(f) = fixture() else { return };
    let subject = ClientCredentials::new(f.secret("basic")).scopes(["api:read", "api:write"]);
    let exchange = TokenExchange::new(f.secret("exchanger"), subject).scopes(["api:read"]);
    let token = exchange.fetch().await.unwrap();
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!(
        (claims["scope"].clone(), claims["act"]["sub"].clone()),
        (json!("api:read"), json!("exchanger"))
    );
    assert!(exchange.identity().is_some());

    let bearer = JwtBearer::signed(f.secret("exchanger"), f.assertion_key.clone(), ASSERTION_ISSUER, "carol");
    let token = bearer.scopes(["api:read"]).fetch().await.unwrap();
    assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["sub"], "carol");
    let forged =
        JwtBearer::signed(f.secret("exchanger"), SigningKey::generate_es256(), ASSERTION_ISSUER, "carol");
    assert_eq!(forged.fetch().await.unwrap_err().oauth_error(), Some("invalid_grant"));
}

#[tokio::test]
async fn the_password_grant_when_asked_for_by_name() {
    let Some(f) = fixture() else { return };
    let token = PasswordGrant::new(f.secret("exchanger"), "bob", "bob-password").fetch().await.unwrap();
    assert_eq!(f.provider.introspect(token.secret().expose_secret()).await["sub"], "bob");
    let refused = PasswordGrant::new(f.secret("exchanger"), "bob", "guess-123");
    let error = refused.fetch().await.unwrap_err();
    assert_eq!(error.oauth_error(), Some("invalid_grant"));
    assert!(!format!("{error} {refused:?}").contains("guess-123"));
}

#[tokio::test]
async fn dpop_binds_tokens_and_proves_each_api_call_with_nonces() {
    let Some(f) = fixture() else { return };
    let dpop = Dpop::generate();
    let source = ClientCredentials::new(f.secret("dpop").with_dpop(dpop.clone())).scopes(["api:read"]);
    assert_eq!(source.dpop().map(|key| key.thumbprint()), Some(dpop.thumbprint()));
    let token = source.fetch().await.unwrap();
    assert_eq!(token.token_type(), "DPoP");
    let claims = f.provider.introspect(token.secret().expose_secret()).await;
    assert_eq!(claims["cnf"]["jkt"], dpop.thumbprint());

    let api = f.api(ResourceOptions { dpop_nonce: true, ..Default::default() }).await;
    let client = http(None, f);
    let secret = token.secret().expose_secret();
    let call = || {
        let proof = dpop.proof("GET", &format!("{}/things?page=1", api.url()), Some(secret)).unwrap();
        client
            .get(format!("{}/things?page=1", api.url()))
            .header("authorization", format!("DPoP {secret}"))
            .header("dpop", proof)
            .send()
    };
    let first = call().await.unwrap();
    assert_eq!(first.status(), 401);
    assert!(dpop.nonce_challenge(api.url(), first.status(), first.headers()));
    let second = call().await.unwrap();
    assert_eq!(second.status(), 200);
    assert_eq!(second.json::<Value>().await.unwrap()["bound"], "dpop");
    // Sent as a bearer token, a DPoP-bound token is refused.
    assert_eq!(call_api(&client, api.url(), &format!("Bearer {secret}")).await.0, 401);

    // A server that demands a nonce at the token endpoint: one refusal, one retry.
    let nonce = ClientCredentials::new(f.secret("dpop-nonce").with_dpop(Dpop::generate()));
    assert_eq!(nonce.fetch().await.unwrap().token_type(), "DPoP");
    assert_eq!(f.provider.token_requests("dpop-nonce").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_callers_send_one_token_request() {
    let Some(f) = fixture() else { return };
    let cache = TokenCache::new(ClientCredentials::new(f.secret("storm")).scopes(["api:read"]));
    let callers: Vec<_> = (0..64)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.token().await.unwrap() })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap().secret().clone());
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_eq!(f.provider.token_requests("storm").await, 1);
}
