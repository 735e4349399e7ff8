//! A stable-toolchain fuzz run of the config loader (YAML text, `--set`
//! pairs, flags) and the release record decoders (this tool's gzip of
//! JSON, helm's base64 of gzip of JSON), from the corpus in
//! `tests/fuzz/corpus/`. cargo-fuzz needs a nightly toolchain and a
//! sanitizer build this machine does not have; a seeded mutator over the
//! corpus finds the same class of faults and runs in the ordinary test
//! build.
//!
//! Every case must return (a panic is a failure), within a hang guard
//! (`--hang-seconds`, the process stops there), with typed, bounded errors
//! that never print a planted value; the peak resident memory of each
//! case (reset before it through `/proc/self/clear_refs`) must stay under
//! `--max-mib`. Failing inputs are saved under `target/fuzz-failures/`, with
//! the slowest (`slowest.bin`) and the most memory-hungry (`peak.bin`).
//!
//! `cargo run -p polyaxon-e2e --bin fuzz -- [--cases N] [--seconds S] [--seed X]`
//! stops at N cases or S seconds, whichever comes first, and prints one
//! `fuzz:` line with the counts (tests/run runs it as its own stage).

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the run's report is what it prints"
)]

mod cases;
mod mutate;
mod rng;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cases::Decoder;
use mutate::Planted;
use rng::Rng;

/// What a run is given.
struct Settings {
    cases: u64,
    seconds: u64,
    seed: u64,
    max_mib: u64,
    hang_seconds: u64,
}

/// What a run found.
#[derive(Default)]
struct Summary {
    loader_mutated: u64,
    loader_planted: u64,
    records: u64,
    failures: Vec<String>,
    peak_kib: u64,
    peak_case: String,
    slowest: Duration,
    slowest_case: String,
    elapsed: Duration,
}

fn main() {
    let settings = match parse_args(std::env::args().skip(1).collect()) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!(
                "{message}\nusage: fuzz [--cases N] [--seconds S] [--seed X] [--max-mib M] [--hang-seconds H]"
            );
            std::process::exit(2);
        }
    };
    let summary = run(&settings, &workspace().join("tests/fuzz/corpus"));
    for failure in summary.failures.iter().take(20) {
        eprintln!("fuzz: FAILED {failure}");
    }
    println!(
        "fuzz: {} cases (loader {} byte-mutated + {} with planted values, records {}), {} failed; peak RSS of one case {:.1} MiB ({}), limit {} MiB; slowest case {} ms ({}); seed {}; {:.0} s",
        summary.loader_mutated + summary.loader_planted + summary.records,
        summary.loader_mutated,
        summary.loader_planted,
        summary.records,
        summary.failures.len(),
        summary.peak_kib as f64 / 1024.0,
        summary.peak_case,
        settings.max_mib,
        summary.slowest.as_millis(),
        summary.slowest_case,
        settings.seed,
        summary.elapsed.as_secs_f64(),
    );
    if !summary.failures.is_empty() {
        std::process::exit(1);
    }
}

