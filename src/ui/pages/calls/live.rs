//! Live call changes in the browser: one `EventSource` on `/api/v1/calls/stream` (fed by the
//! server's change feed, so there is no polling), opened after hydration and closed with the page.

use leptos::prelude::*;

/// A change of one call, as the stream announces it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallChange {
    /// The call that changed; empty when the stream reconnected or fell behind, which means
    /// "re-read everything".
    pub id: String,
    pub status: String,
}

/// The latest change of the project's calls and a counter that moves with each one (tracked).
/// Nothing ever arrives during server rendering or without JavaScript.
#[derive(Clone, Copy)]
pub struct CallFeed {
    pub latest: ReadSignal<CallChange>,
    pub count: ReadSignal<u64>,
}

/// Subscribes to the project's call changes for as long as the calling component lives.
pub fn use_call_feed(project_id: String) -> CallFeed {
    let (latest, set_latest) = signal(CallChange::default());
    let (count, set_count) = signal(0u64);
    #[cfg(feature = "hydrate")]
    subscribe(project_id, set_latest, set_count);
    #[cfg(not(feature = "hydrate"))]
    let _ = (project_id, set_latest, set_count);
    CallFeed { latest, count }
}

#[cfg(feature = "hydrate")]
fn subscribe(project_id: String, set_latest: WriteSignal<CallChange>, set_count: WriteSignal<u64>) {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;

    let url = format!("/api/v1/calls/stream?project_id={}", crate::ui::util::encode_query_value(&project_id));
    let Ok(mut source) = EventSource::new(&url) else { return };
    let (Ok(calls), Ok(lagged)) = (source.subscribe("call"), source.subscribe("lagged")) else { return };
    let announce = move |change: CallChange| {
        set_latest.set(change);
        set_count.update(|n| *n += 1);
    };
    leptos::task::spawn_local(async move {
        let mut events = futures::stream::select(calls, lagged);
        let mut broken = false;
        while let Some(item) = events.next().await {
            match item {
                Ok((kind, msg)) if kind == "call" => {
                    let data = msg.data().as_string().unwrap_or_default();
                    let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
                    let field = |k: &str| v.get(k).and_then(|s| s.as_str()).unwrap_or_default().to_string();
                    if broken {
                        // Changes made while the connection was down were missed.
                        broken = false;
                        announce(CallChange::default());
                    }
                    announce(CallChange { id: field("id"), status: field("status") });
                }
                Ok(_) => announce(CallChange::default()),
                // The browser reconnects by itself; what happened meanwhile must be re-read.
                Err(_) => broken = true,
            }
        }
    });
    let source = StoredValue::new_local(Some(source));
    on_cleanup(move || {
        if let Some(s) = source.try_update_value(|s| s.take()).flatten() {
            s.close();
        }
    });
}
