//! Issue 6, multilingual: `list`, `show` and `print` read in the chosen language, the
//! language comes from `--lang`, `RECOVER_LANG` or the locale, and what scripts read (the
//! answers file, JSON, the log) holds ids and stable values, never translated text.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::support::{Test, assert_expected};

/// The languages the default library and the UI catalog are written in, English aside.
const TRANSLATED: [&str; 4] = ["da", "nb", "et", "bn"];

/// English words of the tool itself that must not show once a language is chosen.
const ENGLISH_UI: [&str; 12] = [
    "SAY ",
    "options:",
    "optional",
    "required",
    "may give",
    "due within",
    "from major",
    "limits per incident",
    "Where it goes wrong",
    "APOLOGISE",
    "FOLLOW UP",
    "also:",
];

#[test]
fn show_reservation_reads_in_each_language() {
    let t = Test::new();
    for lang in TRANSLATED {
        let out = t.ok(&["show", "reservation", "--lang", lang]);
        assert_expected(&format!("show-reservation-{lang}.txt"), &out);
        for english in ENGLISH_UI {
            assert!(!out.contains(english), "{lang}: English {english:?} left in\n{out}");
        }
    }
    // A few lines a reader of each language should find, in the playbook's own terms.
    let da = t.ok(&["show", "reservation", "--lang", "da"]);
    for expected in [
        "Reservationen mangler eller er forkert  (reservation)",
        "1. UNDSKYLDNING",
        "3. KOMPENSATION (grænser pr. hændelse, EUR: medarbejder 300, teamleder 1000,",
        "[free-night] · EUR 150 · fra alvorlig og op\n",
        "[pay-replacement]",
        "kritisk: EUR 615, gives af teamleder eller højere",
        "SIG  “Det er jeg virkelig ked af.",
        "muligheder: vores hotel | partnerhotel i nærheden | søsterhotel i",
        "[written-apology] · påkrævet · inden for 2 døgn",
        "Hvor det går galt: reservation, bekræftelse, ankomst, indtjekning",
    ] {
        assert!(da.contains(expected), "da: missing {expected:?} in\n{da}");
    }
    let nb = t.ok(&["show", "reservation", "--lang", "nb"]);
    assert!(nb.contains("[arrange-transport] · valgfritt") && nb.contains("4. OPPFØLGING"), "{nb}");
    let et = t.ok(&["show", "reservation", "--lang", "et"]);
    assert!(
        et.contains("kriitiline: EUR 615, annab vahetuse vanem või kõrgem")
            && et.contains("ÖELGE  “Palun väga vabandust."),
        "{et}"
    );
    let bn = t.ok(&["show", "reservation", "--lang", "bn"]);
    assert!(
        bn.contains("বলুন  “আমি সত্যিই খুব দুঃখিত।") && bn.contains("সংকটজনক: EUR 615, দেবেন সুপারভাইজার বা তার ওপরে"),
        "{bn}"
    );
}

#[test]
fn list_in_bengali() {
    let t = Test::new();
    let out = t.ok(&["list", "--lang", "bn"]);
    assert_expected("list-bn.txt", &out);
    let header = out.lines().next().unwrap();
    for column in ["ধরন", "শিরোনাম", "অন্য নাম", "ক্ষমা চাওয়া", "সমাধান", "ক্ষতিপূরণ", "ফলো-আপ"]
    {
        assert!(header.contains(column), "{column} not in {header:?}");
    }
    assert!(out.contains("বুকিং হারিয়ে গেছে বা ভুল হয়েছে"), "{out}");
    // Columns line up by display width: every row's type column ends where the header's does.
    let title_at = UnicodeWidthStr::width(&header[..header.find("শিরোনাম").unwrap()]);
    for line in out.lines().skip(1) {
        let (kind, rest) = line.split_once(' ').unwrap();
        let title_col = UnicodeWidthStr::width(kind) + 1 + (rest.len() - rest.trim_start().len());
        assert_eq!(title_col, title_at, "title column misaligned in {line:?}");
    }
}

