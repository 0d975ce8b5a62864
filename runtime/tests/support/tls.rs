//! TLS for the loopback server, with certificates the sandbox makes at test time.

use tokio_rustls::TlsAcceptor;

/// An acceptor for `127.0.0.1`, and the PEM of the CA that signed its certificate.
pub fn acceptor() -> (TlsAcceptor, String) {
    let (config, ca) = authgen_sandbox::loopback_tls().expect("test certificates");
    (TlsAcceptor::from(config), ca)
}
