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
use safeguarding_core::{Cancel, Error, Library, SearchRequest, Work};

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
    /// Work on content files.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
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
        Command::Search { json, .. } | Command::Show { json, .. } | Command::Topics { json } => *json,
        // Contacts subcommands print JSON only where asked; keep first-run chatter off stdout either way.
        Command::Contacts(_) => true,
        Command::Content { .. } => false,
    };
    if let Command::Content { command } = &cli.command {
        return match command {
            ContentCommand::Check { dir } => content_check(dir),
            ContentCommand::ImportContacts { csv, out, name, description, sample, force } => {
                import_contacts(csv, out, name, description, *sample, *force)
            }
        };
    }
    let library = open_library(&cli, json)?;
    let mut out = String::new();
    match cli.command {
        Command::Search { query, topic, audience, limit, json } => {
            let request = SearchRequest { query: query.join(" "), topic, audience, limit };
            let results = library.search(&request)?;
            if json {
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
        Command::Contacts(args) => out = contacts::run(&library, *args)?,
        Command::Content { .. } => {}
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

fn data_dir(cli: &Cli) -> Result<PathBuf, Error> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    dirs::data_dir()
        .map(|d| d.join("safeguarding"))
        .ok_or_else(|| Error::InvalidInput("no user data folder on this system: pass --data-dir".into()))
}

/// Opens the data folder and installs the bundled content on first run, or when the folder it
/// came from has changed (an editor working on content sees their edits).
fn open_library(cli: &Cli, json: bool) -> Result<Library, Error> {
    let dir = data_dir(cli)?;
    let content = cli.content.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_CONTENT));
    let content = content.canonicalize().unwrap_or(content);
    let show_progress = !json && std::io::stderr().is_terminal();
    let progress = TerminalProgress::new(show_progress);
    let cancel = Cancel::new();
    let work = Work { progress: &progress, cancel: &cancel };
    let library = Library::open_with(&dir, &work)?;
    let source = format!("folder:{}", content.display());
    let installed = library.installed()?;
    if installed.as_ref().is_none_or(|i| i.source == source) {
        if !content.is_dir() {
            return Err(Error::InvalidInput(format!(
                "no content installed and no content folder at {}: pass --content DIR",
                content.display()
            )));
        }
        let first = installed.is_none();
        let report = library.install_dir(&content, &work)?;
        progress.finish();
        if report.installed && !json {
            let verb = if first { "Installed" } else { "Updated to" };
            eprintln!("{verb} {} pages from {} and built the search index.", report.page_count, content.display());
        }
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
