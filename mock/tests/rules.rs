//! Every rule the mock holds requests to, and every way it answers, over real HTTP
//! against `tests/fixtures/rules.yaml`: each case names its rule, sends one request,
//! and states the status and the problem text (`detail`) it must get.

use authgen_mock::MockServer;
use serde_json::{Value, json};

const SPEC: &str = "tests/fixtures/rules.yaml";

/// One request and what it must be answered.
struct Case {
    rule: &'static str,
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: Option<(&'static str, &'static str)>,
    status: u16,
    /// The problem's `detail`; empty for an answer from the spec.
    detail: &'static str,
    /// A header the answer must carry, and its value.
    header: Option<(&'static str, &'static str)>,
}

const fn case(
    rule: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    detail: &'static str,
) -> Case {
    Case { rule, method, path, headers: &[], body: None, status, detail, header: None }
}

const KEY: &[(&str, &str)] = &[("x-api-key", "k")];

const PARAMETERS: &[Case] = &[
    case("a required query parameter", "GET", "/pets", 400, "query parameter `limit`: required but not sent"),
    case(
        "a query parameter's type",
        "GET",
        "/pets?limit=ten",
        400,
        "query parameter `limit`: the value is not of type \"integer\"",
    ),
    case(
        "minimum",
        "GET",
        "/pets?limit=0",
        400,
        "query parameter `limit`: the value is less than the minimum of 1",
    ),
    case(
        "maximum",
        "GET",
        "/pets?limit=101",
        400,
        "query parameter `limit`: the value is greater than the maximum of 100",
    ),
    case(
        "enum, an optional parameter checked when sent",
        "GET",
        "/pets?limit=1&status=lost",
        400,
        "query parameter `status`: the value is not one of \"available\" or \"sold\"",
    ),
    case(
        "pattern",
        "GET",
        "/pets?limit=1&code=abc",
        400,
        "query parameter `code`: the value does not match \"^[A-Z]{3}$\"",
    ),
    case(
        "form style, exploded: one value per item",
        "GET",
        "/pets?limit=1&tags=dog&tags=bird",
        400,
        "query parameter `tags` at #/1: the value is not one of \"dog\" or \"cat\"",
    ),
    case(
        "form style, not exploded: items split at commas",
        "GET",
        "/pets?limit=1&ids=1,2,x",
        400,
        "query parameter `ids` at #/2: the value is not of type \"integer\"",
    ),
    case(
        "pipeDelimited style",
        "GET",
        "/pets?limit=1&sizes=1|big",
        400,
        "query parameter `sizes` at #/1: the value is not of type \"integer\"",
    ),
    case(
        "deepObject style",
        "GET",
        "/pets?limit=1&filter[min]=1&filter[max]=many",
        400,
        "query parameter `filter` at #/max: the value is not of type \"integer\"",
    ),
    case(
        "label style, exploded (path)",
        "GET",
        "/labels/.red.green",
        400,
        "path parameter `colors` at #/1: the value is not one of \"red\" or \"blue\"",
    ),
    case(
        "matrix style, exploded (path)",
        "GET",
        "/matrix/;x=1;y=up",
        400,
        "path parameter `point` at #/y: the value is not of type \"integer\"",
    ),
    case(
        "a bad path parameter is a 400, not a 404",
        "GET",
        "/pets/abc",
        400,
        "path parameter `id`: the value is not of type \"integer\"",
    ),
    case(
        "every failure at once",
        "GET",
        "/pets?limit=500&status=lost",
        400,
        "query parameter `limit`: the value is greater than the maximum of 100; query parameter `status`: the value is not one of \"available\" or \"sold\"",
    ),
    case(
        "a parameter that keeps to the spec",
        "GET",
        "/pets?limit=1&tags=dog&tags=cat&ids=1,2&sizes=1|2&filter[min]=3",
        200,
        "",
    ),
    case("label and matrix styles that keep to the spec", "GET", "/labels/.red.blue", 200, ""),
];

