//! Projects from proposal to completion, their traffic lights and the red-light lists of every
//! level, extensions, the annual plan, and the notifications they raise.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, project, world};
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<i64> {
    v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect()
}

async fn a_project_runs_its_whole_life(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;

    // Someone from another enterprise cannot be put on the team.
    let (status, v) = lead1
        .post(
            "/api/v1/projects",
            json!({"studio_id": w.s1, "title": "x", "category": "技术攻关", "starts_on": day(0), "ends_on": day(10),
                   "members": [{"person_id": w.q2}]}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["members.0.person_id"].is_string(), "{v}");

    let p = project(&lead1, w.s1, "焊缝返修率攻关", w.leader1, &[3, 60]).await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["state"], "proposed");
    assert!(p["light"].is_null(), "a project not yet approved has no light: {p}");
    assert!(p["number"].is_null());
    // The enterprise is told a decision waits.
    let notes = ent1.ok_get("/api/v1/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "project_decision", "{notes}");
    assert_eq!(ent1.ok_get("/api/v1/notifications/unread").await["unread"], 1);

    // Only the enterprise approves; the number is generated.
    let step = |action: &str| json!({"action": action});
    let path = format!("/api/v1/projects/{id}/transitions");
    assert_eq!(mem1.post(&path, step("approve")).await.0, 403);
    assert_eq!(lead1.post(&path, step("approve")).await.0, 403);
    let p = ent1.ok_post(&path, step("approve")).await;
    assert_eq!(p["state"], "approved");
    assert!(p["number"].as_str().unwrap().starts_with("XM-"), "{p}");
    // The team starts it; the nearest milestone is three days away: yellow.
    let p = lead1.ok_post(&path, step("start")).await;
    assert_eq!(p["state"], "in_progress");
    assert_eq!(p["light"], "yellow", "{p}");
    // An illegal step is refused with the states named.
    let (status, v) = ent1.post(&path, step("accept")).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"]["message"], "课题处于“实施中”状态，不能“验收通过并结题”。");

    // An overdue milestone turns it red; done, it goes back.
    let m = lead1
        .ok_post(&format!("/api/v1/projects/{id}/milestones"), json!({"title": "样件试制", "due_on": day(-1)}))
        .await;
    assert_eq!(m["light"], "red", "{m}");
    assert_eq!(lead1.ok_get(&format!("/api/v1/projects/{id}")).await["project"]["light"], "red");
    let m = lead1.ok_post(&format!("/api/v1/milestones/{}/done", m["id"]), json!({"done_on": day(0)})).await;
    assert!(m["done_on"].is_string() && m["light"].is_null(), "{m}");
    assert_eq!(lead1.ok_get(&format!("/api/v1/projects/{id}")).await["project"]["light"], "yellow");

    // Extensions: later than the current date, one at a time, granted by the enterprise.
    let milestones = lead1.ok_get(&format!("/api/v1/projects/{id}/milestones")).await;
    let second = milestones.as_array().unwrap().iter().find(|m| m["title"] == "节点2").unwrap().clone();
    let ext = format!("/api/v1/projects/{id}/extensions");
    let (status, v) =
        lead1.post(&ext, json!({"milestone_id": second["id"], "new_date": day(10), "reason": "等备件"})).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["new_date"].as_str().unwrap().contains(&day(60)), "{v}");
    let x = lead1.ok_post(&ext, json!({"milestone_id": second["id"], "new_date": day(90), "reason": "等备件"})).await;
    assert_eq!(x["status"], "pending");
    let again = json!({"milestone_id": second["id"], "new_date": day(120), "reason": "再等等"});
    assert_eq!(lead1.post(&ext, again).await.0, 409, "one pending request per date");
    assert_eq!(
        lead1.post(&format!("/api/v1/extensions/{}/decision", x["id"]), json!({"decision": "approve"})).await.0,
        403
    );
    let x = ent1.ok_post(&format!("/api/v1/extensions/{}/decision", x["id"]), json!({"decision": "approve"})).await;
    assert_eq!(x["status"], "approved");
    let milestones = lead1.ok_get(&format!("/api/v1/projects/{id}/milestones")).await;
    let second = milestones.as_array().unwrap().iter().find(|m| m["title"] == "节点2").unwrap().clone();
    assert_eq!(second["due_on"], day(90));
    assert_eq!(second["original_due_on"], day(60), "the original date stays on record");

    // Progress: the studio's members report, a worker outside the team does not.
    let up = format!("/api/v1/projects/{id}/updates");
    assert_eq!(mem1.post(&up, json!({"body": "完成现场数据采集"})).await.0, 201);
    assert_eq!(worker1.post(&up, json!({"body": "路过"})).await.0, 403);
    assert_eq!(mem1.post(&up, json!({"body": ""})).await.0, 422);

    // Stage review, acceptance (with its conclusion and record), completion.
    lead1.ok_post(&path, step("request_stage_review")).await;
    ent1.ok_post(&path, step("pass_stage_review")).await;
    lead1.ok_post(&path, step("request_acceptance")).await;
    let (status, v) = ent1.post(&path, step("accept")).await;
    assert_eq!(status, 422);
    assert!(v["error"]["fields"]["conclusion"].is_string() && v["error"]["fields"]["record"].is_string(), "{v}");
    let p = ent1
        .ok_post(
            &path,
            json!({"action": "accept", "conclusion": "达到预期", "record": "技术部组织验收", "achieved_benefit_yuan": 120000}),
        )
        .await;
    assert_eq!(p["state"], "completed");
    assert_eq!(p["achieved_benefit_fen"], 12_000_000);
    assert!(p["light"].is_null());
    // Closed: the record no longer changes.
    let (status, v) = lead1
        .put(
            &format!("/api/v1/projects/{id}"),
            json!({"title": "改名", "category": "技术攻关", "starts_on": day(-30), "ends_on": day(300)}),
        )
        .await;
    assert_eq!(status, 409, "{v}");
    // Every step is on record with who took it.
    let steps = lead1.ok_get(&format!("/api/v1/projects/{id}/transitions")).await;
    let actions: Vec<&str> = steps.as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["approve", "start", "request_stage_review", "pass_stage_review", "request_acceptance", "accept"]
    );
    assert!(steps.as_array().unwrap().iter().all(|s| s["actor_name"].is_string()));
    // The leader was told of the decisions; the history holds the changes.
    let notes = lead1.ok_get("/api/v1/notifications").await;
    assert!(notes["items"].as_array().unwrap().iter().any(|n| n["kind"] == "project_decided"), "{notes}");
    let history = ent1.ok_get(&format!("/api/v1/history/project/{id}")).await;
    assert!(history["items"].as_array().unwrap().len() >= 7, "{history}");
}

