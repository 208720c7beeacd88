//! Inspections (检查) and annual work reports (年度工作汇报): an inspection with follow-up
//! items through report, close and reopen, overdue red lights and the sweep's notice; the due
//! list per quarter; a report generated from hand-made records, edited, submitted, fixed,
//! returned and edited again; bad input that writes nothing, in Chinese and English.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, World, day, world};
use serde_json::{Value, json};

/// Names a studio (registers a past naming by the city's union), so that it is inspected.
async fn name(admin: &Api, w: &World, studio: i64, unit: i64) {
    admin
        .ok_post(
            &format!("/api/v1/studios/{studio}/namings"),
            json!({"naming_unit_id": unit, "named_on": "2021-05-01"}),
        )
        .await;
    let _ = w;
}

fn inspection(studio: i64, due: &str) -> Value {
    json!({
        "studio_id": studio, "inspected_on": day(0), "score": 85, "remarks": "整体良好，台账需及时更新。",
        "checklist": [
            {"item": "name_plaque", "met": true}, {"item": "venue", "met": true},
            {"item": "ledger_current", "met": false, "note": "十月以后未登记"}
        ],
        "follow_ups": [{"item": "补齐十月、十一月活动台账", "due_on": due}]
    })
}

fn quarter_now() -> (i64, i64) {
    jiangxin::domain::inspection::quarter_of(jiangxin::clock::today())
}

