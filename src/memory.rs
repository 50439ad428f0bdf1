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

/// mimalloc's `mi_option_purge_delay`, which libmimalloc-sys names no
/// constant for. mimalloc keeps its options' numbers stable (retired
/// options keep their places), and a test checks this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps memory freed from now on instead of handing it back to the system,
/// for a process about to end. At exit mimalloc collects the main thread's
/// heap and hands back what was freed, 64 KB at a time (167 calls at 1,000
/// playbooks), splitting the huge pages it sits in, just before the system
/// takes all of the process's memory back at once. With purging off from
/// here, a build takes 1.5% less CPU time at 1,000 and 10,000 playbooks (36
/// and 12 interleaved runs), 2% less wall time at 10,000.
pub fn keep_freed_memory() {
    // SAFETY: options take plain integers and may be set at any time; -1 turns purging off.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reading an option takes a plain integer.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    #[test]
    fn kept_memory_turns_purging_off() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // Only the purge delay defaults to 1,000 ms: a different number
            // here means mimalloc renumbered its options.
            assert_eq!(purge_delay(), 1000, "option {MI_OPTION_PURGE_DELAY} is not mimalloc's purge delay");
        }
        let before = purge_delay();
        keep_freed_memory();
        let kept = purge_delay();
        // SAFETY: as in keep_freed_memory. Other tests go on with purging as it was.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, before) };
        assert_eq!(kept, -1);
    }

    #[cfg(target_os = "linux")]
    fn huge_pages_allowed() -> bool {
        // SAFETY: PR_GET_THP_DISABLE takes no pointer and only reads.
        unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0 }
    }

    #[cfg(target_os = "linux")]
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
