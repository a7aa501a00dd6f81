//! One webhook delivery attempt over HTTP, with the SSRF guard of [`super::ssrf`] applied where
//! it cannot be dodged: the URL's own address before anything is sent, and every address a host
//! name resolves to inside the client's resolver, so the connection only ever goes to an address
//! that was checked (no DNS rebinding between check and connect). Redirects are not followed;
//! the answer is read up to [`READ_CAP`] bytes and [`EXCERPT_CAP`] of it kept for the log.

use super::ssrf::{self, check_url};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A 2xx within this time is success.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// The most of an answer that is read.
pub const READ_CAP: usize = 64 * 1024;
/// The most of an answer kept in the delivery log.
pub const EXCERPT_CAP: usize = 1024;

/// What one attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The answer's status; `None` when there was no answer (refused, unreachable, timed out).
    pub status: Option<u16>,
    /// The start of the answer's body (UTF-8, lossy).
    pub excerpt: String,
    pub duration_ms: i64,
    /// Why there was no usable answer, for the log.
    pub error: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// 410 Gone: the receiver asks for the endpoint to be disabled.
    pub fn gone(&self) -> bool {
        self.status == Some(410)
    }
}

/// Resolves host names and drops every address the guard refuses; a name left with none fails
/// with the reason.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut why = None;
            let allowed: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| match ssrf::refused(a.ip()) {
                    Some(reason) => {
                        why.get_or_insert(format!("{host} resolves to {}, {reason}", a.ip()));
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                let msg = why.unwrap_or_else(|| format!("{host} has no address"));
                return Err(Box::new(Refused(msg)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Sends deliveries; one per process (it holds the connection pool).
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    /// `allow_private`: `WEBHOOK_ALLOW_PRIVATE_TARGETS=true` (no address rules).
    pub fn new(allow_private: bool) -> Result<Self, String> {
        // No proxy from the environment: a proxy would resolve names itself, past the guard.
        let mut b = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if !allow_private {
            b = b.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = b.build().map_err(|e| e.to_string())?;
        Ok(Sender { client, allow_private })
    }

    /// POSTs `body` (JSON) to `url` with `headers`.
    pub async fn send(&self, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Attempt {
        let started = Instant::now();
        let elapsed = |s: Instant| s.elapsed().as_millis() as i64;
        let url = match check_url(url, self.allow_private) {
            Ok(u) => u,
            Err(e) => return Attempt { status: None, excerpt: String::new(), duration_ms: 0, error: Some(format!("refused: {e}")) },
        };
        let mut req = self.client.post(url).header("content-type", "application/json").body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let mut res = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt { status: None, excerpt: String::new(), duration_ms: elapsed(started), error: Some(describe(e, false)) },
        };
        let status = res.status().as_u16();
        let mut read = Vec::new();
        let mut error = None;
        while read.len() < READ_CAP {
            match res.chunk().await {
                Ok(Some(c)) => read.extend_from_slice(&c[..c.len().min(READ_CAP - read.len())]),
                Ok(None) => break,
                Err(e) => {
                    error = Some(describe(e, true));
                    break;
                }
            }
        }
        if (300..400).contains(&status) {
            error = Some("redirects are not followed".to_string());
        }
        let excerpt = String::from_utf8_lossy(&read[..read.len().min(EXCERPT_CAP)]).into_owned();
        Attempt { status: Some(status), excerpt, duration_ms: elapsed(started), error }
    }
}

/// An error's message with its causes (reqwest's own says little: "error sending request"),
/// without the URL, which may carry the receiver's token. `reading`: the answer had begun.
fn describe(e: reqwest::Error, reading: bool) -> String {
    if e.is_timeout() {
        let what = if reading { "the answer was not complete" } else { "no answer" };
        return format!("{what} within {} s", TIMEOUT.as_secs());
    }
    let e = e.without_url();
    let mut parts = vec![e.to_string()];
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    // The guard's own reason says it all when present.
    parts.iter().find(|p| p.starts_with("refused: ")).cloned().unwrap_or_else(|| parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A receiver answering every connection with `answer`; counts connections.
    async fn receiver(answer: &'static [u8]) -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let h = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut buf = vec![0u8; 8192];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(answer).await;
                let _ = s.shutdown().await;
            }
        });
        (port, hits)
    }

    fn hits(h: &Arc<std::sync::atomic::AtomicUsize>) -> usize {
        h.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[tokio::test]
    async fn delivers_when_private_targets_are_allowed() {
        let (port, h) = receiver(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
        let a = Sender::new(true).unwrap().send(&format!("http://127.0.0.1:{port}/hook"), &[("webhook-id", "msg_1".into())], b"{}".to_vec()).await;
        assert!(a.succeeded(), "{a:?}");
        assert_eq!(hits(&h), 1);
    }

    #[tokio::test]
    async fn loopback_is_refused_by_address_and_by_name() {
        let (port, h) = receiver(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
        let s = Sender::new(false).unwrap();
        let a = s.send(&format!("http://127.0.0.1:{port}/"), &[], b"{}".to_vec()).await;
        assert!(a.error.as_deref().unwrap_or("").contains("loopback"), "{a:?}");
        let a = s.send(&format!("http://2130706433:{port}/"), &[], b"{}".to_vec()).await;
        assert!(a.error.as_deref().unwrap_or("").contains("loopback"), "{a:?}");
        // A name that resolves to loopback: refused inside the resolver, nothing connects.
        let a = s.send(&format!("http://localhost:{port}/"), &[], b"{}".to_vec()).await;
        assert_eq!(a.status, None, "{a:?}");
        assert!(a.error.as_deref().unwrap_or("").starts_with("refused: localhost resolves to"), "{a:?}");
        assert_eq!(hits(&h), 0, "no connection was made");
    }

    #[tokio::test]
    async fn errors_do_not_repeat_the_url() {
        // Nothing listens on port 1; the path stands for a receiver's token.
        let a = Sender::new(true).unwrap().send("http://127.0.0.1:1/hooks/tok_secret123", &[], b"{}".to_vec()).await;
        assert_eq!(a.status, None);
        let e = a.error.unwrap_or_default();
        assert!(!e.is_empty() && !e.contains("tok_secret123"), "{e}");
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let (_, target_hits) = receiver(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
        let (port, _) = receiver(b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
        let a = Sender::new(true).unwrap().send(&format!("http://127.0.0.1:{port}/"), &[], b"{}".to_vec()).await;
        assert_eq!(a.status, Some(302));
        assert!(!a.succeeded());
        assert_eq!(a.error.as_deref(), Some("redirects are not followed"));
        assert_eq!(hits(&target_hits), 0);
    }

    #[tokio::test]
    async fn answers_are_read_up_to_a_cap_and_410_means_gone() {
        static BIG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let big = BIG.get_or_init(|| {
            let mut v = b"HTTP/1.1 410 Gone\r\ncontent-length: 1000000\r\nconnection: close\r\n\r\n".to_vec();
            v.extend(std::iter::repeat_n(b'x', 1_000_000));
            v
        });
        let (port, _) = receiver(big).await;
        let a = Sender::new(true).unwrap().send(&format!("http://127.0.0.1:{port}/"), &[], b"{}".to_vec()).await;
        assert!(a.gone(), "{a:?}");
        assert_eq!(a.excerpt.len(), EXCERPT_CAP);
    }
}
