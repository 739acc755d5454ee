//! `keys.json`: the root keys' delegation to the online publisher keys. It has its own version
//! and expiry, so a publisher key can be replaced (or withdrawn) without an app release, and a
//! root key, kept offline, signs nothing else.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::caps::{Caps, MAX_PUBLISHER_KEYS};
use crate::keyfile::decode_public_key;
use crate::names::KEYS_FILE;
use crate::{key_id, public_key_to_text, Error, VerifyingKey};

/// `keys.json` as written. Unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysDoc {
    /// Strictly increasing across rotations.
    pub version: u64,
    #[serde(with = "crate::time::rfc3339")]
    pub expires_at: DateTime<Utc>,
    pub publisher_keys: Vec<PublisherKey>,
}

/// One delegated publisher key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherKey {
    /// [`key_id`] of the key; must match it.
    pub id: String,
    /// Base64 of the 32 public key bytes.
    pub public_key: String,
}

/// What a verified `keys.json` says: which publisher keys may sign manifests, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    version: u64,
    expires_at: DateTime<Utc>,
    keys: Vec<(String, VerifyingKey)>,
}

impl KeysDoc {
    /// A delegation to `keys`, with ids computed from them.
    pub fn new(version: u64, expires_at: DateTime<Utc>, keys: &[VerifyingKey]) -> KeysDoc {
        let publisher_keys = keys
            .iter()
            .map(|k| PublisherKey { id: key_id(k), public_key: public_key_to_text(k).trim_end().to_string() })
            .collect();
        KeysDoc { version, expires_at, publisher_keys }
    }

    /// The bytes to sign and publish (pretty JSON and a final newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes =
            serde_json::to_vec_pretty(self).expect("keys.json (strings, numbers, a time) always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Every rule `keys.json` must meet; the publisher runs it before the root signs.
    pub fn validate(&self) -> Result<Delegation, Error> {
        let bad = |reason: String| Err(Error::malformed(KEYS_FILE, reason));
        if self.version == 0 {
            return bad("version starts at 1".into());
        }
        if self.publisher_keys.is_empty() {
            return bad("delegates to no publisher key".into());
        }
        if self.publisher_keys.len() > MAX_PUBLISHER_KEYS {
            return bad(format!("delegates to {} keys; the limit is {MAX_PUBLISHER_KEYS}", self.publisher_keys.len()));
        }
        let mut seen = BTreeSet::new();
        let mut keys = Vec::with_capacity(self.publisher_keys.len());
        for pk in &self.publisher_keys {
            let key = decode_public_key(&pk.public_key).map_err(|e| Error::malformed(KEYS_FILE, e.to_string()))?;
            let id = key_id(&key);
            if pk.id != id {
                return bad(format!("key id {:?} does not match its public key (expected {id})", pk.id));
            }
            if !seen.insert(id.clone()) {
                return bad(format!("key {id} is listed twice"));
            }
            keys.push((id, key));
        }
        Ok(Delegation { version: self.version, expires_at: self.expires_at, keys })
    }

    pub(crate) fn parse(bytes: &[u8], caps: &Caps) -> Result<KeysDoc, Error> {
        Caps::check(KEYS_FILE, bytes.len() as u64, caps.max_keys_bytes)?;
        serde_json::from_slice(bytes).map_err(|e| Error::malformed(KEYS_FILE, e.to_string()))
    }
}

impl Delegation {
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// Ids of the delegated publisher keys.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(id, _)| id.as_str())
    }

    /// The delegated key with this id.
    pub fn key(&self, id: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }

    /// Whether `key` is one of the delegated publisher keys.
    pub fn delegates(&self, key: &VerifyingKey) -> bool {
        self.keys.iter().any(|(_, k)| k == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SigningKey;

    fn key(seed: u8) -> VerifyingKey {
        SigningKey::from_bytes(&[seed; 32]).verifying_key()
    }

    #[test]
    fn round_trip_and_rules() {
        let doc = KeysDoc::new(2, "2027-12-01T00:00:00Z".parse().expect("time"), &[key(1), key(2)]);
        let parsed = KeysDoc::parse(&doc.to_json(), &Caps::DEFAULT).expect("parses");
        assert_eq!(parsed, doc);
        let d = parsed.validate().expect("valid");
        assert_eq!(d.version(), 2);
        assert!(d.delegates(&key(1)) && d.delegates(&key(2)) && !d.delegates(&key(3)));
        assert_eq!(d.key(&key_id(&key(2))), Some(&key(2)));

        let mut wrong_id = doc.clone();
        wrong_id.publisher_keys[0].id = key_id(&key(3));
        assert!(wrong_id.validate().is_err());
        let mut twice = doc.clone();
        twice.publisher_keys[1] = twice.publisher_keys[0].clone();
        assert!(twice.validate().is_err());
        let mut none = doc.clone();
        none.publisher_keys.clear();
        assert!(none.validate().is_err());
        let mut zero = doc.clone();
        zero.version = 0;
        assert!(zero.validate().is_err());
        let mut short = doc;
        short.publisher_keys[0].public_key = "AAAA".into();
        assert!(short.validate().is_err());
    }
}
