//! Agents, their calling settings and the project's active agent.
//!
//! Decisions:
//! - Members and above edit agents and choose the active agent; viewers read. Changing WHICH
//!   numbers an agent uses routes live calls, so it needs an admin (like every number change);
//!   changing only the direction is agent configuration (members).
//! - Every effective change bumps `version`; a save that changes nothing does not. Editors pass
//!   the version they loaded, and a save over a newer version is refused (409) rather than lost.
//! - A number may serve several outbound agents (shared caller id) but answers for one inbound
//!   agent at most; a change that would break this is refused (409) naming the other agent.
//! - An unknown voice, or an agent or number of another project, answers 404 and changes nothing.
//! - Deleting an agent releases its numbers (they stay in the project, unassigned) and clears it
//!   as the active agent. Deletion is refused (409) while a batch targeting the agent is
//!   scheduled, running or paused.

use super::access::{self, Access, Need};
use super::audit;
use crate::model::error::FieldError;
use crate::model::{
    AgentInput, AgentSort, AgentStatus, AgentView, AnalysisConfig, AppError, Direction, ErrorCode, MachineDetection, NumberBrief, ProjectView, PromptTemplate,
    QuestionKind, SpeaksFirst,
};
use crate::server::auth::Actor;
use crate::server::db::agents::{self as db, AgentRow, LinkRow};
use crate::server::db::numbers::{self as numbers_db, NumberRow};
use crate::server::db::{new_id, now_ms, projects, voices, Tx};
use crate::server::domain::AuditAction;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// Settings to change; `None` leaves a setting as it is. Enum-like values arrive as text so that
/// a bad value gets a field error here, whatever the entry point.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    pub name: Option<String>,
    pub system_prompt: Option<String>,
    pub first_message: Option<String>,
    /// `Some(None)` or `Some(Some(""))` removes the voice.
    pub voice_id: Option<Option<String>>,
    pub language: Option<String>,
    pub llm_model: Option<String>,
    pub temperature: Option<f64>,
    pub speaks_first: Option<String>,
    /// What a Twilio call does when a machine answers (`off`, `hang_up`, `leave_message`).
    pub machine_detection: Option<String>,
    pub max_duration_secs: Option<i64>,
    pub recording: Option<bool>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub analysis: Option<AnalysisConfig>,
}

impl From<AgentInput> for AgentPatch {
    fn from(i: AgentInput) -> Self {
        AgentPatch {
            name: Some(i.name),
            system_prompt: Some(i.system_prompt),
            first_message: Some(i.first_message),
            voice_id: Some(i.voice_id),
            language: Some(i.language),
            llm_model: Some(i.llm_model),
            temperature: Some(i.temperature),
            speaks_first: Some(i.speaks_first.as_str().into()),
            machine_detection: Some(i.machine_detection.as_str().into()),
            max_duration_secs: Some(i.max_duration_secs),
            recording: Some(i.recording),
            direction: Some(i.direction.as_str().into()),
            status: Some(i.status.as_str().into()),
            analysis: Some(i.analysis),
        }
    }
}

use crate::model::limits::agent::{
    self as limits, CRITERIA_MAX, FIRST_MESSAGE_MAX, LLM_MODEL_MAX, MAX_DURATION_MAX, MAX_DURATION_MIN, NAME_MAX, OPTIONS_MAX, OPTIONS_MIN, OPTION_MAX, PROMPT_MAX,
    QUESTIONS_MAX, QUESTION_MAX, TEMPERATURE_MAX, TEMPERATURE_MIN,
};

/// Collects every field problem so a form can show them all at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    fn take(&mut self, r: Result<(), AppError>) {
        if let Err(e) = r {
            self.0.extend(e.details);
        }
    }

    fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let message = self.0.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join(" ");
        let mut e = AppError::new(ErrorCode::InvalidInput, message);
        e.details = self.0;
        Err(e)
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `en`, `en-US`, `es-419`: normalised to `ll-RR`.
fn language_tag(raw: &str) -> Option<String> {
    let s = raw.trim();
    let (lang, region) = match s.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (s, None),
    };
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = lang.to_ascii_lowercase();
    if let Some(r) = region {
        let ok = (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic())) || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return None;
        }
        out.push('-');
        out.push_str(&r.to_ascii_uppercase());
    }
    Some(out)
}

fn valid_model(s: &str) -> bool {
    !s.is_empty() && chars(s) <= LLM_MODEL_MAX && s.chars().all(|c| c.is_ascii_alphanumeric() || "._:/-@".contains(c))
}

