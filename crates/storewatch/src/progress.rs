//! Progress for long work: shown on a terminal, silent otherwise (pipes, CI,
//! cron), so scripted use gets only the result.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    enabled: bool,
    started: Instant,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    /// Says what is happening now, replacing the previous message.
    pub fn step(&self, what: &str) {
        if self.enabled {
            let secs = self.started.elapsed().as_secs_f64();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K[{secs:5.1}s] {what}…");
            let _ = err.flush();
        }
    }

    /// Clears the progress line.
    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

/// 1822080 → "1,822,080".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_822_080), "1,822,080");
    }
}
