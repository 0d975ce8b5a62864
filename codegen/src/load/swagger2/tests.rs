//! Each 2.0 construct read as the 3.0 it means: a snippet in, the 3.0 JSON out.

use std::path::Path;

use serde_json::{Value, json};

use super::convert;
use crate::diagnostics::{Pointer, Problem, Problems};
use crate::load::origins::Origins;

fn read(mut document: Value) -> (Value, Origins) {
    document["swagger"] = json!("2.0");
    let mut problems = Problems::new(Path::new("x.yaml"));
    let mut origins = Origins::default();
    convert(&mut document, &mut problems, &mut origins);
    assert!(problems.is_empty(), "{:?}", problems.take_from(0, |_| None));
    (document, origins)
}

fn converted(document: Value) -> Value {
    read(document).0
}

/// The operation `post /x` of a document with these parameters (and `extra` keys).
fn post(parameters: Value, extra: Value) -> Value {
    let mut op = json!({ "parameters": parameters, "responses": { "200": { "description": "ok" } } });
    op.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    converted(json!({ "paths": { "/x": { "post": op } } }))["paths"]["/x"]["post"].take()
}

/// Where a problem at `pointer` of the converted document is told.
fn told(origins: &Origins, pointer: &str) -> String {
    let problem =
        Problem { pointer: pointer.into(), message: String::new(), hint: None, line: None, file: None };
    origins.attribute(problem).pointer
}

#[test]
fn host_base_path_and_schemes_are_servers_https_first() {
    let document =
        converted(json!({"host": "api.example.com", "basePath": "/v1/", "schemes": ["http", "https", "ws"]}));
    assert_eq!(document["openapi"], "3.0.3");
    assert!(document.get("swagger").is_none() && document.get("host").is_none());
    assert_eq!(
        document["servers"],
        json!([{"url": "https://api.example.com/v1"}, {"url": "http://api.example.com/v1"}])
    );
    assert_eq!(converted(json!({"host": "h.io"}))["servers"], json!([{"url": "https://h.io"}]));
    assert_eq!(converted(json!({"basePath": "/api"}))["servers"], json!([{"url": "/api"}]));
    assert!(converted(json!({"basePath": "/"})).get("servers").is_none());
    let written_loosely = json!({"host": "https://h.io/", "basePath": "api", "schemes": ["HTTPS"]});
    assert_eq!(converted(written_loosely)["servers"], json!([{"url": "https://h.io/api"}]));
}

