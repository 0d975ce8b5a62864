//! Adding a provider is dropping a spec into `specs/`, with no other edit: this test
//! copies the workspace, adds a spec of its own (HTTP Basic, a form body that is a
//! `oneOf`, a path parameter), builds it, and runs a program that uses the new
//! `authgen::acme_vault::Client` against a local server checking what it receives.
//! Then an overlay dropped beside the spec, and an edit of it, each rename the method:
//! `cargo build` reruns the generator for them.
//!
//! Published descriptions come in other shapes too: a folder whose files reach one
//! another (and a file outside `specs/`) by `$ref`, and a Swagger 2.0 file. Both are
//! dropped in the same way, into the same copy; editing a fragment reruns the
//! generator, a build with nothing changed does not. (One copy, one test: each copy
//! compiles the workspace's own crates again, the slow part.)

use std::fs;
use std::path::Path;
use std::process::Command;

#[test]
fn specs_dropped_into_specs_become_usable_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = root.join("target").join("add-provider").join("workspace");
    let _ = fs::remove_dir_all(&copy);
    authgen_sandbox::workspace::copy(root, &copy).expect("a copy of the workspace");
    // Only the new providers: each rebuild below compiles the crate of clients again.
    fs::remove_dir_all(copy.join("specs")).unwrap();
    fs::create_dir(copy.join("specs")).unwrap();
    a_spec_file(root, &copy);
    a_folder_and_a_swagger_2_file(root, &copy);
}

/// An OpenAPI 3 file, then an overlay beside it.
fn a_spec_file(root: &Path, copy: &Path) {
    fs::copy(root.join("tests/fixtures/acme_vault.yaml"), copy.join("specs/acme_vault.yaml")).unwrap();
    fs::create_dir_all(copy.join("examples")).unwrap();
    fs::write(copy.join("examples/use_acme.rs"), USE_ACME).unwrap();

    run_use_acme(copy, "the copy with a new spec");

    // The method is `issue_token` from the spec's operationId, until an overlay says
    // otherwise; if the build did not rerun, the renamed calls would not compile.
    for method in ["obtainToken", "fetchToken"] {
        let overlay = format!(
            "overlay: 1.0.0\ninfo: {{title: Acme method names, version: 1.0.0}}\nactions:\n  - target: $.paths[*][?@.operationId == 'issueToken']\n    update: {{operationId: {method}}}\n"
        );
        fs::write(copy.join("specs/acme_vault.overlay.yaml"), overlay).unwrap();
        let call = if method == "obtainToken" { "client.obtain_token(" } else { "client.fetch_token(" };
        fs::write(copy.join("examples/use_acme.rs"), USE_ACME.replace("client.issue_token(", call)).unwrap();
        run_use_acme(copy, &format!("the copy with an overlay naming the method {method}"));
    }
}

/// A folder of files, one outside `specs/`, and a Swagger 2.0 file.
fn a_folder_and_a_swagger_2_file(root: &Path, copy: &Path) {
    authgen_sandbox::workspace::copy_tree(
        &root.join("tests/fixtures/acme_tree"),
        &copy.join("specs/acme_tree"),
    )
    .unwrap();
    authgen_sandbox::workspace::copy_tree(
        &root.join("tests/fixtures/spec-common"),
        &copy.join("spec-common"),
    )
    .unwrap();
    fs::copy(root.join("tests/fixtures/acme_legacy.yaml"), copy.join("specs/acme_legacy.yaml")).unwrap();
    fs::create_dir_all(copy.join("examples")).unwrap();
    fs::write(copy.join("examples/use_formats.rs"), USE_FORMATS).unwrap();

    let (stdout, _) =
        cargo(copy, &["run", "--quiet", "--example", "use_formats"], "the copy with a folder and a 2.0 file");
    assert!(stdout.contains("GET /tree/balances/acc-1 HTTP/1.1"), "{stdout}");
    assert!(stdout.contains("authorization: Bearer ledger-token"), "{stdout}");
    assert!(stdout.contains("balance: acc-1 12.50 EUR"), "{stdout}");
    // `collectionFormat: csv`: one value, comma-separated (the comma may be escaped).
    let csv =
        ["fields=id,owner", "fields=id%2Cowner"].map(|q| format!("GET /legacy/accounts/a7?{q} HTTP/1.1"));
    assert!(csv.iter().any(|line| stdout.contains(line.as_str())), "{stdout}");
    // "app:s3cret" in Base64.
    assert!(stdout.contains("authorization: Basic YXBwOnMzY3JldA=="), "{stdout}");
    assert!(stdout.contains("account: a7 None"), "{stdout}");

    let build = ["build", "--verbose", "--example", "use_formats"];
    let reran =
        |stderr: &str| stderr.lines().any(|l| l.contains("Running") && l.contains("build-script-build"));
    let (_, stderr) = cargo(copy, &build, "a build with nothing changed");
    assert!(!reran(&stderr), "a no-op build reran the generator:\n{stderr}");
    for fragment in ["specs/acme_tree/schemas/balance.yaml", "spec-common/money.yaml"] {
        let path = copy.join(fragment);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text + "# edited\n").unwrap();
        let (_, stderr) = cargo(copy, &build, &format!("a build after an edit of {fragment}"));
        assert!(reran(&stderr), "an edit of {fragment} did not rerun the generator:\n{stderr}");
    }
}

