//! What can go wrong on purpose: the faults a test asks for, and the queue that hands
//! them out to matching requests.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a faulted request is answered.
///
/// On the control endpoint (`POST /_sandbox/faults` on every server) a fault is JSON with
/// the kind under `"fault"`, e.g.
/// `{"path": "/api/job/list", "times": 2, "fault": "status", "status": 503}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum FaultKind {
    /// This HTTP status with a short plain-text body.
    Status {
        /// The status code, e.g. 503.
        status: u16,
    },
    /// HTTP 429 with `Retry-After: <retry_after_secs>`.
    RateLimited {
        /// Seconds to put in `Retry-After`.
        retry_after_secs: u64,
    },
    /// HTTP 200 with the EHPC error body `{"ret_code": N, "message": ...}`.
    EhpcCode {
        /// The `ret_code`, e.g. 5100 or 1300.
        ret_code: i64,
    },
    /// HTTP 200 with the SCNet error envelope `{"code": "N", "msg": ..., "data": null}`.
    ScnetCode {
        /// The code, e.g. `"10012"` or `"10008"`.
        code: String,
    },
    /// A gateway's HTML error page with this status.
    Html {
        /// The status code, e.g. 502.
        status: u16,
    },
    /// The normal answer, cut in half: valid JSON at the start, then nothing.
    TruncatedJson,
    /// Wait this long, then give the normal answer.
    Delay {
        /// The wait in milliseconds.
        millis: u64,
    },
    /// Close the connection without sending any HTTP response.
    DropConnection,
    /// Handle the request (a submit creates its job), then answer this status instead of
    /// the real answer: the client cannot know the job exists.
    StatusAfterHandling {
        /// The status code, e.g. 503.
        status: u16,
    },
    /// Handle the request (a submit creates its job), then close the connection without
    /// an answer.
    DropAfterHandling,
    /// Handle the request (an SCNet submit creates its job), then answer the SCNet error
    /// envelope with this code instead of the real answer, as the real service does with
    /// `815005` when the scheduler is slow: the client cannot know the job exists.
    ScnetCodeAfterHandling {
        /// The code, e.g. `"815005"`.
        code: String,
    },
    /// The normal answer, status and headers (its full `Content-Length` among them) as
    /// they are, but the connection is closed after `bytes` bytes of its body: a
    /// download that breaks off mid-way, for clients that resume with `Range`.
    CutAfterBytes {
        /// Body bytes sent before the cut; 0 cuts right after the headers.
        bytes: u64,
    },
    /// EHPC listing: the normal page, but `total_count` off by `delta`.
    TotalCountOffBy {
        /// Added to the true `total_count` (negative to under-report; floored at 0).
        delta: i64,
    },
    /// EHPC listing: the page requested at this `offset` comes back with no jobs
    /// (`total_count` stays true). Only requests at that offset match.
    EmptyPage {
        /// The `offset` whose page is emptied.
        offset: u64,
    },
}

/// "For the next `times` requests whose path contains `path`, answer with `kind`."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// A substring of the request path, e.g. `/api/job/list` or `/tokens`.
    pub path: String,
    /// How many matching requests get the fault; 1 unless set.
    #[serde(default = "one")]
    pub times: usize,
    /// The answer.
    #[serde(flatten)]
    pub kind: FaultKind,
}

fn one() -> usize {
    1
}

impl Fault {
    /// A fault for the next request whose path contains `path` (see [`Fault::times`]).
    pub fn new(path: impl Into<String>, kind: FaultKind) -> Self {
        Self {
            path: path.into(),
            times: 1,
            kind,
        }
    }

    /// Apply to the next `times` matching requests instead of one.
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// Answer with a bare HTTP status, e.g. 503.
    pub fn status(path: impl Into<String>, status: u16) -> Self {
        Self::new(path, FaultKind::Status { status })
    }

    /// Answer 429 with `Retry-After: retry_after_secs`.
    pub fn rate_limited(path: impl Into<String>, retry_after_secs: u64) -> Self {
        Self::new(path, FaultKind::RateLimited { retry_after_secs })
    }

    /// Answer with an EHPC `ret_code`, e.g. 5100.
    pub fn ehpc_code(path: impl Into<String>, ret_code: i64) -> Self {
        Self::new(path, FaultKind::EhpcCode { ret_code })
    }

    /// Answer with an SCNet `code`, e.g. `"10012"`.
    pub fn scnet_code(path: impl Into<String>, code: impl Into<String>) -> Self {
        Self::new(path, FaultKind::ScnetCode { code: code.into() })
    }

    /// Answer with an HTML error page and this status, e.g. 502.
    pub fn html(path: impl Into<String>, status: u16) -> Self {
        Self::new(path, FaultKind::Html { status })
    }

    /// Answer with the normal body cut short.
    pub fn truncated_json(path: impl Into<String>) -> Self {
        Self::new(path, FaultKind::TruncatedJson)
    }

