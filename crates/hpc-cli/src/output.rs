//! Printing records as a table, a JSON array or JSON lines. JSON keeps the API's own
//! field names; JSON lines and the JSON array are written as records arrive.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::args::Output;
use crate::inert::inert;

/// Something printable as a table row and as JSON.
pub trait Record: Serialize {
    /// Column titles.
    fn headers() -> &'static [&'static str];
    /// This record's cells.
    fn row(&self) -> Vec<String>;
}

/// Writes records in one format.
pub struct Printer<W: Write> {
    format: Output,
    out: W,
    rows: Vec<Vec<String>>,
    written: usize,
    /// Whether a table's header was printed (with its first block of rows).
    header_done: bool,
    finished: bool,
}

/// A table is aligned and printed this many rows at a time, so `--all` over millions of
/// jobs holds one block in memory, never the listing.
pub const TABLE_BLOCK_ROWS: usize = 1000;

/// The printer every command writes its records with: buffered stdout.
pub fn stdout_printer(format: Output) -> Printer<io::BufWriter<io::Stdout>> {
    Printer::new(format, io::BufWriter::new(io::stdout()))
}

/// Prints one page of a listing, or with `all` every page.
pub async fn print_listing<R: Record>(
    format: Output,
    all: bool,
    first_page: impl std::future::Future<Output = hpc_sdk::Result<hpc_sdk::Page<R>>>,
    every_item: hpc_sdk::ItemStream<R>,
) -> Result<(), crate::failure::Failure> {
    use futures::TryStreamExt;
    let mut out = stdout_printer(format);
    if all {
        let mut items = every_item;
        while let Some(item) = items.try_next().await? {
            out.push(&item)?;
        }
    } else {
        for item in &first_page.await?.items {
            out.push(item)?;
        }
    }
    Ok(out.finish::<R>()?)
}

impl<W: Write> Printer<W> {
    pub fn new(format: Output, out: W) -> Self {
        Self {
            format,
            out,
            rows: Vec::new(),
            written: 0,
            header_done: false,
            finished: false,
        }
    }

    pub fn push<R: Record>(&mut self, record: &R) -> io::Result<()> {
        match self.format {
            Output::Table => {
                let row = record.row().iter().map(|c| inert(c).into_owned()).collect();
                self.rows.push(row);
                if self.rows.len() >= TABLE_BLOCK_ROWS {
                    self.print_block::<R>()?;
                }
            }
            Output::Jsonl => {
                serde_json::to_writer(&mut self.out, record)?;
                self.out.write_all(b"\n")?;
            }
            Output::Json => {
                self.out.write_all(if self.written == 0 {
                    b"[\n  "
                } else {
                    b",\n  "
                })?;
                serde_json::to_writer(&mut self.out, record)?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Pushes what is buffered out (after each page, for streaming formats).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Aligns and prints the rows held so far, with the header the first time.
    fn print_block<R: Record>(&mut self) -> io::Result<()> {
        let mut table = Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        if !self.header_done {
            table.set_header(R::headers().iter().copied());
            self.header_done = true;
        }
        for row in self.rows.drain(..) {
            table.add_row(row);
        }
        // Flush left, two spaces between columns.
        table.column_iter_mut().for_each(|column| {
            column.set_padding((0, 2));
        });
        writeln!(self.out, "{}", table.trim_fmt())
    }

    pub fn finish<R: Record>(mut self) -> io::Result<()> {
        self.finished = true;
        match self.format {
            Output::Table => {
                if !self.rows.is_empty() || !self.header_done {
                    self.print_block::<R>()?;
                }
            }
            Output::Json => {
                self.out
                    .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?
            }
            Output::Jsonl => {}
        }
        self.out.flush()
    }
}

impl<W: Write> Drop for Printer<W> {
    /// A listing that failed midway still leaves valid JSON: the array is closed.
    fn drop(&mut self) {
        if !self.finished && self.format == Output::Json && self.written > 0 {
            let _ = self.out.write_all(b"\n]\n");
            let _ = self.out.flush();
        }
    }
}

pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Record for hpc_sdk::ehpc::EhpcJob {
    fn headers() -> &'static [&'static str] {
        &[
            "JOB_ID",
            "NAME",
            "STATUS",
            "QUEUE",
            "USER",
            "CORES",
            "SUBMITTED",
        ]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self.job_id),
            opt(&self.job_name),
            opt(&self.job_status),
            opt(&self.queue_name),
            opt(&self.run_user),
            opt(&self.core_limit),
            opt(&self.submitted_time),
        ]
    }
}

impl Record for hpc_sdk::scnet::MemberJob {
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "STATUS", "CPU_CORES", "GPUS", "DCUS", "NODES"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self.id),
            opt(&self.name),
            opt(&self.status),
            opt(&self.cpu_core),
            opt(&self.gpu_num),
            opt(&self.dcu_num_used),
            opt(&self.node_num_req),
        ]
    }
}

