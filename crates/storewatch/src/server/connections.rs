//! Accepting and serving connections (HTTP/1.1), in place of `axum::serve`,
//! which sets no timer: a client that sends half a request header, or keeps
//! an idle connection open, would hold it forever. Here the header of every
//! request must arrive within [`HEADER_READ_TIMEOUT`], counted from when the
//! connection is ready for it, so an idle keep-alive connection is closed
//! after that long too. Each connection is its own task: a slow one never
//! holds up another.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a request's header may take to arrive, and an idle keep-alive
/// connection may stay open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long open connections get to finish their requests at shutdown.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `true` is sent on `stop`; then stops
/// accepting, and waits for the requests under way (at most [`DRAIN`]).
pub async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    serve_with(listener, app, &mut stop, HEADER_READ_TIMEOUT).await;
}

async fn serve_with(
    listener: TcpListener,
    app: Router,
    stop: &mut watch::Receiver<bool>,
    header_timeout: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather
                    // than spin; the connections we have will free some.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // The watch's guard is dropped inside: it must not be held
            // across the await in the accept arm.
            _ = async { stop.wait_for(|stop| *stop).await.is_ok() } => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(|req: axum::http::Request<Incoming>| req.map(Body::new));
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            seconds = DRAIN.as_secs(),
            "connections still open at shutdown were closed"
        );
    }
}

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    async fn start(header_timeout: Duration) -> (std::net::SocketAddr, watch::Sender<bool>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/", get(|| async { "ok" }));
        let (tx, mut rx) = watch::channel(false);
        tokio::spawn(async move { serve_with(listener, app, &mut rx, header_timeout).await });
        (addr, tx)
    }

    /// Reads until the server closes the connection; what it sent.
    async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn half_a_header_is_given_up_after_the_timeout() {
        let (addr, _stop) = start(Duration::from_millis(300)).await;
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        // Closed by the server (before, it stayed open forever).
        let closed = tokio::time::timeout(Duration::from_secs(10), until_closed(&mut slow)).await;
        assert!(closed.is_ok(), "the connection was still open after 10 s");
        // Another client is served meanwhile and after.
        let mut fast = tokio::net::TcpStream::connect(addr).await.unwrap();
        fast.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        assert!(until_closed(&mut fast).await.starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed() {
        let (addr, _stop) = start(Duration::from_millis(300)).await;
        let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let answer = tokio::time::timeout(Duration::from_secs(10), until_closed(&mut idle))
            .await
            .expect("the idle connection was still open after 10 s");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
