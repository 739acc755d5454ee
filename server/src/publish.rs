//! Publishing: turning a content folder into the next signed release of a channel tree
//! (`publish`), and re-signing the current release with a new version and expiry when nothing
//! changed (`resign`, from cron, so a tree never expires just because nobody edited it).
//!
//! The content is checked by the same validator the app runs on install, so nothing is signed
//! that an app would refuse; the manifest is checked by the same rules an app applies, and the
//! signed release is verified before it is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use safeguarding_content::{check, ContentFiles};
use safeguarding_sync_format::{
    sha256_hex, sign_detached, validate_channel, validate_document_path, Caps, Document, Kind, Manifest, SCHEMA,
};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::keystore::{self, PublisherKeys};
use crate::prune::{self, PruneReport};
use crate::tree::{verify_release, Current, SignedRelease, Tree};

/// What `publish` needs to know.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub content: PathBuf,
    pub keys: PathBuf,
    pub channel: String,
    pub out: PathBuf,
    pub expires_in: Duration,
    /// The release's note for readers.
    pub notes: String,
    /// Editors' one-line notes for documents changed in this release, by path.
    pub document_notes: BTreeMap<String, String>,
    pub prune_older_than: Option<Duration>,
    pub now: DateTime<Utc>,
    /// The date the validator judges review dates by (the publisher's local date, as `content check`).
    pub today: NaiveDate,
}

/// What `resign` needs to know.
#[derive(Debug, Clone)]
pub struct ResignOptions {
    pub keys: PathBuf,
    pub out: PathBuf,
    pub expires_in: Duration,
    pub now: DateTime<Utc>,
}

/// The outcome; serialises to the `--json` contract
/// `{"channel","manifest_version","documents","new_blobs","bytes_written"}`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub channel: String,
    pub manifest_version: u64,
    pub documents: usize,
    pub new_blobs: usize,
    pub bytes_written: u64,
    /// Documents whose `changed_in` is this version.
    #[serde(skip)]
    pub changed: Vec<String>,
    #[serde(skip)]
    pub expires_at: DateTime<Utc>,
    /// Validator warnings and anything else the publisher should know, each a printable line; not errors.
    #[serde(skip)]
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub prune: PruneReport,
    /// Set when an interrupted earlier commit was completed first.
    #[serde(skip)]
    pub recovered: Option<u64>,
}

/// What publishing a set of content files needs: everything in [`PublishOptions`] but where the
/// files come from. The editors' service publishes releases it holds in its database this way.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub keys: PathBuf,
    pub channel: String,
    pub out: PathBuf,
    pub expires_in: Duration,
    pub notes: String,
    pub document_notes: BTreeMap<String, String>,
    /// Drop a document note whose file has not changed since the tree's last release, instead
    /// of refusing (the service's notes come from change summaries, not from a person at a
    /// terminal who mistyped a path).
    pub lenient_notes: bool,
    pub prune_older_than: Option<Duration>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

impl PublishOptions {
    fn release_options(&self) -> ReleaseOptions {
        ReleaseOptions {
            keys: self.keys.clone(),
            channel: self.channel.clone(),
            out: self.out.clone(),
            expires_in: self.expires_in,
            notes: self.notes.clone(),
            document_notes: self.document_notes.clone(),
            lenient_notes: false,
            prune_older_than: self.prune_older_than,
            now: self.now,
            today: self.today,
        }
    }
}

/// Validates `options.content` and publishes it as the next release of `options.out`.
pub fn publish(options: &PublishOptions) -> Result<Report> {
    validate_channel(&options.channel).map_err(|e| Error::Usage(e.to_string()))?;
    check_expiry(options.expires_in)?;
    // Keys before content: a bad keys folder is the first thing to hear about.
    keystore::load_for_publishing(&options.keys, options.now)?;
    let files = ContentFiles::from_dir(&options.content)?;
    publish_files(&files, &options.release_options())
}

