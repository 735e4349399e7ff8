//! Helpers for the port-forward tests and benchmark: loopback servers that
//! kwok forwards pod ports to, and clients that check what comes back.
//!
//! kwok plays the kubelet, so a pod has no process behind its ports. A
//! `PortForward` object (kwok.x-k8s.io/v1alpha1, same name and namespace as
//! the pod) tells kwok where to send the bytes forwarded to the pod instead:
//! here, to a server on 127.0.0.1 that this process runs, one per pod, so a
//! reply can say which pod served it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the per-pod loopback server does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Answers any HTTP request with `200` and the body `served by pod <name>\n`.
    Http,
    /// Reads an 8-byte big-endian length N, then echoes N bytes back as they
    /// arrive, then closes.
    Echo,
    /// [`Backend::Http`] for connections that start with `GET `, else
    /// [`Backend::Echo`] (a length's first byte is 0 below 2^56 bytes).
    HttpOrEcho,
}

/// One loopback server per pod of a namespace, with the kwok `PortForward`
/// that sends the pod's forwarded ports to it. Stops the servers on drop.
pub struct PodBackends {
    served: Arc<Mutex<BTreeMap<String, SocketAddr>>>,
    watcher: JoinHandle<()>,
}

impl Drop for PodBackends {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

impl PodBackends {
    /// Starts serving every pod that exists or appears in `namespace`.
    pub async fn start(client: &Client, namespace: &str, backend: Backend) -> Result<Self> {
        let served = Arc::new(Mutex::new(BTreeMap::new()));
        let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
        let forwards: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), namespace, &port_forward_resource());
        let watcher = tokio::spawn(serve_pods(pods, forwards, backend, served.clone()));
        Ok(Self { served, watcher })
    }

    /// The pods served so far, with their server's address.
    pub fn served(&self) -> BTreeMap<String, SocketAddr> {
        self.served.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Waits until a server exists for this pod.
    pub async fn wait_for(&self, pod: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        while !self.served().contains_key(pod) {
            if Instant::now() > deadline {
                bail!("no loopback server for pod {pod} after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }
}

fn port_forward_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("kwok.x-k8s.io", "v1alpha1", "PortForward"),
        "portforwards",
    )
}

async fn serve_pods(
    pods: Api<Pod>,
    forwards: Api<DynamicObject>,
    backend: Backend,
    served: Arc<Mutex<BTreeMap<String, SocketAddr>>>,
) {
    let mut servers: Vec<JoinHandle<()>> = Vec::new();
    let mut events = std::pin::pin!(
        watcher(pods, watcher::Config::default())
            .default_backoff()
            .applied_objects()
    );
    while let Some(event) = events.next().await {
        let Ok(pod) = event else { continue };
        let name = pod.name_any();
        let known = served.lock().map(|s| s.contains_key(&name)).unwrap_or(true);
        if known {
            continue;
        }
        let Ok(listener) = TcpListener::bind("127.0.0.1:0").await else {
            continue;
        };
        let Ok(address) = listener.local_addr() else {
            continue;
        };
        servers.push(tokio::spawn(accept_loop(listener, backend, name.clone())));
        let object = json!({
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "PortForward",
            "metadata": {"name": name},
            // No `ports`: every port of the pod goes to this server.
            "spec": {"forwards": [{"target": {"address": "127.0.0.1", "port": address.port()}}]}
        });
        let applied = forwards
            .patch(
                &name,
                &PatchParams::apply("polyaxon-e2e").force(),
                &Patch::Apply(&object),
            )
            .await;
        if applied.is_ok()
            && let Ok(mut s) = served.lock()
        {
            s.insert(name, address);
        }
    }
    for server in servers {
        server.abort();
    }
}

async fn accept_loop(listener: TcpListener, backend: Backend, pod: String) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let pod = pod.clone();
        tokio::spawn(async move {
            let http = match backend {
                Backend::Http => true,
                Backend::Echo => false,
                Backend::HttpOrEcho => {
                    let mut first = [0u8; 1];
                    matches!(stream.peek(&mut first).await, Ok(1) if first[0] == b'G')
                }
            };
            let _ = if http {
                serve_http(stream, &pod).await
            } else {
                serve_echo(stream).await
            };
        });
    }
}

async fn serve_http(mut stream: TcpStream, pod: &str) -> Result<()> {
    read_head(&mut stream).await?;
    let body = format!("served by pod {pod}\n");
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await?;
    Ok(())
}

