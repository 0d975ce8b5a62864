//! The mock and the generator agree, because the mock reads what the generator decides:
//! every method the model has is routed, every media type `authgen_codegen::media`
//! streams is served framed as the generated client splits it, and a token lifetime
//! under any name of the runtime's convention (`token_validity_sec` too) lets an issued
//! token expire; parameters are read in the style the model states, a body is taken in
//! every media type it lists, and every answer it lists is served. Each case is built
//! from the generator's own lists or model, so what grows on one side grows the test
//! with it.

use std::path::PathBuf;

use authgen_codegen::media::STREAM_MEDIA;
use authgen_codegen::model::{Framing, Method, Operation, Param, ParamLocation, ParamStyle};
use authgen_mock::MockServer;
use authgen_runtime::token::TokenFields;

#[path = "support/written.rs"]
mod written;

/// Every method a path item can hold, as the model names them.
const METHODS: [Method; 8] = [
    Method::Get,
    Method::Put,
    Method::Post,
    Method::Delete,
    Method::Options,
    Method::Head,
    Method::Patch,
    Method::Trace,
];

fn spec_file(name: &str, spec: &str) -> PathBuf {
    written::written("model", name, spec)
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: Agree, version: '1'}\npaths:\n";

#[tokio::test]
async fn every_method_of_the_model_is_routed() {
    let mut spec = format!("{HEAD}  /thing:\n");
    for method in METHODS {
        let key = method.as_str().to_ascii_lowercase();
        spec += &format!(
            "    {key}:\n      operationId: {key}Thing\n      responses: {{'204': {{description: done}}}}\n"
        );
    }
    let mock = MockServer::start(spec_file("methods", &spec)).unwrap();
    let client = reqwest::Client::new();
    for method in METHODS {
        let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let answer = client.request(method.clone(), format!("{}/thing", mock.url())).send().await.unwrap();
        assert_eq!(answer.status(), 204, "{method}");
    }
    let names: Vec<String> =
        METHODS.iter().map(|m| format!("{}_thing", m.as_str().to_ascii_lowercase())).collect();
    for name in &names {
        mock.answer(name, authgen_mock::Answer::status(202));
    }
    let answer = client.patch(format!("{}/thing", mock.url())).send().await.unwrap();
    assert_eq!(answer.status(), 202, "overridden by the generated method's name");
}

#[tokio::test]
async fn every_stream_media_type_is_framed_as_the_client_splits_it() {
    let mut spec = HEAD.to_string();
    for (index, (media, _)) in STREAM_MEDIA.iter().enumerate() {
        spec += &format!(
            "  /stream{index}:\n    get:\n      responses:\n        '200':\n          description: items\n          content:\n            {media}:\n              schema: {{type: object, properties: {{n: {{type: integer}}}}}}\n              example: [{{n: 1}}, {{n: 2}}]\n"
        );
    }
    let mock = MockServer::start(spec_file("streams", &spec)).unwrap();
    for (index, (media, framing)) in STREAM_MEDIA.iter().enumerate() {
        let answer = reqwest::get(format!("{}/stream{index}", mock.url())).await.unwrap();
        assert_eq!(answer.headers()["content-type"], *media);
        let body = answer.text().await.unwrap();
        let expected = match framing {
            Framing::Events => "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n",
            Framing::Lines => "{\"n\":1}\n{\"n\":2}\n",
            Framing::Sequence => "\u{1e}{\"n\":1}\n\u{1e}{\"n\":2}\n",
        };
        assert_eq!(body, expected, "{media} ({framing:?})");
    }
}