/// Validates and normalises an analysis configuration.
fn clean_analysis(a: AnalysisConfig, problems: &mut Problems) -> AnalysisConfig {
    let success_criteria = a.success_criteria.trim().to_string();
    if chars(&success_criteria) > CRITERIA_MAX {
        problems.add("analysis.success_criteria", limits::criteria_too_long());
    }
    if a.questions.len() > QUESTIONS_MAX {
        problems.add("analysis.questions", limits::too_many_questions());
    }
    let mut questions = Vec::with_capacity(a.questions.len());
    for (i, q) in a.questions.into_iter().enumerate() {
        let field = format!("analysis.questions.{i}");
        let text = q.question.trim().to_string();
        if text.is_empty() {
            problems.add(&format!("{field}.question"), limits::question_missing(i + 1));
        } else if chars(&text) > QUESTION_MAX {
            problems.add(&format!("{field}.question"), limits::question_too_long(i + 1));
        }
        let mut options: Vec<String> = Vec::new();
        if q.kind == QuestionKind::Selector {
            for o in q.options.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
                if chars(o) > OPTION_MAX {
                    problems.add(&format!("{field}.options"), limits::option_too_long(i + 1));
                } else if options.iter().any(|x| x.eq_ignore_ascii_case(o)) {
                    problems.add(&format!("{field}.options"), format!("Question {} lists \"{o}\" twice.", i + 1));
                } else {
                    options.push(o.to_string());
                }
            }
            if !(OPTIONS_MIN..=OPTIONS_MAX).contains(&options.len()) {
                problems.add(&format!("{field}.options"), limits::option_count(i + 1));
            }
        }
        questions.push(crate::model::CustomQuestion { question: text, kind: q.kind, options });
    }
    AnalysisConfig { summary: a.summary, success_criteria, questions }
}

/// Checks ad-hoc analysis questions (a re-run's) with the same rules as an agent's own.
pub fn clean_questions(questions: Vec<crate::model::CustomQuestion>) -> Result<Vec<crate::model::CustomQuestion>, AppError> {
    let mut problems = Problems::default();
    let a = clean_analysis(AnalysisConfig { summary: false, success_criteria: String::new(), questions }, &mut problems);
    problems.finish()?;
    Ok(a.questions)
}

/// Applies a patch to a row, checking every value; the voice is checked by the caller.
fn apply(row: &mut AgentRow, patch: AgentPatch) -> Result<(), AppError> {
    let mut problems = Problems::default();
    if let Some(name) = patch.name {
        let name = name.trim().to_string();
        if name.is_empty() {
            problems.add("name", limits::name_missing());
        } else if chars(&name) > NAME_MAX || name.chars().any(char::is_control) {
            problems.add("name", limits::name_too_long());
        }
        row.name = name;
    }
    if let Some(p) = patch.system_prompt {
        if chars(&p) > PROMPT_MAX {
            problems.add("system_prompt", limits::prompt_too_long());
        }
        problems.take(PromptTemplate::parse(&p, "system_prompt").map(drop));
        row.system_prompt = p;
    }
    if let Some(m) = patch.first_message {
        if chars(&m) > FIRST_MESSAGE_MAX {
            problems.add("first_message", limits::first_message_too_long());
        }
        problems.take(PromptTemplate::parse(&m, "first_message").map(drop));
        row.first_message = m;
    }
    if let Some(v) = patch.voice_id {
        row.voice_id = v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    }
    if let Some(l) = patch.language {
        match language_tag(&l) {
            Some(tag) => row.language = tag,
            None => problems.add("language", "Use a language tag such as en-US or es."),
        }
    }
    if let Some(m) = patch.llm_model {
        let m = m.trim().to_string();
        if valid_model(&m) {
            row.llm_model = m;
        } else {
            problems.add("llm_model", "Enter a model name such as gpt-4o-mini (letters, digits and . _ : / - @).");
        }
    }
    if let Some(t) = patch.temperature {
        if t.is_finite() && (TEMPERATURE_MIN..=TEMPERATURE_MAX).contains(&t) {
            row.temperature = (t * 100.0).round() / 100.0;
        } else {
            problems.add("temperature", limits::temperature());
        }
    }
    if let Some(s) = patch.speaks_first {
        match SpeaksFirst::parse(&s) {
            Some(v) => row.speaks_first = v,
            None => problems.add("speaks_first", "Who speaks first must be agent or user."),
        }
    }
    if let Some(m) = patch.machine_detection {
        match MachineDetection::parse(&m) {
            Some(v) => row.machine_detection = v,
            None => problems.add("machine_detection", "Machine detection must be off, hang_up or leave_message."),
        }
    }
    if let Some(d) = patch.max_duration_secs {
        if (MAX_DURATION_MIN..=MAX_DURATION_MAX).contains(&d) {
            row.max_duration_secs = d;
        } else {
            problems.add("max_duration_secs", limits::max_duration());
        }
    }
    if let Some(r) = patch.recording {
        row.recording = r;
    }
    if let Some(d) = patch.direction {
        match Direction::parse(&d) {
            Some(v) => row.direction = v,
            None => problems.add("direction", "Direction must be inbound or outbound."),
        }
    }
    if let Some(s) = patch.status {
        match AgentStatus::parse(&s) {
            Some(v) => row.status = v,
            None => problems.add("status", "Status must be draft or published."),
        }
    }
    if let Some(a) = patch.analysis {
        row.analysis = clean_analysis(a, &mut problems);
    }
    problems.finish()
}

