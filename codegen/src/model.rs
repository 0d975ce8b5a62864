//! The generator's own model of an API: plain data, with both the Rust name and the
//! wire name of everything. Lowering builds it from `openapiv3` types; emitting reads
//! only this.

/// One API: everything a generated module needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Spec file the module is generated from, as shown in the header.
    pub source: String,
    /// Overlay files applied to the spec, in order, as shown in the module's docs.
    pub overlays: Vec<String>,
    /// `info.title`.
    pub title: String,
    /// `info.description`, if any.
    pub description: Option<String>,
    /// `info.version`.
    pub version: String,
    /// Base URLs in the spec's order; the first is the default.
    pub servers: Vec<Server>,
    /// Security schemes the operations refer to.
    pub schemes: Vec<SecurityScheme>,
    /// Named types: structs, enums and aliases. A [`TypeId`] is an index into it.
    pub types: Vec<TypeDef>,
    /// Operations in document order.
    pub operations: Vec<Operation>,
    /// OpenAPI 3.1 webhooks: requests the API sends to its users, in document order.
    pub webhooks: Vec<Webhook>,
    /// How the API signs its webhooks, as the document declares or its webhooks'
    /// header parameters show; `None` when nothing says.
    pub webhook_signature: Option<WebhookSignature>,
    /// Operations left out because they use what the generator cannot express (only
    /// with [`Options::skip_unsupported`](crate::Options::skip_unsupported)).
    pub skipped: Vec<Skipped>,
    /// What the user should know though nothing failed: operations renamed.
    pub warnings: Vec<crate::diagnostics::Problem>,
    /// The values the document gives as examples of its schemas and JSON answers, each
    /// with the type it must decode into: what `authgen-codegen examples` checks.
    pub examples: Vec<Example>,
}

/// An example the document gives, and the type it must decode into.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Where it is: `#/components/schemas/Pet/example`.
    pub pointer: String,
    /// The type of the schema or answer it is an example of.
    pub ty: TypeRef,
    /// The example.
    pub value: serde_json::Value,
}

/// A webhook: a request the API sends, whose body its receiver decodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its name under `webhooks`.
    pub name: String,
    /// Its HTTP method.
    pub method: Method,
    /// Its JSON pointer in the loaded document: `#/webhooks/ping/post` (3.0 documents
    /// write them under `x-webhooks`).
    pub pointer: String,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// The body's type, where it has one.
    pub payload: Option<TypeRef>,
    /// Every media type the document gives its body, with schema and examples: what
    /// a sender of it (the mock) sends.
    pub sent: Vec<ServedMedia>,
    /// Its `WebhookEvent` variant: the name in PascalCase, unique.
    pub variant: String,
    /// The property and value that tell its bodies from the other webhooks'; `None`:
    /// it is tried in document order when no tag matches.
    pub tag: Option<WebhookTag>,
}

/// A discriminating property of a webhook's body: `type` is `order.created`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebhookTag {
    /// The top-level property.
    pub property: String,
    /// Its one value in this webhook's bodies.
    pub value: String,
}

/// A webhook signature scheme, as `x-authgen-webhooks: {signature: …}` writes it; each
/// is the runtime's `webhook::Scheme` of the same name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookSignature {
    /// Standard Webhooks (`webhook-signature`, `v1,` HMAC and `v1a,` Ed25519); Svix's
    /// is the same scheme.
    #[serde(alias = "svix")]
    StandardWebhooks,
    /// `Stripe-Signature`.
    Stripe,
    /// `X-Hub-Signature-256`.
    Github,
    /// `X-Slack-Signature`.
    Slack,
    /// A provider's own HMAC.
    Hmac(HmacSignature),
}

/// `x-authgen-webhooks: {signature: {hmac: …}}`: where the signature is and what it signs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HmacSignature {
    /// The header carrying the signature.
    pub header: String,
    /// The hash.
    #[serde(default)]
    pub algorithm: HmacAlgorithm,
    /// How the signature is written.
    #[serde(default)]
    pub encoding: HmacEncoding,
    /// Text before the signature in its header (`sha256=`).
    #[serde(default)]
    pub prefix: String,
    /// What is signed: `{body}` (the default), or a template such as `{timestamp}.{body}`.
    #[serde(default = "HmacSignature::body")]
    pub signed: String,
    /// The header carrying the Unix time of signing.
    #[serde(default)]
    pub timestamp_header: Option<String>,
}

impl HmacSignature {
    fn body() -> String {
        "{body}".into()
    }
}

