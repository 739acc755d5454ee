//! `manifest.json`: one release of one channel, naming every document by path, kind, hash and
//! size. One manifest covers the whole release, so a client applies all of it or none.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::caps::Caps;
use crate::names::{validate_channel, validate_document_path, validate_note, validate_notes, MANIFEST_FILE};
use crate::{is_sha256_hex, sha256_hex, Error};

/// The manifest schema this code reads and writes. A change an older app must understand bumps
/// it, and older apps then refuse the manifest (keeping their content) instead of misreading it.
pub const SCHEMA: u32 = 1;

/// One release of a channel. Unknown fields are ignored, so optional additions need no new schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub channel: String,
    /// Strictly increasing per channel: the rollback guard.
    pub manifest_version: u64,
    #[serde(with = "crate::time::rfc3339")]
    pub published_at: DateTime<Utc>,
    /// After this the app keeps the content but shows it as possibly out of date.
    #[serde(with = "crate::time::rfc3339")]
    pub expires_at: DateTime<Utc>,
    /// The release's note for readers ("What changed"); may be empty.
    pub notes: String,
    /// Sorted by path, each path once.
    pub documents: Vec<Document>,
}

/// One content file of the release, stored as `blobs/<sha256>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Relative to the content root, with `/`: `guidance/mca/mca-dols.md`.
    pub path: String,
    pub kind: Kind,
    /// 64 lower-case hex digits; also the blob's file name.
    pub sha256: String,
    /// Exact size in bytes; a download stops as soon as it passes this.
    pub size: u64,
    /// The manifest version this document last changed in ("Updated since you last looked").
    pub changed_in: u64,
    /// The editor's one-line summary of that change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a document is, so a client can tell what a release touches without reading the blobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A guidance page.
    Page,
    /// A file of a contacts directory or the national helplines.
    Contacts,
    /// Any other content file (topics, search synonyms).
    File,
}

impl Manifest {
    /// Parses and validates bytes whose signature has already been checked.
    pub(crate) fn parse(bytes: &[u8], caps: &Caps) -> Result<Manifest, Error> {
        Caps::check(MANIFEST_FILE, bytes.len() as u64, caps.max_manifest_bytes)?;
        // The schema is read first, alone, so a newer manifest is reported as such rather than as
        // whatever field it changed.
        #[derive(Deserialize)]
        struct SchemaOnly {
            schema: u32,
        }
        let schema: SchemaOnly =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(MANIFEST_FILE, e.to_string()))?;
        if schema.schema != SCHEMA {
            return Err(Error::UnsupportedSchema { what: MANIFEST_FILE, found: schema.schema, supported: SCHEMA });
        }
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| Error::malformed(MANIFEST_FILE, e.to_string()))?;
        manifest.validate(caps)?;
        Ok(manifest)
    }

    /// Every rule a manifest must meet. The publisher runs this before signing, so it never signs
    /// what an app would refuse.
    pub fn validate(&self, caps: &Caps) -> Result<(), Error> {
        let bad = |reason: String| Err(Error::malformed(MANIFEST_FILE, reason));
        if self.schema != SCHEMA {
            return Err(Error::UnsupportedSchema { what: MANIFEST_FILE, found: self.schema, supported: SCHEMA });
        }
        if let Err(Error::Malformed { reason, .. }) = validate_channel(&self.channel) {
            return bad(format!("channel: {reason}"));
        }
        if self.manifest_version == 0 {
            return bad("manifest_version starts at 1".into());
        }
        if self.expires_at <= self.published_at {
            return bad("expires_at is not after published_at".into());
        }
        if let Err(reason) = validate_notes(&self.notes) {
            return bad(reason);
        }
        if self.documents.len() > caps.max_documents {
            return Err(Error::TooLarge {
                what: "manifest's document list",
                size: self.documents.len() as u64,
                limit: caps.max_documents as u64,
            });
        }
        let mut total: u64 = 0;
        let mut previous: Option<&str> = None;
        for doc in &self.documents {
            if let Err(reason) = validate_document_path(&doc.path) {
                return bad(format!("document path: {reason}"));
            }
            if previous.is_some_and(|p| p >= doc.path.as_str()) {
                return bad(format!("documents are not sorted by path with each path once (at {:?})", doc.path));
            }
            previous = Some(&doc.path);
            if !is_sha256_hex(&doc.sha256) {
                return bad(format!("{}: sha256 is not 64 lower-case hex digits", doc.path));
            }
            Caps::check("a document's declared size", doc.size, caps.max_blob_bytes)?;
            total = total.saturating_add(doc.size);
            if doc.changed_in == 0 || doc.changed_in > self.manifest_version {
                return bad(format!(
                    "{}: changed_in {} is not between 1 and manifest_version {}",
                    doc.path, doc.changed_in, self.manifest_version
                ));
            }
            if let Some(note) = &doc.note {
                if let Err(reason) = validate_note(note) {
                    return bad(format!("{}: {reason}", doc.path));
                }
            }
        }
        Caps::check("the release's total declared size", total, caps.max_total_bytes)?;
        Ok(())
    }

    /// The bytes to sign and publish: pretty JSON (it is read in reviews and diffs) and a final
    /// newline. Signatures cover these exact bytes; nobody re-serialises a manifest to check it.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes =
            serde_json::to_vec_pretty(self).expect("a manifest (strings, numbers, times) always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Whether `now` is at or past `expires_at`. An expired manifest is still authentic: the app
    /// keeps using it and says it may be out of date.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// The document at `path`, if the release has one.
    pub fn document(&self, path: &str) -> Option<&Document> {
        // Sorted by path (validated), so a binary search is exact.
        self.documents.binary_search_by(|d| d.path.as_str().cmp(path)).ok().map(|i| &self.documents[i])
    }

    /// The sum of every document's size: what a first sync downloads.
    pub fn total_size(&self) -> u64 {
        self.documents.iter().fold(0u64, |sum, d| sum.saturating_add(d.size))
    }

    /// Documents that changed after `version` (the one the reader last looked at).
    pub fn changed_since(&self, version: u64) -> impl Iterator<Item = &Document> {
        self.documents.iter().filter(move |d| d.changed_in > version)
    }
}

