//! The safeguarding guide's publishing server (`safeguarding-server`).
//!
//! It holds the signing keys, turns a content folder into a signed static channel tree that any
//! web server or CDN can serve, and serves such a tree itself. The editors' service (accounts,
//! review and approval, audit) grows in this crate on top of the same modules.
//!
//! It validates with `safeguarding-content` and signs with `safeguarding-sync-format`, the same
//! code the app runs, and never depends on the app core.

pub mod atomic;
pub mod cli;
pub mod editors;
pub mod error;
pub mod http;
pub mod keystore;
pub mod prune;
pub mod publish;
pub mod tree;

pub use error::{Error, Result};
