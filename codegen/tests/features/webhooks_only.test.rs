//! A receiver decodes webhook bodies into the generated types.

use webhooks_only::{Pet, PetGoneWebhookRequest, Reason};

#[test]
fn webhook_bodies_decode_into_their_types() {
    let pet: Pet = serde_json::from_slice(br#"{"name": "Rex"}"#).unwrap();
    assert_eq!(pet, Pet { name: "Rex".into(), tag: None });
    let gone: PetGoneWebhookRequest = serde_json::from_str(r#"{"id": 7, "reason": "adopted"}"#).unwrap();
    assert_eq!((gone.id, gone.reason), (7, Some(Reason::Adopted)));
    let bad = serde_json::from_str::<PetGoneWebhookRequest>(r#"{"reason": "lost"}"#).unwrap_err();
    assert!(bad.to_string().contains("missing field `id`"), "{bad}");
}
