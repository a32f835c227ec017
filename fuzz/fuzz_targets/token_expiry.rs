//! JWT `expireTime` parsing: any token, and any bytes as a token's payload, never panic.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let _ = hpc_sdk::scnet::token_expiry(&text);
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let _ = hpc_sdk::scnet::token_expiry(&format!("h.{payload}.s"));
});
