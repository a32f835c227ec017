//! A counting allocator: how many heap allocations the client side of a call makes.
//! Only threads that opted in are counted, so the in-process sandbox (on its own
//! runtime) does not blur the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// The system allocator, counting allocations made on opted-in threads.
pub struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches
// only an atomic and a const-initialised thread local, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is the system one.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as for `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Count allocations made on the calling thread from now on.
pub fn count_this_thread() {
    COUNTED.with(|counted| counted.set(true));
}

/// Allocations counted so far, on every opted-in thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_opted_in_threads_count() {
        let before = allocations();
        std::thread::spawn(|| drop(std::hint::black_box(vec![1u8; 64])))
            .join()
            .unwrap();
        // No thread has opted in yet: the only test that opts in is this one.
        assert_eq!(allocations() - before, 0);
        count_this_thread();
        let before = allocations();
        drop(std::hint::black_box(vec![1u8; 64]));
        assert!(allocations() - before >= 1);
    }
}
