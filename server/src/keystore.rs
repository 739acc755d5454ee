//! The keys folder (`--keys KEYS`, `--dir KEYS`): the offline root key pair, the online publisher
//! key and the root-signed delegation to it.
//!
//! | file | what | mode |
//! |---|---|---|
//! | `root.key` | root private key: move it offline after `keys init`; needed only to rotate | 0600 |
//! | `root.pub` | root public key: the apps embed it | 0644 |
//! | `publisher.key` | the online key that signs manifests | 0600 |
//! | `keys.json`, `keys.json.sig` | the delegation, copied into every tree | 0644 |

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use safeguarding_sync_format::{
    generate_signing_key, key_id, parse_root_public_key, parse_signing_key, public_key_to_text, sign_detached,
    signing_key_to_text, verify_keys, verify_keys_ignoring_expiry, Caps, Delegation, KeysDoc, SigningKey, VerifyingKey,
    KEYS_FILE, KEYS_SIG_FILE, MAX_SIG_FILE_BYTES,
};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::atomic::{
    create_dir, create_exclusive, mode_of, read_capped, read_required, write_atomic, PRIVATE_MODE, PUBLIC_MODE,
};
use crate::error::{Error, Result};

pub const ROOT_KEY: &str = "root.key";
pub const ROOT_PUB: &str = "root.pub";
pub const PUBLISHER_KEY: &str = "publisher.key";
/// A rotation writes the new key here first and renames it into place last, so an interrupted
/// rotation never leaves a delegation to a key nobody holds.
pub const PUBLISHER_KEY_NEXT: &str = "publisher.key.next";

/// Key and public-key files are one line of base64; anything longer is not ours.
const KEY_FILE_LIMIT: u64 = 1024;

/// What `keys init` made.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub dir: PathBuf,
    pub root_key_id: String,
    pub root_public_key: String,
    pub publisher_key_id: String,
    pub keys_version: u64,
    pub keys_expires_at: String,
}

