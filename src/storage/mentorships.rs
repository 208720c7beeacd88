//! Mentorship agreements (师带徒), their assessments and what the apprentices achieved. The
//! writes that move a headline figure (an agreement coming into force, its final assessment,
//! a promotion) call `figures::before`/`settle` themselves, so no use case can forget them.

use super::figures::{self, Subject};
use super::{Conn, Query, Row, Value, code, opt_code, path};
use crate::domain::access::{MentorshipPlace, Scope, StudioPlace};
use crate::domain::mentorship::{AssessmentKind, FinalGrade, MentorshipState, PlacingRank, ResultKind};
use crate::domain::org::UnitPath;
use crate::domain::pagination::{Cursor, Page, PageRequest};
use crate::domain::person::SkillGrade;
use crate::error::Result;
use crate::params;
use jiff::civil::Date;
use serde::Serialize;

/// An agreement as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mentorship {
    /// Id.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// The studio's name.
    pub studio_name: String,
    /// The studio's unit path.
    #[schema(value_type = String)]
    pub unit_path: UnitPath,
    /// The mentor (师傅).
    pub mentor_person_id: i64,
    /// The mentor's name.
    pub mentor_name: String,
    /// The apprentice (徒弟).
    pub apprentice_person_id: i64,
    /// The apprentice's name.
    pub apprentice_name: String,
    /// The apprentice's unit (another team of the enterprise, perhaps).
    pub apprentice_unit: String,
    /// The trade (工种).
    pub trade: String,
    /// First day.
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    /// Last day.
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// The skill grade the apprentice aims at.
    pub target_grade: Option<SkillGrade>,
    /// The competition the apprentice aims to place in.
    pub target_competition: Option<String>,
    /// The teaching plan (带徒计划 / 任务书).
    pub teaching_plan: String,
    /// The mentor's allowance for the agreement, in fen.
    pub allowance_fen: i64,
    /// Months between periodic assessments.
    pub assess_months: i64,
    /// Where it stands.
    pub state: MentorshipState,
    /// The failed agreement this one renews.
    pub renews_id: Option<i64>,
    /// Proposed by (account name).
    pub proposed_by_name: String,
    /// Proposed at, Unix milliseconds.
    pub proposed_at: i64,
    /// Pair confirmed by (the studio leader's account name).
    pub paired_by_name: Option<String>,
    /// Pair confirmed at.
    pub paired_at: Option<i64>,
    /// What the leader noted.
    pub paired_note: Option<String>,
    /// Agreement approved by (the enterprise's account name).
    pub agreed_by_name: Option<String>,
    /// Agreement approved at.
    pub agreed_at: Option<i64>,
    /// What the enterprise noted.
    pub agreed_note: Option<String>,
    /// Refused by.
    pub refused_by_name: Option<String>,
    /// Refused at.
    pub refused_at: Option<i64>,
    /// Why it was refused.
    pub refusal_reason: Option<String>,
    /// In force: when the next periodic assessment falls due.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_on: Option<Date>,
    /// The final grade, once assessed.
    pub final_grade: Option<FinalGrade>,
    /// The day of the final assessment.
    #[schema(value_type = Option<String>, format = Date)]
    pub finished_on: Option<Date>,
    /// The allowance the final assessment paid, in fen.
    pub allowance_paid_fen: Option<i64>,
}

impl Mentorship {
    /// Where the agreement sits and whom it binds, for the access policy.
    pub fn place(&self) -> MentorshipPlace<'_> {
        MentorshipPlace {
            studio: StudioPlace {
                id: self.studio_id,
                unit_path: &self.unit_path,
                supervisor_path: None,
                applying_path: None,
            },
            mentor_person_id: self.mentor_person_id,
            apprentice_person_id: self.apprentice_person_id,
        }
    }
}

