//! Logging in, renewing and caching SCNet tokens: one platform token and one token per
//! region. A single lock around refreshes means concurrent calls never log in twice at
//! once; the ones that waited find the fresh token.

use std::time::Duration;

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::token::{Credentials, Token, access_key_signature};
use super::{Sites, envelope};
use crate::context::CallContext;
use crate::error::{Error, Result};
use crate::retry::{self, Call};
use crate::{Platform, response};

/// Which token a call needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// The platform token (`/ac/...` calls).
    Platform,
    /// A region's token (`center`, `/hpc/...` calls).
    Region(std::sync::Arc<str>),
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenKind::Platform => f.write_str("the platform token"),
            TokenKind::Region(id) => write!(f, "region {id}"),
        }
    }
}

/// A region as a login describes it.
#[derive(Clone)]
pub(crate) struct RegionEntry {
    pub id: String,
    pub name: String,
    pub token: Option<Token>,
}

/// What a login answered.
#[derive(Clone, Default)]
pub(crate) struct TokenSet {
    pub platform: Option<Token>,
    pub regions: Vec<RegionEntry>,
}

impl TokenSet {
    fn slot(&mut self, kind: &TokenKind) -> Option<&mut Option<Token>> {
        match kind {
            TokenKind::Platform => Some(&mut self.platform),
            TokenKind::Region(id) => self
                .regions
                .iter_mut()
                .find(|r| *r.id == **id)
                .map(|r| &mut r.token),
        }
    }
}

pub(crate) struct TokenStore {
    credentials: Credentials,
    /// The token of [`Credentials::Token`], shared once.
    static_token: Option<Arc<SecretString>>,
    refresh_ahead: Duration,
    state: Mutex<Option<TokenSet>>,
}

impl TokenStore {
    pub fn new(credentials: Credentials, refresh_ahead: Duration) -> Self {
        let static_token = match &credentials {
            Credentials::Token(token) => Some(Arc::new(token.clone())),
            _ => None,
        };
        Self {
            credentials,
            static_token,
            refresh_ahead,
            state: Mutex::new(None),
        }
    }

