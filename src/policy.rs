//! The authority policy: currency, what each role may give on its own, languages.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::text::Text;

/// `policy.yaml`: who may give how much without asking anyone.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// ISO currency code costs and limits are in.
    pub currency: String,
    /// Role name to its limit per incident, lowest first.
    pub roles: IndexMap<String, Role>,
    /// Languages every text in the library must be written in (checked by `check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// How many days back an earlier incident makes a guest a repeat guest (default 180).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_guest_days: Option<u32>,
    /// What the house aims for, shown against the timings of `report --format html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Targets>,
    /// The emergency number a safety step tells staff to call (`{emergency}` in playbook
    /// text), when the desk's site names none: 112 unless written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    /// What differs at a site (`--site`, `RECOVER_SITE`): its emergency number, its money.
    /// A site not listed keeps the policy's own.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub sites: IndexMap<String, Site>,
}

/// The emergency number when the policy writes none: the European one, which most mobile
/// networks elsewhere also put through.
pub const DEFAULT_EMERGENCY: &str = "112";

/// One site's differences from the policy. Money at a site: `currency` is what its costs
/// and limits are in; every cost and limit is the policy's times `scale` (10 turns EUR
/// amounts into NOK ones), unless `costs` (by `type/step`) or `limits` (by role) name the
/// amount outright. `check` proves every amount so made is exact in the site's currency.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The emergency number here, e.g. `999` in Bangladesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency: Option<String>,
    /// ISO currency code of this site's costs and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// What every cost and limit of the policy's currency is multiplied by here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Money>,
    /// Amends' costs here, by `type/step-id`, in place of the scaled ones.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub costs: IndexMap<String, Money>,
    /// Roles' limits here, by role, in place of the scaled ones.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub limits: IndexMap<String, Money>,
}

impl Site {
    /// Whether this site's money differs from the policy's at all.
    #[must_use]
    pub fn has_money(&self) -> bool {
        self.currency.is_some() || self.scale.is_some() || !self.costs.is_empty() || !self.limits.is_empty()
    }

    /// An amount of the policy's, as it is here: `written` (an override) if given, else
    /// `base` times the scale; `None` past what an amount can hold.
    #[must_use]
    pub fn amount(&self, base: Money, written: Option<Money>) -> Option<Money> {
        match (written, self.scale) {
            (Some(m), _) => Some(m),
            (None, Some(scale)) => base.checked_mul(scale),
            (None, None) => Some(base),
        }
    }
}

/// Why `number` is no emergency number: a phone number is digits, perhaps a leading `+`
/// and single spaces or dashes between groups; 2 to 15 digits.
#[must_use]
pub fn unfit_number(number: &str) -> Option<String> {
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    let body = number.strip_prefix('+').unwrap_or(number);
    let groups_ok = body.split([' ', '-']).all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    (!groups_ok || !(2..=15).contains(&digits)).then(|| {
        format!(
            "`{}` is not a phone number (write its digits, e.g. 112)",
            crate::render::safe::one_line(number)
        )
    })
}

/// Service targets: how soon an apology and a fix should come after the start.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// The apology within this long, e.g. `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apology: Option<crate::duration::Within>,
    /// The fix within this long, e.g. `30m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::duration::Within>,
}

/// What a role may give: a bare limit, or a limit with the role's name as shown.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Role {
    /// Just the limit.
    Limit(Money),
    /// The limit and a display name per language.
    Named {
        /// The most this role may give per incident without an approver.
        limit: Money,
        /// The role's name as shown.
        name: Text,
    },
}

impl Role {
    /// The most this role may give per incident without an approver.
    #[must_use]
    pub fn limit(&self) -> Money {
        match self {
            Role::Limit(m) | Role::Named { limit: m, .. } => *m,
        }
    }

    /// Sets the limit: a site's own amount in its currency.
    pub fn set_limit(&mut self, to: Money) {
        match self {
            Role::Limit(m) | Role::Named { limit: m, .. } => *m = to,
        }
    }
}

impl Policy {
    /// The limit of `role`, if the policy knows it (any case).
    #[must_use]
    pub fn limit_of(&self, role: &str) -> Option<Money> {
        self.role(role).map(|(_, r)| r.limit())
    }

    /// The role as written in the policy, matched in any case.
    #[must_use]
    pub fn role(&self, role: &str) -> Option<(&str, &Role)> {
        self.roles.iter().find(|(name, _)| name.eq_ignore_ascii_case(role)).map(|(n, r)| (n.as_str(), r))
    }

    /// The role with the lowest limit: who an employee is unless told otherwise.
    #[must_use]
    pub fn default_role(&self) -> Option<&str> {
        self.roles.iter().min_by_key(|(_, r)| r.limit()).map(|(n, _)| n.as_str())
    }

    /// The highest limit of any role: no single amend may cost more.
    #[must_use]
    pub fn highest_limit(&self) -> Money {
        self.roles.values().map(Role::limit).max().unwrap_or(Money::ZERO)
    }

    /// A role's name as shown in `lang`.
    #[must_use]
    pub fn role_label<'a>(&'a self, role: &'a str, lang: &str) -> &'a str {
        match self.role(role) {
            Some((_, Role::Named { name, .. })) => name.get(lang),
            Some((n, _)) => n,
            None => role,
        }
    }

    /// The language [`role_label`](Self::role_label) shows for `lang`, as
    /// [`Text::lang_of`] tells it; `None` when the name is not translated.
    #[must_use]
    pub fn role_label_lang<'a>(&'a self, role: &str, lang: &str) -> Option<&'a str> {
        match self.role(role) {
            Some((_, Role::Named { name, .. })) => name.lang_of(lang),
            _ => None,
        }
    }

    /// The emergency number at `site`: the site's own, else the policy's, else 112.
    #[must_use]
    pub fn emergency_at(&self, site: Option<&str>) -> &str {
        self.site(site)
            .and_then(|s| s.emergency.as_deref())
            .or(self.emergency.as_deref())
            .unwrap_or(DEFAULT_EMERGENCY)
    }

    /// The policy's entry for `site`, matched in any case.
    #[must_use]
    pub fn site(&self, site: Option<&str>) -> Option<&Site> {
        let site = site?;
        self.sites.iter().find(|(name, _)| name.eq_ignore_ascii_case(site)).map(|(_, s)| s)
    }

    /// The language a plain, untranslated text of this library is taken to be in: the
    /// first one the policy declares (as `check` assumes), if it declares any.
    #[must_use]
    pub fn library_lang(&self) -> Option<&str> {
        self.languages.first().map(String::as_str)
    }
}