async fn inspection_with_follow_ups(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    // The leader reads the studio's inspections, but does not record one.
    assert_eq!(lead.post("/api/v1/inspections", inspection(w.s1, &day(10))).await.0, 403);
    let d = union_a.ok_post("/api/v1/inspections", inspection(w.s1, &day(10))).await;
    let id = d["inspection"]["id"].as_i64().unwrap();
    let (year, quarter) = quarter_now();
    assert_eq!((d["inspection"]["year"].as_i64(), d["inspection"]["quarter"].as_i64()), (Some(year), Some(quarter)));
    assert_eq!(d["inspection"]["score"], 85);
    assert_eq!(d["inspection"]["band"], "good");
    assert_eq!(d["inspection"]["inspecting_unit_id"], w.province_a);
    assert_eq!(d["inspection"]["checklist"].as_array().unwrap().len(), 10, "every item, met or not: {d}");
    assert_eq!(d["inspection"]["met"], 2);
    assert_eq!(d["follow_ups"][0]["state"], "open");
    let fid = d["follow_ups"][0]["id"].as_i64().unwrap();
    // The leader and the enterprise are told what happened.
    for api in [&lead, &ent] {
        let n = api.ok_get("/api/v1/notifications").await;
        assert_eq!(n["items"][0]["detail"]["happened"], "inspection_recorded", "{n}");
        assert_eq!(n["items"][0]["detail"]["values"]["score"], "85", "{n}");
    }
    // A second inspection of the quarter is refused, clearly, and writes nothing.
    let (s, v) = union_a.post("/api/v1/inspections", inspection(w.s1, &day(10))).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("季度"), "{v}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspections").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspection_follow_ups").await, 1);

    // The studio reports, the union closes, then reopens with a reason and a new day.
    let base = format!("/api/v1/inspections/{id}/follow-ups/{fid}");
    assert_eq!(union_a.post(&format!("{base}/report"), json!({"note": "已补"})).await.0, 403);
    assert_eq!(lead.post(&format!("{base}/report"), json!({})).await.0, 422, "a report says what was done");
    let f = lead.ok_post(&format!("{base}/report"), json!({"note": "已补齐两个月台账并签章"})).await;
    assert_eq!(f["report_note"], "已补齐两个月台账并签章");
    let told = union_a.ok_get("/api/v1/notifications").await;
    assert_eq!(told["items"][0]["detail"]["happened"], "follow_up_reported", "the union hears of it: {told}");
    assert_eq!(lead.post(&format!("{base}/close"), json!({})).await.0, 403);
    let f = union_a.ok_post(&format!("{base}/close"), json!({"note": "经现场核查已整改"})).await;
    assert_eq!(f["state"], "closed");
    assert_eq!(union_a.post(&format!("{base}/close"), json!({})).await.0, 409, "closed already");
    assert_eq!(union_a.post(&format!("{base}/reopen"), json!({})).await.0, 422, "a reopening needs its reason");
    let f = union_a.ok_post(&format!("{base}/reopen"), json!({"note": "十一月台账仍缺签章", "due_on": day(5)})).await;
    assert_eq!(f["state"], "open");
    assert_eq!(f["due_on"], day(5));
    let d = lead.ok_get(&format!("/api/v1/inspections/{id}")).await;
    let actions: Vec<&str> = d["steps"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["report", "close", "reopen"], "the item's history: {d}");

    // Past its day the open item is a red light, and the sweep tells the studio once.
    assert!(d["follow_ups"][0]["days_overdue"].is_null());
    app.state.clock.advance(std::time::Duration::from_secs(8 * 86_400));
    // Sessions idle that long have ended: sign in again.
    let (lead, union_a) = (app.login("lead1", PASSWORD).await, app.login("union.a", PASSWORD).await);
    let d = lead.ok_get(&format!("/api/v1/inspections/{id}")).await;
    assert_eq!(d["follow_ups"][0]["days_overdue"], 3, "{d}");
    let before = app.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up_overdue'").await;
    assert_eq!(jiangxin::app::inspections::tell_overdue(&app.state, 50).await.unwrap(), 1);
    assert_eq!(jiangxin::app::inspections::tell_overdue(&app.state, 50).await.unwrap(), 0, "once per due day");
    let after = app.scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'follow_up_overdue'").await;
    assert!(after > before, "the leader and the enterprise are told");
    let n = lead.ok_get("/api/v1/notifications").await;
    assert_eq!(n["items"][0]["kind"], "follow_up_overdue", "{n}");
    assert_eq!(n["items"][0]["detail"]["values"]["days"], "3", "{n}");
    // The red light is on the studio's page, the leader's home and the union officer's home.
    let page = crate::sessions::page_client(&app, "lead1", PASSWORD).await;
    let studio_html = page.get(format!("{}/studios/{}", app.base, w.s1)).send().await.unwrap().text().await.unwrap();
    assert!(studio_html.contains("补齐十月、十一月活动台账"), "the studio's page lists the overdue item");
    let home = page.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("补齐十月、十一月活动台账"), "the leader's home lists it");
    let officer = crate::sessions::page_client(&app, "union.a", PASSWORD).await;
    let home = officer.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("甲一市总工会") && home.contains("逾期整改"), "the officer's home groups it by child unit");
    let row = home.split("id=\"follow-ups-by-child\"").nth(1).expect("the officer's overdue items by child unit");
    assert!(row.contains(">1</td><td class=\"num\">3</td>"), "one item, three days overdue: {row}");
    // The count opens the list behind it: the same items, as many as counted.
    let link = row.split("href=\"").nth(1).and_then(|r| r.split('"').next()).expect("the count's link");
    assert!(link.starts_with("/inspections/overdue?unit_id="), "{link}");
    let list = officer.get(format!("{}{}", app.base, link.replace("&amp;", "&"))).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let list = list.text().await.unwrap();
    assert!(list.contains("共 1 项") && list.contains("补齐十月、十一月活动台账"), "{list}");
    let api = union_a.ok_get(&format!("/api/v1{}", link.replace("&amp;", "&"))).await;
    assert_eq!((api["total"].as_i64(), api["items"].as_array().map(Vec::len)), (Some(1), Some(1)), "{api}");
    assert_eq!(api["items"][0]["days_overdue"], 3, "{api}");
    // Its export holds the same item.
    let r = officer.get(format!("{}/export{}", app.base, link.replace("&amp;", "&"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let bytes = std::io::Cursor::new(r.bytes().await.unwrap().to_vec());
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(bytes).expect("an xlsx file");
    use calamine::Reader;
    let sheet = book.worksheet_range(&book.sheet_names()[0]).expect("the sheet");
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "补齐十月、十一月活动台账"), "{cells:?}");
    let whole = union_a.ok_get(&format!("/api/v1/inspections/overdue?unit_id={}", w.province_a)).await;
    assert_eq!(whole["total"], 1, "the province's whole subtree: {whole}");
    let own = union_a.ok_get(&format!("/api/v1/inspections/overdue?unit_id={}&own=true", w.province_a)).await;
    assert_eq!(own["total"], 0, "none of the province's own studios: {own}");
    let union_b = app.login("union.b", PASSWORD).await;
    assert_eq!(union_b.get(&format!("/api/v1/inspections/overdue?unit_id={}", w.city_a)).await.0, 404);
    assert_eq!(union_b.ok_get("/api/v1/inspections/overdue").await["total"], 0, "their own subtree has none");
    // Closing it puts the light out.
    union_a.ok_post(&format!("{base}/close"), json!({})).await;
    let d = lead.ok_get(&format!("/api/v1/inspections/{id}")).await;
    assert!(d["follow_ups"][0]["days_overdue"].is_null());
    let home = officer.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!home.contains("follow-ups-by-child"), "nothing overdue is left by child unit");
    // The open items counted by due day equal those counted from the records.
    app.assert_figures_rebuild().await;
    // Corrections keep one inspection per quarter; the union may add follow-ups.
    let mut fix = inspection(w.s1, &day(30));
    fix["score"] = json!(92);
    let d = union_a.ok_put(&format!("/api/v1/inspections/{id}"), fix).await;
    assert_eq!(d["inspection"]["score"], 92);
    assert_eq!(d["follow_ups"].as_array().unwrap().len(), 2);
    assert_eq!(lead.put(&format!("/api/v1/inspections/{id}"), inspection(w.s1, &day(30))).await.0, 403);
    // Pages answer.
    for path in [format!("/inspections/{id}"), format!("/inspections/{id}/print"), "/inspections".into()] {
        let r = officer.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
}

