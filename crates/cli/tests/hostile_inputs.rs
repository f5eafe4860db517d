//! Every hostile input (tests/hostile/corpus.rs) through `analyze` in both modes, `tone` and
//! `synth`: no panic (exit code 101) or signal, a bounded time, bounded memory, and either one
//! clear sentence or an answer; blank and non-skin images get retake advice, never a diagnosis.

#[path = "hostile/corpus.rs"]
mod corpus;

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus::Expect;

/// Longest any one command may take (a CI machine under load included).
const TIME_LIMIT: Duration = Duration::from_secs(120);
/// Most memory any one command may hold (resident set), in KiB.
const MEMORY_LIMIT_KIB: i64 = 1536 * 1024;

/// How one command ended.
struct Ended {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

/// Runs `dermtone args`, killing it at [`TIME_LIMIT`].
fn run(args: &[&str]) -> Ended {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dermtone"))
        .args(args)
        .current_dir(common::repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dermtone");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let readers = (
        std::thread::spawn(move || std::io::read_to_string(&mut out).unwrap_or_default()),
        std::thread::spawn(move || std::io::read_to_string(&mut err).unwrap_or_default()),
    );
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("dermtone {args:?} ran past {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ended {
        code: status.code(),
        stdout: readers.0.join().unwrap(),
        stderr: readers.1.join().unwrap(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The largest resident set of any finished child so far, in KiB.
fn children_peak_kib() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

/// "refused", "retake" or "result": what a person would see.
fn outcome(ended: &Ended, command: &str, case: &str) -> &'static str {
    match ended.code {
        Some(1) => {
            let lines: Vec<&str> = ended.stderr.lines().collect();
            assert_eq!(
                lines.len(),
                1,
                "{case} {command}: one line expected: {}",
                ended.stderr
            );
            let line = lines[0];
            assert!(
                line.starts_with("dermtone: ") && line.len() < 400,
                "{case} {command}: {line}"
            );
            assert!(!line.contains("panicked"), "{case} {command}: {line}");
            "refused"
        }
        Some(0) if command.starts_with("analyze") => {
            let json: serde_json::Value = serde_json::from_str(&ended.stdout)
                .unwrap_or_else(|e| panic!("{case} {command}: not JSON ({e}): {}", ended.stdout));
            let ok = json["quality"]["ok"].as_bool().unwrap();
            let classes = json["classes"].as_array().unwrap();
            if ok {
                assert!(
                    !classes.is_empty(),
                    "{case} {command}: a good photo without classes"
                );
                "result"
            } else {
                assert!(
                    classes.is_empty(),
                    "{case} {command}: retake advice with a diagnosis"
                );
                assert!(
                    json["triage"].is_null() && json["malignancy"].is_null(),
                    "{case}"
                );
                "retake"
            }
        }
        Some(0) => "result",
        other => panic!(
            "{case} {command}: exit {other:?} (101 is a panic, none a signal): {}",
            ended.stderr
        ),
    }
}

/// The part of a refusal that differs between cases: the words in its last parentheses, or
/// what follows its last colon.
fn reason(stderr: &str) -> String {
    let line = stderr.trim();
    match (line.rfind('('), line.rfind(')')) {
        (Some(open), Some(close)) if open < close => line[open + 1..close].to_string(),
        _ => line.rsplit(": ").next().unwrap_or(line).to_string(),
    }
}

#[test]
fn every_hostile_input_is_refused_clearly_or_answered_safely() {
    let dir = common::scratch("hostile");
    let cases = corpus::write_all(&dir).unwrap();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());
    let out = dir.join("rendered.png");
    let out = out.to_str().unwrap();
    let mut table = String::from(
        "| case | analyze photo | analyze dermoscopy | tone | synth | slowest s | peak MiB of any run so far |\n|---|---|---|---|---|---:|---:|\n",
    );
    for case in &cases {
        let path = dir.join(case.name);
        let path = path.to_str().unwrap();
        let commands: [(&str, Vec<&str>); 4] = [
            (
                "analyze photo",
                vec!["analyze", "--json", "--mode", "photo", path],
            ),
            (
                "analyze dermoscopy",
                vec!["analyze", "--json", "--mode", "dermoscopy", path],
            ),
            ("tone", vec!["tone", "--json", "--mode", "photo", path]),
            ("synth", vec!["synth", "--tone", "5", "-o", out, path]),
        ];
        let mut row = format!("| {} |", case.name);
        let mut slowest = 0f64;
        for (command, args) in &commands {
            let ended = run(args);
            slowest = slowest.max(ended.seconds);
            let seen = outcome(&ended, command, case.name);
            let fine = match case.expect {
                Expect::Refused => seen == "refused",
                Expect::Retake => seen == "retake" || !command.starts_with("analyze"),
                Expect::Analysed => seen != "refused",
                Expect::RefusedOrRead => true,
            };
            assert!(
                fine,
                "{} {command}: expected {:?}, got {seen}: {}{}",
                case.name, case.expect, ended.stdout, ended.stderr
            );
            if seen == "refused" {
                row.push_str(&format!(" refused ({}) |", reason(&ended.stderr)));
            } else {
                row.push_str(&format!(" {seen} |"));
            }
        }
        let peak = children_peak_kib();
        assert!(
            peak < MEMORY_LIMIT_KIB,
            "{}: a command held {peak} KiB",
            case.name
        );
        row.push_str(&format!(" {slowest:.1} | {} |\n", peak / 1024));
        table.push_str(&row);
    }
    eprintln!("{table}");
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}
