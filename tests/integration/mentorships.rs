//! Mentorship (师带徒): the two approvals by their roles, bound assessments, the final grade
//! and the allowance, promotions and the reward list, who sees an agreement, bad input that
//! changes nothing, and the four figures equal to the lengths of their lists.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, World, day, world};
use serde_json::{Value, json};

fn proposal(w: &World, mentor: i64, apprentice: i64) -> Value {
    json!({
        "studio_id": w.s1, "mentor_person_id": mentor, "apprentice_person_id": apprentice,
        "trade": "数控车工", "starts_on": day(-200), "teaching_plan": "每周现场带教两次，每月集中授课一次。",
        "allowance_yuan": 6000, "target_grade": "technician"
    })
}

/// A figure of a unit this year: its value, how many records it counts, and how many its list
/// holds (all pages of 200).
async fn figure(api: &Api, unit: i64, code: &str, field: &str) -> (i64, i64, usize) {
    let h = api.ok_get(&format!("/api/v1/stats?unit_id={unit}")).await;
    let fv = &h[field];
    let link = fv["link"].as_str().unwrap_or_else(|| panic!("{field} has a link: {h}"));
    assert!(link.starts_with(&format!("/figures/{code}?")), "{link}");
    let list = api.ok_get(&format!("/api/v1{link}&limit=200")).await;
    let items = list["items"].as_array().map_or(0, Vec::len);
    assert_eq!(list["total"], fv["records"], "{list}");
    assert_eq!(list["value"], fv["value"], "{list}");
    (fv["value"].as_i64().unwrap(), fv["records"].as_i64().unwrap(), items)
}

