//! [`Request`]: a request under construction, with credentials attached by the
//! operation's security requirement, sent with bounded reading of the answer.

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};

use super::{ApiKeyLocation, ClientCore, Credential, Method, Multipart, Response, encode};
use crate::token::TokenCache;
use crate::{Binary, Error, TransportError};

/// A request of one operation.
pub struct Request<'c> {
    core: &'c ClientCore,
    builder: reqwest::RequestBuilder,
    missing_credentials: Option<String>,
    token_cache: Option<&'c TokenCache>,
}

impl<'c> Request<'c> {
    pub(super) fn new(core: &'c ClientCore, method: Method, path: &str) -> Self {
        let builder = core.http().request(method, format!("{}{path}", core.base_url()));
        Request { core, builder, missing_credentials: None, token_cache: None }
    }

    /// Adds a query parameter in `form` style, exploded (arrays repeat the name).
    pub fn query<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder = self.builder.query(&encode::form_pairs(name, value));
        self
    }

    /// Adds a query parameter in `deepObject` style (`name[key]=value`).
    pub fn query_deep<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder = self.builder.query(&encode::deep_pairs(name, value));
        self
    }

    /// Sets a header, in `simple` style.
    pub fn header<T: serde::Serialize + ?Sized>(mut self, name: &'static str, value: &T) -> Self {
        self.builder = self.builder.header(name, encode::simple(value));
        self
    }

    /// Adds a cookie (`name=value`) to the `Cookie` header.
    pub fn cookie<T: serde::Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.builder =
            self.builder.header(reqwest::header::COOKIE, format!("{name}={}", encode::simple(value)));
        self
    }

    /// Sets `Accept`.
    pub fn accept(mut self, media: &'static str) -> Self {
        self.builder = self.builder.header(ACCEPT, media);
        self
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    /// An `application/x-www-form-urlencoded` body; nested values in brackets.
    pub fn form<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.builder = self.builder.form(&encode::form_body(body));
        self
    }

    /// A body of raw bytes with its media type.
    pub fn binary(mut self, media: &'static str, body: &Binary) -> Self {
        self.builder = self.builder.header(CONTENT_TYPE, media).body(body.clone().into_bytes());
        self
    }

    /// A text body with its media type.
    pub fn text(mut self, media: &'static str, body: &str) -> Self {
        self.builder = self.builder.header(CONTENT_TYPE, media).body(body.to_string());
        self
    }

    /// A `multipart/form-data` body. (Its parts are streamed, so a bearer call with one
    /// is not retried after a 401.)
    pub fn multipart(mut self, body: Multipart) -> Self {
        self.builder = self.builder.multipart(body.into_form());
        self
    }

    /// Attaches the credentials of the first alternative whose schemes all have some
    /// (an empty alternative needs none). With none satisfiable, [`send`](Self::send)
    /// fails without sending.
    pub fn security(mut self, alternatives: &[&[&'static str]]) -> Self {
        let core = self.core;
        let usable = alternatives.iter().find(|schemes| schemes.iter().all(|s| core.credential(s).is_some()));
        match usable {
            Some(schemes) => {
                for credential in schemes.iter().filter_map(|s| core.credential(s)) {
                    self = self.attach(credential);
                }
            }
            None => {
                let names: Vec<String> = alternatives.iter().map(|schemes| schemes.join(" + ")).collect();
                self.missing_credentials = Some(names.join(" or "));
            }
        }
        self
    }

    fn attach(mut self, credential: &'c Credential) -> Self {
        self.builder = match credential {
            Credential::Basic { username, password } => {
                self.builder.basic_auth(username, Some(password.expose_secret()))
            }
            Credential::Bearer(token) => self.builder.bearer_auth(token.expose_secret()),
            Credential::BearerCache(cache) => {
                self.token_cache = Some(cache);
                self.builder
            }
            Credential::ApiKey { location: ApiKeyLocation::Query, name, value } => {
                self.builder.query(&[(name, value.expose_secret())])
            }
            Credential::ApiKey { location, name, value } => {
                let (header, text) = match location {
                    ApiKeyLocation::Cookie => ("cookie", format!("{name}={}", value.expose_secret())),
                    _ => (*name, value.expose_secret().to_string()),
                };
                match HeaderValue::from_str(&text) {
                    Ok(mut header_value) => {
                        header_value.set_sensitive(true);
                        self.builder.header(header, header_value)
                    }
                    Err(_) => {
                        self.missing_credentials =
                            Some(format!("{name} (the key is not a valid header value)"));
                        self.builder
                    }
                }
            }
            Credential::MutualTls => self.builder,
        };
        self
    }

    /// Sends the request and reads the answer (bounded by the configured limit). A
    /// bearer token from a cache that the server answers 401 to is invalidated,
    /// fetched once more, and the call retried once.
    pub async fn send<E>(self) -> Result<Response, Error<E>> {
        if let Some(schemes) = self.missing_credentials {
            return Err(Error::MissingCredentials { schemes });
        }
        let Some(cache) = self.token_cache else {
            return execute(self.core, self.builder).await;
        };
        let retry = self.builder.try_clone();
        let token = cache.token().await?;
        let response = execute(self.core, self.builder.bearer_auth(token.secret().expose_secret())).await?;
        match retry {
            Some(retry) if response.status() == 401 => {
                cache.invalidate(&token);
                let token = cache.token().await?;
                execute(self.core, retry.bearer_auth(token.secret().expose_secret())).await
            }
            _ => Ok(response),
        }
    }
}

async fn execute<E>(core: &ClientCore, builder: reqwest::RequestBuilder) -> Result<Response, Error<E>> {
    let response = builder.send().await.map_err(TransportError::new)?;
    Response::read(response, core.max_response_bytes()).await
}
