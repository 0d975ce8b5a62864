//! Token operations -> `<operation>_token_source(…)`: the operation's arguments kept,
//! the operation called whenever the cache needs a new token.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{ident, rust_type};
use crate::model::{Api, Field, Operation, TokenFields, TypeDef, TypeKind, TypeRef};

/// The token-source method of `op`, if it issues tokens.
pub fn source_method(op: &Operation, api: &Api) -> Option<TokenStream> {
    let fields = fields(op.token.as_ref()?);
    // What the cache's tracing events call it: `uqudo.get_token`.
    let source = format!("{}.{}", super::module_name(api), op.name);
    // `get_token` -> `get_token_source`, `login` -> `login_token_source`.
    let suffix = if op.name.ends_with("token") { "_source" } else { "_token_source" };
    let method = ident(&format!("{}{suffix}", op.name));
    let call = ident(&op.name);
    let doc = format!(
        "A token source that calls [`Client::{}`] with these arguments whenever a new token is needed: wrap it in a [`TokenCache`](::authgen_runtime::token::TokenCache).",
        op.name
    );
    let doc = super::doc::ours(&doc);
    let mut args = Vec::new();
    let mut names = Vec::new();
    let mut passed = Vec::new();
    let mut set = Vec::new();
    let params = super::call::held(op).map(|p| (p.name.as_str(), &p.ty, p.required));
    for (name, ty, required) in params.chain(op.body.as_ref().map(|b| ("body", &b.ty, b.required))) {
        let name = ident(name);
        let ty = owned_type(ty, required, &api.types);
        args.push(quote!(#name: #ty));
        match required {
            true => passed.push(quote!(#name)),
            false => set.push(quote!(if let Some(value) = #name { call = call.#name(value); })),
        }
        names.push(name);
    }
    // Each call gets its own copies, the optional ones set where given.
    let call = match set.is_empty() {
        true => quote!(client.#call(#(#passed),*).await),
        false => quote!(let mut call = client.#call(#(#passed),*); #(#set)* call.await),
    };
    // Deprecated with its operation; calling the operation is then no news to anyone.
    let deprecated = super::operation::deprecated(op).map(|d| quote!(#d #[allow(deprecated)]));
    // Each call owns its copies: the future outlives the borrow of the closure.
    let clones = if names.is_empty() {
        quote!(let client = client.clone();)
    } else {
        quote!(let (client, #(#names),*) = (client.clone(), #(#names.clone()),*);)
    };
    Some(quote! {
        #doc
        #deprecated
        pub fn #method(&self, #(#args),*) -> impl __rt::token::TokenSource + use<> {
            let identity = self.core.token_identity(#source, &(#(&#names,)*));
            let client = self.clone();
            __rt::token::token_source(#source, #fields, identity, move || {
                #clones
                async move { #call }
            })
        }
    })
}

/// The runtime's `TokenFields`: the convention, with the spec's stated names first.
fn fields(token: &TokenFields) -> TokenStream {
    let convention = quote!(__rt::token::TokenFields::CONVENTION);
    if token.named.is_empty() {
        return convention;
    }
    let named = token.named.iter().map(|(role, wire)| {
        let role = ident(role.as_str());
        quote!(#role: &[#wire])
    });
    quote!(__rt::token::TokenFields { #(#named,)* ..#convention })
}

/// The owned type a token source keeps for a value passed by reference.
fn owned_type(ty: &TypeRef, required: bool, types: &[TypeDef]) -> TokenStream {
    let ty = rust_type(ty, types);
    if required { ty } else { quote!(Option<#ty>) }
}

/// `TokenAnswer` for a type a token operation answers with: its fields looked up by
/// wire name, so the runtime reads the typed answer as it is.
pub fn answer_impl(def: &TypeDef) -> Option<TokenStream> {
    let TypeKind::Struct(fields) = &def.kind else { return None };
    let arms = fields.iter().filter(|f| readable(&f.ty)).map(|Field { name, wire, .. }| {
        let name = ident(name);
        quote!(#wire => self.#name.as_token_value(),)
    });
    let ty = ident(&def.name);
    // The trait only where a field is read through it: an unused import is a warning.
    let arms: Vec<TokenStream> = arms.collect();
    let import = (!arms.is_empty()).then(|| {
        quote!(
            use __rt::token::AsTokenValue;
        )
    });
    Some(quote! {
        impl __rt::token::TokenAnswer for #ty {
            fn field(&self, wire: &str) -> Option<__rt::token::TokenValue<'_>> {
                #import
                match wire {
                    #(#arms)*
                    _ => None,
                }
            }
        }
    })
}

/// Field types a token field can have (the runtime's `AsTokenValue` types).
fn readable(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String | TypeRef::Secret | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::Json => {
            true
        }
        TypeRef::Vec(item) => **item == TypeRef::String,
        _ => false,
    }
}
