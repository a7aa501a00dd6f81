//! TwiML, the XML Twilio runs on a call: the few verbs a conversation needs, escaped.

/// One verb of a TwiML response.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    /// Speak `text` with a Twilio `<Say>` voice and language.
    Say {
        text: String,
        voice: String,
        language: String,
    },
    /// Listen for speech and post what was heard to `action` (also when nothing was heard).
    Gather {
        action: String,
        language: String,
    },
    /// Fetch the next TwiML from `url` (POST).
    Redirect {
        url: String,
    },
    Hangup,
}

/// How long the caller may stay silent before Twilio posts an empty result, in seconds.
const GATHER_TIMEOUT_SECS: u32 = 5;

/// The `<Response>` document for `verbs`.
pub fn response(verbs: &[Verb]) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#);
    for v in verbs {
        match v {
            Verb::Say { text, voice, language } => {
                out.push_str(&format!(r#"<Say voice="{}" language="{}">{}</Say>"#, escape(voice), escape(language), escape(text)));
            }
            Verb::Gather { action, language } => out.push_str(&format!(
                r#"<Gather input="speech" action="{}" method="POST" language="{}" speechTimeout="auto" timeout="{GATHER_TIMEOUT_SECS}" actionOnEmptyResult="true"/>"#,
                escape(action),
                escape(language)
            )),
            Verb::Redirect { url } => out.push_str(&format!(r#"<Redirect method="POST">{}</Redirect>"#, escape(url))),
            Verb::Hangup => out.push_str("<Hangup/>"),
        }
    }
    out.push_str("</Response>");
    out
}

/// XML text and attribute escaping. Characters XML 1.0 cannot carry at all are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(t: &str) -> Verb {
        Verb::Say { text: t.into(), voice: "Polly.Joanna-Neural".into(), language: "en-US".into() }
    }

    #[test]
    fn a_turn_says_then_listens() {
        let xml =
            response(&[say("Hi Ann, it's Ava & co. <3"), Verb::Gather { action: "https://x.test/hooks/twilio/turn/c1?step=2&retry=1".into(), language: "en-US".into() }]);
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna-Neural" language="en-US">Hi Ann, it&apos;s Ava &amp; co. &lt;3</Say><Gather input="speech" action="https://x.test/hooks/twilio/turn/c1?step=2&amp;retry=1" method="POST" language="en-US" speechTimeout="auto" timeout="5" actionOnEmptyResult="true"/></Response>"#
        );
    }

    #[test]
    fn endings_and_retries() {
        assert_eq!(response(&[Verb::Hangup]), r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#);
        let xml = response(&[say("Goodbye."), Verb::Hangup]);
        assert!(xml.ends_with(r#">Goodbye.</Say><Hangup/></Response>"#));
        let xml = response(&[say("Sorry, one moment."), Verb::Redirect { url: "https://x.test/t?a=1&b=2".into() }]);
        assert!(xml.contains(r#"<Redirect method="POST">https://x.test/t?a=1&amp;b=2</Redirect>"#));
        // A caller-first agent listens before saying anything.
        let xml = response(&[Verb::Gather { action: "https://x.test/t".into(), language: "de-DE".into() }]);
        assert!(xml.contains(r#"<Response><Gather input="speech""#) && xml.contains(r#"language="de-DE""#));
    }

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "abc\nd");
    }
}
