//! A test hook for crash safety: when `SAFEGUARDING_CRASH_AT` names a point, the process
//! aborts there, as a phone killed mid-update would stop. The flow tests kill a child process
//! at each point and check the data folder opens with a whole release, old or new.

/// Aborts the process if `SAFEGUARDING_CRASH_AT` is `name`.
pub(crate) fn point(name: &str) {
    if std::env::var_os("SAFEGUARDING_CRASH_AT").is_some_and(|v| v == name) {
        eprintln!("safeguarding: crashing at {name} (SAFEGUARDING_CRASH_AT)");
        std::process::abort();
    }
}