pub fn agent_not_found() -> AppError {
    AppError::not_found("Agent")
}

fn voice_not_found() -> AppError {
    let mut e = AppError::new(ErrorCode::NotFound, "Voice not found. Pick a voice from the voice library.");
    e.details = vec![FieldError { field: "voice_id".into(), message: "This voice is not in the voice library.".into() }];
    e
}

async fn check_voice(c: &mut AnyConnection, voice_id: Option<&str>) -> Result<Option<String>, AppError> {
    match voice_id {
        None => Ok(None),
        Some(id) => Ok(Some(voices::find(c, id).await?.ok_or_else(voice_not_found)?.name)),
    }
}

/// Finds an agent the caller may act on with `need`; invisible or unknown agents are 404.
pub(crate) async fn load(c: &mut AnyConnection, actor: &Actor, agent_id: &str, need: Need) -> Result<(Access, AgentRow), AppError> {
    let project_id = db::project_of(&mut *c, agent_id).await?.ok_or_else(agent_not_found)?;
    let a = access::project(&mut *c, actor, &project_id, need)
        .await
        .map_err(|e| if e.code == ErrorCode::NotFound { agent_not_found() } else { e })?;
    let row = db::find(&mut *c, &project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    Ok((a, row))
}

/// An agent of a given project (Talkstack passes both ids); another project's agent is 404.
async fn load_in(c: &mut AnyConnection, actor: &Actor, project_id: &str, agent_id: &str, need: Need) -> Result<(Access, AgentRow), AppError> {
    let a = access::project(&mut *c, actor, project_id, need).await?;
    let row = db::find(&mut *c, project_id, agent_id).await?.ok_or_else(agent_not_found)?;
    Ok((a, row))
}

pub fn brief(n: &NumberRow) -> NumberBrief {
    NumberBrief {
        id: n.id.clone(),
        number: n.e164.clone(),
        country_code: n.country_code.clone(),
        formatted_number: n.national_format.clone(),
        current_status: n.status.as_str().into(),
    }
}

/// What a view needs beyond the row: voice names, numbers and links of the project.
struct Context {
    voice_names: HashMap<String, String>,
    numbers: HashMap<String, NumberRow>,
    links: Vec<LinkRow>,
    active_agent: Option<String>,
}

async fn context(c: &mut AnyConnection, project_id: &str, active_agent: Option<String>, rows: &[AgentRow]) -> Result<Context, AppError> {
    let used: Vec<&str> = rows.iter().filter_map(|r| r.voice_id.as_deref()).collect();
    let voice_names = voices::names(&mut *c, &used).await?;
    let numbers = numbers_db::list(&mut *c, project_id).await?.into_iter().map(|n| (n.id.clone(), n)).collect();
    let links = db::links(&mut *c, project_id).await?;
    Ok(Context { voice_names, numbers, links, active_agent })
}

fn view(r: &AgentRow, cx: &Context) -> AgentView {
    let mut variables = Vec::new();
    for text in [&r.system_prompt, &r.first_message] {
        if let Ok(t) = PromptTemplate::parse(text, "") {
            for v in t.variables() {
                if !variables.contains(&v) {
                    variables.push(v);
                }
            }
        }
    }
    let phone_numbers = cx.links.iter().filter(|l| l.agent_id == r.id).filter_map(|l| cx.numbers.get(&l.phone_number_id)).map(brief).collect();
    AgentView {
        id: r.id.clone(),
        project_id: r.project_id.clone(),
        name: r.name.clone(),
        system_prompt: r.system_prompt.clone(),
        first_message: r.first_message.clone(),
        voice_id: r.voice_id.clone(),
        voice_name: r.voice_id.as_ref().and_then(|v| cx.voice_names.get(v).cloned()),
        language: r.language.clone(),
        llm_model: r.llm_model.clone(),
        temperature: r.temperature,
        speaks_first: r.speaks_first,
        machine_detection: r.machine_detection,
        max_duration_secs: r.max_duration_secs,
        recording: r.recording,
        direction: r.direction,
        status: r.status,
        analysis: r.analysis.clone(),
        variables,
        phone_numbers,
        version: r.version,
        is_active: cx.active_agent.as_deref() == Some(r.id.as_str()),
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

async fn view_one(c: &mut AnyConnection, row: &AgentRow) -> Result<AgentView, AppError> {
    let active = projects::find(&mut *c, &row.project_id).await?.and_then(|p| p.active_agent_id);
    let cx = context(c, &row.project_id, active, std::slice::from_ref(row)).await?;
    Ok(view(row, &cx))
}

/// Refuses a state where one of `number_ids` would answer for two inbound agents.
pub(crate) async fn check_inbound(c: &mut AnyConnection, project_id: &str, agent_id: &str, number_ids: &[String]) -> Result<(), AppError> {
    let links = db::links(&mut *c, project_id).await?;
    for id in number_ids {
        if let Some(other) = links.iter().find(|l| &l.phone_number_id == id && l.agent_id != agent_id && l.direction == Direction::Inbound) {
            let number = numbers_db::find(&mut *c, project_id, id).await?.map(|n| n.e164).unwrap_or_default();
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "{number} already answers inbound calls for the agent \"{}\". An inbound number belongs to one agent: unassign it there first.",
                    other.agent_name
                ),
            ));
        }
    }
    Ok(())
}

