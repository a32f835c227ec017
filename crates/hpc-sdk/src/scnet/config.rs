//! Building an SCNet client: explicit settings or the environment.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::auth::TokenStore;
use super::discovery::RegionCache;
use super::token::Credentials;
use super::{Client, Inner, Sites};
use crate::config::base_url;
use crate::context::CallContext;
use crate::error::{Error, Result};

/// The AK/SK login host.
pub const DEFAULT_API_URL: &str = "https://api.scnet.cn";
/// The platform host.
pub const DEFAULT_PORTAL_URL: &str = "https://www.scnet.cn";

/// What a built client keeps.
pub(crate) struct Settings {
    pub api_url: String,
    pub portal_url: String,
    pub region: Option<String>,
    pub hpc_url: Option<String>,
    /// The region's efile origin, when set rather than discovered.
    pub efile_url: Option<String>,
    pub cluster_user: Option<String>,
}

/// Settings for an SCNet [`Client`]. Its `Debug` never shows a secret.
///
/// ```
/// let builder = hpc_sdk::scnet::Client::builder()
///     .portal_url("https://scnet-demo.accloud.cn")
///     .password("bob", "PASSWORD", "org-1")
///     .region("11112");
/// assert!(!format!("{builder:?}").contains("PASSWORD"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_url: Option<String>,
    portal_url: Option<String>,
    credentials: Option<Credentials>,
    region: Option<String>,
    hpc_url: Option<String>,
    efile_url: Option<String>,
    cluster_user: Option<String>,
    refresh_ahead: Option<Duration>,
    rt: CallContext,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("scnet::ClientBuilder")
            .field("api_url", &self.api_url)
            .field("portal_url", &self.portal_url)
            .field("credentials", &self.credentials)
            .field("region", &self.region)
            .field("hpc_url", &self.hpc_url)
            .field("efile_url", &self.efile_url)
            .field("cluster_user", &self.cluster_user)
            .field("retry", &self.rt.retry)
            .field("timeouts", &self.rt.timeouts)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder filled from the environment: `SCNET_API_URL` (default
    /// [`DEFAULT_API_URL`]), `SCNET_PORTAL_URL` (default [`DEFAULT_PORTAL_URL`]),
    /// `SCNET_CLUSTER_ID` (the region), `SCNET_HPC_URL` (skips discovery), `SCNET_EFILE_URL` (the efile gateway, when
    /// it should not be discovered), and one of:
    /// `SCNET_TOKEN`; `SCNET_USER` + `SCNET_ACCESS_KEY` + `SCNET_SECRET_KEY`;
    /// `SCNET_USER` + `SCNET_PASSWORD` + `SCNET_ORG_ID`.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// A builder filled from `lookup`, an environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        // A trailing newline from `$(cat file)` must not become part of a key or token.
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut builder = Self {
            api_url: get("SCNET_API_URL"),
            portal_url: get("SCNET_PORTAL_URL"),
            region: get("SCNET_CLUSTER_ID"),
            hpc_url: get("SCNET_HPC_URL"),
            efile_url: get("SCNET_EFILE_URL"),
            ..Self::default()
        };
        let user = get("SCNET_USER");
        builder.credentials = if let Some(token) = get("SCNET_TOKEN") {
            Some(Credentials::Token(SecretString::from(token)))
        } else if let (Some(user), Some(access_key), Some(secret)) = (
            user.clone(),
            get("SCNET_ACCESS_KEY"),
            get("SCNET_SECRET_KEY"),
        ) {
            Some(Credentials::AccessKey {
                user,
                access_key,
                secret_key: SecretString::from(secret),
            })
        } else if let (Some(user), Some(password), Some(org_id)) =
            (user, get("SCNET_PASSWORD"), get("SCNET_ORG_ID"))
        {
            Some(Credentials::Password {
                user,
                password: SecretString::from(password),
                org_id,
            })
        } else {
            None
        };
        Ok(builder)
    }

    /// The AK/SK login host.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The platform host.
    pub fn portal_url(mut self, url: impl Into<String>) -> Self {
        self.portal_url = Some(url.into());
        self
    }

    /// Log in with an access key.
    pub fn access_key(
        mut self,
        user: impl Into<String>,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::AccessKey {
            user: user.into(),
            access_key: access_key.into(),
            secret_key: SecretString::from(secret_key.into()),
        });
        self
    }

    /// Log in with a password.
    pub fn password(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
        org_id: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::Password {
            user: user.into(),
            password: SecretString::from(password.into()),
            org_id: org_id.into(),
        });
        self
    }

    /// Use this token for every call; never log in.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Token(SecretString::from(token.into())));
        self
    }

    /// The region (cluster id) region calls go to; default: the first with a token.
    pub fn region(mut self, cluster_id: impl Into<String>) -> Self {
        self.region = Some(cluster_id.into());
        self
    }

    /// The region's hpc base URL, skipping discovery of it.
    pub fn hpc_url(mut self, url: impl Into<String>) -> Self {
        self.hpc_url = Some(url.into());
        self
    }

    /// The region's efile base URL (its origin is used), skipping discovery of it; the
    /// file calls go there.
    ///
    /// ```
    /// let client = hpc_sdk::scnet::Client::builder()
    ///     .token("t")
    ///     .efile_url("https://efile.example:65052/efile")
    ///     .build();
    /// assert!(client.is_ok());
    /// ```
    pub fn efile_url(mut self, url: impl Into<String>) -> Self {
        self.efile_url = Some(url.into());
        self
    }

    /// The cluster user name, when it should not be discovered.
    pub fn cluster_user(mut self, user: impl Into<String>) -> Self {
        self.cluster_user = Some(user.into());
        self
    }

    /// How long before `expireTime` a token is renewed (default 5 minutes).
    pub fn refresh_ahead(mut self, margin: Duration) -> Self {
        self.refresh_ahead = Some(margin);
        self
    }

    crate::config::runtime_setters!();

    /// The client, or what is missing.
    pub fn build(self) -> Result<Client> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::auth("no SCNet credentials: set SCNET_USER with SCNET_ACCESS_KEY and SCNET_SECRET_KEY (or SCNET_PASSWORD and SCNET_ORG_ID), or SCNET_TOKEN")
        })?;
        check_header_values(&credentials)?;
        let api_url = base_url(
            self.api_url.as_deref().unwrap_or(DEFAULT_API_URL),
            "SCNet API URL",
        )?;
        let portal_url = base_url(
            self.portal_url.as_deref().unwrap_or(DEFAULT_PORTAL_URL),
            "SCNet portal URL",
        )?;
        let hpc_url = self
            .hpc_url
            .as_deref()
            .map(|url| base_url(url, "SCNet hpc URL").map(|url| crate::config::origin(&url)))
            .transpose()?;
        let efile_url = self
            .efile_url
            .as_deref()
            .map(|url| base_url(url, "SCNet efile URL").map(|url| crate::config::origin(&url)))
            .transpose()?;
        let mut rt = self.rt;
        rt.http_times_attempts = true;
        let http = rt.http_client()?;
        let sites = Sites::new(&api_url, &portal_url, http, rt.response_filter());
        let tokens = TokenStore::new(
            credentials,
            self.refresh_ahead.unwrap_or(Duration::from_secs(300)),
        );
        let settings = Settings {
            api_url,
            portal_url,
            region: self.region,
            hpc_url,
            efile_url,
            cluster_user: self.cluster_user,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                sites,
                tokens,
                regions: RegionCache::default(),
                default_target: tokio::sync::OnceCell::new(),
                settings,
                rt,
                schedulers: Default::default(),
            }),
        })
    }
}

