//! [`Operation`]: what generated code states about one operation (how its parameters
//! become a request, how its answer becomes its result), and [`call`], the one
//! generic future every generated call is sent by.

use std::future::Future;
use std::pin::Pin;

use crate::call::CallOptions;
use crate::client::ClientCore;
use crate::error::{Error, ValidationError};
use crate::exchange::{Request, Response};

/// The parameters of one operation, as a generated `Call` holds them.
pub trait Operation: Send + 'static {
    /// The success type.
    type Output: Send + 'static;
    /// The enum of documented error statuses.
    type Error: Send + 'static;
    /// Checks the parameters against their documented limits and builds the request.
    fn request(self, core: &ClientCore) -> Built<'_>;
    /// The operation's result for `response`, status by status.
    fn decode(response: Response) -> Decoded<Self>;
}

/// A request built from an operation's parameters, or the limit they break.
pub type Built<'c> = Result<Request<'c>, ValidationError>;

/// The result of an operation `P`.
pub type Decoded<P> = Result<<P as Operation>::Output, Error<<P as Operation>::Error>>;

/// What awaiting a generated `Call` gives: the operation's result.
pub type CallFuture<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, Error<E>>> + Send + 'c>>;

/// Sends the call of `params` with `options` and decodes its answer. The request is
/// built before the future starts, so the future holds no parameter, and the decoding
/// runs in the sending future rather than in one around it (a future is moved whole at
/// every `await` that holds it: nesting doubles what is copied).
pub fn call<P: Operation>(
    core: &ClientCore,
    params: P,
    options: CallOptions,
) -> CallFuture<'_, P::Output, P::Error> {
    send(params.request(core), options, P::decode)
}

/// The future of a built request sent with `options`, its answer turned into `T` by
/// `then`; a request refused while building fails at once.
pub(crate) fn send<'c, T: Send + 'c, E: Send + 'c>(
    built: Built<'c>,
    options: CallOptions,
    then: impl FnOnce(Response) -> Result<T, Error<E>> + Send + 'c,
) -> CallFuture<'c, T, E> {
    match built {
        Ok(request) => Box::pin(request.options(options).send_then(then)),
        Err(invalid) => Box::pin(std::future::ready(Err(invalid.into()))),
    }
}