impl Document {
    /// Checks downloaded or cached bytes against this entry: size first (cheap, and a longer
    /// stream is refused without hashing it), then sha256.
    pub fn verify_blob(&self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() as u64 != self.size {
            return Err(Error::BlobMismatch {
                path: self.path.clone(),
                reason: format!("{} bytes, the manifest says {}", bytes.len(), self.size),
            });
        }
        let actual = sha256_hex(bytes);
        if actual != self.sha256 {
            return Err(Error::BlobMismatch { path: self.path.clone(), reason: format!("sha256 is {actual}") });
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Manifest {
        let page = b"+++\nid = \"x\"\n+++\n";
        Manifest {
            schema: SCHEMA,
            channel: "production".into(),
            manifest_version: 3,
            published_at: "2026-12-01T09:00:00Z".parse().expect("time"),
            expires_at: "2026-12-31T09:00:00Z".parse().expect("time"),
            notes: "DoLS pages updated for [2026] UKSC 16".into(),
            documents: vec![
                Document {
                    path: "guidance/mca/mca-dols.md".into(),
                    kind: Kind::Page,
                    sha256: sha256_hex(page),
                    size: page.len() as u64,
                    changed_in: 3,
                    note: Some("Cheshire West overruled".into()),
                },
                Document {
                    path: "topics.toml".into(),
                    kind: Kind::File,
                    sha256: sha256_hex(b"t"),
                    size: 1,
                    changed_in: 1,
                    note: None,
                },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let m = sample();
        let bytes = m.to_json();
        assert_eq!(Manifest::parse(&bytes, &Caps::DEFAULT), Ok(m.clone()));
        let text = String::from_utf8(bytes).expect("utf8");
        assert!(text.contains("\"published_at\": \"2026-12-01T09:00:00Z\""));
        assert!(text.contains("\"kind\": \"page\""));
        assert_eq!(m.document("topics.toml").map(|d| d.changed_in), Some(1));
        assert_eq!(m.document("nope"), None);
        assert_eq!(m.changed_since(2).count(), 1);
    }

    fn refused(f: impl FnOnce(&mut Manifest)) -> Error {
        let mut m = sample();
        f(&mut m);
        Manifest::parse(&m.to_json(), &Caps::DEFAULT).expect_err("should be refused")
    }

    #[test]
    fn field_rules() {
        assert_eq!(refused(|m| m.schema = 2).kind(), "unsupported_schema");
        assert_eq!(refused(|m| m.manifest_version = 0).kind(), "malformed");
        assert_eq!(refused(|m| m.channel = "Prod/../x".into()).kind(), "malformed");
        assert_eq!(refused(|m| m.expires_at = m.published_at).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].path = "../etc/passwd".into()).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].path = "/abs".into()).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[1].path = m.documents[0].path.clone()).kind(), "malformed");
        assert_eq!(refused(|m| m.documents.reverse()).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].sha256 = m.documents[0].sha256.to_uppercase()).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].changed_in = 4).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].changed_in = 0).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].note = Some("a\nb".into())).kind(), "malformed");
        assert_eq!(refused(|m| m.documents[0].size = Caps::DEFAULT.max_blob_bytes + 1).kind(), "too_large");
    }

    #[test]
    fn caps() {
        let m = sample();
        let bytes = m.to_json();
        let tight = Caps { max_manifest_bytes: bytes.len() as u64 - 1, ..Caps::DEFAULT };
        assert_eq!(Manifest::parse(&bytes, &tight).map_err(|e| e.kind()), Err("too_large"));
        let one = Caps { max_documents: 1, ..Caps::DEFAULT };
        assert_eq!(Manifest::parse(&bytes, &one).map_err(|e| e.kind()), Err("too_large"));
        let total = Caps { max_total_bytes: m.total_size() - 1, ..Caps::DEFAULT };
        assert_eq!(Manifest::parse(&bytes, &total).map_err(|e| e.kind()), Err("too_large"));
    }

    #[test]
    fn not_json_or_wrong_types() {
        for bad in [&b""[..], b"null", b"[]", b"{\"schema\":1}", b"{\"schema\":\"1\"}", b"\xff\xfe"] {
            assert!(Manifest::parse(bad, &Caps::DEFAULT).is_err());
        }
        let dup = br#"{"schema":1,"schema":1}"#;
        assert!(Manifest::parse(dup, &Caps::DEFAULT).is_err());
    }

    #[test]
    fn blobs() {
        let m = sample();
        let doc = &m.documents[0];
        assert_eq!(doc.verify_blob(b"+++\nid = \"x\"\n+++\n"), Ok(()));
        assert_eq!(doc.verify_blob(b"+++\nid = \"y\"\n+++\n").map_err(|e| e.kind()), Err("blob_mismatch"));
        assert_eq!(doc.verify_blob(b"short").map_err(|e| e.kind()), Err("blob_mismatch"));
    }

    #[test]
    fn expiry() {
        let m = sample();
        assert!(!m.is_expired(m.published_at));
        assert!(m.is_expired(m.expires_at));
    }
}
