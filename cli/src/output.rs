//! What a person sees: results on stdout, messages on stderr, colour only on
//! a terminal (never with `NO_COLOR` or `--no-color`), `-q` for errors only,
//! `-v` for more, progress lines only on a terminal.
//!
//! Every command gets one [`Output`] from `main` and prints only through it:
//!
//! - [`Output::result`]: what the command was asked for (a table, YAML, JSON).
//!   Always printed, even with `-q`, so `polyaxon status -q -o json | jq` works.
//! - [`Output::report`]: a check's findings on stdout (`deploy --check`),
//!   silenced by `-q`, where the exit code says it all.
//! - [`Output::success`], [`Output::info`], [`Output::warn`]: messages to stderr,
//!   silenced by `-q` (errors are printed by `main` from the command's `Failure`,
//!   or by [`Output::error`] for those a running command goes on after).
//! - [`Output::detail`]: only with `-v` (level 1) or `-vv` (level 2).
//! - [`Output::progress`]: a [`ProgressLine`] per workload (spinner on a
//!   terminal, one plain line when done otherwise).

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

use console::Style;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Format, GlobalArgs};
use crate::exit::{Exit, Failure};

/// How much the user wants to hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: errors only (and the results asked for, on stdout).
    Quiet,
    /// The default.
    Normal,
    /// `-v` (1), `-vv` (2), …
    Verbose(u8),
}

/// What the process runs in, read once (separate so tests can state it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    /// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub no_color: bool,
    /// `TERM=dumb`: a terminal that shows escape codes as text.
    pub dumb_terminal: bool,
    /// stdout is a terminal.
    pub stdout_terminal: bool,
    /// stderr is a terminal.
    pub stderr_terminal: bool,
}

impl Environment {
    /// Reads the environment and the standard streams of this process.
    pub fn detect() -> Self {
        Environment {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            dumb_terminal: std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            stdout_terminal: io::stdout().is_terminal(),
            stderr_terminal: io::stderr().is_terminal(),
        }
    }
}

/// The decisions taken from the flags and the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How much to say.
    pub verbosity: Verbosity,
    /// Colour on stdout.
    pub stdout_color: bool,
    /// Colour on stderr.
    pub stderr_color: bool,
    /// Animated progress lines on stderr.
    pub progress: bool,
}

impl Settings {
    /// Decides from the global flags and the environment.
    pub fn decide(global: &GlobalArgs, env: Environment) -> Self {
        let verbosity = if global.quiet {
            Verbosity::Quiet
        } else if global.verbose > 0 {
            Verbosity::Verbose(global.verbose)
        } else {
            Verbosity::Normal
        };
        let colour_allowed = !global.no_color && !env.no_color && !env.dumb_terminal;
        Settings {
            verbosity,
            stdout_color: colour_allowed && env.stdout_terminal,
            stderr_color: colour_allowed && env.stderr_terminal,
            progress: env.stderr_terminal && !env.dumb_terminal && verbosity != Verbosity::Quiet,
        }
    }
}

/// Colours and weights for [`Output::paint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Emphasis: names, versions.
    Bold,
    /// Less important: durations, notes.
    Dim,
    /// Done, healthy.
    Green,
    /// Needs attention.
    Yellow,
    /// Failed.
    Red,
    /// Neutral highlight.
    Cyan,
}

impl Paint {
    fn style(self) -> Style {
        match self {
            Paint::Bold => Style::new().bold(),
            Paint::Dim => Style::new().dim(),
            Paint::Green => Style::new().green(),
            Paint::Yellow => Style::new().yellow(),
            Paint::Red => Style::new().red().bold(),
            Paint::Cyan => Style::new().cyan(),
        }
    }
}

/// The two streams a command writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Results.
    Stdout,
    /// Messages and progress.
    Stderr,
}

/// The one way commands print. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Output {
    settings: Settings,
    /// Draws the progress lines; messages go through it so that they appear
    /// above the lines instead of through them.
    bars: MultiProgress,
}

