//! Keyword search: each kind found by a two-character Chinese fragment through its own list
//! (API and page), only within the reader's scope; the search page across every kind; paging
//! keeps the keyword; an overlong keyword is refused on its field; a search past its time
//! limit is stopped and leaves its connection as it found it.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, person, project, studio, urlencode, world};
use crate::sessions::page_client;
use serde_json::{Value, json};

fn titles(v: &Value, key: &str) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_string()).collect()
}

fn idea(title: &str) -> Value {
    json!({"title": title, "category": "rationalization", "situation": "现场问题。", "measure": "改进措施。"})
}

/// Copies record `id` of `table` `n` times under the ids that follow it (newer records, with
/// the columns of `set` given other values), then indexes every title again: more than a
/// thousand in scope make a subtree wide, so its lists are walked newest first.
async fn copy(app: &TestApp, table: &'static str, id: i64, n: i64, set: &'static [(&'static str, &'static str)]) {
    copy_after(app, table, id, id, n, set).await
}

/// `copy`, under the `n` ids that follow `after` instead of `id`.
async fn copy_after(
    app: &TestApp,
    table: &'static str,
    id: i64,
    after: i64,
    n: i64,
    set: &'static [(&'static str, &'static str)],
) {
    app.db
        .write(move |c| {
            let names = match c.backend() {
                jiangxin::storage::Backend::Sqlite => {
                    format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
                }
                jiangxin::storage::Backend::Postgres => format!(
                    "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
                     WHERE table_name = '{table}' ORDER BY ordinal_position"
                ),
            };
            let cols: Vec<String> = c.query(&names, &[], |r| r.get("name"))?;
            let cols: Vec<String> = cols.into_iter().filter(|c| c != "id").collect();
            let values = cols
                .iter()
                .map(|c| set.iter().find(|(k, _)| k == c).map(|(_, v)| v.to_string()).unwrap_or(format!("x.{c}")))
                .collect::<Vec<_>>()
                .join(", ");
            c.execute(
                &format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
                     INSERT INTO {table} (id, {}) SELECT ? + n.i, {values} FROM {table} x, n WHERE x.id = ?",
                    cols.join(", ")
                ),
                jiangxin::params![after, id],
            )?;
            jiangxin::storage::keywords::rebuild_on(c)
        })
        .await
        .expect("copies");
}

