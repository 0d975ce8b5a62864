//! Proxies from the environment: honoured for other hosts, never for a loopback one.
//! (Its own test binary: it sets process-wide environment variables.)

mod support;

use authgen_runtime::__private::{ClientCore, Method};
use authgen_runtime::{Config, RetryPolicy};
use support::Server;

#[tokio::test]
async fn a_loopback_base_url_is_never_proxied_and_other_hosts_are() {
    let proxy = Server::start(|_| (502, "{}".into())).await;
    // SAFETY: this test binary has this one test, and sets the variables before any
    // other thread of it reads the environment.
    unsafe {
        for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
            std::env::set_var(name, &proxy.url);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let server = Server::start(|_| (200, "{}".into())).await;
    for url in [server.url.clone(), server.url.replace("127.0.0.1", "localhost")] {
        let config = Config::new().base_url(url).allow_http_loopback(true);
        let core = ClientCore::new(config, &[], &[]).unwrap();
        let response = core.request(Method::POST, "/token").form(&[("client_secret", "s3cr3t")]).send::<()>();
        assert_eq!(response.await.unwrap().status(), 200);
    }
    assert_eq!(server.requests().len(), 2);
    assert_eq!(proxy.requests().len(), 0, "the plain-HTTP request with its secret went to the proxy");
    // Any other host goes through the proxy (here, a CONNECT it refuses: a connect
    // failure, which would be retried).
    let config = Config::new().base_url("https://provider.invalid").retry(RetryPolicy::off());
    let core = ClientCore::new(config, &[], &[]).unwrap();
    assert!(core.request(Method::GET, "/").send::<()>().await.is_err());
    let connects = proxy.requests();
    assert_eq!(connects.len(), 1);
    assert!(connects[0].head.starts_with("CONNECT provider.invalid:443"), "{}", connects[0].head);
}
