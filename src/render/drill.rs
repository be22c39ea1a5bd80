//! A drill in words: the scenario, each question and its options, the feedback with its
//! reason, the score, and the same as JSON. The terminal and `--answers` both show these.

use serde_json::{Value, json};

use crate::engine::drill::{Ask, Drill, Given, Key, Marked, Opt, Question, Score};
use crate::i18n as ui;
use crate::playbook::Phase;
use crate::policy::Policy;
use crate::render::safe::one_line;

/// Who takes the drill, in which language, under which policy.
pub struct Ctx<'a> {
    /// Language of the words shown.
    pub lang: &'a str,
    /// The library's policy: currency, role names, approvers.
    pub policy: &'a Policy,
    /// The taker's role, as the policy names it.
    pub role: &'a str,
}

impl Ctx<'_> {
    fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        ui::f(self.lang, key, args)
    }
}

/// The lines before the first question.
#[must_use]
pub fn scenario(drill: &Drill, ctx: &Ctx) -> Vec<String> {
    let pb = drill.playbook;
    let mut out = vec![ctx.f(
        "drill_heading",
        &[("seed", &drill.seed.to_string()), ("title", &one_line(pb.title.get(ctx.lang)))],
    )];
    if let Some(summary) = &pb.summary {
        out.push(ctx.f("drill_situation", &[("summary", &one_line(summary.get(ctx.lang)))]));
    }
    out.push(ctx.f(
        "drill_severity",
        &[
            ("severity", ui::severity(ctx.lang, drill.severity)),
            ("meaning", ui::severity_meaning(ctx.lang, drill.severity)),
        ],
    ));
    if let Some(point) = drill.failure_point {
        out.push(ctx.f("drill_went_wrong", &[("point", &one_line(point.label.get(ctx.lang)))]));
    }
    out.push(ctx.f(
        "drill_you_are",
        &[
            ("role", &one_line(ctx.policy.role_label(ctx.role, ctx.lang))),
            ("limit", &drill.limit.to_string()),
            ("currency", &one_line(&ctx.policy.currency)),
        ],
    ));
    out
}

/// The question itself.
#[must_use]
pub fn prompt(q: &Question, ctx: &Ctx) -> String {
    match q.ask {
        Ask::First => ui::t(ctx.lang, "drill_ask_first").to_owned(),
        Ask::PhaseOrder => ui::t(ctx.lang, "drill_ask_phase_order").to_owned(),
        Ask::StepOrder(phase) => ctx.f("drill_ask_step_order", &[("phase", ui::phase(ctx.lang, phase))]),
        Ask::Say => ui::t(ctx.lang, "drill_ask_say").to_owned(),
        Ask::Amends => ui::t(ctx.lang, "drill_ask_amends").to_owned(),
        Ask::Due => ctx.f("drill_ask_due", &[("step", &step_text(q.step, ctx))]),
    }
}

fn step_text(step: Option<&crate::playbook::Step>, ctx: &Ctx) -> String {
    step.map(|s| one_line(s.action.get(ctx.lang))).unwrap_or_default()
}

/// One option as shown (without its number).
#[must_use]
pub fn option(q: &Question, o: &Opt, ctx: &Ctx) -> String {
    match o {
        Opt::Step(s) if q.ask == Ask::Amends => {
            format!("{} ({} {})", one_line(s.action.get(ctx.lang)), s.cost(), one_line(&ctx.policy.currency))
        }
        Opt::Step(s) => one_line(s.action.get(ctx.lang)),
        Opt::Say(s) => format!("“{}”", one_line(s.say.as_ref().map_or("", |t| t.get(ctx.lang)))),
        Opt::Never(n) => format!("“{}”", one_line(n.phrase.get(ctx.lang))),
        Opt::Within(w) => ctx.f("drill_within", &[("within", &crate::i18n::within(ctx.lang, *w))]),
    }
}

/// The options, numbered from 1.
#[must_use]
pub fn options(q: &Question, ctx: &Ctx) -> Vec<String> {
    q.options.iter().enumerate().map(|(i, o)| format!("{}. {}", i + 1, option(q, o, ctx))).collect()
}

/// Numbers from 1, as people type them.
fn numbers(v: &[usize]) -> String {
    v.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(" ")
}

/// Right or not, and why: shown at once after each answer.
#[must_use]
pub fn feedback(drill: &Drill, q: &Question, marked: &Marked, ctx: &Ctx) -> Vec<String> {
    let verdict = if marked.right {
        "✓ ".to_owned() + ui::t(ctx.lang, "drill_right")
    } else {
        "✗ ".to_owned() + ui::t(ctx.lang, "drill_wrong")
    };
    let mut out = vec![verdict];
    out.extend(reasons(drill, q, marked, ctx).into_iter().map(|l| format!("  {l}")));
    out
}

