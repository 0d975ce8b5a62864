//! Behaviour of the crate generated from `operations.yaml` against a local HTTP server
//! that records the request it gets: parameters in their styles, form, multipart,
//! text and binary bodies, and the answers read by their media types. The compile
//! test copies this file into the crate as `tests/behaviour.rs` and runs it.

use authgen_runtime::chrono::{DateTime, NaiveDate, Utc};
use authgen_runtime::uuid::Uuid;
use authgen_runtime::{Binary, Config, Error};
use loopback::{Connection, Server, first_line, reply};
use operations::*;

mod loopback;

/// A server answering with `replies`, in order, one a connection; the client's
/// configuration for it.
async fn serve(replies: Vec<String>) -> (Config, Server) {
    let server = Server::replying(replies).await;
    (server.config("/v1"), server)
}

fn idempotency_key(request: &str) -> Option<&str> {
    request.lines().find_map(|l| l.strip_prefix("idempotency-key: ").or_else(|| l.strip_prefix("Idempotency-Key: ")))
}

#[tokio::test]
async fn query_header_and_cookie_parameters_follow_their_styles() {
    let (config, server) = serve(vec![reply("200 OK", "application/json", r#"[{"id":"a"}]"#)]).await;
    let client = Client::new(config).unwrap().with_api_key("key-1");
    let created = Created::CreatedVariant1(CreatedVariant1 { gt: Some(1), lte: Some(5) });
    let tags = ["red".to_string(), "blue green".to_string()];
    let items = client.list_items().created(created).limit(20).tag(tags).x_request_id("req-7").session("s1").await.unwrap();
    assert_eq!(items[0].id.as_deref(), Some("a"));
    let request = server.request();
    let line = request.lines().next().unwrap();
    assert_eq!(line, "GET /v1/items?tag=red&tag=blue+green&created%5Bgt%5D=1&created%5Blte%5D=5&limit=20 HTTP/1.1");
    let lower = request.to_ascii_lowercase();
    assert!(lower.contains("x-request-id: req-7\r\n"), "{request}");
    assert!(lower.contains("cookie: session=s1\r\n"), "{request}");
    assert!(lower.contains("x-api-key: key-1\r\n"), "{request}");
}

#[tokio::test]
async fn a_limit_is_checked_before_sending() {
    let client = Client::new(Config::new().base_url("http://127.0.0.1:9/v1").allow_http_loopback(true)).unwrap();
    let err = client.with_api_key("k").list_items().limit(101).await.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn a_range_status_and_default_are_typed() {
    let (config, _server) = serve(vec![reply("418 I'm a teapot", "application/json", r#"{"message":"short and stout"}"#)]).await;
    let err = Client::new(config).unwrap().with_api_key("k").list_items().await.unwrap_err();
    let Error::Status { error: ListItemsError::ClientError(body), .. } = err else { panic!("{err:?}") };
    assert_eq!(body.message.as_deref(), Some("short and stout"));
}

#[tokio::test]
async fn form_bodies_nest_in_brackets() {
    let (config, server) = serve(vec![reply("201 Created", "application/json", r#"{"id":"i1"}"#)]).await;
    let body = CreateItemRequest {
        name: "lamp".into(),
        metadata: Some([("order".to_string(), "7".to_string())].into()),
        expand: Some(vec!["a".into(), "b".into()]),
    };
    let created = Client::new(config).unwrap().with_api_key("k").create_item(body).await.unwrap();
    assert!(matches!(created, CreateItemSuccess::Created(ref c) if c.id.as_deref() == Some("i1")));
    let request = server.request();
    assert!(request.to_ascii_lowercase().contains("content-type: application/x-www-form-urlencoded\r\n"));
    assert!(request.ends_with("\r\n\r\nname=lamp&metadata%5Border%5D=7&expand=a&expand=b"), "{request}");
}

#[tokio::test]
async fn multipart_bodies_carry_fields_as_text_and_binaries_as_files() {
    let (config, server) = serve(vec![reply("200 OK", "application/json", "")]).await;
    let body = UploadFileRequest { purpose: Some("avatar".into()), file: Binary::from(b"\x89PNG".to_vec()), thumbnail: None };
    Client::new(config).unwrap().with_api_key("k").upload_file(body).await.unwrap();
    let request = server.request();
    assert!(request.contains("multipart/form-data; boundary="), "{request}");
    assert!(request.contains("Content-Disposition: form-data; name=\"purpose\"\r\n\r\navatar\r\n"), "{request}");
    assert!(request.contains("Content-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\n\u{fffd}PNG\r\n"), "{request}");
    assert!(!request.contains("thumbnail"), "an absent file is no part");
}

#[tokio::test]
async fn binary_and_text_bodies_go_as_they_are() {
    let (config, server) = serve(vec![reply("204 No Content", "text/plain", "")]).await;
    let client = Client::new(config).unwrap().with_api_key("k");
    client.put_content("a/b").body(Binary::from(b"raw".to_vec())).await.unwrap();
    let request = server.request();
    assert!(request.starts_with("PUT /v1/files/a%2Fb/content HTTP/1.1"), "{request}");
    assert!(request.to_ascii_lowercase().contains("content-type: application/octet-stream\r\n"));
    assert!(request.ends_with("\r\n\r\nraw"));

    let (config, server) = serve(vec![reply("200 OK", "text/csv", "a,b\n1,2\n")]).await;
    #[allow(deprecated)] // The fixture marks `postNote` deprecated.
    let echoed = Client::new(config).unwrap().post_note("hello").await.unwrap();
    assert_eq!(echoed, "a,b\n1,2\n");
    let request = server.request();
    assert!(request.to_ascii_lowercase().contains("content-type: text/plain\r\n"));
    assert!(!request.to_ascii_lowercase().contains("x-api-key"), "security: [] sends no key");
}

#[tokio::test]
async fn binary_and_text_answers_are_read_by_their_media_type() {
    let (config, _server) = serve(vec![reply("200 OK", "application/pdf", "%PDF-1.7")]).await;
    let pdf = Client::new(config).unwrap().with_api_key("k").get_content("f1").await.unwrap();
    assert_eq!(pdf.as_bytes(), b"%PDF-1.7");
    let (config, _server) = serve(vec![reply("404 Not Found", "text/plain", "no such file")]).await;
    let err = Client::new(config).unwrap().with_api_key("k").get_content("f2").await.unwrap_err();
    let Error::Status { error: GetContentError::NotFound(text), .. } = err else { panic!("{err:?}") };
    assert_eq!(text, "no such file");
}

#[tokio::test]
async fn an_idempotency_key_is_filled_and_kept_across_the_retry_of_a_post() {
    let unavailable = reply("503 Service Unavailable", "text/plain", "busy");
    let answer = r#"{"id":"ch_1","outcome":"disputed"}"#;
    let (config, server) = serve(vec![unavailable, reply("200 OK", "application/json", answer)]).await;
    let charged = Client::new(config).unwrap().charge_card().await.unwrap();
    assert_eq!(charged.id.as_deref(), Some("ch_1"));
    assert_eq!(charged.outcome, Some(Outcome::Other("disputed".into())), "a value the spec does not list, kept");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one retry after the 503");
    let keys: Vec<&str> = requests.iter().map(|r| idempotency_key(r).expect("a key on every attempt")).collect();
    assert_eq!(keys[0], keys[1], "the same key on the retry");
    assert!(keys[0].len() >= 16, "a fresh random key: {}", keys[0]);
}

#[tokio::test]
async fn a_post_marked_idempotent_is_retried_and_an_unmarked_one_is_sent_once() {
    let unavailable = || reply("503 Service Unavailable", "text/plain", "busy");
    let (config, server) = serve(vec![unavailable(), reply("204 No Content", "text/plain", "")]).await;
    Client::new(config).unwrap().refund().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    let (config, server) = serve(vec![unavailable(), unavailable()]).await;
    #[allow(deprecated)] // The fixture marks `postNote` deprecated.
    let note = Client::new(config).unwrap().post_note("n").await;
    assert_eq!(note.err().and_then(|e| e.status()).map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1, "a POST answered 503 is sent once");
}

#[tokio::test]
async fn a_given_idempotency_key_is_sent_on_every_attempt() {
    let unavailable = reply("503 Service Unavailable", "text/plain", "busy");
    let answer = r#"{"id":"ch_2"}"#;
    let (config, server) = serve(vec![unavailable, reply("200 OK", "application/json", answer)]).await;
    Client::new(config).unwrap().charge_card().idempotency_key("order-42").await.unwrap();
    let requests = server.requests();
    let keys: Vec<Option<&str>> = requests.iter().map(|r| idempotency_key(r)).collect();
    assert_eq!(keys, [Some("order-42"), Some("order-42")]);
}

#[tokio::test]
async fn per_call_options_change_one_call_only() {
    let unavailable = || reply("503 Service Unavailable", "text/plain", "busy");
    let (config, server) = serve(vec![unavailable(), unavailable()]).await;
    let client = Client::new(config).unwrap();
    let refused = client.refund().retry(authgen_runtime::RetryPolicy::off()).header("x-trace", "t-1").await;
    assert_eq!(refused.err().and_then(|e| e.status()).map(|s| s.as_u16()), Some(503));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "retries off for this call: one request");
    assert!(requests[0].to_ascii_lowercase().contains("x-trace: t-1\r\n"), "{}", requests[0]);
    let bad = client.refund().header("x-trace", "line\nbreak").await.unwrap_err();
    assert!(matches!(bad, Error::Invalid(_)), "{bad}");
}

#[tokio::test]
async fn a_per_call_timeout_bounds_that_call() {
    // Reads each request and never answers.
    let silent = Server::handing(|connection: Connection| async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        drop(connection);
    })
    .await;
    let client = Client::new(silent.config("/v1")).unwrap();
    let started = std::time::Instant::now();
    let err = client.refund().timeout(std::time::Duration::from_millis(200)).retry(authgen_runtime::RetryPolicy::off()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "the call's timeout, not the client's 30 s");
}

#[tokio::test]
async fn dates_and_uuids_round_trip_typed() {
    let id: Uuid = "30a622fd-11aa-464a-8eaf-6fa868540cb0".parse().unwrap();
    let at: DateTime<Utc> = "2026-11-27T08:30:05.250Z".parse().unwrap();
    let answer = format!(r#"{{"id":"{id}","at":"2026-11-27T10:30:05.250+02:00","day":"2026-11-27"}}"#);
    let (config, server) = serve(vec![reply("200 OK", "application/json", &answer)]).await;
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let event = Client::new(config).unwrap().get_event(id).since(at).day(day).await.unwrap();
    assert_eq!((event.id, event.at, event.day), (id, at, NaiveDate::from_ymd_opt(2026, 11, 27)));
    let line = server.request().lines().next().unwrap().to_string();
    assert_eq!(line, format!("GET /v1/events/{id}?since=2026-11-27T08%3A30%3A05.250Z&day=2026-02-28 HTTP/1.1"));
}

#[tokio::test]
async fn a_bad_date_is_a_decode_error_naming_its_field() {
    let answer = r#"{"id":"30a622fd-11aa-464a-8eaf-6fa868540cb0","at":"27/11/2026 08:30"}"#;
    let (config, _server) = serve(vec![reply("200 OK", "application/json", answer)]).await;
    let err = Client::new(config).unwrap().get_event(Uuid::nil()).await.unwrap_err();
    let Error::Decode { message, .. } = &err else { panic!("{err}") };
    assert!(message.starts_with("at `at`:"), "{message}");
    assert!(!message.contains("27/11"), "no value of the body in the message: {message}");
}

/// Two pages of customers, Stripe style: three in all.
fn stripe_pages() -> Vec<String> {
    vec![
        reply("200 OK", "application/json", r#"{"data":[{"id":"cus_1"},{"id":"cus_2"}],"has_more":true}"#),
        reply("200 OK", "application/json", r#"{"data":[{"id":"cus_3"}],"has_more":false}"#),
    ]
}

#[tokio::test]
async fn stripe_cursors_page_through_every_item() {
    let (config, server) = serve(stripe_pages()).await;
    let client = Client::new(config).unwrap();
    let mut customers = client.list_customers().limit(2).stream();
    let mut ids = Vec::new();
    while let Some(customer) = customers.next().await {
        ids.push(customer.unwrap().id);
    }
    assert_eq!(ids, ["cus_1", "cus_2", "cus_3"]);
    let requests = server.requests();
    let lines: Vec<&str> = requests.iter().map(|r| first_line(r)).collect();
    assert_eq!(lines, ["GET /v1/customers?limit=2 HTTP/1.1", "GET /v1/customers?limit=2&starting_after=cus_2 HTTP/1.1"]);
}

#[tokio::test]
async fn stopping_within_the_first_page_sends_one_request() {
    let (config, server) = serve(stripe_pages()).await;
    let client = Client::new(config).unwrap();
    let mut customers = client.list_customers().stream();
    assert_eq!(customers.next().await.unwrap().unwrap().id, "cus_1");
    assert_eq!(customers.next().await.unwrap().unwrap().id, "cus_2");
    drop(customers);
    assert_eq!(server.requests().len(), 1, "the second page is never asked for");
}

#[tokio::test]
async fn oxide_page_tokens_page_until_there_is_none() {
    let pages = vec![
        reply("200 OK", "application/json", r#"{"items":[{"name":"a"}],"next_page":"tok 2"}"#),
        reply("200 OK", "application/json", r#"{"items":[{"name":"b"}],"next_page":null}"#),
    ];
    let (config, server) = serve(pages).await;
    let client = Client::new(config).unwrap();
    let mut projects = client.list_projects().stream();
    let mut names = Vec::new();
    while let Some(project) = projects.next().await {
        names.push(project.unwrap().name.unwrap());
    }
    assert_eq!(names, ["a", "b"]);
    let requests = server.requests();
    assert_eq!(first_line(&requests[1]), "GET /v1/projects?page_token=tok+2 HTTP/1.1");
}

#[tokio::test]
async fn link_headers_lead_to_the_next_page_on_the_same_server() {
    let linked = |body: &str, link: &str| {
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlink: {link}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
    };
    let pages = vec![
        linked(r#"["a","b"]"#, r#"</v1/pages?page=1>; rel="prev", </v1/pages?page=2>; rel="next""#),
        reply("200 OK", "application/json", r#"["c"]"#),
    ];
    let (config, server) = serve(pages).await;
    let client = Client::new(config).unwrap();
    let mut names = Vec::new();
    let mut pages = client.list_pages().stream();
    while let Some(name) = pages.next().await {
        names.push(name.unwrap());
    }
    assert_eq!(names, ["a", "b", "c"]);
    let requests = server.requests();
    assert_eq!(first_line(&requests[1]), "GET /v1/pages?page=2 HTTP/1.1");

    let (config, server) = serve(vec![linked(r#"["a"]"#, r#"<https://elsewhere.test/steal>; rel="next""#)]).await;
    let client = Client::new(config).unwrap();
    let mut pages = client.list_pages().stream();
    assert_eq!(pages.next().await.unwrap().unwrap(), "a");
    let refused = pages.next().await.unwrap().unwrap_err();
    assert!(matches!(refused, Error::Invalid(_)), "{refused}");
    assert!(pages.next().await.is_none(), "an error ends the stream");
    assert_eq!(server.requests().len(), 1, "another server's link is not followed");
}

#[tokio::test]
async fn pages_stated_by_the_extension_follow_its_names() {
    let pages = vec![
        reply("200 OK", "application/json", r#"{"entries":["x"],"nextCursor":"c2"}"#),
        reply("200 OK", "application/json", r#"{"entries":["y"]}"#),
    ];
    let (config, server) = serve(pages).await;
    let client = Client::new(config).unwrap();
    let mut lines = client.list_logs().stream();
    let (first, second) = (lines.next().await.unwrap().unwrap(), lines.next().await.unwrap().unwrap());
    assert_eq!((first.as_str(), second.as_str()), ("x", "y"));
    assert!(lines.next().await.is_none());
    assert_eq!(first_line(&server.requests()[1]), "GET /v1/logs?after=c2 HTTP/1.1");
}

#[tokio::test]
async fn path_and_header_parameters_follow_their_styles_with_their_delimiters_as_they_are() {
    let (config, server) = serve(vec![reply("204 No Content", "application/json", "")]).await;
    let client = Client::new(config).unwrap();
    let (corner, window) = (Corner { x: 3, y: 4 }, XWindow { from: 5, to: 9 });
    client.get_grid([1, 2], corner, ["a b", "c,d"], window).await.unwrap();
    let request = server.request();
    assert_eq!(first_line(&request), "GET /v1/grid/.1,2/;x=3;y=4/a%20b,c%2Cd HTTP/1.1");
    assert!(request.to_ascii_lowercase().contains("x-window: from=5,to=9\r\n"), "{request}");
}
