//! What the SCNet job calls share: reading their parameters, China-time clock faces, and
//! one job as every answer sees it, so that the lists and details never disagree.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDateTime, SubsecRound, TimeDelta, Utc};

use super::Rejection;
use super::envelope::codes;
use super::outputs;
use crate::query::parse_form;
use crate::scheduler::{Phase, ScnetDetails, SimJob};
use crate::state::Shared;

/// A request's parameters by name; of a repeated name, the last.
pub(crate) type Params = HashMap<String, String>;

/// The parameters of a query string, `+` read as a space as form encoders write it.
pub(crate) fn query_params(query: Option<&str>) -> Result<Params, Rejection> {
    let pairs = parse_form(query.unwrap_or("")).map_err(|_| codes::INVALID)?;
    Ok(pairs.into_iter().collect())
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub(crate) fn form_params(body: &[u8]) -> Result<Params, Rejection> {
    let text = std::str::from_utf8(body).map_err(|_| codes::INVALID)?;
    query_params(Some(text))
}

/// A parameter that must be there and not empty (10003 otherwise).
pub(crate) fn required<'p>(params: &'p Params, key: &str) -> Result<&'p str, Rejection> {
    params
        .get(key)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or(codes::MISSING)
}

/// A parameter that may be left out or empty.
pub(crate) fn optional<'p>(params: &'p Params, key: &str) -> Option<&'p str> {
    params
        .get(key)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

/// The required scheduler id under `key`: 10003 if missing, 10004 if not one of the
/// region's.
pub(crate) fn scheduler_param(
    shared: &Shared,
    params: &Params,
    key: &str,
) -> Result<u64, Rejection> {
    shared
        .scnet
        .scheduler(required(params, key)?)
        .ok_or(codes::INVALID)
}

/// A whole number that may be left out (then `default`); 10004 if it is no number.
pub(crate) fn number_param(params: &Params, key: &str, default: u64) -> Result<u64, Rejection> {
    optional(params, key).map_or(Ok(default), |text| {
        text.trim().parse().map_err(|_| codes::INVALID)
    })
}

/// China Standard Time, UTC+8, the zone every SCNet time is read and written in.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

fn china() -> FixedOffset {
    CHINA
}

/// `yyyy-MM-dd HH:mm:ss` in China time, as the lists write times.
pub(crate) fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `yyyy-MM-ddTHH:mm:ss` in China time, as history records write `acctTime`.
pub(crate) fn iso(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A China time in either form, to the second.
pub(crate) fn parse_clock(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(
        naive
            .and_local_timezone(china())
            .single()?
            .with_timezone(&Utc),
    )
}

/// A duration as `HH:MM:SS` (hours may exceed 99).
pub(crate) fn hms(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One SCNet job at one moment, as every answer describes it.
pub(crate) struct JobView<'a> {
    pub(crate) job: &'a SimJob,
    pub(crate) details: &'a ScnetDetails,
    pub(crate) phase: Phase,
    pub(crate) started: Option<DateTime<Utc>>,
    pub(crate) ended: Option<DateTime<Utc>>,
}

impl<'a> JobView<'a> {
    /// The view of a job the SCNet region ran; `None` for any other.
    pub(crate) fn new(shared: &Shared, job: &'a SimJob) -> Option<Self> {
        let speed = shared.scnet_scheduler.speed;
        let details = job.request.scnet.as_deref()?;
        let (started, ended) = job.times(speed);
        Some(Self {
            job,
            details,
            phase: job.phase(speed),
            started,
            ended,
        })
    }

    /// The job id as SCNet writes it: decimal, a string.
    pub(crate) fn id(&self) -> String {
        self.job.job_id.to_string()
    }

    /// Whether the realtime list still shows it: live, or ended less than the
    /// (scaled) retention ago.
    pub(crate) fn in_realtime(&self, shared: &Shared, now: DateTime<Utc>) -> bool {
        let scaled = shared.scnet.realtime_retention.as_secs_f64() / shared.scnet_scheduler.speed;
        // A retention too long to add to a date is forever.
        let until = |ended: DateTime<Utc>| {
            let retention = Duration::try_from_secs_f64(scaled).ok()?;
            ended.checked_add_signed(TimeDelta::from_std(retention).ok()?)
        };
        self.ended
            .is_none_or(|ended| until(ended).is_none_or(|until| now < until))
    }

    /// The scheduler's reason: why it waits, or how it ended.
    pub(crate) fn reason(&self) -> &'static str {
        match self.phase {
            Phase::Pending => "Resources",
            Phase::Running | Phase::Finished => "None",
            Phase::Failed => "NonZeroExitCode",
            Phase::Stopped => "Cancelled",
        }
    }

    /// The exit code of an ended job (0 for a cancelled one, whose end is a signal, as
    /// sacct's `0:15` says); `None` while it is live.
    pub(crate) fn exit_code(&self) -> Option<i64> {
        match self.phase {
            Phase::Pending | Phase::Running => None,
            Phase::Failed => Some(self.job.exit_code()),
            Phase::Finished | Phase::Stopped => Some(0),
        }
    }

    /// Whole seconds it has run: to its end, or to `now` while running.
    pub(crate) fn run_seconds(&self, now: DateTime<Utc>) -> i64 {
        self.started.map_or(0, |started| {
            (self.ended.unwrap_or(now) - started).num_seconds().max(0)
        })
    }

    /// Cores in use: those asked for once it has started.
    pub(crate) fn procs_used(&self) -> i64 {
        if self.started.is_some() {
            self.job.request.cores
        } else {
            0
        }
    }

    /// Nodes in use: those asked for once it has started.
    pub(crate) fn nodes_used(&self) -> i64 {
        if self.started.is_some() {
            self.details.nodes
        } else {
            0
        }
    }

    pub(crate) fn stdout(&self) -> String {
        outputs::stdout_path(self.job, self.details)
    }

    pub(crate) fn stderr(&self) -> String {
        outputs::stderr_path(self.job, self.details)
    }

    /// Its end to the second, which is what `acctTime` names.
    pub(crate) fn acct_time(&self) -> Option<DateTime<Utc>> {
        self.ended.map(|ended| ended.trunc_subsecs(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_time_in_both_forms() {
        let at = DateTime::parse_from_rfc3339("2021-11-03T05:56:56.7Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(clock(at), "2021-11-03 13:56:56");
        assert_eq!(iso(at), "2021-11-03T13:56:56");
        let back = parse_clock("2021-11-03 13:56:56").unwrap();
        assert_eq!(back, at.trunc_subsecs(0));
        assert_eq!(parse_clock("2021-11-03T13:56:56"), Some(back));
        assert_eq!(parse_clock("2021/11/03 13:56:56"), None);
        assert_eq!(hms(3723), "01:02:03");
        assert_eq!(hms(400_000), "111:06:40");
    }
}
