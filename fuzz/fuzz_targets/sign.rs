//! EHPC canonicalization and signing: any parameters, path, body and secret; never a
//! panic, and the output keeps the shape docs/api-notes.md §1 requires.
#![no_main]

use hpc_sdk::ehpc::sign;
use libfuzzer_sys::fuzz_target;
use secrecy::{ExposeSecret, SecretString};

fuzz_target!(|input: (Vec<(String, String)>, String, Vec<u8>, String)| {
    let (params, path, body, secret) = input;
    let query = sign::canonical_query(params.iter().map(|(k, v)| (k, v)));
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.~/%=&".contains(c);
    assert!(query.chars().all(allowed), "{query}");
    let uri = sign::canonical_uri(&path);
    assert!(uri.ends_with('/'));
    let to_sign = sign::string_to_sign("GET", &uri, &query, &body);
    let signature = sign::signature(&SecretString::from(secret), &to_sign);
    let in_url = sign::signature_in_url(signature.expose_secret());
    assert!(!in_url.contains(['+', '/', '=']), "{in_url}");
});
