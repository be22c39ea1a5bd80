//! Cheap scans of the raw text that run before the YAML parsers, for what the parsers
//! would only notice after doing too much work.
//!
//! Both parsers take time that grows with the square of how deeply flow collections
//! (`[`, `{`) nest, and their own depth limits trip only after that work is done: a 1 MiB
//! file of brackets held `check` for minutes. [`flow_depth`] counts the nesting in one
//! pass, following quotes, comments and block scalars closely enough that brackets inside
//! text are not counted and brackets outside it are, and places the message at the bracket
//! one level too deep. It is a heuristic, not a parser: where it is fooled, the event walk
//! in `super::walk` (which stops at its first refusal, in linear time) still runs before
//! serde_yaml, the parser whose time is quadratic.

use super::{Pos, YamlError};

/// Refuses text whose flow collections nest deeper than `max`, placed at the bracket
/// that goes one level too deep.
pub fn flow_depth(text: &str, max: usize) -> Result<(), YamlError> {
    let mut scan = Scan::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let pos = Pos { line: scan.line, col: scan.col };
        // Advance the position first; `i` moves on at the end.
        if c == '\n' {
            scan.line += 1;
            scan.col = 1;
        } else {
            scan.col += 1;
        }
        match scan.state {
            State::Double => match c {
                '\\' => {
                    i += 1;
                    scan.col += 1;
                }
                '"' => scan.end_scalar(),
                '\n' => {
                    scan.col = 1;
                }
                _ => {}
            },
            State::Single => {
                if c == '\'' {
                    if next == Some('\'') {
                        i += 1;
                        scan.col += 1;
                    } else {
                        scan.end_scalar();
                    }
                }
            }
            State::Comment => {
                if c == '\n' {
                    scan.state = State::Plain;
                    scan.new_line();
                }
            }
            State::Block { parent } => {
                // A block scalar's lines are text while they are indented past its parent
                // (blank lines included); the first line that is not ends it.
                if pos.col == 1 && c != '\n' {
                    let indent = chars[i..].iter().take_while(|&&ch| ch == ' ').count();
                    let blank = matches!(chars.get(i + indent), None | Some('\n' | '\r'));
                    if indent <= parent && !blank {
                        scan.state = State::Plain;
                        scan.new_line();
                        continue_plain(&mut scan, &chars, &mut i, max)?;
                        continue;
                    }
                }
            }
            State::Plain => {
                i = step_plain(&mut scan, &chars, i, pos, max)?;
            }
        }
        i += 1;
    }
    Ok(())
}

/// Re-reads the character at `i` in plain state (after a block scalar ended before it).
fn continue_plain(scan: &mut Scan, chars: &[char], i: &mut usize, max: usize) -> Result<(), YamlError> {
    let pos = Pos { line: scan.line, col: scan.col - 1 };
    *i = step_plain(scan, chars, *i, pos, max)?;
    *i += 1;
    Ok(())
}

/// One character outside quotes, comments and block scalars; returns the index of the
/// last character it consumed.
fn step_plain(scan: &mut Scan, chars: &[char], i: usize, pos: Pos, max: usize) -> Result<usize, YamlError> {
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    let after_space = i == 0 || matches!(chars[i - 1], ' ' | '\t' | '\n' | '\r');
    match c {
        '\n' => scan.new_line(),
        ' ' | '\t' | '\r' => {}
        '#' if after_space => scan.state = State::Comment,
        '"' if scan.at_start => scan.state = State::Double,
        '\'' if scan.at_start => scan.state = State::Single,
        '[' | '{' => {
            scan.depth += 1;
            if scan.depth > max {
                return Err(YamlError {
                    pos,
                    message: format!("nesting is too deep (more than {max} levels of brackets)"),
                });
            }
            scan.at_start = true;
        }
        ']' | '}' => {
            scan.depth = scan.depth.saturating_sub(1);
            scan.at_start = false;
        }
        ',' if scan.depth > 0 => scan.at_start = true,
        '|' | '>' if scan.at_start && scan.depth == 0 => {
            // A block scalar: its text runs on the following lines.
            scan.state = State::Block { parent: scan.token_col.saturating_sub(1) };
        }
        ':' | '-' | '?' if matches!(next, None | Some(' ' | '\t' | '\n' | '\r')) => {
            if scan.at_start || c == ':' {
                scan.at_start = true;
            }
            if c != ':' {
                scan.token_col = pos.col;
            }
        }
        _ => {
            if scan.at_start {
                scan.token_col = pos.col;
            }
            scan.at_start = false;
        }
    }
    Ok(i)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Plain,
    Double,
    Single,
    Comment,
    /// Inside a block scalar whose parent node stands at this column (from 0).
    Block {
        parent: usize,
    },
}

