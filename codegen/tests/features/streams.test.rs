//! Behaviour of the crate generated from `streams.yaml` against local servers: an event
//! stream and NDJSON read item by item through the generated calls, a documented header
//! read typed, an error that keeps its headers, and a 256 MiB download and a 256 MiB
//! upload from a file that keep the process's peak memory under 96 MiB. The compile test
//! copies this file into the crate as `tests/behaviour.rs` and runs it.

use authgen_runtime::{Binary, Error};
use loopback::{Server, chunk};
use streams::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod loopback;

const MIB: u64 = 1 << 20;

#[tokio::test]
async fn an_event_stream_is_awaited_then_read_item_by_item() {
    let server = Server::handing(|mut connection| async move {
        connection.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n").await;
        connection.write(&chunk("id: 1\nevent: tick\ndata: {\"n\":1}\n\n")).await;
        connection.write(&chunk(": comment\n\nid: 2\ndata: {\"n\":2}\n\n")).await;
        connection.write("0\r\n\r\n").await;
    })
    .await;
    let mut ticks = Client::new(server.config("/v1")).unwrap().stream_ticks().await.unwrap();
    let first = ticks.next().await.unwrap().unwrap();
    assert_eq!((first.n, ticks.event_name(), ticks.event_id()), (1, Some("tick"), Some("1")));
    assert_eq!(ticks.next().await.unwrap().unwrap(), Tick { n: 2 });
    assert!(ticks.next().await.is_none());
    let head = server.request().to_ascii_lowercase();
    assert!(head.contains("accept: text/event-stream\r\n"), "{head}");
}

#[tokio::test]
async fn ndjson_items_decode_to_the_item_schema() {
    let server = Server::handing(|mut connection| async move {
        let body = "{\"level\":\"info\",\"message\":\"up\"}\n{\"level\":\"warn\",\"message\":\"slow\"}\n";
        let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        connection.write(&reply).await;
    })
    .await;
    let mut logs = Client::new(server.config("/v1")).unwrap().tail_logs().await.unwrap();
    let first = logs.next().await.unwrap().unwrap();
    assert_eq!((first.level, first.message.as_str()), (Level::Info, "up"));
    assert_eq!(logs.next().await.unwrap().unwrap().level, Level::Warn);
    assert!(logs.next().await.is_none());
}

#[tokio::test]
async fn with_response_reads_a_documented_header_typed() {
    let server = Server::handing(|mut connection| async move {
        let body = r#"{"limit":100}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-rate-limit-remaining: 42\r\nx-cache: hit\r\netag: \"v7\"\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        connection.write(&reply).await;
    })
    .await;
    let quota = Client::new(server.config("/v1")).unwrap().get_quota().with_response().await.unwrap();
    assert_eq!(quota.status(), 200);
    assert_eq!(quota.headers().x_rate_limit_remaining(), Some(42));
    assert_eq!(quota.headers().x_cache(), Some(GetQuotaXCacheHeader::Hit));
    assert_eq!(quota.headers()["etag"], "\"v7\"", "every header, documented or not");
    assert_eq!(quota.limit, Some(100), "derefs to the body");
    assert_eq!(quota.into_inner(), GetQuotaResponse { limit: Some(100) });
}

#[tokio::test]
async fn a_documented_error_keeps_its_headers() {
    let server = Server::handing(|mut connection| async move {
        let body = r#"{"title":"slow down"}"#;
        let reply = format!(
            "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nx-request-id: req-7\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        connection.write(&reply).await;
    })
    .await;
    let config = server.config("/v1").retry(authgen_runtime::RetryPolicy::off());
    let error = Client::new(config).unwrap().stream_ticks().await.unwrap_err();
    let Error::Status { error: StreamTicksError::TooManyRequests(problem), .. } = &error else { panic!("{error:?}") };
    assert_eq!(problem.title.as_deref(), Some("slow down"));
    assert_eq!(error.headers().unwrap()["x-request-id"], "req-7");
}

/// Runs `work` in a fresh process (this test binary, running only `test`), where the
/// peak memory measured is the work's alone; it fails there if the peak passes 96 MiB.
fn in_own_process(test: &str, work: impl FnOnce() -> u64) {
    if std::env::var_os("STREAMS_MEMORY_CHILD").is_some() {
        let bytes = work();
        let peak = peak_rss_kib();
        println!("moved {} MiB, peak memory {} MiB", bytes / MIB, peak / 1024);
        assert_eq!(bytes, 256 * MIB);
        assert!(peak < 96 * 1024, "peak memory {peak} KiB");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("STREAMS_MEMORY_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    println!("{text}");
    assert!(out.status.success() && text.contains("peak memory"), "{text}");
}

/// The process's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn a_256_mib_download_keeps_memory_bounded() {
    in_own_process("a_256_mib_download_keeps_memory_bounded", || {
        runtime().block_on(async {
            let server = Server::handing(|mut connection| async move {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n", 256 * MIB);
                connection.write(&head).await;
                let block = vec![7u8; 1 << 16];
                for _ in 0..(256 * MIB >> 16) {
                    connection.stream.write_all(&block).await.unwrap();
                }
            })
            .await;
            let mut file = Client::new(server.config("/v1")).unwrap().download_file("big.bin").download().await.unwrap();
            assert_eq!(file.content_length(), Some(256 * MIB));
            let mut read = 0;
            while let Some(chunk) = file.next().await {
                read += chunk.unwrap().len() as u64;
            }
            read
        })
    });
}

#[test]
fn a_256_mib_upload_from_a_file_keeps_memory_bounded() {
    in_own_process("a_256_mib_upload_from_a_file_keeps_memory_bounded", || {
        // A sparse file: 256 MiB long, no block of it written to the disk.
        let path = std::env::temp_dir().join(format!("streams-upload-{}.bin", std::process::id()));
        std::fs::File::create(&path).unwrap().set_len(256 * MIB).unwrap();
        let received = runtime().block_on(async {
            let server = Server::handing(|mut connection| async move {
                let length: u64 = connection.head.lines().find_map(|l| l.strip_prefix("content-length: ")).unwrap().parse().unwrap();
                let mut buffer = vec![0u8; 1 << 16];
                let mut left = length;
                while left > 0 {
                    left -= connection.stream.read(&mut buffer).await.unwrap() as u64;
                }
                let body = format!("{{\"size\":{length}}}");
                let reply = format!("HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nlocation: /v1/files/big.bin\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                connection.write(&reply).await;
            })
            .await;
            let stored = Client::new(server.config("/v1")).unwrap().upload_file("big.bin", Binary::from_file(&path)).await.unwrap();
            assert!(server.request().contains(&format!("content-length: {}\r\n", 256 * MIB)));
            stored.size as u64
        });
        std::fs::remove_file(&path).unwrap();
        received
    });
}
