//! Access, for every resource and every role: inside the scope allowed, a record outside the
//! scope answers 404 (so that its existence does not leak), a record in sight but not the
//! caller's to change answers 403, and anonymous callers are refused (401).

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, activity, day, project, world};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Access granted: a success, or a refusal by a rule of the domain (409) after the checks.
    Ok,
    /// In sight, not allowed: 403.
    Forbidden,
    /// Out of scope: 404, or 422 naming the out-of-scope id in the body.
    Hidden,
}

const USERS: &[&str] =
    &["admin", "union.a", "city.a", "ent1", "ent2", "lead1", "mem1", "worker1", "reviewer.a", "union.b"];

/// Administrators over enterprise E1 (and the platform admin).
fn e1_admins(u: &str) -> bool {
    matches!(u, "admin" | "union.a" | "city.a" | "ent1")
}

/// Everyone with some role over E1.
fn e1_anyone(u: &str) -> bool {
    e1_admins(u) || matches!(u, "lead1" | "mem1" | "worker1" | "reviewer.a")
}

/// Those who see an application of E1's studio to a round: its administrators and the
/// round's reviewer.
fn in_sight_fn(u: &str) -> bool {
    e1_admins(u) || u == "reviewer.a"
}

fn admins_else(u: &str, in_sight: fn(&str) -> bool) -> Expect {
    if e1_admins(u) {
        Expect::Ok
    } else if in_sight(u) {
        Expect::Forbidden
    } else {
        Expect::Hidden
    }
}

/// Who may do something, user by user.
type Rule = Box<dyn Fn(&str) -> Expect>;

struct Op {
    method: Method,
    path: String,
    body: Option<Value>,
    expect: Rule,
}

/// Makes a body unique to the user sending it (a new login name, say).
fn personal(body: &Option<Value>, user: &str) -> Option<Value> {
    let text = body.as_ref()?.to_string().replace("{user}", &user.replace('.', ""));
    serde_json::from_str(&text).ok()
}

fn op(method: Method, path: String, body: Option<Value>, expect: impl Fn(&str) -> Expect + 'static) -> Op {
    Op { method, path, body, expect: Box::new(expect) }
}

fn classify(status: u16, body: &Value) -> Option<Expect> {
    match status {
        200..=299 | 409 => Some(Expect::Ok),
        403 => Some(Expect::Forbidden),
        404 => Some(Expect::Hidden),
        422 if body.to_string().contains("找不到") => Some(Expect::Hidden),
        _ => None,
    }
}

