//! Webhook verification against the providers' own code: each scheme's signatures are
//! made by the library its provider publishes (sandbox/webhooks, run by Node), and what
//! `Webhooks::sign` makes is checked by that library in turn.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authgen_runtime::webhook::{Event, HmacScheme, Route, Scheme, Tag, WebhookError, Webhooks, decode_as};
use authgen_sandbox::webhooks::Reference;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Value, json};

/// A document's events as a generated module has them: two told apart by `type`, one by
/// which body decodes.
#[derive(Debug, PartialEq)]
enum Shop {
    OrderCreated(Order),
    OrderShipped(Shipment),
    Ping(Ping),
    Other(Value),
}

#[derive(Debug, PartialEq, Deserialize)]
struct Order {
    id: String,
    amount: i64,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Shipment {
    id: String,
    carrier: String,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Ping {
    zen: String,
}

impl Event for Shop {
    const ROUTES: &'static [Route] = &[
        Route { webhook: "orderCreated", tag: Some(Tag { property: "type", value: "order.created" }) },
        Route { webhook: "orderShipped", tag: Some(Tag { property: "type", value: "order.shipped" }) },
        Route { webhook: "ping", tag: None },
    ];

    fn scheme() -> Option<Scheme> {
        Some(Scheme::StandardWebhooks)
    }

    fn decode(webhook: &str, body: &[u8]) -> Result<Self, WebhookError> {
        Ok(match webhook {
            "orderCreated" => Shop::OrderCreated(decode_as("orderCreated", body)?),
            "orderShipped" => Shop::OrderShipped(decode_as("orderShipped", body)?),
            "ping" => Shop::Ping(decode_as("ping", body)?),
            _ => Shop::Other(decode_as("other", body)?),
        })
    }
}

/// One scheme as the reference script names it, with the secrets its provider issues.
struct Case {
    reference: &'static str,
    scheme: Scheme,
    /// What the reference signs with, and what ours verifies with (they differ only for
    /// Ed25519: a secret key signs, its public key verifies).
    signing: String,
    verifying: String,
    /// Another secret of the same kind: the one before a rotation.
    previous: String,
    /// Each header the scheme requires.
    required: &'static [&'static str],
    /// How far back a timestamp is refused, when the scheme signs one.
    timed: bool,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64
}

fn whsec() -> String {
    format!("whsec_{}", BASE64.encode(std::array::from_fn::<u8, 24, _>(|_| fastrand::u8(..))))
}

fn standard(reference: &'static str, required: &'static [&'static str]) -> Case {
    Case {
        reference,
        scheme: Scheme::StandardWebhooks,
        signing: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        verifying: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        previous: whsec(),
        required,
        timed: true,
    }
}

fn ed25519() -> Case {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    let (seed, previous) = ([7u8; 32], [9u8; 32]);
    let public = |seed: &[u8]| {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).expect("a seed");
        format!("whpk_{}", BASE64.encode(pair.public_key().as_ref()))
    };
    Case {
        reference: "standard-webhooks-v1a",
        scheme: Scheme::StandardWebhooks,
        signing: format!("whsk_{}", BASE64.encode(seed)),
        verifying: public(&seed),
        previous: public(&previous),
        required: &["webhook-id", "webhook-timestamp", "webhook-signature"],
        timed: true,
    }
}

fn plain(
    reference: &'static str,
    scheme: Scheme,
    secret: &str,
    required: &'static [&'static str],
    timed: bool,
) -> Case {
    Case {
        reference,
        scheme,
        signing: secret.into(),
        verifying: secret.into(),
        previous: format!("{secret}-previous"),
        required,
        timed,
    }
}

