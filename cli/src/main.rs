//! `safeguarding`: search and read the guidance offline, and check content files.

mod contacts;
mod output;
mod progress;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use safeguarding_content::import_csv;
use safeguarding_core::content::{check, parse_directories, ContentFiles, Diagnostics};
use safeguarding_core::sync::parse_root_public_key;
use safeguarding_core::{Cancel, Error, Library, SearchRequest, SyncConfig, Work};

use crate::progress::TerminalProgress;

/// Where the repository's bundled content is, for runs from a checkout.
const BUNDLED_CONTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../content");

#[derive(Parser)]
#[command(name = "safeguarding", version, about = "Offline safeguarding guidance for UK health and care staff")]
struct Cli {
    /// Where the app keeps its databases and search index.
    #[arg(long, global = true, env = "SAFEGUARDING_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The content folder to install from (default: the bundled `content/`).
    #[arg(long, global = true, env = "SAFEGUARDING_CONTENT_DIR")]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Search the guidance.
    Search {
        /// What to look for, as you would type it: typos and abbreviations are fine.
        query: Vec<String>,
        /// Only pages in this topic (see `safeguarding topics`).
        #[arg(long)]
        topic: Option<String>,
        /// Only pages for this audience (all-staff pages always match).
        #[arg(long)]
        audience: Option<String>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
        /// Show why each page ranks where it does: its score for each part of the query, and
        /// the field that matched best. For editors writing keywords and asked-as phrases.
        #[arg(long, conflicts_with = "json")]
        explain: bool,
    },
    /// Show a page.
    Show {
        /// The page id, as search results give it (a trailing #section is ignored).
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// List the topics and how many pages each has.
    Topics {
        #[arg(long)]
        json: bool,
    },
    /// Local contacts: the number to call for where you are, now.
    Contacts(Box<contacts::ContactsArgs>),
    /// Fetch signed guidance updates from a channel tree (only what changed is downloaded).
    Sync {
        /// Base address of the channel tree, e.g. https://updates.example.org/channels/production
        #[arg(long)]
        server: String,
        #[arg(long, default_value = "production")]
        channel: String,
        /// A root public key file (root.pub) to trust, for private deployments and tests.
        #[arg(long, env = "SAFEGUARDING_ROOT_KEY")]
        root_key: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// What is installed and how the last update went.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Your saved data (bookmarks, notes, personal contacts).
    UserData {
        #[command(subcommand)]
        command: UserDataCommand,
    },
    /// Work on content files.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
}

#[derive(Subcommand)]
enum UserDataCommand {
    /// Print, as JSON, what can still be read from a user database that was moved aside
    /// because it could not be opened.
    Export {
        /// The moved-aside file (default: the newest `user.sqlite.unreadable-*` in the data folder).
        #[arg(long)]
        from: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ContentCommand {
    /// Check every content file and report problems with file and line.
    Check {
        /// The content folder.
        #[arg(default_value = "content")]
        dir: PathBuf,
    },
    /// List the pages that rely on an entry of the register of superseded law
    /// (`law/superseded.toml`): what to fix when the law changes.
    Affected {
        /// The entry: its id, part of its name, or one of its phrases (e.g. "Cheshire West").
        #[arg(long = "by")]
        entry: String,
        /// The content folder.
        #[arg(default_value = "content")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Turn a CSV of services (one row per service) into a contacts directory.
    ImportContacts {
        csv: PathBuf,
        /// The directory folder to write, e.g. content/contacts/west-yorkshire.
        #[arg(long)]
        out: PathBuf,
        /// What the directory is called in the app.
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "Imported from CSV")]
        description: String,
        /// Mark it as sample data (numbers must then be in Ofcom's drama ranges).
        #[arg(long)]
        sample: bool,
        /// Replace area files already in the folder.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("safeguarding: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let json = match &cli.command {
        Command::Search { json, .. }
        | Command::Show { json, .. }
        | Command::Topics { json }
        | Command::Sync { json, .. }
        | Command::Status { json } => *json,
        // Contacts subcommands print JSON only where asked; keep first-run chatter off stdout either way.
        Command::Contacts(_) => true,
        Command::Content { .. } | Command::UserData { .. } => false,
    };
    if let Command::UserData { command: UserDataCommand::Export { from } } = &cli.command {
        let from = match from {
            Some(f) => f.clone(),
            None => newest_moved_user_db(&data_dir(&cli)?)?,
        };
        let salvaged = Library::salvage_user_data(&from)?;
        write_stdout(&output::json_text(&serde_json::to_value(&salvaged).map_err(|e| Error::Corrupt(e.to_string()))?));
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Content { command } = &cli.command {
        return match command {
            ContentCommand::Check { dir } => content_check(dir),
            ContentCommand::Affected { entry, dir, json } => content_affected(dir, entry, *json),
            ContentCommand::ImportContacts { csv, out, name, description, sample, force } => {
                import_contacts(csv, out, name, description, *sample, *force)
            }
        };
    }
    let library = open_library(&cli, json)?;
    let mut out = String::new();
    match cli.command {
        Command::Search { query, topic, audience, limit, json, explain } => {
            let request = SearchRequest { query: query.join(" "), topic, audience, limit };
            let results = library.search(&request)?;
            if explain {
                let breakdown = library.explain_search(&request, 60)?;
                output::print_explanation(&mut out, &results, &breakdown);
            } else if json {
                out = output::json_text(&output::search_json(&results));
            } else {
                output::print_search(&mut out, &results, std::io::stdout().is_terminal());
            }
        }
        Command::Show { id, json } => {
            let id = id.split('#').next().unwrap_or_default();
            let view = library.page(id)?;
            if json {
                out = output::json_text(&output::page_json(&view));
            } else {
                output::print_page(&mut out, &view, std::io::stdout().is_terminal());
            }
        }
        Command::Topics { json } => {
            let topics = library.topics()?;
            if json {
                out = output::json_text(&output::topics_json(&topics));
            } else {
                output::print_topics(&mut out, &topics);
            }
        }
        // Names, notes and numbers may come from the user or a directory: never let them drive the terminal.
        Command::Sync { server, channel, root_key, json } => {
            let roots = root_keys(root_key.as_deref())?;
            let config = SyncConfig::new(server, channel, roots);
            let progress = TerminalProgress::new(!json && std::io::stderr().is_terminal());
            let cancel = Cancel::new();
            let report = library.sync(&config, &Work { progress: &progress, cancel: &cancel });
            progress.finish();
            let report = report?;
            if json {
                out = output::json_text(&output::sync_json(&report));
            } else {
                output::print_sync(&mut out, &report);
            }
        }
        Command::Status { json } => {
            let status = library.sync_status();
            let installed = library.installed()?;
            if json {
                out = output::json_text(&output::status_json(&status, installed.as_ref()));
            } else {
                output::print_status(&mut out, &status, installed.as_ref());
            }
        }
        Command::Contacts(args) => out = output::clean(&contacts::run(&library, *args)?).into_owned(),
        Command::Content { .. } | Command::UserData { .. } => {}
    }
    write_stdout(&out);
    Ok(ExitCode::SUCCESS)
}

/// Writes everything at once; a closed pipe (`| head`) is not an error worth reporting.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// Root keys built into this binary (`SAFEGUARDING_ROOT_PUB` at build time: the production
/// root's base64 public key), plus one from `--root-key`.
fn root_keys(file: Option<&Path>) -> Result<Vec<safeguarding_core::sync::VerifyingKey>, Error> {
    let parse = |text: &str, from: &str| {
        parse_root_public_key(text).map_err(|e| Error::InvalidInput(format!("{from} is not a root public key: {e}")))
    };
    let mut keys = Vec::new();
    if let Some(built_in) = option_env!("SAFEGUARDING_ROOT_PUB") {
        keys.push(parse(built_in, "the built-in root key")?);
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidInput(format!("cannot read root key {}: {e}", path.display())))?;
        keys.push(parse(&text, &path.display().to_string())?);
    }
    if keys.is_empty() {
        return Err(Error::InvalidInput(
            "this build trusts no root key: pass --root-key FILE (the publisher's root.pub)".into(),
        ));
    }
    Ok(keys)
}

fn newest_moved_user_db(dir: &Path) -> Result<PathBuf, Error> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", dir.display())))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("user.sqlite.unreadable-") && !n.ends_with("-wal") && !n.ends_with("-shm")
            })
        })
        .collect();
    found.sort();
    found.pop().ok_or_else(|| Error::InvalidInput(format!("no moved-aside user database in {}", dir.display())))
}

