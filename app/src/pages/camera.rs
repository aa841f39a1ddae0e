//! "Take photo": the camera island on the photo task.
//!
//! The photo task is a server-rendered multipart form with a file input,
//! which works without JavaScript. This island only adds to it: once
//! hydrated, and only in a browser that offers `navigator.mediaDevices`, it
//! shows a "Take photo" button. That opens the front camera with a live
//! preview; "Capture" draws a frame to a canvas, makes it a JPEG named
//! `camera.jpg` and puts it in the form's file input (through a
//! `DataTransfer`), so the form uploads it as if it had been chosen by hand.
//! The server checks and re-encodes it like any other upload.
//!
//! Before hydration, on the server and without JavaScript, the island is an
//! empty container: nobody sees a button that cannot work. If the camera
//! cannot be used (permission refused, no camera) a message says so in a
//! polite live region and the upload is left as it was. The camera is
//! switched off after a capture, on cancel and when the island goes away.

use crate::i18n::*;
use leptos::prelude::*;

/// The island's words, in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraLabels {
    /// The button that opens the camera.
    pub take_photo: String,
    /// The button that takes the picture.
    pub capture: String,
    /// The button that opens the camera again once a photo was taken.
    pub retake: String,
    /// The button that closes the camera without taking a picture.
    pub cancel: String,
    /// The alternative text of the photo taken.
    pub preview_alt: String,
    /// Said when the camera cannot be used.
    pub unavailable: String,
    /// Said when a photo was taken and put in the form.
    pub captured: String,
}

impl CameraLabels {
    pub fn new(locale: Locale) -> CameraLabels {
        CameraLabels {
            take_photo: td_string!(locale, camera.take_photo).into(),
            capture: td_string!(locale, camera.capture).into(),
            retake: td_string!(locale, camera.retake).into(),
            cancel: td_string!(locale, camera.cancel).into(),
            preview_alt: td_string!(locale, camera.preview_alt).into(),
            unavailable: td_string!(locale, camera.unavailable).into(),
            captured: td_string!(locale, camera.captured).into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Phase {
    /// Before hydration, or a browser without a camera: nothing shows.
    Off,
    /// The start button: "Take photo", or "Retake" once a photo was taken.
    Idle,
    /// Waiting for the browser (and the person) to allow the camera.
    Starting,
    /// The camera's picture, with "Capture" and "Cancel".
    Live,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Off => "off",
            Phase::Idle => "idle",
            Phase::Starting => "starting",
            Phase::Live => "live",
        }
    }
}

/// What the live region says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Status {
    Quiet,
    Unavailable,
    Captured,
}

/// The island's state. All handles, so `Copy`; the camera's stream is kept
/// by the video element itself (`srcObject`).
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Ui {
    phase: RwSignal<Phase>,
    status: RwSignal<Status>,
    /// The object URL of the photo taken.
    preview: RwSignal<Option<String>>,
    video: NodeRef<leptos::html::Video>,
    start: NodeRef<leptos::html::Button>,
    capture: NodeRef<leptos::html::Button>,
}

