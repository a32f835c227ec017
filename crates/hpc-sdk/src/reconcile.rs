//! Finding the job a submit of unknown outcome may have made: the rules both clouds'
//! `find_submitted` follow (how much clock slack, how many looks, how far apart).

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::context::Sleep;
use crate::error::{Error, Result};

/// How long before the recorded send time a job may say it was submitted: the server's
/// clock may run behind the client's.
pub(crate) const CLOCK_SLACK: TimeDelta = TimeDelta::minutes(5);
/// How many times the listing is read, since the server may still be creating the job.
const LOOKS: usize = 3;
/// The wait between two looks.
const BETWEEN_LOOKS: Duration = Duration::from_secs(2);

/// What a doubtful submit sent: its name, cluster (or scheduler), and the earliest
/// submission time a job of it may show.
pub(crate) struct Doubt<'a> {
    pub name: &'a str,
    pub cluster: &'a str,
    pub earliest: DateTime<Utc>,
}

impl<'a> Doubt<'a> {
    /// The doubt of a [`Error::MaybeSubmitted`]; any other error is `InvalidInput`.
    pub fn of(error: &'a Error) -> Result<Self> {
        match error {
            Error::MaybeSubmitted {
                name,
                cluster,
                sent_at,
                ..
            } => Ok(Doubt {
                name,
                cluster,
                earliest: *sent_at - CLOCK_SLACK,
            }),
            _ => Err(Error::invalid_input(
                "find_submitted takes the MaybeSubmitted error of a submit",
            )),
        }
    }
}

/// Runs `look` up to three times, two seconds apart, until it finds something.
pub(crate) async fn look_again<T, F, Fut>(sleep: &dyn Sleep, mut look: F) -> Result<Option<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    for attempt in 0..LOOKS {
        if attempt > 0 {
            sleep.sleep(BETWEEN_LOOKS).await;
        }
        if let Some(found) = look().await? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}
