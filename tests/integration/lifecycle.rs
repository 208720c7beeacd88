//! The life cycle of a studio through the API, each step by the role that may take it,
//! recorded with who, when and why; illegal steps refused with a clear message.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, world};
use serde_json::{Value, json};

fn days_from_today(d: i64) -> String {
    let today = jiangxin::clock::today();
    today.checked_add(jiff::Span::new().days(d)).unwrap().to_string()
}

async fn from_draft_to_revoked(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let city = app.login("city.a", PASSWORD).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let path = format!("/api/v1/studios/{}/transitions", w.s1);
    let step = |api: &crate::common::Api, body: Value| {
        let (api, path) = (api.clone(), path.clone());
        async move { api.post(&path, body).await }
    };

    // The enterprise applies to the city union for a city-level naming.
    let (s, v) = step(&ent1, json!({"action": "apply", "target_unit_id": w.city_a, "reason": "符合市级条件"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["state"].as_str(), v["applying_level"].as_str()), (Some("applied"), Some("city")));
    // Only the union applied to runs the review.
    assert_eq!(step(&ent1, json!({"action": "start_review"})).await.0, 403);
    let (s, v) = step(&city, json!({"action": "start_review"})).await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("under_review")));
    // A notice of four days is refused; one of a week that ended yesterday is accepted.
    let (s, v) = step(
        &city,
        json!({"action": "approve", "notice_starts_on": days_from_today(-10), "notice_ends_on": days_from_today(-7)}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["notice_ends_on"].is_string());
    let (s, v) = step(
        &city,
        json!({"action": "approve", "notice_starts_on": days_from_today(-7), "notice_ends_on": days_from_today(-1)}),
    )
    .await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("public_notice")), "{v}");
    // Naming needs the certificate number.
    let (s, v) = step(&city, json!({"action": "name"})).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["certificate_no"].is_string());
    let (s, v) = step(&city, json!({"action": "name", "certificate_no": "甲一工发〔2026〕18号-01"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["level"].as_str(), v["supervisor_unit_id"].as_i64()),
        (Some("named"), Some("city"), Some(w.city_a))
    );
    assert!(v["applying_unit_id"].is_null());
    let namings = ent1.ok_get(&format!("/api/v1/studios/{}/namings", w.s1)).await;
    assert_eq!(namings[0]["certificate_no"], "甲一工发〔2026〕18号-01");
    assert_eq!(namings[0]["level"], "city");

    // The unions over the naming unit may warn; the enterprise may not.
    assert_eq!(
        step(&union_a, json!({"action": "warn", "reason": "x", "rectify_by": days_from_today(30)})).await.0,
        200,
        "the province union covers the city's subtree"
    );
    let (s, v) = step(&city, json!({"action": "lift_warning", "reason": "整改到位"})).await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("named")));
    assert_eq!(step(&ent1, json!({"action": "warn", "reason": "x", "rectify_by": days_from_today(30)})).await.0, 403);
    let (s, _) =
        step(&city, json!({"action": "warn", "reason": "年度考核不合格", "rectify_by": days_from_today(0)})).await;
    assert_eq!(s, 422, "the deadline must lie in the future");
    let (s, v) =
        step(&city, json!({"action": "warn", "reason": "年度考核不合格", "rectify_by": days_from_today(90)})).await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("warned")));
    assert_eq!(v["rectify_by"].as_str(), Some(days_from_today(90).as_str()));
    let (s, v) = step(&city, json!({"action": "revoke"})).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["reason"].is_string());
    let (s, v) = step(&city, json!({"action": "revoke", "reason": "连续两年考核不合格"})).await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("revoked")));
    // Nothing leaves a terminal state.
    for action in ["apply", "cancel", "lift_warning", "name"] {
        let (s, v) = step(&city, json!({"action": action, "reason": "x", "target_unit_id": w.province_a})).await;
        assert_eq!(s, 409, "{action}: {v}");
        assert_eq!(v["error"]["code"], "invalid_transition");
    }

    // Every step is on record: what, from and to, who, why.
    let hist = ent1.ok_get(&format!("/api/v1/studios/{}/transitions", w.s1)).await;
    let steps: Vec<(&str, &str, &str)> = hist
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["action"].as_str().unwrap(), t["from_state"].as_str().unwrap(), t["to_state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("apply", "draft", "applied"),
            ("start_review", "applied", "under_review"),
            ("approve", "under_review", "public_notice"),
            ("name", "public_notice", "named"),
            ("warn", "named", "warned"),
            ("lift_warning", "warned", "named"),
            ("warn", "named", "warned"),
            ("revoke", "warned", "revoked"),
        ]
    );
    assert_eq!(hist[0]["actor_name"], "ent1");
    assert_eq!(hist[0]["reason"], "符合市级条件");
    assert_eq!(hist[7]["actor_name"], "city.a");
    assert_eq!(hist[7]["reason"], "连续两年考核不合格");
    assert!(hist[0]["at"].as_i64().unwrap() > 0);
    // The studio's counters moved with it.
    let stats = ent1.ok_get(&format!("/api/v1/org-units/{}/stats", w.e1)).await;
    let by_state = |code: &str| {
        stats["by_state"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["count"].as_i64().unwrap()
    };
    assert_eq!((by_state("revoked"), by_state("draft")), (1, 0));
}

