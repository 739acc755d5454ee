//! Failed-login limits, per account and per client address, so that guessing a password costs
//! days rather than seconds and one address cannot try every account.
//!
//! Counts are kept in memory over a sliding window: a restart forgets them, which costs an
//! attacker a restart they cannot cause. While an account or address is over its limit, logins
//! are refused *without checking the password*, so the refusal says nothing about it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window failures are counted over.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per account in a window.
pub const PER_ACCOUNT: usize = 5;
/// Failures allowed per address in a window (an office behind one NAT address has several people).
pub const PER_ADDRESS: usize = 20;
/// Keys tracked at most; past this the oldest are forgotten, so a flood cannot exhaust memory.
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    /// `Some(seconds to wait)` when the account or the address is over its limit.
    pub fn check(&self, account: &str, address: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let account_wait = wait(&mut map, &account_key(account), PER_ACCOUNT, now);
        let address_wait = wait(&mut map, &address_key(address), PER_ADDRESS, now);
        account_wait.max(address_wait)
    }

    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        map.entry(account_key(account)).or_default().push(now);
        map.entry(address_key(address)).or_default().push(now);
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&account_key(account));
    }
}

fn account_key(account: &str) -> String {
    format!("user:{}", account.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

fn wait(map: &mut HashMap<String, Vec<Instant>>, key: &str, limit: usize, now: Instant) -> Option<u64> {
    let times = map.get_mut(key)?;
    times.retain(|t| now.duration_since(*t) < WINDOW);
    if times.len() < limit {
        return None;
    }
    // Over the limit until the oldest failure that still counts leaves the window.
    let oldest = times[times.len() - limit];
    let left = WINDOW.saturating_sub(now.duration_since(oldest));
    Some(left.as_secs().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_account_and_per_address() {
        let t = Throttle::default();
        for _ in 0..PER_ACCOUNT {
            assert_eq!(t.check("ana", "1.2.3.4"), None);
            t.failed("ana", "1.2.3.4");
        }
        assert!(t.check("ANA", "5.6.7.8").is_some(), "per account, whatever the address or case");
        assert_eq!(t.check("bo", "5.6.7.8"), None);
        for i in 0..PER_ADDRESS {
            t.failed(&format!("u{i}"), "9.9.9.9");
        }
        assert!(t.check("fresh", "9.9.9.9").is_some(), "per address, whatever the account");
        t.succeeded("ana");
        assert_eq!(t.check("ana", "5.6.7.8"), None);
    }
}
