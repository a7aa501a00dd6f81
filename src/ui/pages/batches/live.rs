//! Live batch changes in the browser: one `EventSource` on `/batches/events` (fed by the
//! server's change feed), opened after hydration and closed with the page. Every change of a
//! batch or of one of its rows is announced with kind `batch`; the Webhooks settings follow kind
//! `webhook` (a delivery of the endpoint `id` changed) through the same endpoint.

use leptos::prelude::*;

/// A change of one batch; an empty `id` means "changes were missed: re-read everything".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchChange {
    pub id: String,
}

/// The latest change of the project's batches and a counter that moves with each one (tracked).
/// Nothing arrives during server rendering or without JavaScript.
#[derive(Clone, Copy)]
pub struct BatchFeed {
    pub latest: ReadSignal<BatchChange>,
    pub count: ReadSignal<u64>,
}

/// Subscribes to the project's batch changes for as long as the calling component lives.
pub fn use_batch_feed(project_id: String) -> BatchFeed {
    use_project_feed(project_id, "batch")
}

/// Subscribes to the project's changes of `kind` (`batch` or `webhook`); the change's `id` is
/// the batch, or the webhook endpoint.
pub fn use_project_feed(project_id: String, kind: &'static str) -> BatchFeed {
    let (latest, set_latest) = signal(BatchChange::default());
    let (count, set_count) = signal(0u64);
    #[cfg(feature = "hydrate")]
    subscribe(project_id, kind, set_latest, set_count);
    #[cfg(not(feature = "hydrate"))]
    let _ = (project_id, kind, set_latest, set_count);
    BatchFeed { latest, count }
}

/// Calls `refresh` at most once per `every` while `feed` announces changes that `wanted` accepts.
pub fn refresh_on_changes(feed: BatchFeed, every: std::time::Duration, wanted: impl Fn(&BatchChange) -> bool + 'static, refresh: impl Fn() + Clone + 'static) {
    let scheduled = StoredValue::new(false);
    Effect::new(move |prev: Option<u64>| {
        let n = feed.count.get();
        let ours = feed.latest.with_untracked(|c| c.id.is_empty() || wanted(c));
        if prev.is_some_and(|p| p != n) && ours && !scheduled.get_value() {
            scheduled.set_value(true);
            let refresh = refresh.clone();
            set_timeout(
                move || {
                    if scheduled.try_set_value(false).is_none() {
                        refresh();
                    }
                },
                every,
            );
        }
        n
    });
}

/// What had the keyboard focus before a live re-render, to give it back afterwards: a re-render
/// replaces the buttons and links, and a keyboard user would otherwise be thrown back to the top
/// of the page several times a second while a batch runs.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct FocusKeeper(StoredValue<(u64, Option<Focused>)>);

/// An element found again after a re-render: by its id, or a link by its address.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Focused {
    Id(String),
    Href(String),
}

impl FocusKeeper {
    pub fn new() -> Self {
        FocusKeeper(StoredValue::new((0, None)))
    }

    /// Notes the focused element: call just before a live refresh.
    pub fn remember(&self) {
        #[cfg(feature = "hydrate")]
        {
            let focused = document().active_element().and_then(|el| {
                let id = el.id();
                if !id.is_empty() {
                    return Some(Focused::Id(id));
                }
                if el.tag_name().eq_ignore_ascii_case("a") {
                    return el.get_attribute("href").map(Focused::Href);
                }
                None
            });
            let generation = self.0.with_value(|(g, _)| g + 1);
            self.0.set_value((generation, focused));
            // Only the re-render of this refresh restores it; later ones (after an action, say)
            // must not pull the focus back to this element.
            let keeper = self.0;
            set_timeout(
                move || {
                    if keeper.try_with_value(|(g, _)| *g == generation) == Some(true) {
                        keeper.set_value((generation, None));
                    }
                },
                std::time::Duration::from_secs(2),
            );
        }
    }

    /// Focuses the remembered element again when the focus was lost (it sits on the body): call
    /// whenever re-rendered data arrives. Runs after the DOM has been updated.
    pub fn restore(&self) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some((_, Some(focused))) = self.0.try_get_value() else { return };
            set_timeout(
                move || {
                    let doc = document();
                    let lost = doc.active_element().is_none_or(|e| e.tag_name().eq_ignore_ascii_case("body"));
                    if !lost {
                        return;
                    }
                    let el = match &focused {
                        Focused::Id(id) => doc.get_element_by_id(id),
                        Focused::Href(href) => {
                            let links = doc.get_elements_by_tag_name("a");
                            (0..links.length()).filter_map(|i| links.item(i)).find(|a| a.get_attribute("href").as_deref() == Some(href.as_str()))
                        }
                    };
                    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = el.focus();
                    }
                },
                std::time::Duration::from_millis(0),
            );
        }
    }
}

impl Default for FocusKeeper {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "hydrate")]
fn subscribe(project_id: String, kind: &'static str, set_latest: WriteSignal<BatchChange>, set_count: WriteSignal<u64>) {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;

    let url = format!("/batches/events?project_id={}&kind={kind}", crate::ui::util::encode_query_value(&project_id));
    let Ok(mut source) = EventSource::new(&url) else { return };
    let (Ok(changes), Ok(lagged)) = (source.subscribe(kind), source.subscribe("lagged")) else { return };
    let announce = move |change: BatchChange| {
        set_latest.set(change);
        set_count.update(|n| *n += 1);
    };
    leptos::task::spawn_local(async move {
        let mut events = futures::stream::select(changes, lagged);
        let mut broken = false;
        while let Some(item) = events.next().await {
            match item {
                Ok((event, msg)) if event == kind => {
                    let data = msg.data().as_string().unwrap_or_default();
                    let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
                    let id = v.get("id").and_then(|s| s.as_str()).unwrap_or_default().to_string();
                    if broken {
                        broken = false;
                        announce(BatchChange::default());
                    }
                    announce(BatchChange { id });
                }
                Ok(_) => announce(BatchChange::default()),
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
