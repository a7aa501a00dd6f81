//! Input limits, shared by the server's validation and the browser's form checks, with the
//! messages both show: a limit changed here changes on both sides, and a form never accepts what
//! the server then refuses (or the other way round) with different words.

/// The message of a plain maximum length.
pub fn at_most(max: usize) -> String {
    format!("Use at most {max} characters.")
}

/// The message of a plain minimum length.
pub fn at_least(min: usize) -> String {
    format!("Use at least {min} characters.")
}

/// Accounts.
pub mod account {
    /// A person's display name, in characters.
    pub const PERSON_NAME_MAX: usize = 100;
    /// An optional company name, in characters.
    pub const COMPANY_NAME_MAX: usize = 120;
    /// Password length in characters (the server also refuses common passwords).
    pub const PASSWORD_MIN: usize = 8;
    pub const PASSWORD_MAX: usize = 128;
}

/// Projects.
pub mod project {
    pub const NAME_MAX: usize = 100;
    pub const DESCRIPTION_MAX: usize = 2_000;
    /// A webhook URL, in bytes.
    pub const WEBHOOK_URL_MAX: usize = 2_048;

    pub fn webhook_url_too_long() -> String {
        format!("The URL is too long ({WEBHOOK_URL_MAX} characters at most).")
    }
}

/// API keys.
pub mod api_key {
    pub const NAME_MAX: usize = 100;
}

/// Phone numbers.
pub mod number {
    pub const LABEL_MAX: usize = 100;

    pub fn label_too_long() -> String {
        format!("Keep the label under {LABEL_MAX} characters, on one line.")
    }
}

/// Agents: the editor's fields and the post-call analysis.
pub mod agent {
    pub const NAME_MAX: usize = 100;
    pub const PROMPT_MAX: usize = 20_000;
    pub const FIRST_MESSAGE_MAX: usize = 2_000;
    pub const CRITERIA_MAX: usize = 2_000;
    pub const QUESTIONS_MAX: usize = 20;
    pub const QUESTION_MAX: usize = 500;
    /// Options of a Selector question: at least `OPTIONS_MIN`, at most `OPTIONS_MAX`.
    pub const OPTIONS_MIN: usize = 2;
    pub const OPTIONS_MAX: usize = 20;
    pub const OPTION_MAX: usize = 100;
    pub const LLM_MODEL_MAX: usize = 100;
    pub const TEMPERATURE_MIN: f64 = 0.0;
    pub const TEMPERATURE_MAX: f64 = 2.0;
    pub const MAX_DURATION_MIN: i64 = 1;
    pub const MAX_DURATION_MAX: i64 = 3_600;

    pub fn name_missing() -> String {
        "Enter a name for the agent.".into()
    }

    pub fn name_too_long() -> String {
        format!("Keep the name under {NAME_MAX} characters, on one line.")
    }

    pub fn prompt_too_long() -> String {
        format!("Keep the prompt under {PROMPT_MAX} characters.")
    }

    pub fn first_message_too_long() -> String {
        format!("Keep the initial message under {FIRST_MESSAGE_MAX} characters.")
    }

    pub fn criteria_too_long() -> String {
        format!("Keep the success criteria under {CRITERIA_MAX} characters.")
    }

    pub fn too_many_questions() -> String {
        format!("Ask at most {QUESTIONS_MAX} custom questions.")
    }

    /// `n` counts from 1, as the editor shows questions.
    pub fn question_missing(n: usize) -> String {
        format!("Question {n} is empty.")
    }

    pub fn question_too_long(n: usize) -> String {
        format!("Question {n} is longer than {QUESTION_MAX} characters.")
    }

    pub fn option_too_long(n: usize) -> String {
        format!("An option of question {n} is longer than {OPTION_MAX} characters.")
    }

    pub fn option_count(n: usize) -> String {
        format!("Question {n} is a Selector: give it {OPTIONS_MIN} to {OPTIONS_MAX} options.")
    }

    pub fn temperature() -> String {
        format!("Temperature must be between {TEMPERATURE_MIN} and {TEMPERATURE_MAX}.")
    }

    pub fn max_duration() -> String {
        format!("Max call duration must be between {MAX_DURATION_MIN} and {MAX_DURATION_MAX} seconds.")
    }
}

/// The most calls a project may allow live at once.
pub const MAX_CONCURRENT_CALLS: i64 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_the_server_wording() {
        assert_eq!(at_most(100), "Use at most 100 characters.");
        assert_eq!(at_least(8), "Use at least 8 characters.");
        assert_eq!(agent::name_too_long(), "Keep the name under 100 characters, on one line.");
        assert_eq!(agent::temperature(), "Temperature must be between 0 and 2.");
        assert_eq!(agent::max_duration(), "Max call duration must be between 1 and 3600 seconds.");
        assert_eq!(agent::option_count(3), "Question 3 is a Selector: give it 2 to 20 options.");
        assert_eq!(number::label_too_long(), "Keep the label under 100 characters, on one line.");
        assert_eq!(project::webhook_url_too_long(), "The URL is too long (2048 characters at most).");
    }
}
