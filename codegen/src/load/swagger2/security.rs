//! `securityDefinitions` -> `components/securitySchemes`:
//!
//! | 2.0 | 3.0 |
//! |---|---|
//! | `type: basic` | `type: http, scheme: basic` |
//! | `type: apiKey` | the same |
//! | `type: oauth2, flow: implicit` | `flows.implicit` |
//! | `type: oauth2, flow: password` | `flows.password` |
//! | `type: oauth2, flow: application` | `flows.clientCredentials` |
//! | `type: oauth2, flow: accessCode` | `flows.authorizationCode` |

use serde_json::{Map, Value, json};

use super::Origins;
use crate::diagnostics::Pointer;

/// The `securityDefinitions` as 3.0 security schemes.
pub(super) fn schemes(mut definitions: Value, origins: &mut Origins) -> Value {
    let (to, from) = (
        Pointer::root().join("components").join("securitySchemes"),
        Pointer::root().join("securityDefinitions"),
    );
    origins.moved(&to, &from);
    let Some(schemes) = definitions.as_object_mut() else { return definitions };
    for (name, scheme) in schemes.iter_mut() {
        let Some(scheme) = scheme.as_object_mut() else { continue };
        match scheme.get("type").and_then(Value::as_str) {
            Some("basic") => {
                scheme.insert("type".into(), json!("http"));
                scheme.insert("scheme".into(), json!("basic"));
            }
            Some("oauth2") => {
                let Some(flow) = oauth_flow(scheme) else { continue };
                origins.moved(&to.join(name).join("flows").join(&flow), &from.join(name));
            }
            _ => {}
        }
    }
    definitions
}

/// A 2.0 oauth2 scheme's one flow as 3.0 `flows`; its 3.0 name, if it is a 2.0 flow.
fn oauth_flow(scheme: &mut Map<String, Value>) -> Option<String> {
    let flow = match scheme.get("flow").and_then(Value::as_str)? {
        "implicit" => "implicit",
        "password" => "password",
        "application" => "clientCredentials",
        "accessCode" => "authorizationCode",
        _ => return None,
    };
    scheme.remove("flow");
    let mut fields = Map::new();
    for key in ["authorizationUrl", "tokenUrl", "scopes"] {
        if let Some(value) = scheme.remove(key) {
            fields.insert(key.into(), value);
        }
    }
    fields.entry("scopes").or_insert_with(|| json!({}));
    scheme.insert("flows".into(), json!({ flow: fields }));
    Some(flow.to_string())
}
