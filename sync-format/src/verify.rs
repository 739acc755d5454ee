//! The two checks an app makes on every sync: the root keys' signature on `keys.json`, then a
//! delegated publisher key's signature on `manifest.json`. Signatures are checked before the
//! signed JSON is parsed, so unauthenticated bytes only ever meet the tiny signature-file parser.

use chrono::{DateTime, Utc};

use crate::caps::Caps;
use crate::keyfile::decode_public_key;
use crate::names::{KEYS_FILE, KEYS_SIG_FILE, MANIFEST_FILE, MANIFEST_SIG_FILE};
use crate::sig::verify_detached;
use crate::{key_id, Delegation, Error, KeysDoc, Manifest, VerifyingKey};

/// Reads a `root.pub` file: one line of base64 over the 32 public key bytes.
pub fn parse_root_public_key(text: &str) -> Result<VerifyingKey, Error> {
    decode_public_key(text)
}

/// Verifies `keys.json` against its signature by one of `roots`, parses it and checks it has
/// not expired at `now`. Uses [`Caps::DEFAULT`].
pub fn verify_keys(
    keys_json: &[u8],
    keys_sig: &[u8],
    roots: &[VerifyingKey],
    now: DateTime<Utc>,
) -> Result<Delegation, Error> {
    verify_keys_with_caps(keys_json, keys_sig, roots, now, &Caps::DEFAULT)
}

/// [`verify_keys`] with caps of the caller's choosing.
pub fn verify_keys_with_caps(
    keys_json: &[u8],
    keys_sig: &[u8],
    roots: &[VerifyingKey],
    now: DateTime<Utc>,
    caps: &Caps,
) -> Result<Delegation, Error> {
    let delegation = verify_keys_ignoring_expiry(keys_json, keys_sig, roots, caps)?;
    if delegation.is_expired(now) {
        return Err(Error::Expired { what: KEYS_FILE, expires_at: delegation.expires_at() });
    }
    Ok(delegation)
}

/// Verifies and parses `keys.json` without looking at its expiry.
///
/// For the publisher only, reading back a tree it wrote (a tree left alone past the delegation's
/// expiry must still be re-signable). An app must use [`verify_keys`]: an expired delegation is
/// exactly what an attacker replaying old keys would serve.
pub fn verify_keys_ignoring_expiry(
    keys_json: &[u8],
    keys_sig: &[u8],
    roots: &[VerifyingKey],
    caps: &Caps,
) -> Result<Delegation, Error> {
    Caps::check(KEYS_FILE, keys_json.len() as u64, caps.max_keys_bytes)?;
    let ids: Vec<(String, &VerifyingKey)> = roots.iter().map(|k| (key_id(k), k)).collect();
    verify_detached(KEYS_FILE, KEYS_SIG_FILE, keys_json, keys_sig, |id| {
        ids.iter().find(|(k, _)| k == id).map(|(_, key)| *key)
    })?;
    KeysDoc::parse(keys_json, caps)?.validate()
}

/// Verifies `manifest.json` against its signature by a key `delegation` names, parses it and
/// checks every field. Uses [`Caps::DEFAULT`].
///
/// Neither expiry nor channel is judged here: an expired manifest is still authentic (the app
/// keeps it and marks it stale), and only the caller knows which channel and version it expects.
pub fn verify_manifest(manifest_json: &[u8], manifest_sig: &[u8], delegation: &Delegation) -> Result<Manifest, Error> {
    verify_manifest_with_caps(manifest_json, manifest_sig, delegation, &Caps::DEFAULT)
}

