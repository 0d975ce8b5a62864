//! Behaviour of the crate generated from `unions.yaml`: an answer read over HTTP from a
//! local server decodes unions by the values their variants declare (OpenAI's shapes),
//! keeps what no variant takes, and reads scalars as vendors send them; what is sent
//! stays as the schema says. The compile test copies this file into the crate as
//! `tests/behaviour.rs` and runs it.

use authgen_runtime::{Config, Json, decode_json};
use serde_json::json;
use unions::*;

mod loopback;

/// A server answering every request with `body` as JSON.
async fn serve(body: String) -> Config {
    let server = loopback::Server::answering(move |_| loopback::reply("200 OK", "application/json", &body)).await;
    server.config("")
}

/// `value` as the body of an answer, for `decode_json`: what the client decodes.
fn body(value: Json) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[tokio::test]
async fn an_answer_with_declared_tags_an_unknown_kind_and_another_shape_decodes() {
    let answer = json!({
        "id": "resp_1",
        "output": [
            {"id": "msg_1", "type": "message", "content": ["Hello"]},
            {"type": "function_call", "id": "fc_1", "name": "lookup", "arguments": "{}"},
            {"type": "reasoning", "id": "rs_1", "summary": []},
        ],
        "status": {"type": "active"},
        "amounts": [{"value": "50.00", "currency": "EUR"}, "12.5", [1, 2]],
    });
    let client = Client::new(serve(answer.to_string()).await).unwrap();
    let response = client.get_response("resp_1").await.unwrap();
    let OutputItem::Message(message) = &response.output[0] else { panic!("{:?}", response.output[0]) };
    assert_eq!((message.r#type.as_str(), &message.content[..]), ("message", &["Hello".to_string()][..]));
    let OutputItem::FunctionCall(call) = &response.output[1] else { panic!("{:?}", response.output[1]) };
    assert_eq!((call.r#type.as_str(), call.name.as_str()), ("function_call", "lookup"));
    assert_eq!(response.output[2], OutputItem::Other(answer["output"][2].clone()));
    assert_eq!(response.status, ThreadStatus::Active(ActiveStatus { r#type: ActiveStatusType::Active }));
    let amounts = response.amounts.unwrap();
    assert_eq!(amounts[0], Amount::Money(Money { value: 50.0, currency: "EUR".into() }));
    assert_eq!(amounts[1], Amount::String("12.5".into()), "a string stays a string where a variant takes it");
    assert_eq!(amounts[2], Amount::Other(json!([1, 2])));
}

#[test]
fn a_partial_mapping_then_declared_values_then_schema_names_select_variants() {
    let pets: Vec<Pet> =
        decode_json(&body(json!([{"kind": "kitty"}, {"kind": "Cat"}, {"kind": "dog"}, {"kind": "Lizard"}, {"kind": "gecko"}])))
            .unwrap();
    assert!(matches!(&pets[0], Pet::Kitty(cat) if cat.kind == "kitty"));
    assert!(matches!(&pets[1], Pet::Kitty(cat) if cat.kind == "Cat"));
    assert!(matches!(&pets[2], Pet::Dog(dog) if dog.kind == Kind::Dog));
    assert!(matches!(&pets[3], Pet::Lizard(_)));
    assert_eq!(pets[4], Pet::Other(json!({"kind": "gecko"})));
    let status: ThreadStatus = decode_json(&body(json!({"reason": "spam", "type": "locked"}))).unwrap();
    assert!(matches!(status, ThreadStatus::Locked(LockedStatus { reason: Some(r), .. }) if r == "spam"));
}

#[test]
fn a_constant_each_variant_declares_selects_it_without_a_discriminator() {
    let events: Vec<Event> =
        decode_json(&body(json!([{"id": "1", "event": "deleted"}, {"event": "created", "id": "2"}, {"id": "3"}]))).unwrap();
    assert!(matches!(&events[0], Event::Deleted(d) if d.id == "1"));
    assert!(matches!(&events[1], Event::Created(c) if c.id == "2"));
    assert_eq!(events[2], Event::Other(json!({"id": "3"})), "no tag: kept");
    let broken = decode_json::<Event>(&body(json!({"event": "created"}))).unwrap_err();
    assert!(broken.starts_with("missing field `id` at line 1"), "a known tag decodes its variant or fails: {broken}");
}

#[tokio::test]
async fn scalars_are_read_as_vendors_send_them() {
    let answer = json!({"price": "-0.0025", "quantity": "12", "number": 1, "paid": "true", "note": false});
    let client = Client::new(serve(answer.to_string()).await).unwrap();
    let invoice = client.get_invoice("in_1").await.unwrap();
    let expected =
        Invoice { price: -0.0025, quantity: 12, number: "1".into(), paid: true, note: Some("false".into()) };
    assert_eq!(invoice, expected);
}

#[test]
fn what_stays_refused_is_refused_with_its_path() {
    let valid = json!({"price": 1.5, "quantity": 1, "number": "A-1", "paid": false});
    for (field, bad) in [
        ("price", json!("1,5")),
        ("price", json!("NaN")),
        ("price", json!(" 1")),
        ("quantity", json!("1.5")),
        ("quantity", json!(1.5)),
        ("paid", json!("yes")),
        ("paid", json!(1)),
        ("number", json!(["A-1"])),
    ] {
        let mut invoice = valid.clone();
        invoice[field] = bad;
        let error = decode_json::<Invoice>(&body(invoice.clone())).unwrap_err();
        assert!(error.starts_with(&format!("at `{field}`: ")), "{invoice}: {error}");
    }
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("number");
    let error = decode_json::<Invoice>(&body(missing)).unwrap_err();
    assert!(error.starts_with("missing field `number` at line 1"), "{error}");
}

#[test]
fn a_union_only_sent_is_closed_and_writes_the_values_it_declares() {
    let circle = Shape::Circle(Circle { kind: CircleKind::default(), radius: 2.0 });
    assert_eq!(serde_json::to_value(&circle).unwrap(), json!({"kind": "circle", "radius": 2.0}));
    let square = Shape::Square(Square { kind: SquareKind::Square, side: 1.0 });
    assert_eq!(serde_json::to_value(&square).unwrap(), json!({"kind": "square", "side": 1.0}));
}
