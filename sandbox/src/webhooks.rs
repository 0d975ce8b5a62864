//! The providers' own webhook code: `sandbox/webhooks/reference.mjs` signs and verifies
//! with the Standard Webhooks and Svix libraries, Stripe's and Slack's SDKs and GitHub's
//! `@octokit/webhooks-methods` (pinned in `sandbox/webhooks/package-lock.json`, installed
//! with `npm ci`), so that a test holds a verifier to what the providers really send.
//!
//! ```no_run
//! use authgen_sandbox::webhooks::Reference;
//!
//! let Some(mut node) = Reference::start() else {
//!     return; // Node or sandbox/webhooks/node_modules is missing: the notice was printed.
//! };
//! let headers = node.sign("github", "It's a Secret to Everybody", "", 0, b"Hello, World!");
//! assert_eq!(headers["x-hub-signature-256"].len(), 71);
//! ```
//!
//! Without `node` (20.19 or later) or `sandbox/webhooks/node_modules`, [`Reference::start`]
//! prints a loud notice and gives `None`; under `CI=true` it panics instead.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

/// The reference script, running. Dropping it ends the Node process.
pub struct Reference {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reference").field("pid", &self.child.id()).finish_non_exhaustive()
    }
}

impl Reference {
    /// Starts the script; `None` (after a loud notice) when Node or the packages are
    /// missing, a panic instead under `CI=true`.
    pub fn start() -> Option<Reference> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webhooks");
        crate::node::ready(&dir, "standardwebhooks", "the tests against the providers' webhook code")?;
        let mut child = Command::new("node")
            .arg("reference.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Some(Reference { child, stdin, stdout })
    }

    /// The headers the provider's library sends with `body` for `scheme`
    /// (`standard-webhooks`, `svix`, `stripe`, `github`, `slack`, `standard-webhooks-v1a`),
    /// header names in lowercase.
    pub fn sign(
        &mut self,
        scheme: &str,
        secret: &str,
        id: &str,
        timestamp: i64,
        body: &[u8],
    ) -> BTreeMap<String, String> {
        let answer = self.ask(json!({
            "op": "sign", "scheme": scheme, "secret": secret, "id": id, "timestamp": timestamp,
            "body": BASE64.encode(body),
        }));
        serde_json::from_value(answer["headers"].clone()).expect("headers from the reference script")
    }

    /// `Ok` when the provider's library accepts `body` with `headers`, else its message.
    pub fn verify(
        &mut self,
        scheme: &str,
        secret: &str,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> Result<(), String> {
        let answer = self.ask(json!({
            "op": "verify", "scheme": scheme, "secret": secret, "headers": headers, "body": BASE64.encode(body),
        }));
        match answer["ok"].as_bool() {
            Some(true) => Ok(()),
            _ => Err(answer["error"].as_str().unwrap_or("refused").to_string()),
        }
    }

    /// Nanoseconds the provider's library takes to verify `body` once, averaged over
    /// `iterations` after as many (up to 1000) to warm the JIT.
    pub fn time_verify(
        &mut self,
        scheme: &str,
        secret: &str,
        headers: &BTreeMap<String, String>,
        body: &[u8],
        iterations: u32,
    ) -> f64 {
        let answer = self.ask(json!({
            "op": "bench", "scheme": scheme, "secret": secret, "headers": headers, "body": BASE64.encode(body),
            "iterations": iterations,
        }));
        answer["ns_per_verify"].as_f64().expect("a time from the reference script")
    }

    fn ask(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").expect("the reference script reads");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("the reference script answers");
        let answer: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("the reference script said: {line}"));
        assert!(
            answer.get("error").is_none() || answer.get("ok").is_some(),
            "the reference script failed: {answer}"
        );
        answer
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
