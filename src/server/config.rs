//! Configuration from the environment (a `.env` file is read first when present).
//! See the table in README.md; every default here is documented there.

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use url::Url;

/// A start-up configuration problem, reported to the operator verbatim.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub site_addr: SocketAddr,
    pub public_url: Url,
    /// 32 bytes of key material; never printed (see the manual `Debug`).
    pub secret_key: [u8; 32],
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub trusted_proxies: Vec<IpNet>,
    pub log_format: LogFormat,
    /// `simulator` (default) or `twilio`: the provider of numbers added by hand and of calls.
    pub telephony_provider: String,
    /// How much faster than real time the simulator plays calls (`SIMULATOR_TIME_SCALE`, default 8:
    /// a two-minute conversation plays in 15 seconds).
    pub simulator_time_scale: f64,
    /// Twilio's REST base (a local fake in tests).
    pub twilio_api_base: String,
    /// Server-wide Twilio account, used by projects that have not stored their own.
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<String>,
    /// When set, ElevenLabs voices are fetched and merged into the catalog.
    pub elevenlabs_api_key: Option<String>,
    pub elevenlabs_api_base: String,
    /// An OpenAI-compatible model for post-call analysis and simulated conversations
    /// (`LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`); `None`: the built-in analyzer and scripts.
    pub llm: Option<LlmConfig>,
    /// How long a Twilio call waits for the model's next turn before apologising (Twilio itself
    /// gives a webhook 15 seconds).
    pub llm_turn_timeout: std::time::Duration,
    /// `WEBHOOK_ALLOW_PRIVATE_TARGETS=true` lets webhooks reach loopback and private addresses
    /// (local testing only); by default they are refused at connect time.
    pub webhook_allow_private_targets: bool,
    /// HubSpot's API base (`HUBSPOT_API_BASE`; a local fake in tests).
    pub hubspot_api_base: String,
}

/// Where the model is. The key is never printed (see the manual `Debug`).
#[derive(Clone)]
pub struct LlmConfig {
    /// The API base without a trailing slash, e.g. `https://api.openai.com/v1`;
    /// `/chat/completions` is appended.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; local servers may need none.
    pub api_key: Option<String>,
    pub model: String,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &redact_url(&self.base_url))
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("model", &self.model)
            .finish()
    }
}

/// The model configuration: none when no `LLM_*` variable is set; the base URL and the model
/// are both needed once any is.
fn llm_config() -> Result<Option<LlmConfig>, ConfigError> {
    let (base, key, model) = (var("LLM_BASE_URL"), var("LLM_API_KEY"), var("LLM_MODEL"));
    if base.is_none() && key.is_none() && model.is_none() {
        return Ok(None);
    }
    let (Some(_), Some(model)) = (&base, model) else {
        return Err(ConfigError("set both LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the model needs one) to use a model, or none of them".into()));
    };
    Ok(Some(LlmConfig { base_url: api_base("LLM_BASE_URL", "")?, api_key: key, model }))
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url.as_str())
            .field("secret_key", &"<redacted>")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("log_format", &self.log_format)
            .field("telephony_provider", &self.telephony_provider)
            .field("twilio_api_base", &self.twilio_api_base)
            .field("twilio_account_sid", &self.twilio_account_sid)
            .field("twilio_auth_token", &self.twilio_auth_token.as_ref().map(|_| "<redacted>"))
            .field("elevenlabs_api_key", &self.elevenlabs_api_key.as_ref().map(|_| "<redacted>"))
            .field("elevenlabs_api_base", &self.elevenlabs_api_base)
            .field("llm", &self.llm)
            .field("llm_turn_timeout", &self.llm_turn_timeout)
            .finish()
    }
}

