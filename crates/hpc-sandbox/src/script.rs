//! The simulated shell SCNet jobs run: enough of `sh` for a test to know what a job
//! prints and how it ends, with no process ever started.
//!
//! A command is split on `;`, `&&` and newlines outside quotes. Of each segment, `echo
//! ARGS...` prints its arguments joined by one space, `seq N` (or `seq FIRST LAST`) the
//! numbers one per line, `sleep N` takes N seconds, and `false` or `exit K` ends the job
//! (K ≠ 0 failed, with `exit status K` on stderr). Anything else does nothing, so a real
//! script's `cd` or `module load` is harmless.

use std::io::{self, Write};
use std::time::Duration;

/// The most numbers one `seq` prints: bounds the output a test can ask for.
pub(crate) const MAX_SEQ: u64 = 1_000_000;

/// The most lines one job prints, whatever its command: a body full of `seq 1000000`
/// must not fill the disk.
pub(crate) const MAX_LINES: u64 = 10 * MAX_SEQ;

/// One segment of a command, as the simulation runs it.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Print this line (without its newline).
    Echo(String),
    /// Print `first..=last`, one per line.
    Seq(u64, u64),
    Sleep(Duration),
    /// End the job with this code.
    Exit(i64),
}

/// A parsed command.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Script {
    steps: Vec<Step>,
}

impl Script {
    pub(crate) fn parse(command: &str) -> Self {
        let steps = segments(command)
            .into_iter()
            .filter_map(|words| step(&words))
            .collect();
        Self { steps }
    }

    /// The steps up to the one that ends the job.
    fn effective(&self) -> &[Step] {
        let end = self
            .steps
            .iter()
            .position(|step| matches!(step, Step::Exit(_)))
            .map_or(self.steps.len(), |at| at + 1);
        &self.steps[..end]
    }

    /// How long the job runs: its sleeps, up to where it ends.
    pub(crate) fn run_time(&self) -> Duration {
        self.effective()
            .iter()
            .map(|step| match step {
                Step::Sleep(d) => *d,
                _ => Duration::ZERO,
            })
            .fold(Duration::ZERO, Duration::saturating_add)
    }

    /// The code the job ends with: the first `exit`'s, else 0.
    pub(crate) fn exit_code(&self) -> i64 {
        match self.effective().last() {
            Some(Step::Exit(code)) => *code,
            _ => 0,
        }
    }

    /// Writes what the job prints when it runs for `ran` (scaled time into its run;
    /// `None` for the whole run): a sleep not over by then cuts the output there.
    pub(crate) fn write_output(
        &self,
        ran: Option<Duration>,
        stdout: &mut impl Write,
        stderr: &mut impl Write,
    ) -> io::Result<()> {
        let mut clock = Duration::ZERO;
        let mut left = MAX_LINES;
        for step in self.effective() {
            match step {
                Step::Echo(_) | Step::Seq(..) if left == 0 => {}
                Step::Echo(line) => {
                    writeln!(stdout, "{line}")?;
                    left -= 1;
                }
                Step::Seq(first, last) => {
                    let last = (*last).min(first.saturating_add(left - 1));
                    for n in *first..=last {
                        writeln!(stdout, "{n}")?;
                    }
                    left -= last - first + 1;
                }
                Step::Sleep(d) => {
                    clock = clock.saturating_add(*d);
                    if ran.is_some_and(|ran| clock > ran) {
                        return Ok(());
                    }
                }
                Step::Exit(0) => {}
                Step::Exit(code) => writeln!(stderr, "exit status {code}")?,
            }
        }
        Ok(())
    }
}

/// The segments of a command, each as its words with one level of matching outer
/// quotes stripped.
fn segments(command: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command.chars().peekable();
    fn end_word(word: &mut String, in_word: &mut bool, words: &mut Vec<String>) {
        if *in_word {
            words.push(unquote(word));
            word.clear();
            *in_word = false;
        }
    }
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            word.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        let separator = match c {
            ';' | '\n' => true,
            '&' if chars.peek() == Some(&'&') => {
                chars.next();
                true
            }
            _ => false,
        };
        if separator {
            end_word(&mut word, &mut in_word, &mut words);
            segments.push(std::mem::take(&mut words));
        } else if c.is_whitespace() {
            end_word(&mut word, &mut in_word, &mut words);
        } else {
            if c == '\'' || c == '"' {
                quote = Some(c);
            }
            word.push(c);
            in_word = true;
        }
    }
    end_word(&mut word, &mut in_word, &mut words);
    segments.push(words);
    segments.retain(|words| !words.is_empty());
    segments
}