/// The credentials travel in HTTP headers: a value a header cannot carry (a control
/// character, say) is refused here, naming the variable, instead of failing every login
/// with "failed to parse header value".
fn check_header_values(credentials: &Credentials) -> Result<()> {
    use secrecy::ExposeSecret;
    let values: Vec<(&str, &str)> = match credentials {
        Credentials::AccessKey {
            user, access_key, ..
        } => vec![("SCNET_USER", user), ("SCNET_ACCESS_KEY", access_key)],
        Credentials::Password {
            user,
            password,
            org_id,
        } => vec![
            ("SCNET_USER", user),
            ("SCNET_PASSWORD", password.expose_secret()),
            ("SCNET_ORG_ID", org_id),
        ],
        Credentials::Token(token) => vec![("SCNET_TOKEN", token.expose_secret())],
    };
    match values
        .iter()
        .find(|(_, value)| reqwest::header::HeaderValue::from_str(value).is_err())
    {
        // The value itself is never shown: it may be a secret.
        Some((name, _)) => Err(Error::auth(format!(
            "{name} holds a character an HTTP header cannot carry (a control character or a line break)"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_credential_a_header_cannot_carry_is_refused_by_name() {
        let err = Client::builder()
            .access_key("bob\nx", "ak", "sk")
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("SCNET_USER holds a character"),
            "{err}"
        );
        let err = Client::builder()
            .password("bob", "pa\u{7}ss", "org")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("SCNET_PASSWORD"), "{err}");
        assert!(!err.to_string().contains("pa\u{7}ss"), "{err}");
        assert!(
            Client::builder()
                .access_key("张三", "ak", "sk")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn the_environment_chooses_the_credentials() {
        let token =
            ClientBuilder::from_lookup(lookup(&[("SCNET_TOKEN", "T"), ("SCNET_USER", "u")]))
                .unwrap();
        assert!(matches!(token.credentials, Some(Credentials::Token(_))));
        let ak = ClientBuilder::from_lookup(lookup(&[
            ("SCNET_USER", "u"),
            ("SCNET_ACCESS_KEY", "a"),
            ("SCNET_SECRET_KEY", "s"),
        ]))
        .unwrap();
        assert!(matches!(
            ak.credentials,
            Some(Credentials::AccessKey { .. })
        ));
        let pw = ClientBuilder::from_lookup(lookup(&[
            ("SCNET_USER", "u"),
            ("SCNET_PASSWORD", "p"),
            ("SCNET_ORG_ID", "o"),
        ]))
        .unwrap();
        assert!(matches!(pw.credentials, Some(Credentials::Password { .. })));
        let none = ClientBuilder::from_lookup(lookup(&[("SCNET_USER", "u")])).unwrap();
        let err = none.build().unwrap_err();
        assert!(err.to_string().contains("SCNET_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn urls_default_and_are_checked() {
        let client = Client::builder().token("t").build().unwrap();
        assert_eq!(client.inner.settings.api_url, DEFAULT_API_URL);
        assert_eq!(client.inner.settings.portal_url, DEFAULT_PORTAL_URL);
        let err = Client::builder()
            .token("t")
            .hpc_url("not a url")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("SCNet hpc URL"), "{err}");
    }
}
