//! Each sandbox rejects what its provider rejects: these tests send the wrong thing
//! with a plain reqwest client (not a generated one) and check the documented answer.

use authgen_sandbox::{Fault, Provider, Sandbox};
use base64::Engine;
use serde_json::{Value, json};

/// A plain client trusting the sandbox's CA, with its client identity when it has one.
fn http(sandbox: &Sandbox) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).unwrap();
    let mut builder =
        reqwest::Client::builder().tls_certs_only([ca]).redirect(reqwest::redirect::Policy::none());
    if let Some(identity) = sandbox.client_identity_pem() {
        builder = builder.identity(reqwest::Identity::from_pem(identity.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap() })
}

mod mogoplus {
    use super::*;

    async fn token(sandbox: &Sandbox, grant: &str, user: &str, password: &str) -> (u16, Value) {
        let url = format!("{}/api/v1/oauth2/token?grant_type={grant}", sandbox.base_url());
        answer(
            http(sandbox).post(url).basic_auth(user, Some(password)).json(&json!({})).send().await.unwrap(),
        )
        .await
    }

    #[tokio::test]
    async fn checks_grant_type_then_basic_credentials() {
        let sandbox = Sandbox::start(Provider::Mogoplus).await.unwrap();
        let (user, password) = (&sandbox.credentials().username, &sandbox.credentials().password);
        let (status, body) = token(&sandbox, "client_credentials", user, password).await;
        assert_eq!(
            (status, &body["token_type"], &body["expires_in"]),
            (200, &json!("Bearer"), &json!(35999))
        );
        assert_eq!(
            token(&sandbox, "password", user, password).await,
            (
                400,
                json!({"error": "unsupported_grant_type", "error_description": "OAuth 2.0 Parameter: grant_type", "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2"})
            )
        );
        assert_eq!(
            token(&sandbox, "client_credentials", user, "wrong").await,
            (401, json!({"error": "invalid_client"}))
        );
        let no_auth = http(&sandbox)
            .post(format!("{}/api/v1/oauth2/token?grant_type=client_credentials", sandbox.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer(no_auth).await, (401, json!({"error": "invalid_client"})));
        assert_eq!((sandbox.requests(), sandbox.token_requests()), (4, 4));
    }

    #[tokio::test]
    async fn the_handshake_needs_a_client_certificate_from_its_ca() {
        let sandbox = Sandbox::start(Provider::Mogoplus).await.unwrap();
        let ca = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).unwrap();
        let anonymous = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
        let url = format!("{}/api/v1/oauth2/token?grant_type=client_credentials", sandbox.base_url());
        assert!(anonymous.post(&url).send().await.is_err());
        assert_eq!(sandbox.requests(), 0, "nothing reaches HTTP without the certificate");
    }
}

mod moota {
    use super::*;

    fn login(sandbox: &Sandbox) -> reqwest::RequestBuilder {
        http(sandbox)
            .post(format!("{}/api/v2/auth/login", sandbox.base_url()))
            .header("accept", "application/json")
    }

    fn body(sandbox: &Sandbox, password: &str, scopes: Value) -> Value {
        json!({"username": sandbox.credentials().username, "password": password, "scopes": scopes})
    }

