//! The SQLite and PostgreSQL migration trees are kept in step: the same files, and once applied,
//! the same tables, columns and (named) indexes. Constraint-backed indexes each database names
//! itself (SQLite's `sqlite_autoindex_*`, PostgreSQL's `*_pkey` / `*_key`) are left out.

mod common;

use sqlx::Row;
use std::collections::BTreeSet;

fn files(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir).expect(dir).map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn both_trees_hold_the_same_files() {
    assert_eq!(files("migrations/sqlite"), files("migrations/postgres"));
}

type Schema = (BTreeSet<String>, BTreeSet<String>);

async fn sqlite_schema(app: &common::TestApp) -> Schema {
    let pool = app.state.db.pool();
    let mut columns = BTreeSet::new();
    let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    for t in &tables {
        for r in sqlx::query(&format!("SELECT name FROM pragma_table_info('{t}')")).fetch_all(pool).await.unwrap() {
            columns.insert(format!("{t}.{}", r.get::<String, _>("name")));
        }
    }
    let indexes = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect();
    (columns, indexes)
}

async fn postgres_schema(app: &common::TestApp) -> Schema {
    let pool = app.state.db.pool();
    let columns = sqlx::query(
        "SELECT (table_name || '.' || column_name)::text AS c FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("c"))
    .collect();
    let indexes = sqlx::query(
        "SELECT i.indexname::text AS name FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename <> '_sqlx_migrations' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("name"))
    .collect();
    (columns, indexes)
}

#[tokio::test]
async fn both_databases_end_with_the_same_tables_columns_and_indexes() {
    if !common::backends().contains(&"postgres") {
        eprintln!("PostgreSQL not configured (TEST_DATABASE_URL): comparing files only");
        return;
    }
    let lite = sqlite_schema(&common::TestApp::new("sqlite").await).await;
    let pg = postgres_schema(&common::TestApp::new("postgres").await).await;
    // The one allowed divergence: text search over calls (0010). SQLite keeps an FTS5 virtual
    // table (`calls_fts` and the shadow tables FTS5 makes for it, `calls_fts_*`) keyed by
    // `calls.search_key`; PostgreSQL a `tsvector` column `calls.search_doc` with a GIN index.
    let only_sqlite = |n: &String| n.starts_with("calls_fts") || n == "calls.search_key" || n == "calls_search_key";
    let only_postgres = |n: &String| n == "calls.search_doc" || n == "calls_search";
    for (set, backend) in [(&lite.0, "sqlite"), (&lite.1, "sqlite"), (&pg.0, "postgres"), (&pg.1, "postgres")] {
        let specific = |n: &String| if backend == "sqlite" { only_sqlite(n) } else { only_postgres(n) };
        assert!(set.iter().any(specific), "{backend}: the search objects are missing");
    }
    let lite = (lite.0.into_iter().filter(|n| !only_sqlite(n)).collect::<BTreeSet<_>>(), lite.1.into_iter().filter(|n| !only_sqlite(n)).collect::<BTreeSet<_>>());
    let pg = (pg.0.into_iter().filter(|n| !only_postgres(n)).collect::<BTreeSet<_>>(), pg.1.into_iter().filter(|n| !only_postgres(n)).collect::<BTreeSet<_>>());
    let diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.symmetric_difference(b).cloned().collect::<Vec<_>>();
    assert!(diff(&lite.0, &pg.0).is_empty(), "columns differ: {:?}", diff(&lite.0, &pg.0));
    assert!(diff(&lite.1, &pg.1).is_empty(), "indexes differ: {:?}", diff(&lite.1, &pg.1));
    assert!(lite.0.contains("agent_numbers.inbound"));
}