const BODIES: [(&str, &[u8]); 3] = [
    ("orderCreated", br#"{"type":"order.created","id":"ord_1","amount":1250}"#),
    ("orderShipped", br#"{"type":"order.shipped","id":"ord_1","carrier":"DHL"}"#),
    ("ping", br#"{"zen":"Keep it logically awesome."}"#),
];

fn header_map(headers: &BTreeMap<String, String>, uppercase: bool) -> HeaderMap {
    headers
        .iter()
        .map(|(name, value)| {
            let name = if uppercase { name.to_uppercase() } else { name.clone() };
            (
                HeaderName::try_from(name).expect("a header name"),
                HeaderValue::try_from(value).expect("a value"),
            )
        })
        .collect()
}

fn as_map(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().expect("text").to_string()))
        .collect()
}

fn hooks(case: &Case) -> Webhooks<Shop> {
    Webhooks::new(case.verifying.as_str()).scheme(case.scheme.clone())
}

/// Everything the issue asks of one scheme, against the provider's library.
fn holds_to_its_reference(case: Case) {
    let Some(mut node) = Reference::start() else { return };
    let hooks = hooks(&case);
    let sign = |node: &mut Reference, secret: &str, timestamp: i64, body: &[u8]| {
        header_map(
            &node.sign(case.reference, secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", timestamp, body),
            false,
        )
    };

    // Valid events of each kind decode to their variants, header names in any case.
    for (name, body) in BODIES {
        let signed = node.sign(case.reference, &case.signing, "msg_1", now(), body);
        for uppercase in [false, true] {
            let event =
                hooks.verify(&header_map(&signed, uppercase), body).unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = Shop::decode(name, body).expect("decodes");
            assert_eq!(event, expected, "{}: {name}", case.reference);
        }
    }
    let [(_, order), ..] = BODIES;
    let headers = sign(&mut node, &case.signing, now(), order);

    // One changed byte, a wrong secret: the signature does not match.
    let mut changed = order.to_vec();
    changed[30] ^= 1;
    assert!(matches!(
        hooks.verify(&headers, &changed),
        Err(WebhookError::SignatureMismatch { secrets: 1, .. })
    ));
    let wrong = Webhooks::<Shop>::new(case.previous.as_str()).scheme(case.scheme.clone());
    assert!(matches!(wrong.verify(&headers, order), Err(WebhookError::SignatureMismatch { .. })));

    // Each missing header is named.
    for required in case.required {
        let mut missing = headers.clone();
        missing.remove(*required);
        let refused = hooks.verify(&missing, order).expect_err("a header is missing");
        // Svix's names are read as the Standard Webhooks ones, which the error names.
        let named = required.replace("svix-", "webhook-");
        let said = matches!(&refused, WebhookError::MissingHeader(name) if name.eq_ignore_ascii_case(&named));
        assert!(said, "{}: {refused:?} for {named}", case.reference);
    }

    // Ten minutes old: refused where the scheme signs a time, accepted where it does not.
    let stale = sign(&mut node, &case.signing, now() - 600, order);
    match (case.timed, hooks.verify(&stale, order)) {
        (true, Err(WebhookError::Timestamp { age_secs, tolerance_secs: 300 })) => assert!(age_secs >= 600),
        (false, Ok(_)) => {}
        (_, other) => panic!("{}: a ten-minute-old signature gave {other:?}", case.reference),
    }
    let generous = hooks.tolerance(Duration::from_secs(900));
    let hooks = self::hooks(&case);
    assert!(generous.verify(&stale, order).is_ok(), "{}: inside a 15-minute tolerance", case.reference);

    // A pretty-printed body, signed over its own bytes, is accepted as it is.
    let pretty =
        serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(order).expect("JSON")).expect("JSON");
    let headers_pretty = sign(&mut node, &case.signing, now(), &pretty);
    assert!(matches!(hooks.verify(&headers_pretty, &pretty), Ok(Shop::OrderCreated(_))));
    assert!(hooks.verify(&headers_pretty, order).is_err(), "the compact bytes were not what was signed");

    // A rotation: the previous secret signs, either is accepted; the order does not matter.
    let previous_signing = if case.reference.ends_with("v1a") {
        format!("whsk_{}", BASE64.encode([9u8; 32]))
    } else {
        case.previous.clone()
    };
    let rotated = sign(&mut node, &previous_signing, now(), order);
    let both = hooks.with_secret(case.previous.as_str());
    assert!(both.verify(&rotated, order).is_ok());
    assert!(both.verify(&headers, order).is_ok());
    let hooks = self::hooks(&case);
    assert!(hooks.verify(&rotated, order).is_err());

    // An event type the document does not list is kept.
    let unknown = br#"{"type":"refund.created","id":"re_1"}"#;
    let signed = sign(&mut node, &case.signing, now(), unknown);
    assert_eq!(
        hooks.verify(&signed, unknown).expect("verifies"),
        Shop::Other(json!({"type": "refund.created", "id": "re_1"}))
    );

    // The other way: what `sign` makes, the provider's library accepts.
    if !case.reference.ends_with("v1a") {
        let ours = Webhooks::<Shop>::new(case.signing.as_str())
            .scheme(case.scheme.clone())
            .sign(order.to_vec())
            .expect("signs");
        node.verify(case.reference, &case.signing, &as_map(&ours.headers), &ours.body)
            .expect("the provider's library accepts ours");
        let mut tampered = ours.body.clone();
        tampered[30] ^= 1;
        assert!(node.verify(case.reference, &case.signing, &as_map(&ours.headers), &tampered).is_err());
    }
}

#[test]
fn standard_webhooks_library() {
    holds_to_its_reference(standard(
        "standard-webhooks",
        &["webhook-id", "webhook-timestamp", "webhook-signature"],
    ));
}

#[test]
fn svix_library_and_its_header_names() {
    holds_to_its_reference(standard("svix", &["svix-id", "svix-timestamp", "svix-signature"]));
}

#[test]
fn standard_webhooks_ed25519() {
    holds_to_its_reference(ed25519());
}

#[test]
fn stripe_sdk() {
    holds_to_its_reference(plain(
        "stripe",
        Scheme::Stripe,
        "whsec_test_secret_abc123",
        &["stripe-signature"],
        true,
    ));
}

#[test]
fn github_webhooks_methods() {
    holds_to_its_reference(plain(
        "github",
        Scheme::GitHub,
        "It's a Secret to Everybody",
        &["x-hub-signature-256"],
        false,
    ));
}

#[test]
fn slack_bolt() {
    let required = &["x-slack-request-timestamp", "x-slack-signature"];
    holds_to_its_reference(plain("slack", Scheme::Slack, "8f742231b10e8888abcd99yyyzzz85a5", required, true));
}

#[test]
fn generic_hmac_in_githubs_shape() {
    let scheme = Scheme::Hmac(HmacScheme::new("X-Hub-Signature-256").prefix("sha256="));
    holds_to_its_reference(plain(
        "github",
        scheme,
        "It's a Secret to Everybody",
        &["x-hub-signature-256"],
        false,
    ));
}

#[test]
fn generic_hmac_in_slacks_shape() {
    let scheme = Scheme::Hmac(
        HmacScheme::new("X-Slack-Signature")
            .prefix("v0=")
            .signed("v0:{timestamp}:{body}")
            .timestamp_header("X-Slack-Request-Timestamp"),
    );
    let required = &["x-slack-request-timestamp", "x-slack-signature"];
    holds_to_its_reference(plain("slack", scheme, "8f742231b10e8888abcd99yyyzzz85a5", required, true));
}

#[test]
fn standard_webhooks_refuses_a_timestamp_ahead_and_stripe_does_not() {
    let body = br#"{"zen":"x"}"#;
    let ahead = now() + 600;
    let standard = Webhooks::<Shop>::new(whsec());
    let signed = standard.sign_at(body.to_vec(), "msg_1", ahead).expect("signs");
    assert!(matches!(
        standard.verify(&signed.headers, body),
        Err(WebhookError::Timestamp { age_secs: ..=-600, .. })
    ));
    let stripe = Webhooks::<Shop>::new("whsec_x").scheme(Scheme::Stripe);
    let signed = stripe.sign_at(body.to_vec(), "", ahead).expect("signs");
    assert!(stripe.verify(&signed.headers, body).is_ok());
}

#[test]
fn a_refusal_never_holds_the_secret_the_signature_or_the_body() {
    let secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=";
    let hooks = Webhooks::<Shop>::new(secret);
    let body = br#"{"type":"order.created","id":"ord_LEAK","amount":"LEAK2"}"#;
    let signed = hooks.sign(body.to_vec()).expect("signs");
    let signature = signed.headers["webhook-signature"].to_str().expect("text").to_string();
    let mut changed = signed.body.clone();
    changed[10] ^= 1;
    let mut garbled = signed.headers.clone();
    garbled.insert("webhook-signature", HeaderValue::from_static("v2,LEAK3"));
    let refusals = [
        hooks.verify(&signed.headers, body).expect_err("`amount` is not a number"),
        hooks.verify(&signed.headers, &changed).expect_err("changed"),
        hooks.verify(&garbled, body).expect_err("garbled"),
        Webhooks::<Shop>::new("whsec_LEAKY!").verify(&signed.headers, body).expect_err("bad secret"),
    ];
    assert!(
        matches!(&refusals[0], WebhookError::Decode { webhook: "orderCreated", reason } if reason.contains("`amount`"))
    );
    for refusal in refusals {
        let text = format!("{refusal} {refusal:?}");
        for secret_part in ["LEAK", "c2VjcmV0", &signature[3..20]] {
            assert!(!text.contains(secret_part), "{text:?} holds {secret_part:?}");
        }
    }
}

#[test]
fn no_declared_scheme_refuses_until_one_is_named_and_unsigned_says_what_it_is() {
    struct Bare;
    impl Event for Bare {
        const ROUTES: &'static [Route] = &[];
        fn scheme() -> Option<Scheme> {
            None
        }
        fn decode(_: &str, body: &[u8]) -> Result<Self, WebhookError> {
            decode_as::<Value>("other", body).map(|_| Bare)
        }
    }
    let refused = Webhooks::<Bare>::new("s").verify(&HeaderMap::new(), b"{}").err().expect("no scheme");
    assert!(refused.to_string().contains("x-authgen-webhooks"), "{refused}");
    assert!(Webhooks::<Bare>::unsigned().verify(&HeaderMap::new(), b"{}").is_ok());
    assert!(Webhooks::<Bare>::unsigned().verify(&HeaderMap::new(), b"{").is_err());
}

#[test]
fn a_header_with_several_signatures_passes_when_one_is_valid() {
    let Some(mut node) = Reference::start() else { return };
    let body = br#"{"zen":"x"}"#;
    let standard = standard("standard-webhooks", &[]);
    let mut headers = node.sign("standard-webhooks", &standard.signing, "msg_1", now(), body);
    let valid = headers["webhook-signature"].clone();
    let wrong = format!("v1,{}", BASE64.encode([0u8; 32]));
    headers.insert(
        "webhook-signature".into(),
        format!("{wrong} v1a,{} {valid} v2,abc", BASE64.encode([1u8; 64])),
    );
    assert!(hooks(&standard).verify(&header_map(&headers, false), body).is_ok());
    headers.insert("webhook-signature".into(), format!("{wrong} {wrong}"));
    assert!(matches!(
        hooks(&standard).verify(&header_map(&headers, false), body),
        Err(WebhookError::SignatureMismatch { .. })
    ));

    let stripe = plain("stripe", Scheme::Stripe, "whsec_test_secret_abc123", &[], true);
    let mut headers = node.sign("stripe", &stripe.signing, "", now(), body);
    let (time, valid) = headers["stripe-signature"].split_once(',').expect("t=…,v1=…");
    let several = format!("{time},v1={},{valid},v0=ffff", "0".repeat(64));
    headers.insert("stripe-signature".into(), several);
    assert!(hooks(&stripe).verify(&header_map(&headers, false), body).is_ok());
    node.verify("stripe", &stripe.signing, &headers, body).expect("Stripe's SDK accepts it too");
}
