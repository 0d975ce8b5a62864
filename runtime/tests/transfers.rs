//! Bodies that are never held whole, against loopback servers: a download read chunk by
//! chunk and into a file; uploads from a file (its length sent, reopened for a retry)
//! and from a stream (chunked, and never sent twice). The operations here are written
//! as the generator writes them.

mod support;

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use authgen_runtime::__private::{Built, ClientCore, Decoded, Method, Multipart, Operation, Reply, download};
use authgen_runtime::{Binary, Bytes, CallOptions, Config, HeaderMap, RetryPolicy};
use support::stream::Scripted;

/// `GET /file`: a binary answer.
struct GetFile;

impl Operation for GetFile {
    type Output = Binary;
    type Error = ();
    type Headers = HeaderMap;

    fn request(self, core: &ClientCore) -> Built<'_> {
        Ok(core.request(Method::GET, "/file").operation("get_file", "/file"))
    }

    fn decode(response: Reply) -> Decoded<Self> {
        match response.status() {
            200 => response.binary(),
            _ => Err(response.unexpected()),
        }
    }
}

/// `PUT /file` with a binary body, or `POST /form` with it as a multipart file part.
struct PutFile(Binary, bool);

impl Operation for PutFile {
    type Output = ();
    type Error = ();
    type Headers = HeaderMap;

    fn request(self, core: &ClientCore) -> Built<'_> {
        let PutFile(body, multipart) = self;
        Ok(match multipart {
            false => core.request(Method::PUT, "/file").binary("application/octet-stream", &body),
            true => core
                .request(Method::POST, "/form")
                .multipart(Multipart::object(&serde_json::json!({"name": "a"}), &[]).file("file", &body)),
        })
    }

    fn decode(response: Reply) -> Decoded<Self> {
        match response.status() {
            200..=299 => response.empty(),
            _ => Err(response.unexpected()),
        }
    }
}

fn core(url: &str) -> ClientCore {
    let config = Config::new().base_url(url).allow_http_loopback(true);
    ClientCore::new(config, &[], &[]).unwrap()
}

/// `len` bytes of a pattern that shows any chunk out of order.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn a_download_gives_its_chunks_in_order_and_writes_them_to_a_file() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "application/octet-stream", &[]).await;
        for piece in pattern(3 << 20).chunks(100_000) {
            writer.chunk(piece).await;
        }
        writer.end().await;
    })
    .await;
    let core = core(&server.url);
    let mut body = download(&core, GetFile, CallOptions::new()).await.unwrap();
    assert_eq!(body.status(), 200);
    let mut read = Vec::new();
    while let Some(chunk) = body.next().await {
        read.extend_from_slice(&chunk.unwrap());
    }
    assert!(read == pattern(3 << 20), "every byte in order");
    let path = std::env::temp_dir().join(format!("authgen-download-{}.bin", std::process::id()));
    let written = download(&core, GetFile, CallOptions::new()).await.unwrap().write_to(&path).await.unwrap();
    assert_eq!(written, 3 << 20);
    assert!(std::fs::read(&path).unwrap() == pattern(3 << 20));
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn a_download_that_breaks_off_ends_with_an_error() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "application/octet-stream", &[]).await;
        writer.chunk(b"first").await;
    })
    .await;
    let core = core(&server.url);
    let mut body = download(&core, GetFile, CallOptions::new()).await.unwrap();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"first");
    assert!(body.next().await.unwrap().is_err());
    assert!(body.next().await.is_none());
}

/// A server answering 429 (`Retry-After: 0`) to the first request, 204 to the others.
async fn busy_once() -> Scripted {
    Scripted::start(|n, _, writer| async move {
        match n {
            0 => writer.whole(429, "text/plain", &["retry-after: 0"], "busy").await,
            _ => writer.whole(204, "text/plain", &[], "").await,
        }
    })
    .await
}

#[tokio::test]
async fn an_upload_from_a_file_sends_its_length_and_is_reopened_for_a_retry() {
    let path = std::env::temp_dir().join(format!("authgen-upload-{}.bin", std::process::id()));
    std::fs::write(&path, pattern(1 << 20)).unwrap();
    let server = busy_once().await;
    let core = core(&server.url);
    let options = CallOptions::new().retry(RetryPolicy::new().backoff(Duration::ZERO, Duration::ZERO));
    authgen_runtime::__private::call(&core, PutFile(Binary::from_file(&path), false), options).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in requests {
        assert_eq!(request.headers("content-length"), [(1 << 20).to_string()]);
        assert!(request.body == pattern(1 << 20), "the whole file, each time");
    }
    std::fs::remove_file(path).unwrap();
}

#[tokio::test]
async fn an_upload_from_a_stream_is_chunked_and_a_retry_does_not_send_it_again() {
    let server = busy_once().await;
    let core = core(&server.url);
    let stream = Binary::from_stream(Chunks(vec![Bytes::from_static(b"abc"), Bytes::from_static(b"def")]));
    let options = CallOptions::new().retry(RetryPolicy::new().backoff(Duration::ZERO, Duration::ZERO));
    let error = authgen_runtime::__private::call(&core, PutFile(stream, false), options).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429), "the first attempt's answer: {error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "not sent half a second time");
    assert_eq!(requests[0].headers("transfer-encoding"), ["chunked"]);
    assert_eq!(requests[0].body, b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
}

#[tokio::test]
async fn a_multipart_file_part_can_come_from_a_file() {
    let path = std::env::temp_dir().join(format!("authgen-part-{}.bin", std::process::id()));
    std::fs::write(&path, b"PART-BYTES").unwrap();
    let server = busy_once().await;
    let core = core(&server.url);
    let options = CallOptions::new().retry(RetryPolicy::new().backoff(Duration::ZERO, Duration::ZERO));
    authgen_runtime::__private::call(&core, PutFile(Binary::from_file(&path), true), options).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "a file part is sent again");
    let body = String::from_utf8_lossy(&requests[1].body).into_owned();
    assert!(body.contains("name=\"file\"") && body.contains("PART-BYTES"), "{body}");
    std::fs::remove_file(path).unwrap();
}

/// A stream of the given chunks.
struct Chunks(Vec<Bytes>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready((!self.0.is_empty()).then(|| Ok(self.0.remove(0))))
    }
}
