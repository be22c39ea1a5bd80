//! JSON strings and times written byte by byte exactly as serde_json and jiff write them:
//! the escapes of a string, and an RFC 3339 time with three fractional digits.

use jiff::Timestamp;

/// What each byte becomes in a JSON string, as serde_json writes it: 0 for itself, `u`
/// for `\u00XX`, else the letter after the backslash.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// `s` as a JSON string, quoted: most text needs no escape and is copied in one piece,
/// found so eight bytes at a time.
pub fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut k = 0;
    while k < bytes.len() {
        if let Some(chunk) = bytes.get(k..k + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(word)) {
                k += 8;
                continue;
            }
        }
        let end = (k + 8).min(bytes.len());
        while k < end {
            let b = bytes[k];
            let e = ESCAPE[usize::from(b)];
            if e != 0 {
                out.extend_from_slice(&bytes[start..k]);
                escape(out, b, e);
                start = k + 1;
            }
            k += 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `w` may need an escape: a control character, `"` or
/// `\` (it may say so of others too, which are then looked at one by one).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    (control | zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\')))) != 0
}

fn escape(out: &mut Vec<u8>, b: u8, e: u8) {
    if e == b'u' {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]);
    } else {
        out.extend_from_slice(&[b'\\', e]);
    }
}

/// Milliseconds from 0000-01-01T00:00:00Z to 10000-01-01T00:00:00Z: the years written
/// with four digits, which [`time`] writes itself.
const FOUR_DIGIT_YEARS: std::ops::Range<i64> = -62_167_219_200_000..253_402_300_800_000;

/// `t` as a quoted RFC 3339 UTC time with exactly three fractional digits
/// (`"2026-11-23T15:20:11.120Z"`), as [`crate::clock::rfc3339::text`] writes it, without
/// going through a formatter: a year's export writes millions of them.
pub fn time(out: &mut Vec<u8>, t: Timestamp) {
    let ms = t.as_millisecond();
    if !FOUR_DIGIT_YEARS.contains(&ms) {
        out.push(b'"');
        out.extend_from_slice(crate::clock::rfc3339::stamp(&t).as_bytes());
        out.push(b'"');
        return;
    }
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil(days);
    let mut b = *b"\"0000-00-00T00:00:00.000Z\"";
    b[1..3].copy_from_slice(two_digits(year / 100));
    b[3..5].copy_from_slice(two_digits(year % 100));
    b[6..8].copy_from_slice(two_digits(month));
    b[9..11].copy_from_slice(two_digits(day));
    b[12..14].copy_from_slice(two_digits(day_secs / 3600));
    b[15..17].copy_from_slice(two_digits(day_secs / 60 % 60));
    b[18..20].copy_from_slice(two_digits(day_secs % 60));
    b[21] = two_digits(milli / 100)[1];
    b[22..24].copy_from_slice(two_digits(milli % 100));
    out.extend_from_slice(&b);
}

/// `v` (0 to 99) as two digits.
fn two_digits(v: i64) -> &'static [u8] {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let i = usize::try_from(v).unwrap_or(0) * 2;
    &PAIRS[i..i + 2]
}

/// Year, month and day of the day `days` after 1970-01-01 (proleptic Gregorian; Howard
/// Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
