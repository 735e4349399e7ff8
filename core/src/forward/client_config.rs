//! What the Python CLI's `polyaxon port-forward` does around the forward:
//! point the Polyaxon client at the local address, and drop the cached CLI,
//! auth and user files that belonged to the previous host.
//!
//! Where those files live follows the Python CLI 2.x: the folder `.polyaxon`
//! under `$POLYAXON_HOME` when that is set, else under the `POLYAXON_HOME` a
//! `~/.polyaxon/.home` file names, else `~/.polyaxon` (`/tmp/.polyaxon` when
//! the home folder is not writable). The client file `.client` is a JSON
//! object whose keys are the environment variable names (`POLYAXON_HOST`, …).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

/// The variable naming the folder that holds Polyaxon's `.polyaxon` folder.
pub const HOME_VARIABLE: &str = "POLYAXON_HOME";
/// The client config key (and variable) of the API host.
pub const HOST_KEY: &str = "POLYAXON_HOST";
const PROJECT: &str = ".polyaxon";
const CLIENT_FILE: &str = ".client";
const HOME_FILE: &str = ".home";
/// The cached files the Python CLI purges after changing the host.
const PURGED_FILES: [&str; 3] = [".cli", ".auth", ".user"];

/// Why the client config could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum ClientConfigError {
    /// No home folder to find the config in.
    #[error("cannot find the Polyaxon config folder: neither {HOME_VARIABLE} nor HOME is set")]
    NoHome,
    /// The client file exists but is not a JSON object.
    #[error("cannot read the Polyaxon client config {path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be written or removed.
    #[error("cannot update the Polyaxon client config {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// What [`PolyaxonHome::point_client_at`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfigUpdate {
    /// The client config file written.
    pub client_file: PathBuf,
    /// The host written into it.
    pub host: String,
    /// The cached files removed.
    pub purged: Vec<PathBuf>,
}

/// The folder the Polyaxon CLI keeps its config files in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolyaxonHome {
    dir: PathBuf,
}

impl PolyaxonHome {
    /// Finds the folder the way the Python CLI does (see the module docs),
    /// from the process environment.
    pub fn from_env() -> Result<Self, ClientConfigError> {
        Self::locate(
            std::env::var_os(HOME_VARIABLE).map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        )
    }

    /// Finds the folder from explicit `POLYAXON_HOME` and `HOME` values.
    pub fn locate(
        polyaxon_home: Option<PathBuf>,
        home: Option<PathBuf>,
    ) -> Result<Self, ClientConfigError> {
        if let Some(root) = polyaxon_home.filter(|p| !p.as_os_str().is_empty()) {
            return Ok(Self::at(root.join(PROJECT)));
        }
        let home = home
            .filter(|p| !p.as_os_str().is_empty())
            .ok_or(ClientConfigError::NoHome)?;
        let user_dir = if is_writable(&home) {
            home.join(PROJECT)
        } else {
            PathBuf::from("/tmp").join(PROJECT)
        };
        match home_from_file(&user_dir.join(HOME_FILE)) {
            Some(root) => Ok(Self::at(root.join(PROJECT))),
            None => Ok(Self::at(user_dir)),
        }
    }

    /// Uses this folder as is (it holds `.client`, `.auth`, …).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The client config file.
    pub fn client_file(&self) -> PathBuf {
        self.dir.join(CLIENT_FILE)
    }

    /// Sets the client config's host, keeping every other key of the file,
    /// and removes the cached CLI, auth and user files, as the Python CLI's
    /// port-forward does.
    pub fn point_client_at(&self, host: &str) -> Result<ClientConfigUpdate, ClientConfigError> {
        let path = self.client_file();
        let mut config = read_client(&path)?;
        config.insert(HOST_KEY.to_string(), Value::String(host.to_string()));
        // A file written with field names rather than variable names keeps working too.
        if let Some(old) = config.get_mut("host") {
            *old = Value::String(host.to_string());
        }
        let io = |source| ClientConfigError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let text = serde_json::to_string(&config).map_err(|e| ClientConfigError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(io)?;
        let mut purged = Vec::new();
        for name in PURGED_FILES {
            let file = self.dir.join(name);
            match std::fs::remove_file(&file) {
                Ok(()) => purged.push(file),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(source) => return Err(ClientConfigError::Io { path: file, source }),
            }
        }
        Ok(ClientConfigUpdate {
            client_file: path,
            host: host.to_string(),
            purged,
        })
    }
}

/// The host a client on this machine reaches the forward at:
/// `http://<address>:<port>`, with `localhost` when no address was given.
/// A wildcard bind (`0.0.0.0`, `::`) is not an address a client can connect
/// to everywhere (the Python CLI wrote it as is), so it becomes `localhost`:
/// [`is_wildcard`] tells the caller to say so.
pub fn client_host(address: Option<&str>, port: u16) -> String {
    let address = match address {
        Some(a) if !is_wildcard(a) => a,
        _ => "localhost",
    };
    if address.contains(':') && !address.starts_with('[') {
        format!("http://[{address}]:{port}")
    } else {
        format!("http://{address}:{port}")
    }
}

/// Is this listen address a wildcard (every interface: `0.0.0.0`, `::`)?
pub fn is_wildcard(address: &str) -> bool {
    address
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_unspecified())
}

