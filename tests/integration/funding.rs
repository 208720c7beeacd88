//! Funding (经费): budgets by source, expenses and the earmark guard — an expense of exactly
//! what remains passes and one fen more does not, at submission and at approval; concurrent
//! submissions never overspend together; who reads, submits and decides; bad input changes
//! nothing; the budget and spending figures equal their lists and a rebuild.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, World, day, project, world};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn year() -> i64 {
    day(0)[..4].parse().expect("year")
}

async fn grant(api: &Api, studio: i64, lines: Value, categories: Value) -> (StatusCode, Value) {
    api.put(&format!("/api/v1/studios/{studio}/budgets/{}", year()), json!({"lines": lines, "categories": categories}))
        .await
}

async fn spend(api: &Api, studio: i64, amount: &str, category: &str) -> (StatusCode, Value) {
    api.post(
        "/api/v1/expenses",
        json!({"studio_id": studio, "spent_on": day(0), "amount_yuan": amount, "category": category, "purpose": "数控刀具"}),
    )
    .await
}

async fn expenses(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM expenses").await
}

async fn setup(app: &TestApp) -> (World, Api, Api) {
    let w = world(app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let (s, v) = grant(
        &ent1,
        w.s1,
        json!([{"source": "enterprise", "amount_yuan": "10,000"}, {"source": "city_union", "amount_yuan": 5000.5}]),
        json!(["equipment", "training"]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["budget"]["total_fen"], 1_500_050);
    (w, ent1, lead1)
}

async fn the_guard_holds_at_its_boundaries(b: Backend) {
    let app = TestApp::start(b).await;
    let (w, ent1, lead1) = setup(&app).await;
    // A category the budget does not allow.
    let (s, v) = spend(&lead1, w.s1, "10", "rewards").await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("expense_category_not_allowed")), "{v}");
    // Exactly what remains, in two expenses; then one fen more is refused with the remainder named.
    let (s, first) = spend(&lead1, w.s1, "5000.50", "equipment").await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, second) = spend(&lead1, w.s1, "10000", "training").await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let (s, v) = spend(&lead1, w.s1, "0.01", "training").await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("expense_over_budget")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap_or("").contains("¥0.00"), "{v}");
    // Refusing one gives its money back; the budget cannot drop below what it carries.
    let id1 = first["id"].as_i64().unwrap();
    let id2 = second["id"].as_i64().unwrap();
    let (s, v) = ent1.post(&format!("/api/v1/expenses/{id1}/transitions"), json!({"action": "refuse"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a refusal needs a reason: {v}");
    ent1.ok_post(
        &format!("/api/v1/expenses/{id1}/transitions"),
        json!({"action": "refuse", "reason": "不属于本年度计划"}),
    )
    .await;
    let (s, v) = grant(
        &ent1,
        w.s1,
        json!([{"source": "enterprise", "amount_yuan": "9999.99"}]),
        json!(["equipment", "training"]),
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("budget_below_spending")), "{v}");
    let (s, v) =
        grant(&ent1, w.s1, json!([{"source": "enterprise", "amount_yuan": "10000"}]), json!(["equipment"])).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("budget_category_in_use")), "{v}");
    let v =
        grant(&ent1, w.s1, json!([{"source": "enterprise", "amount_yuan": "10000"}]), json!(["equipment", "training"]))
            .await
            .1;
    assert_eq!((v["remaining_fen"].as_i64(), v["pending_fen"].as_i64()), (Some(0), Some(1_000_000)), "{v}");
    // Approval checks again and takes the step once; a decided expense takes no other step.
    let v = ent1.ok_post(&format!("/api/v1/expenses/{id2}/transitions"), json!({"action": "approve"})).await;
    assert_eq!(v["state"], "approved");
    let (s, v) =
        ent1.post(&format!("/api/v1/expenses/{id2}/transitions"), json!({"action": "refuse", "reason": "x"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("expense_decided")), "{v}");
    let v = lead1.ok_get(&format!("/api/v1/studios/{}/budgets/{}", w.s1, year())).await;
    assert_eq!((v["approved_fen"].as_i64(), v["remaining_fen"].as_i64()), (Some(1_000_000), Some(0)), "{v}");
    // The leader was told.
    let n = lead1.ok_get("/api/v1/notifications").await;
    assert_eq!(n["items"][0]["detail"]["happened"], "expense_approved", "{n}");
    assert_eq!(n["items"][1]["detail"]["values"]["reason"], "不属于本年度计划", "{n}");
    // The 八有 funding item is met from the budget now.
    let items = lead1.ok_get(&format!("/api/v1/studios/{}/checklist", w.s1)).await;
    let funding = items.as_array().unwrap().iter().find(|i| i["item"] == "funding").unwrap().clone();
    assert_eq!((funding["met"].as_bool(), funding["source"].as_str()), (Some(true), Some("data")), "{items}");
    app.assert_figures_rebuild().await;
}

