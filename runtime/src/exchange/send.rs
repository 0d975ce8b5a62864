//! Sending a [`Request`]: its attempts as the retry policy says, a bearer token from a
//! cache (fetched again once after a 401), the hooks, the call's tracing span.

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use super::request::{NOT_A_HEADER_VALUE, Refusal, Request};
use super::response::Answer;
use crate::error::{Error, TransportError, ValidationError};
use crate::retry::{EndKind, Ended, idempotency_key};
use crate::stream::CallSpan;
use crate::token::{AccessToken, TokenCache, TokenError, bearer_value};

impl<'c> Request<'c> {
    /// Sends the request and reads the answer (bounded by the configured limit), trying
    /// again as the retry policy says. A bearer token from a cache that the server
    /// answers 401 to is invalidated, fetched once more, and the attempt repeated once.
    ///
    /// The call is a `tracing` span `authgen.call` with the operation, method, path
    /// template, final status, attempts and duration; each retry is an event with its
    /// reason. No field carries a credential, a query or a body value. A streamed
    /// answer keeps the span open until its stream ends, which records the items and
    /// bytes read.
    pub async fn send<E>(self) -> Result<Answer, Error<E>> {
        let (operation, path) = self.operation;
        let span = tracing::info_span!(
            "authgen.call",
            operation,
            method = %self.method,
            path,
            status = Empty,
            attempts = Empty,
            duration_ms = Empty,
            items = Empty,
            bytes = Empty,
        );
        let started = Instant::now();
        let mut outcome = self.send_attempts().instrument(span.clone()).await;
        let status = match &outcome {
            Ok(response) => Some(response.status()),
            Err(error) => error.status().map(|s| s.as_u16()),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        let streaming =
            outcome.as_mut().is_ok_and(|answer| answer.keep_span(|| CallSpan::new(span.clone(), started)));
        if !streaming {
            span.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        outcome
    }

    async fn send_attempts<E>(self) -> Result<Answer, Error<E>> {
        let mut request = self.ready()?;
        let core = request.core;
        let policy = request.retry.take();
        let policy = policy.as_ref().unwrap_or(core.retry());
        let deadline = policy.deadline_from_now();
        let mut attempt = 1;
        loop {
            let outcome = request.attempt(deadline).await;
            let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
            // A body that cannot be sent again (a stream) ends the call with this outcome.
            let ended = ended(&outcome, request.idempotent, request.resendable());
            match policy.next_wait(core.budget(), attempt, &ended, remaining) {
                Some(wait) => {
                    let reason = ended.reason();
                    tracing::info!(attempt, reason, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await
                }
                None => {
                    tracing::Span::current().record("attempts", attempt);
                    return outcome;
                }
            }
            attempt += 1;
        }
    }

    /// Fails with what was found while building the request; adds its cookies.
    fn ready<E>(mut self) -> Result<Self, Error<E>> {
        if let Some((header, given)) = self.idempotency.take() {
            let key = given.unwrap_or_else(idempotency_key);
            self = self.header(header, key.as_str());
        }
        match self.refused.take() {
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

    /// One attempt: the exchange, repeated once with a fresh token after a 401, or with
    /// a token of more scopes after a 403 that asks for them (RFC 6750 §3.1).
    async fn attempt<E>(&self, deadline: Option<Instant>) -> Result<Answer, Error<E>> {
        let Some(bearer) = &self.bearer else {
            return self.execute(self.builder.try_clone(), deadline).await;
        };
        let cache = bearer.cache();
        let token = cache.token().await?;
        let response = self.execute(self.with_token(cache, &token)?, deadline).await?;
        let again = match response.status() {
            401 => {
                cache.invalidate(&token);
                cache.clone()
            }
            403 => {
                let more = response.challenge().filter(|c| c.error.as_deref() == Some("insufficient_scope"));
                match more.and_then(|challenge| bearer.widened(challenge.scopes())) {
                    Some(wider) => wider,
                    None => return Ok(response),
                }
            }
            _ => return Ok(response),
        };
        let token = again.token().await?;
        self.execute(self.with_token(&again, &token)?, deadline).await
    }

    /// The request carrying `token`; one that cannot be sent is dropped from the cache
    /// (it would fail every call) and the error says why, without the token.
    fn with_token(
        &self,
        cache: &TokenCache,
        token: &AccessToken,
    ) -> Result<Option<reqwest::RequestBuilder>, TokenError> {
        let value = bearer_value(token.secret()).map_err(|problem| {
            cache.invalidate(token);
            TokenError::new(problem, false)
        })?;
        Ok(self.builder.try_clone().map(|builder| builder.header(AUTHORIZATION, value)))
    }

    /// Sends `builder` (a clone of the request, its multipart body added anew), within
    /// the attempt's time limit and what is left of the call's deadline.
    async fn execute<E>(
        &self,
        builder: Option<reqwest::RequestBuilder>,
        deadline: Option<Instant>,
    ) -> Result<Answer, Error<E>> {
        let Some(builder) = builder else {
            // Only a streamed body cannot be cloned, and requests have none.
            return Err(
                ValidationError { field: "body".into(), problem: "cannot be sent twice".into() }.into()
            );
        };
        let mut builder = self.with_bodies(builder).await?;
        let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let timeout = self.timeout.unwrap_or(self.core.timeout());
        let limit = left.map_or(timeout, |left| left.min(timeout));
        if !self.streamed {
            // A streamed body outlives the limit: its head is timed below, its items each.
            builder = builder.timeout(limit);
        }
        let mut request = builder.build().map_err(TransportError::new)?;
        if let Some(url) = &self.url {
            *request.url_mut() = url.clone();
        }
        for hook in self.core.hooks() {
            hook.on_request(&mut request);
        }
        let response = tokio::time::timeout(limit, self.core.http().execute(request)).await;
        let response = response.map_err(|_| TransportError::timed_out("answer", limit))?;
        let response = response.map_err(TransportError::new)?;
        for hook in self.core.hooks() {
            hook.on_response(&response);
        }
        let stream = self.streamed.then_some(timeout);
        Answer::receive(response, stream, self.core.max_response_bytes()).await
    }
}

/// How an attempt ended, as the retry policy judges it: final when the body cannot be
/// sent again.
fn ended<E>(outcome: &Result<Answer, Error<E>>, idempotent: bool, resendable: bool) -> Ended {
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
