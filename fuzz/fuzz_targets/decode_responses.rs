//! Any bytes, decoded as every endpoint's answer type: an error at worst, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scnet_client::types as s;

fuzz_target!(|bytes: &[u8]| {
    let _ = serde_json::from_slice::<ehpc_client::types::JobListResponse>(bytes);
    let _ = serde_json::from_slice::<s::TokenListResponse>(bytes);
    let _ = serde_json::from_slice::<s::TokenRenewalResponse>(bytes);
    let _ = serde_json::from_slice::<s::TokenStateResponse>(bytes);
    let _ = serde_json::from_slice::<s::CenterResponse>(bytes);
    let _ = serde_json::from_slice::<s::JobStateCountsResponse>(bytes);
    let _ = serde_json::from_slice::<s::MemberJobsResponse>(bytes);
    let _ = serde_json::from_slice::<s::WalltimeResponse>(bytes);
});
