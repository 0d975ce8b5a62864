//! The cases of `tests/fixtures/rules.cases.yaml`: one request each and what it must be
//! answered. Read by `tests/rules.rs` and, by path, by the benchmark
//! (`bench/src/mock/rules.rs`), so the mock and Prism are sent the same requests.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One request and what it must be answered.
#[derive(Deserialize)]
pub struct Case {
    pub rule: String,
    /// `METHOD /path?query`.
    pub request: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: Option<Body>,
    pub status: u16,
    /// The problem's `detail`; none for an answer from the spec.
    pub detail: Option<String>,
    /// Headers the answer must carry, with their values.
    #[serde(default)]
    pub header: BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub struct Body {
    #[serde(rename = "type")]
    pub content_type: String,
    pub text: String,
}

/// The cases of `file`; a file that cannot be read is a broken checkout, so it panics.
pub fn read(file: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

impl Case {
    /// The case's request to the server at `base` (`http://host:port`).
    pub fn request(&self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        let (method, path) = self.request.split_once(' ').expect("a case's request is `METHOD /path`");
        let method = method.parse().expect("a case's method is a method");
        let mut request = client.request(method, format!("{base}{path}"));
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &self.body {
            request = request.header("content-type", &body.content_type).body(body.text.clone());
        }
        request
    }
}