async fn who_reads_submits_and_decides(b: Backend) {
    let app = TestApp::start(b).await;
    let (w, ent1, lead1) = setup(&app).await;
    let id = spend(&lead1, w.s1, "100", "equipment").await.1["id"].as_i64().unwrap();
    let budget = format!("/api/v1/studios/{}/budgets/{}", w.s1, year());
    let expense = format!("/api/v1/expenses/{id}");
    let step = format!("/api/v1/expenses/{id}/transitions");
    for (who, budget_status, expense_status) in [
        ("mem1", StatusCode::OK, StatusCode::OK),
        ("union.a", StatusCode::OK, StatusCode::OK),
        ("worker1", StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        ("reviewer.a", StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        ("ent2", StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
        ("union.b", StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
    ] {
        let api = app.login(who, PASSWORD).await;
        assert_eq!(api.get(&budget).await.0, budget_status, "{who} reads the budget");
        assert_eq!(api.get(&expense).await.0, expense_status, "{who} reads the expense");
    }
    // A member of studio S2 never sees S1's money; S1's member never sees S2's.
    let admin = app.admin().await;
    let q2 = crate::common::account(&admin, "mem2", Some(w.q2), w.e2, &[("worker", w.e2)]).await;
    assert!(q2 > 0);
    let mem2 = app.login("mem2", PASSWORD).await;
    assert_eq!(mem2.get(&budget).await.0, StatusCode::NOT_FOUND);
    assert_eq!(mem2.get(&expense).await.0, StatusCode::NOT_FOUND);
    let mem1 = app.login("mem1", PASSWORD).await;
    assert_eq!(mem1.get(&format!("/api/v1/studios/{}/budgets/{}", w.s2, year())).await.0, StatusCode::NOT_FOUND);
    // Only the leader submits; only the enterprise administrator over the studio decides.
    assert_eq!(spend(&mem1, w.s1, "1", "equipment").await.0, StatusCode::FORBIDDEN);
    assert_eq!(spend(&ent1, w.s1, "1", "equipment").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        grant(&lead1, w.s1, json!([{"source": "other", "amount_yuan": "1"}]), json!(["other"])).await.0,
        StatusCode::FORBIDDEN
    );
    for (who, status) in [
        ("lead1", StatusCode::FORBIDDEN),
        ("mem1", StatusCode::FORBIDDEN),
        ("union.a", StatusCode::FORBIDDEN),
        ("worker1", StatusCode::FORBIDDEN),
        ("ent2", StatusCode::NOT_FOUND),
    ] {
        let api = app.login(who, PASSWORD).await;
        assert_eq!(api.post(&step, json!({"action": "approve"})).await.0, status, "{who} approves");
    }
    // The queue: the enterprise's, nobody else's.
    let q = ent1.ok_get("/api/v1/expenses").await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(1), "{q}");
    let ent2 = app.login("ent2", PASSWORD).await;
    assert_eq!(ent2.ok_get("/api/v1/expenses").await["items"].as_array().map(Vec::len), Some(0));
    // Receipts are read with the studio's money.
    let (s, a) = crate::common::upload_to(
        &app,
        "lead1",
        &format!("/api/v1/expenses/{id}/receipts"),
        &[],
        "发票.png",
        crate::common::tiny_png(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let file = format!("/api/v1/attachments/{}", a["id"]);
    let worker1 = app.login("worker1", PASSWORD).await;
    let (status_member, status_worker) = (mem1.get(&file).await.0, worker1.get(&file).await.0);
    assert!(status_member == StatusCode::OK || status_member.is_success(), "{status_member}");
    assert_eq!(status_worker, StatusCode::FORBIDDEN);
    // The home page counts the queue and links it.
    let html = ent1.client.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("href=\"/expenses\""), "the enterprise's home links its queue");
    ent1.ok_post(&step, json!({"action": "approve"})).await;
}

async fn bad_input_changes_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let (w, _ent1, lead1) = setup(&app).await;
    let before = expenses(&app).await;
    let other = project(&app.login("lead1", PASSWORD).await, w.s1, "自有课题", w.leader1, &[30]).await;
    assert!(other["id"].as_i64().is_some());
    for (amount, field_msg) in [
        ("-5", "大于零"),
        ("0", "大于零"),
        ("1.234", "两位小数"),
        ("100000000.01", "不能超过"),
        ("一百", "金额数字"),
        ("", "必填"),
    ] {
        let (s, v) = spend(&lead1, w.s1, amount, "equipment").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{amount}: {v}");
        let msg = v["error"]["fields"]["amount_yuan"].as_str().unwrap_or("");
        assert!(msg.contains(field_msg), "{amount}: {v}");
    }
    let (s, v) = lead1
        .post(
            "/api/v1/expenses",
            json!({"studio_id": w.s1, "spent_on": day(2), "amount_yuan": "1", "category": "nonsense", "purpose": " "}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["spent_on", "category", "purpose"] {
        assert!(v["error"]["fields"][f].is_string(), "{f}: {v}");
    }
    // A project of another studio is not one of this studio's.
    let lead2_project = app.scalar("SELECT COALESCE(MAX(id), 0) + 1000 FROM projects").await;
    let (s, v) = lead1
        .post(
            "/api/v1/expenses",
            json!({"studio_id": w.s1, "spent_on": day(0), "amount_yuan": "1", "category": "equipment", "purpose": "x", "project_id": lead2_project}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // English messages too.
    let (s, v) = spend(&lead1.clone().english(), w.s1, "1.234", "equipment").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"]["fields"]["amount_yuan"].as_str().unwrap_or("").contains("two decimals"), "{v}");
    // A year without a budget.
    let (s, v) = lead1
        .post(
            "/api/v1/expenses",
            json!({"studio_id": w.s1, "spent_on": format!("{}-06-01", year() - 1), "amount_yuan": "1", "category": "equipment", "purpose": "x"}),
        )
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("no_budget")), "{v}");
    assert_eq!(expenses(&app).await, before, "nothing was written");
    // A bad budget changes nothing either.
    let ent1 = app.login("ent1", PASSWORD).await;
    let (s, v) = grant(
        &ent1,
        w.s1,
        json!([{"source": "enterprise", "amount_yuan": "5"}, {"source": "bogus", "amount_yuan": "-1"}]),
        json!([]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    for f in ["lines.1.source", "lines.1.amount_yuan", "categories"] {
        assert!(v["error"]["fields"][f].is_string(), "{f}: {v}");
    }
    let total = app.scalar("SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM budget_lines").await;
    assert_eq!(total, 1_500_050);
}

async fn concurrent_expenses_never_overspend(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    grant(&ent1, w.s1, json!([{"source": "enterprise", "amount_yuan": "1000"}]), json!(["equipment"])).await;
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let api = lead1.clone();
            let s1 = w.s1;
            tokio::spawn(async move { spend(&api, s1, "100", "equipment").await })
        })
        .collect();
    let mut created = Vec::new();
    let mut refused = 0;
    for t in tasks {
        let (s, v) = t.await.expect("task");
        match s {
            StatusCode::CREATED => created.push(v["id"].as_i64().unwrap()),
            StatusCode::CONFLICT => {
                assert_eq!(v["error"]["code"], "expense_over_budget", "{v}");
                refused += 1
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert_eq!((created.len(), refused), (10, 14));
    assert_eq!(app.scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM expenses").await, 100_000);
    // Approving all at once: each checks again under the lock; none overspends.
    let tasks: Vec<_> = created
        .iter()
        .map(|id| {
            let api = ent1.clone();
            let id = *id;
            tokio::spawn(async move {
                api.post(&format!("/api/v1/expenses/{id}/transitions"), json!({"action": "approve"})).await
            })
        })
        .collect();
    for t in tasks {
        let (s, v) = t.await.expect("task");
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let v = lead1.ok_get(&format!("/api/v1/studios/{}/budgets/{}", w.s1, year())).await;
    assert_eq!((v["approved_fen"].as_i64(), v["remaining_fen"].as_i64()), (Some(100_000), Some(0)));
    app.assert_figures_rebuild().await;
}

async fn the_figures_equal_their_lists(b: Backend) {
    let app = TestApp::start(b).await;
    let (w, ent1, lead1) = setup(&app).await;
    let a = spend(&lead1, w.s1, "1234.56", "equipment").await.1["id"].as_i64().unwrap();
    let r = spend(&lead1, w.s1, "100", "training").await.1["id"].as_i64().unwrap();
    spend(&lead1, w.s1, "7", "training").await; // waiting: not spent
    ent1.ok_post(&format!("/api/v1/expenses/{a}/transitions"), json!({"action": "approve"})).await;
    ent1.ok_post(&format!("/api/v1/expenses/{r}/transitions"), json!({"action": "refuse", "reason": "重复申报"})).await;
    for (who, unit) in [("union.a", w.province_a), ("city.a", w.city_a), ("ent1", w.e1)] {
        let api = app.login(who, PASSWORD).await;
        let h = api.ok_get(&format!("/api/v1/stats?unit_id={unit}&year={}", year())).await;
        assert_eq!(h["budget_fen"]["value"], 1_500_050, "{who}: {h}");
        assert_eq!(h["budget_fen"]["records"], 2, "{who}");
        assert_eq!(h["spent_fen"]["value"], 123_456, "{who}: {h}");
        assert_eq!(h["spent_fen"]["records"], 1, "{who}");
        for f in [&h["budget_fen"], &h["spent_fen"]] {
            let link = f["link"].as_str().expect("link");
            let list = api.ok_get(&format!("/api/v1{link}&limit=200")).await;
            let sum: i64 = list["items"].as_array().unwrap().iter().map(|i| i["amount"].as_i64().unwrap()).sum();
            assert_eq!((list["total"].clone(), list["value"].as_i64()), (f["records"].clone(), Some(sum)), "{link}");
            assert_eq!(f["value"].as_i64(), Some(sum), "{link}");
        }
        let eq = h["spent_by_category"].as_array().unwrap().iter().find(|x| x["code"] == "equipment").unwrap().clone();
        assert_eq!(eq["value"], 123_456);
        // The page shows the same numbers, read as people read money.
        let html = api
            .client
            .get(format!("{}/funding?unit_id={unit}&year={}", app.base, year()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("¥1,234.56") && html.contains("¥15,000.50"), "{who}");
    }
    // Members and workers read the figures but not the money's records.
    let worker = app.login("worker1", PASSWORD).await;
    let h = worker.ok_get(&format!("/api/v1/stats?unit_id={}&year={}", w.e1, year())).await;
    assert!(h["spent_fen"]["link"].is_null(), "{h}");
    app.assert_figures_rebuild().await;
}

/// What a step reads ahead on a reader covers what the writer then moves: every roll-up row
/// an approval changes was among the rows read ahead for it (their pages are in memory when the
/// single writer needs them), and a refusal moves none.
async fn an_approval_moves_only_rows_read_ahead(b: Backend) {
    use jiangxin::storage::figures::{Subject, rows_ahead};
    let app = TestApp::start(b).await;
    let (w, ent1, lead1) = setup(&app).await;
    let rollups = || async {
        app.db
            .read(|c| {
                c.query("SELECT unit_id, bucket, figure, value FROM figure_rollups", &[], |r| {
                    Ok(((r.get_idx::<i64>(0)?, r.get_idx::<i64>(1)?, r.get_idx::<String>(2)?), r.get_idx::<i64>(3)?))
                })
            })
            .await
            .expect("roll-ups")
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    for (amount, action) in
        [("1234.56", json!({"action": "approve"})), ("100", json!({"action": "refuse", "reason": "重复"}))]
    {
        let id = spend(&lead1, w.s1, amount, "equipment").await.1["id"].as_i64().expect("id");
        let ahead = app.db.read(move |c| rows_ahead(c, &[Subject::Expense(id)])).await.expect("rows ahead");
        let before = rollups().await;
        ent1.ok_post(&format!("/api/v1/expenses/{id}/transitions"), action.clone()).await;
        let after = rollups().await;
        let moved: Vec<_> = after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
        if action["action"] == "approve" {
            assert!(!moved.is_empty(), "an approval moves the spending figures");
        } else {
            assert!(moved.is_empty(), "a refusal moves nothing: {moved:?}");
        }
        for k in &moved {
            assert!(ahead.contains(k), "{k:?} moved but was not read ahead: {ahead:?}");
        }
    }
}

both!(
    an_approval_moves_only_rows_read_ahead,
    the_guard_holds_at_its_boundaries,
    who_reads_submits_and_decides,
    bad_input_changes_nothing,
    concurrent_expenses_never_overspend,
    the_figures_equal_their_lists
);
