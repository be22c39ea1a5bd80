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

    /// The language a plain, untranslated text of this library is taken to be in: the
    /// first one the policy declares (as `check` assumes), if it declares any.
    #[must_use]
    pub fn library_lang(&self) -> Option<&str> {
        self.languages.first().map(String::as_str)
    }
}
