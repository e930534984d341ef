//! A bump arena for syntax trees: while a file is parsed, its thread allocates from a region
//! of its own, and when the file's analysis is done the region is rewound for the next file
//! instead of the tree being freed block by block.
//!
//! Why: a syntax tree is hundreds of thousands of small blocks that all die together. Given
//! to the general allocator one at a time, they cost a call each to allocate and a call each
//! to free (a walk of the whole tree), and their pages end up shared with the summaries
//! that outlive the file. In a region an allocation is a pointer bump, a free is a range
//! check, and every file's tree reuses the same pages. On the benchmark corpus this took
//! 3 % off the instructions and about 4 % off the CPU time of a cold run
//! (`docs/performance.md`).
//!
//! How: [`ParseArena`] wraps the program's global allocator. [`in_arena`] makes the current
//! thread allocate from a leased region while it runs its closure (the parse, and nothing
//! else) and returns the value in an [`InArena`]; dropping that rewinds the region and
//! returns it to the pool. Blocks of a region are never freed one by one (`dealloc` ignores
//! them); a block of a region that grows after [`in_arena`] returned moves to the wrapped
//! allocator.
//!
//! The contract of [`in_arena`]: everything its closure allocates and keeps is owned by its
//! result. A parse keeps it: `ruff_python_parser` stores no allocation anywhere but in the
//! tree it returns (it fills no lazily built static while parsing). A region that runs out
//! (a tree larger than its [`Config::region_size`]), or a thread that finds no region free,
//! takes the rest from the wrapped allocator, and that tree is dropped normally.
//!
//! What dropping an [`InArena`] does to its value is the [`Config::trees`] setting: see
//! [`TreeEnd`]. Without [`enable`] (the library's tests, an embedding program, a platform
//! without `mmap`), [`in_arena`] only runs its closure.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// How many regions can be leased at once: one per thread parsing a file. A thread past
/// them parses with the wrapped allocator.
const REGIONS: usize = 64;
/// The address space reserved for all regions, whatever their size: reserved, not
/// allocated (pages become usable as a region fills, and only touched pages are resident).
#[cfg(target_pointer_width = "64")]
const RESERVED_SIZE: usize = 16 << 30;
#[cfg(not(target_pointer_width = "64"))]
const RESERVED_SIZE: usize = 256 << 20;

/// What becomes of a tree parsed in a region when its [`InArena`] is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeEnd {
    /// Dropped like any value, then the region rewound. For processes that run for long
    /// (the language server, `--watch`): nothing the tree took from the wrapped allocator
    /// after its parse is kept.
    Dropped,
    /// Forgotten, and the region rewound without a walk of the tree (1.7 % of a cold
    /// run's instructions). A block the tree took from the wrapped allocator after its
    /// parse is never freed: `ruff_python_ast` builds the text of an implicitly
    /// concatenated string literal on its first read, a few bytes. For a run that ends when
    /// its files are checked.
    Forgotten,
}

/// How [`enable`] sets the regions up.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// What dropping an [`InArena`] does to its value.
    pub trees: TreeEnd,
    /// The bytes of each region, at most its share of the reserved address space (16 GiB
    /// for 64 regions, so 256 MiB, on a 64-bit system).
    pub region_size: usize,
    /// Bytes made usable at a time as a region fills.
    pub commit_step: usize,
    /// Bytes a rewound region keeps resident for the next tree; the rest of its pages go
    /// back to the system (after a very large file).
    pub keep_resident: usize,
    /// The size from which a block of a region that grows and cannot grow where it is
    /// (another block follows it) moves to the wrapped allocator rather than to the end of
    /// the region, and the value is then dropped normally. Its old bytes stay in the region
    /// until it is rewound: a vector doubling there leaves as many dead bytes as it ends up
    /// holding, which on a file of many megabytes (its token vector, its module's list of
    /// statements) raised the peak by a third.
    pub spill_size: usize,
}

impl Config {
    pub const fn new(trees: TreeEnd) -> Self {
        Config {
            trees,
            region_size: RESERVED_SIZE / REGIONS,
            commit_step: 4 << 20,
            keep_resident: 16 << 20,
            spill_size: 1 << 20,
        }
    }
}

