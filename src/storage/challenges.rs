//! Challenges and their bids.

use super::keywords::{Keyed, Reach};
use super::{Conn, Query, Row, Value, code, path};
use crate::domain::access::Scope;
use crate::domain::challenge::{BidState, ChallengeState};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::error::Result;
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// A challenge as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Id.
    pub id: i64,
    /// The posting unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// Studios inside this unit's subtree may bid.
    pub scope_unit_id: i64,
    /// Its name.
    pub scope_unit_name: String,
    /// Its path.
    #[schema(value_type = String)]
    pub scope_path: UnitPath,
    /// Title.
    pub title: String,
    /// The problem.
    pub problem: String,
    /// What a solution must achieve.
    pub requirements: Option<String>,
    /// Last day for bids.
    #[schema(value_type = String, format = Date)]
    pub deadline: Date,
    /// Reward, yuan.
    pub reward_yuan: Option<i64>,
    /// State.
    pub state: ChallengeState,
    /// The project the choice became.
    pub project_id: Option<i64>,
    /// The poster's note on the choice.
    pub decision_note: Option<String>,
    /// Bids so far.
    pub bids: i64,
    /// Posted by.
    pub posted_by: i64,
    /// Created, Unix milliseconds.
    pub created_at: i64,
}

/// A new challenge, validated.
#[derive(Debug, Clone, Serialize)]
pub struct NewChallenge {
    /// Posting unit.
    pub unit_id: i64,
    /// Its path.
    pub unit_path: UnitPath,
    /// Scope unit.
    pub scope_unit_id: i64,
    /// Its path.
    pub scope_path: UnitPath,
    /// Title.
    pub title: String,
    /// Problem.
    pub problem: String,
    /// Requirements.
    pub requirements: Option<String>,
    /// Deadline.
    pub deadline: Date,
    /// Reward.
    pub reward_yuan: Option<i64>,
}

const COLUMNS: &str = "c.id, c.unit_id, u.name AS unit_name, c.unit_path, c.scope_unit_id, su.name AS scope_unit_name, \
     c.scope_path, c.title, c.problem, c.requirements, c.deadline, c.reward_yuan, c.state, c.project_id, c.decision_note, \
     (SELECT COUNT(*) FROM challenge_bids b WHERE b.challenge_id = c.id) AS bids, c.posted_by, c.created_at";
const JOINS: &str =
    "FROM challenges c JOIN org_units u ON u.id = c.unit_id JOIN org_units su ON su.id = c.scope_unit_id";

fn from_row(r: &Row) -> Result<Challenge> {
    Ok(Challenge {
        id: r.get("id")?,
        unit_id: r.get("unit_id")?,
        unit_name: r.get("unit_name")?,
        unit_path: path(r, "unit_path")?,
        scope_unit_id: r.get("scope_unit_id")?,
        scope_unit_name: r.get("scope_unit_name")?,
        scope_path: path(r, "scope_path")?,
        title: r.get("title")?,
        problem: r.get("problem")?,
        requirements: r.get("requirements")?,
        deadline: r.get("deadline")?,
        reward_yuan: r.get("reward_yuan")?,
        state: code(r, "state", ChallengeState::parse)?,
        project_id: r.get("project_id")?,
        decision_note: r.get("decision_note")?,
        bids: r.get("bids")?,
        posted_by: r.get("posted_by")?,
        created_at: r.get("created_at")?,
    })
}

/// Stores a new challenge; returns its id.
pub fn insert(c: &mut Conn, n: &NewChallenge, by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("challenges")?;
    c.execute(
        "INSERT INTO challenges (id, unit_id, unit_path, scope_unit_id, scope_path, title, problem, requirements, deadline, \
         reward_yuan, state, posted_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            n.unit_id,
            &n.unit_path,
            n.scope_unit_id,
            &n.scope_path,
            &n.title,
            &n.problem,
            &n.requirements,
            n.deadline,
            n.reward_yuan,
            ChallengeState::Open.code(),
            by,
            now,
            now
        ],
    )?;
    super::keywords::index(c, super::keywords::Keyed::Challenge, id, &n.title)?;
    Ok(id)
}

/// One challenge.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Challenge>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE c.id = ?"), params![id], from_row)
}

/// Reads a challenge for a change, locking its row on PostgreSQL.
pub fn get_for_update(c: &mut Conn, id: i64) -> Result<Option<Challenge>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM challenges WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id)
}

