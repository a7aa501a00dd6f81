//! Call history at scale: the latest analysis's sentiment and success as list filters, text search
//! over numbers and transcripts (with the other filters and the keyset cursor), and the Overview's
//! per-day statistics (each finished call counted once, re-analysis included).
//! Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use common::{create_project, send, user, Auth, TestApp};
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use talkdeck::server::auth::Actor;

const FROM: &str = "+14155550100";

/// A project with an outbound agent (`{{name}}`, `{{topic}}`, success criteria) and one number.
async fn setup(app: &TestApp, tag: &str) -> (Auth, String, String) {
    let (_, owner) = user(app, &format!("{tag}@history.co")).await;
    let p = create_project(app, &owner, tag).await;
    let r = send(
        app,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"project_id": p, "name": "Ava", "system_prompt": "You are {{name}}. Ask about their {{topic}} and their budget.",
            "first_message": "Hi, this is {{name}} calling about {{topic}}.", "direction": "outbound",
            "analysis": {"summary": true, "success_criteria": "The caller agrees to a follow-up call.", "questions": []}})),
        &owner,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let agent = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::POST, "/api/v1/phone-numbers", Some(json!({"project_id": p, "number": FROM})), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let n = r.json["data"]["id"].as_str().unwrap().to_string();
    let r = send(app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(json!({"direction": "outbound", "phone_number_ids": [n]})), &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (owner, p, agent)
}

async fn place(app: &TestApp, auth: &Auth, agent: &str, to: &str, topic: &str) -> String {
    let body = json!({"to": to, "payload": {"name": "John", "topic": topic}});
    let r = send(app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(body), auth).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["data"]["id"].as_str().unwrap().to_string()
}