async fn red_lights_are_listed_for_every_level_above(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let admin = app.admin().await;
    // Three running projects in studio 1: overdue, due in a week, due later; one in studio 2.
    let mut made = Vec::new();
    for (title, due) in [("逾期课题", -3), ("将到期课题", 7), ("正常课题", 30)] {
        let p = project(&lead1, w.s1, title, w.leader1, &[due]).await;
        let id = p["id"].as_i64().unwrap();
        ent1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
        made.push(id);
    }
    let p2 = project(&admin, w.s2, "乙省课题", w.leader2, &[-10]).await;
    let p2 = p2["id"].as_i64().unwrap();
    admin.ok_post(&format!("/api/v1/projects/{p2}/transitions"), json!({"action": "approve"})).await;

    let union_a = app.login("union.a", PASSWORD).await;
    let reds = union_a.ok_get("/api/v1/projects?light=red").await;
    assert_eq!(ids(&reds), vec![made[0]], "the province sees its red, not another province's: {reds}");
    assert_eq!((reds["red"].as_i64(), reds["yellow"].as_i64(), reds["green"].as_i64()), (Some(1), Some(1), Some(1)));
    let city = union_a.ok_get(&format!("/api/v1/projects?unit_id={}&sort=due", w.city_a)).await;
    assert_eq!(ids(&city), made, "most urgent first");
    assert_eq!(union_a.get(&format!("/api/v1/projects?unit_id={}", w.e2)).await.0, 404);
    let ent2 = app.login("ent2", PASSWORD).await;
    let theirs = ent2.ok_get("/api/v1/projects").await;
    assert_eq!(ids(&theirs), vec![p2]);
    assert_eq!(theirs["red"], 1);
    let everything = admin.ok_get("/api/v1/projects?light=red&sort=due").await;
    assert_eq!(ids(&everything), vec![p2, made[0]]);
    // The yellow boundary: due in exactly seven days is yellow.
    let yellow = union_a.ok_get("/api/v1/projects?light=yellow").await;
    assert_eq!(ids(&yellow), vec![made[1]]);
    // A member of another studio does not see these projects at all.
    assert_eq!(ent2.get(&format!("/api/v1/projects/{}", made[0])).await.0, 404);
    // A red project says why and for how long; a yellow one how long is left.
    let page = crate::sessions::page_client(&app, "admin", crate::common::ADMIN_PASSWORD).await;
    let html = page.get(format!("{}/projects/{p2}", app.base)).send().await.unwrap().text().await.unwrap();
    let why = html.split("id=\"light-reason\">").nth(1).unwrap_or_default().split("</span>").next().unwrap();
    assert!(why.contains("节点") && why.contains("已逾期 10 天"), "{why}");
    let html = page.get(format!("{}/projects/{}", app.base, made[1])).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("还剩 7 天"), "{html}");

    // The sweep tells the people concerned once, not at every run.
    let swept = jiangxin::app::sweep::sweep(&app.state, jiangxin::clock::today()).await.unwrap();
    assert_eq!(swept.red, 2, "{swept:?}");
    assert_eq!(swept.due, 1, "one milestone falls due within the week: {swept:?}");
    let again = jiangxin::app::sweep::sweep(&app.state, jiangxin::clock::today()).await.unwrap();
    assert_eq!((again.red, again.due), (0, 0));
    let notes = lead1.ok_get("/api/v1/notifications").await;
    let kinds: Vec<&str> = notes["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"project_red") && kinds.contains(&"milestone_due"), "{kinds:?}");
    let unread = lead1.ok_get("/api/v1/notifications/unread").await["unread"].as_i64().unwrap();
    assert!(unread >= 2);
    lead1.ok_post("/api/v1/notifications/read-all", json!({})).await;
    assert_eq!(lead1.ok_get("/api/v1/notifications/unread").await["unread"], 0);
    // Someone else's notification cannot be marked read.
    let theirs = ent1.ok_get("/api/v1/notifications").await["items"][0]["id"].as_i64().unwrap();
    assert_eq!(lead1.post(&format!("/api/v1/notifications/{theirs}/read"), json!({})).await.0, 404);

    // The deadline counters behind the totals agree with the projects themselves.
    let read = || async {
        app.db
            .read(|c| {
                c.query("SELECT unit_id, counter, value FROM unit_counters ORDER BY unit_id, counter", &[], |r| {
                    Ok((r.get::<i64>("unit_id")?, r.get::<String>("counter")?, r.get::<i64>("value")?))
                })
            })
            .await
            .unwrap()
    };
    let kept = read().await;
    assert!(kept.iter().any(|(_, k, v)| k.starts_with("due:") && *v > 0));
    app.db.write(jiangxin::storage::counters::rebuild).await.unwrap();
    let rebuilt: Vec<_> = read().await;
    let live = |v: Vec<(i64, String, i64)>| v.into_iter().filter(|r| r.2 != 0).collect::<Vec<_>>();
    assert_eq!(live(kept), live(rebuilt));
}

