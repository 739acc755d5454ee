//! Key material as text: private key files (`root.key`, `publisher.key`) and public keys
//! (`root.pub`, `keys.json`) are one line of standard base64 over the 32 key bytes. Writing them
//! to disk (and their file modes) is the caller's job; this crate does no I/O.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use crate::{Error, SigningKey, VerifyingKey};

/// Longest key text accepted; a 32-byte key is 44 characters of base64.
const MAX_KEY_TEXT: usize = 128;

/// A new key from the operating system's random number generator.
pub fn generate_signing_key() -> Result<SigningKey, Error> {
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut()).map_err(|e| Error::Random { reason: e.to_string() })?;
    Ok(SigningKey::from_bytes(&secret))
}

/// The text of a private key file. Zeroised on drop, since it is the secret.
pub fn signing_key_to_text(key: &SigningKey) -> Zeroizing<String> {
    let mut text = Zeroizing::new(STANDARD.encode(key.as_bytes()));
    text.push('\n');
    text
}

/// Reads a private key file's text.
pub fn parse_signing_key(text: &str) -> Result<SigningKey, Error> {
    let bytes = decode_32(text, "private key")?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The text of a public key file (`root.pub`): one line.
pub fn public_key_to_text(key: &VerifyingKey) -> String {
    let mut text = STANDARD.encode(key.as_bytes());
    text.push('\n');
    text
}

/// A public key from its base64 text. Weak (small-order) keys are refused: `verify_strict` would
/// refuse their signatures anyway, and such a key can only be a mistake or an attack.
pub(crate) fn decode_public_key(text: &str) -> Result<VerifyingKey, Error> {
    let bytes = decode_32(text, "public key")?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| Error::BadKey { reason: "public key is not a point on Ed25519's curve".into() })?;
    if key.is_weak() {
        return Err(Error::BadKey { reason: "public key is a weak (small-order) point".into() });
    }
    Ok(key)
}

fn decode_32(text: &str, what: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
    let text = text.trim();
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::BadKey { reason: format!("{what} text is too long for one key") });
    }
    if text.contains(char::is_whitespace) {
        return Err(Error::BadKey { reason: format!("{what} must be one line of base64") });
    }
    let decoded = Zeroizing::new(
        STANDARD.decode(text).map_err(|e| Error::BadKey { reason: format!("{what} is not base64: {e}") })?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    if decoded.len() != out.len() {
        return Err(Error::BadKey { reason: format!("{what} is {} bytes, not 32", decoded.len()) });
    }
    out.copy_from_slice(&decoded);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let key = generate_signing_key().expect("rng");
        let text = signing_key_to_text(&key);
        assert_eq!(text.trim().len(), 44);
        assert_eq!(parse_signing_key(&text).expect("parses").as_bytes(), key.as_bytes());
        let public = public_key_to_text(&key.verifying_key());
        assert_eq!(decode_public_key(&public), Ok(key.verifying_key()));
        assert_ne!(generate_signing_key().expect("rng").as_bytes(), key.as_bytes());
    }

    #[test]
    fn refuses_bad_text() {
        for bad in ["", "not base64!", "AAAA", &"A".repeat(200), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= AAAA"] {
            assert!(parse_signing_key(bad).is_err(), "{bad:?}");
            assert!(decode_public_key(bad).is_err(), "{bad:?}");
        }
        // The identity point is a valid encoding but a weak key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(decode_public_key(&STANDARD.encode(identity)).is_err());
    }
}