async fn life_cycle_and_figures(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let worker = app.login("worker1", PASSWORD).await;
    // The apprentice comes from another team of the enterprise.
    let m = lead.ok_post("/api/v1/mentorships", proposal(&w, w.p2, w.worker_person)).await;
    let id = m["id"].as_i64().unwrap();
    assert_eq!(m["state"], "proposed");
    let start: jiff::civil::Date = day(-200).parse().unwrap();
    assert_eq!(m["ends_on"], jiangxin::domain::mentorship::default_end(start).to_string(), "a year by default");
    let steps = format!("/api/v1/mentorships/{id}/steps");
    // The pair is the leader's to confirm, the agreement the enterprise's.
    assert_eq!(worker.post(&steps, json!({"action": "approve_pair"})).await.0, 403);
    assert_eq!(ent.post(&steps, json!({"action": "approve_pair"})).await.0, 403);
    let m = lead.ok_post(&steps, json!({"action": "approve_pair", "note": "师傅技术过硬"})).await;
    assert_eq!(m["state"], "paired");
    assert_eq!(m["paired_note"], "师傅技术过硬");
    assert_eq!(lead.post(&steps, json!({"action": "approve_agreement"})).await.0, 403);
    assert_eq!(ent.post(&steps, json!({"action": "approve_pair"})).await.0, 403, "the pair is confirmed already");
    let m = ent.ok_post(&steps, json!({"action": "approve_agreement"})).await;
    assert_eq!(m["state"], "in_force");
    assert!(m["agreed_by_name"].as_str().is_some() && m["next_due_on"].as_str().is_some(), "{m}");
    for unit in [w.e1, w.city_a, w.province_a] {
        assert_eq!(figure(&admin, unit, "apprentices", "apprentices").await, (1, 1, 1));
    }
    assert_eq!(figure(&admin, w.province_b, "apprentices", "apprentices").await, (0, 0, 0));

    // A periodic assessment: the mentor is bound to a failing apprentice.
    let assess = format!("/api/v1/mentorships/{id}/assessments");
    assert_eq!(
        worker.post(&assess, json!({"kind": "periodic", "apprentice_score": 80, "mentor_score": 80})).await.0,
        403
    );
    lead.ok_post(&assess, json!({"kind": "periodic", "apprentice_score": 55, "mentor_score": 95})).await;
    let d = worker.ok_get(&format!("/api/v1/mentorships/{id}")).await;
    assert_eq!(d["assessments"][0]["mentor_result"], 59, "{d}");

    // A promotion to 技师 within three years lists the mentor for the reward.
    let r = format!("/api/v1/mentorships/{id}/results");
    lead.ok_post(
        &r,
        json!({"kind": "promotion", "achieved_on": day(-10), "grade": "technician", "certificate_no": "JS-2026-001"}),
    )
    .await;
    lead.ok_post(
        &r,
        json!({"kind": "placing", "achieved_on": day(-5), "competition": "全省职工职业技能大赛", "placing": "third"}),
    )
    .await;
    let rewards = ent.ok_get(&format!("/api/v1/mentorships/rewards?unit_id={}", w.e1)).await;
    assert_eq!(rewards["items"].as_array().unwrap().len(), 1, "{rewards}");
    assert_eq!(rewards["items"][0]["mentor_name"], "王小明");
    let person = ent.ok_get(&format!("/api/v1/people/{}", w.worker_person)).await;
    assert_eq!(person["skill_grade"], "technician", "{person}");
    assert_eq!(person["mentorships"]["results"].as_array().unwrap().len(), 2);

    // The final assessment: a pass pays half the allowance.
    let m = lead.ok_post(&assess, json!({"kind": "final", "apprentice_score": 75, "mentor_score": 80})).await;
    assert_eq!(m["state"], "finished");
    assert_eq!(m["final_grade"], "pass");
    assert_eq!(m["allowance_paid_fen"], 300_000);
    assert_eq!(
        lead.post(&assess, json!({"kind": "periodic", "apprentice_score": 80, "mentor_score": 80})).await.0,
        409
    );
    for unit in [w.e1, w.city_a, w.province_a] {
        assert_eq!(figure(&admin, unit, "apprentices_finished", "apprentices_finished").await, (1, 1, 1));
        assert_eq!(figure(&admin, unit, "allowances_paid", "allowances_paid_fen").await, (300_000, 1, 1));
        assert_eq!(figure(&admin, unit, "apprentices", "apprentices").await, (0, 0, 0), "no longer under agreement");
    }
    let h = admin.ok_get(&format!("/api/v1/stats?unit_id={}", w.province_a)).await;
    let technician = h["promotions_by_grade"].as_array().unwrap().iter().find(|x| x["code"] == "technician").unwrap();
    assert_eq!(technician["value"], 1);
    let list = admin.ok_get(&format!("/api/v1{}", technician["link"].as_str().unwrap())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Last year's figures hold none of it.
    let last = jiangxin::clock::today().year() - 1;
    let h = admin.ok_get(&format!("/api/v1/stats?unit_id={}&year={last}", w.province_a)).await;
    assert_eq!(h["apprentices_finished"]["value"], 0);

    // A fail opens a renewal with a new mentor.
    let m2 = lead
        .ok_post(
            "/api/v1/mentorships",
            json!({
                "studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.p4, "trade": "钳工",
                "starts_on": day(-100), "teaching_plan": "钳工基本功", "allowance_yuan": 5000
            }),
        )
        .await;
    let id2 = m2["id"].as_i64().unwrap();
    lead.ok_post(&format!("/api/v1/mentorships/{id2}/steps"), json!({"action": "approve_pair"})).await;
    ent.ok_post(&format!("/api/v1/mentorships/{id2}/steps"), json!({"action": "approve_agreement"})).await;
    let fail = json!({"kind": "final", "apprentice_score": 50, "mentor_score": 90});
    let (s, body) = lead.post(&format!("/api/v1/mentorships/{id2}/assessments"), fail.clone()).await;
    assert_eq!(s, 422, "a fail names the new mentor: {body}");
    assert!(body["error"]["fields"]["new_mentor_person_id"].is_string(), "{body}");
    let mut fail = fail;
    fail["new_mentor_person_id"] = json!(w.leader1);
    let m2 = lead.ok_post(&format!("/api/v1/mentorships/{id2}/assessments"), fail).await;
    assert_eq!(m2["state"], "failed");
    assert_eq!(m2["allowance_paid_fen"], 0);
    let d = lead.ok_get(&format!("/api/v1/mentorships/{id2}")).await;
    let renewal = d["renewed_by"].as_i64().expect("a renewal");
    let r = lead.ok_get(&format!("/api/v1/mentorships/{renewal}")).await;
    assert_eq!(r["mentorship"]["mentor_person_id"], w.leader1);
    assert_eq!(r["mentorship"]["state"], "proposed");
    assert_eq!(r["mentorship"]["renews_id"], id2);
    assert_eq!(
        figure(&admin, w.e1, "apprentices_finished", "apprentices_finished").await,
        (1, 1, 1),
        "a fail does not finish"
    );
    app.assert_figures_rebuild().await;
}

async fn who_sees_an_agreement(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    // A: the leader teaches 刘一手; B: 王小明 (mem1) teaches 孙工人 (worker1).
    let a = lead.ok_post("/api/v1/mentorships", proposal(&w, w.leader1, w.p4)).await["id"].as_i64().unwrap();
    let b_id = lead.ok_post("/api/v1/mentorships", proposal(&w, w.p2, w.worker_person)).await["id"].as_i64().unwrap();
    let expect_a = |u: &str| match u {
        "admin" | "union.a" | "city.a" | "ent1" | "lead1" => 200,
        _ => 404,
    };
    let expect_b = |u: &str| match u {
        "admin" | "union.a" | "city.a" | "ent1" | "lead1" | "mem1" | "worker1" => 200,
        _ => 404,
    };
    for u in ["admin", "union.a", "city.a", "ent1", "ent2", "lead1", "mem1", "worker1", "reviewer.a", "union.b"] {
        let api = if u == "admin" { app.admin().await } else { app.login(u, PASSWORD).await };
        assert_eq!(api.get(&format!("/api/v1/mentorships/{a}")).await.0, expect_a(u), "{u} reads A");
        assert_eq!(api.get(&format!("/api/v1/mentorships/{b_id}")).await.0, expect_b(u), "{u} reads B");
        let listed = api.ok_get("/api/v1/mentorships").await["items"].as_array().unwrap().len();
        let want = [expect_a(u), expect_b(u)].iter().filter(|s| **s == 200).count();
        assert_eq!(listed, want, "{u} lists");
        // Steps: hidden outside, forbidden to those who only read.
        let (s, _) = api
            .post(
                &format!("/api/v1/mentorships/{b_id}/assessments"),
                json!({"kind": "periodic", "apprentice_score": 80, "mentor_score": 80}),
            )
            .await;
        let want = match expect_b(u) {
            404 => 404,
            _ if matches!(u, "mem1" | "worker1") => 403,
            _ => 409, // allowed, but the agreement is not in force yet
        };
        assert_eq!(s.as_u16(), want, "{u} assesses B");
        // The figures' lists name people: administrators only.
        let (s, _) = api.get(&format!("/api/v1/figures/apprentices?unit_id={}", w.e1)).await;
        let want = if matches!(u, "admin" | "union.a" | "city.a" | "ent1") { 200 } else { 404 };
        assert_eq!(s.as_u16(), want, "{u} lists the apprentices figure");
    }
    let anon = app.anonymous();
    assert_eq!(anon.get(&format!("/api/v1/mentorships/{a}")).await.0, 401);
    // Pages answer as the API does.
    let mem1 = app.login("mem1", PASSWORD).await;
    assert_eq!(mem1.get(&format!("/mentorships/{a}")).await.0, 404);
}

async fn bad_input_changes_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    let good = proposal(&w, w.p2, w.worker_person);
    let with = |k: &str, v: Value| {
        let mut x = good.clone();
        x[k] = v;
        x
    };
    let cases = [
        (with("apprentice_person_id", json!(w.p2)), "apprentice_person_id", "不能做自己的师傅"),
        (with("ends_on", json!(day(-300))), "ends_on", "结束日期须晚于开始日期"),
        (with("ends_on", json!(day(-200))), "ends_on", "结束日期须晚于开始日期"),
        (with("allowance_yuan", json!(50_000_000)), "allowance_yuan", ""),
        (with("allowance_yuan", json!(-1)), "allowance_yuan", ""),
        (with("mentor_person_id", json!(w.p4)), "mentor_person_id", "在册成员"),
        (with("apprentice_person_id", json!(w.q2)), "apprentice_person_id", "本企业"),
        (with("trade", json!("  ")), "trade", ""),
        (with("starts_on", json!("2026-13-01")), "starts_on", ""),
    ];
    for (body, field, words) in cases {
        let (s, v) = lead.post("/api/v1/mentorships", body).await;
        assert_eq!(s, 422, "{field}: {v}");
        let msg = v["error"]["fields"][field].as_str().unwrap_or_else(|| panic!("{field}: {v}"));
        assert!(msg.contains(words), "{field}: {msg}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mentorships").await, 0);
    let (_, v) = lead.clone().english().post("/api/v1/mentorships", with("apprentice_person_id", json!(w.p2))).await;
    assert!(v["error"]["fields"]["apprentice_person_id"].as_str().unwrap().contains("cannot mentor themselves"), "{v}");
    // The same pair and trade over an overlapping period is refused; another trade is not.
    lead.ok_post("/api/v1/mentorships", good.clone()).await;
    let (s, v) = lead.post("/api/v1/mentorships", with("starts_on", json!(day(-30)))).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["starts_on"].as_str().unwrap().contains("重叠"), "{v}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mentorships").await, 1);
    let mut other = with("starts_on", json!(day(-30)));
    other["trade"] = json!("焊工");
    let id = lead.ok_post("/api/v1/mentorships", other).await["id"].as_i64().unwrap();
    // An assessment before the agreement is in force, or with an absurd score, writes nothing.
    let (s, _) = lead
        .post(
            &format!("/api/v1/mentorships/{id}/assessments"),
            json!({"kind": "periodic", "apprentice_score": 150, "mentor_score": 80}),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = lead
        .post(
            &format!("/api/v1/mentorships/{id}/assessments"),
            json!({"kind": "periodic", "apprentice_score": 80, "mentor_score": 80}),
        )
        .await;
    assert_eq!(s, 409);
    let (s, _) = lead.post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "refuse"})).await;
    assert_eq!(s, 422, "a refusal needs its reason");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mentorship_assessments").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mentorships WHERE state <> 'proposed'").await, 0);
}

