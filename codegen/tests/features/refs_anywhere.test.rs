//! Each schema a `$ref` reaches is one type, however it is reached.

use authgen_runtime::__private::Operation;
use refs_anywhere::{CreateTokenResponse, GetToken, GetTokenMetadata, Metadata};

/// Compiles only where `P` answers with `T`.
fn answers<P: Operation<Output = T>, T>() {}

#[test]
fn a_schema_reached_by_pointer_is_one_type() {
    answers::<GetToken, CreateTokenResponse>();
    answers::<GetTokenMetadata, Metadata>();
    let answer = serde_json::json!({"token": "t", "metadata": {"scopes": ["a"], "parent": {"scopes": ["b"]}}});
    let created: CreateTokenResponse = serde_json::from_value(answer).unwrap();
    let parent: Metadata = *created.metadata.unwrap().parent.unwrap();
    assert_eq!(parent.scopes, Some(vec!["b".to_string()]));
}
