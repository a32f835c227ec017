//! The watch engine against a scripted source and a sleep that only records.

use std::sync::Mutex;
use std::time::Duration;

use futures::TryStreamExt;

use super::*;
use crate::Error;
use crate::context::BoxFuture as SleepFuture;

/// One listing answer: the jobs it shows, or an error.
type Listing = std::result::Result<Vec<(&'static str, JobStatus)>, Error>;

/// Answers the scripted listings in turn (the last one forever), and `alone` from a
/// fixed table; counts both.
#[derive(Default)]
struct Script {
    listings: Mutex<VecDeque<Listing>>,
    alone: HashMap<&'static str, JobStatus>,
    calls: Mutex<(usize, Vec<String>)>,
}

impl Script {
    fn new(listings: Vec<Listing>) -> Self {
        Self {
            listings: Mutex::new(listings.into()),
            ..Self::default()
        }
    }
}

fn clone_listing(listing: &Listing) -> Listing {
    match listing {
        Ok(rows) => Ok(rows.clone()),
        Err(_) => Err(transient()),
    }
}

impl StatusSource for Script {
    fn listed(&self, ids: Vec<String>) -> BoxFuture<'static, Result<HashMap<String, JobStatus>>> {
        self.calls.lock().unwrap().0 += 1;
        let mut listings = self.listings.lock().unwrap();
        let answer = if listings.len() > 1 {
            listings.pop_front().unwrap()
        } else {
            clone_listing(listings.front().unwrap())
        };
        let answer = answer.map(|rows| {
            rows.into_iter()
                .filter(|(id, _)| ids.iter().any(|wanted| wanted == id))
                .map(|(id, status)| (id.to_string(), status))
                .collect()
        });
        Box::pin(async move { answer })
    }

    fn alone(&self, id: String) -> BoxFuture<'static, Result<Option<JobStatus>>> {
        let answer = self.alone.get(id.as_str()).cloned();
        self.calls.lock().unwrap().1.push(id);
        Box::pin(async move { Ok(answer) })
    }
}

fn transient() -> Error {
    Error::Http {
        status: 503,
        body_excerpt: String::new(),
        retry_after: None,
    }
}

/// Records every wait, waits for none.
#[derive(Default)]
struct Recorder(Mutex<Vec<Duration>>);

impl Sleep for Recorder {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

fn run(
    script: Arc<Script>,
    watched: &[&str],
    interval: PollInterval,
) -> (UpdateStream, Arc<Recorder>) {
    let sleep = Arc::new(Recorder::default());
    (watch(script, sleep.clone(), ids(watched), interval), sleep)
}

#[tokio::test]
async fn stale_answers_never_take_a_job_back() {
    use JobStatus::*;
    let script = Arc::new(Script::new(vec![
        Ok(vec![("a", Queued), ("b", Running)]),
        Ok(vec![("a", Running), ("b", Queued)]),
        Ok(vec![("a", Queued), ("b", Completed)]),
        Ok(vec![("a", Failed), ("b", Running)]),
    ]));
    let (updates, _) = run(script.clone(), &["a", "b"], PollInterval::default());
    let seen: Vec<(String, JobStatus)> = updates
        .map_ok(|u| (u.id, u.status))
        .try_collect()
        .await
        .unwrap();
    let expect = [
        ("a", Queued),
        ("b", Running),
        ("a", Running),
        ("b", Completed),
        ("a", Failed),
    ];
    let expect: Vec<(String, JobStatus)> = expect
        .into_iter()
        .map(|(i, s)| (i.to_string(), s))
        .collect();
    assert_eq!(seen, expect);
    assert_eq!(script.calls.lock().unwrap().0, 4, "one listing per poll");
}

#[tokio::test]
async fn only_jobs_that_left_the_listing_are_asked_alone() {
    use JobStatus::*;
    let mut script = Script::new(vec![
        Ok(vec![("a", Running), ("b", Running)]),
        Ok(vec![("a", Completed)]),
    ]);
    script.alone.insert("b", Failed);
    let script = Arc::new(script);
    let (updates, _) = run(script.clone(), &["a", "b"], PollInterval::default());
    let last = wait(updates).await.unwrap();
    assert_eq!(last["a"], Completed);
    assert_eq!(last["b"], Failed);
    let calls = script.calls.lock().unwrap();
    assert_eq!(calls.0, 2);
    assert_eq!(calls.1, ["b"], "b alone, once; never a");
}

#[tokio::test]
async fn the_interval_grows_while_quiet_and_resets_after_a_change() {
    use JobStatus::*;
    let running = || Ok(vec![("a", Running)]);
    let script = Arc::new(Script::new(vec![
        running(),
        running(),
        running(),
        running(),
        Ok(vec![("a", Completed)]),
    ]));
    let interval = PollInterval::default()
        .min(Duration::from_secs(2))
        .max(Duration::from_secs(5));
    let (updates, sleep) = run(script, &["a"], interval);
    wait(updates).await.unwrap();
    let waits: Vec<f64> = sleep
        .0
        .lock()
        .unwrap()
        .iter()
        .map(Duration::as_secs_f64)
        .collect();
    // After the first poll (a change): 2 s; then 3, 4.5, and the 5 s ceiling.
    assert_eq!(waits, [2.0, 3.0, 4.5, 5.0]);
}

#[tokio::test]
async fn a_transient_error_does_not_end_the_watch() {
    use JobStatus::*;
    let script = Arc::new(Script::new(vec![
        Ok(vec![("a", Running)]),
        Err(transient()),
        Err(transient()),
        Ok(vec![("a", Completed)]),
    ]));
    let (updates, _) = run(script.clone(), &["a"], PollInterval::fixed(Duration::ZERO));
    let last = wait(updates).await.unwrap();
    assert_eq!(last["a"], Completed);
    assert_eq!(script.calls.lock().unwrap().0, 4);
}

#[tokio::test]
async fn an_error_that_is_not_transient_ends_it() {
    /// A source whose every listing is refused.
    struct Refuses;
    impl StatusSource for Refuses {
        fn listed(&self, _: Vec<String>) -> BoxFuture<'static, Result<HashMap<String, JobStatus>>> {
            Box::pin(async { Err(Error::invalid_input("no such scheduler")) })
        }
        fn alone(&self, _: String) -> BoxFuture<'static, Result<Option<JobStatus>>> {
            Box::pin(async { Ok(None) })
        }
    }
    let updates = watch(
        Arc::new(Refuses),
        Arc::new(Recorder::default()),
        ids(&["a"]),
        PollInterval::default(),
    );
    let error = wait(updates).await.unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error}");
}