const COLUMNS: &str = "m.id, m.studio_id, s.name AS studio_name, m.unit_path, m.mentor_person_id, mp.name AS mentor_name, \
     m.apprentice_person_id, ap.name AS apprentice_name, au.name AS apprentice_unit, m.trade, m.starts_on, m.ends_on, \
     m.target_grade, m.target_competition, m.teaching_plan, m.allowance_fen, m.assess_months, m.state, m.renews_id, \
     pa.display_name AS proposed_by_name, m.proposed_at, ca.display_name AS paired_by_name, m.paired_at, m.paired_note, \
     ga.display_name AS agreed_by_name, m.agreed_at, m.agreed_note, ra.display_name AS refused_by_name, m.refused_at, \
     m.refusal_reason, m.next_due_on, m.final_grade, m.finished_on, m.allowance_paid_fen";
const JOINS: &str = "FROM mentorships m JOIN studios s ON s.id = m.studio_id \
     JOIN people mp ON mp.id = m.mentor_person_id JOIN people ap ON ap.id = m.apprentice_person_id \
     JOIN org_units au ON au.id = ap.unit_id JOIN accounts pa ON pa.id = m.proposed_by \
     LEFT JOIN accounts ca ON ca.id = m.paired_by LEFT JOIN accounts ga ON ga.id = m.agreed_by \
     LEFT JOIN accounts ra ON ra.id = m.refused_by";

fn from_row(r: &Row) -> Result<Mentorship> {
    Ok(Mentorship {
        id: r.get("id")?,
        studio_id: r.get("studio_id")?,
        studio_name: r.get("studio_name")?,
        unit_path: path(r, "unit_path")?,
        mentor_person_id: r.get("mentor_person_id")?,
        mentor_name: r.get("mentor_name")?,
        apprentice_person_id: r.get("apprentice_person_id")?,
        apprentice_name: r.get("apprentice_name")?,
        apprentice_unit: r.get("apprentice_unit")?,
        trade: r.get("trade")?,
        starts_on: r.get("starts_on")?,
        ends_on: r.get("ends_on")?,
        target_grade: opt_code(r, "target_grade", SkillGrade::parse)?,
        target_competition: r.get("target_competition")?,
        teaching_plan: r.get("teaching_plan")?,
        allowance_fen: r.get("allowance_fen")?,
        assess_months: r.get("assess_months")?,
        state: code(r, "state", MentorshipState::parse)?,
        renews_id: r.get("renews_id")?,
        proposed_by_name: r.get("proposed_by_name")?,
        proposed_at: r.get("proposed_at")?,
        paired_by_name: r.get("paired_by_name")?,
        paired_at: r.get("paired_at")?,
        paired_note: r.get("paired_note")?,
        agreed_by_name: r.get("agreed_by_name")?,
        agreed_at: r.get("agreed_at")?,
        agreed_note: r.get("agreed_note")?,
        refused_by_name: r.get("refused_by_name")?,
        refused_at: r.get("refused_at")?,
        refusal_reason: r.get("refusal_reason")?,
        next_due_on: r.get("next_due_on")?,
        final_grade: opt_code(r, "final_grade", FinalGrade::parse)?,
        finished_on: r.get("finished_on")?,
        allowance_paid_fen: r.get("allowance_paid_fen")?,
    })
}

/// One agreement.
pub fn get(c: &mut Conn, id: i64) -> Result<Option<Mentorship>> {
    c.query_opt(&format!("SELECT {COLUMNS} {JOINS} WHERE m.id = ?"), params![id], from_row)
}

/// One agreement, locked until the transaction ends (PostgreSQL).
pub fn get_for_update(c: &mut Conn, id: i64) -> Result<Option<Mentorship>> {
    let lock = c.for_update();
    if !lock.is_empty() {
        c.execute(&format!("SELECT id FROM mentorships WHERE id = ?{lock}"), params![id])?;
    }
    get(c, id)
}

