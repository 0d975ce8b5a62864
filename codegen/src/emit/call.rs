//! Calls: the client method of each operation takes its required parameters and returns
//! a `Call` of the module, on which optional parameters and per-call options are set
//! and which `.await` sends. One generic `Call` per module, one parameter struct per
//! operation: the sending itself is the runtime's, written once.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::doc;
use super::types::{ident, rust_type};
use crate::model::{Api, Operation, Param, TypeDef, TypeRef};
use crate::naming;

/// The module's `Call`: per-call options, `IntoFuture` and `with_response` for every
/// operation at once, and the parts some operation needs (`Call::stream` where one
/// pages, `Call::events` where one streams, `Call::download` where one answers with
/// bytes); written once, in the runtime's macro.
pub fn builder(api: &Api) -> TokenStream {
    let ops = &api.operations;
    let parts = [
        ("pages", ops.iter().any(|op| op.pagination.is_some())),
        ("events", ops.iter().any(|op| op.stream.is_some())),
        ("download", ops.iter().any(super::stream::downloads)),
    ];
    let parts =
        parts.into_iter().filter(|(_, used)| *used).map(|(part, _)| Ident::new(part, Span::call_site()));
    quote!(__rt::call_block!(#(#parts),*);)
}

/// The parameters the struct of `op` holds: all but an optional idempotency key, which
/// the call's options carry.
pub fn held(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.required || !p.idempotency_key)
}

/// The method of `Client` for `op`: required parameters as arguments, in spec order.
pub fn method(op: &Operation, types: &[TypeDef]) -> TokenStream {
    let label = format!("`{}`", op.label);
    let optional: Vec<String> = setters_of(op).map(|(name, ..)| format!("`{}`", naming::raw(name))).collect();
    // Written here, not taken from the spec: its link is not escaped.
    let how = match optional.is_empty() {
        true => "Returns a [`Call`]: `.await` it to send it.".to_string(),
        false => format!(
            "Returns a [`Call`]: set the optional parameters on it ({}), then `.await` it.",
            optional.join(", ")
        ),
    };
    let pages = op.pagination.as_ref().map(|_| {
        "The list pages: [`Call::stream`] gives the items of every page, fetched as they are read."
            .to_string()
    });
    let ours = [Some(how), pages, answers_doc(op)].into_iter().flatten().collect::<Vec<_>>().join("\n\n");
    let spec = doc::outer(doc::paragraphs([op.doc.as_deref(), Some(&label)]).as_deref());
    let ours = doc::ours(&ours);
    let docs = quote!(#spec #[doc = ""] #ours);
    let deprecated = super::operation::deprecated(op);
    let (name, params) = (ident(&op.name), ident(&op.call_type));
    let mut args = Vec::new();
    let mut fields = Vec::new();
    for (name, ty, required) in values(op) {
        let name = ident(name);
        if required {
            let (input, value) = input(ty, &name, types);
            args.push(quote!(#name: #input));
            // `customer`, not `customer: customer`.
            let same = name == value.to_string();
            fields.push(if same { quote!(#name) } else { quote!(#name: #value) });
        } else {
            fields.push(quote!(#name: None));
        }
    }
    let value = if fields.is_empty() { quote!(#params) } else { quote!(#params { #(#fields),* }) };
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> Call<'_, #params> {
            Call::new(self, #value)
        }
    }
}

/// How else the answer of `op` can be read: as a stream of items, chunk by chunk.
fn answers_doc(op: &Operation) -> Option<String> {
    if let Some(stream) = &op.stream {
        return Some(match (stream.only, &stream.switch) {
            (true, _) => {
                "Awaiting it gives a stream of items as they arrive: read them with `.next().await`.".into()
            }
            (false, Some(switch)) => format!(
                "[`Call::events`] asks for the answer as a stream of items instead (setting `{}` to `true`).",
                switch.field
            ),
            (false, None) => "[`Call::events`] asks for the answer as a stream of items instead.".into(),
        });
    }
    super::stream::downloads(op)
        .then(|| "[`Call::download`] reads the body chunk by chunk instead of whole.".to_string())
}

/// The struct of `op`'s parameters and the setters of its optional ones.
pub fn params(op: &Operation, types: &[TypeDef]) -> TokenStream {
    let name = ident(&op.call_type);
    let doc = format!("The parameters of [`Client::{}`], held by its [`Call`].", naming::raw(&op.name));
    let doc = doc::ours(&doc);
    let fields: Vec<TokenStream> = values(op)
        .map(|(field, ty, required)| {
            let (field, ty) = (ident(field), rust_type(ty, types));
            if required { quote!(#field: #ty) } else { quote!(#field: Option<#ty>) }
        })
        .collect();
    let body = if fields.is_empty() { quote!(;) } else { quote!({ #(#fields),* }) };
    // A stream of pages sends the parameters again, with each page's cursor; an event
    // stream, to resume.
    let clone = (op.pagination.is_some() || op.stream.is_some()).then(|| quote!(#[derive(Clone)]));
    let setters: Vec<TokenStream> =
        setters_of(op).map(|(field, ty, doc)| setter(field, ty, doc, types)).collect();
    let setters = (!setters.is_empty()).then(|| quote!(impl Call<'_, #name> { #(#setters)* }));
    quote! {
        #doc
        #clone
        pub struct #name #body
        #setters
    }
}

/// Name, type and whether it is required, of each value the struct of `op` holds.
fn values(op: &Operation) -> impl Iterator<Item = (&str, &TypeRef, bool)> {
    let params = held(op).map(|p| (p.name.as_str(), &p.ty, p.required));
    params.chain(op.body.as_ref().map(|b| ("body", &b.ty, b.required)))
}

/// Name, type and doc of each optional value of `op`: its setters.
fn setters_of(op: &Operation) -> impl Iterator<Item = (&str, &TypeRef, Option<&str>)> {
    let params = held(op).filter(|p| !p.required).map(|p| (p.name.as_str(), &p.ty, p.doc.as_deref()));
    let body = op.body.as_ref().filter(|b| !b.required).map(|b| ("body", &b.ty, b.doc.as_deref()));
    params.chain(body)
}

fn setter(field: &str, ty: &TypeRef, doc: Option<&str>, types: &[TypeDef]) -> TokenStream {
    let fallback = format!("Sets `{}`.", naming::raw(field));
    let docs = doc::outer(Some(doc.unwrap_or(&fallback)));
    let field = ident(field);
    let (input, value) = input(ty, &field, types);
    quote! {
        #docs
        pub fn #field(mut self, #field: #input) -> Self {
            self.params.#field = Some(#value);
            self
        }
    }
}

/// What an argument or setter takes for a value of `ty`, and the value it keeps.
fn input(ty: &TypeRef, name: &Ident, types: &[TypeDef]) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String | TypeRef::Secret => {
            let ty = rust_type(ty, types);
            (quote!(impl Into<#ty>), quote!(#name.into()))
        }
        TypeRef::Vec(inner) if matches!(**inner, TypeRef::String | TypeRef::Secret) => {
            let inner = rust_type(inner, types);
            (
                quote!(impl IntoIterator<Item = impl Into<#inner>>),
                quote!(#name.into_iter().map(Into::into).collect()),
            )
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner, types);
            (quote!(impl IntoIterator<Item = #inner>), quote!(#name.into_iter().collect()))
        }
        _ => (rust_type(ty, types), quote!(#name)),
    }
}
