//! Part 4, request overhead: one token request through a generated client against its
//! sandbox, and the same request written by hand with `reqwest` (same TLS roots and
//! identity, same body, one connection pool each, warmed), alternating in batches.

use std::time::Instant;

use authgen::{mogoplus, uqudo};
use authgen_runtime::Config;
use authgen_runtime::tower::layer::util::Identity;
use authgen_sandbox::{Provider, Sandbox};

use crate::Mode;
use crate::report::{Samples, ratio, value};

const BATCH: usize = 50;

pub async fn run(mode: Mode) {
    uqudo_form_request(mode).await;
    mogoplus_mtls_request(mode).await;
}

/// `n` uqudo token requests, generated (`which` = `generated`), generated through a
/// layer stack holding one layer that does nothing (`layered`: the type-erased stack of
/// `Config::layer`), or by hand, and nothing else: for counting instructions under
/// `valgrind --tool=callgrind`, which repeats where timings do not (two counts at
/// different `n` give the cost of one request).
pub async fn profile(which: &str, n: usize) {
    let uqudo = Uqudo::start().await;
    for _ in 0..n {
        match which {
            "generated" => drop(std::hint::black_box(uqudo.generated().await)),
            "layered" => drop(std::hint::black_box(uqudo.call(&uqudo.layered).await)),
            _ => drop(std::hint::black_box(uqudo.by_hand().await)),
        }
    }
}

async fn uqudo_form_request(mode: Mode) {
    let uqudo = Uqudo::start().await;
    let (ours, theirs) = alternate(mode, || uqudo.generated(), || uqudo.by_hand()).await;
    report("uqudo", &ours, &theirs);
}

/// Uqudo's token request against its sandbox: through the generated client, and the
/// same form written by hand.
struct Uqudo {
    _sandbox: Sandbox,
    client: uqudo::Client,
    layered: uqudo::Client,
    body: uqudo::TokenRequest,
    http: reqwest::Client,
    url: String,
    form: [(&'static str, String); 3],
}

impl Uqudo {
    async fn start() -> Uqudo {
        let sandbox = Sandbox::start(Provider::Uqudo).await.expect("the sandbox starts");
        let (user, password) =
            (sandbox.credentials().username.clone(), sandbox.credentials().password.clone());
        let body = uqudo::TokenRequest {
            grant_type: uqudo::GrantType::ClientCredentials,
            client_id: user.clone(),
            client_secret: password.clone().into(),
        };
        Uqudo {
            client: uqudo::Client::new(config(&sandbox)).expect("a client"),
            layered: uqudo::Client::new(config(&sandbox).layer(Identity::new())).expect("a client"),
            body,
            http: hand_written_client(&sandbox),
            url: format!("{}/api/oauth/token", sandbox.base_url()),
            form: [
                ("grant_type", "client_credentials".into()),
                ("client_id", user),
                ("client_secret", password),
            ],
            _sandbox: sandbox,
        }
    }

    async fn generated(&self) -> uqudo::TokenResponse {
        self.call(&self.client).await
    }

    async fn call(&self, client: &uqudo::Client) -> uqudo::TokenResponse {
        client.get_token(self.body.clone()).await.expect("a token")
    }

    async fn by_hand(&self) -> serde_json::Value {
        let request = self.http.post(&self.url).header("accept", "application/json").form(&self.form);
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 200);
        response.json().await.expect("a token")
    }
}

async fn mogoplus_mtls_request(mode: Mode) {
    let sandbox = Sandbox::start(Provider::Mogoplus).await.expect("the sandbox starts");
    let (user, password) = (sandbox.credentials().username.clone(), sandbox.credentials().password.clone());
    let client = mogoplus::Client::new(config(&sandbox))
        .expect("a client")
        .with_basic_auth(user.clone(), password.clone());
    let http = hand_written_client(&sandbox);
    let url = format!("{}/api/v1/oauth2/token", sandbox.base_url());
    let generated = || async { client.request_token().await.expect("a token") };
    let by_hand = || async {
        let response = http
            .post(&url)
            .query(&[("grant_type", "client_credentials")])
            .basic_auth(&user, Some(&password))
            .header("accept", "application/json")
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        response.json::<serde_json::Value>().await.expect("a token")
    };
    let (ours, theirs) = alternate(mode, generated, by_hand).await;
    report("mogoplus", &ours, &theirs);
}

fn report(name: &str, ours: &Samples, theirs: &Samples) {
    println!("# request {name}: generated {} / by hand {}", ours.summary(), theirs.summary());
    value(&format!("request_median_us/{name}"), ours.median().as_micros(), "us");
    ratio(&format!("request_vs_reqwest/{name}"), ours, theirs);
}

/// Runs both in alternating batches after a warm-up; per-request durations.
async fn alternate<A, AF, AO, B, BF, BO>(mode: Mode, a: A, b: B) -> (Samples, Samples)
where
    A: Fn() -> AF,
    AF: Future<Output = AO>,
    B: Fn() -> BF,
    BF: Future<Output = BO>,
{
    for _ in 0..BATCH {
        a().await;
        b().await;
    }
    let (mut ours, mut theirs) = (Samples::default(), Samples::default());
    for _ in 0..mode.requests / BATCH {
        for _ in 0..BATCH {
            let started = Instant::now();
            std::hint::black_box(a().await);
            ours.push(started.elapsed());
        }
        for _ in 0..BATCH {
            let started = Instant::now();
            std::hint::black_box(b().await);
            theirs.push(started.elapsed());
        }
    }
    (ours, theirs)
}

fn config(sandbox: &Sandbox) -> Config {
    let config =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes());
    match sandbox.client_identity_pem() {
        Some(identity) => config.identity_pem(identity.as_bytes()),
        None => config,
    }
}

/// What a careful hand-written client sets up: the sandbox's CA only, the client
/// identity where needed, no redirects.
fn hand_written_client(sandbox: &Sandbox) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).expect("the CA");
    let mut builder =
        reqwest::Client::builder().tls_certs_only([ca]).redirect(reqwest::redirect::Policy::none());
    if let Some(identity) = sandbox.client_identity_pem() {
        builder = builder.identity(reqwest::Identity::from_pem(identity.as_bytes()).expect("the identity"));
    }
    builder.build().expect("a client")
}
