//! Bar, column, histogram and line charts as inline SVG, drawn here rather than with the
//! plotters crate. Measured before choosing (release build with this crate's profile, a
//! program printing charts): plotters' SVG backend drawing one bar chart made the binary
//! 134 KB bigger (473 KB against 339 KB for the same program writing its SVG by hand);
//! this module drawing all five kinds below made it 51 KB bigger. Clarity decided it as
//! much: plotters writes fixed pixel sizes and guesses text widths without fonts, puts no
//! number beside a bar unless each is drawn by hand, and its fills are colours, so a
//! stacked chart printed in black and white would need its hatching drawn by hand anyway.
//! Here every chart scales with its `viewBox`, every bar carries its number, series differ
//! by hatching as well as by grey, and the text is real SVG text a PDF keeps (the report
//! test reads it back).

use std::fmt::Write;

use crate::render::print::escape::html as esc;

/// Width of every chart in SVG units; the page scales it to the column.
const W: f64 = 680.0;
/// Height of one bar row.
const ROW: f64 = 22.0;

/// One bar: its label, its length and the number written beside it.
pub struct Bar {
    /// Left of the bar.
    pub label: String,
    /// Its length, against the longest.
    pub value: f64,
    /// Written beside it.
    pub text: String,
}

impl Bar {
    /// A bar for a count.
    #[must_use]
    pub fn count(label: impl Into<String>, n: usize) -> Bar {
        #[allow(clippy::cast_precision_loss)]
        Bar { label: label.into(), value: n as f64, text: n.to_string() }
    }
}

/// A vertical line across a histogram at `at` (in bins: 1.5 is the middle of the second).
pub struct Marker {
    /// Where, in bins from the left edge.
    pub at: f64,
    /// Written at its top.
    pub label: String,
    /// Drawn solid (a target) rather than dashed (a statistic).
    pub solid: bool,
}

// Fills that stay apart in black and white: greys, and lines drawn across them (drawn as
// lines, not SVG patterns, which Chromium prints as pictures: ten megabytes for one chart
// of ten series).

/// Lines across a fill: level, upright, rising and falling to the right.
const ACROSS: u8 = 1;
const DOWN: u8 = 2;
const SLANT: u8 = 4;
const BACK: u8 = 8;

/// Twelve fills told apart without colour, a grey and the lines drawn across it; more
/// series than that reuse them in turn.
const FILLS: [(&str, u8); 12] = [
    ("#333", 0),
    ("#fff", SLANT),
    ("#999", 0),
    ("#fff", ACROSS),
    ("#fff", DOWN),
    ("#ddd", 0),
    ("#fff", ACROSS | DOWN),
    ("#fff", BACK),
    ("#bbb", SLANT),
    ("#fff", SLANT | BACK),
    ("#ddd", ACROSS),
    ("#bbb", DOWN),
];

/// Spacing of hatching lines.
const GAP: f64 = 4.0;

/// A rectangle filled as series `i`, outlined in black.
#[allow(clippy::many_single_char_names)]
fn filled(x: f64, y: f64, w: f64, h: f64, i: usize) -> String {
    let (grey, lines) = FILLS[i % FILLS.len()];
    let mut out = format!(
        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{grey}\" stroke=\"#000\" stroke-width=\"0.6\"/>"
    );
    let mut d = String::new();
    if lines & ACROSS != 0 {
        let mut ly = y + GAP;
        while ly < y + h {
            let _ = write!(d, "M{x:.1} {ly:.1}H{:.1}", x + w);
            ly += GAP;
        }
    }
    if lines & DOWN != 0 {
        let mut lx = x + GAP;
        while lx < x + w {
            let _ = write!(d, "M{lx:.1} {y:.1}V{:.1}", y + h);
            lx += GAP;
        }
    }
    if lines & SLANT != 0 {
        // Lines x + y = k, from the lower left edge to the upper right one.
        let mut k = x + y + GAP;
        while k < x + w + y + h {
            let (y_a, y_b) = ((y + h).min(k - x), y.max(k - x - w));
            let _ = write!(d, "M{:.1} {y_a:.1}L{:.1} {y_b:.1}", k - y_a, k - y_b);
            k += GAP * 1.4;
        }
    }
    if lines & BACK != 0 {
        // Lines y - x = k, from the upper left edge to the lower right one.
        let mut k = y - x - w + GAP;
        while k < y + h - x {
            let (y_a, y_b) = (y.max(k + x), (y + h).min(k + x + w));
            let _ = write!(d, "M{:.1} {y_a:.1}L{:.1} {y_b:.1}", y_a - k, y_b - k);
            k += GAP * 1.4;
        }
    }
    if !d.is_empty() {
        let _ = write!(out, "<path d=\"{d}\" stroke=\"#000\" stroke-width=\"0.6\"/>");
    }
    out
}

