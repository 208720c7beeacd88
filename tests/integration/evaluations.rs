//! The annual evaluation (年度考核) and dynamic management: computed items against hand-counted
//! records, judged items kept across re-runs, confirmation and what a failed year leads to
//! (warning → re-check → lifted, or → revocation proposal → revoked; two failed years running
//! → proposal at once), leader changes and cancellations approved by the naming union, the
//! studios at risk, templates, and who may do what.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, World, day, person, world};
use serde_json::{Value, json};

fn this_year() -> i64 {
    day(0)[..4].parse().unwrap()
}

/// Names studio 1 at the city union (its supervisor).
async fn name(admin: &Api, studio: i64, unit: i64) {
    let v = admin
        .ok_post(
            &format!("/api/v1/studios/{studio}/namings"),
            json!({"naming_unit_id": unit, "named_on": "2020-06-01"}),
        )
        .await;
    assert_eq!(v["state"], "named", "{v}");
}

/// Runs the evaluation of a unit's year and waits for it.
async fn run(api: &Api, unit: i64, year: i64) {
    let (s, r) = api.post("/api/v1/evaluation-runs", json!({"unit_id": unit, "year": year})).await;
    assert_eq!(s, 202, "{r}");
    let id = r["id"].as_i64().unwrap();
    for _ in 0..200 {
        let r = api.ok_get(&format!("/api/v1/evaluation-runs/{id}")).await;
        if r["state"] == "done" {
            return;
        }
        assert_ne!(r["state"], "failed", "{r}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not finish");
}

/// Recomputes the studios at risk of a unit (as an officer's button does), waits for the
/// forecast and reads the list; its count is the length of the whole list.
async fn at_risk(api: &Api, unit: i64) -> Value {
    let (s, r) = api.post(&format!("/api/v1/org-units/{unit}/at-risk"), json!({})).await;
    assert_eq!(s, 202, "{r}");
    assert_eq!(r["kind"], "forecast", "{r}");
    let id = r["id"].as_i64().unwrap();
    for _ in 0..200 {
        let r = api.ok_get(&format!("/api/v1/evaluation-runs/{id}")).await;
        if r["state"] == "done" {
            let list = api.ok_get(&format!("/api/v1/org-units/{unit}/at-risk")).await;
            assert_eq!(list["at_risk"].as_i64().unwrap() as usize, list["items"].as_array().unwrap().len(), "{list}");
            assert!(list["computed_at"].is_i64() || list["studios"] == 0, "{list}");
            return list;
        }
        assert_ne!(r["state"], "failed", "{r}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the forecast did not finish");
}

async fn evaluation_of(api: &Api, studio: i64, year: i64) -> Value {
    let list = api.ok_get(&format!("/api/v1/evaluations?studio_id={studio}&year={year}")).await;
    let id = list["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("an evaluation: {list}"));
    api.ok_get(&format!("/api/v1/evaluations/{id}")).await
}

fn item<'a>(e: &'a Value, code: &str) -> &'a Value {
    e["items"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} in {e}"))
}

/// Puts an agreement in force for a new apprentice of the enterprise.
async fn apprentice(w: &World, admin: &Api, lead: &Api, ent: &Api, n: usize) {
    let p = person(admin, w.e1, &format!("学徒{n}")).await;
    let m = lead
        .ok_post(
            "/api/v1/mentorships",
            json!({"studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": p, "trade": "数控车工",
                   "starts_on": day(-1), "teaching_plan": "每周现场带教两次。", "allowance_yuan": 1000}),
        )
        .await;
    let id = m["id"].as_i64().unwrap();
    lead.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_pair"})).await;
    ent.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_agreement"})).await;
}

async fn computed_judged_confirmed_and_lifted(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let city = app.login("city.a", PASSWORD).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    let union_b = app.login("union.b", PASSWORD).await;
    let y = this_year();
    name(&admin, w.s1, w.city_a).await;
    for n in 0..9 {
        apprentice(&w, &admin, &lead, &ent, n).await;
    }
    // Only a union runs the evaluation of its subtree; a year not begun is refused.
    assert_eq!(ent.post("/api/v1/evaluation-runs", json!({"unit_id": w.e1, "year": y})).await.0, 403);
    assert_eq!(union_b.post("/api/v1/evaluation-runs", json!({"unit_id": w.city_a, "year": y})).await.0, 422);
    let (s, v) = union_a.post("/api/v1/evaluation-runs", json!({"unit_id": w.province_a, "year": y + 1})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["year"].is_string());
    run(&union_a, w.province_a, y).await;
    let e = evaluation_of(&ent, w.s1, y).await;
    let a = item(&e, "apprentices");
    assert_eq!(
        (a["value"].as_i64(), a["points"].as_i64(), a["deduction"].as_i64()),
        (Some(9), Some(9), Some(1)),
        "{a}"
    );
    let records = e["records"].as_array().unwrap().iter().find(|r| r["code"] == "apprentices").unwrap();
    assert_eq!(records["records"].as_array().unwrap().len(), 9, "the list behind the number");
    assert!(records["records"][0]["link"].as_str().unwrap().starts_with("/mentorships/"));
    let id = e["id"].as_i64().unwrap();

    // A judged item: by a union over the studio, never the enterprise, out of sight for union B.
    let judge = format!("/api/v1/evaluations/{id}/items/venue");
    assert_eq!(ent.put(&judge, json!({"points": 8, "reason": "场地达标"})).await.0, 403);
    assert_eq!(union_b.put(&judge, json!({"points": 8, "reason": "场地达标"})).await.0, 404);
    assert_eq!(union_b.get(&format!("/api/v1/evaluations/{id}")).await.0, 404);
    let (s, v) = city.put(&judge, json!({"points": 11, "reason": "超出"})).await;
    assert_eq!(s, 422, "{v}");
    let e = city.ok_put(&judge, json!({"points": 8, "reason": "场地面积 60㎡，设备布置合理"})).await;
    assert_eq!(item(&e, "venue")["points"], 8);

    // The tenth apprentice: full points; the judged item is kept across the re-run.
    apprentice(&w, &admin, &lead, &ent, 9).await;
    run(&union_a, w.province_a, y).await;
    let e = evaluation_of(&lead, w.s1, y).await;
    assert_eq!(
        (item(&e, "apprentices")["points"].as_i64(), item(&e, "apprentices")["deduction"].as_i64()),
        (Some(10), Some(0))
    );
    let venue = item(&e, "venue");
    assert_eq!(venue["points"], 8);
    assert_eq!(venue["judged_by_name"], "city.a");
    assert!(venue["reason"].as_str().unwrap().contains("60㎡"));
    let total = e["total"].as_i64().unwrap();
    assert!(total < 60, "{e}");
    assert_eq!(e["grade"], "failed");

    // Confirmed: fixed; the failed year warns the studio with a deadline, the leader is told.
    assert_eq!(ent.post(&format!("/api/v1/evaluations/{id}/confirm"), json!({})).await.0, 403);
    let by = day(60);
    let c = city.ok_post(&format!("/api/v1/evaluations/{id}/confirm"), json!({"rectify_by": by})).await;
    assert_eq!(c["state"], "confirmed");
    assert_eq!(city.put(&judge, json!({"points": 9, "reason": "复核"})).await.0, 409);
    let studio = ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(
        (studio["state"].as_str(), studio["rectify_by"].as_str()),
        (Some("warned"), Some(by.as_str())),
        "{studio}"
    );
    let cases = ent.ok_get(&format!("/api/v1/studio-cases?studio_id={}", w.s1)).await;
    let warning = &cases["items"][0];
    assert_eq!((warning["kind"].as_str(), warning["state"].as_str()), (Some("warning"), Some("open")), "{cases}");
    let notes = lead.ok_get("/api/v1/notifications").await;
    assert!(notes.to_string().contains("studio_warned"), "{notes}");

    // The re-check passes before the deadline: the warning is lifted.
    let k = warning["id"].as_i64().unwrap();
    assert_eq!(ent.post(&format!("/api/v1/studio-cases/{k}/steps"), json!({"action": "pass"})).await.0, 403);
    let k2 = city.ok_post(&format!("/api/v1/studio-cases/{k}/steps"), json!({"action": "pass"})).await;
    assert_eq!(k2["state"], "passed");
    assert_eq!(ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["state"], "named");

    // A correction reopens with a reason (audited).
    assert_eq!(city.post(&format!("/api/v1/evaluations/{id}/reopen"), json!({})).await.0, 422);
    let r = city.ok_post(&format!("/api/v1/evaluations/{id}/reopen"), json!({"reason": "复核更正"})).await;
    assert_eq!(r["state"], "open");
    // The counts by grade and state, kept through the runs, the judgement, the confirmation
    // and the reopening, equal a count of the records.
    app.assert_figures_rebuild().await;
}

async fn failed_recheck_revokes_and_two_failed_years_propose(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let city = app.login("city.a", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let union_b = app.login("union.b", PASSWORD).await;
    let y = this_year();
    name(&admin, w.s1, w.city_a).await;
    run(&city, w.city_a, y).await;
    // The subtree's year is confirmed at once.
    let n = city.ok_post("/api/v1/evaluation-confirmations", json!({"unit_id": w.city_a, "year": y})).await;
    assert_eq!(n["confirmed"], 1);
    let cases = city.ok_get(&format!("/api/v1/studio-cases?studio_id={}&kind=warning", w.s1)).await;
    let first = cases["items"][0]["id"].as_i64().unwrap();
    assert_eq!(ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["state"], "warned");
    // Reopened for a correction: the warning it led to is withdrawn and the studio named again;
    // confirmed again (still failing), a new warning opens.
    let e = city.ok_get(&format!("/api/v1/evaluations?studio_id={}&year={y}", w.s1)).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    city.ok_post(&format!("/api/v1/evaluations/{e}/reopen"), json!({"reason": "检查组评分录入有误，重新评定"})).await;
    assert_eq!(city.ok_get(&format!("/api/v1/studio-cases/{first}")).await["state"], "withdrawn");
    assert_eq!(ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["state"], "named");
    city.ok_post("/api/v1/evaluation-confirmations", json!({"unit_id": w.city_a, "year": y})).await;
    let cases = city.ok_get(&format!("/api/v1/studio-cases?studio_id={}&kind=warning&state=open", w.s1)).await;
    let k = cases["items"][0]["id"].as_i64().unwrap();
    assert_ne!(k, first);
    assert_eq!(ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["state"], "warned");
    // The re-check fails (a reason is needed): a revocation proposal follows.
    assert_eq!(city.post(&format!("/api/v1/studio-cases/{k}/steps"), json!({"action": "fail"})).await.0, 422);
    city.ok_post(&format!("/api/v1/studio-cases/{k}/steps"), json!({"action": "fail", "note": "整改不到位"})).await;
    let p = city.ok_get(&format!("/api/v1/studio-cases?studio_id={}&kind=revocation", w.s1)).await;
    let pid = p["items"][0]["id"].as_i64().unwrap();
    assert_eq!(p["items"][0]["follows_id"].as_i64(), Some(k));
    assert_eq!(ent.post(&format!("/api/v1/studio-cases/{pid}/steps"), json!({"action": "approve"})).await.0, 403);
    let d = city.ok_get(&format!("/api/v1/studio-cases/{pid}")).await;
    assert_eq!(d["actions"], json!(["approve", "reject"]));
    // A result whose re-check was decided can no longer be reopened.
    let (st, v) = city.post(&format!("/api/v1/evaluations/{e}/reopen"), json!({"reason": "再次更正"})).await;
    assert!(st == 409 && v["error"]["code"] == "evaluation_acted_on", "{v}");
    city.ok_post(&format!("/api/v1/studio-cases/{pid}/steps"), json!({"action": "approve"})).await;
    let s = ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["state"], "revoked");
    let tr = ent.ok_get(&format!("/api/v1/studios/{}/transitions", w.s1)).await;
    assert!(tr.to_string().contains("整改不到位"), "the revocation carries the reason: {tr}");

    // Studio 2 fails two years running: the second confirmation proposes revocation at once.
    name(&admin, w.s2, w.province_b).await;
    run(&union_b, w.province_b, y - 1).await;
    union_b.ok_post("/api/v1/evaluation-confirmations", json!({"unit_id": w.province_b, "year": y - 1})).await;
    run(&union_b, w.province_b, y).await;
    union_b.ok_post("/api/v1/evaluation-confirmations", json!({"unit_id": w.province_b, "year": y})).await;
    let p = union_b.ok_get(&format!("/api/v1/studio-cases?studio_id={}&kind=revocation&state=open", w.s2)).await;
    assert_eq!(p["items"].as_array().unwrap().len(), 1, "{p}");
    let failed = union_b.ok_get(&format!("/api/v1/evaluations?unit_id={}&grade=failed", w.province_b)).await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 2);
}

