//! The binary: `authgen-mock SPEC --port 0` prints where it listens once ready, serves
//! the tour's flows to the generated clients (Uqudo's client-credentials token; Moota's
//! login token, then a call secured by it), and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use authgen::runtime::Config;
use authgen::{moota, uqudo};

/// The binary serving `spec` on a free port, and the URL it printed once ready.
fn serve(spec: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgen-mock"))
        .args([spec, "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_string();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");
    (child, url)
}

fn config(url: &str) -> Config {
    Config::new().base_url(url).allow_http_loopback(true)
}

/// Sends SIGTERM and checks the binary stopped cleanly, with nothing on stderr.
fn stop(child: Child) {
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "no warnings");
}

#[tokio::test]
async fn serves_uqudo_on_a_free_port_until_sigterm() {
    let (child, url) = serve("../specs/uqudo.yaml");
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: "id".into(),
        client_secret: "secret".into(),
    };
    let token = uqudo::Client::new(config(&url)).unwrap().get_token(request).await.unwrap();
    assert_eq!(token.expires_in, 1800);
    assert!(token.access_token.expose_secret().starts_with("mock-token-"));
    stop(child);
}

#[tokio::test]
async fn serves_moota_a_token_then_a_call_secured_by_it() {
    let (child, url) = serve("../specs/moota.yaml");
    let bare = reqwest::get(format!("{url}/api/v2/user")).await.unwrap();
    assert_eq!(bare.status(), 401, "the secured call without its token");
    let client = moota::Client::new(config(&url)).unwrap();
    let login =
        moota::LoginRequest { username: "u".into(), password: "p".into(), scopes: vec![moota::Scope::Api] };
    let token = client.login(login).await.unwrap();
    let profile = client.with_bearer_auth(token.access_token).get_object("user").await.unwrap();
    assert!(profile.is_object(), "{profile}");
    stop(child);
}

#[test]
fn a_document_it_cannot_serve_fails_with_its_problems() {
    let output = Command::new(env!("CARGO_BIN_EXE_authgen-mock"))
        .args(["tests/fixtures/absent.yaml"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("tests/fixtures/absent.yaml: 1 problem\nerror: the file cannot be read"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}
