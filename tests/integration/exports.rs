//! Excel exports: a list's export holds exactly the rows the list shows its reader, with the
//! list's filters, nothing outside the reader's scope (404 where the list answers 404), text
//! that looks like a formula neutralised, dates as Excel dates and money as numbers.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, world};
use crate::sessions::page_client;
use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};
use std::io::Cursor;

/// One sheet as read back: its name and its rows (the heading first).
struct Sheet {
    name: String,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn heads(&self) -> Vec<String> {
        self.rows[0].iter().map(|c| c.to_string()).collect()
    }

    /// The column under a heading.
    fn col(&self, head: &str) -> usize {
        self.heads().iter().position(|h| h == head).unwrap_or_else(|| panic!("no column {head}: {:?}", self.heads()))
    }

    /// The text of every row's cell under a heading.
    fn texts(&self, head: &str) -> Vec<String> {
        let c = self.col(head);
        self.rows[1..].iter().map(|r| r[c].to_string()).collect()
    }
}

/// Downloads an export as a signed-in browser would; the status, and the sheets when it is a file.
async fn export(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Vec<Sheet>, String) {
    let resp = client.get(format!("{}{path}", app.base)).send().await.expect("request");
    let status = resp.status().as_u16();
    let disposition =
        resp.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let bytes = resp.bytes().await.expect("body").to_vec();
    if status != 200 {
        return (status, Vec::new(), String::from_utf8_lossy(&bytes).into_owned());
    }
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx file");
    let sheets = wb
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            Sheet { rows: range.rows().map(|r| r.to_vec()).collect(), name }
        })
        .collect();
    (status, sheets, disposition)
}

/// Every row of an API list, across its pages.
async fn all_rows(api: &crate::common::Api, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut next = format!("{path}{sep}limit=200");
    loop {
        let page = api.ok_get(&next).await;
        out.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}{sep}limit=200&cursor={c}"),
            None => return out,
        }
    }
}

/// Days from Excel's day zero, as Excel keeps a date.
fn excel_day(iso: &str) -> f64 {
    let d: jiff::civil::Date = iso.parse().expect("date");
    let zero = jiff::civil::date(1899, 12, 30);
    (d - zero).get_days() as f64
}

