//! `report --format html`: the manager's view as one self-contained page of inline SVG
//! charts (see [`super::chart`]). No scripts, no network (a Content-Security-Policy says
//! so), black on white with every figure written beside its bar, laid out within the
//! narrower width of A4 and Letter so it prints on either. Every figure is the
//! [`Report`]'s or its [`Detail`]'s, as `report --json --detail` prints them.

use std::fmt::Write;

use jiff::tz::TimeZone;

use super::chart::{self, Bar, Marker};
use super::print::escape::{html as esc, lang_attr};
use crate::clock::local;
use crate::i18n as ui;
use crate::money::Money;
use crate::tally::Report;
use crate::tally::detail::{BINS, Detail, Part, Timing, Unit};

const CSS: &str = "
@page { margin: 12mm; }
* { box-sizing: border-box; }
html { font-family: \"Noto Sans\", \"DejaVu Sans\", \"Liberation Sans\", Arial, sans-serif;
  font-size: 10pt; line-height: 1.3; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 186mm; padding: 4mm; }
h1 { font-size: 20pt; margin: 0 0 1mm; border-bottom: 2pt solid #000; }
h2 { font-size: 12.5pt; margin: 5mm 0 1.5mm; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; }
p { margin: 0 0 1.5mm; }
section { break-inside: avoid; }
.chart { display: block; width: 100%; height: auto; }
.figures { border-collapse: collapse; margin: 2mm 0; }
.figures td, .figures th { border-bottom: 0.5pt solid #000; padding: 0.6mm 3mm 0.6mm 0; text-align: left; }
.figures td.n { text-align: right; font-weight: bold; }
.legend { display: flex; flex-wrap: wrap; gap: 1.5mm 5mm; margin: 1mm 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 1.5mm; }
.swatch { flex: none; }
.none { font-style: italic; }
h2.part { font-size: 16pt; margin: 8mm 0 2mm; border-bottom: 1pt solid #000; }
.part + .part { break-before: page; }
";

/// Failure points named one by one in the Pareto chart; the rest share a row.
pub const PARETO_ROWS: usize = 15;

/// What the page needs besides the figures.
pub struct Page<'a> {
    /// Language of the page's own words.
    pub lang: &'a str,
    /// Time zone the period is shown in.
    pub tz: &'a TimeZone,
    /// The one type asked for, if any.
    pub kind: Option<&'a str>,
    /// The paper it is printed on.
    pub paper: super::print::Paper,
}

/// `currency amount`, as the text report shows amounts.
fn amount(r: &Report, m: Money) -> String {
    format!("{} {m}", r.currency)
}

/// A float for a chart's length (never shown: the figure is written beside it).
#[allow(clippy::cast_precision_loss)]
fn length(n: i64) -> f64 {
    n as f64
}

/// The whole page.
#[must_use]
pub fn html(r: &Report, d: &Detail, page: &Page) -> String {
    let lang = ui::shown_lang(page.lang);
    let mut out = head(r, d, page);
    out.push_str(&body(r, d, lang));
    out.push_str("</body>\n</html>\n");
    out
}

/// The page of a report in parts (`--by site` on a shared log, or incidents in several
/// currencies): each part headed by its site and currency, with its own figures and
/// charts, as `report --json --by site` gives them.
#[must_use]
pub fn html_parts(parts: &[Part], page: &Page) -> String {
    let lang = ui::shown_lang(page.lang);
    let Some(first) = parts.first() else { return String::new() };
    let mut out = head(&first.report, &first.detail, page);
    for part in parts {
        let heading = match &part.site {
            Some(site) => format!("{site} \u{b7} {}", part.report.currency),
            None => part.report.currency.clone(),
        };
        let _ = writeln!(out, "<div class=\"part\">\n<h2 class=\"part\">{}</h2>", esc(&heading));
        out.push_str(&body(&part.report, &part.detail, lang));
        out.push_str("</div>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The page up to its figures: title, period and the one type asked for.
fn head(r: &Report, d: &Detail, page: &Page) -> String {
    let lang = ui::shown_lang(page.lang);
    let t = |k: &str| esc(crate::i18n::t(lang, k));
    let since = r.since.map_or_else(String::new, |s| local(s, page.tz));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"recover {version}\">\n\
         <title>{title}</title>\n<style>{CSS}@page {{ size: {size}; }}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{period}</p>\n",
        lang = lang_attr(lang),
        version = env!("CARGO_PKG_VERSION"),
        title = t("report_title"),
        size = page.paper.css(),
        period =
            esc(&ui::f(lang, "report_period", &[("since", &since), ("until", &local(d.until, page.tz))])),
    );
    if let Some(kind) = page.kind {
        let _ = writeln!(out, "<p>{}</p>", esc(&ui::f(lang, "report_only_type", &[("type", kind)])));
    }
    out
}

/// The figures of one report and its charts.
fn body(r: &Report, d: &Detail, lang: &str) -> String {
    let t = |k: &str| esc(crate::i18n::t(lang, k));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<table class=\"figures\">\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n\
         <tr><th>{}</th><td class=\"n\">{}</td></tr>\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n\
         <tr><th>{}</th><td class=\"n\">{}</td></tr>\n<tr><th>{}</th><td class=\"n\">{}</td></tr>\n\
         <tr><th>{}</th><td class=\"n\">{}</td></tr>\n</table>",
        t("report_incidents"),
        r.incidents,
        t("report_previous"),
        d.previous_incidents,
        t("status_in_progress"),
        r.in_progress,
        t("status_incomplete"),
        r.incomplete,
        t("report_repeat_guests"),
        r.repeat_guests,
        t("amends_total"),
        esc(&amount(r, r.amends_total)),
    );
    out.push_str(&counts(d, lang));
    out.push_str(&timing(ui::t(lang, "time_to_apology"), &r.time_to_apology, &d.apology, d, lang, true));
    out.push_str(&timing(ui::t(lang, "time_to_fix"), &r.time_to_fix, &d.fix, d, lang, false));
    out.push_str(&amends(r, d, lang));
    out.push_str(&follow_ups(r, lang));
    out.push_str(&breaks(r, lang));
    out.push_str(&named(r, d, lang));
    out
}

/// A period's label under its column: `MM-DD` of its first day, or `YYYY-MM` for a month.
fn label(d: &Detail, start: &str) -> String {
    let shown = if d.unit == Unit::Month { start.get(..7) } else { start.get(5..) };
    shown.unwrap_or(start).to_owned()
}

/// "none" in place of an empty chart.
fn none(lang: &str) -> String {
    format!("<p class=\"none\">{}</p>\n", esc(ui::t(lang, "none")))
}

/// Incidents per period stacked by type, with a legend.
fn counts(d: &Detail, lang: &str) -> String {
    let heading = ui::t(
        lang,
        match d.unit {
            Unit::Day => "report_per_day",
            Unit::Week => "report_per_week",
            Unit::Month => "report_per_month",
        },
    );
    let kinds: Vec<&String> = {
        let mut k: Vec<&String> = d.periods.iter().flat_map(|p| p.by_type.keys()).collect();
        k.sort();
        k.dedup();
        k
    };
    let columns: Vec<(String, Vec<usize>)> = d
        .periods
        .iter()
        .map(|p| {
            (label(d, &p.start), kinds.iter().map(|k| p.by_type.get(*k).copied().unwrap_or(0)).collect())
        })
        .collect();
    let mut out = format!("<section>\n<h2>{}</h2>\n<ul class=\"legend\">", esc(heading));
    for (i, k) in kinds.iter().enumerate() {
        let total: usize = d.periods.iter().filter_map(|p| p.by_type.get(*k)).sum();
        let _ = write!(out, "<li>{}{} ({total})</li>", chart::swatch(i), esc(k));
    }
    out.push_str("</ul>\n");
    out.push_str(&chart::stacked(&columns, heading));
    out.push_str("\n</section>\n");
    out
}

/// Where `seconds` falls on the histogram, in bins (linear within its bin).
fn bin_position(seconds: i64) -> f64 {
    let i = BINS.iter().position(|b| seconds <= *b).unwrap_or(BINS.len());
    let low = if i == 0 { 0 } else { BINS[i - 1] };
    let Some(high) = BINS.get(i) else {
        #[allow(clippy::cast_precision_loss)]
        return BINS.len() as f64 + 0.5;
    };
    #[allow(clippy::cast_precision_loss)]
    let at = i as f64 + length(seconds - low) / length(high - low);
    at
}

/// One timing: its spread binned with median, 90th percentile and target marked, then
/// its median per period against the target.
fn timing(
    heading: &str,
    spread: &crate::tally::Spread,
    binned: &Timing,
    d: &Detail,
    lang: &str,
    apology: bool,
) -> String {
    let mut out = format!("<section>\n<h2>{}</h2>\n", esc(heading));
    let show = |v: Option<i64>| v.map_or("\u{2014}".to_owned(), |s| ui::duration(lang, s));
    let _ = writeln!(
        out,
        "<p>{}: <b>{}</b> \u{b7} {}: <b>{}</b> \u{b7} n = {}</p>",
        esc(ui::t(lang, "report_median")),
        show(spread.median),
        esc(ui::t(lang, "report_p90")),
        show(spread.p90),
        spread.count
    );
    if let (Some(target), Some(n)) = (binned.target, binned.within_target) {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&ui::f(
                lang,
                "report_within_target",
                &[
                    ("n", &n.to_string()),
                    ("total", &spread.count.to_string()),
                    ("target", &ui::duration(lang, target))
                ]
            ))
        );
    }
    if spread.count == 0 {
        out.push_str(&none(lang));
        out.push_str("</section>\n");
        return out;
    }
    let mut bins = Vec::new();
    for (i, n) in binned.bins.iter().enumerate() {
        let label = match BINS.get(i) {
            Some(b) => format!("\u{2264} {}", ui::duration(lang, *b)),
            None => format!("> {}", ui::duration(lang, BINS[BINS.len() - 1])),
        };
        bins.push((label, *n));
    }
    let mut markers = Vec::new();
    for (key, value) in [("report_median", spread.median), ("report_p90", spread.p90)] {
        if let Some(v) = value {
            let label = format!("{} {}", crate::i18n::t(lang, key), ui::duration(lang, v));
            markers.push(Marker { at: bin_position(v), label, solid: false });
        }
    }
    if let Some(target) = binned.target {
        let label = format!("{} {}", ui::t(lang, "report_target"), ui::duration(lang, target));
        markers.push(Marker { at: bin_position(target), label, solid: true });
    }
    out.push_str(&chart::histogram(&bins, &markers, heading));
    let _ = writeln!(out, "\n<h3>{}</h3>", esc(ui::t(lang, "report_trend")));
    let points: Vec<(String, Option<f64>, String)> = d
        .periods
        .iter()
        .map(|p| {
            let v = if apology { p.apology_median } else { p.fix_median };
            (label(d, &p.start), v.map(length), v.map_or_else(String::new, |s| ui::duration(lang, s)))
        })
        .collect();
    let target = binned
        .target
        .map(|t| (length(t), format!("{} {}", ui::t(lang, "report_target"), ui::duration(lang, t))));
    out.push_str(&chart::line(&points, target, heading));
    out.push_str("\n</section>\n");
    out
}

/// Amends per type and severity, and what needed an approver.
fn amends(r: &Report, d: &Detail, lang: &str) -> String {
    let heading = ui::t(lang, "report_amends");
    let mut out = format!("<section>\n<h2>{}</h2>\n", esc(heading));
    let _ = writeln!(
        out,
        "<p>{}</p>",
        esc(&ui::f(
            lang,
            "report_needing_approver",
            &[("amount", &amount(r, r.amends_approved)), ("n", &r.incidents_needing_approval.to_string())]
        ))
    );
    let mut bars = Vec::new();
    for (kind, by) in &d.amends_by_type_severity {
        for (severity, m) in by {
            let shown = crate::playbook::Severity::from_key(severity)
                .map_or_else(|| ui::t(lang, "severity_unset"), |s| ui::severity(lang, s));
            let value = m.to_string().parse::<f64>().unwrap_or(0.0);
            bars.push(Bar { label: format!("{kind} \u{b7} {shown}"), value, text: amount(r, *m) });
        }
    }
    if bars.is_empty() {
        out.push_str(&none(lang));
    } else {
        out.push_str(&chart::hbars(&bars, heading));
    }
    let heading = ui::t(lang, "report_withheld");
    let _ = writeln!(out, "\n<h3>{}</h3>", esc(heading));
    let bars: Vec<Bar> = d.amends_withheld.iter().map(|(step, n)| Bar::count(step.clone(), *n)).collect();
    if bars.is_empty() {
        out.push_str(&none(lang));
    } else {
        out.push_str(&chart::hbars(&bars, heading));
    }
    // Why they were withheld, most often first, as the text report's "amends withheld, why".
    let heading = ui::t(lang, "report_withheld_why");
    let _ = writeln!(out, "\n<h3>{}</h3>", esc(heading));
    let bars: Vec<Bar> =
        r.withheld_reasons.iter().map(|(why, n)| Bar::count(ui::withheld_reason(lang, why), *n)).collect();
    if bars.is_empty() {
        out.push_str(&none(lang));
    } else {
        out.push_str(&chart::hbars(&bars, heading));
    }
    out.push_str("\n</section>\n");
    out
}

/// Follow-ups by how they went, then recovered against lost.
fn follow_ups(r: &Report, lang: &str) -> String {
    let heading = ui::t(lang, "report_follow_ups");
    let f = &r.follow_ups;
    let bar = |k: &str, n: usize| Bar::count(crate::i18n::t(lang, k), n);
    let mut out = format!("<section>\n<h2>{}</h2>\n", esc(heading));
    out.push_str(&chart::hbars(
        &[
            bar("report_on_time", f.on_time),
            bar("report_late", f.late),
            bar("report_open", f.open),
            bar("report_overdue", f.overdue),
        ],
        heading,
    ));
    out.push_str(&chart::hbars(&[bar("report_recovered", f.recovered), bar("report_lost", f.lost)], heading));
    out.push_str("\n</section>\n");
    out
}

/// Failure points as a Pareto chart, and the SERVQUAL dimensions.
fn breaks(r: &Report, lang: &str) -> String {
    let heading = ui::t(lang, "report_failure_points");
    let mut out = format!("<section>\n<h2>{}</h2>\n", esc(heading));
    if r.failure_points.is_empty() {
        out.push_str(&none(lang));
    } else {
        // The vital few, and the rest in one row (the running share reaches 100 % there).
        let mut rows: Vec<(String, usize)> = r.failure_points.iter().take(PARETO_ROWS).cloned().collect();
        let rest = &r.failure_points[rows.len()..];
        if !rest.is_empty() {
            let n = rest.iter().map(|p| p.1).sum();
            rows.push((ui::f(lang, "report_more", &[("n", &rest.len().to_string())]), n));
        }
        out.push_str(&chart::pareto(&rows, heading));
    }
    let heading = ui::t(lang, "report_servqual");
    let _ = writeln!(out, "\n<h3>{}</h3>", esc(heading));
    if r.servqual.is_empty() {
        out.push_str(&none(lang));
    } else {
        let bars: Vec<Bar> = r.servqual.iter().map(|(k, n)| Bar::count(ui::servqual(lang, k), *n)).collect();
        out.push_str(&chart::hbars(&bars, heading));
    }
    out.push_str("\n</section>\n");
    out
}

/// The most expensive and the slowest incidents, by id.
fn named(r: &Report, d: &Detail, lang: &str) -> String {
    let mut out = String::new();
    for (key, list, money) in
        [("report_expensive", &d.most_expensive, true), ("report_slowest", &d.slowest, false)]
    {
        let heading = crate::i18n::t(lang, key);
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", esc(heading));
        let bars: Vec<Bar> = list
            .iter()
            .map(|n| {
                let label = format!("{} \u{b7} {}", n.id, n.kind);
                if money {
                    let value = n.amends.to_string().parse::<f64>().unwrap_or(0.0);
                    Bar { label, value, text: amount(r, n.amends) }
                } else {
                    let s = n.fix_s.unwrap_or(0);
                    Bar { label, value: length(s), text: ui::duration(lang, s) }
                }
            })
            .collect();
        if bars.is_empty() {
            out.push_str(&none(lang));
        } else {
            out.push_str(&chart::hbars(&bars, heading));
        }
        out.push_str("\n</section>\n");
    }
    out
}
