//! CSV for spreadsheets: RFC 4180 quoting; cells that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@` first) are prefixed with `'` so they stay text, and control
//! characters are made visible as everywhere else people read (JSON keeps exact data).

/// One CSV line from its cells, with the line ending.
#[must_use]
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(cells.len());
    for cell in cells {
        let mut c = super::safe::clean(cell.as_ref()).into_owned();
        if c.starts_with(['=', '+', '@', '\t', '\r']) || (c.starts_with('-') && c.parse::<f64>().is_err()) {
            c.insert(0, '\'');
        }
        if c.contains([',', '"', '\n', '\r']) {
            c = format!("\"{}\"", c.replace('"', "\"\""));
        }
        out.push(c);
    }
    let mut s = out.join(",");
    s.push_str("\r\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_and_defuses() {
        assert_eq!(super::line(&["a", "b,c", "say \"hi\""]), "a,\"b,c\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(super::line(&["=1+1", "-5", "-x"]), "'=1+1,-5,'-x\r\n");
    }
}
