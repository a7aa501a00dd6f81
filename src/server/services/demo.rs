//! `talkdeck seed-demo`: a demo user, a fresh demo project with three agents (variables, success
//! criteria, typed analysis questions) and their numbers, and N historical calls spread over the
//! last 90 days with transcripts, events, analyses, the search index and the per-day aggregates,
//! all consistent with each other, as the live code paths would have written them.
//!
//! Decisions:
//! - The agents, numbers and project go through the ordinary services (as the demo user). The
//!   calls are bulk-inserted (`db::bulk`): placing a million calls one by one through the job
//!   runner would take hours.
//! - Conversations come from the simulator and analyses from the built-in analyzer, computed for
//!   a pool of [`POOL`] distinct calls (agent, variables, outcome, caller persona) and reused
//!   with other numbers, times and ids; generating each call would dominate the load.
//! - Calls are created oldest first, with more on weekdays and office hours and a slow growth
//!   over the period, so the Overview's charts look like a real project's. Most are live calls
//!   to ordinary numbers (`is_test` false); one in eight is a simulator test call to a magic
//!   number matching its outcome.

use crate::model::AppError;
use crate::model::{AgentView, AnalysisConfig, AnsweredBy, CallStatus, CustomQuestion, Direction, EndReason, QuestionKind, TranscriptSegment};
use crate::server::auth::Actor;
use crate::server::db::bulk::{self, Val};
use crate::server::db::calls::{self as calls_db, CallRow};
use crate::server::db::stats::Daily;
use crate::server::db::{new_id, now_ms, Backend};
use crate::server::simulator::{self, Step};
use crate::server::state::AppState;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};

/// Distinct conversations generated; the calls reuse them.
pub const POOL: usize = 400;
/// Calls per transaction.
const BATCH: usize = 5_000;
const DAY_MS: i64 = 86_400_000;

pub struct SeedOptions {
    pub email: String,
    /// Default: a generated one (for a new user).
    pub password: Option<String>,
    pub calls: u64,
    pub days: i64,
}

pub struct Seeded {
    pub email: String,
    /// The password of a user created now; `None` when the user existed.
    pub password: Option<String>,
    pub project_id: String,
    pub project_name: String,
    pub calls: u64,
}

struct AgentSpec {
    name: &'static str,
    direction: Direction,
    prompt: &'static str,
    first: &'static str,
    success: &'static str,
    questions: Vec<CustomQuestion>,
    /// Share of the calls, out of 10.
    weight: usize,
}

fn q(question: &str, kind: QuestionKind, options: &[&str]) -> CustomQuestion {
    CustomQuestion { question: question.into(), kind, options: options.iter().map(|s| s.to_string()).collect() }
}

fn specs() -> Vec<AgentSpec> {
    vec![
        AgentSpec {
            name: "Solar sales — Ava",
            direction: Direction::Outbound,
            prompt: "You are Ava, a friendly energy advisor at {{company}}. You are calling {{customer_name}} about {{offer}}. \
                     Ask whether they own their home, what their average monthly electricity bill is, and when they could meet for a free \
                     roof assessment. If they are interested, book the assessment. If they are not, thank them and end the call politely.",
            first: "Hi {{customer_name}}, this is Ava from {{company}}. Do you have a minute to talk about {{offer}}?",
            success: "The caller agreed to book a free roof assessment.",
            questions: vec![
                q("Did the caller agree to an assessment?", QuestionKind::Boolean, &[]),
                q("What is the caller's monthly electricity bill?", QuestionKind::Number, &[]),
                q("Which product interested the caller most?", QuestionKind::Selector, &["Solar panels", "Battery storage", "Neither"]),
                q("What objections did the caller raise?", QuestionKind::Text, &[]),
            ],
            weight: 5,
        },
        AgentSpec {
            name: "Appointment reminders — Max",
            direction: Direction::Outbound,
            prompt: "You are Max, the scheduling assistant of {{clinic}}. Remind {{patient_name}} of their appointment on {{date}}. \
                     Confirm that they will come, or offer to reschedule or cancel. Ask if they have any questions about the visit.",
            first: "Hello {{patient_name}}, this is Max from {{clinic}} calling about your appointment on {{date}}.",
            success: "The patient confirmed or rescheduled the appointment.",
            questions: vec![
                q("Did the patient confirm the appointment?", QuestionKind::Boolean, &[]),
                q("What did the patient decide?", QuestionKind::Selector, &["Confirmed", "Rescheduled", "Canceled"]),
            ],
            weight: 3,
        },
        AgentSpec {
            name: "Support line — Nora",
            direction: Direction::Inbound,
            prompt: "You are Nora, a support agent at {{company}}. Greet the caller, find out what their problem is, ask for their order \
                     number, and either solve it or promise a call back within one business day.",
            first: "Thanks for calling {{company}} support, this is Nora. How can I help you today?",
            success: "The caller's problem was solved or a call back was promised.",
            questions: vec![
                q("How many orders does the caller mention?", QuestionKind::Number, &[]),
                q("What is the caller's problem about?", QuestionKind::Selector, &["Billing", "Delivery", "Product", "Other"]),
            ],
            weight: 2,
        },
    ]
}