async fn keywords_find_every_kind_within_scope(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let (union_a, union_b) = (app.login("union.a", PASSWORD).await, app.login("union.b", PASSWORD).await);
    let (lead1, worker1) = (app.login("lead1", PASSWORD).await, app.login("worker1", PASSWORD).await);
    let city_a = app.login("city.a", PASSWORD).await;

    // Records of province A: most titles hold 数控 somewhere inside.
    let welding_leader = person(&admin, w.w1, "刘一手").await;
    let welding = studio(&admin, w.w1, welding_leader, "东方焊接工作室").await;
    project(&lead1, w.s1, "老旧数控车床主轴改进", w.leader1, &[30]).await;
    project(&admin, w.s2, "变电站数控巡检", w.leader2, &[30]).await;
    worker1.ok_post("/api/v1/suggestions", idea("给数控机床加装防护罩")).await;
    worker1.ok_post("/api/v1/suggestions", idea("食堂增加夜班热餐")).await;
    worker1.ok_post("/api/v1/suggestions", idea("冲压线加装夹具，消除安全隐患")).await;
    lead1
        .ok_post(
            "/api/v1/outcomes",
            json!({"studio_id": w.s1, "kind": "paper", "title": "数控刀具寿命管理方法", "achieved_on": day(-3),
                   "contributors": [{"name": "李建国"}]}),
        )
        .await;
    city_a
        .ok_post(
            "/api/v1/challenges",
            json!({"unit_id": w.city_a, "scope_unit_id": w.e1, "title": "数控系统故障攻关", "problem": "停机多。", "deadline": day(5)}),
        )
        .await;

    let q = urlencode("数控");
    // Studios by field (both work in 数控技术), by the leader's name, by a fragment of the name.
    let v = union_a.ok_get(&format!("/api/v1/studios?q={q}")).await;
    assert_eq!(titles(&v, "name"), vec!["李建国劳模创新工作室", "东方焊接工作室"], "{v}");
    let v = union_a.ok_get(&format!("/api/v1/studios?q={}", urlencode("一手"))).await;
    assert_eq!(v["items"][0]["id"], welding, "{v}");
    let v = union_b.ok_get(&format!("/api/v1/studios?q={q}")).await;
    assert_eq!(titles(&v, "name"), vec!["赵大勇电力创新工作室"], "{v}");

    // Suggestions, projects, outcomes and challenges by a two-character word, a fragment across
    // words, several words and a single character.
    let v = union_a.ok_get(&format!("/api/v1/suggestions?view=all&q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["给数控机床加装防护罩"], "{v}");
    // Across punctuation: the words on either side and the literal text find it; the pair that
    // stands across the comma (具消) is spelt by no title.
    for (fragment, hits) in [
        ("控机", 1),
        ("数控 防护", 1),
        ("罩", 1),
        ("热餐", 1),
        ("数控 热餐", 0),
        ("锅炉", 0),
        ("夹具，消除", 1),
        ("夹具 消除", 1),
        ("具消", 0),
    ] {
        let v = union_a.ok_get(&format!("/api/v1/suggestions?view=all&q={}", urlencode(fragment))).await;
        assert_eq!(v["items"].as_array().unwrap().len(), hits, "{fragment}: {v}");
    }
    let v = worker1.ok_get(&format!("/api/v1/suggestions?q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["给数控机床加装防护罩"], "one's own, by keyword: {v}");
    // Indexed again from nothing (migration 34, the generator): the same finds.
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || jiangxin::storage::keywords::rebuild(&db))
        .await
        .expect("the rebuild's thread")
        .expect("rebuild");
    if app.db.backend() == jiangxin::storage::Backend::Sqlite {
        // The rebuild's larger memory for postings is not left in the index's settings.
        let kept = app
            .db
            .read(|c| c.scalar("SELECT v FROM suggestion_keywords_config WHERE k = 'hashsize'", &[]))
            .await
            .expect("settings");
        assert_eq!(kept, 1 << 20);
    }
    for (fragment, hits) in [("数控", 1), ("夹具，消除", 1), ("具消", 0), ("热餐", 1)] {
        let v = union_a.ok_get(&format!("/api/v1/suggestions?view=all&q={}", urlencode(fragment))).await;
        assert_eq!(v["items"].as_array().unwrap().len(), hits, "after the rebuild, {fragment}: {v}");
    }
    let v = union_a.ok_get(&format!("/api/v1/projects?q={}", urlencode("车床主轴"))).await;
    assert_eq!(titles(&v, "title"), vec!["老旧数控车床主轴改进"], "{v}");
    let v = union_a.ok_get(&format!("/api/v1/projects?q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["老旧数控车床主轴改进"], "{v}");
    let v = union_a.ok_get(&format!("/api/v1/outcomes?q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["数控刀具寿命管理方法"], "{v}");
    let v = union_a.ok_get(&format!("/api/v1/challenges?q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["数控系统故障攻关"], "{v}");

    // The other province's administrator finds only their own.
    let v = union_b.ok_get(&format!("/api/v1/projects?q={q}")).await;
    assert_eq!(titles(&v, "title"), vec!["变电站数控巡检"], "{v}");
    for list in ["suggestions?view=all&", "outcomes?", "challenges?"] {
        let v = union_b.ok_get(&format!("/api/v1/{list}q={q}")).await;
        assert!(v["items"].as_array().unwrap().is_empty(), "{list}: {v}");
    }

    // The search page: every kind at once, each with what the reader may see.
    let page = |c: reqwest::Client, path: String| async move {
        let r = c.get(path).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    let a = page_client(&app, "union.a", PASSWORD).await;
    let (status, html) = page(a.clone(), format!("{}/search?q={q}", app.base)).await;
    assert_eq!(status, 200);
    for t in [
        "李建国劳模创新工作室",
        "给数控机床加装防护罩",
        "老旧数控车床主轴改进",
        "数控刀具寿命管理方法",
        "数控系统故障攻关",
    ] {
        assert!(html.contains(t), "{t}");
    }
    assert!(!html.contains("变电站数控巡检") && !html.contains("赵大勇电力创新工作室"));
    let bpage = page_client(&app, "union.b", PASSWORD).await;
    let (_, html) = page(bpage, format!("{}/search?q={q}", app.base)).await;
    assert!(html.contains("变电站数控巡检") && html.contains("赵大勇电力创新工作室"));
    for t in [
        "李建国劳模创新工作室",
        "给数控机床加装防护罩",
        "老旧数控车床主轴改进",
        "数控刀具寿命管理方法",
        "数控系统故障攻关",
    ] {
        assert!(!html.contains(t), "{t} is outside province B");
    }
    // Each list page takes the keyword too.
    for (list, t) in [
        ("suggestions?view=all&", "给数控机床加装防护罩"),
        ("projects?", "老旧数控车床主轴改进"),
        ("outcomes?", "数控刀具寿命管理方法"),
        ("challenges?", "数控系统故障攻关"),
        ("studios?", "东方焊接工作室"),
    ] {
        let (status, html) = page(a.clone(), format!("{}/{list}q={q}", app.base)).await;
        assert_eq!(status, 200, "{list}");
        assert!(html.contains(t) && html.contains("value=\"数控\""), "{list}");
        assert!(!html.contains("食堂增加夜班热餐"), "{list}");
    }

    // Overlong: refused on the field, on every list and the search page.
    let long = "数".repeat(101);
    for list in ["studios?", "suggestions?view=all&", "projects?", "outcomes?", "challenges?"] {
        let (status, v) = union_a.get(&format!("/api/v1/{list}q={}", urlencode(&long))).await;
        assert_eq!(status, 422, "{list}: {v}");
        assert!(v["error"]["fields"]["q"].is_string(), "{list}: {v}");
    }
    let (status, html) = page(a, format!("{}/search?q={}", app.base, urlencode(&long))).await;
    assert_eq!(status, 422);
    assert!(html.contains("search-q-err"));
}

async fn paging_keeps_the_keyword(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    for t in ["数控一号改进", "无关建议甲", "数控二号改进", "无关建议乙", "数控三号改进"] {
        worker1.ok_post("/api/v1/suggestions", idea(t)).await;
    }
    let q = urlencode("数控");
    // The API: a page at a time, only the matching ones, newest first.
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/suggestions?q={q}&limit=2");
    loop {
        let v = worker1.ok_get(&path).await;
        seen.extend(titles(&v, "title"));
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/suggestions?q={q}&limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["数控三号改进", "数控二号改进", "数控一号改进"]);
    // The page: its "next" link carries the keyword.
    let c = page_client(&app, "worker1", PASSWORD).await;
    let html = c.get(format!("{}/suggestions?q={q}&limit=2", app.base)).send().await.unwrap().text().await.unwrap();
    let next = html.split("class=\"more\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("a next link");
    let next = next.replace("&amp;", "&");
    assert!(next.contains(&format!("q={q}")), "{next}");
    let html = c.get(format!("{}{next}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("数控一号改进") && !html.contains("无关建议"), "{html}");
}

/// Records holding the character pair `pair` in the suggestions' keyword index.
async fn holders(app: &TestApp, b: Backend, pair: &'static str) -> i64 {
    let sql = match b {
        Backend::Sqlite => {
            format!("SELECT COUNT(*) FROM suggestion_keywords WHERE suggestion_keywords MATCH '\"{pair}\"'")
        }
        Backend::Postgres => {
            format!("SELECT COUNT(*) FROM suggestion_keywords WHERE string_to_array(terms, ' ') @> ARRAY['{pair}']")
        }
    };
    app.db.read(move |c| c.scalar(&sql, &[])).await.expect("holders")
}

/// After migration 35 every title is indexed again in the background, a slice at a time, into
/// a table beside the one searched: a title indexed with the old terms (a pair across the comma)
/// keeps being found meanwhile, and so does a record written meanwhile; once the new table has
/// taken the old one's place no title holds the pair no title spells, and the schedule is empty.
async fn titles_are_indexed_again_in_the_background(b: Backend) {
    use jiangxin::storage::keywords;
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    for i in 0..110 {
        worker1.ok_post("/api/v1/suggestions", idea(&format!("第{i}号工位改进"))).await;
    }
    let v = worker1.ok_post("/api/v1/suggestions", idea("冲压线加装夹具，消除安全隐患")).await;
    let id = v["id"].as_i64().expect("an id");
    // Indexed as before migration 34: pairs across the comma too.
    let old = "冲压 压线 线加 加装 装夹 夹具 具消 消除 除安 安全 全隐 隐患";
    app.db
        .write(move |c| {
            let (delete, insert) = match c.backend() {
                jiangxin::storage::Backend::Sqlite => (
                    "DELETE FROM suggestion_keywords WHERE rowid = ?",
                    "INSERT INTO suggestion_keywords (rowid, terms) VALUES (?, ?)",
                ),
                jiangxin::storage::Backend::Postgres => (
                    "DELETE FROM suggestion_keywords WHERE id = ?",
                    "INSERT INTO suggestion_keywords (id, terms) VALUES (?, ?)",
                ),
            };
            c.execute(delete, jiangxin::params![id])?;
            c.execute(insert, jiangxin::params![id, old])
        })
        .await
        .expect("old terms");
    assert_eq!(holders(&app, b, "具消").await, 1);
    app.db.write(keywords::schedule_reindex).await.expect("schedule");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM keyword_reindex").await, 1, "suggestions only");

    // One slice with no time to spare indexes fifty titles: not yet the last one.
    let p = app.db.write(|c| keywords::reindex_slice(c, std::time::Duration::ZERO)).await.expect("slice");
    let p = p.expect("something to do");
    assert!(p.after < p.until && p.until == id && !p.swapped, "{p:?}");
    assert_eq!(holders(&app, b, "具消").await, 1);
    let found = |q: &str| format!("/api/v1/suggestions?q={}", urlencode(q));
    assert_eq!(worker1.ok_get(&found("夹具，消除")).await["items"][0]["id"], id, "found meanwhile");
    // Written meanwhile, found meanwhile and after.
    let late = worker1.ok_post("/api/v1/suggestions", idea("锅炉房自制夹具")).await["id"].as_i64().expect("an id");
    assert_eq!(worker1.ok_get(&found("自制")).await["items"][0]["id"], late);

    // The rest in the background's slices.
    let slices = jiangxin::app::reindex::run(&app.state).await.expect("reindex");
    assert!(slices >= 1, "{slices}");
    assert_eq!(holders(&app, b, "具消").await, 0);
    assert_eq!(holders(&app, b, "夹具").await, 2);
    assert_eq!(worker1.ok_get(&found("夹具，消除")).await["items"][0]["id"], id);
    assert_eq!(worker1.ok_get(&found("自制")).await["items"][0]["id"], late);
    assert_eq!(worker1.ok_get(&found("第7号")).await["items"].as_array().unwrap().len(), 1);
    assert_eq!(worker1.ok_get(&found("工位")).await["items"].as_array().unwrap().len(), 50, "a page of them");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM keyword_reindex").await, 0);
    assert_eq!(jiangxin::app::reindex::run(&app.state).await.expect("nothing left"), 0);
    // The old table is gone, and the new one took its name.
    let tables = match b {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%keywords_old%' OR name LIKE '%keywords_next%'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM pg_class WHERE relname LIKE '%keywords_old%' OR relname LIKE '%keywords_next%'"
        }
    };
    assert_eq!(app.scalar(tables).await, 0);
}

/// Over a wide scope a keyword first takes the newest matches of the index (SQLite), and asks
/// the whole index when they do not fill the page: 1,200 newer copies of a suggestion in another
/// category hide the one asked for from the newest matches, yet it is found.
async fn older_matches_are_found_past_the_newest(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    let admin = app.admin().await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let v = worker1.ok_post("/api/v1/suggestions", idea("冲压线加装夹具，消除安全隐患")).await;
    let id = v["id"].as_i64().expect("an id");
    copy(&app, "suggestions", id, 1200, &[("category", "'small_design'")]).await;
    let q = urlencode("夹具");
    let v = admin.ok_get(&format!("/api/v1/suggestions?view=all&q={q}&category=rationalization")).await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["id"], id);
    // Without the category: the newest copies, a page at a time.
    let v = admin.ok_get(&format!("/api/v1/suggestions?view=all&q={q}")).await;
    assert_eq!(v["items"][0]["id"], id + 1200, "{v}");
    assert!(v["next_cursor"].is_string());
}

/// Over a wide subtree the challenges are walked newest first (more than a thousand in scope):
/// the same challenges as through the path indexes, and none of another province's. The
/// thousand newest matches of the keyword are all province B's: province A's union still finds
/// its own older ones behind them.
async fn challenges_of_a_wide_subtree_are_walked_newest_first(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (union_a, union_b) = (app.login("union.a", PASSWORD).await, app.login("union.b", PASSWORD).await);
    let city_a = app.login("city.a", PASSWORD).await;
    let v = city_a
        .ok_post(
            "/api/v1/challenges",
            json!({"unit_id": w.city_a, "scope_unit_id": w.e1, "title": "数控系统故障攻关", "problem": "停机多。", "deadline": day(5)}),
        )
        .await;
    let id = v["id"].as_i64().expect("an id");
    let in_b = union_b
        .ok_post(
            "/api/v1/challenges",
            json!({"unit_id": w.province_b, "title": "数控机床精度恢复", "problem": "精度差。", "deadline": day(5)}),
        )
        .await["id"]
        .as_i64()
        .expect("an id");
    // Province A's copies, then province B's newer ones: ids apart, none taken twice.
    let (a_after, b_after) = (in_b + 10, in_b + 2000);
    copy_after(&app, "challenges", id, a_after, 1100, &[]).await;
    copy_after(&app, "challenges", in_b, b_after, 1100, &[]).await;
    let q = urlencode("数控");
    for path in ["/api/v1/challenges?limit=3".to_string(), format!("/api/v1/challenges?q={q}&limit=3")] {
        for (reader, after) in [(&union_a, a_after), (&union_b, b_after)] {
            let v = reader.ok_get(&path).await;
            let ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
            assert_eq!(ids, vec![after + 1100, after + 1099, after + 1098], "{path}: {v}");
        }
    }
}

/// Projects and outcomes newest first (the search page's hits and its link to more): over a
/// wide subtree only the index's newest matches are read, and an older match behind 1,200
/// newer ones of another kind is still found; pages follow each other; another province sees
/// none of them.
async fn projects_and_outcomes_newest_first(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (union_a, union_b) = (app.login("union.a", PASSWORD).await, app.login("union.b", PASSWORD).await);
    let lead1 = app.login("lead1", PASSWORD).await;
    let p = project(&lead1, w.s1, "冲压线加装夹具改进", w.leader1, &[30]).await["id"].as_i64().expect("a project");
    let o = lead1
        .ok_post(
            "/api/v1/outcomes",
            json!({"studio_id": w.s1, "kind": "paper", "title": "冲压夹具快换方法", "achieved_on": day(-3),
                   "contributors": [{"name": "李建国"}]}),
        )
        .await["id"]
        .as_i64()
        .expect("an outcome");
    copy(&app, "projects", p, 1200, &[("category", "'质量改进'"), ("number", "x.number || '-' || CAST(n.i AS TEXT)")])
        .await;
    copy(&app, "outcomes", o, 1200, &[("kind", "'process_method'")]).await;
    let q = urlencode("夹具");
    for (list, only, first) in
        [("projects", format!("category={}", urlencode("技术攻关")), p), ("outcomes", "kind=paper".to_string(), o)]
    {
        // Behind the newest thousand matches of another category or type.
        let v = union_a.ok_get(&format!("/api/v1/{list}?sort=new&q={q}&{only}")).await;
        let ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![first], "{list}: {v}");
        // Newest first, a page at a time.
        let v = union_a.ok_get(&format!("/api/v1/{list}?sort=new&q={q}&limit=3")).await;
        let ids: Vec<i64> = v["items"].as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![first + 1200, first + 1199, first + 1198], "{list}: {v}");
        let cursor = v["next_cursor"].as_str().expect("more").to_string();
        let v = union_a.ok_get(&format!("/api/v1/{list}?sort=new&q={q}&limit=3&cursor={cursor}")).await;
        assert_eq!(v["items"][0]["id"], first + 1197, "{list}: {v}");
        let v = union_b.ok_get(&format!("/api/v1/{list}?sort=new&q={q}")).await;
        assert!(v["items"].as_array().unwrap().is_empty(), "{list}: {v}");
        // An order the list does not know is refused on its field.
        let (status, v) = union_a.get(&format!("/api/v1/{list}?sort=newest&q={q}")).await;
        assert_eq!(status.as_u16(), 422, "{list}: {v}");
        assert!(v["error"]["fields"]["sort"].is_string(), "{list}: {v}");
    }
    // The search page shows the newest of each and links to the same order.
    let client = page_client(&app, "union.a", PASSWORD).await;
    let html = client.get(format!("{}/search?q={q}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("/projects/{}\"", p + 1200)), "{html}");
    assert!(html.contains(&format!("/outcomes/{}\"", o + 1200)), "{html}");
    assert!(html.contains("/projects?sort=new&amp;q="), "{html}");
    assert!(html.contains("/outcomes?sort=new&amp;q="), "{html}");
}

/// A keyword search runs under a time limit on both databases: a read past it is stopped (SQLite
/// interrupts it, PostgreSQL cancels it) with an error the pages answer as “search timed out”,
/// and the connections serve the next reads, searches or not, as before.
async fn a_search_past_its_time_limit_is_stopped(b: Backend) {
    let app = TestApp::start_with(b, |c| c.search_timeout_ms = 300).await;
    const SLOW: &str = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 500000000) \
                        SELECT COUNT(*) AS n FROM r";
    let started = std::time::Instant::now();
    // On a worker of the runtime, as a request's handler runs it.
    let db = app.db.clone();
    let r = tokio::spawn(async move { db.read_as(true, |c| c.scalar(SLOW, &[])).await }).await.expect("search task");
    let waited = started.elapsed();
    match r {
        Err(jiangxin::error::Error::Database(e)) => assert!(e.is_timed_out(), "{e}"),
        other => panic!("the slow search was not stopped: {other:?}"),
    }
    assert!(waited < std::time::Duration::from_secs(5), "stopped after {waited:?}");
    // Every connection of the pool answers again, searching or not, and is not cut short.
    for searching in [true, false, true, false, true, false, true, false] {
        let n = app
            .db
            .read_as(searching, |c| {
                c.scalar("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) SELECT COUNT(*) AS n FROM r", &[])
            })
            .await
            .expect("a read after the stopped search");
        assert_eq!(n, 1000);
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.db.read(|c| c.scalar("SELECT 1 AS n", &[])).await.expect("read after the limit"), 1);
}

/// PostgreSQL keeps statistics of every lower-cased title and name a keyword is matched
/// against (migration 33), so that it sees how often a word occurs: without them it guessed
/// one title in thousands and read and sorted a whole province to show a page (5 s).
async fn keyword_columns_carry_statistics(b: Backend) {
    // SQLite keeps no statistics of expressions: its lists walk the order they are told to.
    let Backend::Postgres = b else { return };
    let app = TestApp::start(b).await;
    let n = app.scalar("SELECT COUNT(*) FROM pg_statistic_ext WHERE stxname LIKE '%\\_lower' ESCAPE '\\'").await;
    assert_eq!(n, 8);
}
both!(
    keywords_find_every_kind_within_scope,
    paging_keeps_the_keyword,
    a_search_past_its_time_limit_is_stopped,
    keyword_columns_carry_statistics,
    titles_are_indexed_again_in_the_background,
    older_matches_are_found_past_the_newest,
    challenges_of_a_wide_subtree_are_walked_newest_first,
    projects_and_outcomes_newest_first
);
