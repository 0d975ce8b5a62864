//! How the mock answers a request that keeps to the spec, over real HTTP against
//! `tests/fixtures/rules.yaml`: which status, which body (example, examples, built from
//! the schema), which headers, what `Prefer` changes, tokens, streams.

use authgen_mock::MockServer;
use serde_json::{Value, json};

#[path = "support/written.rs"]
mod written;

const SPEC: &str = "tests/fixtures/rules.yaml";

async fn get(mock: &MockServer, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}{path}", mock.url()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_first_documented_success_with_the_media_types_example_verbatim() {
    let mock = MockServer::start(SPEC).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/pets", mock.url()))
        .header("content-type", "application/json")
        .body(r#"{"name": "Rex", "kind": "dog"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the spec's own 422 comes first, 201 is the first success");
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    assert_eq!(response.text().await.unwrap(), r#"{"id":7,"name":"Rex","kind":"dog"}"#);
}

#[tokio::test]
async fn else_the_first_of_its_examples_and_any_by_name() {
    let mock = MockServer::start(SPEC).unwrap();
    let first: Value = get(&mock, "/pets/mine", &[]).await.json().await.unwrap();
    assert_eq!(first, json!([{"id": 1, "name": "First", "kind": "cat"}]));
    let response = get(&mock, "/pets/mine", &[("prefer", "example=second")]).await;
    assert_eq!(header(&response, "preference-applied"), Some("example=second"));
    let second: Value = response.json().await.unwrap();
    assert_eq!(
        second,
        json!([{"id": 2, "name": "Second", "kind": "dog"}]),
        "a `$ref` to components/examples"
    );
}

#[tokio::test]
async fn else_built_from_the_schema_keeping_to_it_the_same_each_time() {
    let mock = MockServer::start(SPEC).unwrap();
    let first = get(&mock, "/generated", &[]).await.text().await.unwrap();
    let body: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        body,
        json!({
            "count": 7,
            "code": "AA-000",
            "state": "open",
            "contact": "user@example.com",
            "site": "https://example.com/",
            "when": "2024-01-10",
            "tags": ["string", "string"],
            "note": "a note",
            "nested": {"level": 1}
        }),
        "the default, the pattern, the first enum value, formats, minItems, a nullable's example; \
         no writeOnly password; the nested example 0 breaks `minimum: 1` and is not used"
    );
    assert_eq!(get(&mock, "/generated", &[]).await.text().await.unwrap(), first);
}

#[tokio::test]
async fn the_documented_content_type_and_headers_without_write_only_fields() {
    let mock = MockServer::start(SPEC).unwrap();
    let response = get(&mock, "/pets?limit=1", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), Some("application/vnd.pets+json"));
    assert_eq!(header(&response, "x-rate-limit"), Some("60"));
    let pets: Value = response.json().await.unwrap();
    assert_eq!(pets, json!([{"id": 1, "name": "string", "kind": "dog", "nickname": "string"}]));
}

#[tokio::test]
async fn prefer_code_picks_a_documented_status() {
    let mock = MockServer::start(SPEC).unwrap();
    let response = get(&mock, "/pets/3", &[("prefer", "code=404")]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(header(&response, "preference-applied"), Some("code=404"));
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"message": "no such pet"}));
    let undocumented = get(&mock, "/pets/3", &[("prefer", "code=418")]).await;
    assert_eq!(undocumented.status(), 200, "a status the operation does not document is not preferred");
    assert_eq!(header(&undocumented, "preference-applied"), None);
}

#[tokio::test]
async fn prefer_dynamic_builds_another_body_that_keeps_to_the_schema() {
    let mock = MockServer::start(SPEC).unwrap();
    let fixed: Value = get(&mock, "/generated", &[]).await.json().await.unwrap();
    let mut bodies = Vec::new();
    for page in 0..8 {
        let path = format!("/generated?page={page}");
        let response = get(&mock, &path, &[("prefer", "dynamic=true")]).await;
        assert_eq!(header(&response, "preference-applied"), Some("dynamic=true"));
        let body: Value = response.json().await.unwrap();
        let again: Value = get(&mock, &path, &[("prefer", "dynamic=true")]).await.json().await.unwrap();
        assert_eq!(body, again, "the same request, the same body");
        assert!((5..=9).contains(&body["count"].as_i64().unwrap()), "{body}");
        assert!(["open", "closed"].contains(&body["state"].as_str().unwrap()), "{body}");
        assert!(body["tags"].as_array().unwrap().len() >= 2, "{body}");
        assert!(body["nested"]["level"].as_i64().unwrap() >= 1, "{body}");
        bodies.push(body);
    }
    assert!(bodies.iter().any(|b| *b != fixed), "made up, not the examples");
    assert!(bodies.windows(2).any(|w| w[0] != w[1]), "varied with the request");
}