async fn exports_hold_what_the_list_shows(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;

    // Two projects in S1: one red (a milestone overdue), one green; one in S2 (province B).
    let red =
        crate::common::project(&lead1, w.s1, "=HYPERLINK(\"http://evil.example\",\"点我\")", w.leader1, &[-3, 20])
            .await["id"]
            .as_i64()
            .unwrap();
    let green = crate::common::project(&lead1, w.s1, "刀具寿命提升", w.leader1, &[30]).await["id"].as_i64().unwrap();
    for id in [red, green] {
        ent1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
        lead1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "start"})).await;
    }
    let leader2 = app.login("ent2", PASSWORD).await;
    let other = crate::common::project(&admin, w.s2, "乙省课题", w.leader2, &[-3]).await["id"].as_i64().unwrap();
    leader2.ok_post(&format!("/api/v1/projects/{other}/transitions"), json!({"action": "approve"})).await;

    // The union officer of province A sees S1's projects, not S2's: the export holds exactly
    // the list's rows.
    let union_a = page_client(&app, "union.a", PASSWORD).await;
    let api_a = app.login("union.a", PASSWORD).await;
    let listed = all_rows(&api_a, "/api/v1/projects").await;
    let (status, sheets, disposition) = export(&union_a, &app, "/export/projects").await;
    assert_eq!(status, 200);
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert!(disposition.contains(&jiangxin::domain::percent_encode("攻关课题_")), "{disposition}");
    let s = &sheets[0];
    assert_eq!(s.rows.len() - 1, listed.len());
    assert_eq!(listed.len(), 2);
    let titles = s.texts("课题名称");
    assert!(titles.contains(&"刀具寿命提升".to_string()), "{titles:?}");
    assert!(!titles.iter().any(|t| t == "乙省课题"), "{titles:?}");
    // A title that reads as a formula is text with a leading apostrophe.
    assert!(titles.contains(&"'=HYPERLINK(\"http://evil.example\",\"点我\")".to_string()), "{titles:?}");
    // Codes are their names; money a number; dates Excel dates.
    let row = s.rows.iter().find(|r| r[s.col("课题名称")] == "刀具寿命提升").unwrap();
    assert_eq!(row[s.col("状态")].to_string(), "实施中");
    assert_eq!(row[s.col("红绿灯")].to_string(), "绿灯");
    assert_eq!(row[s.col("预算（元）")].as_f64(), Some(50000.0));
    let starts = &row[s.col("开始日期")];
    let Data::DateTime(starts) = starts else { panic!("not a date: {starts:?}") };
    assert_eq!(starts.as_f64(), excel_day(&day(-30)));

    // The red-light list: the filter applies.
    let (_, sheets, _) = export(&union_a, &app, "/export/projects?light=red").await;
    let titles = sheets[0].texts("课题名称");
    assert_eq!(titles.len(), 1, "{titles:?}");
    assert!(titles[0].starts_with("'=HYPERLINK"));
    assert_eq!(sheets[0].texts("红绿灯"), vec!["红灯".to_string()]);

    // Out of scope answers 404, as the list does.
    let union_b = page_client(&app, "union.b", PASSWORD).await;
    let list = union_b.get(format!("{}/projects?unit_id={}", app.base, w.province_a)).send().await.unwrap();
    assert_eq!(list.status(), 404);
    let (status, _, _) = export(&union_b, &app, &format!("/export/projects?unit_id={}", w.province_a)).await;
    assert_eq!(status, 404);
    let (status, _, _) = export(&union_b, &app, &format!("/export/studios/{}/ledger", w.s1)).await;
    assert_eq!(status, 404);
    let (status, _, _) = export(&union_b, &app, &format!("/export/units/{}", w.province_a)).await;
    assert_eq!(status, 404);
    // …and a bad filter is the list's own field message, not a file.
    let (status, _, body) = export(&union_a, &app, "/export/studios?level=nonsense").await;
    assert_eq!(status, 422, "{body}");

    // The studio directory, the people, the ledger: the same rows as the lists, within scope.
    let (_, sheets, _) = export(&union_a, &app, "/export/studios").await;
    assert_eq!(sheets[0].texts("名称"), vec!["李建国劳模创新工作室".to_string()]);
    let (_, sheets, _) = export(&union_b, &app, "/export/studios").await;
    assert_eq!(sheets[0].texts("名称"), vec!["赵大勇电力创新工作室".to_string()]);
    let people = all_rows(&api_a, "/api/v1/people").await;
    let (_, sheets, _) = export(&union_a, &app, "/export/people").await;
    let mut names = sheets[0].texts("姓名");
    names.sort();
    let mut expected: Vec<String> = people.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    assert!(!names.contains(&"钱多多".to_string()));
    let (_, sheets, _) =
        export(&union_a, &app, &format!("/export/people?q={}", crate::common::urlencode("王小"))).await;
    assert_eq!(sheets[0].texts("姓名"), vec!["王小明".to_string()]);

    crate::common::activity(&lead1, w.s1, w.leader1, "+焊接培训").await;
    let (status, sheets, _) = export(&union_a, &app, &format!("/export/studios/{}/ledger", w.s1)).await;
    assert_eq!(status, 200);
    assert_eq!(sheets[0].texts("活动主题"), vec!["'+焊接培训".to_string()]);

    // Accounts: only those the caller manages.
    let (_, sheets, _) = export(&union_b, &app, "/export/accounts").await;
    let names = sheets[0].texts("用户名");
    assert!(names.contains(&"ent2".to_string()) && !names.contains(&"ent1".to_string()), "{names:?}");

    // In English, the headings and names are English.
    let en = page_client(&app, "union.a", PASSWORD).await;
    let resp =
        en.get(format!("{}/export/projects?light=red", app.base)).header("accept-language", "en").send().await.unwrap();
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    assert_eq!(name, "Projects");
    let range = wb.worksheet_range(&name).unwrap();
    let heads: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert!(heads.contains(&"Budget (yuan)".to_string()), "{heads:?}");
    assert_eq!(range.rows().nth(1).unwrap()[0].to_string(), "Red");
}

async fn figures_and_dashboard_export(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    lead1
        .ok_post(
            "/api/v1/outcomes",
            json!({"studio_id": w.s1, "kind": "paper", "title": "@刀具论文", "achieved_on": day(-3),
                   "contributors": [{"name": "李建国"}], "actual_benefit_yuan": 1200, "benefit_method": "核算"}),
        )
        .await;
    let union_a = page_client(&app, "union.a", PASSWORD).await;
    let api_a = app.login("union.a", PASSWORD).await;

    // The records behind a figure: the same records as its list, the same total.
    let path = format!("/figures/outcomes?unit_id={}", w.province_a);
    let listed = api_a.ok_get(&format!("/api/v1{path}")).await;
    let (status, sheets, _) = export(&union_a, &app, &format!("/export{path}")).await;
    assert_eq!(status, 200);
    assert_eq!(sheets[0].rows.len() as i64 - 1, listed["total"].as_i64().unwrap());
    assert_eq!(sheets[0].texts("成果"), vec!["'@刀具论文".to_string()]);
    let union_b = page_client(&app, "union.b", PASSWORD).await;
    let (status, _, _) = export(&union_b, &app, &format!("/export{path}")).await;
    assert_eq!(status, 404);

    // The dashboard: three sheets, the headline's figures as numbers.
    let (status, sheets, disposition) =
        export(&union_a, &app, &format!("/export/stats?unit_id={}", w.province_a)).await;
    assert_eq!(status, 200);
    assert!(disposition.contains(&jiangxin::domain::percent_encode("甲省总工会")), "{disposition}");
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["主要数据", "逐年趋势", "下级单位对比"]);
    let outcomes = sheets[0].rows.iter().find(|r| r[1] == "创新成果").expect("outcomes row");
    assert_eq!(outcomes[2].as_f64(), Some(1.0));
    let children = sheets[2].texts("下级单位");
    assert!(children.contains(&"甲一市总工会".to_string()), "{children:?}");
    let (status, _, _) = export(&union_b, &app, &format!("/export/stats?unit_id={}", w.province_a)).await;
    assert_eq!(status, 404);
}

