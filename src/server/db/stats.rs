//! Per-day call counters of a project (`call_daily`), the Overview's source: one row per project
//! and UTC day, adjusted by deltas. The upsert adds in the database (`n = n + excluded.n`), so
//! concurrent writers on PostgreSQL never lose each other's counts.

use sqlx::AnyConnection;

/// Counters of one day, or a change to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Daily {
    pub day: String,
    pub completed: i64,
    pub voicemail: i64,
    pub busy: i64,
    pub no_answer: i64,
    pub failed: i64,
    pub canceled: i64,
    pub answered: i64,
    pub answered_duration_ms: i64,
    pub success_yes: i64,
    pub success_no: i64,
    pub sentiment_positive: i64,
    pub sentiment_neutral: i64,
    pub sentiment_negative: i64,
    pub sentiment_unknown: i64,
}

const COUNTERS: [&str; 14] = [
    "completed",
    "voicemail",
    "busy",
    "no_answer",
    "failed",
    "canceled",
    "answered",
    "answered_duration_ms",
    "success_yes",
    "success_no",
    "sentiment_positive",
    "sentiment_neutral",
    "sentiment_negative",
    "sentiment_unknown",
];

impl Daily {
    fn values(&self) -> [i64; 14] {
        [
            self.completed,
            self.voicemail,
            self.busy,
            self.no_answer,
            self.failed,
            self.canceled,
            self.answered,
            self.answered_duration_ms,
            self.success_yes,
            self.success_no,
            self.sentiment_positive,
            self.sentiment_neutral,
            self.sentiment_negative,
            self.sentiment_unknown,
        ]
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

/// The upsert statement for `rows` rows of (project_id, day, counters...).
pub fn upsert_sql(rows: usize) -> String {
    let cols = COUNTERS.join(", ");
    let width = COUNTERS.len() + 2;
    let tuples: Vec<String> = (0..rows).map(|r| format!("({})", (1..=width).map(|i| format!("${}", r * width + i)).collect::<Vec<_>>().join(", "))).collect();
    let sets: Vec<String> = COUNTERS.iter().map(|c| format!("{c} = call_daily.{c} + excluded.{c}")).collect();
    format!("INSERT INTO call_daily (project_id, day, {cols}) VALUES {} ON CONFLICT (project_id, day) DO UPDATE SET {}", tuples.join(", "), sets.join(", "))
}

/// Adds `deltas` (each naming its day) to the project's counters.
pub async fn add(c: &mut AnyConnection, project_id: &str, deltas: &[Daily]) -> Result<(), sqlx::Error> {
    let deltas: Vec<&Daily> = deltas.iter().filter(|d| !d.is_zero()).collect();
    if deltas.is_empty() {
        return Ok(());
    }
    let sql = upsert_sql(deltas.len());
    let mut q = sqlx::query(&sql);
    for d in deltas {
        q = q.bind(project_id).bind(&d.day);
        for v in d.values() {
            q = q.bind(v);
        }
    }
    q.execute(c).await?;
    Ok(())
}

/// The project's counters of the days `from_day..=to_day` that have any, oldest first.
pub async fn range(c: &mut AnyConnection, project_id: &str, from_day: &str, to_day: &str) -> Result<Vec<Daily>, sqlx::Error> {
    let sql = format!("SELECT day, {} FROM call_daily WHERE project_id = $1 AND day >= $2 AND day <= $3 ORDER BY day", COUNTERS.join(", "));
    let rows = sqlx::query(&sql).bind(project_id).bind(from_day).bind(to_day).fetch_all(c).await?;
    super::typed_all("call_daily", "day", rows)
}
