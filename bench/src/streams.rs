//! Part 6, streams: server-sent events read as typed items, and a download read chunk
//! by chunk, through the runtime's `Events` and `Download`, against plain reqwest
//! reading the same bytes from the same loopback server (a hand-written SSE split and
//! the same serde types for the events). Throughput ratios, ours over reqwest's (higher
//! is better), alternating rounds; then the peak memory of a 256 MiB download, measured
//! in a child process of its own.
//!
//! The operations are written as the generator writes them: the runtime is what is
//! measured, the generated layer over it being a type and a constant.

use std::time::{Duration, Instant};

use authgen_runtime::__private::{Built, ClientCore, Decoded, EventStream, Format, Method, Operation, Reply};
use authgen_runtime::{Binary, CallOptions, Config, Events, HeaderMap};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::Mode;
use crate::report::value;

/// One chunk of a chat completion, as OpenAI streams it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Chunk {
    id: String,
    object: String,
    created: i64,
    model: String,
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Choice {
    index: i64,
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Delta {
    content: Option<String>,
}

const EVENT: &str = r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}"#;

const MIB: usize = 1 << 20;

#[derive(Clone)]
struct Completion;

impl Operation for Completion {
    type Output = Events<Chunk, ()>;
    type Error = ();
    type Headers = HeaderMap;

    fn request(self, core: &ClientCore) -> Built<'_> {
        Ok(core.request(Method::POST, "/events").stream("text/event-stream"))
    }

    fn decode(response: Reply) -> Decoded<Self> {
        match response.status() {
            200 => response.events(<Self as EventStream>::FORMAT),
            _ => Err(response.unexpected()),
        }
    }
}

impl EventStream for Completion {
    type Item = Chunk;
    const FORMAT: Format = Format::events().until("[DONE]");
}

struct File;

impl Operation for File {
    type Output = Binary;
    type Error = ();
    type Headers = HeaderMap;

    fn request(self, core: &ClientCore) -> Built<'_> {
        Ok(core.request(Method::GET, "/file"))
    }

    fn decode(response: Reply) -> Decoded<Self> {
        match response.status() {
            200 => response.binary(),
            _ => Err(response.unexpected()),
        }
    }
}

pub async fn run(mode: Mode) {
    let events = if mode.requests < 1000 { 20_000 } else { 100_000 };
    let download = if mode.requests < 1000 { 64 * MIB } else { 256 * MIB };
    let rounds = if mode.requests < 1000 { 5 } else { 11 };
    let server = Server::start(events, download).await;
    let core = ClientCore::new(Config::new().base_url(&server.url).allow_http_loopback(true), &[], &[])
        .expect("a client");
    let http = reqwest::Client::builder().no_proxy().build().expect("a client");
    let (ours, theirs) =
        alternate(rounds, || ours_events(&core), || reqwest_events(&http, &server.url)).await;
    report("sse_items", events as f64, ours, theirs, "items/s");
    let (ours, theirs) =
        alternate(rounds, || ours_download(&core), || reqwest_download(&http, &server.url)).await;
    report("download_bytes", download as f64, ours, theirs, "bytes/s");
    download_memory(&server.url);
}

/// Throughput of each (the median round's), and ours over reqwest's.
fn report(name: &str, amount: f64, ours: Duration, theirs: Duration, unit: &str) {
    let (ours, theirs) = (amount / ours.as_secs_f64(), amount / theirs.as_secs_f64());
    println!("# streams {name}: ours {ours:.0} {unit}, reqwest {theirs:.0} {unit}");
    value(&format!("streams_{name}_per_s/ours"), format!("{ours:.0}"), unit);
    value(&format!("streams_{name}_per_s/reqwest"), format!("{theirs:.0}"), unit);
    println!("ratio streams_{name}_throughput_vs_reqwest {:.3}", ours / theirs);
}

/// The median round of each, run in turn after one warm-up round each.
async fn alternate<A, AF, B, BF>(rounds: usize, a: A, b: B) -> (Duration, Duration)
where
    A: Fn() -> AF,
    AF: Future<Output = usize>,
    B: Fn() -> BF,
    BF: Future<Output = usize>,
{
    assert_eq!(a().await, b().await, "both read the same");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(a().await);
        ours.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(b().await);
        theirs.push(started.elapsed());
    }
    ours.sort_unstable();
    theirs.sort_unstable();
    (ours[rounds / 2], theirs[rounds / 2])
}

async fn ours_events(core: &ClientCore) -> usize {
    let mut events =
        authgen_runtime::__private::events(core, Completion, CallOptions::new()).await.expect("a stream");
    let mut count = 0;
    while let Some(chunk) = events.next().await {
        std::hint::black_box(chunk.expect("a chunk"));
        count += 1;
    }
    count
}

