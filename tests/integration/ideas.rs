//! Suggestions from submission to reward, likely duplicates, merging, deadlines; challenges and
//! bids; outcomes with unique numbers and verified benefit; the headline figures checked
//! against counts made here independently.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, project, world};
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<i64> {
    v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect()
}

fn idea(title: &str, category: &str) -> Value {
    json!({"title": title, "category": category, "situation": "冲压线上料靠人工搬运，劳动强度大，节拍慢。",
           "measure": "加装自动上料装置，由传感器控制送料。", "expected_benefit_yuan": 80000})
}

async fn kinds(api: &crate::common::Api) -> Vec<String> {
    let v = api.ok_get("/api/v1/notifications").await;
    v["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_string()).collect()
}

async fn a_suggestion_goes_from_a_phone_to_a_reward(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent2 = app.login("ent2", PASSWORD).await;

    // The enterprise routes rationalisation suggestions to the workshop.
    let settings = ent1
        .ok_post(
            &format!("/api/v1/suggestion-settings/{}/routes", w.e1),
            json!({"category": "rationalization", "to_unit_id": w.w1}),
        )
        .await;
    assert_eq!(settings["routes"][0]["to_unit_id"], w.w1, "{settings}");
    assert_eq!(ent2.get(&format!("/api/v1/suggestion-settings/{}", w.e1)).await.0, 404);

    let mut body = idea("冲压线增加自动上料装置减少人工搬运", "rationalization");
    body["anonymous"] = json!(true);
    body["co_proposers"] = json!([w.p2]);
    let s = worker1.ok_post("/api/v1/suggestions", body).await;
    let id = s["id"].as_i64().unwrap();
    assert_eq!(s["state"], "assigned");
    assert_eq!(s["assigned_unit_id"], w.w1, "routed by the rule: {s}");
    assert_eq!(s["due_on"], day(30), "ordinary items get 30 days");
    assert_eq!(s["proposers"].as_array().unwrap().len(), 2, "{s}");

    // The department's administrators (the enterprise, nearest above) are told and see it
    // waiting — without the anonymous proposers' names.
    assert!(kinds(&ent1).await.contains(&"suggestion_assigned".to_string()));
    let waiting = ent1.ok_get("/api/v1/suggestions?view=evaluate").await;
    assert_eq!(ids(&waiting), vec![id]);
    assert_eq!(waiting["items"][0]["proposers"], json!([]), "{waiting}");
    assert_eq!(waiting["items"][0]["proposers_hidden"], true);
    let d = ent1.ok_get(&format!("/api/v1/suggestions/{id}")).await;
    assert_eq!(d["suggestion"]["proposers"], json!([]));
    assert!(d["events"][0]["by_name"].is_null(), "the history does not name the proposer: {d}");
    assert!(!d.to_string().contains("孙工人"), "{d}");
    // The proposer and the co-proposer follow it; others do not see it at all.
    assert_eq!(ids(&worker1.ok_get("/api/v1/suggestions").await), vec![id]);
    assert_eq!(ids(&mem1.ok_get("/api/v1/suggestions").await), vec![id]);
    let mine = mem1.ok_get(&format!("/api/v1/suggestions/{id}")).await;
    assert_eq!(mine["suggestion"]["proposers"][0]["name"], "孙工人");
    assert_eq!(mine["actions"], json!([]), "a proposer does not evaluate: {mine}");
    assert_eq!(lead1.get(&format!("/api/v1/suggestions/{id}")).await.0, 404);
    assert_eq!(ent2.get(&format!("/api/v1/suggestions/{id}")).await.0, 404);
    assert_eq!(
        mem1.post(&format!("/api/v1/suggestions/{id}/transitions"), json!({"action": "decline", "reason": "x"}))
            .await
            .0,
        403
    );

    let path = format!("/api/v1/suggestions/{id}/transitions");
    // Adoption needs a score first; a part over its maximum is refused.
    let (status, v) = ent1.post(&path, json!({"action": "adopt"})).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"]["message"], "建议处于“待评审”状态，不能“采纳”。");
    let (status, v) = ent1
        .post(&path, json!({"action": "score", "technical": 31, "economic": 20, "scope": 10, "practicality": 10, "value_yuan": 120000}))
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["technical"].is_string());
    let s = ent1
        .ok_post(&path, json!({"action": "score", "technical": 26, "economic": 25, "scope": 16, "practicality": 17, "value_yuan": 120000}))
        .await;
    assert_eq!(
        (s["state"].as_str(), s["grade"].as_i64(), s["score_total"].as_i64()),
        (Some("evaluated"), Some(3), Some(84))
    );
    assert_eq!(s["excellent"], true, "84 of 100 is excellent");
    assert!(kinds(&worker1).await.contains(&"suggestion_changed".to_string()), "the proposer is told");
    ent1.ok_post(&path, json!({"action": "adopt", "reason": "效果明显，同意采纳"})).await;
    let (status, v) = ent1.post(&path, json!({"action": "implement"})).await;
    assert_eq!(status, 422, "the measured effect is required: {v}");
    ent1.ok_post(
        &path,
        json!({"action": "implement", "effect": "上料时间由40秒降到15秒", "measured_benefit_yuan": 130000}),
    )
    .await;
    // A reward outside the grade's range is refused with the range named.
    let (status, v) = ent1.clone().english().post(&path, json!({"action": "reward", "reward_yuan": 20000})).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["reward_yuan"].as_str().unwrap().contains("5000"), "{v}");
    let (status, _) = ent1.post(&path, json!({"action": "reward", "reward_yuan": -5})).await;
    assert_eq!(status, 422);
    let s = ent1.ok_post(&path, json!({"action": "reward", "reward_yuan": 6000})).await;
    assert_eq!((s["state"].as_str(), s["reward_fen"].as_i64()), (Some("rewarded"), Some(600_000)));

    // The proposer reads the whole history.
    let d = worker1.ok_get(&format!("/api/v1/suggestions/{id}")).await;
    let steps: Vec<&str> = d["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, vec!["submit", "score", "adopt", "implement", "reward"]);
    assert_eq!(d["events"][2]["note"], "效果明显，同意采纳");
    assert_eq!(d["suggestion"]["decision_reason"], "效果明显，同意采纳");

    // An adopted idea becomes a project of a studio.
    let p = ent1
        .ok_post(
            &format!("/api/v1/suggestions/{id}/project"),
            json!({"studio_id": w.s1, "category": "技术攻关", "ends_on": day(90)}),
        )
        .await;
    assert_eq!((p["source"].as_str(), p["source_id"].as_i64()), (Some("suggestion"), Some(id)));
    assert_eq!(
        ent1.post(
            &format!("/api/v1/suggestions/{id}/project"),
            json!({"studio_id": w.s1, "category": "技术攻关", "ends_on": day(90)})
        )
        .await
        .0,
        409
    );

    // A decline needs a reason, which the proposer reads.
    let s2 = worker1.ok_post("/api/v1/suggestions", idea("食堂增加夜班热餐", "small_suggestion")).await;
    let p2 = format!("/api/v1/suggestions/{}/transitions", s2["id"]);
    assert_eq!(s2["assigned_unit_id"], w.e1, "no rule for this category: the enterprise itself");
    assert_eq!(ent1.post(&p2, json!({"action": "decline"})).await.0, 422);
    ent1.ok_post(&p2, json!({"action": "decline", "reason": "已列入后勤年度计划"})).await;
    let d = worker1.ok_get(&format!("/api/v1/suggestions/{}", s2["id"])).await;
    assert_eq!(
        (d["suggestion"]["state"].as_str(), d["suggestion"]["decision_reason"].as_str()),
        (Some("declined"), Some("已列入后勤年度计划"))
    );
}
both!(a_suggestion_goes_from_a_phone_to_a_reward);

