//! Bad input gets a 4xx with a message per field, in the caller's language, and changes
//! nothing at all (the whole database is fingerprinted before and after).

use crate::both;
use crate::common::{Api, Backend, TestApp, day, world};
use reqwest::Method;
use serde_json::{Value, json};

/// Sends each case (method, path, body, expected status, field that must carry a message) as the
/// caller `who` picks for its path; returns what went wrong, including any change to the database.
async fn refusals<'a>(
    app: &TestApp,
    who: impl Fn(&str) -> &'a Api,
    cases: Vec<(Method, String, Value, u16, &str)>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (method, path, body, want, field) in cases {
        let before = app.fingerprint().await;
        let (status, v) = who(&path).send(method.clone(), &path, (!body.is_null()).then_some(body.clone())).await;
        let after = app.fingerprint().await;
        if status.as_u16() != want {
            failures.push(format!("{method} {path} {body}: expected {want}, got {status} {v}"));
            continue;
        }
        if v["error"]["message"].as_str().is_none_or(|m| m.is_empty()) {
            failures.push(format!("{method} {path}: no message in {v}"));
        }
        if !field.is_empty() && v["error"]["fields"][field].as_str().is_none_or(|m| m.is_empty()) {
            failures.push(format!("{method} {path}: no message for field {field} in {v}"));
        }
        if before != after {
            failures.push(format!("{method} {path}: the database changed on a refused request"));
        }
    }
    failures
}

