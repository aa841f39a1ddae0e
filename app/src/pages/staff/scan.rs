//! "Scan the QR code": check-in by the acknowledgement's QR code.
//!
//! The check-in form is a plain form with a reference field, which works
//! without JavaScript. Once hydrated, and only in a browser with a camera
//! and the Barcode Detection API (`BarcodeDetector`, Chrome on Android among
//! others), this island adds a "Scan the QR code" button. It opens the back
//! camera; every quarter second the detector looks at the picture, and the
//! first QR code read goes into the reference field and the form is sent,
//! exactly as if the officer had typed it. The server checks it the same way.
//!
//! Elsewhere (no camera, no detector, permission refused) nothing shows, or
//! a polite live region says the camera cannot be used, and typing remains.
//! The camera is switched off once a code is read, on "Stop" and when the
//! island goes away.

use crate::i18n::*;
use leptos::prelude::*;

/// The input the code goes into: the check-in form's reference field.
pub const INPUT: &str = "reference";

/// The island's words, in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanLabels {
    pub scan: String,
    pub stop: String,
    /// The video's accessible name.
    pub viewfinder: String,
    pub unavailable: String,
    /// Said when a code was read (the form is being sent).
    pub read: String,
}

impl ScanLabels {
    pub fn new(locale: Locale) -> ScanLabels {
        ScanLabels {
            scan: td_string!(locale, staff.scan_button).to_string(),
            stop: td_string!(locale, staff.scan_stop).to_string(),
            viewfinder: td_string!(locale, staff.scan_viewfinder).to_string(),
            unavailable: td_string!(locale, staff.scan_unavailable).to_string(),
            read: td_string!(locale, staff.scan_read).to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Phase {
    /// Before hydration, or a browser that cannot scan: nothing shows.
    Off,
    Idle,
    Starting,
    Scanning,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Off => "off",
            Phase::Idle => "idle",
            Phase::Starting => "starting",
            Phase::Scanning => "scanning",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Status {
    Quiet,
    Unavailable,
    Read,
}

#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Ui {
    phase: RwSignal<Phase>,
    status: RwSignal<Status>,
    video: NodeRef<leptos::html::Video>,
    start: NodeRef<leptos::html::Button>,
    stop: NodeRef<leptos::html::Button>,
}

#[cfg_attr(all(feature = "islands", feature = "scan-island"), island)]
#[cfg_attr(not(all(feature = "islands", feature = "scan-island")), component)]
pub fn QrScan() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::QrScan);
    // No props (nothing to serialise into the bundle): the words come from
    // the page's language, read from `<html lang>` in the browser.
    let labels = ScanLabels::new(crate::context::use_locale());
    let input_id = INPUT.to_string();
    let ui = Ui {
        phase: RwSignal::new(Phase::Off),
        status: RwSignal::new(Status::Quiet),
        video: NodeRef::new(),
        start: NodeRef::new(),
        stop: NodeRef::new(),
    };
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| browser::attach(ui));
        on_cleanup(move || browser::stop(ui));
    }
    let ScanLabels {
        scan,
        stop,
        viewfinder,
        unavailable,
        read,
    } = labels;
    let phase = move || ui.phase.get();
    let enabled = Memo::new(move |_| ui.phase.get() != Phase::Off);
    let controls = move || {
        enabled.get().then(|| {
            let input_id = input_id.clone();
            view! {
                <video class="camera__video scan__video" node_ref=ui.video autoplay playsinline muted prop:muted=true
                    aria-label=viewfinder.clone() hidden=move || phase() != Phase::Scanning></video>
                <div class="camera__actions">
                    <button class="button button--secondary" type="button" node_ref=ui.start
                        hidden=move || !matches!(phase(), Phase::Idle | Phase::Starting)
                        aria-disabled=move || (phase() == Phase::Starting).then_some("true")
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::start(ui, input_id.clone());
                            #[cfg(not(feature = "hydrate"))]
                            let _ = &input_id;
                        }>
                        {scan.clone()}
                    </button>
                    <button class="button button--secondary" type="button" node_ref=ui.stop
                        hidden=move || phase() != Phase::Scanning
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::cancel(ui);
                        }>
                        {stop.clone()}
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="camera scan" data-scan=move || ui.phase.get().name()>
            {controls}
            <p class="camera__status" role="status" aria-live="polite">
                {move || match ui.status.get() {
                    Status::Quiet => String::new(),
                    Status::Unavailable => unavailable.clone(),
                    Status::Read => read.clone(),
                }}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Phase, Status, Ui};
    use crate::pages::camera::browser::{media_devices, open_camera, stop_tracks};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::HtmlInputElement;

    /// How often the picture is looked at for a code.
    const EVERY_MS: u32 = 250;

    /// Focuses a button once it is shown (after the next render).
    fn focus(button: NodeRef<leptos::html::Button>) {
        request_animation_frame(move || {
            if let Some(button) = button.try_get_untracked().flatten() {
                let _ = button.focus();
            }
        });
    }

    /// `new BarcodeDetector({ formats: ["qr_code"] })`, where the browser has it.
    fn detector() -> Option<js_sys::Object> {
        let window = web_sys::window()?;
        let constructor =
            js_sys::Reflect::get(&window, &JsValue::from_str("BarcodeDetector")).ok()?;
        let constructor: js_sys::Function = constructor.dyn_into().ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(
            &options,
            &JsValue::from_str("formats"),
            &js_sys::Array::of1(&JsValue::from_str("qr_code")),
        )
        .ok()?;
        js_sys::Reflect::construct(&constructor, &js_sys::Array::of1(&options))
            .ok()?
            .dyn_into()
            .ok()
    }

    /// The first code's text in the picture, if any.
    async fn read(detector: &js_sys::Object, video: &web_sys::HtmlVideoElement) -> Option<String> {
        let detect: js_sys::Function = js_sys::Reflect::get(detector, &JsValue::from_str("detect"))
            .ok()?
            .dyn_into()
            .ok()?;
        let promise: js_sys::Promise = detect.call1(detector, video).ok()?.dyn_into().ok()?;
        let found: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
        let first = found.get(0);
        if first.is_undefined() {
            return None;
        }
        js_sys::Reflect::get(&first, &JsValue::from_str("rawValue"))
            .ok()?
            .as_string()
            .filter(|s| !s.trim().is_empty())
    }

    pub fn attach(ui: Ui) {
        if media_devices().is_some() && detector().is_some() {
            ui.phase.set(Phase::Idle);
        }
    }

    pub fn start(ui: Ui, input_id: String) {
        if ui.phase.get_untracked() != Phase::Idle {
            return;
        }
        let (Some(devices), Some(detector)) = (media_devices(), detector()) else {
            ui.status.set(Status::Unavailable);
            return;
        };
        ui.phase.set(Phase::Starting);
        ui.status.set(Status::Quiet);
        leptos::task::spawn_local(async move {
            let opened = open_camera(&devices, "environment").await;
            let still_wanted = ui.phase.try_get_untracked() == Some(Phase::Starting);
            let video = ui.video.try_get_untracked().flatten();
            let (stream, video) = match (opened, video) {
                (Ok(stream), Some(video)) if still_wanted => (stream, video),
                (Ok(stream), _) => return stop_tracks(&stream),
                (Err(_), _) => {
                    ui.phase.try_set(Phase::Idle);
                    ui.status.try_set(Status::Unavailable);
                    return focus(ui.start);
                }
            };
            video.set_src_object(Some(&stream));
            ui.phase.set(Phase::Scanning);
            focus(ui.stop);
            if let Ok(playing) = video.play() {
                let _ = JsFuture::from(playing).await;
            }
            while ui.phase.try_get_untracked() == Some(Phase::Scanning) {
                if video.video_width() > 0 {
                    if let Some(text) = read(&detector, &video).await {
                        if ui.phase.try_get_untracked() == Some(Phase::Scanning) {
                            hand_to_form(ui, &input_id, &text);
                        }
                        break;
                    }
                }
                gloo_timers::future::TimeoutFuture::new(EVERY_MS).await;
            }
        });
    }

    /// Puts the code in the reference field and sends the form.
    fn hand_to_form(ui: Ui, input_id: &str, text: &str) {
        stop(ui);
        ui.phase.set(Phase::Idle);
        ui.status.set(Status::Read);
        let input: Option<HtmlInputElement> = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(input_id))
            .and_then(|e| e.dyn_into().ok());
        let Some(input) = input else { return };
        // The QR code holds the reference; keep it short whatever it holds.
        input.set_value(&text.trim().chars().take(40).collect::<String>());
        if let Some(form) = input.form() {
            if form.request_submit().is_err() {
                let _ = form.submit();
            }
        }
    }

    pub fn cancel(ui: Ui) {
        stop(ui);
        ui.phase.set(Phase::Idle);
        focus(ui.start);
    }

    /// Switches the camera off.
    pub fn stop(ui: Ui) {
        if let Some(video) = ui.video.try_get_untracked().flatten() {
            if let Some(stream) = video.src_object() {
                stop_tracks(&stream);
            }
            video.set_src_object(None);
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_server_renders_no_button_that_could_not_work() {
        let owner = Owner::new();
        owner.set();
        let html = view! { <QrScan/> }.to_html();
        assert!(html.contains(r#"data-scan="off""#), "{html}");
        assert!(
            !html.contains("<button") && !html.contains("<video"),
            "{html}"
        );
    }
}
