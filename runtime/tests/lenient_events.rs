//! A scalar read in another JSON type than its schema's, and an untagged union's value
//! no variant takes, are `tracing` debug events: the first names the field, neither
//! quotes the value.

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every event's fields, `name=value` joined by spaces.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

struct Fields<'l>(&'l mut Vec<String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Log {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields.join(" "));
    }
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Price {
    amount: f64,
    currency: String,
}

fn events_of(body: &str) -> Vec<String> {
    let log = Log::default();
    let subscriber = tracing_subscriber::registry().with(log.clone());
    let decoded = tracing::subscriber::with_default(subscriber, || {
        authgen_runtime::decode_json::<Price>(body.as_bytes())
    });
    decoded.unwrap();
    log.0.lock().unwrap().clone()
}

#[test]
fn each_coercion_is_an_event_naming_the_field_never_the_value() {
    assert_eq!(events_of(r#"{"amount":1.5,"currency":"EUR"}"#), Vec::<String>::new());
    let events = events_of(r#"{"amount":"-0.0025","currency":978}"#);
    assert_eq!(
        events,
        [
            "message=read a number from a JSON string field=\"amount\"",
            "message=read a text from a JSON number or boolean field=\"currency\"",
        ]
    );
    assert!(events.iter().all(|e| !e.contains("0025") && !e.contains("978")), "{events:?}");
}

/// An open union as generated code writes it.
#[derive(Debug, PartialEq)]
enum Amount {
    Price(Price),
    Other(authgen_runtime::Json),
}

impl PartialEq for Price {
    fn eq(&self, other: &Self) -> bool {
        (self.amount, &self.currency) == (other.amount, &other.currency)
    }
}

impl authgen_runtime::__private::Untagged for Amount {
    const VARIANTS: &'static [&'static str] = &["Price"];
    const OPEN: bool = true;
    fn variant<'de, D: serde::Deserializer<'de>>(selector: usize, content: D) -> Result<Self, D::Error> {
        match selector {
            0 => Deserialize::deserialize(content).map(Self::Price),
            _ => Deserialize::deserialize(content).map(Self::Other),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        authgen_runtime::__private::untagged(deserializer)
    }
}

#[test]
fn a_value_an_open_union_keeps_whole_is_an_event_saying_why() {
    let log = Log::default();
    let subscriber = tracing_subscriber::registry().with(log.clone());
    let body = br#"{"amount":"LEAK","currency":"EUR"}"#;
    let decoded =
        tracing::subscriber::with_default(subscriber, || authgen_runtime::decode_json::<Amount>(body));
    assert_eq!(decoded.unwrap(), Amount::Other(serde_json::from_slice(body).unwrap()));
    let events = log.0.lock().unwrap().clone();
    assert_eq!(
        events,
        ["message=no variant of `Amount` matches; closest `Price`, at `amount`: a value does not match the \
          schema (wrong type, unknown variant or out of range): kept as it came"]
    );
}
