//! A value listed twice decodes into its one variant; names outside ASCII keep their
//! wire text.

use enum_values::{Language, SetEnvironmentRequest, Stage};

#[test]
fn repeated_and_unusual_values_travel_as_written() {
    let body = SetEnvironmentRequest { stage: Stage::Development, level: Some(2) };
    let sent = serde_json::to_value(&body).unwrap();
    assert_eq!(sent, serde_json::json!({"stage": "development", "level": 2}));
    let decoded: Language = serde_json::from_value(serde_json::json!("Straße")).unwrap();
    assert_eq!((decoded.as_str(), decoded.to_string()), ("Straße", "Straße".to_string()));
    assert_eq!(serde_json::from_value::<Language>(serde_json::json!("_thk")).unwrap(), Language::Thk);
    assert_eq!(Language::SelfValue.as_str(), "Self");
}