async fn leader_change_and_cancellation(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let city = app.login("city.a", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    name(&admin, w.s1, w.city_a).await;
    // The new leader must be a member; a reason is needed.
    let (s, v) = ent
        .post("/api/v1/studio-cases", json!({"studio_id": w.s1, "kind": "leader_change", "reason": "退休", "new_leader_person_id": w.worker_person}))
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(
        lead.post("/api/v1/studio-cases", json!({"studio_id": w.s1, "kind": "cancellation", "reason": "x"})).await.0,
        403
    );
    let k = ent
        .ok_post("/api/v1/studio-cases", json!({"studio_id": w.s1, "kind": "leader_change", "reason": "李建国同志退休", "new_leader_person_id": w.p2}))
        .await;
    let id = k["id"].as_i64().unwrap();
    assert_eq!(ent.post(&format!("/api/v1/studio-cases/{id}/steps"), json!({"action": "approve"})).await.0, 403);
    city.ok_post(&format!("/api/v1/studio-cases/{id}/steps"), json!({"action": "approve"})).await;
    let s = ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["leader_person_id"].as_i64(), Some(w.p2), "{s}");
    // A cancellation asked by the enterprise, approved by the naming union.
    let k = ent
        .ok_post(
            "/api/v1/studio-cases",
            json!({"studio_id": w.s1, "kind": "cancellation", "reason": "产线搬迁，工作室撤并"}),
        )
        .await;
    let id = k["id"].as_i64().unwrap();
    assert_eq!(
        ent.post("/api/v1/studio-cases", json!({"studio_id": w.s1, "kind": "cancellation", "reason": "again"})).await.0,
        409
    );
    city.ok_post(&format!("/api/v1/studio-cases/{id}/steps"), json!({"action": "approve"})).await;
    assert_eq!(ent.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["state"], "cancelled");
}

