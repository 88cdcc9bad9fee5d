//! The WHERE clause of a list page, built from the filters a person chose, with its arguments
//! bound in order.

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

    /// `SELECT columns FROM table WHERE … rest` (rest: ordering, limit, offset), each row read
    /// as a `T`.
    pub async fn rows<T>(
        &self,
        db: &AnyPool,
        columns: &str,
        table: &str,
        rest: &str,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
    {
        let sql = format!("SELECT {columns} FROM {table} {} {rest}", self.clause());
        let mut query = sqlx::query_as::<_, T>(&sql);
        for arg in &self.args {
            query = match arg {
                Arg::Text(t) => query.bind(t.as_str()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query.fetch_all(db).await
    }
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
}
