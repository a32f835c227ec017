//! The sandbox's fixed demo credentials: plain strings, so users can paste them.

use std::fmt;

/// The EHPC API key id the sandbox accepts.
pub const EHPC_ACCESS_KEY_ID: &str = "QYSANDBOXACCESSKEY01";
/// The EHPC secret key matching [`EHPC_ACCESS_KEY_ID`].
pub const EHPC_SECRET_ACCESS_KEY: &str = "sandbox-secret-access-key-0123456789abcdef";
/// The zone of the sandbox's EHPC cluster.
pub const EHPC_ZONE: &str = "jinan1a";
/// The only EHPC cluster the sandbox serves; any other id gets `ret_code` 2100.
pub const EHPC_CLUSTER_ID: &str = "ehpc-sandbox1";
/// The SCNet platform login name.
pub const SCNET_USER: &str = "sandbox-user";
/// The SCNet access key (AK).
pub const SCNET_ACCESS_KEY: &str = "5a4db9c1e2f34a0b8c7d6e5f4a3b2c10";
/// The SCNet secret key (SK) matching [`SCNET_ACCESS_KEY`].
pub const SCNET_SECRET_KEY: &str = "SK-SANDBOX-0123456789abcdef";
/// The SCNet password, for the older password login.
pub const SCNET_PASSWORD: &str = "sandbox-password";
/// The SCNet organisation id, for the password login.
pub const SCNET_ORG_ID: &str = "8f3c2a1b";
/// The id of the SCNet region where the account is enabled.
pub const SCNET_CLUSTER_ID: &str = "11112";
/// The name of that region.
pub const SCNET_CLUSTER_NAME: &str = "华东一区【昆山】";
/// A second region, where the account is disabled (its login token is `null`).
pub const SCNET_DISABLED_CLUSTER_ID: &str = "11250";
/// The name of the disabled region.
pub const SCNET_DISABLED_CLUSTER_NAME: &str = "西北一区【西安】";
/// The account's user on the region's cluster, as `center` reports it.
pub const SCNET_CLUSTER_USER: &str = "acsandbox";
/// The account's group id; above 2^53 on purpose, so that a float cannot hold it.
pub const SCNET_GROUP_ID: i64 = 533_686_286_955_839_488;

/// Everything a client needs to log in to the sandbox. `Debug` hides the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// EHPC `access_key_id`.
    pub ehpc_access_key_id: String,
    /// EHPC secret key.
    pub ehpc_secret_access_key: String,
    /// EHPC zone.
    pub ehpc_zone: String,
    /// EHPC cluster id.
    pub ehpc_cluster_id: String,
    /// SCNet login name.
    pub scnet_user: String,
    /// SCNet access key (AK).
    pub scnet_access_key: String,
    /// SCNet secret key (SK).
    pub scnet_secret_key: String,
    /// SCNet password.
    pub scnet_password: String,
    /// SCNet organisation id.
    pub scnet_org_id: String,
    /// SCNet region id (`clusterId`) where the account is enabled.
    pub scnet_cluster_id: String,
    /// The cluster user name `center` reports for that region.
    pub scnet_cluster_user: String,
    /// The account's group id (exceeds 2^53).
    pub scnet_group_id: i64,
}

impl Credentials {
    /// The fixed demo credentials (the constants of this module).
    pub fn demo() -> Self {
        Self {
            ehpc_access_key_id: EHPC_ACCESS_KEY_ID.into(),
            ehpc_secret_access_key: EHPC_SECRET_ACCESS_KEY.into(),
            ehpc_zone: EHPC_ZONE.into(),
            ehpc_cluster_id: EHPC_CLUSTER_ID.into(),
            scnet_user: SCNET_USER.into(),
            scnet_access_key: SCNET_ACCESS_KEY.into(),
            scnet_secret_key: SCNET_SECRET_KEY.into(),
            scnet_password: SCNET_PASSWORD.into(),
            scnet_org_id: SCNET_ORG_ID.into(),
            scnet_cluster_id: SCNET_CLUSTER_ID.into(),
            scnet_cluster_user: SCNET_CLUSTER_USER.into(),
            scnet_group_id: SCNET_GROUP_ID,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("ehpc_access_key_id", &self.ehpc_access_key_id)
            .field("ehpc_secret_access_key", &"<redacted>")
            .field("ehpc_zone", &self.ehpc_zone)
            .field("ehpc_cluster_id", &self.ehpc_cluster_id)
            .field("scnet_user", &self.scnet_user)
            .field("scnet_access_key", &self.scnet_access_key)
            .field("scnet_secret_key", &"<redacted>")
            .field("scnet_password", &"<redacted>")
            .field("scnet_org_id", &self.scnet_org_id)
            .field("scnet_cluster_id", &self.scnet_cluster_id)
            .field("scnet_cluster_user", &self.scnet_cluster_user)
            .field("scnet_group_id", &self.scnet_group_id)
            .finish()
    }
}
