//! Page arithmetic shared by every paged list, and the links between pages.

/// The page to show (1-based, within range) and how many there are, for `total` rows in pages
/// of `size`.
pub fn page_of(total: i64, size: i64, asked: Option<i64>) -> (i64, i64) {
    let pages = ((total + size - 1) / size).max(1);
    (asked.unwrap_or(1).clamp(1, pages), pages)
}

/// Links to the previous and next pages (empty at either end) that keep the other parameters.
pub fn page_links(path: &str, params: &[(&str, &str)], page: i64, pages: i64) -> (String, String) {
    let link = |p: i64| {
        let page = p.to_string();
        let mut all = params.to_vec();
        all.push(("page", &page));
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(&all).unwrap_or_default()
        )
    };
    (
        if page > 1 {
            link(page - 1)
        } else {
            String::new()
        },
        if page < pages {
            link(page + 1)
        } else {
            String::new()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters() {
        let (prev, next) = page_links("/venues", &[("q", "hà nội")], 2, 3);
        assert_eq!(prev, "/venues?q=h%C3%A0+n%E1%BB%99i&page=1");
        assert_eq!(next, "/venues?q=h%C3%A0+n%E1%BB%99i&page=3");
        assert_eq!(
            page_links("/venues", &[], 1, 1),
            (String::new(), String::new())
        );
    }

    #[test]
    fn pages_stay_in_range() {
        assert_eq!(page_of(0, 25, None), (1, 1));
        assert_eq!(page_of(26, 25, Some(2)), (2, 2));
        assert_eq!(page_of(26, 25, Some(9)), (2, 2));
        assert_eq!(page_of(50, 25, Some(-3)), (1, 2));
    }
}
