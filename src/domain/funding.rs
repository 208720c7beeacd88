//! Funding (经费, SPEC §3.10): a studio's budget for a year, granted from several sources (the
//! enterprise, each union level, others), and its expenses, submitted by the studio and
//! approved or refused by the enterprise.
//!
//! **The earmark guard** (专款专用): an expense outside the categories the budget allows, or
//! above what remains of the year's budget, is refused with a clear message. The guard runs
//! at submission *and* at approval, and a submitted expense reserves its amount until it is
//! decided: what remains is the budget less what was approved and what waits for a decision.
//! So neither two submissions nor two approvals can together spend more than the budget, and
//! lowering a budget below what it already carries is refused too.
//!
//! Money is kept as whole fen (1/100 yuan) everywhere; people type yuan with at most two
//! decimals ([`parse_yuan`]).

use crate::code_enum;
use crate::error::{Error, Msg, Result};

code_enum! {
    /// Where a budget's money comes from.
    pub enum BudgetSource : "budget_source" {
        /// 企业拨付
        Enterprise = "enterprise",
        /// 县区/产业工会
        CountyUnion = "county_union",
        /// 市总工会
        CityUnion = "city_union",
        /// 省总工会
        ProvinceUnion = "province_union",
        /// 全国总工会
        NationalUnion = "national_union",
        /// 其他 (a partner, a prize…)
        Other = "other",
    }
}

code_enum! {
    /// What an expense pays for (the earmarked uses of studio funding).
    pub enum ExpenseCategory : "expense_category" {
        /// 设备购置
        Equipment = "equipment",
        /// 材料耗材
        Materials = "materials",
        /// 培训
        Training = "training",
        /// 交流学习
        Exchange = "exchange",
        /// 奖励
        Rewards = "rewards",
        /// 其他
        Other = "other",
    }
}

code_enum! {
    /// Where an expense stands.
    pub enum ExpenseState : "expense_state" {
        /// 待审批: submitted, its amount reserved.
        Submitted = "submitted",
        /// 已批准: spent.
        Approved = "approved",
        /// 未批准: refused with a reason.
        Refused = "refused",
        /// 已撤回: withdrawn by the studio before a decision.
        Withdrawn = "withdrawn",
    }
}

code_enum! {
    /// A step of an expense.
    pub enum ExpenseAction : "expense_action" {
        /// 批准 (the enterprise administrator).
        Approve = "approve",
        /// 不予批准 (the enterprise administrator, with a reason).
        Refuse = "refuse",
        /// 撤回 (the studio).
        Withdraw = "withdraw",
    }
}

impl ExpenseAction {
    /// The state a step leads to; every step starts from `submitted`.
    pub fn to(self) -> ExpenseState {
        match self {
            ExpenseAction::Approve => ExpenseState::Approved,
            ExpenseAction::Refuse => ExpenseState::Refused,
            ExpenseAction::Withdraw => ExpenseState::Withdrawn,
        }
    }

    /// Whether the step is the enterprise's decision (rather than the studio's).
    pub fn is_decision(self) -> bool {
        self != ExpenseAction::Withdraw
    }
}

impl ExpenseState {
    /// Whether the expense holds part of the budget (spent, or reserved while waiting).
    pub fn holds_money(self) -> bool {
        matches!(self, ExpenseState::Submitted | ExpenseState::Approved)
    }
}

/// The largest single amount accepted: 1 亿元 (in fen). Anything above is a typing slip.
pub const MAX_FEN: i64 = 100_000_000 * 100;

