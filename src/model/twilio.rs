//! What a Twilio call says things with: the `<Say voice="..." language="...">` values for an
//! agent. Shared by the server (which writes the TwiML) and the editor (which shows the voice a
//! Twilio call will use), so both always agree; pure functions, nothing server-only.
//!
//! Decisions:
//! - Twilio's `<Say>` speaks only Amazon Polly and Google voices. A catalog voice of either
//!   provider is used as it is (`Google.<id>`, `Polly.<id>`, the id kept exactly as given).
//! - Every other provider (ElevenLabs, OpenAI, Azure, Cartesia, Deepgram) or no voice at all falls
//!   back to the Polly neural voice of the agent's language, of the voice's gender when it is
//!   known, so the caller at least hears the right language and a similar voice.
//! - A language is looked up by its full tag, then by its primary subtag (`en-NZ` and `en` use the
//!   first English row, en-US); a language with no row uses Joanna (en-US).

/// Polly neural voices per language, first female then male (the female one again where Polly
/// has no male neural voice for that language). The first row of a language is its default for
/// a tag with another or no region.
const POLLY_NEURAL: &[(&str, &str, &str)] = &[
    ("en-US", "Joanna", "Matthew"),
    ("en-GB", "Amy", "Brian"),
    ("en-AU", "Olivia", "Olivia"),
    ("en-IN", "Kajal", "Kajal"),
    ("de-DE", "Vicki", "Daniel"),
    ("fr-FR", "Lea", "Remi"),
    ("fr-CA", "Gabrielle", "Liam"),
    ("es-ES", "Lucia", "Sergio"),
    ("es-MX", "Mia", "Andres"),
    ("es-US", "Lupe", "Pedro"),
    ("it-IT", "Bianca", "Adriano"),
    ("pt-BR", "Camila", "Thiago"),
    ("ja-JP", "Kazuha", "Takumi"),
    ("hi-IN", "Kajal", "Kajal"),
    ("nl-NL", "Laura", "Laura"),
];

/// The voice used when nothing else fits (the first row's female voice).
const FALLBACK: &str = "Polly.Joanna-Neural";

/// The `voice` attribute of Twilio's `<Say>` for an agent's voice (its catalog provider, id and
/// gender) and language.
pub fn say_voice(provider: Option<&str>, voice_id: Option<&str>, gender: Option<&str>, language: &str) -> String {
    let id = voice_id.map(str::trim).filter(|v| !v.is_empty());
    let provider = provider.map(|p| p.trim().to_ascii_lowercase());
    match (provider.as_deref(), id) {
        (Some("google"), Some(id)) => prefixed("Google.", id),
        (Some("polly" | "amazon" | "aws"), Some(id)) => prefixed("Polly.", id),
        _ => polly_default(gender, language),
    }
}

/// `prefix` + `id`, unless the id already carries the prefix (a voice id copied from TwiML).
fn prefixed(prefix: &str, id: &str) -> String {
    match id.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => format!("{prefix}{}", &id[prefix.len()..]),
        _ => format!("{prefix}{id}"),
    }
}

/// The Polly neural voice of `language`, male when `gender` says so, female otherwise.
fn polly_default(gender: Option<&str>, language: &str) -> String {
    let Some((_, female, male)) = row_for(language) else { return FALLBACK.to_string() };
    let male_wanted = gender.is_some_and(|g| g.trim().eq_ignore_ascii_case("male"));
    format!("Polly.{}-Neural", if male_wanted { male } else { female })
}

/// The table row of a language: by full tag, then by primary subtag.
fn row_for(language: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let tag = say_language(language);
    let primary = |t: &str| t.split('-').next().unwrap_or_default().to_ascii_lowercase();
    POLLY_NEURAL
        .iter()
        .find(|(t, _, _)| t.eq_ignore_ascii_case(&tag))
        .or_else(|| POLLY_NEURAL.iter().find(|(t, _, _)| primary(t) == primary(&tag)))
}

