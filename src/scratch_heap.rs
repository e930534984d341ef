//! The global allocator, mimalloc with a scratch heap for each file's analysis, so that what
//! outlives a file sits apart from what does not.
//!
//! A file's analysis allocates its syntax tree, scopes and tables (most of its memory, freed
//! when the file is done) interleaved with the summary and findings that live until the
//! project is linked. In one heap, every page of the tree keeps a few live objects of the
//! summary, and the run's peak memory holds those pages whole: on the benchmark corpus, 75
//! to 90 MiB of the peak RSS was memory no object used. Under [`ScratchAllocator`],
//! [`keep_result`] runs the analysis with its allocations in a scratch heap, copies what it
//! returns into the main heap, and frees the original: the scratch pages are reused by the
//! next file, and the kept objects share pages only with kept objects.
//!
//! The command line makes [`ScratchAllocator`] its global allocator and calls [`enable`].
//! Under any other allocator (a library user, the tests), [`keep_result`] just runs the work.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys::{
    mi_free, mi_heap_new, mi_heap_realloc_aligned, mi_heap_t, mi_heap_zalloc_aligned,
    mi_malloc_aligned, mi_realloc_aligned, mi_zalloc_aligned,
};

/// mimalloc, allocating in the scratch heap while this thread is inside [`keep_result`].
pub struct ScratchAllocator;

// mimalloc 3's allocation in a thread's own view of a heap (mimalloc.h, "theap"), which the
// -sys crate binds only for mimalloc 2. Allocating through the view skips the lookup of
// this thread's view that every `mi_heap_malloc_aligned` makes.
unsafe extern "C" {
    fn mi_heap_theap(heap: *mut mi_heap_t) -> *mut c_void;
    fn mi_theap_malloc_aligned(theap: *mut c_void, size: usize, alignment: usize) -> *mut c_void;
}

thread_local! {
    /// This thread's view of the heap it allocates in; null for mimalloc's default. A
    /// `const` cell with no destructor: the allocator reads it, so it must never allocate
    /// or register one.
    static CURRENT: Cell<*mut c_void> = const { Cell::new(std::ptr::null_mut()) };
}

fn current_theap() -> *mut c_void {
    // A thread being torn down has no cell left: its allocations go to the default heap.
    CURRENT.try_with(Cell::get).unwrap_or(std::ptr::null_mut())
}

/// The scratch heap, for the calls that take a heap rather than a thread's view of it.
fn scratch_heap() -> *mut mi_heap_t {
    SCRATCH.get().map_or(std::ptr::null_mut(), |heap| heap.0)
}

// SAFETY: every block comes from mimalloc with the layout's size and alignment, and any
// block, from any heap and any thread, is freed by `mi_free` (mimalloc.h: heaps are
// first-class and their blocks can be freed from any thread). A thread has a view of the
// scratch heap only once that heap exists.
unsafe impl GlobalAlloc for ScratchAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let theap = current_theap();
        // SAFETY: mimalloc's allocation functions take any size and power-of-two alignment.
        unsafe {
            if theap.is_null() {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            } else {
                mi_theap_malloc_aligned(theap, layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if current_theap().is_null() {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            } else {
                mi_heap_zalloc_aligned(scratch_heap(), layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, that is by mimalloc.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by mimalloc with `layout`'s alignment.
        unsafe {
            if current_theap().is_null() {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            } else {
                mi_heap_realloc_aligned(scratch_heap(), ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The scratch heap, made at its first use and never deleted; every thread allocates in
/// pages of its own in it.
static SCRATCH: OnceLock<ScratchHeap> = OnceLock::new();

struct ScratchHeap(*mut mi_heap_t);

// SAFETY: a mimalloc 3 heap is usable from any thread (mimalloc.h: "Heaps: first-class. Can
// allocate from any thread (and be free'd from any thread)").
unsafe impl Send for ScratchHeap {}
unsafe impl Sync for ScratchHeap {}

/// Turns scratch heaps on; only under [`ScratchAllocator`] does that change anything but
/// the cost of a copy.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Runs `work` with this thread's allocations in the scratch heap, then returns a copy of
/// its result made in the main heap, and frees the original (a block returns to its own
/// page whichever heap this thread allocates in).
pub fn keep_result<T: Clone>(work: impl FnOnce() -> T) -> T {
    if !ENABLED.load(Ordering::Relaxed) {
        return work();
    }
    // SAFETY: mi_heap_new has no preconditions; it returns null when out of memory.
    let heap = SCRATCH
        .get_or_init(|| ScratchHeap(unsafe { mi_heap_new() }))
        .0;
    if heap.is_null() {
        return work();
    }
    // SAFETY: `heap` is a live heap, never deleted.
    let theap = unsafe { mi_heap_theap(heap) };
    if theap.is_null() {
        return work();
    }
    let made = {
        let _inside = InScratch::enter(theap);
        work()
    };
    let kept = made.clone();
    drop(made);
    kept
}

/// While it lives, this thread allocates in a given view of a heap; dropped (also when the
/// work panics), it allocates where it did before.
struct InScratch(*mut c_void);

impl InScratch {
    fn enter(theap: *mut c_void) -> Self {
        Self(CURRENT.with(|cell| cell.replace(theap)))
    }
}

impl Drop for InScratch {
    fn drop(&mut self) {
        CURRENT.with(|cell| cell.set(self.0));
    }
}
