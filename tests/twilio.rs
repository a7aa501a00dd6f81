//! Real phone calls through Twilio (issue 10), against a local fake of Twilio's REST API and a
//! local fake OpenAI-compatible model, with Twilio's webhooks played by the test and signed the
//! way Twilio signs them (HMAC-SHA1, checked against twilio-python's reference vector).
//!
//! Covered: what `twilio.create` sends to `Calls.json` (callbacks, events, time limit, recording,
//! machine detection) and what a refusal or a 5xx from Twilio does to the call; status callbacks
//! (forward only: duplicates and late ones change nothing; busy, no-answer, failed, canceled and
//! the time limit map to their end reasons); the voice TwiML (first message with the variables,
//! Gather); conversation turns answered by the model (rendered system prompt, transcript, the
//! agent's model and temperature), the same step delivered twice, silence, the model ending the
//! call (`end_call` tool, `[hangup]`), the model timing out or failing (apology, Redirect, one
//! retry); answering machines; forged, unsigned and tampered callbacks refused with nothing
//! changed; the price fetched after the call; the recording downloaded and served to members
//! only; inbound calls routed to the number's agent (VoiceUrl set on assignment, cleared on
//! unassignment, one call per CallSid), or turned away when no agent answers; canceling a ringing
//! call at Twilio; placing refused without a model or without credentials. Runs on SQLite and,
//! with TEST_DATABASE_URL, on PostgreSQL.

#[macro_use]
mod common;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use base64::Engine;
use common::{create_project, send, user, Auth, Resp, TestApp};
use hmac::{Hmac, Mac};
use http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use sha1::Sha1;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server's PUBLIC_URL in these tests: every callback URL starts with it.
const PUBLIC: &str = "https://talkdeck.test";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
/// A token of some other account: what it signs is a forgery here.
const OTHER_TOKEN: &str = "00112233445566778899aabbccddeeff";
/// The account's numbers: (Twilio SID, number, friendly name).
const MAIN: (&str, &str, &str) = ("PN11111111111111111111111111111111", "+14155552671", "Main line");
const SUPPORT: (&str, &str, &str) = ("PN22222222222222222222222222222222", "+14155552672", "Support line");
/// Who outbound calls go to, and who calls in.
const TO: &str = "+14155550100";
const CALLER: &str = "+14155550142";
/// The outbound agent's texts, and what they render to with [`VARIABLES`].
const PROMPT: &str = "You are {{name}}'s agent. Ask about {{topic}}.";
const RENDERED_PROMPT: &str = "You are Sam's agent. Ask about solar.";
const FIRST: &str = "Hi {{name}}, it's Ava from Sun & Co.";
const RENDERED_FIRST: &str = "Hi Sam, it's Ava from Sun & Co.";
/// The inbound agent's texts.
const INBOUND_PROMPT: &str = "You answer the phone for Acme Solar.";
const INBOUND_FIRST: &str = "Thanks for calling Acme Solar, how can I help?";
/// The agents' model (not the server's default, `fake-model`) and temperature.
const AGENT_MODEL: &str = "gpt-test-1";
const TEMPERATURE: f64 = 0.3;
const MAX_SECS: i64 = 300;
/// What the fake serves as a recording.
const RECORDING: &str = "ID3-fake-mp3-audio-0123456789";
/// How long a turn waits for the model here (the server's default is 8 s).
const TURN_TIMEOUT: Duration = Duration::from_millis(1000);
const JOB_CREATE: &str = "twilio.create";
const JOB_PRICE: &str = "twilio.price";

fn variables() -> Value {
    json!({"name": "Sam", "topic": "solar"})
}

/// A Twilio-style SID: the prefix and 32 hex digits.
fn new_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

// ---- forms and signatures ---------------------------------------------------------------------

/// A form as sent, repeated keys kept in order.
type Form = Vec<(String, String)>;

fn parse_form(body: &[u8]) -> Form {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `key`.
fn field<'a>(f: &'a Form, key: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Every value of `key`, in order.
fn fields<'a>(f: &'a Form, key: &str) -> Vec<&'a str> {
    f.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
}

/// Twilio's `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + every parameter's key and
/// value, sorted by key (then value), concatenated)).
fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `url` as the full public URL and as the path (with query) the router sees.
fn public_and_path(url: &str) -> (String, String) {
    if let Some(path) = url.strip_prefix(PUBLIC) {
        (url.to_string(), path.to_string())
    } else {
        assert!(url.starts_with('/'), "a callback URL outside PUBLIC_URL: {url}");
        (format!("{PUBLIC}{url}"), url.to_string())
    }
}

/// POSTs a form to the router as Twilio would, with `signature` as `X-Twilio-Signature` (none:
/// the header is left out).
async fn post_form(app: &TestApp, path: &str, params: &[(&str, &str)], signature: Option<&str>) -> Resp {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let mut b = Request::post(path).header("content-type", "application/x-www-form-urlencoded").header("host", "talkdeck.test");
    if let Some(s) = signature {
        b = b.header("x-twilio-signature", s);
    }
    app.request(b.body(Body::from(body)).unwrap()).await
}

/// POSTs a Twilio webhook signed with `token`; `url` is a full public URL or a path.
async fn twilio_post(app: &TestApp, url: &str, params: &[(&str, &str)], token: &str) -> Resp {
    let (full, path) = public_and_path(url);
    let signature = twilio_signature(token, &full, params);
    post_form(app, &path, params, Some(&signature)).await
}

/// A status, recording or other callback without TwiML: acknowledged with 204 or an empty 200.
fn assert_ack(r: &Resp, what: &str) {
    assert!(matches!(r.status.as_u16(), 200 | 204), "{what}: {} {}", r.status, r.text);
}

// ---- TwiML ------------------------------------------------------------------------------------

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// One TwiML verb: its name, its opening tag (attributes) and its text.
#[derive(Debug)]
struct Verb {
    name: String,
    tag: String,
    text: String,
}

impl Verb {
    fn attr(&self, name: &str) -> Option<String> {
        let key = format!(" {name}=\"");
        let i = self.tag.find(&key)? + key.len();
        let j = self.tag[i..].find('"')?;
        Some(xml_unescape(&self.tag[i..i + j]))
    }
}

/// A TwiML answer, read just enough: its verbs in document order (`Response` left out).
struct Twiml {
    raw: String,
    verbs: Vec<Verb>,
}

