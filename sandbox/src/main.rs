//! Keeps the five sandboxes running and says how to reach them, for curl or your own
//! code: `cargo run -p authgen-sandbox --bin sandbox -- --dir ./sandbox-certs`.

use std::path::PathBuf;

use authgen_sandbox::{Provider, Sandbox};
use clap::Parser;

/// Runs a local HTTPS sandbox of each of the five providers until Ctrl-C.
#[derive(Parser)]
struct Args {
    /// Where to write the CA certificates and MOGOPLUS's client identity
    /// (default: a new folder under the system's temp directory).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let dir = args
        .dir
        .unwrap_or_else(|| std::env::temp_dir().join(format!("authgen-sandbox-{}", std::process::id())));
    std::fs::create_dir_all(&dir)?;
    let mut running = Vec::new();
    for provider in Provider::ALL {
        let sandbox = Sandbox::start(provider).await?;
        let stem = provider.stem();
        let ca = dir.join(format!("{stem}-ca.pem"));
        std::fs::write(&ca, sandbox.ca_pem())?;
        let credentials = sandbox.credentials();
        println!("{stem}");
        println!("  base URL     {}", sandbox.base_url());
        println!("  CA           {}", ca.display());
        let mut identity_flags = String::new();
        if let Some(identity) = sandbox.client_identity_pem() {
            let path = dir.join(format!("{stem}-client-identity.pem"));
            std::fs::write(&path, identity)?;
            println!("  client cert  {} (certificate and key)", path.display());
            identity_flags = format!(" --cert {}", path.display());
        }
        println!("  credentials  {} / {}", credentials.username, credentials.password);
        println!("  try          curl --cacert {}{identity_flags} {}", ca.display(), example(&sandbox));
        running.push(sandbox);
    }
    println!("\nRunning; Ctrl-C stops them.");
    tokio::signal::ctrl_c().await
}

/// The rest of a curl command line that gets a token.
fn example(sandbox: &Sandbox) -> String {
    let (base, c) = (sandbox.base_url(), sandbox.credentials());
    let json = "-H 'Content-Type: application/json' -H 'Accept: application/json'";
    match sandbox.provider() {
        Provider::Mogoplus => format!(
            "-u '{}:{}' -X POST '{base}/api/v1/oauth2/token?grant_type=client_credentials'",
            c.username, c.password
        ),
        Provider::Moota => format!(
            "{json} -d '{{\"username\":\"{}\",\"password\":\"{}\",\"scopes\":[\"api\"]}}' {base}/api/v2/auth/login",
            c.username, c.password
        ),
        Provider::Dakota => format!(
            "{json} -d '{{\"username\":\"{}\",\"password\":\"{}\",\"grant_type\":\"password\"}}' {base}/index.php/api/oauth2",
            c.username, c.password
        ),
        Provider::Uqudo => format!(
            "-d grant_type=client_credentials -d client_id={} -d client_secret={} {base}/api/oauth/token",
            c.username, c.password
        ),
        Provider::CoreBanking => format!(
            "{json} -d '{{\"clientId\":\"{}\",\"clientSecret\":\"{}\"}}' {base}/api/auth/v1/authenticate",
            c.username, c.password
        ),
    }
}
