//! A document that starts with a byte-order mark is read as the JSON it holds.

use bom::*;
use loopback::{Server, first_line, reply};

mod loopback;

#[tokio::test]
async fn the_client_calls_its_documented_operation() {
    let body = r#"{"id": "p1", "name": "Fabrikam", "state": "wellFormed"}"#;
    let server = Server::answering(move |_| reply("200 OK", "application/json", body)).await;
    let client = Client::new(server.config("/v1")).unwrap();
    let project = client.projects_get("Fabrikam", "7.1").await.unwrap();
    assert_eq!((project.id.as_str(), project.state.as_deref()), ("p1", Some("wellFormed")));
    assert_eq!(first_line(&server.request()), "GET /v1/projects/Fabrikam?api-version=7.1 HTTP/1.1");
}