fn numbers_of(links: &[LinkRow], agent_id: &str) -> Vec<String> {
    links.iter().filter(|l| l.agent_id == agent_id).map(|l| l.phone_number_id.clone()).collect()
}

fn new_row(project_id: &str, created_by: Option<&str>) -> AgentRow {
    let d = AgentInput::default();
    let now = now_ms();
    AgentRow {
        id: new_id(),
        project_id: project_id.into(),
        name: String::new(),
        system_prompt: String::new(),
        first_message: String::new(),
        voice_id: d.voice_id,
        language: d.language,
        llm_model: d.llm_model,
        temperature: d.temperature,
        speaks_first: d.speaks_first,
        machine_detection: d.machine_detection,
        max_duration_secs: d.max_duration_secs,
        recording: d.recording,
        direction: d.direction,
        status: d.status,
        analysis: d.analysis,
        version: 1,
        created_by: created_by.map(str::to_string),
        created_at: now,
        updated_at: now,
    }
}

pub async fn list(c: &mut AnyConnection, actor: &Actor, project_id: &str, q: Option<&str>, sort: AgentSort) -> Result<Vec<AgentView>, AppError> {
    let a = access::project(&mut *c, actor, project_id, Need::Read).await?;
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let rows = db::list(&mut *c, project_id, q, sort == AgentSort::Name).await?;
    let cx = context(&mut *c, project_id, a.project.active_agent_id.clone(), &rows).await?;
    Ok(rows.iter().map(|r| view(r, &cx)).collect())
}

pub async fn get(c: &mut AnyConnection, actor: &Actor, agent_id: &str) -> Result<AgentView, AppError> {
    let (_, row) = load(&mut *c, actor, agent_id, Need::Read).await?;
    view_one(&mut *c, &row).await
}

/// An agent that must belong to `project_id`.
pub async fn get_in(c: &mut AnyConnection, actor: &Actor, project_id: &str, agent_id: &str) -> Result<AgentView, AppError> {
    let (_, row) = load_in(&mut *c, actor, project_id, agent_id, Need::Read).await?;
    view_one(&mut *c, &row).await
}

/// Creates an agent from defaults plus `patch` (which must name it).
pub async fn create(tx: &mut Tx, actor: &Actor, project_id: &str, patch: AgentPatch) -> Result<AgentView, AppError> {
    let mut row = new_row(project_id, actor.user_id());
    if patch.name.is_none() {
        return Err(AppError::field("name", "Enter a name for the agent."));
    }
    apply(&mut row, patch)?;
    access::project(&mut *tx, actor, project_id, Need::Edit).await?;
    check_voice(&mut *tx, row.voice_id.as_deref()).await?;
    db::insert(&mut *tx, &row).await?;
    audit::record(&mut *tx, actor, project_id, AuditAction::AgentCreated, Some(&row.id), Some(&row.name)).await?;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

fn version_conflict(current: i64) -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        format!("Someone else saved this agent in the meantime (now version {current}). Reload to see their changes, then apply yours again."),
    )
}

/// Changes settings. `expected_version`, when given, must be the agent's current version; without
/// it, a save that loses a race with another one is re-applied on top of it (last writer wins,
/// nothing half-applied).
pub async fn update(tx: &mut Tx, actor: &Actor, agent_id: &str, patch: AgentPatch, expected_version: Option<i64>) -> Result<AgentView, AppError> {
    let (_, before) = load(&mut *tx, actor, agent_id, Need::Edit).await?;
    let v = update_retrying(&mut *tx, actor, before, patch, expected_version).await?;
    Ok(v)
}

/// [`update`] for an agent that must belong to `project_id`.
pub async fn update_in(tx: &mut Tx, actor: &Actor, project_id: &str, agent_id: &str, patch: AgentPatch) -> Result<AgentView, AppError> {
    let (_, before) = load_in(&mut *tx, actor, project_id, agent_id, Need::Edit).await?;
    let v = update_retrying(&mut *tx, actor, before, patch, None).await?;
    Ok(v)
}