async fn refused_requests_change_nothing(b: Backend) {
    let app = TestApp::start_with(b, |c| c.max_upload_bytes = 2048).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let long = "长".repeat(101);
    let s1 = w.s1;
    // (method, path, body, status, field expected to carry a message)
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (Method::POST, "/api/v1/studios".into(), json!({}), 422, "name"),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "kind": "model_worker", "field": "x"}),
            422,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": 42, "kind": "model_worker", "field": "x"}),
            422,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": long, "kind": "model_worker", "field": "x"}),
            422,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": "甲", "kind": "spaceship", "field": "x"}),
            422,
            "kind",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": "甲", "kind": "worker", "field": "x", "area_m2": "many"}),
            422,
            "area_m2",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": "甲", "kind": "worker", "field": "x", "area_m2": -5}),
            422,
            "area_m2",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "name": "甲", "kind": "worker", "field": "x", "founded_on": "2024-13-01"}),
            422,
            "founded_on",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": 999_999, "name": "甲", "kind": "worker", "field": "x"}),
            422,
            "unit_id",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.city_a, "name": "甲", "kind": "worker", "field": "x"}),
            422,
            "unit_id",
        ),
        (
            Method::POST,
            "/api/v1/studios".into(),
            json!({"unit_id": w.e1, "leader_person_id": 999_999, "name": "甲", "kind": "worker", "field": "x"}),
            422,
            "leader_person_id",
        ),
        (
            Method::PUT,
            format!("/api/v1/studios/{s1}"),
            json!({"name": "", "kind": "worker", "field": "x"}),
            422,
            "name",
        ),
        (
            Method::PUT,
            format!("/api/v1/studios/{s1}"),
            json!({"name": "甲", "kind": "worker", "field": "x", "contact": "call me"}),
            422,
            "contact",
        ),
        (Method::PUT, "/api/v1/studios/999999".into(), json!({"name": "甲", "kind": "worker", "field": "x"}), 404, ""),
        (Method::POST, "/api/v1/people".into(), json!({"unit_id": w.e1, "name": "甲"}), 422, "gender"),
        (
            Method::POST,
            "/api/v1/people".into(),
            json!({"unit_id": w.e1, "name": "甲", "gender": "male", "birth_year": 1800}),
            422,
            "birth_year",
        ),
        (
            Method::POST,
            "/api/v1/people".into(),
            json!({"unit_id": w.e1, "name": "甲", "gender": "male", "honours": [{"honour": "emperor"}]}),
            422,
            "honours.0.honour",
        ),
        (
            Method::POST,
            "/api/v1/people".into(),
            json!({"unit_id": w.e1, "name": "甲", "gender": "male", "honours": "lots"}),
            422,
            "honours",
        ),
        (
            Method::POST,
            "/api/v1/org-units".into(),
            json!({"parent_id": w.w1, "kind": "city", "name": "错位的市"}),
            422,
            "kind",
        ),
        (
            Method::POST,
            "/api/v1/org-units".into(),
            json!({"parent_id": 999_999, "kind": "branch", "name": "x"}),
            404,
            "",
        ),
        (Method::POST, format!("/api/v1/studios/{s1}/members"), json!({"kind": "join"}), 422, "person_id"),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/members"),
            json!({"kind": "join", "person_id": 999_999}),
            422,
            "person_id",
        ),
        (Method::POST, format!("/api/v1/studios/{s1}/members"), json!({"kind": "join", "person_id": w.p2}), 409, ""),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/members"),
            json!({"kind": "join", "person_id": w.p4, "role": "leader"}),
            422,
            "role",
        ),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/members"),
            json!({"kind": "dance", "person_id": w.p4}),
            422,
            "kind",
        ),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/transitions"),
            json!({"action": "name", "certificate_no": "X"}),
            409,
            "",
        ),
        (Method::POST, format!("/api/v1/studios/{s1}/transitions"), json!({"action": "revoke"}), 409, ""),
        (Method::POST, format!("/api/v1/studios/{s1}/transitions"), json!({"action": "fly"}), 422, "action"),
        (Method::POST, format!("/api/v1/studios/{s1}/transitions"), json!({"action": "cancel"}), 422, "reason"),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/transitions"),
            json!({"action": "apply", "target_unit_id": w.e2}),
            422,
            "target_unit_id",
        ),
        (
            Method::POST,
            "/api/v1/studios/999999/transitions".into(),
            json!({"action": "cancel", "reason": "x"}),
            404,
            "",
        ),
        (
            Method::POST,
            format!("/api/v1/studios/{s1}/team-review"),
            json!({"reviewed_on": "2999-01-01"}),
            422,
            "reviewed_on",
        ),
        (
            Method::POST,
            "/api/v1/accounts".into(),
            json!({"username": "a", "password": "short", "home_unit_id": w.e1, "display_name": "x"}),
            422,
            "username",
        ),
        (
            Method::POST,
            "/api/v1/accounts".into(),
            json!({"username": "lead1", "password": "long enough pw", "home_unit_id": w.e1, "display_name": "x"}),
            422,
            "username",
        ),
        (
            Method::POST,
            "/api/v1/accounts".into(),
            json!({"username": "p2again", "password": "long enough pw", "person_id": w.p2}),
            422,
            "person_id",
        ),
        (Method::POST, "/api/v1/tokens".into(), json!({"name": ""}), 422, "name"),
        (Method::GET, "/api/v1/studios?limit=0".into(), Value::Null, 422, "limit"),
        (Method::GET, "/api/v1/studios?cursor=garbage!".into(), Value::Null, 422, "cursor"),
        (Method::GET, "/api/v1/studios?state=flying".into(), Value::Null, 422, "state"),
        (Method::GET, "/api/v1/studios?unit_id=abc".into(), Value::Null, 422, "unit_id"),
        (Method::GET, "/api/v1/studios/abc".into(), Value::Null, 404, ""),
        (Method::GET, "/api/v1/people/999999".into(), Value::Null, 404, ""),
    ];
    let failures = refusals(&app, |_| &admin, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Malformed bodies.
    for (ct, body) in [("application/json", "{not json"), ("text/plain", "{}"), ("application/json", "[1,2]")] {
        let resp = admin
            .client
            .post(format!("{}/api/v1/studios", app.base))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{ct} {body}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["code"], "validation_failed");
        assert!(v["error"]["fields"]["_body"].is_string());
    }

    // Uploads: too large (413) and not an accepted type (415), nothing stored.
    let before = app.fingerprint().await;
    let (status, v) = crate::common::upload(
        &app,
        "admin",
        s1,
        "plaque",
        "big.png",
        [crate::common::tiny_png(), vec![0u8; 4096]].concat(),
        true,
    )
    .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
    let (status, v) =
        crate::common::upload(&app, "admin", s1, "plaque", "note.txt", b"just some text".to_vec(), true).await;
    assert_eq!(status, 415, "{v}");
    assert!(v["error"]["fields"]["file"].is_string());
    let (status, v) = crate::common::upload(&app, "admin", s1, "team", "t.png", crate::common::tiny_png(), true).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["item"].is_string());
    assert_eq!(before, app.fingerprint().await);
    let files = std::fs::read_dir(app.state.config.uploads_dir()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 0, "no file may be left behind by a refused upload");
}

