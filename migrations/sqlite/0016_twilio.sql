-- Real calls through Twilio.
--
-- agents.machine_detection: what a Twilio call does when a machine answers (off | hang_up |
-- leave_message); the agent's other settings a Twilio call needs are snapshotted per call in
-- twilio_calls when it is placed (the call runs with the agent version it started with).
-- twilio_turns: the TwiML answered to each conversation callback, keyed by the call's step, so a
-- callback Twilio delivers twice gets the same answer and the conversation moves only once.
ALTER TABLE agents ADD COLUMN machine_detection TEXT NOT NULL DEFAULT 'off';

-- The voice URL Talkdeck last set on a Twilio number (so unassigning clears only what we set).
ALTER TABLE phone_numbers ADD COLUMN twilio_voice_url TEXT;

-- One call per Twilio CallSid (an inbound webhook delivered twice makes one call).
CREATE UNIQUE INDEX calls_provider_call ON calls (provider, provider_call_id);

CREATE TABLE twilio_calls (
    call_id TEXT PRIMARY KEY NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    say_voice TEXT NOT NULL,
    language TEXT NOT NULL,
    llm_model TEXT NOT NULL,
    temperature DOUBLE PRECISION NOT NULL,
    machine_detection TEXT NOT NULL,
    recording_sid TEXT,
    -- The duration Twilio reported in its completed callback (taken once: duplicates change nothing).
    twilio_duration_secs BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE twilio_turns (
    call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    step BIGINT NOT NULL,
    kind TEXT NOT NULL,
    twiml TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, step)
);
