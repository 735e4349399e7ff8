//! The generated files in the repository are current, and the completion
//! scripts work in their shells.
//!
//! `completions/` is what `polyaxon completion <shell>` prints; `man/` is what
//! `cargo run -p polyaxon-cli --example mangen` writes. When a test here says
//! one is stale, regenerate both with
//!
//! ```text
//! UPDATE_GENERATED=1 cargo test -p polyaxon-cli --test generated
//! ```
//!
//! bash is always checked; zsh and fish only when installed (the test says
//! on stderr when it did not check them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_polyaxon");

/// Each shell, and the file its script is kept in under `completions/`.
const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "polyaxon.bash"),
    ("zsh", "_polyaxon"),
    ("fish", "polyaxon.fish"),
    ("powershell", "_polyaxon.ps1"),
    ("elvish", "polyaxon.elv"),
];

const REGENERATE: &str = "UPDATE_GENERATED=1 cargo test -p polyaxon-cli --test generated";

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Whether this run should rewrite the files instead of checking them.
fn updating() -> bool {
    ["UPDATE_GENERATED", "UPDATE_COMPLETIONS"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0"))
}

fn polyaxon(args: &[&str]) -> Output {
    let output = Command::new(BIN).args(args).env_remove("COMPLETE").output();
    match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run {BIN}: {error}"),
    }
}

fn script(shell: &str) -> Vec<u8> {
    let output = polyaxon(&["completion", shell]);
    assert!(
        output.status.success(),
        "polyaxon completion {shell} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polyaxon-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {error}", dir.display());
    }
    dir
}

fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "1"))
        .filter_map(|entry| {
            let bytes = std::fs::read(entry.path()).ok()?;
            Some((entry.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect()
}

#[test]
fn completion_scripts_in_the_repository_are_current() {
    let dir = workspace_root().join("completions");
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let path = dir.join(file);
        let fresh = script(shell);
        if updating() {
            if let Err(error) =
                std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &fresh))
            {
                panic!("cannot write {}: {error}", path.display());
            }
            continue;
        }
        if std::fs::read(&path).ok().as_deref() != Some(&fresh[..]) {
            stale.push(format!("completions/{file}"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale or missing: {}; regenerate with `{REGENERATE}`",
        stale.join(", ")
    );
}

#[test]
fn man_pages_in_the_repository_are_current() {
    let dir = workspace_root().join("man");
    let fresh_dir = tmp_dir("man");
    if let Err(error) = clap_mangen::generate_to(polyaxon_cli::args::command(), &fresh_dir) {
        panic!("cannot generate the man pages: {error}");
    }
    let fresh = read_dir(&fresh_dir);
    let _ = std::fs::remove_dir_all(&fresh_dir);
    assert!(fresh.contains_key("polyaxon.1") && fresh.contains_key("polyaxon-admin-deploy.1"));
    if updating() {
        for name in read_dir(&dir)
            .keys()
            .filter(|name| !fresh.contains_key(*name))
        {
            let _ = std::fs::remove_file(dir.join(name));
        }
        for (name, bytes) in &fresh {
            let path = dir.join(name);
            if let Err(error) =
                std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, bytes))
            {
                panic!("cannot write {}: {error}", path.display());
            }
        }
        return;
    }
    let kept = read_dir(&dir);
    let differing: Vec<&String> = fresh
        .keys()
        .chain(kept.keys())
        .filter(|name| fresh.get(*name) != kept.get(*name))
        .collect();
    assert!(
        differing.is_empty(),
        "man/ is stale ({differing:?} differ, are missing or are extra); regenerate with `{REGENERATE}` \
         or `cargo run -p polyaxon-cli --example mangen`"
    );
}

fn run_shell(program: &str, args: &[&str]) -> Option<Output> {
    match Command::new(program)
        .args(args)
        .env_remove("COMPLETE")
        .output()
    {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => panic!("cannot run {program}: {error}"),
    }
}

fn write_tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let path = tmp_dir(name).join(name);
    if let Err(error) = std::fs::write(&path, bytes) {
        panic!("cannot write {}: {error}", path.display());
    }
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Completes `line` in bash with the script at `path`: sources it, sets the
/// words as bash would for <TAB> at the end of the line, and prints COMPREPLY.
fn bash_complete(path: &Path, function: &str, line: &str) -> Vec<String> {
    let program = format!(
        "source {path}\n\
         COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n\
         read -r -a COMP_WORDS <<< \"$COMP_LINE\"\n\
         [[ \"$COMP_LINE\" == *' ' ]] && COMP_WORDS+=('')\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         {function} polyaxon \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path = path.display()
    );
    let Some(output) = run_shell("bash", &["--norc", "--noprofile", "-c", &program]) else {
        panic!("bash is not installed");
    };
    assert!(output.status.success(), "bash failed: {}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_parses_the_scripts_and_completes_commands_and_flags() {
    let path = write_tmp("polyaxon.bash", &script("bash"));
    let Some(output) = run_shell("bash", &["-n", &path.to_string_lossy()]) else {
        panic!("bash is not installed");
    };
    assert!(output.status.success(), "bash -n: {}", stderr(&output));

    let commands = bash_complete(&path, "_polyaxon", "polyaxon po");
    assert_eq!(commands, ["port-forward"]);
    let flags = bash_complete(&path, "_polyaxon", "polyaxon admin deploy --dr");
    assert_eq!(flags, ["--dry-run"]);
    let formats = bash_complete(&path, "_polyaxon", "polyaxon version -o ");
    assert_eq!(formats, ["text", "yaml", "json"]);
}

#[test]
fn bash_parses_the_dynamic_script_and_it_completes_through_the_binary() {
    let script = dynamic_script("bash");
    assert!(
        String::from_utf8_lossy(&script).contains(BIN),
        "the dynamic script should call the binary it came from"
    );
    let path = write_tmp("polyaxon-dynamic.bash", &script);
    let Some(check) = run_shell("bash", &["-n", &path.to_string_lossy()]) else {
        panic!("bash is not installed");
    };
    assert!(check.status.success(), "bash -n: {}", stderr(&check));

    let commands = bash_complete(&path, "_clap_complete_polyaxon", "polyaxon up");
    assert_eq!(commands, ["upgrade"]);
    // `-r` asks the cluster; with none configured it must offer nothing, and quickly.
    let started = std::time::Instant::now();
    let releases = bash_complete(
        &path,
        "_clap_complete_polyaxon",
        "polyaxon --kubeconfig /nonexistent/kubeconfig status -r ",
    );
    assert!(releases.is_empty(), "{releases:?}");
    assert!(
        started.elapsed().as_secs() < 5,
        "took {:?}",
        started.elapsed()
    );
}

fn dynamic_script(shell: &str) -> Vec<u8> {
    let output = polyaxon(&["completion", shell, "--dynamic"]);
    assert!(output.status.success(), "{}", stderr(&output));
    output.stdout
}

#[test]
fn zsh_parses_both_scripts_where_installed() {
    for (name, bytes) in [
        ("_polyaxon", script("zsh")),
        ("_polyaxon_dynamic", dynamic_script("zsh")),
    ] {
        let path = write_tmp(name, &bytes);
        match run_shell("zsh", &["-n", &path.to_string_lossy()]) {
            None => {
                eprintln!("zsh is not installed: the zsh scripts were NOT checked");
                return;
            }
            Some(output) => assert!(
                output.status.success(),
                "zsh -n {name}: {}",
                stderr(&output)
            ),
        }
    }
}

#[test]
fn fish_parses_the_script_and_completes_where_installed() {
    let path = write_tmp("polyaxon.fish", &script("fish"));
    let Some(output) = run_shell("fish", &["--no-execute", &path.to_string_lossy()]) else {
        eprintln!("fish is not installed: the fish script was NOT checked");
        return;
    };
    assert!(
        output.status.success(),
        "fish --no-execute: {}",
        stderr(&output)
    );
    let dynamic = write_tmp("polyaxon-dynamic.fish", &dynamic_script("fish"));
    if let Some(output) = run_shell("fish", &["--no-execute", &dynamic.to_string_lossy()]) {
        assert!(
            output.status.success(),
            "fish --no-execute (dynamic): {}",
            stderr(&output)
        );
    }
    let program = format!("source {}; complete -C'polyaxon port-'", path.display());
    let Some(output) = run_shell("fish", &["--no-config", "-c", &program]) else {
        return;
    };
    assert!(output.status.success(), "fish: {}", stderr(&output));
    let first_words: Vec<String> = stdout(&output)
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    assert_eq!(first_words, ["port-forward"]);
}

/// The install line `polyaxon completion --help` gives for `shell`.
fn install_line(shell: &str) -> String {
    let help = stdout(&polyaxon(&["completion", "--help"]));
    let line = help
        .lines()
        .skip_while(|l| !l.starts_with("Examples: install"))
        .find(|l| l.trim_start().starts_with(&format!("{shell} ")))
        .unwrap_or_else(|| panic!("completion --help has no install line for {shell}:\n{help}"));
    line.trim_start()[shell.len()..].trim().to_string()
}

#[test]
fn completion_help_and_readme_give_one_install_line_per_shell_and_say_where_shells_look() {
    let help = stdout(&polyaxon(&["completion", "--help"]));
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap_or_default();
    for (shell, _) in SCRIPTS {
        let line = install_line(shell);
        assert!(
            line.contains(&format!("polyaxon completion {shell}")),
            "{shell}: {line}"
        );
        assert!(
            !line.contains("bash-completion/"),
            "{shell} needs a package: {line}"
        );
        assert!(
            readme.contains(&line),
            "README.md lacks the {shell} line `{line}`"
        );
    }
    assert!(help.contains("Where each shell looks:"), "{help}");
}

/// The bash line, run as written in a fresh HOME, gives an interactive bash
/// (which reads ~/.bashrc, and has no bash-completion package loaded) the
/// completion of `polyaxon`.
#[test]
fn the_bash_install_line_works_in_a_stock_interactive_bash() {
    let home = tmp_dir("completion-home");
    let bin_dir = Path::new(BIN)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        Command::new("bash")
            .args(args)
            .env("HOME", &home)
            .env("PATH", &path)
            .env_remove("COMPLETE")
            .env_remove("BASH_COMPLETION_VERSINFO")
            .output()
            .unwrap_or_else(|error| panic!("cannot run bash: {error}"))
    };
    let install = run(&["--norc", "--noprofile", "-c", &install_line("bash")]);
    assert!(install.status.success(), "{}", stderr(&install));
    let check = run(&["-i", "-c", "complete -p polyaxon"]);
    assert!(
        stdout(&check).contains("polyaxon"),
        "no completion for polyaxon after the install line:\n{}{}",
        stdout(&check),
        stderr(&check)
    );
}
