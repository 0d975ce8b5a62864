//! A loopback server whose every connection runs a script: it reads the request, then
//! writes an answer piece by piece (chunked), pausing, waiting on the test, or dropping
//! the connection midway.

#![allow(dead_code)] // Each test file uses part of it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::{Recorded, read_request};

/// The server's address and every request it has had.
pub struct Scripted {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    /// Listens on 127.0.0.1; connection number `n` (from 0) is answered by `script`.
    pub async fn start<F, Fut>(script: F) -> Scripted
    where
        F: Fn(usize, Recorded, Writer) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let script = Arc::new(script);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (script, recorded) = (script.clone(), recorded.clone());
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else { return };
                    let n = {
                        let mut recorded = recorded.lock().unwrap();
                        recorded.push(request.clone());
                        recorded.len() - 1
                    };
                    script(n, request, Writer(stream)).await;
                });
            }
        });
        Scripted { url, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// The answer's connection. Dropping it without [`end`](Writer::end) breaks the body off.
pub struct Writer(TcpStream);

impl Writer {
    /// The head of a chunked answer: status, content type and extra header lines.
    pub async fn head(&mut self, status: u16, media: &str, extra: &[&str]) {
        let extra: String = extra.iter().map(|line| format!("{line}\r\n")).collect();
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {media}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n{extra}\r\n"
        );
        self.0.write_all(head.as_bytes()).await.unwrap();
    }

    /// One chunk of the body.
    pub async fn chunk(&mut self, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        let chunk = [format!("{:x}\r\n", bytes.len()).as_bytes(), bytes, b"\r\n"].concat();
        // A client that stopped reading has closed: the script just ends.
        let _ = self.0.write_all(&chunk).await;
    }

    /// The body's clean end.
    pub async fn end(mut self) {
        let _ = self.0.write_all(b"0\r\n\r\n").await;
        let _ = self.0.shutdown().await;
    }

    /// A whole answer with a length: status, media, extra header lines, body.
    pub async fn whole(mut self, status: u16, media: &str, extra: &[&str], body: &str) {
        let extra: String = extra.iter().map(|line| format!("{line}\r\n")).collect();
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {media}\r\ncontent-length: {}\r\nconnection: close\r\n{extra}\r\n",
            body.len()
        );
        let _ = self.0.write_all(head.as_bytes()).await;
        let _ = self.0.write_all(body.as_bytes()).await;
    }
}