/// The `language` attribute of Twilio's `<Say>` (and `<Gather>`) for an agent's language: a BCP 47
/// tag written like `en-US` (primary subtag lower case, region upper case). A bare language such
/// as `en` gets the region of its first row above (Twilio wants a region); empty or malformed
/// input gives `en-US`.
pub fn say_language(language: &str) -> String {
    const DEFAULT: &str = "en-US";
    let s = language.trim();
    let (lang, region) = match s.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (s, None),
    };
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return DEFAULT.to_string();
    }
    let lang = lang.to_ascii_lowercase();
    match region {
        Some(r) if (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic())) || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit())) => {
            format!("{lang}-{}", r.to_ascii_uppercase())
        }
        Some(_) => DEFAULT.to_string(),
        None => POLLY_NEURAL.iter().map(|(t, _, _)| *t).find(|t| t.split('-').next() == Some(lang.as_str())).map(str::to_string).unwrap_or(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_voices_are_used_as_they_are() {
        assert_eq!(say_voice(Some("google"), Some("en-US-Neural2-F"), Some("female"), "en-US"), "Google.en-US-Neural2-F");
        assert_eq!(say_voice(Some("Google"), Some("es-ES-Neural2-B"), Some("male"), "fr-FR"), "Google.es-ES-Neural2-B");
        assert_eq!(say_voice(Some("google"), Some("Google.en-GB-Neural2-B"), None, "en-GB"), "Google.en-GB-Neural2-B");
    }

    #[test]
    fn polly_voices_keep_their_id() {
        for p in ["polly", "amazon", "aws", "AWS"] {
            assert_eq!(say_voice(Some(p), Some("Joanna-Neural"), None, "en-US"), "Polly.Joanna-Neural", "{p}");
        }
        assert_eq!(say_voice(Some("polly"), Some("Brian"), Some("male"), "en-GB"), "Polly.Brian");
        assert_eq!(say_voice(Some("polly"), Some("polly.Amy-Neural"), None, "en-GB"), "Polly.Amy-Neural");
    }

    #[test]
    fn google_or_polly_without_an_id_fall_back_to_the_language_voice() {
        assert_eq!(say_voice(Some("google"), None, Some("male"), "de-DE"), "Polly.Daniel-Neural");
        assert_eq!(say_voice(Some("polly"), Some("  "), None, "en-GB"), "Polly.Amy-Neural");
    }

    #[test]
    fn other_providers_use_the_polly_voice_of_the_language_and_gender() {
        for p in [Some("elevenlabs"), Some("openai"), Some("azure"), Some("cartesia"), Some("deepgram"), None] {
            assert_eq!(say_voice(p, Some("21m00Tcm4TlvDq8ikWAM"), Some("female"), "en-US"), "Polly.Joanna-Neural", "{p:?}");
            assert_eq!(say_voice(p, Some("x"), Some("male"), "en-US"), "Polly.Matthew-Neural", "{p:?}");
        }
        let cases = [
            ("en-GB", "Amy", "Brian"),
            ("en-AU", "Olivia", "Olivia"),
            ("en-IN", "Kajal", "Kajal"),
            ("de-DE", "Vicki", "Daniel"),
            ("fr-FR", "Lea", "Remi"),
            ("fr-CA", "Gabrielle", "Liam"),
            ("es-ES", "Lucia", "Sergio"),
            ("es-MX", "Mia", "Andres"),
            ("es-US", "Lupe", "Pedro"),
            ("it-IT", "Bianca", "Adriano"),
            ("pt-BR", "Camila", "Thiago"),
            ("ja-JP", "Kazuha", "Takumi"),
            ("hi-IN", "Kajal", "Kajal"),
            ("nl-NL", "Laura", "Laura"),
        ];
        for (lang, female, male) in cases {
            assert_eq!(say_voice(Some("elevenlabs"), None, Some("female"), lang), format!("Polly.{female}-Neural"), "{lang}");
            assert_eq!(say_voice(Some("elevenlabs"), None, Some("male"), lang), format!("Polly.{male}-Neural"), "{lang}");
        }
    }

    #[test]
    fn unknown_or_missing_gender_is_the_female_voice() {
        assert_eq!(say_voice(Some("openai"), Some("alloy"), Some("neutral"), "de-DE"), "Polly.Vicki-Neural");
        assert_eq!(say_voice(None, None, None, "de-DE"), "Polly.Vicki-Neural");
        assert_eq!(say_voice(None, None, Some(" MALE "), "de-DE"), "Polly.Daniel-Neural");
    }

    #[test]
    fn languages_match_by_full_tag_then_primary_subtag() {
        assert_eq!(say_voice(None, None, Some("male"), "en-gb"), "Polly.Brian-Neural");
        assert_eq!(say_voice(None, None, Some("male"), "EN_GB"), "Polly.Brian-Neural");
        assert_eq!(say_voice(None, None, Some("male"), "en"), "Polly.Matthew-Neural");
        assert_eq!(say_voice(None, None, Some("female"), "en-NZ"), "Polly.Joanna-Neural");
        assert_eq!(say_voice(None, None, Some("male"), "es-419"), "Polly.Sergio-Neural");
        assert_eq!(say_voice(None, None, Some("female"), "pt-PT"), "Polly.Camila-Neural");
    }

    #[test]
    fn unknown_languages_use_joanna() {
        for lang in ["sv-SE", "zz", "tlh"] {
            assert_eq!(say_voice(None, None, Some("male"), lang), FALLBACK, "{lang}");
            assert_eq!(say_voice(Some("cartesia"), None, Some("female"), lang), "Polly.Joanna-Neural", "{lang}");
        }
        // No language (or a malformed one) is en-US, as in `say_language`: its voices by gender.
        for lang in ["", "english", "en-USA"] {
            assert_eq!(say_voice(None, None, Some("male"), lang), "Polly.Matthew-Neural", "{lang:?}");
            assert_eq!(say_voice(None, None, None, lang), "Polly.Joanna-Neural", "{lang:?}");
        }
    }

    #[test]
    fn say_language_normalises_the_agent_language() {
        assert_eq!(say_language("en-US"), "en-US");
        assert_eq!(say_language(" en-gb "), "en-GB");
        assert_eq!(say_language("ES_mx"), "es-MX");
        assert_eq!(say_language("es-419"), "es-419");
        assert_eq!(say_language("sv-se"), "sv-SE");
    }

    #[test]
    fn say_language_gives_a_bare_language_its_default_region() {
        assert_eq!(say_language("en"), "en-US");
        assert_eq!(say_language("FR"), "fr-FR");
        assert_eq!(say_language("pt"), "pt-BR");
        assert_eq!(say_language("sv"), "sv", "no row: kept as it is");
    }

    #[test]
    fn say_language_defaults_to_en_us() {
        for bad in ["", "   ", "english", "e", "en-USA", "12", "en-1"] {
            assert_eq!(say_language(bad), "en-US", "{bad:?}");
        }
    }
}