/// The hash of an [`HmacSignature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HmacAlgorithm {
    /// `sha1`.
    Sha1,
    /// `sha256`, the default.
    #[default]
    Sha256,
    /// `sha512`.
    Sha512,
}

/// How an [`HmacSignature`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HmacEncoding {
    /// `hex`, the default.
    #[default]
    Hex,
    /// `base64`.
    Base64,
}

/// An operation left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// `POST /v1/files`.
    pub label: String,
    /// What the generator could not express.
    pub problems: Vec<crate::diagnostics::Problem>,
}

/// A server URL template with its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// URL, possibly with `{variable}` placeholders.
    pub url: String,
    /// What the server is.
    pub description: Option<String>,
    /// Placeholders of `url`.
    pub variables: Vec<ServerVariable>,
}

/// A `{variable}` of a server URL.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerVariable {
    /// Name inside the braces.
    pub name: String,
    /// Value used when the user sets none.
    pub default: String,
    /// Allowed values; empty when any value is allowed.
    pub allowed: Vec<String>,
}

/// A security scheme of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// Name in the spec, as security requirements spell it.
    pub name: String,
    /// `snake_case` form, for the client's `with_<name>` setter.
    pub rust_name: String,
    /// How credentials travel.
    pub kind: SchemeKind,
    /// The spec's description.
    pub description: Option<String>,
}

/// How a scheme's credentials travel.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemeKind {
    /// HTTP Basic: username and password.
    Basic,
    /// A bearer token in `Authorization` (HTTP bearer, OAuth 2.0, OpenID Connect).
    Bearer,
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Where the key goes.
        location: ParamLocation,
        /// Header, parameter or cookie name.
        name: String,
    },
    /// A TLS client certificate, configured on the connection rather than the request.
    MutualTls,
    /// OAuth 2.0: a bearer token from one of the flows the spec declares.
    OAuth2(Box<OAuthFlows>),
    /// OpenID Connect: a bearer token from the provider its discovery document names.
    OpenIdConnect {
        /// The `openIdConnectUrl`: the discovery document.
        discovery_url: String,
    },
}

/// OAuth scopes by security scheme name.
pub type ScopesByScheme = Vec<(String, Vec<String>)>;

/// The flows of an OAuth 2.0 scheme that the client offers (never the implicit flow).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OAuthFlows {
    /// The client credentials grant.
    pub client_credentials: Option<OAuthFlow>,
    /// The authorization code grant (with PKCE S256).
    pub authorization_code: Option<OAuthFlow>,
    /// The device authorization grant (RFC 8628; OpenAPI 3.2's `deviceAuthorization`).
    pub device_authorization: Option<OAuthFlow>,
    /// The resource owner password grant.
    pub password: Option<OAuthFlow>,
    /// The authorization server's metadata (OpenAPI 3.2's `oauth2MetadataUrl`, RFC 8414).
    pub metadata_url: Option<String>,
}

/// Where one OAuth 2.0 flow gets its tokens, as the spec writes it (a URL may be
/// relative to the server's).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OAuthFlow {
    /// `tokenUrl`.
    pub token_url: String,
    /// `authorizationUrl` (authorization code).
    pub authorization_url: Option<String>,
    /// `deviceAuthorizationUrl` (device authorization).
    pub device_authorization_url: Option<String>,
    /// `refreshUrl`, where it differs from the token URL.
    pub refresh_url: Option<String>,
    /// The scopes the flow declares, with their descriptions.
    pub scopes: Vec<(String, String)>,
}

impl SchemeKind {
    /// True for the schemes whose credential is a bearer token (HTTP bearer, OAuth 2.0,
    /// OpenID Connect): they also take tokens from a cache.
    pub fn is_bearer(&self) -> bool {
        matches!(self, SchemeKind::Bearer | SchemeKind::OAuth2(_) | SchemeKind::OpenIdConnect { .. })
    }
}

/// An HTTP method of an operation: the eight a path item can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
    Trace,
}