#[test]
fn markdown_handbook_in_estonian() {
    let t = Test::new();
    let out = t.ok(&["print", "wrong-order", "--format", "markdown", "--lang", "et"]);
    assert_expected("print-wrong-order-et.md", &out);
    for expected in [
        "# Teenindusvigade heastamise käsiraamat\n",
        "## Sisukord\n",
        // Anchors follow the translated headings, letters with diacritics kept.
        "- [Kuidas me vigu heastame](#kuidas-me-vigu-heastame)\n",
        "- [Serveeriti vale roog või tellimus](#serveeriti-vale-roog-või-tellimus) (`wrong-order`)\n",
        "\n## Kuidas me vigu heastame\n",
        "\n## Serveeriti vale roog või tellimus\n",
        "### Kes mida anda võib\n",
        "| Roll | Piirmäär juhtumi kohta (EUR) |\n",
        "- **Tüüp:** `wrong-order` (ka `wrong-dish`,",
        "### 3. Hüvitis\n",
        "| # | Hüvitis | Kulu (EUR) | Alates |\n",
        "| 8 | kerge |\n",
        "| tõsine | EUR 93 | igaüks |\n",
        "3. *Valikuline.* Kui teised lauas juba söövad",
        "1. *Kohustuslik.* Juhataja tuleb",
        "   **Tähtaeg: 15 min jooksul.**\n",
        "Mida öelda, kui neid pakute:\n",
        "   Valikud: sama roog õigesti tehtuna · muu roog külalise valikul.\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    for english in ["Contents", "How we recover", "Given by", "anyone", "Optional.", "Options:", "Due within"]
    {
        assert!(!out.contains(english), "English {english:?} left in\n{out}");
    }
}

#[test]
fn flag_beats_recover_lang_which_beats_the_locale() {
    let t = Test::new();
    let titles = [
        ("en", "Reservation lost or wrong  (reservation)"),
        ("da", "Reservationen mangler eller er forkert  (reservation)"),
        ("nb", "Reservasjonen mangler eller er feil  (reservation)"),
        ("et", "Broneering puudub või on vale  (reservation)"),
    ];
    let first_line = |out: crate::support::Output| {
        out.code(0);
        out.stdout.lines().next().unwrap_or_default().to_owned()
    };
    let title = |lang: &str| titles.iter().find(|(l, _)| *l == lang).unwrap().1;
    let show = || t.cmd(&["show", "reservation"]);
    assert_eq!(first_line(show().run()), title("en"), "no setting: English");
    assert_eq!(first_line(show().env("RECOVER_LANG", "da").run()), title("da"));
    assert_eq!(first_line(show().env("LANG", "nb_NO.UTF-8").run()), title("nb"));
    assert_eq!(
        first_line(show().env("RECOVER_LANG", "da").env("LANG", "nb_NO.UTF-8").run()),
        title("da"),
        "RECOVER_LANG beats the locale"
    );
    let both =
        t.cmd(&["show", "reservation", "--lang", "et"]).env("RECOVER_LANG", "da").env("LANG", "nb_NO.UTF-8");
    assert_eq!(first_line(both.run()), title("et"), "--lang beats both");
    // `paths` tells where the choice came from.
    let paths = t.cmd(&["paths"]).env("LANG", "nb_NO.UTF-8").run();
    assert!(paths.stdout.lines().any(|l| l.starts_with("lang") && l.contains("nb")), "{}", paths.stdout);
}

/// An answers file in Danish and Bengali, with notes, a reference and a reason in three
/// scripts and emoji; the choice and the failure point named by translated labels.
fn answers(choice: &str) -> String {
    format!(
        r#"type: reservation
severity: major
staff: "Søren Ærø"
role: supervisor
ref: "værelse 214 – Ærø"
failure_point: indtjekning
failure_note: "দুবার বুক করা হয়েছিল"
steps:
  listen: done
  own-it: {{done: true, note: "অতিথি খুশি"}}
  reassure: done
  ask-destination: done
  find-room: {{choice: "{choice}", note: "Külaline on rahul 😊👍🏽"}}
  arrange-transport: {{skipped: "গেস্ট হেঁটে যাবেন"}}
  confirm-in-writing: {{done: true, note: "bekræftelse sendt – på dansk"}}
  pay-replacement: {{done: true, note: "Hotel Lux, ikke noget at betale dér"}}
  ask-comfort: done
  thank: done
  welcome-drink: done
  call-next-morning: done
  written-apology: {{done: true, note: "Kiri saadetud 🙂"}}
"#
    )
}

fn step<'a>(incident: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    incident["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn answers_in_any_script_are_recorded_exactly_and_json_holds_ids_and_stable_values() {
    let t = Test::new();
    // The choice named by its Danish label in a Bengali session, then by its Bengali label
    // in a Danish session: both record the stable value.
    let runs = [("partnerhotel i nærheden", "bn"), ("কাছাকাছি পার্টনার হোটেল", "da")];
    let mut summaries = Vec::new();
    for (n, (choice, lang)) in runs.iter().enumerate() {
        let file = t.write(&format!("answers-{n}.yaml"), answers(choice));
        let out = t.cmd(&["start", "--answers", file.to_str().unwrap(), "--json", "--lang", lang]).run();
        out.code(0);
        let lines = out.json_lines();
        assert_eq!(lines.len(), 1, "one JSON object on stdout:\n{}", out.stdout);
        summaries.push(lines[0].clone());
    }
    let logged = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(logged.len(), 2);
    for summary in &summaries {
        let back = logged.iter().find(|l| l["id"] == summary["id"]).expect("in the log");
        assert_eq!(back, summary, "the log gives back exactly what the session recorded");
        assert_eq!(back["staff"], "Søren Ærø");
        assert_eq!(back["ref"], "værelse 214 – Ærø");
        assert_eq!(back["status"], "complete");
        assert_eq!(back["severity"], "major");
        assert_eq!(back["failure_point"], "check-in", "the stable value of `indtjekning`");
        assert_eq!(back["failure_note"], "দুবার বুক করা হয়েছিল");
        assert_eq!(step(back, "own-it")["note"], "অতিথি খুশি");
        assert_eq!(step(back, "find-room")["choice"], "partner hotel nearby");
        assert_eq!(step(back, "find-room")["note"], "Külaline on rahul 😊👍🏽");
        assert_eq!(step(back, "arrange-transport")["outcome"], "skipped");
        assert_eq!(step(back, "arrange-transport")["reason"], "গেস্ট হেঁটে যাবেন");
        assert_eq!(step(back, "pay-replacement")["note"], "Hotel Lux, ikke noget at betale dér");
        assert_eq!(step(back, "written-apology")["note"], "Kiri saadetud 🙂");
        for s in back["steps"].as_array().unwrap() {
            let phase = s["phase"].as_str().unwrap();
            assert!(["apologise", "fix", "amend", "follow_up"].contains(&phase), "phase code {phase}");
            assert!(["done", "skipped"].contains(&s["outcome"].as_str().unwrap()), "{s}");
        }
        let ids: Vec<&str> =
            back["follow_ups"].as_array().unwrap().iter().map(|f| f["step"].as_str().unwrap()).collect();
        assert_eq!(ids, ["call-next-morning", "written-apology"]);
        // No translated label or UI word reached the machine output.
        let json = serde_json::to_string(back).unwrap();
        for shown in ["partnerhotel", "কাছাকাছি", "indtjekning", "Undskyldning", "ক্ষমা চাওয়া", "gjort", "সম্পূর্ণ"]
        {
            assert!(!json.contains(shown), "translated text {shown:?} in JSON: {json}");
        }
    }
    // Export carries the same objects, byte for byte in every script.
    let by_id = |mut v: Vec<serde_json::Value>| {
        v.sort_by_key(|i| i["id"].as_str().unwrap_or_default().to_owned());
        v
    };
    assert_eq!(by_id(t.cmd(&["export"]).run().json_lines()), by_id(logged));
}

