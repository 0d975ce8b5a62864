//! Named types -> structs, enums and aliases with serde attributes and `validate`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::{doc, rename};
use crate::model::{Checks, Field, Tag, TypeDef, TypeKind, TypeRef, UntaggedVariant, Validate, Variant};

/// The identifier `name`, raw where it is a keyword (`r#type`), so that a field keeps its
/// wire spelling.
pub fn ident(name: &str) -> Ident {
    match crate::naming::is_keyword(name) {
        true => Ident::new_raw(name, Span::call_site()),
        false => Ident::new(name, Span::call_site()),
    }
}

/// The Rust spelling of a type reference; `types` are the module's, which a handle
/// indexes.
pub fn rust_type(ty: &TypeRef, types: &[TypeDef]) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Secret => quote!(__rt::Secret),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::Json => quote!(__rt::Json),
        TypeRef::Binary => quote!(__rt::Binary),
        TypeRef::DateTime => quote!(__rt::DateTime),
        TypeRef::Date => quote!(__rt::chrono::NaiveDate),
        TypeRef::Uuid => quote!(__rt::uuid::Uuid),
        TypeRef::Named(id) => {
            let name = ident(&types[id.0].name);
            quote!(#name)
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner, types);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, types);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
    }
}

/// `Box<ty>` where a recursive type needs it.
fn boxed(ty: TokenStream, boxed: bool) -> TokenStream {
    if boxed { quote!(Box<#ty>) } else { ty }
}

/// The item of `def`, one of the module's `types`.
pub fn type_def(def: &TypeDef, types: &[TypeDef]) -> TokenStream {
    let docs = doc::outer(def.doc.as_deref());
    let name = ident(&def.name);
    let body = match &def.kind {
        TypeKind::Struct(fields) => structure(&name, fields, def, types),
        TypeKind::Enum(variants) => enumeration(&name, variants, def),
        TypeKind::Untagged(variants) => untagged(&name, variants, def, types),
        TypeKind::Alias(ty) => {
            let ty = rust_type(ty, types);
            quote! { pub type #name = #ty; }
        }
    };
    // Not on an alias: it names a type that has its own impls (a second one conflicts)
    // or a foreign one (`Vec<…>`, which the orphan rule keeps us from implementing).
    let alias = matches!(def.kind, TypeKind::Alias(_));
    let unwind_safe = (def.recursive && !alias).then(|| quote!(__rt::unwind_safe!(#name);));
    quote! { #docs #body #unwind_safe }
}

/// The serde crate as generated code names it (`#[serde(crate = …)]`, trait paths): the
/// runtime's, imported under this name by the module, so that a generated crate depends
/// on the runtime alone (and a crate that has serde too sees no ambiguity).
pub const SERDE: &str = "__serde";

/// Which serde traits the item of `def` names, deriving or implementing them:
/// `Serialize` to be sent, `Deserialize` to be received; an alias names none. The
/// module imports exactly these.
pub fn serde_traits(def: &TypeDef) -> (bool, bool) {
    match def.kind {
        TypeKind::Alias(_) => (false, false),
        // Sent through the runtime's `serialize_as_str!`, which names serde's trait itself.
        TypeKind::Enum(_) if def.open_variant().is_some() => (false, def.deserialize),
        // Received through the runtime's `deserialize_struct!`, likewise.
        TypeKind::Struct(_) => (def.serialize, false),
        _ => (def.serialize, def.deserialize),
    }
}

/// The serde derives of `def`, `Deserialize` only where it is derived rather than written.
fn serde_derives(def: &TypeDef, derive_deserialize: bool) -> Vec<TokenStream> {
    let (serialize, deserialize) = serde_traits(def);
    let serialize = serialize.then(|| quote!(Serialize));
    let deserialize = (deserialize && derive_deserialize).then(|| quote!(Deserialize));
    serialize.into_iter().chain(deserialize).collect()
}

/// `#[serde(crate = …, more)]` for an item with serde derives; nothing without any.
fn serde_container(derives: &[TokenStream], more: Option<TokenStream>) -> Option<TokenStream> {
    let more = more.into_iter();
    (!derives.is_empty()).then(|| quote!(#[serde(crate = #SERDE #(, #more)*)]))
}

fn structure(name: &Ident, fields: &[Field], def: &TypeDef, types: &[TypeDef]) -> TokenStream {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.name.as_str(), f.wire.as_str())).collect();
    // Only a struct that is sent derives serde's `Serialize` and reads its attributes.
    let rule = def.serialize.then(|| rename::best(rename::FIELDS, &pairs)).flatten();
    let fields_tokens = fields.iter().map(|f| field(f, rule, def.serialize, types));
    let validate = def.validated.then(|| validate(name, fields));
    let serde = serde_derives(def, false);
    let container = serde_container(&serde, rename_all(rule));
    let deserialize = def.deserialize.then(|| deserialize_struct(name, fields));
    quote! {
        #[derive(Debug, Clone, PartialEq #(, #serde)*)]
        #container
        pub struct #name { #(#fields_tokens,)* }
        #deserialize
        #validate
    }
}

/// `Deserialize` for a struct that is received, written by the runtime's
/// `deserialize_struct!` from its fields, each with its wire name where that is not the
/// field's own name: a third of the code serde's derive would give the compiler to check
/// (`runtime/src/fields.rs` says what is kept of it).
fn deserialize_struct(name: &Ident, fields: &[Field]) -> TokenStream {
    let fields = fields.iter().map(|f| {
        let field = ident(&f.name);
        // A keyword is written raw (`r#type`), which `stringify!` keeps.
        let own = f.name == f.wire && !crate::naming::is_keyword(&f.name);
        let wire = &f.wire;
        let wire = (!own).then(|| quote!(= #wire));
        quote!(#field #wire)
    });
    quote!(__rt::deserialize_struct!(#name #(, #fields)*);)
}

/// `rename_all = "…"`, for a container whose names follow `rule`.
fn rename_all(rule: Option<&rename::Rule>) -> Option<TokenStream> {
    rule.map(|rule| {
        let name = rule.name;
        quote!(rename_all = #name)
    })
}

/// `rename = "wire"` where the container's rule (or none) does not give the wire name.
fn rename_attr(rust: &str, wire: &str, rule: Option<&rename::Rule>) -> Option<TokenStream> {
    let given = rule.map_or_else(|| rust.to_string(), |rule| rule.apply(rust));
    (given != wire).then(|| quote!(rename = #wire))
}

/// A field, with the serde attributes of a struct that is `sent` (its wire name, and an
/// absent optional field left out). Received, an absent optional field is `None`
/// (`deserialize_struct!`).
fn field(field: &Field, rule: Option<&rename::Rule>, sent: bool, types: &[TypeDef]) -> TokenStream {
    let docs = doc::outer(field.doc.as_deref());
    let name = ident(&field.name);
    let mut ty = boxed(rust_type(&field.ty, types), field.boxed);
    let mut serde: Vec<TokenStream> = Vec::new();
    if sent {
        serde.extend(rename_attr(&field.name, &field.wire, rule));
    }
    if field.optional() {
        ty = quote!(Option<#ty>);
        if sent && !field.required {
            serde.push(quote!(skip_serializing_if = "Option::is_none"));
        }
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    quote! { #docs #serde pub #name: #ty }
}

fn validate(name: &Ident, fields: &[Field]) -> TokenStream {
    let checks = fields.iter().filter(|f| !f.checks.is_empty()).map(|f| {
        let name = ident(&f.name);
        value_checks(&f.wire, &f.checks, &quote!(self.#name), false, f.optional())
    });
    let doc = format!("Checks the limits the spec documents for `{name}` (lengths, patterns, ranges).");
    let doc = doc::ours(&doc);
    quote! {
        impl #name {
            #doc
            pub fn validate(&self) -> Result<(), __rt::ValidationError> {
                #(#checks)*
                Ok(())
            }
        }
    }
}

/// Statements checking the value at `place` (a reference already where `is_ref`; its
/// `Option` where `optional`) against `checks`: one runtime call a limit, which passes
/// an absent value.
pub fn value_checks(
    wire: &str,
    checks: &Checks,
    place: &TokenStream,
    is_ref: bool,
    optional: bool,
) -> TokenStream {
    let value = &if is_ref { place.clone() } else { quote!(&#place) };
    let mut out = TokenStream::new();
    if let Some(max) = checks.max_length.map(Literal::usize_unsuffixed) {
        out.extend(quote!(__rt::check_max_length(#wire, #value, #max)?;));
    }
    if let Some(min) = checks.min_length.map(Literal::usize_unsuffixed) {
        out.extend(quote!(__rt::check_min_length(#wire, #value, #min)?;));
    }
    if let Some(pattern) = &checks.pattern {
        out.extend(quote!(__rt::check_pattern(#wire, #value, #pattern)?;));
    }
    if checks.minimum.is_some() || checks.maximum.is_some() {
        let bound = |b: Option<f64>| match b {
            Some(b) => quote!(Some(#b)),
            None => quote!(None),
        };
        let (min, max) = (bound(checks.minimum), bound(checks.maximum));
        out.extend(quote!(__rt::check_range(#wire, #value, #min, #max)?;));
    }
    out.extend(match (checks.validate, optional) {
        (Validate::Items, false) => quote!(for item in #value { item.validate()?; }),
        (Validate::Items, true) => quote!(for item in #place.iter().flatten() { item.validate()?; }),
        (Validate::Value, false) => quote!(#place.validate()?;),
        (Validate::Value, true) => quote!(if let Some(value) = #value { value.validate()?; }),
        (Validate::Nothing, _) => TokenStream::new(),
    });
    out
}

/// A string enum. One that responses carry is open: a value the spec does not list
/// decodes into its catch-all variant, which keeps the wire text, so one new value
/// does not fail a whole answer (the runtime's `open_enum!` maps the text both ways).
/// One only sent stays closed (and `Copy`).
fn enumeration(name: &Ident, variants: &[Variant], def: &TypeDef) -> TokenStream {
    let single = variants.len() == 1;
    let open = def.open_variant().map(|other| ident(&other));
    // A closed enum is (de)serialized by serde, its wire names by a rule where one fits.
    let pairs: Vec<(&str, &str)> = variants.iter().map(|v| (v.name.as_str(), v.wire.as_str())).collect();
    let rule = open.is_none().then(|| rename::best(rename::VARIANTS, &pairs)).flatten();
    let defs = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire;
        let default = single.then(|| quote!(#[default]));
        let text = match &v.doc {
            Some(doc) => format!("`{wire}`: {doc}"),
            None => format!("`{wire}`"),
        };
        let docs = doc::outer(Some(&text));
        let rename =
            open.is_none().then(|| rename_attr(&v.name, wire, rule)).flatten().map(|r| quote!(#[serde(#r)]));
        quote! { #docs #rename #default #variant }
    });
    let (names, wires): (Vec<Ident>, Vec<&String>) =
        variants.iter().map(|v| (ident(&v.name), &v.wire)).unzip();
    let default = single.then(|| quote!(Default,));
    match &open {
        Some(other) => {
            let serialize = def.serialize.then(|| quote!(__rt::serialize_as_str!(#name);));
            quote! {
                #[derive(Debug, Clone, PartialEq, Eq, Hash, #default Deserialize)]
                #[serde(crate = #SERDE, from = "String")]
                pub enum #name {
                    #(#defs,)*
                    /// A value the spec does not list, kept as it came.
                    #other(String),
                }
                __rt::open_enum!(#name, #other, #(#names = #wires),*);
                #serialize
            }
        }
        None => {
            let serde = serde_derives(def, true);
            let container = serde_container(&serde, rename_all(rule));
            quote! {
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #default #(#serde),*)]
                #container
                pub enum #name { #(#defs,)* }
                __rt::closed_enum!(#name, #(#names = #wires),*);
            }
        }
    }
}

/// A union: serialized untagged (each variant's value carries what tells it apart);
/// decoded by the runtime, by the values of one property where every variant has a
/// [`Tag`], else by trying each variant. One that responses carry is open: a last
/// variant keeps, as raw JSON, what no variant takes.
fn untagged(name: &Ident, variants: &[UntaggedVariant], def: &TypeDef, types: &[TypeDef]) -> TokenStream {
    let open = def.open_variant().map(|other| ident(&other));
    let defs = variants.iter().map(|v| {
        let variant = ident(&v.name);
        let ty = boxed(rust_type(&v.ty, types), v.boxed);
        quote! { #variant(#ty) }
    });
    let other = open.as_ref().map(|other| {
        quote! {
            /// A value no variant the spec lists takes (a new kind, or another shape), kept
            /// as it came.
            #other(__rt::Json),
        }
    });
    let validate = def.validated.then(|| union_validate(name, variants, open.is_some()));
    let tags: Option<Vec<&Tag>> = variants.iter().map(|v| v.tag.as_ref()).collect();
    let deserialize = def.deserialize.then(|| match tags {
        Some(tags) => by_tag(name, variants, &tags, open.as_ref()),
        None => by_trying(name, variants, open.as_ref()),
    });
    let serde = serde_derives(def, false);
    let untagged = serde_container(&serde, Some(quote!(untagged)));
    quote! {
        #[derive(Debug, Clone, PartialEq #(, #serde)*)]
        #untagged
        pub enum #name { #(#defs,)* #other }
        #deserialize
        #validate
    }
}

/// `validate` of a union: the variant's own, where it has one.
fn union_validate(name: &Ident, variants: &[UntaggedVariant], open: bool) -> TokenStream {
    let arms = variants.iter().filter(|v| v.validated).map(|v| {
        let variant = ident(&v.name);
        quote!(#name::#variant(value) => value.validate(),)
    });
    let rest = (open || variants.iter().any(|v| !v.validated)).then(|| quote!(_ => Ok(()),));
    let doc = format!("Checks the limits the spec documents for the variant this `{name}` holds.");
    let doc = doc::ours(&doc);
    quote! {
        impl #name {
            #doc
            pub fn validate(&self) -> Result<(), __rt::ValidationError> {
                match self {
                    #(#arms)*
                    #rest
                }
            }
        }
    }
}

/// `Deserialize` through the runtime's decoder `decoder` (`tagged`, `untagged`), whose
/// trait's `variant` decodes `content` into the variant `selector` names, by `arms`.
fn decoded_by(
    name: &Ident,
    decoder: &str,
    consts: TokenStream,
    selector: TokenStream,
    arms: TokenStream,
) -> TokenStream {
    let serde = ident(SERDE);
    let decode = ident(decoder);
    let decoder_trait = ident(&format!("{}{}", decoder[..1].to_uppercase(), &decoder[1..]));
    quote! {
        impl __rt::#decoder_trait for #name {
            #consts
            fn variant<'de, D: #serde::Deserializer<'de>>(#selector, content: D) -> Result<Self, D::Error> {
                match selector { #arms }
            }
        }

        __rt::deserialize_with!(#name, #decode);
    }
}

/// The variant holding what `content` decodes to.
fn decode_into(variant: &Ident) -> TokenStream {
    quote!(Deserialize::deserialize(content).map(Self::#variant))
}

/// Decoding by the values of one property: the variant whose tag has the value.
fn by_tag(name: &Ident, variants: &[UntaggedVariant], tags: &[&Tag], open: Option<&Ident>) -> TokenStream {
    let property = &tags[0].property;
    let arms = variants.iter().zip(tags).map(|(v, tag)| {
        let (values, decoded) = (&tag.values, decode_into(&ident(&v.name)));
        quote!(Some(#(#values)|*) => #decoded,)
    });
    let rest = match open {
        Some(other) => decode_into(other),
        None => quote!(Err(__rt::no_variant(Self::PROPERTY, selector))),
    };
    let consts = quote!(const PROPERTY: &'static str = #property;);
    decoded_by(name, "tagged", consts, quote!(selector: Option<&str>), quote!(#(#arms)* _ => #rest,))
}

/// Decoding by trying each variant in order (an open union's last keeps the value).
fn by_trying(name: &Ident, variants: &[UntaggedVariant], open: Option<&Ident>) -> TokenStream {
    let tried = if open.is_some() { variants } else { &variants[..variants.len() - 1] };
    let arms = tried.iter().enumerate().map(|(index, v)| {
        let (index, decoded) = (Literal::usize_unsuffixed(index), decode_into(&ident(&v.name)));
        quote!(#index => #decoded,)
    });
    let last = open.cloned().unwrap_or_else(|| ident(&variants[variants.len() - 1].name));
    let rest = decode_into(&last);
    let names = variants.iter().map(|v| &v.name);
    let open_const = open.is_some().then(|| {
        quote!(
            const OPEN: bool = true;
        )
    });
    let consts = quote!(const VARIANTS: &'static [&'static str] = &[#(#names),*]; #open_const);
    decoded_by(name, "untagged", consts, quote!(selector: usize), quote!(#(#arms)* _ => #rest,))
}
