//! What the end-to-end tests share: a sandbox per provider and a configuration that
//! reaches it.

#![allow(dead_code)] // Each test file uses part of it.

pub mod redis;

use authgen::runtime::Config;
use authgen_sandbox::{Options, Provider, Sandbox};

/// A sandbox of `provider`; panics with the reason if it cannot start.
pub async fn sandbox(provider: Provider) -> Sandbox {
    Sandbox::start(provider).await.expect("the sandbox starts")
}

/// A sandbox whose tokens live `seconds`.
pub async fn sandbox_with_lifetime(provider: Provider, seconds: u64) -> Sandbox {
    let options = Options { token_lifetime: Some(std::time::Duration::from_secs(seconds)) };
    Sandbox::start_with(provider, options).await.expect("the sandbox starts")
}

/// A configuration that reaches `sandbox` and trusts its CA (plus its client
/// identity where it has one).
pub fn config(sandbox: &Sandbox) -> Config {
    let config =
        Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes());
    match sandbox.client_identity_pem() {
        Some(identity) => config.identity_pem(identity.as_bytes()),
        None => config,
    }
}