/// Reads an amount of yuan as people type it — `12345`, `12,345.5`, `¥12,345.00` — into fen.
/// Refuses nothing, zero, negatives, more than two decimals, and absurd sums, each with its
/// own message (a translation key).
pub fn parse_yuan(text: &str) -> std::result::Result<i64, Msg> {
    let t = text.trim().trim_start_matches(['¥', '￥']).trim();
    let t = t.strip_suffix('元').unwrap_or(t).trim();
    if t.is_empty() {
        return Err(Msg::new("validation.required"));
    }
    if t.starts_with('-') || t.starts_with('−') {
        return Err(Msg::new("funding.amount_positive"));
    }
    let t: String = t.chars().filter(|c| *c != ',' && *c != '，').collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) {
        return Err(Msg::new("funding.amount_invalid"));
    }
    if frac.len() > 2 {
        return Err(Msg::new("funding.amount_decimals"));
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 12 {
        return Err(Msg::new("funding.amount_too_large").arg("max", "100,000,000"));
    }
    let yuan: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| Msg::new("funding.amount_invalid"))? };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().unwrap_or(0) * 10,
        _ => frac.parse::<i64>().unwrap_or(0),
    };
    let fen = yuan * 100 + cents;
    if fen == 0 {
        return Err(Msg::new("funding.amount_positive"));
    }
    if fen > MAX_FEN {
        return Err(Msg::new("funding.amount_too_large").arg("max", "100,000,000"));
    }
    Ok(fen)
}

// Fen as yuan for messages and exports, kept with the other amounts people read.
pub use crate::domain::figures::yuan_text;

/// A year's budget as the guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earmark {
    /// The year's budget, all sources together, in fen.
    pub total_fen: i64,
    /// What the budget may pay for.
    pub allowed: Vec<ExpenseCategory>,
    /// Approved expenses of the year, in fen.
    pub approved_fen: i64,
    /// Expenses waiting for a decision (reserved), in fen.
    pub pending_fen: i64,
}

impl Earmark {
    /// What remains to spend: the budget less what was approved and what is reserved.
    pub fn remaining_fen(&self) -> i64 {
        self.total_fen - self.approved_fen - self.pending_fen
    }

    /// Whether an expense of `amount_fen` in `category` fits, when `already_reserved` of it is
    /// counted in `pending_fen` (at approval, the expense's own reservation). The refusal says
    /// what was allowed or how much remains.
    pub fn admit(&self, category: ExpenseCategory, amount_fen: i64, already_reserved: i64) -> Result<()> {
        if !self.allowed.contains(&category) {
            return Err(Error::refused(
                "expense_category_not_allowed",
                Msg::new("funding.category_not_allowed")
                    .arg_key("category", format!("expense_category.{}", category.code())),
            ));
        }
        let room = self.remaining_fen() + already_reserved;
        if amount_fen > room {
            return Err(Error::refused(
                "expense_over_budget",
                Msg::new("funding.over_budget")
                    .arg("remaining", yuan_text(room.max(0)))
                    .arg("amount", yuan_text(amount_fen)),
            ));
        }
        Ok(())
    }
}

/// Whether a budget may be lowered to `new_total_fen`: not below what it already carries
/// (approved and reserved), which would leave spending without money behind it.
pub fn check_new_total(new_total_fen: i64, approved_fen: i64, pending_fen: i64) -> Result<()> {
    let carried = approved_fen + pending_fen;
    if new_total_fen < carried {
        return Err(Error::refused(
            "budget_below_spending",
            Msg::new("funding.budget_below_spending").arg("carried", yuan_text(carried)),
        ));
    }
    Ok(())
}

/// Categories as stored: their codes, comma-separated, in the enum's order.
pub fn categories_code(c: &[ExpenseCategory]) -> String {
    ExpenseCategory::ALL.iter().filter(|x| c.contains(x)).map(|x| x.code()).collect::<Vec<_>>().join(",")
}

