//! Operations answering with a stream of ticks, written as the generator writes them.

#![allow(dead_code)] // Each test file uses part of it.

use authgen_runtime::__private::{
    Built, ClientCore, Decoded, EventStream, Format, Method, Operation, Reply, events,
};
use authgen_runtime::{CallOptions, Config, Events, HeaderMap};

#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct Tick {
    pub n: u32,
}

/// An operation answering only with a stream of ticks, as generated code states one.
macro_rules! stream_operation {
    ($name:ident, $method:ident, $format:expr) => {
        #[derive(Clone)]
        pub struct $name;

        impl Operation for $name {
            type Output = Events<Tick, ()>;
            type Error = ();
            type Headers = HeaderMap;

            fn request(self, core: &ClientCore) -> Built<'_> {
                let media = <Self as EventStream>::FORMAT.media();
                Ok(core.request(Method::$method, "/ticks").operation("ticks", "/ticks").stream(media))
            }

            fn decode(response: Reply) -> Decoded<Self> {
                match response.status() {
                    200..=299 => response.events(<Self as EventStream>::FORMAT),
                    _ => Err(response.unexpected()),
                }
            }

            fn call(
                core: &ClientCore,
                params: Self,
                options: CallOptions,
            ) -> authgen_runtime::__private::CallFuture<'_, Self::Output, ()> {
                events(core, params, options)
            }
        }

        impl EventStream for $name {
            type Item = Tick;
            const FORMAT: Format = $format;
        }
    };
}

stream_operation!(GetTicks, GET, Format::events().until("[DONE]"));
stream_operation!(PostTicks, POST, Format::events());
stream_operation!(GetLines, GET, Format::lines("application/x-ndjson"));

pub fn core(url: &str) -> ClientCore {
    let config = Config::new().base_url(url).allow_http_loopback(true);
    ClientCore::new(config, &[], &[]).unwrap()
}

/// Every item until the end, as numbers or the kind of error.
pub async fn drain(mut events: Events<Tick, ()>) -> Vec<Result<u32, String>> {
    let mut items = Vec::new();
    while let Some(item) = events.next().await {
        items.push(item.map(|tick| tick.n).map_err(|e| e.to_string()));
    }
    items
}
