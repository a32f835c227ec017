//! Building an EHPC client: explicit settings, the environment, QingCloud's config file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;

use super::Client;
use crate::context::CallContext;
use crate::error::{Error, Result};

/// QingCloud's EHPC API host.
pub const DEFAULT_ENDPOINT: &str = "https://hpc.api.qingcloud.com";

/// The most jobs a page can hold; the server caps larger limits to it.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

/// Settings for an EHPC [`Client`]. Its `Debug` never shows the secret key.
///
/// ```
/// use std::time::Duration;
/// use hpc_sdk::{RetryPolicy, Timeouts};
///
/// let builder = hpc_sdk::ehpc::Client::builder()
///     .zone("jinan1a")
///     .credentials("QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY")
///     .page_size(500) // clamped to 100
///     .retry(RetryPolicy::default().max_attempts(3))
///     .timeouts(Timeouts::default().per_attempt(Duration::from_secs(5)));
/// assert!(!format!("{builder:?}").contains("SECRETACCESSKEY"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    endpoint: Option<String>,
    zone: Option<String>,
    cluster_id: Option<String>,
    access_key_id: Option<String>,
    secret: Option<SecretString>,
    page_size: Option<u32>,
    rt: CallContext,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ehpc::ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("zone", &self.zone)
            .field("cluster_id", &self.cluster_id)
            .field("access_key_id", &self.access_key_id)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// The keys of `~/.qingcloud/config.yaml` the SDK reads.
#[derive(serde::Deserialize, Default)]
struct QingCloudConfig {
    qy_access_key_id: Option<String>,
    qy_secret_access_key: Option<String>,
    zone: Option<String>,
}

impl ClientBuilder {
    /// A builder filled from the environment (see [`Client::from_env`]).
    pub fn from_env() -> Result<Self> {
        let config = dirs::home_dir().map(|home| home.join(".qingcloud").join("config.yaml"));
        Self::from_lookup(|name| std::env::var(name).ok(), config.as_deref())
    }

    /// A builder filled from `lookup` (an environment) and an optional config file:
    /// the environment wins, the file fills the gaps.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        config_file: Option<&Path>,
    ) -> Result<Self> {
        // A trailing newline from `$(cat file)` must not become part of a key or token.
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let file = match config_file {
            Some(path) if path.exists() => read_config(path)?,
            _ => QingCloudConfig::default(),
        };
        Ok(Self {
            endpoint: get("EHPC_ENDPOINT"),
            zone: get("EHPC_ZONE").or(file.zone),
            cluster_id: get("EHPC_CLUSTER_ID"),
            access_key_id: get("QY_ACCESS_KEY_ID").or(file.qy_access_key_id),
            secret: get("QY_SECRET_ACCESS_KEY")
                .or(file.qy_secret_access_key)
                .map(SecretString::from),
            ..Self::default()
        })
    }

    /// The API base URL (default [`DEFAULT_ENDPOINT`]).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The zone every request names, e.g. `jinan1a`.
    pub fn zone(mut self, zone: impl Into<String>) -> Self {
        self.zone = Some(zone.into());
        self
    }

    /// The cluster used when a call names none.
    pub fn cluster_id(mut self, cluster_id: impl Into<String>) -> Self {
        self.cluster_id = Some(cluster_id.into());
        self
    }

    /// The API key pair.
    pub fn credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.access_key_id = Some(access_key_id.into());
        self.secret = Some(SecretString::from(secret_access_key.into()));
        self
    }

    /// Jobs per page when listing (default 100, at most 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// A ready HTTP client to share (its own timeouts then apply per attempt).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    crate::config::runtime_setters!();

    /// The client, or what is missing.
    pub fn build(self) -> Result<Client> {
        let endpoint = crate::config::base_url(
            self.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT),
            "EHPC endpoint",
        )?;
        let missing = |what: &str| {
            Error::auth(format!(
                "no EHPC {what}: set QY_ACCESS_KEY_ID and QY_SECRET_ACCESS_KEY (or qy_access_key_id and qy_secret_access_key in ~/.qingcloud/config.yaml)"
            ))
        };
        let access_key_id = self.access_key_id.ok_or_else(|| missing("access key id"))?;
        let secret = self.secret.ok_or_else(|| missing("secret access key"))?;
        let zone = self.zone.ok_or_else(|| {
            Error::invalid_input(
                "no EHPC zone: set EHPC_ZONE (or zone in ~/.qingcloud/config.yaml)",
            )
        })?;
        let page_size = self
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let mut rt = self.rt;
        let http = match self.http {
            Some(http) => http,
            None => {
                rt.http_times_attempts = true;
                rt.http_client()?
            }
        };
        let access_key_id_shown = access_key_id.clone();
        let signer = super::sign::Signer::new(access_key_id, secret, rt.clock.clone());
        let hooks = ehpc_client::Hooks::signed_by(Arc::new(signer))
            .with_response_filter(rt.response_filter());
        let api = ehpc_client::Client::new_with_client(&endpoint, http, hooks);
        let inner = super::Inner {
            access_key_id: access_key_id_shown,
            api,
            endpoint,
            zone,
            cluster_id: self.cluster_id,
            page_size,
            rt,
        };
        Ok(Client {
            inner: Arc::new(inner),
        })
    }
}

fn read_config(path: &Path) -> Result<QingCloudConfig> {
    let shown = PathBuf::from(path).display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::invalid_input(format!("cannot read {shown}: {e}")))?;
    serde_yaml::from_str(&text)
        .map_err(|e| Error::invalid_input(format!("{shown} is not valid YAML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn environment_wins_and_the_config_file_fills_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.yaml");
        std::fs::write(
            &file,
            "qy_access_key_id: FILEKEY\nqy_secret_access_key: FILESECRET\nzone: pek3\n",
        )
        .unwrap();
        let builder =
            ClientBuilder::from_lookup(env(&[("EHPC_ZONE", "jinan1a")]), Some(&file)).unwrap();
        assert_eq!(builder.zone.as_deref(), Some("jinan1a"));
        assert_eq!(builder.access_key_id.as_deref(), Some("FILEKEY"));
        assert!(builder.secret.is_some());
        assert!(!format!("{builder:?}").contains("FILESECRET"));
        let client = builder.build().unwrap();
        assert_eq!(client.inner.endpoint, DEFAULT_ENDPOINT);
    }

    #[test]
    fn missing_credentials_name_the_variables() {
        let err = ClientBuilder::from_lookup(env(&[("EHPC_ZONE", "z")]), None)
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("QY_ACCESS_KEY_ID"), "{err}");
        assert!(matches!(err, Error::Auth { .. }));
    }

    #[test]
    fn a_broken_config_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.yaml");
        std::fs::write(&file, "qy_access_key_id: [").unwrap();
        let err = ClientBuilder::from_lookup(env(&[]), Some(&file))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("config.yaml is not valid YAML"),
            "{err}"
        );
    }

    #[test]
    fn page_size_is_clamped() {
        let client = Client::builder()
            .zone("z")
            .credentials("a", "b")
            .page_size(1000)
            .build()
            .unwrap();
        assert_eq!(client.inner.page_size, 100);
    }
}