async fn the_due_list(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    name(&admin, &w, w.s1, w.city_a).await;
    name(&admin, &w, w.s2, w.province_b).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let union_b = app.login("union.b", PASSWORD).await;
    let (year, quarter) = quarter_now();
    let due = |api: Api, q: String| async move {
        let v = api.ok_get(&format!("/api/v1/inspections/due?{q}")).await;
        v["items"].as_array().unwrap().iter().map(|x| x["studio_id"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    let this = format!("year={year}&quarter={quarter}");
    assert_eq!(due(union_a.clone(), this.clone()).await, vec![w.s1], "not inspected yet");
    assert_eq!(due(union_b.clone(), this.clone()).await, vec![w.s2], "each union its own subtree");
    union_a.ok_post("/api/v1/inspections", inspection(w.s1, &day(10))).await;
    assert!(due(union_a.clone(), this.clone()).await.is_empty(), "inspected this quarter");
    assert_eq!(due(union_a.clone(), format!("{this}&inspected=yes")).await, vec![w.s1]);
    assert_eq!(due(union_a.clone(), format!("{this}&inspected=all&unit_id={}", w.e1)).await, vec![w.s1]);
    // The page's rows carry the quarter's inspection and the last visit.
    let v = union_a.ok_get(&format!("/api/v1/inspections/due?{this}&inspected=all")).await;
    let row = &v["items"][0];
    assert!(row["inspection_id"].as_i64().is_some() && row["score"].as_i64().is_some(), "{v}");
    assert_eq!(row["last_inspected_on"], json!(day(0)), "{v}");
    // Another quarter: the studio is due there (it existed then), inspected here only.
    let (py, pq) = if quarter == 1 { (year - 1, 4) } else { (year, quarter - 1) };
    assert_eq!(due(union_a.clone(), format!("year={py}&quarter={pq}")).await, vec![w.s1]);
    // A studio founded after a quarter is not due in it.
    assert!(due(union_a.clone(), "year=2019&quarter=4".into()).await.is_empty(), "founded in 2020");
    assert_eq!(union_b.get(&format!("/api/v1/inspections/due?unit_id={}", w.e1)).await.0, 404);
    // The list of inspections filters by year, quarter and score band.
    let list = |q: String| {
        let api = union_a.clone();
        async move { api.ok_get(&format!("/api/v1/inspections?{q}")).await["items"].as_array().unwrap().len() }
    };
    assert_eq!(list(format!("year={year}&quarter={quarter}")).await, 1);
    assert_eq!(list("band=good".into()).await, 1);
    assert_eq!(list("band=fail".into()).await, 0);
    assert_eq!(union_b.ok_get("/api/v1/inspections").await["items"].as_array().unwrap().len(), 0);
    // The due list's page and its export answer.
    let page = crate::sessions::page_client(&app, "union.a", PASSWORD).await;
    let r = page.get(format!("{}/inspections/due?quarter=5", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 422, "a quarter that does not exist is named");
    let r = page.get(format!("{}/inspections/due?year={py}&quarter={pq}", app.base)).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("李建国劳模创新工作室"), "{html}");
    let r = page.get(format!("{}/export/inspections/due?year={py}&quarter={pq}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheet"));
}

async fn the_report_from_records(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    name(&admin, &w, w.s1, w.city_a).await;
    let lead = app.login("lead1", PASSWORD).await;
    let ent = app.login("ent1", PASSWORD).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let on = day(-3);
    let year: i64 = on[..4].parse().unwrap();
    // Two outcomes with ¥1,000 and ¥2,500 of benefit, verified by the enterprise.
    for (title, benefit) in [("数控刀具寿命提升", 1000), ("焊接夹具改进", 2500)] {
        let o = lead
            .ok_post(
                "/api/v1/outcomes",
                json!({"studio_id": w.s1, "kind": "paper", "title": title, "achieved_on": on,
                       "contributors": [{"name": "李建国"}], "actual_benefit_yuan": benefit, "benefit_method": "财务核算"}),
            )
            .await;
        ent.ok_post(&format!("/api/v1/outcomes/{}/verification", o["id"]), json!({})).await;
    }
    let path = format!("/api/v1/studios/{}/annual-reports/{year}", w.s1);
    let r = lead.ok_get(&path).await;
    assert_eq!(r["saved"], false);
    assert_eq!(r["figures"]["outcomes"], 2);
    assert_eq!(r["figures"]["benefit_fen"], 350_000);
    let outcomes = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "outcomes").unwrap();
    let text = outcomes["body"].as_str().unwrap();
    assert!(text.contains("创新成果 2 项") && text.contains("¥3,500.00"), "{text}");
    // The same figures as the headline figures of the enterprise.
    let h = admin.ok_get(&format!("/api/v1/stats?unit_id={}&year={year}", w.e1)).await;
    assert_eq!(h["outcomes"]["value"], 2, "{h}");
    // The leader edits a section; regenerating keeps the edit unless asked.
    let r = lead.ok_put(&path, json!({"sections": [{"key": "next_year", "body": "明年计划新立课题三项。"}]})).await;
    assert_eq!(r["saved"], true);
    let next =
        |r: &Value| r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "next_year").unwrap()["body"].clone();
    assert_eq!(next(&r), "明年计划新立课题三项。");
    let r = lead.ok_put(&path, json!({"regenerate": true})).await;
    assert_eq!(next(&r), "明年计划新立课题三项。", "an edit survives a regeneration");
    // Others may read it, not write it.
    assert_eq!(union_a.put(&path, json!({"sections": []})).await.0, 403);
    assert_eq!(app.login("ent2", PASSWORD).await.get(&path).await.0, 404);
    assert_eq!(app.login("union.b", PASSWORD).await.get(&path).await.0, 404);
    // Submitted, it is fixed; the union is told.
    let r = lead.ok_post(&format!("{path}/submit"), json!({})).await;
    assert_eq!(r["state"], "submitted");
    assert!(r["submitted_by_name"].is_string() && r["submitted_on"].is_string(), "{r}");
    // The union nearest above the studio (the city's) is told.
    let told = app.login("city.a", PASSWORD).await.ok_get("/api/v1/notifications").await;
    assert_eq!(told["items"][0]["detail"]["happened"], "report_submitted", "{told}");
    let (s, v) = lead.put(&path, json!({"sections": [{"key": "next_year", "body": "改"}]})).await;
    assert_eq!(s, 409, "{v}");
    let (_, v) = lead.clone().english().put(&path, json!({"sections": [{"key": "next_year", "body": "改"}]})).await;
    assert!(v["error"]["message"].as_str().unwrap().contains("submitted"), "{v}");
    assert_eq!(next(&lead.ok_get(&path).await), "明年计划新立课题三项。", "nothing written");
    // The union's list of reports shows it submitted.
    let list = union_a.ok_get(&format!("/api/v1/annual-reports?year={year}&submitted=yes")).await;
    assert_eq!(list["items"][0]["studio_id"], w.s1, "{list}");
    // Returned with a reason, it is a draft again and the leader edits it.
    assert_eq!(lead.post(&format!("{path}/return"), json!({"reason": "请补充"})).await.0, 403);
    assert_eq!(union_a.post(&format!("{path}/return"), json!({})).await.0, 422, "a return needs its reason");
    let r = union_a.ok_post(&format!("{path}/return"), json!({"reason": "请补充经费使用明细"})).await;
    assert_eq!(r["state"], "draft");
    assert_eq!(r["return_reason"], "请补充经费使用明细");
    let r = lead.ok_put(&path, json!({"sections": [{"key": "funding", "body": "经费全部用于设备购置。"}]})).await;
    let funding = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "funding").unwrap();
    assert_eq!(funding["body"], "经费全部用于设备购置。");
    assert_eq!(funding["edited"], true);
    // The pages answer: the report and its print.
    let page = crate::sessions::page_client(&app, "lead1", PASSWORD).await;
    for p in
        [format!("/studios/{}/annual-reports/{year}", w.s1), format!("/studios/{}/annual-reports/{year}/print", w.s1)]
    {
        let r = page.get(format!("{}{p}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{p}");
        let html = r.text().await.unwrap();
        assert!(html.contains("¥3,500.00"), "{p}");
    }
}

async fn bad_input_writes_nothing(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let good = inspection(w.s1, &day(10));
    let with = |k: &str, v: Value| {
        let mut x = good.clone();
        x[k] = v;
        x
    };
    let cases = [
        (with("score", json!(101)), "score", "0到100", "between 0 and 100"),
        (with("score", Value::Null), "score", "必填", "Required"),
        (with("inspected_on", json!(day(3))), "inspected_on", "不能晚于今天", "later than today"),
        (
            with("follow_ups", json!([{"item": "整改", "due_on": day(-1)}])),
            "follow_ups.0.due_on",
            "应晚于检查日期",
            "after the inspection",
        ),
        (with("follow_ups", json!([{"item": " ", "due_on": day(3)}])), "follow_ups.0.item", "必填", "Required"),
        (with("checklist", json!([{"item": "nonsense", "met": true}])), "checklist.0.item", "", ""),
    ];
    for (body, field, zh, en) in cases {
        let (s, v) = union_a.post("/api/v1/inspections", body.clone()).await;
        assert_eq!(s, 422, "{field}: {v}");
        let msg = v["error"]["fields"][field].as_str().unwrap_or_else(|| panic!("{field}: {v}"));
        assert!(msg.contains(zh), "{field}: {msg}");
        let (_, v) = union_a.clone().english().post("/api/v1/inspections", body).await;
        let msg = v["error"]["fields"][field].as_str().unwrap_or_else(|| panic!("{field}: {v}"));
        assert!(msg.contains(en), "{field}: {msg}");
    }
    let (s, v) = union_a.get("/api/v1/inspections?quarter=5").await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["quarter"].is_string());
    let (s, _) = union_a.get("/api/v1/inspections/due?quarter=5").await;
    assert_eq!(s, 422);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspections").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspection_follow_ups").await, 0);
    // A second inspection of the quarter, in English too.
    union_a.ok_post("/api/v1/inspections", good.clone()).await;
    let (s, v) = union_a.clone().english().post("/api/v1/inspections", good).await;
    assert_eq!(s, 409);
    assert!(v["error"]["message"].as_str().unwrap().contains("one inspection per quarter"), "{v}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM inspections").await, 1);
}

