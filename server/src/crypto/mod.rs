//! Field encryption at rest and pseudonymous lookup.
//!
//! Personal fields are encrypted in the application, before the database
//! sees them, with AES-256-GCM under a *data key*. Data keys live in the
//! `data_keys` table, each wrapped (encrypted) by the *master key*, which
//! comes from configuration and is never stored in the database, the
//! repository or a log. Every ciphertext names the data key that sealed it,
//! so keys can be rotated while old rows stay readable.
//!
//! Values the portal must find (a phone number at sign-in, an ID number for
//! duplicate checks) are found through a *blind index*: a keyed HMAC of the
//! normalised value, stored beside the ciphertext, so lookups never decrypt.
//!
//! Ciphertext layout: `[1: version = 2][4: data key id, big-endian][12: nonce][ciphertext + 16-byte tag]`.
//! The associated data binds a ciphertext to its place, `table.column.row`
//! (see [`columns`]): a value copied into another column, or onto another
//! row of the same column (one officer's authenticator secret onto
//! another's), does not decrypt. Version 1 values were bound to the column
//! only; they are read by nothing but the one-time upgrade at start-up
//! ([`keys::bind_to_rows`]), which seals them again bound to their rows.
//!
//! Beside the cipher: [`keys`], data-key rotation and the job that keeps a
//! running server's keys current, and [`Secret`], a configured secret that
//! is never printed.

pub mod columns;
pub mod keys;
mod secret;

pub use columns::Column;
pub use secret::Secret;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use zeroize::Zeroizing;

/// Values bound to their row.
const VERSION: u8 = 2;
/// Values bound to their column only (before the row binding).
const UNBOUND: u8 = 1;
const HEADER: usize = 1 + 4 + 12;

/// The 32-byte master key. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// From its base64 text (44 characters for 32 bytes).
    pub fn from_base64(text: &str) -> anyhow::Result<Self> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("the master key is not valid base64"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!("the master key must be 32 bytes (44 base64 characters)")
        })?;
        Ok(MasterKey(Zeroizing::new(key)))
    }

    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(key.as_mut());
        MasterKey(key)
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        use base64::Engine as _;
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.0.as_ref()))
    }

    /// A key for one purpose, derived so that no two purposes share a key.
    fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(Some(b"usajili"), self.0.as_ref())
            .expand(purpose.as_bytes(), out.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the ciphertext is malformed")]
    Malformed,
    #[error("the ciphertext names data key {0}, which this portal does not have")]
    UnknownKey(u32),
    #[error("the ciphertext does not decrypt (wrong key, or tampered with)")]
    Tampered,
}

/// Encrypts and decrypts fields; computes blind indexes. Cheap to clone.
#[derive(Clone)]
pub struct FieldCipher {
    inner: Arc<Keys>,
}

struct Keys {
    /// Data keys by id; the highest id seals new values.
    data_keys: RwLock<HashMap<u32, Arc<Aes256Gcm>>>,
    active: RwLock<u32>,
    blind_index_key: Zeroizing<[u8; 32]>,
    /// Keys the audit log's hash chain (`audit`).
    chain_key: Zeroizing<[u8; 32]>,
    /// Benchmarks only: values are stored as they are (same length, no
    /// encryption), to measure what encryption costs. Never in a server.
    #[cfg(feature = "bench")]
    passthrough: bool,
}

impl FieldCipher {
    /// Loads the data keys, unwrapping each with the master key, and creates
    /// the first one on a new database. Fails, saying why, if the master key
    /// is not the one the database's keys were wrapped with.
    pub async fn load(db: &AnyPool, master: &MasterKey) -> anyhow::Result<Self> {
        let wrapping = Aes256Gcm::new_from_slice(master.derive("data-key-wrapping").as_ref())
            .expect("32-byte key");
        let mut rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT id, wrapped_key FROM data_keys ORDER BY id")
                .fetch_all(db)
                .await?;
        if rows.is_empty() {
            // Two processes starting on one new database: one key wins, both read it.
            create_data_key(db, &wrapping).await?;
            rows = sqlx::query_as("SELECT id, wrapped_key FROM data_keys ORDER BY id")
                .fetch_all(db)
                .await?;
        }
        let keys = unwrap_rows(&wrapping, rows)?;
        let active = keys.keys().copied().max().unwrap_or(0);
        Ok(FieldCipher {
            inner: Arc::new(Keys {
                data_keys: RwLock::new(keys),
                active: RwLock::new(active),
                blind_index_key: master.derive("blind-index"),
                chain_key: master.derive("audit-chain"),
                #[cfg(feature = "bench")]
                passthrough: false,
            }),
        })
    }

