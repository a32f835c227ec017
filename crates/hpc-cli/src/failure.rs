//! What the command line does when something fails: one readable line on stderr, a
//! hint for the common cases, and an exit code scripts can rely on.

use std::io;
use std::process::ExitCode;

use hpc_sdk::{EhpcCode, Error, ErrorCode, ScnetCode};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The SDK reported an error.
    Sdk(Error),
    /// Writing the output failed.
    Io(io::Error),
    /// The arguments cannot work together (exit 2, like clap's own usage errors).
    Usage(String),
    /// A failure the command words itself (exit 1).
    Message(String),
    /// The command said what it had to; only the exit code is left (e.g. 3: a job
    /// failed, 4: a wait timed out).
    Exit(u8),
    /// An SDK error with the command's own hint (exit 1), e.g. how to check a doubtful submit.
    Hinted(Error, String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Sdk(error)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::Io(error)
    }
}

impl Failure {
    /// Prints the failure and chooses the exit code. A closed pipe (`hpc ... | head`)
    /// is not a failure.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Io(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Failure::Io(error) => {
                eprintln!("error: cannot write the output: {error}");
                ExitCode::FAILURE
            }
            Failure::Exit(code) => ExitCode::from(code),
            Failure::Usage(message) => {
                eprintln!("error: {}", crate::inert::inert(&message));
                ExitCode::from(2)
            }
            Failure::Message(message) => {
                eprintln!("error: {}", crate::inert::inert(&message));
                ExitCode::FAILURE
            }
            Failure::Hinted(error, hint) => {
                let message = crate::inert::inert(&error.to_string()).into_owned();
                eprintln!("error: {message} (hint: {})", crate::inert::inert(&hint));
                ExitCode::FAILURE
            }
            Failure::Sdk(error) => {
                // One line, and nothing a server wrote can drive the terminal.
                let message = crate::inert::inert(&error.to_string()).into_owned();
                match hint(&error) {
                    Some(hint) => eprintln!("error: {message} (hint: {hint})"),
                    None => eprintln!("error: {message}"),
                }
                ExitCode::FAILURE
            }
        }
    }
}

/// What to try next, for the errors people meet first.
pub fn hint(error: &Error) -> Option<&'static str> {
    match error {
        Error::Api {
            code: ErrorCode::Ehpc(EhpcCode::AuthFailed),
            ..
        } => Some("the key pair was refused: check QY_ACCESS_KEY_ID and QY_SECRET_ACCESS_KEY"),
        Error::Api {
            code: ErrorCode::Ehpc(EhpcCode::RequestExpired),
            ..
        } => Some("the request time was refused: check this machine's clock"),
        Error::Api {
            code: ErrorCode::Ehpc(EhpcCode::NotFound),
            ..
        } => Some("check the job uuid, --cluster-id and EHPC_ZONE"),
        Error::Api {
            code: ErrorCode::Scnet(ScnetCode::PermissionDenied),
            ..
        } => Some(
            "the token expired or lacks permission; a static SCNET_TOKEN must be replaced by hand",
        ),
        Error::Api {
            code: ErrorCode::Scnet(ScnetCode::NoApiPermission),
            ..
        } => Some(
            "check SCNET_USER, SCNET_ACCESS_KEY and SCNET_SECRET_KEY, and the user names passed",
        ),
        Error::MaybeSubmitted { .. } => Some(
            "the job may exist: look for it with `hpc ehpc jobs list --search NAME --reverse` before submitting again",
        ),
        Error::Api {
            code: ErrorCode::Scnet(ScnetCode::FileNotFound),
            ..
        } => Some("check the path with `hpc scnet files ls FOLDER`"),
        Error::Auth { .. } => Some("credentials come from the environment; see `hpc --help`"),
        Error::Transport { .. } | Error::Timeout { .. } => {
            Some("check the endpoint URL and the network")
        }
        _ => None,
    }
}