/// An officer's overdue items by child unit, and the row of the unit's own studios (held by
/// no child): counts and the oldest item's days from the counters by due day, checked against
/// the lists behind them.
async fn overdue_by_child_and_own_studios(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let union_a = app.login("union.a", PASSWORD).await;
    // A studio held by the enterprise itself, with two items; the workshop's studio with one.
    let leader = crate::common::person(&admin, w.e1, "周厂直").await;
    let own = crate::common::studio(&admin, w.e1, leader, "周厂直技能创新工作室").await;
    let mut two = inspection(own, &day(2));
    two["follow_ups"] = json!([{"item": "补充成员名册", "due_on": day(2)}, {"item": "更新制度上墙", "due_on": day(6)}]);
    union_a.ok_post("/api/v1/inspections", two).await;
    let shop = union_a.ok_post("/api/v1/inspections", inspection(w.s1, &day(3))).await;
    let shop_item =
        format!("/api/v1/inspections/{}/follow-ups/{}", shop["inspection"]["id"], shop["follow_ups"][0]["id"]);
    app.state.clock.advance(std::time::Duration::from_secs(8 * 86_400));
    let rows = |home: &str| -> Vec<(String, String, String)> {
        let table =
            home.split("id=\"follow-ups-by-child\"").nth(1).unwrap_or("").split("</table>").next().unwrap_or("");
        table
            .split("<tr><th scope=\"row\">")
            .skip(1)
            .map(|r| {
                let name = r.split("\">").nth(1).and_then(|x| x.split('<').next()).unwrap_or("").to_string();
                let nums: Vec<String> = r
                    .split("<td class=\"num\">")
                    .skip(1)
                    .map(|x| x.split('<').next().unwrap_or("").to_string())
                    .collect();
                (name, nums[0].clone(), nums[1].clone())
            })
            .collect()
    };
    let row = |name: &str, count: &str, days: &str| (name.to_string(), count.to_string(), days.to_string());
    // The enterprise's officer: its own studios first (six days), then the workshop's.
    let ent = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let home = ent.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&home), vec![row("东方机械有限公司", "2", "6"), row("一车间", "1", "5")]);
    // Each count is the length of the list behind it.
    let api = app.login("ent1", PASSWORD).await;
    let mine = api.ok_get(&format!("/api/v1/inspections/overdue?unit_id={}&own=true", w.e1)).await;
    assert_eq!((mine["total"].as_i64(), mine["items"].as_array().map(Vec::len)), (Some(2), Some(2)), "{mine}");
    let shop = api.ok_get(&format!("/api/v1/inspections/overdue?unit_id={}", w.w1)).await;
    assert_eq!((shop["total"].as_i64(), shop["items"].as_array().map(Vec::len)), (Some(1), Some(1)), "{shop}");
    // The province's officer sees the city as one child: three items, six days.
    let officer = crate::sessions::page_client(&app, "union.a", PASSWORD).await;
    let home = officer.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&home), vec![row("甲一市总工会", "3", "6")]);
    // The workshop's item is closed: the next look counts two (not what was read before).
    let union_a = app.login("union.a", PASSWORD).await;
    union_a.ok_post(&format!("{shop_item}/close"), json!({"note": "经现场核查已整改"})).await;
    let home = officer.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(rows(&home), vec![row("甲一市总工会", "2", "6")]);
    app.assert_figures_rebuild().await;
}

