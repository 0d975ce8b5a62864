//! The call's `authgen.call` span stays open while its stream is read and records the
//! items, the status and the duration when it ends. Alone in its binary: the subscriber
//! is the process's.

mod support;

use authgen_runtime::__private::Operation;
use authgen_runtime::CallOptions;
use support::stream::Scripted;
use support::ticks::{PostTicks, core};

mod span {
    use std::sync::{Arc, Mutex};

    use tracing::span::{Attributes, Id, Record};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    /// The `authgen.call` spans' fields as recorded, and when each closed.
    #[derive(Clone, Default)]
    pub struct Log(pub Arc<Mutex<Vec<String>>>);

    struct Fields<'l>(&'l mut Vec<String>);

    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push(format!("{}={value:?}", field.name()));
        }
    }

    impl<S: tracing::Subscriber> Layer<S> for Log {
        fn on_new_span(&self, attributes: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
            attributes.record(&mut Fields(&mut self.0.lock().unwrap()));
        }

        fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
            values.record(&mut Fields(&mut self.0.lock().unwrap()));
        }

        fn on_close(&self, _: Id, _: Context<'_, S>) {
            self.0.lock().unwrap().push("closed".into());
        }
    }

    /// The process's subscriber: global, since a thread's own would miss callsites
    /// that another thread registered first.
    pub fn install() -> Log {
        let log = Log::default();
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(log.clone())).unwrap();
        log
    }
}

#[tokio::test]
async fn the_calls_span_stays_open_until_the_stream_ends_and_counts_its_items() {
    let server = Scripted::start(|_, _, mut writer| async move {
        writer.head(200, "text/event-stream", &[]).await;
        writer.chunk("data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\n").await;
        writer.end().await;
    })
    .await;
    let log = span::install();
    let core = core(&server.url);
    let mut events = PostTicks::call(&core, PostTicks, CallOptions::new()).await.unwrap();
    events.next().await.unwrap().unwrap();
    events.next().await.unwrap().unwrap();
    assert!(!log.0.lock().unwrap().contains(&"closed".to_string()), "open while items are read");
    events.next().await.unwrap().unwrap();
    assert!(events.next().await.is_none());
    let log = log.0.lock().unwrap().clone();
    let closed =
        log.iter().position(|l| l == "closed").unwrap_or_else(|| panic!("closed at the end: {log:?}"));
    assert!(log[..closed].contains(&"authgen.stream.items=3".to_string()), "{log:?}");
    assert!(log[..closed].contains(&"http.response.status_code=200".to_string()), "{log:?}");
    assert!(log[..closed].iter().any(|l| l.starts_with("authgen.duration_ms=")), "{log:?}");
}
