//! A small HTTP/1.1 server on loopback for the runtime's tests: it records every
//! request it gets and answers each by a function of the request.

#![allow(dead_code)] // Each test file uses part of it.

pub mod stream;
pub mod ticks;
pub mod tls;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as received: its head (request line and headers) and body.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub head: String,
    pub body: Vec<u8>,
    /// When its head had arrived.
    pub at: std::time::Instant,
}

impl Recorded {
    /// The values of header `name` (case-insensitive), in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The request line's target (`/path?query`).
    pub fn target(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or_default()
    }
}

/// How the server replies to one request.
pub enum Reply {
    /// A status, extra header lines (`name: value`) and a JSON body.
    Answer(u16, Vec<String>, String),
    /// The connection closes without an answer.
    Drop,
    /// No answer for a minute, the connection held open.
    Stall,
}

/// Replies to a request, given it and how many came before it.
type Answer = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// The server; dropping it does not stop it (the test's runtime does).
pub struct Server {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Listens on 127.0.0.1, answering each request with `answer`'s status and JSON body.
    pub async fn start(answer: impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static) -> Server {
        Server::replying(move |request, _| {
            let (status, body) = answer(request);
            Reply::Answer(status, Vec::new(), body)
        })
        .await
    }

    /// Listens on 127.0.0.1, replying to request number `n` (from 0) with `reply`.
    pub async fn replying(reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Server {
        Server::listening(None, reply).await
    }

    /// Listens on 127.0.0.1 as [`Server::replying`] does, over TLS with `acceptor` when
    /// given one (a [`Reply::Drop`] then closes the connection without TLS's
    /// `close_notify`, as a server that drops an idle connection does).
    pub async fn listening(
        acceptor: Option<tokio_rustls::TlsAcceptor>,
        reply: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Answer> = Arc::new(reply);
        let recorded = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, recorded, acceptor) = (answer.clone(), recorded.clone(), acceptor.clone());
                tokio::spawn(async move {
                    match acceptor {
                        None => serve(stream, &*answer, &recorded).await,
                        Some(acceptor) => {
                            let Ok(stream) = acceptor.accept(stream).await else { return };
                            serve(stream, &*answer, &recorded).await
                        }
                    }
                });
            }
        });
        Server { url, requests }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    answer: &Answer,
    recorded: &Mutex<Vec<Recorded>>,
) {
    let Some(request) = read_request(&mut stream).await else { return };
    let count = {
        let mut recorded = recorded.lock().unwrap();
        recorded.push(request.clone());
        recorded.len() - 1
    };
    let (status, headers, body) = match answer(&request, count) {
        Reply::Answer(status, headers, body) => (status, headers, body),
        Reply::Drop => return,
        Reply::Stall => return tokio::time::sleep(std::time::Duration::from_secs(60)).await,
    };
    let extra: String = headers.iter().map(|line| format!("{line}\r\n")).collect();
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
}

/// Reads one request: the head, then a body by `content-length` or chunked to its end.
pub async fn read_request(stream: &mut (impl AsyncRead + Unpin)) -> Option<Recorded> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = find(&bytes, b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
        bytes.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let mut request = Recorded { head, body: bytes[head_end..].to_vec(), at: std::time::Instant::now() };
    let length = request.headers("content-length").first().and_then(|l| l.parse::<usize>().ok());
    let chunked = request.headers("transfer-encoding").iter().any(|t| t.contains("chunked"));
    while length.is_some_and(|l| request.body.len() < l) || (chunked && !request.body.ends_with(b"0\r\n\r\n"))
    {
        let n = stream.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
        request.body.extend_from_slice(&buffer[..n]);
    }
    Some(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
