//! Verifying a 2 KB Standard Webhooks event: `Webhooks::check` (the signature alone) and
//! `Webhooks::verify` (then decoding into a typed event), against the floor, one
//! HMAC-SHA256 of the same signed bytes with the key ready, and against the Standard
//! Webhooks library's own `verify` in its language (Node; when Node and sandbox/webhooks
//! are installed). Interleaved batches, not Criterion: on a shared machine the load
//! changes during a run, and a ratio of neighbouring batches survives that.
//!
//! ```sh
//! cargo bench -p authgen-runtime --bench webhook_verify
//! ```

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use authgen_runtime::webhook::{Event, Route, Scheme, Tag, WebhookError, Webhooks, decode_as};
use authgen_sandbox::webhooks::Reference;
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// An order event, as a generated module would type it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // Decoded to be measured, never read.
struct OrderCreated {
    id: String,
    amount: i64,
    currency: String,
    lines: Vec<Line>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Line {
    sku: String,
    name: String,
    quantity: i64,
    price: i64,
}

#[derive(Debug)]
#[allow(dead_code)]
enum Shop {
    OrderCreated(OrderCreated),
    Other(serde_json::Value),
}

impl Event for Shop {
    const ROUTES: &'static [Route] =
        &[Route { webhook: "order.created", tag: Some(Tag { property: "type", value: "order.created" }) }];

    fn scheme() -> Option<Scheme> {
        Some(Scheme::StandardWebhooks)
    }

    fn decode(webhook: &str, body: &[u8]) -> Result<Self, WebhookError> {
        Ok(match webhook {
            "order.created" => Shop::OrderCreated(decode_as("order.created", body)?),
            _ => Shop::Other(decode_as("other", body)?),
        })
    }
}

/// An `order.created` event of about 2 KB.
fn body() -> Vec<u8> {
    let lines: Vec<String> = (0..25)
        .map(|i| {
            format!(
                r#"{{"sku":"SKU-{i:04}","name":"Widget number {i} in blue","quantity":{i},"price":{}}}"#,
                100 + i
            )
        })
        .collect();
    let body = format!(
        r#"{{"type":"order.created","id":"ord_2KWPBgLlAfxdpx2AI54pPJ85f4W","amount":48213,"currency":"eur","lines":[{}]}}"#,
        lines.join(",")
    );
    assert!((1900..2200).contains(&body.len()), "{} bytes", body.len());
    body.into_bytes()
}

/// Rounds of alternating batches: a machine that gets busier during the run slows each
/// contender alike, and the median of each round's ratio is what is reported.
const ROUNDS: usize = 41;
const BATCH: u32 = 4_000;

fn main() {
    let hooks = Webhooks::<Shop>::new(SECRET);
    let body = body();
    let signed = hooks.sign(body.clone()).expect("signs");
    let headers = &signed.headers;
    let id = headers["webhook-id"].to_str().expect("text");
    let timestamp = headers["webhook-timestamp"].to_str().expect("text");
    let content = [format!("{id}.{timestamp}.").as_bytes(), &body].concat();
    let key = hmac::Key::new(hmac::HMAC_SHA256, &BASE64.decode(&SECRET["whsec_".len()..]).expect("base64"));

    let floor = || _ = black_box(hmac::sign(black_box(&key), black_box(&content)));
    let check = || hooks.check(black_box(headers), black_box(&body)).expect("valid");
    let verify = || _ = black_box(hooks.verify(black_box(headers), black_box(&body)).expect("valid"));
    let mut times: [Vec<f64>; 3] = Default::default();
    for _ in 0..ROUNDS {
        for (contender, time) in [&floor as &dyn Fn(), &check, &verify].into_iter().zip(&mut times) {
            time.push(per_call(contender));
        }
    }
    let [floor, check, verify] = times;
    let ratio = |t: &[f64]| median((0..ROUNDS).map(|i| t[i] / floor[i]).collect());
    println!("webhook {} B, median of {ROUNDS} rounds of {BATCH} calls each:", body.len());
    println!("  floor, HMAC-SHA256 of the signed bytes: {:.2} µs", median(floor.clone()));
    println!(
        "  check (signature, window):              {:.2} µs  ({:.2}x the floor)",
        median(check.clone()),
        ratio(&check)
    );
    println!(
        "  verify (check, then decode):            {:.2} µs  ({:.2}x the floor)",
        median(verify.clone()),
        ratio(&verify)
    );

    if let Some(mut node) = Reference::start() {
        let headers: BTreeMap<String, String> =
            headers.iter().map(|(n, v)| (n.to_string(), v.to_str().expect("text").to_string())).collect();
        let ns = node.time_verify("standard-webhooks", SECRET, &headers, &body, 200_000);
        println!("  standardwebhooks' verify (Node {}):    {:.2} µs", node_version(), ns / 1000.0);
    }
}

/// Microseconds per call of `contender` over one batch.
fn per_call(contender: &dyn Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        contender();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn node_version() -> String {
    let output = std::process::Command::new("node").arg("--version").output();
    output.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}
