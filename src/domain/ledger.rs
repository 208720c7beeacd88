//! The activity ledger (活动台帐, SPEC §3.9): meetings, trainings, exchanges and competitions,
//! each signed by its host and then by the studio leader (签字确认). A fully signed record cannot
//! change; a correction is a new record referring to it.
//!
//! Tamper evidence: the signed records of a studio form a chain. The leader's signature (the
//! "seal") is an HMAC, under a key the platform keeps outside the database, over the record's
//! content hash, its place in the chain and the previous record's seal. Whoever edits the
//! database behind the platform's back cannot produce a valid seal, and [`verify`] names the
//! record that no longer matches.

use crate::code_enum;
use crate::domain::hex;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

code_enum! {
    /// The kind of activity.
    pub enum ActivityKind : "activity_kind" {
        /// 周例会
        WeeklyMeeting = "weekly_meeting",
        /// 月例会
        MonthlyMeeting = "monthly_meeting",
        /// 半年推进会
        HalfYearMeeting = "half_year_meeting",
        /// 年度总结会
        AnnualMeeting = "annual_meeting",
        /// 培训
        Training = "training",
        /// 技术交流
        TechnicalExchange = "technical_exchange",
        /// 参观学习
        Visit = "visit",
        /// 讲座
        Lecture = "lecture",
        /// 技能比武
        SkillCompetition = "skill_competition",
        /// 劳动竞赛
        LabourCompetition = "labour_competition",
    }
}

impl ActivityKind {
    /// Meetings of the studio, by their rhythm.
    pub fn is_meeting(self) -> bool {
        matches!(
            self,
            ActivityKind::WeeklyMeeting
                | ActivityKind::MonthlyMeeting
                | ActivityKind::HalfYearMeeting
                | ActivityKind::AnnualMeeting
        )
    }

    /// Trainings and lectures: their hours and trainees feed the figures.
    pub fn is_training(self) -> bool {
        matches!(self, ActivityKind::Training | ActivityKind::Lecture)
    }

    /// Exchanges and study visits.
    pub fn is_exchange(self) -> bool {
        matches!(self, ActivityKind::TechnicalExchange | ActivityKind::Visit)
    }

    /// Competitions record ranks.
    pub fn is_competition(self) -> bool {
        matches!(self, ActivityKind::SkillCompetition | ActivityKind::LabourCompetition)
    }

    /// The kinds of a group, as stored codes (for counting in SQL).
    pub fn codes(pred: fn(ActivityKind) -> bool) -> Vec<&'static str> {
        ActivityKind::ALL.iter().copied().filter(|k| pred(*k)).map(|k| k.code()).collect()
    }
}

code_enum! {
    /// How far a record is signed.
    pub enum ActivityState : "activity_state" {
        /// 待签字: recorded, nobody signed yet (it may still be corrected or deleted).
        Recorded = "recorded",
        /// 主持人已签: the host signed; waiting for the studio leader.
        HostSigned = "host_signed",
        /// 已签字确认: both signed; sealed into the ledger, unchangeable.
        Signed = "signed",
    }
}

/// Someone who attended: a person on the platform, or someone from outside, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Attendee {
    /// The person, when they are on the platform.
    pub person_id: Option<i64>,
    /// The name as shown.
    pub name: String,
}

/// A competition result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Placing {
    /// Who.
    pub name: String,
    /// Rank (1 = first).
    pub rank: i64,
    /// The award, if any (一等奖, 金奖…).
    pub award: Option<String>,
}