async fn serve_echo(stream: TcpStream) -> Result<()> {
    let (mut read, mut write) = stream.into_split();
    let mut length = [0u8; 8];
    read.read_exact(&mut length).await?;
    let mut left = u64::from_be_bytes(length);
    let mut buffer = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = usize::try_from(left.min(buffer.len() as u64)).unwrap_or(buffer.len());
        let n = read.read(&mut buffer[..want]).await?;
        if n == 0 {
            bail!("client stopped after sending part of the data");
        }
        write.write_all(&buffer[..n]).await?;
        left -= n as u64;
    }
    write.shutdown().await?;
    Ok(())
}

/// Reads an HTTP head (up to the blank line); returns it.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            bail!("connection closed inside the HTTP head");
        }
        head.push(byte[0]);
        if head.len() > 64 * 1024 {
            bail!("HTTP head too long");
        }
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// A plain HTTP GET; returns the status code and the body (read by its
/// Content-Length, so it does not depend on the connection closing).
pub async fn http_get(address: SocketAddr, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("connecting to {address}"))?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
    read_response(&mut stream).await
}

/// Reads an HTTP response head and its Content-Length body.
pub async fn read_response<S: AsyncRead + Unpin>(stream: &mut S) -> Result<(u16, String)> {
    let head = read_head(stream).await?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("no status in {head:?}"))?;
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .with_context(|| format!("no Content-Length in {head:?}"))?;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// What one echo exchange measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EchoReport {
    /// Bytes sent (and expected back).
    pub bytes: u64,
    /// Checksum of what was sent.
    pub sent_checksum: u64,
    /// Checksum of what came back.
    pub received_checksum: u64,
    /// Bytes that came back.
    pub received: u64,
    /// From connect to the last byte back.
    pub elapsed: Duration,
}

impl EchoReport {
    /// Did every byte come back unchanged?
    pub fn intact(&self) -> bool {
        self.received == self.bytes && self.sent_checksum == self.received_checksum
    }
}

/// Sends `bytes` pseudo-random bytes (from `seed`) to an [`Backend::Echo`]
/// server while reading the echo back, both at once; checksums both ways.
/// With `half_close`, the write side is shut down after the last byte, and
/// the echo must still come back in full.
pub async fn echo_exchange(
    address: SocketAddr,
    bytes: u64,
    seed: u64,
    half_close: bool,
) -> Result<EchoReport> {
    let started = Instant::now();
    let stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("connecting to {address}"))?;
    stream.set_nodelay(true)?;
    let (mut read, mut write) = stream.into_split();
    let send = async move {
        write.write_all(&bytes.to_be_bytes()).await?;
        let mut generator = XorShift(seed | 1);
        let mut checksum = Fnv::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut left = bytes;
        while left > 0 {
            let n = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(chunk.len());
            generator.fill(&mut chunk[..n]);
            checksum.update(&chunk[..n]);
            write.write_all(&chunk[..n]).await?;
            left -= n as u64;
        }
        if half_close {
            write.shutdown().await?;
        }
        anyhow::Ok((checksum.finish(), write))
    };
    let receive = async move {
        let mut checksum = Fnv::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let mut received = 0u64;
        while received < bytes {
            let n = read.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            checksum.update(&chunk[..n]);
            received += n as u64;
        }
        anyhow::Ok((checksum.finish(), received))
    };
    let ((sent_checksum, _write), (received_checksum, received)) = tokio::try_join!(send, receive)?;
    Ok(EchoReport {
        bytes,
        sent_checksum,
        received_checksum,
        received,
        elapsed: started.elapsed(),
    })
}

/// A small, fast pseudo-random byte source (xorshift64*), so data is not
/// trivially compressible or repetitive.
struct XorShift(u64);

impl XorShift {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let value = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            chunk.copy_from_slice(&value[..chunk.len()]);
        }
    }
}

/// FNV-1a, 64 bits: enough to tell a changed, lost or reordered byte.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn update(&mut self, data: &[u8]) {
        for byte in data {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Time from connecting to the first byte of an HTTP reply; the reply is
/// then read in full and returned.
pub async fn time_to_first_byte(address: SocketAddr) -> Result<(Duration, String)> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut first = [0u8; 1];
    if stream.read(&mut first).await? == 0 {
        bail!("connection closed before the first byte");
    }
    let elapsed = started.elapsed();
    let mut rest = (&first[..]).chain(&mut stream);
    let (_, body) = read_response(&mut rest).await?;
    Ok((elapsed, body))
}