#[test]
fn definitions_are_schemas_and_every_ref_follows() {
    let (document, origins) = read(json!({
        "definitions": {"Pet": {"type": "object", "properties": {"owner": {"$ref": "#/definitions/Owner"}}},
                        "Owner": {"type": "object"}},
        "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer"}},
        "responses": {"Gone": {"description": "gone"}},
        "paths": {"/p": {"get": {"parameters": [{"$ref": "#/parameters/limit"}],
            "responses": {"410": {"$ref": "#/responses/Gone"}, "200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}}}}
    }));
    let components = &document["components"];
    assert_eq!(
        components["schemas"]["Pet"]["properties"]["owner"],
        json!({"$ref": "#/components/schemas/Owner"})
    );
    assert_eq!(
        components["parameters"]["limit"],
        json!({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    );
    assert_eq!(components["responses"]["Gone"], json!({"description": "gone"}));
    let get = &document["paths"]["/p"]["get"];
    assert_eq!(get["parameters"][0], json!({"$ref": "#/components/parameters/limit"}));
    assert_eq!(get["responses"]["410"], json!({"$ref": "#/components/responses/Gone"}));
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Pet"})
    );
    assert_eq!(
        told(&origins, "#/components/schemas/Pet/properties/owner"),
        "#/definitions/Pet/properties/owner"
    );
    assert_eq!(told(&origins, "#/components/parameters/limit/schema/type"), "#/parameters/limit/type");
}

#[test]
fn a_body_parameter_is_the_request_body_under_each_consumed_media_type() {
    let (document, origins) = read(json!({
        "consumes": ["application/json", "text/xml"],
        "paths": {"/x": {"post": {"parameters": [
            {"name": "id", "in": "query", "type": "string"},
            {"name": "pet", "in": "body", "required": true, "description": "the pet", "schema": {"type": "object"}}
        ], "responses": {"204": {"description": "done"}}}}}
    }));
    let post = &document["paths"]["/x"]["post"];
    assert_eq!(
        post["requestBody"],
        json!({"description": "the pet", "required": true, "content": {
            "application/json": {"schema": {"type": "object"}}, "text/xml": {"schema": {"type": "object"}}}})
    );
    assert_eq!(post["parameters"], json!([{"name": "id", "in": "query", "schema": {"type": "string"}}]));
    let at = "#/paths/~1x/post/requestBody/content/application~1json/schema/type";
    assert_eq!(told(&origins, at), "#/paths/~1x/post/parameters/1/schema/type");
    let op_consumes = post_with_consumes();
    assert_eq!(op_consumes["requestBody"]["content"], json!({"text/plain": {"schema": {"type": "string"}}}));
}

fn post_with_consumes() -> Value {
    post(
        json!([{"name": "b", "in": "body", "schema": {"type": "string"}}]),
        json!({"consumes": ["text/plain"]}),
    )
}

#[test]
fn a_body_anything_may_carry_is_json_unless_its_schema_is_bytes() {
    let any = |schema: Value| {
        let body = json!([{"name": "b", "in": "body", "schema": schema}]);
        post(body, json!({"consumes": ["*/*", "application/json"]}))["requestBody"]["content"].take()
    };
    assert_eq!(any(json!({"type": "object"})), json!({"application/json": {"schema": {"type": "object"}}}));
    let bytes = json!({"type": "string", "format": "binary"});
    let media: Vec<String> = any(bytes).as_object().unwrap().keys().cloned().collect();
    assert_eq!(media, ["*/*", "application/json"]);
}

#[test]
fn a_body_without_schema_is_any_value_or_the_raw_bytes_of_other_media_types() {
    let raw = post(json!([{"name": "raw", "in": "body"}]), json!({"consumes": ["application/octet-stream"]}));
    assert_eq!(
        raw["requestBody"]["content"],
        json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
    );
    let any = post(json!([{"name": "any", "in": "body"}]), json!({}));
    assert_eq!(any["requestBody"]["content"], json!({"application/json": {"schema": {}}}));
    let (document, origins) = read(json!({"paths": {"/images": {"post": {
        "consumes": ["application/json", "application/octet-stream"],
        "parameters": [
            {"name": "image", "in": "body", "schema": {"$ref": "#/definitions/Image"}},
            {"name": "raw_image", "in": "body"}
        ],
        "responses": {"200": {"description": "ok"}}}}}}));
    assert_eq!(
        document["paths"]["/images"]["post"]["requestBody"]["content"],
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/Image"}},
               "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}),
        "a typed body and a raw one: one body by media type"
    );
    let at = "#/paths/~1images/post/requestBody/content/application~1octet-stream/schema";
    assert_eq!(told(&origins, at), "#/paths/~1images/post/parameters/1");
}

#[test]
fn a_shared_response_takes_the_media_types_of_the_operation_using_it() {
    let (document, origins) = read(json!({
        "produces": ["application/json"],
        "responses": {"Gone": {"description": "gone", "schema": {"type": "string"},
                               "headers": {"X-Why": {"type": "string"}}}},
        "paths": {"/x": {
            "get": {"responses": {"410": {"$ref": "#/responses/Gone"}}},
            "put": {"produces": ["text/plain"], "responses": {"410": {"$ref": "#/responses/Gone"}}}
        }}
    }));
    let paths = &document["paths"]["/x"];
    assert_eq!(paths["get"]["responses"]["410"], json!({"$ref": "#/components/responses/Gone"}));
    let copied = &paths["put"]["responses"]["410"];
    assert_eq!(copied["content"], json!({"text/plain": {"schema": {"type": "string"}}}));
    assert_eq!(copied["headers"]["X-Why"]["schema"], json!({"type": "string"}));
    let at = "#/paths/~1x/put/responses/410/content/text~1plain/schema";
    assert_eq!(told(&origins, at), "#/responses/Gone/schema");
    let at = "#/paths/~1x/put/responses/410/headers/X-Why/schema/type";
    assert_eq!(told(&origins, at), "#/responses/Gone/headers/X-Why/type");
    assert_eq!(told(&origins, "#/paths/~1x/put/responses/410/description"), "#/responses/Gone/description");
}

#[test]
fn form_fields_are_an_urlencoded_object_and_a_file_makes_it_multipart() {
    let fields = json!([
        {"name": "name", "in": "formData", "type": "string", "required": true, "description": "who"},
        {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}}
    ]);
    let form = post(fields.clone(), json!({}));
    let schema = json!({"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "description": "who"},
        "tags": {"type": "array", "items": {"type": "string"}}}});
    assert_eq!(
        form["requestBody"],
        json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": schema}}})
    );
    let both =
        post(fields, json!({"consumes": ["multipart/form-data", "application/x-www-form-urlencoded"]}));
    let media: Vec<&String> = both["requestBody"]["content"].as_object().unwrap().keys().collect();
    assert_eq!(media, ["application/x-www-form-urlencoded", "multipart/form-data"]);
    let upload = post(json!([{"name": "file", "in": "formData", "type": "file"}]), json!({}));
    assert_eq!(
        upload["requestBody"],
        json!({"content": {"multipart/form-data": {"schema": {"type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    );
}

#[test]
fn shared_body_and_form_parameters_resolve_into_the_request_body() {
    let (document, origins) = read(json!({
        "parameters": {"Pet": {"name": "pet", "in": "body", "schema": {"$ref": "#/definitions/Pet"}},
                       "q": {"name": "q", "in": "query", "type": "string"}},
        "paths": {"/x": {"parameters": [{"$ref": "#/parameters/Pet"}],
            "put": {"responses": {"200": {"description": "ok"}}},
            "post": {"parameters": [{"name": "other", "in": "body", "schema": {"type": "string"}}],
                     "responses": {"200": {"description": "ok"}}}}}
    }));
    assert_eq!(
        document["components"]["parameters"].as_object().unwrap().len(),
        1,
        "a body is no 3.0 parameter"
    );
    let item = &document["paths"]["/x"];
    assert!(item.get("parameters").is_none());
    assert_eq!(
        item["put"]["requestBody"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Pet"})
    );
    assert_eq!(
        item["post"]["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "string"}),
        "the operation's own body overrides the path item's"
    );
    let at = "#/paths/~1x/put/requestBody/content/application~1json/schema";
    assert_eq!(told(&origins, at), "#/parameters/Pet/schema");
}

#[test]
fn collection_formats_are_styles() {
    let array = |name: &str, format: Option<&str>, place: &str| {
        let mut param = json!({"name": name, "in": place, "type": "array", "items": {"type": "string", "collectionFormat": "csv"}});
        if let Some(format) = format {
            param["collectionFormat"] = json!(format);
        }
        param
    };
    let get = post(
        json!([
            array("a", None, "query"),
            array("b", Some("ssv"), "query"),
            array("c", Some("pipes"), "query"),
            array("d", Some("tsv"), "query"),
            array("e", Some("multi"), "query"),
            array("f", Some("csv"), "header")
        ]),
        json!({}),
    );
    let styles: Vec<Value> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p["style"], p.get("explode"), p.get("x-authgen-delimiter")]))
        .collect();
    assert_eq!(
        styles,
        [
            json!(["form", false, null]),
            json!(["spaceDelimited", false, null]),
            json!(["pipeDelimited", false, null]),
            json!(["form", false, "\t"]),
            json!(["form", true, null]),
            json!(["simple", null, null])
        ]
    );
    assert_eq!(get["parameters"][0]["schema"], json!({"type": "array", "items": {"type": "string"}}));
}

#[test]
fn renumbered_parameters_are_told_where_written() {
    let (document, origins) = read(json!({"paths": {"/x": {"post": {"parameters": [
        {"name": "b", "in": "body", "schema": {}},
        {"name": "n", "in": "query", "type": "integer", "minimum": 1}
    ], "responses": {}}}}}));
    assert_eq!(document["paths"]["/x"]["post"]["parameters"][0]["name"], "n");
    assert_eq!(
        told(&origins, "#/paths/~1x/post/parameters/0/schema/minimum"),
        "#/paths/~1x/post/parameters/1/minimum"
    );
    assert_eq!(told(&origins, "#/paths/~1x/post/parameters/0/name"), "#/paths/~1x/post/parameters/1/name");
}

#[test]
fn answers_take_the_produced_media_types_headers_and_files() {
    let op = json!({"produces": ["application/json", "application/xml"], "responses": {
        "200": {"description": "ok", "schema": {"type": "string"}, "examples": {"application/json": "hi"},
                "headers": {"X-Rate": {"type": "integer", "description": "left"}}},
        "201": {"description": "a file", "schema": {"type": "file"}},
        "404": {}
    }});
    let (document, origins) = read(json!({"paths": {"/x": {"get": op}}}));
    let answers = &document["paths"]["/x"]["get"]["responses"];
    assert_eq!(
        answers["200"],
        json!({"description": "ok", "headers": {"X-Rate": {"description": "left", "schema": {"type": "integer"}}},
               "content": {"application/json": {"schema": {"type": "string"}, "example": "hi"},
                           "application/xml": {"schema": {"type": "string"}}}})
    );
    assert_eq!(
        answers["201"]["content"],
        json!({"application/xml": {"schema": {"type": "string", "format": "binary"}}})
    );
    assert_eq!(answers["404"], json!({"description": ""}));
    let at = "#/paths/~1x/get/responses/200/headers/X-Rate/schema/type";
    assert_eq!(told(&origins, at), "#/paths/~1x/get/responses/200/headers/X-Rate/type");
    let error = json!({"description": "e", "schema": {"$ref": "#/definitions/Error"}});
    let png = json!({"produces": ["image/png"], "responses": {"404": error, "405": {"description": "t", "schema": {"type": "string"}}}});
    let png = post(json!([]), png)["responses"].take();
    let media = |code: &str| png[code]["content"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(media("404"), ["image/png", "application/json"], "an object is written in JSON");
    assert_eq!(media("405"), ["image/png"]);
    let file =
        post(json!([]), json!({"responses": {"200": {"description": "f", "schema": {"type": "file"}}}}));
    assert_eq!(
        file["responses"]["200"]["content"],
        json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
    );
}

#[test]
fn security_definitions_are_security_schemes_with_3_0_flows() {
    let (document, origins) = read(json!({"securityDefinitions": {
        "basic": {"type": "basic", "description": "d"},
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://a/token", "scopes": {"read": "r"}},
        "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token"},
        "pw": {"type": "oauth2", "flow": "password", "tokenUrl": "https://a/token"},
        "imp": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a/auth"}
    }}));
    assert_eq!(
        document["components"]["securitySchemes"],
        json!({
            "basic": {"type": "http", "scheme": "basic", "description": "d"},
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "app": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"read": "r"}}}},
            "code": {"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "https://a/auth", "tokenUrl": "https://a/token", "scopes": {}}}},
            "pw": {"type": "oauth2", "flows": {"password": {"tokenUrl": "https://a/token", "scopes": {}}}},
            "imp": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {}}}}
        })
    );
    assert_eq!(
        told(&origins, "#/components/securitySchemes/app/flows/clientCredentials/tokenUrl"),
        "#/securityDefinitions/app/tokenUrl"
    );
    assert_eq!(told(&origins, "#/components/securitySchemes/key/name"), "#/securityDefinitions/key/name");
}

