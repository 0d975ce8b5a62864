//! `authgen-codegen examples`: every example a document gives (of a component schema
//! or one of its properties, of a JSON answer) decoded into the type generated for it, as a client decodes an
//! answer (`authgen_runtime::decode_json`). The check is a program, `src/bin/check_examples.rs`,
//! written into the document's standalone crate: it prints one line per example the
//! type refuses (`refused <pointer>: <why>`, the why never quoting the example) and a
//! count, and exits 1 when something was refused.

use std::path::Path;

use proc_macro2::Literal;
use quote::quote;

use crate::build::BuildError;
use crate::emit::types::{ident, rust_type};
use crate::{Generated, Options, model, standalone};

/// Writes the crate of `spec` into `out` with the program that checks its examples
/// (none where the document gives none); the crate's module, and the number of examples.
pub fn write_checks(spec: &Path, out: &Path, options: &Options) -> Result<(Generated, usize), BuildError> {
    let api = crate::model_with(spec, options).map_err(|e| BuildError::Specs(vec![e]))?;
    let generated = standalone::write_crate(spec, out, options)?;
    let bin = out.join("src").join("bin").join("check_examples.rs");
    if api.examples.is_empty() {
        // A program an earlier run wrote would check examples the document no longer has.
        let _ = std::fs::remove_file(&bin);
        return Ok((generated, 0));
    }
    let program = program(&api, &standalone::crate_name(spec)).map_err(|e| BuildError::Io {
        path: bin.clone(),
        source: std::io::Error::other(format!("the generator wrote no Rust (a bug): {e}")),
    })?;
    standalone::write(&bin, &program)?;
    Ok((generated, api.examples.len()))
}

/// The program's text: one `check` per example.
fn program(api: &model::Api, krate: &str) -> Result<String, syn::Error> {
    let checks = api.examples.iter().map(|example| {
        let ty = rust_type(&example.ty, &api.types);
        let (pointer, json) = (&example.pointer, Literal::string(&example.value.to_string()));
        quote!(check::<#ty>(#pointer, #json, &mut refused);)
    });
    // The module's types by name, where an example is of one (a glob no one uses warns).
    let types = api.examples.iter().any(|e| names_a_type(&e.ty)).then(|| {
        let krate = ident(krate);
        quote!(use #krate::*;)
    });
    let count = api.examples.len();
    let tokens = quote! {
        use ::authgen_runtime::__private as __rt;
        #types

        /// Decodes `json` into `T` as the client decodes an answer; why not, if it does not.
        fn check<T: __rt::serde::de::DeserializeOwned>(
            pointer: &str,
            json: &str,
            refused: &mut Vec<String>,
        ) {
            if let Err(why) = __rt::decode_json::<T>(json.as_bytes()) {
                // The place in the example's own text says nothing of the document.
                let why = why.split(" at line ").next().unwrap_or_default();
                refused.push(format!("refused {pointer}: {why}"));
            }
        }

        fn main() -> ::std::process::ExitCode {
            let mut refused = Vec::new();
            #(#checks)*
            refused.iter().for_each(|line| println!("{line}"));
            println!("{} examples: {} decoded, {} refused", #count, #count - refused.len(), refused.len());
            if refused.is_empty() { ::std::process::ExitCode::SUCCESS } else { ::std::process::ExitCode::FAILURE }
        }
    };
    crate::format::format(tokens, &api.source)
}

/// Whether `ty` names one of the module's types (itself, or its items').
fn names_a_type(ty: &model::TypeRef) -> bool {
    match ty {
        model::TypeRef::Named(_) => true,
        model::TypeRef::Vec(inner) | model::TypeRef::Map(inner) => names_a_type(inner),
        _ => false,
    }
}
