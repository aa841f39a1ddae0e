//! Which WASM bundle a page loads, if any.
//!
//! A page that renders no island loads no JavaScript and no WASM. A page
//! with islands loads one bundle, built with only the islands of its group
//! of pages (BENCHMARKS.md, "Lean pages"): the landing page's eligibility
//! check, the citizen pages' live checks, camera and in-place updates, and
//! the staff console's live checks, QR scanner and in-place updates. All
//! citizen pages share one bundle, so moving between them downloads no WASM
//! again.
//!
//! Each island tells the page, as the server renders it, that it is there
//! (`rendered`); the shell then names the bundle after the body
//! (`choose`). Which island a bundle holds is decided by the app's cargo
//! features `islands-landing`, `islands-citizen` and `islands-staff`
//! (`Bundle::islands` lists the same, and a test ties the two).

/// An island: an interactive part that hydrates in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Island {
    Eligibility,
    LiveCheck,
    InPlace,
    Camera,
    QrScan,
}

/// A WASM bundle, named after the group of pages that loads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    Landing,
    Citizen,
    Staff,
}

impl Bundle {
    pub const ALL: [Bundle; 3] = [Bundle::Landing, Bundle::Citizen, Bundle::Staff];

    /// The bundle's name: its files are `/pkg/{name}.{hash}.js` and `.wasm`.
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Landing => "landing",
            Bundle::Citizen => "citizen",
            Bundle::Staff => "staff",
        }
    }

    /// The islands compiled into the bundle.
    pub fn islands(self) -> &'static [Island] {
        match self {
            Bundle::Landing => &[Island::Eligibility],
            Bundle::Citizen => &[Island::LiveCheck, Island::InPlace, Island::Camera],
            Bundle::Staff => &[Island::LiveCheck, Island::InPlace, Island::QrScan],
        }
    }
}

/// The bundle for a page with these islands: the staff console's on its
/// pages (`staff`), otherwise the first that holds them all. `None` when the
/// page has no island, or (a mistake a test would catch) no bundle holds
/// them all.
pub fn choose(islands: &[Island], staff: bool) -> Option<Bundle> {
    if islands.is_empty() {
        return None;
    }
    let holds = |b: &Bundle| islands.iter().all(|i| b.islands().contains(i));
    let preferred = if staff {
        Bundle::Staff
    } else {
        Bundle::Citizen
    };
    if holds(&preferred) {
        return Some(preferred);
    }
    Bundle::ALL.into_iter().find(holds)
}

#[cfg(feature = "ssr")]
pub use page::{PageIslands, rendered};
#[cfg(feature = "ssr")]
pub use scripts::{hydration_scripts, inline_scripts};

#[cfg(feature = "ssr")]
mod page {
    use super::Island;
    use leptos::prelude::*;
    use std::sync::{Arc, Mutex};

    /// The islands rendered so far on the page: provided by the shell.
    #[derive(Clone, Debug, Default)]
    pub struct PageIslands(Arc<Mutex<Vec<Island>>>);

    impl PageIslands {
        pub fn get(&self) -> Vec<Island> {
            self.0.lock().map(|v| v.clone()).unwrap_or_default()
        }
    }

    /// Called by each island as the server renders it.
    pub fn rendered(island: Island) {
        if let Some(page) = use_context::<PageIslands>()
            && let Ok(mut islands) = page.0.lock()
            && !islands.contains(&island)
        {
            islands.push(island);
        }
    }
}

#[cfg(feature = "ssr")]
mod scripts {
    use super::Bundle;
    use leptos::prelude::*;

    /// What Leptos's server integration appends to every page it renders
    /// (`hydration_context`'s pending data) when the page hands no resources
    /// and no errors to the browser, which no page here does.
    const LEPTOS_DATA: [&str; 2] = [
        "__RESOLVED_RESOURCES=[];__SERIALIZED_ERRORS=[];__PENDING_RESOURCES=[];__RESOURCE_RESOLVERS=[];",
        "__INCOMPLETE_CHUNKS=[];",
    ];

