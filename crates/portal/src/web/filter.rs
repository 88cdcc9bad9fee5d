//! The WHERE clause of a list page, built from the filters a person chose, with its arguments
//! bound in order; and the page arithmetic shared by every paged list.

use sqlx::any::AnyRow;
use sqlx::AnyPool;

pub enum Arg {
    Text(String),
    Int(i64),
}

#[derive(Default)]
pub struct Filter {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Filter {
    /// A condition without arguments, e.g. `active = 1`.
    pub fn plain(&mut self, condition: &str) {
        self.conditions.push(condition.to_owned());
    }

    /// A condition with one argument, written where `{}` stands: `username = {}`.
    pub fn with(&mut self, template: &str, arg: Arg) {
        self.args.push(arg);
        let placeholder = format!("${}", self.args.len());
        self.conditions.push(template.replace("{}", &placeholder));
    }

    pub fn clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// `SELECT COUNT(*) FROM table WHERE …`
    pub async fn count(&self, db: &AnyPool, table: &str) -> Result<i64, sqlx::Error> {
        let sql = format!("SELECT COUNT(*) FROM {table} {}", self.clause());
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for arg in &self.args {
            query = match arg {
                Arg::Text(t) => query.bind(t.as_str()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query.fetch_one(db).await
    }

    /// `SELECT columns FROM table WHERE … rest` (rest: ordering, limit, offset).
    pub async fn rows(
        &self,
        db: &AnyPool,
        columns: &str,
        table: &str,
        rest: &str,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let sql = format!("SELECT {columns} FROM {table} {} {rest}", self.clause());
        let mut query = sqlx::query(&sql);
        for arg in &self.args {
            query = match arg {
                Arg::Text(t) => query.bind(t.as_str()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query.fetch_all(db).await
    }
}

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
    fn placeholders_are_numbered_in_the_order_of_their_arguments() {
        let mut f = Filter::default();
        f.plain("active = 1");
        f.with("name LIKE {} ESCAPE '\\'", Arg::Text("%a%".into()));
        f.with("commune_code = {}", Arg::Int(4));
        assert_eq!(
            f.clause(),
            "WHERE active = 1 AND name LIKE $1 ESCAPE '\\' AND commune_code = $2"
        );
        assert_eq!(Filter::default().clause(), "");
    }

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