async fn messages_speak_the_callers_language(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let zh = app.admin().await;
    let en = app.admin().await.english();
    let path = format!("/api/v1/studios/{}/transitions", w.s1);
    let (_, v) = zh.post(&path, json!({"action": "name", "certificate_no": "X"})).await;
    assert_eq!(v["error"]["code"], "invalid_transition");
    assert_eq!(v["error"]["message"], "当前状态为“筹建”，不能办理“命名授牌”。");
    let (_, v) = en.post(&path, json!({"action": "name", "certificate_no": "X"})).await;
    assert_eq!(v["error"]["message"], "The studio is “Draft”: “Name the studio” is not possible now.");
    let (_, v) = en.post("/api/v1/studios", json!({})).await;
    assert_eq!(v["error"]["fields"]["name"], "Required.");
    let (_, v) = zh.post("/api/v1/studios", json!({})).await;
    assert_eq!(v["error"]["fields"]["name"], "必填。");
}

/// Projects, milestones, extensions, plans and ledger records: each refusal names its field
/// and leaves the database as it was; a sealed record refuses every change.
async fn work_records_refuse_bad_input(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", crate::common::PASSWORD).await;
    let s1 = w.s1;
    let p = crate::common::project(&lead1, s1, "焊缝返修率攻关", w.leader1, &[20]).await["id"].as_i64().unwrap();
    let sealed = crate::common::activity(&lead1, s1, w.leader1, "焊接培训").await["id"].as_i64().unwrap();
    for _ in 0..2 {
        lead1.ok_post(&format!("/api/v1/activities/{sealed}/signatures"), json!({})).await;
    }
    let year = jiangxin::clock::today().year();
    let project = |patch: Value| {
        let mut v = json!({"studio_id": s1, "title": "新课题", "category": "技术攻关", "starts_on": day(0), "ends_on": day(90)});
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let activity = |patch: Value| {
        let mut v = json!({"studio_id": s1, "kind": "training", "held_on": day(-1), "host_person_id": w.leader1,
                           "title": "培训", "hours": 2, "summary": "讲解要点。"});
        for (k, x) in patch.as_object().unwrap() {
            if x.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = x.clone();
            }
        }
        v
    };
    let long = "长".repeat(4001);
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (Method::POST, "/api/v1/projects".into(), project(json!({"title": ""})), 422, "title"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"title": "长".repeat(101)})), 422, "title"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"ends_on": day(-5)})), 422, "ends_on"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"starts_on": "2025-02-30"})), 422, "starts_on"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"budget_yuan": -1})), 422, "budget_yuan"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"category": "造飞船"})), 422, "category"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"problem": long})), 422, "problem"),
        (Method::POST, "/api/v1/projects".into(), project(json!({"studio_id": 999_999})), 422, "studio_id"),
        (
            Method::POST,
            "/api/v1/projects".into(),
            project(json!({"milestones": [{"title": "", "due_on": day(5)}]})),
            422,
            "milestones.0.title",
        ),
        (
            Method::POST,
            format!("/api/v1/projects/{p}/milestones"),
            json!({"title": "节点", "due_on": "明天"}),
            422,
            "due_on",
        ),
        (Method::POST, format!("/api/v1/projects/{p}/transitions"), json!({"action": "fly"}), 422, "action"),
        (Method::POST, format!("/api/v1/projects/{p}/transitions"), json!({"action": "accept"}), 409, ""),
        (
            Method::POST,
            format!("/api/v1/projects/{p}/extensions"),
            json!({"milestone_id": 999_999, "new_date": day(60), "reason": "等备件"}),
            409,
            "",
        ),
        (Method::POST, format!("/api/v1/projects/{p}/updates"), json!({"body": ""}), 422, "body"),
        (
            Method::PUT,
            format!("/api/v1/studios/{s1}/plans/{year}"),
            json!({"projects_started": -2}),
            422,
            "projects_started",
        ),
        (Method::PUT, format!("/api/v1/studios/{s1}/plans/{year}"), json!({"trainees": "很多"}), 422, "trainees"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"held_on": day(3)})), 422, "held_on"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"hours": 0})), 422, "hours"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"hours": 400})), 422, "hours"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"host_person_id": null})), 422, "host_person_id"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"kind": "party"})), 422, "kind"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"trainees": -3})), 422, "trainees"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"summary": ""})), 422, "summary"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"summary": long})), 422, "summary"),
        (Method::POST, "/api/v1/activities".into(), activity(json!({"corrects_id": 999_999})), 422, "corrects_id"),
        (Method::PUT, format!("/api/v1/activities/{sealed}"), activity(json!({})), 409, ""),
        (Method::DELETE, format!("/api/v1/activities/{sealed}"), Value::Null, 409, ""),
        (Method::POST, format!("/api/v1/activities/{sealed}/signatures"), json!({}), 409, ""),
    ];
    let signer = |path: &str| if path.ends_with("/signatures") { &lead1 } else { &admin };
    let failures = refusals(&app, signer, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inspections and annual reports (检查 / 年度工作汇报): a score above 100, a quarter that does not
/// exist, a follow-up due before the inspection, a second inspection of the quarter, steps out
/// of turn or without their reason, editing a submitted report — each refused, nothing written.
async fn inspections_refuse_bad_input(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let s1 = w.s1;
    let year = jiangxin::clock::today().year();
    let inspection = |patch: Value| {
        let mut v = json!({"studio_id": s1, "score": 80, "follow_ups": [{"item": "台账补签", "due_on": day(10)}]});
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let d = admin.ok_post("/api/v1/inspections", inspection(json!({}))).await;
    let (iid, fid) = (d["inspection"]["id"].as_i64().unwrap(), d["follow_ups"][0]["id"].as_i64().unwrap());
    let report = format!("/api/v1/studios/{s1}/annual-reports/{}", year - 1);
    admin.ok_post(&format!("{report}/submit"), json!({})).await;
    let fu = format!("/api/v1/inspections/{iid}/follow-ups/{fid}");
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (Method::POST, "/api/v1/inspections".into(), inspection(json!({"score": 101})), 422, "score"),
        (Method::POST, "/api/v1/inspections".into(), inspection(json!({"score": "高"})), 422, "score"),
        (Method::POST, "/api/v1/inspections".into(), inspection(json!({"studio_id": 999_999})), 422, "studio_id"),
        (
            Method::POST,
            "/api/v1/inspections".into(),
            inspection(json!({"follow_ups": [{"item": "整改", "due_on": day(-1)}]})),
            422,
            "follow_ups.0.due_on",
        ),
        (
            Method::POST,
            "/api/v1/inspections".into(),
            inspection(json!({"inspected_on": "2026-02-30"})),
            422,
            "inspected_on",
        ),
        (Method::POST, "/api/v1/inspections".into(), inspection(json!({})), 409, ""),
        (Method::PUT, format!("/api/v1/inspections/{iid}"), json!({"score": -1}), 422, "score"),
        (Method::GET, "/api/v1/inspections?quarter=5".into(), Value::Null, 422, "quarter"),
        (Method::GET, "/api/v1/inspections/due?quarter=5".into(), Value::Null, 422, "quarter"),
        (Method::POST, format!("{fu}/report"), json!({}), 422, "note"),
        (Method::POST, format!("{fu}/reopen"), json!({"note": "再改"}), 409, ""),
        (Method::POST, format!("{fu}/close"), json!({"note": "长".repeat(4001)}), 422, "note"),
        (Method::PUT, report.clone(), json!({"sections": [{"key": "next_year", "body": "改"}]}), 409, ""),
        (Method::PUT, report.clone(), json!({"sections": [{"key": "poems", "body": "改"}]}), 422, "sections.0.key"),
        (Method::POST, format!("{report}/submit"), Value::Null, 409, ""),
        (Method::POST, format!("{report}/return"), json!({"reason": " "}), 422, "reason"),
        (Method::GET, format!("/api/v1/studios/{s1}/annual-reports/1999"), Value::Null, 422, "year"),
    ];
    let failures = refusals(&app, |_| &admin, cases.clone()).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The same in English.
    let english = admin.clone().english();
    let failures = refusals(&app, |_| &english, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, v) = english.post("/api/v1/inspections", inspection(json!({"score": 101}))).await;
    assert!(v["error"]["fields"]["score"].as_str().unwrap().contains("100"), "{v}");
}

/// The annual evaluation: judged points above the item's max or below 0, a missing reason, a
/// year not begun, a template whose points do not add up (the rule: items other than bonus
/// make exactly 100, bonus at most 20, qualified below excellent), cases without a reason or
/// a new leader outside the team — each a 4xx naming its field, in zh and en, nothing written.
async fn evaluations_refuse_bad_input(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let en = app.admin().await.english();
    let s1 = w.s1;
    admin
        .ok_post(
            &format!("/api/v1/studios/{s1}/namings"),
            json!({"naming_unit_id": w.city_a, "named_on": "2020-06-01"}),
        )
        .await;
    let year: i64 = day(0)[..4].parse().unwrap();
    let (s, r) = admin.post("/api/v1/evaluation-runs", json!({"unit_id": w.city_a, "year": year})).await;
    assert_eq!(s, 202, "{r}");
    let run = r["id"].as_i64().unwrap();
    for _ in 0..200 {
        if admin.ok_get(&format!("/api/v1/evaluation-runs/{run}")).await["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let list = admin.ok_get(&format!("/api/v1/evaluations?studio_id={s1}")).await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let judge = format!("/api/v1/evaluations/{id}/items/venue");
    let tpl = format!("/api/v1/org-units/{}/evaluation-template", w.city_a);
    let mut t = admin.ok_get(&tpl).await["template"].clone();
    t["items"][0]["max_points"] = json!(20);
    let mut dup = admin.ok_get(&tpl).await["template"].clone();
    dup["items"][1]["code"] = json!("venue");
    let mut lines = admin.ok_get(&tpl).await["template"].clone();
    lines["qualified"] = json!(95);
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (Method::PUT, judge.clone(), json!({"points": 11, "reason": "超出分值"}), 422, "points"),
        (Method::PUT, judge.clone(), json!({"points": -1, "reason": "负分"}), 422, "points"),
        (Method::PUT, judge.clone(), json!({"points": 8}), 422, "reason"),
        (Method::PUT, judge.clone(), json!({"points": "八", "reason": "x"}), 422, "points"),
        (Method::PUT, format!("/api/v1/evaluations/{id}/items/nothing"), json!({"points": 1, "reason": "x"}), 404, ""),
        (Method::POST, "/api/v1/evaluation-runs".into(), json!({"unit_id": w.city_a, "year": year + 1}), 422, "year"),
        (Method::POST, "/api/v1/evaluation-runs".into(), json!({"unit_id": w.city_a}), 422, "year"),
        (
            Method::POST,
            "/api/v1/evaluation-confirmations".into(),
            json!({"unit_id": w.city_a, "year": year + 3}),
            422,
            "year",
        ),
        (Method::POST, format!("/api/v1/evaluations/{id}/confirm"), json!({"rectify_by": day(-1)}), 422, "rectify_by"),
        (Method::POST, format!("/api/v1/evaluations/{id}/reopen"), json!({"reason": "x"}), 409, ""),
        (Method::PUT, tpl.clone(), t, 422, "items"),
        (Method::PUT, tpl.clone(), dup, 422, "items.1.code"),
        (Method::PUT, tpl.clone(), lines, 422, "excellent"),
        (Method::PUT, tpl.clone(), json!({"items": [], "excellent": 90, "qualified": 60}), 422, "items"),
        (Method::POST, "/api/v1/studio-cases".into(), json!({"studio_id": s1, "kind": "cancellation"}), 422, "reason"),
        (
            Method::POST,
            "/api/v1/studio-cases".into(),
            json!({"studio_id": s1, "kind": "warning", "reason": "x"}),
            422,
            "kind",
        ),
        (
            Method::POST,
            "/api/v1/studio-cases".into(),
            json!({"studio_id": s1, "kind": "leader_change", "reason": "退休", "new_leader_person_id": w.leader2}),
            422,
            "new_leader_person_id",
        ),
        (
            Method::POST,
            "/api/v1/studio-cases".into(),
            json!({"studio_id": w.s2, "kind": "cancellation", "reason": "x"}),
            409,
            "",
        ),
    ];
    let failures = refusals(&app, |_| &admin, cases).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (_, v) = admin.put(&judge, json!({"points": 11, "reason": "x"})).await;
    assert_eq!(v["error"]["fields"]["points"], "应在0到10之间。");
    let (_, v) = en.put(&judge, json!({"points": 11, "reason": "x"})).await;
    assert!(v["error"]["fields"]["points"].as_str().unwrap().contains("10"), "{v}");
    let (_, v) = en.post("/api/v1/evaluation-runs", json!({"unit_id": w.city_a, "year": year + 1})).await;
    assert_eq!(v["error"]["fields"]["year"], "A year that has not begun cannot be evaluated.");
}

/// Rounds (申报批次): scores above a maximum, a refusal without its reason, a notice of 4 or 8
/// days, a studio outside the round, a deadline passed — each refused, nothing written, in the
/// caller's language.
async fn rounds_refuse_bad_input(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union = app.login("union.a", crate::common::PASSWORD).await;
    let round = |deadline: i64| {
        json!({"unit_id": w.province_a, "title": "省级申报", "deadline": day(deadline),
               "criteria": [{"name": "成果", "max_points": 40}, {"name": "团队", "max_points": 60}],
               "min_reviewers": 1, "reviewers": [w.account("reviewer.a")]})
    };
    let r = union.ok_post("/api/v1/rounds", round(10)).await["id"].as_i64().unwrap();
    let lead1 = app.login("lead1", crate::common::PASSWORD).await;
    let a = lead1.ok_post(&format!("/api/v1/rounds/{r}/applications"), json!({"studio_id": w.s1})).await["id"]
        .as_i64()
        .unwrap();
    let city = app.login("city.a", crate::common::PASSWORD).await;
    let reviewer = app.login("reviewer.a", crate::common::PASSWORD).await.english();
    let admin = app.admin().await;
    let cases: Vec<(Method, String, Value, u16, &str)> = vec![
        (Method::POST, "/api/v1/rounds".into(), round(-1), 422, "deadline"),
        (
            Method::POST,
            "/api/v1/rounds".into(),
            json!({"unit_id": w.province_a, "title": "x", "deadline": day(5),
            "criteria": [{"name": "成果", "max_points": 101}], "reviewers": [w.account("reviewer.a")]}),
            422,
            "criteria.0.max_points",
        ),
        (
            Method::POST,
            "/api/v1/rounds".into(),
            json!({"unit_id": w.e1, "title": "x", "deadline": day(5),
            "criteria": [{"name": "成果", "max_points": 10}], "min_reviewers": 1, "reviewers": [w.account("reviewer.a")]}),
            422,
            "unit_id",
        ),
        (Method::POST, format!("/api/v1/rounds/{r}/applications"), json!({"studio_id": w.s2}), 422, "studio_id"),
        (Method::POST, format!("/api/v1/applications/{a}/recommendation"), json!({"recommend": false}), 422, "reason"),
        (
            Method::PUT,
            format!("/api/v1/applications/{a}/scores"),
            json!({"scores": [{"points": 41}, {"points": 60}]}),
            422,
            "scores.0.points",
        ),
        (
            Method::PUT,
            format!("/api/v1/applications/{a}/scores"),
            json!({"scores": [{"points": 40}]}),
            422,
            "scores.1.points",
        ),
        (Method::POST, format!("/api/v1/applications/{a}/decision"), json!({"decision": "decline"}), 422, "reason"),
        (
            Method::POST,
            format!("/api/v1/applications/{a}/decision"),
            json!({"decision": "approve", "notice_starts_on": day(1), "notice_ends_on": day(4)}),
            422,
            "notice_ends_on",
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{a}/decision"),
            json!({"decision": "approve", "notice_starts_on": day(1), "notice_ends_on": day(8)}),
            422,
            "notice_ends_on",
        ),
        (
            Method::POST,
            format!("/api/v1/rounds/{r}/announcement"),
            json!({"certificate_no": "X-1"}),
            422,
            "certificate_no",
        ),
    ];
    // The recommendation first (for the scores), by the city, in the middle of the cases.
    let who = |path: &str| -> &Api {
        if path.ends_with("/scores") {
            &reviewer
        } else if path.ends_with("/recommendation") {
            &city
        } else if path.ends_with("/applications") {
            &admin
        } else {
            &union
        }
    };
    let (first, rest) = cases.split_at(5);
    let mut failures = refusals(&app, who, first.to_vec()).await;
    city.ok_post(&format!("/api/v1/applications/{a}/recommendation"), json!({"recommend": true})).await;
    failures.extend(refusals(&app, who, rest.to_vec()).await);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // In English too; and once the deadline has passed, nobody applies.
    let (_, v) = reviewer
        .put(&format!("/api/v1/applications/{a}/scores"), json!({"scores": [{"points": 41}, {"points": 1}]}))
        .await;
    assert!(
        v["error"]["fields"]["scores.0.points"].as_str().is_some_and(|m| m.contains("0") && m.contains("40")),
        "{v}"
    );
    app.state.clock.advance(std::time::Duration::from_secs(11 * 24 * 3600));
    let ent = app.login("ent1", crate::common::PASSWORD).await.english();
    let s3 = crate::common::studio(&app.admin().await, w.e1, w.p4, "刘一手技能大师工作室").await;
    let before = app.fingerprint().await;
    let (s, v) = ent.post(&format!("/api/v1/rounds/{r}/applications"), json!({"studio_id": s3})).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("closed")), "{v}");
    assert_eq!(before, app.fingerprint().await);
}

both!(
    refused_requests_change_nothing,
    messages_speak_the_callers_language,
    work_records_refuse_bad_input,
    inspections_refuse_bad_input,
    evaluations_refuse_bad_input,
    rounds_refuse_bad_input,
);