const CUSTOMERS: &[&str] = &[
    "Maria Garcia",
    "James Smith",
    "Linda Johnson",
    "Robert Brown",
    "Patricia Miller",
    "Michael Davis",
    "Jennifer Wilson",
    "David Moore",
    "Elizabeth Taylor",
    "William Anderson",
    "Susan Thomas",
    "Richard Jackson",
    "Karen White",
    "Joseph Harris",
    "Nancy Martin",
    "Thomas Lee",
    "Priya Sharma",
    "Wei Chen",
    "Fatima Khan",
    "Lucas Rossi",
];
const OFFERS: &[&str] = &["rooftop solar panels", "home battery storage", "our zero-down solar plan", "a free energy audit"];
const CLINICS: &[&str] = &["Riverside Dental", "Oakwood Family Clinic", "Bright Smile Orthodontics"];
const DATES: &[&str] = &["Monday at 9 am", "Tuesday at 2:30 pm", "Wednesday at 11 am", "Thursday at 4 pm", "Friday at 10:15 am"];

/// Outcomes by weight (out of 100), as destination suffixes the simulator understands; `None`
/// is a call canceled before it was dialled.
const OUTCOMES: &[(Option<&str>, u32)] =
    &[(Some("conversation"), 60), (Some("0004"), 10), (Some("0002"), 10), (Some("0001"), 6), (Some("0006"), 6), (Some("0003"), 3), (Some("0005"), 1), (None, 4)];

/// A generated call, ready to be stamped with an id, numbers and times.
struct Template {
    agent: usize,
    variables: String,
    prompt: String,
    first_message: String,
    /// The simulator destination (its last four digits match the outcome).
    magic_to: String,
    status: CallStatus,
    end_reason: EndReason,
    answered_by: Option<AnsweredBy>,
    ring_ms: i64,
    /// From the answer to the end.
    talk_ms: i64,
    transcript: String,
    said: String,
    analysis: Option<(String, crate::model::Sentiment, Option<bool>)>,
}

fn template(k: usize, agents: &[AgentView], weights: &[usize], rng: &mut rand::rngs::StdRng) -> Result<Template, AppError> {
    let total: usize = weights.iter().sum();
    let mut pick = k % total;
    let mut a = 0;
    while pick >= weights[a] {
        pick -= weights[a];
        a += 1;
    }
    let agent = &agents[a];
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for v in &agent.variables {
        let value = match v.as_str() {
            "customer_name" | "patient_name" => CUSTOMERS[rng.gen_range(0..CUSTOMERS.len())],
            "offer" => OFFERS[rng.gen_range(0..OFFERS.len())],
            "clinic" => CLINICS[rng.gen_range(0..CLINICS.len())],
            "date" => DATES[rng.gen_range(0..DATES.len())],
            "company" => "Sunbright Energy",
            _ => "demo",
        };
        vars.insert(v.clone(), value.to_string());
    }
    let values: HashMap<String, String> = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let (prompt, first_message) = super::agents::render(agent, &values)?;
    let mut roll = rng.gen_range(0..100u32);
    let mut outcome = None;
    for (o, w) in OUTCOMES {
        if roll < *w {
            outcome = Some(*o);
            break;
        }
        roll -= w;
    }
    let outcome = outcome.flatten();
    let suffix = match outcome {
        Some("conversation") | None => format!("{:04}", rng.gen_range(1000..10000)),
        Some(s) => s.to_string(),
    };
    let magic_to = format!("+1415555{suffix}");
    let variables = serde_json::to_string(&vars).map_err(|_| AppError::internal())?;
    if outcome.is_none() {
        return Ok(Template {
            agent: a,
            variables,
            prompt,
            first_message,
            magic_to,
            status: CallStatus::Canceled,
            end_reason: EndReason::Canceled,
            answered_by: None,
            ring_ms: 0,
            talk_ms: 0,
            transcript: "[]".into(),
            said: String::new(),
            analysis: None,
        });
    }
    let script = simulator::script(&simulator::ScriptInput {
        call_id: &format!("demo-{k}"),
        to_e164: &magic_to,
        first_message: &first_message,
        prompt: &prompt,
        speaks_first: agent.speaks_first,
        max_duration_secs: agent.max_duration_secs,
        agent_name: &agent.name,
    });
    let segments: Vec<TranscriptSegment> = script.segments().cloned().collect();
    let answered = script.answered_at();
    let end = script.ended_at();
    let said = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    let analysis = match (answered, script.outcome.answered_by) {
        (Some(_), Some(by)) => {
            let result = crate::server::analysis::analyze(&crate::server::analysis::Input {
                transcript: &segments,
                config: &agent.analysis,
                extra_questions: &[],
                answered_by: by,
            });
            let text = serde_json::to_string(&result).map_err(|_| AppError::internal())?;
            Some((text, result.user_sentiment, result.call_successful))
        }
        _ => None,
    };
    let ring_ms = script.steps.iter().find(|(_, s)| matches!(s, Step::Ringing)).map_or(0, |(at, _)| *at);
    Ok(Template {
        agent: a,
        variables,
        prompt,
        first_message,
        magic_to,
        status: script.outcome.status,
        end_reason: script.outcome.end_reason,
        answered_by: script.outcome.answered_by,
        ring_ms: answered.unwrap_or(end).max(ring_ms),
        talk_ms: answered.map_or(0, |at| end - at),
        transcript: serde_json::to_string(&segments).map_err(|_| AppError::internal())?,
        said,
        analysis,
    })
}