async fn every_resource_and_role(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let mut users: Vec<(&str, Api)> = Vec::new();
    for u in USERS {
        let api = if *u == "admin" { app.admin().await } else { app.login(u, PASSWORD).await };
        users.push((u, api));
    }
    let user = |name: &str| users.iter().find(|(n, _)| *n == name).map(|(_, a)| a.clone()).unwrap();
    // A proposal of the leader waits for a decision.
    let pending = user("lead1")
        .ok_post(&format!("/api/v1/studios/{}/members", w.s1), json!({"kind": "join", "person_id": w.worker_person}))
        .await;
    assert_eq!(pending["status"], "pending");
    let proposal = pending["id"].as_i64().unwrap();
    let mem1_account = w.account("mem1");

    let s1 = w.s1;
    let studio_read = |u: &str| {
        if e1_anyone(u) { Expect::Ok } else { Expect::Hidden }
    };
    let studio_edit = |u: &str| {
        if e1_admins(u) || u == "lead1" {
            Expect::Ok
        } else if e1_anyone(u) {
            Expect::Forbidden
        } else {
            Expect::Hidden
        }
    };
    let mut ops = vec![
        op(Method::GET, format!("/api/v1/org-units/{}", w.e1), None, studio_read),
        op(Method::GET, format!("/api/v1/org-units/{}/children", w.e1), None, studio_read),
        op(Method::GET, format!("/api/v1/org-units/{}/stats", w.e1), None, studio_read),
        op(
            Method::PATCH,
            format!("/api/v1/org-units/{}", w.e1),
            Some(json!({"name": "东方机械有限公司"})),
            |u| admins_else(u, e1_anyone),
        ),
        op(
            Method::POST,
            "/api/v1/org-units".into(),
            Some(json!({"parent_id": w.e1, "kind": "branch", "name": "质检部"})),
            |u| admins_else(u, e1_anyone),
        ),
        op(Method::GET, format!("/api/v1/people/{}", w.p3), None, |u| {
            if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
        }),
        op(
            Method::PUT,
            format!("/api/v1/people/{}", w.p3),
            Some(json!({"unit_id": w.e1, "name": "张红", "gender": "female"})),
            |u| {
                if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
            },
        ),
        op(
            Method::POST,
            "/api/v1/people".into(),
            Some(json!({"unit_id": w.e1, "name": "新员工", "gender": "male"})),
            |u| admins_else(u, e1_anyone),
        ),
        op(Method::GET, format!("/api/v1/studios/{s1}"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/members"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/namings"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/transitions"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/checklist"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/evidence"), None, studio_read),
        op(Method::GET, format!("/api/v1/studios/{s1}/proposals"), None, studio_read),
        op(
            Method::PUT,
            format!("/api/v1/studios/{s1}"),
            Some(
                json!({"name": "李建国劳模创新工作室", "kind": "model_worker", "field": "数控技术", "room": "技术中心201室"}),
            ),
            studio_edit,
        ),
        op(Method::GET, format!("/api/v1/studios/{s1}/candidates?q=%E5%88%98"), None, studio_edit),
        op(
            Method::POST,
            format!("/api/v1/studios/{s1}/members"),
            Some(json!({"kind": "join", "person_id": w.p4})),
            studio_edit,
        ),
        op(Method::POST, format!("/api/v1/studios/{s1}/team-review"), Some(json!({})), studio_edit),
        op(
            Method::POST,
            format!("/api/v1/studios/{s1}/transitions"),
            Some(json!({"action": "apply", "target_unit_id": w.e1})),
            |u| admins_else(u, e1_anyone),
        ),
        op(
            Method::POST,
            format!("/api/v1/member-proposals/{proposal}/decision"),
            Some(json!({"decision": "approve"})),
            |u| admins_else(u, e1_anyone),
        ),
        op(Method::GET, format!("/api/v1/history/studio/{s1}"), None, |u| {
            if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
        }),
        op(Method::GET, format!("/api/v1/history/person/{}", w.p3), None, |u| {
            if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
        }),
        op(Method::GET, format!("/api/v1/accounts/{mem1_account}"), None, |u| {
            if e1_admins(u) || u == "mem1" { Expect::Ok } else { Expect::Hidden }
        }),
        op(
            Method::POST,
            format!("/api/v1/accounts/{mem1_account}/grants"),
            Some(json!({"role": "worker", "unit_id": w.w1})),
            |u| {
                if e1_admins(u) {
                    Expect::Ok
                } else if u == "mem1" {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            },
        ),
        op(
            Method::POST,
            "/api/v1/accounts".into(),
            Some(
                json!({"username": "new.{user}", "password": "a-long-password", "display_name": "新用户", "home_unit_id": w.e1}),
            ),
            |u| admins_else(u, e1_anyone),
        ),
        op(Method::GET, "/api/v1/session".into(), None, |_| Expect::Ok),
        op(Method::GET, "/api/v1/tokens".into(), None, |_| Expect::Ok),
    ];
    // The same for province B's studio, seen from the other side.
    let s2 = w.s2;
    let b_read = |u: &str| {
        if matches!(u, "admin" | "ent2" | "union.b") { Expect::Ok } else { Expect::Hidden }
    };
    ops.push(op(Method::GET, format!("/api/v1/studios/{s2}"), None, b_read));
    ops.push(op(Method::GET, format!("/api/v1/people/{}", w.q2), None, b_read));
    ops.push(op(Method::GET, format!("/api/v1/org-units/{}", w.e2), None, b_read));

    // Projects, plans and the ledger of studio 1.
    let (lead1, ent1) = (user("lead1"), user("ent1"));
    let pid = project(&lead1, s1, "焊缝返修率攻关", w.leader1, &[20]).await["id"].as_i64().unwrap();
    let running = project(&lead1, s1, "刀具寿命提升", w.leader1, &[30, 40, 50]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{running}/transitions"), json!({"action": "approve"})).await;
    lead1.ok_post(&format!("/api/v1/projects/{running}/transitions"), json!({"action": "start"})).await;
    let milestones = lead1.ok_get(&format!("/api/v1/projects/{running}/milestones")).await;
    let milestone = |i: usize| milestones[i]["id"].as_i64().unwrap();
    let extension = lead1
        .ok_post(
            &format!("/api/v1/projects/{running}/extensions"),
            json!({"milestone_id": milestone(0), "new_date": day(50), "reason": "等备件"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let fresh = activity(&lead1, s1, w.leader1, "班前安全培训").await["id"].as_i64().unwrap();
    let sealed = activity(&lead1, s1, w.leader1, "焊接技能培训").await["id"].as_i64().unwrap();
    for _ in 0..2 {
        lead1.ok_post(&format!("/api/v1/activities/{sealed}/signatures"), json!({})).await;
    }
    let ent1_note = ent1.ok_get("/api/v1/notifications").await["items"][0]["id"].as_i64().unwrap();
    // Chasing a project (on time, so administrators are answered 409 after the checks).
    ops.push(op(Method::POST, format!("/api/v1/projects/{running}/chase"), None, |u| admins_else(u, e1_anyone)));
    let year = jiangxin::clock::today().year();
    let report = |u: &str| {
        if e1_admins(u) || matches!(u, "lead1" | "mem1") {
            Expect::Ok
        } else if e1_anyone(u) {
            Expect::Forbidden
        } else {
            Expect::Hidden
        }
    };
    let project_body =
        json!({"studio_id": s1, "title": "新课题", "category": "技术攻关", "starts_on": day(0), "ends_on": day(100)});
    let activity_body = json!({"studio_id": s1, "kind": "monthly_meeting", "held_on": day(-1), "host_person_id": w.leader1,
                               "title": "月度例会", "hours": 1, "summary": "布置本月工作。"});
    let mut edit_activity = activity_body.clone();
    edit_activity["title"] = json!("改过的标题");
    // Suggestions, challenges, outcomes and figures of enterprise 1.
    let worker1 = user("worker1");
    let sid = worker1
        .ok_post(
            "/api/v1/suggestions",
            json!({"title": "照明改LED", "category": "small_suggestion", "situation": "耗电。", "measure": "换灯。"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let cid = user("city.a")
        .ok_post(
            "/api/v1/challenges",
            json!({"unit_id": w.city_a, "scope_unit_id": w.e1, "title": "砂眼攻关", "problem": "废品率高。", "deadline": day(5)}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let outcome_body = json!({"studio_id": s1, "kind": "paper", "title": "论文", "achieved_on": day(-3),
                              "contributors": [{"name": "李建国"}], "actual_benefit_yuan": 1000, "benefit_method": "核算"});
    let oid = lead1.ok_post("/api/v1/outcomes", outcome_body.clone()).await["id"].as_i64().unwrap();
    let (e1, city_a) = (w.e1, w.city_a);
    let e1_read = |u: &str| if e1_anyone(u) { Expect::Ok } else { Expect::Hidden };
    ops.splice(
        0..0,
        [
            op(Method::GET, format!("/api/v1/suggestions/{sid}"), None, |u| {
                if e1_admins(u) || u == "worker1" { Expect::Ok } else { Expect::Hidden }
            }),
            op(
                Method::POST,
                format!("/api/v1/suggestions/{sid}/transitions"),
                Some(json!({"action": "decline", "reason": "已有计划"})),
                |u| {
                    if e1_admins(u) {
                        Expect::Ok
                    } else if u == "worker1" {
                        Expect::Forbidden
                    } else {
                        Expect::Hidden
                    }
                },
            ),
            op(Method::GET, format!("/api/v1/suggestion-settings/{e1}"), None, e1_read),
            // Pickers: opening a unit, a studio's projects, the likely duplicates of a suggestion.
            op(Method::GET, format!("/api/v1/lookup/units?under={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/lookup/studios?unit_id={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/lookup/people?unit_id={e1}"), None, |u| {
                // Administrators, and the colleagues of the enterprise (the reviewer has no
                // person there).
                if e1_anyone(u) && u != "reviewer.a" { Expect::Ok } else { Expect::Hidden }
            }),
            op(Method::GET, format!("/api/v1/lookup/projects?studio_id={}", w.s1), None, e1_read),
            op(Method::GET, format!("/api/v1/lookup/suggestions?near={sid}"), None, |u| {
                if e1_admins(u) || u == "worker1" { Expect::Ok } else { Expect::Hidden }
            }),
            op(
                Method::POST,
                format!("/api/v1/suggestion-settings/{e1}/routes"),
                Some(json!({"to_unit_id": e1})),
                |u| admins_else(u, e1_anyone),
            ),
            op(Method::GET, format!("/api/v1/suggestions/figures?unit_id={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/challenges/{cid}"), None, e1_read),
            op(
                Method::POST,
                format!("/api/v1/challenges/{cid}/bids"),
                Some(json!({"studio_id": s1, "plan": "方案"})),
                studio_edit,
            ),
            op(Method::POST, format!("/api/v1/challenges/{cid}/close"), Some(json!({"note": "撤榜"})), |u| {
                if matches!(u, "admin" | "union.a" | "city.a") {
                    Expect::Ok
                } else if e1_anyone(u) {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            }),
            op(
                Method::POST,
                "/api/v1/challenges".into(),
                Some(json!({"unit_id": city_a, "title": "新榜", "problem": "难题。", "deadline": day(5)})),
                |u| {
                    if matches!(u, "admin" | "union.a" | "city.a") {
                        Expect::Ok
                    } else if u == "reviewer.a" {
                        // Sees the city (a reviewer over the province), may not post there.
                        Expect::Forbidden
                    } else {
                        Expect::Hidden
                    }
                },
            ),
            op(Method::GET, format!("/api/v1/outcomes/{oid}"), None, studio_read),
            op(Method::POST, "/api/v1/outcomes".into(), Some(outcome_body.clone()), studio_edit),
            op(Method::PUT, format!("/api/v1/outcomes/{oid}"), Some(outcome_body), studio_edit),
            op(Method::POST, format!("/api/v1/outcomes/{oid}/verification"), Some(json!({})), |u| {
                admins_else(u, e1_anyone)
            }),
            op(Method::GET, format!("/api/v1/stats?unit_id={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/outcomes?unit_id={e1}"), None, e1_read),
        ],
    );
    // Mentorship (师带徒) in studio 1: the mentor is mem1's person, the apprentice worker1's
    // (another team of the enterprise). An agreement is read by the administrators over the
    // studio, its leader and the pair themselves — not by the rest of the team or the unit.
    let (mem1_person, apprentice) = (w.p2, w.worker_person);
    let agreement = lead1
        .ok_post(
            "/api/v1/mentorships",
            json!({"studio_id": s1, "mentor_person_id": mem1_person, "apprentice_person_id": apprentice,
                   "trade": "数控车工", "starts_on": day(-30), "teaching_plan": "每周带教两次。", "allowance_yuan": 6000}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    lead1.ok_post(&format!("/api/v1/mentorships/{agreement}/steps"), json!({"action": "approve_pair"})).await;
    ent1.ok_post(&format!("/api/v1/mentorships/{agreement}/steps"), json!({"action": "approve_agreement"})).await;
    let mentorship_read = |u: &str| {
        if e1_admins(u) || matches!(u, "lead1" | "mem1" | "worker1") { Expect::Ok } else { Expect::Hidden }
    };
    let mentorship_assess = |u: &str| {
        if e1_admins(u) || u == "lead1" {
            Expect::Ok
        } else if matches!(u, "mem1" | "worker1") {
            Expect::Forbidden
        } else {
            Expect::Hidden
        }
    };
    // Funding (经费) of studio 1: a budget for the year and an expense waiting for a decision,
    // read by the studio's own team and the administrators over it.
    ent1.ok_put(
        &format!("/api/v1/studios/{s1}/budgets/{year}"),
        json!({"lines": [{"source": "enterprise", "amount_yuan": "10000"}], "categories": ["equipment", "training"]}),
    )
    .await;
    let expense_body = json!({"studio_id": s1, "spent_on": day(0), "amount_yuan": "12.50", "category": "equipment",
                              "purpose": "刀具"});
    let expense = lead1.ok_post("/api/v1/expenses", expense_body.clone()).await["id"].as_i64().unwrap();
    let funding_read = |u: &str| {
        if e1_admins(u) || matches!(u, "lead1" | "mem1") {
            Expect::Ok
        } else if e1_anyone(u) {
            Expect::Forbidden
        } else {
            Expect::Hidden
        }
    };
    // First, before the proposal decided above makes worker1 a member of studio 1.
    ops.splice(
        0..0,
        [
            op(Method::GET, format!("/api/v1/mentorships/{agreement}"), None, mentorship_read),
            op(Method::GET, format!("/api/v1/mentorships?studio_id={s1}"), None, e1_read),
            op(
                Method::POST,
                "/api/v1/mentorships".into(),
                Some(json!({"studio_id": s1, "mentor_person_id": mem1_person, "apprentice_person_id": w.p4,
                            "trade": "钳工{user}", "starts_on": day(-10), "teaching_plan": "钳工基本功。", "allowance_yuan": 0})),
                studio_edit,
            ),
            // The pair is the leader's to confirm (409 for them here: it is confirmed already).
            op(Method::POST, format!("/api/v1/mentorships/{agreement}/steps"), Some(json!({"action": "approve_pair"})), move |u| {
                if matches!(u, "admin" | "lead1") {
                    Expect::Ok
                } else if mentorship_read(u) == Expect::Ok {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            }),
            op(
                Method::POST,
                format!("/api/v1/mentorships/{agreement}/assessments"),
                Some(json!({"kind": "periodic", "apprentice_score": 80, "mentor_score": 85})),
                mentorship_assess,
            ),
            op(
                Method::POST,
                format!("/api/v1/mentorships/{agreement}/results"),
                Some(json!({"kind": "placing", "achieved_on": day(-1), "competition": "职工技能大赛", "placing": "third"})),
                mentorship_assess,
            ),
            op(Method::GET, "/api/v1/mentorships/rewards".into(), None, |_| Expect::Ok),
            op(
                Method::PUT,
                format!("/api/v1/org-units/{e1}/mentorship-settings"),
                Some(json!({"assess_months": 3})),
                |u| admins_else(u, e1_anyone),
            ),
            op(Method::GET, format!("/api/v1/studios/{s1}/budgets/{year}"), None, funding_read),
            op(
                Method::PUT,
                format!("/api/v1/studios/{s1}/budgets/{year}"),
                Some(json!({"lines": [{"source": "enterprise", "amount_yuan": "10000"}],
                            "categories": ["equipment", "training"]})),
                |u| admins_else(u, e1_anyone),
            ),
            op(Method::GET, format!("/api/v1/expenses/{expense}"), None, funding_read),
            // Expenses are submitted by the studio's leader; a studio out of sight is named unknown.
            op(Method::POST, "/api/v1/expenses".into(), Some(expense_body), |u| {
                if matches!(u, "admin" | "lead1") {
                    Expect::Ok
                } else if e1_anyone(u) {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            }),
            // …and decided by the enterprise (the first approval, then 409 decided already).
            op(
                Method::POST,
                format!("/api/v1/expenses/{expense}/transitions"),
                Some(json!({"action": "approve"})),
                |u| {
                    if matches!(u, "admin" | "ent1") {
                        Expect::Ok
                    } else if e1_anyone(u) {
                        Expect::Forbidden
                    } else {
                        Expect::Hidden
                    }
                },
            ),
            op(Method::GET, "/api/v1/expenses".into(), None, |_| Expect::Ok),

            op(Method::GET, format!("/api/v1/projects/{pid}"), None, studio_read),
            op(Method::GET, format!("/api/v1/projects/{pid}/milestones"), None, studio_read),
            op(Method::GET, format!("/api/v1/projects/{pid}/transitions"), None, studio_read),
            op(Method::POST, "/api/v1/projects".into(), Some(project_body.clone()), studio_edit),
            op(Method::PUT, format!("/api/v1/projects/{pid}"), Some(project_body), studio_edit),
            op(
                Method::POST,
                format!("/api/v1/projects/{pid}/milestones"),
                Some(json!({"title": "方案评审", "due_on": day(15)})),
                studio_edit,
            ),
            op(
                Method::POST,
                format!("/api/v1/milestones/{}/done", milestone(2)),
                Some(json!({"done_on": day(0)})),
                studio_edit,
            ),
            op(Method::POST, format!("/api/v1/projects/{pid}/updates"), Some(json!({"body": "完成数据采集"})), report),
            op(Method::POST, format!("/api/v1/projects/{pid}/transitions"), Some(json!({"action": "approve"})), |u| {
                admins_else(u, e1_anyone)
            }),
            op(
                Method::POST,
                format!("/api/v1/projects/{running}/extensions"),
                Some(json!({"milestone_id": milestone(1), "new_date": day(60), "reason": "设备检修"})),
                studio_edit,
            ),
            op(
                Method::POST,
                format!("/api/v1/extensions/{extension}/decision"),
                Some(json!({"decision": "approve"})),
                |u| admins_else(u, e1_anyone),
            ),
            op(Method::GET, format!("/api/v1/studios/{s1}/plans/{year}"), None, studio_read),
            op(
                Method::PUT,
                format!("/api/v1/studios/{s1}/plans/{year}"),
                Some(json!({"projects_started": 2})),
                studio_edit,
            ),
            op(
                Method::POST,
                format!("/api/v1/studios/{s1}/plans/{year}/transitions"),
                Some(json!({"action": "agree"})),
                |u| admins_else(u, e1_anyone),
            ),
            op(Method::GET, format!("/api/v1/activities?studio_id={s1}"), None, studio_read),
            op(Method::GET, format!("/api/v1/activities/{fresh}"), None, studio_read),
            op(Method::POST, "/api/v1/activities".into(), Some(activity_body), report),
            op(Method::POST, format!("/api/v1/activities/{fresh}/signatures"), Some(json!({})), |u| {
                if u == "lead1" {
                    Expect::Ok
                } else if e1_anyone(u) {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            }),
            op(Method::PUT, format!("/api/v1/activities/{sealed}"), Some(edit_activity), studio_edit),
            op(Method::DELETE, format!("/api/v1/activities/{sealed}"), None, studio_edit),
            op(Method::GET, format!("/api/v1/studios/{s1}/ledger/figures"), None, studio_read),
            op(Method::GET, format!("/api/v1/studios/{s1}/ledger/verification"), None, |u| admins_else(u, e1_anyone)),
            op(Method::GET, "/api/v1/plans/waiting".into(), None, |_| Expect::Ok),
            op(Method::GET, "/api/v1/notifications".into(), None, |_| Expect::Ok),
            op(Method::POST, format!("/api/v1/notifications/{ent1_note}/read"), Some(json!({})), |u| {
                if u == "ent1" { Expect::Ok } else { Expect::Hidden }
            }),
        ],
    );
    // And province B's records, from the other side.
    let ent2 = user("ent2");
    let pb = project(&ent2, s2, "变压器巡检优化", w.leader2, &[20]).await["id"].as_i64().unwrap();
    let ab = activity(&ent2, s2, w.leader2, "带电作业培训").await["id"].as_i64().unwrap();
    ops.push(op(Method::GET, format!("/api/v1/projects/{pb}"), None, b_read));
    ops.push(op(Method::GET, format!("/api/v1/activities/{ab}"), None, b_read));
    ops.push(op(Method::GET, format!("/api/v1/studios/{s2}/ledger/figures"), None, b_read));
    // Studio 2's money is never in sight of studio 1's people, nor of province A.
    ent2.ok_put(
        &format!("/api/v1/studios/{s2}/budgets/{year}"),
        json!({"lines": [{"source": "enterprise", "amount_yuan": "8000"}], "categories": ["materials"]}),
    )
    .await;
    let eb = user("admin")
        .ok_post(
            "/api/v1/expenses",
            json!({"studio_id": s2, "spent_on": day(0), "amount_yuan": "30", "category": "materials", "purpose": "绝缘材料"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    ops.push(op(Method::GET, format!("/api/v1/expenses/{eb}"), None, b_read));
    ops.push(op(Method::GET, format!("/api/v1/studios/{s2}/budgets/{year}"), None, b_read));
    ops.push(op(
        Method::POST,
        format!("/api/v1/expenses/{eb}/transitions"),
        Some(json!({"action": "refuse", "reason": "重复"})),
        |u| {
            if matches!(u, "admin" | "ent2") {
                Expect::Ok
            } else if u == "union.b" {
                Expect::Forbidden
            } else {
                Expect::Hidden
            }
        },
    ));

    // Inspections (检查) of studio 1 by the province's union, with a follow-up item, and the
    // studio's annual report of last year: read by the administrators over the studio and its
    // team; recorded, closed and returned by the unions over it; reported and written by the
    // studio's leader (or its enterprise).
    let union_a = user("union.a");
    let d = union_a
        .ok_post(
            "/api/v1/inspections",
            json!({"studio_id": s1, "score": 80, "follow_ups": [{"item": "台账补签", "due_on": day(20)}]}),
        )
        .await;
    let (iid, fid) = (d["inspection"]["id"].as_i64().unwrap(), d["follow_ups"][0]["id"].as_i64().unwrap());
    let inspection_read = |u: &str| {
        if e1_admins(u) || matches!(u, "lead1" | "mem1") { Expect::Ok } else { Expect::Hidden }
    };
    let seen_else = |allowed: fn(&str) -> bool| {
        move |u: &str| {
            if allowed(u) {
                Expect::Ok
            } else if inspection_read(u) == Expect::Ok {
                Expect::Forbidden
            } else {
                Expect::Hidden
            }
        }
    };
    let team_reads = |u: &str| {
        if e1_admins(u) || matches!(u, "lead1" | "mem1" | "worker1") { Expect::Ok } else { Expect::Hidden }
    };
    let unions = |u: &str| matches!(u, "admin" | "union.a" | "city.a");
    let studio_side = |u: &str| matches!(u, "admin" | "ent1" | "lead1");
    let last_year = year - 1;
    let report = format!("/api/v1/studios/{s1}/annual-reports/{last_year}");
    ops.splice(
        0..0,
        [
            op(Method::GET, format!("/api/v1/inspections/{iid}"), None, inspection_read),
            op(Method::GET, format!("/api/v1/inspections?studio_id={s1}"), None, inspection_read),
            op(Method::GET, format!("/api/v1/inspections?unit_id={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/inspections/due?unit_id={e1}"), None, e1_read),
            op(Method::GET, format!("/api/v1/inspections/overdue?unit_id={e1}"), None, e1_read),
            // A second inspection of the quarter: 409 for the unions, after the checks.
            op(
                Method::POST,
                "/api/v1/inspections".into(),
                Some(json!({"studio_id": s1, "score": 70})),
                seen_else(unions),
            ),
            op(Method::PUT, format!("/api/v1/inspections/{iid}"), Some(json!({"score": 82})), seen_else(unions)),
            op(
                Method::POST,
                format!("/api/v1/inspections/{iid}/follow-ups/{fid}/report"),
                Some(json!({"note": "已补签"})),
                seen_else(studio_side),
            ),
            op(
                Method::POST,
                format!("/api/v1/inspections/{iid}/follow-ups/{fid}/close"),
                Some(json!({})),
                seen_else(unions),
            ),
            op(
                Method::POST,
                format!("/api/v1/inspections/{iid}/follow-ups/{fid}/reopen"),
                Some(json!({"note": "仍缺签字"})),
                seen_else(unions),
            ),
            op(Method::GET, report.clone(), None, inspection_read),
            op(
                Method::PUT,
                report.clone(),
                Some(json!({"sections": [{"key": "next_year", "body": "新立课题"}]})),
                seen_else(studio_side),
            ),
            op(Method::POST, format!("{report}/submit"), None, seen_else(studio_side)),
            op(Method::POST, format!("{report}/return"), Some(json!({"reason": "请补充"})), seen_else(unions)),
            op(Method::GET, format!("/api/v1/annual-reports?unit_id={e1}&year={last_year}"), None, e1_read),
        ],
    );
    // Application rounds (申报批次): a province round with reviewer.a, a third studio of E1
    // (leader 刘一手) applied by its enterprise and recommended by the city.
    let admin = user("admin");
    let s3 = crate::common::studio(&admin, w.e1, w.p4, "刘一手技能大师工作室").await;
    crate::common::add_member(&admin, s3, w.p3).await;
    crate::common::add_member(&admin, s3, w.p2).await;
    let round = user("union.a")
        .ok_post(
            "/api/v1/rounds",
            json!({"unit_id": w.province_a, "title": "省级申报", "deadline": day(10),
                   "criteria": [{"name": "成果", "max_points": 100}], "min_reviewers": 1,
                   "reviewers": [w.account("reviewer.a")]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let application =
        user("ent1").ok_post(&format!("/api/v1/rounds/{round}/applications"), json!({"studio_id": s3})).await["id"]
            .as_i64()
            .unwrap();
    user("city.a")
        .ok_post(&format!("/api/v1/applications/{application}/recommendation"), json!({"recommend": true}))
        .await;
    let round_read = |u: &str| if matches!(u, "ent2" | "union.b") { Expect::Hidden } else { Expect::Ok };
    let in_sight = |u: &str| e1_admins(u) || u == "reviewer.a";
    let round_only = move |allowed: fn(&str) -> bool| {
        move |u: &str| {
            if allowed(u) {
                Expect::Ok
            } else if round_read(u) == Expect::Ok {
                Expect::Forbidden
            } else {
                Expect::Hidden
            }
        }
    };
    let app_only = move |allowed: fn(&str) -> bool| {
        move |u: &str| {
            if allowed(u) {
                Expect::Ok
            } else if in_sight(u) {
                Expect::Forbidden
            } else {
                Expect::Hidden
            }
        }
    };
    ops.extend([
        op(Method::GET, "/api/v1/rounds".into(), None, |_| Expect::Ok),
        op(Method::GET, format!("/api/v1/rounds/{round}"), None, round_read),
        op(Method::GET, format!("/api/v1/rounds/{round}/applications"), None, round_read),
        op(
            Method::POST,
            "/api/v1/rounds".into(),
            Some(json!({"unit_id": w.city_a, "title": "市级申报{user}", "deadline": day(10),
                        "criteria": [{"name": "成果", "max_points": 100}], "min_reviewers": 1,
                        "reviewers": [w.account("reviewer.a")]})),
            |u| {
                if matches!(u, "admin" | "union.a" | "city.a") {
                    Expect::Ok
                } else if u == "reviewer.a" {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            },
        ),
        // Applied already: 409 for those who may apply (the enterprise), 403 for the rest in sight.
        op(
            Method::POST,
            format!("/api/v1/rounds/{round}/applications"),
            Some(json!({"studio_id": s3})),
            round_only(|u| matches!(u, "admin" | "ent1")),
        ),
        op(
            Method::POST,
            format!("/api/v1/rounds/{round}/announcement"),
            Some(json!({})),
            round_only(|u| matches!(u, "admin" | "union.a")),
        ),
        op(Method::GET, format!("/api/v1/applications/{application}"), None, |u| {
            if e1_admins(u) || u == "reviewer.a" { Expect::Ok } else { Expect::Hidden }
        }),
        op(
            Method::POST,
            format!("/api/v1/applications/{application}/recommendation"),
            Some(json!({"recommend": true})),
            app_only(|u| matches!(u, "admin" | "union.a" | "city.a")),
        ),
        op(
            Method::PUT,
            format!("/api/v1/applications/{application}/scores"),
            Some(json!({"scores": [{"points": 80}]})),
            app_only(|u| u == "reviewer.a"),
        ),
        // Not on notice: 409 for whoever may decide (the union of the round).
        op(
            Method::POST,
            format!("/api/v1/applications/{application}/decision"),
            Some(json!({"decision": "uphold_objection", "objection_id": 1, "reason": "异议成立"})),
            app_only(|u| matches!(u, "admin" | "union.a")),
        ),
        op(
            Method::POST,
            format!("/api/v1/applications/{application}/objections"),
            Some(json!({"body": "材料不实"})),
            app_only(in_sight_fn),
        ),
        // Last: a reviewer who declares a conflict no longer sees the application.
        op(
            Method::POST,
            format!("/api/v1/applications/{application}/conflicts"),
            Some(json!({"reason": "回避"})),
            app_only(|u| u == "reviewer.a"),
        ),
    ]);

    let mut failures = Vec::new();
    for o in &ops {
        for (name, api) in &users {
            let (status, body) = api.send(o.method.clone(), &o.path, personal(&o.body, name)).await;
            let want = (o.expect)(name);
            if classify(status.as_u16(), &body) != Some(want) {
                failures.push(format!("{} {} as {name}: expected {want:?}, got {status} {body}", o.method, o.path));
            }
        }
        let (status, body) = app.anonymous().send(o.method.clone(), &o.path, o.body.clone()).await;
        if status != 401 {
            failures.push(format!("{} {} anonymous: expected 401, got {status} {body}", o.method, o.path));
        } else {
            assert_eq!(body["error"]["code"], "unauthenticated");
        }
    }
    // The print pages answer exactly as the page of the record they print (404 out of scope).
    let suggestion_read = |u: &str| if e1_admins(u) || u == "worker1" { Expect::Ok } else { Expect::Hidden };
    let pages: Vec<(String, String, Rule)> = vec![
        (format!("/activities/{sealed}"), format!("/activities/{sealed}/print"), Box::new(studio_read)),
        (
            format!("/studios/{s1}/ledger?year={year}"),
            format!("/studios/{s1}/ledger/print?year={year}"),
            Box::new(studio_read),
        ),
        (format!("/studios/{s1}/plans/{year}"), format!("/studios/{s1}/plans/{year}/print"), Box::new(studio_read)),
        (format!("/suggestions/{sid}"), format!("/suggestions/{sid}/print"), Box::new(suggestion_read)),
        (format!("/studios/{s1}"), format!("/studios/{s1}/checklist/print"), Box::new(studio_read)),
        (format!("/projects/{pid}"), format!("/projects/{pid}/acceptance/print"), Box::new(studio_read)),
        (format!("/mentorships/{agreement}"), format!("/mentorships/{agreement}/print"), Box::new(mentorship_read)),
        // By now worker1 is a member of studio 1: the team reads its inspections.
        (format!("/inspections/{iid}"), format!("/inspections/{iid}/print"), Box::new(team_reads)),
        (
            format!("/studios/{s1}/annual-reports/{last_year}"),
            format!("/studios/{s1}/annual-reports/{last_year}/print"),
            Box::new(team_reads),
        ),
        (format!("/activities/{ab}"), format!("/activities/{ab}/print"), Box::new(b_read)),
        // After declaring a conflict, the reviewer sees neither.
        (
            format!("/applications/{application}"),
            format!("/applications/{application}/print"),
            Box::new(|u: &str| if e1_admins(u) { Expect::Ok } else { Expect::Hidden }),
        ),
        (format!("/studios/{s2}/ledger"), format!("/studios/{s2}/ledger/print"), Box::new(b_read)),
        (format!("/studios/{s2}"), format!("/studios/{s2}/checklist/print"), Box::new(b_read)),
        (format!("/projects/{pb}"), format!("/projects/{pb}/acceptance/print"), Box::new(b_read)),
    ];
    for (page, print, expect) in &pages {
        for (name, api) in &users {
            let get = |path: &str| api.client.get(format!("{}{path}", app.base)).send();
            let (page_status, print_status) =
                (get(page).await.unwrap().status().as_u16(), get(print).await.unwrap().status().as_u16());
            let want = expect(name);
            if page_status != print_status || classify(print_status, &Value::Null) != Some(want) {
                failures.push(format!(
                    "{print} as {name}: expected {want:?} as {page} ({page_status}), got {print_status}"
                ));
            }
        }
        let resp = app.anonymous().client.get(format!("{}{print}", app.base)).send().await.unwrap();
        if !resp.status().is_redirection() {
            failures.push(format!("{print} anonymous: expected the way to the login page, got {}", resp.status()));
        }
    }
    // Uploading evidence: the record's editors only.
    for (name, _) in &users {
        let (status, body) =
            crate::common::upload(&app, name, s1, "plaque", "p.png", crate::common::tiny_png(), true).await;
        if classify(status.as_u16(), &body) != Some(studio_edit(name)) {
            failures.push(format!("upload as {name}: expected {:?}, got {status} {body}", studio_edit(name)));
        }
    }
    // Receipts of an expense: its studio's leader and the administrators who decide it.
    for (e, rule) in [(expense, funding_receipt as fn(&str) -> Expect), (eb, b_receipt)] {
        for (name, _) in &users {
            let path = format!("/api/v1/expenses/{e}/receipts");
            let (status, body) =
                crate::common::upload_to(&app, name, &path, &[], "发票.png", crate::common::tiny_png()).await;
            if classify(status.as_u16(), &body) != Some(rule(name)) {
                failures.push(format!("receipt of {e} as {name}: expected {:?}, got {status} {body}", rule(name)));
            }
        }
    }
    assert!(failures.is_empty(), "{} access failures:\n{}", failures.len(), failures.join("\n"));
}

/// Who attaches receipts to studio 1's expense: its leader and the enterprise that decides
/// it; the unions above read the money but keep no receipts, the rest of the team and the
/// unit see the studio but not its money.
fn funding_receipt(u: &str) -> Expect {
    if matches!(u, "admin" | "ent1" | "lead1") {
        Expect::Ok
    } else if e1_anyone(u) {
        Expect::Forbidden
    } else {
        Expect::Hidden
    }
}

/// …and to studio 2's: its enterprise; the union above sees it, province A does not.
fn b_receipt(u: &str) -> Expect {
    if matches!(u, "admin" | "ent2") {
        Expect::Ok
    } else if u == "union.b" {
        Expect::Forbidden
    } else {
        Expect::Hidden
    }
}

async fn lists_hold_only_the_scope(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ids =
        |v: &Value| -> Vec<i64> { v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect() };
    let ent2 = app.login("ent2", PASSWORD).await;
    assert_eq!(ids(&ent2.ok_get("/api/v1/studios").await), vec![w.s2]);
    let people = ids(&ent2.ok_get("/api/v1/people").await);
    assert_eq!(people.len(), 2);
    assert!(people.contains(&w.leader2) && people.contains(&w.q2));
    let accounts = ids(&ent2.ok_get("/api/v1/accounts").await);
    assert_eq!(accounts, vec![w.account("ent2")]);
    let lead1 = app.login("lead1", PASSWORD).await;
    assert_eq!(ids(&lead1.ok_get("/api/v1/studios").await), vec![w.s1]);
    assert!(ids(&lead1.ok_get("/api/v1/people").await).is_empty(), "a leader does not browse personnel records");
    let union_a = app.login("union.a", PASSWORD).await;
    let tops = ids(&union_a.ok_get("/api/v1/org-units").await);
    assert_eq!(tops, vec![w.province_a]);
    // Someone whose only tie to a studio is its team still sees that studio, and only it.
    let admin = app.admin().await;
    crate::common::add_member(&admin, w.s2, w.p4).await;
    crate::common::account(&admin, "p4.user", Some(w.p4), w.w1, &[]).await;
    let p4 = app.login("p4.user", PASSWORD).await;
    assert_eq!(ids(&p4.ok_get("/api/v1/studios").await), vec![w.s2]);
    assert_eq!(p4.get(&format!("/api/v1/studios/{}", w.s1)).await.0, 404);
    assert_eq!(p4.get(&format!("/api/v1/org-units/{}", w.e2)).await.0, 404, "a team tie does not open the unit");

    // Projects and ledgers: each enterprise its own, each union level its subtree.
    let lead1 = app.login("lead1", PASSWORD).await;
    let p1 = project(&lead1, w.s1, "甲的课题", w.leader1, &[10]).await["id"].as_i64().unwrap();
    let p2 = project(&ent2, w.s2, "乙的课题", w.leader2, &[10]).await["id"].as_i64().unwrap();
    assert_eq!(ids(&ent2.ok_get("/api/v1/projects").await), vec![p2]);
    assert_eq!(ids(&lead1.ok_get("/api/v1/projects").await), vec![p1]);
    assert_eq!(ids(&union_a.ok_get("/api/v1/projects").await), vec![p1]);
    assert_eq!(ids(&admin.ok_get("/api/v1/projects").await).len(), 2);
    assert_eq!(ent2.get(&format!("/api/v1/projects?studio_id={}", w.s1)).await.0, 404);
    assert_eq!(ent2.get(&format!("/api/v1/activities?studio_id={}", w.s1)).await.0, 404);

    // Agreements: the apprentice and the mentor list their own, the rest of the team does not,
    // the other province never; a studio out of sight is 404.
    let m = lead1
        .ok_post(
            "/api/v1/mentorships",
            json!({"studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.worker_person,
                   "trade": "数控车工", "starts_on": crate::common::day(-30), "teaching_plan": "带教。", "allowance_yuan": 100}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    for (who, sees) in
        [("worker1", true), ("mem1", true), ("lead1", true), ("ent1", true), ("union.b", false), ("ent2", false)]
    {
        let api = app.login(who, PASSWORD).await;
        assert_eq!(ids(&api.ok_get("/api/v1/mentorships").await), if sees { vec![m] } else { vec![] }, "{who}");
    }
    assert_eq!(ent2.get(&format!("/api/v1/mentorships?studio_id={}", w.s1)).await.0, 404);
    assert_eq!(ent2.get(&format!("/api/v1/mentorships?unit_id={}", w.e1)).await.0, 404);
    // Expenses: each enterprise decides its own.
    let ent1 = app.login("ent1", PASSWORD).await;
    let year = &crate::common::day(0)[..4];
    for (api, s, cat) in [(&ent1, w.s1, "equipment"), (&ent2, w.s2, "materials")] {
        api.ok_put(
            &format!("/api/v1/studios/{s}/budgets/{year}"),
            json!({"lines": [{"source": "enterprise", "amount_yuan": "1000"}], "categories": [cat]}),
        )
        .await;
    }
    let mine = lead1
        .ok_post(
            "/api/v1/expenses",
            json!({"studio_id": w.s1, "spent_on": crate::common::day(0), "amount_yuan": "10", "category": "equipment", "purpose": "刀具"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    admin
        .ok_post(
            "/api/v1/expenses",
            json!({"studio_id": w.s2, "spent_on": crate::common::day(0), "amount_yuan": "10", "category": "materials", "purpose": "材料"}),
        )
        .await;
    assert_eq!(ids(&ent1.ok_get("/api/v1/expenses").await), vec![mine]);
    assert_eq!(ids(&ent2.ok_get("/api/v1/expenses").await).len(), 1);
    assert!(!ids(&ent2.ok_get("/api/v1/expenses").await).contains(&mine));
}

/// The evaluation's operations, for every role: the unions over studio 1 judge and confirm;
/// its enterprise (and its leader) read but neither judge nor confirm; union B and the rest
/// of province B never see it (404).
async fn evaluations_by_role(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    admin
        .ok_post(
            &format!("/api/v1/studios/{}/namings", w.s1),
            json!({"naming_unit_id": w.city_a, "named_on": "2020-06-01"}),
        )
        .await;
    let year: i64 = day(0)[..4].parse().unwrap();
    let r = admin
        .send(Method::POST, "/api/v1/evaluation-runs", Some(json!({"unit_id": w.province_a, "year": year})))
        .await
        .1;
    let run = r["id"].as_i64().unwrap();
    for _ in 0..200 {
        if admin.ok_get(&format!("/api/v1/evaluation-runs/{run}")).await["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let id = admin.ok_get(&format!("/api/v1/evaluations?studio_id={}", w.s1)).await["items"][0]["id"].as_i64().unwrap();
    let unions = |u: &str| matches!(u, "admin" | "union.a" | "city.a");
    let read = |u: &str| {
        if matches!(u, "admin" | "union.a" | "city.a" | "ent1" | "lead1") { Expect::Ok } else { Expect::Hidden }
    };
    let judge = move |u: &str| {
        if unions(u) {
            Expect::Ok
        } else if matches!(u, "ent1" | "lead1") {
            Expect::Forbidden
        } else {
            Expect::Hidden
        }
    };
    let template =
        admin.ok_get(&format!("/api/v1/org-units/{}/evaluation-template", w.city_a)).await["template"].clone();
    let ops = vec![
        op(Method::GET, format!("/api/v1/evaluations/{id}"), None, read),
        op(Method::GET, format!("/api/v1/evaluations?studio_id={}", w.s1), None, read),
        op(
            Method::PUT,
            format!("/api/v1/evaluations/{id}/items/venue"),
            Some(json!({"points": 8, "reason": "场地达标"})),
            judge,
        ),
        op(Method::GET, format!("/api/v1/org-units/{}/evaluation-template", w.city_a), None, |u| {
            if matches!(u, "admin" | "union.a" | "city.a" | "reviewer.a") { Expect::Ok } else { Expect::Hidden }
        }),
        op(Method::GET, format!("/api/v1/org-units/{}/at-risk", w.e1), None, |u| {
            if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
        }),
        op(Method::POST, format!("/api/v1/org-units/{}/at-risk", w.e1), None, |u| {
            if e1_admins(u) { Expect::Ok } else { Expect::Hidden }
        }),
        op(
            Method::POST,
            "/api/v1/evaluation-runs".into(),
            Some(json!({"unit_id": w.city_a, "year": year})),
            move |u| {
                if unions(u) {
                    Expect::Ok
                } else if u == "reviewer.a" {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            },
        ),
        op(Method::PUT, format!("/api/v1/org-units/{}/evaluation-template", w.city_a), Some(template), move |u| {
            if unions(u) {
                Expect::Ok
            } else if u == "reviewer.a" {
                Expect::Forbidden
            } else {
                Expect::Hidden
            }
        }),
        op(Method::GET, format!("/api/v1/studio-cases?studio_id={}", w.s1), None, read),
        op(
            Method::POST,
            "/api/v1/studio-cases".into(),
            Some(json!({"studio_id": w.s1, "kind": "cancellation", "reason": "产线搬迁"})),
            |u| {
                if e1_admins(u) {
                    Expect::Ok
                } else if u == "lead1" {
                    Expect::Forbidden
                } else {
                    Expect::Hidden
                }
            },
        ),
        op(Method::POST, format!("/api/v1/evaluations/{id}/confirm"), Some(json!({})), judge),
    ];
    let mut failures = Vec::new();
    for o in &ops {
        for u in USERS {
            let api = if *u == "admin" { app.admin().await } else { app.login(u, PASSWORD).await };
            let (status, body) = api.send(o.method.clone(), &o.path, personal(&o.body, u)).await;
            let want = (o.expect)(u);
            let got = classify(status.as_u16(), &body);
            if got != Some(want) {
                failures.push(format!("{} {} as {u}: expected {want:?}, got {status} {body}", o.method, o.path));
            }
        }
    }
    assert!(failures.is_empty(), "{} access failures:\n{}", failures.len(), failures.join("\n"));
}

both!(every_resource_and_role, lists_hold_only_the_scope, evaluations_by_role);