    /// The preload links and the loader of `bundle`, as the shell puts them
    /// after the body of a page with islands.
    pub fn hydration_scripts(options: &LeptosOptions, bundle: Bundle) -> impl IntoView + use<> {
        let mut options = options.clone();
        options.output_name = crate::assets::under(&options.site_root)
            .bundle_stem(bundle)
            .into();
        view! { <HydrationScripts options islands=true/> }
    }

    /// The text of every inline script a page can carry: each bundle's
    /// loader and Leptos's own two. The Content-Security-Policy allows
    /// exactly these, by their hashes, and no other inline script.
    pub fn inline_scripts(options: &LeptosOptions) -> Vec<String> {
        let mut scripts: Vec<String> = LEPTOS_DATA.iter().map(|s| s.to_string()).collect();
        for bundle in Bundle::ALL {
            let html = Owner::new().with(|| hydration_scripts(options, bundle).to_html());
            scripts.extend(script_text(&html));
        }
        scripts
    }

    /// The text inside the first `<script>` element of `html`.
    fn script_text(html: &str) -> Option<String> {
        let start = html.find("<script")?;
        let open_end = start + html[start..].find('>')? + 1;
        let close = open_end + html[open_end..].find("</script>")?;
        Some(html[open_end..close].to_string())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn each_bundle_has_its_loader_and_leptos_its_data() {
            let options = LeptosOptions::builder().output_name("usajili").build();
            let scripts = inline_scripts(&options);
            assert_eq!(scripts.len(), 5);
            assert_eq!(&scripts[..2], &LEPTOS_DATA[..]);
            let assets = crate::assets::under(&options.site_root);
            for (bundle, loader) in Bundle::ALL.into_iter().zip(&scripts[2..]) {
                let stem = assets.bundle_stem(bundle);
                assert!(
                    loader.contains(&format!("\"{stem}.js\""))
                        || loader.contains(&format!("\"{stem}\"")),
                    "{loader}"
                );
                assert!(loader.contains("hydrateIslands"), "{loader}");
                assert!(!loader.contains("</script"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_islands_loads_no_bundle() {
        assert_eq!(choose(&[], false), None);
        assert_eq!(choose(&[], true), None);
    }

    #[test]
    fn each_group_of_pages_gets_its_own_bundle() {
        assert_eq!(choose(&[Island::Eligibility], false), Some(Bundle::Landing));
        assert_eq!(
            choose(&[Island::LiveCheck, Island::Camera], false),
            Some(Bundle::Citizen)
        );
        assert_eq!(choose(&[Island::LiveCheck], true), Some(Bundle::Staff));
        assert_eq!(choose(&[Island::LiveCheck], false), Some(Bundle::Citizen));
        assert_eq!(choose(&[Island::QrScan], false), Some(Bundle::Staff));
        assert_eq!(choose(&[Island::Eligibility, Island::QrScan], false), None);
    }

    /// The cargo features that build each bundle compile in the islands
    /// `Bundle::islands` says it holds.
    #[test]
    fn the_bundle_features_match_the_list() {
        let manifest = include_str!("../Cargo.toml");
        for bundle in Bundle::ALL {
            let key = format!("islands-{} = [", bundle.name());
            let line = manifest
                .lines()
                .find(|l| l.starts_with(&key))
                .unwrap_or_else(|| panic!("no feature {key}"));
            let mut features: Vec<String> = line[key.len()..]
                .trim_end_matches(']')
                .split(',')
                .map(|f| f.trim().trim_matches('"').to_string())
                .filter(|f| !f.is_empty())
                .collect();
            features.sort();
            let mut expected: Vec<String> = bundle
                .islands()
                .iter()
                .map(|i| feature_of(*i).to_string())
                .collect();
            expected.sort();
            assert_eq!(features, expected, "{}", bundle.name());
        }
    }

    fn feature_of(island: Island) -> &'static str {
        match island {
            Island::Eligibility => "eligibility-island",
            Island::LiveCheck => "live-check-island",
            Island::InPlace => "in-place-island",
            Island::Camera => "camera-island",
            Island::QrScan => "scan-island",
        }
    }
}
