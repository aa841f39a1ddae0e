//! The HTML document every page lives in, and the router.

use crate::components::layout::{Footer, Header};
#[cfg(feature = "ssr")]
use crate::context::SignedIn;
use crate::context::use_locale;
use crate::i18n::Locale;
use crate::language;
use crate::pages::{
    account::DeleteAccountPage,
    applications::{ApplicationPage, ApplicationsPage, StepPage},
    booking::{AcknowledgementPage, CancelPage, DayPage, FinderPage},
    children::{
        AddChildPage, AlreadyRegisteredPage, ChildConsentPage, ChildPage, GuardianshipPage,
        IdentityPage, WithdrawPage,
    },
    home::HomePage,
    not_found::NotFound,
    privacy::PrivacyPage,
    sign_in::{CodePage, SignInPage},
    staff::{
        StaffAccountsPage, StaffCodePage, StaffEnrolPage, StaffPasswordPage, StaffRefusedPage,
        StaffSignInPage,
        capacity::CapacityPage,
        cards::CardsReadyPage,
        dashboard::DashboardPage,
        desk::{RecordPage, TodayPage},
        identities::IdentitiesPage,
        outbox::OutboxPage,
        review::{AuditPage, ReviewPage, ReviewsPage},
    },
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// Rendered on the server only, once per request.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = request_locale();
    provide_context(locale);
    // Leptos's server integration gives each response a random nonce for
    // its scripts. The policy allows our scripts by their hashes instead
    // (the server's `http/security.rs`), so the nonce is left empty: a page
    // is then the same for everyone (`http/page_cache.rs`), and no attribute
    // looks like a secret that is not one. (The bundle's preload links take
    // the same value as `crossorigin`, where empty means `anonymous`, as the
    // module and WASM fetches are made.)
    #[cfg(feature = "ssr")]
    provide_context(leptos::nonce::Nonce::from_value(""));
    #[cfg(feature = "ssr")]
    if let Some(signed_in) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<SignedIn>().copied())
    {
        provide_context(signed_in);
    }
    #[cfg(feature = "ssr")]
    provide_context(crate::bundles::PageIslands::default());
    let stylesheet = stylesheet(&options);
    // Fully hydrated (only bench/hydration.sh builds it): every page loads
    // the one bundle, from the head.
    let full_hydration =
        (!cfg!(feature = "islands")).then(|| view! { <HydrationScripts options=options.clone()/> });
    view! {
        <!DOCTYPE html>
        <html lang=language::code(locale)>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                {full_hydration}
                <link rel="stylesheet" href=stylesheet/>
                <link rel="icon" href="/favicon.ico" sizes="32x32"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/icon-192.png"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <meta name="theme-color" content="#004d00"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                {island_scripts(options)}
            </body>
        </html>
    }
}

/// The hydration script of the page's bundle, after the body: by then every
/// island on the page has been rendered and has said so
/// (`bundles::rendered`). A page without an island loads no JavaScript and
/// no WASM. The script waits for the browser to be idle anyway, so being at
/// the end delays nothing.
#[cfg(feature = "ssr")]
fn island_scripts(options: LeptosOptions) -> impl IntoView {
    use crate::bundles;
    let page_islands = use_context::<bundles::PageIslands>().unwrap_or_default();
    let staff = use_context::<http::request::Parts>()
        .is_some_and(|p| p.uri.path() == "/staff" || p.uri.path().starts_with("/staff/"));
    move || {
        let bundle = bundles::choose(&page_islands.get(), staff)?;
        Some(bundles::hydration_scripts(&options, bundle))
    }
}

#[cfg(not(feature = "ssr"))]
fn island_scripts(_options: LeptosOptions) -> impl IntoView {}

#[cfg(feature = "ssr")]
fn stylesheet(options: &LeptosOptions) -> String {
    crate::assets::under(&options.site_root).css_href()
}

#[cfg(not(feature = "ssr"))]
fn stylesheet(_options: &LeptosOptions) -> String {
    "/pkg/usajili.css".to_string()
}

#[cfg(feature = "ssr")]
fn request_locale() -> Locale {
    use_context::<http::request::Parts>()
        .map(|parts| language::from_headers(&parts.headers))
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn request_locale() -> Locale {
    Locale::default()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = use_locale();
    view! {
        <Router>
            <Header locale/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("/privacy") view=PrivacyPage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/sign-in/code") view=CodePage/>
                    <Route path=path!("/applications") view=ApplicationsPage/>
                    <Route path=path!("/account/delete") view=DeleteAccountPage/>
                    <Route path=path!("/identity") view=IdentityPage/>
                    <Route path=path!("/children/new") view=AddChildPage/>
                    <Route path=path!("/children/:id") view=ChildPage/>
                    <Route path=path!("/children/:id/join") view=AlreadyRegisteredPage/>
                    <Route path=path!("/children/:id/guardianship") view=GuardianshipPage/>
                    <Route path=path!("/children/:id/consent") view=ChildConsentPage/>
                    <Route path=path!("/children/:id/withdraw") view=WithdrawPage/>
                    <Route path=path!("/applications/:id") view=ApplicationPage/>
                    // Before `:step`, so that `booking` is not taken for a step.
                    <Route path=path!("/applications/:id/booking") view=AcknowledgementPage/>
                    <Route path=path!("/applications/:id/booking/cancel") view=CancelPage/>
                    <Route path=path!("/applications/:id/booking/centres") view=FinderPage/>
                    <Route path=path!("/applications/:id/booking/centres/:centre") view=DayPage/>
                    <Route path=path!("/applications/:id/:step") view=StepPage/>
                    <Route path=path!("/staff") view=TodayPage/>
                    <Route path=path!("/staff/sign-in") view=StaffSignInPage/>
                    <Route path=path!("/staff/sign-in/code") view=StaffCodePage/>
                    <Route path=path!("/staff/enrol") view=StaffEnrolPage/>
                    <Route path=path!("/staff/refused") view=StaffRefusedPage/>
                    <Route path=path!("/staff/bookings/:id") view=RecordPage/>
                    <Route path=path!("/staff/reviews") view=ReviewsPage/>
                    <Route path=path!("/staff/identities") view=IdentitiesPage/>
                    <Route path=path!("/staff/reviews/:id") view=ReviewPage/>
                    <Route path=path!("/staff/audit") view=AuditPage/>
                    <Route path=path!("/staff/cards-ready") view=CardsReadyPage/>
                    <Route path=path!("/staff/capacity") view=CapacityPage/>
                    <Route path=path!("/staff/dashboard") view=DashboardPage/>
                    <Route path=path!("/staff/outbox") view=OutboxPage/>
                    <Route path=path!("/staff/accounts") view=StaffAccountsPage/>
                    <Route path=path!("/staff/password") view=StaffPasswordPage/>
                </Routes>
            </main>
            <Footer locale/>
        </Router>
    }
}