/// A small square filled as series `i`, for a legend outside the SVG.
#[must_use]
pub fn swatch(i: usize) -> String {
    format!(
        "<svg class=\"swatch\" viewBox=\"0 0 12 12\" width=\"12\" height=\"12\" aria-hidden=\"true\">{}</svg>",
        filled(0.5, 0.5, 11.0, 11.0, i)
    )
}

/// Label every how many columns `step` apart, so labels stay about 40 units apart.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn every(step: f64) -> usize {
    if step >= 40.0 { 1 } else { (40.0 / step.max(0.1)).ceil().clamp(1.0, 1000.0) as usize }
}

fn open(height: f64, label: &str) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height:.0}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"sans-serif\" font-size=\"11\">",
        esc(label)
    )
}

/// Rough width of `s` at 11 units a letter height, for laying out labels.
#[allow(clippy::cast_precision_loss)]
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 6.2
}

/// Horizontal bars, one per row, the label left and the number right of each.
#[must_use]
pub fn hbars(bars: &[Bar], label: &str) -> String {
    let left = bars.iter().map(|b| text_width(&b.label)).fold(60.0, f64::max).min(W * 0.45) + 8.0;
    let right = bars.iter().map(|b| text_width(&b.text)).fold(20.0, f64::max) + 10.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    #[allow(clippy::cast_precision_loss)]
    let mut out = open(ROW * bars.len() as f64 + 6.0, label);
    for (i, b) in bars.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = ROW * i as f64 + 3.0;
        let len = if max > 0.0 { (W - left - right) * b.value / max } else { 0.0 };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"#555\" stroke=\"#000\" stroke-width=\"0.6\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            left - 6.0,
            y + 14.0,
            esc(&b.label),
            y + 3.0,
            ROW - 6.0,
            left + len + 5.0,
            y + 14.0,
            esc(&b.text),
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars most first, with the running share of the whole beside each count and
/// drawn as a line: a Pareto chart.
#[must_use]
pub fn pareto(rows: &[(String, usize)], label: &str) -> String {
    let total: usize = rows.iter().map(|r| r.1).sum();
    let mut running = 0;
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(name, n)| {
            running += n;
            let share = (running * 100).checked_div(total).unwrap_or(0);
            #[allow(clippy::cast_precision_loss)]
            Bar { label: name.clone(), value: *n as f64, text: format!("{n} \u{b7} {share} %") }
        })
        .collect();
    let mut out = hbars(&bars, label);
    // The cumulative line over the bars, from 0 to 100 % of the bar area's width.
    let left = bars.iter().map(|b| text_width(&b.label)).fold(60.0, f64::max).min(W * 0.45) + 8.0;
    let right = bars.iter().map(|b| text_width(&b.text)).fold(20.0, f64::max) + 10.0;
    let mut running = 0;
    let mut points = format!("{left:.1},3");
    for (i, (_, n)) in rows.iter().enumerate() {
        running += n;
        #[allow(clippy::cast_precision_loss)]
        let x = left + (W - left - right) * running as f64 / total.max(1) as f64;
        #[allow(clippy::cast_precision_loss)]
        let y = ROW * (i + 1) as f64 + 3.0;
        let _ = write!(points, " {x:.1},{y:.1}");
    }
    out.truncate(out.len() - "</svg>".len());
    let _ = write!(
        out,
        "<polyline points=\"{points}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"5 2\"/></svg>"
    );
    out
}

/// Columns stacked by series (`columns[i].1[s]` is series `s` of column `i`), each total
/// above its column and each part's count inside it when there is room.
#[must_use]
pub fn stacked(columns: &[(String, Vec<usize>)], label: &str) -> String {
    let (top, bottom, left) = (18.0, 34.0, 8.0);
    let height = 200.0;
    let max = columns.iter().map(|c| c.1.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    #[allow(clippy::cast_precision_loss)]
    let (step, maxf) = ((W - 2.0 * left) / columns.len().max(1) as f64, max as f64);
    let width = (step * 0.7).max(1.0);
    let font = if step < 18.0 { 8.0 } else { 11.0 };
    let mut out = open(top + height + bottom, label);
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#000\"/>",
        W - left,
        top + height,
        top + height
    );
    // Labels under every column when they fit, else under about every sixth.
    let every = every(step);
    for (i, (name, parts)) in columns.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + step * i as f64 + (step - width) / 2.0;
        let mut y = top + height;
        for (s, n) in parts.iter().enumerate().filter(|(_, n)| **n > 0) {
            #[allow(clippy::cast_precision_loss)]
            let h = height * *n as f64 / maxf;
            y -= h;
            out.push_str(&filled(x, y, width, h, s));
            if h >= 13.0 && step >= 18.0 && parts.iter().filter(|n| **n > 0).count() > 1 {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\" fill=\"#000\" \
                     stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\">{n}</text>",
                    x + width / 2.0,
                    y + h / 2.0 + 3.0
                );
            }
        }
        let total: usize = parts.iter().sum();
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{font}\" font-weight=\"bold\">{total}</text>",
            x + width / 2.0,
            y - 3.0
        );
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                x + width / 2.0,
                top + height + 13.0,
                esc(name)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Columns of counts per bin (labels under them, counts above) with `markers` across.