async fn exports_refuse_beyond_their_rows(b: Backend) {
    let app = TestApp::start_with(b, |c| c.max_export_rows = 2).await;
    let w = world(&app).await;
    let admin = page_client(&app, "admin", crate::common::ADMIN_PASSWORD).await;
    // Seven people are on record in enterprise 1 and below: too many.
    let resp = admin.get(format!("{}/export/people?unit_id={}&dl=42", app.base, w.e1)).send().await.unwrap();
    assert_eq!(resp.status(), 409);
    let page = resp.text().await.unwrap();
    assert!(page.contains("导出最多 2 行"), "{page}");
    // Within the limit the file comes, and the page's download token comes back as a cookie.
    let resp = admin.get(format!("{}/export/studios?unit_id={}&dl=42", app.base, w.e1)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cookie.starts_with("jx_export=42;"), "{cookie}");
    // The list pages carry the link with their filters.
    let html = admin
        .get(format!("{}/projects?light=red&unit_id={}", app.base, w.e1))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/export/projects?light=red&#38;unit_id={}\"", w.e1)), "{html}");
}

async fn mentorship_and_expense_exports(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let agreement = |mentor: i64, apprentice: i64, studio: i64, trade: &str| {
        json!({"studio_id": studio, "mentor_person_id": mentor, "apprentice_person_id": apprentice, "trade": trade,
               "starts_on": day(-30), "teaching_plan": "每周带教两次。", "allowance_yuan": 6000})
    };
    // Two agreements in studio 1 (one trade reads as a formula), one in province B's studio.
    let own = lead1.ok_post("/api/v1/mentorships", agreement(w.p2, w.worker_person, w.s1, "=SUM(1,2)")).await;
    lead1.ok_post("/api/v1/mentorships", agreement(w.p2, w.p4, w.s1, "钳工")).await;
    admin.ok_post("/api/v1/mentorships", agreement(w.q2, w.leader2, w.s2, "电工")).await;
    lead1
        .ok_post(&format!("/api/v1/mentorships/{}/steps", own["id"]), json!({"action": "refuse", "note": "重报"}))
        .await;

    // The apprentice's export holds their own agreement only; the province's officer both of
    // studio 1's and nothing of province B; the filters apply.
    let worker = page_client(&app, "worker1", PASSWORD).await;
    let (status, sheets, disposition) = export(&worker, &app, "/export/mentorships").await;
    assert_eq!(status, 200);
    assert!(disposition.contains(&jiangxin::domain::percent_encode("师带徒协议_")), "{disposition}");
    assert_eq!(sheets[0].texts("工种"), vec!["'=SUM(1,2)".to_string()]);
    assert_eq!(sheets[0].texts("状态"), vec!["未通过".to_string()]);
    let union_a = page_client(&app, "union.a", PASSWORD).await;
    let api_a = app.login("union.a", PASSWORD).await;
    let listed = all_rows(&api_a, "/api/v1/mentorships").await;
    let (_, sheets, _) = export(&union_a, &app, "/export/mentorships").await;
    let mut trades = sheets[0].texts("工种");
    trades.sort();
    assert_eq!(trades, vec!["'=SUM(1,2)".to_string(), "钳工".to_string()]);
    assert_eq!(listed.len(), 2);
    let row = sheets[0].rows.iter().find(|r| r[sheets[0].col("工种")] == "钳工").unwrap();
    assert_eq!(row[sheets[0].col("带徒津贴（元）")].as_f64(), Some(6000.0));
    assert_eq!(row[sheets[0].col("徒弟")].to_string(), "刘一手");
    let (_, sheets, _) = export(&union_a, &app, "/export/mentorships?state=proposed").await;
    assert_eq!(sheets[0].texts("工种"), vec!["钳工".to_string()]);
    let (_, sheets, _) = export(&union_a, &app, &format!("/export/studios/{}/mentorships", w.s1)).await;
    assert_eq!(sheets[0].rows.len() - 1, 2);
    let union_b = page_client(&app, "union.b", PASSWORD).await;
    let (_, sheets, _) = export(&union_b, &app, "/export/mentorships").await;
    assert_eq!(sheets[0].texts("工种"), vec!["电工".to_string()]);
    let (status, _, _) = export(&union_b, &app, &format!("/export/mentorships?unit_id={}", w.province_a)).await;
    assert_eq!(status, 404);
    let (status, _, _) = export(&union_b, &app, &format!("/export/studios/{}/mentorships", w.s1)).await;
    assert_eq!(status, 404);
    let html =
        union_a.get(format!("{}/mentorships?state=proposed", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("href=\"/export/mentorships?state=proposed\""), "{html}");

    // Expenses: the studio's year as its funding page lists it, the enterprise's queue.
    let year = &day(0)[..4];
    ent1.ok_put(
        &format!("/api/v1/studios/{}/budgets/{year}", w.s1),
        json!({"lines": [{"source": "enterprise", "amount_yuan": "10000"}], "categories": ["equipment", "training"]}),
    )
    .await;
    let ent2 = app.login("ent2", PASSWORD).await;
    ent2.ok_put(
        &format!("/api/v1/studios/{}/budgets/{year}", w.s2),
        json!({"lines": [{"source": "enterprise", "amount_yuan": "5000"}], "categories": ["materials"]}),
    )
    .await;
    let spend = |studio: i64, amount: &str, category: &str, purpose: &str| json!({"studio_id": studio, "spent_on": day(0), "amount_yuan": amount, "category": category, "purpose": purpose});
    let first = lead1.ok_post("/api/v1/expenses", spend(w.s1, "1280.50", "equipment", "+刀具")).await;
    lead1.ok_post("/api/v1/expenses", spend(w.s1, "300", "training", "焊接培训")).await;
    admin.ok_post("/api/v1/expenses", spend(w.s2, "99", "materials", "绝缘材料")).await;
    ent1.ok_post(&format!("/api/v1/expenses/{}/transitions", first["id"]), json!({"action": "approve"})).await;
    let mem1 = page_client(&app, "mem1", PASSWORD).await;
    let path = format!("/export/studios/{}/funding?year={year}", w.s1);
    let (status, sheets, _) = export(&mem1, &app, &path).await;
    assert_eq!(status, 200);
    let s = &sheets[0];
    let mut purposes = s.texts("用途");
    purposes.sort();
    assert_eq!(purposes, vec!["'+刀具".to_string(), "焊接培训".to_string()]);
    let row = s.rows.iter().find(|r| r[s.col("用途")] == "'+刀具").unwrap();
    assert_eq!(row[s.col("金额（元）")].as_f64(), Some(1280.5));
    assert_eq!(row[s.col("状态")].to_string(), "已批准");
    // Studio 2's people never see studio 1's money; studio 1's workers outside the team neither.
    let (status, _, _) = export(&page_client(&app, "ent2", PASSWORD).await, &app, &path).await;
    assert_eq!(status, 404);
    let (status, _, _) = export(&worker, &app, &path).await;
    assert_eq!(status, 403);
    let html = mem1.get(format!("{}/studios/{}/funding", app.base, w.s1)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("href=\"/export/studios/{}/funding?year={year}\"", w.s1)), "{html}");
    // The queue: what waits for the enterprise's decision, its own studios only.
    let ent1_page = page_client(&app, "ent1", PASSWORD).await;
    let (status, sheets, _) = export(&ent1_page, &app, "/export/expenses").await;
    assert_eq!(status, 200);
    assert_eq!(sheets[0].texts("用途"), vec!["焊接培训".to_string()]);
    let (_, sheets, _) = export(&page_client(&app, "ent2", PASSWORD).await, &app, "/export/expenses").await;
    assert_eq!(sheets[0].texts("用途"), vec!["绝缘材料".to_string()]);

    // The dashboard carries the funding figures in its columns and its headline sheet.
    let (_, sheets, _) = export(&ent1_page, &app, &format!("/export/stats?unit_id={}", w.e1)).await;
    let budget = sheets[0].rows.iter().find(|r| r[1] == "经费预算").expect("budget row");
    assert_eq!(budget[2].as_f64(), Some(10000.0));
    let spent = sheets[0].rows.iter().find(|r| r[1] == "经费支出").expect("spending row");
    assert_eq!(spent[2].as_f64(), Some(1280.5));
    assert!(sheets[1].heads().contains(&"经费支出".to_string()), "{:?}", sheets[1].heads());
}

both!(
    exports_hold_what_the_list_shows,
    figures_and_dashboard_export,
    exports_refuse_beyond_their_rows,
    mentorship_and_expense_exports
);
