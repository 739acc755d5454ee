//! The command line: argument definitions (clap), and printing each command's outcome for a
//! person or, with `--json`, for a program. The work itself is in `keystore`, `publish` and `http`.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Duration, Local, Utc};
use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::editors::{self, Actor, Editors, Role, Roles};
use crate::error::Error;
use crate::http::{self, AppState, StaticTree};
use crate::keystore;
use crate::publish::{self, PublishOptions, Report, ResignOptions};

/// Publishing for the safeguarding guide: signing keys, signed channel trees, and serving them.
///
/// A channel tree is plain files (keys.json, manifest.json, their .sig files and blobs/), so any
/// static web server or CDN can serve it instead of `serve`.
#[derive(Debug, Parser)]
#[command(name = "safeguarding-server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make and rotate signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Validate a content folder and publish it as the next signed release of a channel tree.
    Publish(PublishArgs),
    /// Re-sign the tree's current release with a new version and expiry (run from cron so a
    /// release never expires just because nothing changed).
    Resign(ResignArgs),
    /// Serve a channel tree over HTTP (GET and HEAD only), or with --data the editors' service:
    /// accounts, drafts, review, publishing, audit, and the channel trees at /channels/<name>/.
    Serve(ServeArgs),
    /// Take a consistent copy of the editors' database while the server runs (SQLite's online
    /// backup). Keys and channel trees are not in it: back up the keys folder separately.
    Backup(BackupArgs),
    /// Load a content folder into the editors' service as its first published release.
    Import(ImportArgs),
    /// Manage the editors' service's accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The service's data folder.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The backup file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The service's data folder (created, with its database, if missing).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The content folder to load (as `safeguarding content check` reads it); refused if it has errors.
    #[arg(long, value_name = "DIR")]
    pub content: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add an account. The password is read from standard input (one line), never from an argument.
    Add {
        /// The service's data folder (created, with its database, if missing).
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// User name: 1 to 64 letters, digits, '.', '-' or '_'.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// editor (drafts and submits), approver (also reviews and publishes) or admin (accounts
        /// and the audit log). Repeat for several.
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<String>,
    },
    /// List accounts.
    List {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account and end its sessions (its history stays).
    Disable {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        #[arg(long, value_name = "NAME")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a keys folder: an offline root key pair (root.key, root.pub), an online publisher
    /// key (publisher.key) and the root-signed delegation to it (keys.json, keys.json.sig).
    /// Private keys are mode 0600; existing files are never overwritten.
    Init {
        /// The keys folder to create (made mode 0700 if missing).
        #[arg(long, value_name = "KEYS")]
        dir: PathBuf,
        /// Days until keys.json expires; apps refuse an expired delegation.
        #[arg(long, value_name = "N", default_value_t = 365)]
        expires_in_days: u32,
        /// Print a JSON summary instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replace publisher.key with a new key and write a new root-signed keys.json (one version
    /// higher) that delegates to it alone. Needs root.key. Then run `resign` (or `publish`) so
    /// trees carry the new keys.json.
    RotatePublisher {
        /// The keys folder made by `keys init`.
        #[arg(long, value_name = "KEYS")]
        dir: PathBuf,
        /// Days until the new keys.json expires.
        #[arg(long, value_name = "N", default_value_t = 365)]
        expires_in_days: u32,
        /// Print a JSON summary instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The content folder (as `safeguarding content check` reads it).
    #[arg(long, value_name = "DIR")]
    pub content: PathBuf,
    /// The keys folder: publisher.key, root.pub, keys.json and keys.json.sig (root.key is not needed).
    #[arg(long, value_name = "KEYS")]
    pub keys: PathBuf,
    /// The channel this tree carries (e.g. production, staging): lower-case letters, digits, '-'.
    #[arg(long, value_name = "NAME")]
    pub channel: String,
    /// The channel tree to write (created if missing). One tree per channel.
    #[arg(long, value_name = "TREE")]
    pub out: PathBuf,
    /// Days until the new manifest expires; after that apps show the content as possibly out of date.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub expires_in_days: u32,
    /// The release's note for readers ("What changed").
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub notes: String,
    /// An editor's one-line note for a document changed in this release, as PATH=TEXT with PATH
    /// relative to the content folder (e.g. guidance/mca/mca-dols.md=Updated for the new test). Repeatable.
    #[arg(long = "note", value_name = "PATH=TEXT", value_parser = parse_note)]
    pub document_notes: Vec<(String, String)>,
    /// Remove blobs that no release has named for more than N days (old blobs are kept by
    /// default: clients part-way through a sync may still fetch them).
    #[arg(long, value_name = "N")]
    pub prune_older_than_days: Option<u32>,
    /// Print {"channel","manifest_version","documents","new_blobs","bytes_written"} (or
    /// {"error":{...}}) on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ResignArgs {
    /// The keys folder (as for publish).
    #[arg(long, value_name = "KEYS")]
    pub keys: PathBuf,
    /// The channel tree to re-sign.
    #[arg(long, value_name = "TREE")]
    pub out: PathBuf,
    /// Days until the re-signed manifest expires.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub expires_in_days: u32,
    /// Print the same JSON summary as publish.
    #[arg(long)]
    pub json: bool,
}

/// What to serve: a static channel tree (`--tree`), or the editors' service (`--data` and `--keys`).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A channel tree to serve as static files (nothing else).
    #[arg(long, value_name = "TREE", conflicts_with = "data", required_unless_present = "data")]
    pub tree: Option<PathBuf>,
    /// The editors' service's data folder (its database and channels/<name>/ trees); made by
    /// `import` or `users add`.
    #[arg(long, value_name = "DIR", requires = "keys")]
    pub data: Option<PathBuf>,
    /// The keys folder the service signs with (publisher.key, root.pub, keys.json; no root.key).
    #[arg(long, value_name = "KEYS", requires = "data")]
    pub keys: Option<PathBuf>,
    /// Address and port to listen on; port 0 picks a free one. The address is printed on start.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The service is reached over HTTPS through a reverse proxy that terminates TLS: cookies
    /// are marked Secure and the client address is the last X-Forwarded-For hop.
    #[arg(long)]
    pub tls_behind_proxy: bool,
    /// Seconds of inactivity after which a session ends.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub session_idle: u64,
    /// Seconds after login at which a session ends, however active.
    #[arg(long, value_name = "SECS", default_value_t = 43200)]
    pub session_lifetime: u64,
    /// Re-sign a channel whose manifest is older than this many seconds, even if nothing changed.
    #[arg(long, value_name = "SECS", default_value_t = 86400)]
    pub resign_every: u64,
    /// Days each signed manifest is valid; must be longer than --resign-every.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub expires_in_days: u32,
}

fn parse_note(s: &str) -> Result<(String, String), String> {
    let (path, text) = s.split_once('=').ok_or("expected PATH=TEXT")?;
    if path.is_empty() || text.trim().is_empty() {
        return Err("expected PATH=TEXT with both parts".into());
    }
    Ok((path.to_string(), text.trim().to_string()))
}

/// Runs a parsed command and reports its outcome; the exit code is 0 on success, 1 on failure.
pub fn run(cli: Cli) -> ExitCode {
    let (result, json) = match cli.command {
        Command::Keys { command: KeysCommand::Init { dir, expires_in_days, json } } => {
            (keys_init(dir, expires_in_days, json), json)
        }
        Command::Keys { command: KeysCommand::RotatePublisher { dir, expires_in_days, json } } => {
            (keys_rotate(dir, expires_in_days, json), json)
        }
        Command::Publish(args) => {
            let json = args.json;
            (run_publish(args), json)
        }
        Command::Resign(args) => {
            let json = args.json;
            (run_resign(args), json)
        }
        Command::Serve(args) => (run_serve(args), false),
        Command::Backup(args) => (run_backup(args), false),
        Command::Import(args) => (run_import(args), false),
        Command::Users { command } => {
            let json = matches!(command, UsersCommand::List { json: true, .. });
            (run_users(command), json)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e, json);
            ExitCode::FAILURE
        }
    }
}

fn days(n: u32, max: u32, what: &str) -> Result<Duration, Error> {
    if n == 0 || n > max {
        return Err(Error::Usage(format!("{what} must be between 1 and {max}")));
    }
    Ok(Duration::days(i64::from(n)))
}

fn keys_init(dir: PathBuf, expires_in_days: u32, json: bool) -> Result<(), Error> {
    let report = keystore::init(&dir, days(expires_in_days, 3660, "--expires-in-days")?, Utc::now())?;
    if json {
        print_json(&report);
    } else {
        println!("created keys in {}", dir.display());
        println!("  root key {}  (root.key: move it offline; it is needed only to rotate)", report.root_key_id);
        println!("  publisher key {}  (publisher.key: stays on the publishing server)", report.publisher_key_id);
        println!("  keys.json version {}, expires {}", report.keys_version, report.keys_expires_at);
        println!("root.pub (embed this in the apps): {}", report.root_public_key);
    }
    Ok(())
}

fn keys_rotate(dir: PathBuf, expires_in_days: u32, json: bool) -> Result<(), Error> {
    let report = keystore::rotate_publisher(&dir, days(expires_in_days, 3660, "--expires-in-days")?, Utc::now())?;
    if let Some(w) = &report.warning {
        eprintln!("warning: {w}");
    }
    if json {
        print_json(&report);
    } else {
        println!(
            "new publisher key {}; keys.json version {}, expires {}",
            report.publisher_key_id, report.keys_version, report.keys_expires_at
        );
        if !report.withdrawn_key_ids.is_empty() {
            println!("no longer delegated: {}", report.withdrawn_key_ids.join(", "));
        }
        println!("next: `resign` (or `publish`) each channel tree so it carries the new keys.json");
    }
    Ok(())
}

fn run_publish(args: PublishArgs) -> Result<(), Error> {
    let mut document_notes = BTreeMap::new();
    for (path, text) in args.document_notes {
        if document_notes.insert(path.clone(), text).is_some() {
            return Err(Error::Usage(format!("--note given twice for {path}")));
        }
    }
    let options = PublishOptions {
        content: args.content,
        keys: args.keys,
        channel: args.channel,
        out: args.out,
        expires_in: days(args.expires_in_days, 366, "--expires-in-days")?,
        notes: args.notes,
        document_notes,
        prune_older_than: args.prune_older_than_days.map(|n| Duration::days(i64::from(n))),
        now: Utc::now(),
        today: Local::now().date_naive(),
    };
    let report = publish::publish(&options)?;
    print_report(&report, args.json, "published");
    Ok(())
}

fn run_resign(args: ResignArgs) -> Result<(), Error> {
    let options = ResignOptions {
        keys: args.keys,
        out: args.out,
        expires_in: days(args.expires_in_days, 366, "--expires-in-days")?,
        now: Utc::now(),
    };
    let report = publish::resign(&options)?;
    print_report(&report, args.json, "re-signed");
    Ok(())
}

fn print_report(report: &Report, json: bool, verb: &str) {
    if let Some(v) = report.recovered {
        eprintln!("note: completed version {v}, whose publishing had been interrupted");
    }
    for w in &report.warnings {
        eprintln!("{w}");
    }
    if json {
        print_json(report);
        return;
    }
    println!(
        "{verb} {} version {}: {} documents, {} new blob(s), {} bytes written; expires {}",
        report.channel,
        report.manifest_version,
        report.documents,
        report.new_blobs,
        report.bytes_written,
        safeguarding_sync_format::format_time(&report.expires_at)
    );
    if !report.changed.is_empty() && report.changed.len() < report.documents {
        println!("changed in this version: {}", report.changed.join(", "));
    }
    if report.prune.removed > 0 {
        println!("pruned {} old blob(s), {} bytes", report.prune.removed, report.prune.bytes_freed);
    }
}

fn run_serve(args: ServeArgs) -> Result<(), Error> {
    let (state, what) = match (&args.tree, &args.data, &args.keys) {
        (Some(tree), _, _) => {
            if !tree.is_dir() {
                return Err(Error::Usage(format!("{} is not a folder", tree.display())));
            }
            if !tree.join(safeguarding_sync_format::MANIFEST_FILE).is_file() {
                eprintln!("warning: {} has no manifest.json yet; run `publish` to make one", tree.display());
            }
            (AppState::with_tree(StaticTree::new(tree.clone())), tree.display().to_string())
        }
        (None, Some(data), Some(keys)) => {
            let expires = days(args.expires_in_days, 366, "--expires-in-days")?;
            if args.resign_every == 0 || args.resign_every as i64 >= expires.num_seconds() {
                return Err(Error::Usage("--resign-every must be at least 1 and less than --expires-in-days".into()));
            }
            if args.session_idle == 0 || args.session_lifetime == 0 {
                return Err(Error::Usage("--session-idle and --session-lifetime must be at least 1".into()));
            }
            // Fail at start, not at the first publish, if the keys cannot sign.
            keystore::load_for_publishing(keys, Utc::now())?;
            let config = editors::Config {
                session_idle: std::time::Duration::from_secs(args.session_idle),
                session_lifetime: std::time::Duration::from_secs(args.session_lifetime),
                secure_cookies: args.tls_behind_proxy,
                trust_forwarded_for: args.tls_behind_proxy,
                manifest_lifetime: expires,
                resign_every: std::time::Duration::from_secs(args.resign_every),
            };
            let svc = Editors::open(data, Some(keys), config, false).map_err(service_error)?;
            if svc.latest().map_err(service_error)?.is_none() {
                eprintln!("warning: no content yet; run `import --data {} --content DIR`", data.display());
            }
            (AppState::with_editors(svc), format!("the editors' service for {}", data.display()))
        }
        _ => return Err(Error::Usage("give --tree TREE, or --data DIR with --keys KEYS".into())),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io { path: PathBuf::from("(runtime)"), source: e })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener.local_addr().map_err(|e| Error::Io { path: PathBuf::from("(listener)"), source: e })?;
        // The first line on stdout is the address (tests and scripts read it when port 0 was asked for).
        println!("serving {what} on http://{addr}/");
        let _ = std::io::stdout().flush();
        http::serve(listener, state).await.map_err(|e| Error::Io { path: PathBuf::from("(listener)"), source: e })
    })
}