fn parse_args(args: Vec<String>) -> Result<Settings, String> {
    let mut settings = Settings {
        cases: 20_000,
        seconds: 60,
        seed: 1,
        max_mib: 100,
        hang_seconds: 10,
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse::<u64>()
            .map_err(|_| format!("{flag} takes a number"))?;
        match flag.as_str() {
            "--cases" => settings.cases = value,
            "--seconds" => settings.seconds = value,
            "--seed" => settings.seed = value,
            "--max-mib" => settings.max_mib = value,
            "--hang-seconds" => settings.hang_seconds = value,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(settings)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The corpus: config files, and records with the decoder they go to.
struct Corpus {
    configs: Vec<Vec<u8>>,
    records: Vec<(Decoder, Vec<u8>)>,
    /// The planted values of the generated records.
    record_planted: Planted,
}

fn read_dir(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            std::fs::read(entry.path()).ok().map(|bytes| (name, bytes))
        })
        .collect();
    files.sort();
    files
}

fn corpus(dir: &Path, rng: &mut Rng) -> Corpus {
    let configs: Vec<Vec<u8>> = read_dir(&dir.join("loader"))
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    let mut records = Vec::new();
    for (name, bytes) in read_dir(&dir.join("record")) {
        let decoder = if name.ends_with(".b64") {
            Decoder::Helm
        } else {
            Decoder::Ours
        };
        records.push((decoder, bytes));
    }
    // Real records of this tool: each loadable config rendered, with
    // planted values as its generated secrets and config.
    let mut record_planted = Planted::default();
    for text in configs.iter().filter_map(|b| std::str::from_utf8(b).ok()) {
        if let Some(json) = rendered_record(rng, text, &mut record_planted) {
            records.push((Decoder::Ours, cases::gzip(&json)));
        }
    }
    Corpus {
        configs,
        records,
        record_planted,
    }
}

/// The JSON of a release record of `config` (when it loads and renders),
/// its generated values replaced by planted ones.
fn rendered_record(rng: &mut Rng, config: &str, planted: &mut Planted) -> Option<Vec<u8>> {
    use polyaxon_core::release::{ReleaseRecord, ReleaseRef, RevisionContent, store_manifest};
    use polyaxon_core::render::{self, ReleaseState};
    let deployment =
        polyaxon_core::config::load_texts(&[("seed.yml", config)], &Default::default()).ok()?;
    let mut state = ReleaseState::placeholder(&deployment.release_name);
    state.secret_key = planted.value(rng);
    state.admin_password = planted.value(rng);
    state.postgres_password = planted.value(rng);
    let manifest = render::render(&deployment, &state).ok()?;
    let release = ReleaseRef::of(&deployment);
    let content = RevisionContent {
        chart: deployment.chart.to_string(),
        version: deployment.version.version.to_string(),
        config: serde_json::json!({"user": {"password": planted.value(rng)}}),
        state,
    };
    let mut record = ReleaseRecord::pending(&release, 1, content, "fuzz seed");
    record.manifest = store_manifest(&manifest);
    serde_json::to_vec(&record).ok()
}

/// The case running now, for the hang guard: its start (ms since the run
/// began, 0 between cases) and its name.
struct Current {
    started_ms: AtomicU64,
    name: Mutex<String>,
}

fn run(settings: &Settings, corpus_dir: &Path) -> Summary {
    let mut rng = Rng::new(settings.seed);
    let corpus = corpus(corpus_dir, &mut rng);
    let mut summary = Summary::default();
    if corpus.configs.is_empty() || corpus.records.is_empty() {
        summary
            .failures
            .push(format!("no corpus under {}", corpus_dir.display()));
        return summary;
    }
    let scratch = std::env::temp_dir().join(format!("polyaxon-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch);
    let case_file = scratch.join("config.yml");
    let failures_dir = workspace().join("target/fuzz-failures");

    let begun = Instant::now();
    let current = Arc::new(Current {
        started_ms: AtomicU64::new(0),
        name: Mutex::new(String::new()),
    });
    hang_guard(Arc::clone(&current), begun, settings.hang_seconds);
    let panic_message = quiet_panics();

    let mut case = 0u64;
    while case < settings.cases && begun.elapsed() < Duration::from_secs(settings.seconds) {
        case += 1;
        let mut planted = Planted::default();
        // Two loader cases for each record case: the loader has more ways in.
        let (name, input, outcome) = match case % 3 {
            0 => {
                let (decoder, seed) = rng.pick(&corpus.records).clone();
                let input = record_input(&mut rng, decoder, &seed, &corpus);
                let name = format!("record-{decoder:?}-{case}");
                summary.records += 1;
                let outcome = guarded(&current, begun, &name, &panic_message, || {
                    cases::record(decoder, &input, &corpus.record_planted)
                });
                (name, input, outcome)
            }
            _ => {
                let seed = rng.pick(&corpus.configs).clone();
                let other = rng.pick(&corpus.configs).clone();
                let planting = rng.one_in(2);
                let text = if planting {
                    std::str::from_utf8(&seed)
                        .ok()
                        .and_then(|t| mutate::plant(&mut rng, t, &mut planted))
                } else {
                    None
                };
                let input = match text {
                    Some(text) => {
                        summary.loader_planted += 1;
                        text.into_bytes()
                    }
                    None => {
                        summary.loader_mutated += 1;
                        mutate::bytes(&mut rng, &seed, &other, 1 << 20)
                    }
                };
                let set = mutate::set_pairs(&mut rng, &mut planted);
                let flags = (
                    rng.one_in(8).then(|| planted.value(&mut rng)),
                    rng.one_in(8).then(|| planted.value(&mut rng)),
                );
                let name = format!("loader-{case}");
                let outcome = guarded(&current, begun, &name, &panic_message, || {
                    cases::loader(&case_file, &input, set.clone(), flags.clone(), &planted)
                });
                let mut saved = input;
                if outcome.0.is_err() {
                    saved.extend(format!("\n# --set {set:?} flags {flags:?}\n").into_bytes());
                }
                (name, saved, outcome)
            }
        };
        let (result, took, peak_kib) = outcome;
        // The slowest and the most memory-hungry inputs are kept to look at.
        if took > summary.slowest {
            summary.slowest = took;
            summary.slowest_case.clone_from(&name);
            let _ = std::fs::create_dir_all(&failures_dir);
            let _ = std::fs::write(failures_dir.join("slowest.bin"), &input);
        }
        if peak_kib > summary.peak_kib {
            summary.peak_kib = peak_kib;
            summary.peak_case.clone_from(&name);
            let _ = std::fs::create_dir_all(&failures_dir);
            let _ = std::fs::write(failures_dir.join("peak.bin"), &input);
        }
        let result = result.and_then(|()| {
            if peak_kib > settings.max_mib * 1024 {
                Err(format!("peak RSS {} MiB", peak_kib / 1024))
            } else {
                Ok(())
            }
        });
        if let Err(why) = result {
            let _ = std::fs::create_dir_all(&failures_dir);
            let saved = failures_dir.join(format!("{name}.bin"));
            let _ = std::fs::write(&saved, &input);
            summary
                .failures
                .push(format!("{name}: {why} (input: {})", saved.display()));
        }
    }
    summary.elapsed = begun.elapsed();
    let _ = std::fs::remove_dir_all(&scratch);
    summary
}

/// A record case's input: the seed changed at one of its layers (JSON,
/// gzip, base64), then re-encoded for the decoder.
fn record_input(rng: &mut Rng, decoder: Decoder, seed: &[u8], corpus: &Corpus) -> Vec<u8> {
    let other = &rng.pick(&corpus.records).1.clone();
    let gz = match decoder {
        Decoder::Helm => cases::unbase64(seed),
        Decoder::Ours => seed.to_vec(),
    };
    let layer = rng.below(4);
    let gz = match layer {
        0 => {
            // The JSON inside, changed and gzipped again.
            let json = polyaxon_core::release::inflate::inflate(&gz, 8 << 20).unwrap_or_default();
            cases::gzip(&mutate::bytes(rng, &json, other, 8 << 20))
        }
        1 => mutate::bytes(rng, &gz, other, 2 << 20),
        _ => gz,
    };
    match decoder {
        Decoder::Helm if layer == 3 => mutate::bytes(rng, &cases::base64(&gz), other, 4 << 20),
        Decoder::Helm => cases::base64(&gz),
        Decoder::Ours => gz,
    }
}

/// Runs one case: its result (a panic is a failure), its time and the
/// peak resident memory while it ran (KiB).
fn guarded(
    current: &Current,
    begun: Instant,
    name: &str,
    panic_message: &Mutex<String>,
    case: impl FnOnce() -> Result<(), String>,
) -> (Result<(), String>, Duration, u64) {
    if let Ok(mut n) = current.name.lock() {
        n.clear();
        n.push_str(name);
    }
    reset_peak();
    let start = Instant::now();
    current
        .started_ms
        .store(begun.elapsed().as_millis() as u64 + 1, Ordering::SeqCst);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(case));
    current.started_ms.store(0, Ordering::SeqCst);
    let took = start.elapsed();
    let result = outcome.unwrap_or_else(|_| {
        let message = panic_message.lock().map(|m| m.clone()).unwrap_or_default();
        Err(format!("panicked: {message}"))
    });
    (result, took, peak_kib())
}

/// Panics are caught and reported as failures, without the default
/// message on stderr for each.
fn quiet_panics() -> Arc<Mutex<String>> {
    let message = Arc::new(Mutex::new(String::new()));
    let kept = Arc::clone(&message);
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut m) = kept.lock() {
            *m = info.to_string();
        }
    }));
    message
}

