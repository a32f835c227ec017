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

/// A service's origins in a region, in `center`'s order, and the one in use: kept
/// until a transport failure moves the region on to the next.
pub(crate) struct Origins {
    origins: Vec<String>,
    current: AtomicUsize,
    /// What the origins serve, for the log line of a move.
    service: &'static str,
}

impl Origins {
    fn new(service: &'static str, origins: Vec<String>) -> Self {
        Self {
            origins,
            current: AtomicUsize::new(0),
            service,
        }
    }

    /// The origin in use, and its index (for [`Origins::failed`]).
    pub fn current(&self) -> (usize, &str) {
        let index = self.current.load(Ordering::Relaxed) % self.origins.len();
        (index, &self.origins[index])
    }

    /// After a transport error on `index`, move to the next URL (once per failure,
    /// however many tasks saw it).
    pub fn failed(&self, index: usize) {
        let next = (index + 1) % self.origins.len();
        if self
            .current
            .compare_exchange(index, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
            && next != index
        {
            tracing::warn!(
                service = self.service,
                from = index,
                to = next,
                "moving to the region's next URL"
            );
        }
    }
}

/// Where a region's calls go.
pub(crate) struct Site {
    /// The enabled hpc origins (job calls).
    hpc: Origins,
    /// The enabled efile origins (file transfers), once known: discovery reads them
    /// with the hpc ones, or on the first file call when the hpc URL was configured.
    efile: tokio::sync::OnceCell<Origins>,
    pub cluster_user: Option<String>,
    /// The cluster user's home directory (`center`'s `homePath`), when known.
    pub home: Option<String>,
}

impl Site {
    /// The hpc origin in use, and its index (for [`Site::failed`]).
    pub fn hpc(&self) -> (usize, &str) {
        self.hpc.current()
    }

    /// After a transport error on hpc origin `index`, move to the next.
    pub fn failed(&self, index: usize) {
        self.hpc.failed(index);
    }

    /// After a transport error on efile origin `index`, move the next file operations
    /// to the next gateway (one in progress stays where its chunks are).
    pub fn efile_failed(&self, index: usize) {
        if let Some(efile) = self.efile.get() {
            efile.failed(index);
        }
    }
}

#[derive(Default)]
pub(crate) struct RegionCache {
    sites: Mutex<HashMap<String, Arc<Site>>>,
}

/// The enabled hpc URLs of a `center` answer, as origins, in order.
pub(crate) fn enabled_origins(center: &scnet_client::types::Center) -> Vec<String> {
    enabled(&center.hpc_urls)
}

/// The enabled URLs of a list of `center`, as origins, in order.
fn enabled(urls: &[scnet_client::types::ServiceUrl]) -> Vec<String> {
    urls.iter()
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
        let efile = tokio::sync::OnceCell::new();
        if let Some(url) = &settings.efile_url {
            let _ = efile.set(Origins::new("efile", vec![url.clone()]));
        }
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
                if efile.get().is_none() {
                    let _ = efile.set(Origins::new("efile", enabled(&center.efile_urls)));
                }
                (origins, settings.cluster_user.clone().or(user), home)
            }
        };
        if origins.is_empty() {
            return Err(Error::invalid_input(format!(
                "region {region} offers no enabled hpc URL; set SCNET_HPC_URL to choose one"
            )));
        }
        let site = Arc::new(Site {
            hpc: Origins::new("hpc", origins),
            efile,
            cluster_user,
            home: home.filter(|h| h.starts_with('/')),
        });
        sites.insert(region.to_string(), site.clone());
        Ok(site)
    }

    /// The efile gateways of `region`'s `site`: discovered with it, or read from
    /// `center` now when the hpc URL and user were configured and the efile URL not.
    pub(crate) async fn efile_origins<'s>(
        &self,
        region: &str,
        site: &'s Site,
    ) -> Result<&'s Origins> {
        let origins = site
            .efile
            .get_or_try_init(|| async {
                let center = self.center(region).await?;
                Ok::<_, Error>(Origins::new("efile", enabled(&center.efile_urls)))
            })
            .await?;
        if origins.origins.is_empty() {
            return Err(Error::invalid_input(format!(
                "region {region} offers no enabled efile URL; set SCNET_EFILE_URL to choose one"
            )));
        }
        Ok(origins)
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
