//! Every `hpc` line of `docs/guide.md`'s shell blocks runs, against the embedded sandbox,
//! and exits 0: the guide cannot show a command or flag the CLI
//! lost. (The guide's other blocks are checked by `hpc-tests`.)

use std::process::Command;

/// The `hpc ...` lines of the guide's `sh` blocks.
fn hpc_lines() -> Vec<String> {
    hpc_tests::guide_blocks()
        .into_iter()
        .filter(|(language, _)| language == "sh")
        .flat_map(|(_, body)| body.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|line| line.starts_with("hpc "))
        .collect()
}

#[test]
fn every_hpc_line_of_the_guide_runs() {
    let lines = hpc_lines();
    assert!(lines.len() >= 8, "{lines:?}");
    let work = tempfile::tempdir().unwrap();
    // What the guide's `put` sends.
    std::fs::write(work.path().join("input.dat"), vec![1u8; 4096]).unwrap();
    for line in lines {
        assert!(
            !line.contains(['"', '\'', '|', '>', '<', '$', '`', '#']),
            "a guide line must be a plain command: {line}"
        );
        let args: Vec<&str> = line.split_whitespace().skip(1).collect();
        assert!(
            args.first() == Some(&"--sandbox") || args.first() == Some(&"completions"),
            "a guide line must run offline: {line}"
        );
        let output = Command::new(env!("CARGO_BIN_EXE_hpc"))
            .args(&args)
            .current_dir(work.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{line}` exited {:?}: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
