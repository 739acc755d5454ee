//! The editors' service: accounts and sessions, drafts and their review by a second person,
//! publishing approved changes into the signed channel trees, and the audit log of all of it.
//!
//! Everything here is synchronous and takes `&self`: the HTTP side calls it from
//! `spawn_blocking`, the CLI calls it directly. One SQLite connection behind a mutex is plenty
//! for a handful of editors and keeps every write serialised; password hashing and publishing
//! run outside that lock.
//!
//! | module | owns |
//! |---|---|
//! | `db` | the SQLite file, migrations, backup |
//! | `accounts` | users, roles, argon2id passwords |
//! | `sessions` | session tokens (stored hashed), CSRF tokens, expiry |
//! | `throttle` | failed-login limits per account and per address |
//! | `areas` | one contacts area as form fields, written back into its TOML |
//! | `audit` | the append-only log of actions, its CSV export |
//! | `store` | published releases: content blobs, each release's files, page listings |
//! | `workflow` | changes (drafts), submission, review, comments, the four-eyes rule |
//! | `check` | validating a change in the context of the published release; previews |
//! | `directories` | a contacts directory changed as one unit (CSV upload) |
//! | `render` | the Block model as escaped HTML |
//! | `diff` | line diffs |
//! | `channels` | publishing to staging, promoting to production, scheduled re-signing |
//! | `review` | the review dashboard (review dates, superseded law) |

pub mod accounts;
pub mod areas;
pub mod audit;
pub mod channels;
pub mod check;
pub mod db;
pub mod diff;
pub mod directories;
pub mod render;
pub mod review;
pub mod sessions;
pub mod store;
pub mod throttle;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;
use serde::Serialize;

pub use accounts::{Role, Roles, User};
pub use sessions::Session;

/// How the service behaves; the defaults are the production ones.
#[derive(Debug, Clone)]
pub struct Config {
    /// A session unused for this long is over.
    pub session_idle: Duration,
    /// A session is over this long after login, however busy.
    pub session_lifetime: Duration,
    /// Mark cookies `Secure` (the service is reached over HTTPS, e.g. behind a TLS proxy).
    pub secure_cookies: bool,
    /// Trust the last `X-Forwarded-For` hop as the client's address (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Validity of each signed manifest.
    pub manifest_lifetime: chrono::Duration,
    /// Re-sign a channel whose manifest is older than this, even if nothing changed.
    pub resign_every: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            session_idle: Duration::from_secs(30 * 60),
            session_lifetime: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            trust_forwarded_for: false,
            manifest_lifetime: chrono::Duration::days(30),
            resign_every: Duration::from_secs(24 * 3600),
        }
    }
}

/// Why a request was refused or failed. The HTTP side maps each to one status code; the
/// message is safe to show to the person who asked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("log in first")]
    Unauthenticated,
    /// A refused login. One message for every reason, so it says nothing about accounts.
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// A request that is well-formed but not acceptable (a bad role name, an empty comment).
    #[error("{0}")]
    Invalid(String),
    /// Content that the validator refuses, with every problem.
    #[error("{message}")]
    Problems { message: String, problems: Vec<check::Problem> },
    #[error("too many failed logins; try again in {retry_after} seconds")]
    TooManyAttempts { retry_after: u64 },
    /// A fault on our side (the database, the disk, the keys); logged, shown only as a summary.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::BadCredentials => "bad_credentials",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Invalid(_) => "invalid",
            Error::Problems { .. } => "invalid_content",
            Error::TooManyAttempts { .. } => "too_many_attempts",
            Error::Internal(_) => "internal",
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Internal(format!("database: {e}"))
    }
}

impl From<crate::Error> for Error {
    fn from(e: crate::Error) -> Error {
        match e {
            crate::Error::InvalidContent(d) => Error::Problems {
                message: "the release has errors; nothing was published".into(),
                problems: d.iter().map(check::Problem::from).collect(),
            },
            crate::Error::Busy(_) => Error::Conflict(e.to_string()),
            other => Error::Internal(other.to_string()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Who is acting, for permission checks and the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub roles: Roles,
    /// The client's address, or `cli` / `scheduler`.
    pub address: String,
}

impl Actor {
    /// The operator at the server's command line (`users add`, `import`).
    pub fn cli() -> Actor {
        Actor { user_id: None, name: "(command line)".into(), roles: Roles::all(), address: "cli".into() }
    }

    /// The server's own re-signing timer.
    pub fn scheduler() -> Actor {
        Actor { user_id: None, name: "(scheduler)".into(), roles: Roles::empty(), address: "scheduler".into() }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(role)
    }

    /// Refuses unless the actor has `role`; `what` completes "only ... can ...".
    pub fn require(&self, role: Role, what: &str) -> Result<()> {
        if self.has(role) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("only {} can {what}", role.plural())))
        }
    }

    /// Editors and approvers write drafts; an admin alone manages accounts.
    pub fn require_writer(&self) -> Result<()> {
        if self.has(Role::Editor) || self.has(Role::Approver) {
            Ok(())
        } else {
            Err(Error::Forbidden("only editors and approvers can draft changes".into()))
        }
    }
}

/// The service over one data folder.
pub struct Editors {
    data: PathBuf,
    keys: Option<PathBuf>,
    db: Mutex<Connection>,
    config: Config,
    throttle: throttle::Throttle,
    /// One publish, promote or re-sign at a time (the trees also lock themselves).
    publishing: Mutex<()>,
    /// The latest release, parsed once per release rather than once per request.
    latest: Mutex<Option<Arc<store::ReleaseView>>>,
}

impl Editors {
    /// Opens the service over `data`. `keys` is needed to publish; the CLI's account commands
    /// pass `None`. `create` makes a new database when there is none.
    pub fn open(data: &Path, keys: Option<&Path>, config: Config, create: bool) -> Result<Editors> {
        let conn = db::open(data, create)?;
        Ok(Editors {
            data: data.to_path_buf(),
            keys: keys.map(Path::to_path_buf),
            db: Mutex::new(conn),
            config,
            throttle: throttle::Throttle::default(),
            publishing: Mutex::new(()),
            latest: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The database, locked. A panic elsewhere while holding it must not take the whole
    /// service down with it, so a poisoned lock is taken over (SQLite's own transactions keep
    /// the data consistent).
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Seconds since the Unix epoch: how times are stored.
pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A stored time as RFC 3339 UTC.
pub fn format_secs(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// Lower-case hex of 32 random bytes from the OS: session and CSRF tokens.
pub(crate) fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(text.as_bytes()))
}

/// Equal-time comparison, so a guessed token's first wrong byte cannot be found by timing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
