//! `POST /hpc/openapi/v2/file/content`: a page of a cluster file, read streamed so that
//! a large file costs only the page it answers.

use std::io::{self, BufRead, BufReader, Read, Seek};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use scnet_client::types::{FileContentPage, FileContentResponse};
use serde_json::json;

use super::envelope::{SUCCESS, codes, fail, ok_code, scnet_json};
use super::outputs::settle;
use super::region_claims;
use super::view::{form_params, required};
use crate::state::Shared;

/// The largest form read; four short fields.
const BODY_LIMIT: usize = 64 << 10;

/// One page of a file, and the file's totals.
#[derive(Debug, PartialEq, Eq)]
struct Page {
    text: String,
    lines: u64,
    pages: u64,
}

/// Skips `n` lines (each up to and including its `\n`) without keeping them.
fn skip_lines(reader: &mut impl BufRead, mut n: u64) -> io::Result<()> {
    while n > 0 {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => {
                reader.consume(at + 1);
                n -= 1;
            }
            None => {
                let len = buffer.len();
                reader.consume(len);
            }
        }
    }
    Ok(())
}

/// The lines of a file: its newlines, plus one for a last line without one.
fn count_lines(reader: &mut impl BufRead) -> io::Result<u64> {
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let buffer = reader.fill_buf()?;
        let Some(&end) = buffer.last() else {
            break;
        };
        lines += buffer.iter().filter(|&&b| b == b'\n').count() as u64;
        last = end;
        let len = buffer.len();
        reader.consume(len);
    }
    Ok(lines + u64::from(last != b'\n'))
}

/// Page `page` (from 1) of `per_page` lines: from the start (`down`) or the end. Two
/// passes: one counts, the other keeps only the page. Each line keeps its own `\n`, so
/// the page ends with one exactly when the file has one there.
fn read_page<F: Read + Seek>(file: F, page: u64, per_page: u64, down: bool) -> io::Result<Page> {
    let mut reader = BufReader::new(file);
    let lines = count_lines(&mut reader)?;
    let pages = lines.div_ceil(per_page);
    let skipped = (page - 1).saturating_mul(per_page);
    let (from, to) = if down {
        (skipped, skipped.saturating_add(per_page).min(lines))
    } else {
        let to = lines.saturating_sub(skipped);
        (to.saturating_sub(per_page), to)
    };
    let mut text = Vec::new();
    if from < to {
        reader.rewind()?;
        skip_lines(&mut reader, from)?;
        for _ in from..to {
            reader.read_until(b'\n', &mut text)?;
        }
    }
    Ok(Page {
        text: String::from_utf8_lossy(&text).into_owned(),
        lines,
        pages,
    })
}

/// The answer: `hostName`, `dirPath`, `triggerNum` and `rollDirection` are all needed
/// (`hostName` may be empty); a missing file is `911020`.
pub(crate) async fn read(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if let Err(error) = region_claims(&shared, request.headers(), codes::DENIED) {
        return fail(error);
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), BODY_LIMIT).await else {
        return fail(codes::INVALID);
    };
    let checked = form_params(&body).and_then(|params| {
        if !params.contains_key("hostName") {
            return Err(codes::MISSING);
        }
        let path = required(&params, "dirPath")?.to_owned();
        let page = required(&params, "triggerNum")?
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or(codes::INVALID)?;
        let down = match required(&params, "rollDirection")? {
            "DOWN" => true,
            "UP" => false,
            _ => return Err(codes::INVALID),
        };
        shared.files.host_path(&path).map_err(|_| codes::INVALID)?;
        Ok((path, page, down))
    });
    let (path, page, down) = match checked {
        Ok(checked) => checked,
        Err(error) => return fail(error),
    };
    if shared.files.is_dir(&path) {
        return fail(codes::INVALID);
    }
    settle(&shared);
    let page = shared
        .files
        .open(&path)
        .and_then(|file| read_page(file, page, shared.scnet.page_lines, down));
    let page = match page {
        Ok(page) => page,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return fail(codes::NO_FILE),
        Err(_) => return fail(codes::INTERNAL),
    };
    scnet_json(&FileContentResponse {
        code: ok_code(),
        data: Some(FileContentPage {
            data: Some(page.text),
            all_line_total: Some(json!(page.lines)),
            total_trigger_times: Some(json!(page.pages)),
        }),
        message: None,
        msg: Some(SUCCESS.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn page(text: &str, page: u64, per_page: u64, down: bool) -> Page {
        read_page(Cursor::new(text.as_bytes().to_vec()), page, per_page, down).unwrap()
    }

    #[test]
    fn pages_from_either_end() {
        let file = "1\n2\n3\n4\n5\n";
        assert_eq!(page(file, 1, 2, true).text, "1\n2\n");
        assert_eq!(page(file, 3, 2, true).text, "5\n");
        assert_eq!(page(file, 1, 2, false).text, "4\n5\n");
        assert_eq!(page(file, 3, 2, false).text, "1\n");
        let past = page(file, 4, 2, true);
        assert_eq!((past.text.as_str(), past.lines, past.pages), ("", 5, 3));
        assert_eq!(page(file, 9, 2, false).text, "");
    }

    #[test]
    fn a_last_line_without_newline_counts_and_stays_bare() {
        let file = page("a\nb", 1, 10, true);
        assert_eq!((file.text.as_str(), file.lines, file.pages), ("a\nb", 2, 1));
        let empty = page("", 1, 10, true);
        assert_eq!((empty.text.as_str(), empty.lines, empty.pages), ("", 0, 0));
        assert_eq!(page("\n", 1, 10, true).lines, 1);
    }
}