/// An agreement as proposed.
#[derive(Debug, Clone)]
pub struct NewMentorship {
    /// The studio.
    pub studio_id: i64,
    /// Its unit path.
    pub unit_path: UnitPath,
    /// The mentor.
    pub mentor_person_id: i64,
    /// The apprentice.
    pub apprentice_person_id: i64,
    /// The trade.
    pub trade: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Aimed skill grade.
    pub target_grade: Option<SkillGrade>,
    /// Aimed competition.
    pub target_competition: Option<String>,
    /// The teaching plan.
    pub teaching_plan: String,
    /// Allowance, fen.
    pub allowance_fen: i64,
    /// Months between assessments.
    pub assess_months: i64,
    /// The failed agreement it renews.
    pub renews_id: Option<i64>,
}

/// Writes a proposed agreement (it moves no figure until it is in force).
pub fn insert(c: &mut Conn, m: &NewMentorship, by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("mentorships")?;
    c.execute(
        "INSERT INTO mentorships (id, studio_id, unit_path, mentor_person_id, apprentice_person_id, trade, starts_on, ends_on, \
         target_grade, target_competition, teaching_plan, allowance_fen, assess_months, state, renews_id, proposed_by, proposed_at, \
         created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            m.studio_id,
            &m.unit_path,
            m.mentor_person_id,
            m.apprentice_person_id,
            &m.trade,
            m.starts_on,
            m.ends_on,
            m.target_grade.map(|g| g.code()),
            &m.target_competition,
            &m.teaching_plan,
            m.allowance_fen,
            m.assess_months,
            MentorshipState::Proposed.code(),
            m.renews_id,
            by,
            now,
            now,
            now
        ],
    )?;
    super::generations::changed_above(&m.unit_path);
    Ok(id)
}

/// Notes that an agreement changed: the first pages of the lists above it are remembered
/// (`app::mentorships::list`) and are read again.
fn changed(c: &mut Conn, id: i64) -> Result<()> {
    super::generations::changed_above_row(c, "mentorships", id)
}

/// Whether the same apprentice already has an agreement with the same mentor in the same trade
/// whose period shares a day with `[from, to]` (refused and failed ones do not count).
pub fn overlapping(
    c: &mut Conn,
    apprentice: i64,
    mentor: i64,
    trade: &str,
    from: Date,
    to: Date,
    except: Option<i64>,
) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM mentorships WHERE apprentice_person_id = ? AND mentor_person_id = ? AND trade = ? \
         AND state NOT IN (?, ?) AND starts_on <= ? AND ends_on >= ? AND id <> ?",
        params![
            apprentice,
            mentor,
            trade,
            MentorshipState::Refused.code(),
            MentorshipState::Failed.code(),
            to,
            from,
            except.unwrap_or(0)
        ],
    )? > 0)
}

/// The figures an agreement moves: its own (finished, allowances) and its apprentice's
/// stretches under agreement (apprentices are counted as distinct people).
fn subjects_of(c: &mut Conn, id: i64) -> Result<Vec<Subject>> {
    let apprentice = c.scalar("SELECT apprentice_person_id FROM mentorships WHERE id = ?", params![id])?;
    Ok(vec![Subject::Mentorship(id), Subject::Apprentice(apprentice)])
}

/// Confirms the pair (the studio leader), recording who, when and why.
pub fn approve_pair(c: &mut Conn, id: i64, by: i64, note: Option<&str>) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE mentorships SET state = ?, paired_by = ?, paired_at = ?, paired_note = ?, updated_at = ? WHERE id = ?",
        params![MentorshipState::Paired.code(), by, now, note, now, id],
    )?;
    changed(c, id)
}