fn unquote(word: &str) -> String {
    let mut chars = word.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), Some(last)) if first == last && (first == '\'' || first == '"') => {
            chars.as_str().to_owned()
        }
        _ => word.to_owned(),
    }
}

fn step(words: &[String]) -> Option<Step> {
    let (command, args) = words.split_first()?;
    let number = |text: &String| text.parse::<u64>().ok();
    match command.as_str() {
        "echo" => Some(Step::Echo(args.join(" "))),
        "seq" => {
            let (first, last) = match args {
                [last] => (1, number(last)?),
                [first, last] => (number(first)?, number(last)?),
                _ => return None,
            };
            let last = last.min(first.saturating_add(MAX_SEQ - 1));
            (first <= last).then_some(Step::Seq(first, last))
        }
        "sleep" => args
            .first()?
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| Step::Sleep(Duration::from_secs_f64(n.min(1e9)))),
        "false" => Some(Step::Exit(1)),
        // As sh does: a code is taken modulo 256, and one that is no number gives 2.
        "exit" => Some(Step::Exit(args.first().map_or(0, |code| {
            code.parse::<i64>().map_or(2, |code| code.rem_euclid(256))
        }))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(command: &str, ran: Option<Duration>) -> (String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        Script::parse(command)
            .write_output(ran, &mut out, &mut err)
            .unwrap();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn echo_joins_its_arguments_and_strips_one_level_of_quotes() {
        assert_eq!(run("echo hello", None).0, "hello\n");
        assert_eq!(run("echo  'a  b'   \"c\" d", None).0, "a  b c d\n");
        assert_eq!(run("echo \"'x'\"", None).0, "'x'\n");
        assert_eq!(run("echo 'a;b' && echo c\necho", None).0, "a;b\nc\n\n");
    }

    #[test]
    fn seq_sleep_and_the_ways_a_job_ends() {
        assert_eq!(run("seq 3", None).0, "1\n2\n3\n");
        assert_eq!(run("seq 2 3; seq 0; seq x", None).0, "2\n3\n");
        let script = Script::parse("sleep 2; echo a; sleep 0.5; exit 3; sleep 9; echo b");
        assert_eq!(script.run_time(), Duration::from_millis(2500));
        assert_eq!(script.exit_code(), 3);
        assert_eq!(
            run("echo a; exit 3; echo b", None),
            ("a\n".into(), "exit status 3\n".into())
        );
        assert_eq!(run("false", None).1, "exit status 1\n");
        assert_eq!(Script::parse("exit 0").exit_code(), 0);
        assert_eq!(Script::parse("exit 257").exit_code(), 1);
        assert_eq!(Script::parse("cd /x && ./run.sh").exit_code(), 0);
    }

    #[test]
    fn a_cut_run_prints_only_what_came_before_the_cut() {
        let command = "echo a; sleep 10; echo b; false";
        assert_eq!(
            run(command, Some(Duration::from_secs(5))),
            ("a\n".into(), String::new())
        );
        assert_eq!(
            run(command, Some(Duration::from_secs(10))),
            ("a\nb\n".into(), "exit status 1\n".into())
        );
    }

    /// Counts the lines written and keeps the tail, so that 10 million lines cost no
    /// memory.
    #[derive(Default)]
    struct Tail {
        lines: u64,
        tail: Vec<u8>,
    }

    impl Write for Tail {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
            self.tail.extend_from_slice(buf);
            let cut = self.tail.len().saturating_sub(16);
            self.tail.drain(..cut);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_job_prints_at_most_max_lines() {
        let command = "seq 1000000;".repeat(11) + "echo end";
        let mut out = Tail::default();
        Script::parse(&command)
            .write_output(None, &mut out, &mut io::sink())
            .unwrap();
        assert_eq!(out.lines, MAX_LINES);
        assert!(out.tail.ends_with(b"\n1000000\n"));
    }

    #[test]
    fn seq_is_capped() {
        let Step::Seq(first, last) = step(&["seq".into(), "5000000".into()]).unwrap() else {
            panic!("a seq step");
        };
        assert_eq!(last - first + 1, MAX_SEQ);
    }
}
