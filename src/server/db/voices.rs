//! Queries on the voice catalog (global, not per project).

use super::{now_ms, typed, typed_all, typed_opt};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VoiceRow {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub language: String,
    pub accent: String,
    pub description: String,
    pub age: String,
    pub gender: String,
    pub use_case: String,
    pub preview_url: String,
    pub source: String,
}

const COLUMNS: &str = "id, name, provider, language, accent, description, age, gender, use_case, preview_url, source";

const TABLE: &str = "voices";

/// Every voice, in catalog order (shipped voices first, then fetched ones by name).
pub async fn all(c: &mut AnyConnection) -> Result<Vec<VoiceRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM voices ORDER BY sort_order, lower(name), id");
    let rows = sqlx::query(&sql).fetch_all(c).await?;
    typed_all(TABLE, "id", rows)
}

/// The names of the voices `ids` (the voices a list of agents uses), by id; unknown ids are left
/// out. One query over the ids given rather than the whole catalog.
pub async fn names(c: &mut AnyConnection, ids: &[&str]) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let mut b = super::page::Binds::default();
    let list: Vec<String> = ids.iter().map(|id| b.text(*id)).collect();
    let sql = format!("SELECT id, name FROM voices WHERE id IN ({})", list.join(", "));
    let rows = b.fetch_all(c, &sql).await?;
    rows.iter().map(|r| Ok((r.try_get::<String, _>("id")?, r.try_get::<String, _>("name")?))).collect()
}

pub async fn find(c: &mut AnyConnection, id: &str) -> Result<Option<VoiceRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM voices WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(c).await?;
    typed_opt(TABLE, "id", row)
}

/// Inserts or refreshes a fetched voice. A shipped catalog voice with the same id is refreshed
/// too (the provider's own data wins) but keeps its place in the catalog order.
pub async fn upsert(c: &mut AnyConnection, v: &VoiceRow) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO voices (id, name, provider, language, accent, description, age, gender, use_case, preview_url, source, \
         sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 100000, $12, $12) \
         ON CONFLICT (id) DO UPDATE SET name = $2, provider = $3, language = $4, accent = $5, description = $6, age = $7, \
         gender = $8, use_case = $9, preview_url = $10, updated_at = $12",
    )
    .bind(&v.id)
    .bind(&v.name)
    .bind(&v.provider)
    .bind(&v.language)
    .bind(&v.accent)
    .bind(&v.description)
    .bind(&v.age)
    .bind(&v.gender)
    .bind(&v.use_case)
    .bind(&v.preview_url)
    .bind(&v.source)
    .bind(now)
    .execute(c)
    .await?;
    Ok(())
}

/// Catalog filters as SQL, with the semantics of `services::voices::matches`: exact
/// case-insensitive provider, gender and accent; a language without a region (`en`) matches every
/// region; `q` is a case-insensitive substring of name, description, accent, use case, id or
/// provider. Empty values mean any.
#[derive(Debug, Default, Clone)]
pub struct VoiceWhere {
    pub provider: Option<String>,
    pub language: Option<String>,
    pub gender: Option<String>,
    pub accent: Option<String>,
    pub q: Option<String>,
}

/// One keyset page of the catalog in catalog order (sort_order, lower(name), id); each row comes
/// with its sort_order so the caller can start the next page after it.
pub async fn page(c: &mut AnyConnection, f: &VoiceWhere, after: Option<(i64, String, String)>, limit: i64) -> Result<Vec<(VoiceRow, i64)>, sqlx::Error> {
    use super::page::like_escape;
    let mut b = super::page::Binds::default();
    let mut sql = format!("SELECT {COLUMNS}, sort_order FROM voices WHERE 1 = 1");
    let set = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
    for (col, v) in [("provider", set(&f.provider)), ("gender", set(&f.gender)), ("accent", set(&f.accent))] {
        if let Some(v) = v {
            sql.push_str(&format!(" AND lower({col}) = {}", b.text(v)));
        }
    }
    if let Some(l) = set(&f.language) {
        if l.contains('-') {
            sql.push_str(&format!(" AND lower(language) = {}", b.text(l)));
        } else {
            let (eq, like) = (b.text(l.clone()), b.text(format!("{}-%", like_escape(&l))));
            sql.push_str(&format!(" AND (lower(language) = {eq} OR lower(language) LIKE {like} ESCAPE '\\')"));
        }
    }
    if let Some(q) = set(&f.q) {
        let p = b.text(format!("%{}%", like_escape(&q)));
        let cols = ["name", "description", "accent", "use_case", "id", "provider"];
        let any: Vec<String> = cols.iter().map(|c| format!("lower({c}) LIKE {p} ESCAPE '\\'")).collect();
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    if let Some((o, name, id)) = after {
        let (o, n, i) = (b.int(o), b.text(name), b.text(id));
        sql.push_str(&format!(" AND (sort_order > {o} OR (sort_order = {o} AND (lower(name) > lower({n}) OR (lower(name) = lower({n}) AND id > {i}))))"));
    }
    sql.push_str(&format!(" ORDER BY sort_order, lower(name), id LIMIT {}", b.int(limit)));
    let rows = b.fetch_all(c, &sql).await?;
    rows.iter().map(|r| Ok((typed(TABLE, "id", r)?, r.try_get::<i64, _>("sort_order")?))).collect()
}