/// Puts the agreement in force (the enterprise): the apprentice counts as under agreement from
/// its first day to its last, and the first assessment falls due.
pub fn approve_agreement(
    c: &mut Conn,
    id: i64,
    by: i64,
    note: Option<&str>,
    next_due: Date,
    until: Date,
) -> Result<()> {
    let now = crate::clock::now_ms();
    let subjects = subjects_of(c, id)?;
    figures::around(c, &subjects, |c| {
        c.execute(
            "UPDATE mentorships SET state = ?, agreed_by = ?, agreed_at = ?, agreed_note = ?, next_due_on = ?, until_on = ?, \
             updated_at = ? WHERE id = ?",
            params![MentorshipState::InForce.code(), by, now, note, next_due, until, now, id],
        )?;
        changed(c, id)
    })
}

/// Refuses a pending agreement with the reason.
pub fn refuse(c: &mut Conn, id: i64, by: i64, reason: &str) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "UPDATE mentorships SET state = ?, refused_by = ?, refused_at = ?, refusal_reason = ?, updated_at = ? WHERE id = ?",
        params![MentorshipState::Refused.code(), by, now, reason, now, id],
    )?;
    changed(c, id)
}

/// An assessment as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    /// Id.
    pub id: i64,
    /// Periodic or final.
    pub kind: AssessmentKind,
    /// Held on.
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    /// The apprentice's score (0–100).
    pub apprentice_score: i64,
    /// The mentor's own teaching score (0–100).
    pub mentor_score: i64,
    /// The mentor's result, bound to the apprentice's.
    pub mentor_result: i64,
    /// The final grade (final assessments).
    pub final_grade: Option<FinalGrade>,
    /// Remarks.
    pub note: Option<String>,
    /// Recorded by (account name).
    pub recorded_by_name: String,
    /// Recorded at.
    pub recorded_at: i64,
}

/// An assessment to record.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    /// Periodic or final.
    pub kind: AssessmentKind,
    /// Held on.
    pub held_on: Date,
    /// The apprentice's score.
    pub apprentice_score: i64,
    /// The mentor's own score.
    pub mentor_score: i64,
    /// The bound result.
    pub mentor_result: i64,
    /// Final: the grade.
    pub final_grade: Option<FinalGrade>,
    /// Remarks.
    pub note: Option<String>,
}

/// Records an assessment and when the next one falls due (none after the final one).
pub fn add_assessment(
    c: &mut Conn,
    mentorship_id: i64,
    a: &NewAssessment,
    next_due: Option<Date>,
    by: i64,
) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("mentorship_assessments")?;
    c.execute(
        "INSERT INTO mentorship_assessments (id, mentorship_id, kind, held_on, apprentice_score, mentor_score, mentor_result, \
         final_grade, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            mentorship_id,
            a.kind.code(),
            a.held_on,
            a.apprentice_score,
            a.mentor_score,
            a.mentor_result,
            a.final_grade.map(|g| g.code()),
            &a.note,
            by,
            now
        ],
    )?;
    c.execute(
        "UPDATE mentorships SET next_due_on = ?, due_told_on = NULL, updated_at = ? WHERE id = ?",
        params![next_due, now, mentorship_id],
    )?;
    changed(c, mentorship_id)?;
    Ok(id)
}

/// Closes an agreement by its final assessment: the grade, the day (the apprentice is no
/// longer under agreement from it), the allowance paid.
pub fn finish(c: &mut Conn, id: i64, grade: FinalGrade, on: Date, paid_fen: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    let state = if grade == FinalGrade::Fail { MentorshipState::Failed } else { MentorshipState::Finished };
    let subjects = subjects_of(c, id)?;
    figures::around(c, &subjects, |c| {
        c.execute(
            "UPDATE mentorships SET state = ?, final_grade = ?, finished_on = ?, allowance_paid_fen = ?, until_on = ?, \
             next_due_on = NULL, updated_at = ? WHERE id = ?",
            params![state.code(), grade.code(), on, paid_fen, on, now, id],
        )?;
        changed(c, id)
    })
}