/// A service refusal as the CLI's error (one line on stderr, exit 1).
fn service_error(e: editors::Error) -> Error {
    match e {
        editors::Error::Problems { problems, message } => {
            for p in &problems {
                eprintln!("{}:{}: {}: {}", p.path, p.line, p.severity, p.message);
            }
            Error::Usage(message)
        }
        other => Error::Usage(other.to_string()),
    }
}

fn run_backup(args: BackupArgs) -> Result<(), Error> {
    let bytes = editors::db::backup(&args.data, &args.out).map_err(service_error)?;
    println!("backed up {} to {} ({bytes} bytes)", editors::db::db_path(&args.data).display(), args.out.display());
    Ok(())
}

fn run_import(args: ImportArgs) -> Result<(), Error> {
    let svc = Editors::open(&args.data, None, editors::Config::default(), true).map_err(service_error)?;
    let files = safeguarding_content::ContentFiles::from_dir(&args.content)?;
    let (number, diagnostics) = svc.import(&Actor::cli(), &files, Local::now().date_naive()).map_err(service_error)?;
    for w in diagnostics.warnings() {
        eprintln!("{w}");
    }
    println!("imported {} files from {} as release {number}", files.len(), args.content.display());
    Ok(())
}

fn run_users(command: UsersCommand) -> Result<(), Error> {
    match command {
        UsersCommand::Add { data, name, roles } => {
            let roles = roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>().map_err(service_error)?;
            let password = read_password()?;
            let svc = Editors::open(&data, None, editors::Config::default(), true).map_err(service_error)?;
            let user = svc.add_user(&Actor::cli(), &name, Roles::of(&roles), &password).map_err(service_error)?;
            println!("added {} ({})", user.name, user.roles.to_text());
        }
        UsersCommand::List { data, json } => {
            let svc = Editors::open(&data, None, editors::Config::default(), false).map_err(service_error)?;
            let users = svc.list_users(&Actor::cli()).map_err(service_error)?;
            if json {
                print_json(&users);
            } else {
                for u in users {
                    let state = if u.disabled { "disabled" } else { "active" };
                    println!("{}\t{}\t{state}\tsince {}", u.name, u.roles.to_text(), u.created_at);
                }
            }
        }
        UsersCommand::Disable { data, name } => {
            let svc = Editors::open(&data, None, editors::Config::default(), false).map_err(service_error)?;
            let user = svc.disable_user(&Actor::cli(), &name).map_err(service_error)?;
            println!("disabled {} and ended its sessions", user.name);
        }
    }
    Ok(())
}

/// One line from stdin: the password, kept out of the process list and shell history.
fn read_password() -> Result<zeroize::Zeroizing<String>, Error> {
    use std::io::BufRead;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("password (it will be shown as you type; pipe it in to avoid that):");
    }
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Io { path: PathBuf::from("(stdin)"), source: e })?;
    let trimmed = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(trimmed);
    Ok(line)
}

fn report_error(e: &Error, json: bool) {
    let diagnostics = match e {
        Error::InvalidContent(d) => Some(d),
        _ => None,
    };
    if json {
        let list: Vec<_> = diagnostics.map(|d| d.errors().collect()).unwrap_or_default();
        print_json(&json!({"error": {"kind": e.kind(), "message": e.to_string(), "diagnostics": list}}));
    }
    if let Some(d) = diagnostics {
        for line in d.errors() {
            eprintln!("{line}");
        }
    }
    eprintln!("error: {e}");
}

/// One line of JSON on stdout, fields in their declared order.
fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot print JSON: {e}"),
    }
}
