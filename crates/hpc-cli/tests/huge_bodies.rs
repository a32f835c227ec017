//! The `hpc` binary against servers whose answers never end or are far larger than
//! they look: an endless chunked body, a gzip bomb, a `Content-Length` of 2 GiB. Each
//! call fails with one line naming the limit, and the child's peak memory, as the
//! kernel measured it, stays within a small margin of a normal listing's.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

/// What the fake server sends after the status line.
#[derive(Clone, Copy)]
enum Answer {
    /// A small, valid listing: the baseline.
    Small,
    /// `Transfer-Encoding: chunked`, and chunks for as long as the client reads.
    Endless,
    /// 256 MiB of JSON white space in a quarter of a megabyte of gzip.
    GzipBomb,
    /// A `Content-Length` of 2 GiB, then white space for as long as the client reads.
    Claimed2GiB,
}

/// A server on loopback answering every connection with `answer`.
fn serve(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = respond(stream, answer);
            });
        }
    });
    format!("http://{address}")
}

fn respond(mut stream: TcpStream, answer: Answer) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
    let spaces = vec![b' '; 64 * 1024];
    match answer {
        Answer::Small => {
            let body =
                r#"{"ret_code":0,"total_count":1,"hpc_job_set":[{"job_id":1,"job_name":"a"}]}"#;
            write!(stream, "{head}Content-Length: {}\r\n\r\n{body}", body.len())?;
        }
        Answer::Endless => {
            write!(stream, "{head}Transfer-Encoding: chunked\r\n\r\n")?;
            loop {
                write!(stream, "{:x}\r\n", spaces.len())?;
                stream.write_all(&spaces)?;
                stream.write_all(b"\r\n")?;
            }
        }
        Answer::GzipBomb => {
            let bomb = gzip_bomb();
            write!(
                stream,
                "{head}Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                bomb.len()
            )?;
            stream.write_all(bomb)?;
        }
        Answer::Claimed2GiB => {
            write!(stream, "{head}Content-Length: {}\r\n\r\n", 2u64 << 30)?;
            loop {
                stream.write_all(&spaces)?;
            }
        }
    }
    Ok(())
}

/// One gzip member (the decoder refuses bytes after the first) inflating to 256 MiB.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        let spaces = vec![b' '; 1 << 20];
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for _ in 0..256 {
            encoder.write_all(&spaces).unwrap();
        }
        encoder.finish().unwrap()
    })
}

/// Runs `hpc ehpc jobs list` against `endpoint`: exit code, stderr, peak RSS in KiB.
// The child is reaped by `wait4`, which `Child::wait` cannot do (it drops the usage).
#[allow(clippy::zombie_processes)]
fn list_jobs(endpoint: &str) -> (Option<i32>, String, i64) {
    let home = tempfile::tempdir().unwrap();
    let stderr_file = home.path().join("stderr");
    let child = Command::cargo_bin("hpc")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("EHPC_ENDPOINT", endpoint)
        .env("EHPC_ZONE", "jinan1a")
        .env("QY_ACCESS_KEY_ID", "QYACCESSKEYIDEXAMPLE")
        .env("QY_SECRET_ACCESS_KEY", "SECRET")
        .args([
            "--deadline",
            "60",
            "ehpc",
            "jobs",
            "list",
            "--cluster-id",
            "c",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_file).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet waited for; the pointers are live.
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(waited, child.id() as i32, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let stderr = std::fs::read_to_string(stderr_file).unwrap();
    (code, stderr, usage.ru_maxrss)
}

/// The SDK's default bound, in KiB, plus what reading and decoding around it may cost.
const MARGIN_KIB: i64 = 3 * 16 * 1024;

#[test]
fn huge_and_endless_answers_fail_with_one_line_and_flat_memory() {
    let (code, stderr, baseline) = list_jobs(&serve(Answer::Small));
    assert_eq!(code, Some(0), "{stderr}");
    for (name, answer) in [
        ("endless chunked", Answer::Endless),
        ("gzip bomb", Answer::GzipBomb),
        ("2 GiB Content-Length", Answer::Claimed2GiB),
    ] {
        let (code, stderr, peak) = list_jobs(&serve(answer));
        eprintln!("{name}: peak RSS {peak} KiB, {baseline} KiB for a small answer");
        assert_eq!(code, Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(
            stderr.starts_with("error: the answer is larger than the limit of 16777216 bytes"),
            "{name}: {stderr}"
        );
        assert!(
            peak < baseline + MARGIN_KIB,
            "{name}: peak RSS {peak} KiB against {baseline} KiB for a small answer"
        );
    }
}