#[test]
fn check_reports_a_missing_bengali_say_at_its_line_and_column() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let file = dir.join("reservation.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // The first `say:` of the file (listen's): drop its `bn:` line.
    let say = lines.iter().position(|l| l.trim() == "say:").unwrap();
    let bn = say + lines[say..].iter().position(|l| l.trim_start().starts_with("bn:")).unwrap();
    assert!(bn < say + 6, "the bn line belongs to this say");
    let removed = lines.remove(bn);
    assert!(removed.contains("বুঝতে পারছি ব্যাপারটা"), "{removed}");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    // The text is the mapping under `say:`: its first entry, one line down, indented.
    let line = say + 2;
    let col = lines[say + 1].len() - lines[say + 1].trim_start().len() + 1;

    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    let expected =
        format!("{}:{line}:{col}: text lacks the language(s) bn declared in the policy", file.display());
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), [expected.as_str()], "exactly this problem");
    assert!(out.stderr.contains("1 error,"), "{}", out.stderr);
}

/// A copy of the default library in which the reservation playbook has no Danish, and the
/// policy no longer asks for it.
fn library_without_danish_reservation(t: &Test) -> std::path::PathBuf {
    let dir = t.copy_playbooks("no-da");
    let policy = std::fs::read_to_string(dir.join("policy.yaml")).unwrap();
    let policy = policy.replace("languages: [en, da, nb, et, bn]", "languages: [en, nb, et, bn]");
    assert!(policy.contains("[en, nb, et, bn]"), "{policy}");
    std::fs::write(dir.join("policy.yaml"), policy).unwrap();
    let reservation = std::fs::read_to_string(dir.join("reservation.yaml")).unwrap();
    let mut out = String::new();
    for line in reservation.lines() {
        if line.trim_start().starts_with("da:") {
            continue;
        }
        // Inline maps: `{en: booking, da: booking, nb: ...}`.
        let line = match line.find(", da: ") {
            Some(start) => {
                let end = start + 2 + line[start + 2..].find([',', '}']).unwrap();
                format!("{}{}", &line[..start], &line[end..])
            }
            None => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    assert!(!out.contains("da:") && !out.contains("Gæsten"), "{out}");
    std::fs::write(dir.join("reservation.yaml"), out).unwrap();
    let check = t.cmd(&["check", dir.to_str().unwrap()]).run();
    assert_eq!(check.code, 0, "the library stays valid: {}{}", check.stdout, check.stderr);
    dir
}

/// The `lang` of the `<section>` whose `id` is given, and the section up to the next
/// playbook's.
fn section<'h>(html: &'h str, id: &str) -> (Option<&'h str>, &'h str) {
    let start = html
        .match_indices("<section class=")
        .map(|(i, _)| i)
        .find(|&i| html[i..i + html[i..].find('>').unwrap()].contains(&format!("id=\"{id}\"")))
        .unwrap_or_else(|| panic!("no section {id}"));
    let tag = &html[start..start + html[start..].find('>').unwrap()];
    let lang = tag.split("lang=\"").nth(1).map(|rest| &rest[..rest.find('"').unwrap()]);
    let end = html[start + 1..].find("<section class=\"playbook").map_or(html.len(), |e| start + 1 + e);
    (lang, &html[start..end])
}

#[test]
fn html_sections_say_the_language_they_are_shown_in() {
    let t = Test::new();
    let html = t.ok(&["print", "--format", "html", "--lang", "da"]);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"da\">"),
        "the document keeps the chosen language"
    );
    for id in ["contents", "glance"] {
        assert_eq!(section(&html, id).0, Some("da"), "section {id}");
    }
    let pages: Vec<&str> = html.split("<section class=\"playbook page\" ").skip(1).collect();
    assert_eq!(pages.len(), crate::print::default_types().len());
    for page in pages {
        let tag = &page[..page.find('>').unwrap()];
        assert!(tag.ends_with(" lang=\"da\""), "every playbook page says Danish: {tag}");
    }
    assert!(!html.contains("lang=\"en\""), "nothing falls back to English in Danish");
    assert!(html.contains("<p class=\"kicker\">Træningshåndbog</p>"));
    assert!(html.contains("<h2>Det hele på én side</h2>"));
    let of = crate::print::default_types().len();
    assert!(html.contains(&format!("<p class=\"no\">Drejebog 6 af {of}</p>")), "numbered in Danish");

    // A playbook without Danish falls back to English and says so; the handbook's own words
    // inside it stay Danish and say that.
    let lib = library_without_danish_reservation(&t);
    let lib = lib.to_str().unwrap();
    let html = t.ok(&[
        "print",
        "reservation",
        "wrong-order",
        "--format",
        "html",
        "--lang",
        "da",
        "--playbooks",
        lib,
    ]);
    assert!(html.contains("<html lang=\"da\">"));
    assert_eq!(section(&html, "contents").0, Some("da"));
    assert_eq!(section(&html, "glance").0, Some("da"));
    let (lang, reservation) = section(&html, "pb-reservation");
    assert_eq!(lang, Some("en"), "the reservation page is in English");
    assert!(reservation.contains("<h2>Reservation lost or wrong</h2>"), "{reservation}");
    assert!(reservation.contains("<p class=\"no\" lang=\"da\">Drejebog 1 af 2</p>"), "{reservation}");
    assert!(reservation.contains("<h3 lang=\"da\">1. Undskyldning</h3>"), "{reservation}");
    assert!(reservation.contains("<b lang=\"da\">Muligheder:</b> our hotel"), "{reservation}");
    let (lang, wrong_order) = section(&html, "pb-wrong-order");
    assert_eq!(lang, Some("da"));
    assert!(wrong_order.contains("<h2>Gæsten har fået den forkerte ret</h2>"));
    assert!(!wrong_order.contains("lang=\"en\""), "{wrong_order}");
    assert!(
        html.contains("<a href=\"#pb-reservation\" lang=\"en\">Reservation lost or wrong</a>"),
        "the contents mark the English title"
    );
}

