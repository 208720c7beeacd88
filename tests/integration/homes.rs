//! Each role's home page is its work: a worker's button and suggestions, an evaluator's queue
//! with the overdue first, an officer's red lights by child unit with a way to chase, a
//! reviewer's (empty) queue; notices say what happened and go read when their page is opened.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, project, world};
use serde_json::json;

async fn page(app: &TestApp, user: &str, path: &str) -> String {
    let client = crate::sessions::page_client(app, user, PASSWORD).await;
    client.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap()
}

async fn every_role_finds_its_work_at_home(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let body = |title: &str| json!({"title": title, "category": "small_suggestion", "situation": "耗电。", "measure": "换灯。"});
    for title in ["冲压车间照明改LED", "焊装线加装挡板"] {
        worker1.ok_post("/api/v1/suggestions", body(title)).await;
    }

    // The worker: the button first, their suggestions and where each stands, no figures.
    let home = page(&app, "worker1", "/").await;
    let button = home.find("href=\"/suggestions/new\"").expect("the suggestion button");
    assert!(home.contains("焊装线加装挡板") && home.contains("评审中"), "{home}");
    assert!(!home.contains("id=\"lights\"") && !home.contains("class=\"headline"), "no wall of figures: {home}");
    assert!(button < home.find("焊装线加装挡板").unwrap(), "the button comes first");
    // Their own, page by page, newest first, to the end.
    let first = worker1.ok_get("/api/v1/suggestions?limit=1").await;
    assert_eq!(first["items"][0]["title"], "焊装线加装挡板");
    let cursor = first["next_cursor"].as_str().expect("a second page").to_string();
    let second = worker1.ok_get(&format!("/api/v1/suggestions?limit=1&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["title"], "冲压车间照明改LED");
    assert!(second["next_cursor"].is_null(), "{second}");

    // The evaluator: both suggestions wait, soonest deadline first, and the list behind the
    // count holds as many.
    let home = page(&app, "ent1", "/").await;
    assert!(home.contains("id=\"queue\"") && home.contains("(2)"), "{home}");
    let queue = app.login("ent1", PASSWORD).await.ok_get("/api/v1/suggestions?view=evaluate").await;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(2), "{queue}");
    // One of them passes its deadline: the home counts it, first in the queue, and the overdue
    // list behind that count holds it alone.
    let late = queue["items"][1]["id"].as_i64().unwrap();
    let yesterday = crate::common::day(-1);
    app.db
        .write(move |c| {
            c.execute("UPDATE suggestions SET due_on = ? WHERE id = ?", jiangxin::params![yesterday.as_str(), late])?;
            Ok(())
        })
        .await
        .unwrap();
    let home = page(&app, "ent1", "/").await;
    assert!(home.contains("(2，其中超期 1 条)"), "{home}");
    let overdue = app.login("ent1", PASSWORD).await.ok_get("/api/v1/suggestions?view=evaluate&overdue=true").await;
    assert_eq!(
        overdue["items"].as_array().map(|a| a.iter().map(|s| s["id"].as_i64()).collect()),
        Some(vec![Some(late)])
    );
    // Named as its evaluator too, the administrator reaches the late one both ways: it still
    // counts once, overdue once, and the list holds it once.
    app.db
        .write(move |c| {
            c.execute(
                "UPDATE suggestions SET evaluator_account_id = (SELECT id FROM accounts WHERE username = 'ent1') \
                 WHERE id = ?",
                jiangxin::params![late],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let home = page(&app, "ent1", "/").await;
    assert!(home.contains("(2，其中超期 1 条)"), "{home}");
    let both = app.login("ent1", PASSWORD).await.ok_get("/api/v1/suggestions?view=evaluate").await;
    assert_eq!(both["items"].as_array().map(Vec::len), Some(2), "{both}");
    let listed = home.split("id=\"queue\"").nth(1).expect("the queue");
    let at = |id: i64| listed.find(&format!("/suggestions/{id}\"")).expect("listed");
    assert!(at(late) < at(queue["items"][0]["id"].as_i64().unwrap()), "overdue first");
    // Page by page, the queue runs by deadline and ends.
    let ent1 = app.login("ent1", PASSWORD).await;
    let first = ent1.ok_get("/api/v1/suggestions?view=evaluate&limit=1").await;
    let cursor = first["next_cursor"].as_str().expect("a second page").to_string();
    let second = ent1.ok_get(&format!("/api/v1/suggestions?view=evaluate&limit=1&cursor={cursor}")).await;
    assert_eq!(first["items"][0]["id"].as_i64(), Some(late));
    assert_eq!(second["items"][0]["id"], queue["items"][0]["id"]);
    assert!(second["next_cursor"].is_null(), "{second}");
    // A union officer oversees suggestions but evaluates none.
    let union_home = page(&app, "union.a", "/").await;
    assert!(!union_home.contains("id=\"queue\""), "{union_home}");

    // The reviewer: an empty queue, and why.
    let home = page(&app, "reviewer.a", "/").await;
    assert!(home.contains("id=\"reviews\"") && home.contains("目前没有分配给您的评审任务"), "{home}");

    // An officer: the red lights by child unit, and the most overdue to chase.
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let red = project(&lead1, w.s1, "主轴温升攻关", w.leader1, &[-4]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{red}/transitions"), json!({"action": "approve"})).await;
    let green = project(&lead1, w.s1, "刀具寿命提升", w.leader1, &[40]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{green}/transitions"), json!({"action": "approve"})).await;
    let home = page(&app, "union.a", "/").await;
    let table = home.split(&format!("id=\"lights-{}\"", w.province_a)).nth(1).expect("lights by child unit");
    let row = table.split("</tr>").find(|r| r.contains("甲一市总工会")).expect("the city's row");
    assert!(row.contains(&format!("unit_id={}&amp;light=red", w.city_a)) && row.contains(">1</a>"), "{row}");
    // A second red project in the city: the next look counts two (not what was read before).
    let late = project(&lead1, w.s1, "冷却液回收改造", w.leader1, &[-2]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{late}/transitions"), json!({"action": "approve"})).await;
    let again = page(&app, "union.a", "/").await;
    let table = again.split(&format!("id=\"lights-{}\"", w.province_a)).nth(1).expect("lights by child unit");
    let row = table.split("</tr>").find(|r| r.contains("甲一市总工会")).expect("the city's row");
    assert!(row.contains(">2</a>"), "{row}");
    // The most overdue follow each change made since the last look: a new red project, a
    // project's new title, its studio's new name (the list is remembered between looks).
    let most_overdue = |home: &str| {
        let list = home.split("id=\"lights\"").nth(1).expect("the lights").split("</section>").next();
        list.unwrap_or_default().to_string()
    };
    let list = most_overdue(&again);
    assert!(list.contains("主轴温升攻关") && list.contains("冷却液回收改造"), "{list}");
    let (status, v) = lead1
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/projects/{late}"),
            Some(json!({
                "title": "冷却液回收再利用", "category": "技术攻关", "starts_on": day(-30), "ends_on": day(300),
                "members": [{"person_id": w.leader1}], "leader_person_id": w.leader1,
                "problem": "焊缝返修率高", "goal": "返修率降低一半", "source": "own"
            })),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let list = most_overdue(&page(&app, "union.a", "/").await);
    assert!(list.contains("冷却液回收再利用") && !list.contains("冷却液回收改造"), "{list}");
    crate::common::rename_studio(&ent1, w.s1, "焊接创新工作室（更名）").await;
    let list = most_overdue(&page(&app, "union.a", "/").await);
    assert!(list.contains("焊接创新工作室（更名）"), "{list}");
    // The city renamed: the next look names it so (not the children read before).
    let union_a = app.login("union.a", PASSWORD).await;
    crate::common::rename_unit(&union_a, w.city_a, "甲一市总工会（新）").await;
    let renamed = page(&app, "union.a", "/").await;
    let table = renamed.split(&format!("id=\"lights-{}\"", w.province_a)).nth(1).expect("lights by child unit");
    let table = table.split("</table>").next().unwrap_or_default();
    assert!(table.contains("甲一市总工会（新）"), "{table}");
    assert!(home.contains(&format!("action=\"/projects/{red}/chase\"")), "{home}");
    // The leader sees the studio's red project, with how long it is overdue.
    let home = page(&app, "lead1", "/").await;
    assert!(
        home.contains("id=\"studio-reds\"") && home.contains("主轴温升攻关") && home.contains("已逾期 4 天"),
        "{home}"
    );

    // Chasing: only administrators over it, only overdue, once a day; the leader is told who
    // asks and how long it is overdue.
    let union_a = app.login("union.a", PASSWORD).await;
    let (status, v) = lead1.post(&format!("/api/v1/projects/{red}/chase"), json!({})).await;
    assert_eq!(status, 403, "{v}");
    let (status, v) =
        app.login("union.b", PASSWORD).await.post(&format!("/api/v1/projects/{red}/chase"), json!({})).await;
    assert_eq!(status, 404, "{v}");
    let (status, v) = union_a.post(&format!("/api/v1/projects/{green}/chase"), json!({})).await;
    assert_eq!((status.as_u16(), v["error"]["code"].as_str()), (409, Some("not_overdue")), "{v}");
    union_a.ok_post(&format!("/api/v1/projects/{red}/chase"), json!({})).await;
    let (status, v) = union_a.post(&format!("/api/v1/projects/{red}/chase"), json!({})).await;
    assert_eq!((status.as_u16(), v["error"]["code"].as_str()), (409, Some("already_chased")), "{v}");
    let notes = page(&app, "lead1", "/notifications").await;
    assert!(notes.contains("甲省总工会管理员催办") || notes.contains("催办：课题“主轴温升攻关”已逾期 4 天"), "{notes}");
}

async fn notices_say_what_happened_and_go_read_when_opened(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let s = worker1
        .ok_post(
            "/api/v1/suggestions",
            json!({"title": "冲压线加装挡板", "category": "small_suggestion", "situation": "飞溅。", "measure": "加挡板。"}),
        )
        .await;
    let id = s["id"].as_i64().unwrap();
    let path = format!("/api/v1/suggestions/{id}/transitions");
    ent1.ok_post(&path, json!({"action": "score", "technical": 25, "economic": 24, "scope": 15, "practicality": 16, "value_yuan": 60000}))
        .await;
    ent1.ok_post(&path, json!({"action": "adopt", "reason": "同意"})).await;
    let notes = page(&app, "worker1", "/notifications").await;
    assert!(notes.contains("您的建议“冲压线加装挡板”已采纳：80 分"), "{notes}");
    assert!(notes.contains("已评分：80 分"), "{notes}");
    let listed = worker1.ok_get("/api/v1/notifications").await;
    assert_eq!(listed["items"][0]["detail"]["happened"], "suggestion_adopted", "{listed}");
    let unread = |v: &serde_json::Value| v["unread"].as_i64().unwrap_or(-1);
    let before = unread(&worker1.ok_get("/api/v1/notifications/unread").await);
    assert!(before >= 2, "{before}");
    // Opening the suggestion's page reads every notice that points there.
    let html = page(&app, "worker1", &format!("/suggestions/{id}")).await;
    assert!(html.contains("冲压线加装挡板"));
    let after = unread(&worker1.ok_get("/api/v1/notifications/unread").await);
    assert_eq!(after, 0, "read when opened (was {before})");
}

/// An officer's headline figures and dashboards are remembered between looks, and a change
/// below the unit shows on the next look; a caller with other rights gets their own links.
async fn the_home_figures_follow_a_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (lead1, ent1) = (app.login("lead1", PASSWORD).await, app.login("ent1", PASSWORD).await);
    let dashboard = format!("/api/v1/stats/dashboard?unit_id={}", w.e1);
    let on_dashboard = |d: &serde_json::Value| d["headline"]["projects_started"]["value"].as_i64().unwrap();
    let d = ent1.ok_get(&dashboard).await;
    let (before_dashboard, kept) = (on_dashboard(&d), ent1.ok_get(&dashboard).await);
    assert_eq!(d, kept, "the same dashboard when nothing changed");
    assert!(d["headline"]["members"]["link"].is_string(), "{d}");
    // A worker of the enterprise reads the same figures but may not list its people.
    let seen = app.login("worker1", PASSWORD).await.ok_get(&dashboard).await;
    assert_eq!(on_dashboard(&seen), before_dashboard);
    assert!(seen["headline"]["members"]["link"].is_null(), "{seen}");
    // The tile of projects started this year: `<strong>N</strong><span>立项课题</span>`.
    let tile = |html: &str, label: &str| -> i64 {
        let tile = html.split(&format!("<span>{label}</span>")).next().expect("the tile");
        let n = tile.rsplit("<strong>").next().and_then(|t| t.strip_suffix("</strong>")).expect("its figure");
        n.replace(',', "").parse().unwrap_or_else(|_| panic!("a number: {n}"))
    };
    let started = |html: &str| tile(html, "立项课题");
    let before = started(&page(&app, "ent1", "/").await);
    assert_eq!(started(&page(&app, "ent1", "/").await), before, "the same figure when nothing changed");
    // The home's figures are rendered once per language too.
    let english_home = page(&app, "ent1", "/?lang=en").await;
    assert_eq!(tile(&english_home, "Projects approved"), before, "{english_home}");
    assert!(!english_home.contains("立项课题"), "the figures of the first language: {english_home}");
    // The dashboard page: its tables are rendered by the first look in each language and kept
    // with its figures.
    let dashboard_page = format!("/stats?unit_id={}", w.e1);
    let english_page = format!("{dashboard_page}&lang=en");
    let page_before = started(&page(&app, "ent1", &dashboard_page).await);
    assert_eq!(page_before, before_dashboard, "the page shows the API's figure");
    assert_eq!(started(&page(&app, "ent1", &dashboard_page).await), page_before);
    let english = page(&app, "ent1", &english_page).await;
    assert_eq!(tile(&english, "Projects approved"), page_before, "{english}");
    assert!(!english.contains("立项课题"), "the tables of the first language: {english}");
    let p = project(&lead1, w.s1, "焊缝自动检测", w.leader1, &[30]).await;
    ent1.ok_post(&format!("/api/v1/projects/{}/transitions", p["id"]), json!({"action": "approve"})).await;
    assert_eq!(started(&page(&app, "ent1", "/").await), before + 1);
    assert_eq!(tile(&page(&app, "ent1", "/?lang=en").await, "Projects approved"), before + 1);
    assert_eq!(on_dashboard(&ent1.ok_get(&dashboard).await), before_dashboard + 1);
    assert_eq!(started(&page(&app, "ent1", &dashboard_page).await), page_before + 1);
    assert_eq!(tile(&page(&app, "ent1", &english_page).await, "Projects approved"), page_before + 1);
}

/// One's own suggestions are those one proposed (typed in by anyone) and those one typed in
/// for others: both, merged newest first, page by page to the end.
async fn ones_own_suggestions_page_newest_first_across_proposed_and_typed_in(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (lead1, ent1) = (app.login("lead1", PASSWORD).await, app.login("ent1", PASSWORD).await);
    let body = |title: &str| json!({"title": title, "category": "small_suggestion", "situation": "耗电。", "measure": "换灯。"});
    let mut for_worker = body("替一线职工录入：更衣室加装烘干机");
    for_worker["for_person_id"] = json!(w.worker_person);
    let mut for_leader = body("替组长录入：工具柜实行定置管理");
    for_leader["for_person_id"] = json!(w.leader1);
    lead1.ok_post("/api/v1/suggestions", body("冲压车间照明改LED")).await;
    lead1.ok_post("/api/v1/suggestions", for_worker).await;
    lead1.ok_post("/api/v1/suggestions", body("焊装线加装挡板")).await;
    ent1.ok_post("/api/v1/suggestions", for_leader).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/suggestions?limit=1".to_string();
    loop {
        let page = lead1.ok_get(&path).await;
        seen.push(page["items"][0]["title"].as_str().expect("a suggestion").to_string());
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/suggestions?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["替组长录入：工具柜实行定置管理", "焊装线加装挡板", "替一线职工录入：更衣室加装烘干机", "冲压车间照明改LED"],
        "proposed, typed in for others, newest first"
    );
    let home = page(&app, "lead1", "/").await;
    assert!(home.contains("替组长录入：工具柜实行定置管理") && home.contains("替一线职工录入"), "{home}");
}

/// A home page reads in one snapshot (`Db::read_together`): on SQLite every read of the work
/// sees the database as it was when the work began, even a write landing in between; the
/// reader goes back to the pool afterwards, also when the work is dropped midway, so that no
/// later read is left in an old snapshot.
async fn a_page_reads_in_one_snapshot_and_lets_its_reader_go(b: Backend) {
    let app = TestApp::start(b).await;
    let count = |db: &jiangxin::storage::Db| {
        let db = db.clone();
        async move { db.read(|c| c.scalar("SELECT COUNT(*) FROM org_units", &[])).await.unwrap() }
    };
    // A unit of its own at the top, to count.
    let add = |db: &jiangxin::storage::Db, path: &'static str| {
        let db = db.clone();
        async move {
            db.write(move |c| {
                c.execute(
                    "INSERT INTO org_units (parent_id, path, kind, name, created_at, updated_at) \
                     VALUES (NULL, ?, 'province', ?, 0, 0)",
                    jiangxin::params![path, path],
                )?;
                Ok(())
            })
            .await
            .unwrap()
        }
    };
    let before = count(&app.db).await;
    let (first, second) = app
        .db
        .read_together(async {
            let first = count(&app.db).await;
            add(&app.db, "/99001/").await;
            Ok((first, count(&app.db).await))
        })
        .await
        .unwrap();
    assert_eq!(first, before);
    match b {
        Backend::Sqlite => assert_eq!(second, before, "one snapshot for the whole work"),
        Backend::Postgres => assert_eq!(second, before + 1, "each read on its own"),
    }
    assert_eq!(count(&app.db).await, before + 1, "a read after the work sees the write");

    // Work dropped midway (a client gone): its reader goes back out of its transaction.
    let dropped = tokio::time::timeout(
        std::time::Duration::from_millis(50),
        app.db.read_together(async {
            count(&app.db).await;
            tokio::time::sleep(std::time::Duration::from_secs(10)).await;
            Ok(())
        }),
    )
    .await;
    assert!(dropped.is_err(), "the work was dropped");
    add(&app.db, "/99002/").await;
    let readers: Vec<_> = (0..64).map(|_| tokio::spawn(count(&app.db))).collect();
    for r in readers {
        assert_eq!(r.await.unwrap(), before + 2, "every reader sees the latest state");
    }
}

both!(
    a_page_reads_in_one_snapshot_and_lets_its_reader_go,
    every_role_finds_its_work_at_home,
    notices_say_what_happened_and_go_read_when_opened,
    the_home_figures_follow_a_change,
    ones_own_suggestions_page_newest_first_across_proposed_and_typed_in
);
