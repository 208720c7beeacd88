//! Searching every kind of record at once, for the search page: the first few hits of each
//! kind through that kind's own list use case (so its scope and rules apply unchanged), and
//! whether its list holds more.

use super::{AppState, challenges, outcomes, projects, studios, suggestions};
use crate::domain::access::Actor;
use crate::domain::validation::{Check, limits};
use crate::error::Result;
use crate::storage::challenges::Challenge;
use crate::storage::outcomes::Outcome;
use crate::storage::projects::Project;
use crate::storage::studios::StudioSummary;
use crate::storage::suggestions::Suggestion;

/// Hits of each kind shown on the search page.
pub const HITS: i64 = 5;

/// The first hits of one kind, and whether its list has more.
#[derive(Debug, Clone)]
pub struct Hits<T> {
    /// The first `HITS`.
    pub items: Vec<T>,
    /// The list holds more than these.
    pub more: bool,
}

impl<T> Hits<T> {
    fn of(page: crate::domain::pagination::Page<T>) -> Self {
        Hits { more: page.next_cursor.is_some(), items: page.items }
    }
}

/// What a keyword finds, kind by kind.
#[derive(Debug, Clone)]
pub struct Found {
    /// The keyword as searched (trimmed).
    pub q: String,
    /// Studios by name, field or leader.
    pub studios: Hits<StudioSummary>,
    /// Suggestions by title: all in the caller's administrator subtrees, or their own.
    pub suggestions: Hits<Suggestion>,
    /// Which suggestion list they come from (`all` or `mine`), for the link to more.
    pub suggestion_view: &'static str,
    /// Projects by title.
    pub projects: Hits<Project>,
    /// Outcomes by title.
    pub outcomes: Hits<Outcome>,
    /// Challenges by title.
    pub challenges: Hits<Challenge>,
}

/// Searches every kind for `q`; `None` when `q` is empty (the page shows just its form).
pub async fn everything(st: &AppState, actor: &Actor, q: Option<&str>) -> Result<Option<Found>> {
    let mut check = Check::new();
    let text = check.optional("q", q, limits::NAME);
    check.finish()?;
    let Some(text) = text else { return Ok(None) };
    let (q, limit) = (Some(text.clone()), Some(HITS));
    let suggestion_view = if actor.suggestion_scope().is_empty() { "mine" } else { "all" };
    // Projects and outcomes newest first, as their lists show them from the link to more: over
    // the country's root that reads a keyword's newest matches, not every one of them sorted.
    let newest = Some("new".to_string());
    let (studio_q, suggestion_q, project_q, outcome_q, challenge_q) = (
        studios::StudioQuery { q: q.clone(), limit, ..Default::default() },
        suggestions::SuggestionQuery { view: Some(suggestion_view.into()), q: q.clone(), limit, ..Default::default() },
        projects::ProjectQuery { q: q.clone(), sort: newest.clone(), limit, ..Default::default() },
        outcomes::OutcomeQuery { q: q.clone(), sort: newest, limit, ..Default::default() },
        challenges::ChallengeQuery { q, limit, ..Default::default() },
    );
    // The five kinds are read side by side, each on its own connection: the page waits for
    // the slowest, not for their sum.
    let (studios, suggestions, projects, outcomes, challenges) = tokio::try_join!(
        studios::list(st, actor, &studio_q),
        suggestions::list(st, actor, &suggestion_q),
        projects::list(st, actor, &project_q),
        outcomes::list(st, actor, &outcome_q),
        challenges::list(st, actor, &challenge_q),
    )?;
    Ok(Some(Found {
        q: text,
        studios: Hits::of(studios),
        suggestions: Hits::of(suggestions),
        suggestion_view,
        projects: Hits::of(projects.page),
        outcomes: Hits::of(outcomes),
        challenges: Hits::of(challenges),
    }))
}