#[test]
fn bengali_is_wrapped_at_80_columns_by_display_width_and_never_inside_a_cluster() {
    let t = Test::new();
    let out = t.ok(&["show", "reservation", "--lang", "bn"]);
    let lines: Vec<&str> = out.lines().collect();
    let mut wrapped = 0;
    for line in &lines {
        let width = UnicodeWidthStr::width(*line);
        assert!(width <= 80, "{width} columns: {line:?}");
        // Longer in characters than in columns: combining vowel signs take no column.
        if line.chars().count() > 80 {
            wrapped += 1;
        }
        // A line neither starts with a mark that belongs to the character before it nor ends
        // with one (a virama, a joiner) that reaches for the character after it.
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let before = format!("ক{text}");
        assert_eq!(before.graphemes(true).next(), Some("ক"), "starts inside a cluster: {line:?}");
        let after = format!("{text}ক");
        assert_eq!(after.graphemes(true).next_back(), Some("ক"), "ends inside a cluster: {line:?}");
    }
    assert!(wrapped > 0, "some line holds more than 80 characters in 80 columns");
    // Where a line was broken, joining the two halves without a space still has a cluster
    // boundary at the seam: the break fell between clusters.
    for pair in lines.windows(2) {
        let (a, b) = (pair[0].trim_end(), pair[1].trim_start());
        if a.is_empty() || b.is_empty() {
            continue;
        }
        let joined = format!("{a}{b}");
        let seam = a.len();
        assert!(
            joined.grapheme_indices(true).any(|(i, _)| i == seam),
            "a cluster spans the break between {a:?} and {b:?}"
        );
    }
}