/// A city's list of inspections is remembered between looks (its first page): each change
/// since the last look shows on the next — a new inspection, a correction, a follow-up item
/// closed, a studio, a unit or a person renamed.
async fn the_list_follows_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let admin = app.admin().await;
    let list_path = format!("/api/v1/inspections?unit_id={}", w.city_a);
    let first = |v: &Value, field: &str| v["items"][0][field].clone();
    assert_eq!(union_a.ok_get(&list_path).await["items"].as_array().map(Vec::len), Some(0));
    let d = union_a.ok_post("/api/v1/inspections", inspection(w.s1, &day(10))).await;
    let (id, fid) = (d["inspection"]["id"].as_i64().unwrap(), d["follow_ups"][0]["id"].as_i64().unwrap());
    let list = union_a.ok_get(&list_path).await;
    assert_eq!(
        (list["items"].as_array().map(Vec::len), first(&list, "open_follow_ups")),
        (Some(1), json!(1)),
        "{list}"
    );
    // The page shows the same (a look that reads the list remembered by the API's).
    let officer = crate::sessions::page_client(&app, "union.a", PASSWORD).await;
    let html_path = format!("{}/inspections?unit_id={}", app.base, w.city_a);
    let html = officer.get(&html_path).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("/inspections/{id}\"")), "{html}");

    union_a.ok_post(&format!("/api/v1/inspections/{id}/follow-ups/{fid}/close"), json!({"note": "已整改"})).await;
    assert_eq!(first(&union_a.ok_get(&list_path).await, "open_follow_ups"), json!(0));
    let (s, v) =
        union_a.send(reqwest::Method::PUT, &format!("/api/v1/inspections/{id}"), Some(json!({"score": 92}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(first(&union_a.ok_get(&list_path).await, "score"), json!(92));

    crate::common::rename_studio(&admin, w.s1, "焊接创新工作室（更名）").await;
    assert_eq!(first(&union_a.ok_get(&list_path).await, "studio_name"), json!("焊接创新工作室（更名）"));
    // The union that inspected sits above the city: its new name shows below it too.
    crate::common::rename_unit(&admin, w.province_a, "甲省总工会（新）").await;
    assert_eq!(first(&union_a.ok_get(&list_path).await, "inspecting_unit_name"), json!("甲省总工会（新）"));
    let leader = admin.ok_get(&format!("/api/v1/people/{}", w.leader1)).await;
    let (s, v) = admin
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/people/{}", w.leader1),
            Some(json!({"unit_id": leader["unit_id"], "name": "周建国（改名）", "gender": leader["gender"]})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(first(&union_a.ok_get(&list_path).await, "leader_name"), json!("周建国（改名）"));
    // A second inspection in the city comes first (the same day, entered later).
    let s3 = crate::common::studio(&admin, w.e1, w.p2, "李红梅数控创新工作室").await;
    let d = union_a.ok_post("/api/v1/inspections", inspection(s3, &day(10))).await;
    let list = union_a.ok_get(&list_path).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(first(&list, "id"), d["inspection"]["id"], "{list}");
}

/// The studios due for inspection remembered for a city follow every change that shows in
/// them: a naming, a studio's, unit's or leader's new name, a new leader, an inspection, a
/// studio cancelled.
async fn the_due_list_follows_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let union_a = app.login("union.a", PASSWORD).await;
    let (ent, city) = (app.login("ent1", PASSWORD).await, app.login("city.a", PASSWORD).await);
    let path = format!("/api/v1/inspections/due?unit_id={}", w.city_a);
    let ids = |v: &Value| -> Vec<i64> {
        v["items"].as_array().unwrap().iter().map(|x| x["studio_id"].as_i64().unwrap()).collect()
    };
    let first = |v: &Value, field: &str| v["items"][0][field].clone();
    assert!(ids(&union_a.ok_get(&path).await).is_empty(), "nothing named yet");
    name(&admin, &w, w.s1, w.city_a).await;
    assert_eq!(ids(&union_a.ok_get(&path).await), vec![w.s1], "named");
    crate::common::rename_studio(&admin, w.s1, "李建国劳模创新工作室（更名）").await;
    assert_eq!(first(&union_a.ok_get(&path).await, "studio_name"), json!("李建国劳模创新工作室（更名）"));
    crate::common::rename_unit(&admin, w.w1, "一车间（新）").await;
    assert_eq!(first(&union_a.ok_get(&path).await, "unit_name"), json!("一车间（新）"));
    let leader = admin.ok_get(&format!("/api/v1/people/{}", w.leader1)).await;
    let body = json!({"unit_id": leader["unit_id"], "name": "李建国（改名）", "gender": leader["gender"]});
    let (s, v) = admin.send(reqwest::Method::PUT, &format!("/api/v1/people/{}", w.leader1), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(first(&union_a.ok_get(&path).await, "leader_name"), json!("李建国（改名）"));
    // A new leader, asked by the enterprise and approved by the naming union.
    let case =
        json!({"studio_id": w.s1, "kind": "leader_change", "reason": "李建国同志退休", "new_leader_person_id": w.p2});
    let k = ent.ok_post("/api/v1/studio-cases", case).await;
    city.ok_post(&format!("/api/v1/studio-cases/{}/steps", k["id"]), json!({"action": "approve"})).await;
    assert_eq!(first(&union_a.ok_get(&path).await, "leader_name"), json!("王小明"));
    // Inspected this quarter: no longer due.
    union_a.ok_post("/api/v1/inspections", inspection(w.s1, &day(10))).await;
    assert!(ids(&union_a.ok_get(&path).await).is_empty(), "inspected");
    // A second studio named, then cancelled.
    let s3 = crate::common::studio(&admin, w.e1, w.p4, "刘一手技能大师工作室").await;
    name(&admin, &w, s3, w.city_a).await;
    assert_eq!(ids(&union_a.ok_get(&path).await), vec![s3]);
    let k = ent
        .ok_post("/api/v1/studio-cases", json!({"studio_id": s3, "kind": "cancellation", "reason": "产线搬迁"}))
        .await;
    city.ok_post(&format!("/api/v1/studio-cases/{}/steps", k["id"]), json!({"action": "approve"})).await;
    assert!(ids(&union_a.ok_get(&path).await).is_empty(), "cancelled");
}

/// The overdue items remembered for a city follow a report (which moves no count), a close
/// and a studio's new name.
async fn the_overdue_list_follows_every_change(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let d = app.login("union.a", PASSWORD).await.ok_post("/api/v1/inspections", inspection(w.s1, &day(3))).await;
    let base = format!("/api/v1/inspections/{}/follow-ups/{}", d["inspection"]["id"], d["follow_ups"][0]["id"]);
    app.state.clock.advance(std::time::Duration::from_secs(8 * 86_400));
    // Signed in again: a week later the sessions have ended.
    let admin = app.admin().await;
    let (union_a, lead) = (app.login("union.a", PASSWORD).await, app.login("lead1", PASSWORD).await);
    let path = format!("/api/v1/inspections/overdue?unit_id={}", w.city_a);
    let list = union_a.ok_get(&path).await;
    assert_eq!((list["total"].as_i64(), list["items"][0]["report_note"].clone()), (Some(1), Value::Null), "{list}");
    assert_eq!(union_a.ok_get(&path).await, list, "looked at again");
    lead.ok_post(&format!("{base}/report"), json!({"note": "已补齐两个月台账并签章"})).await;
    assert_eq!(union_a.ok_get(&path).await["items"][0]["report_note"], json!("已补齐两个月台账并签章"));
    crate::common::rename_studio(&admin, w.s1, "焊接创新工作室（更名）").await;
    assert_eq!(union_a.ok_get(&path).await["items"][0]["studio_name"], json!("焊接创新工作室（更名）"));
    union_a.ok_post(&format!("{base}/close"), json!({"note": "已整改"})).await;
    let list = union_a.ok_get(&path).await;
    assert_eq!((list["total"].as_i64(), list["items"].as_array().map(Vec::len)), (Some(0), Some(0)), "{list}");
}

both!(
    the_overdue_list_follows_every_change,
    the_due_list_follows_every_change,
    the_list_follows_every_change,
    inspection_with_follow_ups,
    overdue_by_child_and_own_studios,
    the_due_list,
    the_report_from_records,
    bad_input_writes_nothing
);
