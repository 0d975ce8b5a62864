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

pub(crate) struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pub der: CertificateDer<'static>,
    pub pem: String,
}

pub(crate) fn ca(name: &str) -> io::Result<Ca> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, name);
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.self_signed(&key).map_err(other)?;
    Ok(Ca { der: cert.der().clone(), pem: cert.pem(), issuer: Issuer::new(params, key) })
}

/// A certificate for `names` signed by `ca`, with its key.
pub(crate) fn leaf(ca: &Ca, names: &[&str]) -> io::Result<(CertificateDer<'static>, String, KeyPair)> {
    let params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).map_err(other)?;
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.signed_by(&key, &ca.issuer).map_err(other)?;
    Ok((cert.der().clone(), cert.pem(), key))
}

/// Makes the certificates and the server's TLS configuration.
pub(crate) fn make(require_client_certificate: bool) -> io::Result<Pki> {
    let server_ca = ca("authgen sandbox server CA")?;
    let (server_config, client_identity_pem) = if require_client_certificate {
        let client_ca = ca("authgen sandbox client CA")?;
        let (_, client_pem, client_key) = leaf(&client_ca, &["sandbox-client"])?;
        let config = server_config(&server_ca, Some((&client_ca, ClientCertificate::Required)))?;
        (config, Some(format!("{client_pem}{}", client_key.serialize_pem())))
    } else {
        (server_config(&server_ca, None)?, None)
    };
    Ok(Pki { ca_pem: server_ca.pem, client_identity_pem, server_config })
}

/// Whether a server that trusts a client CA insists on a certificate from it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientCertificate {
    Required,
    Optional,
}

/// A server configuration for `127.0.0.1` and `localhost` with a certificate signed by
/// `server_ca`, verifying client certificates against `clients` where given.
pub(crate) fn server_config(
    server_ca: &Ca,
    clients: Option<(&Ca, ClientCertificate)>,
) -> io::Result<Arc<ServerConfig>> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let (server_der, _, server_key) = leaf(server_ca, &["127.0.0.1", "localhost"])?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(other)?;
    let builder = match clients {
        Some((client_ca, required)) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(client_ca.der.clone()).map_err(other)?;
            let mut verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            if required == ClientCertificate::Optional {
                verifier = verifier.allow_unauthenticated();
            }
            builder.with_client_cert_verifier(verifier.build().map_err(other)?)
        }
        None => builder.with_no_client_auth(),
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = builder.with_single_cert(vec![server_der, server_ca.der.clone()], key).map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A self-signed certificate for `names`, and its key: PEM each.
pub(crate) fn self_signed(names: &[&str]) -> io::Result<(String, String)> {
    let params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).map_err(other)?;
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.self_signed(&key).map_err(other)?;
    Ok((cert.pem(), key.serialize_pem()))
}
