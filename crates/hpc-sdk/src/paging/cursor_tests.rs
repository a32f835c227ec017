//! Unit tests of `cursor.rs`, kept apart so that the rules stay readable in one screen.
use super::*;

fn page(ids: std::ops::Range<i64>, total: Option<i64>) -> RawPage<i64> {
    RawPage {
        items: ids.collect(),
        total,
    }
}

fn key(id: &i64) -> Option<u64> {
    Some(*id as u64)
}

fn yielded(step: Step<i64>) -> Vec<i64> {
    match step {
        Step::Yield(page) => page.items,
        other => panic!("expected a page, got {other:?}"),
    }
}

#[test]
fn a_short_page_is_not_the_end_while_total_count_is_ahead() {
    let mut cursor = Cursor::new(0, 100);
    assert_eq!(
        yielded(cursor.on_page(page(0..50, Some(120)), key)).len(),
        50
    );
    assert_eq!(cursor.next_offset, 50);
    assert!(!cursor.finished);
    assert_eq!(
        yielded(cursor.on_page(page(50..120, Some(120)), key)).len(),
        70
    );
    assert!(cursor.finished);
}

#[test]
fn an_empty_page_before_the_end_is_retried_once_then_an_error() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(30)), key));
    assert!(matches!(
        cursor.on_page(page(0..0, Some(30)), key),
        Step::Retry
    ));
    yielded(cursor.on_page(page(10..20, Some(30)), key));
    assert!(matches!(
        cursor.on_page(page(0..0, Some(30)), key),
        Step::Retry
    ));
    match cursor.on_page(page(0..0, Some(30)), key) {
        Step::Fail(Error::InconsistentListing { message }) => {
            assert!(
                message.contains("offset 20 came back empty twice; 20 items"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(cursor.finished);
}

#[test]
fn a_job_shifted_across_a_page_boundary_is_yielded_once() {
    let mut cursor = Cursor::new(0, 10);
    assert_eq!(
        yielded(cursor.on_page(page(0..10, Some(20)), key)),
        (0..10).collect::<Vec<_>>()
    );
    // A new job pushed everything down by one: job 9 comes again.
    assert_eq!(
        yielded(cursor.on_page(page(9..19, Some(21)), key)),
        (10..19).collect::<Vec<_>>()
    );
}

#[test]
fn a_server_answering_the_same_page_at_every_offset_is_an_error_not_a_loop() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, None), key));
    match cursor.on_page(page(0..10, None), key) {
        Step::Fail(Error::InconsistentListing { message }) => {
            assert!(message.contains("none new"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(cursor.finished);
    // With a huge count, too.
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(i64::MAX)), key));
    assert!(matches!(
        cursor.on_page(page(0..10, Some(i64::MAX)), key),
        Step::Fail(_)
    ));
}

#[test]
fn a_negative_total_count_is_no_count() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(-1)), key));
    assert!(!cursor.finished, "-1 must not end a listing after one page");
    yielded(cursor.on_page(page(10..20, Some(-1)), key));
    yielded(cursor.on_page(page(20..25, Some(-1)), key));
    assert!(cursor.finished);
}

#[test]
fn an_empty_listing_is_done_at_once() {
    let mut cursor = Cursor::new(0, 10);
    assert!(matches!(
        cursor.on_page(page(0..0, Some(0)), key),
        Step::Done
    ));
}

#[test]
fn without_total_count_a_short_page_ends_the_listing() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, None), key));
    assert!(!cursor.finished);
    yielded(cursor.on_page(page(10..13, None), key));
    assert!(cursor.finished);
}

#[test]
fn a_growing_total_count_is_followed_while_pages_bring_new_items() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(20)), key));
    yielded(cursor.on_page(page(10..20, Some(30)), key));
    assert!(!cursor.finished);
    assert_eq!(cursor.end, Some(30));
    yielded(cursor.on_page(page(20..30, Some(30)), key));
    assert!(cursor.finished);
}