    #[tokio::test]
    async fn login_is_json_only_with_known_scopes_and_302_for_bad_credentials() {
        let sandbox = Sandbox::start(Provider::Moota).await.unwrap();
        let good = body(&sandbox, &sandbox.credentials().password, json!(["api"]));
        let form = login(&sandbox).form(&[("username", "u"), ("password", "p")]).send().await.unwrap();
        assert_eq!(form.status(), 415);
        let login_url = format!("{}/api/v2/auth/login", sandbox.base_url());
        let no_json =
            http(&sandbox).post(login_url).header("accept", "text/html").json(&good).send().await.unwrap();
        assert_eq!(no_json.status(), 406);
        let bad_scope = login(&sandbox)
            .json(&body(&sandbox, &sandbox.credentials().password, json!(["admin"])))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_scope.status(), 422);
        let wrong = login(&sandbox).json(&body(&sandbox, "wrong", json!(["api"]))).send().await.unwrap();
        assert_eq!(wrong.headers().get("location"), None);
        assert_eq!(answer(wrong).await, (302, json!({"message": "Invalid Credentials"})));
        let (status, token) = answer(login(&sandbox).json(&good).send().await.unwrap()).await;
        assert_eq!(status, 200);
        let jwt = token["access_token"].as_str().unwrap();
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap();
        let claims: Value = serde_json::from_slice(&payload).unwrap();
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert_eq!((lifetime, &claims["scopes"]), (3600, &json!(["api"])));
    }

    #[tokio::test]
    async fn other_calls_need_a_valid_bearer_token() {
        let sandbox = Sandbox::start(Provider::Moota).await.unwrap();
        let url = format!("{}/api/v2/bank", sandbox.base_url());
        let unauthenticated = answer(http(&sandbox).get(&url).send().await.unwrap()).await;
        assert_eq!(unauthenticated, (401, json!({"message": "Unauthenticated."})));
        let forged = answer(http(&sandbox).get(&url).bearer_auth("a.b.c").send().await.unwrap()).await;
        assert_eq!(forged.0, 401);
        let good = body(&sandbox, &sandbox.credentials().password, json!(["bank_read"]));
        let (_, token) = answer(login(&sandbox).json(&good).send().await.unwrap()).await;
        let ok = answer(
            http(&sandbox)
                .get(&url)
                .bearer_auth(token["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(ok, (200, json!({"object": "bank", "scopes": ["bank_read"]})));
    }
}

mod dakota {
    use super::*;

    #[tokio::test]
    async fn password_grant_with_bodiless_400_and_404() {
        let sandbox = Sandbox::start(Provider::Dakota).await.unwrap();
        let url = format!("{}/index.php/api/oauth2", sandbox.base_url());
        let creds = sandbox.credentials();
        let send = |body: Value| http(&sandbox).post(&url).json(&body).send();
        let (status, token) = answer(
            send(json!({"username": creds.username, "password": creds.password, "grant_type": "password"}))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, &token["fuse_client_id_seq"], &token["refresh_expires_in"]),
            (200, &Value::Null, &json!(18000))
        );
        assert_eq!(
            answer(
                send(json!({"username": creds.username, "password": "x", "grant_type": "password"}))
                    .await
                    .unwrap()
            )
            .await,
            (400, Value::Null)
        );
        assert_eq!(answer(send(json!({"username": creds.username, "password": creds.password, "grant_type": "client_credentials"})).await.unwrap()).await, (400, Value::Null));
        let elsewhere =
            http(&sandbox).post(format!("{}/api/oauth2", sandbox.base_url())).send().await.unwrap();
        assert_eq!(answer(elsewhere).await, (404, Value::Null));
    }
}

mod uqudo {
    use super::*;

    #[tokio::test]
    async fn form_only_and_401_for_a_bad_client() {
        let sandbox = Sandbox::start(Provider::Uqudo).await.unwrap();
        let url = format!("{}/api/oauth/token", sandbox.base_url());
        let creds = sandbox.credentials();
        let form = |secret: &str| {
            [
                ("grant_type", "client_credentials".to_string()),
                ("client_id", creds.username.clone()),
                ("client_secret", secret.to_string()),
            ]
        };
        let (status, token) =
            answer(http(&sandbox).post(&url).form(&form(&creds.password)).send().await.unwrap()).await;
        assert_eq!(
            (status, &token["token_type"], &token["expires_in"]),
            (200, &json!("bearer"), &json!(1800))
        );
        assert_eq!(
            answer(http(&sandbox).post(&url).form(&form("wrong")).send().await.unwrap()).await,
            (401, json!({}))
        );
        let as_json = http(&sandbox).post(&url).json(&json!({"grant_type": "client_credentials", "client_id": creds.username, "client_secret": creds.password})).send().await.unwrap();
        assert_eq!(as_json.status(), 415);
    }
}

mod core_banking {
    use super::*;

    #[tokio::test]
    async fn json_credentials_of_at_most_100_characters() {
        let sandbox = Sandbox::start(Provider::CoreBanking).await.unwrap();
        let url = format!("{}/api/auth/v1/authenticate", sandbox.base_url());
        let creds = sandbox.credentials();
        let send = |id: String, secret: String| {
            http(&sandbox).post(&url).json(&json!({"clientId": id, "clientSecret": secret})).send()
        };
        let (status, token) =
            answer(send(creds.username.clone(), creds.password.clone()).await.unwrap()).await;
        assert_eq!(
            (status, &token["tokenType"], &token["tokenValiditySec"]),
            (200, &json!("Bearer"), &json!(3600))
        );
        assert!(token["expirationTime"].as_u64().unwrap() > 1_700_000_000);
        assert_eq!(send("x".repeat(101), creds.password.clone()).await.unwrap().status(), 400);
        assert_eq!(send(creds.username.clone(), "s".repeat(101)).await.unwrap().status(), 400);
        assert_eq!(send(creds.username.clone(), "wrong".into()).await.unwrap().status(), 401);
    }
}

#[tokio::test]
async fn faults_are_observable_and_clear() {
    let sandbox = Sandbox::start(Provider::CoreBanking).await.unwrap();
    let url = format!("{}/api/auth/v1/authenticate", sandbox.base_url());
    let client = http(&sandbox);
    sandbox.set_fault(Some(Fault::ServerError));
    assert_eq!(client.post(&url).send().await.unwrap().status(), 500);
    sandbox.set_fault(Some(Fault::WrongContentType));
    assert_eq!(client.post(&url).send().await.unwrap().headers()["content-type"], "text/html");
    sandbox.set_fault(Some(Fault::MalformedJson));
    assert!(
        serde_json::from_slice::<Value>(&client.post(&url).send().await.unwrap().bytes().await.unwrap())
            .is_err()
    );
    sandbox.set_fault(Some(Fault::HugeBody { bytes: 3 << 20 }));
    assert_eq!(client.post(&url).send().await.unwrap().bytes().await.unwrap().len(), 3 << 20);
    sandbox.set_fault(Some(Fault::DropConnection));
    assert!(client.post(&url).send().await.is_err());
    sandbox.set_fault(Some(Fault::Slow(std::time::Duration::from_millis(300))));
    let started = std::time::Instant::now();
    client.post(&url).send().await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    sandbox.set_fault(None);
    assert_eq!(client.post(&url).json(&json!({})).send().await.unwrap().status(), 401);
    assert_eq!(sandbox.requests(), 7);
}

#[tokio::test]
async fn serves_a_thousand_concurrent_requests() {
    let sandbox = Sandbox::start(Provider::Uqudo).await.unwrap();
    let client = http(&sandbox);
    let url = format!("{}/api/oauth/token", sandbox.base_url());
    let creds = sandbox.credentials().clone();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (client, url, creds) = (client.clone(), url.clone(), creds.clone());
            tokio::spawn(async move {
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", &creds.username),
                    ("client_secret", &creds.password),
                ];
                client.post(url).form(&form).send().await.map(|r| r.status().as_u16())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), 200);
    }
    assert_eq!(sandbox.token_requests(), 1000);
}
