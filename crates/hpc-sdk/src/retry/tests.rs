//! The retry table, row by row.

use super::*;
use crate::{EhpcCode, ErrorCode, Platform, ScnetCode};

fn ehpc(code: i64) -> Error {
    Error::ehpc(code, "m", 200)
}

fn scnet(code: &str) -> Error {
    Error::scnet(code, "m", 200)
}

#[test]
fn every_ehpc_row() {
    let retried_always = [5000, 5100, 5300];
    let retried_once = [1300, 5200];
    let never = [
        1100, 1101, 1200, 1400, 1500, 1600, 1662, 2000, 2100, 2110, 2200, 2300, 2400, 2500, 3300,
        4000, 4003, 4005, 5400, 5500, 5600, 8000, 8002, 8004, 424242,
    ];
    for code in retried_always {
        assert!(classify(&ehpc(code), 0, true).is_retry(), "{code}");
        assert!(classify(&ehpc(code), 5, true).is_retry(), "{code}");
        assert_eq!(
            classify(&ehpc(code), 0, false),
            RetryAdvice::Stop,
            "{code}: never for a non-idempotent call"
        );
    }
    for code in retried_once {
        assert!(classify(&ehpc(code), 0, true).is_retry(), "{code}");
        assert_eq!(classify(&ehpc(code), 1, true), RetryAdvice::Stop, "{code}");
    }
    assert_eq!(
        classify(&ehpc(5200), 0, true),
        RetryAdvice::Retry {
            at_least: Duration::from_secs(5)
        }
    );
    for code in never {
        assert_eq!(classify(&ehpc(code), 0, true), RetryAdvice::Stop, "{code}");
    }
}

#[test]
fn every_scnet_row() {
    for code in ["10012", "10013"] {
        assert!(classify(&scnet(code), 3, true).is_retry(), "{code}");
        assert_eq!(classify(&scnet(code), 0, false), RetryAdvice::Stop);
    }
    assert!(classify(&scnet("10001"), 1, true).is_retry());
    assert_eq!(classify(&scnet("10001"), 2, true), RetryAdvice::Stop);
    for code in [
        "10003", "10004", "10007", "10008", "10009", "10010", "10011", "815005", "815007", "911021",
    ] {
        assert_eq!(classify(&scnet(code), 0, true), RetryAdvice::Stop, "{code}");
    }
}

#[test]
fn http_statuses_transport_and_timeouts() {
    let http = |status, retry_after| Error::Http {
        status,
        body_excerpt: String::new(),
        retry_after,
    };
    for status in [429, 500, 502, 503, 504] {
        assert!(
            classify(&http(status, None), 0, true).is_retry(),
            "{status}"
        );
    }
    for status in [400, 401, 403, 404, 405, 501, 505] {
        assert_eq!(
            classify(&http(status, None), 0, true),
            RetryAdvice::Stop,
            "{status}"
        );
    }
    assert_eq!(
        classify(&http(429, Some(Duration::from_secs(7))), 0, true),
        RetryAdvice::Retry {
            at_least: Duration::from_secs(7)
        }
    );
    let transport = Error::Transport {
        message: "reset".into(),
        source: None,
    };
    assert!(classify(&transport, 0, true).is_retry());
    assert_eq!(classify(&transport, 0, false), RetryAdvice::Stop);
    assert!(
        classify(
            &Error::Timeout {
                after: Duration::from_secs(1),
                scope: "attempt"
            },
            0,
            true
        )
        .is_retry()
    );
    assert_eq!(
        classify(
            &Error::Timeout {
                after: Duration::from_secs(1),
                scope: "operation"
            },
            0,
            true
        ),
        RetryAdvice::Stop
    );
    let decode = Error::Decode {
        status: 200,
        body_excerpt: "{".into(),
        source: Box::new(serde_json::from_str::<serde_json::Value>("{").unwrap_err()),
    };
    for error in [
        decode,
        Error::auth("x"),
        Error::invalid_input("x"),
        Error::InconsistentListing {
            message: "x".into(),
        },
    ] {
        assert_eq!(classify(&error, 0, true), RetryAdvice::Stop, "{error}");
    }
    let api = Error::Api {
        platform: Platform::Scnet,
        code: ErrorCode::Scnet(ScnetCode::OperationTimedOut),
        message: String::new(),
        http_status: 200,
    };
    assert!(api.is_retryable());
    assert!(
        !Error::Api {
            platform: Platform::Ehpc,
            code: ErrorCode::Ehpc(EhpcCode::AuthFailed),
            message: String::new(),
            http_status: 200
        }
        .is_retryable()
    );
}

#[test]
fn a_busy_status_is_retried_whatever_code_its_body_carries() {
    for status in [429, 500, 502, 503, 504] {
        assert!(
            classify(&Error::scnet("1001", "m", status), 0, true).is_retry(),
            "{status}"
        );
        assert!(
            classify(&Error::ehpc(1200, "m", status), 0, true).is_retry(),
            "{status}"
        );
        assert_eq!(
            classify(&Error::scnet("10008", "m", status), 0, true),
            RetryAdvice::Stop
        );
    }
    assert_eq!(
        classify(&Error::scnet("1001", "m", 404), 0, true),
        RetryAdvice::Stop
    );
}

#[test]
fn the_backoff_is_bounded_by_attempts() {
    let policy = RetryPolicy::default().max_attempts(3).without_jitter();
    assert_eq!(policy.backoff().count(), 2);
    assert_eq!(RetryPolicy::none().backoff().count(), 0);
}
