//! Property tests over what an app feeds the verifiers: anything a server sends.
//! No input panics, and no change to a signed file's bytes ever verifies.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use safeguarding_sync_format::{
    sha256_hex, sign_detached, verify_keys, verify_manifest, Delegation, Document, KeysDoc, Kind, Manifest, SigningKey,
    VerifyingKey, SCHEMA,
};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("test time")
}

fn now() -> DateTime<Utc> {
    t("2026-12-02T00:00:00Z")
}

// Keys, signed files and the delegation are made once, so the cases are spent on inputs.
struct Fixture {
    root: SigningKey,
    root_public: VerifyingKey,
    publisher: SigningKey,
    keys: (Vec<u8>, Vec<u8>),
    manifest: (Vec<u8>, Vec<u8>),
    delegation: Delegation,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = SigningKey::from_bytes(&[1; 32]);
        let publisher = SigningKey::from_bytes(&[2; 32]);
        let keys_json = KeysDoc::new(4, t("2027-12-01T00:00:00Z"), &[publisher.verifying_key()]).to_json();
        let keys_sig = sign_detached(&keys_json, &[&root]);
        let delegation = verify_keys(&keys_json, &keys_sig, &[root.verifying_key()], now()).expect("fixture verifies");
        let manifest_json = manifest_json();
        let manifest_sig = sign_detached(&manifest_json, &[&publisher]);
        Fixture {
            root_public: root.verifying_key(),
            root,
            publisher,
            keys: (keys_json, keys_sig),
            manifest: (manifest_json, manifest_sig),
            delegation,
        }
    })
}

fn manifest_json() -> Vec<u8> {
    let documents = ["contacts/national.toml", "guidance/mca/mca-dols.md", "topics.toml"]
        .iter()
        .enumerate()
        .map(|(i, path)| Document {
            path: path.to_string(),
            kind: if i == 1 {
                Kind::Page
            } else if i == 0 {
                Kind::Contacts
            } else {
                Kind::File
            },
            sha256: sha256_hex(path.as_bytes()),
            size: 100 + i as u64,
            changed_in: 1 + i as u64,
            note: (i == 1).then(|| "Updated for [2026] UKSC 16".to_string()),
        })
        .collect();
    let m = Manifest {
        schema: SCHEMA,
        channel: "production".into(),
        manifest_version: 3,
        published_at: t("2026-12-01T00:00:00Z"),
        expires_at: t("2026-12-31T00:00:00Z"),
        notes: "Release notes".into(),
        documents,
    };
    m.to_json()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Insert { at: usize, byte: u8 },
    Delete { at: usize },
    Truncate { len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Delete { at }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
    ]
}

/// Applies `m`; every mutation changes the bytes (a flip's mask is never 0; truncation is shorter).
fn mutate(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match *m {
        Mutation::Flip { at, mask } => {
            let i = at % out.len();
            out[i] ^= mask;
        }
        Mutation::Insert { at, byte } => out.insert(at % (out.len() + 1), byte),
        Mutation::Delete { at } => {
            out.remove(at % out.len());
        }
        Mutation::Truncate { len } => out.truncate(len % out.len()),
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(json in proptest::collection::vec(any::<u8>(), 0..2048),
                                   sig in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fixture();
        prop_assert!(verify_manifest(&json, &sig, &f.delegation).is_err());
        prop_assert!(verify_keys(&json, &sig, &[f.root_public], now()).is_err());
    }

    #[test]
    fn a_mutated_manifest_never_verifies(m in mutation()) {
        let f = fixture();
        let (json, sig) = &f.manifest;
        let changed = mutate(json, &m);
        prop_assert_ne!(&changed, json);
        prop_assert!(verify_manifest(&changed, sig, &f.delegation).is_err());
    }

    #[test]
    fn a_mutated_keys_file_never_verifies(m in mutation()) {
        let f = fixture();
        let (json, sig) = &f.keys;
        let changed = mutate(json, &m);
        prop_assert_ne!(&changed, json);
        prop_assert!(verify_keys(&changed, sig, &[f.root_public], now()).is_err());
    }

    #[test]
    fn a_mutated_signature_never_verifies(at in 0usize..64, mask in 1u8..=255) {
        use base64::Engine;
        let f = fixture();
        let (json, _) = &f.manifest;
        let mut raw = ed25519_dalek::Signer::sign(&f.publisher, json).to_bytes();
        raw[at] ^= mask;
        let file = serde_json::json!({"signatures": [{
            "key_id": safeguarding_sync_format::key_id(&f.publisher.verifying_key()),
            "sig": base64::engine::general_purpose::STANDARD.encode(raw),
        }]});
        let file = serde_json::to_vec(&file).expect("json");
        prop_assert!(verify_manifest(json, &file, &f.delegation).is_err());
    }
}

proptest! {
    // Each case signs twice; the parsers alone get thousands of cases in the unit tests.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Mutated files that are then validly signed get past the signature to the JSON parser and
    /// the field rules: they may pass or fail, but never panic, and whatever passes meets the rules.
    #[test]
    fn signed_garbage_reaches_the_parser_without_panic(ms in proptest::collection::vec(mutation(), 1..6)) {
        let f = fixture();
        let mut json = f.manifest.0.clone();
        for m in &ms {
            if json.is_empty() { break; }
            json = mutate(&json, m);
        }
        let sig = sign_detached(&json, &[&f.publisher]);
        if let Ok(m) = verify_manifest(&json, &sig, &f.delegation) {
            prop_assert!(m.validate(&safeguarding_sync_format::Caps::DEFAULT).is_ok());
        }
        let keys_sig = sign_detached(&json, &[&f.root]);
        let _ = verify_keys(&json, &keys_sig, &[f.root_public], now());
    }
}

#[test]
fn fixtures_verify() {
    let f = fixture();
    assert!(verify_manifest(&f.manifest.0, &f.manifest.1, &f.delegation).is_ok());
}
