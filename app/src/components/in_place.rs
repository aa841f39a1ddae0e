//! Updates part of a page in place when a GET form changes, instead of
//! loading the whole page again: the centre finder's list when the county
//! changes, a centre's times when the day changes.
//!
//! An island that renders nothing. The form stays a real form whose
//! submission the server answers with the whole page; with JavaScript the
//! island sends the same request, takes the region with the same id out of
//! the answer, puts it in place of the current one and updates the address
//! (so Back and sharing work). If anything fails it falls back to a normal
//! submission. With `every` (seconds), it also fetches the region again on
//! that interval while the page is visible (the staff console's day list).

use leptos::prelude::*;

/// The header on the requests the island makes on its own (the refresh
/// every `every` seconds): the server does not count them as activity, so
/// a console left open still signs its member out when idle.
pub const AUTOMATIC: &str = "x-usajili-automatic";

/// Names the form and the region it updates, in a hidden marker the island
/// finds; `every` (seconds) also fetches the region again on that interval.
#[component]
pub fn InPlace(
    form: String,
    region: String,
    #[prop(optional)] every: Option<u32>,
) -> impl IntoView {
    view! {
        <span
            hidden
            data-in-place-form=form
            data-in-place-region=region
            data-in-place-every=every.map(|e| e.to_string())
        ></span>
        <InPlaceUpdates/>
    }
}

/// The island: no props (nothing to serialise into the bundle). Every copy
/// on a page does the same; the first to hydrate attaches every marker.
#[cfg_attr(all(feature = "islands", feature = "in-place-island"), island)]
#[cfg_attr(not(all(feature = "islands", feature = "in-place-island")), component)]
pub fn InPlaceUpdates() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::InPlace);
    #[cfg(feature = "hydrate")]
    browser::attach_all();
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DomParser, Event, FormData, Headers, HtmlElement, HtmlFormElement, RequestInit,
        Response, SupportedType, UrlSearchParams,
    };

    fn document() -> Option<Document> {
        web_sys::window()?.document()
    }

    /// The form's address with its current values, as a GET would send it.
    fn address(form: &HtmlFormElement) -> Option<String> {
        let data = FormData::new_with_form(form).ok()?;
        let query = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        let action = form.action();
        let base = action.split('?').next().unwrap_or(&action).to_string();
        Some(format!("{base}?{}", String::from(query.to_string())))
    }

    /// Fetches `url` and puts its `region` in place of the current one;
    /// `automatic` marks a request nobody asked for (see [`super::AUTOMATIC`]).
    async fn swap(url: &str, region: &str, automatic: bool) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let init = RequestInit::new();
        if automatic {
            let headers = Headers::new()?;
            headers.append(super::AUTOMATIC, "1")?;
            init.set_headers(&headers);
        }
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await?
            .dyn_into()?;
        if !response.ok() {
            return Err(JsValue::NULL);
        }
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .ok_or(JsValue::NULL)?;
        let fresh = DomParser::new()?.parse_from_string(&text, SupportedType::TextHtml)?;
        let new_region = fresh.get_element_by_id(region).ok_or(JsValue::NULL)?;
        let old_region = document()
            .and_then(|d| d.get_element_by_id(region))
            .ok_or(JsValue::NULL)?;
        old_region.set_inner_html(&new_region.inner_html());
        let _ = old_region.remove_attribute("aria-busy");
        window
            .history()?
            .replace_state_with_url(&JsValue::NULL, "", Some(url))?;
        Ok(())
    }

    fn refresh(form: HtmlFormElement, region: String) {
        let Some(url) = address(&form) else {
            let _ = form.submit();
            return;
        };
        if let Some(old) = document().and_then(|d| d.get_element_by_id(&region)) {
            let _ = old.set_attribute("aria-busy", "true");
        }
        wasm_bindgen_futures::spawn_local(async move {
            if swap(&url, &region, false).await.is_err() {
                let _ = form.submit();
            }
        });
    }

    /// Fetches the region again every `secs` seconds while the page is
    /// visible; a failed fetch waits for the next tick (no full reload).
    fn poll(form: HtmlFormElement, region: String, secs: u32) {
        gloo_timers::callback::Interval::new(secs.saturating_mul(1000), move || {
            let visible = document()
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if !visible {
                return;
            }
            if let Some(url) = address(&form) {
                let region = region.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = swap(&url, &region, true).await;
                });
            }
        })
        .forget();
    }

    /// Attaches every form a marker names, once.
    pub fn attach_all() {
        let Some(markers) = document().and_then(|d| {
            d.query_selector_all("[data-in-place-form]:not([data-in-place-on])")
                .ok()
        }) else {
            return;
        };
        for i in 0..markers.length() {
            let Some(marker) = markers
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let _ = marker.set_attribute("data-in-place-on", "true");
            let attribute = |name: &str| marker.get_attribute(name).unwrap_or_default();
            let every = attribute("data-in-place-every").parse().unwrap_or(0);
            attach(
                &attribute("data-in-place-form"),
                &attribute("data-in-place-region"),
                every,
            );
        }
    }

    fn attach(form_id: &str, region: &str, every: u32) {
        let Some(form) = document()
            .and_then(|d| d.get_element_by_id(form_id))
            .and_then(|e| e.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let on_submit = {
            let (form, region) = (form.clone(), region.to_string());
            Closure::<dyn Fn(Event)>::new(move |event: Event| {
                event.prevent_default();
                refresh(form.clone(), region.clone());
            })
        };
        let on_change = {
            let (form, region) = (form.clone(), region.to_string());
            Closure::<dyn Fn(Event)>::new(move |event: Event| {
                // A choice from a list applies at once; text waits for the button.
                let is_select = event
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlElement>().ok())
                    .is_some_and(|e| e.tag_name() == "SELECT");
                if is_select {
                    refresh(form.clone(), region.clone());
                }
            })
        };
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        let _ = form.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_submit.forget();
        on_change.forget();
        if every > 0 {
            poll(form.clone(), region.to_string(), every);
        }
        // Tells tests (and stylesheets) that the form now updates in place.
        let _ = form.set_attribute("data-in-place", "on");
    }
}