/// The start of the address range reserved for all regions. Until it is reserved, a range
/// at the top of the address space, where no user-space block lies, so that
/// [`in_reserved`] is one subtraction and one comparison either way.
static RESERVED_START: AtomicUsize = AtomicUsize::new(usize::MAX - RESERVED_SIZE + 1);
/// Whether [`enable`] succeeded.
static ENABLED: AtomicBool = AtomicBool::new(false);
/// [`Config`]'s fields, as set by [`enable`].
static FORGET_TREES: AtomicBool = AtomicBool::new(false);
static REGION_SIZE: AtomicUsize = AtomicUsize::new(0);
static COMMIT_STEP: AtomicUsize = AtomicUsize::new(0);
static KEEP_RESIDENT: AtomicUsize = AtomicUsize::new(0);
static SPILL_SIZE: AtomicUsize = AtomicUsize::new(usize::MAX);
/// One bit per region: set when the region is free to lease.
static FREE_REGIONS: AtomicU64 = AtomicU64::new(u64::MAX);

const _: () = assert!(REGIONS == u64::BITS as usize);

/// The state of one region, touched only by the thread holding its lease. Addresses, not
/// offsets: a bump is then a few instructions. Each on cache lines of its own: two threads
/// bump two regions at once, and regions side by side in one line would pass it back and
/// forth between the cores at every allocation (128 bytes: a line and the one the
/// prefetcher pairs with it).
#[repr(align(128))]
struct Region {
    /// The region's first byte (set by [`enable`]).
    start: Cell<usize>,
    /// The first byte not handed out.
    next: Cell<usize>,
    /// The end of the bytes made readable and writable.
    usable_end: Cell<usize>,
    /// Set when an allocation did not fit, or a large block grew out of the region
    /// ([`Config::spill_size`]), and went to the wrapped allocator: the value is then
    /// dropped normally, whatever [`TreeEnd`] says.
    overflowed: Cell<bool>,
}

struct Regions([Region; REGIONS]);

// No two regions' cells on one cache line (nor on a prefetched pair of lines).
const _: () = assert!(std::mem::size_of::<Region>().is_multiple_of(128));

// SAFETY: a region's cells are written by `enable` before any lease, and then read and
// written only by the thread holding its lease: `FREE_REGIONS` hands each region to one
// thread at a time, with acquire and release ordering around it.
unsafe impl Sync for Regions {}

static REGION_TABLE: Regions = Regions(
    [const {
        Region {
            start: Cell::new(0),
            next: Cell::new(0),
            usable_end: Cell::new(0),
            overflowed: Cell::new(false),
        }
    }; REGIONS],
);

thread_local! {
    /// The region the current thread allocates from while [`in_arena`] runs its closure
    /// (null outside it).
    static ACTIVE: Cell<*const Region> = const { Cell::new(ptr::null()) };
}

#[inline(always)]
fn in_reserved(ptr: *mut u8) -> bool {
    (ptr as usize).wrapping_sub(RESERVED_START.load(Ordering::Relaxed)) < RESERVED_SIZE
}

/// The global allocator `A`, with parse regions beside it.
pub struct ParseArena<A> {
    inner: A,
}

impl<A> ParseArena<A> {
    pub const fn new(inner: A) -> Self {
        ParseArena { inner }
    }
}

impl<A: GlobalAlloc> ParseArena<A> {
    /// A block of `region` after making more of it usable, or the wrapped allocator's when
    /// the region is full.
    ///
    /// # Safety
    /// `region` is the current thread's active region; `layout` as `GlobalAlloc::alloc`
    /// takes it.
    #[cold]
    #[inline(never)]
    unsafe fn alloc_slow(&self, region: &Region, layout: Layout) -> *mut u8 {
        let mask = layout.align() - 1;
        let at = (region.next.get() + mask) & !mask;
        if let Some(end) = at.checked_add(layout.size())
            && make_usable(region, end)
        {
            region.next.set(end);
            return at as *mut u8;
        }
        region.overflowed.set(true);
        // SAFETY: the caller's layout.
        unsafe { self.inner.alloc(layout) }
    }