async fn update_retrying(c: &mut AnyConnection, actor: &Actor, mut before: AgentRow, patch: AgentPatch, expected_version: Option<i64>) -> Result<AgentView, AppError> {
    for _ in 0..3 {
        if let Some(v) = update_row(&mut *c, actor, before.clone(), patch.clone(), expected_version).await? {
            return Ok(v);
        }
        // Lost the race: another save committed a newer version between our read and our write.
        let current = db::find(&mut *c, &before.project_id, &before.id).await?.ok_or_else(agent_not_found)?;
        if expected_version.is_some() {
            return Err(version_conflict(current.version));
        }
        before = current;
    }
    Err(version_conflict(before.version))
}

fn inbound_taken() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "One of these numbers already answers inbound calls for another agent. An inbound number belongs to one agent: unassign it there first.",
    )
}

/// Turns a refused link write into the answer the pre-check gives: the database's partial unique
/// index caught a race that [`check_inbound`] could not see, and by now the winner is visible.
pub(crate) async fn link_refused(c: &mut AnyConnection, project_id: &str, agent_id: &str, number_ids: &[String], e: sqlx::Error) -> AppError {
    if !crate::server::error::is_unique_violation(&e) {
        return AppError::from(e);
    }
    match check_inbound(c, project_id, agent_id, number_ids).await {
        Err(precise) => precise,
        Ok(()) => inbound_taken(),
    }
}

/// Flags the agent's links as inbound or not after a direction change (see `db::agents::link`).
async fn sync_link_direction(c: &mut AnyConnection, row: &AgentRow) -> Result<(), AppError> {
    let inbound = row.direction == Direction::Inbound;
    let mut sp = sqlx::Connection::begin(&mut *c).await?;
    let r = db::set_links_inbound(&mut sp, &row.project_id, &row.id, inbound).await;
    if let Err(e) = crate::server::db::settle(sp, r).await {
        let links = db::links(&mut *c, &row.project_id).await?;
        return Err(link_refused(c, &row.project_id, &row.id, &numbers_of(&links, &row.id), e).await);
    }
    // Which numbers have an inbound agent changed: their voice URLs at Twilio follow.
    super::twilio_calls::numbers_changed(c, &row.project_id).await
}

/// Applies a patch and writes it if the stored version is still `before.version`; `None` when
/// another save won the race (the caller decides between 409 and re-applying).
async fn update_row(c: &mut AnyConnection, actor: &Actor, before: AgentRow, patch: AgentPatch, expected_version: Option<i64>) -> Result<Option<AgentView>, AppError> {
    if let Some(v) = expected_version {
        if v != before.version {
            return Err(version_conflict(before.version));
        }
    }
    let mut row = before.clone();
    apply(&mut row, patch)?;
    if row.voice_id != before.voice_id {
        check_voice(&mut *c, row.voice_id.as_deref()).await?;
    }
    let changed = row.name != before.name
        || row.system_prompt != before.system_prompt
        || row.first_message != before.first_message
        || row.voice_id != before.voice_id
        || row.language != before.language
        || row.llm_model != before.llm_model
        || row.temperature != before.temperature
        || row.speaks_first != before.speaks_first
        || row.machine_detection != before.machine_detection
        || row.max_duration_secs != before.max_duration_secs
        || row.recording != before.recording
        || row.direction != before.direction
        || row.status != before.status
        || row.analysis != before.analysis;
    if changed {
        if row.direction == Direction::Inbound && before.direction != Direction::Inbound {
            let links = db::links(&mut *c, &row.project_id).await?;
            check_inbound(&mut *c, &row.project_id, &row.id, &numbers_of(&links, &row.id)).await?;
        }
        row.version = before.version + 1;
        row.updated_at = now_ms();
        if !db::update(&mut *c, &row, before.version).await? {
            return Ok(None);
        }
        if row.direction != before.direction {
            sync_link_direction(&mut *c, &row).await?;
        }
        audit::record(&mut *c, actor, &row.project_id, AuditAction::AgentUpdated, Some(&row.id), Some(&format!("version {}", row.version))).await?;
    }
    view_one(c, &row).await.map(Some)
}