fn data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    dirs::data_dir()
        .map(|d| d.join("safeguarding"))
        .ok_or_else(|| Error::InvalidInput("no user data folder on this system: pass --data-dir".into()))
}

/// Opens the data folder and installs content: on first run (or after the content database
/// was found damaged), when the bundled folder it came from has changed (an editor sees their
/// edits), or whenever `--content DIR` names a folder. A content folder that fails its checks
/// never stops the installed content from serving: it is reported and the command goes on.
fn open_library(cli: &Cli, json: bool) -> Result<Library, Error> {
    let dir = data_dir(cli)?;
    let explicit = cli.content.is_some();
    let content = cli.content.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_CONTENT));
    let content = content.canonicalize().unwrap_or(content);
    let show_progress = !json && std::io::stderr().is_terminal();
    let progress = TerminalProgress::new(show_progress);
    let cancel = Cancel::new();
    let work = Work { progress: &progress, cancel: &cancel };
    let library = Library::open_with(&dir, &work)?;
    if let Some(moved) = library.user_data_moved_to() {
        eprintln!(
            "safeguarding: your saved data could not be read and was moved to {}; starting with empty bookmarks and notes. \
             Run `safeguarding user-data export --from {}` to recover what it still holds.",
            moved.display(),
            moved.display()
        );
    }
    let source = format!("folder:{}", content.display());
    let installed = library.installed()?;
    let wanted = explicit || installed.as_ref().is_none_or(|i| i.source == source);
    if !wanted {
        return Ok(library);
    }
    if !content.is_dir() {
        if installed.is_some() {
            eprintln!(
                "safeguarding: warning: {} is not a folder; still using the installed content",
                content.display()
            );
            return Ok(library);
        }
        return Err(Error::InvalidInput(format!(
            "no content installed and no content folder at {}: pass --content DIR",
            content.display()
        )));
    }
    let first = installed.is_none();
    match library.install_dir(&content, &work) {
        Ok(report) => {
            progress.finish();
            if report.installed && !json {
                let verb = if first { "Installed" } else { "Updated to" };
                eprintln!("{verb} {} pages from {} and built the search index.", report.page_count, content.display());
            }
            if report.installed {
                for w in report.warnings.iter().filter(|w| w.path == "guidance") {
                    eprintln!("safeguarding: warning: {}", w.message);
                }
            }
        }
        Err(e @ (Error::InvalidContent(_) | Error::Content(_))) if installed.is_some() => {
            progress.finish();
            let first_line = match &e {
                Error::InvalidContent(d) => {
                    let errors: Vec<String> = d.errors().take(3).map(ToString::to_string).collect();
                    format!("{} error(s), first:\n  {}", d.errors().count(), errors.join("\n  "))
                }
                other => other.to_string(),
            };
            eprintln!(
                "safeguarding: warning: did not install {}: {first_line}\n  still using the installed content (run `safeguarding content check` for every problem)",
                content.display()
            );
        }
        Err(e) => return Err(e),
    }
    Ok(library)
}

