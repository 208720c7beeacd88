//! SQLite's own allocations go to mimalloc, as the rest of the process's do.
//!
//! SQLite allocates and frees all the time under load: a reader's page cache is dropped at the
//! start of every read that follows a commit (WAL mode), so its pages are allocated again page
//! by page; each `IN (…)` list builds a temporary B-tree with a cache of its own; a savepoint
//! keeps its journal in chunks of 1 KB. With the C library's allocator those showed as heap
//! growth and consolidation in the profiles of reads and writes alike.

use std::ffi::{c_int, c_void};
use std::sync::Once;

use libmimalloc_sys as mi;
use rusqlite::ffi;

unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
    // SAFETY: mimalloc's malloc accepts any size and returns null on failure, as SQLite expects.
    unsafe { mi::mi_malloc(n.max(0) as usize) }
}

unsafe extern "C" fn free(p: *mut c_void) {
    // SAFETY: SQLite frees only what `malloc` or `realloc` above returned (null is allowed).
    unsafe { mi::mi_free(p) }
}

unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    // SAFETY: `p` came from `malloc` or `realloc` above; SQLite never asks for a size below 1.
    unsafe { mi::mi_realloc(p, n.max(0) as usize) }
}

unsafe extern "C" fn size(p: *mut c_void) -> c_int {
    // SAFETY: `p` came from `malloc` or `realloc` above; allocations stay far below 2 GB.
    unsafe { mi::mi_usable_size(p) as c_int }
}

unsafe extern "C" fn roundup(n: c_int) -> c_int {
    (n + 7) & !7
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Hands SQLite mimalloc, once per process, before its first connection: SQLite takes an
/// allocator only before it initialises itself. Should a connection have been opened before
/// (a tool that opened one directly), SQLite keeps its own allocator and says so; that only
/// costs speed, so it is logged, not refused.
pub(super) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(malloc),
            xFree: Some(free),
            xRealloc: Some(realloc),
            xSize: Some(size),
            xRoundup: Some(roundup),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLITE_CONFIG_MALLOC takes a pointer to a `sqlite3_mem_methods`, which SQLite
        // copies before returning; every function in it is safe to call from any thread.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods) };
        if rc != ffi::SQLITE_OK {
            tracing::debug!("SQLite keeps its own allocator (code {rc}): it was initialised before");
        }
    });
}
