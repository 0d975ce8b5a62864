//! Behaviour of the crate generated from `chat_completions.yaml` (the shape of OpenAI's
//! chat completions): awaited, the call answers JSON; `.events()` sets `stream: true`,
//! asks for `text/event-stream` and reads a recorded completion delta by delta, ending
//! at `data: [DONE]` though the connection stays open. The compile test copies this
//! file into the crate as `tests/behaviour.rs` and runs it.

use std::time::Duration;

use chat_completions::*;
use loopback::Server;

mod loopback;

/// A completion as OpenAI streams it (`gpt-4o-mini`, recorded), one event a write.
const RECORDED: &[&str] = &[
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" How can I help"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{"content":" you today?"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
    r#"data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
    "data: [DONE]",
];

const COMPLETION: &str = r#"{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":10,"total_tokens":19},"service_tier":"default","system_fingerprint":"fp_06737a9306"}"#;

fn request() -> CreateChatCompletionRequest {
    let message = ChatCompletionRequestMessage { role: Role::User, content: "Hello!".into() };
    CreateChatCompletionRequest { model: "gpt-4o-mini".into(), messages: vec![message], temperature: None, stream: None }
}

#[tokio::test]
async fn events_stream_a_recorded_completion_delta_by_delta_until_done() {
    let server = Server::handing(|mut connection| async move {
        connection.body().await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ntransfer-encoding: chunked\r\n\r\n";
        connection.write(head).await;
        for event in RECORDED {
            let event = format!("{event}\n\n");
            connection.write(&loopback::chunk(&event)).await;
        }
        // OpenAI closes after `[DONE]`; this server does not, and the stream ends anyway.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = Client::new(server.config("/v1")).unwrap().with_api_key_auth("sk-test");
    let mut deltas = client.create_chat_completion(request()).events().await.unwrap();
    let mut text = String::new();
    let mut finish = None;
    while let Some(chunk) = deltas.next().await {
        let chunk = chunk.unwrap();
        assert_eq!(chunk.object, CreateChatCompletionStreamResponseObject::ChatCompletionChunk);
        text.push_str(chunk.choices[0].delta.content.as_deref().unwrap_or_default());
        finish = finish.or(chunk.choices[0].finish_reason.clone());
    }
    assert_eq!(text, "Hello! How can I help you today?");
    assert_eq!(finish, Some(FinishReason::Stop));
    let seen = server.request();
    let lower = seen.to_ascii_lowercase();
    assert!(lower.contains("accept: text/event-stream\r\n"), "{seen}");
    assert!(!lower.contains("accept: application/json"), "the stream's type in place of JSON's: {seen}");
    assert!(lower.contains("authorization: bearer sk-test\r\n"), "{seen}");
    assert!(seen.ends_with(r#""stream":true}"#), "the body asks for the stream: {seen}");
}

#[tokio::test]
async fn awaited_the_call_answers_json() {
    let server = Server::handing(|mut connection| async move {
        connection.body().await;
        let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{COMPLETION}", COMPLETION.len());
        connection.write(&reply).await;
    })
    .await;
    let client = Client::new(server.config("/v1")).unwrap().with_api_key_auth("sk-test");
    let completion = client.create_chat_completion(request()).await.unwrap();
    assert_eq!(completion.choices[0].message.content.as_deref(), Some("Hello! How can I help you today?"));
    assert_eq!(completion.usage.map(|u| u.total_tokens), Some(19));
    let seen = server.request();
    assert!(seen.to_ascii_lowercase().contains("accept: application/json\r\n"), "{seen}");
    assert!(!seen.contains("\"stream\""), "{seen}");
}