async fn at_risk_and_templates(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let union_a = app.login("union.a", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    name(&admin, w.s1, w.city_a).await;
    let before = union_a.ok_get(&format!("/api/v1/org-units/{}/at-risk", w.province_a)).await;
    assert!(before["computed_at"].is_null() && before["at_risk"] == 0, "not forecast yet: {before}");
    let r = at_risk(&union_a, w.province_a).await;
    assert_eq!(r["studios"], 1);
    let s = &r["items"][0];
    assert_eq!(s["studio_id"].as_i64(), Some(w.s1), "{r}");
    assert!(s["items"].as_array().unwrap().iter().any(|i| i["code"] == "apprentices"), "{s}");
    // A template whose points do not add up writes nothing, in either language.
    let mut t =
        union_a.ok_get(&format!("/api/v1/org-units/{}/evaluation-template", w.province_a)).await["template"].clone();
    t["items"][0]["max_points"] = json!(11);
    let path = format!("/api/v1/org-units/{}/evaluation-template", w.province_a);
    let (s, v) = union_a.put(&path, t.clone()).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["items"].as_str().unwrap().contains("100"), "{v}");
    let (_, v) = union_a.clone().english().put(&path, t.clone()).await;
    assert!(v["error"]["fields"]["items"].as_str().unwrap().contains("add up"), "{v}");
    // A lower qualifying line in the province's own template: nobody at risk.
    t["items"][0]["max_points"] = json!(10);
    assert_eq!(ent.put(&format!("/api/v1/org-units/{}/evaluation-template", w.e1), t.clone()).await.0, 403);
    t["qualified"] = json!(20);
    let v = union_a.ok_put(&path, t).await;
    assert_eq!(v["from_unit_id"].as_i64(), Some(w.province_a));
    let city_view = union_a.ok_get(&format!("/api/v1/org-units/{}/evaluation-template", w.city_a)).await;
    assert_eq!(city_view["template"]["qualified"], 20, "the province's template applies below it");
    let r = at_risk(&union_a, w.province_a).await;
    assert_eq!(r["items"].as_array().unwrap().len(), 0, "{r}");
    assert_eq!(r["studios"], 1, "{r}");
    assert_eq!(
        app.login("union.b", PASSWORD).await.get(&format!("/api/v1/org-units/{}/at-risk", w.province_a)).await.0,
        404
    );
    // A studio revoked is no longer forecast: the next run drops what it left.
    let city = app.login("city.a", PASSWORD).await;
    let step = format!("/api/v1/studios/{}/transitions", w.s1);
    city.ok_post(&step, json!({"action": "warn", "reason": "年度考核不合格", "rectify_by": "2099-12-31"})).await;
    city.ok_post(&step, json!({"action": "revoke", "reason": "连续两年考核不合格"})).await;
    let r = at_risk(&union_a, w.province_a).await;
    assert_eq!(r["studios"], 0, "{r}");
    // The forecast counters, kept through three runs and the drop, equal a count of the rows.
    app.assert_figures_rebuild().await;
}

