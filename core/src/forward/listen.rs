//! The local side: listening on the address and port the user asked for.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::TcpListener;

use super::error::ForwardError;

/// Listens on `address:port`. `localhost` means 127.0.0.1 and, when the
/// machine has IPv6, ::1 (as kubectl does); a name is resolved and every
/// address it has is listened on.
pub async fn bind(address: &str, port: u16) -> Result<Vec<TcpListener>, ForwardError> {
    let (required, optional): (Vec<SocketAddr>, Vec<SocketAddr>) = if address == "localhost" {
        (
            vec![SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)],
            vec![SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port)],
        )
    } else if let Ok(ip) = address.trim_matches(['[', ']']).parse::<IpAddr>() {
        (vec![SocketAddr::new(ip, port)], Vec::new())
    } else {
        let resolved = tokio::net::lookup_host((address, port))
            .await
            .map_err(|e| ForwardError::Address {
                address: address.to_string(),
                reason: e.to_string(),
            })?
            .collect::<Vec<_>>();
        if resolved.is_empty() {
            return Err(ForwardError::Address {
                address: address.to_string(),
                reason: "the name resolves to no address".to_string(),
            });
        }
        (resolved, Vec::new())
    };
    let mut listeners = Vec::new();
    for socket in required {
        listeners.push(bind_one(address, socket).await?);
    }
    for socket in optional {
        if let Ok(listener) = TcpListener::bind(socket).await {
            listeners.push(listener);
        }
    }
    Ok(listeners)
}

async fn bind_one(address: &str, socket: SocketAddr) -> Result<TcpListener, ForwardError> {
    TcpListener::bind(socket)
        .await
        .map_err(|source| match source.kind() {
            ErrorKind::AddrInUse => ForwardError::PortInUse {
                address: address.to_string(),
                port: socket.port(),
            },
            ErrorKind::AddrNotAvailable => ForwardError::Address {
                address: address.to_string(),
                reason: format!("{} is not an address of this machine", socket.ip()),
            },
            _ => ForwardError::Listen {
                address: address.to_string(),
                port: socket.port(),
                source,
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_port_in_use_is_reported_as_such() {
        let taken = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = taken.local_addr().expect("addr").port();
        let err = bind("127.0.0.1", port).await.unwrap_err();
        assert!(
            matches!(err, ForwardError::PortInUse { port: p, .. } if p == port),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!("local port {port} on 127.0.0.1 is already in use")
        );
    }

    #[tokio::test]
    async fn localhost_listens_on_the_ipv4_loopback_at_least() {
        let listeners = bind("localhost", 0).await.expect("bind");
        assert!(listeners.iter().any(|l| {
            l.local_addr()
                .is_ok_and(|a| a.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST))
        }));
    }

    #[tokio::test]
    async fn an_address_of_another_machine_is_refused() {
        let err = bind("192.0.2.1", 0).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("192.0.2.1 is not an address of this machine"),
            "{err}"
        );
    }
}
