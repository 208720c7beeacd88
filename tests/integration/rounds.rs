//! Application rounds (申报批次): the whole path — open, apply, recommend, score by three
//! reviewers of whom one is excluded by a conflict of interest, decide, notice, an objection
//! upheld for one studio and the naming of another, written into its naming history —, who
//! sees a round and an application, and bad input that writes nothing, in Chinese and English.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, World, account, add_member, day, studio, world};
use serde_json::{Value, json};

struct Setup {
    w: World,
    round: i64,
    /// A second studio of E1 (leader 刘一手; members 孙工人, 王小明).
    s3: i64,
}

/// Two more reviewers (one of them 张红 of E1, a member of S1), a second studio of E1 and a
/// province round with conditions, two criteria (40 + 60) and three reviewers.
async fn setup(app: &TestApp) -> Setup {
    let w = world(app).await;
    let admin = app.admin().await;
    account(&admin, "rev2", None, w.province_a, &[("reviewer", w.province_a)]).await;
    account(&admin, "rev3", Some(w.p3), w.e1, &[("reviewer", w.province_a)]).await;
    account(&admin, "rev.other", None, w.province_a, &[("reviewer", w.province_a)]).await;
    let s3 = studio(&admin, w.e1, w.p4, "刘一手技能大师工作室").await;
    add_member(&admin, s3, w.worker_person).await;
    add_member(&admin, s3, w.p2).await;
    let union = app.login("union.a", PASSWORD).await;
    let ids: Vec<i64> = {
        let mut v = vec![w.account("reviewer.a")];
        for name in ["rev2", "rev3"] {
            let found = union.ok_get(&format!("/api/v1/lookup/reviewers?q={name}")).await;
            v.push(found[0]["id"].as_i64().unwrap_or_else(|| panic!("{name}: {found}")));
        }
        v
    };
    let r = union.ok_post("/api/v1/rounds", round_body(w.province_a, &ids)).await;
    assert_eq!(r["level"], "province");
    Setup { w, round: r["id"].as_i64().unwrap(), s3 }
}

fn round_body(unit: i64, reviewers: &[i64]) -> Value {
    json!({
        "unit_id": unit, "title": "2026年度省级劳模创新工作室申报", "deadline": day(10),
        "years_running": 3, "verified_outcomes": 1,
        "criteria": [{"name": "创新成果", "max_points": 40}, {"name": "团队建设", "max_points": 60}],
        "combine": "mean", "min_reviewers": 2, "reviewers": reviewers
    })
}

fn sheet(a: i64, b: i64) -> Value {
    json!({"scores": [{"points": a, "comment": "成果突出"}, {"points": b}]})
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.scalar(sql).await
}