/// A copy with a new id, as a draft, without numbers (an inbound number cannot answer for two).
pub async fn duplicate(tx: &mut Tx, actor: &Actor, agent_id: &str) -> Result<AgentView, AppError> {
    let (_, src) = load(&mut *tx, actor, agent_id, Need::Edit).await?;
    let now = now_ms();
    let row = AgentRow {
        id: new_id(),
        name: format!("Copy of {}", src.name).chars().take(NAME_MAX).collect(),
        status: AgentStatus::Draft,
        version: 1,
        created_by: actor.user_id().map(str::to_string),
        created_at: now,
        updated_at: now,
        ..src.clone()
    };
    db::insert(&mut *tx, &row).await?;
    audit::record(&mut *tx, actor, &row.project_id, AuditAction::AgentDuplicated, Some(&row.id), Some(&src.id)).await?;
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

pub async fn delete(tx: &mut Tx, actor: &Actor, agent_id: &str) -> Result<(), AppError> {
    let (_, row) = load(&mut *tx, actor, agent_id, Need::Edit).await?;
    delete_row(&mut *tx, actor, &row).await?;
    Ok(())
}

pub async fn delete_in(tx: &mut Tx, actor: &Actor, project_id: &str, agent_id: &str) -> Result<(), AppError> {
    let (_, row) = load_in(&mut *tx, actor, project_id, agent_id, Need::Edit).await?;
    delete_row(&mut *tx, actor, &row).await?;
    Ok(())
}

async fn delete_row(c: &mut AnyConnection, actor: &Actor, row: &AgentRow) -> Result<(), AppError> {
    // Delete first, then look for batches: the delete holds the agent's row lock, which a batch
    // start takes too (`db::agents::lock`), so on PostgreSQL either the start sees no agent or
    // this check sees its batch, and the error rolls the delete back.
    db::delete(&mut *c, &row.project_id, &row.id).await?;
    let active = crate::server::db::batches::active_for_agent(&mut *c, &row.project_id, &row.id).await?;
    if !active.is_empty() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("\"{}\" is calling for the batch \"{}\": cancel the batch (or let it complete) before deleting the agent.", row.name, active.join("\", \"")),
        ));
    }
    super::twilio_calls::numbers_changed(&mut *c, &row.project_id).await?;
    audit::record(c, actor, &row.project_id, AuditAction::AgentDeleted, Some(&row.id), Some(&row.name)).await?;
    Ok(())
}

/// Sets the direction and, when `phone_number_ids` is given, exactly the numbers the agent uses.
pub async fn set_calling(tx: &mut Tx, actor: &Actor, agent_id: &str, direction: &str, phone_number_ids: Option<Vec<String>>) -> Result<AgentView, AppError> {
    let dir = Direction::parse(direction).ok_or_else(|| AppError::field("direction", "Direction must be inbound or outbound."))?;
    let (a, mut row) = load(&mut *tx, actor, agent_id, Need::Edit).await?;
    let links = db::links(&mut *tx, &row.project_id).await?;
    let current: Vec<String> = numbers_of(&links, &row.id);
    let wanted: Vec<String> = match phone_number_ids {
        None => current.clone(),
        Some(ids) => {
            let mut seen = HashSet::new();
            ids.into_iter().map(|i| i.trim().to_string()).filter(|i| seen.insert(i.clone())).collect()
        }
    };
    for id in &wanted {
        if numbers_db::find(&mut *tx, &row.project_id, id).await?.is_none() {
            let mut e = AppError::new(ErrorCode::NotFound, format!("Phone number {id} not found in this project."));
            e.details = vec![FieldError { field: "phone_number_ids".into(), message: format!("{id} is not a number of this project.") }];
            return Err(e);
        }
    }
    let numbers_change = wanted.iter().collect::<HashSet<_>>() != current.iter().collect::<HashSet<_>>();
    if numbers_change && a.role < Need::Manage.role() {
        return Err(AppError::forbidden("Only admins and owners change which numbers an agent uses."));
    }
    if dir == Direction::Inbound {
        check_inbound(&mut *tx, &row.project_id, &row.id, &wanted).await?;
    }
    let dir_change = row.direction != dir;
    if dir_change || numbers_change {
        // The agent row is written first: the versioned write takes its row lock, so concurrent
        // calling-settings saves of one agent are serialised and the loser answers 409.
        let before_version = row.version;
        row.direction = dir;
        row.version += 1;
        row.updated_at = now_ms();
        if !db::update(&mut *tx, &row, before_version).await? {
            let current = db::find(&mut *tx, &row.project_id, &row.id).await?.ok_or_else(agent_not_found)?;
            return Err(version_conflict(current.version));
        }
        let inbound = dir == Direction::Inbound;
        if numbers_change {
            for id in current.iter().filter(|i| !wanted.contains(i)) {
                db::unlink(&mut *tx, &row.project_id, &row.id, id).await?;
            }
            // New links follow the order the caller gave.
            let now = now_ms();
            for (i, id) in wanted.iter().filter(|i| !current.contains(i)).enumerate() {
                let mut sp = sqlx::Connection::begin(&mut **tx).await?;
                let r = db::link_at(&mut sp, &row.project_id, &row.id, id, inbound, now + i as i64).await;
                if let Err(e) = crate::server::db::settle(sp, r).await {
                    return Err(link_refused(&mut *tx, &row.project_id, &row.id, &wanted, e).await);
                }
            }
            super::twilio_calls::numbers_changed(&mut *tx, &row.project_id).await?;
        }
        if dir_change {
            sync_link_direction(&mut *tx, &row).await?;
        }
        audit::record(&mut *tx, actor, &row.project_id, AuditAction::AgentCallingUpdated, Some(&row.id), Some(&format!("{} {} number(s)", dir.as_str(), wanted.len())))
            .await?;
    }
    let v = view_one(&mut *tx, &row).await?;
    Ok(v)
}