#[test]
fn nullable_files_and_string_discriminators_are_spelled_as_in_3_0() {
    let document = converted(json!({"definitions": {
        "Pet": {"type": "object", "discriminator": "petType", "properties": {
            "petType": {"type": "string"}, "nick": {"type": "string", "x-nullable": true}}},
        "Doc": {"type": "file"}
    }}));
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["Pet"]["discriminator"], json!({"propertyName": "petType"}));
    assert_eq!(schemas["Pet"]["properties"]["nick"], json!({"type": "string", "nullable": true}));
    assert_eq!(schemas["Doc"], json!({"type": "string", "format": "binary"}));
    let param = post(json!([{"name": "q", "in": "query", "type": "string", "x-nullable": true}]), json!({}));
    assert_eq!(param["parameters"][0]["schema"], json!({"type": "string", "nullable": true}));
}

#[test]
fn a_body_beside_form_fields_is_refused_where_written() {
    let mut document = json!({"swagger": "2.0", "paths": {"/x": {"post": {"parameters": [
        {"name": "f", "in": "formData", "type": "string"},
        {"name": "b", "in": "body", "schema": {}}
    ], "responses": {}}}}});
    let mut problems = Problems::new(Path::new("x.yaml"));
    convert(&mut document, &mut problems, &mut Origins::default());
    let problems = problems.take_from(0, |_| None);
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].pointer,
        Pointer::root().join("paths").join("/x").join("post").join("parameters").join(1).to_string()
    );
    assert!(problems[0].message.contains("`body` parameter and `formData` parameters"));
    assert!(document["paths"]["/x"]["post"].get("requestBody").is_none());
}