impl Twiml {
    fn parse(raw: &str) -> Twiml {
        let mut verbs = Vec::new();
        let mut rest = raw;
        while let Some(i) = rest.find('<') {
            let open = &rest[i + 1..];
            let Some(end) = open.find('>') else { break };
            let tag = &open[..end];
            rest = &open[end + 1..];
            if tag.starts_with(['?', '/', '!']) {
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/').trim();
            let name = tag.split_whitespace().next().unwrap_or("").to_string();
            if name == "Response" {
                continue;
            }
            let text = if self_closing { String::new() } else { xml_unescape(rest[..rest.find('<').unwrap_or(rest.len())].trim()) };
            verbs.push(Verb { name, tag: tag.to_string(), text });
        }
        Twiml { raw: raw.to_string(), verbs }
    }

    /// The TwiML answered to a webhook: 200, `text/xml`, an XML declaration and a `<Response>`.
    fn of(r: &Resp) -> Twiml {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(ct.starts_with("text/xml"), "content type {ct:?}: {}", r.text);
        assert!(r.text.trim_start().starts_with("<?xml"), "{}", r.text);
        assert!(r.text.contains("<Response>") || r.text.contains("<Response/>"), "{}", r.text);
        Twiml::parse(&r.text)
    }

    fn names(&self) -> Vec<&str> {
        self.verbs.iter().map(|v| v.name.as_str()).collect()
    }

    fn says(&self) -> Vec<&str> {
        self.verbs.iter().filter(|v| v.name == "Say").map(|v| v.text.as_str()).collect()
    }

    fn gather(&self) -> Option<&Verb> {
        self.verbs.iter().find(|v| v.name == "Gather")
    }

    /// The Gather's action URL (XML-unescaped).
    fn action(&self) -> String {
        self.gather().and_then(|g| g.attr("action")).unwrap_or_else(|| panic!("no <Gather action>: {}", self.raw))
    }

    fn redirect(&self) -> Option<&Verb> {
        self.verbs.iter().find(|v| v.name == "Redirect")
    }

    fn hangs_up(&self) -> bool {
        self.verbs.iter().any(|v| v.name == "Hangup")
    }
}

/// The `step` of a turn URL.
fn step_of(url: &str) -> i64 {
    let i = url.find("step=").unwrap_or_else(|| panic!("no step in {url}")) + "step=".len();
    url[i..].split('&').next().unwrap().parse().unwrap_or_else(|_| panic!("step is not a number in {url}"))
}

/// The call id of a turn URL (`{PUBLIC}/hooks/twilio/turn/{id}?step=N`).
fn call_of_turn(url: &str) -> String {
    let rest = url.strip_prefix(&format!("{PUBLIC}/hooks/twilio/turn/")).unwrap_or_else(|| panic!("not a turn URL: {url}"));
    rest.split('?').next().unwrap().to_string()
}

fn assert_turn_url(url: &str, call_id: &str) {
    assert!(url.starts_with(&format!("{PUBLIC}/hooks/twilio/turn/{call_id}?step=")), "turn URL {url}");
}

// ---- a fake Twilio ----------------------------------------------------------------------------

#[derive(Default)]
struct TwilioBook {
    numbers: Vec<Value>,
    /// Every Calls.json form, with the CallSid answered (none when refused).
    created: Vec<(Option<String>, Form)>,
    /// Calls.json answers this (status, body) instead of creating the call.
    create_error: Option<(u16, Value)>,
    /// The price a fetched call has (`None`: null, not known yet).
    price: Option<String>,
    price_fetches: Vec<String>,
    /// POST Calls/{CallSid}.json (cancel, hang up).
    call_updates: Vec<(String, Form)>,
    /// POST Calls/{CallSid}/Recordings.json.
    recordings_started: Vec<(String, Form)>,
    /// POST IncomingPhoneNumbers/{PN}.json.
    number_updates: Vec<(String, Form)>,
    recording_downloads: Vec<String>,
    /// Requests without the account's basic auth.
    refused_auth: usize,
}

#[derive(Clone, Default)]
struct FakeTwilio(Arc<Mutex<TwilioBook>>);

impl FakeTwilio {
    async fn start() -> (FakeTwilio, String) {
        let f = FakeTwilio::default();
        f.book(|b| {
            b.numbers = [MAIN, SUPPORT].iter().map(|(sid, number, name)| json!({"sid": sid, "phone_number": number, "friendly_name": name})).collect();
        });
        let app = axum::Router::new()
            .route("/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", get(tw_numbers))
            .route("/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{pn}", post(tw_number_update))
            .route("/2010-04-01/Accounts/{sid}/Calls.json", post(tw_create))
            .route("/2010-04-01/Accounts/{sid}/Calls/{call}", get(tw_fetch).post(tw_update))
            .route("/2010-04-01/Accounts/{sid}/Calls/{call}/Recordings.json", post(tw_record))
            .route("/2010-04-01/Accounts/{sid}/Recordings/{rec}", get(tw_media))
            .with_state(f.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (f, format!("http://{addr}"))
    }

    fn book<T>(&self, f: impl FnOnce(&mut TwilioBook) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }

    /// Whether the request carries the account's basic auth (counted when not).
    fn authorized(&self, h: &HeaderMap, sid: &str) -> bool {
        let want = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}")));
        let ok = sid == SID && h.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str());
        if !ok {
            self.book(|b| b.refused_auth += 1);
        }
        ok
    }
}

fn tw_unauthorized() -> Response {
    (AxStatus::UNAUTHORIZED, Json(json!({"code": 20003, "message": "Authenticate", "status": 401}))).into_response()
}

fn tw_not_found() -> Response {
    (AxStatus::NOT_FOUND, Json(json!({"code": 20404, "message": "The requested resource was not found", "status": 404}))).into_response()
}

async fn tw_numbers(State(f): State<FakeTwilio>, Path(sid): Path<String>, h: HeaderMap) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let numbers = f.book(|b| b.numbers.clone());
    Json(json!({"incoming_phone_numbers": numbers, "next_page_uri": null, "page": 0, "page_size": 1000})).into_response()
}

async fn tw_number_update(State(f): State<FakeTwilio>, Path((sid, pn)): Path<(String, String)>, h: HeaderMap, body: Bytes) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let Some(pn) = pn.strip_suffix(".json").map(str::to_string) else { return tw_not_found() };
    let form = parse_form(&body);
    let voice_url = field(&form, "VoiceUrl").unwrap_or("").to_string();
    f.book(|b| b.number_updates.push((pn.clone(), form)));
    Json(json!({"sid": pn, "account_sid": SID, "voice_url": voice_url})).into_response()
}

async fn tw_create(State(f): State<FakeTwilio>, Path(sid): Path<String>, h: HeaderMap, body: Bytes) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let form = parse_form(&body);
    let (to, from) = (field(&form, "To").unwrap_or("").to_string(), field(&form, "From").unwrap_or("").to_string());
    match f.book(|b| b.create_error.clone()) {
        Some((status, answer)) => {
            f.book(|b| b.created.push((None, form)));
            (AxStatus::from_u16(status).unwrap(), Json(answer)).into_response()
        }
        None => {
            let call_sid = new_sid("CA");
            f.book(|b| b.created.push((Some(call_sid.clone()), form)));
            let answer = json!({"sid": call_sid, "account_sid": SID, "status": "queued", "to": to, "from": from, "price": null, "direction": "outbound-api"});
            (AxStatus::CREATED, Json(answer)).into_response()
        }
    }
}

async fn tw_fetch(State(f): State<FakeTwilio>, Path((sid, call)): Path<(String, String)>, h: HeaderMap) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let Some(call) = call.strip_suffix(".json").map(str::to_string) else { return tw_not_found() };
    let price = f.book(|b| {
        b.price_fetches.push(call.clone());
        b.price.clone()
    });
    Json(json!({"sid": call, "account_sid": SID, "status": "completed", "duration": "42", "price": price, "price_unit": "USD"})).into_response()
}

async fn tw_update(State(f): State<FakeTwilio>, Path((sid, call)): Path<(String, String)>, h: HeaderMap, body: Bytes) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let Some(call) = call.strip_suffix(".json").map(str::to_string) else { return tw_not_found() };
    let form = parse_form(&body);
    let status = field(&form, "Status").unwrap_or("in-progress").to_string();
    f.book(|b| b.call_updates.push((call.clone(), form)));
    Json(json!({"sid": call, "account_sid": SID, "status": status})).into_response()
}

async fn tw_record(State(f): State<FakeTwilio>, Path((sid, call)): Path<(String, String)>, h: HeaderMap, body: Bytes) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let form = parse_form(&body);
    f.book(|b| b.recordings_started.push((call.clone(), form)));
    (AxStatus::CREATED, Json(json!({"sid": new_sid("RE"), "account_sid": SID, "call_sid": call, "status": "in-progress"}))).into_response()
}

async fn tw_media(State(f): State<FakeTwilio>, Path((sid, rec)): Path<(String, String)>, h: HeaderMap) -> Response {
    if !f.authorized(&h, &sid) {
        return tw_unauthorized();
    }
    let Some(rec) = rec.strip_suffix(".mp3").map(str::to_string) else { return tw_not_found() };
    f.book(|b| b.recording_downloads.push(rec));
    ([("content-type", "audio/mpeg")], RECORDING).into_response()
}

// ---- a fake model -----------------------------------------------------------------------------

/// One scripted answer of the model.
#[derive(Clone, Debug)]
enum Reply {
    /// An assistant message with this content.
    Text(&'static str),
    /// The `end_call` tool call, without content.
    EndCall,
    /// This HTTP status with an error body.
    Fail(u16),
    /// Waits this many milliseconds, then answers.
    Slow(u64, Box<Reply>),
}

fn slow(ms: u64, r: Reply) -> Reply {
    Reply::Slow(ms, Box::new(r))
}

#[derive(Default)]
struct ModelBook {
    script: VecDeque<Reply>,
    /// Every conversation request (the JSON body), in arrival order. Post-call analysis
    /// requests (those with a `response_format`) are answered 503 and not kept.
    turns: Vec<Value>,
}

#[derive(Clone, Default)]
struct FakeModel(Arc<Mutex<ModelBook>>);

impl FakeModel {
    async fn start() -> (FakeModel, String) {
        let m = FakeModel::default();
        let app = axum::Router::new().route("/chat/completions", post(complete)).with_state(m.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (m, format!("http://{addr}"))
    }

    fn book<T>(&self, f: impl FnOnce(&mut ModelBook) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }

    /// The next answers, in order (after them: an unscripted filler line).
    fn script(&self, replies: Vec<Reply>) {
        self.book(|b| b.script.extend(replies));
    }

    fn turns(&self) -> Vec<Value> {
        self.book(|b| b.turns.clone())
    }
}

async fn complete(State(m): State<FakeModel>, Json(body): Json<Value>) -> Response {
    if body.get("response_format").is_some() {
        return (AxStatus::SERVICE_UNAVAILABLE, Json(json!({"error": {"message": "analysis is not scripted here"}}))).into_response();
    }
    let mut reply = m.book(|b| {
        b.turns.push(body.clone());
        b.script.pop_front().unwrap_or(Reply::Text("(unscripted model line)"))
    });
    while let Reply::Slow(ms, next) = reply {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        reply = *next;
    }
    let message = match reply {
        Reply::Text(t) => json!({"role": "assistant", "content": t}),
        Reply::EndCall => json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "end_call", "arguments": "{}"}}
        ]}),
        Reply::Fail(status) => {
            return (AxStatus::from_u16(status).unwrap(), Json(json!({"error": {"message": "the model broke", "type": "server_error"}}))).into_response();
        }
        Reply::Slow(..) => unreachable!("waited above"),
    };
    let finish = if message["tool_calls"].is_array() { "tool_calls" } else { "stop" };
    Json(json!({"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"], "choices": [{"index": 0, "message": message, "finish_reason": finish}]}))
        .into_response()
}

