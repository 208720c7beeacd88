//! Pickers: a form's unit, person, studio, account, suggestion or project is found by what
//! people know, within what the caller may see (`/api/v1/lookup/{kind}`).

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, project, world};
use serde_json::{Value, json};

fn labels(v: &Value) -> Vec<String> {
    v.as_array().expect("a list").iter().map(|c| c["label"].as_str().unwrap_or_default().to_string()).collect()
}

async fn pickers_find_within_scope(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union_a = app.login("union.a", PASSWORD).await;
    let union_b = app.login("union.b", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;

    // Units: by name, each with the two units above it; nothing from another province.
    let found = union_a.ok_get("/api/v1/lookup/units?q=%E8%BD%A6%E9%97%B4").await; // 车间
    assert_eq!(labels(&found), ["一车间"], "{found}");
    assert_eq!(found[0]["id"], w.w1);
    assert_eq!(found[0]["note"], "甲一市总工会 › 东方机械有限公司", "{found}");
    assert_eq!(union_b.ok_get("/api/v1/lookup/units?q=%E8%BD%A6%E9%97%B4").await, json!([]));
    // … or the tree: the caller's own unit first, then the children of the one opened.
    let tops = union_a.ok_get("/api/v1/lookup/units").await;
    assert_eq!(labels(&tops), ["甲省总工会"], "{tops}");
    assert_eq!(tops[0]["has_children"], true);
    let below = union_a.ok_get(&format!("/api/v1/lookup/units?under={}", w.province_a)).await;
    assert_eq!(labels(&below), ["甲一市总工会"], "{below}");
    let (status, _) = union_a.get(&format!("/api/v1/lookup/units?under={}", w.e2)).await;
    assert_eq!(status, 404, "a unit out of scope is not opened");
    let enterprises = union_a.ok_get("/api/v1/lookup/units?q=%E5%85%AC%E5%8F%B8&unit_kind=enterprise").await; // 公司
    assert_eq!(labels(&enterprises), ["东方机械有限公司"], "{enterprises}");

    // People: a worker finds the colleagues of their enterprise by name or employee number —
    // a name, a unit and the number, nothing of the profile — and nobody of another.
    let colleagues = worker1.ok_get("/api/v1/lookup/people?q=%E7%8E%8B%E5%B0%8F").await; // 王小
    assert_eq!(labels(&colleagues), ["王小明"], "{colleagues}");
    assert_eq!(colleagues[0]["note"], "一车间 · E-王小明");
    assert!(colleagues[0].get("phone").is_none() && colleagues[0].get("birth_year").is_none());
    let by_no = worker1.ok_get("/api/v1/lookup/people?q=E-%E5%BC%A0%E7%BA%A2").await; // E-张红
    assert_eq!(labels(&by_no), ["张红"], "{by_no}");
    assert_eq!(worker1.ok_get("/api/v1/lookup/people?q=%E9%92%B1").await, json!([]), "钱多多 works elsewhere");
    assert_eq!(labels(&union_b.ok_get("/api/v1/lookup/people?q=%E9%92%B1").await), ["钱多多"]);
    let (status, _) = worker1.get(&format!("/api/v1/lookup/people?unit_id={}", w.e2)).await;
    assert_eq!(status, 404);

    // Studios and accounts in scope.
    let studios = union_a.ok_get("/api/v1/lookup/studios?q=%E6%9D%8E").await; // 李
    assert_eq!(labels(&studios), ["李建国劳模创新工作室"], "{studios}");
    assert_eq!(studios[0]["note"], "一车间 · 李建国");
    assert_eq!(union_b.ok_get("/api/v1/lookup/studios?q=%E6%9D%8E").await, json!([]));
    let accounts = ent1.ok_get("/api/v1/lookup/accounts?q=worker").await;
    assert_eq!(accounts.as_array().map(Vec::len), Some(1), "{accounts}");
    assert_eq!(accounts[0]["id"], w.account("worker1"));
    assert_eq!(union_b.ok_get("/api/v1/lookup/accounts?q=worker").await, json!([]));

    // Projects of a studio, by words of the title.
    let lead1 = app.login("lead1", PASSWORD).await;
    let pid = project(&lead1, w.s1, "数控机床主轴温升攻关", w.leader1, &[30]).await["id"].clone();
    let projects = lead1.ok_get(&format!("/api/v1/lookup/projects?studio_id={}&q=%E4%B8%BB%E8%BD%B4", w.s1)).await; // 主轴
    assert_eq!(projects[0]["id"], pid, "{projects}");
    let (status, _) = union_b.get(&format!("/api/v1/lookup/projects?studio_id={}", w.s1)).await;
    assert_eq!(status, 404);

    // Suggestions to merge into: the likely duplicates of the one at hand, itself left out.
    let body = |title: &str| json!({"title": title, "category": "small_suggestion", "situation": "耗电。", "measure": "换灯。"});
    let first = worker1.ok_post("/api/v1/suggestions", body("车间照明改用LED灯")).await["id"].as_i64().unwrap();
    let second = worker1.ok_post("/api/v1/suggestions", body("车间照明全部改用LED")).await["id"].as_i64().unwrap();
    let like = ent1.ok_get(&format!("/api/v1/lookup/suggestions?near={first}")).await;
    let ids: Vec<i64> = like.as_array().unwrap().iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, [second], "{like}");
    let (status, _) = union_b.get(&format!("/api/v1/lookup/suggestions?near={first}")).await;
    assert_eq!(status, 404);

    // Bad input: an unknown kind is not found, an overlong text is refused on its field.
    let (status, _) = union_a.get("/api/v1/lookup/rockets?q=x").await;
    assert_eq!(status, 404);
    let (status, v) = union_a.get(&format!("/api/v1/lookup/units?q={}", "x".repeat(101))).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["fields"]["q"].is_string(), "{v}");
    let (status, v) = union_a.get("/api/v1/lookup/units?unit_kind=planet").await;
    assert_eq!(status, 422, "{v}");
}

/// The forms that used to ask for numbers start from what the page knows.
async fn forms_start_from_what_the_page_knows(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let page = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let get = |path: String| {
        let page = page.clone();
        async move { page.get(path).send().await.unwrap().text().await.unwrap() }
    };
    // The challenge form: the poster is the enterprise administrator's own unit.
    let html = get(format!("{}/challenges", app.base)).await;
    assert!(html.contains(&format!("name=\"unit_id\" value=\"{}\"", w.e1)), "{html}");
    assert!(html.contains("value=\"东方机械有限公司\" role=\"combobox\""), "{html}");
    // The outcome form opened from a studio names the studio.
    let html = get(format!("{}/outcomes/new?studio_id={}", app.base, w.s1)).await;
    assert!(html.contains("value=\"李建国劳模创新工作室\" role=\"combobox\""), "{html}");
    // No form field of these pages takes a number typed by hand for a record.
    for path in ["/challenges".to_string(), format!("/outcomes/new?studio_id={}", w.s1), "/suggestions/new".into()] {
        let html = get(format!("{}{path}", app.base)).await;
        for field in
            ["unit_id", "scope_unit_id", "studio_id", "project_id", "co_proposers[]", "for_person_id", "for_unit_id"]
        {
            assert!(!html.contains(&format!("name=\"{field}\" type=\"number\"")), "{path}: {field}");
        }
    }
}

both!(pickers_find_within_scope, forms_start_from_what_the_page_knows);