    /// The access key of an AK/SK login, to keep it out of errors.
    pub fn access_key(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::AccessKey { access_key, .. } => Some(access_key),
            _ => None,
        }
    }

    /// Whether a refused token can be replaced (not for a static token).
    pub fn can_refresh(&self) -> bool {
        !matches!(self.credentials, Credentials::Token(_))
    }

    /// The regions of the last login (logging in if there was none).
    pub async fn regions(&self, rt: &CallContext, sites: &Sites) -> Result<Vec<RegionEntry>> {
        self.with_regions(rt, sites, <[RegionEntry]>::to_vec).await
    }

    /// The first region of the last login that has a token (logging in if there was
    /// none); empty if there is none or the token is static. Copies one id, not the
    /// whole login, on every call that has no region configured.
    pub async fn default_region(&self, rt: &CallContext, sites: &Sites) -> Result<String> {
        let found = self
            .with_regions(rt, sites, |regions| {
                regions
                    .iter()
                    .find(|r| r.token.is_some())
                    .map(|r| r.id.clone())
            })
            .await?;
        match found {
            Some(id) => Ok(id),
            // A static token is used for whatever region it belongs to.
            None if !self.can_refresh() => Ok(String::new()),
            // Logging in again would answer the same: say so once.
            None => Err(Error::auth(
                "the login answered no region token (only the platform token): set SCNET_CLUSTER_ID to a region the account is enabled in",
            )),
        }
    }

    /// `read` applied to the regions of the last login, logging in if there was none;
    /// to no regions for a static token.
    async fn with_regions<R>(
        &self,
        rt: &CallContext,
        sites: &Sites,
        read: impl FnOnce(&[RegionEntry]) -> R,
    ) -> Result<R> {
        if let Credentials::Token(_) = self.credentials {
            return Ok(read(&[]));
        }
        let mut state = self.state.lock().await;
        if state.is_none() {
            *state = Some(self.login(rt, sites).await?);
        }
        Ok(read(state.as_ref().map_or(&[], |s| s.regions.as_slice())))
    }

    /// A token of `kind` good for at least the refresh margin: renewed ahead of its
    /// `expireTime`, or obtained by logging in again if renewal fails.
    pub async fn token(
        &self,
        rt: &CallContext,
        sites: &Sites,
        kind: &TokenKind,
    ) -> Result<Arc<SecretString>> {
        if let Some(token) = &self.static_token {
            return Ok(token.clone());
        }
        let mut state = self.state.lock().await;
        let now = rt.clock.now();
        // The common case, a fresh token, copies only the token's text.
        let stale = match state.as_mut().and_then(|set| set.slot(kind)) {
            Some(Some(token)) if token.is_fresh(now, self.refresh_ahead) => {
                return Ok(token.value.clone());
            }
            // A refused token is not worth renewing: log in again.
            Some(Some(token)) if !token.refused => Some(token.value.clone()),
            _ => None,
        };
        if let Some(stale) = &stale
            && let Ok(renewed) = self.renew(rt, sites, stale.as_ref()).await
        {
            let slot = state.as_mut().and_then(|set| set.slot(kind));
            if let Some(slot) = slot {
                *slot = Some(renewed.clone());
            }
            return Ok(renewed.value);
        }
        let fresh = self.login(rt, sites).await?;
        let mut fresh_state = fresh;
        let token = match fresh_state.slot(kind) {
            Some(Some(token)) => token.value.clone(),
            Some(None) => {
                *state = Some(fresh_state);
                return Err(Error::auth(format!(
                    "{kind}: the login answered no token for this region (the account is disabled there)"
                )));
            }
            None => {
                *state = Some(fresh_state);
                return Err(Error::auth(format!(
                    "{kind}: the login answered no such region"
                )));
            }
        };
        *state = Some(fresh_state);
        Ok(token)
    }

    /// Marks `used` stale after the server refused it (10008), unless another task
    /// already replaced it.
    pub async fn refused(&self, kind: &TokenKind, used: &SecretString) {
        let mut state = self.state.lock().await;
        // The token stays in its slot, marked, so the region still counts as one with a
        // token for callers choosing a default region meanwhile.
        if let Some(Some(token)) = state.as_mut().and_then(|set| set.slot(kind))
            && token.same_as(used)
        {
            token.refused = true;
        }
    }

    async fn login(&self, rt: &CallContext, sites: &Sites) -> Result<TokenSet> {
        let call = Call {
            platform: Platform::Scnet,
            operation: "scnet.login",
            idempotent: true,
        };
        let answer = retry::run(rt, call, |_| async {
            let result = match &self.credentials {
                Credentials::AccessKey {
                    user,
                    access_key,
                    secret_key,
                } => {
                    let timestamp = rt
                        .clock
                        .now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_secs()
                        .to_string();
                    let signature = access_key_signature(access_key, &timestamp, user, secret_key);
                    let request = sites
                        .api
                        .login_with_access_key()
                        .user(user.clone())
                        .access_key(access_key.clone())
                        .timestamp(timestamp)
                        .signature(signature.expose_secret().to_string());
                    response::value(request.send().await, envelope::from_body).await?
                }
                Credentials::Password {
                    user,
                    password,
                    org_id,
                } => {
                    let request = sites
                        .portal
                        .login_with_password()
                        .user(user.clone())
                        .password(password.expose_secret().to_string())
                        .org_id(org_id.clone());
                    response::value(request.send().await, envelope::from_body).await?
                }
                Credentials::Token(_) => return Err(Error::auth("a static token cannot log in")),
            };
            envelope::check(result)
        })
        .await?;
        tracing::info!(
            regions = answer.data.as_ref().map_or(0, Vec::len),
            "logged in to SCNet"
        );
        let mut set = TokenSet::default();
        for entry in answer.data.unwrap_or_default() {
            let id = entry.cluster_id.map(|c| c.0).unwrap_or_default();
            let token = entry
                .token
                .filter(|t| !t.is_empty())
                .map(|t| Token::new(t, rt.clock.now()));
            if id == "0" {
                set.platform = token;
            } else {
                set.regions.push(RegionEntry {
                    id,
                    name: entry.cluster_name.unwrap_or_default(),
                    token,
                });
            }
        }
        if set.platform.is_none() && set.regions.iter().all(|r| r.token.is_none()) {
            return Err(Error::auth("the login answered no usable token"));
        }
        Ok(set)
    }

    async fn renew(&self, rt: &CallContext, sites: &Sites, old: &SecretString) -> Result<Token> {
        // Renewal is not repeated: a renewed token may have replaced the old one.
        let call = Call {
            platform: Platform::Scnet,
            operation: "scnet.renew_token",
            idempotent: false,
        };
        let answer = retry::run(rt, call, |_| async {
            let portal = sites.portal_with(old)?;
            let request = portal.renew_token();
            envelope::check(response::value(request.send().await, envelope::from_body).await?)
        })
        .await?;
        let token = answer
            .data
            .as_ref()
            .and_then(renewed_token)
            .ok_or_else(|| Error::auth("the token renewal answered no token"))?;
        tracing::info!("renewed an SCNet token");
        Ok(Token::new(token, rt.clock.now()))
    }
}

/// The renewed token in any of the shapes seen: a string, `{"token": ...}`, or an
/// array holding either.
fn renewed_token(data: &serde_json::Value) -> Option<String> {
    match data {
        serde_json::Value::String(token) if !token.is_empty() => Some(token.clone()),
        serde_json::Value::Object(map) => map.get("token").and_then(renewed_token),
        serde_json::Value::Array(items) => items.iter().find_map(renewed_token),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::renewed_token;
    use serde_json::json;

    #[test]
    fn renewal_answers_in_every_shape() {
        for data in [
            json!("t"),
            json!({"token": "t"}),
            json!([{"token": "t"}]),
            json!(["t"]),
        ] {
            assert_eq!(renewed_token(&data).as_deref(), Some("t"), "{data}");
        }
        for data in [json!(null), json!(""), json!({}), json!([]), json!(5)] {
            assert_eq!(renewed_token(&data), None, "{data}");
        }
    }
}
