//! Streams against loopback servers: server-sent events and NDJSON given item by item as
//! they arrive, a dropped `GET` event stream resumed with `Last-Event-ID`, a dropped
//! `POST` one ending with an error, the WHATWG parsing rules end to end, the per-item
//! timeout.

mod support;

use std::time::{Duration, Instant};

use authgen_runtime::__private::Operation;
use authgen_runtime::{CallOptions, Error, TransportKind};
use support::stream::{Scripted, Writer};
use support::ticks::{GetLines, GetTicks, PostTicks, Tick, core, drain};
use tokio::sync::mpsc;

/// A script writing items 1 to 5 `300 ms` apart, each only once the test says the one
/// before it has arrived: a client that waited for the whole body would wait forever.
async fn five_paced(
    mut writer: Writer,
    media: &str,
    item: fn(u32) -> String,
    mut arrived: mpsc::Receiver<u32>,
) {
    writer.head(200, media, &[]).await;
    for n in 1..=5 {
        writer.chunk(item(n)).await;
        if n < 5 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let told = tokio::time::timeout(Duration::from_secs(5), arrived.recv()).await;
            assert_eq!(told.ok().flatten(), Some(n), "item {n} reached the caller before {} was sent", n + 1);
        }
    }
    writer.end().await;
}

async fn each_item_arrives_before_the_next_is_sent(
    media: &'static str,
    item: fn(u32) -> String,
    lines: bool,
) {
    let (tell, arrived) = mpsc::channel(8);
    let arrived = std::sync::Mutex::new(Some(arrived));
    let server = Scripted::start(move |_, _, writer| {
        let arrived = arrived.lock().unwrap().take().unwrap();
        five_paced(writer, media, item, arrived)
    })
    .await;
    let core = core(&server.url);
    let started = Instant::now();
    let mut stream = if lines {
        GetLines::call(&core, GetLines, CallOptions::new()).await.unwrap()
    } else {
        GetTicks::call(&core, GetTicks, CallOptions::new()).await.unwrap()
    };
    let mut got = Vec::new();
    while let Some(tick) = stream.next().await {
        let n = tick.unwrap().n;
        if n == 1 {
            // The whole stream takes 1.2 s: an item before 1 s was not held for the rest.
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "the first item came after {:?}",
                started.elapsed()
            );
        }
        got.push(n);
        let _ = tell.send(n).await;
    }
    assert_eq!(got, [1, 2, 3, 4, 5]);
    let accept = server.requests()[0].headers("accept");
    assert_eq!(accept, [media], "the stream's media type is asked for");
}

#[tokio::test]
async fn server_sent_events_arrive_one_by_one_in_order() {
    let event = |n| format!("id: {n}\nevent: tick\ndata: {{\"n\":{n}}}\n\n");
    each_item_arrives_before_the_next_is_sent("text/event-stream", event, false).await;
}

#[tokio::test]
async fn ndjson_lines_arrive_one_by_one_in_order() {
    let line = |n| format!("{{\"n\":{n}}}\n");
    each_item_arrives_before_the_next_is_sent("application/x-ndjson", line, true).await;
}

/// Events 1 and 2 with ids, then the connection breaks; the second connection sends 2
/// again (as a careless server does) and then 3, 4, 5.
async fn dropped_after_two(n: usize, _: support::Recorded, mut writer: Writer) {
    writer.head(200, "text/event-stream", &[]).await;
    let events: &[u32] = if n == 0 { &[1, 2] } else { &[2, 3, 4, 5] };
    writer.chunk("retry: 20\n\n").await;
    for id in events {
        writer.chunk(format!("id: {id}\ndata: {{\"n\":{id}}}\n\n")).await;
    }
    if n == 0 {
        writer.chunk("data: {\"n\":").await;
        return; // dropped midway through an event
    }
    writer.end().await;
}

#[tokio::test]
async fn a_dropped_get_stream_resumes_with_the_last_event_id_and_repeats_nothing() {
    let server = Scripted::start(dropped_after_two).await;
    let core = core(&server.url);
    let items = drain(GetTicks::call(&core, GetTicks, CallOptions::new()).await.unwrap()).await;
    assert_eq!(items, [Ok(1), Ok(2), Ok(3), Ok(4), Ok(5)], "no error item, no repeat");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].headers("last-event-id").is_empty());
    assert_eq!(requests[1].headers("last-event-id"), ["2"]);
}