const HEADERS_AND_COOKIES: &[Case] = &[
    Case {
        headers: &[("x-request-id", "abc")],
        ..case(
            "minLength (header, name spelt as in the spec)",
            "GET",
            "/pets?limit=1",
            400,
            "header parameter `X-Request-Id`: the value is shorter than 4 characters",
        )
    },
    Case {
        headers: &[("x-request-id", "abcdefghij")],
        ..case(
            "maxLength (header)",
            "GET",
            "/pets?limit=1",
            400,
            "header parameter `X-Request-Id`: the value is longer than 8 characters",
        )
    },
    Case {
        headers: &[("x-ratios", "0.5,half")],
        ..case(
            "simple style (header): items split at commas",
            "GET",
            "/pets?limit=1",
            400,
            "header parameter `X-Ratios` at #/1: the value is not of type \"number\"",
        )
    },
    Case {
        headers: &[("cookie", "theme=dark; session=abcdefgh")],
        ..case(
            "a cookie parameter",
            "GET",
            "/pets?limit=1",
            400,
            "cookie parameter `session`: the value is longer than 6 characters",
        )
    },
];

const BODIES: &[Case] = &[
    Case {
        body: Some(("application/json", r#"{"name": "", "kind": "cow"}"#)),
        ..case(
            "a JSON body read whatever +json type the spec lists first",
            "POST",
            "/pets",
            422,
            "body at #/name: the value is shorter than 1 character; body at #/kind: the value is not one of \"dog\" or \"cat\"",
        )
    },
    Case {
        body: Some(("application/merge-patch+json", r#"{"kind": "dog"}"#)),
        ..case(
            "a required property; readOnly ones are not required of requests",
            "POST",
            "/pets",
            422,
            "body: \"name\" is a required property",
        )
    },
    Case {
        body: Some(("application/json", r#"{"name": "Rex", "kind": "dog", "nickname": null}"#)),
        ..case("nullable, readOnly", "POST", "/pets", 201, "")
    },
    case("a required body not sent", "POST", "/pets", 422, "body: required but not sent"),
    Case {
        body: Some(("application/json", "{\"name\": ")),
        ..case(
            "a body that is not JSON",
            "POST",
            "/pets",
            400,
            "body: not JSON: EOF while parsing a value at line 1 column 9",
        )
    },
    Case {
        body: Some(("text/plain", "Rex")),
        ..case(
            "a media type the operation does not take",
            "POST",
            "/pets",
            415,
            "body: the media type `text/plain` is not one the operation takes (application/merge-patch+json)",
        )
    },
    Case {
        body: Some((
            "application/x-www-form-urlencoded",
            "item=ball&quantity=0&gift=maybe&lines[0][sku]=a&lines[0][qty]=x",
        )),
        ..case(
            "a form body",
            "POST",
            "/orders",
            422,
            "body at #/quantity: the value is less than the minimum of 1; body at #/gift: the value is not of type \"boolean\"; body at #/lines/0/qty: the value is not of type \"integer\"",
        )
    },
    Case {
        body: Some((
            "application/x-www-form-urlencoded",
            "item=ball&quantity=2&gift=true&lines[0][sku]=a&lines[0][qty]=1",
        )),
        ..case("a form body that keeps to the spec", "POST", "/orders", 201, "")
    },
];

const CREDENTIALS: &[Case] = &[
    Case {
        header: Some((
            "www-authenticate",
            "ApiKey realm=\"authgen-mock\", name=\"X-Api-Key\", in=\"header\"",
        )),
        ..case(
            "an API key in a header (the document's security), even where the spec documents a 401",
            "DELETE",
            "/pets/abc",
            401,
            "security scheme `apiKeyHeader`: the API key header `X-Api-Key` was not sent",
        )
    },
    Case {
        headers: KEY,
        ..case(
            "with the key, the parameters are checked",
            "DELETE",
            "/pets/ab",
            400,
            "path parameter `petId`: the value is shorter than 3 characters",
        )
    },
    Case {
        header: Some(("www-authenticate", "ApiKey realm=\"authgen-mock\", name=\"api_key\", in=\"query\"")),
        ..case(
            "an API key in the query (the operation's security over the document's)",
            "GET",
            "/secure/query?page=1",
            401,
            "security scheme `apiKeyQuery`: the API key query parameter `api_key` was not sent",
        )
    },
    case("a query API key is no unknown parameter", "GET", "/secure/query?api_key=k&page=1", 200, ""),
    case(
        "an API key in a cookie",
        "GET",
        "/secure/cookie",
        401,
        "security scheme `apiKeyCookie`: the API key cookie `sid` was not sent",
    ),
    Case {
        headers: &[("cookie", "sid=k")],
        ..case("an API key in a cookie, sent", "GET", "/secure/cookie", 200, "")
    },
    Case {
        header: Some(("www-authenticate", "Basic realm=\"authgen-mock\"")),
        headers: &[("authorization", "Bearer t")],
        ..case(
            "Basic",
            "GET",
            "/secure/basic",
            401,
            "security scheme `basic`: an `Authorization: Basic …` header was not sent",
        )
    },
    Case {
        headers: &[("authorization", "Basic dTpw")],
        ..case("Basic, sent", "GET", "/secure/basic", 200, "")
    },
    case(
        "any one alternative is enough: each is named when none is there",
        "GET",
        "/secure/either",
        401,
        "security scheme `basic`: an `Authorization: Basic …` header was not sent; security scheme `bearer`: an `Authorization: Bearer …` header was not sent",
    ),
    Case {
        headers: &[("authorization", "Bearer t")],
        ..case("any one alternative is enough", "GET", "/secure/either", 200, "")
    },
    Case {
        headers: &[("authorization", "Basic dTpw")],
        ..case(
            "every scheme of an alternative is needed",
            "GET",
            "/secure/both",
            401,
            "security scheme `apiKeyHeader`: the API key header `X-Api-Key` was not sent",
        )
    },
    case("an empty alternative makes credentials optional", "GET", "/secure/optional", 200, ""),
    Case {
        header: Some(("www-authenticate", "Bearer realm=\"authgen-mock\"")),
        ..case(
            "an OAuth scheme asks for a bearer token",
            "GET",
            "/me",
            401,
            "security scheme `oauth`: an `Authorization: Bearer …` header was not sent",
        )
    },
];

const ROUTING: &[Case] = &[
    case("an unknown path", "GET", "/cats", 404, "no path of tests/fixtures/rules.yaml matches `/cats`"),
    Case {
        header: Some(("allow", "GET, DELETE")),
        ..case(
            "a known path with another method",
            "PUT",
            "/pets/1",
            405,
            "`PUT` is not an operation of `/pets/1`; it takes GET, DELETE",
        )
    },
    case("a literal segment before a parameter", "GET", "/pets/mine", 200, ""),
    Case {
        headers: KEY,
        ..case("the method decides between templates of one shape", "DELETE", "/pets/abc", 204, "")
    },
];

#[tokio::test]
async fn every_rule_answers_its_status_and_problem() {
    let mock = MockServer::start(SPEC).unwrap();
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for case in [PARAMETERS, HEADERS_AND_COOKIES, BODIES, CREDENTIALS, ROUTING].into_iter().flatten() {
        let url = format!("{}{}", mock.url(), case.path);
        let mut request = client.request(case.method.parse().unwrap(), url);
        for (name, value) in case.headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, body)) = case.body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let header = case.header.map(|(name, _)| {
            let values: Vec<&str> =
                response.headers().get_all(name).iter().map(|v| v.to_str().unwrap()).collect();
            values.join(" | ")
        });
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null);
        let detail = body["detail"].as_str().unwrap_or_default();
        let mut wrong = Vec::new();
        if status != case.status {
            wrong.push(format!("status {status}, not {}", case.status));
        }
        if !case.detail.is_empty()
            && (detail != case.detail || content_type.as_deref() != Some("application/problem+json"))
        {
            wrong.push(format!("{content_type:?} detail {detail:?}"));
        }
        if let (Some(got), Some((name, want))) = (&header, case.header)
            && got != want
        {
            wrong.push(format!("{name}: {got:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!("{} ({} {}): {}", case.rule, case.method, case.path, wrong.join(", ")));
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
