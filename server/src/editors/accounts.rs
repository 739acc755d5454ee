//! Accounts: names, roles, argon2id password hashes, disabling.
//!
//! Roles: an **editor** drafts and submits changes; an **approver** also reviews, approves and
//! publishes; an **admin** manages accounts and reads the audit log. A person may hold several.
//! Nobody, whatever their roles, approves a change they wrote (see `workflow`).

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::audit::{self, Entry};
use super::{now_secs, Actor, Editors, Error, Result};

/// Shortest password accepted: length is what makes a password hard to guess (NCSC guidance),
/// so there are no composition rules, only a minimum.
pub const MIN_PASSWORD: usize = 12;
/// Argon2 work grows with input; nobody's password is longer than this.
pub const MAX_PASSWORD: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Editor,
    Approver,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Editor, Role::Approver, Role::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Role::Editor => "editors",
            Role::Approver => "approvers",
            Role::Admin => "admins",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s.trim())
            .ok_or_else(|| Error::Invalid(format!("unknown role '{s}': use editor, approver or admin")))
    }

    fn bit(self) -> u8 {
        match self {
            Role::Editor => 1,
            Role::Approver => 2,
            Role::Admin => 4,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles(u8);

impl Roles {
    pub fn empty() -> Roles {
        Roles(0)
    }

    pub fn all() -> Roles {
        Roles(7)
    }

    pub fn of(roles: &[Role]) -> Roles {
        Roles(roles.iter().fold(0, |acc, r| acc | r.bit()))
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn list(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.contains(*r)).collect()
    }

    /// Stored as a comma-separated list of names: readable in the database.
    pub fn to_text(self) -> String {
        self.list().iter().map(|r| r.name()).collect::<Vec<_>>().join(",")
    }

    pub fn from_text(s: &str) -> Roles {
        Roles::of(&s.split(',').filter_map(|r| Role::parse(r).ok()).collect::<Vec<_>>())
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.list().serialize(s)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub roles: Roles,
    pub disabled: bool,
    pub created_at: String,
}

/// Names appear in the audit log and on every page: keep them plain.
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid("a user name is 1 to 64 letters, digits, '.', '-' or '_'".into()))
    }
}

pub fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::Invalid(format!("a password needs at least {MIN_PASSWORD} characters")));
    }
    if password.len() > MAX_PASSWORD {
        return Err(Error::Invalid(format!("a password is at most {MAX_PASSWORD} bytes")));
    }
    Ok(())
}

/// argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's recommended minimum) and a
/// random 16-byte salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness from the OS: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    if password.len() > MAX_PASSWORD {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of a password nobody has, verified when the user name is unknown so that a wrong
/// name takes as long as a wrong password (no user enumeration by timing).
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password anyone has, ever").unwrap_or_default())
}

/// What a login attempt found, before any session is made.
pub(crate) struct Credentials {
    pub user: Option<User>,
    pub hash: Option<String>,
}

impl Editors {
    /// Adds an account. The password arrives from stdin or a form, never a command-line argument.
    pub fn add_user(&self, actor: &Actor, name: &str, roles: Roles, password: &str) -> Result<User> {
        actor.require(Role::Admin, "add accounts")?;
        check_name(name)?;
        check_password(password)?;
        if roles.is_empty() {
            return Err(Error::Invalid("give the account at least one role".into()));
        }
        let hash = hash_password(password)?;
        let now = now_secs();
        let db = self.db();
        let exists: Option<i64> =
            db.query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        if exists.is_some() {
            return Err(Error::Conflict(format!("there is already an account called '{name}'")));
        }
        db.execute(
            "INSERT INTO users (name, roles, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![name, roles.to_text(), hash, now],
        )?;
        let id = db.last_insert_rowid();
        audit::record(
            &db,
            actor,
            Entry::new("user.add", format!("user:{name}"), format!("roles {}", roles.to_text())),
        )?;
        Ok(User { id, name: name.to_string(), roles, disabled: false, created_at: super::format_secs(now) })
    }

    pub fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        actor.require(Role::Admin, "see accounts")?;
        let db = self.db();
        let mut stmt = db.prepare("SELECT id, name, roles, disabled, created_at FROM users ORDER BY name")?;
        let users = stmt.query_map([], user_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(users)
    }

    /// Disables an account and ends its sessions at once. The account and its history stay:
    /// the audit log and past approvals still name it.
    pub fn disable_user(&self, actor: &Actor, name: &str) -> Result<User> {
        actor.require(Role::Admin, "disable accounts")?;
        let db = self.db();
        let user = db
            .query_row("SELECT id, name, roles, disabled, created_at FROM users WHERE name = ?1", [name], user_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no account called '{name}'")))?;
        if actor.user_id == Some(user.id) {
            return Err(Error::Conflict("you cannot disable your own account".into()));
        }
        db.execute("UPDATE users SET disabled = 1 WHERE id = ?1", [user.id])?;
        db.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])?;
        audit::record(&db, actor, Entry::new("user.disable", format!("user:{}", user.name), String::new()))?;
        Ok(User { disabled: true, ..user })
    }

    /// Looks the account up (without checking the password; the caller does that outside
    /// the database lock, since argon2 takes tens of milliseconds).
    pub(crate) fn credentials(&self, name: &str) -> Result<Credentials> {
        let db = self.db();
        let row = db
            .query_row(
                "SELECT id, name, roles, disabled, created_at, password_hash FROM users WHERE name = ?1",
                [name],
                |r| Ok((user_row(r)?, r.get::<_, String>(5)?)),
            )
            .optional()?;
        Ok(match row {
            Some((user, hash)) => Credentials { user: Some(user), hash: Some(hash) },
            None => Credentials { user: None, hash: None },
        })
    }
}

/// Checks `password` against what `credentials` found; an unknown user costs the same time.
pub(crate) fn password_matches(credentials: &Credentials, password: &str) -> bool {
    match &credentials.hash {
        Some(hash) => verify_password(password, hash),
        None => {
            let _ = verify_password(password, dummy_hash());
            false
        }
    }
}

pub(crate) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        roles: Roles::from_text(&r.get::<_, String>(2)?),
        disabled: r.get::<_, i64>(3)? != 0,
        created_at: super::format_secs(r.get(4)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn roles_round_trip() {
        let r = Roles::of(&[Role::Approver, Role::Editor]);
        assert_eq!(r.to_text(), "editor,approver");
        assert_eq!(Roles::from_text(&r.to_text()), r);
        assert!(!r.contains(Role::Admin));
        assert!(Role::parse("root").is_err());
        assert!(check_name("a b").is_err() && check_name("<script>").is_err() && check_name("ana.b-1").is_ok());
    }
}
