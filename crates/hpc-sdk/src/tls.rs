//! The TLS settings of every HTTP client the SDK builds.
//!
//! reqwest is built without a crypto provider of its own (`rustls-no-provider`): its
//! default, aws-lc-rs, compiles a C library that took a fifth of a cold build
//! (docs/benchmarks.md). The SDK builds the rustls config itself, on the provider the
//! application installed as the process default or else on *ring*, and never installs
//! one process-wide: that choice belongs to the application.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls_platform_verifier::BuilderVerifierExt;

/// A client config that verifies servers against the platform's roots and offers
/// HTTP/2 and HTTP/1.1, as reqwest's own config would.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    // reqwest leaves a preconfigured config as it is: without ALPN, no HTTP/2.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_offers_both_http_versions() {
        let config = client_config().expect("a config on ring");
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
