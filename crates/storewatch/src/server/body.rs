//! A pushed body, read by the (blocking) CSV parser as it arrives, so an
//! ingest never holds the whole body in memory: a task pulls the body's
//! frames and hands them over a small bounded queue.

use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body_util::BodyExt;
use tokio::sync::mpsc;

/// Frames queued between the network and the parser (each at most a few
/// dozen KiB): enough to keep both busy, little enough to not matter.
const QUEUED_FRAMES: usize = 8;

/// Why the body was cut off: it is larger than the service accepts.
#[derive(Debug)]
pub struct BodyTooLarge {
    pub limit: u64,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the body is larger than {} bytes", self.limit)
    }
}

impl std::error::Error for BodyTooLarge {}

/// A [`Read`] over a request body. Reading blocks, so it belongs on a
/// blocking thread; dropping it stops the body being read.
pub struct BodyReader {
    frames: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl BodyReader {
    /// Starts reading `body` on the current runtime. The reader fails with
    /// [`io::ErrorKind::FileTooLarge`] (holding a [`BodyTooLarge`]) once more
    /// than `limit` bytes came, and with [`io::ErrorKind::TimedOut`] when no
    /// byte came for `stall`: a client that stops sending must not hold a
    /// parser thread forever.
    pub fn spawn(body: Body, limit: u64, stall: Duration) -> BodyReader {
        let (tx, rx) = mpsc::channel(QUEUED_FRAMES);
        tokio::spawn(async move {
            let mut body = body;
            let mut received: u64 = 0;
            loop {
                let item = match tokio::time::timeout(stall, body.frame()).await {
                    Err(_) => Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no byte of the body came for {} s", stall.as_secs()),
                    )),
                    Ok(None) => return,
                    Ok(Some(Err(e))) => {
                        Err(io::Error::other(format!("the body could not be read: {e}")))
                    }
                    Ok(Some(Ok(frame))) => {
                        let Ok(data) = frame.into_data() else {
                            continue; // trailers carry nothing to parse
                        };
                        received = received.saturating_add(data.len() as u64);
                        if received > limit {
                            Err(io::Error::new(
                                io::ErrorKind::FileTooLarge,
                                BodyTooLarge { limit },
                            ))
                        } else {
                            Ok(data)
                        }
                    }
                };
                let last = item.is_err();
                // The parser is gone (it stopped at an error): stop reading.
                if tx.send(item).await.is_err() || last {
                    return;
                }
            }
        });
        BodyReader {
            frames: rx,
            current: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.frames.blocking_recv() {
                Some(Ok(data)) => self.current = data,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(body: Body, limit: u64) -> io::Result<Vec<u8>> {
        let mut reader = BodyReader::spawn(body, limit, Duration::from_secs(5));
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            reader.read_to_end(&mut out).map(|_| out)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn reads_every_byte_in_order() {
        let chunks: Vec<Result<Bytes, io::Error>> =
            (0..100u8).map(|i| Ok(Bytes::from(vec![i; 1000]))).collect();
        let body = Body::from_stream(tokio_stream_of(chunks));
        let out = read_all(body, 1_000_000).await.unwrap();
        assert_eq!(out.len(), 100_000);
        assert!(
            out.chunks(1000)
                .enumerate()
                .all(|(i, c)| c == vec![i as u8; 1000])
        );
    }

    #[tokio::test]
    async fn a_body_over_the_limit_fails_as_too_large() {
        let body = Body::from(vec![b'x'; 10_001]);
        let err = read_all(body, 10_000).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(err.get_ref().unwrap().is::<BodyTooLarge>());
        // Exactly at the limit is fine.
        assert_eq!(
            read_all(Body::from(vec![b'x'; 10_000]), 10_000)
                .await
                .unwrap()
                .len(),
            10_000
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_times_out() {
        let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(1);
        tx.send(Ok(Bytes::from_static(b"store_id"))).await.unwrap();
        let body = Body::from_stream(ReceiverStream(rx));
        let mut reader = BodyReader::spawn(body, 1000, Duration::from_secs(30));
        // A plain thread, not spawn_blocking: the paused clock only jumps
        // ahead while the runtime has nothing to do.
        let (done, read) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = done.send(reader.read_to_end(&mut out).map(|_| out));
        });
        // The sender stays alive and silent.
        let err = read.await.unwrap().unwrap_err();
        drop(tx);
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    /// A stream of ready items (no stream crate needed for a test).
    fn tokio_stream_of(
        items: Vec<Result<Bytes, io::Error>>,
    ) -> ReceiverStream<Result<Bytes, io::Error>> {
        let (tx, rx) = mpsc::channel(items.len().max(1));
        for item in items {
            tx.try_send(item).unwrap();
        }
        ReceiverStream(rx)
    }

    struct ReceiverStream<T>(mpsc::Receiver<T>);

    impl<T> futures_util::Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}
