//! Outgoing mail. With `SMTP_URL` set, mail goes through lettre's SMTP transport; otherwise each
//! message is written as an `.eml` file in `DATA_DIR/mail/` (the development outbox) and its path
//! is logged. Every message has a plain-text and an HTML part, both 7-bit so links and codes stay
//! readable in the raw file. Links are built from `PUBLIC_URL` by the callers, never from a
//! request's Host header.

pub mod templates;

use crate::server::config::Config;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// A mail to send. Serializable because queued mail travels (sealed) in a job payload.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Outbox { dir: PathBuf, from: Mailbox },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("building message: {0}")]
    Build(String),
    #[error("smtp: {0}")]
    Smtp(String),
    #[error("outbox: {0}")]
    Io(#[from] std::io::Error),
}

impl Mailer {
    pub fn from_config(cfg: &Config) -> Result<Self, MailError> {
        let from: Mailbox = cfg.mail_from.parse().map_err(|e| MailError::Address(format!("MAIL_FROM: {e}")))?;
        match &cfg.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| MailError::Smtp(e.to_string()))?.build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                let dir = cfg.mail_dir();
                std::fs::create_dir_all(&dir)?;
                Ok(Mailer::Outbox { dir, from })
            }
        }
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Outbox { from, .. } => from.clone(),
        };
        let to: Mailbox = mail.to.parse().map_err(|e| MailError::Address(format!("{e}")))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative().singlepart(part(ContentType::TEXT_PLAIN, mail.text)).singlepart(part(ContentType::TEXT_HTML, mail.html)))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(|e| MailError::Smtp(e.to_string()))?;
                tracing::info!("mail sent via SMTP");
            }
            Mailer::Outbox { dir, .. } => {
                let name = format!("{}-{}.eml", crate::server::db::now_ms(), uuid::Uuid::now_v7());
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted()).await?;
                tracing::info!(path = %path.display(), "mail written to the outbox");
            }
        }
        Ok(())
    }
}

/// ASCII bodies whose lines fit 7-bit's limit (lettre: under 76 characters) go out 7-bit so links
/// and codes stay readable in the raw file (quoted-printable would turn `token=` into
/// `token=3D`); anything else (a long link, a name in another script) lets lettre pick a safe
/// encoding.
/// lettre has the last word on what 7-bit can carry (its check differs from ours on control
/// characters, and a forced encoding it refuses panics), so 7-bit is only asked for once lettre
/// agreed to it.
fn part(content_type: ContentType, body: String) -> SinglePart {
    if body.is_ascii() && body.lines().all(|l| l.len() < 76) {
        if let Ok(b) = lettre::message::Body::new_with_encoding(body.clone(), ContentTransferEncoding::SevenBit) {
            return SinglePart::builder().header(content_type).body(b);
        }
    }
    SinglePart::builder().header(content_type).body(body)
}
