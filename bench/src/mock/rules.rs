//! The rules' requests (`mock/tests/fixtures/rules.cases.yaml`, the cases of the mock's
//! own test) sent to each tool serving `rules.yaml`. A case is answered by the rules
//! when the status is the one the rule says, the header it names is there, and a
//! problem names every parameter, body field or security scheme the rule's problem
//! names. A tool that stops answering (Prism exits on some requests) is started again
//! and the case counts as not answered.
//!
//! Prism 5 exits on every request to an operation with an optional array header that
//! is not sent (`simple.js`: `split` of `undefined`), which hides what it does with the
//! other rules of those operations; so the cases are sent a second time to a copy of
//! the fixture without such headers ([`without_array_headers`]), minus the cases that
//! send them.

use std::path::Path;

use serde_yaml::Value;

use super::{Running, Tool};
use crate::report::value;

/// The copy of the fixture Prism does not stop on, from the workspace's root.
pub const COPY: &str = "target/bench-cache/rules.without-array-headers.yaml";

#[path = "../../../mock/tests/support/cases.rs"]
mod cases;

use cases::Case;

/// Both passes: the fixture as it is, then the copy Prism does not stop on at `copy`.
pub fn run(fixture: &Path, cases: &Path, copy: &Path, tools: &[&Tool]) {
    let cases = cases::read(cases);
    pass(fixture, &cases, "", tools);
    let dropped = without_array_headers(fixture, copy);
    let kept: Vec<Case> = cases
        .into_iter()
        .filter(|case| !case.headers.keys().any(|name| dropped.iter().any(|d| d.eq_ignore_ascii_case(name))))
        .collect();
    println!("# without the optional array headers {dropped:?}, and the cases that send them");
    pass(copy, &kept, ".without_array_headers", tools);
}

/// The cases sent to each tool serving `fixture`; `suffix` tells the passes apart.
fn pass(fixture: &Path, cases: &[Case], suffix: &str, tools: &[&Tool]) {
    println!("\n## Requests answered by the rules ({})", fixture.display());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    for tool in tools {
        let mut running = tool.serve(fixture).expect("the fixture is served");
        let (mut held, mut crashes) = (0, 0);
        for case in cases {
            match runtime.block_on(answer(&client, &running, case)) {
                Ok(None) => held += 1,
                Ok(Some(why)) => println!("{}: {} ({}): {why}", tool.name, case.rule, case.request),
                Err(err) => {
                    crashes += 1;
                    println!(
                        "{}: {} ({}): no answer ({err}); started again",
                        tool.name, case.rule, case.request
                    );
                    running = tool.serve(fixture).expect("the fixture is served again");
                }
            }
        }
        let name = format!("mock.rules{suffix}.{}", tool.name);
        value(&name, format!("{held}/{}", cases.len()), "requests answered by the rules");
        value(&format!("{name}.stopped"), crashes, "times it stopped answering");
    }
}

/// `None` when `case` is answered by the rules, else what is wrong; `Err` without an answer.
async fn answer(
    client: &reqwest::Client,
    running: &Running,
    case: &Case,
) -> Result<Option<String>, reqwest::Error> {
    let response = case.request(client, &format!("http://127.0.0.1:{}", running.port)).send().await?;
    let status = response.status().as_u16();
    let missing: Vec<&String> =
        case.header.keys().filter(|name| !response.headers().contains_key(*name)).collect();
    let text = response.text().await?;
    let unnamed: Vec<String> = case
        .detail
        .iter()
        .flat_map(|detail| named(detail))
        .filter(|name| !text.contains(name.as_str()))
        .collect();
    Ok(match (status == case.status, missing.is_empty(), unnamed.is_empty()) {
        (true, true, true) => None,
        (false, ..) => Some(format!("status {status}")),
        (_, false, _) => Some(format!("no {missing:?} header")),
        (.., false) => Some(format!("the problem does not name {unnamed:?}")),
    })
}

/// What a rule's problem names: each parameter or scheme (in backquotes after
/// `parameter`, `scheme`) and the last field of each body pointer.
fn named(detail: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in detail.split("; ") {
        if let Some(rest) =
            part.split_once("parameter `").or_else(|| part.split_once("scheme `")).map(|(_, r)| r)
        {
            names.extend(rest.split('`').next().map(String::from));
        } else if let Some(pointer) = part.strip_prefix("body at #/") {
            names.extend(pointer.split(':').next().and_then(|p| p.rsplit('/').next()).map(String::from));
        }
    }
    names
}

/// Writes `fixture` without its optional header parameters of array type to `copy`;
/// gives their names.
pub fn without_array_headers(fixture: &Path, copy: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(fixture).expect("the fixture");
    let mut document: Value = serde_yaml::from_str(&text).expect("the fixture in YAML");
    let mut dropped = Vec::new();
    let operations = document.get_mut("paths").and_then(Value::as_mapping_mut).expect("paths");
    for operation in
        operations.values_mut().filter_map(Value::as_mapping_mut).flat_map(|item| item.values_mut())
    {
        if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_sequence_mut) {
            parameters.retain(|parameter| {
                let stops_prism = parameter["in"] == "header"
                    && parameter["schema"]["type"] == "array"
                    && parameter.get("required") != Some(&Value::Bool(true));
                if stops_prism {
                    dropped.extend(parameter["name"].as_str().map(String::from));
                }
                !stops_prism
            });
        }
    }
    std::fs::create_dir_all(copy.parent().expect("a folder")).expect("the cache folder");
    std::fs::write(copy, serde_yaml::to_string(&document).expect("YAML")).expect("the copy written");
    dropped
}
