//! The amends question at a terminal: the bundle ticked or not, why each left out is
//! withheld, and over the limit an approver who is someone else with a role that may give
//! it (the engine decides; a refusal is said and asked again).

use dialoguer::MultiSelect;

use super::{Terminal, interrupted};
use crate::engine::{AmendsAnswer, Rule, Session, WITHHELD_REASONS};
use crate::error::Error;
use crate::i18n as ui;
use crate::money::Money;
use crate::playbook::{Phase, Step};
use crate::render::safe::one_line;

impl Terminal<'_> {
    pub(super) fn amends(
        &self,
        session: &Session,
        offered: &[&Step],
        limit: Money,
    ) -> Result<AmendsAnswer, Error> {
        let currency = session.incident().currency.as_str();
        self.heading(&ui::phase(&self.lang, Phase::Amend).to_uppercase());
        let bundle: Money = offered.iter().map(|s| s.cost()).sum();
        let cur = one_line(currency);
        let key =
            if crate::engine::needs_approver(bundle, limit) { "amends_bundle_over" } else { "amends_bundle" };
        self.say(ui::t(&self.lang, "amends_hint"));
        self.say(&ui::f(
            &self.lang,
            key,
            &[("currency", &cur), ("bundle", &bundle.to_string()), ("limit", &limit.to_string())],
        ));
        for step in offered {
            if let Some(say) = &step.say {
                self.say(&format!("  {}:", one_line(&step.id)));
                for line in crate::render::playbook::say_lines(say, &self.layout(), "    ") {
                    self.say(&line);
                }
            }
        }
        let items: Vec<String> = offered
            .iter()
            .map(|s| format!("{} — {} {}", one_line(s.action.get(&self.lang)), one_line(currency), s.cost()))
            .collect();
        let mut checked = vec![true; offered.len()];
        loop {
            let picked = MultiSelect::with_theme(self.theme.as_ref())
                .with_prompt(self.fit_prompt(ui::t(&self.lang, "amends_prompt")))
                .items(self.fit_items(&items, 6))
                .defaults(&checked)
                .report(false)
                .interact_on(&self.term)
                .map_err(interrupted)?;
            let chosen: Vec<String> = picked.iter().map(|&i| offered[i].id.clone()).collect();
            let total: Money = picked.iter().map(|&i| offered[i].cost()).sum();
            let names = if chosen.is_empty() {
                ui::t(&self.lang, "none").to_owned()
            } else {
                one_line(&chosen.join(", "))
            };
            let line = ui::f(
                &self.lang,
                "amends_chosen",
                &[("names", &names), ("currency", &cur), ("total", &total.to_string())],
            );
            // The tick comes once nothing more is asked: what it shows is then saved.
            if session.within_limit(total) {
                let answer = self.withheld(offered, chosen)?;
                self.say(&format!("✔ {line}"));
                return Ok(answer);
            }
            self.say(&ui::f(
                &self.lang,
                "over_limit",
                &[("currency", &cur), ("total", &total.to_string()), ("limit", &limit.to_string())],
            ));
            let over =
                [ui::t(&self.lang, "over_approver").to_owned(), ui::t(&self.lang, "over_change").to_owned()];
            if self.select(ui::t(&self.lang, "over_prompt"), &over, 0)? == 0 {
                // Why anything is withheld first: the approver approves the bundle as it
                // will be recorded, reasons and all.
                let mut answer = self.withheld(offered, chosen)?;
                let name = self.approver_name(session, total)?;
                let role = self.approver_role(total, &cur)?;
                // The engine decides; a refusal is said and the amends asked again.
                match session.authority(total, Some(&name), Some(&role)) {
                    Ok(role) => {
                        answer.approved_by = Some(name);
                        answer.approver_role = role;
                        self.say(&format!("✔ {line}"));
                        return Ok(answer);
                    }
                    Err(refused) => self.say(&format!("  ✗ {}", one_line(&refused.to_string()))),
                }
            }
            checked = (0..offered.len()).map(|i| picked.contains(&i)).collect();
        }
    }

    /// Asks why each offered amend left out of the bundle is withheld: never "only as much
    /// as we must" without a word.
    fn withheld(&self, offered: &[&Step], chosen: Vec<String>) -> Result<AmendsAnswer, Error> {
        let mut items: Vec<String> =
            WITHHELD_REASONS.iter().map(|r| ui::withheld_reason(&self.lang, r).to_owned()).collect();
        items.push(ui::t(&self.lang, "withheld_other").to_owned());
        let mut withheld = Vec::new();
        for step in offered.iter().filter(|s| !chosen.contains(&s.id)) {
            let prompt = ui::f(&self.lang, "why_withheld", &[("step", &one_line(&step.id))]);
            let picked = self.select(&prompt, &items, 0)?;
            let reason = match WITHHELD_REASONS.get(picked) {
                Some(key) => (*key).to_owned(),
                None => self.required_text(ui::t(&self.lang, "withheld_in_words"), "reason_needed")?,
            };
            withheld.push((step.id.clone(), reason));
        }
        Ok(AmendsAnswer { chosen, withheld, ..AmendsAnswer::default() })
    }

    /// The approver's name, asked again at once when the engine refuses it (the staff
    /// member themself), before their role is asked.
    fn approver_name(&self, session: &Session, total: Money) -> Result<String, Error> {
        loop {
            let name = self.required_text(ui::t(&self.lang, "approver_name"), "approver_needed")?;
            match session.authority(total, Some(&name), None) {
                Err(refused @ Rule::SelfApproval { .. }) => {
                    self.say(&format!("  ✗ {}", one_line(&refused.to_string())));
                }
                _ => return Ok(name),
            }
        }
    }

    /// The approver's role, picked from the policy's, the lowest that may give `total`
    /// first in view.
    fn approver_role(&self, total: Money, currency: &str) -> Result<String, Error> {
        let roles: Vec<(&String, Money)> = self.policy.roles.iter().map(|(n, r)| (n, r.limit())).collect();
        let items: Vec<String> = roles
            .iter()
            .map(|(n, limit)| {
                let label = one_line(self.policy.role_label(n, &self.lang));
                ui::f(
                    &self.lang,
                    "approver_role_item",
                    &[("role", &label), ("currency", currency), ("limit", &limit.to_string())],
                )
            })
            .collect();
        let lowest = crate::engine::lowest_role_for(self.policy, total);
        let default = roles.iter().position(|(n, _)| Some(n.as_str()) == lowest).unwrap_or(0);
        let picked = self.select(ui::t(&self.lang, "approver_role"), &items, default)?;
        Ok(roles.get(picked).map(|(n, _)| (*n).clone()).unwrap_or_default())
    }
}
