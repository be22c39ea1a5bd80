//! Repeat guests (`start --guest KEY`): a guest who suffers a second failure after a
//! recovery needs more than the playbook's default, so the session says when the same
//! guest had incidents lately and suggests the next severity up.
//!
//! What is stored, and why it cannot be reversed: the key the employee types (a booking
//! number, loyalty id or e-mail) is normalised (whitespace removed, lower case), then only
//! its HMAC-SHA-256 under a secret of this installation is kept, in the log's `guests`
//! table beside the incident's number and how many earlier incidents the guest had. The
//! key itself is never written anywhere. The secret is 32 random bytes in a file beside
//! the log (`<log>.guest-secret`, readable by its owner only), made on first use. Without
//! the secret, a hash cannot be tested against guessed keys (booking numbers are few
//! enough to try them all, which is why a plain hash would not do); with it, it still
//! cannot be turned back into a key, only matched. The hashes never leave the log: `export`
//! (with or without `--redact`) does not write them, as another installation's secret
//! could not match them anyway; `purge` deletes them with their incidents.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::Error;

/// How long the secret is, in bytes.
const SECRET_LEN: usize = 32;

/// The key as compared: no whitespace anywhere, lower case (`AB 123` is `ab123`).
#[must_use]
pub fn normalise(key: &str) -> String {
    key.split_whitespace().collect::<String>().to_lowercase()
}

/// The stored form of `key`: HMAC-SHA-256 of its normalised text under `secret`, in hex.
#[must_use]
pub fn hash(secret: &[u8], key: &str) -> String {
    // HMAC takes a key of any length; the error arm cannot happen.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(normalise(key).as_bytes());
    let mut hex = String::with_capacity(64);
    for b in mac.finalize().into_bytes() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// Where the secret of the log at `log` is kept.
#[must_use]
pub fn secret_path(log: &Path) -> PathBuf {
    let mut name = log.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".guest-secret");
    log.with_file_name(name)
}

/// The secret of the log at `log`, made (readable by its owner only) on first use.
pub fn secret(log: &Path) -> Result<Vec<u8>, Error> {
    let path = secret_path(log);
    let io = |action: &'static str, source: std::io::Error| Error::Io {
        action,
        path: path.display().to_string(),
        source,
    };
    // The log's folder, made as the log would make it (its owner's only), on first use.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| io("create", e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            // Two version-4 UUIDs: 244 bits from the system's random source.
            let mut secret = Vec::with_capacity(SECRET_LEN);
            secret.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
            secret.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
            file.write_all(&secret).and_then(|()| file.sync_all()).map_err(|e| io("write", e))?;
            Ok(secret)
        }
        // Made before, perhaps a moment ago by another terminal.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mut secret = Vec::new();
            std::fs::File::open(&path)
                .and_then(|mut f| f.read_to_end(&mut secret))
                .map_err(|e| io("read", e))?;
            if secret.len() == SECRET_LEN {
                Ok(secret)
            } else {
                Err(Error::usage(
                    format!(
                        "{} is not a guest secret: {} bytes, not {SECRET_LEN}",
                        path.display(),
                        secret.len()
                    ),
                    "restore it from a backup; removing it makes earlier guests unrecognisable",
                ))
            }
        }
        Err(e) => Err(io("create", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::{hash, normalise};

    #[test]
    fn keys_match_however_written_and_secrets_keep_hashes_apart() {
        assert_eq!(normalise(" AB 123\t"), "ab123");
        assert_eq!(hash(b"s", "Anna@Example.com "), hash(b"s", "anna@example.com"));
        assert_ne!(hash(b"s", "anna@example.com"), hash(b"t", "anna@example.com"));
        // As Python's hmac.new(b"key", b"ab123", hashlib.sha256).hexdigest() gives it.
        assert_eq!(
            hash(b"key", "AB 123"),
            "4ecf24664c2db8af331e4ea31d5d9e564107be8686c902b696bb40ca096b7388"
        );
    }
}
