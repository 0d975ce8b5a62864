//! Every rule the mock holds requests to, over real HTTP against
//! `tests/fixtures/rules.yaml`: each case of `tests/fixtures/rules.cases.yaml` names its
//! rule, sends one request, and states the status and the problem text (`detail`) it
//! must get.

use std::collections::BTreeMap;

use authgen_mock::MockServer;
use serde::Deserialize;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/rules.yaml";

/// One request and what it must be answered (`tests/fixtures/rules.cases.yaml`).
#[derive(Deserialize)]
struct Case {
    rule: String,
    /// `METHOD /path?query`.
    request: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<Body>,
    status: u16,
    /// The problem's `detail`; none for an answer from the spec.
    detail: Option<String>,
    /// Headers the answer must carry, with their values.
    #[serde(default)]
    header: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Body {
    #[serde(rename = "type")]
    content_type: String,
    text: String,
}

fn cases() -> Vec<Case> {
    serde_yaml::from_str(&std::fs::read_to_string("tests/fixtures/rules.cases.yaml").unwrap()).unwrap()
}

/// What is wrong with the answer to `case`, if anything.
async fn check(client: &reqwest::Client, base: &str, case: &Case) -> Vec<String> {
    let (method, path) = case.request.split_once(' ').unwrap();
    let mut request = client.request(method.parse().unwrap(), format!("{base}{path}"));
    for (name, value) in &case.headers {
        request = request.header(name, value);
    }
    if let Some(body) = &case.body {
        request = request.header("content-type", &body.content_type).body(body.text.clone());
    }
    let response = request.send().await.unwrap();
    let mut wrong = Vec::new();
    if response.status() != case.status {
        wrong.push(format!("status {}, not {}", response.status(), case.status));
    }
    for (name, want) in &case.header {
        let got: Vec<&str> = response.headers().get_all(name).iter().map(|v| v.to_str().unwrap()).collect();
        if got.join(" | ") != *want {
            wrong.push(format!("{name}: {got:?}"));
        }
    }
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
    if let Some(detail) = &case.detail
        && (body["detail"] != *detail || content_type.as_deref() != Some("application/problem+json"))
    {
        wrong.push(format!("{content_type:?} detail {}", body["detail"]));
    }
    wrong
}

#[tokio::test]
async fn every_rule_answers_its_status_and_problem() {
    let mock = MockServer::start(SPEC).unwrap();
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for case in &cases() {
        let wrong = check(&client, mock.url(), case).await;
        if !wrong.is_empty() {
            failures.push(format!("{} ({}): {}", case.rule, case.request, wrong.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn problems_list_each_failure_by_name_or_pointer() {
    let mock = MockServer::start(SPEC).unwrap();
    let response = reqwest::get(format!("{}/pets?limit=0&tags=dog&tags=bird", mock.url())).await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "about:blank");
    assert_eq!(body["title"], "Bad Request");
    assert_eq!(body["status"], 400);
    assert_eq!(
        body["errors"],
        json!([
            {"in": "query", "name": "limit", "detail": "the value is less than the minimum of 1"},
            {"in": "query", "name": "tags", "pointer": "#/1", "detail": "the value is not one of \"dog\" or \"cat\""}
        ])
    );
}