#[test]
#[ignore = "needs chromium and poppler-utils; CI runs it with --include-ignored"]
fn translated_handbooks_start_each_playbook_on_a_new_page_and_strand_nothing_in_chromium() {
    use crate::print::{needed_program, playbook_pages, print_to_pdf};
    use std::process::Command;
    let chromium =
        needed_program(&["chromium", "/usr/bin/chromium", "chromium-browser"], "apt-get install chromium");
    let pdftotext = needed_program(&["pdftotext"], "apt-get install poppler-utils");
    let t = Test::new();
    let types = crate::print::default_types();
    // Letter is the shorter page; translations run longer than English, and the guest's
    // words below the employee's longer still.
    for lang in TRANSLATED {
        for guest in [None, Some(if lang == "bn" { "en" } else { "bn" })] {
            let name = format!("handbook-{lang}-{}", guest.unwrap_or("none"));
            let html = t.path(&format!("{name}.html"));
            let pdf = t.path(&format!("{name}.pdf"));
            let mut args = vec!["print", "--all", "--format", "html", "--paper", "letter", "--lang", lang];
            if let Some(guest) = guest {
                args.extend(["--guest-lang", guest]);
            }
            args.extend(["--output", html.to_str().unwrap()]);
            t.ok(&args);
            print_to_pdf(&chromium, &html, &pdf);
            let text = Command::new(&pdftotext).arg("-enc").arg("UTF-8").arg(&pdf).arg("-").output().unwrap();
            playbook_pages(&String::from_utf8_lossy(&text.stdout), &types, &name);
        }
    }
}