/// A model request's conversation: its non-system messages as (role, content).
fn conversation(req: &Value) -> Vec<(String, String)> {
    req["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages: {req}"))
        .iter()
        .filter(|m| m["role"] != "system")
        .map(|m| (m["role"].as_str().unwrap_or("").to_string(), m["content"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn system_prompt(req: &Value) -> String {
    let first = &req["messages"][0];
    assert_eq!(first["role"], "system", "the system prompt comes first: {req}");
    first["content"].as_str().unwrap_or("").to_string()
}

fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// A call's transcript as (role, text).
fn lines(call: &Value) -> Vec<(String, String)> {
    call["transcript"]
        .as_array()
        .unwrap_or_else(|| panic!("no transcript: {call}"))
        .iter()
        .map(|s| (s["role"].as_str().unwrap().to_string(), s["text"].as_str().unwrap().to_string()))
        .collect()
}

/// (status, end_reason) of a call, for one-line assertions.
fn outcome(call: &Value) -> (Option<&str>, Option<&str>) {
    (call["status"].as_str(), call["end_reason"].as_str())
}

// ---- the rig: an app wired to both fakes, a project with the account's numbers ---------------

struct Rig {
    app: TestApp,
    twilio: FakeTwilio,
    model: FakeModel,
    owner: Auth,
    project: String,
    /// Number ids of [`MAIN`] and [`SUPPORT`] (provider twilio).
    main: String,
    support: String,
}

/// One Twilio call leg as the test plays it.
struct Leg {
    id: String,
    sid: String,
    from: String,
    to: String,
    direction: &'static str,
    status_url: String,
    /// What Talkdeck posted to Calls.json (empty for inbound calls).
    form: Form,
}

impl Leg {
    fn inbound(id: &str, sid: &str) -> Leg {
        Leg {
            id: id.into(),
            sid: sid.into(),
            from: CALLER.into(),
            to: SUPPORT.1.into(),
            direction: "inbound",
            status_url: "/hooks/twilio/status".into(),
            form: Form::new(),
        }
    }

    /// The parameters Twilio sends with every request about this call, then `extra`.
    fn params<'a>(&'a self, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut p = vec![
            ("CallSid", self.sid.as_str()),
            ("AccountSid", SID),
            ("From", self.from.as_str()),
            ("To", self.to.as_str()),
            ("Direction", self.direction),
            ("ApiVersion", "2010-04-01"),
        ];
        p.extend_from_slice(extra);
        p
    }
}

impl Rig {
    /// A rig on `app`'s backend (the plain app is replaced by one configured for the fakes).
    async fn new(app: TestApp, tag: &str) -> Rig {
        let backend = app.backend;
        drop(app);
        Rig::build(backend, tag, true).await
    }

    async fn build(backend: &'static str, tag: &str, with_model: bool) -> Rig {
        let (twilio, twilio_base) = FakeTwilio::start().await;
        let (model, model_base) = FakeModel::start().await;
        let app = TestApp::with_config(backend, |c| {
            c.public_url = url::Url::parse(PUBLIC).unwrap();
            c.twilio_api_base = twilio_base.clone();
            c.llm = with_model.then(|| talkdeck::server::config::LlmConfig { base_url: model_base.clone(), api_key: None, model: "fake-model".into() });
            c.llm_turn_timeout = TURN_TIMEOUT;
        })
        .await;
        let (_, owner) = user(&app, &format!("owner-{tag}@twilio.co")).await;
        let project = create_project(&app, &owner, &format!("Twilio {tag}")).await;
        let r = send(&app, Method::PUT, &format!("/api/v1/projects/{project}/twilio"), Some(json!({"account_sid": SID, "auth_token": TOKEN})), &owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = send(&app, Method::POST, &format!("/api/v1/projects/{project}/twilio/import"), None, &owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let imported = r.json["data"]["imported"].as_array().unwrap().clone();
        assert_eq!(imported.len(), 2, "{}", r.text);
        let id_of = |(sid, number, _): (&str, &str, &str)| {
            let n = imported.iter().find(|n| n["number"] == number).unwrap_or_else(|| panic!("{number} not imported: {imported:?}"));
            assert_eq!((n["provider"].as_str(), n["twilio_sid"].as_str()), (Some("twilio"), Some(sid)));
            n["id"].as_str().unwrap().to_string()
        };
        let (main, support) = (id_of(MAIN), id_of(SUPPORT));
        Rig { app, twilio, model, owner, project, main, support }
    }

    /// An outbound agent ([`PROMPT`], [`FIRST`], the test model and temperature; `extra` on top)
    /// calling from [`MAIN`].
    async fn outbound_agent(&self, extra: Value) -> String {
        let mut body = json!({
            "project_id": self.project, "name": "Ava", "system_prompt": PROMPT, "first_message": FIRST, "direction": "outbound",
            "language": "en-US", "llm_model": AGENT_MODEL, "temperature": TEMPERATURE, "max_duration_secs": MAX_SECS,
            "recording": false, "speaks_first": "agent",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let id = self.create_agent(body).await;
        self.calling(&id, "outbound", &[&self.main]).await;
        id
    }

    /// An inbound agent ([`INBOUND_PROMPT`], [`INBOUND_FIRST`]); numbers are assigned by the test.
    async fn inbound_agent(&self, extra: Value) -> String {
        let mut body = json!({
            "project_id": self.project, "name": "Reception", "system_prompt": INBOUND_PROMPT, "first_message": INBOUND_FIRST,
            "direction": "inbound", "language": "en-US", "llm_model": AGENT_MODEL, "temperature": TEMPERATURE,
            "max_duration_secs": MAX_SECS, "recording": false, "speaks_first": "agent",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.create_agent(body).await
    }

    async fn create_agent(&self, body: Value) -> String {
        let r = send(&self.app, Method::POST, "/api/v1/agents", Some(body), &self.owner).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json["data"]["id"].as_str().unwrap().to_string()
    }

    async fn calling(&self, agent: &str, direction: &str, numbers: &[&str]) {
        let body = json!({"direction": direction, "phone_number_ids": numbers});
        let r = send(&self.app, Method::PUT, &format!("/api/v1/agents/{agent}/calling"), Some(body), &self.owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }

    async fn place_raw(&self, agent: &str) -> Resp {
        send(&self.app, Method::POST, &format!("/api/v1/agents/{agent}/call"), Some(json!({"to": TO, "payload": variables()})), &self.owner).await
    }

    /// Places a call to [`TO`] with [`variables`]; its id.
    async fn place(&self, agent: &str) -> String {
        let r = self.place_raw(agent).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.json["data"]["id"].as_str().unwrap().to_string()
    }

    /// How many times Talkdeck asked Twilio to place call `id`.
    fn attempts(&self, id: &str) -> usize {
        let url = format!("{PUBLIC}/hooks/twilio/voice/{id}");
        self.twilio.book(|b| b.created.iter().filter(|(_, f)| field(f, "Url") == Some(url.as_str())).count())
    }

    /// Places a call and runs the jobs: Twilio accepted it.
    async fn dial(&self, agent: &str) -> Leg {
        let id = self.place(agent).await;
        self.app.run_jobs().await;
        let url = format!("{PUBLIC}/hooks/twilio/voice/{id}");
        let found = self.twilio.book(|b| b.created.iter().rev().find(|(_, f)| field(f, "Url") == Some(url.as_str())).cloned());
        let (sid, form) = found.unwrap_or_else(|| panic!("Twilio was not asked to place call {id}: {:?}", self.twilio.book(|b| b.created.clone())));
        let sid = sid.expect("the fake accepted the call");
        Leg {
            id: id.clone(),
            sid,
            from: MAIN.1.into(),
            to: TO.into(),
            direction: "outbound-api",
            status_url: format!("/hooks/twilio/status/{id}"),
            form,
        }
    }

    /// A status callback (acknowledged, whatever it changes).
    async fn status(&self, leg: &Leg, status: &str, extra: &[(&str, &str)]) {
        let mut extra = extra.to_vec();
        extra.push(("CallStatus", status));
        let r = twilio_post(&self.app, &leg.status_url, &leg.params(&extra), TOKEN).await;
        assert_ack(&r, &format!("status callback {status}"));
    }

    /// Twilio asking the voice URL for TwiML: the call was answered (`answered_by`: AnsweredBy).
    async fn voice(&self, leg: &Leg, answered_by: Option<&str>) -> Twiml {
        let url = field(&leg.form, "Url").expect("a voice URL").to_string();
        let mut extra = vec![("CallStatus", "in-progress")];
        if let Some(a) = answered_by {
            extra.push(("AnsweredBy", a));
        }
        Twiml::of(&twilio_post(&self.app, &url, &leg.params(&extra), TOKEN).await)
    }

    /// Dialed, initiated, ringing, answered by a person: the call and its opening TwiML.
    async fn answer(&self, agent: &str) -> (Leg, Twiml) {
        let leg = self.dial(agent).await;
        for s in ["initiated", "ringing", "in-progress"] {
            self.status(&leg, s, &[]).await;
        }
        let t = self.voice(&leg, None).await;
        (leg, t)
    }

    /// Twilio posting a Gather's result (or a Redirect) to `url`: what the caller said, if anything.
    async fn turn(&self, leg: &Leg, url: &str, speech: Option<&str>) -> Twiml {
        let mut extra = vec![("CallStatus", "in-progress")];
        if let Some(s) = speech {
            extra.push(("SpeechResult", s));
            extra.push(("Confidence", "0.92"));
        }
        Twiml::of(&twilio_post(&self.app, url, &leg.params(&extra), TOKEN).await)
    }

    async fn call(&self, id: &str) -> Value {
        let r = send(&self.app, Method::GET, &format!("/api/v1/calls/{id}"), None, &self.owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json["data"].clone()
    }

    async fn calls(&self) -> Vec<Value> {
        let r = send(&self.app, Method::GET, &format!("/api/v1/calls?project_id={}&limit=100", self.project), None, &self.owner).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json["data"].as_array().unwrap().clone()
    }

    /// Makes pending jobs of `kind` due now (retries and delayed jobs included) and runs the jobs.
    async fn due(&self, kind: &str) {
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = $1 AND state = 'pending'")
            .bind(kind)
            .execute(self.app.state.db.pool())
            .await
            .unwrap();
        self.app.run_jobs().await;
    }

    /// Posts a forged callback and checks it is refused with 403 and the call left as it was.
    async fn refused(&self, leg: &Leg, path: &str, params: &[(&str, &str)], signature: Option<&str>, what: &str) {
        let before = snapshot(&self.call(&leg.id).await);
        let r = post_form(&self.app, path, params, signature).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.text);
        assert_eq!(snapshot(&self.call(&leg.id).await), before, "{what} changed the call");
    }
}

/// What a forged callback must not change.
fn snapshot(call: &Value) -> Value {
    json!({
        "status": call["status"], "end_reason": call["end_reason"], "answered_by": call["answered_by"], "transcript": call["transcript"],
        "duration_ms": call["duration_ms"], "has_recording": call["has_recording"], "ended_at": call["ended_at"],
    })
}

// ---- the helpers themselves -------------------------------------------------------------------

#[test]
fn the_signature_helper_matches_twilios_reference_vector() {
    // Twilio's documented example (twilio-python's request validator tests, TwilioDevEd/api-snippets
    // security/signature_validation): note the numbers end in 5309.
    let params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")];
    assert_eq!(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &params), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    // The order parameters are given in does not matter.
    let mut reversed = params;
    reversed.reverse();
    assert_eq!(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &reversed), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

#[test]
fn the_twiml_reader_finds_verbs_urls_and_text() {
    let t = Twiml::parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say voice=\"Polly.Joanna\" language=\"en-US\">Sun &amp; Co. isn&apos;t &lt;late&gt;</Say>\
         <Gather input=\"speech\" action=\"https://talkdeck.test/hooks/twilio/turn/c1?step=3&amp;x=1\" method=\"POST\"/>\
         <Redirect method=\"POST\">https://talkdeck.test/hooks/twilio/turn/c1?step=4&amp;retry=1</Redirect><Hangup/></Response>",
    );
    assert_eq!(t.names(), ["Say", "Gather", "Redirect", "Hangup"]);
    assert_eq!(t.says(), ["Sun & Co. isn't <late>"]);
    assert_eq!(t.verbs[0].attr("language").as_deref(), Some("en-US"));
    assert_eq!(t.action(), "https://talkdeck.test/hooks/twilio/turn/c1?step=3&x=1");
    assert_eq!((step_of(&t.action()), call_of_turn(&t.action())), (3, "c1".to_string()));
    assert_eq!(t.redirect().unwrap().text, "https://talkdeck.test/hooks/twilio/turn/c1?step=4&retry=1");
    assert!(t.hangs_up());
    assert_eq!(Twiml::parse("<Response><Hangup /></Response>").names(), ["Hangup"]);
}

// ---- outbound ---------------------------------------------------------------------------------

on_both!(an_outbound_call_runs_through_twilio_from_dial_to_price_and_recording, |app| {
    let rig = Rig::new(app, "happy").await;
    let (_, member) = user(&rig.app, "member-happy@twilio.co").await;
    common::invite_and_accept(&rig.app, &rig.owner, &rig.project, "member-happy@twilio.co", "member", &member).await;
    let agent = rig.outbound_agent(json!({"recording": true})).await;

    // What Talkdeck asks Twilio for.
    let leg = rig.dial(&agent).await;
    let (id, f) = (leg.id.as_str(), &leg.form);
    assert_eq!((field(f, "To"), field(f, "From")), (Some(TO), Some(MAIN.1)), "{f:?}");
    assert_eq!(field(f, "Url"), Some(format!("{PUBLIC}/hooks/twilio/voice/{id}").as_str()));
    assert_eq!(field(f, "Method"), Some("POST"));
    assert_eq!(field(f, "StatusCallback"), Some(format!("{PUBLIC}/hooks/twilio/status/{id}").as_str()));
    assert_eq!(field(f, "StatusCallbackMethod"), Some("POST"));
    let mut events = fields(f, "StatusCallbackEvent");
    events.sort();
    assert_eq!(events, ["answered", "completed", "initiated", "ringing"], "{f:?}");
    assert_eq!(field(f, "TimeLimit"), Some(MAX_SECS.to_string().as_str()));
    assert_eq!(field(f, "Record"), Some("true"));
    assert_eq!(field(f, "RecordingStatusCallback"), Some(format!("{PUBLIC}/hooks/twilio/recording/{id}").as_str()));
    assert_eq!(field(f, "RecordingStatusCallbackEvent"), Some("completed"));
    assert_eq!(field(f, "MachineDetection"), None, "machine detection is off by default");

    // Twilio's progress.
    for (twilio, ours) in [("initiated", "initiated"), ("ringing", "ringing"), ("in-progress", "in-progress")] {
        rig.status(&leg, twilio, &[]).await;
        assert_eq!(rig.call(id).await["status"], ours, "after {twilio}");
    }

    // Answered: the first message with the variables, then listening.
    let t = rig.voice(&leg, None).await;
    assert_eq!(t.names(), ["Say", "Gather"], "{}", t.raw);
    assert_eq!(t.says(), [RENDERED_FIRST]);
    let g = t.gather().unwrap();
    assert_eq!((g.attr("input").as_deref(), g.attr("method").as_deref(), g.attr("language").as_deref()), (Some("speech"), Some("POST"), Some("en-US")), "{}", t.raw);
    assert_eq!(rig.call(id).await["status"], "in-progress");

    // Three turns, each answered with the model's line.
    let turns = [
        ("Yes, I have a minute.", "Great! How many panels are you thinking about?"),
        ("About twelve panels.", "Twelve, got it. When could our installer visit?"),
        ("Next Tuesday works.", "Tuesday it is. Thanks, Sam!"),
    ];
    rig.model.script(turns.iter().map(|&(_, reply)| Reply::Text(reply)).collect());
    let mut expected = vec![("agent", RENDERED_FIRST)];
    let mut action = t.action();
    assert_turn_url(&action, id);
    for (i, &(said, reply)) in turns.iter().enumerate() {
        let t = rig.turn(&leg, &action, Some(said)).await;
        assert_eq!(t.names(), ["Say", "Gather"], "turn {i}: {}", t.raw);
        assert_eq!(t.says(), [reply], "turn {i}");
        expected.push(("user", said));
        let reqs = rig.model.turns();
        assert_eq!(reqs.len(), i + 1, "one model request per turn");
        let req = &reqs[i];
        assert_eq!(req["model"], AGENT_MODEL, "the agent's model: {req}");
        assert!((req["temperature"].as_f64().unwrap_or(-1.0) - TEMPERATURE).abs() < 1e-9, "the agent's temperature: {req}");
        let system = system_prompt(req);
        assert!(system.contains(RENDERED_PROMPT) && !system.contains("{{"), "the rendered prompt: {system}");
        let roles: Vec<(&str, &str)> = expected.iter().map(|(who, text)| (if *who == "agent" { "assistant" } else { "user" }, *text)).collect();
        assert_eq!(conversation(req), owned(&roles), "turn {i}: the conversation so far");
        expected.push(("agent", reply));
        let next = t.action();
        assert_turn_url(&next, id);
        assert!(step_of(&next) > step_of(&action), "{next} after {action}");
        action = next;
    }

    // The caller hangs up.
    rig.status(&leg, "completed", &[("CallDuration", "42")]).await;
    let call = rig.call(id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("user_hangup")), "{call}");
    assert_eq!(call["duration_ms"], 42_000);
    assert_eq!(lines(&call), owned(&expected));
    let starts: Vec<i64> = call["transcript"].as_array().unwrap().iter().map(|s| s["start_ms"].as_i64().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "segments in order: {starts:?}");
    assert!(call["transcript"].as_array().unwrap().iter().all(|s| s["end_ms"].as_i64() >= s["start_ms"].as_i64()));

    // The price: not known yet at first (retried), then 0.013 USD.
    rig.due(JOB_PRICE).await;
    assert!(rig.twilio.book(|b| b.price_fetches.clone()).contains(&leg.sid), "the price was asked for");
    rig.twilio.book(|b| b.price = Some("-0.0130".into()));
    rig.due(JOB_PRICE).await;
    let fetches = rig.twilio.book(|b| b.price_fetches.clone());
    assert!(fetches.len() >= 2 && fetches.iter().all(|s| s == &leg.sid), "{fetches:?}");
    let call = rig.call(id).await;
    assert!((call["cost"].as_f64().unwrap() - 0.013).abs() < 1e-9, "{call}");
    assert_eq!(call["currency"], "USD");

    // The recording: downloaded from Twilio, served to members only.
    let re = new_sid("RE");
    let recording_url = format!("https://api.twilio.com/2010-04-01/Accounts/{SID}/Recordings/{re}");
    let params = leg.params(&[
        ("RecordingSid", re.as_str()),
        ("RecordingUrl", recording_url.as_str()),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "41"),
        ("RecordingChannels", "1"),
        ("RecordingSource", "OutboundAPI"),
    ]);
    assert_ack(&twilio_post(&rig.app, &format!("/hooks/twilio/recording/{id}"), &params, TOKEN).await, "recording callback");
    rig.app.run_jobs().await;
    assert_eq!(rig.twilio.book(|b| b.recording_downloads.clone()), [re.as_str()]);
    assert_eq!(rig.call(id).await["has_recording"], true);
    for (who, auth) in [("owner", &rig.owner), ("member", &member)] {
        let r = send(&rig.app, Method::GET, &format!("/api/v1/calls/{id}/recording"), None, auth).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.text);
        assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("audio/mpeg"), "{who}");
        assert_eq!(r.text, RECORDING, "{who}");
    }
    let (_, outsider) = user(&rig.app, "outsider-happy@twilio.co").await;
    create_project(&rig.app, &outsider, "Elsewhere").await;
    let r = send(&rig.app, Method::GET, &format!("/api/v1/calls/{id}/recording"), None, &outsider).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(rig.twilio.book(|b| b.refused_auth), 0, "every request to Twilio carried the account's credentials");
});

on_both!(forged_unsigned_and_tampered_callbacks_are_refused_and_change_nothing, |app| {
    let rig = Rig::new(app, "forged").await;
    let agent = rig.outbound_agent(json!({"recording": true})).await;
    let leg = rig.dial(&agent).await;
    let id = leg.id.as_str();
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;

    // An unsigned answer while ringing.
    let voice_path = format!("/hooks/twilio/voice/{id}");
    rig.refused(&leg, &voice_path, &leg.params(&[("CallStatus", "in-progress")]), None, "unsigned voice").await;
    assert_eq!(rig.call(id).await["status"], "ringing");
    let t = rig.voice(&leg, None).await;
    let action = t.action();

    // Status callbacks: none, garbage, another account's token, the wrong URL, a parameter added after signing.
    let status_path = format!("/hooks/twilio/status/{id}");
    let status_url = format!("{PUBLIC}{status_path}");
    let done = leg.params(&[("CallStatus", "completed"), ("CallDuration", "9")]);
    rig.refused(&leg, &status_path, &done, None, "unsigned status").await;
    rig.refused(&leg, &status_path, &done, Some("bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=="), "garbage signature").await;
    rig.refused(&leg, &status_path, &done, Some(&twilio_signature(OTHER_TOKEN, &status_url, &done)), "another token").await;
    let http_url = status_url.replacen("https://", "http://", 1);
    rig.refused(&leg, &status_path, &done, Some(&twilio_signature(TOKEN, &http_url, &done)), "signed for another URL").await;
    let short = leg.params(&[("CallStatus", "completed")]);
    rig.refused(&leg, &status_path, &done, Some(&twilio_signature(TOKEN, &status_url, &short)), "parameter added after signing").await;

    // Turns: what the caller said, changed after signing; another token; the wrong step.
    let (_, turn_path) = public_and_path(&action);
    let said = leg.params(&[("CallStatus", "in-progress"), ("SpeechResult", "Yes please."), ("Confidence", "0.9")]);
    let changed = leg.params(&[("CallStatus", "in-progress"), ("SpeechResult", "Cancel everything."), ("Confidence", "0.9")]);
    rig.refused(&leg, &turn_path, &changed, Some(&twilio_signature(TOKEN, &action, &said)), "tampered SpeechResult").await;
    rig.refused(&leg, &turn_path, &said, Some(&twilio_signature(OTHER_TOKEN, &action, &said)), "turn with another token").await;
    let other_step = format!("{PUBLIC}/hooks/twilio/turn/{id}?step={}", step_of(&action) + 7);
    rig.refused(&leg, &turn_path, &said, Some(&twilio_signature(TOKEN, &other_step, &said)), "turn signed for another step").await;

    // Correctly signed, but about another account.
    let other_account = "AC99999999999999999999999999999999";
    let foreign: Vec<(&str, &str)> = done.iter().map(|&(k, v)| if k == "AccountSid" { (k, other_account) } else { (k, v) }).collect();
    let before = snapshot(&rig.call(id).await);
    let r = twilio_post(&rig.app, &status_path, &foreign, TOKEN).await;
    assert!(r.status.is_client_error(), "another account's AccountSid: {} {}", r.status, r.text);
    assert_eq!(snapshot(&rig.call(id).await), before);

    // A forged recording is not downloaded.
    let re = new_sid("RE");
    let rec = leg.params(&[("RecordingSid", re.as_str()), ("RecordingStatus", "completed"), ("RecordingDuration", "3")]);
    rig.refused(&leg, &format!("/hooks/twilio/recording/{id}"), &rec, None, "unsigned recording").await;
    rig.app.run_jobs().await;
    assert!(rig.twilio.book(|b| b.recording_downloads.is_empty()));

    // A forged inbound call makes no call.
    let inbound = [("CallSid", "CA00000000000000000000000000000000"), ("AccountSid", SID), ("From", CALLER), ("To", SUPPORT.1), ("CallStatus", "ringing")];
    let r = post_form(&rig.app, "/hooks/twilio/inbound", &inbound, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = post_form(&rig.app, "/hooks/twilio/inbound", &inbound, Some(&twilio_signature(OTHER_TOKEN, &format!("{PUBLIC}/hooks/twilio/inbound"), &inbound))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(rig.calls().await.len(), 1, "only the outbound call");

    // Nothing reached the model; the genuine turn still works.
    assert!(rig.model.turns().is_empty());
    rig.model.script(vec![Reply::Text("Wonderful.")]);
    let t = rig.turn(&leg, &action, Some("Yes please.")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec!["Wonderful."]), "{}", t.raw);
    let call = rig.call(id).await;
    assert_eq!(call["status"], "in-progress");
    assert_eq!(lines(&call), owned(&[("agent", RENDERED_FIRST), ("user", "Yes please."), ("agent", "Wonderful.")]));
});

on_both!(duplicate_and_late_callbacks_change_nothing, |app| {
    let rig = Rig::new(app, "dupes").await;
    let agent = rig.outbound_agent(json!({})).await;
    let leg = rig.dial(&agent).await;
    let id = leg.id.as_str();
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    rig.status(&leg, "initiated", &[]).await;
    assert_eq!(rig.call(id).await["status"], "ringing", "late initiated ignored");
    let r = send(&rig.app, Method::GET, &format!("/api/v1/calls/{id}/events"), None, &rig.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ringing = r.json["data"].as_array().unwrap().iter().filter(|e| e["status"] == "ringing").count();
    assert_eq!(ringing, 1, "one ringing event: {}", r.text);

    // The same step twice (Twilio retrying): the same TwiML, one user segment, one model request.
    let t = rig.voice(&leg, None).await;
    rig.model.script(vec![Reply::Text("Hello Sam, do you have a minute?"), Reply::Text("this must not be asked for")]);
    let first = rig.turn(&leg, &t.action(), Some("Hello?")).await;
    let again = rig.turn(&leg, &t.action(), Some("Hello?")).await;
    assert_eq!(first.says(), ["Hello Sam, do you have a minute?"], "{}", first.raw);
    assert_eq!(again.raw, first.raw, "a delivered-again step answers the stored TwiML");
    assert_eq!(rig.model.turns().len(), 1);
    let expected = owned(&[("agent", RENDERED_FIRST), ("user", "Hello?"), ("agent", "Hello Sam, do you have a minute?")]);
    assert_eq!(lines(&rig.call(id).await), expected);

    // Completed before Twilio's in-progress arrives: still completed; a second completed changes nothing.
    rig.status(&leg, "completed", &[("CallDuration", "12")]).await;
    rig.status(&leg, "in-progress", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    rig.status(&leg, "completed", &[("CallDuration", "99")]).await;
    let call = rig.call(id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("user_hangup")), "{call}");
    assert_eq!(call["duration_ms"], 12_000);
    assert_eq!(lines(&call), expected);
});

on_both!(status_callbacks_settle_busy_no_answer_failed_canceled_and_the_time_limit, |app| {
    let rig = Rig::new(app, "outcomes").await;
    let agent = rig.outbound_agent(json!({})).await;
    // (CallStatus, SipResponseCode, our status, end reason)
    let cases = [
        ("busy", None, "busy", "dial_busy"),
        ("no-answer", None, "no-answer", "dial_no_answer"),
        ("failed", None, "failed", "dial_failed"),
        ("failed", Some("404"), "failed", "invalid_destination"),
        ("canceled", None, "canceled", "canceled"),
    ];
    for (twilio, sip, status, reason) in cases {
        let extra: Vec<(&str, &str)> = sip.map(|code| ("SipResponseCode", code)).into_iter().collect();
        let leg = rig.dial(&agent).await;
        rig.status(&leg, "initiated", &[]).await;
        rig.status(&leg, "ringing", &[]).await;
        rig.status(&leg, twilio, &extra).await;
        let call = rig.call(&leg.id).await;
        assert_eq!(outcome(&call), (Some(status), Some(reason)), "{twilio} {extra:?}: {call}");
    }
    // Answered, then cut by Twilio's TimeLimit.
    let (leg, _) = rig.answer(&agent).await;
    let limit = MAX_SECS.to_string();
    rig.status(&leg, "completed", &[("CallDuration", limit.as_str())]).await;
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("max_duration_reached")), "{call}");
    assert_eq!(call["duration_ms"], MAX_SECS * 1000);
    assert!(rig.model.turns().is_empty());
});

on_both!(twilio_refusing_or_failing_to_place_a_call_fails_it, |app| {
    let rig = Rig::new(app, "refused").await;
    let agent = rig.outbound_agent(json!({})).await;
    // 4xx: failed at once, not retried; the invalid-number codes are invalid_destination.
    for (code, reason) in [(21211, "invalid_destination"), (21214, "invalid_destination"), (21215, "dial_failed")] {
        let answer = json!({"code": code, "message": "Refused by the fake.", "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": 400});
        rig.twilio.book(|b| b.create_error = Some((400, answer)));
        let id = rig.place(&agent).await;
        rig.app.run_jobs().await;
        let call = rig.call(&id).await;
        assert_eq!(outcome(&call), (Some("failed"), Some(reason)), "code {code}: {call}");
        rig.due(JOB_CREATE).await;
        assert_eq!(rig.attempts(&id), 1, "code {code} is not retried");
    }
    // 5xx: retried, then carrier_error.
    rig.twilio.book(|b| b.create_error = Some((503, json!({"code": 20503, "message": "Service Unavailable", "status": 503}))));
    let id = rig.place(&agent).await;
    let mut call = Value::Null;
    for _ in 0..25 {
        rig.due(JOB_CREATE).await;
        call = rig.call(&id).await;
        if call["status"] == "failed" {
            break;
        }
    }
    assert_eq!(outcome(&call), (Some("failed"), Some("carrier_error")), "{call}");
    assert!(rig.attempts(&id) > 1, "a 5xx is retried");
    // Twilio back: calls go through again.
    rig.twilio.book(|b| b.create_error = None);
    let leg = rig.dial(&agent).await;
    assert_eq!(rig.attempts(&leg.id), 1);
});

on_both!(canceling_a_ringing_call_cancels_it_at_twilio, |app| {
    let rig = Rig::new(app, "cancel").await;
    let agent = rig.outbound_agent(json!({})).await;
    let leg = rig.dial(&agent).await;
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    let r = send(&rig.app, Method::POST, &format!("/api/v1/calls/{}/cancel", leg.id), None, &rig.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["data"]["status"], "canceled");
    rig.app.run_jobs().await;
    let updates = rig.twilio.book(|b| b.call_updates.clone());
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!((updates[0].0.as_str(), field(&updates[0].1, "Status")), (leg.sid.as_str(), Some("canceled")));
    // Twilio confirms, late.
    rig.status(&leg, "canceled", &[]).await;
    rig.status(&leg, "completed", &[("CallDuration", "0")]).await;
    assert_eq!(outcome(&rig.call(&leg.id).await), (Some("canceled"), Some("canceled")));
});

// ---- conversation -----------------------------------------------------------------------------

on_both!(answering_machines_are_hung_up_on_or_left_a_message, |app| {
    let rig = Rig::new(app, "amd").await;
    let hang_up = rig.outbound_agent(json!({"machine_detection": "hang_up"})).await;
    let leave = rig.outbound_agent(json!({"name": "Ava voicemail", "machine_detection": "leave_message"})).await;
    for (agent, want) in [(&hang_up, "hang_up"), (&leave, "leave_message")] {
        let r = send(&rig.app, Method::GET, &format!("/api/v1/agents/{agent}"), None, &rig.owner).await;
        assert_eq!(r.json["data"]["machine_detection"], want, "{}", r.text);
    }

    // hang_up: a machine is hung up on at once.
    let leg = rig.dial(&hang_up).await;
    assert_eq!(field(&leg.form, "MachineDetection"), Some("Enable"), "{:?}", leg.form);
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    let t = rig.voice(&leg, Some("machine_start")).await;
    assert_eq!(t.names(), ["Hangup"], "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("voicemail_reached")), "{call}");
    assert_eq!(call["answered_by"], "machine");
    // Twilio's completed afterwards: the reason stays, the duration is taken.
    rig.status(&leg, "completed", &[("CallDuration", "4"), ("AnsweredBy", "machine_start")]).await;
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("voicemail_reached")));
    assert_eq!(call["duration_ms"], 4_000);

    // The same agent reaching a person talks as usual.
    let leg = rig.dial(&hang_up).await;
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    let t = rig.voice(&leg, Some("human")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec![RENDERED_FIRST]), "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!((call["status"].as_str(), call["answered_by"].as_str()), (Some("in-progress"), Some("human")));
    rig.status(&leg, "completed", &[("CallDuration", "5")]).await;

    // leave_message: the first message after the beep, then goodbye.
    let leg = rig.dial(&leave).await;
    assert_eq!(field(&leg.form, "MachineDetection"), Some("DetectMessageEnd"), "{:?}", leg.form);
    rig.status(&leg, "initiated", &[]).await;
    rig.status(&leg, "ringing", &[]).await;
    let t = rig.voice(&leg, Some("machine_end_beep")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Hangup"], vec![RENDERED_FIRST]), "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("voicemail_reached")), "{call}");
    assert_eq!(call["answered_by"], "machine");
    assert!(rig.model.turns().is_empty(), "no conversation with a machine");
});

on_both!(the_model_ends_the_call_with_the_end_call_tool_or_the_hangup_marker, |app| {
    let rig = Rig::new(app, "ends").await;
    let agent = rig.outbound_agent(json!({})).await;

    // The end_call tool.
    let (leg, t) = rig.answer(&agent).await;
    rig.model.script(vec![Reply::EndCall]);
    let t = rig.turn(&leg, &t.action(), Some("Please take me off your list.")).await;
    assert!(t.hangs_up() && t.gather().is_none() && t.redirect().is_none(), "{}", t.raw);
    assert_eq!(t.names().last(), Some(&"Hangup"), "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("agent_hangup")), "{call}");
    assert!(lines(&call).contains(&("user".to_string(), "Please take me off your list.".to_string())), "{call}");
    rig.status(&leg, "completed", &[("CallDuration", "17")]).await;
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("agent_hangup")), "Twilio's completed keeps our reason");
    assert_eq!(call["duration_ms"], 17_000);

    // [hangup] in the text: said without the marker, then hung up.
    let (leg, t) = rig.answer(&agent).await;
    rig.model.script(vec![Reply::Text("Understood, have a nice day! [hangup]")]);
    let t = rig.turn(&leg, &t.action(), Some("I'm not interested, thanks.")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Hangup"], vec!["Understood, have a nice day!"]), "{}", t.raw);
    assert!(!t.raw.to_ascii_lowercase().contains("hangup]"), "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("agent_hangup")), "{call}");
    let last = lines(&call).pop().unwrap();
    assert_eq!((last.0.as_str(), last.1.trim()), ("agent", "Understood, have a nice day!"));
});

on_both!(a_slow_or_failing_model_gets_one_retry_through_a_redirect, |app| {
    let rig = Rig::new(app, "slow").await;
    let agent = rig.outbound_agent(json!({})).await;

    // Too slow twice: an apology and a Redirect, then an apology and goodbye.
    let (leg, t) = rig.answer(&agent).await;
    let action = t.action();
    rig.model.script(vec![slow(5_000, Reply::Text("too late")), slow(5_000, Reply::Text("too late again"))]);
    let started = Instant::now();
    let t = rig.turn(&leg, &action, Some("Can you hear me?")).await;
    assert!(started.elapsed() < Duration::from_millis(4_000), "the turn waited {:?}, not the turn timeout", started.elapsed());
    assert_eq!(t.names(), ["Say", "Redirect"], "{}", t.raw);
    assert!(!t.says()[0].is_empty());
    let redirect = t.redirect().unwrap();
    assert_eq!(redirect.attr("method").as_deref(), Some("POST"));
    let retry = redirect.text.clone();
    assert_turn_url(&retry, &leg.id);
    assert!(retry.contains("retry=1") && step_of(&retry) == step_of(&action) + 1, "{retry} after {action}");
    let t = rig.turn(&leg, &retry, None).await;
    assert_eq!(t.names(), ["Say", "Hangup"], "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("internal_error")), "{call}");
    let reqs = rig.model.turns();
    assert_eq!(reqs.len(), 2, "asked again on the redirect");
    assert_eq!(conversation(&reqs[1]).last(), Some(&("user".to_string(), "Can you hear me?".to_string())), "the retry asks about the same line");

    // A model error, then an answer: the call goes on.
    let (leg, t) = rig.answer(&agent).await;
    let action = t.action();
    rig.model.script(vec![Reply::Fail(500), Reply::Text("Yes, loud and clear.")]);
    let t = rig.turn(&leg, &action, Some("Can you hear me?")).await;
    assert_eq!(t.names(), ["Say", "Redirect"], "{}", t.raw);
    let retry = t.redirect().unwrap().text.clone();
    let t = rig.turn(&leg, &retry, None).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec!["Yes, loud and clear."]), "{}", t.raw);
    assert_turn_url(&t.action(), &leg.id);
    assert!(step_of(&t.action()) > step_of(&retry));
    let call = rig.call(&leg.id).await;
    assert_eq!(call["status"], "in-progress");
    let said = lines(&call);
    assert_eq!(said.iter().filter(|(who, _)| who == "user").count(), 1, "{said:?}");
    assert_eq!(said.first(), Some(&("agent".to_string(), RENDERED_FIRST.to_string())));
    assert_eq!(said.last(), Some(&("agent".to_string(), "Yes, loud and clear.".to_string())));
    let reqs = rig.model.turns();
    assert_eq!(conversation(reqs.last().unwrap()).last(), Some(&("user".to_string(), "Can you hear me?".to_string())));
});

on_both!(two_silences_in_a_row_end_the_call_for_inactivity, |app| {
    let rig = Rig::new(app, "silence").await;
    let agent = rig.outbound_agent(json!({})).await;
    let (leg, t) = rig.answer(&agent).await;
    let still_there = |t: &Twiml| {
        assert_eq!(t.names(), ["Say", "Gather"], "{}", t.raw);
        assert!(t.says()[0].contains("still there"), "{}", t.raw);
    };
    let t = rig.turn(&leg, &t.action(), None).await;
    still_there(&t);
    // Speech in between resets the count.
    rig.model.script(vec![Reply::Text("No problem. Are you interested in solar?")]);
    let t = rig.turn(&leg, &t.action(), Some("Sorry, I'm here.")).await;
    assert_eq!(t.says(), ["No problem. Are you interested in solar?"], "{}", t.raw);
    let t = rig.turn(&leg, &t.action(), None).await;
    still_there(&t);
    let t = rig.turn(&leg, &t.action(), None).await;
    assert_eq!(t.names(), ["Say", "Hangup"], "{}", t.raw);
    assert!(t.says()[0].to_ascii_lowercase().contains("goodbye"), "{}", t.raw);
    let call = rig.call(&leg.id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("inactivity")), "{call}");
    assert_eq!(rig.model.turns().len(), 1, "silence does not ask the model");
});

on_both!(when_the_caller_speaks_first_the_call_opens_with_only_a_gather, |app| {
    let rig = Rig::new(app, "userfirst").await;
    let agent = rig.outbound_agent(json!({"speaks_first": "user"})).await;
    let (leg, t) = rig.answer(&agent).await;
    assert_eq!(t.names(), ["Gather"], "{}", t.raw);
    rig.model.script(vec![Reply::Text("Hi, this is Ava from Sun & Co.")]);
    let t = rig.turn(&leg, &t.action(), Some("Hello, who is this?")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec!["Hi, this is Ava from Sun & Co."]), "{}", t.raw);
    assert_eq!(conversation(&rig.model.turns()[0]), owned(&[("user", "Hello, who is this?")]));
    assert_eq!(lines(&rig.call(&leg.id).await), owned(&[("user", "Hello, who is this?"), ("agent", "Hi, this is Ava from Sun & Co.")]));
});

// ---- inbound ----------------------------------------------------------------------------------

/// What Twilio posts to a number's VoiceUrl when `sid` calls [`SUPPORT`] (or `to`).
fn inbound_params<'a>(sid: &'a str, to: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("CallSid", sid),
        ("AccountSid", SID),
        ("From", CALLER),
        ("To", to),
        ("Caller", CALLER),
        ("Called", to),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("ApiVersion", "2010-04-01"),
    ]
}