fn assessment_row(r: &Row) -> Result<Assessment> {
    Ok(Assessment {
        id: r.get("id")?,
        kind: code(r, "kind", AssessmentKind::parse)?,
        held_on: r.get("held_on")?,
        apprentice_score: r.get("apprentice_score")?,
        mentor_score: r.get("mentor_score")?,
        mentor_result: r.get("mentor_result")?,
        final_grade: opt_code(r, "final_grade", FinalGrade::parse)?,
        note: r.get("note")?,
        recorded_by_name: r.get("recorded_by_name")?,
        recorded_at: r.get("recorded_at")?,
    })
}

/// The assessments of an agreement, oldest first.
pub fn assessments(c: &mut Conn, mentorship_id: i64) -> Result<Vec<Assessment>> {
    c.query(
        "SELECT a.id, a.kind, a.held_on, a.apprentice_score, a.mentor_score, a.mentor_result, a.final_grade, a.note, \
         ac.display_name AS recorded_by_name, a.recorded_at FROM mentorship_assessments a JOIN accounts ac ON ac.id = a.recorded_by \
         WHERE a.mentorship_id = ? ORDER BY a.held_on, a.id",
        params![mentorship_id],
        assessment_row,
    )
}

/// A promotion or placing of an apprentice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprenticeResult {
    /// Id.
    pub id: i64,
    /// The agreement under which it was achieved.
    pub mentorship_id: i64,
    /// The apprentice.
    pub person_id: i64,
    /// The apprentice's name.
    pub person_name: String,
    /// The mentor's name.
    pub mentor_name: String,
    /// The studio's name.
    pub studio_name: String,
    /// Promotion or placing.
    pub kind: ResultKind,
    /// Achieved on.
    #[schema(value_type = String, format = Date)]
    pub achieved_on: Date,
    /// The grade reached (promotions).
    pub grade: Option<SkillGrade>,
    /// The certificate number (promotions).
    pub certificate_no: Option<String>,
    /// The competition (placings).
    pub competition: Option<String>,
    /// The placing (placings).
    pub placing: Option<PlacingRank>,
    /// Whether it earns the mentor the reward (技师 within three years).
    pub earns_reward: bool,
}

/// A result to record.
#[derive(Debug, Clone)]
pub struct NewResult {
    /// Promotion or placing.
    pub kind: ResultKind,
    /// Achieved on.
    pub achieved_on: Date,
    /// Grade reached.
    pub grade: Option<SkillGrade>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Competition.
    pub competition: Option<String>,
    /// Placing.
    pub placing: Option<PlacingRank>,
    /// Earns the mentor's reward.
    pub earns_reward: bool,
}

/// Records a result on the apprentice's record; a promotion to a higher grade than the one on
/// file also raises the person's skill grade.
pub fn add_result(c: &mut Conn, m: &Mentorship, r: &NewResult, by: i64) -> Result<i64> {
    let now = crate::clock::now_ms();
    let id = c.next_id("apprentice_results")?;
    figures::around(c, &[Subject::ApprenticeResult(id)], |c| {
        c.execute(
            "INSERT INTO apprentice_results (id, mentorship_id, person_id, unit_path, kind, achieved_on, grade, certificate_no, \
             competition, placing_won, earns_reward, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                m.id,
                m.apprentice_person_id,
                &m.unit_path,
                r.kind.code(),
                r.achieved_on,
                r.grade.map(|g| g.code()),
                &r.certificate_no,
                &r.competition,
                r.placing.map(|p| p.code()),
                i64::from(r.earns_reward),
                by,
                now
            ],
        )?;
        Ok(())
    })?;
    if let Some(g) = r.grade {
        raise_skill_grade(c, m.apprentice_person_id, g, now)?;
    }
    Ok(id)
}

