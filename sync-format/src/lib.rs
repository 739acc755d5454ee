//! The signed channel tree that carries content updates, shared by the publisher and the apps.
//!
//! A channel tree is static files: `keys.json` (the root keys' delegation to online publisher
//! keys), `manifest.json` (one signed list of every document in a release) with detached
//! signatures beside them, and `blobs/<sha256>`. This crate owns their types, their exact JSON,
//! Ed25519 signing and strict verification, blob hashing and the size caps. It reads and writes
//! bytes only: no files, no network, no knowledge of what a page means, so the server and the app
//! core check exactly the same things. See `README.md` for the formats.
//!
//! The app's path, in order:
//! 1. [`parse_root_public_key`] for each root key it was built with;
//! 2. [`verify_keys`] on `keys.json` + `keys.json.sig` → a [`Delegation`];
//! 3. [`verify_manifest`] on `manifest.json` + `manifest.json.sig` with that delegation →
//!    a [`Manifest`], whose channel, version and [`Manifest::is_expired`] the caller then judges;
//! 4. [`Document::verify_blob`] on each downloaded blob.

mod caps;
mod error;
mod hash;
mod keyfile;
mod keys;
mod manifest;
mod names;
#[cfg(test)]
mod parse_props;
mod sig;
mod time;
mod verify;

pub use caps::{Caps, MAX_PUBLISHER_KEYS, MAX_SIGNATURES, MAX_SIG_FILE_BYTES};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use error::Error;
pub use hash::{is_sha256_hex, key_id, sha256_hex};
pub use keyfile::{generate_signing_key, parse_signing_key, public_key_to_text, signing_key_to_text};
pub use keys::{Delegation, KeysDoc, PublisherKey};
pub use manifest::{Document, Kind, Manifest, SCHEMA};
pub use names::{
    validate_channel, validate_document_path, KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE,
    MAX_CHANNEL_BYTES, MAX_NOTES_BYTES, MAX_NOTE_BYTES, MAX_PATH_BYTES,
};
pub use sig::sign_detached;
pub use time::format_time;
pub use verify::{
    parse_root_public_key, verify_keys, verify_keys_ignoring_expiry, verify_keys_with_caps, verify_manifest,
    verify_manifest_with_caps,
};
