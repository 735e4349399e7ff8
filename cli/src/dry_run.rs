//! `polyaxon deploy --dry-run`: load the config, render every object, print
//! them. Needs no cluster. The generated values (passwords, keys) are shown
//! as `<generated>` and Secret data as `<redacted>` unless `--show-secrets`,
//! so the output is the same byte for byte for the same input.

use std::io::Write;

use polyaxon_core::config::{self, LoadOptions};
use polyaxon_core::render::{self, ReleaseState, output};

use crate::args::{DeployArgs, Format, GlobalArgs};
use crate::exit::Exit;

/// The load options the deploy flags describe.
pub fn load_options(args: &DeployArgs, global: &GlobalArgs) -> LoadOptions {
    LoadOptions {
        files: args.config.config_files.clone(),
        set: args.config.set.clone(),
        deployment_version: args.config.deployment_version.clone(),
        namespace: global.namespace.clone(),
        release_name: args.config.release_name.clone(),
        deployment_type: args.config.deployment_type.clone(),
    }
}

/// The dry run's text: the manifest as YAML (the default) or a JSON list.
pub fn render_text(args: &DeployArgs, global: &GlobalArgs) -> Result<String, (Exit, String)> {
    let deployment = config::load(&load_options(args, global))
        .map_err(|errors| (Exit::Usage, errors.to_string()))?;
    // Never random here: the dry run must be reproducible.
    let state = ReleaseState::placeholder(&deployment.release_name);
    let manifest =
        render::render(&deployment, &state).map_err(|e| (Exit::Usage, format!("error: {e}")))?;
    let text = match args.output {
        Format::Json => output::to_json(&manifest, args.show_secrets),
        Format::Yaml | Format::Text => output::to_yaml(&manifest, args.show_secrets),
    };
    text.map_err(|e| (Exit::Failed, format!("error: {e}")))
}

/// Runs the dry run: the manifest on stdout, errors on stderr.
pub fn run(args: &DeployArgs, global: &GlobalArgs) -> Exit {
    match render_text(args, global) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => Exit::Success,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
                Err(e) => {
                    eprintln!("error: cannot write the manifest: {e}");
                    Exit::Failed
                }
            }
        }
        Err((code, message)) => {
            eprintln!("{}", message.trim_end());
            code
        }
    }
}
