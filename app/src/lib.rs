//! Usajili's user interface: every page, rendered on the server, and the few
//! interactive islands that hydrate in the browser.
//!
//! Built with `ssr` as a library of the `usajili` server, and with
//! `hydrate` as the WASM bundles: one per group of pages (`bundles`), each
//! with only its own islands. Only `#[island]` components reach the
//! browser, which keeps the bundles small.
#![recursion_limit = "256"]

// leptos_i18n 0.6 prefers generating this module from a build script, but
// its build crate pulls in ICU's data-source tooling (with networking) for
// features we do not use; the macro reads the same locale files.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

pub mod application;
#[cfg(feature = "ssr")]
pub mod assets;
pub mod bundles;
pub mod calendar;
pub mod capacity;
pub mod codes;
pub mod components;
pub mod context;
pub mod dates;
pub mod forms;
pub mod identifiers;
pub mod language;
pub mod pages;
pub mod shell;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "islands")]
    leptos::mount::hydrate_islands();
    #[cfg(not(feature = "islands"))]
    leptos::mount::hydrate_body(shell::App);
}