impl Record for hpc_sdk::ehpc::types::HpcCluster {
    fn headers() -> &'static [&'static str] {
        &["CLUSTER_ID", "NAME", "STATUS", "TYPE", "NODES", "CREATED"]
    }

    fn row(&self) -> Vec<String> {
        // The vendor's table lists the fields flat, its example nests them: read both.
        let nested = self.app_cluster.as_ref();
        let pick = |flat: &Option<String>, inner: Option<&Option<String>>| {
            opt(&flat.clone().or_else(|| inner.cloned().flatten()))
        };
        let nodes = self
            .total_node_count
            .or(self.toatl_node_count)
            .or_else(|| nested.and_then(|n| n.total_node_count.or(n.toatl_node_count)));
        vec![
            pick(&self.cluster_id, nested.map(|n| &n.cluster_id)),
            pick(&self.cluster_name, nested.map(|n| &n.cluster_name)),
            pick(&self.cluster_status, nested.map(|n| &n.cluster_status)),
            pick(&self.cluster_type, nested.map(|n| &n.cluster_type)),
            opt(&nodes),
            pick(&self.create_time, nested.map(|n| &n.create_time)),
        ]
    }
}

impl Record for hpc_sdk::scnet::types::Scheduler {
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "TYPE", "ADDRESS", "PORT"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            opt(&self.id.as_ref().map(|id| id.as_str().to_string())),
            opt(&self.text),
            opt(&self.job_manager_type),
            opt(&self.job_manager_addr),
            opt(&self.job_manager_port),
        ]
    }
}

impl Record for hpc_sdk::scnet::Region {
    fn headers() -> &'static [&'static str] {
        &["ID", "NAME", "HAS_TOKEN"]
    }

    fn row(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            if self.has_token { "yes" } else { "no" }.into(),
        ]
    }
}

/// One state's job count.
#[derive(Serialize)]
pub struct StateCount {
    pub state: String,
    pub count: i64,
}

impl Record for StateCount {
    fn headers() -> &'static [&'static str] {
        &["STATE", "COUNT"]
    }

    fn row(&self) -> Vec<String> {
        vec![self.state.clone(), self.count.to_string()]
    }
}

/// CPU time used.
#[derive(Serialize)]
pub struct WalltimeRecord {
    pub user: String,
    /// The raw number: machine-hours or core-seconds, the unit is disputed.
    pub walltime: f64,
}

impl Record for WalltimeRecord {
    fn headers() -> &'static [&'static str] {
        &["USER", "WALLTIME (raw; unit disputed)"]
    }

    fn row(&self) -> Vec<String> {
        vec![self.user.clone(), self.walltime.to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Output, records: &[StateCount]) -> String {
        let mut buffer = Vec::new();
        let mut printer = Printer::new(format, &mut buffer);
        for record in records {
            printer.push(record).unwrap();
        }
        printer.finish::<StateCount>().unwrap();
        String::from_utf8(buffer).unwrap()
    }

    fn records() -> Vec<StateCount> {
        vec![
            StateCount {
                state: "运行中".into(),
                count: 12,
            },
            StateCount {
                state: "queued".into(),
                count: 3,
            },
        ]
    }

    #[test]
    fn a_long_table_is_aligned_in_blocks_under_one_header() {
        let mut out = Vec::new();
        let mut printer = Printer::new(Output::Table, &mut out);
        for count in 0..2500 {
            printer
                .push(&StateCount {
                    state: "running".into(),
                    count,
                })
                .unwrap();
            assert!(
                printer.rows.len() < TABLE_BLOCK_ROWS,
                "rows held stay bounded"
            );
        }
        printer.finish::<StateCount>().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().filter(|l| l.starts_with("STATE")).count(), 1);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("running")).count(),
            2500
        );
    }

    #[test]
    fn a_json_listing_dropped_midway_is_still_an_array() {
        let mut out = Vec::new();
        {
            let mut printer = Printer::new(Output::Json, &mut out);
            printer
                .push(&StateCount {
                    state: "a".into(),
                    count: 1,
                })
                .unwrap();
        }
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed.len(), 1);
    }

    #[test]
    fn json_is_one_array_and_jsonl_one_record_a_line() {
        let json: serde_json::Value =
            serde_json::from_str(&render(Output::Json, &records())).unwrap();
        assert_eq!(json[0]["state"], "运行中");
        assert_eq!(json.as_array().unwrap().len(), 2);
        assert_eq!(render(Output::Json, &[]), "[]\n");
        let lines = render(Output::Jsonl, &records());
        assert_eq!(lines.lines().count(), 2);
        assert_eq!(
            lines.lines().next().unwrap(),
            r#"{"state":"运行中","count":12}"#
        );
    }

    #[test]
    fn the_table_aligns_wide_characters() {
        let table = render(Output::Table, &records());
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("STATE"));
        // Each CJK character takes two columns: the counts line up.
        let column = |line: &str| unicode_width(line.split("12").next().unwrap());
        assert_eq!(
            column(lines[1]),
            unicode_width(lines[2].split('3').next().unwrap())
        );
    }

    fn unicode_width(text: &str) -> usize {
        text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
    }
}
