//! The process's memory: the allocator, when freed memory goes back to the
//! system, the page size a build asks for, and what the allocator and the
//! system report.

/// Builds allocate many short-lived strings on two threads at once; mimalloc
/// handles that with far less time in the allocator than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands memory freed since the last call back to the system now, once the
/// build holds enough for its peak to matter. mimalloc keeps freed memory a
/// second before returning it; a big build frees tens of megabytes at a
/// time (the parser's scratch, the link index, each whole-handbook page
/// once written), so keeping them was a tenth of the peak at 10,000
/// playbooks. Returning every freed page sooner (a 50 ms delay) cost more
/// than this: pages given back mid-stage were zeroed again by the kernel
/// when reused. So memory goes back where a build has just let go of a lot,
/// and nowhere else (10,000 playbooks, 9 interleaved builds: 266 -> 267 MB
/// peak, 3.96 -> 3.84 s CPU). A small build keeps it all: at 1,000
/// playbooks, giving memory back meant 3,600 more page faults, about a
/// twelfth of the build's CPU time, to save 20 MB of a 80 MB peak.
pub(crate) fn release_freed_memory() {
    /// Memory the allocator holds, below which nothing is given back.
    const KEEP_BELOW: usize = 128 << 20;
    if Process::now().committed >= KEEP_BELOW {
        // SAFETY: no arguments to uphold; mimalloc's collection is thread-safe.
        unsafe { libmimalloc_sys::mi_collect(true) };
        // Each thread's heap gives back only what was freed into it, and most
        // is freed on the worker threads. Between stages they are idle and
        // collect at once; a worker asking mid-stage would wait for the
        // others, and while waiting it takes on their pages, half a stage's
        // worth, holding up the whole-handbook page it was writing.
        if rayon::current_thread_index().is_none() {
            // SAFETY: as above.
            rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
        }
    }
}

/// What the allocator and the system tell about this process.
pub(crate) struct Process {
    /// Bytes the allocator holds from the system.
    pub(crate) committed: usize,
    /// CPU time so far, user and system, in milliseconds.
    pub(crate) cpu_ms: usize,
}

impl Process {
    pub(crate) fn now() -> Process {
        let (mut user, mut system, mut committed) = (0, 0, 0);
        let none = std::ptr::null_mut();
        // SAFETY: each out-pointer is null (not wanted) or points to a live
        // local; mimalloc's statistics are thread-safe.
        unsafe {
            libmimalloc_sys::mi_process_info(none, &mut user, &mut system, none, none, &mut committed, none, none)
        };
        Process { committed, cpu_ms: user + system }
    }
}

/// Playbooks from which a build takes its memory in small pages.
const SMALL_PAGES_FROM: usize = 4_000;

/// Sets the build's memory up for `playbooks` playbooks, before it allocates
/// most of its memory. mimalloc asks for transparent huge pages, so each
/// thread's heap holds whole 2 MB pages, partly used, for every size of
/// block it has handed out: a big build's resident memory ran ~100 MB above
/// what it had allocated. With small pages from here on, the peak at 10,000
/// playbooks is 246-249 MB instead of 266-272 MB (medians of four sets of
/// 10-12 interleaved builds; the highest 252 MB instead of 276 MB), for -5%
/// to +5% CPU time across those sets (more TLB misses, fewer pages to
/// zero). A small build keeps huge pages: at 1,000 playbooks small pages
/// took 8% more CPU to save memory that does not matter there. Processes
/// started afterwards inherit the setting (the browser `serve --open`
/// starts, say); it changes only the size of their memory pages.
pub(crate) fn expect_playbooks(playbooks: usize) {
    #[cfg(target_os = "linux")]
    if playbooks >= SMALL_PAGES_FROM {
        // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only
        // the page size this process's memory is given from now on; it
        // fails harmlessly on kernels without it.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Current and peak resident memory, where the system tells (Linux).
pub(crate) fn resident(process: &Process) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map_or("?".to_string(), |v| v.trim().to_string())
    };
    format!("{} (peak {}, allocator {} kB)", field("VmRSS:"), field("VmHWM:"), process.committed >> 10)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn huge_pages_allowed() -> bool {
        // SAFETY: PR_GET_THP_DISABLE takes no pointer and only reads.
        unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0 }
    }

    #[test]
    fn only_a_big_build_asks_for_small_pages() {
        // The setting is inherited: a parent may have turned huge pages off
        // already. No other test changes it.
        let before = huge_pages_allowed();
        expect_playbooks(SMALL_PAGES_FROM - 1);
        assert_eq!(huge_pages_allowed(), before, "a small build leaves the setting as it was");
        expect_playbooks(SMALL_PAGES_FROM);
        assert!(!huge_pages_allowed());
    }
}
