//! `--yes`: every step done, every choice its first option, the whole amends bundle for
//! the severity (nothing withheld), every follow-up scheduled. The limit rules still apply.

use super::Driver;
use crate::engine::{AmendsAnswer, Answer, Question, Session, StepAnswer};
use crate::error::Error;
use crate::playbook::Severity;

/// Answers with the defaults.
pub struct Yes {
    /// Severity when the session asks (it only asks when `--severity` was not given).
    pub severity: Severity,
    /// `--approved-by`, for a bundle over the limit.
    pub approved_by: Option<String>,
    /// `--approver-role`.
    pub approver_role: Option<String>,
}

impl Driver for Yes {
    fn ask(&mut self, _: &Session, question: &Question) -> Result<Answer, Error> {
        Ok(match question {
            Question::Severity => Answer::Severity(self.severity),
            Question::Step { step, .. } => Answer::Step(StepAnswer {
                choice: step.choose.first().map(|c| c.value.clone()),
                ..StepAnswer::done()
            }),
            Question::Amends { offered, .. } => Answer::Amends(AmendsAnswer {
                chosen: offered.iter().map(|s| s.id.clone()).collect(),
                approved_by: self.approved_by.clone(),
                approver_role: self.approver_role.clone(),
                withheld: Vec::new(),
                notes: Vec::new(),
            }),
            Question::FollowUp { .. } => Answer::FollowUp(StepAnswer::done()),
            Question::FailurePoint { .. } => Answer::FailurePoint { point: None, note: None },
        })
    }
}