async fn whole_path(b: Backend) {
    let app = TestApp::start(b).await;
    let Setup { w, round, s3 } = setup(&app).await;
    let union = app.login("union.a", PASSWORD).await;
    let city = app.login("city.a", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    let (rev1, rev2, rev3) =
        (app.login("reviewer.a", PASSWORD).await, app.login("rev2", PASSWORD).await, app.login("rev3", PASSWORD).await);

    // The leader applies for S1, the enterprise for S3; each studio takes the Apply step.
    let apps = format!("/api/v1/rounds/{round}/applications");
    let a1 = lead.ok_post(&apps, json!({"studio_id": w.s1, "statement": "团队攻关成果显著"})).await;
    assert_eq!(a1["state"], "submitted");
    assert_eq!(a1["recommend_unit_id"], w.city_a, "the city union between recommends");
    let a1 = a1["id"].as_i64().unwrap();
    let a3 = ent.ok_post(&apps, json!({"studio_id": s3})).await["id"].as_i64().unwrap();
    let s = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["state"], "applied", "{s}");
    assert_eq!(lead.post(&apps, json!({"studio_id": w.s1})).await.0, 409, "once per round");
    // The conditions are checked from the records: S1 was founded in 2020, has no outcome.
    let v = lead.ok_get(&format!("/api/v1/applications/{a1}")).await;
    let conds = v["conditions"].as_array().unwrap();
    assert_eq!(conds.len(), 2);
    assert_eq!((conds[0]["kind"].as_str(), conds[0]["met"].as_bool()), (Some("years_running"), Some(true)));
    assert_eq!((conds[1]["kind"].as_str(), conds[1]["met"].as_bool()), (Some("verified_outcomes"), Some(false)));
    assert_eq!(v["record"]["team"].as_array().unwrap().len(), 3);

    // The level below recommends; the enterprise may not; not recommending needs a reason.
    let rec = |id: i64| format!("/api/v1/applications/{id}/recommendation");
    assert_eq!(ent.post(&rec(a1), json!({"recommend": true})).await.0, 403);
    assert_eq!(city.post(&rec(a1), json!({"recommend": false})).await.0, 422);
    city.ok_post(&rec(a1), json!({"recommend": true})).await;
    city.ok_post(&rec(a3), json!({"recommend": true, "reason": "同意推荐"})).await;
    let s = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["state"], "under_review");

    // Three reviewers; 张红 (rev3) works for E1 and is on S1's team: excluded, 404.
    let sc = |id: i64| format!("/api/v1/applications/{id}/scores");
    assert_eq!(rev3.get(&format!("/api/v1/applications/{a1}")).await.0, 404);
    assert_eq!(rev3.put(&sc(a1), sheet(30, 50)).await.0, 404);
    rev1.ok_put(&sc(a1), sheet(35, 50)).await;
    rev1.ok_put(&sc(a1), sheet(36, 50)).await; // revised
    rev2.ok_put(&sc(a1), sheet(30, 55)).await;
    rev1.ok_put(&sc(a3), sheet(20, 30)).await;
    rev2.ok_put(&sc(a3), sheet(22, 28)).await;
    // A reviewer sees only their own sheet; the union every sheet and the combined score.
    let v = rev1.ok_get(&format!("/api/v1/applications/{a1}")).await;
    assert_eq!(v["sheets"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["my_sheet"]["total"], 86);
    assert!(v["combined"].is_null());
    let v = union.ok_get(&format!("/api/v1/applications/{a1}")).await;
    assert_eq!(v["sheets"].as_array().unwrap().len(), 2);
    assert_eq!(v["combined"], 8550, "mean of 86 and 85");
    let d = union.ok_get(&format!("/api/v1/rounds/{round}")).await;
    let first = &d["applications"].as_array().unwrap().iter().find(|r| r["rank"] == 1).unwrap()["application"];
    assert_eq!(first["id"], a1, "{d}");
    // The reviewer's home shows the queue.
    let (_, home) = rev1.get("/").await;
    assert!(home.as_str().is_some_and(|h| h.contains("李建国劳模创新工作室")), "the queue lists S1");

    // The union decides: both approved with a notice of 5–7 days.
    let dec = |id: i64| format!("/api/v1/applications/{id}/decision");
    assert_eq!(city.post(&dec(a1), json!({"decision": "approve"})).await.0, 403, "the city only recommends");
    let (s, body) = union
        .post(&dec(a1), json!({"decision": "approve", "notice_starts_on": day(0), "notice_ends_on": day(3)}))
        .await;
    assert_eq!(s, 422, "{body}");
    let (s, _) = union.post(&dec(a1), json!({"decision": "approve", "notice_ends_on": day(7)})).await;
    assert_eq!(s, 422, "8 days");
    union.ok_post(&dec(a1), json!({"decision": "approve", "notice_ends_on": day(6)})).await;
    union.ok_post(&dec(a3), json!({"decision": "approve"})).await;
    let s = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["state"], "public_notice");
    assert_eq!(rev1.put(&sc(a1), sheet(40, 60)).await.0, 409, "no revision after the decision");

    // An objection to S3 during the notice, upheld: S3 is declined with the reason.
    let obj = ent.ok_post(&format!("/api/v1/applications/{a3}/objections"), json!({"body": "成果数据不实"})).await;
    assert_eq!(obj["state"], "notice");
    let v = union.ok_get(&format!("/api/v1/applications/{a3}")).await;
    let oid = v["objections"][0]["id"].as_i64().unwrap();
    assert_eq!(union.post(&dec(a3), json!({"decision": "uphold_objection", "objection_id": oid})).await.0, 422);
    union
        .ok_post(
            &dec(a3),
            json!({"decision": "uphold_objection", "objection_id": oid, "reason": "经核查，成果效益数据不实"}),
        )
        .await;
    let v = ent.ok_get(&format!("/api/v1/applications/{a3}")).await;
    assert_eq!(v["application"]["state"], "declined");
    assert_eq!(v["application"]["decision_reason"], "经核查，成果效益数据不实", "the applicant sees why");
    let s = ent.ok_get(&format!("/api/v1/studios/{s3}")).await;
    assert_eq!(s["state"], "draft");

    // An objection to S1 too: it holds the naming until the union rules on it.
    ent.ok_post(&format!("/api/v1/applications/{a1}/objections"), json!({"body": "领衔人荣誉证书待核实"})).await;
    let oid1 = union.ok_get(&format!("/api/v1/applications/{a1}")).await["objections"][0]["id"].as_i64().unwrap();

    // Naming waits for the end of the notice, then is announced for the round.
    let ann = format!("/api/v1/rounds/{round}/announcement");
    assert_eq!(union.post(&ann, json!({})).await.0, 409);
    app.state.clock.advance(std::time::Duration::from_secs(8 * 24 * 3600));
    // Sessions expired meanwhile.
    let union = app.login("union.a", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    let rev3 = app.login("rev3", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let (s, v) = union.post(&ann, json!({"application_id": a1})).await;
    assert!(s == 409 && v["error"]["code"] == "objection_pending", "{v}");
    assert_eq!(union.post(&ann, json!({})).await.0, 409, "nothing of the round is free to name");
    let (_, page) = union.get(&format!("/applications/{a1}")).await;
    assert!(page.as_str().is_some_and(|p| !p.contains("id=\"name-one\"")), "no naming form while an objection waits");
    // Dismissed with the union's reply (required): the notice ran on, the objector is told.
    let dismiss = |reason: Option<&str>, oid: i64| json!({"decision": "dismiss_objection", "objection_id": oid, "reason": reason});
    assert_eq!(union.post(&dec(a1), dismiss(None, oid1)).await.0, 422);
    assert_eq!(union.post(&dec(a1), dismiss(Some("经核实，证书真实有效"), oid)).await.0, 422, "S3's objection");
    let told_before = count(&app, "SELECT COUNT(*) FROM notifications WHERE detail LIKE '%objection_dismissed%'").await;
    union.ok_post(&dec(a1), dismiss(Some("经核实，证书真实有效"), oid1)).await;
    assert_eq!(union.post(&dec(a1), dismiss(Some("再次"), oid1)).await.0, 422, "ruled once");
    let v = ent.ok_get(&format!("/api/v1/applications/{a1}")).await;
    assert_eq!(v["application"]["state"], "notice");
    assert_eq!(v["objections"][0]["dismissed"], true);
    assert_eq!(v["objections"][0]["ruling"], "经核实，证书真实有效", "the objector sees the reply");
    let told = count(&app, "SELECT COUNT(*) FROM notifications WHERE detail LIKE '%objection_dismissed%'").await;
    assert!(told >= told_before + 2, "the applicant and the objector: {told_before} → {told}");
    let (_, page) = union.get(&format!("/applications/{a1}")).await;
    assert!(page.as_str().is_some_and(|p| p.contains("id=\"name-one\"")), "the naming form once the notice is over");
    // One by one, with its certificate number; then nothing is left for the whole round.
    let named = union.ok_post(&ann, json!({"application_id": a1, "certificate_no": "JS-2026-001"})).await;
    assert_eq!(named.as_array().unwrap().len(), 1, "{named}");
    assert_eq!(named[0]["studio_id"], w.s1);
    assert_eq!(union.post(&ann, json!({})).await.0, 409);
    let s = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["state"], "named");
    assert_eq!(s["level"], "province");
    let namings = lead.ok_get(&format!("/api/v1/studios/{}/namings", w.s1)).await;
    let n = namings.as_array().unwrap();
    assert_eq!(n.len(), 1, "{namings}");
    assert_eq!(n[0]["naming_unit_id"], w.province_a);
    assert_eq!(n[0]["level"], "province");
    assert_eq!(n[0]["certificate_no"], "JS-2026-001");
    // The steps are the studio's transitions.
    let tr = lead.ok_get(&format!("/api/v1/studios/{}/transitions", w.s1)).await;
    let actions: Vec<&str> = tr.as_array().unwrap().iter().filter_map(|t| t["action"].as_str()).collect();
    for a in ["apply", "start_review", "approve", "name"] {
        assert!(actions.contains(&a), "{actions:?}");
    }
    // Everyone concerned was told.
    let told = count(&app, "SELECT COUNT(*) FROM notifications WHERE link LIKE '/applications/%'").await;
    assert!(told >= 8, "{told}");
    // Pages answer: the round, the application, the scoring page, the print.
    for p in [format!("/rounds/{round}"), format!("/applications/{a1}"), format!("/applications/{a1}/print")] {
        assert_eq!(union.get(&p).await.0, 200, "{p}");
    }
    assert_eq!(rev3.get(&format!("/applications/{a1}/score")).await.0, 404);
}