    /// Wait, then answer normally.
    pub fn delay(path: impl Into<String>, delay: Duration) -> Self {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self::new(path, FaultKind::Delay { millis })
    }

    /// See [`FaultKind::StatusAfterHandling`].
    pub fn status_after_handling(path: impl Into<String>, status: u16) -> Self {
        Self::new(path, FaultKind::StatusAfterHandling { status })
    }

    /// See [`FaultKind::DropAfterHandling`].
    pub fn drop_after_handling(path: impl Into<String>) -> Self {
        Self::new(path, FaultKind::DropAfterHandling)
    }

    /// See [`FaultKind::ScnetCodeAfterHandling`]: handle the request, then answer SCNet
    /// `code`, e.g. `"815005"` on `/apptemplates/` for a submit whose outcome the client
    /// cannot know.
    pub fn scnet_code_after_handling(path: impl Into<String>, code: impl Into<String>) -> Self {
        Self::new(
            path,
            FaultKind::ScnetCodeAfterHandling { code: code.into() },
        )
    }

    /// Close the connection without an HTTP response.
    pub fn drop_connection(path: impl Into<String>) -> Self {
        Self::new(path, FaultKind::DropConnection)
    }

    /// See [`FaultKind::CutAfterBytes`]: answer normally, but close the connection
    /// after `bytes` body bytes, e.g. on `/efile/openapi/v2/file/download`.
    pub fn cut_after_bytes(path: impl Into<String>, bytes: u64) -> Self {
        Self::new(path, FaultKind::CutAfterBytes { bytes })
    }

    /// EHPC listing: report `total_count + delta`.
    pub fn total_count_off_by(path: impl Into<String>, delta: i64) -> Self {
        Self::new(path, FaultKind::TotalCountOffBy { delta })
    }

    /// EHPC listing: the page at `offset` comes back empty.
    pub fn empty_page(path: impl Into<String>, offset: u64) -> Self {
        Self::new(path, FaultKind::EmptyPage { offset })
    }
}

/// The faults still to be served, oldest first.
#[derive(Default)]
pub(crate) struct FaultQueue(Mutex<Vec<Fault>>);

impl FaultQueue {
    /// Queue a fault behind those already waiting.
    pub(crate) fn push(&self, fault: Fault) {
        if fault.times > 0 {
            self.lock().push(fault);
        }
    }

    /// Forget every waiting fault.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    /// Take one use of the oldest fault matching this request, if any.
    pub(crate) fn take(&self, path: &str, offset: Option<u64>) -> Option<FaultKind> {
        let mut faults = self.lock();
        let index = faults.iter().position(|fault| {
            path.contains(fault.path.as_str())
                && match fault.kind {
                    FaultKind::EmptyPage { offset: wanted } => offset.unwrap_or(0) == wanted,
                    _ => true,
                }
        })?;
        let fault = &mut faults[index];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            faults.remove(index);
        }
        Some(kind)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        // A panic elsewhere while holding the lock leaves the list itself intact.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_json_round_trips() {
        let json = r#"{"path":"/api/job/list","times":2,"fault":"status","status":503}"#;
        let fault: Fault = serde_json::from_str(json).unwrap();
        assert_eq!(fault, Fault::status("/api/job/list", 503).times(2));
        let json = r#"{"path":"/x","fault":"drop_connection"}"#;
        let fault: Fault = serde_json::from_str(json).unwrap();
        assert_eq!(fault, Fault::drop_connection("/x"));
        let json = r#"{"path":"/job","fault":"scnet_code_after_handling","code":"815005"}"#;
        let fault: Fault = serde_json::from_str(json).unwrap();
        assert_eq!(fault, Fault::scnet_code_after_handling("/job", "815005"));
        assert_eq!(
            serde_json::to_value(&fault).unwrap()["fault"],
            "scnet_code_after_handling"
        );
        let json = r#"{"path":"/file/download","fault":"cut_after_bytes","bytes":1000}"#;
        let fault: Fault = serde_json::from_str(json).unwrap();
        assert_eq!(fault, Fault::cut_after_bytes("/file/download", 1000));
    }

    #[test]
    fn queue_serves_in_order_and_counts_down() {
        let queue = FaultQueue::default();
        queue.push(Fault::status("/a", 503).times(2));
        queue.push(Fault::empty_page("/a", 10));
        assert_eq!(queue.take("/b", None), None);
        assert_eq!(
            queue.take("/a", Some(10)),
            Some(FaultKind::Status { status: 503 })
        );
        assert_eq!(
            queue.take("/a", None),
            Some(FaultKind::Status { status: 503 })
        );
        assert_eq!(queue.take("/a", None), None);
        assert_eq!(
            queue.take("/a", Some(10)),
            Some(FaultKind::EmptyPage { offset: 10 })
        );
        assert_eq!(queue.take("/a", Some(10)), None);
    }
}

/// What the EHPC listing handler must do to an otherwise normal page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListingFault {
    /// Report `total_count + delta`.
    TotalCountOffBy(i64),
    /// Return no jobs.
    EmptyPage,
}