async fn the_annual_plan_is_fixed_once_agreed(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let year = jiangxin::clock::today().year();
    let path = format!("/api/v1/studios/{}/plans/{year}", w.s1);
    let targets = json!({"projects_started": 2, "projects_finished": 1, "training_sessions": 4, "trainees": 40,
                         "budget_yuan": 80000, "note": "重点攻关焊接质量"});
    assert_eq!(mem1.put(&path, targets.clone()).await.0, 403, "a member does not write the plan");
    let v = lead1.put(&path, targets.clone()).await.1;
    assert_eq!(v["plan"]["state"], "draft", "{v}");
    let step = format!("{path}/transitions");
    assert_eq!(lead1.post(&step, json!({"action": "agree"})).await.0, 403);
    lead1.ok_post(&step, json!({"action": "submit"})).await;
    let waiting = ent1.ok_get("/api/v1/plans/waiting").await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting["total"], 1, "{waiting}");
    // Last year's plan, submitted after this one: the list pages, waiting longest first, and
    // the count is the length of the list.
    let last = format!("/api/v1/studios/{}/plans/{}", w.s1, year - 1);
    lead1.put(&last, targets.clone()).await;
    lead1.ok_post(&format!("{last}/transitions"), json!({"action": "submit"})).await;
    let first = ent1.ok_get("/api/v1/plans/waiting?limit=1").await;
    assert_eq!(
        (first["total"].as_i64(), first["items"][0]["year"].as_i64()),
        (Some(2), Some(i64::from(year))),
        "{first}"
    );
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = ent1.ok_get(&format!("/api/v1/plans/waiting?limit=1&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["year"], i64::from(year) - 1, "{second}");
    assert!(second["next_cursor"].is_null(), "{second}");
    let (status, bad) = ent1.get("/api/v1/plans/waiting?limit=0").await;
    assert_eq!(status, 422, "{bad}");
    // Nobody outside the enterprise's line sees them.
    let ent2 = app.login("ent2", PASSWORD).await;
    assert_eq!(ent2.ok_get("/api/v1/plans/waiting").await["total"], 0);
    // The page behind the count.
    let page = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let list = page.get(format!("{}/plans/waiting", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("共 2 份等待审批") && list.contains(&format!("/plans/{}\"", year - 1)), "{list}");
    ent1.ok_post(&format!("{last}/transitions"), json!({"action": "agree"})).await;
    // The enterprise officer's home counts it and links to it.
    let page = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let home = page.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    let plans =
        home.split("id=\"plans\"").nth(1).expect("the plans waiting on the home").split("</section>").next().unwrap();
    assert!(
        plans.contains("待我审批的年度计划 (1)") && plans.contains(&format!("href=\"{path}\"").replace("/api/v1", "")),
        "{plans}"
    );
    // The home's first page of them is remembered; a studio's new name shows on the next look.
    let admin = app.admin().await;
    let renamed =
        json!({"name": "焊接攻关创新工作室", "kind": "model_worker", "field": "数控技术", "room": "技术中心302室"});
    admin.ok_put(&format!("/api/v1/studios/{}", w.s1), renamed).await;
    let home = page.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    let plans = home.split("id=\"plans\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(plans.contains("焊接攻关创新工作室"), "{plans}");
    assert!(
        ent1.ok_get("/api/v1/notifications").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "plan_approval")
    );
    assert_eq!(lead1.put(&path, targets.clone()).await.0, 409, "no changes while it waits");
    let (status, v) = ent1.post(&step, json!({"action": "return"})).await;
    assert_eq!(status, 422);
    assert!(v["error"]["fields"]["reason"].is_string());
    ent1.ok_post(&step, json!({"action": "return", "reason": "培训人次偏低"})).await;
    let v = lead1.put(&path, json!({"projects_started": 2, "training_sessions": 4, "trainees": 60})).await.1;
    assert_eq!(v["plan"]["targets"]["trainees"], 60);
    lead1.ok_post(&step, json!({"action": "submit"})).await;
    let v = ent1.ok_post(&step, json!({"action": "agree"})).await;
    assert_eq!(v["plan"]["state"], "agreed");
    let (status, v) = lead1.put(&path, targets).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"]["message"], "计划已签订，本年度内不能再修改。");

    // Progress is counted from the records: an approved project and a signed training.
    let p = project(&lead1, w.s1, "计划内课题", w.leader1, &[30]).await;
    ent1.ok_post(&format!("/api/v1/projects/{}/transitions", p["id"]), json!({"action": "approve"})).await;
    let a = crate::common::activity(&lead1, w.s1, w.leader1, "焊接培训").await;
    lead1.ok_post(&format!("/api/v1/activities/{}/signatures", a["id"]), json!({})).await;
    lead1.ok_post(&format!("/api/v1/activities/{}/signatures", a["id"]), json!({})).await;
    let v = mem1.ok_get(&path).await;
    let progress = v["progress"].as_array().unwrap();
    let of = |t: &str| progress.iter().find(|p| p["target"] == t).unwrap().clone();
    assert_eq!(of("projects_started")["actual"], 1, "{v}");
    assert_eq!(of("training_sessions")["actual"], 1);
    assert_eq!(of("trainees")["actual"], 12);
    assert_eq!(of("trainees")["percent"], 20);
}

/// The totals by light come from the deadline counters by month and by day; they equal the
/// lists of each light today and again five weeks later, across month ends.
async fn lights_are_counted_across_months(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    // Due days around this month's end and the next's (the counters by day meet those by month).
    let today = jiangxin::clock::today();
    let to = |d: jiff::civil::Date| i64::from((d - today).get_days());
    let (month_end, next_end) = (today.last_of_month(), today.last_of_month().tomorrow().unwrap().last_of_month());
    let offsets = [-29, -1, 0, 7, 8, 40, 200, to(month_end), to(month_end) + 1, to(next_end), to(next_end) + 1];
    for (i, due) in offsets.iter().enumerate() {
        let p = project(&lead1, w.s1, &format!("课题{i}"), w.leader1, &[*due]).await;
        let id = p["id"].as_i64().unwrap();
        ent1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
    }
    // Every day of four months, through their ends and starts: the lights the counters give
    // (the total less what is due from today on) equal those counted from the due days, for
    // the country and for the city.
    let city = app.db.read(move |c| jiangxin::storage::units::get(c, w.city_a)).await.unwrap().unwrap().path;
    for d in -35..=85i64 {
        use jiff::ToSpan;
        let date = jiangxin::clock::today().checked_add(d.days()).unwrap();
        let expect = |f: &dyn Fn(i64) -> bool| offsets.iter().filter(|o| f(**o - d)).count() as i64;
        let want = (expect(&|o| o < 0), expect(&|o| (0..=7).contains(&o)), expect(&|o| o > 7));
        for within in [None, Some(city.clone())] {
            let got = app
                .db
                .read(move |c| {
                    use jiangxin::domain::access::Scope;
                    jiangxin::storage::projects::light_counts(c, &Scope::All, within.as_ref(), date)
                })
                .await
                .unwrap();
            assert_eq!(got, want, "lights on {date}");
        }
    }
    for later in [0, 35] {
        if later > 0 {
            app.state.clock.advance(std::time::Duration::from_secs(later * 86_400));
        }
        let union_a = app.login("union.a", PASSWORD).await;
        let expect = |f: fn(i64) -> bool| offsets.iter().filter(|d| f(**d - later as i64)).count() as i64;
        let (red, yellow, green) = (expect(|d| d < 0), expect(|d| (0..=7).contains(&d)), expect(|d| d > 7));
        for unit in [w.province_a, w.city_a, w.e1] {
            let all = union_a.ok_get(&format!("/api/v1/projects?unit_id={unit}&limit=200")).await;
            let totals = (all["red"].as_i64(), all["yellow"].as_i64(), all["green"].as_i64());
            assert_eq!(totals, (Some(red), Some(yellow), Some(green)), "{later} days on, unit {unit}: {all}");
            for (light, n) in [("red", red), ("yellow", yellow), ("green", green)] {
                let list = union_a.ok_get(&format!("/api/v1/projects?unit_id={unit}&light={light}&limit=200")).await;
                assert_eq!(ids(&list).len() as i64, n, "{light} {later} days on: {list}");
            }
        }
        let page = crate::sessions::page_client(&app, "union.a", PASSWORD).await;
        let home = page.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
        let by_child = format!("/projects?unit_id={}&amp;light=red&amp;sort=due\">{red}</a>", w.city_a);
        assert!(home.contains(&by_child), "the home's red lights of the city, {later} days on: {home}");
    }
    app.assert_figures_rebuild().await;
}

/// The first pages remembered for a province (a city's projects, its red lights most overdue
/// first) follow every write of a project's row and every name they show.
async fn the_first_pages_follow_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (lead1, mem1, ent1) =
        (app.login("lead1", PASSWORD).await, app.login("mem1", PASSWORD).await, app.login("ent1", PASSWORD).await);
    let (admin, union_a) = (app.admin().await, app.login("union.a", PASSWORD).await);
    let all = format!("/api/v1/projects?unit_id={}", w.city_a);
    let red = "/api/v1/projects?light=red&sort=due";
    let first = |v: &Value, field: &str| v["items"][0][field].clone();
    assert!(ids(&union_a.ok_get(&all).await).is_empty());
    assert!(ids(&union_a.ok_get(red).await).is_empty());
    let p = project(&lead1, w.s1, "焊缝返修率攻关", w.leader1, &[-3, 60]).await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(ids(&union_a.ok_get(&all).await), vec![id], "proposed");
    let body = json!({"title": "焊缝返修率攻关", "category": "工艺改进", "starts_on": day(-30), "ends_on": day(300),
        "leader_person_id": w.leader1});
    let (s, v) = lead1.send(reqwest::Method::PUT, &format!("/api/v1/projects/{id}"), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(first(&union_a.ok_get(&all).await, "category"), json!("工艺改进"));
    ent1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
    assert_eq!(first(&union_a.ok_get(&all).await, "state"), json!("approved"));
    assert_eq!(ids(&union_a.ok_get(red).await), vec![id], "overdue once approved");
    // A progress report and a later end granted change the row, not a count.
    let before = first(&union_a.ok_get(red).await, "updated_at");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    mem1.ok_post(&format!("/api/v1/projects/{id}/updates"), json!({"body": "完成现场数据采集"})).await;
    assert_ne!(first(&union_a.ok_get(red).await, "updated_at"), before);
    let x = lead1
        .ok_post(&format!("/api/v1/projects/{id}/extensions"), json!({"new_date": day(400), "reason": "等备件"}))
        .await;
    ent1.ok_post(&format!("/api/v1/extensions/{}/decision", x["id"]), json!({"decision": "approve"})).await;
    assert_eq!(first(&union_a.ok_get(red).await, "ends_on"), json!(day(400)));
    let leader = admin.ok_get(&format!("/api/v1/people/{}", w.leader1)).await;
    let body = json!({"unit_id": leader["unit_id"], "name": "李建国（改名）", "gender": leader["gender"]});
    let (s, v) = admin.send(reqwest::Method::PUT, &format!("/api/v1/people/{}", w.leader1), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(first(&union_a.ok_get(&all).await, "leader_name"), json!("李建国（改名）"));
    crate::common::rename_studio(&admin, w.s1, "焊接创新工作室（更名）").await;
    assert_eq!(first(&union_a.ok_get(red).await, "studio_name"), json!("焊接创新工作室（更名）"));
    // The overdue milestone done: no longer red.
    let milestones = lead1.ok_get(&format!("/api/v1/projects/{id}/milestones")).await;
    let m = milestones.as_array().unwrap().iter().find(|m| m["title"] == "节点1").unwrap().clone();
    lead1.ok_post(&format!("/api/v1/milestones/{}/done", m["id"]), json!({"done_on": day(0)})).await;
    assert!(ids(&union_a.ok_get(red).await).is_empty());
    assert_eq!(ids(&union_a.ok_get(&all).await), vec![id]);
}

both!(
    the_first_pages_follow_every_change,
    a_project_runs_its_whole_life,
    red_lights_are_listed_for_every_level_above,
    the_annual_plan_is_fixed_once_agreed,
    lights_are_counted_across_months
);
