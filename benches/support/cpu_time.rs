//! The CPU time of the whole process, shared by the benchmarks: how the work grows is the
//! question they ask, and CPU time hardly moves when other processes share the machine,
//! where wall time can grow tenfold.

use std::time::Duration;

/// The CPU time the whole process has used so far (every thread, user and system).
pub fn process_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill; the clock exists on Linux.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}