#[test]
fn an_unknown_language_asked_for_is_warned_about_and_english_shown() {
    let t = crate::support::Test::new();
    let out = t.cmd(&["list", "--lang", "dk"]).run();
    out.code(0);
    assert!(out.stderr.contains("no text in language `dk`"), "{}", out.stderr);
    assert!(out.stdout.contains("Reservation lost or wrong"));
    let quiet = t.cmd(&["list"]).env("LANG", "fr_FR.UTF-8").run();
    assert_eq!(quiet.stderr, "", "a locale the library lacks is not worth a warning");
}

/// The library's texts and the UI's, as written: every playbook file and `ui.yaml`.
fn all_texts() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> =
        std::fs::read_dir(root.join("playbooks")).unwrap().map(|e| e.unwrap().path()).collect();
    files.push(root.join("src/i18n/ui.yaml"));
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_reviewers_corrections_stay_made() {
    let text = all_texts();
    // What a reader of each language flagged, and what they asked for instead.
    for (lang, wrong, right) in [
        ("da", "Tid til undskyldning", "Tid før undskyldning"),
        ("da", "Tid til løsning", "Tid før løsning"),
        ("da", "Sæt dig bare", "Sæt dig endelig, så klarer jeg resten."),
        ("da", "Forkert ret eller bestilling serveret", "Gæsten har fået den forkerte ret"),
        ("da", "Hvad af det her vil du helst have?", "Hvilken af de to vil du helst have?"),
        ("da", "gavebevis", "gavekort"),
        ("da", "da: \"mindre\"", "da: \"let\""),
        ("nb", "på oss", "på huset"),
        ("nb", "Rommet i natt spanderer vi", "Rommet i natt betaler vi."),
        ("nb", "Bare sett deg ned", "Sett deg gjerne ned, så ordner jeg resten."),
        ("nb", "et smørbrød", "en sandwich"),
        ("nb", "Tid til unnskyldning", "Tid før unnskyldning"),
        ("nb", "gratis natt ", "gratis overnatting"),
        ("et", "on meie poolt", "on meie kulul"),
        ("et", "Nõudke, et", "Öelge kindlalt, et asendustoa eest maksame meie"),
        ("et", "ärge võtke tasu", "tühistage kogu laua arve"),
        ("et", "sai häiritud", "oli häiritud"),
        ("et", "viltu", "Kus läheb valesti"),
        ("bn", "হ্যাম", "পেঁয়াজ"),
        ("bn", "দয়া করে কিছু দেবেন না", "ওখানে আপনাকে কোনো টাকা দিতে হবে না।"),
        ("bn", "সার্টিফিকেট", "ভাউচার"),
        ("bn", "খাদ্যাভ্যাস", "খাবারের বিধিনিষেধের (হালাল, নিরামিষ)"),
    ] {
        assert!(!text.contains(wrong), "{lang}: {wrong:?} is still written");
        assert!(text.contains(right), "{lang}: {right:?} is not written");
    }
    // One convention for digits in Bengali: the Latin digits every amount is shown in.
    assert!(!text.chars().any(|c| ('\u{9e6}'..='\u{9ef}').contains(&c)), "a Bengali digit is written");
}

#[test]
fn a_follow_up_closed_says_how_it_ended_in_the_chosen_language() {
    let t = Test::new();
    let started = t.cmd(&["start", "--type", "reservation", "--yes", "--json"]).run().code(0).json_lines();
    let id = started[0]["id"].as_str().unwrap().to_owned();
    let out = t.cmd(&["--lang", "bn", "done", &id, "call-next-morning", "--outcome", "lost"]).run();
    out.code(0);
    assert!(out.stderr.contains("(অতিথিকে ফিরে পাওয়া যায়নি)"), "{}", out.stderr);
    let out = t.cmd(&["done", &id, "written-apology", "--outcome", "recovered"]).run();
    out.code(0);
    assert!(out.stderr.contains("closed (guest won back)"), "{}", out.stderr);
}
