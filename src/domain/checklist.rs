//! The “八有” standards of a studio (SPEC §3.1): a name, a plaque, a fixed place with equipment,
//! a team of at least three, written rules, funding, activity records and a display of results.
//! Each item is met from the data where the platform holds it (team size, ledger, outcomes) and
//! from uploaded evidence where it cannot (a photo of the plaque, of the room).

use crate::code_enum;
use jiff::ToSpan;
use jiff::civil::Date;

code_enum! {
    /// One of the eight standards.
    pub enum ChecklistItem : "checklist" {
        /// 有名称
        Name = "name",
        /// 有牌子
        Plaque = "plaque",
        /// 有场地 (and equipment)
        Venue = "venue",
        /// 有团队 (≥ 3)
        Team = "team",
        /// 有制度 (revised at least every two years)
        Rules = "rules",
        /// 有经费
        Funding = "funding",
        /// 有台帐 (activity records)
        Records = "records",
        /// 有成果展示
        Display = "display",
    }
}

/// Where an item's status comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed from the records.
    Data,
    /// Shown by an uploaded document or photo.
    Evidence,
}

/// Rules documents must be revised at least every this many years.
pub const RULES_VALID_YEARS: i16 = 2;
/// Team size the standard demands.
pub const MIN_TEAM: i64 = 3;

/// What the checklist looks at.
#[derive(Debug, Clone, Default)]
pub struct ChecklistFacts {
    /// The studio's name is set.
    pub has_name: bool,
    /// The room is recorded.
    pub has_room: bool,
    /// Current team size.
    pub member_count: i64,
    /// Activities recorded in the last twelve months.
    pub recent_activities: i64,
    /// Outcomes registered.
    pub outcomes: i64,
    /// Budget granted for the current year, in fen.
    pub budget_fen: i64,
    /// For each item with evidence, the date of the newest upload.
    pub evidence: Vec<(ChecklistItem, Date)>,
}

/// The status of one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ItemStatus {
    /// Which standard.
    pub item: ChecklistItem,
    /// Met or not.
    pub met: bool,
    /// Computed from data or shown by evidence.
    pub source: Source,
    /// A translation key explaining the status to a person.
    pub note: &'static str,
}

impl ChecklistFacts {
    fn evidence_date(&self, item: ChecklistItem) -> Option<Date> {
        self.evidence.iter().filter(|(i, _)| *i == item).map(|(_, d)| *d).max()
    }
}

impl ChecklistItem {
    /// Items for which an upload is the proof (and the form offers one).
    pub fn takes_evidence(self) -> bool {
        !matches!(self, ChecklistItem::Name | ChecklistItem::Team)
    }
}

/// Evaluates the eight standards on a given day.
pub fn evaluate(f: &ChecklistFacts, today: Date) -> Vec<ItemStatus> {
    use ChecklistItem::*;
    let ev = |item| f.evidence_date(item).is_some();
    let status = |item, met, source, note| ItemStatus { item, met, source, note };
    vec![
        status(
            Name,
            f.has_name,
            Source::Data,
            if f.has_name { "checklist_note.name_set" } else { "checklist_note.name_missing" },
        ),
        status(
            Plaque,
            ev(Plaque),
            Source::Evidence,
            if ev(Plaque) { "checklist_note.evidence_uploaded" } else { "checklist_note.upload_plaque" },
        ),
        {
            let met = ev(Venue) && f.has_room;
            let note = match (f.has_room, ev(Venue)) {
                (true, true) => "checklist_note.evidence_uploaded",
                (false, _) => "checklist_note.room_missing",
                (true, false) => "checklist_note.upload_venue",
            };
            status(Venue, met, Source::Evidence, note)
        },
        status(
            Team,
            f.member_count >= MIN_TEAM,
            Source::Data,
            if f.member_count >= MIN_TEAM { "checklist_note.team_ok" } else { "checklist_note.team_small" },
        ),
        {
            let valid_from = today.checked_sub(RULES_VALID_YEARS.years()).unwrap_or(today);
            match f.evidence_date(Rules) {
                Some(d) if d >= valid_from => status(Rules, true, Source::Evidence, "checklist_note.rules_current"),
                Some(_) => status(Rules, false, Source::Evidence, "checklist_note.rules_outdated"),
                None => status(Rules, false, Source::Evidence, "checklist_note.upload_rules"),
            }
        },
        if f.budget_fen > 0 {
            status(Funding, true, Source::Data, "checklist_note.budget_granted")
        } else {
            status(
                Funding,
                ev(Funding),
                Source::Evidence,
                if ev(Funding) { "checklist_note.evidence_uploaded" } else { "checklist_note.upload_funding" },
            )
        },
        if f.recent_activities > 0 {
            status(Records, true, Source::Data, "checklist_note.ledger_active")
        } else {
            status(
                Records,
                ev(Records),
                Source::Evidence,
                if ev(Records) { "checklist_note.evidence_uploaded" } else { "checklist_note.no_records" },
            )
        },
        if f.outcomes > 0 {
            status(Display, true, Source::Data, "checklist_note.outcomes_registered")
        } else {
            status(
                Display,
                ev(Display),
                Source::Evidence,
                if ev(Display) { "checklist_note.evidence_uploaded" } else { "checklist_note.upload_display" },
            )
        },
    ]
}

