//! The README's "Try it locally" lines, run exactly as written: they build
//! the tool, start (or reuse) the test cluster, deploy the example agent and
//! ask its gateway through `polyaxon port-forward`, whose answer comes from
//! the kit's stand-in. The lines are read from README.md, so the README
//! cannot drift from what works.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use polyaxon_e2e::{kubeconfig, scratch_dir, workspace_root};

/// The heading of the section whose first `sh` block is the try-out.
const HEADING: &str = "## Try it locally";
/// A cold debug build of the CLI is the slow part on a loaded machine.
const TIMEOUT: Duration = Duration::from_secs(45 * 60);

/// The command lines of the first ```sh block under [`HEADING`].
fn try_it_lines(readme: &str) -> Result<Vec<String>> {
    let section = readme
        .split_once(HEADING)
        .with_context(|| format!("README.md has no {HEADING:?} section"))?
        .1;
    let block = section
        .split_once("```sh\n")
        .context("no ```sh block in the section")?
        .1
        .split_once("```")
        .context("the ```sh block does not end")?
        .0;
    Ok(block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect())
}

#[test]
fn the_try_it_block_is_at_most_two_commands() -> Result<()> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md"))?;
    let lines = try_it_lines(&readme)?;
    assert!(
        (1..=2).contains(&lines.len()),
        "expected one or two command lines, found {lines:#?}"
    );
    let last = lines.last().map(String::as_str).unwrap_or_default();
    assert!(
        last.contains("polyaxon port-forward -r agent") && last.contains("curl"),
        "the block must end asking the gateway through port-forward: {last}"
    );
    Ok(())
}

#[test]
#[ignore = "end-to-end: needs the test cluster, run tests/run"]
fn the_readme_try_it_lines_end_in_an_answer_through_port_forward() -> Result<()> {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let script = try_it_lines(&readme)?.join("\n");
    let home = scratch_dir("readme-home")?;

    // bash in a process group of its own, so the forward it leaves in the
    // background is stopped with it.
    let mut child = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(&root)
        .env("POLYAXON_HOME", &home)
        .env("NO_COLOR", "1")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .context("starting bash")?;
    let group = child.id();
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // Stop the background forward (and anything else left), then read.
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{group}")])
        .status();
    let _ = child.wait();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let teardown = teardown(&root);
    eprintln!("README lines took {:?}", started.elapsed());

    let shown = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    let Some(status) = status else {
        bail!("the README lines did not finish within {TIMEOUT:?}\n{shown}");
    };
    assert!(
        status.success(),
        "the README lines failed ({status})\n{shown}"
    );
    assert!(
        stderr.contains("release agent deployed"),
        "deploy did not say the release is deployed\n{shown}"
    );
    assert!(
        stdout.contains("Polyaxon will be available at: http://localhost:8000"),
        "{shown}"
    );
    assert!(
        stdout.contains("stand-in for the gateway, not Polyaxon")
            && stdout.contains("answered: GET /healthz HTTP/1.1"),
        "curl did not get the stand-in's answer through the forward\n{shown}"
    );
    teardown?;
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

/// Removes the release the lines deployed, with the binary they built.
fn teardown(root: &std::path::Path) -> Result<()> {
    let output = Command::new(root.join("target/debug/polyaxon"))
        .arg("--kubeconfig")
        .arg(kubeconfig())
        .args(["teardown", "-r", "agent", "-n", "polyaxon", "--yes"])
        .output()
        .context("running polyaxon teardown")?;
    if !output.status.success() {
        bail!(
            "teardown failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn collect<R: Read + Send + 'static>(source: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(mut source) = source {
            let _ = source.read_to_end(&mut text);
        }
        String::from_utf8_lossy(&text).into_owned()
    })
}