/// Everything a signature covers, in a fixed order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Content<'a> {
    /// The record.
    pub id: i64,
    /// The studio.
    pub studio_id: i64,
    /// Kind code.
    pub kind: &'a str,
    /// Date, `YYYY-MM-DD`.
    pub held_on: &'a str,
    /// Place.
    pub place: Option<&'a str>,
    /// The host.
    pub host_person_id: Option<i64>,
    /// Title.
    pub title: &'a str,
    /// Duration in minutes.
    pub minutes: i64,
    /// Attendees, as stored (JSON).
    pub attendees: &'a str,
    /// Trainees counted.
    pub trainees: Option<i64>,
    /// Summary or minutes.
    pub summary: &'a str,
    /// Competition results, as stored (JSON).
    pub results: Option<&'a str>,
    /// The record it corrects.
    pub corrects_id: Option<i64>,
    /// Who recorded it (account).
    pub recorded_by: Option<i64>,
    /// SHA-256 of the photos, sorted.
    pub photos: Vec<&'a str>,
    /// The host's signature: account and time (absent for the host's own signature).
    pub host_signed: Option<(i64, i64)>,
    /// Format 2 onwards: the format, so that a record cannot be passed off as an older one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<i64>,
    /// Format 2 onwards: the number of attendees shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee_count: Option<i64>,
    /// Format 2 onwards: when the record was entered (shown beside its date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    /// Format 2 onwards: the photos' file names, in the order of `photos`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_names: Option<Vec<&'a str>>,
}

/// The seal format new signatures use. Format 1 (records signed before it existed, stored as
/// NULL) covers everything but the attendee count, the time of entry and the photos' names;
/// those records keep verifying under format 1.
pub const SEAL_FORMAT: i64 = 2;

/// What a format adds to the content of format 1.
#[derive(Debug, Clone)]
pub struct Shown<'a> {
    /// The number of attendees.
    pub attendee_count: i64,
    /// When the record was entered.
    pub created_at: i64,
    /// The photos' file names, in the order of their hashes.
    pub photo_names: Vec<&'a str>,
}

impl<'a> Content<'a> {
    /// Fills in what the record's seal format covers beyond format 1.
    pub fn in_format(mut self, format: Option<i64>, shown: Shown<'a>) -> Self {
        if let Some(f) = format.filter(|f| *f >= 2) {
            self.format = Some(f);
            self.attendee_count = Some(shown.attendee_count);
            self.created_at = Some(shown.created_at);
            self.photo_names = Some(shown.photo_names);
        }
        self
    }
}

/// SHA-256 of the content's canonical JSON, hex.
pub fn content_hash(c: &Content) -> String {
    let json = serde_json::to_vec(c).unwrap_or_default();
    hex(&Sha256::digest(&json))
}

fn hmac(key: &[u8], message: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this does not happen.
        Err(_) => String::new(),
    }
}

/// The seal of the first record of a chain points at this.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The host's signature: over the content as recorded (without any signature), the host's
/// account and the time.
pub fn host_signature(key: &[u8], content_hash_unsigned: &str, signer: i64, at: i64) -> String {
    hmac(key, &format!("jiangxin-ledger-host-v1|{content_hash_unsigned}|{signer}|{at}"))
}

/// The leader's seal: over the full content hash (host signature included), the place in the
/// chain, the previous seal, the leader's account and the time.
pub fn seal(key: &[u8], prev: &str, content_hash: &str, seq: i64, signer: i64, at: i64) -> String {
    hmac(key, &format!("jiangxin-ledger-seal-v1|{prev}|{content_hash}|{seq}|{signer}|{at}"))
}

/// A seal in short, as paper and the record's page show it: the first 16 hexadecimal digits in
/// groups of four — enough to tell a printed copy from its record at a glance.
pub fn short_seal(seal: &str) -> String {
    let digits: Vec<char> = seal.chars().take(16).map(|c| c.to_ascii_uppercase()).collect();
    digits.chunks(4).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// A signed record as found in the database, with its hashes recomputed from what is there now.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The record.
    pub id: i64,
    /// Place in the chain.
    pub seq: i64,
    /// Content hash recomputed from the row as it is now, host signature included.
    pub content_now: String,
    /// Content hash recomputed without the signatures (what the host signed).
    pub unsigned_now: String,
    /// Stored content hash.
    pub content_hash: String,
    /// Stored host signature, signer and time.
    pub host: (String, i64, i64),
    /// Stored previous seal.
    pub prev_hash: String,
    /// Stored seal, signer and time.
    pub seal: (String, i64, i64),
}