/// Raises a person's skill grade to one reached by a promotion, when it is higher than the
/// grade on file (a promotion never lowers it); `at` is when the record changed. The page's
/// promotion and the generator's both go through here, so the person's record always shows
/// the highest grade their promotions reached. Whether it changed.
pub fn raise_skill_grade(c: &mut Conn, person_id: i64, grade: SkillGrade, at: i64) -> Result<bool> {
    let current: Option<Option<String>> =
        c.query_opt("SELECT skill_grade FROM people WHERE id = ?", params![person_id], |r| {
            r.get::<Option<String>>("skill_grade")
        })?;
    let rank = current.flatten().as_deref().and_then(SkillGrade::parse).map_or(0, SkillGrade::rank);
    if grade.rank() <= rank {
        return Ok(false);
    }
    c.execute("UPDATE people SET skill_grade = ?, updated_at = ? WHERE id = ?", params![grade.code(), at, person_id])?;
    Ok(true)
}

const RESULT_COLUMNS: &str = "SELECT r.id, r.mentorship_id, r.person_id, pe.name AS person_name, mp.name AS mentor_name, \
     s.name AS studio_name, r.kind, r.achieved_on, r.grade, r.certificate_no, r.competition, r.placing_won, r.earns_reward \
     FROM apprentice_results r JOIN people pe ON pe.id = r.person_id JOIN mentorships m ON m.id = r.mentorship_id \
     JOIN people mp ON mp.id = m.mentor_person_id JOIN studios s ON s.id = m.studio_id";

fn result_row(r: &Row) -> Result<ApprenticeResult> {
    Ok(ApprenticeResult {
        id: r.get("id")?,
        mentorship_id: r.get("mentorship_id")?,
        person_id: r.get("person_id")?,
        person_name: r.get("person_name")?,
        mentor_name: r.get("mentor_name")?,
        studio_name: r.get("studio_name")?,
        kind: code(r, "kind", ResultKind::parse)?,
        achieved_on: r.get("achieved_on")?,
        grade: opt_code(r, "grade", SkillGrade::parse)?,
        certificate_no: r.get("certificate_no")?,
        competition: r.get("competition")?,
        placing: opt_code(r, "placing_won", PlacingRank::parse)?,
        earns_reward: r.get::<i64>("earns_reward")? != 0,
    })
}

/// The results achieved under an agreement, oldest first.
pub fn results_of(c: &mut Conn, mentorship_id: i64) -> Result<Vec<ApprenticeResult>> {
    c.query(
        &format!("{RESULT_COLUMNS} WHERE r.mentorship_id = ? ORDER BY r.achieved_on, r.id"),
        params![mentorship_id],
        result_row,
    )
}

/// The results on a person's record, newest first.
pub fn results_of_person(c: &mut Conn, person_id: i64) -> Result<Vec<ApprenticeResult>> {
    c.query(
        &format!("{RESULT_COLUMNS} WHERE r.person_id = ? ORDER BY r.achieved_on DESC, r.id DESC"),
        params![person_id],
        result_row,
    )
}

/// The agreements of a person, as mentor or apprentice, newest first.
pub fn of_person(c: &mut Conn, person_id: i64) -> Result<Vec<Mentorship>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} {JOINS} WHERE m.apprentice_person_id = ? UNION ALL SELECT {COLUMNS} {JOINS} \
             WHERE m.mentor_person_id = ? AND m.apprentice_person_id <> ?"
        ),
        params![person_id, person_id, person_id],
        from_row,
    )
    .map(|mut v| {
        v.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then(b.id.cmp(&a.id)));
        v
    })
}

/// What a list of agreements is narrowed to; every value already checked.
#[derive(Debug, Clone, Default)]
pub struct MentorshipFilter {
    /// Only this subtree.
    pub within: Option<UnitPath>,
    /// Only this studio.
    pub studio_id: Option<i64>,
    /// Only in this state.
    pub state: Option<MentorshipState>,
    /// Only those whose next assessment is due on or before this day.
    pub due_by: Option<Date>,
    /// Starting on or after.
    pub from: Option<Date>,
    /// Starting on or before.
    pub to: Option<Date>,
    /// A fragment of the mentor's or apprentice's name or of the trade.
    pub q: Option<String>,
}