#[test]
fn a_count_raised_to_keep_a_listing_going_ends_in_an_error() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(20)), key));
    // The same page with a huge count: a shift could explain one page of repeats...
    assert!(yielded(cursor.on_page(page(0..10, Some(1_000_000)), key)).is_empty());
    // ...but not a second one at a count that stands still.
    match cursor.on_page(page(0..10, Some(1_000_000)), key) {
        Step::Fail(Error::InconsistentListing { message }) => {
            assert!(message.contains("none new"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn items_removed_ahead_make_the_cursor_step_back() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(30)), key));
    // 0..5 were deleted: 10..15 moved up to offsets 5..10, which a plain offset 10
    // would skip.
    assert!(matches!(
        cursor.on_page(page(15..25, Some(25)), key),
        Step::Retry
    ));
    assert_eq!(cursor.next_offset, 5);
    assert_eq!(
        yielded(cursor.on_page(page(10..20, Some(25)), key)),
        (10..20).collect::<Vec<_>>()
    );
    assert_eq!(cursor.next_offset, 15);
    yielded(cursor.on_page(page(20..30, Some(25)), key));
    assert!(cursor.finished);
}

#[test]
fn a_page_prefetched_before_a_removal_is_caught_by_the_count() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(30)), key));
    // Page 2 was asked for first; then 3 jobs ahead were removed; then page 1's request
    // went out... whichever order, the later answer counts fewer and the cursor steps back.
    assert!(matches!(
        cursor.on_page(page(13..23, Some(27)), key),
        Step::Retry
    ));
    assert_eq!(cursor.next_offset, 7);
    assert_eq!(
        yielded(cursor.on_page(page(10..20, Some(27)), key)),
        (10..20).collect::<Vec<_>>()
    );
}

#[test]
fn a_listing_that_only_moves_items_about_is_an_error() {
    let mut cursor = Cursor::new(0, 10);
    yielded(cursor.on_page(page(0..10, Some(1000)), key));
    let mut failed = false;
    // The count drops and rises by a page each time, and the same items come back.
    for round in 0..(4 * MAX_SHIFTS as i64) {
        let total = if round % 2 == 0 { 990 } else { 1000 };
        match cursor.on_page(page(0..10, Some(total)), key) {
            Step::Retry | Step::Yield(_) => {}
            Step::Fail(Error::InconsistentListing { message }) => {
                assert!(message.contains("kept moving"), "{message}");
                failed = true;
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(failed);
}

#[test]
fn a_long_listing_that_grows_as_it_is_read_is_followed_to_the_end() {
    // Oldest first: every page counts one more job (appended behind the reader).
    let mut cursor = Cursor::new(0, 10);
    let mut listed = 0;
    for n in 0..500_i64 {
        listed += yielded(cursor.on_page(page(n * 10..n * 10 + 10, Some(5_000 + n)), key)).len();
    }
    assert_eq!(listed, 5_000);
    assert!(!cursor.finished, "the appended jobs are still ahead");
}

/// A listing that changes between every two pages, one kind of change at a time:
/// new items at the front (newest first), new items at the end (oldest first), or
/// items removed anywhere. Every item there from start to end is listed exactly once.
#[test]
fn a_listing_changing_between_pages_loses_and_repeats_nothing() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut random = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for run in 0..200 {
        let mut list: Vec<i64> = (0..500).collect();
        let mut next_id = 10_000;
        let mut removed = HashSet::new();
        let mut cursor = Cursor::new(0, 50);
        let mut listed = Vec::new();
        let mut requests = 0;
        while !cursor.finished {
            requests += 1;
            assert!(requests < 1_000, "run {run}: the listing did not end");
            let offset = cursor.next_offset as usize;
            let items = list
                .iter()
                .copied()
                .skip(offset)
                .take(50)
                .collect::<Vec<_>>();
            let raw = RawPage {
                items,
                total: Some(list.len() as i64),
            };
            match cursor.on_page(raw, key) {
                Step::Yield(page) => listed.extend(page.items),
                Step::Retry => {}
                Step::Done => break,
                Step::Fail(error) => panic!("run {run}: {error}"),
            }
            let k = random(40) as usize;
            match random(3) {
                0 => {
                    for _ in 0..k {
                        list.insert(0, next_id);
                        next_id += 1;
                    }
                }
                1 => {
                    for _ in 0..k {
                        list.push(next_id);
                        next_id += 1;
                    }
                }
                _ => {
                    for _ in 0..k.min(list.len()) {
                        let at = random(list.len() as u64) as usize;
                        removed.insert(list.remove(at));
                    }
                }
            }
        }
        let unique: HashSet<i64> = listed.iter().copied().collect();
        assert_eq!(
            unique.len(),
            listed.len(),
            "run {run}: an item was repeated"
        );
        for id in (0..500).filter(|id| !removed.contains(id)) {
            assert!(unique.contains(&id), "run {run}: item {id} was lost");
        }
    }
}
