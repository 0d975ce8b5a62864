//! Part 14, decoding a union-heavy answer: 1 MB shaped like OpenAI's Responses API
//! (`output` items told apart by `type`), read into the types generated from the fixture
//! `unions.yaml` as a client reads an answer (`authgen_runtime::decode_json`: open
//! unions, lenient scalars), beside the same answer read by `serde_json` into a
//! hand-written `#[serde(tag = "type")]` enum. Twice: with the tag first in each item,
//! as OpenAI writes it, and last, the worst case for a decoder that keeps the entries
//! before the tag.

use std::time::Instant;

use serde::Deserialize;

use crate::report::{Samples, ratio, value};

include!(concat!(env!("OUT_DIR"), "/unions_mod.rs"));

const ROUNDS: usize = 101;
const SIZE: usize = 1_000_000;

#[derive(Deserialize)]
struct HandResponse {
    id: String,
    output: Vec<HandItem>,
    status: HandStatus,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum HandItem {
    #[serde(rename = "message")]
    Message { id: String, content: Vec<String> },
    #[serde(rename = "function_call")]
    FunctionCall { id: String, name: String, arguments: Option<String> },
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum HandStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "locked")]
    Locked { reason: Option<String> },
}

/// An answer of about [`SIZE`] bytes, messages and function calls alternating, each
/// item's `type` first or last.
fn answer(tag_first: bool) -> Vec<u8> {
    let mut items = Vec::new();
    let mut length = 0;
    for n in 0.. {
        let (tag, rest) = if n % 2 == 0 {
            let text = "The quick brown fox jumps over the lazy dog, again and again.";
            ("message", format!(r#""id":"msg_{n:08}","content":["{text}","{text}","{text}"]"#))
        } else {
            let arguments = r#"{\"location\":\"Paris, France\",\"unit\":\"celsius\",\"days\":3}"#;
            ("function_call", format!(r#""id":"fc_{n:08}","name":"get_weather","arguments":"{arguments}""#))
        };
        let item = if tag_first {
            format!(r#"{{"type":"{tag}",{rest}}}"#)
        } else {
            format!(r#"{{{rest},"type":"{tag}"}}"#)
        };
        length += item.len() + 1;
        items.push(item);
        if length >= SIZE {
            break;
        }
    }
    format!(r#"{{"id":"resp_1","output":[{}],"status":{{"type":"active"}}}}"#, items.join(",")).into_bytes()
}

/// What both read, item by item, to check they read the same.
fn hand_read(answer: &HandResponse) -> Vec<String> {
    let items = answer.output.iter().map(|item| match item {
        HandItem::Message { id, content } => format!("{id} {content:?}"),
        HandItem::FunctionCall { id, name, arguments } => format!("{id} {name} {arguments:?}"),
    });
    let status = match &answer.status {
        HandStatus::Active => "active".to_string(),
        HandStatus::Locked { reason } => format!("locked {reason:?}"),
    };
    items.chain([status, answer.id.clone()]).collect()
}

fn generated_read(answer: &unions::Response) -> Vec<String> {
    use unions::{OutputItem, ThreadStatus};
    let items = answer.output.iter().map(|item| match item {
        OutputItem::Message(m) => format!("{} {:?}", m.id, m.content),
        OutputItem::FunctionCall(c) => format!("{} {} {:?}", c.id, c.name, c.arguments),
        OutputItem::Other(value) => format!("other {value}"),
    });
    let status = match &answer.status {
        ThreadStatus::Active(_) => "active".to_string(),
        ThreadStatus::Locked(locked) => format!("locked {:?}", locked.reason),
        ThreadStatus::Other(value) => format!("other {value}"),
    };
    items.chain([status, answer.id.clone()]).collect()
}

pub fn run() {
    println!("# part 14: decoding a 1 MB tagged-union answer ({ROUNDS} rounds each, alternating)");
    for (shape, tag_first) in [("tag_first", true), ("tag_last", false)] {
        let body = answer(tag_first);
        let generated = authgen_runtime::decode_json::<unions::Response>(&body).expect("the answer decodes");
        let hand_written = serde_json::from_slice::<HandResponse>(&body).expect("the answer decodes");
        assert_eq!(generated_read(&generated), hand_read(&hand_written), "both read the same");
        let (mut ours, mut hand) = (Samples::default(), Samples::default());
        for _ in 0..ROUNDS {
            let started = Instant::now();
            std::hint::black_box(authgen_runtime::decode_json::<unions::Response>(&body).ok());
            ours.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(serde_json::from_slice::<HandResponse>(&body).ok());
            hand.push(started.elapsed());
        }
        println!(
            "# {shape}, {} bytes, {} items: generated {}, hand-written {}",
            body.len(),
            generated.output.len(),
            ours.summary(),
            hand.summary()
        );
        value(
            &format!("decode_ms/{shape}/generated"),
            format!("{:.2}", ours.median().as_secs_f64() * 1e3),
            "ms",
        );
        value(
            &format!("decode_ms/{shape}/hand_written"),
            format!("{:.2}", hand.median().as_secs_f64() * 1e3),
            "ms",
        );
        ratio(&format!("decode/{shape}"), &ours, &hand);
        // Under other load the medians wander; the fastest of each is the quiet machine's.
        let fastest = ours.min().as_secs_f64() / hand.min().as_secs_f64();
        println!("ratio decode/{shape}/fastest {fastest:.3}");
    }
}
