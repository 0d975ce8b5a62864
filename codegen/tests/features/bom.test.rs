//! A document that starts with a byte-order mark is read as the JSON it holds.

use authgen_runtime::Config;
use bom::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn the_client_calls_its_documented_operation() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buffer = vec![0u8; 4096];
        let n = stream.read(&mut buffer).await.unwrap();
        let body = r#"{"id": "p1", "name": "Fabrikam", "state": "wellFormed"}"#;
        let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        stream.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&buffer[..n]).lines().next().unwrap_or_default().to_string()
    });
    let client = Client::new(Config::new().base_url(base).allow_http_loopback(true)).unwrap();
    let project = client.projects_get("Fabrikam", "7.1").await.unwrap();
    assert_eq!((project.id.as_str(), project.state.as_deref()), ("p1", Some("wellFormed")));
    assert_eq!(server.await.unwrap(), "GET /v1/projects/Fabrikam?api-version=7.1 HTTP/1.1");
}
