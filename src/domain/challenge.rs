//! Challenges (攻关榜单 / 揭榜挂帅, SPEC §3.5): a hard problem posted with a deadline and a reward;
//! studios in scope bid with a plan and a team; the poster picks one bid, or several for a joint
//! team, and the pick becomes a project.

use crate::code_enum;
use crate::error::{Error, Msg, Result};
use jiff::civil::Date;

code_enum! {
    /// Where a challenge stands.
    pub enum ChallengeState : "challenge_state" {
        /// 揭榜中: open for bids until the deadline.
        Open = "open",
        /// 已揭榜: a bid (or a joint team) was chosen and became a project.
        Awarded = "awarded",
        /// 已撤榜: closed without a choice.
        Closed = "closed",
    }
}

code_enum! {
    /// Where a bid stands.
    pub enum BidState : "bid_state" {
        /// 已揭榜, waiting for the choice.
        Submitted = "submitted",
        /// 中榜 (alone or in the joint team).
        Chosen = "chosen",
        /// 未中榜
        NotChosen = "not_chosen",
    }
}

/// Bids are taken until the end of the deadline day, and only while the challenge is open.
pub fn check_bid_allowed(state: ChallengeState, deadline: Date, today: Date) -> Result<()> {
    if state != ChallengeState::Open {
        return Err(Error::refused("challenge_not_open", Msg::new("challenge.not_open")));
    }
    if today > deadline {
        return Err(Error::refused("deadline_passed", Msg::new("challenge.deadline_passed")));
    }
    Ok(())
}

/// A choice names at least one bid; several make a joint team (联合攻关), the first leading it.
pub fn check_choice(state: ChallengeState, chosen: &[i64]) -> Result<()> {
    if state != ChallengeState::Open {
        return Err(Error::refused("challenge_not_open", Msg::new("challenge.not_open")));
    }
    if chosen.is_empty() {
        return Err(crate::error::FieldErrors::single("bid_ids", Msg::new("validation.required")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn bids_close_after_the_deadline_day() {
        let d = date(2026, 5, 31);
        assert!(check_bid_allowed(ChallengeState::Open, d, d).is_ok());
        assert!(check_bid_allowed(ChallengeState::Open, d, date(2026, 5, 1)).is_ok());
        assert!(check_bid_allowed(ChallengeState::Open, d, date(2026, 6, 1)).is_err());
        assert!(check_bid_allowed(ChallengeState::Awarded, d, date(2026, 5, 1)).is_err());
        assert!(check_bid_allowed(ChallengeState::Closed, d, date(2026, 5, 1)).is_err());
    }

    #[test]
    fn a_choice_needs_an_open_challenge_and_a_bid() {
        assert!(check_choice(ChallengeState::Open, &[1]).is_ok());
        assert!(check_choice(ChallengeState::Open, &[1, 2]).is_ok());
        assert!(check_choice(ChallengeState::Open, &[]).is_err());
        assert!(check_choice(ChallengeState::Awarded, &[1]).is_err());
    }
}