impl Output {
    /// The output for these flags in this process's environment.
    pub fn from_args(global: &GlobalArgs) -> Self {
        Output::new(Settings::decide(global, Environment::detect()))
    }

    /// The output for explicit settings. Also tells `console` (and so
    /// indicatif's templates) whether to colour.
    pub fn new(settings: Settings) -> Self {
        console::set_colors_enabled(settings.stdout_color);
        console::set_colors_enabled_stderr(settings.stderr_color);
        let target = if settings.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Output {
            settings,
            bars: MultiProgress::with_draw_target(target),
        }
    }

    /// The decisions this output follows.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// `text` in `paint` when `stream` is coloured, plain otherwise.
    pub fn paint(&self, stream: Stream, paint: Paint, text: impl std::fmt::Display) -> String {
        let enabled = match stream {
            Stream::Stdout => self.settings.stdout_color,
            Stream::Stderr => self.settings.stderr_color,
        };
        paint
            .style()
            .force_styling(enabled)
            .apply_to(text)
            .to_string()
    }

    /// Writes a result to stdout, as is (add the final newline yourself).
    /// Printed whatever the verbosity.
    pub fn result(&self, text: impl AsRef<[u8]>) -> io::Result<()> {
        self.bars.suspend(|| {
            let mut stdout = io::stdout().lock();
            stdout.write_all(text.as_ref())?;
            stdout.flush()
        })
    }

    /// Writes a report to stdout, as is, unless `-q`: what a check found
    /// when all is well, which the exit code already says.
    pub fn report(&self, text: impl AsRef<[u8]>) -> io::Result<()> {
        if self.settings.verbosity > Verbosity::Quiet {
            self.result(text)
        } else {
            Ok(())
        }
    }

    /// `✓ message` on stderr, unless `-q`.
    pub fn success(&self, message: impl std::fmt::Display) {
        self.unless_quiet(|| {
            let mark = self.paint(Stream::Stderr, Paint::Green, "✓");
            format!("{mark} {message}")
        });
    }

    /// A message on stderr, unless `-q`.
    pub fn info(&self, message: impl std::fmt::Display) {
        self.unless_quiet(|| message.to_string());
    }

    /// `warning: message` on stderr, unless `-q`.
    pub fn warn(&self, message: impl std::fmt::Display) {
        self.unless_quiet(|| {
            let label = self.paint(Stream::Stderr, Paint::Yellow, "warning:");
            format!("{label} {message}")
        });
    }

    /// `  hint: what to do` on stderr, unless `-q`; follows a warning.
    pub fn hint(&self, hint: impl std::fmt::Display) {
        self.unless_quiet(|| self.hint_line(hint));
    }

    /// The line `line` makes, on stderr, unless `-q` (made only when shown).
    fn unless_quiet(&self, line: impl FnOnce() -> String) {
        if self.settings.verbosity > Verbosity::Quiet {
            self.message(&line());
        }
    }

    fn hint_line(&self, hint: impl std::fmt::Display) -> String {
        let label = self.paint(Stream::Stderr, Paint::Cyan, "hint:");
        format!("  {label} {hint}")
    }

    /// A message on stderr only with at least `level` `-v`s.
    pub fn detail(&self, level: u8, message: impl std::fmt::Display) {
        if matches!(self.settings.verbosity, Verbosity::Verbose(v) if v >= level) {
            self.message(&self.paint(Stream::Stderr, Paint::Dim, message));
        }
    }

    /// `error: message` on stderr, even with `-q`: for an error a running
    /// command meets and goes on after (a failed connection of a forward).
    pub fn error(&self, message: impl std::fmt::Display) {
        let label = self.paint(Stream::Stderr, Paint::Red, "error:");
        self.message(&format!("{label} {message}"));
    }