/// The studios at risk remembered for a province follow each forecast written again and a
/// studio's new name, though neither moves a count.
async fn the_at_risk_list_follows_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let union_a = app.login("union.a", PASSWORD).await;
    name(&admin, w.s1, w.city_a).await;
    let path = format!("/api/v1/org-units/{}/at-risk", w.province_a);
    let first = at_risk(&union_a, w.province_a).await;
    assert_eq!(first["items"][0]["studio_id"].as_i64(), Some(w.s1), "{first}");
    assert_eq!(union_a.ok_get(&path).await["computed_at"], first["computed_at"], "looked at again");
    crate::common::rename_studio(&admin, w.s1, "李建国劳模创新工作室（更名）").await;
    let list = union_a.ok_get(&path).await;
    assert_eq!(list["items"][0]["studio_name"], "李建国劳模创新工作室（更名）", "{list}");
    // Forecast again: the same studio at risk, the same counts, a newer time.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let again = at_risk(&union_a, w.province_a).await;
    assert!(again["computed_at"].as_i64() > first["computed_at"].as_i64(), "{first} {again}");
    assert_eq!(union_a.ok_get(&path).await["computed_at"], again["computed_at"]);
}

/// The results remembered for a province (the first page of a year) follow a run, a judged
/// item and a run again (neither need move a count), a confirmation, a reopening and a studio's
/// new name.
async fn the_results_follow_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let (city, union_a) = (app.login("city.a", PASSWORD).await, app.login("union.a", PASSWORD).await);
    let y = this_year();
    name(&admin, w.s1, w.city_a).await;
    let path = format!("/api/v1/evaluations?unit_id={}&year={y}", w.province_a);
    assert_eq!(union_a.ok_get(&path).await["items"].as_array().map(Vec::len), Some(0));
    run(&union_a, w.province_a, y).await;
    let first = |v: &Value, field: &str| v["items"][0][field].clone();
    let list = union_a.ok_get(&path).await;
    let id = first(&list, "id").as_i64().unwrap();
    let detail = format!("/api/v1/evaluations/{id}");
    let same = |list: &Value, e: &Value| {
        for field in ["total", "grade", "state", "computed_at"] {
            assert_eq!(first(list, field), e[field], "{field}: {list} {e}");
        }
    };
    same(&list, &city.ok_get(&detail).await);
    city.ok_put(&format!("{detail}/items/venue"), json!({"points": 8, "reason": "场地面积 60㎡，设备布置合理"})).await;
    same(&union_a.ok_get(&path).await, &city.ok_get(&detail).await);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    run(&union_a, w.province_a, y).await;
    same(&union_a.ok_get(&path).await, &city.ok_get(&detail).await);
    city.ok_post(&format!("{detail}/confirm"), json!({"rectify_by": day(60)})).await;
    assert_eq!(first(&union_a.ok_get(&path).await, "state"), json!("confirmed"));
    city.ok_post(&format!("{detail}/reopen"), json!({"reason": "复核更正"})).await;
    assert_eq!(first(&union_a.ok_get(&path).await, "state"), json!("open"));
    crate::common::rename_studio(&admin, w.s1, "李建国劳模创新工作室（更名）").await;
    assert_eq!(first(&union_a.ok_get(&path).await, "studio_name"), json!("李建国劳模创新工作室（更名）"));
}

