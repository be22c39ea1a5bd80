//! libpq's password file (`PGPASSFILE`, else `~/.pgpass`): lines of
//! `hostname:port:database:username:password`, `*` matching anything, `\` escaping `:` and
//! `\`, the first matching line winning. As libpq, a file that its group or others can read is
//! not used (a warning says so), so a password is never taken from a file others could read.

use std::path::Path;

/// The password for this connection, `None` if no line matches or there is no file; `Err`
/// holds a warning for the user (a file others can read, one that cannot be read).
pub fn lookup(
    file: &Path,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Result<Option<String>, String> {
    let shown = crate::render::safe::one_line(&file.display().to_string());
    let meta = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("password file {shown} cannot be read ({e}); it is not used")),
    };
    if !meta.is_file() {
        return Err(format!("password file {shown} is not a plain file; it is not used"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "password file {shown} has group or world access; it is not used (chmod 600 {shown})"
            ));
        }
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("password file {shown} cannot be read ({e}); it is not used"))?;
    Ok(find(&text, host, &port.to_string(), dbname, user))
}

/// The first line of `text` matching the four fields.
#[must_use]
pub fn find(text: &str, host: &str, port: &str, dbname: &str, user: &str) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let fields = split(l);
            (fields.len() >= 5).then_some(fields)
        })
        .find(|f| [host, port, dbname, user].iter().zip(f).all(|(want, field)| field == "*" || field == want))
        .map(|f| f[4..].join(":"))
}

/// Splits at unescaped `:`, undoing `\:` and `\\`.
fn split(line: &str) -> Vec<String> {
    let (mut fields, mut field) = (Vec::new(), String::new());
    let mut chars = line.trim_end_matches('\r').chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_line_wins_with_wildcards_and_escapes() {
        let text =
            "# comment\nother:5432:*:*:nope\ndb.example:*:recover:desk:s3cr\\:et\\\\x\n*:*:*:*:fallback\n";
        assert_eq!(find(text, "db.example", "5432", "recover", "desk").as_deref(), Some("s3cr:et\\x"));
        assert_eq!(find(text, "db.example", "5432", "recover", "boss").as_deref(), Some("fallback"));
        assert_eq!(find("a:1:b:c:d\n", "a", "2", "b", "c"), None);
        assert_eq!(find("short:line\n", "short", "5432", "x", "y"), None);
    }

    #[test]
    fn a_file_others_can_read_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let warning = lookup(&file, "h", 5432, "d", "u").unwrap_err();
        assert!(warning.contains("group or world access") && !warning.contains("pw\n"), "{warning}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&file, "h", 5432, "d", "u").unwrap().as_deref(), Some("pw"));
        assert_eq!(lookup(&dir.path().join("none"), "h", 5432, "d", "u").unwrap(), None);
    }
}
