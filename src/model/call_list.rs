//! The dashboard's call history query (the Calls page URL's filters) and the DTOs of the Calls and
//! call detail pages.

use super::{CallAnalysisView, CallEventView, CallStatus, CallView, Direction, EndReason, Sentiment};
use serde::{Deserialize, Serialize};

/// The Calls page's filters exactly as its URL carries them (`/calls?status=completed&q=refund`):
/// text, empty meaning "any". The server parses them (`services::calls::filter_of`) and answers a
/// bad value with a field error naming the filter, which the page shows above the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallQuery {
    pub status: String,
    pub direction: String,
    pub agent: String,
    pub end_reason: String,
    pub sentiment: String,
    /// `yes` or `no`.
    pub success: String,
    /// `test` or `live`.
    pub kind: String,
    pub from: String,
    pub to: String,
    /// A date (`2026-11-29`), inclusive.
    pub since: String,
    /// A date, inclusive.
    pub until: String,
    /// Whole seconds.
    pub min_secs: String,
    pub max_secs: String,
    /// Words of the transcript, or digits of a number.
    pub q: String,
    /// Where the page starts (the previous page's `next_cursor`).
    pub cursor: String,
}

impl CallQuery {
    /// Reads the filters from URL query parameters.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let v = |k: &str| get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        CallQuery {
            status: v("status"),
            direction: v("direction"),
            agent: v("agent"),
            end_reason: v("end_reason"),
            sentiment: v("sentiment"),
            success: v("success"),
            kind: v("kind"),
            from: v("from"),
            to: v("to"),
            since: v("since"),
            until: v("until"),
            min_secs: v("min_secs"),
            max_secs: v("max_secs"),
            q: v("q"),
            cursor: v("cursor"),
        }
    }

    /// The non-empty parameters, in a stable order, for building URLs.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("status", &self.status),
            ("direction", &self.direction),
            ("agent", &self.agent),
            ("end_reason", &self.end_reason),
            ("sentiment", &self.sentiment),
            ("success", &self.success),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
            ("since", &self.since),
            ("until", &self.until),
            ("min_secs", &self.min_secs),
            ("max_secs", &self.max_secs),
            ("q", &self.q),
            ("cursor", &self.cursor),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect()
    }

    /// True when any filter (not the cursor) is set.
    pub fn is_filtered(&self) -> bool {
        self.pairs().iter().any(|(k, _)| *k != "cursor")
    }

    /// The same filters from the first page.
    pub fn first_page(&self) -> Self {
        CallQuery { cursor: String::new(), ..self.clone() }
    }
}

/// A call as a list row shows it (the Calls page, the Overview's latest calls): only what the row
/// displays. A page carries its data twice, as HTML and as hydration data, so a full [`CallView`]
/// (variables, metadata, recording) would make a page of 50 several times heavier. For the same
/// reason it travels as a JSON array in field order rather than an object (see [`ListWire`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CallListItem {
    pub id: String,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub agent_name: String,
    pub status: CallStatus,
    pub end_reason: Option<EndReason>,
    pub is_test: bool,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub sentiment: Option<Sentiment>,
    pub success: Option<bool>,
}

/// [`CallListItem`] on the wire: its fields in order, without their names. Leptos writes a
/// page's hydration data through `{:?}`, a character at a time, and the names (quoted twice over)
/// were about 40% of a Calls page's data.
type ListWire = (String, Direction, String, String, String, CallStatus, Option<EndReason>, bool, i64, Option<i64>, Option<i64>, Option<Sentiment>, Option<bool>);

impl Serialize for CallListItem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            &self.id,
            self.direction,
            &self.from,
            &self.to,
            &self.agent_name,
            self.status,
            self.end_reason,
            self.is_test,
            self.created_at,
            self.started_at,
            self.duration_ms,
            self.sentiment,
            self.success,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CallListItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (id, direction, from, to, agent_name, status, end_reason, is_test, created_at, started_at, duration_ms, sentiment, success) = ListWire::deserialize(d)?;
        Ok(CallListItem {
            id,
            direction,
            from,
            to,
            agent_name,
            status,
            end_reason,
            is_test,
            created_at,
            started_at,
            duration_ms,
            sentiment,
            success,
        })
    }
}

impl CallListItem {
    /// The other party's number: who was called, or who called.
    pub fn other_number(&self) -> &str {
        match self.direction {
            Direction::Outbound => &self.to,
            Direction::Inbound => &self.from,
        }
    }
}

/// One page of the Calls list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallPageView {
    pub calls: Vec<CallListItem>,
    /// The cursor of the next (older) page, when there is one.
    pub next_cursor: Option<String>,
}

/// Everything the call detail page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallDetailView {
    pub call: CallView,
    pub events: Vec<CallEventView>,
    /// Every analysis version, newest first.
    pub analyses: Vec<CallAnalysisView>,
    /// Whether the caller may cancel the call and re-run its analysis (members and up).
    pub can_edit: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_travel_as_arrays_and_round_trip() {
        let item = CallListItem {
            id: "c1".into(),
            direction: Direction::Inbound,
            from: "+14155550100".into(),
            to: "+14155550101".into(),
            agent_name: "Ava \"A\"".into(),
            status: CallStatus::Completed,
            end_reason: Some(EndReason::UserHangup),
            is_test: true,
            created_at: 1,
            started_at: Some(2),
            duration_ms: None,
            sentiment: Some(Sentiment::Positive),
            success: Some(false),
        };
        let json = serde_json::to_string(&item).unwrap();
        assert_eq!(json, r#"["c1","inbound","+14155550100","+14155550101","Ava \"A\"","completed","user_hangup",true,1,2,null,"positive",false]"#);
        assert_eq!(serde_json::from_str::<CallListItem>(&json).unwrap(), item);
        assert!(serde_json::from_str::<CallListItem>(r#"["c1","inbound"]"#).is_err());
    }

    #[test]
    fn params_round_trip_without_empty_values() {
        let q = CallQuery::from_params(|k| match k {
            "status" => Some(" completed ".into()),
            "q" => Some("refund".into()),
            "cursor" => Some("abc".into()),
            _ => None,
        });
        assert_eq!(q.status, "completed");
        assert_eq!(q.pairs(), vec![("status", "completed"), ("q", "refund"), ("cursor", "abc")]);
        assert!(q.is_filtered());
        assert_eq!(q.first_page().cursor, "");
        assert!(!CallQuery { cursor: "x".into(), ..Default::default() }.is_filtered());
    }
}
