//! `deserialize_struct!`, the `Deserialize` of every struct a generated module
//! receives, beside serde's derive of the same struct: the same values from the same
//! objects, the same errors (serde's words, the same path) for the same mistakes, strictly
//! and through the lenient reading of `decode_json`. One difference is meant: serde's
//! derive also reads a struct from a JSON array of its fields in order, which no
//! OpenAPI object is; the macro refuses it.

use authgen_runtime::__private as __rt;
use authgen_runtime::decode_json;

/// As a generated module declares a received struct: a keyword field, a wire name the
/// field does not spell, optional and nested fields, and fields named like the
/// macro's own locals (`map`, `key`).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: i64,
    pub r#type: String,
    pub created_at: Option<String>,
    pub map: Option<Vec<String>>,
    pub key: Option<Entries>,
}
__rt::deserialize_struct!(Account, id, r#type = "type", created_at = "createdAt", map, key);

/// Named like the macro's visitor, whose name must not shadow it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entries {
    pub count: u32,
}
__rt::deserialize_struct!(Entries, count);

#[derive(Debug, Clone, PartialEq)]
pub struct Empty {}
__rt::deserialize_struct!(Empty);

/// Named like the usual names of the impl's type parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct A {
    pub d: Option<D>,
}
__rt::deserialize_struct!(A, d);

#[derive(Debug, Clone, PartialEq)]
pub struct D {}
__rt::deserialize_struct!(D);

/// The same structs as serde's derive reads them (the same names: the messages name
/// the struct).
mod derived {
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    pub struct Account {
        pub id: i64,
        pub r#type: String,
        #[serde(rename = "createdAt")]
        pub created_at: Option<String>,
        pub map: Option<Vec<String>>,
        pub key: Option<Entries>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    pub struct Entries {
        pub count: u32,
    }
}

use derived::Account as Derived;

impl From<Account> for Derived {
    fn from(a: Account) -> Self {
        let key = a.key.map(|e| derived::Entries { count: e.count });
        Derived { id: a.id, r#type: a.r#type, created_at: a.created_at, map: a.map, key }
    }
}

/// Both reads of `json`, strict and through `decode_json`, agree with serde's derive;
/// the macro's strict result is returned.
fn both(json: &str) -> Result<Account, String> {
    let ours = serde_json::from_str::<Account>(json).map_err(|e| e.to_string());
    let derived = serde_json::from_str::<Derived>(json).map_err(|e| e.to_string());
    assert_eq!(ours.clone().map(Derived::from), derived, "strictly: {json}");
    let ours_decoded = decode_json::<Account>(json.as_bytes()).map(Derived::from);
    assert_eq!(ours_decoded, decode_json::<Derived>(json.as_bytes()), "by decode_json: {json}");
    ours
}

#[test]
fn an_object_decodes_as_the_derive_decodes_it() {
    let full = r#"{"id": 7, "type": "user", "createdAt": "2026-12-08", "map": ["a"], "key": {"count": 2}}"#;
    let account = both(full).unwrap();
    assert_eq!(account.r#type, "user");
    assert_eq!(account.created_at.as_deref(), Some("2026-12-08"));
    assert_eq!(account.key, Some(Entries { count: 2 }));

    // Unknown entries skipped, whatever they hold; entries in any order; an escaped key.
    let account = both(r#"{"extra": {"deep": [1, {"x": null}]}, "typ\u0065": "bot", "id": 1}"#).unwrap();
    assert_eq!((account.id, account.r#type.as_str()), (1, "bot"));

    // An absent optional field and a null one are `None`.
    let account = both(r#"{"id": 1, "type": "x", "createdAt": null}"#).unwrap();
    assert_eq!((account.created_at, account.map, account.key), (None, None, None));

    assert_eq!(serde_json::from_str::<Empty>(r#"{"anything": 1}"#).unwrap(), Empty {});
    assert_eq!(serde_json::from_str::<A>(r#"{"d": {}}"#).unwrap(), A { d: Some(D {}) });
}

#[test]
fn a_mistake_is_the_error_the_derive_gives() {
    let cases = [
        (r#"{"type": "x"}"#, "missing field `id`"),
        (r#"{"id": 1, "type": "x", "id": 2}"#, "duplicate field `id`"),
        (r#"{"id": 1, "type": "x", "key": {}}"#, "missing field `count`"),
        (r#"{"id": 1, "type": 5}"#, "invalid type: integer `5`, expected a string"),
        (r#"{"id": 1, "type": "x", "key": {"count": -1}}"#, "invalid value"),
        (r#""an account""#, "expected struct Account"),
        (r#"{"id": 1, "type": "x""#, "EOF while parsing"),
    ];
    for (json, expected) in cases {
        let error = both(json).unwrap_err();
        assert!(error.contains(expected), "{json}: {error}");
    }
    // Told where, by the path `decode_json` gives.
    let error = decode_json::<Account>(br#"{"id": 1, "type": "x", "key": {"count": "many"}}"#).unwrap_err();
    assert!(error.starts_with("at `key.count`:"), "{error}");
}

#[test]
fn a_scalar_in_another_json_type_is_read_leniently_as_before() {
    let json = br#"{"id": "12", "type": "x", "key": {"count": "3"}}"#;
    let ours = decode_json::<Account>(json).unwrap();
    assert_eq!(Derived::from(ours), decode_json::<Derived>(json).unwrap());
}

#[test]
fn an_array_of_the_fields_is_not_an_object() {
    let json = r#"[1, "x", null, null, null]"#;
    assert!(serde_json::from_str::<Derived>(json).is_ok(), "serde's derive reads it");
    let error = serde_json::from_str::<Account>(json).unwrap_err().to_string();
    assert!(error.contains("invalid type: sequence, expected struct Account"), "{error}");
}
