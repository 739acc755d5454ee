//! Publishing approved changes into the signed channel trees under `DATA/channels/<name>/`.
//!
//! - **staging**: every approved change is applied to the newest release; the result is checked
//!   whole by the app's validator, signed as the staging tree's next manifest, and then recorded
//!   as the next release (its changes become `published`).
//! - **production**: "promote" publishes the release staging has, the same files (so the same
//!   blobs), signed again for the production channel. Nothing reaches production that was not
//!   on staging first.
//! - a timer re-signs any channel whose manifest is older than `resign_every`, so a channel
//!   never expires just because nobody edited anything.
//!
//! The tree is written before the database records the release: a crash between the two
//! leaves a tree one version ahead of the records, and the next publish simply signs the same
//! content again at a higher version. A crash while the tree is written leaves the previous
//! release served (see `tree`), and the approved changes still approved.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Local, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use safeguarding_sync_format::MAX_NOTES_BYTES;
use serde::Serialize;

use super::audit::{self, Entry};
use super::check::{apply, base_of, check_release};
use super::directories::{is_directory, unbundle};
use super::store::{insert_release, load_release};
use super::workflow::approved;
use super::{now_secs, Actor, Editors, Error, Result, Role};
use crate::publish::{self, ReleaseOptions, ResignOptions};

pub const STAGING: &str = "staging";
pub const PRODUCTION: &str = "production";
/// The channels the service publishes, in the order content moves through them.
pub const CHANNELS: [&str; 2] = [STAGING, PRODUCTION];
pub const CHANNELS_DIR: &str = "channels";

/// Where a channel stands.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub name: String,
    /// The release its tree carries, if it has been published.
    pub release: Option<i64>,
    pub manifest_version: Option<u64>,
    pub published_at: Option<String>,
    pub expires_at: Option<String>,
    /// Where a client syncs from, relative to this server.
    pub url: String,
}

/// What a publish did.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub channel: String,
    pub manifest_version: u64,
    pub release: i64,
    /// Changes this publish made `published` (staging only).
    pub changes: Vec<i64>,
    pub documents: usize,
    pub new_blobs: usize,
}

/// The newest publication of `channel`: (release, manifest_version).
fn last_publication(db: &Connection, channel: &str) -> Result<Option<(i64, u64)>> {
    Ok(db
        .query_row(
            "SELECT release, manifest_version FROM publications WHERE channel = ?1 ORDER BY id DESC LIMIT 1",
            [channel],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?
        .map(|(release, version)| (release, u64::try_from(version).unwrap_or(0))))
}

fn truncate_bytes(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.len() + c.len_utf8() > max {
            break;
        }
        out.push(c);
    }
    out
}

impl Editors {
    fn keys_dir(&self) -> Result<PathBuf> {
        self.keys.clone().ok_or_else(|| Error::Internal("this server was started without --keys".into()))
    }

    /// The tree folder of a channel this service publishes; `None` for any other name, so a
    /// request's channel name is never joined to a path unless it is one of [`CHANNELS`].
    pub fn channel_tree(&self, name: &str) -> Option<PathBuf> {
        CHANNELS.iter().find(|c| **c == name).map(|c| self.data.join(CHANNELS_DIR).join(c))
    }

    pub fn channels(&self) -> Result<Vec<Status>> {
        let db = self.db();
        let mut out = Vec::new();
        for name in CHANNELS {
            let last = last_publication(&db, name)?;
            let (published_at, expires_at) = self.manifest_times(name);
            out.push(Status {
                name: name.to_string(),
                release: last.map(|l| l.0),
                manifest_version: last.map(|l| l.1),
                published_at,
                expires_at,
                url: format!("/{CHANNELS_DIR}/{name}"),
            });
        }
        Ok(out)
    }

