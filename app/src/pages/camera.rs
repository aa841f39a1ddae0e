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
//! The server renders the controls inside a `hidden` container, with every
//! text the browser may need: before hydration, and without JavaScript or a
//! camera, nobody sees a button that cannot work. The island has no props
//! and no reactive view (so the citizen pages' bundle carries no reactive
//! runtime for it): in the browser it shows the controls and moves between
//! phases by setting attributes with web-sys. If the camera cannot be used
//! (permission refused, no camera) a message says so in a polite live
//! region and the upload is left as it was. The camera is switched off
//! after a capture, on cancel and when the page is left.

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

/// The photo task's camera: the controls, hidden until the island shows
/// them, and the live region.
#[component]
pub fn CameraCapture() -> impl IntoView {
    let CameraLabels {
        take_photo,
        capture,
        retake,
        cancel,
        preview_alt,
        unavailable,
        captured,
    } = CameraLabels::new(crate::context::use_locale());
    let take_words = take_photo.clone();
    view! {
        <div
            class="camera"
            data-camera="off"
            data-take=take_words
            data-retake=retake
            data-preview-alt=preview_alt
            data-unavailable=unavailable
            data-captured=captured
        >
            <div class="camera__controls" hidden>
                <div class="camera__preview" hidden></div>
                <video class="camera__video" autoplay playsinline muted hidden></video>
                <div class="camera__actions">
                    <button class="button button--secondary" type="button" data-action="start">
                        {take_photo}
                    </button>
                    <button class="button" type="button" data-action="capture" hidden>
                        {capture}
                    </button>
                    <button class="button button--secondary" type="button" data-action="cancel" hidden>
                        {cancel}
                    </button>
                </div>
            </div>
            <p class="camera__status" role="status" aria-live="polite"></p>
            <CameraControls/>
        </div>
    }
}