/// The answer to a submission is the record as a read of it gives: routed to a department with
/// its evaluator named, and typed in for a worker of the workshop with a co-proposer.
async fn a_submission_answers_with_the_record_as_read(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let judge = crate::common::account(&admin, "judge1", None, w.e1, &[("worker", w.e1)]).await;
    ent1.ok_post(
        &format!("/api/v1/suggestion-settings/{}/routes", w.e1),
        json!({"category": "small_suggestion", "to_unit_id": w.w1, "evaluator_account_id": judge}),
    )
    .await;
    let mine = worker1.ok_post("/api/v1/suggestions", idea("夜班照明改用感应灯", "small_suggestion")).await;
    assert_eq!((mine["evaluator_account_id"].as_i64(), mine["evaluator_name"].as_str()), (Some(judge), Some("judge1")));
    let read = worker1.ok_get(&format!("/api/v1/suggestions/{}", mine["id"])).await;
    assert_eq!(mine, read["suggestion"], "the answer is the record as read");

    let mut body = idea("刀具寿命管理改用扫码登记", "rationalization");
    body["for_person_id"] = json!(w.p4);
    body["co_proposers"] = json!([w.p3]);
    let typed = ent1.ok_post("/api/v1/suggestions", body).await;
    assert_eq!(typed["proposers"].as_array().map(Vec::len), Some(2), "{typed}");
    let read = ent1.ok_get(&format!("/api/v1/suggestions/{}", typed["id"])).await;
    assert_eq!(typed, read["suggestion"], "the answer is the record as read");
}
both!(a_submission_answers_with_the_record_as_read);