/// The project's active agent, if any.
pub async fn get_active(c: &mut AnyConnection, actor: &Actor, project_id: &str) -> Result<Option<AgentView>, AppError> {
    let a = access::project(&mut *c, actor, project_id, Need::Read).await?;
    let Some(id) = a.project.active_agent_id.clone() else { return Ok(None) };
    match db::find(&mut *c, project_id, &id).await? {
        Some(row) => Ok(Some(view_one(&mut *c, &row).await?)),
        None => Ok(None),
    }
}

pub async fn set_active(tx: &mut Tx, actor: &Actor, project_id: &str, agent_id: &str) -> Result<ProjectView, AppError> {
    let (a, row) = load_in(&mut *tx, actor, project_id, agent_id, Need::Edit).await?;
    if a.project.active_agent_id.as_deref() != Some(agent_id) {
        projects::set_active_agent(&mut *tx, project_id, Some(agent_id)).await?;
        audit::record(&mut *tx, actor, project_id, AuditAction::ProjectActiveAgentSet, Some(agent_id), Some(&row.name)).await?;
    }
    let project = projects::find(&mut *tx, project_id).await?.ok_or_else(AppError::internal)?;
    Ok(super::projects::view(&project, a.role))
}

/// Makes `agent_id` the project's active agent; an empty id clears it (the dashboard's picker
/// and Talkstack send an empty id for "none").
pub async fn choose_active(tx: &mut Tx, actor: &Actor, project_id: &str, agent_id: &str) -> Result<ProjectView, AppError> {
    match agent_id.trim() {
        "" => clear_active(tx, actor, project_id, None).await,
        id => set_active(tx, actor, project_id, id).await,
    }
}

/// Clears the active agent; with `only_if`, only when that agent is the active one.
pub async fn clear_active(tx: &mut Tx, actor: &Actor, project_id: &str, only_if: Option<&str>) -> Result<ProjectView, AppError> {
    let a = access::project(&mut *tx, actor, project_id, Need::Edit).await?;
    let current = a.project.active_agent_id.clone();
    if current.is_some() && (only_if.is_none() || only_if == current.as_deref()) {
        projects::set_active_agent(&mut *tx, project_id, None).await?;
        audit::record(&mut *tx, actor, project_id, AuditAction::ProjectActiveAgentCleared, current.as_deref(), None).await?;
    }
    let project = projects::find(&mut *tx, project_id).await?.ok_or_else(AppError::internal)?;
    Ok(super::projects::view(&project, a.role))
}

/// Stops `agent_id` being its project's active agent (Talkstack names only the agent).
pub async fn remove_active(tx: &mut Tx, actor: &Actor, agent_id: &str) -> Result<ProjectView, AppError> {
    let (a, _) = load(&mut *tx, actor, agent_id, Need::Read).await?;
    clear_active(tx, actor, &a.project.id, Some(agent_id)).await
}

/// The prompt and first message with `values` filled in; a missing variable is an error that
/// names it (calls use this).
pub fn render(agent: &AgentView, values: &HashMap<String, String>) -> Result<(String, String), AppError> {
    let prompt = PromptTemplate::parse(&agent.system_prompt, "system_prompt")?;
    let first = PromptTemplate::parse(&agent.first_message, "first_message")?;
    let mut missing: Vec<String> = prompt.variables();
    for v in first.variables() {
        if !missing.contains(&v) {
            missing.push(v);
        }
    }
    missing.retain(|v| !values.contains_key(v));
    if !missing.is_empty() {
        return Err(crate::model::template::missing_values(&missing));
    }
    Ok((prompt.render(values)?, first.render(values)?))
}