    /// A block of `region`.
    ///
    /// # Safety
    /// As [`Self::alloc_slow`].
    #[inline(always)]
    unsafe fn alloc_in(&self, region: &Region, layout: Layout) -> *mut u8 {
        // A layout's alignment is a power of two, and the reservation lies far below the
        // top of the address space: neither sum wraps.
        let mask = layout.align() - 1;
        let at = (region.next.get() + mask) & !mask;
        let end = at + layout.size();
        if end <= region.usable_end.get() {
            region.next.set(end);
            return at as *mut u8;
        }
        // SAFETY: the caller's.
        unsafe { self.alloc_slow(region, layout) }
    }

    /// `realloc` of a block of a region.
    ///
    /// # Safety
    /// As `GlobalAlloc::realloc`'s, for a block in a region.
    #[inline(never)]
    unsafe fn realloc_in_region(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ACTIVE` is null or the current thread's leased region.
        let active = unsafe { ACTIVE.get().as_ref() };
        if let Some(region) = active {
            let address = ptr as usize;
            // The last block handed out grows or shrinks where it is.
            if address >= region.start.get()
                && address + layout.size() == region.next.get()
                && let Some(end) = address.checked_add(new_size)
                && (end <= region.usable_end.get() || make_usable(region, end))
            {
                region.next.set(end);
                return ptr;
            }
        }
        // Any other block shrinks where it is: its tail stays unused until the region is
        // rewound, where moving it would copy it (the parser's token vector, shrunk to fit
        // once per file, was 0.8 % of a cold run's instructions).
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller's contract: `new_size` with this alignment is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let moved = match active {
            // A large block leaves the region, and its value is dropped normally: see
            // `Config::spill_size`.
            Some(region) if new_size >= SPILL_SIZE.load(Ordering::Relaxed) => {
                region.overflowed.set(true);
                // SAFETY: as above.
                unsafe { self.inner.alloc(new_layout) }
            }
            // SAFETY: as above.
            _ => unsafe { self.alloc(new_layout) },
        };
        if !moved.is_null() {
            // SAFETY: both blocks hold at least the smaller size, and a new block never
            // overlaps a live one.
            unsafe { ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size)) };
        }
        moved
    }
}

/// Makes `region` usable up to at least address `end`, in steps of `COMMIT_STEP`, within
/// the region's size.
fn make_usable(region: &Region, end: usize) -> bool {
    let start = region.start.get();
    let size = REGION_SIZE.load(Ordering::Relaxed);
    if end > start + size {
        return false;
    }
    let step = COMMIT_STEP.load(Ordering::Relaxed);
    let target = start + (end - start).next_multiple_of(step).min(size);
    let usable_end = region.usable_end.get();
    if !os::make_usable(usable_end, target - usable_end) {
        return false;
    }
    region.usable_end.set(target);
    true
}

// SAFETY: a block comes either from the wrapped allocator, with the layout asked, or from a
// region: aligned by `bump`, inside memory made readable and writable, and not handed out
// again before the region is rewound, which happens only when the `InArena` owning every
// live block of it is dropped (the contract of `in_arena`).
unsafe impl<A: GlobalAlloc> GlobalAlloc for ParseArena<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: `ACTIVE` is null or the current thread's leased region.
        if let Some(region) = unsafe { ACTIVE.get().as_ref() } {
            // SAFETY: that region; the caller's layout.
            return unsafe { self.alloc_in(region, layout) };
        }
        // SAFETY: the caller's layout.
        unsafe { self.inner.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        if let Some(region) = unsafe { ACTIVE.get().as_ref() } {
            // SAFETY: as in `alloc`.
            let block = unsafe { self.alloc_in(region, layout) };
            if !block.is_null() {
                // SAFETY: the block is `layout.size()` writable bytes; a rewound region
                // still holds the last tree's bytes.
                unsafe { ptr::write_bytes(block, 0, layout.size()) };
            }
            return block;
        }
        // SAFETY: the caller's layout.
        unsafe { self.inner.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_reserved(ptr) {
            return;
        }
        // SAFETY: a block of the wrapped allocator, with its layout.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if in_reserved(ptr) {
            // SAFETY: the caller's.
            return unsafe { self.realloc_in_region(ptr, layout, new_size) };
        }
        // SAFETY: a block of the wrapped allocator, as the caller's contract says.
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}

/// Reserves the regions' address space, for a program whose global allocator is a
/// [`ParseArena`]; `false` (and [`in_arena`] uses no region) when the system refuses it or
/// has no `mmap`. Called once, before the first [`in_arena`]: later calls change nothing.
pub fn enable(config: Config) -> bool {
    if ENABLED.load(Ordering::Acquire) {
        return true;
    }
    let region_size = config.region_size.min(RESERVED_SIZE / REGIONS);
    if region_size == 0 || config.commit_step == 0 {
        return false;
    }
    let Some(start) = os::reserve(RESERVED_SIZE) else {
        return false;
    };
    RESERVED_START.store(start, Ordering::Relaxed);
    for (index, region) in REGION_TABLE.0.iter().enumerate() {
        let region_start = start + index * region_size;
        region.start.set(region_start);
        region.next.set(region_start);
        region.usable_end.set(region_start);
    }
    REGION_SIZE.store(region_size, Ordering::Relaxed);
    COMMIT_STEP.store(config.commit_step, Ordering::Relaxed);
    KEEP_RESIDENT.store(config.keep_resident, Ordering::Relaxed);
    SPILL_SIZE.store(config.spill_size, Ordering::Relaxed);
    FORGET_TREES.store(config.trees == TreeEnd::Forgotten, Ordering::Relaxed);
    ENABLED.store(true, Ordering::Release);
    true
}

/// Which end of the pool a lease takes its region from.
#[derive(Clone, Copy)]
enum End {
    /// The lowest free region: a parse, leased and released once per file.
    Low,
    /// The highest, and only while more than this many regions stay free: a value held
    /// while many files are parsed ([`in_arena_held`]).
    High { leave_free: u32 },
}

fn lease(end: End) -> Option<usize> {
    if !ENABLED.load(Ordering::Acquire) {
        return None;
    }
    let mut free = FREE_REGIONS.load(Ordering::Acquire);
    loop {
        let index = match end {
            _ if free == 0 => return None,
            End::Low => free.trailing_zeros(),
            End::High { leave_free } if free.count_ones() <= leave_free => return None,
            End::High { .. } => u64::BITS - 1 - free.leading_zeros(),
        } as usize;
        match FREE_REGIONS.compare_exchange_weak(
            free,
            free & !(1 << index),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return Some(index),
            Err(now) => free = now,
        }
    }
}

/// Rewinds region `index`, which the caller leased, and returns it to the pool.
fn release(index: usize) {
    let region = &REGION_TABLE.0[index];
    region.next.set(region.start.get());
    region.overflowed.set(false);
    give_back(region, KEEP_RESIDENT.load(Ordering::Relaxed));
    FREE_REGIONS.fetch_or(1 << index, Ordering::AcqRel);
}

/// Gives the pages of `region` (leased by the caller, rewound) past its first `keep` bytes
/// back to the system. They stay usable and read as zeros when touched again.
fn give_back(region: &Region, keep: usize) {
    let kept_end = region.start.get() + keep;
    let usable_end = region.usable_end.get();
    if usable_end > kept_end {
        os::discard(kept_end, usable_end - kept_end);
    }
}

/// Gives every free region's pages back to the system: for when no file will be parsed
/// for a while (a run's analysis is over, and its link needs the memory).
pub fn trim() {
    for index in 0..REGIONS {
        let bit = 1 << index;
        if FREE_REGIONS.fetch_and(!bit, Ordering::AcqRel) & bit != 0 {
            give_back(&REGION_TABLE.0[index], 0);
            FREE_REGIONS.fetch_or(bit, Ordering::AcqRel);
        }
    }
}

/// Whether `ptr` lies in a parse region (for tests).
pub fn is_in_region<T: ?Sized>(ptr: *const T) -> bool {
    ENABLED.load(Ordering::Acquire) && in_reserved(ptr as *const u8 as *mut u8)
}

/// The index of no region.
const NO_REGION: usize = usize::MAX;

/// A value whose blocks may lie in a parse region, which it holds until dropped.
pub struct InArena<T> {
    value: ManuallyDrop<T>,
    region: usize,
}

impl<T> Deref for InArena<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Drop for InArena<T> {
    fn drop(&mut self) {
        let forget = self.region != NO_REGION
            && FORGET_TREES.load(Ordering::Relaxed)
            && !REGION_TABLE.0[self.region].overflowed.get();
        if !forget {
            // SAFETY: dropped once, here. Its blocks in the region are ignored by `dealloc`.
            unsafe { ManuallyDrop::drop(&mut self.value) };
        }
        if self.region != NO_REGION {
            release(self.region);
        }
    }
}

impl<T> InArena<T> {
    /// Whether the value was given a region (without one, its blocks are the wrapped
    /// allocator's: no region was free, or [`enable`] was not called or failed).
    pub fn has_region(&self) -> bool {
        self.region != NO_REGION
    }

    /// Runs `grow` on the value with the current thread allocating from the value's region
    /// again (from the wrapped allocator when it has none, or inside another arena's
    /// closure, as [`in_arena`] does there): for a value built a piece at a time, with work between the pieces that
    /// must not land in the region (a scratch buffer, a value that outlives this one). The
    /// contract of [`in_arena`] holds: what `grow` allocates and keeps is owned by the value.
    pub fn extend(&mut self, grow: impl FnOnce(&mut T)) {
        let outer = ACTIVE.get();
        let region = if outer.is_null() {
            REGION_TABLE.0.get(self.region)
        } else {
            None
        };
        ACTIVE.set(region.map_or(ptr::null(), ptr::from_ref));
        grow(&mut self.value);
        ACTIVE.set(outer);
    }
}

/// Runs `make` with the current thread allocating from a region of its own, when
/// [`enable`] succeeded and a region is free; see the module's contract. Inside another
/// `in_arena`'s closure, `make` allocates from the wrapped allocator.
pub fn in_arena<T>(make: impl FnOnce() -> T) -> InArena<T> {
    in_arena_from(End::Low, make)
}

/// [`in_arena`], for a value held while many files are parsed (the summaries a link will
/// read): its region comes from the other end of the pool, so that the parses keep
/// reusing the same few regions. A rewound region keeps [`Config::keep_resident`] bytes of
/// pages for the next tree, and parses that moved from region to region as held ones were
/// leased between them would keep that much in each.
///
/// It takes a region only while `leave_free` others stay free, for the parses running
/// meanwhile (one per thread): a parse without a region allocates a tree block by block,
/// a held value without one only loses its compactness. Without a region, `make` and
/// what it is later grown with come from the wrapped allocator.
pub fn in_arena_held<T>(leave_free: usize, make: impl FnOnce() -> T) -> InArena<T> {
    let leave_free = u32::try_from(leave_free).unwrap_or(u32::MAX);
    in_arena_from(End::High { leave_free }, make)
}

fn in_arena_from<T>(end: End, make: impl FnOnce() -> T) -> InArena<T> {
    let outer = ACTIVE.get();
    let region = if outer.is_null() {
        lease(end).unwrap_or(NO_REGION)
    } else {
        NO_REGION
    };
    ACTIVE.set(
        REGION_TABLE
            .0
            .get(region)
            .map_or(ptr::null(), ptr::from_ref),
    );
    let value = make();
    ACTIVE.set(outer);
    InArena {
        value: ManuallyDrop::new(value),
        region,
    }
}

/// The system calls behind the regions.
#[cfg(unix)]
mod os {
    /// Address space of `size` bytes that no one else will map: inaccessible, and counted
    /// against no memory limit until made usable.
    pub fn reserve(size: usize) -> Option<usize> {
        // SAFETY: a new anonymous mapping; nothing refers to it yet.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        (start != libc::MAP_FAILED).then_some(start as usize)
    }

    /// Makes `len` bytes at `start`, inside the reservation, readable and writable.
    pub fn make_usable(start: usize, len: usize) -> bool {
        // SAFETY: the range lies in the reservation, which this module alone maps.
        unsafe {
            libc::mprotect(
                start as *mut libc::c_void,
                len,
                libc::PROT_READ | libc::PROT_WRITE,
            ) == 0
        }
    }

    /// Drops the pages of `len` bytes at `start`, which hold no live block.
    pub fn discard(start: usize, len: usize) {
        // SAFETY: the range lies in the reservation and holds no live block; its pages stay
        // mapped and read as zeros.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(not(unix))]
mod os {
    pub fn reserve(_size: usize) -> Option<usize> {
        None
    }

    pub fn make_usable(_start: usize, _len: usize) -> bool {
        false
    }

    pub fn discard(_start: usize, _len: usize) {}
}
