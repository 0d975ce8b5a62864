//! Behaviour of the crate generated from `schemas.yaml`: the compile test copies this
//! file into it as `tests/behaviour.rs` and runs it. (Types that only responses carry
//! derive only `Deserialize`; types no operation uses derive both.)

use schemas::{Animal, Const, EventType, Shape, Status, Thing, Timeout, Tree};
use serde_json::json;

#[test]
fn a_discriminator_picks_the_variant() {
    let cat: Animal = serde_json::from_value(json!({"petType": "cat", "lives": 9})).unwrap();
    assert!(matches!(cat, Animal::Cat(ref c) if c.lives == Some(9)));
    let dog: Animal = serde_json::from_value(json!({"petType": "dog", "barks": true})).unwrap();
    assert!(matches!(dog, Animal::Dog(_)));
    assert_eq!(serde_json::to_value(&dog).unwrap(), json!({"petType": "dog", "barks": true}));
    // Open (an answer may carry it): an unknown kind, or no kind, is kept as it came.
    let unknown = serde_json::from_value::<Animal>(json!({"petType": "cow"})).unwrap();
    assert_eq!(unknown, Animal::Other(json!({"petType": "cow"})));
    let missing = serde_json::from_value::<Animal>(json!({"lives": 1})).unwrap();
    assert_eq!(missing, Animal::Other(json!({"lives": 1})));
}

#[test]
fn recursive_types_decode() {
    let tree = json!({"value": "leaf", "parent": {"value": "root", "children": [{"value": "sibling"}]}});
    let parsed: Tree = serde_json::from_value(tree).unwrap();
    let parent = parsed.parent.as_ref().unwrap();
    assert_eq!(parent.value.as_deref(), Some("root"));
    assert_eq!(parent.children.as_ref().unwrap()[0].value.as_deref(), Some("sibling"));
}

#[test]
fn untagged_variants_are_tried_in_order() {
    assert!(matches!(serde_json::from_value(json!({"name": "x"})).unwrap(), Shape::Named(_)));
    assert!(matches!(serde_json::from_value(json!("x")).unwrap(), Shape::String(_)));
    assert!(matches!(serde_json::from_value(json!([1, 2])).unwrap(), Shape::Array(_)));
}

#[test]
fn enums_keep_their_wire_values() {
    assert_eq!(Status::InProgress.as_str(), "in-progress");
    assert_eq!(serde_json::from_value::<Status>(json!("2fa_required")).unwrap(), Status::V2faRequired);
    assert_eq!(Status::Empty.as_str(), "");
    assert_eq!(Const::default().as_str(), "fixed");
    assert_eq!(serde_json::from_value::<EventType>(json!("typing.start")).unwrap(), EventType::TypingStart);
    let timeout: Timeout = 3600;
    assert_eq!(serde_json::to_value(timeout).unwrap(), json!(3600));
}

#[test]
fn response_enums_are_open_and_keep_a_value_the_spec_does_not_list() {
    let thing: Thing = serde_json::from_value(json!({
        "id": "0b6a2c7e-8f1d-4c2a-9b3e-5d6f7a8b9c0d", "kind": "small", "created": "2026-01-01T00:00:00Z", "status": "archived-2027"
    }))
    .unwrap();
    let status = thing.status.unwrap();
    assert_eq!(status, Status::Other("archived-2027".into()));
    assert_eq!((status.as_str(), status.to_string()), ("archived-2027", "archived-2027".to_string()));
    assert_eq!(serde_json::from_value::<Status>(json!("done")).unwrap(), Status::Done);
    assert!(serde_json::from_value::<Status>(json!(7)).is_err(), "a number is still not a status");
}

#[test]
fn keywords_renames_and_nulls() {
    let thing: Thing = serde_json::from_value(json!({
        "id": "0b6a2c7e-8f1d-4c2a-9b3e-5d6f7a8b9c0d", "kind": "small", "created": "2026-01-01T00:00:00Z",
        "type": "t", "self": true, "note": null, "labels": {"a": "b"}, "pet": {"name": "rex", "legs": 4}
    }))
    .unwrap();
    assert_eq!((thing.r#type.as_deref(), thing.self_, thing.note), (Some("t"), Some(true), None));
    assert_eq!(thing.pet.unwrap().legs, Some(4), "allOf merged");
    assert_eq!(thing.labels.unwrap()["a"], "b");
}