/// What `keys rotate-publisher` did.
#[derive(Debug, Clone, Serialize)]
pub struct RotateReport {
    pub keys_version: u64,
    pub keys_expires_at: String,
    pub publisher_key_id: String,
    pub withdrawn_key_ids: Vec<String>,
    /// Set when the old `keys.json` did not verify (an interrupted rotation); it was replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Everything `publish` and `resign` need from the keys folder, verified.
pub struct PublisherKeys {
    pub publisher: SigningKey,
    pub roots: Vec<VerifyingKey>,
    pub keys_json: Vec<u8>,
    pub keys_sig: Vec<u8>,
    pub delegation: Delegation,
}

/// Makes a new keys folder. Refuses if any of its files already exists: keys are never
/// overwritten by accident.
pub fn init(dir: &Path, expires_in: Duration, now: DateTime<Utc>) -> Result<InitReport> {
    let names = [ROOT_KEY, ROOT_PUB, PUBLISHER_KEY, KEYS_FILE, KEYS_SIG_FILE];
    let existing: Vec<&str> = names.iter().copied().filter(|n| dir.join(n).exists()).collect();
    if !existing.is_empty() {
        return Err(Error::Keys(format!(
            "{} already holds {}; refusing to overwrite keys (use another folder, or remove them deliberately)",
            dir.display(),
            existing.join(", ")
        )));
    }
    create_dir(dir, 0o700)?;
    let root = generate_signing_key().map_err(Error::format(dir))?;
    let publisher = generate_signing_key().map_err(Error::format(dir))?;
    let expires_at = now.trunc_subsecs(0) + expires_in;
    let doc = KeysDoc::new(1, expires_at, &[publisher.verifying_key()]);
    doc.validate().map_err(Error::format(&dir.join(KEYS_FILE)))?;
    let keys_json = doc.to_json();
    let keys_sig = sign_detached(&keys_json, &[&root]);

    // Private keys first: if anything later fails, the folder is refused on the next init and the
    // operator sees exactly what was made.
    create_exclusive(&dir.join(ROOT_KEY), signing_key_to_text(&root).as_bytes(), PRIVATE_MODE)?;
    create_exclusive(&dir.join(PUBLISHER_KEY), signing_key_to_text(&publisher).as_bytes(), PRIVATE_MODE)?;
    let root_public = public_key_to_text(&root.verifying_key());
    create_exclusive(&dir.join(ROOT_PUB), root_public.as_bytes(), PUBLIC_MODE)?;
    create_exclusive(&dir.join(KEYS_SIG_FILE), &keys_sig, PUBLIC_MODE)?;
    create_exclusive(&dir.join(KEYS_FILE), &keys_json, PUBLIC_MODE)?;
    Ok(InitReport {
        dir: dir.to_path_buf(),
        root_key_id: key_id(&root.verifying_key()),
        root_public_key: root_public.trim_end().to_string(),
        publisher_key_id: key_id(&publisher.verifying_key()),
        keys_version: 1,
        keys_expires_at: safeguarding_sync_format::format_time(&expires_at),
    })
}

/// Replaces the publisher key: a new key, and a new root-signed `keys.json` one version higher
/// that delegates to it alone (the old key stops being trusted as soon as apps fetch it).
pub fn rotate_publisher(dir: &Path, expires_in: Duration, now: DateTime<Utc>) -> Result<RotateReport> {
    let root = read_private_key(&dir.join(ROOT_KEY))?;
    let roots = read_roots(dir)?;
    if !roots.contains(&root.verifying_key()) {
        return Err(Error::Keys(format!("{} is not the private half of {}", ROOT_KEY, ROOT_PUB)));
    }
    let keys_path = dir.join(KEYS_FILE);
    let keys_json = read_required(&keys_path, Caps::DEFAULT.max_keys_bytes)?;
    let keys_sig = read_capped(&dir.join(KEYS_SIG_FILE), MAX_SIG_FILE_BYTES)?.unwrap_or_default();
    // Expiry does not matter here: renewing an expired delegation is what rotation is for.
    let (old_version, withdrawn, warning) =
        match verify_keys_ignoring_expiry(&keys_json, &keys_sig, &roots, &Caps::DEFAULT) {
            Ok(d) => (d.version(), d.key_ids().map(str::to_string).collect(), None),
            Err(e) => {
                // Only the version number is needed from the old file. A keys.json that does not
                // verify here is our own, half-replaced by an interrupted rotation: anyone able to
                // write this folder already holds the keys.
                let parsed: KeysDoc = serde_json::from_slice(&keys_json)
                    .map_err(|_| Error::Format { path: keys_path.clone(), source: e.clone() })?;
                let ids = parsed.publisher_keys.into_iter().map(|k| k.id).collect();
                (parsed.version, ids, Some(format!("the old {KEYS_FILE} did not verify ({e}); it was replaced")))
            }
        };
    let version = old_version
        .checked_add(1)
        .ok_or_else(|| Error::Keys(format!("{KEYS_FILE} version {old_version} cannot be increased")))?;

    let next_path = dir.join(PUBLISHER_KEY_NEXT);
    let publisher = generate_signing_key().map_err(Error::format(dir))?;
    let expires_at = now.trunc_subsecs(0) + expires_in;
    let doc = KeysDoc::new(version, expires_at, &[publisher.verifying_key()]);
    doc.validate().map_err(Error::format(&keys_path))?;
    let new_json = doc.to_json();
    let new_sig = sign_detached(&new_json, &[&root]);

    // 1. the new private key, under a name nothing reads; 2. the delegation to it (signature
    // first, as in trees); 3. the key into place. A crash at any point is repaired by rotating again.
    write_atomic(&next_path, signing_key_to_text(&publisher).as_bytes(), PRIVATE_MODE)?;
    write_atomic(&dir.join(KEYS_SIG_FILE), &new_sig, PUBLIC_MODE)?;
    write_atomic(&keys_path, &new_json, PUBLIC_MODE)?;
    fs::rename(&next_path, dir.join(PUBLISHER_KEY)).map_err(Error::io(&next_path))?;
    crate::atomic::sync_dir(dir)?;
    Ok(RotateReport {
        keys_version: version,
        keys_expires_at: safeguarding_sync_format::format_time(&expires_at),
        publisher_key_id: key_id(&publisher.verifying_key()),
        withdrawn_key_ids: withdrawn,
        warning,
    })
}

/// Loads and checks the keys folder for signing: the delegation verifies under `root.pub`, has
/// not expired, and delegates to `publisher.key`. `root.key` is not needed (it should be offline).
pub fn load_for_publishing(dir: &Path, now: DateTime<Utc>) -> Result<PublisherKeys> {
    let roots = read_roots(dir)?;
    let publisher = read_private_key(&dir.join(PUBLISHER_KEY))?;
    let keys_path = dir.join(KEYS_FILE);
    let keys_json = read_required(&keys_path, Caps::DEFAULT.max_keys_bytes)?;
    let keys_sig = read_required(&dir.join(KEYS_SIG_FILE), MAX_SIG_FILE_BYTES)?;
    let delegation = verify_keys(&keys_json, &keys_sig, &roots, now).map_err(|e| match e {
        safeguarding_sync_format::Error::Expired { expires_at, .. } => Error::Keys(format!(
            "{} expired at {expires_at}: apps will refuse it; run `keys rotate-publisher` (needs {ROOT_KEY}) to renew it",
            keys_path.display()
        )),
        other => Error::Format { path: keys_path.clone(), source: other },
    })?;
    if !delegation.delegates(&publisher.verifying_key()) {
        let hint = if dir.join(PUBLISHER_KEY_NEXT).exists() {
            "a rotation was interrupted: run `keys rotate-publisher` again"
        } else {
            "it was rotated out, or this is another folder's key"
        };
        return Err(Error::Keys(format!(
            "{PUBLISHER_KEY} (key {}) is not delegated by {KEYS_FILE}: {hint}",
            key_id(&publisher.verifying_key())
        )));
    }
    Ok(PublisherKeys { publisher, roots, keys_json, keys_sig, delegation })
}

/// The root public key(s) in `root.pub`, one base64 key per line.
pub fn read_roots(dir: &Path) -> Result<Vec<VerifyingKey>> {
    let path = dir.join(ROOT_PUB);
    let bytes = read_required(&path, KEY_FILE_LIMIT)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Keys(format!("{} is not text", path.display())))?;
    let roots = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse_root_public_key(l).map_err(Error::format(&path)))
        .collect::<Result<Vec<_>>>()?;
    if roots.is_empty() {
        return Err(Error::Keys(format!("{} holds no key", path.display())));
    }
    Ok(roots)
}

/// Reads a private key file, refusing one that other users can read (as OpenSSH does): a
/// signing key anyone on the machine could copy protects nothing.
fn read_private_key(path: &Path) -> Result<SigningKey> {
    let bytes = read_required(path, KEY_FILE_LIMIT)?;
    if let Some(mode) = mode_of(path)? {
        if mode & 0o077 != 0 {
            return Err(Error::Keys(format!(
                "{} is readable by other users (mode {mode:03o}); run `chmod 600` on it",
                path.display()
            )));
        }
    }
    // Wiped when dropped: the file's text is the secret too.
    let text = Zeroizing::new(bytes);
    let text = std::str::from_utf8(&text).map_err(|_| Error::Keys(format!("{} is not text", path.display())))?;
    parse_signing_key(text).map_err(Error::format(path))
}