async fn who_sees_a_round(b: Backend) {
    let app = TestApp::start(b).await;
    let Setup { w, round, .. } = setup(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    let a1 = lead.ok_post(&format!("/api/v1/rounds/{round}/applications"), json!({"studio_id": w.s1})).await["id"]
        .as_i64()
        .unwrap();
    let city = app.login("city.a", PASSWORD).await;
    city.ok_post(&format!("/api/v1/applications/{a1}/recommendation"), json!({"recommend": true})).await;
    for (u, round_status, app_status) in [
        ("admin", 200, 200),
        ("union.a", 200, 200),
        ("city.a", 200, 200),
        ("ent1", 200, 200),
        ("lead1", 200, 200),
        ("mem1", 200, 404),
        ("worker1", 200, 404),
        ("reviewer.a", 200, 200),
        ("rev3", 200, 404),
        ("rev.other", 200, 404),
        ("ent2", 404, 404),
        ("union.b", 404, 404),
    ] {
        let api: Api = if u == "admin" { app.admin().await } else { app.login(u, PASSWORD).await };
        assert_eq!(api.get(&format!("/api/v1/rounds/{round}")).await.0, round_status, "{u} reads the round");
        assert_eq!(api.get(&format!("/api/v1/applications/{a1}")).await.0, app_status, "{u} reads the application");
        let listed = api.ok_get("/api/v1/rounds").await["items"].as_array().unwrap().len();
        assert_eq!(listed, usize::from(round_status == 200), "{u} lists");
        let (s, _) = api.put(&format!("/api/v1/applications/{a1}/scores"), sheet(10, 10)).await;
        let want = match u {
            "reviewer.a" => 200,
            _ if app_status == 404 => 404,
            _ => 403,
        };
        assert_eq!(s.as_u16(), want, "{u} scores");
    }
    // Union B opens a round of its own; union A never sees it, nor may A's reviewer be chosen.
    let admin = app.admin().await;
    let rev_b = account(&admin, "rev.b", None, w.province_b, &[("reviewer", w.province_b)]).await;
    let union_b = app.login("union.b", PASSWORD).await;
    let body = |reviewer: i64| {
        json!({
            "unit_id": w.province_b, "title": "乙省申报", "deadline": day(5),
            "criteria": [{"name": "成果", "max_points": 100}], "min_reviewers": 1, "reviewers": [reviewer]
        })
    };
    assert_eq!(union_b.post("/api/v1/rounds", body(w.account("reviewer.a"))).await.0, 422);
    let rb = union_b.ok_post("/api/v1/rounds", body(rev_b)).await["id"].as_i64().unwrap();
    let union_a = app.login("union.a", PASSWORD).await;
    assert_eq!(union_a.get(&format!("/api/v1/rounds/{rb}")).await.0, 404);
    assert_eq!(union_a.ok_get("/api/v1/rounds").await["items"].as_array().unwrap().len(), 1);
    let (s, e) = union_a.post("/api/v1/rounds", body(rev_b)).await;
    assert_eq!(s, 422, "B's unit is unknown to A");
    assert!(e["error"]["fields"]["unit_id"].is_string(), "{e}");
}

async fn bad_input_writes_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let Setup { w, round, .. } = setup(&app).await;
    let union = app.login("union.a", PASSWORD).await.english();
    let zh = app.login("union.a", PASSWORD).await;
    let rounds_before = count(&app, "SELECT COUNT(*) FROM rounds").await;
    let mut body = round_body(w.province_a, &[w.account("reviewer.a")]);
    body["criteria"] = json!([{"name": "成果", "max_points": 120}]);
    body["deadline"] = json!(day(-1));
    let (s, e) = union.post("/api/v1/rounds", body.clone()).await;
    assert_eq!(s, 422, "{e}");
    let f = &e["error"]["fields"];
    assert!(f["criteria.0.max_points"].is_string() && f["deadline"].is_string() && f["reviewers"].is_string(), "{e}");
    let (_, e) = zh.post("/api/v1/rounds", body).await;
    assert!(e["error"]["fields"]["deadline"].as_str().is_some_and(|m| m.contains("截止")), "{e}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rounds").await, rounds_before);

    // A studio outside the round's subtree; then the deadline passes.
    let admin = app.admin().await.english();
    let apps = format!("/api/v1/rounds/{round}/applications");
    let (s, e) = admin.post(&apps, json!({"studio_id": w.s2})).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["fields"]["studio_id"].as_str().is_some_and(|m| m.contains("scope")), "{e}");
    let lead = app.login("lead1", PASSWORD).await;
    let a1 = lead.ok_post(&apps, json!({"studio_id": w.s1})).await["id"].as_i64().unwrap();
    let city = app.login("city.a", PASSWORD).await.english();
    let (s, e) = city.post(&format!("/api/v1/applications/{a1}/recommendation"), json!({"recommend": false})).await;
    assert_eq!(s, 422);
    assert!(e["error"]["fields"]["reason"].is_string(), "missing reason: {e}");
    city.ok_post(&format!("/api/v1/applications/{a1}/recommendation"), json!({"recommend": true})).await;
    let rev = app.login("reviewer.a", PASSWORD).await.english();
    let (s, e) = rev.put(&format!("/api/v1/applications/{a1}/scores"), sheet(41, 10)).await;
    assert_eq!(s, 422, "above the maximum: {e}");
    assert!(e["error"]["fields"]["scores.0.points"].is_string(), "{e}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM round_sheets").await, 0);
    let (s, e) = union.post(&format!("/api/v1/applications/{a1}/decision"), json!({"decision": "decline"})).await;
    assert_eq!(s, 422, "a decline needs its reason: {e}");
    let (s, _) = union.post(&format!("/api/v1/applications/{a1}/decision"), json!({"decision": "approve"})).await;
    assert_eq!(s, 409, "no scores yet");
    app.state.clock.advance(std::time::Duration::from_secs(12 * 24 * 3600));
    let ent = app.login("ent1", PASSWORD).await;
    let before = count(&app, "SELECT COUNT(*) FROM round_applications").await;
    let s3 = studio(&app.admin().await, w.e1, w.p4, "刘一手技能大师工作室").await;
    let (s, e) = ent.post(&apps, json!({"studio_id": s3})).await;
    assert_eq!(s, 409, "deadline passed: {e}");
    assert!(e["error"]["message"].as_str().is_some_and(|m| m.contains("截止")), "{e}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM round_applications").await, before);
}

both!(whole_path, who_sees_a_round, bad_input_writes_nothing);