on_both!(an_inbound_call_reaches_the_numbers_agent, |app| {
    let rig = Rig::new(app, "inbound").await;
    let agent = rig.inbound_agent(json!({"recording": true})).await;
    rig.calling(&agent, "inbound", &[&rig.support]).await;
    rig.app.run_jobs().await;
    let updates = rig.twilio.book(|b| b.number_updates.clone());
    assert_eq!(updates.len(), 1, "{updates:?}");
    let (pn, form) = &updates[0];
    assert_eq!(pn, SUPPORT.0);
    assert_eq!(field(form, "VoiceUrl"), Some(format!("{PUBLIC}/hooks/twilio/inbound").as_str()), "{form:?}");
    assert_eq!(field(form, "VoiceMethod"), Some("POST"));
    assert_eq!(field(form, "StatusCallback"), Some(format!("{PUBLIC}/hooks/twilio/status").as_str()));
    assert_eq!(field(form, "StatusCallbackMethod"), Some("POST"));

    // Someone calls: the agent answers.
    let sid = new_sid("CA");
    let params = inbound_params(&sid, SUPPORT.1);
    let t = Twiml::of(&twilio_post(&rig.app, "/hooks/twilio/inbound", &params, TOKEN).await);
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec![INBOUND_FIRST]), "{}", t.raw);
    let action = t.action();
    let id = call_of_turn(&action);
    // Delivered again: the same answer, one call.
    let again = Twiml::of(&twilio_post(&rig.app, "/hooks/twilio/inbound", &params, TOKEN).await);
    assert_eq!(again.raw, t.raw);
    let calls = rig.calls().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!(c["id"], id.as_str());
    assert_eq!((c["direction"].as_str(), c["status"].as_str()), (Some("inbound"), Some("in-progress")), "{c}");
    assert_eq!((c["from"].as_str(), c["to"].as_str(), c["agent_id"].as_str()), (Some(CALLER), Some(SUPPORT.1), Some(agent.as_str())), "{c}");

    // The agent records: the recording is started on Twilio's call, once.
    rig.app.run_jobs().await;
    let started = rig.twilio.book(|b| b.recordings_started.clone());
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(started[0].0, sid);
    assert_eq!(field(&started[0].1, "RecordingStatusCallback"), Some(format!("{PUBLIC}/hooks/twilio/recording/{id}").as_str()), "{started:?}");

    // A turn, then the caller hangs up.
    let leg = Leg::inbound(&id, &sid);
    rig.model.script(vec![Reply::Text("We're open nine to five, Monday to Friday.")]);
    let t = rig.turn(&leg, &action, Some("What are your opening hours?")).await;
    assert_eq!((t.names(), t.says()), (vec!["Say", "Gather"], vec!["We're open nine to five, Monday to Friday."]), "{}", t.raw);
    let req = &rig.model.turns()[0];
    assert!(system_prompt(req).contains(INBOUND_PROMPT), "{req}");
    assert_eq!(conversation(req), owned(&[("assistant", INBOUND_FIRST), ("user", "What are your opening hours?")]));
    rig.status(&leg, "completed", &[("CallDuration", "30")]).await;
    let call = rig.call(&id).await;
    assert_eq!(outcome(&call), (Some("completed"), Some("user_hangup")), "{call}");
    assert_eq!(call["duration_ms"], 30_000);
    assert_eq!(lines(&call), owned(&[("agent", INBOUND_FIRST), ("user", "What are your opening hours?"), ("agent", "We're open nine to five, Monday to Friday.")]));
});