    /// The published and expiry times in a channel's manifest, read as the tree holds it.
    fn manifest_times(&self, channel: &str) -> (Option<String>, Option<String>) {
        let Some(dir) = self.channel_tree(channel) else { return (None, None) };
        let Ok(bytes) = std::fs::read(dir.join(safeguarding_sync_format::MANIFEST_FILE)) else { return (None, None) };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return (None, None) };
        let get = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
        (get("published_at"), get("expires_at"))
    }

    /// Publishes to `channel`: approved changes to staging, or staging's release to production.
    pub fn publish(&self, actor: &Actor, channel: &str) -> Result<Published> {
        actor.require(Role::Approver, "publish")?;
        let _one_at_a_time = self.publishing.lock().unwrap_or_else(|e| e.into_inner());
        match channel {
            STAGING => self.publish_staging(actor),
            PRODUCTION => self.promote(actor),
            other => Err(Error::NotFound(format!("no channel '{other}': use staging or production"))),
        }
    }

    fn release_options(
        &self,
        channel: &str,
        notes: String,
        document_notes: BTreeMap<String, String>,
    ) -> Result<ReleaseOptions> {
        Ok(ReleaseOptions {
            keys: self.keys_dir()?,
            channel: channel.to_string(),
            out: self.channel_tree(channel).ok_or_else(|| Error::NotFound(format!("no channel '{channel}'")))?,
            expires_in: self.config.manifest_lifetime,
            notes: truncate_bytes(&notes, MAX_NOTES_BYTES),
            document_notes,
            lenient_notes: true,
            prune_older_than: None,
            now: Utc::now(),
            today: Local::now().date_naive(),
        })
    }

    fn publish_staging(&self, actor: &Actor) -> Result<Published> {
        let latest = self.require_latest()?;
        let (changes, staged) = {
            let db = self.db();
            (approved(&db)?, last_publication(&db, STAGING)?)
        };
        if changes.is_empty() && staged.is_some_and(|(release, _)| release == latest.number) {
            return Err(Error::Conflict(format!(
                "nothing to publish: staging already has release {} and no change is approved",
                latest.number
            )));
        }
        let mut files = latest.files.clone();
        let mut notes = BTreeMap::new();
        let mut summaries = Vec::new();
        for change in &changes {
            // Approval checked this; checked again because publishing is where it matters.
            if base_of(&files, &change.path) != change.base_sha256 {
                return Err(Error::Conflict(format!(
                    "change {} was approved against a different version of {}: its author must save it again",
                    change.id, change.path
                )));
            }
            files = apply(&files, &change.path, change.source.as_deref());
            if !change.summary.is_empty() {
                if let Some(source) = change.source.as_deref() {
                    if is_directory(&change.path) {
                        // The manifest's notes are per file: each file the directory change holds.
                        for name in unbundle(source)?.keys() {
                            notes.insert(format!("{}{name}", change.path), change.summary.clone());
                        }
                    } else {
                        notes.insert(change.path.clone(), change.summary.clone());
                    }
                }
                summaries.push(change.summary.clone());
            }
        }
        let problems = check_release(&files, Local::now().date_naive());
        if !problems.is_empty() {
            return Err(Error::Problems {
                message: "the release would have errors; nothing was published".into(),
                problems,
            });
        }
        let release_notes = if summaries.is_empty() { "Content update".to_string() } else { summaries.join("\n") };
        let report = publish::publish_files(&files, &self.release_options(STAGING, release_notes.clone(), notes)?)?;

        let mut db = self.db();
        let tx = db.transaction()?;
        let release = if changes.is_empty() {
            latest.number
        } else {
            insert_release(&tx, &files, actor.user_id, &release_notes)?
        };
        let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
        for id in &ids {
            tx.execute(
                "UPDATE changes SET state = 'published', release = ?1, updated_at = ?2 WHERE id = ?3 AND state = 'approved'",
                params![release, now_secs(), id],
            )?;
        }
        record_publication(&tx, STAGING, report.manifest_version, release, "publish", actor)?;
        let detail = format!("manifest_version {}, release {release}, changes {ids:?}", report.manifest_version);
        audit::record(&tx, actor, Entry::new("channel.publish", format!("channel:{STAGING}"), detail))?;
        tx.commit()?;
        Ok(Published {
            channel: STAGING.into(),
            manifest_version: report.manifest_version,
            release,
            changes: ids,
            documents: report.documents,
            new_blobs: report.new_blobs,
        })
    }

    fn promote(&self, actor: &Actor) -> Result<Published> {
        let (staged, live) = {
            let db = self.db();
            (last_publication(&db, STAGING)?, last_publication(&db, PRODUCTION)?)
        };
        let Some((release, _)) = staged else {
            return Err(Error::Conflict("nothing on staging yet: publish to staging first".into()));
        };
        if live.is_some_and(|(r, _)| r == release) {
            return Err(Error::Conflict(format!("production already has release {release}, the one on staging")));
        }
        let (view, previous, notes_text, summaries) = {
            let db = self.db();
            let view =
                load_release(&db, release)?.ok_or_else(|| Error::Internal(format!("release {release} is missing")))?;
            let previous = match live {
                Some((r, _)) => load_release(&db, r)?,
                None => None,
            };
            let notes_text: String =
                db.query_row("SELECT notes FROM releases WHERE number = ?1", [release], |r| r.get(0))?;
            // Each file's note: the summary of the latest change to it since production's release.
            let mut stmt = db.prepare(
                "SELECT path, summary FROM changes WHERE state = 'published' AND release > ?1 AND release <= ?2
                 AND summary != '' ORDER BY release, id",
            )?;
            let summaries = stmt
                .query_map(params![live.map(|l| l.0).unwrap_or(0), release], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            (view, previous, notes_text, summaries)
        };
        let notes: BTreeMap<String, String> = summaries
            .into_iter()
            .filter(|(path, _)| previous.as_ref().is_none_or(|p| p.shas.get(path) != view.shas.get(path)))
            .collect();
        let problems = check_release(&view.files, Local::now().date_naive());
        if !problems.is_empty() {
            return Err(Error::Problems {
                message: "the staged release has errors today; nothing was promoted".into(),
                problems,
            });
        }
        let report = publish::publish_files(&view.files, &self.release_options(PRODUCTION, notes_text, notes)?)?;
        let db = self.db();
        record_publication(&db, PRODUCTION, report.manifest_version, release, "promote", actor)?;
        let detail = format!("manifest_version {}, release {release}", report.manifest_version);
        audit::record(&db, actor, Entry::new("channel.promote", format!("channel:{PRODUCTION}"), detail))?;
        Ok(Published {
            channel: PRODUCTION.into(),
            manifest_version: report.manifest_version,
            release,
            changes: Vec::new(),
            documents: report.documents,
            new_blobs: report.new_blobs,
        })
    }

    /// Re-signs every channel whose manifest was signed more than `resign_every` ago. Called
    /// by the server's timer; returns the channels re-signed and their new versions.
    pub fn resign_due(&self, now: DateTime<Utc>) -> Result<Vec<(String, u64)>> {
        let _one_at_a_time = self.publishing.lock().unwrap_or_else(|e| e.into_inner());
        let keys = self.keys_dir()?;
        let every = chrono::Duration::from_std(self.config.resign_every).unwrap_or(chrono::Duration::days(1));
        let mut done = Vec::new();
        for channel in CHANNELS {
            let Some(out) = self.channel_tree(channel) else { continue };
            let (Some(published_at), _) = self.manifest_times(channel) else { continue };
            let Ok(published_at) = DateTime::parse_from_rfc3339(&published_at) else { continue };
            if now.signed_duration_since(published_at.with_timezone(&Utc)) < every {
                continue;
            }
            let options = ResignOptions { keys: keys.clone(), out, expires_in: self.config.manifest_lifetime, now };
            let report = publish::resign(&options)?;
            let db = self.db();
            let release = last_publication(&db, channel)?.map(|l| l.0);
            if let Some(release) = release {
                record_publication(&db, channel, report.manifest_version, release, "resign", &Actor::scheduler())?;
            }
            let detail = format!("manifest_version {}, expires {}", report.manifest_version, report.expires_at);
            audit::record(
                &db,
                &Actor::scheduler(),
                Entry::new("channel.resign", format!("channel:{channel}"), detail),
            )?;
            done.push((channel.to_string(), report.manifest_version));
        }
        Ok(done)
    }
}

fn record_publication(
    db: &Connection,
    channel: &str,
    version: u64,
    release: i64,
    kind: &str,
    actor: &Actor,
) -> Result<()> {
    db.execute(
        "INSERT INTO publications (channel, manifest_version, release, kind, at, by_user) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![channel, i64::try_from(version).unwrap_or(i64::MAX), release, kind, now_secs(), actor.user_id],
    )?;
    Ok(())
}

/// When a channel was last published, for pages.
pub fn describe(status: &Status) -> String {
    match (status.release, status.manifest_version) {
        (Some(r), Some(v)) => format!("release {r}, manifest version {v}"),
        _ => "not published yet".into(),
    }
}