#[must_use]
pub fn histogram(bins: &[(String, usize)], markers: &[Marker], label: &str) -> String {
    let (top, height, bottom, left) = (48.0, 140.0, 20.0, 8.0);
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    #[allow(clippy::cast_precision_loss)]
    let (step, maxf) = ((W - 2.0 * left) / bins.len().max(1) as f64, max as f64);
    let mut out = open(top + height + bottom, label);
    let base = top + height;
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#000\"/>",
        W - left
    );
    for (i, (name, n)) in bins.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + step * i as f64;
        #[allow(clippy::cast_precision_loss)]
        let h = height * *n as f64 / maxf;
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#bbb\" stroke=\"#000\" stroke-width=\"0.6\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{n}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
            x + 3.0,
            base - h,
            step - 6.0,
            x + step / 2.0,
            base - h - 3.0,
            x + step / 2.0,
            base + 13.0,
            esc(name)
        );
    }
    for (k, m) in markers.iter().enumerate() {
        let x = left + step * m.at;
        #[allow(clippy::cast_precision_loss)]
        let y = 11.0 + 11.0 * k as f64;
        let dash = if m.solid { "" } else { " stroke-dasharray=\"4 3\"" };
        let anchor = if x > W * 0.75 { "end" } else { "start" };
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{base}\" stroke=\"#000\" stroke-width=\"{}\"{dash}/>\
             <text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"10\">{}</text>",
            y - 8.0,
            if m.solid { 2.0 } else { 1.2 },
            if anchor == "end" { x - 3.0 } else { x + 3.0 },
            esc(&m.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A line through `points` (a gap where a value is missing), each point's text beside it,
/// with a solid level line at `target`.
#[must_use]
pub fn line(points: &[(String, Option<f64>, String)], target: Option<(f64, String)>, label: &str) -> String {
    let (top, height, bottom, left) = (16.0, 120.0, 20.0, 20.0);
    let max = points.iter().filter_map(|p| p.1).chain(target.as_ref().map(|t| t.0)).fold(1.0, f64::max);
    #[allow(clippy::cast_precision_loss)]
    let step = (W - 2.0 * left) / points.len().max(1) as f64;
    let y_of = |v: f64| top + height - height * v / max;
    let mut out = open(top + height + bottom, label);
    let base = top + height;
    let _ = write!(
        out,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#000\"/>",
        W - left
    );
    if let Some((v, text)) = &target {
        let y = y_of(*v);
        let _ = write!(
            out,
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#000\" stroke-width=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">{}</text>",
            W - left,
            W - left,
            y - 4.0,
            esc(text)
        );
    }
    let every = every(step);
    let mut path = String::new();
    let mut pen_up = true;
    for (i, (name, value, text)) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + step * (i as f64 + 0.5);
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                base + 13.0,
                esc(name)
            );
        }
        let Some(v) = value else {
            pen_up = true;
            continue;
        };
        let y = y_of(*v);
        let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" });
        pen_up = false;
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"#000\"/>");
        if i % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                y - 5.0,
                esc(text)
            );
        }
    }
    let _ = write!(
        out,
        "<path d=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/></svg>",
        path.trim_end()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{Bar, hbars, stacked};

    #[test]
    fn every_bar_carries_its_number_and_labels_are_escaped() {
        let svg = hbars(&[Bar::count("<a>", 3), Bar::count("b", 0)], "x");
        assert!(svg.contains(">3</text>") && svg.contains(">0</text>"));
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("<a>"));
        let svg = stacked(&[("d1".into(), vec![2, 3]), ("d2".into(), vec![0, 0])], "x");
        assert!(svg.contains(">5</text>") && svg.contains(">0</text>"));
    }
}
