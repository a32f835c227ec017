//! Which scheduler a job call goes to. Every `/hpc` job call names a scheduler id
//! (`strJobManagerID`, `strClusterIDList`, `jobmanagerId`); most regions have one, so
//! it is found once and remembered, and a region with several makes the caller choose.

use super::Client;
use super::discovery::Site;
use crate::error::{Error, Result};

impl Client {
    /// The scheduler of `region` (or the client's): `explicit`, else the region's only
    /// one. A region with several is `InvalidInput` naming them all.
    pub(crate) async fn scheduler_for(
        &self,
        region: Option<&str>,
        explicit: Option<&str>,
    ) -> Result<String> {
        if let Some(id) = explicit.map(str::trim).filter(|id| !id.is_empty()) {
            return Ok(id.to_string());
        }
        let key = region.unwrap_or_default().to_string();
        if let Some(id) = self.inner.schedulers.lock().await.get(&key) {
            return Ok(id.clone());
        }
        let listed = self
            .schedulers()
            .list()
            .set_region(region.map(str::to_string))
            .send()
            .await?;
        let schedulers: Vec<(String, String)> = listed
            .into_iter()
            .filter_map(|s| {
                let id = s.id?.as_str().trim().to_string();
                (!id.is_empty()).then(|| (id, s.text.unwrap_or_default()))
            })
            .collect();
        let where_ = region.map_or_else(
            || "the client's region".to_string(),
            |r| format!("region {r}"),
        );
        match schedulers.as_slice() {
            [] => Err(Error::invalid_input(format!(
                "{where_} lists no scheduler: pass a scheduler id (.scheduler_id(...), hpc: --scheduler-id)"
            ))),
            [(id, _)] => {
                self.inner.schedulers.lock().await.insert(key, id.clone());
                Ok(id.clone())
            }
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|(id, text)| format!("{id} ({text})"))
                    .collect();
                Err(Error::invalid_input(format!(
                    "{where_} has {} schedulers: {}; choose one with .scheduler_id(...) (hpc: --scheduler-id)",
                    several.len(),
                    names.join(", ")
                )))
            }
        }
    }

    /// The site of `region`, or of the client's region.
    pub(crate) async fn site_of(&self, region: Option<&str>) -> Result<std::sync::Arc<Site>> {
        Ok(self.region_target(region).await?.1)
    }

    /// The cluster user of `region`: `explicit`, else the one `center` named.
    pub(crate) async fn cluster_user(
        &self,
        region: Option<&str>,
        explicit: Option<&str>,
    ) -> Result<String> {
        if let Some(user) = explicit.map(str::trim).filter(|u| !u.is_empty()) {
            return Ok(user.to_string());
        }
        self.site_of(region)
            .await?
            .cluster_user
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                Error::invalid_input("no cluster user name: discovery found none; pass .user(...)")
            })
    }
}
