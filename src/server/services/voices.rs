//! The voice library: a catalog shipped with the product (migration `0004_voice_catalog`) plus,
//! when `ELEVENLABS_API_KEY` is set, the account's ElevenLabs voices merged in by [`sync_elevenlabs`].
//!
//! Voices are global, not per project; any signed-in caller may list them. Relative preview
//! URLs (the shipped previews under `/assets/voices/`) are made absolute with `PUBLIC_URL`.

use crate::model::{AppError, ErrorCode, VoiceFacets, VoiceFilter, VoiceView};
use crate::server::auth::Actor;
use crate::server::db::voices::{self as db, VoiceRow};
use crate::server::db::Tx;
use crate::server::state::AppState;
use serde::Deserialize;
use sqlx::AnyConnection;
use std::collections::BTreeSet;
use std::time::Duration;

fn view(st: &AppState, v: VoiceRow) -> VoiceView {
    let preview_url = if v.preview_url.starts_with('/') { st.config.link(&v.preview_url) } else { v.preview_url };
    VoiceView {
        voice_id: v.id,
        name: v.name,
        provider: v.provider,
        language: v.language,
        accent: v.accent,
        description: v.description,
        age: v.age,
        gender: v.gender,
        use_case: v.use_case,
        preview_url,
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Whether a voice passes the filters. `language` without a region (`en`) matches every region.
pub fn matches(v: &VoiceRow, f: &VoiceFilter) -> bool {
    let set = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(p) = set(&f.provider) {
        if !eq(&v.provider, &p) {
            return false;
        }
    }
    if let Some(l) = set(&f.language) {
        let ok = if l.contains('-') { eq(&v.language, &l) } else { v.language.split('-').next().is_some_and(|primary| eq(primary, &l)) };
        if !ok {
            return false;
        }
    }
    if let Some(g) = set(&f.gender) {
        if !eq(&v.gender, &g) {
            return false;
        }
    }
    if let Some(a) = set(&f.accent) {
        if !eq(&v.accent, &a) {
            return false;
        }
    }
    if let Some(q) = set(&f.q) {
        let q = q.to_lowercase();
        let hay = [&v.name, &v.description, &v.accent, &v.use_case, &v.id, &v.provider];
        if !hay.iter().any(|h| h.to_lowercase().contains(&q)) {
            return false;
        }
    }
    true
}

pub async fn list(st: &AppState, c: &mut AnyConnection, _actor: &Actor, f: &VoiceFilter) -> Result<Vec<VoiceView>, AppError> {
    let all = db::all(c).await?;
    Ok(all.into_iter().filter(|v| matches(v, f)).map(|v| view(st, v)).collect())
}

pub async fn get(st: &AppState, c: &mut AnyConnection, _actor: &Actor, voice_id: &str) -> Result<VoiceView, AppError> {
    let v = db::find(c, voice_id.trim()).await?.ok_or_else(|| AppError::not_found("Voice"))?;
    Ok(view(st, v))
}

pub async fn facets(c: &mut AnyConnection, _actor: &Actor) -> Result<VoiceFacets, AppError> {
    let all = db::all(c).await?;
    let collect =
        |f: fn(&VoiceRow) -> &str| -> Vec<String> { all.iter().map(f).filter(|s| !s.is_empty()).map(str::to_string).collect::<BTreeSet<_>>().into_iter().collect() };
    Ok(VoiceFacets {
        providers: collect(|v| &v.provider),
        languages: collect(|v| &v.language),
        genders: collect(|v| &v.gender),
        accents: collect(|v| &v.accent),
    })
}

/// One keyset page of the catalog with the filters applied in SQL, in catalog order; each
/// voice comes with its catalog position (`sort_order`) for the next page's start.
pub async fn page(
    st: &AppState,
    c: &mut AnyConnection,
    _actor: &Actor,
    f: &VoiceFilter,
    after: Option<(i64, String, String)>,
    limit: i64,
) -> Result<Vec<(VoiceView, i64)>, AppError> {
    let w = db::VoiceWhere {
        provider: f.provider.clone(),
        language: f.language.clone(),
        gender: f.gender.clone(),
        accent: f.accent.clone(),
        q: f.q.clone(),
    };
    Ok(db::page(c, &w, after, limit).await?.into_iter().map(|(v, order)| (view(st, v), order)).collect())
}

#[derive(Deserialize)]
struct ElevenVoices {
    #[serde(default)]
    voices: Vec<ElevenVoice>,
}

#[derive(Deserialize)]
struct ElevenVoice {
    voice_id: String,
    name: String,
    #[serde(default)]
    labels: std::collections::HashMap<String, String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    preview_url: Option<String>,
}

/// Fetches the ElevenLabs account's voices and merges them into the catalog; returns how many.
/// Does nothing (0) without `ELEVENLABS_API_KEY`.
pub async fn sync_elevenlabs(st: &AppState) -> Result<usize, AppError> {
    let Some(key) = st.config.elevenlabs_api_key.as_deref() else { return Ok(0) };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().map_err(|e| {
        tracing::error!(error = %e, "cannot build the HTTP client");
        AppError::internal()
    })?;
    let url = format!("{}/v1/voices", st.config.elevenlabs_api_base);
    let res = client.get(&url).header("xi-api-key", key).send().await.map_err(|e| {
        tracing::warn!(error = %e, "ElevenLabs unreachable");
        AppError::new(ErrorCode::Upstream, "ElevenLabs could not be reached.")
    })?;
    if !res.status().is_success() {
        tracing::warn!(status = res.status().as_u16(), "ElevenLabs refused the voice list");
        return Err(AppError::new(ErrorCode::Upstream, "ElevenLabs refused the voice list request."));
    }
    let body: ElevenVoices = res.json().await.map_err(|e| {
        tracing::warn!(error = %e, "ElevenLabs voice list unreadable");
        AppError::new(ErrorCode::Upstream, "ElevenLabs' voice list could not be read.")
    })?;
    st.write(async |tx| merge_voices(tx, body.voices).await).await
}

/// Upserts fetched voices into the catalog; returns how many were valid.
async fn merge_voices(tx: &mut Tx, voices: Vec<ElevenVoice>) -> Result<usize, AppError> {
    let mut n = 0;
    for v in voices {
        if v.voice_id.is_empty() || v.voice_id.len() > 100 || !v.voice_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        let label = |k: &str| v.labels.get(k).cloned().unwrap_or_default();
        let language = v.labels.get("language").map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).unwrap_or_else(|| "en".into());
        let row = VoiceRow {
            id: v.voice_id.clone(),
            name: v.name.chars().take(100).collect(),
            provider: "elevenlabs".into(),
            language,
            accent: label("accent"),
            description: v.labels.get("description").cloned().or(v.description.clone()).unwrap_or_default().chars().take(300).collect(),
            age: label("age"),
            gender: label("gender"),
            use_case: label("use_case").replace('_', " "),
            preview_url: v.preview_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")).unwrap_or_default(),
            source: "elevenlabs".into(),
        };
        db::upsert(&mut *tx, &row).await?;
        n += 1;
    }
    tracing::info!(voices = n, "ElevenLabs voices merged into the catalog");
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(lang: &str, gender: &str) -> VoiceRow {
        VoiceRow {
            id: "v1".into(),
            name: "Rachel".into(),
            provider: "elevenlabs".into(),
            language: lang.into(),
            accent: "american".into(),
            description: "calm".into(),
            age: "young".into(),
            gender: gender.into(),
            use_case: "conversational".into(),
            preview_url: String::new(),
            source: "catalog".into(),
        }
    }

    #[test]
    fn filters_combine() {
        let v = voice("en-US", "female");
        let f = |p: Option<&str>, l: Option<&str>, g: Option<&str>, q: Option<&str>| VoiceFilter {
            provider: p.map(Into::into),
            language: l.map(Into::into),
            gender: g.map(Into::into),
            accent: None,
            q: q.map(Into::into),
        };
        assert!(matches(&v, &VoiceFilter::default()));
        assert!(matches(&v, &f(Some("ElevenLabs"), Some("en"), Some("female"), Some("rach"))));
        assert!(matches(&v, &f(None, Some("en-us"), None, Some(""))));
        assert!(!matches(&v, &f(None, Some("en-GB"), None, None)));
        assert!(!matches(&v, &f(None, Some("es"), None, None)));
        assert!(!matches(&v, &f(None, None, Some("male"), None)));
        assert!(!matches(&v, &f(Some("azure"), None, None, None)));
        assert!(!matches(&v, &f(None, None, None, Some("zzz"))));
    }
}