/// How many of the eight are met.
pub fn met_count(items: &[ItemStatus]) -> usize {
    items.iter().filter(|i| i.met).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 21);

    fn met(items: &[ItemStatus], item: ChecklistItem) -> bool {
        items.iter().find(|s| s.item == item).unwrap().met
    }

    #[test]
    fn an_empty_studio_meets_only_its_name() {
        let items = evaluate(&ChecklistFacts { has_name: true, ..Default::default() }, TODAY);
        assert_eq!(items.len(), 8);
        assert_eq!(met_count(&items), 1);
        assert!(met(&items, ChecklistItem::Name));
    }

    #[test]
    fn team_needs_three() {
        let f = |n| ChecklistFacts { member_count: n, ..Default::default() };
        assert!(!met(&evaluate(&f(2), TODAY), ChecklistItem::Team));
        assert!(met(&evaluate(&f(3), TODAY), ChecklistItem::Team));
    }

    #[test]
    fn rules_expire_after_two_years() {
        let f = |d| ChecklistFacts { evidence: vec![(ChecklistItem::Rules, d)], ..Default::default() };
        assert!(met(&evaluate(&f(date(2024, 11, 21)), TODAY), ChecklistItem::Rules));
        assert!(!met(&evaluate(&f(date(2024, 11, 20)), TODAY), ChecklistItem::Rules));
        let two = ChecklistFacts {
            evidence: vec![(ChecklistItem::Rules, date(2020, 1, 1)), (ChecklistItem::Rules, date(2026, 1, 1))],
            ..Default::default()
        };
        assert!(met(&evaluate(&two, TODAY), ChecklistItem::Rules));
    }

    #[test]
    fn venue_needs_the_room_and_a_photo() {
        let photo = vec![(ChecklistItem::Venue, TODAY)];
        assert!(!met(
            &evaluate(&ChecklistFacts { evidence: photo.clone(), ..Default::default() }, TODAY),
            ChecklistItem::Venue
        ));
        assert!(!met(&evaluate(&ChecklistFacts { has_room: true, ..Default::default() }, TODAY), ChecklistItem::Venue));
        assert!(met(
            &evaluate(&ChecklistFacts { has_room: true, evidence: photo, ..Default::default() }, TODAY),
            ChecklistItem::Venue
        ));
    }

    #[test]
    fn data_replaces_evidence_where_the_platform_holds_it() {
        let f = ChecklistFacts { recent_activities: 4, outcomes: 2, budget_fen: 1_000_000, ..Default::default() };
        let items = evaluate(&f, TODAY);
        for item in [ChecklistItem::Records, ChecklistItem::Display, ChecklistItem::Funding] {
            let s = items.iter().find(|s| s.item == item).unwrap();
            assert!(s.met && s.source == Source::Data, "{item}");
        }
        let f = ChecklistFacts { evidence: vec![(ChecklistItem::Display, TODAY)], ..Default::default() };
        let s = evaluate(&f, TODAY).into_iter().find(|s| s.item == ChecklistItem::Display).unwrap();
        assert!(s.met && s.source == Source::Evidence);
    }
}