/// Runs cargo with `args` in the copy; its stdout and stderr, after checking it succeeded.
fn cargo(copy: &Path, args: &[&str], what: &str) -> (String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(copy)
        // Not ours (the outer build may still hold it) but the generated crates' target
        // dir, with their `RUSTFLAGS`: the dependencies they built are built once.
        .env("CARGO_TARGET_DIR", root.join("target/generated-crates/target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// Runs the `use_acme` example of the copy and checks what the server received.
fn run_use_acme(copy: &Path, what: &str) {
    let (stdout, _) = cargo(copy, &["run", "--quiet", "--example", "use_acme"], what);
    assert!(stdout.contains("POST /eu/tenants/acme%20corp/oauth/token HTTP/1.1"), "{stdout}");
    // "app:s3cret" in Base64.
    assert!(stdout.contains("authorization: Basic YXBwOnMzY3JldA=="), "{stdout}");
    assert!(stdout.contains("body: grant_type=client_credentials&scope=read+write"), "{stdout}");
    assert!(stdout.contains("token: Secret([redacted]) bearer 60"), "{stdout}");
}

/// The program a user would write against the new module.
const USE_ACME: &str = r##"
use std::io::{Read, Write};

use authgen::acme_vault::{Client, ClientCredentialsGrant, TokenRequest};

#[tokio::main]
async fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap();
            received.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&received).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text.lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.trim().parse().unwrap()))
                    .unwrap_or(0);
                if received.len() >= end + 4 + length { break; }
            }
        }
        let body = r#"{"access_token":"tok-123","token_type":"bearer","expires_in":60}"#;
        write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).unwrap();
        String::from_utf8(received).unwrap()
    });

    let config = authgen::runtime::Config::new()
        .base_url(format!("http://127.0.0.1:{port}/eu"))
        .allow_http_loopback(true);
    let client = Client::new(config).unwrap().with_vault_basic("app", "s3cret");
    let grant = TokenRequest::ClientCredentialsGrant(ClientCredentialsGrant {
        grant_type: Default::default(),
        scope: "read write".into(),
    });
    let token = client.issue_token("acme corp", grant).await.unwrap();
    let request = server.join().unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    for line in head.lines() {
        println!("{line}");
    }
    println!("body: {body}");
    println!("token: {:?} {} {}", token.access_token, token.token_type, token.expires_in);
}
"##;

/// A program using the folder's module and the 2.0 file's, against one local server.
const USE_FORMATS: &str = r##"
use std::io::{Read, Write};

/// Answers `bodies.len()` requests, one a connection; returns what each asked.
fn serve(listener: std::net::TcpListener, bodies: Vec<&'static str>) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        bodies.into_iter().map(|body| {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap();
            write!(stream, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).unwrap();
            String::from_utf8_lossy(&buf[..n]).to_string()
        }).collect()
    })
}

#[tokio::main]
async fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = serve(listener, vec![
        r#"{"account": "acc-1", "available": {"amount": "12.50", "currency": "EUR"}}"#,
        r#"{"id": "a7", "owner": null}"#,
    ]);
    let config = |path: &str| authgen::runtime::Config::new().base_url(format!("{base}{path}")).allow_http_loopback(true);

    let ledger = authgen::acme_tree::Client::new(config("/tree")).unwrap().with_ledger_token("ledger-token");
    let balance: authgen::acme_tree::Balance = ledger.get_balance("acc-1").await.unwrap();
    let money: &authgen::acme_tree::Money = &balance.available;
    println!("balance: {} {} {}", balance.account, money.amount, money.currency);

    let legacy = authgen::acme_legacy::Client::new(config("/legacy")).unwrap().with_basic("app", "s3cret");
    let fields = vec!["id".to_string(), "owner".to_string()];
    let account = legacy.get_account("a7").fields(fields).await.unwrap();
    println!("account: {} {:?}", account.id, account.owner);

    for request in server.join().unwrap() {
        for line in request.lines().take_while(|l| !l.is_empty()) {
            println!("{line}");
        }
    }
}
"##;