/// Validates `files` and publishes them as the next release of `options.out`.
pub fn publish_files(files: &ContentFiles, options: &ReleaseOptions) -> Result<Report> {
    validate_channel(&options.channel).map_err(|e| Error::Usage(e.to_string()))?;
    check_expiry(options.expires_in)?;
    let keys = keystore::load_for_publishing(&options.keys, options.now)?;

    // Validate before touching the tree: refused content leaves it exactly as it was.
    let checked = check(files, options.today);
    if checked.diagnostics.has_errors() {
        return Err(Error::InvalidContent(checked.diagnostics));
    }
    // Displayed as `file:line: warning: message`, as `content check` prints them.
    let mut warnings: Vec<String> = checked.diagnostics.warnings().map(ToString::to_string).collect();

    let tree = Tree::new(&options.out);
    let lock = tree.lock()?;
    let recovered = tree.recover(&lock, &keys.roots)?;
    let previous = tree.current(&keys.roots)?;
    check_succession(previous.as_ref(), &keys, Some(&options.channel), &tree)?;

    let version = next_version(previous.as_ref())?;
    let documents = documents(
        files,
        previous.as_ref().map(|p| &p.manifest),
        version,
        &options.document_notes,
        options.lenient_notes,
    )?;
    let manifest = Manifest {
        schema: SCHEMA,
        channel: options.channel.clone(),
        manifest_version: version,
        published_at: options.now.trunc_subsecs(0),
        expires_at: options.now.trunc_subsecs(0) + options.expires_in,
        notes: options.notes.clone(),
        documents,
    };
    let release = sign(&manifest, &keys)?;
    warnings.extend(expiry_warning(&manifest, &keys));

    // Blobs first, all of them on disk before any manifest names them.
    let mut new_blobs = 0;
    let mut bytes_written = 0;
    for (_, bytes) in files.iter() {
        let sha = sha256_hex(bytes);
        let written = tree.put_blob(&sha, bytes)?;
        if written > 0 {
            new_blobs += 1;
            bytes_written += written;
        }
    }
    tree.sync_blobs()?;
    crash_point("publish:before-commit");
    bytes_written += tree.commit(&lock, &release)?;

    let live: BTreeSet<&str> = manifest.documents.iter().map(|d| d.sha256.as_str()).collect();
    let prune = prune::update(&tree, &lock, &live, options.now, options.prune_older_than)?;
    Ok(Report {
        channel: manifest.channel.clone(),
        manifest_version: version,
        documents: manifest.documents.len(),
        new_blobs,
        bytes_written,
        changed: manifest.changed_since(version - 1).map(|d| d.path.clone()).collect(),
        expires_at: manifest.expires_at,
        warnings,
        prune,
        recovered,
    })
}

/// Re-signs the tree's current release as the next version with a new expiry (and the keys
/// folder's current `keys.json`, so a rotated publisher key reaches the tree this way too).
pub fn resign(options: &ResignOptions) -> Result<Report> {
    check_expiry(options.expires_in)?;
    let keys = keystore::load_for_publishing(&options.keys, options.now)?;
    let tree = Tree::new(&options.out);
    if !tree.root().join(safeguarding_sync_format::MANIFEST_FILE).exists() {
        return Err(Error::Tree(format!("{} holds no release to re-sign; run `publish` first", tree.root().display())));
    }
    let lock = tree.lock()?;
    let recovered = tree.recover(&lock, &keys.roots)?;
    let previous = tree
        .current(&keys.roots)?
        .ok_or_else(|| Error::Tree(format!("{} holds no release to re-sign", tree.root().display())))?;
    check_succession(Some(&previous), &keys, None, &tree)?;
    // Every blob must still be there: a release is re-signed only if it can still be fetched whole.
    for doc in &previous.manifest.documents {
        if !tree.blob_path(&doc.sha256).is_file() {
            return Err(Error::Tree(format!(
                "blob {} for {} is missing from {}",
                doc.sha256,
                doc.path,
                tree.root().display()
            )));
        }
    }
    let version = next_version(Some(&previous))?;
    let now = options.now.trunc_subsecs(0);
    let manifest = Manifest {
        manifest_version: version,
        published_at: now,
        expires_at: now + options.expires_in,
        ..previous.manifest.clone()
    };
    let release = sign(&manifest, &keys)?;
    let mut warnings = Vec::new();
    warnings.extend(expiry_warning(&manifest, &keys));
    let bytes_written = tree.commit(&lock, &release)?;
    let live: BTreeSet<&str> = manifest.documents.iter().map(|d| d.sha256.as_str()).collect();
    let prune = prune::update(&tree, &lock, &live, options.now, None)?;
    Ok(Report {
        channel: manifest.channel.clone(),
        manifest_version: version,
        documents: manifest.documents.len(),
        new_blobs: 0,
        bytes_written,
        changed: Vec::new(),
        expires_at: manifest.expires_at,
        warnings,
        prune,
        recovered,
    })
}

/// Which kind a content file is, by where it lives.
pub fn kind_for_path(path: &str) -> Kind {
    if path.starts_with("guidance/") && path.ends_with(".md") {
        Kind::Page
    } else if path.starts_with("contacts/") {
        Kind::Contacts
    } else {
        Kind::File
    }
}

