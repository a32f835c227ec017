//! `jobs().output(id)`: a job's stdout or stderr as a stream of chunks, read page by
//! page (1000 lines each) through `file/content`, so a long log never sits whole in
//! memory.

use std::num::NonZeroU64;

use futures::stream::{self, BoxStream, StreamExt};
use scnet_client::operations as ops;
use scnet_client::types::FileContentRequest;

use super::{Client, Jobs, lenient};
use crate::error::{Error, Result};

/// The chunks of a job's output, in order; an error ends the stream.
pub type OutputStream = BoxStream<'static, Result<String>>;

/// A job's output; built by [`Jobs::output`]. Nothing is sent until the stream is polled.
///
/// ```no_run
/// # async fn run(client: hpc_sdk::scnet::Client) -> hpc_sdk::Result<()> {
/// use futures::TryStreamExt;
/// let mut chunks = client.jobs().output("35919").stream();
/// while let Some(chunk) = chunks.try_next().await? {
///     print!("{chunk}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until streamed"]
pub struct JobOutput {
    client: Client,
    id: String,
    stderr: bool,
    path: Option<String>,
    region: Option<String>,
    scheduler_id: Option<String>,
}

impl Jobs {
    /// The job's stdout (or, with `.stderr(true)`, its stderr).
    pub fn output(&self, id: impl Into<String>) -> JobOutput {
        JobOutput {
            client: self.client.clone(),
            id: id.into(),
            stderr: false,
            path: None,
            region: None,
            scheduler_id: None,
        }
    }
}

impl JobOutput {
    /// Read stderr instead of stdout.
    pub fn stderr(mut self, yes: bool) -> Self {
        self.stderr = yes;
        self
    }

    /// Read this file instead of the one the job's record names (e.g. the
    /// [`SubmittedJob::stdout`](super::SubmittedJob::stdout) of the submit).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Another region than the client's.
    pub fn region(mut self, id: impl Into<String>) -> Self {
        self.region = Some(id.into());
        self
    }

    /// The scheduler (default: the region's only one).
    pub fn scheduler_id(mut self, id: impl Into<String>) -> Self {
        self.scheduler_id = Some(id.into());
        self
    }

    /// The output, chunk by chunk (one page of the file each).
    pub fn stream(self) -> OutputStream {
        let start = Reader {
            output: self,
            path: None,
            next_page: 1,
            pages: None,
            finished: false,
        };
        stream::unfold(start, |mut reader| async move {
            match reader.next().await {
                Ok(Some(chunk)) => Some((Ok(chunk), reader)),
                Ok(None) => None,
                Err(error) => {
                    reader.finished = true;
                    Some((Err(error), reader))
                }
            }
        })
        .boxed()
    }

    /// The whole output as one string (for short logs; use [`Self::stream`] for long ones).
    pub async fn text(self) -> Result<String> {
        use futures::TryStreamExt;
        self.stream()
            .try_collect::<Vec<_>>()
            .await
            .map(|c| c.concat())
    }
}

/// Where a stream of pages stands.
struct Reader {
    output: JobOutput,
    path: Option<String>,
    next_page: u64,
    /// The page count the server gave last.
    pages: Option<u64>,
    finished: bool,
}

impl Reader {
    async fn next(&mut self) -> Result<Option<String>> {
        if self.finished || self.pages.is_some_and(|pages| self.next_page > pages) {
            return Ok(None);
        }
        let path = match &self.path {
            Some(path) => path.clone(),
            None => {
                let path = self.resolve().await?;
                self.path = Some(path.clone());
                path
            }
        };
        let page = NonZeroU64::new(self.next_page).unwrap_or(NonZeroU64::MIN);
        let client = &self.output.client;
        let body = FileContentRequest {
            host_name: String::new(),
            dir_path: path,
            trigger_num: page,
            roll_direction: "DOWN".into(),
        };
        let body = &body;
        let answer = client
            .execute_region(
                &ops::READ_FILE_CONTENT,
                self.output.region.as_deref(),
                |api| async move { api.read_file_content().body(body.clone()).send().await },
            )
            .await?;
        let page = answer.data.unwrap_or_default();
        self.pages = page
            .total_trigger_times
            .as_ref()
            .and_then(lenient::count)
            .map(|n| n.max(0) as u64);
        self.next_page += 1;
        let mut text = page.data.unwrap_or_default();
        if text.is_empty() {
            // An empty page ends the file whatever the count says: a server that keeps
            // promising pages must not keep the reader asking.
            self.finished = true;
            return Ok(None);
        }
        let more = self.pages.is_some_and(|pages| self.next_page <= pages);
        if more && !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(Some(text))
    }

    /// The file to read: the one set, else the one the job's record names.
    async fn resolve(&self) -> Result<String> {
        let output = &self.output;
        if let Some(path) = &output.path {
            return Ok(path.clone());
        }
        let record = output
            .client
            .operation(super::job_ops::lookup(
                &output.client,
                output.region.as_deref(),
                output.scheduler_id.as_deref(),
                &output.id,
            ))
            .await?;
        let which = if output.stderr { "stderr" } else { "stdout" };
        match record {
            None => Err(Error::invalid_input(format!(
                "no job {} in the realtime list or the last 30 days of history",
                output.id
            ))),
            Some(record) => record.output_path(output.stderr).ok_or_else(|| {
                Error::invalid_input(format!(
                    "job {}'s record names no {which} file: pass .path(...)",
                    output.id
                ))
            }),
        }
    }
}