/// Runs jobs until none of the project's calls is unfinished (the tests' clock runs 1000 times
/// faster), then the analyses.
async fn finish_all(app: &TestApp, auth: &Auth, p: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        app.run_jobs().await;
        let calls = all(app, auth, p, "").await;
        if calls.iter().all(|c| c["ended_at"].is_string() || c["scheduled_at"].is_string() && c["status"] == "queued") {
            app.run_jobs().await;
            return;
        }
        assert!(Instant::now() < deadline, "calls still running");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn list(app: &TestApp, auth: &Auth, p: &str, q: &str) -> (StatusCode, Vec<Value>, Option<String>) {
    let r = send(app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit=100&{q}"), None, auth).await;
    (r.status, r.json["data"].as_array().cloned().unwrap_or_default(), r.json["next_cursor"].as_str().map(str::to_string))
}

async fn all(app: &TestApp, auth: &Auth, p: &str, q: &str) -> Vec<Value> {
    let (status, calls, next) = list(app, auth, p, q).await;
    assert_eq!(status, StatusCode::OK, "{q}");
    assert!(next.is_none(), "more than 100 calls");
    calls
}

fn ids(calls: &[Value]) -> Vec<String> {
    calls.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
}

/// Walks every page of `q` with `limit` calls a page; `between` runs after the first page.
async fn walk(app: &TestApp, auth: &Auth, p: &str, q: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = send(app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit={limit}&cursor={cursor}&{q}"), None, auth).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let page = ids(r.json["data"].as_array().unwrap());
        assert!(page.len() <= limit);
        seen.extend(page);
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return seen,
        }
    }
}

on_both!(sentiment_and_success_are_on_each_call_and_filter_the_history, |app| {
    let (owner, p, agent) = setup(&app, "outcome").await;
    for (i, topic) in ["solar panels", "heat pumps", "roof repair", "windows", "insulation", "a loan"].iter().enumerate() {
        place(&app, &owner, &agent, &format!("+1415555{:04}", 7001 + i), topic).await;
    }
    place(&app, &owner, &agent, "+14155550001", "solar panels").await; // busy: never analyzed
    finish_all(&app, &owner, &p).await;
    let calls = all(&app, &owner, &p, "").await;
    assert_eq!(calls.len(), 7);
    let mut by_sentiment: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_success: BTreeMap<bool, Vec<String>> = BTreeMap::new();
    for c in &calls {
        let id = c["id"].as_str().unwrap();
        let detail = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await.json["data"].clone();
        if c["status"] == "busy" {
            assert!(c["sentiment"].is_null() && c["success"].is_null(), "{c}");
            continue;
        }
        // The list shows the latest analysis's outcome without loading analyses.
        assert_eq!(c["sentiment"], detail["analysis"]["user_sentiment"], "{detail}");
        assert_eq!(c["success"], detail["analysis"]["call_successful"], "{detail}");
        assert!(c["success"].is_boolean(), "the agent has success criteria: {c}");
        by_sentiment.entry(c["sentiment"].as_str().unwrap().to_string()).or_default().push(id.to_string());
        by_success.entry(c["success"].as_bool().unwrap()).or_default().push(id.to_string());
    }
    for s in ["positive", "neutral", "negative", "unknown"] {
        let got = ids(&all(&app, &owner, &p, &format!("sentiment={s}")).await);
        assert_eq!(got, by_sentiment.get(s).cloned().unwrap_or_default(), "sentiment={s}");
    }
    for s in [true, false] {
        let got = ids(&all(&app, &owner, &p, &format!("success={s}")).await);
        assert_eq!(got, by_success.get(&s).cloned().unwrap_or_default(), "success={s}");
    }
    // With another filter and through a cursor.
    let (s, want) = by_sentiment.iter().next().unwrap();
    assert_eq!(&walk(&app, &owner, &p, &format!("sentiment={s}&status=completed"), 1).await, want);
    for bad in ["sentiment=happy", "success=maybe", "success=1"] {
        let (status, _, _) = list(&app, &owner, &p, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
});

on_both!(text_search_finds_transcript_words_and_numbers, |app| {
    let (owner, p, agent) = setup(&app, "search").await;
    let mut solar = Vec::new();
    for i in 0..5 {
        solar.push(place(&app, &owner, &agent, &format!("+1415555{:04}", 7001 + i), "solar panels").await);
    }
    let pumps = place(&app, &owner, &agent, "+16505557010", "heat pumps").await;
    let busy = place(&app, &owner, &agent, "+14155550001", "solar panels").await;
    finish_all(&app, &owner, &p).await;
    solar.reverse(); // newest first

    // A word of the transcript; another form of it (stemming); two words (both must appear).
    assert_eq!(ids(&all(&app, &owner, &p, "q=pumps").await), vec![pumps.clone()]);
    assert_eq!(ids(&all(&app, &owner, &p, "q=Pump").await), vec![pumps.clone()]);
    // Lists leave transcripts out unless asked.
    let lean = all(&app, &owner, &p, "q=pumps").await;
    assert!(lean[0].get("transcript").is_none() && lean[0]["status"] == "completed", "{}", lean[0]);
    let full = all(&app, &owner, &p, "q=pumps&transcripts=true").await;
    assert!(full[0]["transcript"].as_array().unwrap().iter().any(|s| s["text"].as_str().unwrap().contains("heat pumps")), "{}", full[0]);
    assert_eq!(ids(&all(&app, &owner, &p, "q=heat%20pumps").await), vec![pumps.clone()]);
    assert!(all(&app, &owner, &p, "q=heat%20solar").await.is_empty());
    assert!(all(&app, &owner, &p, "q=xylophone").await.is_empty());
    assert_eq!(ids(&all(&app, &owner, &p, "q=solar").await), solar, "the busy call has no transcript");
    // Numbers: the whole number as typed, its last digits, any run of digits inside it.
    assert_eq!(ids(&all(&app, &owner, &p, "q=%2B1%20650%20555-7010").await), vec![pumps.clone()]);
    assert_eq!(ids(&all(&app, &owner, &p, "q=5557010").await), vec![pumps.clone()]);
    assert_eq!(ids(&all(&app, &owner, &p, "q=0001").await), vec![busy.clone()]);
    assert_eq!(ids(&all(&app, &owner, &p, "q=4155557").await), solar);
    assert_eq!(all(&app, &owner, &p, "q=5550100").await.len(), 7, "the caller number of every call");
    // With other filters, and page by page through the cursor while a new call arrives.
    assert_eq!(ids(&all(&app, &owner, &p, "q=415555&status=busy").await), vec![busy.clone()]);
    assert!(all(&app, &owner, &p, "q=solar&status=busy").await.is_empty());
    assert_eq!(ids(&all(&app, &owner, &p, &format!("q=solar&agent_id={agent}&direction=outbound")).await), solar);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}&limit=2&cursor={cursor}&q=solar"), None, &owner).await;
        seen.extend(ids(r.json["data"].as_array().unwrap()));
        if seen.len() == 2 {
            let fresh = place(&app, &owner, &agent, "+14155557099", "solar panels").await;
            finish_all(&app, &owner, &p).await;
            assert!(ids(&all(&app, &owner, &p, "q=solar").await).contains(&fresh));
        }
        match r.json["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, solar, "every match once, newest first, the newer call not mixed in");

    // A call is found by its number at once, and by its words once they are said.
    let later = place(&app, &owner, &agent, "+14155557123", "geothermal wells").await;
    assert_eq!(ids(&all(&app, &owner, &p, "q=7123").await), vec![later.clone()]);
    assert!(all(&app, &owner, &p, "q=geothermal").await.is_empty(), "nothing said yet");
    finish_all(&app, &owner, &p).await;
    assert_eq!(ids(&all(&app, &owner, &p, "q=geothermal").await), vec![later.clone()]);

    // Nothing of another project, and bad searches are refused.
    let (_, stranger) = user(&app, "search-stranger@history.co").await;
    let q = create_project(&app, &stranger, "Elsewhere").await;
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={q}&q=solar"), None, &stranger).await;
    assert_eq!(r.json["data"].as_array().map(Vec::len), Some(0), "{}", r.text);
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}&q=solar"), None, &stranger).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // Fewer than four digits is not a number search (runs that short are not indexed inside numbers).
    let (status, _, _) = list(&app, &owner, &p, "q=415").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let long = "a".repeat(201);
    assert_eq!(list(&app, &owner, &p, &format!("q={long}")).await.0, StatusCode::BAD_REQUEST);
    // Query syntax of either engine is only text here.
    for odd in ["%22", "*", "a%20OR%20b", "NEAR(x)", "%26%7C!", "solar%27", "-"] {
        assert_eq!(list(&app, &owner, &p, &format!("q={odd}")).await.0, StatusCode::OK, "{odd}");
    }
});

on_both!(search_pages_stay_exact_when_calls_share_a_millisecond, |app| {
    let (owner, p, agent) = setup(&app, "tie").await;
    for i in 0..7 {
        place(&app, &owner, &agent, &format!("+1415555{:04}", 7201 + i), "solar panels").await;
    }
    finish_all(&app, &owner, &p).await;
    // Every call created in the same millisecond, indexed in an order unrelated to the ids (as
    // concurrent inserts may be): pages must still follow (created_at, id), newest first.
    let mut calls = ids(&all(&app, &owner, &p, "").await);
    let mut tx = app.state.db.begin_tx().await.unwrap();
    if app.backend == "sqlite" {
        sqlx::query("UPDATE calls SET created_at = 1700000000000, search_key = NULL WHERE project_id = $1")
            .bind(&p)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("INSERT INTO calls_fts (calls_fts) VALUES ('delete-all')").execute(&mut *tx).await.unwrap();
    } else {
        sqlx::query("UPDATE calls SET created_at = 1700000000000 WHERE project_id = $1").bind(&p).execute(&mut *tx).await.unwrap();
    }
    let shuffled = [3, 0, 6, 1, 5, 2, 4];
    for i in shuffled {
        let row = talkdeck::server::db::calls::find(&mut tx, &p, &calls[i]).await.unwrap().unwrap();
        talkdeck::server::db::calls::index_search(&mut tx, &row).await.unwrap();
    }
    tx.commit().await.unwrap();
    calls.sort();
    calls.reverse();
    for limit in [1, 2, 3, 7] {
        assert_eq!(walk(&app, &owner, &p, "q=solar", limit).await, calls, "limit {limit}");
    }
    assert_eq!(walk(&app, &owner, &p, "", 2).await, calls);
});

on_both!(migration_0017_reindexes_calls_with_every_run_of_their_numbers, |app| {
    let (owner, p, agent) = setup(&app, "runs").await;
    let solar = place(&app, &owner, &agent, "+14155557001", "solar panels").await;
    finish_all(&app, &owner, &p).await;
    assert_eq!(ids(&all(&app, &owner, &p, "q=4155557").await), vec![solar.clone()]);
    // As a call indexed before 0017 was: only its numbers' suffixes, and what was said.
    let mut tx = app.state.db.begin_tx().await.unwrap();
    let old_doc = "14155550100 4155550100 0100 14155557001 4155557001 155557001 7001 Hi solar panels";
    let write_old = if app.backend == "sqlite" {
        "INSERT OR REPLACE INTO calls_fts (rowid, doc) SELECT search_key, $1 FROM calls WHERE project_id = $2"
    } else {
        "UPDATE calls SET search_doc = to_tsvector('english', $1) WHERE project_id = $2"
    };
    sqlx::query(write_old).bind(old_doc).bind(&p).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(all(&app, &owner, &p, "q=4155557").await.is_empty(), "a run inside the number is not one of the old tokens");
    assert_eq!(ids(&all(&app, &owner, &p, "q=7001").await), vec![solar.clone()]);

    let sql =
        if app.backend == "sqlite" { include_str!("../migrations/sqlite/0017_number_runs.sql") } else { include_str!("../migrations/postgres/0017_number_runs.sql") };
    sqlx::raw_sql(sql).execute(app.state.db.pool()).await.unwrap();
    for q in ["q=4155557", "q=5557001", "q=14155557001", "q=1415", "q=5550100", "q=solar", "q=panels%20155557"] {
        assert_eq!(ids(&all(&app, &owner, &p, q).await), vec![solar.clone()], "{q}");
    }
    assert!(all(&app, &owner, &p, "q=4155558").await.is_empty());
});

on_both!(the_overview_counts_each_finished_call_once, |app| {
    let (owner, p, agent) = setup(&app, "overview").await;
    for suffix in ["0001", "0002", "0003", "0004", "0005", "0006", "7001", "7002"] {
        place(&app, &owner, &agent, &format!("+1415555{suffix}"), "solar panels").await;
    }
    let body = json!({"to": "+14155557003", "payload": {"name": "J", "topic": "t"}, "delay_seconds": 3600});
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(body), &owner).await;
    let scheduled = r.json["data"]["id"].as_str().unwrap().to_string();
    // Not finished, not counted.
    let st = app.state.clone();
    let now = talkdeck::server::db::now_ms();
    let o = st.read(async |c| talkdeck::server::services::stats::overview(c, &Actor::System, &p, 7, now).await).await.unwrap();
    assert_eq!(o.total, 0);
    let r = send(&app, Method::POST, &format!("/api/v1/calls/{scheduled}/cancel"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    finish_all(&app, &owner, &p).await;

    let calls = all(&app, &owner, &p, "").await;
    let expect = |calls: &[Value]| {
        let answered: Vec<&Value> = calls.iter().filter(|c| c["answered_at"].is_string()).collect();
        let count = |f: &dyn Fn(&Value) -> bool| answered.iter().filter(|c| f(c)).count() as i64;
        let durations: i64 = answered.iter().map(|c| c["duration_ms"].as_i64().unwrap()).sum();
        (
            answered.len() as i64,
            durations / answered.len() as i64,
            count(&|c| c["success"] == true),
            count(&|c| c["success"] == false),
            ["positive", "neutral", "negative", "unknown"].map(|s| count(&|c| c["sentiment"] == s)),
        )
    };
    let (answered, avg, yes, no, sentiments) = expect(&calls);
    assert_eq!(answered, 5, "voicemail, max duration, hang-up and two conversations");
    let o = st
        .read(async |c| talkdeck::server::services::stats::overview(c, &Actor::System, &p, 7, talkdeck::server::db::now_ms()).await)
        .await
        .unwrap();
    assert_eq!(o.days, 7);
    assert_eq!(o.per_day.len(), 7);
    assert_eq!(o.per_day.last().unwrap().day, o.to_day);
    assert_eq!(o.per_day[0].day, o.from_day);
    assert!(o.per_day.windows(2).all(|w| w[0].day < w[1].day));
    let today = o.per_day.last().unwrap();
    assert_eq!((today.completed, today.voicemail, today.busy, today.no_answer, today.failed, today.canceled), (4, 1, 1, 1, 1, 1), "{o:?}");
    assert!(o.per_day[..6].iter().all(|d| d.completed + d.voicemail + d.busy + d.no_answer + d.failed + d.canceled == 0));
    assert_eq!((o.total, o.answered), (9, 5));
    assert_eq!(o.answer_rate, Some(5.0 / 8.0), "canceled calls were never dialled");
    assert_eq!(o.avg_duration_ms, Some(avg));
    assert_eq!((o.success_yes, o.success_no), (yes, no));
    assert_eq!(o.success_rate, Some(yes as f64 / 5.0));
    assert_eq!([o.sentiment_positive, o.sentiment_neutral, o.sentiment_negative, o.sentiment_unknown], sentiments);
    assert_eq!(sentiments.iter().sum::<i64>(), 5);

    // Re-running analyses replaces the call's outcome in the counters, never adds to them.
    let answered_ids: Vec<String> = calls.iter().filter(|c| c["answered_at"].is_string()).map(|c| c["id"].as_str().unwrap().to_string()).collect();
    for id in answered_ids.iter().chain(answered_ids.iter().take(2)) {
        let q = json!({"questions": [{"question": "Which product?", "type": "Selector", "options": ["solar", "pumps"]}]});
        let r = send(&app, Method::POST, &format!("/api/v1/calls/{id}/analysis"), Some(q), &owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let again = st
        .read(async |c| talkdeck::server::services::stats::overview(c, &Actor::System, &p, 7, talkdeck::server::db::now_ms()).await)
        .await
        .unwrap();
    assert_eq!(again, o, "re-analysis counted twice");
    // Over the API, with the period checked.
    let r = send(&app, Method::GET, &format!("/api/v1/calls/overview?project_id={p}&days=30"), None, &owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["per_day"].as_array().map(Vec::len), Some(30));
    assert_eq!(r.json["data"]["total"], 9);
    let r = send(&app, Method::GET, &format!("/api/v1/calls/overview?project_id={p}&days=8"), None, &owner).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
});

on_both!(an_analysis_that_changes_the_outcome_moves_the_counts, |app| {
    let (owner, p, agent) = setup(&app, "moves").await;
    let id = place(&app, &owner, &agent, "+14155557001", "solar panels").await;
    finish_all(&app, &owner, &p).await;
    let st = app.state.clone();
    let overview = async || {
        st.read(async |c| talkdeck::server::services::stats::overview(c, &Actor::System, &p, 7, talkdeck::server::db::now_ms()).await)
            .await
            .unwrap()
    };
    let before = overview().await;
    let call = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await.json["data"].clone();
    let success = call["success"].as_bool().unwrap();
    // The next analysis judges the other way (as a changed configuration or a model might).
    let other = talkdeck::model::AnalysisResult { user_sentiment: talkdeck::model::Sentiment::Negative, call_successful: Some(!success), ..Default::default() };
    let mut tx = app.state.db.begin_tx().await.unwrap();
    talkdeck::server::services::stats::analysis_stored(&mut tx, &p, &id, &other).await.unwrap();
    tx.commit().await.unwrap();
    let after = overview().await;
    assert_eq!(after.total, before.total);
    assert_eq!(after.success_yes + after.success_no, 1);
    assert_eq!(after.success_yes, i64::from(!success));
    assert_eq!((after.sentiment_negative, after.sentiment_positive + after.sentiment_neutral + after.sentiment_unknown), (1, 0));
    let r = send(&app, Method::GET, &format!("/api/v1/calls?project_id={p}&sentiment=negative"), None, &owner).await;
    assert_eq!(r.json["data"][0]["id"], id.as_str(), "{}", r.text);
});

on_both!(the_overview_follows_project_access, |app| {
    let t = common::team(&app, "ovteam").await;
    let mut got = Vec::new();
    for au in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/calls/overview?project_id={}&days=7", t.project), None, au).await.status);
    }
    common::check("v1 call overview", &got, [200, 200, 200, 200, 404, 404]);
    let mut got = Vec::new();
    for au in &t.auths {
        got.push(send(&app, Method::GET, &format!("/api/v1/calls?project_id={}&q=solar&sentiment=positive", t.project), None, au).await.status);
    }
    common::check("v1 call search", &got, [200, 200, 200, 200, 404, 404]);
});

on_both!(list_items_match_the_single_call_field_by_field, |app| {
    // The lists read rows by column position through the backend's own driver; the single call by
    // name through `Any`. Every field the two share must agree, with and without transcripts.
    let (owner, p, agent) = setup(&app, "fields").await;
    place(&app, &owner, &agent, "+14155557001", "solar panels").await;
    place(&app, &owner, &agent, "+14155550001", "heat pumps").await; // busy: no answer, no analysis
    let body = json!({"to": "+14155557002", "payload": {"name": "Jo", "topic": "roofs"}, "context": {"crm": {"id": 7}}, "delay_seconds": 3600});
    let r = send(&app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(body), &owner).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    finish_all(&app, &owner, &p).await;
    let only_single = ["analysis", "recording", "recording_note", "has_recording", "recording_status"];
    for q in ["transcripts=true", "", "q=4155557&transcripts=true", "q=4155557"] {
        let calls = all(&app, &owner, &p, q).await;
        assert!(calls.len() >= 2, "{q}: {calls:?}");
        for c in &calls {
            let id = c["id"].as_str().unwrap();
            let one = send(&app, Method::GET, &format!("/api/v1/calls/{id}"), None, &owner).await.json["data"].clone();
            let (c, one) = (c.as_object().unwrap(), one.as_object().unwrap());
            for (k, v) in one {
                if only_single.contains(&k.as_str()) || (k == "transcript" && !q.contains("transcripts")) {
                    continue;
                }
                assert_eq!(c.get(k), Some(v), "{q}: field {k} of call {id}");
            }
            assert_eq!(c.contains_key("transcript"), q.contains("transcripts"), "{q}");
        }
    }
});
