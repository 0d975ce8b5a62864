//! The tour: starts a local sandbox of each of the five providers and drives each
//! generated client through a success and one documented error. One line per
//! provider, starting `<stem>: ok`; secrets print redacted.
//!
//! ```sh
//! cargo run --example tour
//! ```

use authgen::runtime::{Config, Error};
use authgen::{core_banking, dakota, mogoplus, moota, uqudo};
use authgen_sandbox::{Provider, Sandbox};

type Outcome = Result<String, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut failed = false;
    for provider in Provider::ALL {
        let sandbox = match Sandbox::start(provider).await {
            Ok(sandbox) => sandbox,
            Err(err) => {
                println!("{}: FAILED to start its sandbox: {err}", provider.stem());
                failed = true;
                continue;
            }
        };
        let outcome = match provider {
            Provider::Mogoplus => mogoplus(&sandbox).await,
            Provider::Moota => moota(&sandbox).await,
            Provider::Dakota => dakota(&sandbox).await,
            Provider::Uqudo => uqudo(&sandbox).await,
            Provider::CoreBanking => core_banking(&sandbox).await,
        };
        match outcome {
            Ok(shown) => println!("{}: ok  {shown}", provider.stem()),
            Err(err) => {
                println!("{}: FAILED {err}", provider.stem());
                failed = true;
            }
        }
    }
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}

/// A configuration that reaches `sandbox` and trusts its CA.
fn config(sandbox: &Sandbox) -> Config {
    Config::new().base_url(sandbox.base_url()).add_root_certificate_pem(sandbox.ca_pem().as_bytes())
}

/// The typed error of an operation's documented status, or a failure of the tour.
fn documented<E: std::fmt::Debug>(
    result: Result<impl std::fmt::Debug, Error<E>>,
) -> Result<(u16, E), String> {
    match result {
        Err(Error::Status { status, error, .. }) => Ok((status.as_u16(), error)),
        other => Err(format!("expected a documented error, got {other:?}")),
    }
}

async fn mogoplus(sandbox: &Sandbox) -> Outcome {
    let identity = sandbox.client_identity_pem().ok_or("no client identity")?;
    let client = mogoplus::Client::new(config(sandbox).identity_pem(identity.as_bytes()))?;
    let credentials = sandbox.credentials();
    let token = client
        .clone()
        .with_basic_auth(&credentials.username, credentials.password.as_str())
        .request_token()
        .await?;
    let wrong = client.with_basic_auth(&credentials.username, "wrong").request_token().await;
    let (status, error) = documented(wrong)?;
    Ok(format!(
        "mTLS + Basic: {} token {:?}, expires in {} s; wrong password -> {status} {error:?}",
        token.token_type, token.access_token, token.expires_in
    ))
}

async fn moota(sandbox: &Sandbox) -> Outcome {
    let client = moota::Client::new(config(sandbox))?;
    let credentials = sandbox.credentials();
    let login = |password: &str| moota::LoginRequest {
        username: credentials.username.clone(),
        password: password.into(),
        scopes: vec![moota::Scope::Api, moota::Scope::MutationRead],
    };
    let token = client.login(login(&credentials.password)).await?;
    let api = client.clone().with_bearer_auth(token.access_token.clone());
    // Required values are arguments; per-call options (and optional parameters) are setters.
    let profile = api.get_object("user").timeout(std::time::Duration::from_secs(5)).await?;
    let (status, moota::LoginError::Found(message)) = documented(client.login(login("wrong")).await)?;
    Ok(format!(
        "login {:?}, bearer call to /api/v2/user -> {}; wrong password -> {status} \"{}\"",
        token.access_token, profile["object"], message.message
    ))
}

async fn dakota(sandbox: &Sandbox) -> Outcome {
    let client = dakota::Client::new(config(sandbox))?;
    let credentials = sandbox.credentials();
    let auth = |password: &str| dakota::Auth {
        username: credentials.username.clone(),
        password: password.into(),
        grant_type: "password".into(),
    };
    let token = client.post_index_php_api_oauth2(auth(&credentials.password)).await?;
    let (status, error) = documented(client.post_index_php_api_oauth2(auth("wrong")).await)?;
    Ok(format!(
        "password grant: token {:?}, expires in {:?} s, refresh {:?} for {:?} s, fuse_client_id_seq {:?}; wrong password -> {status} {error:?}",
        token.access_token.ok_or("no token")?,
        token.expires_in,
        token.refresh_token.ok_or("no refresh token")?,
        token.refresh_expires_in,
        token.fuse_client_id_seq
    ))
}

async fn uqudo(sandbox: &Sandbox) -> Outcome {
    let client = uqudo::Client::new(config(sandbox))?;
    let credentials = sandbox.credentials();
    let request = |secret: &str| uqudo::TokenRequest {
        grant_type: uqudo::GrantType::ClientCredentials,
        client_id: credentials.username.clone(),
        client_secret: secret.into(),
    };
    let token = client.get_token(request(&credentials.password)).await?;
    let (status, error) = documented(client.get_token(request("wrong")).await)?;
    Ok(format!(
        "form body: {} token {:?}, expires in {} s, scope \"{}\"; wrong secret -> {status} {error:?}",
        token.token_type, token.access_token, token.expires_in, token.scope
    ))
}

async fn core_banking(sandbox: &Sandbox) -> Outcome {
    let client = core_banking::Client::new(config(sandbox))?;
    let credentials = sandbox.credentials();
    let token = client
        .authenticate(core_banking::AuthenticateRequest {
            client_id: credentials.username.clone(),
            client_secret: credentials.password.as_str().into(),
        })
        .await?;
    let too_long =
        core_banking::AuthenticateRequest { client_id: "x".repeat(101), client_secret: "s".into() };
    let refused = client.authenticate(too_long).await;
    let Err(Error::Invalid(limit)) = refused else {
        return Err(format!("expected a refused request, got {refused:?}").into());
    };
    Ok(format!(
        "{} token {:?}, valid {} s (expires at epoch {}); 101-character clientId -> not sent: {limit}",
        token.token_type, token.access_token, token.token_validity_sec, token.expiration_time
    ))
}