/// The condition of the challenges visible by unit (`scope`) or whose scope holds one of
/// `studio_paths`, on the given unit-path and scope-path columns (plain or walked).
fn visible(scope: &Scope, studio_paths: &[UnitPath], unit_col: &str, scope_col: &str) -> (String, Vec<Value<'static>>) {
    let mut alts: Vec<String> = Vec::new();
    let mut vals: Vec<Value<'static>> = Vec::new();
    for col in [unit_col, scope_col] {
        let (cond, params) = Query::scope_clause(scope, col, None).unwrap_or_else(|| ("1 = 1".into(), Vec::new()));
        alts.push(cond);
        vals.extend(params);
    }
    let ancestors: Vec<String> = studio_paths
        .iter()
        .flat_map(|p| {
            p.ids().into_iter().scan(String::from("/"), |acc, id| {
                acc.push_str(&format!("{id}/"));
                Some(acc.clone())
            })
        })
        .collect();
    if !ancestors.is_empty() {
        alts.push(format!("{scope_col} IN ({})", vec!["?"; ancestors.len()].join(", ")));
        vals.extend(ancestors.into_iter().map(Value::from));
    }
    (format!("({})", alts.join(" OR ")), vals)
}

/// Challenges visible by unit (`scope`), or whose scope holds one of `studio_paths` (the
/// caller's studios), newest first; only open ones when asked.
pub fn list(
    c: &mut Conn,
    scope: &Scope,
    studio_paths: &[UnitPath],
    open_only: bool,
    keywords: Option<&str>,
    page: &PageRequest,
) -> Result<Page<Challenge>> {
    // Over a wide subtree the ids are walked newest first: read through both path indexes, the
    // root's 85,000 challenges of the national set were collected and sorted for each page
    // (67 ms a keyword search, the slowest part of the search page).
    let (plain, plain_values) = visible(scope, studio_paths, "c.unit_path", "c.scope_path");
    let mut rows = Query::new("SELECT 1 FROM challenges c WHERE 1 = 1");
    rows.push(&format!(" AND {plain}"), plain_values);
    let whole = super::counters::whole_tree(c, scope, None)?;
    let wide = super::keywords::wide(c, "challenges", whole, rows)?;
    let list = List { scope, studio_paths, open_only, keywords, page, wide };
    // Walked newest first, a keyword needs only the index's newest matches (a common one's
    // titles were otherwise matched one by one down the ids: a third of the search page); the
    // whole index is asked only when they do not fill the page.
    if wide && keywords.is_some() {
        let newest = Reach::Newest { before: page.after.as_ref().map(|a| a.id) };
        if let Some(found) = list.reaching(c, newest)? {
            return Ok(found);
        }
    }
    Ok(list.reaching(c, Reach::Full)?.unwrap_or(Page { items: Vec::new(), next_cursor: None }))
}

/// What a challenge list asks for.
struct List<'a> {
    scope: &'a Scope,
    studio_paths: &'a [UnitPath],
    open_only: bool,
    keywords: Option<&'a str>,
    page: &'a PageRequest,
    wide: bool,
}

impl List<'_> {
    /// The page, a keyword reaching into the index as far as told: `None` when only its newest
    /// matches were taken and they did not fill the page.
    fn reaching(&self, c: &mut Conn, reach: Reach) -> Result<Option<Page<Challenge>>> {
        let mut q = Query::new(&format!("SELECT {COLUMNS} {JOINS} WHERE 1 = 1"));
        let (unit, scope_col) = if self.wide {
            (super::walked_path(c, "c.unit_path"), super::walked_path(c, "c.scope_path"))
        } else {
            ("c.unit_path".to_string(), "c.scope_path".to_string())
        };
        let (visible_sql, values) = visible(self.scope, self.studio_paths, &unit, &scope_col);
        q.push(&format!(" AND {visible_sql}"), values);
        if self.open_only {
            q.push(" AND c.state = ?", [Value::from(ChallengeState::Open.code())]);
        }
        let applied = super::keywords::apply(c, &mut q, Keyed::Challenge, self.keywords, "c.id", "c.title", reach)?;
        if !applied.any {
            return Ok(Some(Page { items: Vec::new(), next_cursor: None }));
        }
        if let Some(after) = &self.page.after {
            q.push(" AND c.id < ?", [Value::from(after.id)]);
        }
        q.push(" ORDER BY c.id DESC LIMIT ?", [Value::from(self.page.limit + 1)]);
        let rows = q.fetch(c, from_row)?;
        if applied.partial && (rows.len() as i64) <= self.page.limit {
            // The newest matches did not fill the page: older ones may.
            return Ok(None);
        }
        Ok(Some(Page::from_rows(rows, self.page.limit, |x| Cursor { key: String::new(), id: x.id })))
    }
}