on_both!(an_inbound_call_to_a_number_without_an_inbound_agent_is_turned_away, |app| {
    let rig = Rig::new(app, "stray").await;
    // MAIN has an outbound agent only.
    rig.outbound_agent(json!({})).await;
    let sid = new_sid("CA");
    let params = inbound_params(&sid, MAIN.1);
    let t = Twiml::of(&twilio_post(&rig.app, "/hooks/twilio/inbound", &params, TOKEN).await);
    assert_eq!(t.names(), ["Say", "Hangup"], "{}", t.raw);
    assert!(!t.says()[0].is_empty());
    let calls = rig.calls().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!((c["direction"].as_str(), c["status"].as_str(), c["end_reason"].as_str()), (Some("inbound"), Some("failed"), Some("dial_failed")), "{c}");
    assert!(c["agent_id"].is_null(), "no agent: {c}");
    assert_eq!((c["from"].as_str(), c["to"].as_str()), (Some(CALLER), Some(MAIN.1)));
    // Delivered again: still one call.
    let again = Twiml::of(&twilio_post(&rig.app, "/hooks/twilio/inbound", &params, TOKEN).await);
    assert_eq!(again.names(), ["Say", "Hangup"]);
    assert_eq!(rig.calls().await.len(), 1);
    assert!(rig.model.turns().is_empty());
});