impl Method {
    /// The method of a path item's key (`get`, `post`, …), if it is one.
    pub fn from_key(key: &str) -> Option<Method> {
        Some(match key {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }

    /// Its name on the wire, upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// A handle on a named type: its index in [`Api::types`]. Decided while lowering, so
/// that no stage finds a type again by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust name, unique in the module.
    pub name: String,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// True when some request carries it and it (or a field's type) has documented
    /// limits: it then gets a `validate` method.
    pub validated: bool,
    /// Derives `Serialize`: a request carries it, or no operation uses it.
    pub serialize: bool,
    /// Derives `Deserialize`: a response carries it, or no operation uses it.
    pub deserialize: bool,
    /// A token operation answers with it (a struct): it implements the runtime's
    /// `TokenAnswer`, which its token source reads.
    pub token_answer: bool,
    /// A field or variant holds it in a `Box` (a value of it can contain another): it
    /// states its unwind safety, which rustdoc's auto-trait pass would otherwise follow
    /// through `Box`'s layers around the recursion, past the recursion limit on a large
    /// graph of types (Stripe's).
    pub recursive: bool,
}

impl TypeDef {
    /// True for another name of a type (`pub type A = B;`).
    pub fn is_alias(&self) -> bool {
        matches!(self.kind, TypeKind::Alias(_))
    }

    /// A type of `kind` named `name`, its facts not yet decided.
    pub fn new(name: String, doc: Option<String>, kind: TypeKind) -> Self {
        TypeDef {
            name,
            doc,
            kind,
            validated: false,
            serialize: true,
            deserialize: true,
            token_answer: false,
            recursive: false,
        }
    }

    /// For a string enum or a union that responses carry, the name of the variant that
    /// keeps a value the spec does not list (`Other`, numbered where a listed value has
    /// that name): such a type is open, so one new value on the wire does not fail a
    /// whole answer. An enum's keeps the text; a union's keeps, as raw JSON, a value
    /// with a tag no variant has or a shape no variant takes. `None` for every other type.
    pub fn open_variant(&self) -> Option<String> {
        let names: Vec<&str> = match &self.kind {
            TypeKind::Enum(variants) => variants.iter().map(|v| v.name.as_str()).collect(),
            TypeKind::Untagged(variants) => variants.iter().map(|v| v.name.as_str()).collect(),
            TypeKind::Struct(_) | TypeKind::Alias(_) => return None,
        };
        let free = |candidate: &String| !names.contains(&candidate.as_str());
        let candidates = std::iter::once("Other".to_string()).chain((2..).map(|n| format!("Other{n}")));
        self.deserialize.then(|| candidates.into_iter().find(free)).flatten()
    }
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Vec<Field>),
    /// A closed set of strings.
    Enum(Vec<Variant>),
    /// One of several shapes, told apart by one property's value where every variant
    /// has a [`Tag`], else by trying each in order.
    Untagged(Vec<UntaggedVariant>),
    /// Another name for a type (a named array, map or scalar schema).
    Alias(TypeRef),
}

/// A property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// `snake_case` Rust name.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Rust type, without the `Option` that `required`/`nullable` add.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// Documented limits checked before sending.
    pub checks: Checks,
    /// Held in a `Box`: the type contains, by value, the type that holds this field.
    pub boxed: bool,
}

impl Field {
    /// True when the Rust field is an `Option`.
    pub fn optional(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A value of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// `PascalCase` Rust name.
    pub name: String,
    /// The string on the wire.
    pub wire: String,
    /// What the value means, where the spec says.
    pub doc: Option<String>,
}

/// One alternative of a `oneOf`/`anyOf`.
#[derive(Debug, Clone, PartialEq)]
pub struct UntaggedVariant {
    /// `PascalCase` Rust name.
    pub name: String,
    /// The alternative's type.
    pub ty: TypeRef,
    /// Held in a `Box`: the type contains, by value, the enum itself.
    pub boxed: bool,
    /// The discriminator value that selects this variant, where the spec gives one.
    pub tag: Option<Tag>,
    /// Its type has a `validate` method.
    pub validated: bool,
}

/// The values of one property that select a variant: a discriminator's, or a property
/// every variant of the union declares a distinct constant for.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// The property, e.g. `petType`.
    pub property: String,
    /// Its values for this variant, none shared with another variant: the mapping's
    /// keys, then the value the variant declares, then its schema's name (OpenAPI's
    /// implicit mapping), e.g. `["cat", "Cat"]`. The variant's first name for it.
    pub values: Vec<String>,
}

/// A reference to a Rust type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`.
    String,
    /// A credential or token: the runtime's redacting `Secret`.
    Secret,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// Any JSON value: the runtime's `Json`, `serde_json::Value`.
    Json,
    /// Raw bytes (`format: binary`): the runtime's `Binary`.
    Binary,
    /// An instant (`format: date-time`, RFC 3339): the runtime's `DateTime`,
    /// `chrono::DateTime<Utc>`.
    DateTime,
    /// A calendar date (`format: date`, RFC 3339 `full-date`): `chrono::NaiveDate`.
    Date,
    /// `format: uuid`: `uuid::Uuid`.
    Uuid,
    /// A type of [`Api::types`].
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
}

