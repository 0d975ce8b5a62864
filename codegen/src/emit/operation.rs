//! Operations -> client methods, their error-status enums and success enums.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::doc;
use super::types::{ident, rust_type, value_checks};
use crate::model::{
    Body, BodyEncoding, Decoding, ItemStream, Method, Operation, Param, ParamLocation, ParamStyle, Response,
    Status, TypeDef,
};
use crate::naming;

/// How the parameters of `op` become its request and its answer its result: the
/// runtime's `Operation`, implemented by the struct its `Call` holds.
pub fn operation_impl(op: &Operation, types: &[TypeDef]) -> TokenStream {
    let (params, error) = (ident(&op.call_type), ident(&op.error_type));
    let success = success_type(op, types);
    let names: Vec<Ident> = super::call::held(op).map(|p| ident(&p.name)).collect();
    let body = op.body.as_ref().map(|_| ident("body"));
    let fields: Vec<&Ident> = names.iter().chain(&body).collect();
    // `#[inline]` keeps the two out of the generated crate's own code: like the async
    // methods they replace, they (and the serde code they reach) are compiled where a
    // call is made, so a client of 500 operations does not build all 500 in release.
    // The request serializes what it needs: the values are only borrowed.
    let bind = (!fields.is_empty()).then(|| quote!(let #params { #(#fields),* } = &self;));
    let checks = param_checks(op);
    let request = request(op);
    let dispatch = dispatch(op);
    let headers = super::stream::headers_type(op);
    // Awaiting a call that answers only with a stream gives the stream.
    let call = op.stream.as_ref().filter(|s| s.only).map(|_| {
        quote! {
            fn call(core: &__rt::ClientCore, params: Self, options: __rt::CallOptions) -> __rt::CallFuture<'_, Self::Output, Self::Error> {
                __rt::events(core, params, options)
            }
        }
    });
    quote! {
        impl __rt::Operation for #params {
            type Output = #success;
            type Error = #error;
            type Headers = #headers;

            #[inline]
            fn request(self, core: &__rt::ClientCore) -> __rt::Built<'_> {
                #bind
                #checks
                #request
            }

            #[inline]
            fn decode(response: __rt::Reply) -> __rt::Decoded<Self> {
                #dispatch
            }

            #call
        }
    }
}

/// The stream that is `op`'s only success answer, if it is one.
fn only_stream(op: &Operation) -> Option<&ItemStream> {
    op.stream.as_ref().filter(|stream| stream.only)
}