#[tokio::test]
async fn a_token_lives_as_long_as_any_lifetime_field_of_the_runtime_says() {
    for field in TokenFields::CONVENTION.expires_in {
        let spec = format!(
            "{HEAD}  /token:\n    post:\n      operationId: getToken\n      responses:\n        '200':\n          description: a token\n          content:\n            application/json:\n              schema:\n                type: object\n                required: [access_token, {field}]\n                properties: {{access_token: {{type: string}}, {field}: {{type: integer, example: 0}}}}\n  /me:\n    get:\n      security: [{{bearer: []}}]\n      responses: {{'204': {{description: me}}}}\ncomponents:\n  securitySchemes:\n    bearer: {{type: http, scheme: bearer}}\n"
        );
        let mock = MockServer::start(spec_file(field, &spec)).unwrap();
        let issued: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/token", mock.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = issued["access_token"].as_str().unwrap();
        assert!(token.starts_with("mock-token-"), "{field}: {issued}");
        let me =
            reqwest::Client::new().get(format!("{}/me", mock.url())).bearer_auth(token).send().await.unwrap();
        assert_eq!(me.status(), 401, "{field}: a token that lives 0 seconds has expired");
    }
}

/// Parameters of every style the model knows, one `$ref`d and one on the path item,
/// and a query parameter of one allowed value, which the client sends without asking.
const STYLES: &str = "openapi: 3.0.3
info: {title: Styles, version: '1'}
paths:
  /pets/{ids}:
    parameters:
      - {name: ids, in: path, required: true, style: label, schema: {type: array, items: {type: integer}}}
    post:
      operationId: findPets
      parameters:
        - $ref: '#/components/parameters/Filter'
        - {name: sizes, in: query, style: pipeDelimited, schema: {type: array, items: {type: integer}}}
        - {name: colors, in: query, style: spaceDelimited, schema: {type: array, items: {type: string, enum: [red, blue]}}}
        - {name: tags, in: query, schema: {type: array, items: {type: integer}}}
        - {name: limits, in: query, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: ranks, in: query, explode: false, x-authgen-delimiter: \"\\t\", schema: {type: array, items: {type: integer}}}
        - {name: X-Depth, in: header, schema: {type: array, items: {type: integer}}}
        - {name: version, in: query, required: true, schema: {type: string, enum: [v2]}}
      responses: {'204': {description: found}}
components:
  parameters:
    Filter: {name: filter, in: query, style: deepObject, schema: {type: object, properties: {age: {type: integer}}}}
";

/// A value's text in a request.
fn text(value: &serde_json::Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// `value` of query parameter `param`, written as the model says the client writes it.
fn query_pairs(param: &Param, value: &serde_json::Value) -> Vec<(String, String)> {
    use serde_json::Value;
    let wire = param.wire.clone();
    match (param.style, value) {
        (ParamStyle::DeepObject, Value::Object(map)) => {
            map.iter().map(|(key, v)| (format!("{wire}[{key}]"), text(v))).collect()
        }
        (_, Value::Array(items)) if param.explode => items.iter().map(|i| (wire.clone(), text(i))).collect(),
        (_, Value::Array(items)) => {
            let separator = param.delimiter.as_deref().unwrap_or(",");
            vec![(wire, items.iter().map(text).collect::<Vec<_>>().join(separator))]
        }
        (_, other) => vec![(wire, text(other))],
    }
}

/// `value` of a path or header parameter, written as the model says.
fn single_text(param: &Param, value: &serde_json::Value) -> String {
    let items: Vec<String> = match value {
        serde_json::Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    };
    match param.style {
        ParamStyle::Label => format!(".{}", items.join(if param.explode { "." } else { "," })),
        _ => items.join(","),
    }
}

/// Sends `values` (by wire name) to the operation, each written as the model says.
async fn send(mock: &MockServer, op: &Operation, values: &serde_json::Value) -> (u16, String) {
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = op.fixed_query.clone();
    let mut request = reqwest::Client::new().post("http://unused");
    for param in &op.params {
        let Some(value) = values.get(&param.wire) else { continue };
        match param.location {
            ParamLocation::Path => {
                path = path.replace(&format!("{{{}}}", param.wire), &single_text(param, value))
            }
            ParamLocation::Query => query.extend(query_pairs(param, value)),
            _ => request = request.header(&param.wire, single_text(param, value)),
        }
    }
    if let Some(fixed) = values.get("version") {
        query.retain(|(name, _)| name != "version");
        query.extend(fixed.as_str().map(|v| ("version".to_string(), v.to_string())));
    }
    let mut request = request.build().unwrap();
    *request.url_mut() = reqwest::Url::parse_with_params(&format!("{}{path}", mock.url()), &query).unwrap();
    let answer = reqwest::Client::new().execute(request).await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn parameters_are_read_in_the_style_the_model_states() {
    let file = spec_file("styles", STYLES);
    let options = authgen_codegen::Options { skip_unsupported: true, ..Default::default() };
    let read = authgen_codegen::read_with(&file, &options).unwrap();
    let op = read.api.operations.iter().find(|op| op.name == "find_pets").unwrap();
    let param = |wire: &str| op.params.iter().find(|p| p.wire == wire).unwrap();
    let stated: Vec<(&str, ParamStyle, bool)> =
        op.params.iter().map(|p| (p.wire.as_str(), p.style, p.explode)).collect();
    assert_eq!(
        stated,
        [
            ("ids", ParamStyle::Label, false),
            ("filter", ParamStyle::DeepObject, false),
            ("sizes", ParamStyle::PipeDelimited, false),
            ("colors", ParamStyle::SpaceDelimited, false),
            ("tags", ParamStyle::Form, true),
            ("limits", ParamStyle::Form, false),
            ("ranks", ParamStyle::Form, false),
            ("X-Depth", ParamStyle::Simple, false),
        ],
        "the document's styles, OpenAPI's defaults applied"
    );
    assert_eq!(param("filter").pointer.as_deref(), Some("#/components/parameters/Filter"));
    assert_eq!(param("filter").schema.as_deref(), Some("#/components/parameters/Filter/schema"));
    assert_eq!(param("ids").pointer.as_deref(), Some("#/paths/~1pets~1{ids}/parameters/0"));
    assert_eq!(op.fixed_query, [("version".to_string(), "v2".to_string())]);
    let delimiters: Vec<Option<&str>> = ["sizes", "colors", "limits", "ranks"]
        .into_iter()
        .map(|wire| param(wire).delimiter.as_deref())
        .collect();
    assert_eq!(delimiters, [Some("|"), Some(" "), Some(","), Some("\t")], "what the client joins lists with");

    let mock = MockServer::start(&file).unwrap();
    let good = serde_json::json!({
        "ids": [1, 2], "filter": {"age": 3}, "sizes": [4, 5], "colors": ["red", "blue"],
        "tags": [6, 7], "limits": [8, 9], "ranks": [12, 13], "X-Depth": [10, 11]
    });
    assert_eq!(send(&mock, op, &good).await, (204, String::new()), "every value as the model writes it");
    let bad = [
        ("ids", serde_json::json!([1, "x"])),
        ("filter", serde_json::json!({"age": "old"})),
        ("sizes", serde_json::json!([4, "big"])),
        ("colors", serde_json::json!(["red", "green"])),
        ("tags", serde_json::json!([6, "x"])),
        ("limits", serde_json::json!([8, "x"])),
        ("ranks", serde_json::json!([12, "x"])),
        ("X-Depth", serde_json::json!([10, "deep"])),
        ("version", serde_json::json!("v3")),
    ];
    for (wire, value) in bad {
        let mut values = good.clone();
        values[wire] = value;
        let (status, problem) = send(&mock, op, &values).await;
        assert_eq!(status, 400, "{wire}: {problem}");
        assert!(problem.contains(&format!("\"name\":\"{wire}\"")), "{wire}: {problem}");
    }
}

#[tokio::test]
async fn a_body_is_taken_in_every_media_type_the_model_lists() {
    let spec = format!(
        "{HEAD}  /orders:\n    post:\n      operationId: order\n      requestBody: {{$ref: '#/components/requestBodies/Order'}}\n      responses: {{'204': {{description: ordered}}}}\ncomponents:\n  requestBodies:\n    Order:\n      required: true\n      content:\n        application/json; charset=utf-8:\n          schema: {{$ref: '#/components/schemas/Order'}}\n        application/x-www-form-urlencoded:\n          schema: {{$ref: '#/components/schemas/Order'}}\n  schemas:\n    Order: {{type: object, required: [qty], properties: {{qty: {{type: integer}}}}}}\n"
    );
    let file = spec_file("bodies", &spec);
    let options = authgen_codegen::Options { skip_unsupported: true, ..Default::default() };
    let read = authgen_codegen::read_with(&file, &options).unwrap();
    let body = read.api.operations[0].body.as_ref().unwrap();
    let listed: Vec<(&str, Option<&str>)> =
        body.content.iter().map(|m| (m.essence.as_str(), m.schema.as_deref())).collect();
    assert_eq!(
        listed,
        [
            (
                "application/json",
                Some("#/components/requestBodies/Order/content/application~1json; charset=utf-8/schema")
            ),
            (
                "application/x-www-form-urlencoded",
                Some("#/components/requestBodies/Order/content/application~1x-www-form-urlencoded/schema")
            ),
        ]
    );

    let mock = MockServer::start(&file).unwrap();
    let post = |media: &str, body: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/orders", mock.url()))
            .header("content-type", media)
            .body(body)
            .send()
    };
    for (media, good, bad) in [
        ("application/json", r#"{"qty": 2}"#, r#"{"qty": "two"}"#),
        ("application/x-www-form-urlencoded", "qty=2", "qty=two"),
    ] {
        assert!(body.content.iter().any(|m| m.essence == media));
        assert_eq!(post(media, good).await.unwrap().status(), 204, "{media}");
        let refused = post(media, bad).await.unwrap();
        assert_eq!(refused.status(), 422, "{media}");
        assert!(refused.text().await.unwrap().contains("#/qty"), "{media}: the failure points into the body");
    }
    let unlisted = post("text/plain", "qty").await.unwrap();
    assert_eq!(unlisted.status(), 415);
    let problem = unlisted.text().await.unwrap();
    assert!(problem.contains("application/json, application/x-www-form-urlencoded"), "{problem}");
}

#[tokio::test]
async fn every_answer_the_model_serves_is_served_with_its_examples_and_headers() {
    let spec = format!(
        "{HEAD}  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200': {{$ref: '#/components/responses/Pets'}}\n        '404':\n          description: none\n          content:\n            application/problem+json:\n              schema: {{type: object, properties: {{title: {{type: string}}}}}}\n              examples:\n                missing: {{value: {{title: missing}}}}\ncomponents:\n  responses:\n    Pets:\n      description: pets\n      headers:\n        X-Rate: {{schema: {{type: integer}}, example: 7}}\n        X-Trace: {{schema: {{type: string, enum: [abc]}}}}\n      content:\n        application/json:\n          schema: {{type: array, items: {{type: string}}}}\n          example: [rex]\n        text/csv:\n          schema: {{type: string}}\n          example: \"name\\nrex\\n\"\n"
    );
    let file = spec_file("answers", &spec);
    let options = authgen_codegen::Options { skip_unsupported: true, ..Default::default() };
    let read = authgen_codegen::read_with(&file, &options).unwrap();
    let op = &read.api.operations[0];
    let ok = &op.success[0].served;
    assert_eq!(ok.pointer, "#/components/responses/Pets");
    let headers: Vec<&str> = ok.headers.iter().map(|h| h.wire.as_str()).collect();
    assert_eq!(headers, ["X-Rate", "X-Trace"]);

    let mock = MockServer::start(&file).unwrap();
    for (code, response) in [("200", &op.success[0]), ("404", &op.errors[0])] {
        assert!(!response.served.content.is_empty(), "{code}");
        for media in &response.served.content {
            let answer = reqwest::Client::new()
                .get(format!("{}/pets", mock.url()))
                .header("accept", &media.media)
                .header("prefer", format!("code={code}"))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status().as_str(), code);
            assert_eq!(answer.headers()["content-type"], media.media.as_str());
            for header in &response.served.headers {
                let expected = header.example.as_ref().map_or("abc".to_string(), |e| e.to_string());
                assert_eq!(answer.headers()[header.wire.as_str()], expected.as_str(), "{}", header.wire);
            }
            let example = media.example.clone().or_else(|| media.examples.first().map(|(_, v)| v.clone()));
            let body = answer.text().await.unwrap();
            let expected = match example.unwrap() {
                serde_json::Value::String(text) if !media.media.contains("json") => text,
                other => other.to_string(),
            };
            assert_eq!(body, expected, "{code} {}", media.media);
        }
    }
}
