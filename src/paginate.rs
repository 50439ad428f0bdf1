//! A long list split over numbered pages, so that no page of the site grows
//! with the handbook: the catalogs of 10,000 playbooks were 15 MB pages,
//! more than a phone's browser will lay out. `list_page_size` in
//! `playbook.toml` sets how many items a page holds.
//!
//! The first page keeps the list's own address (`frameworks/`), so links to
//! it never break when it grows a second; page `n` is `frameworks/page/n/`.

use serde::Serialize;
use std::ops::Range;

/// How `items` split into pages of `per_page`; `per_page` 0 keeps them on one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    per_page: usize,
    pub pages: usize,
}

/// Pages named around the current one in a pager; the rest are gaps, so a
/// pager stays the same size at any length.
const AROUND: usize = 2;

/// A pager as templates see it (`partials/pager.html`): this page's number
/// of `pages`, the pages to link to (none for a list of one page), and the
/// previous and next.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct PagerView {
    pub page: usize,
    pub pages: usize,
    pub items: Vec<PagerItem>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// One link of a pager: a page number, or a gap (`…`) where pages are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Hash)]
pub struct PagerItem {
    /// `None` for a gap.
    pub number: Option<usize>,
    pub url: String,
    pub current: bool,
}

impl PagerView {
    /// The pager of a list that fits on one page: it shows nothing.
    pub fn single() -> Self {
        Pagination::new(0, 0).view(1, |_| String::new())
    }
}

impl Pagination {
    pub fn new(items: usize, per_page: usize) -> Self {
        let per_page = if per_page == 0 { items.max(1) } else { per_page };
        Pagination { per_page, pages: items.div_ceil(per_page).max(1) }
    }

    /// The items on page `page` (from 1).
    pub fn range(&self, page: usize, items: usize) -> Range<usize> {
        let start = (page - 1) * self.per_page;
        start.min(items)..(start + self.per_page).min(items)
    }

    /// The page (from 1) that item `index` is on.
    pub fn page_of(&self, index: usize) -> usize {
        index / self.per_page + 1
    }

    /// The pager of page `current`; `url` gives a page's address.
    pub fn view(&self, current: usize, url: impl Fn(usize) -> String) -> PagerView {
        let items = if self.pages > 1 { self.pager(current, &url) } else { Vec::new() };
        PagerView {
            page: current,
            pages: self.pages,
            items,
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < self.pages).then(|| url(current + 1)),
        }
    }

    /// The first page, the last, and those around `current`, in order, with
    /// a gap for each run left out.
    fn pager(&self, current: usize, url: impl Fn(usize) -> String) -> Vec<PagerItem> {
        let shown = |n: usize| n == 1 || n == self.pages || n.abs_diff(current) <= AROUND;
        let mut items = Vec::new();
        for n in 1..=self.pages {
            if shown(n) {
                items.push(PagerItem { number: Some(n), url: url(n), current: n == current });
            } else if shown(n - 1) {
                items.push(PagerItem { number: None, url: String::new(), current: false });
            }
        }
        items
    }
}

/// The site path of page `page` of the list at `first`.
pub fn site_path(first: &str, page: usize) -> String {
    if page <= 1 { first.to_string() } else { format!("{first}page/{page}/") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pagination, current: usize) -> String {
        let items = p.pager(current, |n| n.to_string());
        items
            .iter()
            .map(|i| match i.number {
                Some(n) if i.current => format!("[{n}]"),
                Some(n) => n.to_string(),
                None => "…".into(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn items_fill_pages_in_order_and_the_last_takes_the_rest() {
        let p = Pagination::new(7, 3);
        assert_eq!(p.pages, 3);
        assert_eq!([p.range(1, 7), p.range(2, 7), p.range(3, 7)], [0..3, 3..6, 6..7]);
        assert_eq!([p.page_of(0), p.page_of(2), p.page_of(3), p.page_of(6)], [1, 1, 2, 3]);
        assert_eq!(Pagination::new(6, 3).pages, 2, "no empty page after a full one");
    }

    #[test]
    fn no_size_or_no_items_is_one_page() {
        let p = Pagination::new(1000, 0);
        assert_eq!((p.pages, p.range(1, 1000)), (1, 0..1000));
        let p = Pagination::new(0, 10);
        assert_eq!((p.pages, p.range(1, 0)), (1, 0..0));
        assert_eq!(Pagination::new(0, 0).pages, 1);
    }

    #[test]
    fn a_pager_names_the_ends_and_the_pages_near_the_current_one() {
        assert_eq!(numbers(&Pagination::new(30, 10), 2), "1 [2] 3");
        let long = Pagination::new(200, 10);
        assert_eq!(numbers(&long, 1), "[1] 2 3 … 20");
        assert_eq!(numbers(&long, 10), "1 … 8 9 [10] 11 12 … 20");
        assert_eq!(numbers(&long, 20), "1 … 18 19 [20]");
        assert_eq!(numbers(&long, 4), "1 2 3 [4] 5 6 … 20", "no gap stands for no page");
        // The pager's size does not grow with the list.
        let huge = Pagination::new(1_000_000, 10);
        assert_eq!(huge.pager(50_000, |n| n.to_string()).len(), long.pager(10, |n| n.to_string()).len());
    }

    #[test]
    fn a_pager_links_the_previous_and_next_pages_and_a_single_page_has_none() {
        let url = |n: usize| format!("/p{n}/");
        let middle = Pagination::new(30, 10).view(2, url);
        assert_eq!((middle.prev.as_deref(), middle.next.as_deref()), (Some("/p1/"), Some("/p3/")));
        assert_eq!((middle.page, middle.pages, middle.items.len()), (2, 3, 3));
        let ends = Pagination::new(30, 10);
        assert!(ends.view(1, url).prev.is_none() && ends.view(3, url).next.is_none());
        let one = Pagination::new(5, 10).view(1, url);
        assert!(one.items.is_empty() && one.prev.is_none() && one.next.is_none());
    }

    #[test]
    fn the_first_page_keeps_the_lists_address() {
        assert_eq!(site_path("frameworks/", 1), "frameworks/");
        assert_eq!(site_path("frameworks/", 2), "frameworks/page/2/");
    }
}