/// Plain reqwest: events split at blank lines, `data: ` stripped, decoded with serde.
async fn reqwest_events(http: &reqwest::Client, url: &str) -> usize {
    let mut response = http.post(format!("{url}/events")).send().await.expect("an answer");
    let (mut buffer, mut count) = (Vec::new(), 0);
    while let Some(chunk) = response.chunk().await.expect("a chunk") {
        buffer.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = buffer[start..].windows(2).position(|w| w == b"\n\n") {
            let event = &buffer[start..start + end];
            start += end + 2;
            let data = event.strip_prefix(b"data: ").expect("data");
            if data == b"[DONE]" {
                return count;
            }
            std::hint::black_box(serde_json::from_slice::<Chunk>(data).expect("a chunk"));
            count += 1;
        }
        buffer.drain(..start);
    }
    count
}

async fn ours_download(core: &ClientCore) -> usize {
    let mut body =
        authgen_runtime::__private::download(core, File, CallOptions::new()).await.expect("a body");
    let mut read = 0;
    while let Some(chunk) = body.next().await {
        read += chunk.expect("a chunk").len();
    }
    read
}

async fn reqwest_download(http: &reqwest::Client, url: &str) -> usize {
    let mut response = http.get(format!("{url}/file")).send().await.expect("an answer");
    let mut read = 0;
    while let Some(chunk) = response.chunk().await.expect("a chunk") {
        read += chunk.len();
    }
    read
}

/// Runs a 256 MiB download in a child process (this runner, `--download-memory <url>`)
/// and reports its peak resident memory.
fn download_memory(url: &str) {
    let exe = std::env::current_exe().expect("the runner");
    let out = std::process::Command::new(exe).args(["--download-memory", url]).output().expect("a child");
    let text = String::from_utf8_lossy(&out.stdout);
    let peak = text.lines().find_map(|l| l.strip_prefix("peak_kib ")).expect("the child's peak");
    let peak: u64 = peak.trim().parse().expect("a number");
    println!("# streams download 256 MiB: peak memory {} MiB", peak / 1024);
    value("streams_download_256mib_peak_rss", peak / 1024, "MiB");
}

/// The child's side: one 256 MiB download through `Download`, then `VmHWM`.
pub fn download_memory_child(url: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let read = runtime.block_on(async {
        let core = ClientCore::new(Config::new().base_url(url).allow_http_loopback(true), &[], &[])
            .expect("a client");
        let mut body =
            authgen_runtime::__private::download(&core, Big, CallOptions::new()).await.expect("a body");
        let mut read = 0;
        while let Some(chunk) = body.next().await {
            read += chunk.expect("a chunk").len();
        }
        read
    });
    assert_eq!(read, 256 * MIB);
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc");
    let peak = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).expect("VmHWM");
    println!("peak_kib {}", peak.trim().trim_end_matches("kB").trim());
}

/// `GET /big`: 256 MiB whatever the mode.
struct Big;

impl Operation for Big {
    type Output = Binary;
    type Error = ();
    type Headers = HeaderMap;

    fn request(self, core: &ClientCore) -> Built<'_> {
        Ok(core.request(Method::GET, "/big"))
    }

    fn decode(response: Reply) -> Decoded<Self> {
        File::decode(response)
    }
}

/// A loopback HTTP/1.1 server (keep-alive) answering `/events` with `events` events and
/// `[DONE]`, `/file` with `download` bytes, `/big` with 256 MiB; bodies written in
/// 64 KiB writes from memory prepared once, so the server is never what is measured.
struct Server {
    url: String,
}

impl Server {
    async fn start(events: usize, download: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let mut stream = EVENT.as_bytes().to_vec();
        stream.extend_from_slice(b"\n\n");
        let stream: Vec<u8> =
            stream.iter().copied().cycle().take(stream.len() * events).chain(*b"data: [DONE]\n\n").collect();
        let bodies: &'static [(&'static str, &'static str, Vec<u8>)] = Box::leak(Box::new([
            ("/events", "text/event-stream", stream),
            ("/file", "application/octet-stream", vec![7u8; download]),
            ("/big", "application/octet-stream", vec![7u8; 256 * MIB]),
        ]));
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                tokio::spawn(serve(connection, bodies));
            }
        });
        Server { url }
    }
}

async fn serve(mut connection: TcpStream, bodies: &'static [(&'static str, &'static str, Vec<u8>)]) {
    connection.set_nodelay(true).expect("nodelay");
    loop {
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            match connection.read_u8().await {
                Ok(byte) => head.push(byte),
                Err(_) => return,
            }
        }
        let head = String::from_utf8_lossy(&head);
        let path = head.split(' ').nth(1).unwrap_or_default();
        let Some((_, media, body)) = bodies.iter().find(|(p, ..)| *p == path) else { return };
        let reply =
            format!("HTTP/1.1 200 OK\r\ncontent-type: {media}\r\ncontent-length: {}\r\n\r\n", body.len());
        if connection.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
        for piece in body.chunks(64 << 10) {
            if connection.write_all(piece).await.is_err() {
                return;
            }
        }
    }
}