/// The pages: a union's results (run, counts, list), one evaluation judged through its form,
/// the studios at risk linked from the officer's home, the template's rows, a studio's page of
/// evaluations where the enterprise asks for a leader change, and the case's page where the
/// naming union approves it.
async fn the_pages_work(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let y = this_year();
    name(&admin, w.s1, w.city_a).await;
    let city = crate::sessions::page_client(&app, "city.a", PASSWORD).await;
    let get = |c: &reqwest::Client, path: String| {
        let url = format!("{}{path}", app.base);
        let c = c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, home) = get(&city, "/".into()).await;
    assert_eq!(s, 200);
    assert!(home.contains(&format!("/units/{}/at-risk", w.city_a)), "the officer's home links the studios at risk");
    let (s, risk) = get(&city, format!("/units/{}/at-risk", w.city_a)).await;
    assert!(s == 200 && !risk.contains("李建国劳模创新工作室"), "nothing forecast yet: {risk}");
    // The officer's button recomputes the list, and the page shows it once done.
    let csrf = crate::sessions::csrf_of(&risk);
    let r = city
        .post(format!("{}/units/{}/at-risk", app.base, w.city_a))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let mut risk = String::new();
    for _ in 0..200 {
        risk = get(&city, format!("/units/{}/at-risk", w.city_a)).await.1;
        if risk.contains("李建国劳模创新工作室") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(risk.contains("李建国劳模创新工作室"), "{risk}");
    let (s, results) = get(&city, format!("/evaluations?unit_id={}&year={y}", w.city_a)).await;
    assert_eq!(s, 200);
    let csrf = crate::sessions::csrf_of(&results);
    let r = city
        .post(format!("{}/evaluation-runs", app.base))
        .form(&[("_csrf", csrf.as_str()), ("unit_id", &w.city_a.to_string()), ("year", &y.to_string())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let api = app.login("city.a", PASSWORD).await;
    let mut id = None;
    for _ in 0..200 {
        let l = api.ok_get(&format!("/api/v1/evaluations?studio_id={}&year={y}", w.s1)).await;
        if let Some(i) = l["items"][0]["id"].as_i64() {
            id = Some(i);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let id = id.expect("the run wrote the evaluation");
    let (s, one) = get(&city, format!("/evaluations/{id}")).await;
    assert!(s == 200 && one.contains("协议带徒") && one.contains(&format!("/evaluations/{id}/items/venue")), "{one}");
    // A judgement above the item's max is shown again with its message; a good one is kept.
    let post = |points: &'static str| {
        city.post(format!("{}/evaluations/{id}/items/venue", app.base))
            .form(&[("_csrf", csrf.as_str()), ("points", points), ("reason", "场地达标")])
            .send()
    };
    let r = post("12").await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("应在0到10之间"));
    assert!(post("9").await.unwrap().status().is_redirection());
    let (_, one) = get(&city, format!("/evaluations/{id}")).await;
    assert!(one.contains("场地达标") && one.contains("city.a"), "{one}");
    let (s, tpl) = get(&city, format!("/units/{}/evaluation-template", w.city_a)).await;
    assert!(s == 200 && tpl.contains("name=\"items.0.code\"") && tpl.contains("value=\"venue\""), "{tpl}");
    // The enterprise asks for a leader change on the studio's page; the city approves it.
    let ent = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let (s, page) = get(&ent, format!("/studios/{}/evaluations", w.s1)).await;
    assert!(s == 200 && page.contains("leader_change"), "{page}");
    let ecsrf = crate::sessions::csrf_of(&page);
    let r = ent
        .post(format!("{}/studios/{}/cases", app.base, w.s1))
        .form(&[
            ("_csrf", ecsrf.as_str()),
            ("kind", "leader_change"),
            ("new_leader_person_id", &w.p2.to_string()),
            ("reason", "退休"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let case = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (s, k) = get(&city, case.clone()).await;
    assert!(s == 200 && k.contains("value=\"approve\""), "{k}");
    let r = city
        .post(format!("{}{case}/steps", app.base))
        .form(&[("_csrf", csrf.as_str()), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert_eq!(api.ok_get(&format!("/api/v1/studios/{}", w.s1)).await["leader_person_id"].as_i64(), Some(w.p2));
    // Union B sees none of it.
    let b_client = crate::sessions::page_client(&app, "union.b", PASSWORD).await;
    assert_eq!(get(&b_client, format!("/evaluations/{id}")).await.0, 404);
}

both!(
    the_pages_work,
    computed_judged_confirmed_and_lifted,
    failed_recheck_revokes_and_two_failed_years_propose,
    leader_change_and_cancellation,
    at_risk_and_templates,
    the_at_risk_list_follows_every_change,
    the_results_follow_every_change
);
