//! Ceilings on expensive work, for the whole process: photo decoding and
//! the hashing of staff passwords and USSD PINs each run behind a
//! semaphore, so that a burst of uploads, sign-ins or USSD sessions waits
//! its turn instead of exhausting the memory or the cores. (How often one account or one connection may ask is counted
//! in the database, elsewhere; this is what one process does at once.)
//!
//! At the pixel limit (`photo::MAX_PIXELS`) one decode takes up to about
//! 350 MB: the decoded picture (at most `photo`'s decoder allowance) and its
//! RGB copy. Two at once keep the process well under 1 GB; the default is
//! the number of cores, but never more than two.

use std::sync::Arc;
use tokio::sync::Semaphore;

/// Most photos decoded at once by default.
const DEFAULT_MAX_PHOTO_DECODES: usize = 2;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn default_photo_decodes() -> usize {
    cores().min(DEFAULT_MAX_PHOTO_DECODES)
}

/// How much expensive work runs at once.
#[derive(clap::Args, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CeilingSettings {
    /// Photos decoded at once (each up to about 350 MB).
    #[arg(
        long = "photo-decodes",
        env = "USAJILI_PHOTO_DECODES",
        default_value_t = default_photo_decodes(),
        global = true
    )]
    pub photo_decodes: usize,
    /// Staff passwords and USSD PINs hashed or checked at once (argon2id,
    /// memory-hard).
    #[arg(
        long = "password-hashes",
        env = "USAJILI_PASSWORD_HASHES",
        default_value_t = cores(),
        global = true
    )]
    pub password_hashes: usize,
}

impl Default for CeilingSettings {
    fn default() -> Self {
        CeilingSettings {
            photo_decodes: default_photo_decodes(),
            password_hashes: cores(),
        }
    }
}

/// The semaphores, shared by every request of the process.
#[derive(Clone, Debug)]
pub struct Ceilings {
    pub photo_decodes: Arc<Semaphore>,
    pub password_hashes: Arc<Semaphore>,
}

impl Ceilings {
    /// At least one of each, whatever the settings say.
    pub fn new(settings: CeilingSettings) -> Self {
        Ceilings {
            photo_decodes: Arc::new(Semaphore::new(settings.photo_decodes.max(1))),
            password_hashes: Arc::new(Semaphore::new(settings.password_hashes.max(1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_of_none_still_lets_one_through_and_photos_default_to_at_most_two() {
        let ceilings = Ceilings::new(CeilingSettings {
            photo_decodes: 0,
            password_hashes: 0,
        });
        assert_eq!(ceilings.photo_decodes.available_permits(), 1);
        assert_eq!(ceilings.password_hashes.available_permits(), 1);
        let defaults = CeilingSettings::default();
        assert!((1..=2).contains(&defaults.photo_decodes));
        assert_eq!(defaults.password_hashes, cores());
    }
}
