//! Answering the shell at each <TAB> (the scripts that ask are printed by
//! `polyaxon completion`, see `commands/completion.rs`): clap_complete's
//! engine answers from the one command tree in `args`, and calls the
//! completers here for values only the cluster or the kubeconfig knows:
//! release names, namespaces and contexts.
//!
//! A completer must never get in the way of typing: it asks the cluster with
//! a short deadline and offers nothing, silently, when it cannot answer.

use std::ffi::{OsStr, OsString};
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use clap_complete::CompleteEnv;
use clap_complete::engine::CompletionCandidate;
use kube::Client;
use kube::config::Kubeconfig;
use polyaxon_core::cluster::ClusterOptions;
use polyaxon_core::config::DEFAULT_NAMESPACE;
use polyaxon_core::discover;

use crate::args;

/// The environment variable that turns a `polyaxon` run into a completion
/// request (clap_complete's convention).
pub const COMPLETE_VAR: &str = "COMPLETE";

/// How long a <TAB> may wait for the cluster.
const LOOKUP_DEADLINE: Duration = Duration::from_secs(2);

/// Answers the shell and exits when this process is a completion request
/// (`COMPLETE` is set); returns at once otherwise. Call before anything is
/// printed.
pub fn answer_shell_if_asked() {
    CompleteEnv::with_factory(args::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// Completes `-r/--release-name` with the releases found in the cluster: in
/// the namespace typed with `-n`, else in every namespace the user may list,
/// else in `polyaxon`.
pub fn release_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let typed = TypedFlags::from_words(std::env::args_os());
    let namespace = typed.namespace.clone();
    let found = ask_cluster(&typed, |client| async move {
        match namespace.as_deref() {
            Some(namespace) => discover::release_names(&client, Some(namespace)).await,
            None => match discover::release_names(&client, None).await {
                Ok(found) => Ok(found),
                Err(_) => discover::release_names(&client, Some(DEFAULT_NAMESPACE)).await,
            },
        }
    });
    let mut candidates: Vec<CompletionCandidate> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for found in found.unwrap_or_default() {
        if !found.release.starts_with(prefix) || seen.contains(&found.release) {
            continue;
        }
        let help = format!("release in {}", found.namespace);
        seen.push(found.release.clone());
        candidates.push(CompletionCandidate::new(found.release).help(Some(help.into())));
    }
    candidates
}

/// Completes `-n/--namespace` with the cluster's namespaces.
pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let typed = TypedFlags::from_words(std::env::args_os());
    ask_cluster(&typed, |client| async move {
        discover::namespaces(&client).await
    })
    .unwrap_or_default()
    .into_iter()
    .filter(|name| name.starts_with(prefix))
    .map(CompletionCandidate::new)
    .collect()
}

/// Completes `--context` with the contexts of the kubeconfig (no cluster needed).
pub fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    contexts_in(&TypedFlags::from_words(std::env::args_os()), prefix)
}

fn contexts_in(typed: &TypedFlags, prefix: &str) -> Vec<CompletionCandidate> {
    let kubeconfig = match &typed.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    };
    let Ok(kubeconfig) = kubeconfig else {
        return Vec::new();
    };
    kubeconfig
        .contexts
        .into_iter()
        .filter(|named| named.name.starts_with(prefix))
        .map(|named| {
            let cluster = named.context.map(|c| c.cluster).unwrap_or_default();
            CompletionCandidate::new(named.name).help(Some(format!("cluster {cluster}").into()))
        })
        .collect()
}

/// Runs one query against the cluster the typed flags point at, within
/// [`LOOKUP_DEADLINE`]; `None` when there is no cluster, no answer in time,
/// or an error of any kind.
fn ask_cluster<T, F, Fut>(typed: &TypedFlags, query: F) -> Option<T>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let options = ClusterOptions {
        kubeconfig: typed.kubeconfig.clone(),
        context: typed.context.clone(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async move {
        let lookup = async move {
            let client = options.client().await.ok()?;
            query(client).await.ok()
        };
        tokio::time::timeout(LOOKUP_DEADLINE, lookup)
            .await
            .ok()
            .flatten()
    })
}

