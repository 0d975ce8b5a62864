//! The rules' requests (`mock/tests/fixtures/rules.cases.yaml`, the cases of the mock's
//! own test) sent to each tool serving `rules.yaml`. A case is answered by the rules
//! when the status is the one the rule says, the header it names is there, and a
//! problem names every parameter, body field or security scheme the rule's problem
//! names. A tool that stops answering (Prism exits on some requests) is started again
//! and the case counts as not answered.

use std::path::Path;

use super::{Running, Tool};
use crate::report::value;

#[path = "../../../mock/tests/support/cases.rs"]
mod cases;

use cases::Case;

pub fn run(fixture: &Path, cases: &Path, tools: &[&Tool]) {
    println!("\n## Requests answered by the rules ({})", fixture.display());
    let cases = cases::read(cases);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("a client");
    for tool in tools {
        let mut running = tool.serve(fixture).expect("the fixture is served");
        let (mut held, mut crashes) = (0, 0);
        for case in &cases {
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
        value(
            &format!("mock.rules.{}", tool.name),
            format!("{held}/{}", cases.len()),
            "requests answered by the rules",
        );
        value(&format!("mock.rules.{}.stopped", tool.name), crashes, "times it stopped answering");
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
