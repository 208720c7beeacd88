//! The team: the leader proposes, the enterprise approves; members from other units; the
//! two-yearly review.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, world};
use serde_json::json;

async fn the_leader_proposes_and_the_enterprise_decides(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let members = |api: &crate::common::Api| {
        let (api, path) = (api.clone(), format!("/api/v1/studios/{}/members", w.s1));
        async move {
            api.ok_get(&path)
                .await
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["person_id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    // The leader finds a colleague of the enterprise and proposes them.
    let found =
        lead.ok_get(&format!("/api/v1/studios/{}/candidates?q={}", w.s1, crate::common::urlencode("刘一"))).await;
    assert_eq!(found["items"][0]["id"], w.p4);
    let p = lead
        .ok_post(
            &format!("/api/v1/studios/{}/members", w.s1),
            json!({"kind": "join", "person_id": w.p4, "role": "core", "duty": "工艺改进"}),
        )
        .await;
    assert_eq!(p["status"], "pending");
    assert!(!members(&lead).await.contains(&w.p4), "not a member before the approval");
    let (s, v) =
        lead.post(&format!("/api/v1/studios/{}/members", w.s1), json!({"kind": "join", "person_id": w.p4})).await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (409, Some("proposal_pending")));
    // The leader cannot reach people outside the enterprise.
    let (s, v) =
        lead.post(&format!("/api/v1/studios/{}/members", w.s1), json!({"kind": "join", "person_id": w.q2})).await;
    assert_eq!(s, 422, "{v}");
    // The enterprise approves; the member is on the team.
    let (s, v) =
        lead.post(&format!("/api/v1/member-proposals/{}/decision", p["id"]), json!({"decision": "approve"})).await;
    assert_eq!(s, 403, "{v}");
    let d = ent1
        .ok_post(
            &format!("/api/v1/member-proposals/{}/decision", p["id"]),
            json!({"decision": "approve", "note": "同意"}),
        )
        .await;
    assert_eq!((d["status"].as_str(), d["decided_by_name"].as_str()), (Some("approved"), Some("ent1")));
    assert!(members(&lead).await.contains(&w.p4));
    let studio = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(studio["member_count"], 4);
    let (s, _) = ent1
        .post(&format!("/api/v1/member-proposals/{}/decision", p["id"]), json!({"decision": "reject", "note": "x"}))
        .await;
    assert_eq!(s, 409, "a decided proposal stays decided");

    // A leave is proposed; a rejection needs a reason; the member stays.
    let team = lead.ok_get(&format!("/api/v1/studios/{}/members", w.s1)).await;
    let p2_member = team.as_array().unwrap().iter().find(|m| m["person_id"] == w.p2).unwrap()["id"].as_i64().unwrap();
    let leave = lead
        .ok_post(
            &format!("/api/v1/studios/{}/members", w.s1),
            json!({"kind": "leave", "member_id": p2_member, "reason": "调岗"}),
        )
        .await;
    let (s, v) =
        ent1.post(&format!("/api/v1/member-proposals/{}/decision", leave["id"]), json!({"decision": "reject"})).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["note"].is_string());
    let r = ent1
        .ok_post(
            &format!("/api/v1/member-proposals/{}/decision", leave["id"]),
            json!({"decision": "reject", "note": "项目攻关期间暂不调整"}),
        )
        .await;
    assert_eq!(r["status"], "rejected");
    assert!(members(&lead).await.contains(&w.p2));
    // Approved this time: the member leaves and stays on record as a former member.
    let leave = lead
        .ok_post(&format!("/api/v1/studios/{}/members", w.s1), json!({"kind": "leave", "member_id": p2_member}))
        .await;
    ent1.ok_post(&format!("/api/v1/member-proposals/{}/decision", leave["id"]), json!({"decision": "approve"})).await;
    assert!(!members(&lead).await.contains(&w.p2));
    let all = lead.ok_get(&format!("/api/v1/studios/{}/members?include_former=true", w.s1)).await;
    let former = all.as_array().unwrap().iter().find(|m| m["person_id"] == w.p2).unwrap();
    assert!(former["left_on"].is_string());
    // The leader does not leave by proposal.
    let leader_member =
        team.as_array().unwrap().iter().find(|m| m["role"] == "leader").unwrap()["id"].as_i64().unwrap();
    let (s, v) = lead
        .post(&format!("/api/v1/studios/{}/members", w.s1), json!({"kind": "leave", "member_id": leader_member}))
        .await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (409, Some("leader_cannot_leave")));
    // Members may come from another enterprise, added by someone whose scope reaches them.
    let admin = app.admin().await;
    crate::common::add_member(&admin, w.s1, w.q2).await;
    let team = lead.ok_get(&format!("/api/v1/studios/{}/members", w.s1)).await;
    let q2 = team.as_array().unwrap().iter().find(|m| m["person_id"] == w.q2).unwrap();
    assert_eq!(q2["unit_name"], "西山电力有限公司");
    // Every team change is audited.
    let h = admin.ok_get(&format!("/api/v1/history/studio_member/{p2_member}")).await;
    let actions: Vec<&str> = h["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["end", "create"]);
    assert!(h["items"][0]["after"]["left_on"].is_string());
    // Members are distinct people on the day: six places on two teams, q2 on both.
    let figures = admin.ok_get("/api/v1/stats?unit_id=1").await;
    assert_eq!(figures["members"]["value"], 5, "{}", figures["members"]);
    let list = admin.ok_get(&format!("/api/v1{}", figures["members"]["link"].as_str().unwrap())).await;
    assert_eq!(list["total"], 5);
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    app.assert_figures_rebuild().await;
}

async fn the_team_is_reviewed_every_two_years(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    // Founded 2020-03-01 without a review since: the review is overdue.
    let s = lead.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert!(s["team_reviewed_on"].is_null());
    let today = jiangxin::clock::today();
    let v =
        lead.ok_post(&format!("/api/v1/studios/{}/team-review", w.s1), json!({"reviewed_on": today.to_string()})).await;
    assert_eq!(v["team_reviewed_on"], today.to_string());
    let mem = app.login("mem1", PASSWORD).await;
    let (s, _) = mem.post(&format!("/api/v1/studios/{}/team-review", w.s1), json!({})).await;
    assert_eq!(s, 403);
}

both!(the_leader_proposes_and_the_enterprise_decides, the_team_is_reviewed_every_two_years);