/// A bid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bid {
    /// Id.
    pub id: i64,
    /// The challenge.
    pub challenge_id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Its name.
    pub studio_name: String,
    /// Its unit's path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The plan.
    pub plan: String,
    /// The team (person ids and names).
    pub team: Vec<(i64, String)>,
    /// State.
    pub state: BidState,
    /// Submitted, Unix milliseconds.
    pub created_at: i64,
}

/// Stores a bid with its team; returns its id.
pub fn insert_bid(c: &mut Conn, challenge_id: i64, studio_id: i64, plan: &str, team: &[i64], by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("challenge_bids")?;
    c.execute(
        "INSERT INTO challenge_bids (id, challenge_id, studio_id, plan, state, submitted_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![id, challenge_id, studio_id, plan, BidState::Submitted.code(), by, now, now],
    )?;
    for p in team {
        c.execute("INSERT INTO challenge_bid_members (bid_id, person_id) VALUES (?, ?)", params![id, *p])?;
    }
    Ok(id)
}

/// Whether a studio already bid.
pub fn has_bid(c: &mut Conn, challenge_id: i64, studio_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM challenge_bids WHERE challenge_id = ? AND studio_id = ?",
        params![challenge_id, studio_id],
    )? > 0)
}

/// The bids of a challenge, in the order they came.
pub fn bids(c: &mut Conn, challenge_id: i64) -> Result<Vec<Bid>> {
    let mut out = c.query(
        "SELECT b.id, b.challenge_id, b.studio_id, s.name AS studio_name, s.unit_path, b.plan, b.state, b.created_at \
         FROM challenge_bids b JOIN studios s ON s.id = b.studio_id WHERE b.challenge_id = ? ORDER BY b.id",
        params![challenge_id],
        |r| {
            Ok(Bid {
                id: r.get("id")?,
                challenge_id: r.get("challenge_id")?,
                studio_id: r.get("studio_id")?,
                studio_name: r.get("studio_name")?,
                unit_path: path(r, "unit_path")?,
                plan: r.get("plan")?,
                team: Vec::new(),
                state: code(r, "state", BidState::parse)?,
                created_at: r.get("created_at")?,
            })
        },
    )?;
    for b in &mut out {
        b.team = c.query(
            "SELECT p.id, p.name FROM challenge_bid_members m JOIN people p ON p.id = m.person_id WHERE m.bid_id = ? ORDER BY p.id",
            params![b.id],
            |r| Ok((r.get("id")?, r.get("name")?)),
        )?;
    }
    Ok(out)
}

/// Closes a challenge with its choice: the bids chosen and the others, the project made.
pub fn award(c: &mut Conn, id: i64, chosen: &[i64], project_id: i64, note: Option<&str>, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE challenge_bids SET state = ?, updated_at = ? WHERE challenge_id = ?",
        params![BidState::NotChosen.code(), now, id],
    )?;
    for b in chosen {
        c.execute(
            "UPDATE challenge_bids SET state = ?, updated_at = ? WHERE id = ? AND challenge_id = ?",
            params![BidState::Chosen.code(), now, *b, id],
        )?;
    }
    c.execute(
        "UPDATE challenges SET state = ?, project_id = ?, decision_note = ?, decided_by = ?, decided_at = ?, updated_at = ? \
         WHERE id = ?",
        params![ChallengeState::Awarded.code(), project_id, note, by, now, now, id],
    )?;
    Ok(())
}

/// Withdraws a challenge without a choice.
pub fn close(c: &mut Conn, id: i64, note: Option<&str>, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE challenges SET state = ?, decision_note = ?, decided_by = ?, decided_at = ?, updated_at = ? WHERE id = ?",
        params![ChallengeState::Closed.code(), note, by, now, now, id],
    )?;
    c.execute(
        "UPDATE challenge_bids SET state = ?, updated_at = ? WHERE challenge_id = ?",
        params![BidState::NotChosen.code(), now, id],
    )?;
    Ok(())
}
