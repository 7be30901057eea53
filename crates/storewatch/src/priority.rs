//! In the service, the report math yields the CPU to requests.
//!
//! A report computes on rayon's threads, one per core, while the next stores
//! are read; on a small machine that is every core, and a status poll
//! arriving meanwhile waits for a time slice. The service runs rayon's
//! threads at a lower priority (nice 10), so requests go first and the report
//! takes what is left. The command line does not: its report is the only
//! work there is.
//!
//! The one module of storewatch with `unsafe` (two libc calls).
#![allow(unsafe_code)]

/// The niceness of the report math's threads in the service.
pub const REPORT_MATH_NICE: i32 = 10;

/// Builds rayon's global pool with its threads at [`REPORT_MATH_NICE`].
/// Call before any report is computed; a pool already built (a test that
/// computed before) is left as it is, which only costs latency.
pub fn report_math_yields_to_requests() {
    let built = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("report-math-{i}"))
        .start_handler(|_| lower_this_thread(REPORT_MATH_NICE))
        .build_global();
    if let Err(e) = built {
        tracing::debug!(error = %e, "rayon's pool was built before: its threads keep their priority");
    }
}

/// Sets the calling thread's niceness (Linux schedules threads on their
/// own, so only this thread changes). Best effort: a failure is logged.
#[cfg(target_os = "linux")]
pub fn lower_this_thread(nice: i32) {
    // SAFETY: plain system calls on the calling thread's own id.
    let failed = unsafe {
        let tid = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice) != 0
    };
    if failed {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "could not lower a report thread's priority"
        );
    }
}

#[cfg(not(target_os = "linux"))]
pub fn lower_this_thread(_nice: i32) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The calling thread's niceness.
    fn nice_of_this_thread() -> i32 {
        // SAFETY: plain system calls on the calling thread's own id.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    #[test]
    fn only_the_calling_thread_is_lowered() {
        let before = nice_of_this_thread();
        let lowered = std::thread::spawn(|| {
            super::lower_this_thread(super::REPORT_MATH_NICE);
            nice_of_this_thread()
        })
        .join()
        .unwrap();
        if before <= super::REPORT_MATH_NICE {
            assert_eq!(lowered, super::REPORT_MATH_NICE);
        }
        assert_eq!(
            nice_of_this_thread(),
            before,
            "the caller's thread changed too"
        );
    }
}