/// Hides the password part of a URL for logs.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let site_addr: SocketAddr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| ConfigError(format!("LEPTOS_SITE_ADDR is not an address: {e}")))?;
        let public_url = match var("PUBLIC_URL") {
            Some(u) => parse_public_url(&u)?,
            None => default_public_url(site_addr)?,
        };
        std::fs::create_dir_all(&data_dir).map_err(|e| ConfigError(format!("cannot create DATA_DIR {}: {e}", data_dir.display())))?;
        let database_url = var("DATABASE_URL").unwrap_or_else(|| default_sqlite_url(&data_dir));
        let secret_key = match var("SECRET_KEY") {
            Some(s) => key_from_str(&s)?,
            None => load_or_create_key(&data_dir.join("secret.key"))?,
        };
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            Some(list) => parse_proxies(&list)?,
            None => Vec::new(),
        };
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError(format!("LOG_FORMAT must be json or pretty, not {other}"))),
        };
        Ok(Config {
            data_dir,
            database_url,
            site_addr,
            public_url,
            secret_key,
            smtp_url: var("SMTP_URL"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| "Talkdeck <no-reply@talkdeck.local>".into()),
            trusted_proxies,
            log_format,
            telephony_provider: match var("TELEPHONY_PROVIDER").as_deref() {
                None | Some("simulator") => "simulator".into(),
                Some("twilio") => "twilio".into(),
                Some(other) => return Err(ConfigError(format!("TELEPHONY_PROVIDER must be simulator or twilio, not {other}"))),
            },
            simulator_time_scale: match var("SIMULATOR_TIME_SCALE") {
                None => 8.0,
                Some(v) => match v.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() && (0.1..=100_000.0).contains(&x) => x,
                    _ => return Err(ConfigError(format!("SIMULATOR_TIME_SCALE must be a number from 0.1 to 100000, not {v}"))),
                },
            },
            twilio_api_base: api_base("TWILIO_API_BASE", "https://api.twilio.com")?,
            twilio_account_sid: var("TWILIO_ACCOUNT_SID"),
            twilio_auth_token: var("TWILIO_AUTH_TOKEN"),
            elevenlabs_api_key: var("ELEVENLABS_API_KEY"),
            elevenlabs_api_base: api_base("ELEVENLABS_API_BASE", "https://api.elevenlabs.io")?,
            llm: llm_config()?,
            llm_turn_timeout: std::time::Duration::from_secs(8),
            webhook_allow_private_targets: match var("WEBHOOK_ALLOW_PRIVATE_TARGETS").as_deref().map(str::trim) {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(other) => return Err(ConfigError(format!("WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false, not {other}"))),
            },
            hubspot_api_base: api_base("HUBSPOT_API_BASE", "https://api.hubapi.com")?,
        })
    }

    /// A configuration for tests: everything under `data_dir`, fixed key, no SMTP.
    pub fn for_tests(data_dir: &Path, database_url: &str) -> Self {
        Config {
            data_dir: data_dir.to_path_buf(),
            database_url: database_url.to_string(),
            site_addr: "127.0.0.1:3000".parse().expect("static address"),
            public_url: Url::parse("http://127.0.0.1:3000").expect("static url"),
            secret_key: [7u8; 32],
            smtp_url: None,
            mail_from: "Talkdeck <no-reply@talkdeck.local>".into(),
            trusted_proxies: Vec::new(),
            log_format: LogFormat::Pretty,
            telephony_provider: "simulator".into(),
            // Tests play a two-minute call in about a tenth of a second.
            simulator_time_scale: 1000.0,
            twilio_api_base: "http://127.0.0.1:9".into(),
            twilio_account_sid: None,
            twilio_auth_token: None,
            elevenlabs_api_key: None,
            elevenlabs_api_base: "http://127.0.0.1:9".into(),
            llm: None,
            llm_turn_timeout: std::time::Duration::from_secs(8),
            // Test receivers listen on 127.0.0.1; the SSRF tests switch this off.
            webhook_allow_private_targets: true,
            hubspot_api_base: "http://127.0.0.1:9".into(),
        }
    }

    /// Cookies get `Secure` when the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The public origin (`scheme://host[:port]`), used for same-origin checks.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// An absolute link under the public URL.
    pub fn link(&self, path_and_query: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path_and_query}")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

/// An external API base URL from the environment, without a trailing slash.
fn api_base(name: &str, default: &str) -> Result<String, ConfigError> {
    let raw = var(name).unwrap_or_else(|| default.to_string());
    let url = Url::parse(&raw).map_err(|e| ConfigError(format!("{name} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError(format!("{name} must be an http(s) URL")));
    }
    Ok(raw.trim_end_matches('/').to_string())
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("talkdeck.db").display())
}

fn default_public_url(addr: SocketAddr) -> Result<Url, ConfigError> {
    // 0.0.0.0 is a listen address, not a place a browser can go.
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() { format!("[{host}]") } else { host };
    parse_public_url(&format!("http://{host}:{}", addr.port()))
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|e| ConfigError(format!("PUBLIC_URL is not a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ConfigError("PUBLIC_URL must be http:// or https://".into()));
    }
    Ok(url)
}

fn parse_proxies(list: &str) -> Result<Vec<IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError(format!("TRUSTED_PROXIES: {s} is not an address or CIDR")))
        })
        .collect()
}

/// A configured key: 64 hex characters are used as-is; any other string of 32+ characters is
/// hashed down to 32 bytes. Short keys are refused rather than silently weak.
fn key_from_str(s: &str) -> Result<[u8; 32], ConfigError> {
    use sha2::{Digest, Sha256};
    if s.len() == 64 {
        if let Ok(bytes) = hex::decode(s) {
            let mut k = [0u8; 32];
            k.copy_from_slice(&bytes);
            return Ok(k);
        }
    }
    if s.len() < 32 {
        return Err(ConfigError("SECRET_KEY must be at least 32 characters".into()));
    }
    Ok(Sha256::digest(s.as_bytes()).into())
}

/// The generated-once fallback: created with mode 0600 on first start, read afterwards.
fn load_or_create_key(path: &Path) -> Result<[u8; 32], ConfigError> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return key_from_str(existing.trim());
    }
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
    let encoded = hex::encode(key);
    write_private(path, encoded.as_bytes()).map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
    Ok(key)
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_are_used_verbatim_and_short_keys_refused() {
        let hex64 = "00".repeat(32);
        assert_eq!(key_from_str(&hex64).unwrap(), [0u8; 32]);
        assert!(key_from_str("too-short").is_err());
        assert_ne!(key_from_str(&"a".repeat(40)).unwrap(), [0u8; 32]);
    }

    #[test]
    fn generated_key_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret.key");
        let a = load_or_create_key(&p).unwrap();
        let b = load_or_create_key(&p).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn proxies_accept_addresses_and_cidrs() {
        let p = parse_proxies("10.0.0.0/8, 127.0.0.1").unwrap();
        assert_eq!(p.len(), 2);
        assert!(parse_proxies("not-an-ip").is_err());
    }

    #[test]
    fn default_public_url_replaces_unspecified_host() {
        let u = default_public_url("0.0.0.0:3000".parse().unwrap()).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:3000/");
    }

    #[test]
    fn links_join_cleanly() {
        let c = Config::for_tests(Path::new("/tmp"), "sqlite::memory:");
        assert_eq!(c.link("/reset-password?token=x"), "http://127.0.0.1:3000/reset-password?token=x");
        assert_eq!(c.public_origin(), "http://127.0.0.1:3000");
    }

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
