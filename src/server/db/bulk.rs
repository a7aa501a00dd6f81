//! Multi-row `INSERT`s for bulk loads (`seed-demo`): rows of bound values sent as few large
//! statements, each under the backend's limit of bound parameters. The statement text of a full
//! chunk is always the same, so each connection prepares it once.

use sqlx::AnyConnection;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}

impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::OptInt(v)
    }
}

impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}

impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::OptText(v)
    }
}

/// Bound parameters per statement: under SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS: usize = 30_000;

/// The placeholder of the `n`th bound value. SQLite gets anonymous `?`: binding a numbered
/// `$n` makes it look the parameter's name up in a list it scans from the start, so a statement
/// of 30,000 numbered parameters spends seconds in binding alone (quadratic).
fn placeholder(sqlite: bool, n: usize) -> String {
    if sqlite {
        "?".into()
    } else {
        format!("${n}")
    }
}

/// Inserts `rows` into `table`. `columns` pairs each column with its value expression, `?` for the
/// bound value (`to_tsvector('english', ?)` wraps it). Every row has one value per column.
pub async fn insert(c: &mut AnyConnection, table: &str, columns: &[(&str, &str)], rows: Vec<Vec<Val>>) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let sqlite = c.backend_name().eq_ignore_ascii_case("sqlite");
    let width = columns.len();
    let per = (MAX_PARAMS / width).max(1);
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (i, (_, expr)) in columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&expr.replace('?', &placeholder(sqlite, n)));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            debug_assert_eq!(row.len(), width);
            for v in row {
                q = match v {
                    Val::Int(v) => q.bind(v),
                    Val::OptInt(v) => q.bind(v),
                    Val::Text(v) => q.bind(v),
                    Val::OptText(v) => q.bind(v),
                };
            }
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}