/// Documented limits of a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// `maxLength`, in characters.
    pub max_length: Option<usize>,
    /// `minLength`, in characters.
    pub min_length: Option<usize>,
    /// `pattern`, an ECMA-262 regular expression.
    pub pattern: Option<String>,
    /// `minimum`, inclusive.
    pub minimum: Option<f64>,
    /// `maximum`, inclusive.
    pub maximum: Option<f64>,
    /// Whether the value's type, or its items', has limits of its own: decided while
    /// lowering, so that emitting never looks a type up.
    pub validate: Validate,
}

/// What of a value has a `validate` method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Validate {
    /// Nothing.
    #[default]
    Nothing,
    /// The value itself.
    Value,
    /// Each item of the list.
    Items,
}

impl Checks {
    /// True when there is nothing to check.
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}

/// One operation: a method of the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `snake_case` method name.
    pub name: String,
    /// Where in the spec it is, for messages: `POST /api/v1/oauth2/token`.
    pub label: String,
    /// Its `operationId`, as the document writes it.
    pub operation_id: Option<String>,
    /// Its JSON pointer in the loaded document: `#/paths/~1token/post`. Its
    /// parameters are under it (and under its path item), its body at `requestBody`,
    /// its answers at `responses`.
    pub pointer: String,
    /// Its HTTP method.
    pub method: Method,
    /// Path template, `{name}` placeholders as in the spec.
    pub path: String,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// Parameters the caller passes: path parameters in the template's order, then the
    /// others in the spec's.
    pub params: Vec<Param>,
    /// Query parameters with one allowed value, sent without asking the caller.
    pub fixed_query: Vec<(String, String)>,
    /// Request body, if any.
    pub body: Option<Body>,
    /// 2xx responses.
    pub success: Vec<Response>,
    /// Documented non-2xx responses.
    pub errors: Vec<Response>,
    /// Rust name of the enum of documented error statuses.
    pub error_type: String,
    /// Rust name of the struct of its parameters, the `P` of its `Call<P>`.
    pub call_type: String,
    /// Rust name of the enum of success responses, when there are several kinds.
    pub success_type: Option<String>,
    /// Security alternatives; each lists schemes that apply together. Empty: none.
    pub security: Vec<Vec<String>>,
    /// The OAuth scopes the operation needs, by scheme (from the first alternative that
    /// names the scheme); schemes that need none are left out.
    pub scopes: ScopesByScheme,
    /// Set when the operation issues access tokens: it then gets a token source.
    pub token: Option<TokenFields>,
    /// Marked `deprecated` in the spec.
    pub deprecated: bool,
    /// Safe to send again though its method is not (`x-authgen-idempotent: true`):
    /// the runtime then retries it after a 502, 503, 504 or a timeout.
    pub idempotent: bool,
    /// How its answers page, where they do by a recognised convention or
    /// `x-authgen-pagination`: its `Call` then also gives a stream of items.
    pub pagination: Option<Pagination>,
    /// The stream of items a success answers with, where one does (server-sent events,
    /// NDJSON, JSON text sequences).
    pub stream: Option<ItemStream>,
    /// The headers its success answers document, typed; read through
    /// [`headers_type`](Operation::headers_type).
    pub headers: Vec<ResponseHeader>,
    /// Rust name of the type of its answers' headers, where some are documented (else
    /// they are a plain `HeaderMap`).
    pub headers_type: Option<String>,
}

impl Operation {
    /// The types its answers carry beyond their bodies: a stream's items, documented
    /// headers. They are decoded, as bodies are.
    pub fn answer_types(&self) -> impl Iterator<Item = &TypeRef> {
        self.stream.iter().map(|s| &s.item).chain(self.headers.iter().map(|h| &h.ty))
    }
}

/// A success answer that is a stream of typed items.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStream {
    /// How the body splits into items.
    pub framing: Framing,
    /// Its media type, asked for in `Accept`.
    pub media: String,
    /// The type of one item (an event's `data`, a line).
    pub item: TypeRef,
    /// The `data` that ends the stream, where the spec documents one (`[DONE]`).
    pub sentinel: Option<String>,
    /// The stream is the only success answer: awaiting the call gives it. Otherwise the
    /// call answers with its other body and `.events()` asks for the stream.
    pub only: bool,
    /// The boolean field of the JSON body that asks for the stream (OpenAI's `stream`),
    /// where the operation answers either way.
    pub switch: Option<Switch>,
}

