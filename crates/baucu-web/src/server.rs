//! The node's listener. Every delegate's laptop in the hall can reach it, so what a stranger can hold
//! open is bounded: connections in total and per source address (sized to the process's open-file
//! limit), the time to finish a TLS handshake and to send a request's headers (which also closes idle
//! kept-alive connections), the size of the headers, and — in the router — the public live-update
//! streams. A connection over a cap is closed at once, before anything is read from it, so the
//! sockets of the counting teams are never queued behind a flood.
//!
//! With TLS (the default of `baucu serve`), a plain-HTTP request on the same port — a clerk typing
//! the address without `https://` — gets a redirect to the HTTPS address instead of garbage.

use crate::gate::AddressGate;
use crate::{App, RouterOptions, router_with};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

/// How long a stopping node waits for requests in flight before it closes what is left (live
/// streams never end by themselves). Every acknowledged ballot is already on disk.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What strangers can hold open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, in all.
    pub connections: usize,
    /// Connections open at once from one address (a browser opens up to six per host).
    pub connections_per_address: usize,
    /// Live-update streams (`/results/events`, `/rounds/{id}/events`) at once, in all.
    pub streams: usize,
    /// Live-update streams at once from one address.
    pub streams_per_address: usize,
    /// Time to finish the TLS handshake (or to send a first byte).
    pub handshake_timeout: Duration,
    /// Time to send a request's headers; an idle kept-alive connection is closed after it too.
    pub header_timeout: Duration,
    /// The largest request head (request line and headers), in bytes.
    pub max_header_bytes: usize,
}

/// Open files kept for the database, its journal, backups, logs and the listener.
const RESERVED_FILES: u64 = 64;

impl Limits {
    /// Limits sized to a process that may open `open_files` files: three quarters of what is left
    /// after the reserve go to connections, a quarter of those to live streams.
    pub fn for_open_files(open_files: u64) -> Limits {
        let spare = open_files.saturating_sub(RESERVED_FILES);
        let connections = usize::try_from(spare * 3 / 4).unwrap_or(usize::MAX).clamp(32, 4096);
        Limits {
            connections,
            connections_per_address: 32,
            streams: (connections / 4).max(8),
            streams_per_address: 8,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(15),
            max_header_bytes: 16 * 1024,
        }
    }

    /// Limits for this process, from its open-file limit where the system says it (Linux); 1,024
    /// files, the usual default, where it does not.
    pub fn for_this_process() -> Limits {
        Limits::for_open_files(open_files_limit().unwrap_or(1024))
    }
}

/// The soft limit on open files of this process, from `/proc/self/limits`.
fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// How the node serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// HTTPS with this configuration; plain HTTP when `None`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub limits: Limits,
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: App,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = options.limits;
    let router = router_with(
        app,
        RouterOptions {
            secure_cookies: options.tls.is_some(),
            streams: AddressGate::new(limits.streams, limits.streams_per_address),
        },
    );
    serve_router(listener, router, options, shutdown).await
}

/// Serves `router` (the node's, or the aggregator's) on `listener` with the same caps and timeouts
/// until `shutdown` completes.
pub async fn serve_router(
    listener: TcpListener,
    router: axum::Router,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = options.limits;
    let acceptor = options.tls.map(tokio_rustls::TlsAcceptor::from);
    let connections = AddressGate::new(limits.connections, limits.connections_per_address);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or a connection reset before it was taken: keep
                    // serving the connections already open and try again shortly.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(pass) = connections.try_enter(peer.ip()) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (router, acceptor, watcher) = (router.clone(), acceptor.clone(), graceful.watcher());
        tokio::spawn(async move {
            let _pass = pass;
            connection(stream, peer, router, acceptor, limits, watcher).await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: axum::Router,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    watcher: Watcher,
) {
    let app = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move { tower::Service::call(&mut router, request).await }
    });
    let Some(acceptor) = acceptor else {
        http1(stream, app, &limits, watcher).await;
        return;
    };
    let mut first = [0u8; 1];
    match tokio::time::timeout(limits.handshake_timeout, stream.peek(&mut first)).await {
        Ok(Ok(1)) => {}
        _ => return,
    }
    // Every TLS connection starts with a handshake record (0x16); anything else is plain HTTP.
    if first[0] != 0x16 {
        let local = stream.local_addr().ok();
        let redirect = hyper::service::service_fn(move |request: Request<Incoming>| async move {
            Ok::<_, Infallible>(to_https(&request, local))
        });
        http1(stream, redirect, &limits, watcher).await;
        return;
    }
    let Ok(Ok(secured)) = tokio::time::timeout(limits.handshake_timeout, acceptor.accept(stream)).await
    else {
        return;
    };
    http1(secured, app, &limits, watcher).await;
}

async fn http1<I, S>(io: I, service: S, limits: &Limits, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = Response<Body>, Error = Infallible>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192) * 4)
        .max_header_size(limits.max_header_bytes);
    let served = watcher.watch(builder.serve_connection(TokioIo::new(io), service)).await;
    if let Err(e) = served {
        tracing::debug!("connection ended: {e}");
    }
}

/// The answer to plain HTTP on the HTTPS port: the same path on `https://`, on the host the browser
/// asked for when it is a plain host name or address.
fn to_https(request: &Request<Incoming>, local: Option<SocketAddr>) -> Response<Body> {
    let asked =
        request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_plain_host(h));
    let host = match (asked, local) {
        (Some(h), _) => h.to_owned(),
        (None, Some(local)) => local.to_string(),
        (None, None) => "localhost".to_owned(),
    };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let path = if path.starts_with('/') && !path.starts_with("//") { path } else { "/" };
    let location = format!("https://{host}{path}");
    let mut response = Response::new(Body::from(format!(
        "Máy chủ baucu chỉ phục vụ qua kết nối mã hóa. Hãy mở {location}\n"
    )));
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    response
}

/// A host name or address with an optional port: letters, digits, `.`, `-`, `:`, `[`, `]`.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_fit_the_usual_open_file_limit() {
        let l = Limits::for_open_files(1024);
        assert_eq!(l.connections, 720);
        assert_eq!(l.streams, 180);
        assert!(l.connections + RESERVED_FILES as usize <= 1024);
        assert_eq!(Limits::for_open_files(10).connections, 32);
    }

    #[test]
    fn only_plain_hosts_go_into_the_redirect() {
        assert!(is_plain_host("192.168.1.10:8080"));
        assert!(is_plain_host("[::1]:8080"));
        assert!(is_plain_host("may-chu.local"));
        assert!(!is_plain_host("evil.example/x"));
        assert!(!is_plain_host("a@evil.example"));
        assert!(!is_plain_host(""));
    }
}