/// One document per content file. `changed_in` (and the editor's note) carry over from the
/// previous release when the bytes are the same; otherwise the document changed in `version`.
fn documents(
    files: &ContentFiles,
    previous: Option<&Manifest>,
    version: u64,
    notes: &BTreeMap<String, String>,
    lenient_notes: bool,
) -> Result<Vec<Document>> {
    let mut documents = Vec::with_capacity(files.len());
    for (path, bytes) in files.iter() {
        validate_document_path(path)
            .map_err(|reason| Error::Usage(format!("{path}: cannot be published: {reason}")))?;
        let sha256 = sha256_hex(bytes);
        let unchanged = previous.and_then(|m| m.document(path)).filter(|d| d.sha256 == sha256);
        let (changed_in, note) = match unchanged {
            Some(prev) => {
                if notes.contains_key(path) && !lenient_notes {
                    return Err(Error::Usage(format!(
                        "--note for {path}: it has not changed since version {}",
                        prev.changed_in
                    )));
                }
                (prev.changed_in, prev.note.clone())
            }
            None => (version, notes.get(path).cloned()),
        };
        documents.push(Document {
            path: path.to_string(),
            kind: kind_for_path(path),
            sha256,
            size: bytes.len() as u64,
            changed_in,
            note,
        });
    }
    // ContentFiles iterates in path order, which is the manifest's order.
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(path) = notes.keys().find(|p| !lenient_notes && !documents.iter().any(|d| &d.path == *p)) {
        return Err(Error::Usage(format!("--note for {path}: no such content file")));
    }
    Ok(documents)
}

/// Signs the manifest and checks the result exactly as an app will, before anything is written.
fn sign(manifest: &Manifest, keys: &PublisherKeys) -> Result<SignedRelease> {
    let here = Path::new(safeguarding_sync_format::MANIFEST_FILE);
    manifest.validate(&Caps::DEFAULT).map_err(Error::format(here))?;
    let manifest_json = manifest.to_json();
    let manifest_sig = sign_detached(&manifest_json, &[&keys.publisher]);
    let release = SignedRelease {
        keys_json: keys.keys_json.clone(),
        keys_sig: keys.keys_sig.clone(),
        manifest_json,
        manifest_sig,
    };
    verify_release(&release, &keys.roots).map_err(Error::format(here))?;
    Ok(release)
}

/// The rules between the release in the tree and the next one: same channel, and the keys
/// folder's delegation no older than the tree's (an old keys folder would roll keys back).
fn check_succession(
    previous: Option<&Current>,
    keys: &PublisherKeys,
    channel: Option<&str>,
    tree: &Tree,
) -> Result<()> {
    let Some(previous) = previous else { return Ok(()) };
    if let Some(channel) = channel {
        if previous.manifest.channel != channel {
            return Err(Error::Tree(format!(
                "{} is the '{}' channel, not '{channel}': each channel has its own tree",
                tree.root().display(),
                previous.manifest.channel
            )));
        }
    }
    if keys.delegation.version() < previous.delegation.version() {
        return Err(Error::Keys(format!(
            "the keys folder's keys.json is version {} but {} already publishes version {}: this is an old keys folder",
            keys.delegation.version(),
            tree.root().display(),
            previous.delegation.version()
        )));
    }
    Ok(())
}

fn next_version(previous: Option<&Current>) -> Result<u64> {
    match previous {
        None => Ok(1),
        Some(p) => p
            .manifest
            .manifest_version
            .checked_add(1)
            .ok_or_else(|| Error::Tree("manifest_version cannot be increased further".into())),
    }
}

fn check_expiry(expires_in: Duration) -> Result<()> {
    if expires_in < Duration::hours(1) || expires_in > Duration::days(366) {
        return Err(Error::Usage("--expires-in-days must be between 1 and 366".into()));
    }
    Ok(())
}

fn expiry_warning(manifest: &Manifest, keys: &PublisherKeys) -> Option<String> {
    (keys.delegation.expires_at() < manifest.expires_at).then(|| {
        format!(
            "warning: keys.json expires at {}, before this manifest ({}): apps will stop accepting the release \
             then unless `keys rotate-publisher` renews the delegation",
            keys.delegation.expires_at(),
            manifest.expires_at
        )
    })
}

/// A test hook: when `SAFEGUARDING_SERVER_CRASH_AT` names this point, the process aborts here,
/// as a power cut or `kill -9` would, so tests can show that a crash mid-publish leaves the
/// previous release intact. Unset (always, outside tests) it costs one environment lookup.
pub fn crash_point(name: &str) {
    if std::env::var_os("SAFEGUARDING_SERVER_CRASH_AT").is_some_and(|v| v == name) {
        eprintln!("safeguarding-server: crashing at {name} (SAFEGUARDING_SERVER_CRASH_AT)");
        std::process::abort();
    }
}
