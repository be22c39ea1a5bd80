//! CSV for spreadsheets: RFC 4180 quoting; cells that a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@`, tab or carriage return first) are prefixed with `'` so they
//! stay text, and control characters are made visible as everywhere else people read (JSON
//! keeps exact data).
//!
//! Quoting follows OWASP's advice for CSV injection: a cell is quoted when it holds a comma,
//! a semicolon, a quote or a line break, or starts with a formula character. Spreadsheets in
//! the da, nb and et locales split on `;`, so an unquoted `x;=cmd|' /C calc'!A0` would become
//! two cells, the second a formula; quoted, it stays one cell of text.

/// The characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV line from its cells, with the line ending.
#[must_use]
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(cells.len());
    for cell in cells {
        let raw = cell.as_ref();
        let mut c = super::safe::clean(raw).into_owned();
        // Spreadsheets skip leading blanks before a formula (` =1+1`), and a tab or carriage
        // return first is itself a formula start, whatever `clean` made of it. A plain
        // negative number (`-5`) stays a number; anything else starting so is text.
        let first = c.trim_start();
        let formula = (raw.starts_with(FORMULA_START) || first.starts_with(FORMULA_START))
            && !(first.starts_with('-') && first.parse::<f64>().is_ok());
        if formula {
            c.insert(0, '\'');
        }
        if formula || c.contains([',', ';', '"', '\n', '\r']) {
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
        assert_eq!(super::line(&["=1+1", "-5", "-x"]), "\"'=1+1\",-5,\"'-x\"\r\n");
    }

    #[test]
    fn a_semicolon_never_splits_a_cell() {
        // Spreadsheets in semicolon locales split here; quoted, the formula stays text.
        assert_eq!(super::line(&["x;=cmd|' /C calc'!A0"]), "\"x;=cmd|' /C calc'!A0\"\r\n");
        assert_eq!(super::line(&["@SUM(A1)", "+1"]), "\"'@SUM(A1)\",\"'+1\"\r\n");
        assert_eq!(super::line(&["plain", "3.50"]), "plain,3.50\r\n");
    }

    #[test]
    fn blanks_or_a_tab_before_a_formula_do_not_hide_it() {
        assert!(super::line(&[" =sp"]).starts_with("\"' =sp"), "{}", super::line(&[" =sp"]));
        assert!(super::line(&["\t+tab"]).starts_with("\"'"), "{}", super::line(&["\t+tab"]));
        assert_eq!(super::line(&[" -5"]), " -5\r\n");
    }
}