/// How a stream's body splits into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: each event's `data` is an item.
    Events,
    /// NDJSON, JSON Lines: one item a line.
    Lines,
    /// `application/json-seq` (RFC 7464).
    Sequence,
}

/// A boolean body field that asks for the answer as a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Switch {
    /// The field's Rust name.
    pub field: String,
    /// The field is an `Option`.
    pub optional: bool,
    /// The body itself is optional.
    pub body_optional: bool,
}

/// A header a success answer documents.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    /// `snake_case` name of its getter.
    pub name: String,
    /// Its name on the wire.
    pub wire: String,
    /// Its type (a scalar; anything else is read as text).
    pub ty: TypeRef,
    /// Rustdoc text.
    pub doc: Option<String>,
}

/// How a list operation pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Rust name of the body field that holds a page's items; `None`: the body is the list.
    pub items: Option<String>,
    /// The type of one item.
    pub item: TypeRef,
    /// Where the next page is.
    pub next: NextPage,
}

/// Where the next page of a list is.
#[derive(Debug, Clone, PartialEq)]
pub enum NextPage {
    /// Stripe's: while the boolean body field `has_more` is true, the next page starts
    /// after the last item, whose field `id` is sent in the parameter `param`.
    AfterLast {
        /// Rust name of the boolean field.
        has_more: String,
        /// Rust name of the item's id field.
        id: String,
        /// The id field is an `Option`.
        id_optional: bool,
        /// Rust name of the cursor parameter.
        param: String,
    },
    /// Oxide's: the body field `field` holds the next page's token (none on the last
    /// page), sent in the parameter `param`.
    Token {
        /// Rust name of the token field.
        field: String,
        /// The token field is an `Option`.
        optional: bool,
        /// Rust name of the cursor parameter.
        param: String,
    },
    /// RFC 8288: the answer's `Link: <…>; rel="next"` header.
    Link,
}

/// Which response fields of a token operation mean what, where the spec says so with
/// `x-authgen-token` (role -> field name); roles it does not name follow the runtime's
/// convention (RFC 6749 names and their camelCase forms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenFields {
    /// `(role, wire name)` pairs, e.g. `(ExpiresIn, "ttl")`.
    pub named: Vec<(TokenRole, String)>,
}

/// What a field of a token answer means: a field of the runtime's `TokenFields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRole {
    /// `access_token`.
    AccessToken,
    /// `token_type`.
    TokenType,
    /// `expires_in`.
    ExpiresIn,
    /// `expires_at`.
    ExpiresAt,
    /// `refresh_token`.
    RefreshToken,
    /// `refresh_expires_in`.
    RefreshExpiresIn,
    /// `scope`.
    Scope,
}

impl TokenRole {
    /// Every role, in the runtime's order.
    pub const ALL: [TokenRole; 7] = [
        TokenRole::AccessToken,
        TokenRole::TokenType,
        TokenRole::ExpiresIn,
        TokenRole::ExpiresAt,
        TokenRole::RefreshToken,
        TokenRole::RefreshExpiresIn,
        TokenRole::Scope,
    ];

    /// Its name, as `x-authgen-token` and the runtime's `TokenFields` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::AccessToken => "access_token",
            TokenRole::TokenType => "token_type",
            TokenRole::ExpiresIn => "expires_in",
            TokenRole::ExpiresAt => "expires_at",
            TokenRole::RefreshToken => "refresh_token",
            TokenRole::RefreshExpiresIn => "refresh_expires_in",
            TokenRole::Scope => "scope",
        }
    }
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// `snake_case` Rust name.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// A query parameter sent unexploded: an array as one value, its items joined by
    /// this (`form` with `explode: false`: `,`; `spaceDelimited`: ` `; `pipeDelimited`: `|`).
    pub delimiter: Option<String>,
    /// Its type.
    pub ty: TypeRef,
    /// Must be given.
    pub required: bool,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// Documented limits.
    pub checks: Checks,
    /// The `Idempotency-Key` header: filled with a fresh key per call when the caller
    /// gives none, kept across that call's retries, and making the call retryable.
    pub idempotency_key: bool,
    /// How its value is written: the document's `style`, else its place's default.
    pub style: ParamStyle,
    /// Whether a list or object is written as one pair per item: the document's
    /// `explode`, else true for `form` and false for the other styles.
    pub explode: bool,
    /// Where the parameter object is defined in the loaded document (`#/components/…`
    /// when the operation `$ref`s one); `None` for a path parameter it does not declare.
    pub pointer: Option<String>,
    /// The pointer of its schema, where it has one.
    pub schema: Option<String>,
}

