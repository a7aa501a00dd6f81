//! Twilio: its REST API (the calls Talkdeck makes: create, update and price a call, start a
//! recording, download it, point a number's voice URL at us), its request signatures
//! ([`signature`]), TwiML ([`twiml`]) and its statuses ([`status`]). Decisions about calls live
//! in `services::twilio_calls`; credentials in `services::twilio`.
//!
//! Credentials go only to the configured API base (`TWILIO_API_BASE`), never to a URL taken
//! from a request: a recording is fetched by its SID, not by the `RecordingUrl` Twilio posts.

pub mod signature;
pub mod status;
pub mod twiml;

use serde::Deserialize;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);
/// Recordings can be long; their download gets more time.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a request did not go through.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Worth retrying: 429, 5xx, or Twilio could not be reached (the request never arrived).
    Retry(String),
    /// No answer after the request was sent (a timeout): Twilio may or may not have acted.
    Unknown(String),
    /// Twilio refused the request (4xx), with its error code when it gave one.
    Refused { status: u16, code: Option<i64>, message: String },
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Retry(m) | Failure::Unknown(m) | Failure::Refused { message: m, .. } => m,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Retry(m) => write!(f, "Twilio unavailable: {m}"),
            Failure::Unknown(m) => write!(f, "Twilio's answer is unknown: {m}"),
            Failure::Refused { status, code, message } => write!(f, "Twilio refused ({status}, code {code:?}): {message}"),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<i64>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

/// A call's price as Twilio reports it (negative: money spent), a string in Twilio's API.
#[derive(Deserialize)]
struct CallResource {
    price: Option<serde_json::Value>,
    price_unit: Option<String>,
}

#[derive(Deserialize)]
struct NumberList {
    #[serde(default)]
    incoming_phone_numbers: Vec<NumberSid>,
}

#[derive(Deserialize)]
struct NumberSid {
    sid: String,
    #[serde(default)]
    phone_number: String,
}

/// A client for one Twilio account.
pub struct Client {
    base: String,
    sid: String,
    token: String,
    http: reqwest::Client,
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| Failure::Retry(format!("no HTTP client: {e}")))
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        e.to_string()
    }
}

/// `"-0.01300"` (Twilio's price) as micro-units: what was spent, so its absolute value.
pub fn price_micros(price: &str) -> Option<i64> {
    let v: f64 = price.trim().parse().ok()?;
    v.is_finite().then(|| (v.abs() * 1_000_000.0).round() as i64)
}

impl Client {
    pub fn new(base: &str, account_sid: &str, auth_token: &str) -> Result<Client, Failure> {
        Ok(Client {
            base: base.trim_end_matches('/').to_string(),
            sid: account_sid.to_string(),
            token: auth_token.to_string(),
            http: http_client(TIMEOUT)?,
        })
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/2010-04-01/Accounts/{}/{rest}", self.base, self.sid)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, Failure> {
        let res = req.basic_auth(&self.sid, Some(&self.token)).send().await.map_err(|e| {
            if e.is_connect() {
                Failure::Retry(describe(&e))
            } else {
                Failure::Unknown(describe(&e))
            }
        })?;
        let status = res.status().as_u16();
        if res.status().is_success() {
            return Ok(res);
        }
        if status == 429 || status >= 500 {
            return Err(Failure::Retry(format!("HTTP {status}")));
        }
        let body: Option<ErrorBody> = res.json().await.ok();
        let (code, message) = body.map(|b| (b.code, b.message)).unwrap_or((None, None));
        Err(Failure::Refused { status, code, message: message.unwrap_or_else(|| format!("HTTP {status}")) })
    }

    /// Creates a call; Twilio's call SID.
    pub async fn create_call(&self, form: &[(String, String)]) -> Result<String, Failure> {
        let res = self.send(self.http.post(self.url("Calls.json")).form(form)).await?;
        let created: Created = res.json().await.map_err(|e| Failure::Retry(format!("unreadable answer: {}", describe(&e))))?;
        Ok(created.sid)
    }

    /// Changes a live call (`Status=canceled` or `completed` ends it).
    pub async fn update_call(&self, call_sid: &str, form: &[(String, String)]) -> Result<(), Failure> {
        self.send(self.http.post(self.url(&format!("Calls/{call_sid}.json"))).form(form)).await.map(|_| ())
    }

    /// The call's price in micro-units and its currency, once Twilio has priced it.
    pub async fn price(&self, call_sid: &str) -> Result<Option<(i64, String)>, Failure> {
        let res = self.send(self.http.get(self.url(&format!("Calls/{call_sid}.json")))).await?;
        let call: CallResource = res.json().await.map_err(|e| Failure::Retry(format!("unreadable answer: {}", describe(&e))))?;
        let micros = match &call.price {
            Some(serde_json::Value::String(s)) => price_micros(s),
            Some(serde_json::Value::Number(n)) => price_micros(&n.to_string()),
            _ => None,
        };
        let Some(micros) = micros else { return Ok(None) };
        Ok(Some((micros, call.price_unit.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "USD".into()).to_ascii_uppercase())))
    }

    /// Starts recording a live call (inbound calls: outbound ones are recorded from creation).
    pub async fn start_recording(&self, call_sid: &str, callback: &str) -> Result<(), Failure> {
        let form = [("RecordingStatusCallback", callback), ("RecordingStatusCallbackEvent", "completed"), ("RecordingStatusCallbackMethod", "POST")];
        self.send(self.http.post(self.url(&format!("Calls/{call_sid}/Recordings.json"))).form(&form)).await.map(|_| ())
    }

    /// A recording's audio (MP3): its content type and bytes.
    pub async fn recording(&self, recording_sid: &str) -> Result<(String, Vec<u8>), Failure> {
        let http = http_client(DOWNLOAD_TIMEOUT)?;
        let res = self.send(http.get(self.url(&format!("Recordings/{recording_sid}.mp3")))).await?;
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.starts_with("audio/"))
            .unwrap_or("audio/mpeg")
            .to_string();
        let bytes = res.bytes().await.map_err(|e| Failure::Retry(describe(&e)))?;
        Ok((content_type, bytes.to_vec()))
    }

    /// Points a number's incoming calls at `voice_url` (empty: no longer at us), with status
    /// callbacks to `status_url`.
    pub async fn set_voice_url(&self, number_sid: &str, voice_url: &str, status_url: &str) -> Result<(), Failure> {
        let form = [("VoiceUrl", voice_url), ("VoiceMethod", "POST"), ("StatusCallback", status_url), ("StatusCallbackMethod", "POST")];
        self.send(self.http.post(self.url(&format!("IncomingPhoneNumbers/{number_sid}.json"))).form(&form)).await.map(|_| ())
    }

    /// The SID of the account's number `e164`, for numbers added by hand rather than imported.
    pub async fn number_sid(&self, e164: &str) -> Result<Option<String>, Failure> {
        let res = self.send(self.http.get(self.url("IncomingPhoneNumbers.json")).query(&[("PhoneNumber", e164)])).await?;
        let list: NumberList = res.json().await.map_err(|e| Failure::Retry(format!("unreadable answer: {}", describe(&e))))?;
        Ok(list.incoming_phone_numbers.into_iter().find(|n| n.phone_number == e164).map(|n| n.sid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_what_was_spent() {
        assert_eq!(price_micros("-0.0130"), Some(13_000));
        assert_eq!(price_micros("-0.01300"), Some(13_000));
        assert_eq!(price_micros("0.5"), Some(500_000));
        assert_eq!(price_micros(""), None);
        assert_eq!(price_micros("NaN"), None);
    }
}
