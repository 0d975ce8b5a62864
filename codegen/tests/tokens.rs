//! Which operations issue tokens, and which of their answer's fields mean what: by
//! convention, or stated with `x-authgen-token`.

use std::path::Path;

/// A spec with one `POST /token` operation answering `properties` (YAML, indented for
/// the schema), plus `extra` lines under the operation.
fn spec(properties: &str, extra: &str) -> String {
    format!(
        "openapi: 3.1.0
info: {{title: T, version: '1'}}
paths:
  /token:
    post:
      operationId: issue
{extra}      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
{properties}"
    )
}

fn generate(text: &str) -> Result<String, String> {
    authgen_codegen::generate_str(Path::new("specs/t.yaml"), text).map_err(|e| e.to_string())
}

#[test]
fn an_access_token_field_makes_a_token_operation_by_convention() {
    for name in ["access_token", "accessToken"] {
        let code = generate(&spec(&format!("                  {name}: {{type: string}}\n"), "")).unwrap();
        assert!(
            code.contains("pub fn issue_token_source(&self) -> impl __rt::token::TokenSource + use<>"),
            "{code}"
        );
        assert!(code.contains("__rt::token::TokenFields::CONVENTION,"), "{code}");
    }
}

#[test]
fn other_operations_get_no_token_source() {
    let code = generate(&spec("                  token_id: {type: string}\n", "")).unwrap();
    assert!(!code.contains("token_source"), "{code}");
}

#[test]
fn x_authgen_token_names_fields_the_convention_does_not_know() {
    let properties = "                  jwt: {type: string}\n                  ttl: {type: integer}\n";
    let extra = "      x-authgen-token:\n        access_token: jwt\n        expires_in: ttl\n";
    let code = generate(&spec(properties, extra)).unwrap();
    assert!(code.contains("access_token: &[\"jwt\"],"), "{code}");
    assert!(code.contains("expires_in: &[\"ttl\"],"), "{code}");
    assert!(code.contains("..__rt::token::TokenFields::CONVENTION"), "{code}");
}

#[test]
fn x_authgen_token_mistakes_are_problems_with_pointers() {
    let properties = "                  jwt: {type: string}\n";
    let extra = "      x-authgen-token:\n        access_token: token\n        lifetime: jwt\n";
    let message = generate(&spec(properties, extra)).unwrap_err();
    assert!(message.contains("error: `access_token` names `token`, which the success response does not have\n  --> specs/t.yaml#/paths/~1token/post/x-authgen-token/access_token"), "{message}");
    assert!(message.contains("error: `lifetime` is not a token role with a field name\n  --> specs/t.yaml#/paths/~1token/post/x-authgen-token/lifetime"), "{message}");
    assert!(message.contains("= hint: map roles (access_token, token_type, expires_in, expires_at, refresh_token, refresh_expires_in, scope) to response field names"), "{message}");

    let not_a_map = generate(&spec(properties, "      x-authgen-token: yes\n")).unwrap_err();
    assert!(not_a_map.contains("error: `x-authgen-token` is not a mapping"), "{not_a_map}");
}