/// [`verify_manifest`] with caps of the caller's choosing.
pub fn verify_manifest_with_caps(
    manifest_json: &[u8],
    manifest_sig: &[u8],
    delegation: &Delegation,
    caps: &Caps,
) -> Result<Manifest, Error> {
    Caps::check(MANIFEST_FILE, manifest_json.len() as u64, caps.max_manifest_bytes)?;
    verify_detached(MANIFEST_FILE, MANIFEST_SIG_FILE, manifest_json, manifest_sig, |id| delegation.key(id))?;
    Manifest::parse(manifest_json, caps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::sample;
    use crate::{public_key_to_text, sign_detached, SigningKey};

    struct Fixture {
        root: SigningKey,
        publisher: SigningKey,
        keys_json: Vec<u8>,
        keys_sig: Vec<u8>,
        manifest_json: Vec<u8>,
        manifest_sig: Vec<u8>,
    }

    fn now() -> DateTime<Utc> {
        "2026-12-02T00:00:00Z".parse().expect("time")
    }

    fn fixture() -> Fixture {
        let root = SigningKey::from_bytes(&[7; 32]);
        let publisher = SigningKey::from_bytes(&[9; 32]);
        let keys_json =
            KeysDoc::new(1, "2027-12-01T00:00:00Z".parse().expect("time"), &[publisher.verifying_key()]).to_json();
        let keys_sig = sign_detached(&keys_json, &[&root]);
        let manifest_json = sample().to_json();
        let manifest_sig = sign_detached(&manifest_json, &[&publisher]);
        Fixture { root, publisher, keys_json, keys_sig, manifest_json, manifest_sig }
    }

    #[test]
    fn the_whole_chain_verifies() {
        let f = fixture();
        let root = parse_root_public_key(&public_key_to_text(&f.root.verifying_key())).expect("root.pub");
        let d = verify_keys(&f.keys_json, &f.keys_sig, &[root], now()).expect("keys verify");
        assert!(d.delegates(&f.publisher.verifying_key()));
        let m = verify_manifest(&f.manifest_json, &f.manifest_sig, &d).expect("manifest verifies");
        assert_eq!(m, sample());
    }

    #[test]
    fn keys_refusals() {
        let f = fixture();
        let root = f.root.verifying_key();
        let other = SigningKey::from_bytes(&[8; 32]);
        let err = |json: &[u8], sig: &[u8], roots: &[VerifyingKey], at| {
            verify_keys(json, sig, roots, at).map(|_| ()).map_err(|e| e.kind())
        };

        // Signed by a key that is not a root.
        let by_other = sign_detached(&f.keys_json, &[&other]);
        assert_eq!(err(&f.keys_json, &by_other, &[root], now()), Err("unknown_key"));
        // The publisher cannot delegate to itself.
        let by_publisher = sign_detached(&f.keys_json, &[&f.publisher]);
        assert_eq!(err(&f.keys_json, &by_publisher, &[root], now()), Err("unknown_key"));
        // One changed byte.
        let mut tampered = f.keys_json.clone();
        tampered[10] ^= 1;
        assert_eq!(err(&tampered, &f.keys_sig, &[root], now()), Err("bad_signature"));
        // Expired.
        assert_eq!(err(&f.keys_json, &f.keys_sig, &[root], "2028-01-01T00:00:00Z".parse().expect("t")), Err("expired"));
        assert!(verify_keys_ignoring_expiry(&f.keys_json, &f.keys_sig, &[root], &Caps::DEFAULT).is_ok());
        // Any of several roots will do; a signature by an unknown key beside a good one is fine.
        let both = sign_detached(&f.keys_json, &[&other, &f.root]);
        assert_eq!(err(&f.keys_json, &both, &[other.verifying_key(), root], now()), Ok(()));
        assert_eq!(err(&f.keys_json, &both, &[root], now()), Ok(()));
        // No roots at all.
        assert_eq!(err(&f.keys_json, &f.keys_sig, &[], now()), Err("unknown_key"));
        // Caps before work.
        let big = vec![b' '; 70 * 1024];
        assert_eq!(err(&big, &f.keys_sig, &[root], now()), Err("too_large"));
    }

    #[test]
    fn manifest_refusals() {
        let f = fixture();
        let d = verify_keys(&f.keys_json, &f.keys_sig, &[f.root.verifying_key()], now()).expect("keys");
        let err = |json: &[u8], sig: &[u8]| verify_manifest(json, sig, &d).map(|_| ()).map_err(|e| e.kind());

        // Signed by the root: the root delegates, it does not publish.
        assert_eq!(err(&f.manifest_json, &sign_detached(&f.manifest_json, &[&f.root])), Err("unknown_key"));
        let mut tampered = f.manifest_json.clone();
        let at = tampered.len() / 2;
        tampered[at] ^= 0x20;
        assert_eq!(err(&tampered, &f.manifest_sig), Err("bad_signature"));
        // A different, validly signed file's signature.
        assert_eq!(err(&f.manifest_json, &sign_detached(b"other", &[&f.publisher])), Err("bad_signature"));
        // Malformed signature files.
        for bad in [&b""[..], b"{}", br#"{"signatures":[]}"#, br#"{"signatures":[{"key_id":"xx","sig":""}]}"#] {
            assert_eq!(err(&f.manifest_json, bad), Err("malformed"), "{}", String::from_utf8_lossy(bad));
        }
        let huge_sig = vec![b' '; 9000];
        assert_eq!(err(&f.manifest_json, &huge_sig), Err("too_large"));
        // Valid signature over an invalid manifest: still refused, after the signature check.
        let mut m = sample();
        m.documents[0].path = "../../etc/passwd".into();
        let bad_json = m.to_json();
        assert_eq!(err(&bad_json, &sign_detached(&bad_json, &[&f.publisher])), Err("malformed"));
        // Expiry is the caller's call.
        let m = verify_manifest(&f.manifest_json, &f.manifest_sig, &d).expect("verifies");
        assert!(m.is_expired("2027-06-01T00:00:00Z".parse().expect("t")));
    }

    #[test]
    fn the_non_canonical_signature_is_refused() {
        // Adding the group order L to S gives a signature that lax verifiers accept; strict does not.
        let f = fixture();
        let d = verify_keys(&f.keys_json, &f.keys_sig, &[f.root.verifying_key()], now()).expect("keys");
        let sig = f.publisher.sign_raw(&f.manifest_json);
        let mut bytes = sig;
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(bytes[32 + i]) + u16::from(L[i]) + carry;
            bytes[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        use base64::Engine;
        let file = format!(
            r#"{{"signatures":[{{"key_id":"{}","sig":"{}"}}]}}"#,
            key_id(&f.publisher.verifying_key()),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        assert!(verify_manifest(&f.manifest_json, file.as_bytes(), &d).is_err());
    }

    trait SignRaw {
        fn sign_raw(&self, m: &[u8]) -> [u8; 64];
    }
    impl SignRaw for SigningKey {
        fn sign_raw(&self, m: &[u8]) -> [u8; 64] {
            use ed25519_dalek::Signer;
            self.sign(m).to_bytes()
        }
    }
}