async fn applications_follow_the_rules(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    // Too small a team.
    let s3 = crate::common::studio(&admin, w.e1, w.p4, "刘一手技能大师工作室").await;
    let (s, v) = admin
        .post(&format!("/api/v1/studios/{s3}/transitions"), json!({"action": "apply", "target_unit_id": w.e1}))
        .await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (409, Some("team_too_small")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains('3'));
    // Named at enterprise level, a studio may apply higher but not at the same level.
    let path = format!("/api/v1/studios/{}/transitions", w.s1);
    for body in [
        json!({"action": "apply", "target_unit_id": w.e1}),
        json!({"action": "start_review"}),
        json!({"action": "approve", "notice_starts_on": days_from_today(-8), "notice_ends_on": days_from_today(-2)}),
        json!({"action": "name", "certificate_no": "E1-001"}),
    ] {
        let (s, v) = admin.post(&path, body).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) = admin.post(&path, json!({"action": "apply", "target_unit_id": w.e1})).await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (409, Some("level_not_higher")));
    let (s, v) = admin.post(&path, json!({"action": "apply", "target_unit_id": w.province_a})).await;
    assert_eq!((s.as_u16(), v["state"].as_str(), v["level"].as_str()), (200, Some("applied"), Some("enterprise")));
    // Declined after review, it returns to its standing: named at enterprise level.
    admin.ok_post(&path, json!({"action": "start_review"})).await;
    let (s, v) = admin.post(&path, json!({"action": "decline", "reason": "成果不足三项"})).await;
    assert_eq!((s.as_u16(), v["state"].as_str(), v["level"].as_str()), (200, Some("named"), Some("enterprise")));
    // A notice still running blocks the naming; a certificate number is issued once per unit.
    let s2 = format!("/api/v1/studios/{}/transitions", w.s2);
    crate::common::add_member(&admin, w.s2, w.worker_person).await;
    for body in [
        json!({"action": "apply", "target_unit_id": w.province_b}),
        json!({"action": "start_review"}),
        json!({"action": "approve"}),
    ] {
        admin.ok_post(&s2, body).await;
    }
    let (s, v) = admin.post(&s2, json!({"action": "name", "certificate_no": "B-1"})).await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (409, Some("notice_not_over")), "{v}");
    let (s, _) = admin.post(&s2, json!({"action": "uphold_objection", "reason": "群众反映成果造假"})).await;
    assert_eq!(s, 200);
    let v = admin.ok_get(&format!("/api/v1/studios/{}", w.s2)).await;
    assert_eq!((v["state"].as_str(), v["level"].as_str()), (Some("draft"), None));
    let s4 = crate::common::studio(&admin, w.e1, w.p3, "张红创新工作室").await;
    crate::common::add_member(&admin, s4, w.p4).await;
    crate::common::add_member(&admin, s4, w.worker_person).await;
    let p4 = format!("/api/v1/studios/{s4}/transitions");
    for body in [
        json!({"action": "apply", "target_unit_id": w.e1}),
        json!({"action": "start_review"}),
        json!({"action": "approve", "notice_starts_on": days_from_today(-8), "notice_ends_on": days_from_today(-2)}),
    ] {
        admin.ok_post(&p4, body).await;
    }
    let before = app.fingerprint().await;
    let (s, v) = admin.post(&p4, json!({"action": "name", "certificate_no": "E1-001"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["certificate_no"].is_string());
    assert_eq!(before, app.fingerprint().await);
    // Cancelling needs a reason and ends any application.
    let (s, v) = admin.post(&p4, json!({"action": "cancel", "reason": "企业搬迁"})).await;
    assert_eq!((s.as_u16(), v["state"].as_str()), (200, Some("cancelled")));
    assert!(v["applying_unit_id"].is_null());
}

both!(from_draft_to_revoked, applications_follow_the_rules);