on_both!(unassigning_an_inbound_number_clears_its_voice_url, |app| {
    let rig = Rig::new(app, "unassign").await;
    let agent = rig.inbound_agent(json!({})).await;
    rig.calling(&agent, "inbound", &[&rig.support]).await;
    rig.app.run_jobs().await;
    let updates = rig.twilio.book(|b| b.number_updates.clone());
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(field(&updates[0].1, "VoiceUrl"), Some(format!("{PUBLIC}/hooks/twilio/inbound").as_str()));
    rig.calling(&agent, "inbound", &[]).await;
    rig.app.run_jobs().await;
    let updates = rig.twilio.book(|b| b.number_updates.clone());
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert_eq!(updates[1].0, SUPPORT.0);
    assert_eq!(field(&updates[1].1, "VoiceUrl"), Some(""), "an empty VoiceUrl: {:?}", updates[1].1);

    // Assigned again, then released from the project: Twilio stops sending its calls here.
    rig.calling(&agent, "inbound", &[&rig.support]).await;
    rig.app.run_jobs().await;
    assert_eq!(rig.twilio.book(|b| b.number_updates.len()), 3);
    let r = send(&rig.app, Method::DELETE, &format!("/api/v1/phone-numbers/{}", rig.support), None, &rig.owner).await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text);
    rig.app.run_jobs().await;
    let updates = rig.twilio.book(|b| b.number_updates.clone());
    assert_eq!(updates.len(), 4, "{updates:?}");
    assert_eq!(updates[3].0, SUPPORT.0);
    assert_eq!(field(&updates[3].1, "VoiceUrl"), Some(""), "a released number is cleared: {:?}", updates[3].1);
});

