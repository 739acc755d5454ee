//! The content format of the safeguarding guide, and its validator.
//!
//! Guidance pages (Markdown with TOML front matter), topics, search synonyms, national helplines
//! and local contact directories are plain files that editors keep in `content/`. This crate
//! parses them into the structures the app uses and reports every problem with its file and
//! line. It depends on neither the search engine nor the database, so the publishing server can
//! check exactly what the app will install.

mod blocks;
mod check;
mod contacts;
mod diagnostic;
mod fields;
mod files;
mod geo;
mod helplines;
mod hours;
#[cfg(feature = "import")]
mod import;
mod markdown;
mod page;
mod phone;
mod postcode;
mod superseded;
mod synonyms;
mod topics;

use std::path::PathBuf;

pub use blocks::{slugify, Block, CalloutKind, LinkTarget, ListItem, Mark, RichText, Style};
pub use check::{check, Checked, Content};
pub use contacts::{
    holiday_region, parse_bank_holidays, parse_directories, service_kind_label, Area, BankHoliday, Directory, Phone,
    RegionCalendar, Service, AREA_KINDS, NATIONS, SERVICE_KINDS,
};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use fields::Located;
pub use files::{is_content_path, ContentFiles, MAX_FILE_BYTES};
pub use geo::{parse_geojson, Boundary, LatLon, UK_BOUNDS};
pub use helplines::{parse_helplines, Helpline, NEEDS};
pub use hours::{day_name, format_time, Calendar, HolidayList, Hours, Rule};
#[cfg(feature = "import")]
pub use import::import_csv;
pub use page::{parse_page, Change, Page, PageKind, Section, Source, AUDIENCES};
pub use phone::{PhoneError, PhoneNumber};
pub use postcode::{is_district, Postcode, PostcodeError};
pub use superseded::{parse_superseded, Reliance, Superseded, REGISTER_PATH};
pub use synonyms::{parse_synonyms, Synonyms};
pub use topics::{parse_topics, Topic};

/// Errors reading content. Problems *in* content are [`Diagnostics`], not errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0} is not a folder")]
    NotADirectory(PathBuf),
}
