//! The generated `Webhooks` verifies each kind of webhook and decodes it into its
//! variant: by the `type` const, by the discriminator's mapping, by which body decodes.

use authgen_runtime::webhook::WebhookError;
use webhooks::{Order, OrderShipped, PingWebhookRequest, Type, WebhookEvent, Webhooks};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn received(body: &str) -> Result<WebhookEvent, WebhookError> {
    let signed = Webhooks::new(SECRET).sign(body).expect("signs");
    Webhooks::new(SECRET).verify(&signed.headers, &signed.body)
}

#[test]
fn each_kind_verifies_and_decodes_into_its_variant() {
    let WebhookEvent::OrderCreated(created) =
        received(r#"{"type": "order.created", "order": {"id": "o1", "amount": 1250}}"#).unwrap()
    else {
        panic!("not an OrderCreated");
    };
    assert_eq!((created.r#type, created.order), (Type::OrderCreated, Order { id: "o1".into(), amount: 1250 }));

    let shipped = received(r#"{"kind": "shipped", "order_id": "o1", "carrier": "DHL"}"#).unwrap();
    let expected = OrderShipped { kind: "shipped".into(), order_id: "o1".into(), carrier: "DHL".into() };
    assert_eq!(shipped, WebhookEvent::OrderShipped(expected));

    let ping = received(r#"{"zen": "Design for failure."}"#).unwrap();
    assert_eq!(ping, WebhookEvent::Ping(PingWebhookRequest { zen: "Design for failure.".into() }));

    let other = received(r#"{"type": "refund.created", "id": "r1"}"#).unwrap();
    assert_eq!(other, WebhookEvent::Other(serde_json::json!({"type": "refund.created", "id": "r1"})));
}

#[test]
fn a_tagged_body_that_is_not_its_type_names_the_field() {
    let refused = received(r#"{"type": "order.created", "order": {"id": "o1"}}"#).unwrap_err();
    let WebhookError::Decode { webhook, reason } = refused else { panic!("{refused:?}") };
    assert_eq!(webhook, "order.created");
    assert!(reason.contains("missing field `amount`"), "{reason}");
}

#[test]
fn another_secret_or_a_changed_body_is_refused() {
    let body = r#"{"zen": "x"}"#;
    let signed = Webhooks::new(SECRET).sign(body).unwrap();
    let other = Webhooks::new("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
    assert!(matches!(other.verify(&signed.headers, &signed.body), Err(WebhookError::SignatureMismatch { .. })));
    let rotated = other.with_secret(SECRET);
    assert!(rotated.verify(&signed.headers, &signed.body).is_ok());
    let changed = br#"{"zen": "y"}"#;
    assert!(Webhooks::new(SECRET).verify(&signed.headers, changed).is_err());
}