// An island in the product; an ordinary component in the fully hydrated
// build that bench/hydration.sh measures against it. No props (nothing to
// serialise into the bundle): the words come from the page's language, read
// from `<html lang>` in the browser, and the input is the photo task's.
#[cfg_attr(all(feature = "islands", feature = "camera-island"), island)]
#[cfg_attr(not(all(feature = "islands", feature = "camera-island")), component)]
pub fn CameraCapture() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::Camera);
    let labels = CameraLabels::new(crate::context::use_locale());
    let input_id = crate::application::fields::PHOTO.to_string();
    let ui = Ui {
        phase: RwSignal::new(Phase::Off),
        status: RwSignal::new(Status::Quiet),
        preview: RwSignal::new(None),
        video: NodeRef::new(),
        start: NodeRef::new(),
        capture: NodeRef::new(),
    };

    // Effects run only in the browser, once the island has hydrated.
    #[cfg(feature = "hydrate")]
    {
        let input_id = input_id.clone();
        Effect::new(move |_| browser::attach(ui, &input_id));
        on_cleanup(move || browser::close(ui));
    }

    let CameraLabels {
        take_photo,
        capture,
        retake,
        cancel,
        preview_alt,
        unavailable,
        captured,
    } = labels;
    let phase = move || ui.phase.get();
    // Only whether the controls exist: the subtree (and its video element,
    // which holds the stream) is built once, not on every change of phase.
    let enabled = Memo::new(move |_| ui.phase.get() != Phase::Off);

    let controls = move || {
        enabled.get().then(|| {
            let (take_photo, retake) = (take_photo.clone(), retake.clone());
            let input_id = input_id.clone();
            view! {
                <div class="camera__preview" hidden=move || phase() == Phase::Live || ui.preview.with(Option::is_none)>
                    <img class="camera__photo" src=move || ui.preview.get() alt=preview_alt.clone() />
                </div>
                <video
                    class="camera__video"
                    node_ref=ui.video
                    autoplay
                    playsinline
                    muted
                    // The attribute alone does not mute an element made by script.
                    prop:muted=true
                    hidden=move || phase() != Phase::Live
                ></video>
                <div class="camera__actions">
                    <button
                        class="button button--secondary"
                        type="button"
                        node_ref=ui.start
                        hidden=move || !matches!(phase(), Phase::Idle | Phase::Starting)
                        aria-disabled=move || (phase() == Phase::Starting).then_some("true")
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::start(ui);
                        }
                    >
                        {move || if ui.preview.with(Option::is_some) { retake.clone() } else { take_photo.clone() }}
                    </button>
                    <button
                        class="button"
                        type="button"
                        node_ref=ui.capture
                        hidden=move || phase() != Phase::Live
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::capture(ui, &input_id);
                            #[cfg(not(feature = "hydrate"))]
                            let _ = &input_id;
                        }
                    >
                        {capture.clone()}
                    </button>
                    <button
                        class="button button--secondary"
                        type="button"
                        hidden=move || phase() != Phase::Live
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::cancel(ui);
                        }
                    >
                        {cancel.clone()}
                    </button>
                </div>
            }
        })
    };

    view! {
        <div class="camera" data-camera=move || ui.phase.get().name()>
            {controls}
            <p class="camera__status" role="status" aria-live="polite">
                {move || match ui.status.get() {
                    Status::Quiet => String::new(),
                    Status::Unavailable => unavailable.clone(),
                    Status::Captured => captured.clone(),
                }}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use super::{Phase, Status, Ui};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Blob, CanvasRenderingContext2d, DataTransfer, File, FilePropertyBag, HtmlCanvasElement,
        HtmlInputElement, MediaDevices, MediaStream, MediaStreamConstraints, MediaStreamTrack, Url,
    };

    /// The longest side of the picture sent. The server keeps at most
    /// 1200 px; a full 4K frame could pass the 2 MB upload limit.
    const MAX_CAPTURE_SIDE: u32 = 1600;
    const JPEG_QUALITY: f64 = 0.9;

    /// `navigator.mediaDevices.getUserMedia`, where the browser has it (only
    /// in secure contexts).
    pub(crate) fn media_devices() -> Option<MediaDevices> {
        let navigator = web_sys::window()?.navigator();
        let devices = js_sys::Reflect::get(&navigator, &JsValue::from_str("mediaDevices")).ok()?;
        if !devices.is_object() {
            return None;
        }
        js_sys::Reflect::has(&devices, &JsValue::from_str("getUserMedia"))
            .unwrap_or(false)
            .then(|| devices.unchecked_into())
    }

    fn file_input(id: &str) -> Option<HtmlInputElement> {
        web_sys::window()?
            .document()?
            .get_element_by_id(id)?
            .dyn_into()
            .ok()
    }

    /// Focuses a button once it is shown (after the next render).
    pub(crate) fn focus(button: NodeRef<leptos::html::Button>) {
        request_animation_frame(move || {
            if let Some(button) = button.try_get_untracked().flatten() {
                let _ = button.focus();
            }
        });
    }

    /// Shows the controls, if this browser can take a photo and hand it to
    /// the form.
    pub(super) fn attach(ui: Ui, input_id: &str) {
        // Without a camera API, or without a way to fill a file input
        // (`new DataTransfer()`), the upload stays as it is.
        let Some(input) = file_input(input_id) else {
            return;
        };
        if media_devices().is_none() || DataTransfer::new().is_err() {
            return;
        }
        ui.phase.set(Phase::Idle);
        // A file chosen by hand replaces the photo taken. (Filling the input
        // from here fires no `change` event.)
        let on_change = Closure::<dyn Fn()>::new(move || {
            if ui.preview.try_with_untracked(Option::is_some) == Some(true) {
                set_preview(ui, None);
                ui.status.try_set(Status::Quiet);
            }
        });
        let _ =
            input.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // The listener lives as long as the page.
        on_change.forget();
    }

    pub(super) fn start(ui: Ui) {
        if ui.phase.get_untracked() != Phase::Idle {
            return;
        }
        let Some(devices) = media_devices() else {
            ui.status.set(Status::Unavailable);
            return;
        };
        ui.phase.set(Phase::Starting);
        ui.status.set(Status::Quiet);
        leptos::task::spawn_local(async move {
            let opened = open_camera(&devices, "user").await;
            // The island may have gone while the browser asked.
            let still_wanted = ui.phase.try_get_untracked() == Some(Phase::Starting);
            let video = ui.video.try_get_untracked().flatten();
            match (opened, video) {
                (Ok(stream), Some(video)) if still_wanted => {
                    video.set_src_object(Some(&stream));
                    ui.phase.set(Phase::Live);
                    focus(ui.capture);
                    // `autoplay` starts it in most browsers; this in the rest.
                    if let Ok(playing) = video.play() {
                        let _ = JsFuture::from(playing).await;
                    }
                }
                (Ok(stream), _) => stop_tracks(&stream),
                (Err(_), _) => {
                    // Refused, no camera, camera busy: the upload remains.
                    ui.phase.try_set(Phase::Idle);
                    ui.status.try_set(Status::Unavailable);
                }
            }
        });
    }

    /// Opens the camera facing `facing` (`user`, or `environment`: the back one).
    pub(crate) async fn open_camera(
        devices: &MediaDevices,
        facing: &str,
    ) -> Result<MediaStream, JsValue> {
        let video = js_sys::Object::new();
        js_sys::Reflect::set(
            &video,
            &JsValue::from_str("facingMode"),
            &JsValue::from_str(facing),
        )?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_video(&video);
        constraints.set_audio_bool(false);
        let stream = JsFuture::from(devices.get_user_media_with_constraints(&constraints)?).await?;
        stream.dyn_into()
    }

    pub(super) fn capture(ui: Ui, input_id: &str) {
        if ui.phase.get_untracked() != Phase::Live {
            return;
        }
        let Some(video) = ui.video.get_untracked() else {
            return;
        };
        let (width, height) = (video.video_width(), video.video_height());
        if width == 0 || height == 0 {
            // No frame yet: the camera is still starting.
            return;
        }
        let scale = (f64::from(MAX_CAPTURE_SIDE) / f64::from(width.max(height))).min(1.0);
        let (w, h) = (
            (f64::from(width) * scale).round(),
            (f64::from(height) * scale).round(),
        );
        let drawn = (|| {
            let canvas: HtmlCanvasElement = web_sys::window()?
                .document()?
                .create_element("canvas")
                .ok()?
                .dyn_into()
                .ok()?;
            canvas.set_width(w as u32);
            canvas.set_height(h as u32);
            let context: CanvasRenderingContext2d =
                canvas.get_context("2d").ok()??.dyn_into().ok()?;
            context
                .draw_image_with_html_video_element_and_dw_and_dh(&video, 0.0, 0.0, w, h)
                .ok()?;
            Some(canvas)
        })();
        // The frame is on the canvas: the camera can go off.
        stop(ui);
        ui.phase.set(Phase::Idle);
        let Some(canvas) = drawn else {
            return unavailable(ui);
        };

        let input_id = input_id.to_string();
        let on_blob = Closure::once_into_js(move |blob: JsValue| {
            if ui.phase.try_get_untracked().is_none() {
                return;
            }
            match blob
                .dyn_into::<Blob>()
                .ok()
                .and_then(|blob| hand_to_form(ui, &input_id, &blob))
            {
                Some(()) => {
                    ui.status.set(Status::Captured);
                    focus(ui.start);
                }
                None => unavailable(ui),
            }
        });
        if canvas
            .to_blob_with_type_and_encoder_options(
                on_blob.unchecked_ref(),
                "image/jpeg",
                &JsValue::from_f64(JPEG_QUALITY),
            )
            .is_err()
        {
            unavailable(ui);
        }
    }

    /// Puts the photo in the form's file input and shows it.
    fn hand_to_form(ui: Ui, input_id: &str, blob: &Blob) -> Option<()> {
        let options = FilePropertyBag::new();
        options.set_type("image/jpeg");
        let file = File::new_with_blob_sequence_and_options(
            &js_sys::Array::of1(blob),
            "camera.jpg",
            &options,
        )
        .ok()?;
        let transfer = DataTransfer::new().ok()?;
        transfer.items().add_with_file(&file).ok()?;
        file_input(input_id)?.set_files(Some(&transfer.files()?));
        set_preview(ui, Url::create_object_url_with_blob(&file).ok());
        Some(())
    }

    fn unavailable(ui: Ui) {
        ui.status.try_set(Status::Unavailable);
        focus(ui.start);
    }

    pub(super) fn cancel(ui: Ui) {
        stop(ui);
        ui.phase.set(Phase::Idle);
        focus(ui.start);
    }

    /// Replaces the photo shown, releasing the previous one's object URL.
    fn set_preview(ui: Ui, url: Option<String>) {
        if let Some(Some(old)) = ui.preview.try_get_untracked() {
            let _ = Url::revoke_object_url(&old);
        }
        ui.preview.try_set(url);
    }

    /// Switches the camera off.
    fn stop(ui: Ui) {
        if let Some(video) = ui.video.try_get_untracked().flatten() {
            if let Some(stream) = video.src_object() {
                stop_tracks(&stream);
            }
            video.set_src_object(None);
        }
    }

    pub(crate) fn stop_tracks(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    }

    /// When the island goes away: camera off, object URL released.
    pub(super) fn close(ui: Ui) {
        stop(ui);
        set_preview(ui, None);
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_server_renders_an_empty_container() {
        let owner = Owner::new();
        owner.set();
        let html = view! { <CameraCapture/> }.to_html();
        assert!(html.contains(r#"class="camera""#), "{html}");
        assert!(html.contains(r#"data-camera="off""#), "{html}");
        assert!(html.contains(r#"aria-live="polite""#), "{html}");
        // No control that could not work without JavaScript.
        assert!(
            !html.contains("<button") && !html.contains("<video") && !html.contains("<img"),
            "{html}"
        );
    }
}