/// What verification found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Finding {
    /// The record's content is not what was signed.
    ContentAltered {
        /// The record.
        activity_id: i64,
        /// Its place in the chain.
        seq: i64,
    },
    /// The host's signature does not match (a signer or time was changed).
    HostSignatureInvalid {
        /// The record.
        activity_id: i64,
        /// Its place in the chain.
        seq: i64,
    },
    /// The leader's seal does not match the record and the chain before it.
    SealInvalid {
        /// The record.
        activity_id: i64,
        /// Its place in the chain.
        seq: i64,
    },
    /// Signed records are missing from the chain (deleted).
    Missing {
        /// First missing place.
        from_seq: i64,
        /// Last missing place.
        to_seq: i64,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::ContentAltered { activity_id, seq } => {
                write!(f, "record {activity_id} (#{seq}): content altered after signing")
            }
            Finding::HostSignatureInvalid { activity_id, seq } => {
                write!(f, "record {activity_id} (#{seq}): host signature does not match")
            }
            Finding::SealInvalid { activity_id, seq } => {
                write!(f, "record {activity_id} (#{seq}): leader's seal does not match the chain")
            }
            Finding::Missing { from_seq, to_seq } => write!(f, "records #{from_seq}–#{to_seq} missing from the chain"),
        }
    }
}

