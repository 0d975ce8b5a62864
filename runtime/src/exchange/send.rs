//! Sending a [`Request`]: its attempts as the retry policy says, a bearer token from a
//! cache (fetched again once after a 401), the hooks, the call's tracing span.

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;

use super::challenge::Challenge;
use super::request::{NOT_A_HEADER_VALUE, Refusal, Request};
use super::response::Reply;
use crate::error::{Error, TransportError, ValidationError};
use crate::layer::Failed;
use crate::retry::{EndKind, Ended, idempotency_key};
use crate::stream::CallSpan;
use crate::telemetry::{Call, count_retry, method_name};
use crate::token::{AccessToken, DpopKey, TokenCache, TokenError, authorization_value};

impl<'c> Request<'c> {
    /// Sends the request and reads the answer (bounded by the configured limit), trying
    /// again as the retry policy says. A bearer token from a cache that the server
    /// answers 401 to is invalidated, fetched once more, and the attempt repeated once.
    ///
    /// The call is a `tracing` span `authgen.call` with the operation, method, path
    /// template, final status, attempts and duration; each retry is an event with its
    /// reason. No field carries a credential, a query or a body value. A streamed
    /// answer keeps the span open until its stream ends, which records the items and
    /// bytes read and the whole duration.
    pub fn send<E: 'c>(self) -> impl Future<Output = Result<Reply, Error<E>>> + 'c {
        self.send_then(Ok)
    }