    /// Loads data keys made since this cipher was loaded (by `usajili keys
    /// rotate`, perhaps in another process) and seals with the newest from
    /// now on. Returns whether anything changed.
    pub async fn refresh(&self, db: &AnyPool, master: &MasterKey) -> anyhow::Result<bool> {
        let known = self
            .inner
            .data_keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .copied()
            .max()
            .unwrap_or(0);
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT id, wrapped_key FROM data_keys WHERE id > $1 ORDER BY id")
                .bind(i64::from(known))
                .fetch_all(db)
                .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        let wrapping = Aes256Gcm::new_from_slice(master.derive("data-key-wrapping").as_ref())
            .expect("32-byte key");
        let fresh = unwrap_rows(&wrapping, rows)?;
        let newest = fresh.keys().copied().max().unwrap_or(known);
        self.inner
            .data_keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .extend(fresh);
        let mut active = self.inner.active.write().unwrap_or_else(|p| p.into_inner());
        *active = (*active).max(newest);
        Ok(true)
    }

    fn key(&self, id: u32) -> Option<Arc<Aes256Gcm>> {
        self.inner
            .data_keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }

    pub fn active_key_id(&self) -> u32 {
        *self.inner.active.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Seals `plaintext` for `row` of `column` (`row` is the value of the
    /// column's [`Column::key`] expression for that row).
    pub fn encrypt(&self, column: &Column, row: &str, plaintext: &[u8]) -> Vec<u8> {
        self.seal(&column.bound_to(row), plaintext)
    }

    fn seal(&self, aad: &str, plaintext: &[u8]) -> Vec<u8> {
        #[cfg(feature = "bench")]
        if self.inner.passthrough {
            let mut out = vec![0u8; HEADER];
            out[0] = VERSION;
            out.extend_from_slice(plaintext);
            out.extend_from_slice(&[0u8; 16]);
            return out;
        }
        let id = self.active_key_id();
        let key = self.key(id).expect("the active data key is loaded");
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(HEADER + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value of `row` of `column`: one sealed for another place
    /// (or altered) is [`CryptoError::Tampered`].
    pub fn decrypt(
        &self,
        column: &Column,
        row: &str,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(VERSION, &column.bound_to(row), ciphertext)
    }

    /// Opens a version-1 value, bound to its column only (the upgrade).
    fn decrypt_unbound(
        &self,
        column: &Column,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(UNBOUND, column.context, ciphertext)
    }

    fn open(
        &self,
        version: u8,
        aad: &str,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if ciphertext.len() < HEADER + 16 || ciphertext[0] != version {
            return Err(CryptoError::Malformed);
        }
        let id = u32::from_be_bytes(ciphertext[1..5].try_into().expect("4 bytes"));
        #[cfg(feature = "bench")]
        if self.inner.passthrough && id == 0 {
            return Ok(Zeroizing::new(
                ciphertext[HEADER..ciphertext.len() - 16].to_vec(),
            ));
        }
        let key = self.key(id).ok_or(CryptoError::UnknownKey(id))?;
        key.decrypt(
            Nonce::from_slice(&ciphertext[5..HEADER]),
            Payload {
                msg: &ciphertext[HEADER..],
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Tampered)
    }

    pub fn encrypt_str(&self, column: &Column, row: &str, plaintext: &str) -> Vec<u8> {
        self.encrypt(column, row, plaintext.as_bytes())
    }

    pub fn decrypt_string(
        &self,
        column: &Column,
        row: &str,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<String>, CryptoError> {
        let bytes = self.decrypt(column, row, ciphertext)?;
        String::from_utf8(bytes.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Malformed)
    }

    /// The data key id that sealed `ciphertext` (for rotation).
    pub fn key_id_of(ciphertext: &[u8]) -> Option<u32> {
        (ciphertext.len() >= HEADER && [VERSION, UNBOUND].contains(&ciphertext[0]))
            .then(|| u32::from_be_bytes(ciphertext[1..5].try_into().expect("4 bytes")))
    }

    /// Seals `plaintext` in the version-1 format (bound to its column
    /// only), as releases before the row binding did: for tests of the
    /// upgrade, never for storing.
    #[doc(hidden)]
    pub fn encrypt_unbound(&self, column: &Column, plaintext: &[u8]) -> Vec<u8> {
        let mut sealed = self.seal(column.context, plaintext);
        sealed[0] = UNBOUND;
        sealed
    }

    /// Whether `ciphertext` is a version-1 value, bound to its column only.
    pub fn is_unbound(ciphertext: &[u8]) -> bool {
        ciphertext.len() >= HEADER && ciphertext[0] == UNBOUND
    }

    /// Opens a value of either version and seals it again, bound to `row`,
    /// under the newest data key (key rotation and the upgrade).
    pub fn reseal(
        &self,
        column: &Column,
        row: &str,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let plaintext = if Self::is_unbound(ciphertext) {
            self.decrypt_unbound(column, ciphertext)?
        } else {
            self.decrypt(column, row, ciphertext)?
        };
        Ok(self.encrypt(column, row, &plaintext))
    }

    /// The blind index of an already-normalised value (an E.164 phone, an ID
    /// number), scoped by `kind` so that equal strings of different kinds
    /// do not collide. Hex, 64 characters.
    pub fn blind_index(&self, kind: &str, normalised: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.inner.blind_index_key.as_ref())
            .expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// HMAC-SHA256 under the audit chain's key, as hex (`audit`).
    pub fn chain_mac(&self, message: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.inner.chain_key.as_ref())
            .expect("any key length");
        mac.update(message);
        hex(&mac.finalize().into_bytes())
    }

    /// Benchmarks only (`--features bench`): the same cipher, except that
    /// it stores values unencrypted, to measure what encryption costs.
    #[cfg(feature = "bench")]
    pub fn without_encryption(&self) -> Self {
        let keys = self
            .inner
            .data_keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        FieldCipher {
            inner: Arc::new(Keys {
                data_keys: RwLock::new(keys),
                active: RwLock::new(self.active_key_id()),
                blind_index_key: self.inner.blind_index_key.clone(),
                chain_key: self.inner.chain_key.clone(),
                passthrough: true,
            }),
        }
    }

    /// Creates a new data key and makes it the one that seals new values.
    pub async fn rotate(&self, db: &AnyPool, master: &MasterKey) -> anyhow::Result<u32> {
        let wrapping = Aes256Gcm::new_from_slice(master.derive("data-key-wrapping").as_ref())
            .expect("32-byte key");
        let (id, key) = create_data_key(db, &wrapping)
            .await?
            .context("another process created a data key at the same moment; try again")?;
        self.inner
            .data_keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::new(key));
        *self.inner.active.write().unwrap_or_else(|p| p.into_inner()) = id;
        Ok(id)
    }
}

/// Loads the data keys and brings values sealed in an older format up to
/// date ([`keys::bind_to_rows`]): what every command that opens the
/// database does before it reads an encrypted value.
pub async fn open(db: &AnyPool, master: &MasterKey) -> anyhow::Result<FieldCipher> {
    let cipher = FieldCipher::load(db, master).await?;
    keys::bind_to_rows(db, &cipher, 500).await?;
    Ok(cipher)
}

/// A random id for a row (128 bits from the OS-seeded CSPRNG, as hex):
/// unguessable, so an id in a URL gives nothing away.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    hex(&bytes)
}

/// Lower-case hexadecimal, for indexes and ids stored as text.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Unwraps `data_keys` rows (`id`, `wrapped_key`), failing with a message
/// that names the likely cause when the master key is the wrong one.
fn unwrap_rows(
    wrapping: &Aes256Gcm,
    rows: Vec<(i64, Vec<u8>)>,
) -> anyhow::Result<HashMap<u32, Arc<Aes256Gcm>>> {
    let mut keys = HashMap::new();
    for (id, wrapped) in rows {
        let id = u32::try_from(id).context("a data key id out of range")?;
        let key = unwrap_key(wrapping, id, &wrapped).map_err(|_| {
            anyhow::anyhow!(
                "the master key does not match this database: data key {id} cannot be unwrapped. \
                 Check USAJILI_MASTER_KEY / USAJILI_MASTER_KEY_FILE"
            )
        })?;
        keys.insert(
            id,
            Arc::new(Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key")),
        );
    }
    Ok(keys)
}

fn unwrap_key(wrapping: &Aes256Gcm, id: u32, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    if wrapped.len() < 12 {
        return Err(());
    }
    let aad = format!("data_keys.{id}");
    wrapping
        .decrypt(
            Nonce::from_slice(&wrapped[..12]),
            Payload {
                msg: &wrapped[12..],
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| ())
}

/// Inserts a new data key; `None` if another process took the same id first.
async fn create_data_key(
    db: &AnyPool,
    wrapping: &Aes256Gcm,
) -> anyhow::Result<Option<(u32, Aes256Gcm)>> {
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM data_keys")
        .fetch_one(db)
        .await?;
    let id = u32::try_from(next).context("too many data keys")?;
    let mut key = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(key.as_mut());
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let aad = format!("data_keys.{id}");
    let sealed = wrapping
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: key.as_ref(),
                aad: aad.as_bytes(),
            },
        )
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let wrapped = [nonce.as_slice(), &sealed].concat();
    let created_at = crate::clock::unix_now();
    let inserted = sqlx::query(
        "INSERT INTO data_keys (id, wrapped_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(next)
    .bind(wrapped)
    .bind(created_at)
    .execute(db)
    .await?
    .rows_affected();
    Ok((inserted == 1).then(|| {
        (
            id,
            Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key"),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_master_key_must_be_32_bytes_of_base64() {
        assert!(MasterKey::from_base64("too-short").is_err());
        assert!(MasterKey::from_base64("AAAA").is_err());
        let key = MasterKey::generate();
        assert_eq!(key.to_base64().len(), 44);
        assert!(MasterKey::from_base64(&key.to_base64()).is_ok());
        assert_eq!(format!("{key:?}"), "MasterKey([redacted])");
    }

    #[test]
    fn purposes_get_different_keys() {
        let key = MasterKey::generate();
        assert_ne!(
            key.derive("blind-index").as_ref(),
            key.derive("data-key-wrapping").as_ref()
        );
    }
}
