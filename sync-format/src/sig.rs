//! Detached signature files (`manifest.json.sig`, `keys.json.sig`): JSON
//! `{"signatures":[{"key_id","sig"}]}` over the exact bytes of the file beside them. Signing raw
//! bytes (no canonical JSON) means there is nothing to get wrong between signer and verifier.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::caps::{Caps, MAX_SIGNATURES, MAX_SIG_FILE_BYTES};
use crate::hash::is_key_id;
use crate::{key_id, Error, SigningKey, VerifyingKey};
use ed25519_dalek::{Signature, Signer};

#[derive(Debug, Serialize, Deserialize)]
struct SignatureFile {
    signatures: Vec<SignatureEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SignatureEntry {
    key_id: String,
    sig: String,
}

/// Signs `bytes` with each key and returns the signature file's bytes.
pub fn sign_detached(bytes: &[u8], keys: &[&SigningKey]) -> Vec<u8> {
    let file = SignatureFile {
        signatures: keys
            .iter()
            .map(|k| SignatureEntry {
                key_id: key_id(&k.verifying_key()),
                sig: STANDARD.encode(k.sign(bytes).to_bytes()),
            })
            .collect(),
    };
    let mut out = serde_json::to_vec_pretty(&file).expect("a signature file (strings only) always serialises");
    out.push(b'\n');
    out
}

/// Checks that some signature in `sig_file` is by a key `trusted` knows and verifies strictly over
/// `message`; returns that key's id.
///
/// An entry by an unknown key is skipped (a file may carry a signature by a key this app has not
/// heard of yet, during a rotation); a malformed file is refused whole.
pub(crate) fn verify_detached<'k>(
    what: &'static str,
    sig_what: &'static str,
    message: &[u8],
    sig_file: &[u8],
    trusted: impl Fn(&str) -> Option<&'k VerifyingKey>,
) -> Result<String, Error> {
    Caps::check(sig_what, sig_file.len() as u64, MAX_SIG_FILE_BYTES)?;
    let file: SignatureFile =
        serde_json::from_slice(sig_file).map_err(|e| Error::malformed(sig_what, e.to_string()))?;
    if file.signatures.is_empty() {
        return Err(Error::malformed(sig_what, "no signatures"));
    }
    if file.signatures.len() > MAX_SIGNATURES {
        return Err(Error::malformed(sig_what, format!("more than {MAX_SIGNATURES} signatures")));
    }
    let mut parsed = Vec::with_capacity(file.signatures.len());
    for entry in &file.signatures {
        if !is_key_id(&entry.key_id) {
            return Err(Error::malformed(
                sig_what,
                format!("key_id {:?} is not 16 lower-case hex digits", entry.key_id),
            ));
        }
        let raw =
            STANDARD.decode(&entry.sig).map_err(|e| Error::malformed(sig_what, format!("sig is not base64: {e}")))?;
        let raw: [u8; 64] = raw
            .try_into()
            .map_err(|raw: Vec<u8>| Error::malformed(sig_what, format!("sig is {} bytes, not 64", raw.len())))?;
        parsed.push((entry.key_id.as_str(), Signature::from_bytes(&raw)));
    }
    let mut by_trusted_key = false;
    for (id, signature) in parsed {
        let Some(key) = trusted(id) else { continue };
        by_trusted_key = true;
        // verify_strict: refuses small-order keys and R points and non-canonical S, so a
        // signature has exactly one valid form and cannot be bent into another.
        if key.verify_strict(message, &signature).is_ok() {
            return Ok(id.to_string());
        }
    }
    if by_trusted_key {
        Err(Error::BadSignature { what })
    } else {
        Err(Error::UnknownKey { what })
    }
}
