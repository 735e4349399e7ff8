//! `polyaxon deploy --dry-run`: load the config, render every object, print
//! them. Needs no cluster. The generated values (passwords, keys) are shown
//! as `<generated>` and Secret data as `<redacted>` unless `--show-secrets`,
//! so the output is the same byte for byte for the same input.

use polyaxon_core::render::{self, ReleaseState, output};

use crate::args::{DeployArgs, Format, GlobalArgs};
use crate::exit::{Exit, Failure, Outcome};
use crate::load;
use crate::output::Output;

/// The dry run's text: the manifest as YAML (the default) or a JSON list.
/// An invalid config or one that cannot be rendered exits 2.
pub fn render_text(args: &DeployArgs, global: &GlobalArgs) -> Result<String, Failure> {
    let deployment = load::load(global, &args.config)?;
    // Never random here: the dry run must be reproducible.
    let state = ReleaseState::placeholder(&deployment.release_name);
    let manifest = render::render(&deployment, &state)?;
    let text = match args.output {
        Format::Json => output::to_json(&manifest, args.show_secrets),
        Format::Yaml | Format::Text => output::to_yaml(&manifest, args.show_secrets),
    };
    text.map_err(|error| Failure::new(Exit::Failed, error.to_string()))
}

/// Runs the dry run: the manifest on stdout (a closed pipe, `| head`, is not
/// an error), errors through `main`.
pub fn run(args: &DeployArgs, global: &GlobalArgs, out: &Output) -> Outcome {
    let text = render_text(args, global)?;
    out.result(text)
        .map_err(|error| Failure::from(error).context("cannot write the manifest"))
}
