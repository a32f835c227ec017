//! Region discovery through `center`: the hpc base URL (the first enabled one, kept
//! until a transport error moves the region to the next) and the cluster user name,
//! cached per region.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Mutex;

use super::auth::TokenKind;
use super::{Client, envelope};
use crate::error::{Error, Result};
use crate::retry::{self, Call};
use crate::{Platform, response};

/// Where a region's job calls go.
pub(crate) struct Site {
    /// The enabled hpc origins, in the order `center` gave them.
    hpc: Vec<String>,
    current: AtomicUsize,
    pub cluster_user: Option<String>,
    /// The cluster user's home directory (`center`'s `homePath`), when known.
    pub home: Option<String>,
}

impl Site {
    /// The hpc origin in use, and its index (for [`Site::failed`]).
    pub fn hpc(&self) -> (usize, &str) {
        let index = self.current.load(Ordering::Relaxed) % self.hpc.len();
        (index, &self.hpc[index])
    }

    /// After a transport error on `index`, move to the next URL (once per failure,
    /// however many tasks saw it).
    pub fn failed(&self, index: usize) {
        let next = (index + 1) % self.hpc.len();
        if self
            .current
            .compare_exchange(index, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
            && next != index
        {
            tracing::warn!(
                from = index,
                to = next,
                "moving to the region's next hpc URL"
            );
        }
    }
}

#[derive(Default)]
pub(crate) struct RegionCache {
    sites: Mutex<HashMap<String, Arc<Site>>>,
}

/// The enabled hpc URLs of a `center` answer, as origins, in order.
pub(crate) fn enabled_origins(center: &scnet_client::types::Center) -> Vec<String> {
    center
        .hpc_urls
        .iter()
        .filter(|u| {
            u.enable
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case("true"))
        })
        .filter_map(|u| url::Url::parse(u.url.as_deref()?.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin().ascii_serialization())
        .collect()
}

impl Client {
    /// The site of `region`, discovered on first use.
    pub(crate) async fn site(&self, region: &str) -> Result<Arc<Site>> {
        let mut sites = self.inner.regions.sites.lock().await;
        if let Some(site) = sites.get(region) {
            return Ok(site.clone());
        }
        let settings = &self.inner.settings;
        let (origins, cluster_user, home) = match (&settings.hpc_url, &settings.cluster_user) {
            (Some(url), Some(user)) => (vec![url.clone()], Some(user.clone()), None),
            _ => {
                let center = self.center(region).await?;
                let info = center.cluster_user_info.as_ref();
                let user = info.and_then(|c| c.user_name.clone());
                let home = info.and_then(|c| c.home_path.clone());
                let origins = match &settings.hpc_url {
                    Some(url) => vec![url.clone()],
                    None => enabled_origins(&center),
                };
                (origins, settings.cluster_user.clone().or(user), home)
            }
        };
        if origins.is_empty() {
            return Err(Error::invalid_input(format!(
                "region {region} offers no enabled hpc URL; set SCNET_HPC_URL to choose one"
            )));
        }
        let site = Arc::new(Site {
            hpc: origins,
            current: AtomicUsize::new(0),
            cluster_user,
            home: home.filter(|h| h.starts_with('/')),
        });
        sites.insert(region.to_string(), site.clone());
        Ok(site)
    }

    async fn center(&self, region: &str) -> Result<scnet_client::types::Center> {
        let rt = &self.inner.rt;
        let answer = self
            .authorized(TokenKind::Region(region.into()), |token| async move {
                let call = Call {
                    platform: Platform::Scnet,
                    operation: "scnet.center",
                    idempotent: true,
                };
                retry::run(rt, call, |_| async {
                    let portal = self.inner.sites.portal_with(&token)?;
                    let request = portal.get_center();
                    envelope::check(
                        response::value(request.send().await, envelope::from_body).await?,
                    )
                })
                .await
            })
            .await?;
        answer.data.ok_or_else(|| {
            Error::invalid_input(format!("region {region}: center answered no data"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enabled_urls_become_origins_in_order() {
        let center: scnet_client::types::Center = serde_json::from_value(serde_json::json!({
            "hpcUrls": [
                {"enable": "false", "url": "https://off:1/hpc"},
                {"enable": "true", "url": "https://a:65051/hpc"},
                {"enable": "TRUE", "url": "http://b:8080/hpc/"},
                {"enable": "true", "url": "not a url"},
                {"enable": "true"}
            ]
        }))
        .unwrap();
        assert_eq!(
            enabled_origins(&center),
            ["https://a:65051", "http://b:8080"]
        );
    }
}