#[tokio::test]
async fn a_dropped_post_stream_ends_with_an_error_and_is_not_sent_again() {
    let server = Scripted::start(dropped_after_two).await;
    let core = core(&server.url);
    let items = drain(PostTicks::call(&core, PostTicks, CallOptions::new()).await.unwrap()).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[..2], [Ok(1), Ok(2)]);
    assert!(items[2].as_ref().unwrap_err().starts_with("could not read the answer"), "{items:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_resumption_that_keeps_failing_ends_with_its_error() {
    let server = Scripted::start(|n, _, mut writer| async move {
        if n > 0 {
            return writer.whole(503, "text/plain", &[], "down").await;
        }
        writer.head(200, "text/event-stream", &[]).await;
        writer.chunk("retry: 1\nid: 1\ndata: {\"n\":1}\n\n").await;
    })
    .await;
    let core = core(&server.url);
    let options = CallOptions::new().retry(authgen_runtime::RetryPolicy::off());
    let items = drain(GetTicks::call(&core, GetTicks, options).await.unwrap()).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[1],
        Err("the server answered 503 Service Unavailable, which the spec does not document".into())
    );
    assert_eq!(server.requests().len(), 4, "the first connection and 3 resumptions");
}

#[tokio::test]
async fn multi_line_data_comments_names_and_the_done_sentinel() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "text/event-stream", &[]).await;
        writer.chunk(": a comment\r\nevent: first\r\ndata: {\"n\":\r\ndata: 1}\r\n\r\n").await;
        writer.chunk("data: {\"n\": 2}\n\n: keep-alive\n\n").await;
        writer.chunk("data: [DONE]\n\ndata: {\"n\":3}\n\n").await;
        // The connection stays open: the sentinel, not the close, ends the stream.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let core = core(&server.url);
    let mut events = GetTicks::call(&core, GetTicks, CallOptions::new()).await.unwrap();
    assert_eq!(events.next().await.unwrap().unwrap(), Tick { n: 1 });
    assert_eq!(events.event_name(), Some("first"));
    assert_eq!(events.next().await.unwrap().unwrap(), Tick { n: 2 });
    assert_eq!(events.event_name(), None);
    assert!(events.next().await.is_none());
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn an_item_that_does_not_decode_is_an_error_item_and_the_stream_goes_on() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "application/x-ndjson", &[]).await;
        writer.chunk("{\"n\":1}\n{\"n\":\"secret-value\"}\n{\"n\":3}").await;
        writer.end().await;
    })
    .await;
    let core = core(&server.url);
    let items = drain(GetLines::call(&core, GetLines, CallOptions::new()).await.unwrap()).await;
    assert_eq!(items[0], Ok(1));
    let error = items[1].as_ref().unwrap_err();
    assert!(error.contains("an item of the stream: at `n`") && !error.contains("secret"), "{error}");
    assert_eq!(items[2], Ok(3), "a last line without its line break is an item");
}

#[tokio::test]
async fn the_timeout_bounds_each_item_not_the_stream() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "text/event-stream", &[]).await;
        for n in 1..=4 {
            writer.chunk(format!("data: {{\"n\":{n}}}\n\n")).await;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let core = core(&server.url);
    let options = CallOptions::new().timeout(Duration::from_millis(400));
    let mut events = PostTicks::call(&core, PostTicks, options).await.unwrap();
    for n in 1..=4 {
        assert_eq!(events.next().await.unwrap().unwrap().n, n, "600 ms in all, 150 each");
    }
    let Some(Err(Error::Transport(error))) = events.next().await else { panic!("a timeout") };
    assert_eq!(error.kind(), TransportKind::Timeout);
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn an_error_status_is_the_calls_error_with_its_headers() {
    let server = Scripted::start(|_, _, writer| async move {
        writer.whole(429, "application/json", &["x-request-id: req-9", "retry-after: 60"], "{}").await;
    })
    .await;
    let core = core(&server.url);
    let options = CallOptions::new().retry(authgen_runtime::RetryPolicy::off());
    let error = GetTicks::call(&core, GetTicks, options).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.headers().unwrap()["x-request-id"], "req-9");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
}
