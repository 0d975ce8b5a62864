//! A description split across files behaves as the one document it means: the types
//! that several files reach are one type each, the cycle across files decodes, a
//! response and a parameter brought in from `common/` keep their meaning on the wire.

use authgen_runtime::{Config, Error};
use pet_tree::*;

mod loopback;

/// A server answering each request with the JSON reply `route` gives its request line,
/// until the test ends; returns the client's configuration.
async fn serve(route: fn(&str) -> (&'static str, String)) -> Config {
    let server = loopback::Server::answering(move |request| {
        let (status, body) = route(loopback::first_line(request));
        loopback::reply(status, "application/json", &body)
    })
    .await;
    server.config("/v1")
}

fn pets(line: &str) -> (&'static str, String) {
    match line {
        // The documented example (`examples/pets.json`), as the server sends it.
        "GET /v1/pets?limit=2 HTTP/1.1" => (
            "200 OK",
            r#"[{"id": "p1", "name": "Rex", "owner": {"name": "Ann", "pets": [{"id": "p2", "name": "Tom"}]}},
                {"id": "p2", "name": "Tom", "tags": [{"label": "cat"}]}]"#
                .into(),
        ),
        "GET /v1/pets/p9 HTTP/1.1" => ("404 Not Found", r#"{"message": "no such pet", "pet": "p9"}"#.into()),
        other => ("500 Internal Server Error", format!(r#"{{"unexpected": "{other}"}}"#)),
    }
}

#[tokio::test]
async fn the_cycle_across_files_decodes_from_the_documented_example() {
    let client = Client::new(serve(pets).await).unwrap();
    let pets = client.list_pets().limit(2).await.unwrap();
    assert_eq!(pets.len(), 2);
    let owner = pets[0].owner.as_ref().unwrap();
    let owned: &Pet = &owner.pets.as_ref().unwrap()[0];
    assert_eq!((owner.name.as_str(), owned.name.as_str()), ("Ann", "Tom"));
    let tag: &Tag = &pets[1].tags.as_ref().unwrap()[0];
    assert_eq!(tag.label.as_deref(), Some("cat"));
}

#[tokio::test]
async fn a_response_from_another_file_is_the_typed_error() {
    let client = Client::new(serve(pets).await).unwrap();
    let err = client.get_pet("p9".to_string()).await.unwrap_err();
    let Error::Status { error: GetPetError::NotFound(body), .. } = err else { panic!("{err:?}") };
    assert_eq!(body, TypesError { message: "no such pet".into(), pet: Some("p9".into()) });
}