/// How a parameter's value is written (OpenAPI's `style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// `a,b` (path and header default).
    Simple,
    /// `.a.b` in the path.
    Label,
    /// `;name=a,b` in the path.
    Matrix,
    /// `name=a&name=b` or `name=a,b` (query and cookie default).
    Form,
    /// `name=a%20b` in the query.
    SpaceDelimited,
    /// `name=a|b` in the query.
    PipeDelimited,
    /// `name[key]=value` in the query.
    DeepObject,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Its media type, sent as `Content-Type` for text and binary bodies.
    pub media: String,
    /// Its type.
    pub ty: TypeRef,
    /// Must be given.
    pub required: bool,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// What of it has limits to check.
    pub checks: Checks,
    /// Its `format: binary` fields, sent as the file parts of a multipart body.
    pub files: Vec<FilePart>,
    /// Every media type the document lists for it, in its order (the client sends
    /// `media`; a server takes any).
    pub content: Vec<BodyMedia>,
}

/// A media type a request body may be sent in.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyMedia {
    /// Its essence: `application/json`.
    pub essence: String,
    /// The pointer of its schema, where it has one.
    pub schema: Option<String>,
}

/// A file part of a multipart body: a `format: binary` field of its type.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    /// The field's Rust name.
    pub name: String,
    /// The part's name.
    pub wire: String,
    /// The field is an `Option`.
    pub optional: bool,
}

/// Encoding of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`: properties as text parts, binary fields as file parts.
    Multipart,
    /// Text of another media type (`text/plain`, `text/csv`), given as a string.
    Text,
    /// Any other media type (`application/octet-stream`, `image/png`), given as bytes.
    Binary,
}

/// How a response body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    /// JSON, into its type.
    Json,
    /// Text (`text/*`, XML), into a `String`.
    Text,
    /// Anything else, as bytes.
    Binary,
}

/// A documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Which statuses it covers.
    pub status: Status,
    /// `PascalCase` variant name (`BadRequest`, `Found`, `Ok`).
    pub variant: String,
    /// Rustdoc text.
    pub doc: Option<String>,
    /// Type of the body, if documented.
    pub body: Option<TypeRef>,
    /// How the body is read.
    pub decoding: Decoding,
    /// What a server answering with it sends.
    pub served: Served,
}

/// What a server answering with a response sends: every media type the document gives
/// it, with schema and examples, and every header (the mock serves it).
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    /// Where the response object is defined in the loaded document (after `$ref`s).
    pub pointer: String,
    /// Every media type it documents, in the document's order.
    pub content: Vec<ServedMedia>,
    /// Every header it documents but `Content-Type`, in the document's order.
    pub headers: Vec<ServedHeader>,
}

/// A media type of a response, as the document gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedMedia {
    /// As the document writes it (`application/json; charset=utf-8`).
    pub media: String,
    /// The pointer of the media type object.
    pub pointer: String,
    /// The pointer of its schema, where it has one.
    pub schema: Option<String>,
    /// Its `example`.
    pub example: Option<serde_json::Value>,
    /// Its named `examples` that have a value (references to components followed).
    pub examples: Vec<(String, serde_json::Value)>,
}

/// A header of a response, as the document gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedHeader {
    /// Its name.
    pub wire: String,
    /// Its `example`.
    pub example: Option<serde_json::Value>,
    /// The pointer of its schema, where it has one.
    pub schema: Option<String>,
}

/// Statuses a response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// One status code.
    Code(u16),
    /// A range: `4XX` is `Range(4)`.
    Range(u16),
    /// Every status not documented otherwise.
    Default,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string_enum(names: &[&str], deserialize: bool) -> TypeDef {
        let variants =
            names.iter().map(|n| Variant { name: n.to_string(), wire: n.to_lowercase(), doc: None });
        TypeDef { deserialize, ..TypeDef::new("E".into(), None, TypeKind::Enum(variants.collect())) }
    }

    #[test]
    fn enums_that_responses_carry_are_open_with_a_free_catch_all_name() {
        assert_eq!(string_enum(&["A"], false).open_variant(), None, "sent only: closed");
        assert_eq!(string_enum(&["A"], true).open_variant().as_deref(), Some("Other"));
        assert_eq!(string_enum(&["Other", "Other2"], true).open_variant().as_deref(), Some("Other3"));
    }
}