// ---- refusals ---------------------------------------------------------------------------------

on_both!(placing_a_twilio_call_needs_a_model_and_twilio_credentials, |app| {
    let backend = app.backend;
    drop(app);

    // No model configured.
    let rig = Rig::build(backend, "nomodel", false).await;
    let agent = rig.outbound_agent(json!({})).await;
    let r = rig.place_raw(&agent).await;
    assert!(matches!(r.status.as_u16(), 400 | 409), "{} {}", r.status, r.text);
    let msg = r.json["error"]["message"].as_str().unwrap_or("");
    assert!(msg.contains("LLM_BASE_URL") && msg.contains("LLM_MODEL"), "{msg}");
    rig.app.run_jobs().await;
    assert!(rig.twilio.book(|b| b.created.is_empty()));
    drop(rig);

    // No Twilio credentials (removed after the import).
    let rig = Rig::build(backend, "nocreds", true).await;
    let agent = rig.outbound_agent(json!({})).await;
    let r = send(&rig.app, Method::DELETE, &format!("/api/v1/projects/{}/twilio", rig.project), None, &rig.owner).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = rig.place_raw(&agent).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.json["error"]["message"].as_str().unwrap_or("").contains("Twilio"), "{}", r.text);
    rig.app.run_jobs().await;
    assert!(rig.twilio.book(|b| b.created.is_empty()));
});