fn reasons(drill: &Drill, q: &Question, marked: &Marked, ctx: &Ctx) -> Vec<String> {
    let pb = drill.playbook;
    match (&q.key, q.ask) {
        (Key::One(_), Ask::First) => {
            vec![ctx.f("drill_why_first", &[("step", &step_text(pb.phases.apologise.first(), ctx))])]
        }
        (Key::Order(k), _) => vec![ctx.f("drill_why_order", &[("order", &numbers(k))])],
        (Key::One(k), Ask::Say) => {
            let mut out: Vec<String> = marked
                .wrong
                .iter()
                .filter_map(|&i| match q.options[i] {
                    Opt::Never(n) => Some(ctx.f(
                        "drill_why_never",
                        &[
                            ("phrase", &one_line(n.phrase.get(ctx.lang))),
                            ("why", &one_line(n.why.get(ctx.lang))),
                        ],
                    )),
                    _ => None,
                })
                .collect();
            let say = option(q, &q.options[*k], ctx);
            out.push(ctx.f("drill_why_say", &[("say", say.trim_matches(['“', '”']))]));
            out
        }
        (Key::One(_), _) => {
            let within = q
                .step
                .and_then(|s| s.within)
                .map(|w| ctx.f("drill_within", &[("within", &crate::i18n::within(ctx.lang, w))]));
            vec![ctx.f(
                "drill_why_due",
                &[("within", &within.unwrap_or_default()), ("step", &step_text(q.step, ctx))],
            )]
        }
        (Key::Set(k), _) => {
            // The amends picked wrongly and those missed; when all is right, what was yours.
            let about: Vec<usize> = if marked.right {
                k.clone()
            } else {
                let mut v: Vec<usize> = marked.wrong.iter().chain(&marked.missed).copied().collect();
                v.sort_unstable();
                v
            };
            about.iter().filter_map(|&i| amend_reason(drill, &q.options[i], ctx)).collect()
        }
    }
}

fn amend_reason(drill: &Drill, o: &Opt, ctx: &Ctx) -> Option<String> {
    let Opt::Step(s) = *o else { return None };
    let step = one_line(s.action.get(ctx.lang));
    let from = s.offered_from();
    let offered = drill.playbook.amends_at(drill.severity);
    let instead = offered.iter().find(|o| o.instead_of.contains(&s.id));
    Some(if !s.offered_at(drill.severity) {
        ctx.f("drill_why_amend_severity", &[("step", &step), ("severity", ui::severity(ctx.lang, from))])
    } else if let Some(other) = instead {
        let other = one_line(other.action.get(ctx.lang));
        ctx.f("drill_why_amend_replaced", &[("step", &step), ("other", &other)])
    } else if crate::engine::needs_approver(s.cost(), drill.limit) {
        let approver = crate::engine::lowest_role_for(ctx.policy, s.cost())
            .map_or("", |r| ctx.policy.role_label(r, ctx.lang));
        ctx.f(
            "drill_why_amend_limit",
            &[
                ("step", &step),
                ("cost", &s.cost().to_string()),
                ("currency", &one_line(&ctx.policy.currency)),
                ("limit", &drill.limit.to_string()),
                ("approver", &one_line(approver)),
            ],
        )
    } else {
        ctx.f("drill_why_amend_yours", &[("step", &step)])
    })
}

/// The end: the score per phase and what to read again.
#[must_use]
pub fn score(drill: &Drill, score: &Score, ctx: &Ctx) -> Vec<String> {
    let mut out =
        vec![ctx.f(
            "drill_score",
            &[("right", &score.right().to_string()), ("asked", &score.asked().to_string())],
        )];
    for (phase, right, asked) in &score.phases {
        out.push(format!("  {:<14} {right}/{asked}", ui::phase(ctx.lang, *phase)));
    }
    if score.reread.is_empty() {
        out.push(ui::t(ctx.lang, "drill_all_right").to_owned());
    } else {
        out.push(ui::t(ctx.lang, "drill_reread").to_owned());
        for (phase, step) in &score.reread {
            out.push(format!(
                "  {} · {}: {}",
                ui::phase(ctx.lang, *phase),
                one_line(&step.id),
                one_line(step.action.get(ctx.lang))
            ));
        }
    }
    out.push(ctx.f("drill_replay", &[("seed", &drill.seed.to_string())]));
    out
}

fn given_json(g: &Given) -> Value {
    match g {
        Given::One(i) => json!(i + 1),
        Given::Order(v) | Given::Set(v) => json!(v.iter().map(|i| i + 1).collect::<Vec<_>>()),
    }
}

fn key_json(k: &Key) -> Value {
    match k {
        Key::One(i) => json!(i + 1),
        Key::Order(v) | Key::Set(v) => json!(v.iter().map(|i| i + 1).collect::<Vec<_>>()),
    }
}

/// The whole drill as one JSON object: scenario, each question with the answer given, the
/// right answer and why, and the score. Option numbers count from 1, as in answers files.
#[must_use]
pub fn to_json(drill: &Drill, staff: &str, answers: &[(Given, Marked)], score: &Score, ctx: &Ctx) -> Value {
    let questions: Vec<Value> = drill
        .questions
        .iter()
        .zip(answers)
        .map(|(q, (given, marked))| {
            json!({
                "ask": q.ask.key(),
                "phase": q.phase.key(),
                "question": prompt(q, ctx),
                "options": q.options.iter().map(|o| option(q, o, ctx)).collect::<Vec<_>>(),
                "answer": given_json(given),
                "right_answer": key_json(&q.key),
                "right": marked.right,
                "why": reasons(drill, q, marked, ctx),
            })
        })
        .collect();
    let phases: serde_json::Map<String, Value> = Phase::ALL
        .iter()
        .filter_map(|p| score.phases.iter().find(|s| s.0 == *p))
        .map(|(p, right, asked)| (p.key().to_owned(), json!({"right": right, "asked": asked})))
        .collect();
    json!({
        "type": drill.playbook.kind,
        "seed": drill.seed,
        "severity": drill.severity.key(),
        "failure_point": drill.failure_point.map(|c| c.value.clone()),
        "staff": staff,
        "role": ctx.role,
        "limit": drill.limit.to_string(),
        "currency": ctx.policy.currency,
        "questions": questions,
        "score": {"right": score.right(), "asked": score.asked(), "phases": phases},
        "reread": score.reread.iter().map(|(p, s)| json!({"phase": p.key(), "step": s.id})).collect::<Vec<_>>(),
    })
}
