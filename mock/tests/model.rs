//! The mock and the generator agree, because the mock reads what the generator decides:
//! every method the model has is routed, every media type `authgen_codegen::media`
//! streams is served framed as the generated client splits it, and a token lifetime
//! under any name of the runtime's convention (`token_validity_sec` too) lets an issued
//! token expire. Each case is built from the generator's own lists, so a list that
//! grows on one side grows the test with it.

use std::path::PathBuf;

use authgen_codegen::media::STREAM_MEDIA;
use authgen_codegen::model::{Framing, Method};
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
