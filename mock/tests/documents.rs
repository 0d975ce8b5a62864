//! Every real document beside the checkout (`../shared/real-specs` with its published
//! Swagger 2.0 files and trees of files, `../shared/bench-specs`) and in `specs/` is
//! served: the mock starts on it, answers a request to every operation without a 5xx
//! (the mock's own answers are 4xx; a 5xx or a dropped connection is a bug of the
//! mock's), and, where the document is small enough to check quickly, every answer it
//! built from a schema keeps to that schema. It says how many answers are the
//! documents' own examples, served as written, and how many were built and checked.
//!
//! The shared folders are other projects' files, absent on users' machines: without
//! them this test says so and serves `specs/` alone.

use std::path::{Path, PathBuf};
use std::time::Instant;

use authgen_mock::MockServer;
use serde_json::Value;

#[path = "../../codegen/tests/support/corpus.rs"]
mod corpus;

/// Above this size a document's answers are not checked against their schemas: the
/// checker compiles each schema with all it references, which takes minutes on
/// Stripe's interlinked 4 MB.
const CHECKED_BELOW: u64 = 2_000_000;

fn documents() -> Vec<PathBuf> {
    let mut documents: Vec<PathBuf> = Vec::new();
    for folder in ["../../shared/real-specs", "../../shared/bench-specs", "../specs"] {
        match std::fs::read_dir(folder) {
            Ok(entries) => documents.extend(entries.map(|e| e.unwrap().path())),
            Err(_) => eprintln!("NOTICE: {folder} is absent: its documents are not served"),
        }
    }
    // A folder of `specs/` is a provider's description split across files.
    let provider_folder = |p: &Path| p.is_dir() && p.starts_with("../specs");
    documents.retain(|p| provider_folder(p) || authgen_codegen::load::is_spec_file(p));
    documents.retain(|p| !authgen_codegen::load::overlay::is_overlay(p));
    documents.extend(corpus::formats());
    documents.sort();
    documents
}

/// `METHOD /path` of every operation, path parameters filled with `1` (a value that
/// breaks a parameter's schema is the mock's 400, which is fine here).
fn calls(spec: &Path) -> Vec<(String, String)> {
    let entry = authgen_codegen::load::entry_of(spec).unwrap_or_else(|e| panic!("{e}"));
    let loaded = authgen_codegen::load::load(&entry).unwrap_or_else(|e| panic!("{e}"));
    let paths = loaded.document["paths"].as_object().cloned().unwrap_or_default();
    let mut calls = Vec::new();
    for (template, item) in &paths {
        let path = fill(template);
        let methods = item.as_object().into_iter().flatten().map(|(m, _)| m.as_str());
        for method in
            methods.filter(|m| ["get", "put", "post", "delete", "patch", "head", "options"].contains(m))
        {
            calls.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    calls
}

fn fill(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push('1');
        rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
    }
    out + rest
}

/// The request again with the credential the first `WWW-Authenticate` challenge asks
/// for (which also checks that every 401 names one).
fn with_credentials(request: reqwest::RequestBuilder, challenge: &str) -> Option<reqwest::RequestBuilder> {
    let param = |key: &str| {
        let start = challenge.find(&format!("{key}=\""))? + key.len() + 2;
        challenge[start..].split('"').next()
    };
    Some(match challenge.split(' ').next()? {
        "Basic" => request.header("authorization", "Basic dTpw"),
        "ApiKey" => match param("in")? {
            "header" => request.header(param("name")?, "key"),
            "query" => request.query(&[(param("name")?, "key")]),
            _ => request.header("cookie", format!("{}=key", param("name")?)),
        },
        scheme => request.header("authorization", format!("{scheme} token")),
    })
}

#[tokio::test]
async fn every_document_is_served_and_every_operation_answered() {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut failures = Vec::new();
    let (mut documented, mut dropped, mut built_checked) = (0, 0, 0);
    for spec in documents() {
        let started = Instant::now();
        let check = std::fs::metadata(&spec).unwrap().len() < CHECKED_BELOW && !unbuildable(&spec);
        let mock = MockServer::builder(&spec)
            .check_answers(check)
            .record(false)
            .start()
            .unwrap_or_else(|e| panic!("{e}"));
        let load = started.elapsed();
        let broken: Vec<&String> =
            mock.warnings().iter().filter(|w| w.contains("built from the schema")).collect();
        let served = mock.served();
        documented += served.documented;
        let refused =
            |w: &&String| w.contains("the generated client refuses it") || w.contains("does not keep to");
        for warning in mock.warnings().iter().filter(refused) {
            eprintln!("{}: dropped: {warning}", spec.display());
            dropped += 1;
        }
        if check {
            built_checked += served.built;
        }
        failures.extend(broken.iter().map(|w| format!("{}: {w}", spec.display())));
        let calls = calls(&spec);
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for (method, path) in &calls {
            let request = client.request(method.parse().unwrap(), format!("{}{path}", mock.url()));
            let mut answer = request.try_clone().unwrap().send().await;
            if let Some(refused) = answer.as_ref().ok().filter(|r| r.status() == 401) {
                let challenge =
                    refused.headers().get("www-authenticate").map(|c| c.to_str().unwrap().to_string());
                match challenge.as_deref().and_then(|c| with_credentials(request, c)) {
                    Some(request) => answer = request.send().await,
                    None => {
                        failures.push(format!("{}: {method} {path}: 401 without a challenge", spec.display()))
                    }
                }
            }
            match answer {
                Ok(response) => {
                    let status = response.status().as_u16();
                    *statuses.entry(status).or_default() += 1;
                    let json = response
                        .headers()
                        .get("content-type")
                        .is_some_and(|c| c.to_str().unwrap_or_default().contains("json"));
                    let body = response.bytes().await.unwrap();
                    let parses = !json || body.is_empty() || serde_json::from_slice::<Value>(&body).is_ok();
                    // A 501 says the spec documents nothing the mock can serve (only a 101).
                    let unservable =
                        status == 501 && String::from_utf8_lossy(&body).contains("documents no answer");
                    if (status >= 500 && !unservable) || !parses {
                        failures.push(format!(
                            "{}: {method} {path}: {status} {}",
                            spec.display(),
                            String::from_utf8_lossy(&body)
                        ));
                    }
                }
                Err(err) => failures.push(format!("{}: {method} {path}: no answer: {err}", spec.display())),
            }
        }
        eprintln!(
            "{}: {} operations, started in {load:.2?}{}, statuses {statuses:?}, {} warnings",
            spec.display(),
            calls.len(),
            if check { " with its answers checked" } else { "" },
            mock.warnings().len()
        );
    }
    eprintln!(
        "{documented} documented examples served as written ({dropped} dropped: the generated client refuses them), \
         {built_checked} answers built from schemas and checked against them, {} of them broken",
        failures.iter().filter(|f| f.contains("built from the schema")).count()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Documents some of whose answer schemas admit no value, which no builder can keep
/// to: Mojaloop's, where an `allOf` joins a closed part (`additionalProperties: false`,
/// its `errorResponse`) to one requiring a property the closed part lacks
/// (`executionState`), and a `false` schema stands for an answer. Served, their answers
/// not checked.
fn unbuildable(spec: &Path) -> bool {
    let text = spec.to_string_lossy();
    ["mojaloop-sdk-outbound"].iter().any(|name| text.contains(name))
}
