//! `authgen-mock SPEC [--overlay FILE]... [--port PORT]`: serves SPEC on 127.0.0.1,
//! prints `listening on http://127.0.0.1:PORT` once ready, and stops on SIGTERM or
//! Ctrl-C. What the document holds that the mock cannot use goes to stderr.
//!
//! `authgen-mock SPEC --send-webhook NAME --to URL --secret S`: sends the document's
//! webhook NAME to URL, signed with S by the document's scheme, prints the status it was
//! answered, and exits 1 unless that is a 2xx.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use authgen_mock::{MockServer, Webhook, WebhookError};
use clap::Parser;

/// A mock server from an OpenAPI document: checks requests against it and answers from it.
#[derive(Parser)]
#[command(name = "authgen-mock", version)]
struct Args {
    /// The OpenAPI 3.0 or 3.1 or Swagger 2.0 document (YAML or JSON), or a folder
    /// holding one split across files.
    spec: PathBuf,
    /// An overlay to apply after the one beside the spec (repeatable).
    #[arg(long)]
    overlay: Vec<PathBuf>,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Instead of serving: send this webhook of the document (its example, else a body
    /// built from its schema), signed by the document's scheme.
    #[arg(long, value_name = "NAME", requires_all = ["to", "secret"])]
    send_webhook: Option<String>,
    /// Where `--send-webhook` sends it.
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// The secret `--send-webhook` signs with (a `whsec_…` for Standard Webhooks).
    #[arg(long)]
    secret: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let (Some(name), Some(url), Some(secret)) = (&args.send_webhook, &args.to, &args.secret) {
        return send_webhook(&args, name, url, secret);
    }
    let mut builder = MockServer::builder(&args.spec).port(args.port).threads(0).record(false);
    for overlay in &args.overlay {
        builder = builder.overlay(overlay);
    }
    let server = match builder.start() {
        Ok(server) => server,
        Err(err) => {
            eprint!("{err}");
            if !err.to_string().ends_with('\n') {
                eprintln!();
            }
            return ExitCode::FAILURE;
        }
    };
    for warning in server.warnings() {
        eprintln!("warning: {warning}");
    }
    println!("listening on {}", server.url());
    let _ = std::io::stdout().flush();
    match stopped() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cannot wait for SIGTERM: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Sends the webhook `name` to `url`: success when it is answered with a 2xx.
fn send_webhook(args: &Args, name: &str, url: &str, secret: &str) -> ExitCode {
    let sent = Webhook::from_spec(&args.spec, &args.overlay, name, secret).and_then(|webhook| {
        if !webhook.signed {
            eprintln!("warning: {} declares no webhook signature scheme: sent unsigned", args.spec.display());
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let runtime = runtime.map_err(|e| WebhookError::Send { url: url.into(), reason: e.to_string() })?;
        runtime.block_on(webhook.send(url))
    });
    match sent {
        Ok(status) => {
            println!("{name} sent to {url}: {status}");
            if (200..300).contains(&status) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

/// Returns when SIGTERM or Ctrl-C arrives.
fn stopped() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = term.recv() => Ok(()),
                interrupted = tokio::signal::ctrl_c() => interrupted,
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await
    })
}