/// Categories read back (unknown codes are dropped).
pub fn categories_of(code: &str) -> Vec<ExpenseCategory> {
    code.split(',').filter_map(|c| ExpenseCategory::parse(c.trim())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: Error) -> String {
        match e {
            Error::Refused { code, .. } => code.to_string(),
            other => format!("{other:?}"),
        }
    }

    fn earmark() -> Earmark {
        Earmark {
            total_fen: 1_000_000,
            allowed: vec![ExpenseCategory::Equipment, ExpenseCategory::Training],
            approved_fen: 300_000,
            pending_fen: 200_000,
        }
    }

    #[test]
    fn the_exact_remainder_passes_and_one_fen_more_does_not() {
        let e = earmark();
        assert_eq!(e.remaining_fen(), 500_000);
        assert!(e.admit(ExpenseCategory::Equipment, 500_000, 0).is_ok());
        assert_eq!(key(e.admit(ExpenseCategory::Equipment, 500_001, 0).unwrap_err()), "expense_over_budget");
    }

    #[test]
    fn at_approval_the_expense_counts_its_own_reservation_once() {
        let e = earmark();
        // The 200,000 pending are this expense: approving it fits exactly.
        assert!(e.admit(ExpenseCategory::Training, 700_000, 200_000).is_ok());
        assert!(e.admit(ExpenseCategory::Training, 700_001, 200_000).is_err());
    }

    #[test]
    fn categories_outside_the_earmark_are_refused() {
        let e = earmark();
        assert_eq!(key(e.admit(ExpenseCategory::Rewards, 1, 0).unwrap_err()), "expense_category_not_allowed");
        assert_eq!(categories_of(&categories_code(&e.allowed)), e.allowed);
        assert_eq!(categories_code(&[ExpenseCategory::Training, ExpenseCategory::Equipment]), "equipment,training");
        assert_eq!(categories_of("equipment,bogus, training"), e.allowed);
    }

    #[test]
    fn a_budget_is_not_lowered_below_what_it_carries() {
        assert!(check_new_total(500_000, 300_000, 200_000).is_ok());
        assert_eq!(key(check_new_total(499_999, 300_000, 200_000).unwrap_err()), "budget_below_spending");
    }

    #[test]
    fn amounts_read_as_people_type_them() {
        assert_eq!(parse_yuan("12345"), Ok(1_234_500));
        assert_eq!(parse_yuan(" 12,345.5 "), Ok(1_234_550));
        assert_eq!(parse_yuan("¥12,345.00"), Ok(1_234_500));
        assert_eq!(parse_yuan("0.01"), Ok(1));
        assert_eq!(parse_yuan(".5"), Ok(50));
        assert_eq!(parse_yuan("100元"), Ok(10_000));
        assert_eq!(parse_yuan("100000000"), Ok(MAX_FEN));
    }

    #[test]
    fn bad_amounts_say_why() {
        let k = |s: &str| parse_yuan(s).unwrap_err().key;
        assert_eq!(k(""), "validation.required");
        assert_eq!(k("-5"), "funding.amount_positive");
        assert_eq!(k("0"), "funding.amount_positive");
        assert_eq!(k("0.00"), "funding.amount_positive");
        assert_eq!(k("1.234"), "funding.amount_decimals");
        assert_eq!(k("100000000.01"), "funding.amount_too_large");
        assert_eq!(k("99999999999999999999"), "funding.amount_too_large");
        assert_eq!(k("1e5"), "funding.amount_invalid");
        assert_eq!(k("12.3.4"), "funding.amount_invalid");
        assert_eq!(k("."), "funding.amount_invalid");
        assert_eq!(k("五百"), "funding.amount_invalid");
    }

    #[test]
    fn fen_read_as_yuan() {
        assert_eq!(yuan_text(1_234_500), "12,345.00");
        assert_eq!(yuan_text(5), "0.05");
    }

    #[test]
    fn only_submitted_expenses_take_steps_and_hold_money() {
        assert!(ExpenseState::Submitted.holds_money() && ExpenseState::Approved.holds_money());
        assert!(!ExpenseState::Refused.holds_money() && !ExpenseState::Withdrawn.holds_money());
        assert_eq!(ExpenseAction::Approve.to(), ExpenseState::Approved);
        assert!(!ExpenseAction::Withdraw.is_decision());
    }
}