#[test]
fn the_lenient_mode_types_refs_to_missing_definitions_as_any_value() {
    let options = crate::Options { skip_unsupported: true, ..crate::Options::default() };
    let generated =
        crate::generate_with(Path::new("tests/problems/swagger2_told_as_written.yaml"), &options).unwrap();
    assert_eq!(generated.operations, 1, "{}", generated.warnings());
    let warnings = generated.warnings();
    for told in [
        "`#/definitions/Owner` does not exist: the value is typed as `serde_json::Value`\n  --> tests/problems/swagger2_told_as_written.yaml#/definitions/Dog/properties/owner (line 28)",
        "#/paths/~1dogs/post/parameters/1/items (line 17)",
        "#/paths/~1dogs/post/responses/201/schema (line 22)",
    ] {
        assert!(warnings.contains(told), "{told}\n{warnings}");
    }
    assert!(generated.code.contains("pub owner: Option<__rt::Json>"), "{}", generated.code);
}

#[test]
fn malformed_2_0_places_are_named_where_written() {
    let text = "swagger: '2.0'
info: {title: t, version: '1'}
consumes: application/json
paths:
  /a:
    post:
      produces: [1]
      parameters:
        - {in: body, name: b}
      responses: {200: {description: ok}}
    put:
      parameters:
        - {in: formData, type: string}
      responses: {200: {description: ok}}
";
    let error = crate::generate_str(Path::new("x.yaml"), text).unwrap_err().to_string();
    for told in [
        "error: `consumes` is not a list of media types\n  --> x.yaml#/consumes (line 3)",
        "error: `produces` is not a list of media types\n  --> x.yaml#/paths/~1a/post/produces (line 7)",
        "error: the `formData` parameter has no `name`\n  --> x.yaml#/paths/~1a/put/parameters/0 (line 13)",
    ] {
        assert!(error.contains(told), "{told}\n{error}");
    }
}