/// How many calls each day of the period gets: weekdays busier than weekends, growing over time.
fn per_day(calls: u64, days: i64, first_day: i64) -> Vec<u64> {
    let weights: Vec<f64> = (0..days)
        .map(|d| {
            // 1970-01-01 was a Thursday: day 0 mod 7 = Thursday, so 2 and 3 are Saturday and Sunday.
            let weekday = (first_day + d).rem_euclid(7);
            let base = if weekday == 2 {
                0.45
            } else if weekday == 3 {
                0.3
            } else {
                1.0
            };
            base * (0.7 + 0.6 * d as f64 / days.max(1) as f64)
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut out: Vec<u64> = weights.iter().map(|w| (calls as f64 * w / sum).floor() as u64).collect();
    let given: u64 = out.iter().sum();
    if let Some(last) = out.last_mut() {
        *last += calls - given;
    }
    out
}

fn random_number(rng: &mut rand::rngs::StdRng) -> String {
    const AREAS: &[u32] = &[212, 305, 312, 415, 512, 617, 646, 702, 720, 801, 917, 206];
    format!("+1{}{}{:04}", AREAS[rng.gen_range(0..AREAS.len())], rng.gen_range(200..999), rng.gen_range(0..10000))
}

fn uuid_at(ms: i64) -> String {
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, (ms / 1000) as u64, ((ms % 1000) * 1_000_000) as u32);
    uuid::Uuid::new_v7(ts).to_string()
}

/// Creates (or reuses) the demo user, a new demo project and its agents, and seeds `calls` calls.
/// `progress(done, total)` is called after every committed batch.
pub async fn seed(st: &AppState, opts: SeedOptions, progress: &mut dyn FnMut(u64, u64)) -> Result<Seeded, AppError> {
    let existing = {
        let mut c = st.db.pool().acquire().await?;
        crate::server::db::users::find_by_email(&mut c, opts.email.trim()).await?
    };
    let (user_id, password) = match existing {
        Some(u) => (u.id, None),
        None => {
            let pw = opts.password.clone().unwrap_or_else(|| {
                let mut rng = rand::thread_rng();
                let tail: String = (0..12).map(|_| rng.sample(rand::distributions::Alphanumeric) as char).collect();
                format!("Demo-{tail}-7")
            });
            let u = super::accounts::create_verified_user(st, "Demo User", &opts.email, &pw).await?;
            (u.id, Some(pw))
        }
    };
    let tokens = super::accounts::issue_tokens(st, &user_id).await?;
    let actor = Actor::User(super::accounts::authenticate_bearer(st, &tokens.access_token).await?);
    let now = now_ms();
    let mut rng = rand::rngs::StdRng::seed_from_u64(now as u64);
    let project_name = format!("Demo {}", crate::server::services::stats::day_of(now)) + &format!(" {:04x}", rng.gen_range(0..0x10000));
    let specs = specs();
    let (project_id, agents) = st
        .write(async |tx| {
            let p = super::projects::create(tx, &actor, &project_name, "Demo data written by talkdeck seed-demo.").await?;
            let mut agents = Vec::new();
            for s in &specs {
                let patch = super::agents::AgentPatch {
                    name: Some(s.name.into()),
                    system_prompt: Some(s.prompt.into()),
                    first_message: Some(s.first.into()),
                    direction: Some(s.direction.as_str().into()),
                    max_duration_secs: Some(300),
                    analysis: Some(AnalysisConfig { summary: true, success_criteria: s.success.into(), questions: s.questions.clone() }),
                    ..Default::default()
                };
                let a = super::agents::create(tx, &actor, &p.id, patch).await?;
                let mut nrng = rand::thread_rng();
                let number = format!("+1628555{:04}", nrng.gen_range(1000..10000));
                super::numbers::add_and_assign(st, tx, &actor, &p.id, &a.id, &number).await?;
                agents.push(super::agents::get(&mut *tx, &actor, &a.id).await?);
            }
            super::agents::set_active(tx, &actor, &p.id, &agents[0].id).await?;
            super::projects::set_active(tx, &actor, &p.id).await?;
            Ok((p.id, agents))
        })
        .await?;

    let weights: Vec<usize> = specs.iter().map(|s| s.weight).collect();
    let pool: Vec<Template> = (0..POOL).map(|k| template(k, &agents, &weights, &mut rng)).collect::<Result<_, _>>()?;
    let sqlite = st.db.backend() == Backend::Sqlite;
    let first_day = (now / DAY_MS) - opts.days + 1;
    let plan = per_day(opts.calls, opts.days, first_day);
    let mut times = plan.iter().enumerate().flat_map(|(d, n)| {
        let day_start = (first_day + d as i64) * DAY_MS;
        // Office hours in UTC, 08:00 to 20:00: each call gets a slot, and a time within it, so
        // creation times never go back (the SQLite search keys count on it).
        // Today only up to now.
        let n = *n;
        let end = (day_start + 20 * 3_600_000).min(now - 60_000);
        let start = if end <= day_start + 8 * 3_600_000 { day_start } else { day_start + 8 * 3_600_000 };
        let gap = ((end - start) / n.max(1) as i64).max(1);
        (0..n).map(move |i| (start + i as i64 * gap, gap))
    });
    let call_cols = calls_db::bulk_columns(sqlite);
    let user = actor.user_id().map(str::to_string);
    let (mut done, mut last_ms, mut seq) = (0u64, -1i64, 0i64);
    while done < opts.calls {
        let n = (opts.calls - done).min(BATCH as u64);
        let (mut calls, mut events, mut analyses, mut fts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut daily: BTreeMap<String, Daily> = BTreeMap::new();
        for _ in 0..n {
            let (slot, gap) = times.next().unwrap_or((now - 3_600_000, 1));
            let created = (slot + rng.gen_range(0..gap)).min(now - 60_000).max(last_ms);
            let t = &pool[rng.gen_range(0..POOL)];
            let agent = &agents[t.agent];
            let is_test = rng.gen_range(0..8) == 0;
            let other = if is_test { t.magic_to.clone() } else { random_number(&mut rng) };
            let own = agent.phone_numbers.first().map(|n| n.number.clone()).unwrap_or_default();
            let (from, to) = if agent.direction == Direction::Inbound { (other, own) } else { (own, other) };
            let id = uuid_at(created);
            let started = (t.status != CallStatus::Canceled).then_some(created + rng.gen_range(200..1500));
            let answered = started.filter(|_| t.answered_by.is_some()).map(|s| s + t.ring_ms);
            let ended = match (started, answered) {
                (_, Some(a)) => a + t.talk_ms,
                (Some(s), None) => s + t.ring_ms,
                (None, None) => created + rng.gen_range(5_000..600_000),
            };
            let duration = answered.map_or(0, |a| ended - a);
            let row = CallRow {
                id: id.clone(),
                project_id: project_id.clone(),
                agent_id: Some(agent.id.clone()),
                agent_name: agent.name.clone(),
                agent_version: agent.version,
                direction: agent.direction,
                from_number: from,
                to_number: to,
                status: t.status,
                end_reason: Some(t.end_reason),
                answered_by: t.answered_by,
                provider: if is_test { "simulator".into() } else { "twilio".into() },
                provider_call_id: (!is_test && started.is_some()).then(|| format!("CA{}", id.replace('-', ""))),
                is_test,
                prompt: t.prompt.clone(),
                first_message: t.first_message.clone(),
                speaks_first: agent.speaks_first,
                max_duration_secs: agent.max_duration_secs,
                recording_enabled: false,
                recording_path: None,
                variables: t.variables.clone(),
                metadata: format!("{{\"source\":\"seed-demo\",\"crm_id\":\"{}\"}}", rng.gen_range(100_000..999_999)),
                transcript: t.transcript.clone(),
                step: 0,
                cost_micros: duration * 70_000 / 60_000,
                currency: "USD".into(),
                scheduled_at: None,
                created_by: user.clone(),
                created_at: created,
                started_at: started,
                answered_at: answered,
                ended_at: Some(ended),
                duration_ms: Some(duration),
                updated_at: ended,
                sentiment: t.analysis.as_ref().map(|a| a.1),
                success: t.analysis.as_ref().and_then(|a| a.2),
                batch_id: None,
                batch_row_id: None,
                batch_attempt: None,
            };
            let day = daily.entry(super::stats::day_of(created)).or_insert_with(|| Daily { day: super::stats::day_of(created), ..Default::default() });
            let d = super::stats::finished_delta(&row);
            add_daily(day, &d);
            super::stats::add_outcome(day, row.sentiment, row.success, 1);
            // Events, as the runner writes them.
            let mut ev = |status: CallStatus, detail: &str, at: i64| {
                events.push(vec![Val::Text(new_id()), Val::Text(id.clone()), Val::Text(project_id.clone()), status.as_str().into(), detail.into(), at.into()]);
            };
            ev(CallStatus::Queued, "", created);
            if let Some(s) = started {
                ev(CallStatus::Initiated, "", s);
                ev(CallStatus::Ringing, "", s + 200);
            }
            if let Some(a) = answered {
                ev(CallStatus::InProgress, "", a);
            }
            let detail = if t.status == CallStatus::Canceled { "canceled by request" } else { t.end_reason.as_str() };
            ev(t.status, detail, ended);
            if let Some((result, _, _)) = &t.analysis {
                analyses.push(vec![
                    Val::Text(new_id()),
                    Val::Text(id.clone()),
                    Val::Text(project_id.clone()),
                    1.into(),
                    "builtin".into(),
                    Val::Text(result.clone()),
                    Val::OptText(None),
                    (ended + 2_000).into(),
                ]);
            }
            let doc = calls_db::search_document(&row.from_number, &row.to_number, [t.said.as_str()]);
            seq = if created == last_ms { seq + 1 } else { 0 };
            last_ms = created;
            let search = if sqlite {
                let key = calls_db::search_key_base(created) + seq;
                fts.push(vec![Val::Int(key), Val::Text(doc)]);
                Val::Int(key)
            } else {
                Val::Text(doc)
            };
            calls.push(calls_db::bulk_values(row, search));
        }
        let pid = project_id.clone();
        let call_cols = call_cols.clone();
        st.write(async |tx| {
            bulk::insert(&mut *tx, "calls", &call_cols, calls).await?;
            bulk::insert(&mut *tx, "call_events", &calls_db::EVENT_COLUMNS, events).await?;
            bulk::insert(&mut *tx, "call_analyses", &calls_db::ANALYSIS_COLUMNS, analyses).await?;
            if sqlite {
                bulk::insert(&mut *tx, "calls_fts", &calls_db::FTS_COLUMNS, fts).await?;
            }
            let days: Vec<Daily> = daily.into_values().collect();
            crate::server::db::stats::add(&mut *tx, &pid, &days).await?;
            Ok::<_, AppError>(())
        })
        .await?;
        done += n;
        progress(done, opts.calls);
    }
    // Fresh planner statistics: without them PostgreSQL misjudges searches and filters over the
    // new rows until autovacuum gets to them.
    // (SQLite's plans here do not depend on statistics.)
    if !sqlite {
        let mut c = st.db.pool().acquire().await?;
        sqlx::query("ANALYZE calls, call_events, call_analyses, call_daily").execute(&mut *c).await?;
    }
    Ok(Seeded { email: opts.email, password, project_id, project_name, calls: opts.calls })
}

fn add_daily(d: &mut Daily, x: &Daily) {
    d.completed += x.completed;
    d.voicemail += x.voicemail;
    d.busy += x.busy;
    d.no_answer += x.no_answer;
    d.failed += x.failed;
    d.canceled += x.canceled;
    d.answered += x.answered;
    d.answered_duration_ms += x.answered_duration_ms;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_places_every_call_and_prefers_weekdays() {
        let plan = per_day(100_000, 90, 20_000);
        assert_eq!(plan.len(), 90);
        assert_eq!(plan.iter().sum::<u64>(), 100_000);
        let weekend: Vec<u64> = (0..90).filter(|d| matches!((20_000 + d) % 7, 2 | 3)).map(|d| plan[d as usize]).collect();
        assert!(weekend.iter().all(|n| *n < plan[89]));
    }
}