    /// Prints why a command stopped (`error: …` and its hint) and returns
    /// the exit. Errors are printed even with `-q`; an interruption and a
    /// closed pipe only say so when not quiet, and not at all, respectively.
    pub fn failure(&self, failure: &Failure) -> Exit {
        match failure.exit {
            Exit::Success => {}
            Exit::Interrupted => {
                self.info(self.paint(Stream::Stderr, Paint::Yellow, &failure.message))
            }
            _ => {
                self.error(failure);
                if let Some(hint) = &failure.hint {
                    self.message(&self.hint_line(hint));
                }
            }
        }
        failure.exit
    }

    /// Whether there is a person to ask: stdin is a terminal.
    pub fn can_ask(&self) -> bool {
        io::stdin().is_terminal()
    }

    /// Asks `question` on stderr (even with `-q`: the answer is needed) and
    /// reads yes or no from stdin; no when there is no terminal to ask on.
    pub fn ask(&self, question: &str) -> bool {
        if !self.can_ask() {
            return false;
        }
        let mut answer = String::new();
        self.bars.suspend(|| {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "{question}\nProceed? [y/N] ");
            let _ = stderr.flush();
            let _ = io::stdin().lock().read_line(&mut answer);
        });
        matches!(answer.trim(), "y" | "Y" | "yes")
    }

    /// A progress line for one task (typically one workload: `deployment/api`).
    pub fn progress(&self, label: impl Into<String>) -> ProgressLine {
        let label = label.into();
        let bar = self.settings.progress.then(|| {
            let bar = self.bars.add(ProgressBar::new_spinner());
            let style =
                ProgressStyle::with_template("{spinner:.cyan} {prefix:.bold} {msg} {elapsed:.dim}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_prefix(label.clone());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        ProgressLine {
            output: self.clone(),
            label,
            bar,
            started: Instant::now(),
            state: String::new(),
        }
    }

    fn message(&self, line: &str) {
        // Progress lines are lifted while the message is written, so it lands
        // above them instead of through them. A failed write to stderr has
        // nowhere to be reported.
        self.bars.suspend(|| {
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }
}

impl Output {
    /// Writes a result in the format `-o` asks: `text` for people, JSON
    /// (pretty, with a final newline) or YAML of `value` for programs.
    pub fn result_as<T: serde::Serialize>(
        &self,
        value: &T,
        format: Format,
        text: impl FnOnce(&T) -> String,
    ) -> Result<(), Failure> {
        let shown = match format {
            Format::Text => text(value),
            Format::Json => serde_json::to_string_pretty(value)? + "\n",
            Format::Yaml => serde_yaml::to_string(value)?,
        };
        Ok(self.result(shown)?)
    }
}

/// One task's line: a spinner with its state on a terminal; elsewhere one
/// line when it ends (and each state change with `-v`).
#[derive(Debug)]
pub struct ProgressLine {
    output: Output,
    label: String,
    bar: Option<ProgressBar>,
    started: Instant,
    state: String,
}

impl ProgressLine {
    /// The task's current state (`2/3 pods ready`).
    pub fn set_state(&mut self, state: impl Into<String>) {
        let state = state.into();
        if state == self.state {
            return;
        }
        match &self.bar {
            Some(bar) => bar.set_message(state.clone()),
            None => self.output.detail(1, format!("{}: {state}", self.label)),
        }
        self.state = state;
    }

    /// Ends the line without a word, for a step whose result the command
    /// prints anyway.
    pub fn finish(self) {
        self.clear();
    }

    /// Ends the line as done: `✓ label summary (12s)`.
    pub fn done(self, summary: impl std::fmt::Display) {
        let mark = self.output.paint(Stream::Stderr, Paint::Green, "✓");
        self.end(&mark, &summary.to_string());
    }

    /// Ends the line as failed: `✗ label summary (12s)`; printed even with
    /// `-q`, since it says which workload failed.
    pub fn failed(self, summary: impl std::fmt::Display) {
        let mark = self.output.paint(Stream::Stderr, Paint::Red, "✗");
        let line = self.line(&mark, &summary.to_string());
        self.clear();
        self.output.message(&line);
    }

    fn end(self, mark: &str, summary: &str) {
        let line = self.line(mark, summary);
        self.clear();
        if self.output.settings.verbosity > Verbosity::Quiet {
            self.output.message(&line);
        }
    }

    fn line(&self, mark: &str, summary: &str) -> String {
        let label = self.output.paint(Stream::Stderr, Paint::Bold, &self.label);
        let elapsed =
            humantime::format_duration(Duration::from_secs(self.started.elapsed().as_secs()));
        let elapsed = self
            .output
            .paint(Stream::Stderr, Paint::Dim, format!("({elapsed})"));
        format!("{mark} {label} {summary} {elapsed}")
    }

    fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        // A line dropped without an end (an error, Ctrl-C) must not stay drawn.
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(quiet: bool, verbose: u8, no_color: bool) -> GlobalArgs {
        GlobalArgs {
            kubeconfig: None,
            context: None,
            namespace: None,
            verbose,
            quiet,
            no_color,
        }
    }

    const TERMINAL: Environment = Environment {
        no_color: false,
        dumb_terminal: false,
        stdout_terminal: true,
        stderr_terminal: true,
    };

    #[test]
    fn colour_and_progress_on_a_terminal_by_default() {
        let settings = Settings::decide(&global(false, 0, false), TERMINAL);
        assert_eq!(
            settings,
            Settings {
                verbosity: Verbosity::Normal,
                stdout_color: true,
                stderr_color: true,
                progress: true
            }
        );
    }

    #[test]
    fn no_colour_with_no_color_the_flag_or_a_dumb_terminal() {
        let cases = [
            (global(false, 0, true), TERMINAL),
            (
                global(false, 0, false),
                Environment {
                    no_color: true,
                    ..TERMINAL
                },
            ),
            (
                global(false, 0, false),
                Environment {
                    dumb_terminal: true,
                    ..TERMINAL
                },
            ),
        ];
        for (flags, env) in cases {
            let settings = Settings::decide(&flags, env);
            assert!(
                !settings.stdout_color && !settings.stderr_color,
                "{flags:?} {env:?}"
            );
        }
    }

    #[test]
    fn each_stream_is_coloured_only_when_it_is_a_terminal() {
        let piped = Environment {
            stdout_terminal: false,
            ..TERMINAL
        };
        let settings = Settings::decide(&global(false, 0, false), piped);
        assert!(!settings.stdout_color);
        assert!(settings.stderr_color);
        assert!(
            settings.progress,
            "progress goes to stderr, still a terminal"
        );

        let logged = Environment {
            stderr_terminal: false,
            ..TERMINAL
        };
        let settings = Settings::decide(&global(false, 0, false), logged);
        assert!(settings.stdout_color);
        assert!(!settings.stderr_color);
        assert!(!settings.progress);
    }

    #[test]
    fn quiet_has_no_progress_and_verbose_counts() {
        assert!(!Settings::decide(&global(true, 0, false), TERMINAL).progress);
        assert_eq!(
            Settings::decide(&global(true, 0, false), TERMINAL).verbosity,
            Verbosity::Quiet
        );
        assert_eq!(
            Settings::decide(&global(false, 2, false), TERMINAL).verbosity,
            Verbosity::Verbose(2)
        );
        assert!(Verbosity::Quiet < Verbosity::Normal && Verbosity::Normal < Verbosity::Verbose(1));
    }

    #[test]
    fn paint_adds_escape_codes_only_where_colour_is_on() {
        let output = Output::new(Settings {
            verbosity: Verbosity::Normal,
            stdout_color: false,
            stderr_color: true,
            progress: false,
        });
        assert_eq!(output.paint(Stream::Stdout, Paint::Green, "ok"), "ok");
        let painted = output.paint(Stream::Stderr, Paint::Green, "ok");
        assert!(
            painted.contains("\u{1b}[") && painted.contains("ok"),
            "{painted:?}"
        );
    }
}
