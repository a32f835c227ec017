//! The two platforms' error-code tables, as typed, non-exhaustive enums that keep codes
//! outside the tables as themselves. The enums, their meanings and their retry classes
//! are generated from the one table in each spec (`x-hpc-codes`).

use std::fmt;
use std::time::Duration;

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated_ehpc;
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated_scnet;

pub use generated_ehpc::EhpcCode;
pub use generated_scnet::ScnetCode;

/// Whether and how a call that met a code may be sent again: the `retry` column of a
/// code table. [`crate::retry`] turns it into advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Never: the answer will not change.
    Never,
    /// With backoff, as long as the policy allows.
    Backoff,
    /// Once (EHPC 1300: the next attempt is re-signed with a fresh timestamp).
    Once,
    /// Twice at most.
    Twice,
    /// Once, after at least this long.
    OnceAfter(Duration),
    /// Not by the retry loop: the token layer refreshes the token once and sends again.
    RefreshToken,
}

/// A platform's error code.
///
/// ```
/// use hpc_sdk::{EhpcCode, ErrorCode};
/// assert_eq!(ErrorCode::Ehpc(EhpcCode::ServerBusy).to_string(), "5100");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An EHPC `ret_code`.
    Ehpc(EhpcCode),
    /// An SCNet `code`.
    Scnet(ScnetCode),
}

impl ErrorCode {
    /// What the code means, from the documented table.
    pub fn meaning(&self) -> &'static str {
        match self {
            ErrorCode::Ehpc(code) => code.meaning(),
            ErrorCode::Scnet(code) => code.meaning(),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Ehpc(code) => write!(f, "{}", code.code()),
            ErrorCode::Scnet(code) => f.write_str(code.code()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_ehpc_code_round_trips() {
        let documented = [
            1100, 1101, 1200, 1300, 1400, 1500, 1662, 2000, 2100, 2110, 2200, 2300, 2400, 2500,
            3300, 4000, 4005, 5000, 5100, 5200, 5300, 5400, 5500, 5600, 8000, 8004,
        ];
        for code in documented {
            let typed = EhpcCode::from_code(code);
            assert!(!matches!(typed, EhpcCode::Other(_)), "{code} is documented");
            assert_eq!(typed.code(), code);
        }
        for code in [0, 1663, 4006, 8005, 9999, -1] {
            assert_eq!(EhpcCode::from_code(code), EhpcCode::Other(code));
        }
    }

    #[test]
    fn every_documented_scnet_code_round_trips() {
        for code in [
            "10001", "10003", "10004", "10007", "10008", "10009", "10010", "10011", "10012",
            "10013", "815005", "815007",
        ] {
            let typed = ScnetCode::from_code(code);
            assert!(
                !matches!(typed, ScnetCode::Other(_)),
                "{code} is documented"
            );
            assert_eq!(typed.code(), code);
        }
        for code in ["911021", "1001", "716865"] {
            assert_eq!(ScnetCode::from_code(code).code(), code);
        }
    }
}