#[derive(Debug)]
struct Scan {
    state: State,
    depth: usize,
    /// A scalar could start here (so a quote opens a quoted scalar).
    at_start: bool,
    /// Column (from 1) of the last node on this line: a block scalar's parent.
    token_col: usize,
    line: usize,
    col: usize,
}

impl Default for Scan {
    fn default() -> Self {
        Scan { state: State::Plain, depth: 0, at_start: true, token_col: 1, line: 1, col: 1 }
    }
}

impl Scan {
    fn new_line(&mut self) {
        self.at_start = true;
        self.token_col = 1;
    }

    fn end_scalar(&mut self) {
        self.state = State::Plain;
        self.at_start = false;
    }
}

/// The first tab at or after `line` (from 1) and `col` (from 0), where the scanner said
/// it found one.
pub fn next_tab(text: &str, line: usize, col: usize) -> Option<Pos> {
    for (n, l) in text.split('\n').enumerate().skip(line.saturating_sub(1)) {
        let from = if n + 1 == line { col } else { 0 };
        if let Some(c) = l.chars().skip(from).position(|c| c == '\t') {
            return Some(Pos { line: n + 1, col: from + c + 1 });
        }
    }
    None
}

/// How many significant digits `s` has when it is a plain number (`10.25`, `-3e5`,
/// `1_000`); `None` when it is not one.
pub fn significant_digits(s: &str) -> Option<usize> {
    let t = s.trim().trim_start_matches(['-', '+']);
    let mantissa = t.split(['e', 'E']).next().unwrap_or(t);
    let ok = !mantissa.is_empty()
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1;
    if !ok {
        return None;
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    // Trailing zeros of a fraction add nothing; of a whole number they are magnitude.
    let digits = if mantissa.contains('.') { digits.trim_end_matches('0') } else { digits };
    Some(digits.len())
}

/// Whether a text may be decoded in one go by [`super::decode_clean`], found in one pass
/// over its bytes: `check` of a large library reads megabytes, and four separate passes
/// (one decoding characters) were a third of its instructions.
///
/// Refuses (takes the careful path for) a text with an anchor or alias character (`&`,
/// `*`), a run of more than [`super::MAX_NUMBER_DIGITS`] digits (dots and underscores
/// aside: a number a float would round), more than `max_brackets` opening brackets (`[`,
/// `{`: serde_yaml's time grows with the square of their nesting) or more than
/// `max_separators` commas and newlines (each value needs one).
pub fn clean_enough(text: &str, max_brackets: usize, max_separators: usize) -> bool {
    /// Bytes per block: the tallies over a block are branch-free, so the compiler turns
    /// them into vector instructions; only blocks with a digit are looked at byte by byte.
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    let (mut brackets, mut separators, mut run) = (0usize, 0usize, 0usize);
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in blocks.by_ref() {
        let (mut open, mut sep, mut refs, mut digits) = (0u8, 0u8, 0u8, 0u8);
        for &b in block {
            open += u8::from(b == b'[' || b == b'{');
            sep += u8::from(b == b',' || b == b'\n');
            refs |= u8::from(b == b'&' || b == b'*');
            digits |= u8::from(b.is_ascii_digit());
        }
        if refs != 0 {
            return false;
        }
        brackets += usize::from(open);
        separators += usize::from(sep);
        if digits != 0 || run > 0 {
            run = digit_run(block, run);
            if run > super::MAX_NUMBER_DIGITS {
                return false;
            }
        }
    }
    let rest = blocks.remainder();
    if rest.iter().any(|&b| b == b'&' || b == b'*') || digit_run(rest, run) > super::MAX_NUMBER_DIGITS {
        return false;
    }
    brackets += rest.iter().filter(|&&b| b == b'[' || b == b'{').count();
    separators += rest.iter().filter(|&&b| b == b',' || b == b'\n').count();
    brackets <= max_brackets && separators <= max_separators
}

/// The run of digits (dots and underscores aside) that `bytes` ends in, given the run
/// `run` before them; more than [`super::MAX_NUMBER_DIGITS`] as soon as any run is.
fn digit_run(bytes: &[u8], mut run: usize) -> usize {
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                run += 1;
                if run > super::MAX_NUMBER_DIGITS {
                    return run;
                }
            }
            b'.' | b'_' => {}
            _ => run = 0,
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(text: &str) -> bool {
        flow_depth(text, 3).is_ok()
    }

    #[test]
    fn counts_brackets_outside_text_only() {
        assert!(depth_ok("a: [[[1]]]\n"));
        assert!(!depth_ok("a: [[[[1]]]]\n"));
        assert_eq!(flow_depth("a: 1\nb: [[[[1]]]]\n", 3).unwrap_err().pos, Pos { line: 2, col: 7 });
        assert!(depth_ok("a: \"[[[[\"\nb: '[[[[ it''s'\n# [[[[\nc: x # [[[[\n"));
        assert!(depth_ok("a: |\n  [[[[ don't\n  'x\nb: [1]\n"));
        assert!(depth_ok("do: don't [stop] [[now]]\n"));
        // Text that only looks like it opens a quote cannot hide brackets.
        assert!(!depth_ok("a: |\n  'x\nb: [[[[1]]]]\n"));
        assert!(!depth_ok("- a: |\n   'x\n  b: [[[[1]]]]\n"));
        assert!(!depth_ok("a: [\"]\", [\"]\", [\"]\", [\"]\"]]]]\n"));
        assert!(!depth_ok("a: x'y\nb: [[[[1]]]]\n"));
    }

    #[test]
    fn finds_the_tab() {
        assert_eq!(next_tab("a: 1\nb: x\n\tc: 2\n", 2, 4), Some(Pos { line: 3, col: 1 }));
    }

    #[test]
    fn counts_significant_digits() {
        assert_eq!(significant_digits("10.123456789012345678901234567890"), Some(31));
        assert_eq!(significant_digits("0.0000000000000000000000000000001"), Some(1));
        assert_eq!(significant_digits("79228162514264337593543950335"), Some(29));
        assert_eq!(significant_digits("1_000.50"), Some(5));
        assert_eq!(significant_digits("room 214"), None);
        assert_eq!(significant_digits("1.2.3"), None);
        let clean = |t: &str| clean_enough(t, 2, 40);
        assert!(!clean("a: 1234567890.1234567\n"));
        assert!(clean("a: 1234567890.12\n"));
    }

    #[test]
    fn the_one_pass_scan_refuses_what_each_check_did() {
        let pad = "x".repeat(29);
        // Each refusal at every offset, so that block edges are crossed.
        for shift in 0..40 {
            let lead = &pad[..shift.min(pad.len())];
            let clean = |t: &str| clean_enough(&format!("{lead}{t}"), 2, 40);
            assert!(clean("a: 1234567890.12345\n"));
            assert!(!clean("a: 1234567890.123456\n"));
            assert!(!clean("a: 1_234_567_890_123_456\n"));
            assert!(clean("a: 123456789012345 123456789012345\n"));
            assert!(!clean("a: &x 1\n"));
            assert!(!clean("a: *x\n"));
            assert!(clean("a: [[1]]\n"));
            assert!(!clean("a: [{[1]}]\n"));
        }
        let many = ",".repeat(100);
        assert!(!clean_enough(&many, 2, 99));
        assert!(clean_enough(&many, 2, 100));
        let lines = "a\n".repeat(100);
        assert!(!clean_enough(&lines, 2, 99));
        assert!(clean_enough(&lines, 2, 100));
        assert!(!clean_enough(&"{".repeat(77), 76, 0));
        assert!(clean_enough(&"{".repeat(77), 77, 0));
        // A run that a block of dots and underscores does not break.
        let dots = ".".repeat(64);
        assert!(!clean_enough(&format!("12345678{dots}12345678"), 2, 9));
        assert!(clean_enough(&format!("12345678{dots}1234567"), 2, 9));
        assert!(clean_enough(&format!("12345678{dots}x12345678"), 2, 9));
    }
}
