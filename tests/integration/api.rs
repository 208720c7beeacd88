//! The API as a program uses it: the organisation tree, people, studios, search, the
//! checklist and its evidence, the audit history, health, the OpenAPI document.

use crate::both;
use crate::common::{Backend, TestApp, world};
use serde_json::json;

async fn tree_people_and_studios(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;

    // The tree: children of the root, a unit with its ancestors, the figures of a subtree.
    let kids = admin.ok_get("/api/v1/org-units/1/children").await;
    let names: Vec<&str> = kids["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["甲省总工会", "乙省总工会"]);
    let w1 = admin.ok_get(&format!("/api/v1/org-units/{}", w.w1)).await;
    assert_eq!(w1["ancestors"].as_array().unwrap().len(), 4);
    let stats = admin.ok_get(&format!("/api/v1/org-units/{}/stats", w.province_a)).await;
    assert_eq!(stats["studios"], 1);
    assert_eq!(stats["members"], 3);
    assert_eq!(stats["people"], 5);
    let draft = stats["by_state"].as_array().unwrap().iter().find(|c| c["code"] == "draft").unwrap();
    assert_eq!(draft["count"], 1);
    let root = admin.ok_get("/api/v1/org-units/1/stats").await;
    assert_eq!(
        (root["studios"].as_i64(), root["members"].as_i64(), root["people"].as_i64()),
        (Some(2), Some(5), Some(7))
    );

    // People: list in a subtree, search by fragment and by employee number, one person.
    let people = admin.ok_get(&format!("/api/v1/people?unit_id={}", w.e2)).await;
    assert_eq!(people["items"].as_array().unwrap().len(), 2);
    let found = admin.ok_get("/api/v1/people?q=%E5%B0%8F%E6%98%8E").await; // 小明
    assert_eq!(found["items"][0]["name"], "王小明");
    let by_no = admin.ok_get("/api/v1/people?q=E-%E5%BC%A0%E7%BA%A2").await; // E-张红
    assert_eq!(by_no["items"][0]["id"], w.p3);
    let p = admin.ok_get(&format!("/api/v1/people/{}", w.leader1)).await;
    assert_eq!(p["studios"][0]["studio"]["id"], w.s1);
    assert_eq!(p["studios"][0]["role"], "leader");

    // Studios: the record, its team, the directory with filters.
    let s = admin.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(
        (s["state"].as_str(), s["member_count"].as_i64(), s["leader_name"].as_str()),
        (Some("draft"), Some(3), Some("李建国"))
    );
    let members = admin.ok_get(&format!("/api/v1/studios/{}/members", w.s1)).await;
    assert_eq!(members.as_array().unwrap()[0]["role"], "leader");
    let dir = admin.ok_get("/api/v1/studios?state=draft&level=none").await;
    assert_eq!(dir["items"].as_array().unwrap().len(), 2);
    let within = admin.ok_get(&format!("/api/v1/studios?unit_id={}", w.province_b)).await;
    assert_eq!(within["items"][0]["id"], w.s2);
    let none = admin.ok_get("/api/v1/studios?state=named").await;
    assert!(none["items"].as_array().unwrap().is_empty());

    // Editing the record is audited with before and after.
    let (st, v) = admin
        .put(&format!("/api/v1/studios/{}", w.s1), json!({"name": "李建国劳模创新工作室", "kind": "model_worker", "field": "数控技术", "room": "技术中心302室", "area_m2": 120}))
        .await;
    assert!(st.is_success(), "{v}");
    assert_eq!(v["room"], "技术中心302室");
    let hist = admin.ok_get(&format!("/api/v1/history/studio/{}", w.s1)).await;
    let newest = &hist["items"][0];
    assert_eq!(newest["action"], "update");
    assert_eq!(newest["before"]["room"], "技术中心201室");
    assert_eq!(newest["after"]["room"], "技术中心302室");
    assert_eq!(newest["account_name"], "平台管理员");
    let person_hist = admin.ok_get(&format!("/api/v1/history/person/{}", w.p2)).await;
    assert_eq!(person_hist["items"][0]["action"], "create");

    // A record loaded without history (imported, generated) has an empty history, not a
    // missing one — for those who may read it; others still find nothing.
    let s2 = w.s2;
    app.behind_the_back("DELETE FROM audit_log WHERE entity = 'studio' AND entity_id = ?", s2).await;
    let empty = admin.ok_get(&format!("/api/v1/history/studio/{s2}")).await;
    assert!(empty["items"].as_array().unwrap().is_empty(), "{empty}");
    let page = crate::sessions::page_client(&app, "admin", crate::common::ADMIN_PASSWORD).await;
    let resp = page.get(format!("{}/history/studio/{s2}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("没有变更记录"));
    assert_eq!(
        app.login("ent1", crate::common::PASSWORD).await.get(&format!("/api/v1/history/studio/{s2}")).await.0,
        404
    );
    assert_eq!(admin.get("/api/v1/history/studio/999999").await.0, 404);
}

async fn search_by_any_fragment(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    for name in ["王铁军焊接技能大师工作室", "陈秀英客房服务创新工作室", "QC数控攻关工作室"]
    {
        crate::common::studio(&admin, w.e1, w.p3, name).await;
    }
    let find = |q: &str| {
        let admin = admin.clone();
        let path = format!("/api/v1/studios?q={}", crate::common::urlencode(q));
        async move {
            let v = admin.ok_get(&path).await;
            let mut names: Vec<String> =
                v["items"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
            names.sort();
            names
        }
    };
    assert_eq!(find("铁军").await, vec!["王铁军焊接技能大师工作室"]);
    assert_eq!(find("焊").await, vec!["王铁军焊接技能大师工作室"]);
    assert_eq!(find("客房服务").await, vec!["陈秀英客房服务创新工作室"]);
    assert_eq!(find("qc数控").await, vec!["QC数控攻关工作室"]);
    assert_eq!(find("建国劳模").await, vec!["李建国劳模创新工作室"]);
    assert_eq!(find("创新工作室").await.len(), 3);
    assert!(find("不存在的名字").await.is_empty());
    assert!(find("劳模服务").await.is_empty(), "every pair must be adjacent in the name");
    // A unit admin of province B finds only what lies in B.
    let union_b = app.login("union.b", crate::common::PASSWORD).await;
    let v = union_b.ok_get(&format!("/api/v1/studios?q={}", crate::common::urlencode("工作室"))).await;
    let ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![w.s2]);
    // Keyset pages: two at a time, no repeats, all found.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let v =
            admin.ok_get(&format!("/api/v1/studios?limit=2&q={}{cursor}", crate::common::urlencode("工作室"))).await;
        for s in v["items"].as_array().unwrap() {
            seen.push(s["id"].as_i64().unwrap());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (5, 5));
    // Units by name.
    let u = admin.ok_get(&format!("/api/v1/org-units?q={}", crate::common::urlencode("机械"))).await;
    assert_eq!(u["items"][0]["id"], w.e1);
}

async fn checklist_and_evidence(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", crate::common::PASSWORD).await;
    let items = lead.ok_get(&format!("/api/v1/studios/{}/checklist", w.s1)).await;
    let met = |v: &serde_json::Value, item: &str| {
        v.as_array().unwrap().iter().find(|i| i["item"] == item).unwrap()["met"].as_bool().unwrap()
    };
    assert!(met(&items, "team") && met(&items, "name"));
    assert!(!met(&items, "plaque"));
    // The leader uploads a photo of the plaque (needs the session's CSRF token with a cookie).
    let png = crate::common::tiny_png();
    let (status, body) = crate::common::upload(&app, "lead1", w.s1, "plaque", "牌匾.png", png.clone(), true).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content_type"], "image/png");
    let items = lead.ok_get(&format!("/api/v1/studios/{}/checklist", w.s1)).await;
    assert!(met(&items, "plaque"));
    // Without the CSRF token a cookie upload is refused.
    let (status, _) = crate::common::upload(&app, "lead1", w.s1, "venue", "a.png", png.clone(), false).await;
    assert_eq!(status, 403);
    // The file can be downloaded by whoever sees the studio.
    let id = body["id"].as_i64().unwrap();
    let mem = app.login("mem1", crate::common::PASSWORD).await;
    let resp = mem.client.get(format!("{}/api/v1/attachments/{id}", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().to_vec(), png);
    // Stored for the service user alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let sha = body["sha256"].as_str().unwrap();
        let stored = app.state.config.uploads_dir().join(&sha[..2]).join(sha);
        assert_eq!(std::fs::metadata(&stored).unwrap().permissions().mode() & 0o777, 0o600);
        let folder = app.state.config.uploads_dir();
        assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let outsider = app.login("ent2", crate::common::PASSWORD).await;
    assert_eq!(outsider.get(&format!("/api/v1/attachments/{id}")).await.0, 404);
    // Removing evidence un-meets the item; both are audited.
    let (s, _) = lead.delete(&format!("/api/v1/studios/{}/evidence/{id}", w.s1)).await;
    assert_eq!(s, 204);
    let items = lead.ok_get(&format!("/api/v1/studios/{}/checklist", w.s1)).await;
    assert!(!met(&items, "plaque"));
    let admin = app.admin().await;
    let h = admin.ok_get(&format!("/api/v1/history/attachment/{id}")).await;
    let actions: Vec<&str> = h["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["remove", "create"]);
}

async fn health_and_openapi(b: Backend) {
    let app = TestApp::start(b).await;
    let anon = app.anonymous();
    let (s, v) = anon.get("/healthz").await;
    assert_eq!((s.as_u16(), v.as_str()), (200, Some("ok")));
    let (s, _) = anon.get("/readyz").await;
    assert_eq!(s, 200);
    let doc = anon.ok_get("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/session",
        "/api/v1/org-units",
        "/api/v1/people",
        "/api/v1/studios",
        "/api/v1/studios/{id}/members",
        "/api/v1/studios/{id}/transitions",
        "/api/v1/tokens",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    // Unknown API routes answer in the error shape.
    let (s, v) = anon.get("/api/v1/nothing-here").await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["code"], "not_found");
}

async fn counters_match_the_records(b: Backend) {
    let app = TestApp::start(b).await;
    world(&app).await;
    assert!(app.scalar("SELECT COUNT(*) FROM figure_rollups").await > 0);
    app.assert_figures_rebuild().await;
}

both!(
    tree_people_and_studios,
    search_by_any_fragment,
    checklist_and_evidence,
    health_and_openapi,
    counters_match_the_records
);

async fn the_demo_set_loads_on_first_start(b: Backend) {
    let app = TestApp::start_with(b, |c| c.demo_on_first_start = true).await;
    let admin = app.admin().await;
    let stats = admin.ok_get("/api/v1/org-units/1/stats").await;
    assert_eq!((stats["studios"].as_i64(), stats["people"].as_i64()), (Some(60), Some(800)), "{stats}");
    assert!(stats["members"].as_i64().unwrap() >= 180);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studios").await, 60);
    // The generated ids continue: a new record gets the next id, not a clash.
    let e = app.scalar("SELECT MIN(id) FROM org_units WHERE kind = 'enterprise'").await;
    let u = admin
        .ok_post("/api/v1/org-units", serde_json::json!({"parent_id": e, "kind": "branch", "name": "新车间"}))
        .await;
    assert!(u["id"].as_i64().unwrap() > app.scalar("SELECT MAX(id) FROM org_units WHERE name <> '新车间'").await);
    // Figures and counters kept by the generator equal those computed from the records.
    app.assert_figures_rebuild().await;
    // The demo accounts work, and the leader sees their studio.
    let leader = app.login("leader", crate::common::ADMIN_PASSWORD).await;
    let mine = leader.ok_get("/api/v1/studios").await;
    assert!(!mine["items"].as_array().unwrap().is_empty());
    // Any studio is found by a fragment of its name.
    let name = mine["items"][0]["name"].as_str().unwrap().to_string();
    let fragment: String = name.chars().skip(1).take(3).collect();
    let found = admin.ok_get(&format!("/api/v1/studios?q={}", crate::common::urlencode(&fragment))).await;
    assert!(found["items"].as_array().unwrap().iter().any(|s| s["name"] == name.as_str()), "{fragment}");
}

both!(the_demo_set_loads_on_first_start);