/// One keyset page of a project's agents in `sort` order; `after` names the previous page's last
/// agent in the same order (a cursor of the other order is refused).
pub async fn page(
    c: &mut AnyConnection,
    actor: &Actor,
    project_id: &str,
    q: Option<&str>,
    sort: AgentSort,
    after: Option<db::AgentAfter>,
    limit: i64,
) -> Result<Vec<AgentView>, AppError> {
    let by_name = sort == AgentSort::Name;
    if matches!((&after, by_name), (Some(db::AgentAfter::Name(..)), false) | (Some(db::AgentAfter::Updated(..)), true)) {
        return Err(AppError::field("cursor", "This cursor belongs to a list in another order: pass the same sort as the first page."));
    }
    let a = access::project(&mut *c, actor, project_id, Need::Read).await?;
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let rows = db::page(&mut *c, project_id, q, by_name, after, limit).await?;
    let cx = context(&mut *c, project_id, a.project.active_agent_id.clone(), &rows).await?;
    Ok(rows.iter().map(|r| view(r, &cx)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> AgentRow {
        new_row("p", Some("u"))
    }

    #[test]
    fn language_tags_are_normalised() {
        assert_eq!(language_tag("en-us").as_deref(), Some("en-US"));
        assert_eq!(language_tag("es_419").as_deref(), Some("es-419"));
        assert_eq!(language_tag("fr").as_deref(), Some("fr"));
        for bad in ["", "english", "e", "en-USA", "12"] {
            assert_eq!(language_tag(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut r = row();
        let e = apply(
            &mut r,
            AgentPatch {
                name: Some("  ".into()),
                temperature: Some(2.5),
                max_duration_secs: Some(0),
                direction: Some("sideways".into()),
                system_prompt: Some("Hi {{name".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        for f in ["name", "temperature", "max_duration_secs", "direction", "system_prompt"] {
            assert!(e.field_message(f).is_some(), "{f}: {e:?}");
        }
    }

    #[test]
    fn machine_detection_is_parsed_or_named_as_a_field_error() {
        let mut r = row();
        assert_eq!(r.machine_detection, MachineDetection::Off);
        apply(&mut r, AgentPatch { machine_detection: Some("Leave_Message".into()), ..Default::default() }).unwrap();
        assert_eq!(r.machine_detection, MachineDetection::LeaveMessage);
        let e = apply(&mut r, AgentPatch { machine_detection: Some("sometimes".into()), ..Default::default() }).unwrap_err();
        assert_eq!(e.field_message("machine_detection"), Some("Machine detection must be off, hang_up or leave_message."));
        assert_eq!(r.machine_detection, MachineDetection::LeaveMessage, "a bad value leaves the setting as it was");
    }

    #[test]
    fn bounds_are_inclusive() {
        let mut r = row();
        apply(&mut r, AgentPatch { temperature: Some(2.0), max_duration_secs: Some(3600), ..Default::default() }).unwrap();
        apply(&mut r, AgentPatch { temperature: Some(0.0), max_duration_secs: Some(1), ..Default::default() }).unwrap();
        assert_eq!((r.temperature, r.max_duration_secs), (0.0, 1));
    }

    #[test]
    fn selector_questions_need_options_and_others_drop_theirs() {
        use crate::model::CustomQuestion;
        let q = |kind, options: &[&str]| CustomQuestion { question: "Q?".into(), kind, options: options.iter().map(|s| s.to_string()).collect() };
        let mut p = Problems::default();
        let a = clean_analysis(
            AnalysisConfig {
                summary: true,
                success_criteria: " booked ".into(),
                questions: vec![q(QuestionKind::Boolean, &["x"]), q(QuestionKind::Selector, &["A", " B ", ""])],
            },
            &mut p,
        );
        assert!(p.0.is_empty());
        assert!(a.questions[0].options.is_empty());
        assert_eq!(a.questions[1].options, ["A", "B"]);
        assert_eq!(a.success_criteria, "booked");
        let mut p = Problems::default();
        clean_analysis(AnalysisConfig { questions: vec![q(QuestionKind::Selector, &["A", "a"])], ..Default::default() }, &mut p);
        assert!(!p.0.is_empty());
    }

    #[test]
    fn render_names_missing_variables_across_prompt_and_first_message() {
        let mut v = AgentView {
            id: "a".into(),
            project_id: "p".into(),
            name: "n".into(),
            system_prompt: "Call {{customer}} about {{topic}}".into(),
            first_message: "Hi {{customer}}, it's {{agent_name}}".into(),
            voice_id: None,
            voice_name: None,
            language: "en-US".into(),
            llm_model: "m".into(),
            temperature: 0.5,
            speaks_first: SpeaksFirst::Agent,
            machine_detection: MachineDetection::Off,
            max_duration_secs: 60,
            recording: true,
            direction: Direction::Outbound,
            status: AgentStatus::Draft,
            analysis: AnalysisConfig::default(),
            variables: vec![],
            phone_numbers: vec![],
            version: 1,
            is_active: false,
            created_at: 0,
            updated_at: 0,
        };
        let vals: HashMap<String, String> = [("customer".to_string(), "Ada".to_string())].into();
        let e = render(&v, &vals).unwrap_err();
        assert!(e.message.contains("topic, agent_name"), "{}", e.message);
        v.first_message = "Hi {{customer}}".into();
        v.system_prompt = "Call {{customer}}".into();
        assert_eq!(render(&v, &vals).unwrap(), ("Call Ada".to_string(), "Hi Ada".to_string()));
    }
}