/// Checks a studio's signed records (ordered by place in the chain) against the key; `head`
/// is the last place the chain was known to reach. An empty list means the ledger is intact.
pub fn verify(key: &[u8], records: &[Sealed], head: i64) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut expected = 1;
    for r in records {
        if r.seq > expected {
            findings.push(Finding::Missing { from_seq: expected, to_seq: r.seq - 1 });
        }
        let (host_sig, host_by, host_at) = &r.host;
        let (seal_now, seal_by, seal_at) = &r.seal;
        if r.content_now != r.content_hash {
            findings.push(Finding::ContentAltered { activity_id: r.id, seq: r.seq });
        } else if host_signature(key, &r.unsigned_now, *host_by, *host_at) != *host_sig {
            findings.push(Finding::HostSignatureInvalid { activity_id: r.id, seq: r.seq });
        }
        // The seal is checked against the stored link; a link that does not follow the previous
        // record is a broken chain at this record.
        let linked = r.seq != expected || r.prev_hash == prev;
        if !linked || seal(key, &r.prev_hash, &r.content_hash, r.seq, *seal_by, *seal_at) != *seal_now {
            findings.push(Finding::SealInvalid { activity_id: r.id, seq: r.seq });
        }
        prev = seal_now.clone();
        expected = r.seq + 1;
    }
    if head >= expected {
        findings.push(Finding::Missing { from_seq: expected, to_seq: head });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a test key of the ledger, 32 b!!";

    fn content(id: i64, summary: &str, host: Option<(i64, i64)>) -> String {
        content_hash(&Content {
            id,
            studio_id: 7,
            kind: "monthly_meeting",
            held_on: "2026-11-20",
            place: Some("技术中心201"),
            host_person_id: Some(3),
            title: "11月例会",
            minutes: 90,
            attendees: "[]",
            trainees: None,
            summary,
            results: None,
            corrects_id: None,
            recorded_by: Some(5),
            photos: vec![],
            host_signed: host,
            ..Default::default()
        })
    }

    /// Signs `n` records the way the platform does and returns them as stored.
    fn chain(n: i64) -> Vec<Sealed> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let unsigned = content(i, &format!("纪要{i}"), None);
                let host = (host_signature(KEY, &unsigned, 10, 1000 + i), 10, 1000 + i);
                let full = content(i, &format!("纪要{i}"), Some((10, 1000 + i)));
                let s = seal(KEY, &prev, &full, i, 20, 2000 + i);
                let r = Sealed {
                    id: i,
                    seq: i,
                    content_now: full.clone(),
                    unsigned_now: unsigned,
                    content_hash: full,
                    host,
                    prev_hash: prev.clone(),
                    seal: (s.clone(), 20, 2000 + i),
                };
                prev = s;
                r
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert!(verify(KEY, &chain(5), 5).is_empty());
        assert!(verify(KEY, &[], 0).is_empty());
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut c = chain(5);
        c[2].content_now = content(3, "改过的纪要", Some((10, 1003)));
        assert_eq!(verify(KEY, &c, 5), vec![Finding::ContentAltered { activity_id: 3, seq: 3 }]);
    }

    #[test]
    fn rehashing_the_edit_does_not_help_without_the_key() {
        let mut c = chain(5);
        let forged = content(3, "改过的纪要", Some((10, 1003)));
        c[2].content_now = forged.clone();
        c[2].content_hash = forged;
        assert_eq!(verify(KEY, &c, 5), vec![Finding::SealInvalid { activity_id: 3, seq: 3 }]);
        assert!(!verify(b"another key", &chain(2), 2).is_empty());
    }

    #[test]
    fn a_changed_signer_or_time_is_found() {
        let mut c = chain(3);
        c[1].host.1 = 99;
        assert_eq!(verify(KEY, &c, 3), vec![Finding::HostSignatureInvalid { activity_id: 2, seq: 2 }]);
        let mut c = chain(3);
        c[0].seal.2 += 1;
        assert_eq!(verify(KEY, &c, 3), vec![Finding::SealInvalid { activity_id: 1, seq: 1 }]);
    }

    #[test]
    fn deleted_records_leave_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(KEY, &c, 5), vec![Finding::Missing { from_seq: 2, to_seq: 2 }]);
        let c = chain(5);
        assert_eq!(verify(KEY, &c[..4], 5), vec![Finding::Missing { from_seq: 5, to_seq: 5 }]);
    }

    #[test]
    fn kinds_fall_into_groups() {
        assert!(ActivityKind::MonthlyMeeting.is_meeting() && !ActivityKind::Training.is_meeting());
        assert!(ActivityKind::Lecture.is_training() && ActivityKind::Visit.is_exchange());
        assert!(ActivityKind::SkillCompetition.is_competition());
        assert_eq!(ActivityKind::codes(ActivityKind::is_training), vec!["training", "lecture"]);
    }

    #[test]
    fn format_one_content_is_hashed_as_it_always_was() {
        let v1 = Content { id: 1, title: "例会", attendees: "[]", ..Default::default() };
        let json = serde_json::to_string(&v1).unwrap();
        assert!(!json.contains("format") && !json.contains("attendee_count") && !json.contains("created_at"), "{json}");
        let shown = || Shown { attendee_count: 12, created_at: 5, photo_names: vec!["a.jpg"] };
        assert_eq!(content_hash(&v1.clone().in_format(None, shown())), content_hash(&v1));
        let v2 = v1.clone().in_format(Some(SEAL_FORMAT), shown());
        assert_ne!(content_hash(&v2), content_hash(&v1));
        let other = v1.in_format(Some(SEAL_FORMAT), Shown { attendee_count: 13, ..shown() });
        assert_ne!(content_hash(&v2), content_hash(&other), "the attendee count is covered");
    }

    #[test]
    fn a_seal_is_shown_short_in_groups() {
        assert_eq!(short_seal("a1b2c3d4e5f60718293a4b5c6d7e8f90"), "A1B2 C3D4 E5F6 0718");
        assert_eq!(short_seal("abc"), "ABC");
        assert_eq!(short_seal(""), "");
    }
}