    /// [`send`](Self::send), the answer then turned into `T` by `then` (an operation's
    /// decoding) in the same future: one state machine, not one awaiting another.
    pub fn send_then<T: 'c, E: 'c>(
        self,
        then: impl FnOnce(Reply) -> Result<T, Error<E>> + 'c,
    ) -> impl Future<Output = Result<T, Error<E>>> + 'c {
        let (operation, template) = self.operation;
        let method = method_name(&self.method);
        let call = Call { method, template, operation, server: self.core.server() };
        let span = call.span();
        let ready = self.ready();
        let recorded = span.clone();
        // The request is held here once and lent to the attempts: a future that took it
        // by value would copy it at every level.
        async move {
            let started = Instant::now();
            let mut outcome = match ready {
                Ok(ref request) => request.attempts().await,
                Err(error) => Err(error),
            };
            let (status, error) = match &outcome {
                Ok(response) => (Some(response.status()), None),
                Err(error) => (error.status().map(|s| s.as_u16()), Some(error.error_type())),
            };
            // A streamed answer's duration is to its head; its span lasts to its end.
            call.ended(&recorded, started.elapsed(), status, error);
            let streaming = outcome
                .as_mut()
                .is_ok_and(|answer| answer.keep_span(|| CallSpan::new(recorded.clone(), started)));
            if !streaming {
                recorded.record("authgen.duration_ms", started.elapsed().as_millis() as i64);
            }
            then(outcome?)
        }
        .instrument(span)
    }

    async fn attempts<E>(&self) -> Result<Reply, Error<E>> {
        let policy = self.retry.as_deref().unwrap_or(self.core.retry());
        let deadline = policy.deadline_from_now();
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(deadline).await;
            let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
            // A body that cannot be sent again (a stream) ends the call with this outcome.
            let ended = ended(&outcome, self.idempotent, self.resendable());
            match policy.next_wait(self.core.budget(), attempt, &ended, remaining) {
                Some(wait) => {
                    let reason = ended.reason();
                    tracing::info!(attempt, reason, wait_ms = wait.as_millis() as u64, "retrying");
                    count_retry(&reason, self.operation.0);
                    tokio::time::sleep(wait).await
                }
                None => {
                    if attempt > 1 {
                        tracing::Span::current().record("http.request.resend_count", i64::from(attempt - 1));
                    }
                    return outcome;
                }
            }
            attempt += 1;
        }
    }

    /// Fails with what was found while building the request; adds its cookies.
    fn ready<E>(mut self) -> Result<Self, Error<E>> {
        if let Some((header, given)) = self.idempotency.take().map(|boxed| *boxed) {
            let key = given.unwrap_or_else(idempotency_key);
            self = self.header(header, key.as_str());
        }
        match self.refused.take().map(|boxed| *boxed) {
            Some(Refusal::MissingCredentials(schemes)) => return Err(Error::MissingCredentials { schemes }),
            Some(Refusal::Invalid(invalid)) => return Err(Error::Invalid(invalid)),
            None => {}
        }
        if !self.cookies.is_empty() {
            let cookies = HeaderValue::try_from(self.cookies.join("; "));
            // Every part was checked or encoded; should one still not fit, nothing is sent.
            let cookies = cookies.map_err(|_| ValidationError {
                field: "Cookie".into(),
                problem: NOT_A_HEADER_VALUE.into(),
            })?;
            self.builder = self.builder.header(COOKIE, cookies);
        }
        Ok(self)
    }

    /// One attempt: the exchange, repeated once with a fresh token after a 401, with the
    /// same token and the server's nonce after a 401 `use_dpop_nonce` (RFC 9449 §9), or
    /// with a token of more scopes after a 403 that asks for them (RFC 6750 §3.1).
    async fn attempt<E>(&self, deadline: Option<Instant>) -> Result<Reply, Error<E>> {
        let Some(bearer) = &self.bearer else {
            return self.execute(self.builder.try_clone(), None, deadline).await;
        };
        let cache = bearer.cache();
        let token = cache.token().await?;
        let response = self.with_token(cache, &token, deadline).await?;
        let asked = response.challenge().and_then(|c| c.error.as_deref());
        let again = match (response.status(), asked) {
            (401, Some("use_dpop_nonce")) if cache.dpop().is_some() => {
                return self.with_token(cache, &token, deadline).await;
            }
            (401, _) => {
                cache.invalidate(&token);
                cache.clone()
            }
            (403, Some("insufficient_scope")) => {
                let more = response.challenge().map(Challenge::scopes);
                match more.and_then(|scopes| bearer.widened(scopes)) {
                    Some(wider) => wider,
                    None => return Ok(response),
                }
            }
            _ => return Ok(response),
        };
        let token = again.token().await?;
        self.with_token(&again, &token, deadline).await
    }

    /// The exchange carrying `token`, as `Authorization: DPoP` with a proof where the
    /// cache's source binds its tokens to a key and the server said `DPoP`, else as
    /// `Bearer`. A token that cannot be sent is dropped from the cache (it would fail
    /// every call) and the error says why, without the token.
    async fn with_token<E>(
        &self,
        cache: &TokenCache,
        token: &AccessToken,
        deadline: Option<Instant>,
    ) -> Result<Reply, Error<E>> {
        let dpop = cache.dpop().filter(|_| token.token_type().eq_ignore_ascii_case("dpop"));
        let scheme = if dpop.is_some() { "DPoP" } else { "Bearer" };
        let value = authorization_value(scheme, token.secret()).map_err(|problem| {
            cache.invalidate(token);
            TokenError::new(problem, false)
        })?;
        let builder = self.builder.try_clone().map(|builder| builder.header(AUTHORIZATION, value));
        self.execute(builder, dpop.map(|dpop| (dpop, token)), deadline).await
    }

    /// Sends `builder` (a clone of the request, its multipart body added anew), within
    /// the attempt's time limit and what is left of the call's deadline. The request is
    /// built and handed to the HTTP client before the future starts, so that the future
    /// holds only what is in flight (it is moved with every `await` around it).
    fn execute<'a, E>(
        &'a self,
        builder: Option<reqwest::RequestBuilder>,
        bound: Option<(&'a dyn DpopKey, &'a AccessToken)>,
        deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Reply, Error<E>>> + use<'a, 'c, E> {
        let sent = self.prepare(builder, bound, deadline).map(|request| self.core.send_attempt(request));
        let stream = self.streamed.then(|| self.stream_limits(deadline));
        async move {
            let response = match stream {
                // A streamed answer has no overall limit: its head has one, here.
                Some((head, _)) => tokio::time::timeout(head, sent?)
                    .await
                    .map_err(|_| TransportError::timed_out("answer", head))?,
                None => sent?.await,
            };
            let response = response.map_err(|failed| match failed {
                Failed::Http(error) => TransportError::new(error),
                Failed::Layer(error) => TransportError::from_layer(&*error),
            })?;
            if let Some((dpop, _)) = bound {
                dpop.remember_nonce(response.url().as_str(), response.headers());
            }
            for hook in self.core.hooks() {
                hook.on_response(&response);
            }
            Reply::receive(response, stream.map(|(_, item)| item), self.core.max_response_bytes()).await
        }
    }

    /// The request of one attempt, with the DPoP proof of its `bound` token if it has
    /// one, as the hooks leave it.
    fn prepare<E>(
        &self,
        builder: Option<reqwest::RequestBuilder>,
        bound: Option<(&dyn DpopKey, &AccessToken)>,
        deadline: Option<Instant>,
    ) -> Result<reqwest::Request, Error<E>> {
        let Some(mut builder) = builder else {
            // Only a streamed body cannot be cloned, and requests have none.
            let problem = "cannot be sent twice".into();
            return Err(ValidationError { field: "body".into(), problem }.into());
        };
        builder = self.with_bodies(builder)?;
        // The client's own timeout applies unless this call or its deadline says less:
        // setting it per request would cost an allocation for nothing.
        let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if self.streamed {
            // A streamed body outlives any limit: its head is timed in `execute`, each
            // item by the stream.
            builder = builder.timeout(std::time::Duration::MAX);
        } else if self.timeout.is_some() || left.is_some() {
            let timeout = self.timeout.unwrap_or(self.core.timeout());
            builder = builder.timeout(left.map_or(timeout, |left| left.min(timeout)));
        }
        let mut request = builder.build().map_err(TransportError::new)?;
        if let Some(url) = &self.url {
            *request.url_mut() = (**url).clone();
        }
        if let Some((dpop, token)) = bound {
            let token = Some(token.secret().expose_secret());
            let proof = dpop.header_value(request.method().as_str(), request.url().as_str(), token)?;
            request.headers_mut().insert("dpop", proof);
        }
        for hook in self.core.hooks() {
            hook.on_request(&mut request);
        }
        Ok(request)
    }
}

/// How an attempt ended, as the retry policy judges it: final when the body cannot be
/// sent again.
fn ended<E>(outcome: &Result<Reply, Error<E>>, idempotent: bool, resendable: bool) -> Ended {
    let (kind, retry_after) = match outcome {
        _ if !resendable => (EndKind::Final, None),
        Ok(response) => (EndKind::Answered(response.status_code()), response.retry_after()),
        Err(Error::Transport(error)) => {
            (EndKind::Failed { kind: error.kind(), unanswered: error.is_unanswered() }, None)
        }
        Err(_) => (EndKind::Final, None),
    };
    Ended { kind, idempotent, retry_after }
}