/// Agreements in a scope (plus the caller's own as mentor or apprentice), newest first.
pub fn list(
    c: &mut Conn,
    scope: &Scope,
    me: Option<i64>,
    f: &MentorshipFilter,
    page: &PageRequest,
) -> Result<Page<Mentorship>> {
    // The page's ids are chosen from the agreements alone (joined to people only to match a
    // name), and only the rows of the page are joined to the names around them: a city's
    // list would otherwise join every agreement of the city before sorting.
    let names = if f.q.is_some() {
        " JOIN people mp ON mp.id = m.mentor_person_id JOIN people ap ON ap.id = m.apprentice_person_id"
    } else {
        ""
    };
    let mut q = Query::new(&format!("SELECT m.id FROM mentorships m{names} WHERE 1 = 1"));
    let scope = match &f.within {
        Some(w) => {
            q.within(w, "m.unit_path");
            scope.narrow(w)
        }
        None => scope.clone(),
    };
    if let Some((cond, mut p)) = Query::scope_clause(&scope, "m.unit_path", Some("m.studio_id")) {
        match me {
            Some(person) => {
                p.extend([Value::from(person), Value::from(person)]);
                q.push(&format!(" AND ({cond} OR m.mentor_person_id = ? OR m.apprentice_person_id = ?)"), p);
            }
            None => {
                q.push(&format!(" AND {cond}"), p);
            }
        }
    }
    if let Some(s) = f.studio_id {
        q.push(" AND m.studio_id = ?", [Value::from(s)]);
    }
    if let Some(s) = f.state {
        q.push(" AND m.state = ?", [Value::from(s.code())]);
    }
    if let Some(d) = f.due_by {
        q.push(" AND m.next_due_on <= ?", [Value::from(d)]);
    }
    if let Some(d) = f.from {
        q.push(" AND m.starts_on >= ?", [Value::from(d)]);
    }
    if let Some(d) = f.to {
        q.push(" AND m.starts_on <= ?", [Value::from(d)]);
    }
    if let Some(text) = &f.q {
        let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        q.push(
            " AND (ap.name LIKE ? ESCAPE '\\' OR mp.name LIKE ? ESCAPE '\\' OR m.trade LIKE ? ESCAPE '\\')",
            [Value::from(like.clone()), Value::from(like.clone()), Value::from(like)],
        );
    }
    if let Some(after) = &page.after {
        q.push(" AND (m.starts_on, m.id) < (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    q.push(" ORDER BY m.starts_on DESC, m.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let mut rows = Query::new(&super::picked_rows_sql(COLUMNS, JOINS, &q.sql));
    rows.params = q.params;
    rows.push(" ORDER BY m.starts_on DESC, m.id DESC", []);
    let rows = rows.fetch(c, from_row)?;
    Ok(Page::from_rows(rows, page.limit, |m| Cursor { key: m.starts_on.to_string(), id: m.id }))
}

/// Promotions that earn a mentor the reward (技师 within three years), in a scope and
/// optionally a subtree, newest first.
pub fn rewards(
    c: &mut Conn,
    scope: &Scope,
    within: Option<&UnitPath>,
    page: &PageRequest,
) -> Result<Page<ApprenticeResult>> {
    let mut q = Query::new(&format!("{RESULT_COLUMNS} WHERE r.earns_reward = 1"));
    q.scope_within(scope, within, "r.unit_path", Some("m.studio_id"));
    if let Some(after) = &page.after {
        q.push(" AND (r.achieved_on, r.id) < (?, ?)", [Value::from(after.key.clone()), Value::from(after.id)]);
    }
    q.push(" ORDER BY r.achieved_on DESC, r.id DESC LIMIT ?", [Value::from(page.limit + 1)]);
    let rows = q.fetch(c, result_row)?;
    Ok(Page::from_rows(rows, page.limit, |r| Cursor { key: r.achieved_on.to_string(), id: r.id }))
}

/// The apprentices a studio trained in a year (带徒人数, the annual plan's target): the
/// distinct people under one of its agreements in force on some day of the year — approved by
/// the enterprise, begun by 31 December and not ended before 1 January. The one definition;
/// the plan's progress and its print read it.
pub fn apprentices_in_year(c: &mut Conn, studio_id: i64, year: i64) -> Result<i64> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    c.scalar(
        &format!(
            "SELECT COUNT(DISTINCT m.apprentice_person_id) FROM mentorships m WHERE m.studio_id = ? AND {IN_YEAR}"
        ),
        params![studio_id, to, from],
    )
}

/// The condition of [`apprentices_in_year`] on `mentorships m` (parameters: the year's last
/// day, its first day), shared with the annual evaluation's count per studio.
pub const IN_YEAR: &str = "m.agreed_at IS NOT NULL AND m.starts_on <= ? AND (m.until_on IS NULL OR m.until_on > ?)";

/// Agreements of some studios whose assessment falls due on or before `by`, soonest first.
pub fn due_in_studios(c: &mut Conn, studio_ids: &[i64], by: Date, limit: i64) -> Result<Vec<Mentorship>> {
    if studio_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut p: Vec<Value> = studio_ids.iter().map(|&i| Value::from(i)).collect();
    p.extend([Value::from(by), Value::from(limit)]);
    c.query(
        &format!(
            "SELECT {COLUMNS} {JOINS} WHERE m.studio_id IN ({}) AND m.next_due_on <= ? ORDER BY m.next_due_on, m.id LIMIT ?",
            vec!["?"; studio_ids.len()].join(", ")
        ),
        &p,
        from_row,
    )
}

/// Agreements whose assessment falls due by `by` and whose leader has not been told of that
/// day yet: (id, apprentice and mentor, studio, due day).
pub fn due_to_tell(c: &mut Conn, by: Date, limit: i64) -> Result<Vec<(i64, String, i64, Date)>> {
    let sql = format!(
        "SELECT m.id, ap.name || ' · ' || mp.name AS title, m.studio_id, m.next_due_on FROM mentorships m{} \
         JOIN people ap ON ap.id = m.apprentice_person_id JOIN people mp ON mp.id = m.mentor_person_id \
         WHERE m.next_due_on <= ? AND (m.due_told_on IS NULL OR m.due_told_on <> m.next_due_on) ORDER BY m.next_due_on LIMIT ?",
        c.indexed_by("mentorships_to_tell")
    );
    c.query(&sql, params![by, limit], |r| {
        Ok((r.get("id")?, r.get("title")?, r.get("studio_id")?, r.get("next_due_on")?))
    })
}

/// Claims the notice of an agreement's due day; false when another sweep took it.
pub fn claim_due_notice(c: &mut Conn, id: i64, due: Date) -> Result<bool> {
    Ok(c.execute(
        "UPDATE mentorships SET due_told_on = ? WHERE id = ? AND next_due_on = ? AND (due_told_on IS NULL OR due_told_on <> ?)",
        params![due, id, due, due],
    )? == 1)
}

/// The enterprise's months between periodic assessments, if it set them.
pub fn assess_months(c: &mut Conn, enterprise_id: i64) -> Result<Option<i64>> {
    c.query_opt("SELECT assess_months FROM mentorship_settings WHERE enterprise_id = ?", params![enterprise_id], |r| {
        r.get::<i64>("assess_months")
    })
}

/// Sets the enterprise's months between periodic assessments (for agreements proposed from now).
pub fn set_assess_months(c: &mut Conn, enterprise_id: i64, months: i64, by: i64) -> Result<()> {
    let now = crate::clock::now_ms();
    c.execute(
        "INSERT INTO mentorship_settings (enterprise_id, assess_months, updated_by, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (enterprise_id) DO UPDATE SET assess_months = excluded.assess_months, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        params![enterprise_id, months, by, now],
    )?;
    Ok(())
}