fn import_contacts(
    csv: &Path,
    out: &Path,
    name: &str,
    description: &str,
    sample: bool,
    force: bool,
) -> Result<ExitCode, Error> {
    let text =
        std::fs::read_to_string(csv).map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", csv.display())))?;
    let mut diags = Diagnostics::default();
    let files = import_csv(&csv.display().to_string(), &text, name, description, sample, &mut diags);
    if diags.has_errors() {
        write_stdout(&diags.to_string());
        eprintln!("safeguarding: nothing written: fix the rows above and run again");
        return Ok(ExitCode::FAILURE);
    }
    std::fs::create_dir_all(out).map_err(|e| Error::InvalidInput(format!("cannot create {}: {e}", out.display())))?;
    for file in files.keys() {
        if out.join(file).exists() && !force {
            return Err(Error::InvalidInput(format!(
                "{} already exists: pass --force to replace it",
                out.join(file).display()
            )));
        }
    }
    for (file, toml) in &files {
        std::fs::write(out.join(file), toml).map_err(|e| Error::InvalidInput(format!("cannot write {file}: {e}")))?;
    }
    // Check what was written as the app will read it, with any boundary files beside it.
    let dir_name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "imported".into());
    let mut set = ContentFiles::new();
    for entry in std::fs::read_dir(out).map_err(|e| Error::InvalidInput(e.to_string()))?.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        if file.ends_with(".toml") || file.ends_with(".geojson") {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                set.insert(format!("contacts/{dir_name}/{file}"), bytes);
            }
        }
    }
    let mut check = Diagnostics::default();
    let dirs = parse_directories(&set, &mut check);
    let areas: usize = dirs.iter().map(|d| d.areas.len()).sum();
    let mut report = check.to_string();
    report.push_str(&format!(
        "Wrote {} files to {} ({areas} areas). Run `safeguarding content check` on the content folder before publishing.\n",
        files.len(),
        out.display()
    ));
    write_stdout(&report);
    Ok(if check.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn content_affected(dir: &Path, entry: &str, json: bool) -> Result<ExitCode, Error> {
    let files = ContentFiles::from_dir(dir)?;
    let checked = check(&files, chrono::Local::now().date_naive());
    let register = &checked.content.superseded;
    let Some(found) = register.iter().find(|e| e.id == entry).or_else(|| register.iter().find(|e| e.is_named(entry)))
    else {
        let known: Vec<&str> = register.iter().map(|e| e.id.as_str()).collect();
        return Err(Error::InvalidInput(format!(
            "no entry in law/superseded.toml matches '{entry}' (entries: {})",
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )));
    };
    let mut pages: Vec<(&safeguarding_core::content::Page, Vec<safeguarding_core::content::Reliance>)> =
        checked.content.pages.iter().map(|p| (p, found.reliance_in(p))).filter(|(_, r)| !r.is_empty()).collect();
    pages.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    if json {
        let value = serde_json::json!({
            "entry": { "id": found.id, "name": found.name, "replaced_by": found.replaced_by, "since": found.since.to_string() },
            "pages": pages.iter().map(|(p, r)| serde_json::json!({
                "id": p.id,
                "title": p.title,
                "path": p.path,
                "last_reviewed": p.last_reviewed.to_string(),
                "reviewed_since": p.last_reviewed >= found.since,
                "uses": r.iter().map(|u| serde_json::json!({"line": u.line, "field": u.field, "pattern": u.pattern})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        write_stdout(&output::json_text(&value));
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "{}: superseded on {} by {}\n{} page(s) use it:\n",
        found.name,
        found.since,
        found.replaced_by,
        pages.len()
    );
    for (p, uses) in &pages {
        let state = if p.last_reviewed >= found.since { "reviewed since" } else { "NOT REVIEWED SINCE" };
        out.push_str(&format!("  {} ({}): last reviewed {}, {state}\n", p.id, p.title, p.last_reviewed));
        for u in uses {
            out.push_str(&format!(
                "    {}:{}: \"{}\" in {}\n",
                dir.join(&p.path).display(),
                u.line,
                u.pattern,
                u.field
            ));
        }
    }
    write_stdout(&output::clean(&out));
    Ok(ExitCode::SUCCESS)
}

fn content_check(dir: &Path) -> Result<ExitCode, Error> {
    let files = ContentFiles::from_dir(dir)?;
    let checked = check(&files, chrono::Local::now().date_naive());
    let mut out = checked.diagnostics.to_string();
    let errors = checked.diagnostics.errors().count();
    let warnings = checked.diagnostics.warnings().count();
    out.push_str(&format!(
        "{}: {} pages, {} topics, {} synonym entries, {} helplines, {} contact areas in {} directories; {errors} error(s), {warnings} warning(s)",
        dir.display(),
        checked.content.pages.len(),
        checked.content.topics.len(),
        checked.content.synonyms.len(),
        checked.content.helplines.len(),
        checked.content.directories.iter().map(|d| d.areas.len()).sum::<usize>(),
        checked.content.directories.len()
    ));
    out.push('\n');
    write_stdout(&out);
    Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
