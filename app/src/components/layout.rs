//! The header and footer landmarks around every page.

use crate::i18n::*;
use crate::language;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Header(locale: Locale) -> impl IntoView {
    let location = use_location();
    let staff = is_staff_path(&location.pathname.get_untracked());
    let other = language::other(locale);
    // Plain link: switching language works without JavaScript, and the
    // server sends the person back to the page they were on.
    let switch_href = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        let mut here = location.pathname.get();
        if !search.is_empty() {
            here.push('?');
            here.push_str(search);
        }
        format!(
            "/language/{}?return={}",
            language::code(other),
            language::encode_query_value(&here)
        )
    };
    view! {
        <a class="skip-link" href="#main">{td!(locale, site.skip_to_content)}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__name" href="/">
                    {td!(locale, site.name)}
                    <span class="site-header__tagline">{td!(locale, site.tagline)}</span>
                </a>
                // The console has its own sign-in and bar: no citizen's links there.
                {(!staff).then(|| account_links(locale))}
                <nav class="site-header__language" aria-label=td_string!(locale, site.language_label)>
                    <a
                        href=switch_href
                        hreflang=language::code(other)
                        lang=language::code(other)
                        title=td_string!(locale, site.switch_to_hint)
                        data-testid="language-switch"
                    >
                        {td!(locale, site.switch_to)}
                    </a>
                </nav>
            </div>
        </header>
    }
}

/// The staff console's pages, under `/staff`.
fn is_staff_path(path: &str) -> bool {
    path == "/staff" || path.starts_with("/staff/")
}

/// "Sign in", or "Your applications" and a sign-out button (a form, so that
/// signing out is a POST and works without JavaScript).
fn account_links(locale: Locale) -> AnyView {
    if crate::context::use_signed_in() {
        view! {
            <nav class="site-header__account" aria-label=td_string!(locale, site.your_applications)>
                <a href="/applications">{td!(locale, site.your_applications)}</a>
                <form method="post" action="/sign-out" class="inline-form">
                    <button class="link-button" type="submit" data-testid="sign-out">{td!(locale, site.sign_out)}</button>
                </form>
            </nav>
        }
        .into_any()
    } else {
        view! {
            <nav class="site-header__account" aria-label=td_string!(locale, site.sign_in)>
                <a href="/sign-in" data-testid="sign-in-link">{td!(locale, site.sign_in)}</a>
            </nav>
        }
        .into_any()
    }
}

#[component]
pub fn Footer(locale: Locale) -> impl IntoView {
    view! {
        <footer class="site-footer">
            <nav aria-label=td_string!(locale, site.name)>
                <ul class="site-footer__links">
                    <li><a href="/">{td!(locale, site.footer_home)}</a></li>
                    <li><a href="/privacy">{td!(locale, site.footer_privacy)}</a></li>
                </ul>
            </nav>
            <p class="site-footer__note">{td!(locale, site.footer_note)}</p>
        </footer>
    }
}

/// The page's `<title>`: its own title, then the site's name.
pub fn page_title(locale: Locale, title: &str) -> impl IntoView + use<> {
    view! { <leptos_meta::Title text=format!("{} – {}", title, td_string!(locale, site.name))/> }
}
