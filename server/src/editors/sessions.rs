//! Sessions: a random 256-bit token in the browser's cookie, only its sha256 in the database
//! (a stolen database or backup holds no usable session), a CSRF token per session, and two
//! expiries: idle (unused for too long) and absolute (too long since login).

use rusqlite::{params, OptionalExtension};

use super::accounts::{password_matches, user_row};
use super::audit::{self, Entry};
use super::{constant_time_eq, now_secs, random_token, sha256_hex, Actor, Editors, Error, Result, User};

/// A live session, as a request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    token_hash: String,
}

/// What a successful login hands back: the cookie's token (shown once, never stored) and the
/// session's CSRF token.
pub struct Login {
    pub token: String,
    pub session: Session,
}

impl Session {
    /// The session's user acting from `address`.
    pub fn actor(&self, address: &str) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            name: self.user.name.clone(),
            roles: self.user.roles,
            address: address.into(),
        }
    }

    /// True when `given` is this session's CSRF token.
    pub fn csrf_matches(&self, given: &str) -> bool {
        constant_time_eq(given.as_bytes(), self.csrf.as_bytes())
    }
}

impl Editors {
    /// Checks a user name and password and starts a session. Every refusal says the same thing
    /// ("wrong user name or password"), whether the name is unknown, the password wrong or the
    /// account disabled, so the answer reveals nothing about which accounts exist.
    pub fn login(&self, name: &str, password: &str, address: &str) -> Result<Login> {
        // A refused attempt is logged under the name that was typed (bounded: it is anyone's input).
        let attempt = Actor {
            user_id: None,
            name: name.chars().take(64).collect(),
            roles: super::Roles::empty(),
            address: address.to_string(),
        };
        if let Some(retry_after) = self.throttle.check(name, address) {
            let detail = "refused: too many failed logins";
            self.audit(&attempt, Entry::new("session.login_throttled", format!("user:{}", attempt.name), detail))?;
            return Err(Error::TooManyAttempts { retry_after });
        }
        let credentials = self.credentials(name)?;
        // Outside the database lock: argon2 takes tens of milliseconds by design.
        let matches = password_matches(&credentials, password);
        let user = match credentials.user {
            Some(user) if matches && !user.disabled => user,
            other => {
                self.throttle.failed(name, address);
                let why = match other {
                    None => "no such account",
                    Some(u) if u.disabled => "account disabled",
                    Some(_) => "wrong password",
                };
                self.audit(&attempt, Entry::new("session.login_failed", format!("user:{}", attempt.name), why))?;
                return Err(Error::BadCredentials);
            }
        };
        self.throttle.succeeded(name);
        let token = random_token()?;
        let csrf = random_token()?;
        let token_hash = sha256_hex(&token);
        let now = now_secs();
        let db = self.db();
        // Expired sessions are swept at each login: the table stays the size of who is working.
        let (idle, life) = self.limits();
        db.execute("DELETE FROM sessions WHERE last_seen < ?1 OR created_at < ?2", params![now - idle, now - life])?;
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, address) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![token_hash, user.id, csrf, now, address],
        )?;
        let session = Session { user, csrf, token_hash };
        audit::record(
            &db,
            &session.actor(address),
            Entry::new("session.login", format!("user:{}", session.user.name), ""),
        )?;
        Ok(Login { token, session })
    }

    /// The live session for a cookie's token, if any; renews its idle time. A session of a
    /// disabled account, or past either expiry, is deleted and not returned.
    pub fn session(&self, token: &str) -> Result<Option<Session>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let token_hash = sha256_hex(token);
        let now = now_secs();
        let (idle, life) = self.limits();
        let db = self.db();
        let row = db
            .query_row(
                "SELECT u.id, u.name, u.roles, u.disabled, u.created_at, s.csrf, s.created_at, s.last_seen
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
                [&token_hash],
                |r| Ok((user_row(r)?, r.get::<_, String>(5)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?)),
            )
            .optional()?;
        let Some((user, csrf, created, last_seen)) = row else { return Ok(None) };
        if user.disabled || now - last_seen >= idle || now - created >= life {
            db.execute("DELETE FROM sessions WHERE token_hash = ?1", [&token_hash])?;
            return Ok(None);
        }
        db.execute("UPDATE sessions SET last_seen = ?1 WHERE token_hash = ?2", params![now, token_hash])?;
        Ok(Some(Session { user, csrf, token_hash }))
    }

    pub fn logout(&self, session: &Session, address: &str) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM sessions WHERE token_hash = ?1", [&session.token_hash])?;
        audit::record(
            &db,
            &session.actor(address),
            Entry::new("session.logout", format!("user:{}", session.user.name), ""),
        )
    }

    fn limits(&self) -> (i64, i64) {
        let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX).max(1);
        (secs(self.config.session_idle), secs(self.config.session_lifetime))
    }
}