async fn duplicates_are_found_ranked_and_merged_with_every_credit(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let titles = [
        "冲压线增加自动上料装置，减少人工搬运",
        "数控车床刀具寿命管理办法",
        "食堂增加夜班职工热餐供应",
        "焊接车间烟尘收集改造",
        "冲压模具快速更换工装",
    ];
    let mut made = Vec::new();
    for t in titles {
        made.push(worker1.ok_post("/api/v1/suggestions", idea(t, "small_innovation")).await["id"].as_i64().unwrap());
    }
    // Typed on a phone: the near duplicate comes first, the unrelated ones not at all.
    let q = crate::common::urlencode("建议冲压线加装自动上料装置以减少人工搬运");
    let v = lead1.ok_get(&format!("/api/v1/suggestions/similar?text={q}")).await;
    let found: Vec<i64> = v.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert_eq!(found.first(), Some(&made[0]), "{v}");
    assert!(!found.contains(&made[2]) && !found.contains(&made[3]), "{v}");
    // Another enterprise does not see these.
    let ent2_worker = app.login("ent2", PASSWORD).await;
    assert_eq!(ent2_worker.ok_get(&format!("/api/v1/suggestions/similar?text={q}")).await, json!([]));

    // The leader submits the same idea again; the evaluator sees the earlier one and merges.
    let again =
        lead1.ok_post("/api/v1/suggestions", idea("冲压线加装自动上料装置，减少搬运", "small_innovation")).await;
    let again_id = again["id"].as_i64().unwrap();
    let d = ent1.ok_get(&format!("/api/v1/suggestions/{again_id}")).await;
    assert_eq!(d["similar"][0]["id"], made[0], "{d}");
    assert!(d["similar"][0]["similarity"].as_i64().unwrap() >= 35);
    let merged = ent1.ok_post(&format!("/api/v1/suggestions/{again_id}/merge"), json!({"into_id": made[0]})).await;
    assert_eq!((merged["state"].as_str(), merged["merged_into"].as_i64()), (Some("merged"), Some(made[0])));
    let target = worker1.ok_get(&format!("/api/v1/suggestions/{}", made[0])).await;
    let credited: Vec<(&str, Option<i64>)> = target["suggestion"]["proposers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["via_merge"].as_i64()))
        .collect();
    assert_eq!(credited, vec![("孙工人", None), ("李建国", Some(again_id))]);
    assert_eq!(target["events"].as_array().unwrap().last().unwrap()["action"], "merge");
    // The leader now follows the surviving one too, and keeps the history of their own.
    let mine = ids(&lead1.ok_get("/api/v1/suggestions").await);
    assert!(mine.contains(&made[0]) && mine.contains(&again_id), "{mine:?}");
    let own = lead1.ok_get(&format!("/api/v1/suggestions/{again_id}")).await;
    let steps: Vec<&str> = own["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(steps, vec!["submit", "merged"]);
    // A merged one cannot be merged again, nor into itself.
    assert_eq!(ent1.post(&format!("/api/v1/suggestions/{again_id}/merge"), json!({"into_id": made[1]})).await.0, 409);
    assert_eq!(ent1.post(&format!("/api/v1/suggestions/{}/merge", made[1]), json!({"into_id": made[1]})).await.0, 422);
    let _ = w;
}
both!(duplicates_are_found_ranked_and_merged_with_every_credit);

async fn deadlines_flag_overdue_evaluations_and_notify_once(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let ordinary = worker1.ok_post("/api/v1/suggestions", idea("刀具寿命管理", "small_suggestion")).await;
    let mut big = idea("余热回收发电改造", "small_invention");
    big["expected_benefit_yuan"] = json!(600000);
    let major = worker1.ok_post("/api/v1/suggestions", big).await;
    assert_eq!(
        (ordinary["due_on"].as_str(), major["due_on"].as_str()),
        (Some(day(30).as_str()), Some(day(90).as_str()))
    );
    assert_eq!(major["major"], true);
    // Thirty-one days pass for the ordinary one: due yesterday is overdue, due today is not.
    let (o, m) = (ordinary["id"].as_i64().unwrap(), major["id"].as_i64().unwrap());
    let (yesterday, today) = (day(-1), day(0));
    app.db
        .write(move |c| {
            c.execute("UPDATE suggestions SET due_on = ? WHERE id = ?", jiangxin::params![yesterday.as_str(), o])?;
            c.execute("UPDATE suggestions SET due_on = ? WHERE id = ?", jiangxin::params![today.as_str(), m])?;
            Ok(())
        })
        .await
        .unwrap();
    let late = ent1.ok_get("/api/v1/suggestions?view=evaluate&overdue=true").await;
    assert_eq!(ids(&late), vec![o]);
    assert_eq!(late["items"][0]["overdue"], true);
    let swept = jiangxin::app::sweep::sweep(&app.state, jiangxin::clock::today()).await.unwrap();
    assert_eq!(swept.overdue, 1);
    let again = jiangxin::app::sweep::sweep(&app.state, jiangxin::clock::today()).await.unwrap();
    assert_eq!(again.overdue, 0, "each overdue item is notified once");
    assert!(kinds(&ent1).await.contains(&"suggestion_overdue".to_string()));
    // The enterprise's own deadlines apply to new suggestions.
    let mut rules = ent1.ok_get(&format!("/api/v1/suggestion-settings/{}", _w.e1)).await["rules"].clone();
    rules["ordinary_days"] = json!(15);
    ent1.ok_put(&format!("/api/v1/suggestion-settings/{}/rules", _w.e1), rules.clone()).await;
    let s = worker1.ok_post("/api/v1/suggestions", idea("照明改LED", "small_suggestion")).await;
    assert_eq!(s["due_on"], day(15));
    rules["ladder"][2]["min_value_yuan"] = json!(900000);
    let before = app.fingerprint().await;
    let (status, v) = ent1.put(&format!("/api/v1/suggestion-settings/{}/rules", _w.e1), rules).await;
    assert_eq!(status, 422, "the ladder must descend: {v}");
    assert_eq!(app.fingerprint().await, before);
}
both!(deadlines_flag_overdue_evaluations_and_notify_once);

async fn challenges_take_bids_in_scope_until_the_deadline(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let city = app.login("city.a", PASSWORD).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let admin = app.admin().await;
    let lead2 = crate::common::account(&admin, "lead2", Some(w.leader2), w.e2, &[("worker", w.e2)]).await;
    let _ = lead2;
    let lead2 = app.login("lead2", PASSWORD).await;

    let ch = city
        .ok_post(
            "/api/v1/challenges",
            json!({"unit_id": w.city_a, "scope_unit_id": w.e1, "title": "大型铸件砂眼缺陷攻关", "problem": "铸件砂眼导致废品率高达8%。",
                   "deadline": day(10), "reward_yuan": 50000}),
        )
        .await;
    let id = ch["id"].as_i64().unwrap();
    assert_eq!(ch["state"], "open");
    // The leader of a studio in scope sees it and bids with a team of members.
    let d = lead1.ok_get(&format!("/api/v1/challenges/{id}")).await;
    assert_eq!(d["bidders"][0]["studio_id"], w.s1, "{d}");
    assert!(ids(&lead1.ok_get("/api/v1/challenges").await).contains(&id));
    // A studio outside the scope neither sees it nor may bid.
    assert_eq!(lead2.get(&format!("/api/v1/challenges/{id}")).await.0, 404);
    assert!(!ids(&lead2.ok_get("/api/v1/challenges").await).contains(&id));
    let before = app.fingerprint().await;
    let (status, v) =
        lead1.post(&format!("/api/v1/challenges/{id}/bids"), json!({"studio_id": w.s2, "plan": "x"})).await;
    assert_eq!(status, 422, "{v}");
    let (status, _) =
        mem1.post(&format!("/api/v1/challenges/{id}/bids"), json!({"studio_id": w.s1, "plan": "方案"})).await;
    assert_eq!(status, 403, "members do not bid for the studio");
    let (status, v) = lead1
        .post(&format!("/api/v1/challenges/{id}/bids"), json!({"studio_id": w.s1, "plan": "方案", "team": [w.q2]}))
        .await;
    assert_eq!(status, 422, "the team comes from the studio: {v}");
    assert_eq!(app.fingerprint().await, before);
    let bid = lead1
        .ok_post(
            &format!("/api/v1/challenges/{id}/bids"),
            json!({"studio_id": w.s1, "plan": "改进型砂配比并增加排气孔", "team": [w.p2, w.p3]}),
        )
        .await;
    assert_eq!(bid["team"].as_array().unwrap().len(), 2);
    assert_eq!(
        lead1.post(&format!("/api/v1/challenges/{id}/bids"), json!({"studio_id": w.s1, "plan": "再来"})).await.0,
        409
    );
    assert!(kinds(&city).await.contains(&"challenge_bid".to_string()));

    // After the deadline, bids are refused.
    let ch2 = city
        .ok_post("/api/v1/challenges", json!({"unit_id": w.city_a, "title": "高压管道泄漏检测", "problem": "人工巡检效率低。", "deadline": day(0)}))
        .await;
    let id2 = ch2["id"].as_i64().unwrap();
    let past = day(-1);
    app.db
        .write(move |c| {
            c.execute("UPDATE challenges SET deadline = ? WHERE id = ?", jiangxin::params![past.as_str(), id2])
                .map(|_| ())
        })
        .await
        .unwrap();
    let (status, v) =
        lead1.post(&format!("/api/v1/challenges/{id2}/bids"), json!({"studio_id": w.s1, "plan": "方案"})).await;
    assert_eq!((status.as_u16(), v["error"]["code"].as_str()), (409, Some("deadline_passed")), "{v}");

    // The poster chooses; the choice becomes a project with its source.
    assert_eq!(
        lead1
            .post(
                &format!("/api/v1/challenges/{id}/choice"),
                json!({"bid_ids": [bid["id"]], "category": "技术攻关", "ends_on": day(120)})
            )
            .await
            .0,
        403
    );
    let p = city
        .ok_post(
            &format!("/api/v1/challenges/{id}/choice"),
            json!({"bid_ids": [bid["id"]], "category": "技术攻关", "ends_on": day(120)}),
        )
        .await;
    assert_eq!(
        (p["source"].as_str(), p["source_id"].as_i64(), p["studio_id"].as_i64()),
        (Some("challenge"), Some(id), Some(w.s1))
    );
    let team = lead1.ok_get(&format!("/api/v1/projects/{}", p["id"])).await["members"].as_array().unwrap().len();
    assert_eq!(team, 2);
    let d = city.ok_get(&format!("/api/v1/challenges/{id}")).await;
    assert_eq!((d["challenge"]["state"].as_str(), d["bids"][0]["state"].as_str()), (Some("awarded"), Some("chosen")));
    assert!(kinds(&lead1).await.contains(&"challenge_decided".to_string()));
    assert_eq!(
        lead1.post(&format!("/api/v1/challenges/{id}/bids"), json!({"studio_id": w.s1, "plan": "x"})).await.0,
        409
    );
}
both!(challenges_take_bids_in_scope_until_the_deadline);

fn outcome(studio: i64, kind: &str, number: Option<&str>, person: i64) -> Value {
    json!({"studio_id": studio, "kind": kind, "title": format!("一种{kind}成果"), "achieved_on": day(-20), "number": number,
           "level": "province", "points": ["改进夹具", "缩短换型时间"], "contributors": [{"person_id": person}, {"name": "外协专家"}]})
}

async fn outcomes_are_registered_once_and_counted_in_the_figures(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let city = app.login("city.a", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;

    let o =
        lead1.ok_post("/api/v1/outcomes", outcome(w.s1, "invention_patent", Some("ZL202410001234.5"), w.leader1)).await;
    let oid = o["id"].as_i64().unwrap();
    assert_eq!(o["contributors"][0]["name"], "李建国");
    assert_eq!(o["points"].as_array().unwrap().len(), 2);
    // The same number for the same type is refused, and nothing is written.
    let before = app.fingerprint().await;
    let (status, v) =
        lead1.post("/api/v1/outcomes", outcome(w.s1, "invention_patent", Some("ZL202410001234.5"), w.leader1)).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["fields"]["number"], "这个编号已登记过同类成果，不能重复登记。");
    let mut bad = outcome(w.s1, "award", None, w.leader1);
    bad["points"] = json!(["一", "二", "三", "四"]);
    bad["actual_benefit_yuan"] = json!(-1);
    bad["title"] = json!("");
    let (status, v) = lead1.post("/api/v1/outcomes", bad).await;
    assert_eq!(status, 422);
    for f in ["points", "actual_benefit_yuan", "title"] {
        assert!(v["error"]["fields"][f].is_string(), "{f}: {v}");
    }
    assert_eq!(app.fingerprint().await, before);
    // The same number under another type is another registration.
    lead1.ok_post("/api/v1/outcomes", outcome(w.s1, "utility_patent", Some("ZL202410001234.5"), w.leader1)).await;
    assert_eq!(worker1.post("/api/v1/outcomes", outcome(w.s1, "paper", None, w.leader1)).await.0, 403);

    // Benefit counts only once verified — by an administrator who did not register it.
    let mut with_benefit = outcome(w.s1, "operation_method", None, w.leader1);
    with_benefit["actual_benefit_yuan"] = json!(350000);
    assert_eq!(lead1.post("/api/v1/outcomes", with_benefit.clone()).await.0, 422, "how was it computed?");
    with_benefit["benefit_method"] = json!("年节约材料费 = 单件节约 × 年产量");
    let m = lead1.ok_post("/api/v1/outcomes", with_benefit).await;
    let mid = m["id"].as_i64().unwrap();
    let figures = |api: crate::common::Api, unit: i64| async move {
        api.ok_get(&format!("/api/v1/stats?unit_id={unit}&from={}&to={}", day(-365), day(0))).await
    };
    let f = figures(city.clone(), w.city_a).await;
    assert_eq!(f["verified_benefit_yuan"]["value"], 0, "{f}");
    assert_eq!(lead1.post(&format!("/api/v1/outcomes/{mid}/verification"), json!({})).await.0, 403);
    ent1.ok_post(&format!("/api/v1/outcomes/{mid}/verification"), json!({})).await;
    lead1
        .ok_post(
            &format!("/api/v1/outcomes/{oid}/promotions"),
            json!({"unit_name": "西山电力有限公司", "since": day(-5)}),
        )
        .await;
    let png = crate::common::tiny_png();
    let (status, v) = crate::common::upload_to(
        &app,
        "lead1",
        &format!("/api/v1/outcomes/{oid}/evidence"),
        &[("purpose", "专利证书")],
        "certificate.png",
        png,
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let d = city.ok_get(&format!("/api/v1/outcomes/{oid}")).await;
    assert_eq!(d["evidence"][0]["purpose"], "专利证书");
    assert_eq!(d["outcome"]["applied_since"], day(-5));

    // A project completed in the period, and one approved.
    let p = project(&lead1, w.s1, "铸件砂眼攻关", w.leader1, &[30]).await;
    let pid = p["id"].as_i64().unwrap();
    let step = |a: &str| json!({"action": a});
    let path = format!("/api/v1/projects/{pid}/transitions");
    ent1.ok_post(&path, step("approve")).await;

    // The figures agree with counts made here from the records.
    let f = figures(city.clone(), w.city_a).await;
    let count = |sql: &'static str| app.scalar(sql);
    assert_eq!(f["outcomes"]["value"].as_i64().unwrap(), count("SELECT COUNT(*) FROM outcomes").await);
    assert_eq!(f["invention_patents"]["value"], 1);
    assert_eq!(f["utility_patents"]["value"], 1);
    assert_eq!(f["applied_outcomes"]["value"], 1);
    assert_eq!(f["verified_benefit_yuan"]["value"], 350000);
    assert_eq!(
        f["projects_started"]["value"].as_i64().unwrap(),
        count("SELECT COUNT(*) FROM projects WHERE approved_on IS NOT NULL").await
    );
    let level = f["outcomes_by_level"].as_array().unwrap().iter().find(|x| x["code"] == "province").unwrap().clone();
    assert_eq!(level["value"], 3);
    // Each figure links to exactly its records.
    let link = f["invention_patents"]["link"].as_str().unwrap().to_string();
    let listed = city.ok_get(&format!("/api/v1{link}")).await;
    assert_eq!(ids(&listed), vec![oid]);
    let link = f["projects_started"]["link"].as_str().unwrap().to_string();
    assert_eq!(ids(&city.ok_get(&format!("/api/v1{link}")).await), vec![pid]);
    let link = f["verified_benefit_yuan"]["link"].as_str().unwrap().to_string();
    assert_eq!(ids(&city.ok_get(&format!("/api/v1{link}")).await), vec![mid]);
    // Another province's figures hold none of it, and are not for the other province to read.
    let union_b = app.login("union.b", PASSWORD).await;
    assert_eq!(union_b.get(&format!("/api/v1/stats?unit_id={}", w.city_a)).await.0, 404);
    let fb = figures(union_b, w.province_b).await;
    assert_eq!(fb["outcomes"]["value"], 0);
    let (status, v) = city.get(&format!("/api/v1/stats?unit_id={}&from={}&to={}", w.city_a, day(0), day(-3))).await;
    assert_eq!(status, 422, "{v}");
}
both!(outcomes_are_registered_once_and_counted_in_the_figures);

async fn bad_suggestions_are_refused_whole(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let before = app.fingerprint().await;
    let too_long = "很".repeat(4001);
    for (body, field) in [
        (json!({"title": "", "category": "rationalization", "situation": "x", "measure": "y"}), "title"),
        (json!({"title": "t", "category": "rationalization", "situation": too_long, "measure": "y"}), "situation"),
        (json!({"title": "t", "category": "nonsense", "situation": "x", "measure": "y"}), "category"),
        (
            json!({"title": "t", "category": "rationalization", "situation": "x", "measure": "y", "expected_benefit_yuan": -1}),
            "expected_benefit_yuan",
        ),
        (
            json!({"title": "t", "category": "rationalization", "situation": "x", "measure": "y", "co_proposers": [999999]}),
            "co_proposers.0",
        ),
    ] {
        let (status, v) = worker1.post("/api/v1/suggestions", body).await;
        assert_eq!(status, 422, "{v}");
        assert!(v["error"]["fields"][field].is_string(), "{field}: {v}");
    }
    let (status, v) =
        worker1.clone().english().post("/api/v1/suggestions", json!({"title": "", "category": "x"})).await;
    assert_eq!(status, 422);
    assert_eq!(v["error"]["fields"]["title"], "Required.", "{v}");
    // On the page, the wrong co-proposer is marked on its own field, not only at the top.
    let page = crate::sessions::page_client(&app, "worker1", PASSWORD).await;
    let form = page.get(format!("{}/suggestions/new", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = crate::sessions::csrf_of(&form);
    let resp = page
        .post(format!("{}/suggestions", app.base))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "冲压线加装挡板"),
            ("category", "rationalization"),
            ("situation", "x"),
            ("measure", "y"),
            ("co_proposers[]", "999999"),
            ("co_proposers__chosen", "[[999999,\"某某\"]]"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"e-co_proposers\""), "{html}");
    // The picker shows again what was chosen, to be corrected rather than typed again.
    assert!(html.contains("[[999999,&#34;某某&#34;]]") || html.contains("[[999999,&quot;某某&quot;]]"), "{html}");
    assert_eq!(app.fingerprint().await, before, "nothing was written");
}
both!(bad_suggestions_are_refused_whole);

/// Who decides for a department is remembered between submissions; a grant given or withdrawn
/// changes who the next submission tells at once.
async fn each_submission_tells_the_deciders_granted_at_that_moment(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let told = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "suggestion_assigned").count();

    worker1.ok_post("/api/v1/suggestions", idea("冲压件去毛刺改用振动研磨", "rationalization")).await;
    assert_eq!(told(kinds(&ent1).await), 1, "the enterprise's administrator decides");

    // A second administrator of the enterprise: told from the next submission on.
    crate::common::account(&admin, "ent1b", None, w.e1, &[("enterprise_admin", w.e1)]).await;
    let ent1b_api = app.login("ent1b", PASSWORD).await;
    worker1.ok_post("/api/v1/suggestions", idea("冲压模具快速换模", "rationalization")).await;
    assert_eq!(told(kinds(&ent1).await), 2);
    assert_eq!(told(kinds(&ent1b_api).await), 1, "the new grant counts at once");

    // The first one's grant withdrawn: no longer told.
    let account = admin.ok_get(&format!("/api/v1/accounts/{}", w.account("ent1"))).await;
    let grant = account["grants"][0]["id"].as_i64().expect("grant id");
    let (status, _) = admin.delete(&format!("/api/v1/grants/{grant}")).await;
    assert_eq!(status, 200);
    worker1.ok_post("/api/v1/suggestions", idea("焊接烟尘集中收集", "rationalization")).await;
    assert_eq!(told(kinds(&ent1b_api).await), 2);
    let ent1_again = app.login("ent1", PASSWORD).await;
    assert_eq!(told(kinds(&ent1_again).await), 2, "a withdrawn grant is no longer told");
}
both!(each_submission_tells_the_deciders_granted_at_that_moment);
