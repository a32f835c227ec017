//! The two platforms' error-code tables (api-notes.md), as typed, non-exhaustive enums
//! that keep codes outside the tables as themselves.

use std::fmt;

/// An EHPC `ret_code`.
///
/// ```
/// use hpc_sdk::EhpcCode;
/// assert_eq!(EhpcCode::from_code(1200), EhpcCode::AuthFailed);
/// assert_eq!(EhpcCode::from_code(1550), EhpcCode::Account(1550));
/// assert_eq!(EhpcCode::from_code(777), EhpcCode::Other(777));
/// assert_eq!(EhpcCode::ServerBusy.code(), 5100);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EhpcCode {
    /// 1100: malformed request or parameter error.
    MalformedRequest,
    /// 1101: method not allowed.
    MethodNotAllowed,
    /// 1200: authentication failed (bad key or signature).
    AuthFailed,
    /// 1300: request expired (timestamp too old).
    RequestExpired,
    /// 1400: access denied.
    AccessDenied,
    /// 1500–1662: account or login errors.
    Account(i64),
    /// 2000: session expired.
    SessionExpired,
    /// 2100: resource not found.
    NotFound,
    /// 2110: resource already exists.
    AlreadyExists,
    /// 2200: lease failed.
    LeaseFailed,
    /// 2300: release failed.
    ReleaseFailed,
    /// 2400: insufficient balance.
    InsufficientBalance,
    /// 2500: quota exceeded (also the API call quota).
    QuotaExceeded,
    /// 3300: invalid API module.
    InvalidApiModule,
    /// 4000–4005: license errors.
    License(i64),
    /// 5000: internal error.
    InternalError,
    /// 5100: server busy.
    ServerBusy,
    /// 5200: insufficient resources.
    InsufficientResources,
    /// 5300: service updating.
    ServiceUpdating,
    /// 5400: dependency exists.
    DependencyExists,
    /// 5500: service not enabled.
    ServiceNotEnabled,
    /// 5600: unsupported type.
    UnsupportedType,
    /// 8000–8004: config file errors.
    ConfigFile(i64),
    /// A code outside the documented table, kept as sent.
    Other(i64),
}

impl EhpcCode {
    /// The typed code for a `ret_code`.
    pub fn from_code(code: i64) -> Self {
        use EhpcCode::*;
        match code {
            1100 => MalformedRequest,
            1101 => MethodNotAllowed,
            1200 => AuthFailed,
            1300 => RequestExpired,
            1400 => AccessDenied,
            1500..=1662 => Account(code),
            2000 => SessionExpired,
            2100 => NotFound,
            2110 => AlreadyExists,
            2200 => LeaseFailed,
            2300 => ReleaseFailed,
            2400 => InsufficientBalance,
            2500 => QuotaExceeded,
            3300 => InvalidApiModule,
            4000..=4005 => License(code),
            5000 => InternalError,
            5100 => ServerBusy,
            5200 => InsufficientResources,
            5300 => ServiceUpdating,
            5400 => DependencyExists,
            5500 => ServiceNotEnabled,
            5600 => UnsupportedType,
            8000..=8004 => ConfigFile(code),
            other => Other(other),
        }
    }

    /// The numeric `ret_code`.
    pub fn code(self) -> i64 {
        use EhpcCode::*;
        match self {
            MalformedRequest => 1100,
            MethodNotAllowed => 1101,
            AuthFailed => 1200,
            RequestExpired => 1300,
            AccessDenied => 1400,
            SessionExpired => 2000,
            NotFound => 2100,
            AlreadyExists => 2110,
            LeaseFailed => 2200,
            ReleaseFailed => 2300,
            InsufficientBalance => 2400,
            QuotaExceeded => 2500,
            InvalidApiModule => 3300,
            InternalError => 5000,
            ServerBusy => 5100,
            InsufficientResources => 5200,
            ServiceUpdating => 5300,
            DependencyExists => 5400,
            ServiceNotEnabled => 5500,
            UnsupportedType => 5600,
            Account(code) | License(code) | ConfigFile(code) | Other(code) => code,
        }
    }