// ---- concurrency ----------------------------------------------------------------------------

on_both!(concurrent_deliveries_of_one_step_or_one_inbound_call_change_things_once, |app| {
    let rig = Rig::new(app, "concurrent").await;
    let agent = rig.outbound_agent(json!({})).await;
    let (leg, t) = rig.answer(&agent).await;
    // Twilio retrying a slow turn while the first delivery still waits for the model: both ask
    // it, one writes, and both answer the winner's TwiML.
    rig.model
        .script(vec![Reply::Slow(300, Box::new(Reply::Text("First answer."))), Reply::Slow(300, Box::new(Reply::Text("Second answer.")))]);
    let action = t.action();
    let (a, b) = tokio::join!(rig.turn(&leg, &action, Some("Hello?")), rig.turn(&leg, &action, Some("Hello?")));
    assert_eq!(a.raw, b.raw, "both deliveries answer the same TwiML");
    assert_eq!(a.names(), ["Say", "Gather"], "{}", a.raw);
    let said = a.says()[0].to_string();
    let call = rig.call(&leg.id).await;
    assert_eq!(lines(&call), owned(&[("agent", RENDERED_FIRST), ("user", "Hello?"), ("agent", said.as_str())]), "{call}");

    // One inbound call delivered 20 times at once: one call, one answer for all.
    let inbound = rig.inbound_agent(json!({})).await;
    rig.calling(&inbound, "inbound", &[&rig.support]).await;
    let sid = new_sid("CA");
    let params = inbound_params(&sid, SUPPORT.1);
    let answers = futures::future::join_all((0..20).map(|_| twilio_post(&rig.app, "/hooks/twilio/inbound", &params, TOKEN))).await;
    for r in &answers {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.text, answers[0].text);
    }
    let inbound_calls: Vec<Value> = rig.calls().await.into_iter().filter(|c| c["direction"] == "inbound").collect();
    assert_eq!(inbound_calls.len(), 1, "{inbound_calls:?}");
});
