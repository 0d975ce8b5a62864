//! [`Operation`]: what generated code states about one operation (how its parameters
//! become a request, how its answer becomes its result), and the generic futures every
//! generated call is sent by: [`call`], and the call's other forms, its answer with
//! status and headers ([`answered`]), its event stream ([`events`], for an
//! [`EventStream`]) and its body chunk by chunk ([`download`]).

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use crate::binary::Binary;
use crate::call::CallOptions;
use crate::client::ClientCore;
use crate::error::{Error, RawBody, ValidationError};
use crate::exchange::{self, Request};
use crate::response::{Headers, Response};
use crate::stream::{Download, Events, Format, Framing, Replay};

/// The parameters of one operation, as a generated `Call` holds them.
pub trait Operation: Send + 'static {
    /// The success type.
    type Output: Send + 'static;
    /// The enum of documented error statuses.
    type Error: Send + 'static;
    /// The headers of its answers: a `HeaderMap`, or a generated type with a typed
    /// getter for each header the spec documents.
    type Headers: Headers;
    /// Checks the parameters against their documented limits and builds the request.
    fn request(self, core: &ClientCore) -> Built<'_>;
    /// The operation's result for `response`, status by status.
    fn decode(response: exchange::Reply) -> Decoded<Self>;
    /// How a call is sent: its answer read whole and decoded. An operation that answers
    /// only with an event stream sends it as [`events`] does.
    fn call(
        core: &ClientCore,
        params: Self,
        options: CallOptions,
    ) -> CallFuture<'_, Self::Output, Self::Error>
    where
        Self: Sized,
    {
        let request = params.request(core).map(|request| request.options(options));
        Box::pin(async move { Self::decode(request?.send().await?) })
    }
}

/// An operation that can answer with a stream of typed items.
pub trait EventStream: Operation + Clone {
    /// One item: an event's `data`, a line.
    type Item: DeserializeOwned + Send + 'static;
    /// How the stream is framed, and what ends it.
    const FORMAT: Format;
    /// Asks for the stream in the body where the operation answers either way (sets
    /// OpenAI's `stream: true`).
    fn stream_on(&mut self) {}
}

/// A request built from an operation's parameters, or the limit they break.
pub type Built<'c> = Result<Request<'c>, ValidationError>;

/// The result of an operation `P`.
pub type Decoded<P> = Result<<P as Operation>::Output, Error<<P as Operation>::Error>>;

/// What awaiting a generated `Call` gives: the operation's result.
pub type CallFuture<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, Error<E>>> + Send + 'c>>;

/// Sends the call of `params` with `options` and decodes its answer, as the operation
/// says ([`Operation::call`]). The request is built before the future starts, so the
/// future holds no parameter, and the decoding runs in the sending future rather than
/// in one around it (a future is moved whole at every `await` that holds it: nesting
/// doubles what is copied).
pub fn call<P: Operation>(
    core: &ClientCore,
    params: P,
    options: CallOptions,
) -> CallFuture<'_, P::Output, P::Error> {
    P::call(core, params, options)
}

/// The call's result with the answer's status and headers.
pub fn answered<P: Operation>(
    core: &ClientCore,
    params: P,
    options: CallOptions,
) -> CallFuture<'_, Response<P::Output, P::Headers>, P::Error> {
    send(params.request(core), options, |answer| {
        let (status, headers) = (answer.status_code(), answer.headers().clone());
        P::decode(answer).map(|value| Response::new(status, headers, value))
    })
}

/// The call's event stream, given once the answer's head has come. A `GET` event
/// stream keeps what it needs to reopen itself after a drop.
pub fn events<P: EventStream>(
    core: &ClientCore,
    mut params: P,
    options: CallOptions,
) -> CallFuture<'_, Events<P::Item, P::Error>, P::Error> {
    params.stream_on();
    let resumable = P::FORMAT.framing() == Framing::Events;
    let kept = resumable.then(|| (params.clone(), options.clone()));
    let request = stream_request(core, params);
    let replay = match &request {
        Ok(request) if request.method() == reqwest::Method::GET => {
            kept.map(|(params, options)| replay(core, params, options))
        }
        _ => None,
    };
    send(request, options, |answer| Ok(Events::new(success::<P>(answer)?.into_source(), P::FORMAT, replay)))
}

/// The call's binary body chunk by chunk, given once the answer's head has come.
pub fn download<P: Operation<Output = Binary>>(
    core: &ClientCore,
    params: P,
    options: CallOptions,
) -> CallFuture<'_, Download<P::Error>, P::Error> {
    let request = params.request(core).map(Request::streamed);
    send(request, options, |answer| Ok(success::<P>(answer)?.download()))
}

/// The request of `params` asking for its stream.
fn stream_request<P: EventStream>(core: &ClientCore, params: P) -> Built<'_> {
    Ok(params.request(core)?.stream(P::FORMAT.media()))
}

/// The future of a built request sent with `options`, its answer turned into `T` by
/// `then`; a request refused while building fails at once.
pub(crate) fn send<'c, T: Send + 'c, E: Send + 'c>(
    built: Built<'c>,
    options: CallOptions,
    then: impl FnOnce(exchange::Reply) -> Result<T, Error<E>> + Send + 'c,
) -> CallFuture<'c, T, E> {
    match built {
        Ok(request) => Box::pin(request.options(options).send_then(then)),
        Err(invalid) => Box::pin(std::future::ready(Err(invalid.into()))),
    }
}

/// Sends the stream's request again, with the last event ID if there is one.
fn replay<P: EventStream>(core: &ClientCore, params: P, options: CallOptions) -> Replay<P::Error> {
    let core = core.clone();
    Box::new(move |last_id| {
        let (core, params, options) = (core.clone(), params.clone(), options.clone());
        Box::pin(async move {
            let mut request = stream_request(&core, params)?.options(options);
            if let Some(id) = last_id {
                request = request.header("Last-Event-ID", &id);
            }
            Ok(success::<P>(request.send().await?)?.into_source())
        })
    })
}

/// A success answer, or the operation's error for another status.
fn success<P: Operation>(answer: exchange::Reply) -> Result<exchange::Reply, Error<P::Error>> {
    let status = answer.status_code();
    if status.is_success() {
        return Ok(answer);
    }
    match P::decode(answer) {
        Err(error) => Err(error),
        // Generated decoders answer only 2xx with a success.
        Ok(_) => Err(Error::UnexpectedStatus { status, body: RawBody::new(Default::default(), None) }),
    }
}
