//! Middleware in tower's shape around each attempt: [`Config::layer`](crate::Config::layer)
//! wraps the service that sends one `reqwest::Request` and gives back the answer's head.
//!
//! The stack is type-erased once, when the client is built, so that `Config` and
//! `ClientCore` stay free of type parameters; an empty stack is not a service at all,
//! and a call without layers goes straight to reqwest as before.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::util::{BoxCloneSyncService, ServiceExt};
use tower::{Layer, Service};

/// The error a layer may fail an attempt with; reqwest's own errors pass through it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The service one attempt goes through: the HTTP client, wrapped by the layers added
/// before the one that receives it. Layers see a request with its credentials attached
/// and the response before its body is read.
pub type AttemptService = BoxCloneSyncService<reqwest::Request, reqwest::Response, BoxError>;

/// One added layer, applied to the service below it when a client is built.
type Wrap = dyn Fn(AttemptService) -> AttemptService + Send + Sync;

/// The layers of a [`Config`](crate::Config), innermost first.
#[derive(Clone, Default)]
pub(crate) struct Layers(Vec<Arc<Wrap>>);

impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} layers", self.0.len())
    }
}

impl Layers {
    /// Adds `layer` around those already added.
    pub(crate) fn push<L>(&mut self, layer: L)
    where
        L: Layer<AttemptService> + Send + Sync + 'static,
        L::Service: Service<reqwest::Request, Response = reqwest::Response> + Clone + Send + Sync + 'static,
        <L::Service as Service<reqwest::Request>>::Error: Into<BoxError>,
        <L::Service as Service<reqwest::Request>>::Future: Send + 'static,
    {
        self.0.push(Arc::new(move |inner| BoxCloneSyncService::new(layer.layer(inner).map_err(Into::into))));
    }

    /// The service the layers make of `http`, or `None` when there are none.
    pub(crate) fn build(&self, http: &reqwest::Client) -> Option<AttemptService> {
        if self.0.is_empty() {
            return None;
        }
        let base = BoxCloneSyncService::new(http.clone().map_err(BoxError::from));
        Some(self.0.iter().fold(base, |service, wrap| wrap(service)))
    }
}

/// reqwest's future of one request (a type it does not name publicly).
type Pending = <reqwest::Client as Service<reqwest::Request>>::Future;

/// An attempt through the layers; boxed, so that a call without layers carries no
/// room for one in its future.
type Layered = Pin<Box<dyn Future<Output = Result<reqwest::Response, BoxError>> + Send>>;

/// One attempt in flight: straight through reqwest, or through the layers.
pub(crate) enum Sent {
    Direct(Pending),
    Layered(Layered),
}

impl Sent {
    /// Sends `request` through `stack` when there is one, else with `http`.
    pub(crate) fn new(
        http: &reqwest::Client,
        stack: Option<&AttemptService>,
        request: reqwest::Request,
    ) -> Self {
        match stack {
            // The same call as `http.execute(request)`, by a future type that can be named.
            None => Sent::Direct(Service::call(&mut { http }, request)),
            // A clone per attempt: tower's services are driven through `&mut self`.
            Some(stack) => Sent::Layered(Box::pin(stack.clone().oneshot(request))),
        }
    }
}

/// What failed an attempt: the HTTP client, or a layer with its own error.
pub(crate) enum Failed {
    Http(reqwest::Error),
    Layer(BoxError),
}

impl Future for Sent {
    type Output = Result<reqwest::Response, Failed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Sent::Direct(pending) => Pin::new(pending).poll(cx).map_err(Failed::Http),
            Sent::Layered(layered) => layered.as_mut().poll(cx).map_err(|error| match error.downcast() {
                Ok(http) => Failed::Http(*http),
                Err(other) => Failed::Layer(other),
            }),
        }
    }
}
