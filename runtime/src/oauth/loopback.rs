//! [`LoopbackRedirect`]: where the browser comes back to a command-line or desktop
//! program after sign-in (RFC 8252 §7.3): `http://127.0.0.1:<port>/callback` on a port
//! the system picks (or one the server insists on), served just long enough to take one
//! redirect.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::token::TokenError;

/// The path unless one is given.
pub(crate) const DEFAULT_PATH: &str = "/callback";
/// A request line and headers larger than this are not a browser's redirect.
const MAX_REQUEST: usize = 16 << 10;
const PAGE: &str = "<!DOCTYPE html><html><head><title>Signed in</title></head>\
<body><p>The program has your answer: you can close this window.</p></body></html>";

/// A listener on `127.0.0.1`, a free port, for one authorization redirect.
#[derive(Debug)]
pub struct LoopbackRedirect {
    listener: TcpListener,
    port: u16,
    path: String,
}

impl LoopbackRedirect {
    /// Listens on `127.0.0.1`, a port the system picks, for `/callback`: what servers that
    /// follow RFC 8252 §7.3 accept for a client registered with `http://127.0.0.1/callback`.
    pub async fn bind() -> std::io::Result<LoopbackRedirect> {
        LoopbackRedirect::bind_on(0, DEFAULT_PATH).await
    }

    /// Listens on `127.0.0.1:<port>` for `path`, for servers that want the registered
    /// redirect URI to the letter (`port` 0: the system picks).
    pub async fn bind_on(port: u16, path: &str) -> std::io::Result<LoopbackRedirect> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
        Ok(LoopbackRedirect { listener, port, path })
    }

    /// `http://127.0.0.1:<port><path>`: the `redirect_uri` to send.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Waits (at most `timeout`) for the browser's `GET /callback?…` with a `code` or an
    /// `error`, answers it with a page saying the window can be closed, and gives the
    /// full URL it asked for. Other requests (a `favicon.ico`, a stray connection) get a
    /// 404 and the wait goes on.
    pub async fn receive(self, timeout: Duration) -> Result<String, TokenError> {
        let waiting = async {
            loop {
                match self.listener.accept().await {
                    Ok((stream, _)) => {
                        if let Some(url) = self.answer(stream).await {
                            return url;
                        }
                    }
                    // Out of file descriptors, say: wait a little rather than spin.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        };
        tokio::time::timeout(timeout, waiting).await.map_err(|_| {
            TokenError::new(format!("no sign-in came back within {} s", timeout.as_secs()), false)
        })
    }

    /// Reads one request; the callback URL if it is the redirect.
    async fn answer(&self, mut stream: TcpStream) -> Option<String> {
        let target = read_target(&mut stream).await;
        let redirect = target
            .filter(|t| is_redirect(t, &self.path))
            .map(|t| format!("http://127.0.0.1:{}{t}", self.port));
        let (status, body) = if redirect.is_some() { ("200 OK", PAGE) } else { ("404 Not Found", "") };
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(format!("{head}{body}").as_bytes()).await;
        let _ = stream.shutdown().await;
        redirect
    }
}

/// The target of a `GET` request (`/callback?code=…`), read up to the end of its headers.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 2048];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let read =
            tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await.ok()?.ok()?;
        if read == 0 || request.len() + read > MAX_REQUEST {
            return None;
        }
        request.extend_from_slice(&buffer[..read]);
    }
    let line = std::str::from_utf8(&request).ok()?.lines().next()?;
    let mut words = line.split(' ');
    let (method, target) = (words.next()?, words.next()?);
    (method == "GET").then(|| target.to_string())
}

/// True for `<expected>?…` carrying a `code` or an `error`.
fn is_redirect(target: &str, expected: &str) -> bool {
    let Some((path, query)) = target.split_once('?') else { return false };
    path == expected
        && url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "code" || name == "error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_with_an_answer_is_the_redirect() {
        assert!(is_redirect("/callback?code=abc&state=x", "/callback"));
        assert!(is_redirect("/callback?error=access_denied&state=x", "/callback"));
        assert!(!is_redirect("/callback?state=x", "/callback"));
        assert!(!is_redirect("/favicon.ico", "/callback"));
        assert!(!is_redirect("/other?code=abc", "/callback"));
        assert!(is_redirect("/oauth/cb?code=abc", "/oauth/cb"));
    }
}
