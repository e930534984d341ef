//! The scratch heap of `loopwarden::scratch_heap`, under the allocator the command line
//! uses: the work allocates in the scratch heap, what it returns is copied to the main
//! heap, and the thread is back in the main heap afterwards, also after a panic.

use std::ffi::c_void;

use loopwarden::scratch_heap::{ScratchAllocator, enable, keep_result};

#[global_allocator]
static GLOBAL: ScratchAllocator = ScratchAllocator;

// mimalloc 3's heap queries (mimalloc.h), which the -sys crate does not bind.
unsafe extern "C" {
    fn mi_heap_of(p: *const c_void) -> *mut c_void;
    fn mi_heap_main() -> *mut c_void;
}

fn in_main_heap<T>(p: *const T) -> bool {
    // SAFETY: both take any pointer; `p` points into a live block of this allocator.
    unsafe { mi_heap_of(p.cast()) == mi_heap_main() }
}

#[test]
fn the_work_allocates_in_scratch_and_its_result_is_copied_to_the_main_heap() {
    enable();
    let mut work_in_main_heap = None;
    let kept: Vec<String> = keep_result(|| {
        let made = vec!["summary".repeat(40); 3];
        work_in_main_heap = Some(in_main_heap(made.as_ptr()) || in_main_heap(made[0].as_ptr()));
        made
    });
    assert_eq!(
        work_in_main_heap,
        Some(false),
        "the work allocated in the main heap"
    );
    assert!(
        in_main_heap(kept.as_ptr()),
        "the kept vector is in the scratch heap"
    );
    assert!(kept.iter().all(|text| in_main_heap(text.as_ptr())));
    assert_eq!(kept, vec!["summary".repeat(40); 3]);
    let after = Box::new([0u8; 64]);
    assert!(
        in_main_heap(&*after),
        "the thread still allocates in the scratch heap"
    );
}

#[test]
fn a_panicking_work_leaves_the_thread_in_the_main_heap() {
    enable();
    let outcome = std::panic::catch_unwind(|| {
        keep_result(|| -> Vec<u8> { panic!("a file's analysis failed") })
    });
    assert!(outcome.is_err());
    let after = Box::new([0u8; 64]);
    assert!(
        in_main_heap(&*after),
        "the thread still allocates in the scratch heap"
    );
}