/// The cluster flags already typed on the line being completed. The engine
/// hands a completer only the word under the cursor, so the rest is read from
/// the words the shell passed (after the `--` of the completion protocol).
#[derive(Debug, Default, PartialEq, Eq)]
struct TypedFlags {
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    namespace: Option<String>,
}

impl TypedFlags {
    fn from_words(words: impl IntoIterator<Item = OsString>) -> Self {
        let words: Vec<String> = words
            .into_iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        // `polyaxon -- polyaxon deploy …`: skip the completer and the binary name.
        let start = words.iter().position(|w| w == "--").map_or(1, |i| i + 2);
        let mut typed = TypedFlags::default();
        let mut rest = words.iter().skip(start);
        while let Some(word) = rest.next() {
            let (flag, inline) = match word.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
                _ => (word.as_str(), None),
            };
            let (flag, inline) = match flag {
                "--kubeconfig" | "--context" | "--namespace" | "-n" => (flag, inline),
                short if short.starts_with("-n") && short.len() > 2 && !short.starts_with("--") => {
                    ("-n", Some(short[2..].to_string()))
                }
                _ => continue,
            };
            let Some(value) = inline.or_else(|| rest.next().cloned()) else {
                break;
            };
            if value.is_empty() {
                continue;
            }
            match flag {
                "--kubeconfig" => typed.kubeconfig = Some(expand_home(&value)),
                "--context" => typed.context = Some(value),
                _ => typed.namespace = Some(value),
            }
        }
        typed
    }
}

/// `~/x` as the shell would have expanded it (completion sees the raw word).
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(line: &str) -> TypedFlags {
        TypedFlags::from_words(line.split(' ').map(OsString::from))
    }

    #[test]
    fn flags_typed_before_the_cursor_are_read_in_every_spelling() {
        assert_eq!(
            typed("polyaxon -- polyaxon status --kubeconfig /k -n ns --context c -r "),
            TypedFlags {
                kubeconfig: Some(PathBuf::from("/k")),
                context: Some("c".into()),
                namespace: Some("ns".into()),
            }
        );
        assert_eq!(
            typed("polyaxon -- polyaxon status --kubeconfig=/k --namespace=ns --context=c -r"),
            typed("polyaxon -- polyaxon status --kubeconfig /k -nns --context c -r"),
        );
    }

    #[test]
    fn the_word_being_completed_is_not_taken_for_a_value() {
        assert_eq!(
            typed("polyaxon -- polyaxon status -n "),
            TypedFlags::default()
        );
        assert_eq!(
            typed("polyaxon -- polyaxon status -n"),
            TypedFlags::default()
        );
    }

    #[test]
    fn words_before_the_protocol_separator_are_ignored() {
        // The completer itself is called as `polyaxon -- <line>`; `-n` there is not the user's.
        assert_eq!(
            typed("/bin/polyaxon -n x -- polyaxon status").namespace,
            None
        );
    }

    #[test]
    fn a_kubeconfig_under_home_is_expanded() {
        let Some(home) = std::env::var_os("HOME") else {
            return;
        };
        assert_eq!(
            typed("polyaxon -- polyaxon status --kubeconfig ~/k").kubeconfig,
            Some(PathBuf::from(home).join("k"))
        );
    }

    #[test]
    fn contexts_come_from_the_typed_kubeconfig_and_match_the_prefix() {
        let dir = std::env::temp_dir().join(format!("polyaxon-contexts-{}", std::process::id()));
        let path = dir.join("kubeconfig");
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            std::fs::write(
                &path,
                "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts:\n\
                 - name: prod-eu\n  context: {cluster: eu}\n\
                 - name: prod-us\n  context: {cluster: us}\n\
                 - name: dev\n  context: {cluster: local}\n",
            )
        });
        assert!(
            written.is_ok(),
            "cannot write {}: {written:?}",
            path.display()
        );
        let typed = TypedFlags {
            kubeconfig: Some(path),
            ..TypedFlags::default()
        };
        let names = |prefix| -> Vec<String> {
            contexts_in(&typed, prefix)
                .iter()
                .map(|c| c.get_value().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names("prod"), ["prod-eu", "prod-us"]);
        assert_eq!(names(""), ["prod-eu", "prod-us", "dev"]);
        let _ = std::fs::remove_dir_all(&dir);
        // A kubeconfig that cannot be read offers nothing, quietly.
        assert!(names("").is_empty());
    }
}
