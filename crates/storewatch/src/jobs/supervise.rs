//! Supervision of the background loops: a loop that panics is logged and
//! started again, so a bug that kills the report workers or the re-ingest
//! once does not leave the service answering while nothing works behind it.

use std::future::Future;
use std::time::Duration;

/// How long a panicked loop waits before it starts again (a loop that
/// panics at once must not spin).
const RESTART_DELAY: Duration = Duration::from_secs(1);

/// Runs the loop `start` makes until it returns; a panic restarts it (a
/// fresh one from `start`), after [`RESTART_DELAY`].
pub async fn supervise<F, Fut>(part: &'static str, mut start: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    supervise_with(part, &mut start, RESTART_DELAY).await;
}

async fn supervise_with<F, Fut>(part: &'static str, start: &mut F, delay: Duration)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        match tokio::spawn(start()).await {
            Ok(()) => return,
            Err(e) if e.is_panic() => {
                let panic = e.into_panic();
                let what = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                tracing::error!(
                    part,
                    panic = what,
                    "a background task panicked; starting it again"
                );
                tokio::time::sleep(delay).await;
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_panicking_loop_is_started_again_until_it_returns() {
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        let mut start = move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < 2 {
                    panic!("loop died");
                }
            }
        };
        supervise_with("test", &mut start, Duration::from_secs(1)).await;
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }
}