#[tokio::test]
async fn a_token_operation_issues_tokens_the_mock_accepts_for_their_lifetime() {
    let mock = MockServer::start(SPEC).unwrap();
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{}/oauth/token", mock.url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((&token["token_type"], &token["expires_in"]), (&json!("Bearer"), &json!(3600)));
    let access = token["access_token"].as_str().unwrap();
    assert!(access.starts_with("mock-token-"), "{access}");
    let me = get(&mock, "/me", &[("authorization", &format!("Bearer {access}"))]).await;
    assert_eq!(me.status(), 200);

    let short: Value =
        client.post(format!("{}/oauth/short-token", mock.url())).send().await.unwrap().json().await.unwrap();
    let expired = short["jwt"].as_str().unwrap();
    assert_ne!(expired, access);
    let refused = get(&mock, "/me", &[("authorization", &format!("Bearer {expired}"))]).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        header(&refused, "www-authenticate"),
        Some(
            "Bearer realm=\"authgen-mock\", error=\"invalid_token\", error_description=\"the token has expired\""
        )
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["detail"], "security scheme `oauth`: the bearer token the mock issued has expired");
}

#[tokio::test]
async fn streams_answer_their_example_items_one_by_one() {
    let mock = MockServer::start(SPEC).unwrap();
    let mut events = get(&mock, "/events", &[]).await;
    assert_eq!(header(&events, "content-type"), Some("text/event-stream"));
    let mut chunks = Vec::new();
    while let Some(chunk) = events.chunk().await.unwrap() {
        chunks.push(String::from_utf8(chunk.to_vec()).unwrap());
    }
    assert_eq!(chunks, ["event: greeting\ndata: hello\n\n", "event: greeting\ndata: again\n\n"]);
    let lines = get(&mock, "/lines", &[]).await;
    assert_eq!(header(&lines, "content-type"), Some("application/x-ndjson"));
    assert_eq!(
        lines.text().await.unwrap(),
        "{\"id\":1,\"name\":\"One\",\"kind\":\"cat\"}\n{\"id\":2,\"name\":\"Two\",\"kind\":\"dog\"}\n"
    );
}

#[tokio::test]
async fn an_openapi_3_1_document_is_read_as_the_generator_reads_it() {
    let dir = std::env::temp_dir().join(format!("authgen-mock-31-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("notes.yaml");
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /notes:\n    post:\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [text]\n              properties:\n                text: {type: [string, 'null']}\n                level: {const: 3}\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema: {type: object, properties: {level: {const: 3}}}\n";
    std::fs::write(&spec, text).unwrap();
    let mock = MockServer::start(&spec).unwrap();
    let send = |body: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/notes", mock.url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let ok = send(r#"{"text": null, "level": 3}"#).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap(), json!({"level": 3}));
    let refused: Value = send(r#"{"text": 5, "level": 4}"#).await.unwrap().json().await.unwrap();
    assert_eq!(
        refused["detail"],
        "body at #/text: the value is not of types \"null\", \"string\"; body at #/level: the value is not one of 3"
    );
    drop(mock);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The mock serving `spec`, written to a file of its own, its built answers checked.
fn serving(name: &str, spec: &str) -> MockServer {
    MockServer::builder(written::written("answers", name, spec)).check_answers(true).start().unwrap()
}

#[tokio::test]
async fn documented_examples_are_served_as_written_and_built_ones_keep_to_their_types() {
    let mock = serving(
        "vendor",
        r#"openapi: 3.0.3
info: {title: Vendor, version: '1'}
paths:
  /call:
    get:
      responses:
        '200':
          description: a call, its `uri` relative as Twilio writes it
          content:
            application/json:
              schema:
                type: object
                properties: {sid: {type: string}, uri: {type: string, format: uri}}
              example: {sid: CA1, uri: /2010-04-01/Accounts/AC1/Calls/CA1.json}
  /alert:
    get:
      responses:
        '200':
          description: an alert, its example the JSON text in a string
          content:
            application/json:
              schema: {type: object, properties: {level: {type: integer}}}
              example: '{"level": 3}'
  /finding:
    get:
      responses:
        '200':
          description: a finding whose property example has the wrong type
          content:
            application/json:
              schema:
                type: object
                required: [severity]
                properties: {severity: {type: string, example: 10}}
"#,
    );
    let call = get(&mock, "/call", &[]).await.text().await.unwrap();
    assert_eq!(call, r#"{"sid":"CA1","uri":"/2010-04-01/Accounts/AC1/Calls/CA1.json"}"#);
    assert_eq!(get(&mock, "/alert", &[]).await.text().await.unwrap(), r#"{"level": 3}"#);
    let finding: Value = get(&mock, "/finding", &[]).await.json().await.unwrap();
    assert!(finding["severity"].is_string(), "{finding}");
    assert_eq!(mock.served(), authgen_mock::Served { documented: 2, built: 1 });
    assert!(mock.warnings().is_empty(), "{:?}", mock.warnings());
}
