//! Unguessable values: `state`, `nonce`, PKCE verifiers, `jti` claims.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `bytes` random bytes from the system's secure generator, base64url without padding
/// (RFC 7636 §4.1's recommended verifier is 32 bytes so encoded: 43 characters).
pub(crate) fn token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // aws-lc-rs reads the OS generator; it fails only when the OS has none, and a value
    // that is not random must never be sent: better to stop.
    aws_lc_rs::rand::fill(&mut buffer).expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(buffer)
}

/// base64url(SHA-256(`bytes`)): PKCE S256 challenges, DPoP `ath`, `x5t#S256`.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (token(32), token(32));
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        // RFC 7636 appendix B.
        assert_eq!(
            sha256(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
