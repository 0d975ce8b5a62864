//! The mock sends a document's webhooks, signed by its scheme, and the module generated
//! from the same document (the feature fixture's snapshot) accepts them.

use std::convert::Infallible;
use std::process::Command;

use authgen_mock::{MockServer, WebhookError};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Request, Response};
use tokio::sync::mpsc;

/// `codegen/tests/features/webhooks.yaml` as the generator emits it. Its client and
/// the types only the client uses are not called here: a whole module, partly used.
/// A snapshot, kept as the generator formats it: rustfmt leaves it alone.
#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../../codegen/tests/features/webhooks.rs"]
mod shop;

const SPEC: &str = "../codegen/tests/features/webhooks.yaml";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A receiver on loopback: every request's headers and body, answered 200.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (received, receive) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let received = received.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let _ = received.send((parts.headers, body));
                    Ok::<_, Infallible>(Response::new(Empty::<Bytes>::new()))
                }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
        }
    });
    (url, receive)
}

#[tokio::test]
async fn each_webhook_sent_in_process_is_accepted_by_the_generated_module() {
    let mock = MockServer::start(SPEC).unwrap();
    let (url, mut received) = receiver().await;
    let hooks = shop::Webhooks::new(SECRET);
    for name in ["order.created", "orderShipped", "ping"] {
        assert_eq!(mock.send_webhook(name, &url, SECRET).await.unwrap(), 200);
        let (headers, body) = received.recv().await.unwrap();
        let event = hooks.verify(&headers, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let variant = match event {
            shop::WebhookEvent::OrderCreated(created) => {
                assert_eq!(created.r#type, shop::Type::OrderCreated);
                "order.created"
            }
            // The webhook's example is what is sent.
            shop::WebhookEvent::OrderShipped(shipped) => {
                assert_eq!((shipped.kind.as_str(), shipped.carrier.as_str()), ("shipped", "DHL"));
                "orderShipped"
            }
            shop::WebhookEvent::Ping(_) => "ping",
            shop::WebhookEvent::Other(value) => panic!("{name} arrived as an unknown event: {value}"),
        };
        assert_eq!(variant, name);
        assert_eq!(headers["content-type"], "application/json");
        let other = shop::Webhooks::new("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
        assert!(other.verify(&headers, &body).is_err(), "another secret is refused");
    }
}

#[tokio::test]
async fn the_command_line_sends_one_and_says_what_it_was_answered() {
    let (url, mut received) = receiver().await;
    let mock = env!("CARGO_BIN_EXE_authgen-mock");
    let send = move |name: &str| {
        let args = [SPEC, "--send-webhook", name, "--to", &url, "--secret", SECRET];
        Command::new(mock).args(args).output().unwrap()
    };
    let sent = tokio::task::spawn_blocking({
        let send = send.clone();
        move || send("ping")
    })
    .await
    .unwrap();
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    assert!(String::from_utf8_lossy(&sent.stdout).contains("ping sent to http://127.0.0.1:"));
    let (headers, body) = received.recv().await.unwrap();
    assert!(matches!(shop::Webhooks::new(SECRET).verify(&headers, &body), Ok(shop::WebhookEvent::Ping(_))));

    let unknown = tokio::task::spawn_blocking(move || send("refund.created")).await.unwrap();
    assert!(!unknown.status.success());
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("no webhook `refund.created`; it has: order.created, orderShipped, ping"),
        "{said}"
    );
}

#[test]
fn a_document_without_a_scheme_sends_unsigned_and_a_bad_secret_is_named() {
    let unsigned = authgen_mock::Webhook::from_spec(
        "../codegen/tests/features/webhooks_only.yaml".as_ref(),
        &[],
        "newPet",
        "s",
    )
    .unwrap();
    assert!(!unsigned.signed && unsigned.headers.len() == 1, "{:?}", unsigned.headers);
    let refused = authgen_mock::Webhook::from_spec(SPEC.as_ref(), &[], "ping", "whsec_!!").unwrap_err();
    assert!(matches!(refused, WebhookError::Sign(_)), "{refused}");
    assert!(!refused.to_string().contains("!!"), "{refused}");
}
