//! The names of the compiled assets under `/pkg`: the stylesheet and each
//! WASM bundle, with a hash of their content in the name (written by
//! `scripts/bundles.sh` to `pkg/assets.txt`). A name changes only when its
//! content does, so the server lets browsers keep them for a year.
//!
//! Without the list (a build that did not run the script, or the tests'
//! servers, which serve no assets), the names cargo-leptos gives are used:
//! `usajili.css`, and `usajili.js`/`.wasm`, the citizen pages' bundle.

use crate::bundles::Bundle;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The file list, relative to the site root.
pub const LIST: &str = "pkg/assets.txt";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assets {
    /// The stylesheet's file name.
    css: Option<String>,
    /// Each bundle's file stem (`landing.0123456789abcdef`).
    bundles: Vec<(String, String)>,
}

impl Assets {
    /// Reads a list of `name file` lines.
    pub fn parse(text: &str) -> Assets {
        let mut assets = Assets::default();
        for line in text.lines() {
            let Some((name, file)) = line.trim().split_once(' ') else {
                continue;
            };
            if name == "css" {
                assets.css = Some(file.trim().to_string());
            } else {
                assets
                    .bundles
                    .push((name.to_string(), file.trim().to_string()));
            }
        }
        assets
    }

    /// The stylesheet's path.
    pub fn css_href(&self) -> String {
        format!("/pkg/{}", self.css.as_deref().unwrap_or("usajili.css"))
    }

    /// The bundle's file stem, without `.js` or `.wasm`.
    pub fn bundle_stem(&self, bundle: Bundle) -> String {
        self.bundles
            .iter()
            .find(|(name, _)| name == bundle.name())
            .map(|(_, stem)| stem.clone())
            .unwrap_or_else(|| "usajili".to_string())
    }
}

/// The list under this site root, read once per process.
pub fn under(site_root: &str) -> Assets {
    static READ: OnceLock<Mutex<HashMap<String, Assets>>> = OnceLock::new();
    let mut read = READ
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    read.entry(site_root.to_string())
        .or_insert_with(|| {
            let path = std::path::Path::new(site_root).join(LIST);
            Assets::parse(&std::fs::read_to_string(path).unwrap_or_default())
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_list() {
        let assets = Assets::parse(
            "css usajili.00112233aabbccdd.css\nlanding landing.0123456789abcdef\ncitizen citizen.fedcba9876543210\n",
        );
        assert_eq!(assets.css_href(), "/pkg/usajili.00112233aabbccdd.css");
        assert_eq!(
            assets.bundle_stem(Bundle::Landing),
            "landing.0123456789abcdef"
        );
        assert_eq!(
            assets.bundle_stem(Bundle::Citizen),
            "citizen.fedcba9876543210"
        );
        // Not in the list: cargo-leptos's own bundle.
        assert_eq!(assets.bundle_stem(Bundle::Staff), "usajili");
    }

    #[test]
    fn without_a_list_cargo_leptos_names_are_used() {
        let assets = Assets::parse("");
        assert_eq!(assets.css_href(), "/pkg/usajili.css");
        assert_eq!(assets.bundle_stem(Bundle::Landing), "usajili");
    }
}