// An island in the product; an ordinary component in the fully hydrated
// build that bench/hydration.sh measures against it. No props and no view:
// what it needs is in the markup above.
#[cfg_attr(all(feature = "islands", feature = "camera-island"), island)]
#[cfg_attr(not(all(feature = "islands", feature = "camera-island")), component)]
pub fn CameraControls() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::bundles::rendered(crate::bundles::Island::Camera);
    #[cfg(feature = "hydrate")]
    browser::attach(crate::application::fields::PHOTO);
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Blob, CanvasRenderingContext2d, DataTransfer, Document, File, FilePropertyBag,
        HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlVideoElement, MediaDevices,
        MediaStream, MediaStreamConstraints, MediaStreamTrack, Url,
    };

    /// The longest side of the picture sent. The server keeps at most
    /// 1200 px; a full 4K frame could pass the 2 MB upload limit.
    const MAX_CAPTURE_SIDE: u32 = 1600;
    const JPEG_QUALITY: f64 = 0.9;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Phase {
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
                Phase::Idle => "idle",
                Phase::Starting => "starting",
                Phase::Live => "live",
            }
        }
    }

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

    pub(crate) fn stop_tracks(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    }

    fn find<T: JsCast>(root: &HtmlElement, selector: &str) -> Option<T> {
        root.query_selector(selector).ok()??.dyn_into().ok()
    }

    /// The island's elements and state.
    struct Camera {
        document: Document,
        root: HtmlElement,
        controls: HtmlElement,
        preview: HtmlElement,
        video: HtmlVideoElement,
        start: HtmlElement,
        capture: HtmlElement,
        cancel: HtmlElement,
        status: HtmlElement,
        input: HtmlInputElement,
        phase: Cell<Phase>,
        /// The object URL of the photo taken.
        photo: RefCell<Option<String>>,
    }

    impl Camera {
        fn find(document: Document, input_id: &str) -> Option<Camera> {
            let root: HtmlElement = document.query_selector(".camera").ok()??.dyn_into().ok()?;
            let input = document.get_element_by_id(input_id)?.dyn_into().ok()?;
            Some(Camera {
                controls: find(&root, ".camera__controls")?,
                preview: find(&root, ".camera__preview")?,
                video: find(&root, "video")?,
                start: find(&root, "[data-action=start]")?,
                capture: find(&root, "[data-action=capture]")?,
                cancel: find(&root, "[data-action=cancel]")?,
                status: find(&root, ".camera__status")?,
                input,
                document,
                root,
                phase: Cell::new(Phase::Idle),
                photo: RefCell::new(None),
            })
        }

        fn text(&self, name: &str) -> String {
            self.root.get_attribute(name).unwrap_or_default()
        }

        /// Shows `phase`: each control, the picture or the photo, and the
        /// start button's words.
        fn show(&self, phase: Phase) {
            self.phase.set(phase);
            let _ = self.root.set_attribute("data-camera", phase.name());
            let live = phase == Phase::Live;
            let has_photo = self.photo.borrow().is_some();
            self.controls.set_hidden(false);
            self.video.set_hidden(!live);
            self.preview.set_hidden(live || !has_photo);
            self.start.set_hidden(live);
            self.capture.set_hidden(!live);
            self.cancel.set_hidden(!live);
            if phase == Phase::Starting {
                let _ = self.start.set_attribute("aria-disabled", "true");
            } else {
                let _ = self.start.remove_attribute("aria-disabled");
            }
            let words = self.text(if has_photo {
                "data-retake"
            } else {
                "data-take"
            });
            self.start.set_text_content(Some(&words));
        }

        /// Says `key`'s text (`data-unavailable`, `data-captured`), or nothing.
        fn say(&self, key: Option<&str>) {
            let text = key.map(|k| self.text(k)).unwrap_or_default();
            self.status.set_text_content(Some(&text));
        }

        /// Replaces the photo shown, releasing the previous one's object URL.
        fn set_photo(&self, url: Option<String>) {
            if let Some(old) = self.photo.replace(url.clone()) {
                let _ = Url::revoke_object_url(&old);
            }
            while let Some(child) = self.preview.first_child() {
                let _ = self.preview.remove_child(&child);
            }
            if let Some(url) = url
                && let Ok(img) = self.document.create_element("img")
            {
                let _ = img.set_attribute("class", "camera__photo");
                let _ = img.set_attribute("src", &url);
                let _ = img.set_attribute("alt", &self.text("data-preview-alt"));
                let _ = self.preview.append_child(&img);
            }
        }

        /// Switches the camera off.
        fn stop(&self) {
            if let Some(stream) = self.video.src_object() {
                stop_tracks(&stream);
            }
            self.video.set_src_object(None);
        }

        fn unavailable(&self) {
            self.say(Some("data-unavailable"));
            let _ = self.start.focus();
        }
    }

    /// Shows the controls, if this browser can take a photo and hand it to
    /// the form, and listens to them.
    pub fn attach(input_id: &str) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        // Without a camera API, or without a way to fill a file input
        // (`new DataTransfer()`), the upload stays as it is.
        if media_devices().is_none() || DataTransfer::new().is_err() {
            return;
        }
        let Some(camera) = Camera::find(document, input_id) else {
            return;
        };
        let camera = Rc::new(camera);
        camera.show(Phase::Idle);
        let listen = |target: &web_sys::EventTarget, event: &str, act: fn(&Rc<Camera>)| {
            let camera = camera.clone();
            let closure = Closure::<dyn Fn()>::new(move || act(&camera));
            let _ =
                target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
            // The listeners live as long as the page.
            closure.forget();
        };
        listen(&camera.start, "click", start);
        listen(&camera.capture, "click", capture);
        listen(&camera.cancel, "click", cancel);
        // A file chosen by hand replaces the photo taken. (Filling the input
        // from here fires no `change` event.)
        listen(&camera.input, "change", chosen_by_hand);
        if let Some(window) = web_sys::window() {
            listen(&window, "pagehide", |camera| camera.stop());
        }
    }

    fn chosen_by_hand(camera: &Rc<Camera>) {
        if camera.photo.borrow().is_some() {
            camera.set_photo(None);
            camera.say(None);
            camera.show(camera.phase.get());
        }
    }

    fn start(camera: &Rc<Camera>) {
        if camera.phase.get() != Phase::Idle {
            return;
        }
        let Some(devices) = media_devices() else {
            return camera.unavailable();
        };
        camera.show(Phase::Starting);
        camera.say(None);
        let camera = camera.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match open_camera(&devices, "user").await {
                Ok(stream) if camera.phase.get() == Phase::Starting => {
                    camera.video.set_src_object(Some(&stream));
                    camera.show(Phase::Live);
                    let _ = camera.capture.focus();
                    // `autoplay` starts it in most browsers; this in the rest.
                    if let Ok(playing) = camera.video.play() {
                        let _ = JsFuture::from(playing).await;
                    }
                }
                Ok(stream) => stop_tracks(&stream),
                Err(_) => {
                    // Refused, no camera, camera busy: the upload remains.
                    camera.show(Phase::Idle);
                    camera.unavailable();
                }
            }
        });
    }

    fn capture(camera: &Rc<Camera>) {
        if camera.phase.get() != Phase::Live {
            return;
        }
        let (width, height) = (camera.video.video_width(), camera.video.video_height());
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
            let canvas: HtmlCanvasElement = camera
                .document
                .create_element("canvas")
                .ok()?
                .dyn_into()
                .ok()?;
            canvas.set_width(w as u32);
            canvas.set_height(h as u32);
            let context: CanvasRenderingContext2d =
                canvas.get_context("2d").ok()??.dyn_into().ok()?;
            context
                .draw_image_with_html_video_element_and_dw_and_dh(&camera.video, 0.0, 0.0, w, h)
                .ok()?;
            Some(canvas)
        })();
        // The frame is on the canvas: the camera can go off.
        camera.stop();
        camera.show(Phase::Idle);
        let Some(canvas) = drawn else {
            return camera.unavailable();
        };
        let on_blob = {
            let camera = camera.clone();
            Closure::once_into_js(move |blob: JsValue| {
                match blob
                    .dyn_into::<Blob>()
                    .ok()
                    .and_then(|blob| hand_to_form(&camera, &blob))
                {
                    Some(()) => {
                        camera.show(Phase::Idle);
                        camera.say(Some("data-captured"));
                        let _ = camera.start.focus();
                    }
                    None => camera.unavailable(),
                }
            })
        };
        if canvas
            .to_blob_with_type_and_encoder_options(
                on_blob.unchecked_ref(),
                "image/jpeg",
                &JsValue::from_f64(JPEG_QUALITY),
            )
            .is_err()
        {
            camera.unavailable();
        }
    }

    /// Puts the photo in the form's file input and shows it.
    fn hand_to_form(camera: &Camera, blob: &Blob) -> Option<()> {
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
        camera.input.set_files(Some(&transfer.files()?));
        camera.set_photo(Url::create_object_url_with_blob(&file).ok());
        Some(())
    }

    fn cancel(camera: &Rc<Camera>) {
        camera.stop();
        camera.show(Phase::Idle);
        let _ = camera.start.focus();
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_server_renders_the_controls_hidden_with_their_words() {
        let owner = Owner::new();
        owner.set();
        let html = view! { <CameraCapture/> }.to_html();
        assert!(html.contains(r#"data-camera="off""#), "{html}");
        assert!(html.contains(r#"aria-live="polite""#), "{html}");
        // No control shows, or can be reached, without JavaScript: every
        // button is inside the hidden container.
        let at = html.find("camera__controls").expect("the controls");
        let tag_start = html[..at].rfind('<').expect("its tag");
        let tag = &html[tag_start..at + html[at..].find('>').expect("its tag's end")];
        assert!(tag.contains("hidden"), "{tag}");
        assert!(
            tag_start < html.find("<button").expect("the buttons"),
            "{html}"
        );
        // The island needs no props: every word is in the markup.
        let labels = CameraLabels::new(Locale::en);
        for text in [
            &labels.take_photo,
            &labels.retake,
            &labels.unavailable,
            &labels.captured,
        ] {
            assert!(html.contains(text.as_str()), "{text}: {html}");
        }
    }
}
