//! Every rule the mock holds requests to, over real HTTP against
//! `tests/fixtures/rules.yaml`: each case of `tests/fixtures/rules.cases.yaml` names its
//! rule, sends one request, and states the status and the problem text (`detail`) it
//! must get.

#[path = "support/cases.rs"]
mod cases;

use authgen_mock::MockServer;
use cases::Case;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/rules.yaml";

fn cases() -> Vec<Case> {
    cases::read("tests/fixtures/rules.cases.yaml".as_ref())
}

/// What is wrong with the answer to `case`, if anything.
async fn check(client: &reqwest::Client, base: &str, case: &Case) -> Vec<String> {
    let response = case.request(client, base).send().await.unwrap();
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
