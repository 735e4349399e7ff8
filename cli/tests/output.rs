//! Colour is used only on a terminal, and never with `NO_COLOR` or
//! `--no-color` — for the tool's own output and for clap's help alike.
//!
//! A terminal is made with util-linux `script` (a pseudo-terminal); where it
//! is missing the terminal cases say they were not checked.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_polyaxon");
const ESC: char = '\u{1b}';

/// A kubeconfig pointing at a closed loopback port, so `version` answers
/// quickly without a cluster.
fn unreachable_kubeconfig() -> PathBuf {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(1);
    let dir = std::env::temp_dir().join(format!("polyaxon-output-{}", std::process::id()));
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: 'https://127.0.0.1:{port}'}}\n\
         users:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\n\
         current-context: c\n"
    );
    if let Err(error) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        panic!("cannot write {}: {error}", path.display());
    }
    path
}

/// Runs `polyaxon args…` on a pseudo-terminal with `env` set; `None` when
/// `script` is not installed.
fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    let line = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(|word| format!("'{word}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("COMPLETE");
    for (key, value) in env {
        command.env(key, value);
    }
    match command.output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => panic!("cannot run script: {error}"),
    }
}

fn piped(args: &[&str]) -> Output {
    let output = Command::new(BIN)
        .args(args)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("COMPLETE")
        .output();
    match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run {BIN}: {error}"),
    }
}

/// Whether the text holds a colour/weight escape (SGR: `ESC [ digits;… m`).
/// Other escapes (a progress line erasing itself) are not colour.
fn has_sgr(text: &str) -> bool {
    text.split(ESC).skip(1).any(|after| {
        let Some(rest) = after.strip_prefix('[') else {
            return false;
        };
        let params = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ';')
            .count();
        rest[params..].starts_with('m')
    })
}

fn coloured(output: &Output) -> bool {
    has_sgr(&String::from_utf8_lossy(&output.stdout))
        || has_sgr(&String::from_utf8_lossy(&output.stderr))
}

#[test]
fn colour_is_told_from_other_escapes() {
    assert!(has_sgr("a \u{1b}[1mbold\u{1b}[0m"));
    assert!(has_sgr("\u{1b}[38;5;10mgreen"));
    assert!(!has_sgr("spinner\u{1b}[2K\r\u{1b}[1A done"));
    assert!(!has_sgr("plain"));
}

#[test]
fn version_is_coloured_on_a_terminal_unless_told_not_to() {
    let config = unreachable_kubeconfig();
    let config = config.to_string_lossy();
    let args = ["--kubeconfig", &config, "version"];
    let Some(plain) = on_terminal(&args, &[]) else {
        eprintln!("`script` is not installed: colour on a terminal was NOT checked");
        return;
    };
    let screen = String::from_utf8_lossy(&plain.stdout);
    assert!(screen.contains("polyaxon "), "{screen}");
    assert!(coloured(&plain), "no colour on a terminal: {screen:?}");

    // NO_COLOR set to anything non-empty turns colour off; empty does not (no-color.org).
    for (env, want_colour) in [("1", false), ("yes", false), ("", true)] {
        let Some(output) = on_terminal(&args, &[("NO_COLOR", env)]) else {
            return;
        };
        assert_eq!(
            coloured(&output),
            want_colour,
            "NO_COLOR={env:?}: {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(output.status.code(), Some(0), "NO_COLOR={env:?}");
    }
    let no_color = ["--kubeconfig", &config, "--no-color", "version"];
    let Some(output) = on_terminal(&no_color, &[]) else {
        return;
    };
    assert!(!coloured(&output), "--no-color still coloured");
    let Some(output) = on_terminal(&args, &[("TERM", "dumb")]) else {
        return;
    };
    assert!(!coloured(&output), "TERM=dumb still coloured");
}

#[test]
fn nothing_is_coloured_when_piped() {
    let config = unreachable_kubeconfig();
    let output = piped(&["--kubeconfig", &config.to_string_lossy(), "version"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(!coloured(&output), "coloured while piped");
    let output = piped(&["--help"]);
    assert!(!coloured(&output), "help coloured while piped");
}

#[test]
fn help_follows_the_same_rules() {
    let Some(output) = on_terminal(&["--help"], &[]) else {
        eprintln!("`script` is not installed: colour of --help on a terminal was NOT checked");
        return;
    };
    assert!(coloured(&output), "--help not coloured on a terminal");
    let Some(output) = on_terminal(&["--no-color", "--help"], &[]) else {
        return;
    };
    assert!(!coloured(&output), "--no-color --help still coloured");
    let Some(output) = on_terminal(&["deploy", "--help", "--no-color"], &[]) else {
        return;
    };
    assert!(
        !coloured(&output),
        "deploy --help --no-color still coloured"
    );
    let Some(output) = on_terminal(&["--help"], &[("NO_COLOR", "1")]) else {
        return;
    };
    assert!(!coloured(&output), "NO_COLOR=1 --help still coloured");
}
