//! Pagination: a list operation that pages implements the runtime's `Paginate`, and
//! the module's `Call` then gives a stream of its items (`.stream()`, which the
//! runtime's `call_block!` writes).

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rust_type};
use crate::model::{NextPage, Operation, TypeDef};

/// How the struct of `op`'s parameters turns a page, if `op` pages.
pub fn paginate_impl(op: &Operation, types: &[TypeDef]) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let params = ident(&op.call_type);
    let item = rust_type(&pagination.item, types);
    let items = match &pagination.items {
        Some(field) => {
            let field = ident(field);
            quote!(output.#field)
        }
        None => quote!(output),
    };
    let page = quote!(__rt::Page);
    let (turn, next) = match &pagination.next {
        NextPage::AfterLast { has_more, id, id_optional, param } => {
            let (has_more, id) = (ident(has_more), ident(id));
            let id = if *id_optional { quote!(item.#id.clone()) } else { quote!(Some(item.#id.clone())) };
            (quote!(#page::after_last(#items, output.#has_more, |item| #id)), Some(param))
        }
        NextPage::Token { field, optional, param } => {
            let field = ident(field);
            let token = if *optional { quote!(output.#field) } else { quote!(Some(output.#field)) };
            (quote!(#page::token(#items, #token)), Some(param))
        }
        NextPage::Link => (quote!(#page::link(#items, link)), None),
    };
    let link = if next.is_some() { quote!(_link) } else { quote!(link) };
    let next = next.map(|param| {
        let param = ident(param);
        quote!(fn next(&mut self, cursor: String) { self.#param = Some(cursor); })
    });
    Some(quote! {
        impl __rt::Paginate for #params {
            type Item = #item;

            fn page(output: Self::Output, #link: Option<&str>) -> #page<Self::Item> {
                #turn
            }

            #next
        }
    })
}
