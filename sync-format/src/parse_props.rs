//! Property tests of the parsers behind the signature checks, called directly so thousands of
//! cases cost no cryptography: nothing panics, and whatever parses meets every rule.

use proptest::prelude::*;

use crate::caps::Caps;
use crate::manifest::tests::sample;
use crate::sig::verify_detached;
use crate::{KeysDoc, Manifest, SigningKey};

fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    proptest::collection::vec((0..len, any::<u8>(), 0u8..3), 1..8).prop_map(move |edits| {
        let mut bytes = base.clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at % bytes.len();
            match op {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        bytes
    })
}

fn keys_json() -> Vec<u8> {
    let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
    KeysDoc::new(1, "2027-01-01T00:00:00Z".parse().expect("time"), &[key]).to_json()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn manifest_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Manifest::parse(&bytes, &Caps::DEFAULT);
    }

    #[test]
    fn mutated_manifests_parse_only_when_valid(bytes in mutated(sample().to_json())) {
        if let Ok(m) = Manifest::parse(&bytes, &Caps::DEFAULT) {
            prop_assert!(m.validate(&Caps::DEFAULT).is_ok());
        }
    }

    #[test]
    fn keys_parser_never_panics(bytes in mutated(keys_json())) {
        if let Ok(doc) = KeysDoc::parse(&bytes, &Caps::DEFAULT) {
            let _ = doc.validate();
        }
    }

    #[test]
    fn signature_file_parser_never_panics(bytes in mutated(br#"{"signatures":[{"key_id":"0123456789abcdef","sig":"AAAA"}]}"#.to_vec())) {
        // No key is trusted, so nothing reaches the cryptography: this is the parser alone.
        prop_assert!(verify_detached("manifest.json", "manifest.json.sig", b"m", &bytes, |_| None).is_err());
    }
}