#[test]
fn odd_2_0_shapes_give_errors_not_panics() {
    for text in [
        "swagger: '2.0'\npaths: {/a: 5}",
        "swagger: '2.0'\npaths: {/a: {get: {parameters: 5}}}",
        "swagger: '2.0'\npaths: {/a: {get: {parameters: [5, {in: body}], responses: []}}}",
        "swagger: '2.0'\npaths: {/a: {post: {parameters: [{in: formData}, 3], consumes: 7, produces: x}}}",
        "swagger: '2.0'\nparameters: [1]\nresponses: 3\ndefinitions: x\nsecurityDefinitions: {a: 1, b: {type: oauth2, flow: 5}}",
        "swagger: '2.0'\nhost: 5\nbasePath: [1]\nschemes: {}\nconsumes: 1\nproduces: [1]",
        "swagger: '2.0'\nhost: ''\npaths: {/a: {get: {responses: {200: {schema: {type: file}, headers: 5, examples: 1}}}}}",
        "swagger: '2.0'\nparameters: {p: {in: body}}\npaths: {/a: {parameters: [{$ref: '#/parameters/p'}], get: {parameters: [{$ref: '#/parameters/p'}]}}}",
        "swagger: '2.0'\nparameters: {p: 5}\npaths: {/a: {get: {parameters: [{$ref: '#/parameters/p'}, {$ref: 7}]}}}",
    ] {
        assert!(crate::generate_str(Path::new("x.yaml"), text).is_err(), "{text}");
    }
}

#[test]
fn a_fragment_of_a_2_0_document_is_read_and_its_problems_told_in_its_own_terms() {
    let folder = std::env::temp_dir().join(format!("authgen-swagger2-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let entry = folder.join("shelter.yaml");
    std::fs::write(
        &entry,
        "swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      responses:
        200:
          description: ok
          schema: {$ref: 'pet.yaml'}
definitions:
  Owner: {type: object, properties: {name: {type: string}}}
",
    )
    .unwrap();
    let pet = "type: object\nproperties:\n  owner: {$ref: '#/definitions/Owner'}\n";
    std::fs::write(folder.join("pet.yaml"), pet).unwrap();
    let code = crate::generate(&entry).unwrap();
    assert!(
        code.contains("pub owner: Option<Owner>"),
        "the fragment's `#/definitions/Owner` is the entry's: {code}"
    );
    std::fs::write(folder.join("pet.yaml"), format!("{pet}  age: {{type: 5}}\n")).unwrap();
    let error = crate::generate(&entry).unwrap_err().to_string();
    std::fs::remove_dir_all(&folder).unwrap();
    assert!(error.contains("pet.yaml#/properties/age/type (line 4)"), "{error}");
}
