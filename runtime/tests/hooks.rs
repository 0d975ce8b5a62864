//! Hooks see every attempt of a call: a header a hook adds (here a signature over the
//! attempt number) reaches the server on each attempt, credentials already attached,
//! and the hook sees each answer's status.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use authgen_runtime::__private::{ClientCore, Credential, Method};
use authgen_runtime::{Config, Hook, RetryPolicy, reqwest};
use support::{Reply, Server};

/// Signs each request with its attempt number and the `Authorization` it carries, and
/// remembers the statuses it saw.
#[derive(Clone, Default)]
struct Signer {
    seen: Arc<Mutex<Vec<u16>>>,
}

impl Hook for Signer {
    fn on_request(&self, request: &mut reqwest::Request) {
        let attempt = self.seen.lock().unwrap().len() + 1;
        let authorized = request.headers().contains_key(reqwest::header::AUTHORIZATION);
        let signature = format!("attempt-{attempt}; authorized={authorized}");
        request.headers_mut().insert("x-signature", signature.parse().unwrap());
    }

    fn on_response(&self, response: &reqwest::Response) {
        self.seen.lock().unwrap().push(response.status().as_u16());
    }
}

#[tokio::test]
async fn a_hook_changes_every_attempt_and_sees_every_answer() {
    let server = Server::replying(|_, n| match n {
        0 => Reply::Answer(503, Vec::new(), "busy".into()),
        _ => Reply::Answer(200, Vec::new(), "{}".into()),
    })
    .await;
    let signer = Signer::default();
    let config = Config::new()
        .base_url(&server.url)
        .allow_http_loopback(true)
        .retry(RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_secs(1)))
        .hook(signer.clone());
    let mut core = ClientCore::new(config, &[], &[]).unwrap();
    core.set_credential("bearer", Credential::Bearer("t-1".into()));
    let response = core.request(Method::GET, "/things").security(&[&["bearer"]]).send::<()>().await.unwrap();
    assert_eq!(response.status(), 200);
    let signatures: Vec<Vec<String>> = server.requests().iter().map(|r| r.headers("x-signature")).collect();
    assert_eq!(signatures, [["attempt-1; authorized=true"], ["attempt-2; authorized=true"]]);
    assert_eq!(*signer.seen.lock().unwrap(), [503, 200]);
}
