//! One loopback HTTP/1.1 server for the behaviour tests of the fixtures' generated
//! crates: it accepts every connection (each in its own task), records each request as
//! text, and answers as the test says: a whole reply made from the request, replies in
//! order, or the connection handed to the test for a streamed or a silent answer. The
//! compile test copies this file into a crate as `tests/loopback/mod.rs` when its
//! `behaviour.rs` declares `mod loopback;`.
// Each behaviour test uses a part of it.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use authgen_runtime::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The requests a server received, as text, in the order they arrived.
type Log = Arc<Mutex<Vec<String>>>;

/// A server on a free loopback port, serving until the test's runtime ends.
pub struct Server {
    root: String,
    log: Log,
}

/// One connection, its request head read (byte by byte: no body byte is taken with it).
pub struct Connection {
    /// The connection, to read the rest of the request from and write the answer to.
    pub stream: TcpStream,
    /// The request line and headers, up to and including the empty line.
    pub head: String,
    log: Log,
    entry: usize,
}

impl Server {
    /// Hands each connection to `answer` once its head is read (and recorded).
    pub async fn handing<F, Fut>(answer: F) -> Server
    where
        F: Fn(Connection) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let root = format!("http://{}", listener.local_addr().unwrap());
        let log = Log::default();
        let accepted = log.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(head) = read_head(&mut stream).await else { continue };
                let entry = {
                    let mut log = accepted.lock().unwrap();
                    log.push(head.clone());
                    log.len() - 1
                };
                tokio::spawn(answer(Connection { stream, head, log: accepted.clone(), entry }));
            }
        });
        Server { root, log }
    }

    /// Answers each request (head and body, as text) with the whole reply `answer` makes
    /// of it ([`reply`] writes one), one request a connection.
    pub async fn answering(answer: impl Fn(&str) -> String + Send + Sync + 'static) -> Server {
        let answer = Arc::new(answer);
        Server::handing(move |mut connection| {
            let answer = answer.clone();
            async move {
                let request = connection.head.clone() + &connection.body().await;
                connection.write(&answer(&request)).await;
            }
        })
        .await
    }

    /// Answers the requests with `replies`, in order; a request beyond them gets a 500.
    pub async fn replying(replies: Vec<String>) -> Server {
        let next = AtomicUsize::new(0);
        Server::answering(move |_| {
            let left = "no reply left for this request";
            replies.get(next.fetch_add(1, Ordering::SeqCst)).cloned().unwrap_or_else(|| reply("500 Internal Server Error", "text/plain", left))
        })
        .await
    }

    /// A client configuration for this server, its base URL `path` (`/v1`, or empty).
    pub fn config(&self, path: &str) -> Config {
        Config::new().base_url(self.url(path)).allow_http_loopback(true)
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    /// The requests received so far (a body as far as it was read), in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The one request received so far; fails the test unless there is exactly one.
    pub fn request(&self) -> String {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "one request expected: {requests:#?}");
        requests.into_iter().next().unwrap()
    }
}

impl Connection {
    /// Reads the body its `content-length` announces (none without one), as text, and
    /// adds it to the recorded request.
    pub async fn body(&mut self) -> String {
        let length = self
            .head
            .lines()
            .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.trim().parse().unwrap()))
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.unwrap();
        let body = String::from_utf8_lossy(&body).into_owned();
        self.log.lock().unwrap()[self.entry].push_str(&body);
        body
    }

    /// Writes `text` to the client; a client that has gone is no failure of the server.
    pub async fn write(&mut self, text: &str) {
        let _ = self.stream.write_all(text.as_bytes()).await;
    }
}

/// A whole reply: `status` (`200 OK`), a body of `media` type, and `connection: close`.
pub fn reply(status: &str, media: &str, body: &str) -> String {
    let length = body.len();
    format!("HTTP/1.1 {status}\r\ncontent-type: {media}\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n{body}")
}

/// A chunk of a `transfer-encoding: chunked` body.
pub fn chunk(text: &str) -> String {
    format!("{:x}\r\n{text}\r\n", text.len())
}

/// The first line of a request.
pub fn first_line(request: &str) -> &str {
    request.lines().next().unwrap_or_default()
}

/// A request's head, or `None` when the client closed first.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.ok()?);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}
