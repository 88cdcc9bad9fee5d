//! The diary view's pages: every visit once, newest first, across pages and searches; the
//! count of all; visits of a span for sharing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use diary::{Diary, Entry, PageMark};
use test_support::trust;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0).unwrap() + Duration::minutes(minutes)
}

async fn diary_with(names: &[(&str, i64)]) -> (tempfile::TempDir, Diary) {
    let dir = tempfile::tempdir().unwrap();
    let diary = Diary::open(dir.path(), trust(), None).await.unwrap();
    for (name, minutes) in names {
        let entry = Entry {
            name: (*name).into(),
            address: "Phố Xuân Trường, Phường Thục Phán".into(),
            time_in: at(*minutes),
            time_out: Some(at(*minutes + 20)),
            note: String::new(),
        };
        diary.add_manual(&entry, at(10_000)).await.unwrap();
    }
    (dir, diary)
}

/// Every page of a listing, in order, with the totals each page gave.
async fn all_pages(diary: &Diary, query: &str, limit: u32) -> (Vec<i64>, Vec<u64>, usize) {
    let (mut ids, mut totals, mut pages) = (Vec::new(), Vec::new(), 0);
    let mut after: Option<PageMark> = None;
    loop {
        let page = diary.visits_page(query, after, limit).await.unwrap();
        assert!(page.visits.len() <= limit as usize);
        pages += 1;
        ids.extend(page.visits.iter().map(|v| v.id));
        totals.push(page.total);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    (ids, totals, pages)
}

#[tokio::test]
async fn pages_give_every_visit_once_newest_first_with_the_same_total() {
    // Two visits share a time in: the page boundary falls between them.
    let names: Vec<(String, i64)> = (0..23)
        .map(|i| {
            (
                format!("Chợ Xanh {i}"),
                if i == 7 { 6 * 30 } else { i * 30 },
            )
        })
        .collect();
    let named: Vec<(&str, i64)> = names.iter().map(|(n, m)| (n.as_str(), *m)).collect();
    let (_dir, diary) = diary_with(&named).await;
    let everything: Vec<i64> = diary.visits().await.unwrap().iter().map(|v| v.id).collect();
    assert_eq!(everything.len(), 23);
    for limit in [1, 5, 6, 7, 23, 50] {
        let (ids, totals, pages) = all_pages(&diary, "", limit).await;
        assert_eq!(ids, everything, "pages of {limit}");
        assert!(totals.iter().all(|t| *t == 23));
        assert_eq!(pages, 23usize.div_ceil(limit as usize).max(1));
    }
    // A search pages the same way, and counts what it finds.
    let (ids, totals, _) = all_pages(&diary, "cho xanh 1", 3).await;
    let found: Vec<i64> = diary
        .search("cho xanh 1")
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    // "Chợ Xanh 1" and 10 to 19.
    assert_eq!(found.len(), 11);
    assert_eq!(ids, found);
    assert!(totals.iter().all(|t| *t == 11));
    // Nothing found: one empty last page.
    let none = diary.visits_page("zzz", None, 10).await.unwrap();
    assert!(none.visits.is_empty() && none.total == 0 && none.next.is_none());
}

#[tokio::test]
async fn a_visit_added_between_pages_does_not_shift_the_next_page() {
    let (_dir, diary) = diary_with(&[("A", 0), ("B", 30), ("C", 60), ("D", 90)]).await;
    let first = diary.visits_page("", None, 2).await.unwrap();
    let first_names: Vec<_> = first.visits.iter().map(|v| v.name.clone()).collect();
    assert_eq!(first_names, ["D", "C"]);
    // A newer visit arrives while the citizen reads the first page.
    let late = Entry {
        name: "E".into(),
        address: "Phố Xuân Trường".into(),
        time_in: at(120),
        time_out: Some(at(130)),
        note: String::new(),
    };
    diary.add_manual(&late, at(10_000)).await.unwrap();
    let second = diary.visits_page("", first.next, 2).await.unwrap();
    let names: Vec<_> = second.visits.iter().map(|v| v.name.clone()).collect();
    assert_eq!(names, ["B", "A"]);
    assert_eq!(second.total, 5);
    assert!(second.next.is_none());
}

#[tokio::test]
async fn counts_of_all_visits_and_of_those_before_a_time() {
    let (_dir, diary) = diary_with(&[("A", 0), ("B", 30), ("C", 60)]).await;
    assert_eq!(diary.count_visits(None).await.unwrap(), 3);
    assert_eq!(diary.count_visits(Some(at(30))).await.unwrap(), 1);
    assert_eq!(diary.count_visits(Some(at(31))).await.unwrap(), 2);
    assert_eq!(diary.count_visits(Some(at(0))).await.unwrap(), 0);
}

#[tokio::test]
async fn the_visits_of_a_span_are_those_that_overlap_it_oldest_first() {
    // A: 0–20, B: 30–50, C: 60–80 (minutes).
    let (_dir, diary) = diary_with(&[("C", 60), ("A", 0), ("B", 30)]).await;
    let names = |v: Vec<diary::Visit>| v.into_iter().map(|v| v.name).collect::<Vec<_>>();
    // B began before the span and was still there when it began: it is in.
    assert_eq!(
        names(diary.visits_between(at(40), at(70)).await.unwrap()),
        ["B", "C"]
    );
    // A span ending as C begins leaves C out; one starting as A ends leaves A out.
    assert_eq!(
        names(diary.visits_between(at(20), at(60)).await.unwrap()),
        ["B"]
    );
    // Bounds with fractions of a second are compared exactly.
    let half = Duration::milliseconds(500);
    assert_eq!(
        names(
            diary
                .visits_between(at(20) - half, at(60) + half)
                .await
                .unwrap()
        ),
        ["A", "B", "C"]
    );
    assert_eq!(
        names(diary.visits_between(at(60) + half, at(90)).await.unwrap()),
        ["C"]
    );
    assert_eq!(
        names(diary.visits_between(at(80) + half, at(90)).await.unwrap()),
        Vec::<String>::new()
    );
}