    /// What the code means, from the documented table.
    pub fn meaning(self) -> &'static str {
        use EhpcCode::*;
        match self {
            MalformedRequest => "malformed request or parameter error",
            MethodNotAllowed => "method not allowed",
            AuthFailed => "authentication failed (bad key or signature)",
            RequestExpired => "request expired (timestamp too old)",
            AccessDenied => "access denied",
            Account(_) => "account or login error",
            SessionExpired => "session expired",
            NotFound => "resource not found",
            AlreadyExists => "resource already exists",
            LeaseFailed => "lease failed",
            ReleaseFailed => "release failed",
            InsufficientBalance => "insufficient balance",
            QuotaExceeded => "quota exceeded",
            InvalidApiModule => "invalid API module",
            License(_) => "license error",
            InternalError => "internal error",
            ServerBusy => "server busy",
            InsufficientResources => "insufficient resources",
            ServiceUpdating => "service updating",
            DependencyExists => "dependency exists",
            ServiceNotEnabled => "service not enabled",
            UnsupportedType => "unsupported type",
            ConfigFile(_) => "config file error",
            Other(_) => "undocumented code",
        }
    }
}

/// An SCNet envelope `code` other than `"0"`.
///
/// ```
/// use hpc_sdk::ScnetCode;
/// assert_eq!(ScnetCode::from_code("10008"), ScnetCode::PermissionDenied);
/// assert_eq!(ScnetCode::from_code("911021"), ScnetCode::Other("911021".into()));
/// assert_eq!(ScnetCode::OperationTimedOut.code(), "10013");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScnetCode {
    /// 10001: internal error.
    InternalError,
    /// 10003: missing parameters.
    MissingParameters,
    /// 10004: invalid parameters.
    InvalidParameters,
    /// 10007: user frozen.
    UserFrozen,
    /// 10008: insufficient permission; in practice an expired token.
    PermissionDenied,
    /// 10009: no permission for this API (on login: the signature check failed).
    NoApiPermission,
    /// 10010: file check failed.
    FileCheckFailed,
    /// 10011: file too large.
    FileTooLarge,
    /// 10012: connection interrupted.
    ConnectionInterrupted,
    /// 10013: operation timed out.
    OperationTimedOut,
    /// 815005: job submit failed, the scheduler did not answer (the job may exist).
    SubmitNoAnswer,
    /// 815007: job submit failed, sbatch failed.
    SubmitFailed,
    /// A code outside the documented table, kept as sent.
    Other(String),
}

impl ScnetCode {
    /// The typed code for an envelope `code`.
    pub fn from_code(code: &str) -> Self {
        use ScnetCode::*;
        match code.trim() {
            "10001" => InternalError,
            "10003" => MissingParameters,
            "10004" => InvalidParameters,
            "10007" => UserFrozen,
            "10008" => PermissionDenied,
            "10009" => NoApiPermission,
            "10010" => FileCheckFailed,
            "10011" => FileTooLarge,
            "10012" => ConnectionInterrupted,
            "10013" => OperationTimedOut,
            "815005" => SubmitNoAnswer,
            "815007" => SubmitFailed,
            other => Other(other.to_string()),
        }
    }

    /// The code as the server sends it.
    pub fn code(&self) -> &str {
        use ScnetCode::*;
        match self {
            InternalError => "10001",
            MissingParameters => "10003",
            InvalidParameters => "10004",
            UserFrozen => "10007",
            PermissionDenied => "10008",
            NoApiPermission => "10009",
            FileCheckFailed => "10010",
            FileTooLarge => "10011",
            ConnectionInterrupted => "10012",
            OperationTimedOut => "10013",
            SubmitNoAnswer => "815005",
            SubmitFailed => "815007",
            Other(code) => code,
        }
    }

    /// What the code means, from the documented table.
    pub fn meaning(&self) -> &'static str {
        use ScnetCode::*;
        match self {
            InternalError => "internal error",
            MissingParameters => "missing parameters",
            InvalidParameters => "invalid parameters",
            UserFrozen => "user frozen",
            PermissionDenied => "insufficient permission (often an expired token)",
            NoApiPermission => "no permission for this API",
            FileCheckFailed => "file check failed",
            FileTooLarge => "file too large",
            ConnectionInterrupted => "connection interrupted",
            OperationTimedOut => "operation timed out",
            SubmitNoAnswer => "job submit failed: the scheduler did not answer",
            SubmitFailed => "job submit failed: sbatch failed",
            Other(_) => "undocumented code",
        }
    }
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
