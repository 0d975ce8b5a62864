//! Answers beyond a body read whole: an operation's stream of items (its runtime
//! `EventStream`) and the type of its documented headers. The `Call` methods that ask
//! for them (`events`, `download`, `with_response`) are the runtime's `call_block!`.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc;
use super::types::{ident, rust_type};
use crate::model::{Framing, ItemStream, Operation, TypeDef, TypeRef};

/// Whether `op`'s result is one binary body, which `.download()` can read instead.
pub fn downloads(op: &Operation) -> bool {
    op.success_type.is_none() && op.success.iter().find_map(|r| r.body.as_ref()) == Some(&TypeRef::Binary)
}

/// `__rt::Events<Item, Error>`: the result of an operation that answers
/// only with a stream.
pub fn events_type(op: &Operation, stream: &ItemStream, types: &[TypeDef]) -> TokenStream {
    let (item, error) = (rust_type(&stream.item, types), ident(&op.error_type));
    quote!(__rt::Events<#item, #error>)
}

/// The type of `op`'s answers' headers.
pub fn headers_type(op: &Operation) -> TokenStream {
    match &op.headers_type {
        Some(name) => {
            let name = ident(name);
            quote!(#name)
        }
        None => quote!(__rt::HeaderMap),
    }
}

/// How `op` streams, if it does: the runtime's `EventStream`.
pub fn event_stream_impl(op: &Operation, types: &[TypeDef]) -> Option<TokenStream> {
    let stream = op.stream.as_ref()?;
    let params = ident(&op.call_type);
    let item = rust_type(&stream.item, types);
    let mut format = match stream.framing {
        Framing::Events => quote!(__rt::Format::events()),
        Framing::Lines => {
            let media = &stream.media;
            quote!(__rt::Format::lines(#media))
        }
        Framing::Sequence => quote!(__rt::Format::sequence()),
    };
    if let Some(sentinel) = &stream.sentinel {
        format = quote!(#format.until(#sentinel));
    }
    if stream.item == TypeRef::String {
        format = quote!(#format.text());
    }
    let switch = stream.switch.as_ref().map(|switch| {
        let field = ident(&switch.field);
        let on = if switch.optional { quote!(Some(true)) } else { quote!(true) };
        let set = if switch.body_optional {
            quote!(if let Some(body) = &mut self.body { body.#field = #on; })
        } else {
            quote!(self.body.#field = #on;)
        };
        quote!(fn stream_on(&mut self) { #set })
    });
    Some(quote! {
        impl __rt::EventStream for #params {
            type Item = #item;
            const FORMAT: __rt::Format = #format;
            #switch
        }
    })
}

/// The type of `op`'s answers' headers, where the spec documents some: the `HeaderMap`
/// with a typed getter for each.
pub fn headers_struct(op: &Operation, types: &[TypeDef]) -> Option<TokenStream> {
    let name = ident(op.headers_type.as_ref()?);
    let doc = format!(
        "The headers of [`Client::{}`]'s answers (`.with_response()`): every one by the `HeaderMap` it derefs to, the documented ones typed.",
        op.name
    );
    let doc = doc::ours(&doc);
    let getters = op.headers.iter().map(|header| {
        let (getter, wire, ty) = (ident(&header.name), &header.wire, rust_type(&header.ty, types));
        let fallback = format!("The `{wire}` header, if the answer has one that reads as its type.");
        let docs = doc::outer(doc::paragraphs([header.doc.as_deref(), Some(fallback.as_str())]).as_deref());
        quote! {
            #docs
            pub fn #getter(&self) -> Option<#ty> {
                __rt::header(&self.0, #wire)
            }
        }
    });
    Some(quote! {
        #doc
        #[derive(Clone)]
        pub struct #name(__rt::HeaderMap);
        __rt::headers_type!(#name);

        impl #name {
            #(#getters)*
        }
    })
}
