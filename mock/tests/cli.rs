//! The binary: `authgen-mock SPEC --port 0` prints where it listens once ready, serves
//! the tour's flow to the generated client, and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use authgen::runtime::Config;
use authgen::uqudo;

#[tokio::test]
async fn serves_uqudo_on_a_free_port_until_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgen-mock"))
        .args(["../specs/uqudo.yaml", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_string();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");

    let client = uqudo::Client::new(Config::new().base_url(&url).allow_http_loopback(true)).unwrap();
    let request = uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: "id".into(),
        client_secret: "secret".into(),
    };
    let token = client.get_token(request).await.unwrap();
    assert_eq!(token.expires_in, 1800);

    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "no warnings for uqudo");
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