/// "Apprentices under agreement" counts people: one apprentice under two agreements in two
/// trades counts once at every level, and the figure's list names exactly those people.
async fn an_apprentice_counts_once(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let agree = |mentor: i64, apprentice: i64, trade: &'static str| {
        let (lead, ent) = (lead.clone(), ent.clone());
        let mut body = proposal(&w, mentor, apprentice);
        body["trade"] = json!(trade);
        async move {
            let id = lead.ok_post("/api/v1/mentorships", body).await["id"].as_i64().unwrap();
            lead.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_pair"})).await;
            ent.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_agreement"})).await;
            id
        }
    };
    let lathe = agree(w.p2, w.worker_person, "数控车工").await;
    agree(w.p3, w.worker_person, "维修电工").await;
    for unit in [w.e1, w.city_a, w.province_a] {
        assert_eq!(figure(&admin, unit, "apprentices", "apprentices").await, (1, 1, 1), "unit {unit}");
    }
    let h = admin.ok_get(&format!("/api/v1/stats?unit_id={}", w.province_a)).await;
    let list = admin.ok_get(&format!("/api/v1{}", h["apprentices"]["link"].as_str().unwrap())).await;
    let item = &list["items"][0];
    assert_eq!(item["id"], w.worker_person, "{list}");
    let title = item["title"].as_str().unwrap();
    assert!(title.starts_with("孙工人 · ") && title.contains("数控车工") && title.contains("维修电工"), "{title}");
    assert!(item["link"].as_str().unwrap().starts_with("/mentorships/"), "{item}");
    // A second apprentice counts; the first still counts once after one of their agreements ends.
    agree(w.p2, w.p4, "钳工").await;
    lead.ok_post(
        &format!("/api/v1/mentorships/{lathe}/assessments"),
        json!({"kind": "final", "apprentice_score": 95, "mentor_score": 90}),
    )
    .await;
    for unit in [w.e1, w.city_a, w.province_a] {
        assert_eq!(figure(&admin, unit, "apprentices", "apprentices").await, (2, 2, 2), "unit {unit}");
    }
    // The dashboard's children and trend say the same.
    let d = admin.ok_get(&format!("/api/v1/stats/dashboard?unit_id={}", w.province_a)).await;
    let col = d["columns"].as_array().unwrap().iter().position(|c| c == "apprentices").unwrap();
    let city = d["children"].as_array().unwrap().iter().find(|r| r["unit_id"] == w.city_a).unwrap();
    assert_eq!(city["values"][col]["value"], 2, "{city}");
    app.assert_figures_rebuild().await;
}