/// Stops the process when one case runs longer than `seconds`: a hang is a
/// failure that no later case could report.
fn hang_guard(current: Arc<Current>, begun: Instant, seconds: u64) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let started = current.started_ms.load(Ordering::SeqCst);
            if started == 0 {
                continue;
            }
            let now = begun.elapsed().as_millis() as u64 + 1;
            if now.saturating_sub(started) > seconds * 1000 {
                let name = current.name.lock().map(|n| n.clone()).unwrap_or_default();
                eprintln!("fuzz: FAILED {name}: still running after {seconds} s");
                println!("fuzz: stopped by a hang in {name}; 1 failed");
                std::process::exit(1);
            }
        }
    });
}

/// Resets the process's peak RSS (`VmHWM`) so that the next reading is one
/// case's (Linux `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory since the last reset, in KiB (0 when unknown).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short run from a fixed seed: the properties hold for every case.
    #[test]
    fn a_short_seeded_run_keeps_every_property() {
        let settings = Settings {
            cases: 300,
            seconds: 600,
            seed: 7,
            max_mib: 100,
            hang_seconds: 60,
        };
        let summary = run(&settings, &workspace().join("tests/fuzz/corpus"));
        assert!(summary.failures.is_empty(), "{:#?}", summary.failures);
        assert_eq!(
            summary.loader_mutated + summary.loader_planted + summary.records,
            300
        );
        assert!(summary.loader_planted > 50 && summary.records > 50);
    }
}
