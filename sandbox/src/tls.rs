//! Certificates made at start-up: a CA for the server certificate (SANs `127.0.0.1`
//! and `localhost`) and, where a provider requires mutual TLS, a second CA that signs
//! the one client certificate the sandbox accepts.

use std::io;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

/// What a sandbox's TLS needs and what a client must be told.
pub(crate) struct Pki {
    pub ca_pem: String,
    pub client_identity_pem: Option<String>,
    pub server_config: Arc<ServerConfig>,
}

fn other(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pem: String,
}

fn ca(name: &str) -> io::Result<Ca> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.self_signed(&key).map_err(other)?;
    Ok(Ca { der: cert.der().clone(), pem: cert.pem(), issuer: Issuer::new(params, key) })
}

/// A certificate for `names` signed by `ca`, with its key.
fn leaf(ca: &Ca, names: &[&str]) -> io::Result<(CertificateDer<'static>, String, KeyPair)> {
    let params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).map_err(other)?;
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.signed_by(&key, &ca.issuer).map_err(other)?;
    Ok((cert.der().clone(), cert.pem(), key))
}

/// Makes the certificates and the server's TLS configuration.
pub(crate) fn make(require_client_certificate: bool) -> io::Result<Pki> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server_ca = ca("authgen sandbox server CA")?;
    let (server_der, _, server_key) = leaf(&server_ca, &["127.0.0.1", "localhost"])?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(other)?;
    let (builder, client_identity_pem) = if require_client_certificate {
        let client_ca = ca("authgen sandbox client CA")?;
        let (_, client_pem, client_key) = leaf(&client_ca, &["sandbox-client"])?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(client_ca.der.clone()).map_err(other)?;
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().map_err(other)?;
        (
            builder.with_client_cert_verifier(verifier),
            Some(format!("{client_pem}{}", client_key.serialize_pem())),
        )
    } else {
        (builder.with_no_client_auth(), None)
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = builder.with_single_cert(vec![server_der, server_ca.der.clone()], key).map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Pki { ca_pem: server_ca.pem, client_identity_pem, server_config: Arc::new(config) })
}
