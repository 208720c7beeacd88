//! Bringing an existing register in: each template previewed and confirmed, all or nothing,
//! a second import changing nothing, rows outside the importer's scope refused, bad files
//! answered with clear messages; and registering a past naming in one step.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, upload_to, world};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A filled-in template: the header row (Chinese), the example row, then `rows`.
pub fn xlsx(kind: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let template = jiangxin::app::imports::sheet::template(
        jiangxin::domain::import::ImportKind::parse(kind).unwrap(),
        jiangxin::i18n::Locale::Zh,
    )
    .unwrap();
    let sheet = jiangxin::app::imports::sheet::read(
        jiangxin::domain::import::ImportKind::parse(kind).unwrap(),
        &template,
        false,
        &|_| {},
    )
    .unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in sheet.header.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in sheet.rows[0].1.iter().enumerate() {
        ws.write_string(1, c as u16, v).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 2, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn start(app: &TestApp, user: &str, kind: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    upload_to(app, user, "/api/v1/imports", &[("kind", kind)], "台账.xlsx", bytes).await
}

/// Waits until the job has left the phases in which it works.
async fn settled(api: &Api, id: i64) -> Value {
    for _ in 0..600 {
        let v = api.ok_get(&format!("/api/v1/imports/{id}")).await;
        if !["reading", "checking", "writing"].contains(&v["phase"].as_str().unwrap_or("")) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not settle");
}

/// Uploads, waits for the preview; with `confirm`, confirms and waits for the outcome.
async fn import(app: &TestApp, api: &Api, user: &str, kind: &str, bytes: Vec<u8>, confirm: bool) -> Value {
    let (s, v) = start(app, user, kind, bytes).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let preview = settled(api, id).await;
    if !confirm {
        return preview;
    }
    assert_eq!(preview["phase"], "ready", "{preview}");
    assert_eq!(preview["can_confirm"], true, "{preview}");
    let (s, v) = api.post(&format!("/api/v1/imports/{id}/confirm"), json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let done = settled(api, id).await;
    assert_eq!(done["phase"], "done", "{done}");
    done
}

fn counts(v: &Value) -> (i64, i64, i64, i64) {
    let c = &v["counts"];
    (
        c["create"].as_i64().unwrap(),
        c["unchanged"].as_i64().unwrap(),
        c["refused"].as_i64().unwrap(),
        c["example"].as_i64().unwrap(),
    )
}

async fn people_import_is_all_or_nothing_and_idempotent(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    // The template is offered in the reader's language.
    let resp = ent1.client.get(format!("{}/api/v1/imports/templates/people", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let people_before = app.scalar("SELECT COUNT(*) FROM people").await;

    let good = vec![
        vec![
            "东方机械有限公司/一车间",
            "周铁柱",
            "E-9001",
            "男",
            "1975",
            "本科",
            "高级工程师",
            "高级技师",
            "13900000001",
            "全国劳动模范:2015、省级工匠",
            "2015-06-01",
        ],
        vec!["东方机械有限公司", "吴巧云", "E-9002", "女", "1988", "", "", "技师", "", "", ""],
        vec!["一车间", "郑师傅", "E-9003", "male", "", "", "", "", "", "", "2019/3/1"],
    ];
    let mut bad = good.clone();
    bad.push(vec!["东方机械有限公司", "冯不明", "E-9004", "未知", "19x0", "", "", "", "", "", ""]);

    // One bad row: it is named with its columns, and confirming is refused — nothing written.
    let preview = import(&app, &ent1, "ent1", "people", xlsx("people", &bad), false).await;
    assert_eq!(preview["phase"], "ready", "{preview}");
    assert_eq!(counts(&preview), (3, 0, 1, 1), "{preview}");
    let refused = &preview["rows"][0];
    assert_eq!((refused["row"].as_i64(), refused["outcome"].as_str()), (Some(6), Some("refused")), "{preview}");
    let columns: Vec<&str> =
        refused["notes"].as_array().unwrap().iter().map(|n| n["column"].as_str().unwrap()).collect();
    assert!(columns.contains(&"性别") && columns.contains(&"出生年份"), "{refused}");
    let id = preview["id"].as_i64().unwrap();
    let (s, v) = ent1.post(&format!("/api/v1/imports/{id}/confirm"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before);

    // The good file: previewed, confirmed, written with the past day of registration.
    let done = import(&app, &ent1, "ent1", "people", xlsx("people", &good), true).await;
    assert_eq!(counts(&done), (3, 0, 0, 1), "{done}");
    assert!(done["writer_ms"].as_i64().is_some());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before + 3);
    let found = ent1.ok_get("/api/v1/people?q=E-9001").await;
    let p = &found["items"][0];
    assert_eq!((p["name"].as_str(), p["unit_id"].as_i64()), (Some("周铁柱"), Some(w.w1)));
    assert_eq!(p["registered_on"], "2015-06-01");
    let person = ent1.ok_get(&format!("/api/v1/people/{}", p["id"])).await;
    assert_eq!(person["honours"].as_array().unwrap().len(), 2, "{person}");
    assert_eq!(person["honours"][0]["year"], 2015);
    // Found by name search too, and audited as entered by the importer.
    assert!(
        !ent1.ok_get(&format!("/api/v1/people?q={}", crate::common::urlencode("巧云"))).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'person' AND action = 'import'").await, 3);
    app.assert_figures_rebuild().await;
    // Staged, then published: nothing is left in the staging tables.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_staged").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_batches").await, 0);

    // The same file again changes nothing.
    let again = import(&app, &ent1, "ent1", "people", xlsx("people", &good), false).await;
    assert_eq!(counts(&again), (0, 3, 0, 1), "{again}");
    assert_eq!(again["can_confirm"], false);
    let (s, _) = ent1.post(&format!("/api/v1/imports/{}/confirm", again["id"]), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before + 3);

    // Rows outside the importer's scope are refused with the reason; so is a worker's row.
    let outside = vec![
        vec!["西山电力有限公司", "越界者", "E-9100", "男", "", "", "", "", "", "", ""],
        vec!["甲一市总工会", "越级者", "E-9101", "男", "", "", "", "", "", "", ""],
    ];
    let preview = import(&app, &ent1, "ent1", "people", xlsx("people", &outside), false).await;
    assert_eq!(counts(&preview), (0, 0, 2, 1), "{preview}");
    let notes = preview["rows"].to_string();
    assert!(notes.contains("找不到单位"), "{notes}");
    let worker = app.login("worker1", PASSWORD).await;
    let preview = import(&app, &worker, "worker1", "people", xlsx("people", &good[..1]), false).await;
    assert_eq!(counts(&preview), (0, 0, 1, 1), "{preview}");
    assert!(preview["rows"][0]["notes"].to_string().contains("管理范围"), "{preview}");
    // Another account does not see the job.
    let (s, _) = worker.get(&format!("/api/v1/imports/{}", done["id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn studios_projects_and_outcomes_come_in_with_their_history(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let union_a = app.login("union.a", PASSWORD).await;

    // A studio named by the city in 2015 and by the province in 2019, led by someone on file.
    let studios = vec![
        vec![
            "东方机械有限公司",
            "刘一手技能大师工作室",
            "技能大师",
            "焊接",
            "E-刘一手",
            "2012-03-01",
            "市级",
            "甲一市总工会",
            "2015-05-01",
            "甲一工发〔2015〕18号",
        ],
        vec!["东方机械有限公司", "刘一手技能大师工作室", "", "", "", "", "省级", "甲省总工会", "2019-06-01", ""],
        vec!["东方机械有限公司", "无命名工作室", "职工", "质量", "", "", "", "", "", ""],
    ];
    let done = import(&app, &union_a, "union.a", "studios", xlsx("studios", &studios), true).await;
    assert_eq!(counts(&done), (3, 0, 0, 1), "{done}");
    let list = union_a.ok_get(&format!("/api/v1/studios?q={}", crate::common::urlencode("刘一手"))).await;
    let s = &list["items"][0];
    assert_eq!((s["state"].as_str(), s["level"].as_str()), (Some("named"), Some("province")), "{list}");
    let id = s["id"].as_i64().unwrap();
    let namings = union_a.ok_get(&format!("/api/v1/studios/{id}/namings")).await;
    assert_eq!(namings.as_array().unwrap().len(), 2);
    assert_eq!(
        (namings[0]["named_on"].as_str(), namings[1]["certificate_no"].as_str()),
        (Some("2015-05-01"), Some(""))
    );
    let steps = union_a.ok_get(&format!("/api/v1/studios/{id}/transitions")).await;
    assert_eq!(steps[0]["action"], "register_naming");
    assert_eq!(steps[0]["effective_on"], "2015-05-01");
    let studio = union_a.ok_get(&format!("/api/v1/studios/{id}")).await;
    assert_eq!(studio["leader_name"], "刘一手");
    app.assert_figures_rebuild().await;
    let again = import(&app, &union_a, "union.a", "studios", xlsx("studios", &studios), false).await;
    assert_eq!(counts(&again), (0, 3, 0, 1), "{again}");

    // A project finished in 2019, then an outcome of it.
    let projects = vec![vec![
        "XM-2019-001",
        "东方机械有限公司",
        "刘一手技能大师工作室",
        "焊缝返修率攻关",
        "技术攻关",
        "E-刘一手",
        "2019-03-01",
        "2019-12-31",
        "2019-02-20",
        "2019-12-20",
        "通过验收",
        "专家组现场验收",
        "50000",
        "300000",
    ]];
    let done = import(&app, &union_a, "union.a", "projects", xlsx("projects", &projects), true).await;
    assert_eq!(counts(&done), (1, 0, 0, 1), "{done}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM projects WHERE number = 'XM-2019-001' AND state = 'completed' AND completed_on = '2019-12-20' AND approved_on = '2019-02-20'").await,
        1
    );
    let again = import(&app, &union_a, "union.a", "projects", xlsx("projects", &projects), false).await;
    assert_eq!(counts(&again), (0, 1, 0, 1), "{again}");

    let outcomes = vec![
        vec![
            "实用新型专利",
            "ZL201920000001.X",
            "东方机械有限公司",
            "刘一手技能大师工作室",
            "一种焊缝检测夹具",
            "2020-06-18",
            "",
            "",
            "XM-2019-001",
            "E-刘一手、外协王工",
            "",
            "",
        ],
        vec![
            "先进操作法",
            "",
            "东方机械有限公司",
            "刘一手技能大师工作室",
            "刘一手焊接法",
            "2018-01-10",
            "省级",
            "一等奖",
            "",
            "E-刘一手",
            "120000",
            "按年节约返修工时计算",
        ],
    ];
    let done = import(&app, &union_a, "union.a", "outcomes", xlsx("outcomes", &outcomes), true).await;
    assert_eq!(counts(&done), (2, 0, 0, 1), "{done}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outcomes").await, 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outcome_contributors WHERE person_id IS NULL").await, 1);
    let again = import(&app, &union_a, "union.a", "outcomes", xlsx("outcomes", &outcomes), false).await;
    assert_eq!(counts(&again), (0, 2, 0, 1), "{again}");
    app.assert_figures_rebuild().await;

    // A studio of another province is outside the union's scope.
    let outside = vec![vec!["西山电力有限公司", "越界工作室", "职工", "电力", "", "", "", "", "", ""]];
    let preview = import(&app, &union_a, "union.a", "studios", xlsx("studios", &outside), false).await;
    assert_eq!(counts(&preview), (0, 0, 1, 1), "{preview}");
}

async fn a_past_naming_is_registered_in_one_step(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let city = app.login("city.a", PASSWORD).await;
    let path = format!("/api/v1/studios/{}/namings", w.s1);
    // Future days, a level the unit does not name at, a unit not above the studio: field messages.
    let (s, v) = city.post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2999-01-01"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["named_on"].is_string());
    let (s, v) =
        city.post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2016-04-01", "level": "province"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["level"].is_string());
    let (s, v) = city.post(&path, json!({"named_on": "2016-04-01"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["naming_unit_id"].is_string());
    // The enterprise cannot register the city's naming; another province does not see the studio.
    let ent1 = app.login("ent1", PASSWORD).await;
    let (s, v) = ent1.post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2016-04-01"})).await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = app
        .login("union.b", PASSWORD)
        .await
        .post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2016-04-01"}))
        .await;
    assert_eq!(s, 404);
    // One call: named, at the city's level, on the day, without a certificate number.
    let v = city.ok_post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2016-04-01"})).await;
    assert_eq!(
        (v["state"].as_str(), v["level"].as_str(), v["supervisor_unit_id"].as_i64()),
        (Some("named"), Some("city"), Some(w.city_a))
    );
    let steps = city.ok_get(&format!("/api/v1/studios/{}/transitions", w.s1)).await;
    let last = steps.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["effective_on"].as_str(), last["actor_name"].as_str()),
        (Some("register_naming"), Some("2016-04-01"), Some("city.a"))
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'studio' AND action = 'register_naming'").await,
        1
    );
    // The same naming twice is refused; the generic step endpoint never takes it.
    let (s, v) = city.post(&path, json!({"naming_unit_id": w.city_a, "named_on": "2016-04-01"})).await;
    assert_eq!(s, 409, "{v}");
    let (s, _) =
        city.post(&format!("/api/v1/studios/{}/transitions", w.s1), json!({"action": "register_naming"})).await;
    assert_eq!(s, 409);
    // A later, higher naming by the province moves the level.
    let union_a = app.login("union.a", PASSWORD).await;
    let v = union_a
        .ok_post(
            &path,
            json!({"naming_unit_id": w.province_a, "named_on": "2020-05-01", "certificate_no": "甲工〔2020〕3号"}),
        )
        .await;
    assert_eq!(v["level"], "province");
    app.assert_figures_rebuild().await;
}

async fn bad_files_get_clear_messages(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    for (bytes, key) in
        [(b"name,employee_no\n".to_vec(), "Excel"), (Vec::new(), "空"), (xlsx("studios", &[]), "模板里没有的列")]
    {
        let (s, v) = start(&app, "ent1", "people", bytes).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["error"]["fields"]["file"].as_str().unwrap_or("").contains(key), "{v}");
    }
    let (s, v) = start(&app, "ent1", "cats", xlsx("people", &[])).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["kind"].is_string());
    // A header row alone: the job says there is nothing to import.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["单位", "姓名", "工号", "性别"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let (s, v) = start(&app, "ent1", "people", wb.save_to_buffer().unwrap()).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let v = settled(&ent1, v["id"].as_i64().unwrap()).await;
    assert_eq!(v["phase"], "failed", "{v}");
    assert!(v["error"].as_str().unwrap().contains("没有数据行"), "{v}");
    // The pages answer too: the upload form shows the problem on the file field.
    let (s, _) = ent1.get("/api/v1/imports/999").await;
    assert_eq!(s, 404);
}

/// A person to stage, as an import would: in the unit `unit` (path `path`), number `no`.
fn staged(unit: i64, path: &str, no: &str, name: &str) -> jiangxin::storage::staging::Staged {
    use jiangxin::storage::people::{NewPerson, PersonData};
    let unit_path = jiangxin::domain::org::UnitPath::parse(path).unwrap();
    let p = NewPerson {
        data: PersonData {
            unit_id: unit,
            name: name.into(),
            gender: jiangxin::domain::person::Gender::Male,
            birth_year: None,
            education: None,
            title: None,
            skill_grade: None,
            employee_no: Some(no.into()),
            phone: None,
            honours: Vec::new(),
            registered_on: None,
        },
        unit_path: unit_path.clone(),
        unit_name: "东方机械有限公司".into(),
    };
    jiangxin::storage::staging::Staged {
        enterprise: unit_path,
        employee_no: no.into(),
        body: serde_json::to_string(&p).unwrap(),
    }
}

/// What a process that dies in the middle of an import leaves: staged rows nobody sees; a
/// committed batch is published by the sweep of the next process, one still staging is
/// deleted after an hour; a number staged by one import is refused to another.
async fn an_interrupted_import_is_finished_or_forgotten(b: Backend) {
    use jiangxin::storage::staging;
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = w.accounts.iter().find(|(n, _)| n == "ent1").unwrap().1;
    let e1 = w.e1;
    let path: String = app
        .db
        .read(move |c| c.query_one("SELECT path FROM org_units WHERE id = ?", jiangxin::params![e1], |r| r.get("path")))
        .await
        .unwrap();
    let people_before = app.scalar("SELECT COUNT(*) FROM people").await;
    let p = path.clone();
    // A committed batch whose job died before publishing anything; and one still staging.
    let (committed, staging_only, refused) = app
        .db
        .write(move |c| {
            let a = staging::open(c, ent1)?;
            let rows =
                vec![staged(e1, &p, "C-1", "甲一"), staged(e1, &p, "C-2", "甲二"), staged(e1, &p, "C-3", "甲三")];
            let first = staging::stage(c, a, &rows)?;
            staging::commit(c, a)?;
            let s = staging::open(c, ent1)?;
            let second = staging::stage(c, s, &[staged(e1, &p, "D-1", "乙一"), staged(e1, &p, "D-2", "乙二")])?;
            // Another import wanting a number already staged is refused it (second row).
            let other = staging::open(c, ent1)?;
            let refused = staging::stage(c, other, &[staged(e1, &p, "E-1", "丙一"), staged(e1, &p, "D-2", "丙二")])?;
            Ok((a, s, (first, second, refused)))
        })
        .await
        .unwrap();
    assert_eq!(refused, (None, None, Some(1)));
    // Nothing staged is visible.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_staged").await, 5);
    let st = app.state.clone();
    tokio::task::spawn_blocking(move || jiangxin::app::imports::finish_interrupted(&st)).await.unwrap().unwrap();
    // The committed batch is published, audited as the importer's; the other waits its hour.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before + 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people WHERE employee_no LIKE 'C-%'").await, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'person' AND action = 'import'").await, 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_staged").await, 2);
    let api = app.login("ent1", PASSWORD).await;
    assert_eq!(api.ok_get("/api/v1/people?q=C-2").await["items"][0]["name"], "甲二");
    app.assert_figures_rebuild().await;
    // An hour later the abandoned staging goes, and the batches are gone.
    app.db
        .write(move |c| {
            c.execute(
                "UPDATE import_batches SET touched_at = touched_at - 7200000 WHERE id = ?",
                jiangxin::params![staging_only],
            )
        })
        .await
        .unwrap();
    let st = app.state.clone();
    tokio::task::spawn_blocking(move || jiangxin::app::imports::finish_interrupted(&st)).await.unwrap().unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_staged").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people").await, people_before + 3);
    let left = app.scalar("SELECT COUNT(*) FROM import_batches").await;
    // The refused import's empty batch is still staging (its job would have deleted it).
    assert_eq!(left, 1, "committed {committed} and abandoned {staging_only} are gone");
}

both!(
    an_interrupted_import_is_finished_or_forgotten,
    people_import_is_all_or_nothing_and_idempotent,
    studios_projects_and_outcomes_come_in_with_their_history,
    a_past_naming_is_registered_in_one_step,
    bad_files_get_clear_messages
);

/// The measure of SCALE.md: 100,000 people in one file (release build:
/// `cargo test --release --test integration import_of_100k -- --ignored --nocapture`). Prints
/// the time to read and check, the time to write, how long the writer was held, and the
/// slowest of the other writes made meanwhile (a person created every 20 ms by another
/// administrator).
async fn import_of_100k_people(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let n = 100_000;
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let unit = if i % 2 == 0 { "东方机械有限公司/一车间" } else { "东方机械有限公司" };
            let gender = if i % 3 == 0 { "女" } else { "男" };
            vec![
                unit.to_string(),
                format!(
                    "{}{}{}",
                    ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"][i % 10],
                    ["建", "国", "小", "红", "明", "伟", "芳", "军", "磊", "静"][(i / 10) % 10],
                    ["华", "平", "强", "丽", "东", "海", "林", "峰", "霞", "勇", ""][(i / 100) % 11]
                ),
                format!("B-{i:06}"),
                gender.to_string(),
                format!("{}", 1960 + i % 40),
                "本科".into(),
                String::new(),
                "高级工".into(),
                String::new(),
                String::new(),
                format!("20{:02}-0{}-1{}", 10 + i % 15, 1 + i % 9, i % 10),
            ]
        })
        .collect();
    let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    let bytes = xlsx("people", &refs);
    println!("file: {} rows, {} bytes", n, bytes.len());
    let t0 = std::time::Instant::now();
    let (s, v) = start(&app, "ent1", "people", bytes).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let preview = settled(&ent1, id).await;
    let checked = t0.elapsed();
    assert_eq!(counts(&preview), (n as i64, 0, 0, 1), "{}", preview["error"]);
    // Another administrator keeps writing while the import writes.
    let other = app.login("union.a", PASSWORD).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (stop2, e1) = (stop.clone(), w.e1);
    let writer = tokio::spawn(async move {
        let mut worst = std::time::Duration::ZERO;
        let mut k = 0;
        while !stop2.load(std::sync::atomic::Ordering::Acquire) {
            let t = std::time::Instant::now();
            let (s, _) = other
                .post("/api/v1/people", json!({"unit_id": e1, "name": format!("旁人{k}"), "gender": "male"}))
                .await;
            assert_eq!(s, 201);
            worst = worst.max(t.elapsed());
            k += 1;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        (k, worst)
    });
    let t1 = std::time::Instant::now();
    let (s, _) = ent1.post(&format!("/api/v1/imports/{id}/confirm"), json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let done = settled(&ent1, id).await;
    let written = t1.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Release);
    let (k, worst) = writer.await.unwrap();
    assert_eq!(done["phase"], "done", "{}", done["error"]);
    println!(
        "{b:?}: read and checked in {:.1} s; confirmed (checked again and written) in {:.1} s; writer held {} ms; \
         total {:.1} s; {k} other writes meanwhile, slowest {} ms",
        checked.as_secs_f64(),
        written.as_secs_f64(),
        done["writer_ms"],
        (checked + written).as_secs_f64(),
        worst.as_millis()
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM people WHERE employee_no LIKE 'B-%'").await, n as i64);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM import_staged").await, 0);
}

// Ignored in the suite on purpose: it is the benchmark of SCALE.md's “100,000 people ≤ 30 s”,
// not a check of behaviour (the import's rules are tested above on small files, on both
// databases). It writes a 100,000-row file and imports it, which takes minutes in the debug
// build `scripts/test` uses and would double the CI run. Run it with
// `cargo test --release --test integration import_of_100k -- --ignored --nocapture`;
// its figures are in BENCHMARKS.md (“Import of 100,000 people”).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run with --release"]
async fn import_of_100k_people_sqlite() {
    import_of_100k_people(Backend::Sqlite).await
}

// Ignored in the suite on purpose: it is the benchmark of SCALE.md's “100,000 people ≤ 30 s”,
// not a check of behaviour (the import's rules are tested above on small files, on both
// databases). It writes a 100,000-row file and imports it, which takes minutes in the debug
// build `scripts/test` uses and would double the CI run. Run it with
// `cargo test --release --test integration import_of_100k -- --ignored --nocapture`;
// its figures are in BENCHMARKS.md (“Import of 100,000 people”).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run with --release"]
async fn import_of_100k_people_postgres() {
    import_of_100k_people(Backend::Postgres).await
}