fn read_client(path: &Path) -> Result<IndexMap<String, Value>, ClientConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(IndexMap::new()),
        Err(source) => {
            return Err(ClientConfigError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if text.trim().is_empty() {
        return Ok(IndexMap::new());
    }
    serde_json::from_str(&text).map_err(|e| ClientConfigError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("not a JSON object ({e})"),
    })
}

/// The `POLYAXON_HOME` a `.home` file names (YAML, or JSON in older CLIs).
fn home_from_file(path: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let root = value.get(HOME_VARIABLE)?.as_str()?;
    (!root.is_empty()).then(|| PathBuf::from(root))
}

fn is_writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && !m.permissions().readonly())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "polyaxon-client-config-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn polyaxon_home_wins_over_home() {
        let found =
            PolyaxonHome::locate(Some("/srv/plx".into()), Some("/home/me".into())).expect("home");
        assert_eq!(found.dir(), Path::new("/srv/plx/.polyaxon"));
    }

    #[test]
    fn a_home_file_redirects_the_folder() {
        let home = scratch("home-file");
        std::fs::create_dir_all(home.join(".polyaxon")).unwrap();
        std::fs::write(home.join(".polyaxon/.home"), "POLYAXON_HOME: /data/plx\n").unwrap();
        let found = PolyaxonHome::locate(None, Some(home.clone())).expect("home");
        assert_eq!(found.dir(), Path::new("/data/plx/.polyaxon"));
        std::fs::remove_file(home.join(".polyaxon/.home")).unwrap();
        let plain = PolyaxonHome::locate(None, Some(home.clone())).expect("home");
        assert_eq!(plain.dir(), home.join(".polyaxon"));
    }

    #[test]
    fn the_host_is_set_and_the_rest_of_the_file_kept_in_order() {
        let dir = scratch("keep");
        std::fs::write(
            dir.join(".client"),
            r#"{"POLYAXON_VERIFY_SSL":false,"POLYAXON_HOST":"https://cloud.polyaxon.com","POLYAXON_TIMEOUT":20,"client_header":{}}"#,
        )
        .unwrap();
        for cached in [".cli", ".auth", ".user"] {
            std::fs::write(dir.join(cached), "{}").unwrap();
        }
        std::fs::write(dir.join(".home"), "POLYAXON_HOME: /x\n").unwrap();
        let update = PolyaxonHome::at(&dir)
            .point_client_at(&client_host(None, 8000))
            .expect("updated");
        assert_eq!(update.host, "http://localhost:8000");
        assert_eq!(
            std::fs::read_to_string(dir.join(".client")).unwrap(),
            r#"{"POLYAXON_VERIFY_SSL":false,"POLYAXON_HOST":"http://localhost:8000","POLYAXON_TIMEOUT":20,"client_header":{}}"#
        );
        for cached in [".cli", ".auth", ".user"] {
            assert!(!dir.join(cached).exists(), "{cached} is purged");
        }
        assert_eq!(update.purged.len(), 3);
        assert!(dir.join(".home").exists(), "other files are left alone");
    }

    #[test]
    fn a_missing_client_file_is_created() {
        let dir = scratch("create").join("nested");
        let update = PolyaxonHome::at(&dir)
            .point_client_at(&client_host(Some("0.0.0.0"), 9000))
            .expect("created");
        assert_eq!(
            std::fs::read_to_string(update.client_file).unwrap(),
            r#"{"POLYAXON_HOST":"http://localhost:9000"}"#
        );
        assert!(update.purged.is_empty());
    }

    #[test]
    fn a_broken_client_file_is_an_error_not_overwritten() {
        let dir = scratch("broken");
        std::fs::write(dir.join(".client"), "host: [").unwrap();
        let err = PolyaxonHome::at(&dir)
            .point_client_at("http://localhost:8000")
            .unwrap_err();
        assert!(err.to_string().contains("not a JSON object"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join(".client")).unwrap(),
            "host: ["
        );
    }

    #[test]
    fn ipv6_addresses_are_bracketed_in_the_host() {
        assert_eq!(client_host(Some("::1"), 8000), "http://[::1]:8000");
    }

    #[test]
    fn a_wildcard_bind_points_the_client_at_loopback() {
        for wildcard in ["0.0.0.0", "::", "[::]"] {
            assert!(is_wildcard(wildcard), "{wildcard}");
            assert_eq!(client_host(Some(wildcard), 9000), "http://localhost:9000");
        }
        assert!(!is_wildcard("127.0.0.1"));
        assert!(!is_wildcard("localhost"));
        assert_eq!(client_host(Some("10.1.2.3"), 9000), "http://10.1.2.3:9000");
    }
}