/// The enterprise's administrator sets the assessment interval on the enterprise's page; a
/// bad value is named on its field and changes nothing; new agreements take the interval.
async fn the_enterprise_sets_its_interval(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let page = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let unit = format!("{}/units/{}", app.base, w.e1);
    let html = page.get(&unit).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("action=\"/units/{}/mentorship-settings\"".replace("{}", &w.e1.to_string()).as_str()),
        "{html}"
    );
    assert!(html.contains("每 3 个月一次"), "the default is quarterly");
    let csrf = crate::sessions::csrf_of(&html);
    let post = |months: &'static str| {
        page.post(format!("{unit}/mentorship-settings"))
            .form(&[("_csrf", csrf.as_str()), ("assess_months", months)])
            .send()
    };
    for bad in ["13", "0", "三"] {
        let resp = post(bad).await.unwrap();
        assert_eq!(resp.status(), 422, "{bad}");
        let html = resp.text().await.unwrap();
        // A number out of range is named on its field (the input allows only numbers).
        if bad != "三" {
            assert!(html.contains("id=\"e-assess_months\"") && html.contains("12"), "{bad}: {html}");
        }
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM mentorship_settings").await, 0);
    let resp = post("6").await.unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let html = page.get(&unit).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("每 6 个月一次"), "{html}");
    let lead = app.login("lead1", PASSWORD).await;
    let m = lead.ok_post("/api/v1/mentorships", proposal(&w, w.p2, w.worker_person)).await;
    assert_eq!(m["assess_months"], 6);
    // The form is the enterprise administrators' alone; a leader posting it is refused.
    let leader_page = crate::sessions::page_client(&app, "lead1", PASSWORD).await;
    let html = leader_page.get(&unit).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("mentorship-settings"), "{html}");
    let csrf = crate::sessions::csrf_of(&html);
    let resp = leader_page
        .post(format!("{unit}/mentorship-settings"))
        .form(&[("_csrf", csrf.as_str()), ("assess_months", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

/// The annual plan's 带徒人数 is counted from the studio's agreements in force during the year:
/// people, not agreements; an agreement waiting for approval does not count.
async fn the_plan_counts_apprentices_of_the_year(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let year = &day(0)[..4];
    let path = format!("/api/v1/studios/{}/plans/{year}", w.s1);
    lead.ok_put(&path, json!({"apprentices": 4})).await;
    let of =
        |v: &Value| v["progress"].as_array().unwrap().iter().find(|p| p["target"] == "apprentices").unwrap().clone();
    assert_eq!(of(&lead.ok_get(&path).await)["actual"], 0);
    for (mentor, apprentice, trade, agreed) in [
        (w.p2, w.worker_person, "数控车工", true),
        (w.p3, w.worker_person, "维修电工", true),
        (w.p2, w.p4, "钳工", false),
    ] {
        let mut body = proposal(&w, mentor, apprentice);
        body["trade"] = json!(trade);
        body["starts_on"] = json!(day(-20));
        let id = lead.ok_post("/api/v1/mentorships", body).await["id"].as_i64().unwrap();
        lead.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_pair"})).await;
        if agreed {
            ent.ok_post(&format!("/api/v1/mentorships/{id}/steps"), json!({"action": "approve_agreement"})).await;
        }
    }
    let p = of(&lead.ok_get(&path).await);
    assert_eq!((p["actual"].as_i64(), p["percent"].as_i64()), (Some(1), Some(25)), "{p}");
    // Another year counts the agreements in force on some day of it: the year after when the
    // year-long agreements reach into it, the year before only when they began then.
    let start: jiff::civil::Date = day(-20).parse().unwrap();
    let until = jiangxin::domain::mentorship::day_after(jiangxin::domain::mentorship::default_end(start));
    let this: i16 = year.parse().unwrap();
    let (next, prior) = (this + 1, this - 1);
    let expect_next = i64::from(until > jiff::civil::date(next, 1, 1));
    let expect_prior = i64::from(start.year() == prior);
    let s1 = w.s1;
    app.db
        .read(move |c| {
            assert_eq!(jiangxin::storage::mentorships::apprentices_in_year(c, s1, i64::from(next))?, expect_next);
            assert_eq!(jiangxin::storage::mentorships::apprentices_in_year(c, s1, i64::from(prior))?, expect_prior);
            Ok(())
        })
        .await
        .unwrap();
}

/// A city's list of agreements is remembered between looks (its first page): each change since
/// the last look shows on the next — a proposal, each approval, a refusal, an assessment's next
/// due day, the final grade, the apprentice renamed or moved to another unit.
async fn a_citys_list_follows_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (admin, lead, ent) = (app.admin().await, app.login("lead1", PASSWORD).await, app.login("ent1", PASSWORD).await);
    let union_a = app.login("union.a", PASSWORD).await;
    let list_path = format!("/api/v1/mentorships?unit_id={}", w.city_a);
    let look = || async { union_a.ok_get(&list_path).await };
    let of = |list: &Value, id: i64, field: &str| {
        let items = list["items"].as_array().cloned().unwrap_or_default();
        items.iter().find(|m| m["id"] == id).map(|m| m[field].clone()).unwrap_or(Value::Null)
    };
    assert_eq!(look().await["items"].as_array().map(Vec::len), Some(0));
    let id = lead.ok_post("/api/v1/mentorships", proposal(&w, w.p2, w.worker_person)).await["id"].as_i64().unwrap();
    assert_eq!(of(&look().await, id, "state"), "proposed");
    let steps = format!("/api/v1/mentorships/{id}/steps");
    lead.ok_post(&steps, json!({"action": "approve_pair"})).await;
    assert_eq!(of(&look().await, id, "state"), "paired");
    ent.ok_post(&steps, json!({"action": "approve_agreement"})).await;
    let list = look().await;
    assert_eq!(of(&list, id, "state"), "in_force");
    let due = of(&list, id, "next_due_on");
    assert!(due.is_string(), "{list}");
    let assess = format!("/api/v1/mentorships/{id}/assessments");
    let held = json!({"kind": "periodic", "held_on": day(-20), "apprentice_score": 80, "mentor_score": 85});
    let m = lead.ok_post(&assess, held).await;
    assert_ne!(m["next_due_on"], due, "{m}");
    assert_eq!(of(&look().await, id, "next_due_on"), m["next_due_on"], "the next assessment's day");
    // The apprentice renamed, then moved to another unit of the enterprise.
    let body = |name: &str, unit: i64| json!({"unit_id": unit, "name": name, "gender": "male"});
    let put = |body: Value| {
        let admin = &admin;
        async move { admin.send(reqwest::Method::PUT, &format!("/api/v1/people/{}", w.worker_person), Some(body)).await }
    };
    assert_eq!(put(body("孙师傅", w.e1)).await.0, 200);
    assert_eq!(of(&look().await, id, "apprentice_name"), "孙师傅");
    assert_eq!(put(body("孙师傅", w.w1)).await.0, 200);
    assert_eq!(of(&look().await, id, "apprentice_unit"), "一车间");
    lead.ok_post(&assess, json!({"kind": "final", "apprentice_score": 75, "mentor_score": 80})).await;
    assert_eq!(of(&look().await, id, "state"), "finished");
    // A second proposal, refused.
    let other = lead.ok_post("/api/v1/mentorships", proposal(&w, w.p2, w.p4)).await["id"].as_i64().unwrap();
    let list = look().await;
    assert_eq!((list["items"].as_array().map(Vec::len), of(&list, other, "state")), (Some(2), json!("proposed")));
    lead.ok_post(
        &format!("/api/v1/mentorships/{other}/steps"),
        json!({"action": "refuse", "note": "师徒同岗，另行安排"}),
    )
    .await;
    assert_eq!(of(&look().await, other, "state"), "refused");
}

both!(
    a_citys_list_follows_every_change,
    the_plan_counts_apprentices_of_the_year,
    the_enterprise_sets_its_interval,
    an_apprentice_counts_once,
    life_cycle_and_figures,
    who_sees_an_agreement,
    bad_input_changes_nothing
);