/// `#[deprecated]` for an operation the spec marks so.
pub fn deprecated(op: &Operation) -> Option<TokenStream> {
    op.deprecated.then(|| quote!(#[deprecated = "the spec marks this operation as deprecated"]))
}

fn success_type(op: &Operation, types: &[TypeDef]) -> TokenStream {
    if let Some(stream) = only_stream(op) {
        return super::stream::events_type(op, stream, types);
    }
    if let Some(name) = &op.success_type {
        let name = ident(name);
        return quote!(#name);
    }
    match op.success.iter().find_map(|r| r.body.as_ref()) {
        Some(ty) => rust_type(ty, types),
        None => quote!(()),
    }
}

/// The limits of the parameters and body, checked before the request is built.
fn param_checks(op: &Operation) -> TokenStream {
    let mut checks = TokenStream::new();
    for p in super::call::held(op).filter(|p| !p.checks.is_empty()) {
        let name = ident(&p.name);
        checks.extend(value_checks(&p.wire, &p.checks, &quote!(#name), true, !p.required));
    }
    if let Some(b) = op.body.as_ref().filter(|b| !b.checks.is_empty()) {
        checks.extend(value_checks("body", &b.checks, &quote!(body), true, !b.required));
    }
    checks
}

/// Builds the request: the operation and its path, fixed and given parameters, auth,
/// body, in one chain; an optional value is added where it is given. Every value is a
/// reference.
fn request(op: &Operation) -> TokenStream {
    let method = match op.method {
        Method::Get => quote!(GET),
        Method::Put => quote!(PUT),
        Method::Post => quote!(POST),
        Method::Delete => quote!(DELETE),
        Method::Options => quote!(OPTIONS),
        Method::Head => quote!(HEAD),
        Method::Patch => quote!(PATCH),
        Method::Trace => quote!(TRACE),
    };
    let (name, template, segments) = (&op.name, &op.path, segments(op));
    let mut chain = quote!(core.operation(__rt::Method::#method, #name, #template, &[#(#segments),*]));
    let mut given = TokenStream::new();
    for (name, value) in &op.fixed_query {
        chain.extend(quote!(.query(#name, &#value)));
    }
    if op.idempotent {
        chain.extend(quote!(.idempotent()));
    }
    for param in op.params.iter().filter(|p| p.location != ParamLocation::Path) {
        let name = ident(&param.name);
        if param.idempotency_key {
            let wire = &param.wire;
            let key = if param.required { quote!(Some(#name.as_str())) } else { quote!(None) };
            chain.extend(quote!(.idempotency_key(#wire, #key)));
        } else if param.required {
            chain.extend(add_param_value(param, quote!(#name)));
        } else {
            let add = add_param_value(param, quote!(value));
            given.extend(quote!(.given(#name, |request, value| request #add)));
        }
    }
    // Scopes first: `security` attaches the credentials, a token of these scopes.
    for (scheme, scopes) in &op.scopes {
        chain.extend(quote!(.scopes(#scheme, &[#(#scopes),*])));
    }
    if !op.security.is_empty() {
        let alternatives = op.security.iter().map(|names| quote!(&[#(#names),*]));
        chain.extend(quote!(.security(&[#(#alternatives),*])));
    }
    if let Some(stream) = only_stream(op) {
        let media = &stream.media;
        chain.extend(quote!(.stream(#media)));
    } else if op.success.iter().chain(&op.errors).any(|r| r.body.is_some() && r.decoding == Decoding::Json) {
        chain.extend(quote!(.accept("application/json")));
    }
    if let Some(body) = &op.body {
        let encode = encode_body(body);
        match body.required {
            true => chain.extend(encode),
            false => given.extend(quote!(.given(body, |request, body| request #encode))),
        }
    }
    quote!(Ok(#chain #given))
}

/// The path's segments, one per `{…}` of the template in its order: the parameter it
/// names in its style, percent-encoded (`path_segment` and `path_styled` refuse `.` and
/// `..`), filled in by the runtime.
fn segments(op: &Operation) -> Vec<TokenStream> {
    let placeholders =
        op.path.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(wire, _)| wire);
    let param = |wire: &str| op.params.iter().find(|p| p.location == ParamLocation::Path && p.wire == wire);
    placeholders.filter_map(param).map(segment).collect()
}

/// One path parameter's segment: `simple` and unexploded (the default) in short.
fn segment(param: &Param) -> TokenStream {
    let (name, wire, explode) = (ident(&param.name), &param.wire, param.explode);
    let style = match param.style {
        ParamStyle::Label => quote!(Label),
        ParamStyle::Matrix => quote!(Matrix),
        _ if !explode => return quote!(__rt::path_segment(#wire, #name)?),
        _ => quote!(Simple),
    };
    quote!(__rt::path_styled(#wire, #name, __rt::PathStyle::#style, #explode)?)
}

/// `.json(body)` and the like: the body in its encoding.
fn encode_body(body: &Body) -> TokenStream {
    let media = &body.media;
    match body.encoding {
        BodyEncoding::Json => quote!(.json(body)),
        BodyEncoding::Form => quote!(.form(body)),
        BodyEncoding::Text => quote!(.text(#media, body)),
        BodyEncoding::Binary => quote!(.binary(#media, body)),
        BodyEncoding::Multipart => {
            let wires = body.files.iter().map(|f| &f.wire);
            let parts = body.files.iter().map(|f| {
                let (wire, name) = (&f.wire, ident(&f.name));
                if f.optional {
                    quote!(.file(#wire, body.#name.as_ref()))
                } else {
                    quote!(.file(#wire, &body.#name))
                }
            });
            quote!(.multipart(__rt::Multipart::object(body, &[#(#wires),*]) #(#parts)*))
        }
    }
}

/// `.query(…)`, `.header(…)` or `.cookie(…)` carrying `value`.
fn add_param_value(param: &Param, value: TokenStream) -> TokenStream {
    let wire = &param.wire;
    match param.location {
        ParamLocation::Query if param.style == ParamStyle::DeepObject => quote!(.query_deep(#wire, #value)),
        ParamLocation::Query if param.delimiter.is_some() => {
            let delimiter = param.delimiter.as_deref().unwrap_or_default();
            quote!(.query_delimited(#wire, #value, #delimiter))
        }
        ParamLocation::Query => quote!(.query(#wire, #value)),
        ParamLocation::Header if param.explode => quote!(.header_exploded(#wire, #value)),
        ParamLocation::Header | ParamLocation::Path => quote!(.header(#wire, #value)),
        ParamLocation::Cookie => quote!(.cookie(#wire, #value)),
    }
}

/// Turns the response into the method's result, status by status.
fn dispatch(op: &Operation) -> TokenStream {
    let error = ident(&op.error_type);
    let mut arms = Vec::new();
    for response in &op.success {
        let pattern = status_pattern(response.status);
        let read = ident(match response.decoding {
            Decoding::Json => "json",
            Decoding::Text => "text",
            Decoding::Binary => "binary",
        });
        let decode = match (&response.body, &op.success_type) {
            _ if only_stream(op).is_some() => {
                quote!(response.events(<Self as __rt::EventStream>::FORMAT))
            }
            (Some(_), None) => quote!(response.#read()),
            (None, None) => quote!(response.empty()),
            (Some(_), Some(name)) => {
                let (name, variant) = (ident(name), ident(&response.variant));
                quote!(response.#read().map(#name::#variant))
            }
            (None, Some(name)) => {
                let (name, variant) = (ident(name), ident(&response.variant));
                quote!(response.empty().map(|()| #name::#variant))
            }
        };
        arms.push((response.status, quote!(#pattern => #decode)));
    }
    if op.success.is_empty() {
        arms.push((Status::Range(2), quote!(200..=299 => response.empty())));
    }
    for response in &op.errors {
        let pattern = status_pattern(response.status);
        let variant = ident(&response.variant);
        let read = ident(match response.decoding {
            Decoding::Json => "error_json",
            Decoding::Text => "error_text",
            Decoding::Binary => "error_binary",
        });
        let value = match response.body {
            Some(_) => quote!(response.#read(#error::#variant)),
            None => quote!(response.error(#error::#variant)),
        };
        arms.push((response.status, quote!(#pattern => Err(#value))));
    }
    // Exact codes before ranges before `default`, as OpenAPI specifies.
    arms.sort_by_key(|(status, _)| match status {
        Status::Code(_) => 0,
        Status::Range(_) => 1,
        Status::Default => 2,
    });
    let arms = arms.into_iter().map(|(_, arm)| arm);
    let fallback = (!op.errors.iter().any(|r| r.status == Status::Default))
        .then(|| quote!(_ => Err(response.unexpected()),));
    quote! {
        match response.status() {
            #(#arms,)*
            #fallback
        }
    }
}

fn status_pattern(status: Status) -> TokenStream {
    match status {
        Status::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        Status::Range(range) => {
            let (low, high) =
                (Literal::u16_unsuffixed(range * 100), Literal::u16_unsuffixed(range * 100 + 99));
            quote!(#low..=#high)
        }
        Status::Default => quote!(_),
    }
}

/// The enum of documented error statuses of an operation.
pub fn error_enum(op: &Operation, types: &[TypeDef]) -> TokenStream {
    let name = ident(&op.error_type);
    let method = naming::raw(&op.name);
    let doc = if op.errors.is_empty() {
        format!("Documented error statuses of [`Client::{method}`]: the spec documents none.")
    } else {
        format!("Documented error statuses of [`Client::{method}`].")
    };
    let doc = doc::ours(&doc);
    let variants = op.errors.iter().map(|r| variant(r, types));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants,)* }
    }
}

/// The enum of success responses, when an operation has several kinds.
pub fn success_enum(op: &Operation, types: &[TypeDef]) -> Option<TokenStream> {
    let name = ident(op.success_type.as_ref()?);
    let doc = format!("Successful responses of [`Client::{}`].", naming::raw(&op.name));
    let doc = doc::ours(&doc);
    let variants = op.success.iter().map(|r| variant(r, types));
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants,)* }
    })
}

fn variant(response: &Response, types: &[TypeDef]) -> TokenStream {
    let status = match response.status {
        Status::Code(code) => code.to_string(),
        Status::Range(range) => format!("{range}XX"),
        Status::Default => "Any other status".to_string(),
    };
    let text = doc::paragraphs([Some(status.as_str()), response.doc.as_deref()])
        .map(|t| t.replacen("\n\n", ": ", 1));
    let docs = doc::outer(text.as_deref());
    let variant = ident(&response.variant);
    match &response.body {
        Some(ty) => {
            let ty = rust_type(ty, types);
            quote!(#docs #variant(#ty))
        }
        None => quote!(#docs #variant),
    }
}
