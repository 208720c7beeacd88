//! End-to-end tests in headless Chromium (Debian's chromium and chromium-driver), on a
//! 360-pixel-wide window: find a studio by a fragment of its Chinese name and add a member;
//! record a ledger entry and sign it twice; export the red-light list and open the file;
//! record a mentorship's quarterly assessment; submit an expense and approve it; an expert
//! scores an application from their queue.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, day, person, project, studio, unit, world};
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

pub(crate) async fn start_driver() -> (Driver, String) {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin} ({e}); install chromium and chromium-driver (scripts/test does)")
        });
    let driver = Driver(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (driver, format!("http://127.0.0.1:{port}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// A phone-sized headless Chromium speaking Chinese; keep the driver and profile alive with it.
async fn phone() -> (Client, Driver, tempfile::TempDir) {
    phone_with(serde_json::json!({"intl.accept_languages": "zh-CN,zh"})).await
}

/// A phone-sized headless Chromium with these preferences.
async fn phone_with(prefs: serde_json::Value) -> (Client, Driver, tempfile::TempDir) {
    let (driver, url) = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "prefs": prefs,
            "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0}},
            "args": ["--headless=new", "--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=360,800",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("connect to chromedriver");
    (c, driver, profile)
}

/// Logs in on the login page the browser was sent to.
async fn log_in(c: &Client, user: &str) -> Result<(), CmdError> {
    assert!(c.current_url().await?.as_str().contains("/login"));
    c.find(Locator::Css("#f-username")).await?.send_keys(user).await?;
    c.find(Locator::Css("#f-password")).await?.send_keys(PASSWORD).await?;
    c.find(Locator::Css("form button[type=submit].primary")).await?.click().await
}

/// Fails when something on the page reaches past the phone's 360-pixel width.
pub(crate) async fn fits_the_phone(c: &Client, what: &str) -> Result<(), CmdError> {
    let viewport = c.execute("return window.innerWidth", vec![]).await?;
    assert_eq!(viewport.as_i64(), Some(360), "the phone's viewport");
    let width = c.execute("return document.documentElement.scrollWidth", vec![]).await?;
    let wide = c
        .execute(
            "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 30)).join(' | ')",
            vec![],
        )
        .await?;
    assert!(width.as_i64().unwrap_or(9999) <= 360, "the {what} is wider than the phone: {width}: {wide}");
    Ok(())
}

async fn find_a_studio_and_add_a_member(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/studios", app.base)).await?;
        // Sent to the login page, in Chinese.
        let src = c.source().await?;
        assert!(src.contains("登录"), "{src}");
        log_in(&c, "ent1").await?;
        c.wait().for_element(Locator::Css("#f-q")).await?;
        // Find the studio by a fragment of its name.
        c.find(Locator::Css("#f-q")).await?.send_keys("建国劳模").await?;
        c.find(Locator::Css("form.filters button[type=submit]")).await?.click().await?;
        // The unfiltered list showed the studio too: wait for the search's own page.
        for _ in 0..100 {
            if c.current_url().await?.as_str().contains("q=") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let rows = c.find_all(Locator::Css("table.rows tbody tr")).await?;
        assert_eq!(rows.len(), 1, "only the studio whose name holds the fragment");
        c.wait().for_element(Locator::LinkText("李建国劳模创新工作室")).await?.click().await?;
        c.wait().for_element(Locator::Css("#checklist")).await?;
        fits_the_phone(&c, "studio page").await?;
        c.find(Locator::Css(&format!("a[href='/studios/{}/team']", w.s1))).await?.click().await?;
        // Search for a colleague, pick them, add them.
        c.wait().for_element(Locator::Css("#cq")).await?.send_keys("刘一").await?;
        c.find(Locator::Css("#add form.search button")).await?.click().await?;
        c.wait().for_element(Locator::Css(&format!("input[name=person_id][value='{}']", w.p4))).await?.click().await?;
        c.find(Locator::Css("#f-duty")).await?.send_keys("工艺改进").await?;
        c.find(Locator::Css("#add form.grid button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::Css("p.notice")).await?;
        let members = c.find(Locator::Css("#members")).await?.text().await?;
        assert!(members.contains("刘一手"), "the new member is listed: {members}");
        assert!(members.contains("工艺改进"));
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    // The browser's change is the platform's: one more member, audited.
    let admin = app.admin().await;
    let s = admin.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["member_count"], 4);
}

/// Waits for the next page to show a record's state (the old page may go stale under our
/// feet while it is replaced); returns the state last seen.
async fn state_becomes(c: &Client, want: &str) -> String {
    let mut seen = String::new();
    for _ in 0..200 {
        seen = match c.find(Locator::Css("#state")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if seen == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

async fn record_an_activity_and_sign_it_twice(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (c, _driver, _profile) = phone().await;
    let held_on = crate::common::day(-1);
    let result = async {
        // The leader opens the ledger's form from a link, logs in, and records a training.
        c.goto(&format!("{}/studios/{}/activities/new", app.base, w.s1)).await?;
        log_in(&c, "lead1").await?;
        c.wait().for_element(Locator::Css("#f-kind")).await?;
        fits_the_phone(&c, "ledger form").await?;
        c.find(Locator::Css("#f-kind option[value=training]")).await?.click().await?;
        // A date field takes its value in the browser's own format: set it as a script would.
        c.execute("document.getElementById('f-held_on').value = arguments[0]", vec![held_on.clone().into()]).await?;
        c.find(Locator::Css("#f-title")).await?.send_keys("焊接工艺培训").await?;
        c.find(Locator::Css("#f-place")).await?.send_keys("实训基地").await?;
        c.find(Locator::Css("#f-hours")).await?.send_keys("2").await?;
        c.find(Locator::Css(&format!("#f-host_person_id option[value='{}']", w.leader1))).await?.click().await?;
        c.find(Locator::Css("#f-trainees")).await?.send_keys("15").await?;
        c.find(Locator::Css(&format!("input[name='attendee_ids[]'][value='{}']", w.p2))).await?.click().await?;
        c.find(Locator::Css("#f-summary")).await?.send_keys("讲解焊接参数选择，现场示范并逐人练习。").await?;
        c.find(Locator::Css("form.grid button[type=submit].primary")).await?.click().await?;
        // The record, not yet signed; the leader hosted it, so signs first as host …
        c.wait().for_element(Locator::Css("details.confirm summary")).await?;
        assert_eq!(c.find(Locator::Css("#state")).await?.text().await?, "待签字");
        // Signing takes two taps: the question, then the confirmation.
        assert!(!c.find(Locator::Css("#sign")).await?.is_displayed().await?, "not signed in one tap");
        c.find(Locator::Css("form[action$='/sign'] details.confirm summary")).await?.click().await?;
        c.find(Locator::Css("#sign")).await?.click().await?;
        assert_eq!(state_becomes(&c, "主持人已签").await, "主持人已签");
        // … then as the studio's leader, which seals it.
        c.find(Locator::Css("form[action$='/sign'] details.confirm summary")).await?.click().await?;
        c.find(Locator::Css("#sign")).await?.click().await?;
        assert_eq!(state_becomes(&c, "已签字确认").await, "已签字确认");
        assert!(c.find_all(Locator::Css("#sign")).await?.is_empty(), "nothing left to sign");
        let signatures = c.find(Locator::Css("#signatures")).await?.text().await?;
        assert_eq!(signatures.matches("lead1").count(), 2, "both signatures named: {signatures}");
        fits_the_phone(&c, "signed record").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    // The record the browser made is sealed in the ledger, and the chain verifies.
    let admin = app.admin().await;
    let list = admin.ok_get(&format!("/api/v1/activities?studio_id={}", w.s1)).await;
    let a = &list["items"][0];
    assert_eq!(a["title"], "焊接工艺培训");
    assert_eq!(a["state"], "signed");
    assert_eq!(a["held_on"], held_on);
    assert_eq!(a["trainees"], 15);
    let v = admin.ok_get(&format!("/api/v1/studios/{}/ledger/verification", w.s1)).await;
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["checked"], 1);
}

/// Waits until the page shows a state (the old page may go stale under our feet).
async fn wait_state(c: &Client, want: &str) -> Result<String, CmdError> {
    let mut state = String::new();
    for _ in 0..100 {
        state = match c.find(Locator::Css("#state")).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if state == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(state)
}

async fn submit_a_suggestion_and_follow_it_to_adoption(b: Backend) {
    let app = TestApp::start(b).await;
    let _w = world(&app).await;
    // An earlier suggestion of the enterprise says nearly the same.
    let earlier = app.login("mem1", PASSWORD).await;
    earlier
        .ok_post(
            "/api/v1/suggestions",
            serde_json::json!({"title": "冲压线增加自动上料装置", "category": "small_innovation",
                               "situation": "人工上料。", "measure": "自动上料。"}),
        )
        .await;
    let (c, _driver, _profile) = phone().await;
    let result = async {
        // A worker opens the form on a phone and types the idea.
        c.goto(&format!("{}/suggestions/new", app.base)).await?;
        log_in(&c, "worker1").await?;
        c.wait().for_element(Locator::Css("#f-title")).await?;
        fits_the_phone(&c, "suggestion form").await?;
        c.find(Locator::Css("#f-title")).await?.send_keys("冲压线加装自动上料装置减少搬运").await?;
        // The likely duplicate shows while typing.
        let hint = c.wait().for_element(Locator::Css("#similar li")).await?.text().await?;
        assert!(hint.contains("冲压线增加自动上料装置"), "{hint}");
        // … as a link to it, opening beside the form.
        let link = c.find(Locator::Css("#similar li a")).await?;
        let href = link.attr("href").await?.unwrap_or_default();
        assert!(href.starts_with("/suggestions/") && link.attr("target").await?.as_deref() == Some("_blank"), "{href}");
        c.find(Locator::Css("#f-category option[value=rationalization]")).await?.click().await?;
        c.find(Locator::Css("#f-situation")).await?.send_keys("上料靠人工搬运，劳动强度大。").await?;
        c.find(Locator::Css("#f-measure")).await?.send_keys("加装自动上料装置。").await?;
        c.find(Locator::Css("#f-expected_benefit_yuan")).await?.send_keys("60000").await?;
        // A workmate joins as co-proposer, found by name and chosen with the keyboard.
        let picker = c.find(Locator::Css("#f-co_proposers")).await?;
        picker.send_keys("王小").await?;
        let offered = c.wait().for_element(Locator::Css("#l-co_proposers li")).await?.text().await?;
        assert!(offered.contains("王小明") && offered.contains("一车间"), "{offered}");
        picker.send_keys("\u{E015}\u{E007}").await?; // ↓, Enter
        let chip = c.wait().for_element(Locator::Css(".chips li")).await?.text().await?;
        assert!(chip.contains("王小明"), "{chip}");
        c.find(Locator::Css("form.grid button[type=submit].primary")).await?.click().await?;
        assert_eq!(wait_state(&c, "待评审").await?, "待评审");
        fits_the_phone(&c, "suggestion page").await?;
        let url = c.current_url().await?;
        // The enterprise's evaluator opens it, scores it, adopts it.
        c.delete_all_cookies().await?;
        c.goto(url.as_str()).await?;
        log_in(&c, "ent1").await?;
        c.wait().for_element(Locator::Css("#step-score")).await?.click().await?;
        c.wait().for_element(Locator::Css("#f-technical")).await?;
        fits_the_phone(&c, "scoring form").await?;
        for (field, v) in
            [("technical", "25"), ("economic", "24"), ("scope", "15"), ("practicality", "16"), ("value_yuan", "60000")]
        {
            c.find(Locator::Css(&format!("#f-{field}"))).await?.send_keys(v).await?;
        }
        c.find(Locator::Css("#do-step")).await?.click().await?;
        assert_eq!(wait_state(&c, "已评分").await?, "已评分");
        c.wait().for_element(Locator::Css("#step-adopt")).await?.click().await?;
        c.wait().for_element(Locator::Css("#f-reason")).await?.send_keys("同意采纳，由一车间实施。").await?;
        c.find(Locator::Css("#do-step")).await?.click().await?;
        assert_eq!(wait_state(&c, "已采纳").await?, "已采纳");
        let page = c.source().await?;
        assert!(page.contains("同意采纳，由一车间实施。"), "the reason the proposer reads");
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    // What the browser did is the platform's: the proposer sees it adopted, and was told.
    let worker = app.login("worker1", PASSWORD).await;
    let mine = worker.ok_get("/api/v1/suggestions").await;
    assert_eq!(mine["items"][0]["state"], "adopted", "{mine}");
    assert_eq!(mine["items"][0]["grade"], 4);
    let one = worker.ok_get(&format!("/api/v1/suggestions/{}", mine["items"][0]["id"])).await;
    let proposers: Vec<&str> =
        one["suggestion"]["proposers"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(proposers, ["孙工人", "王小明"], "{mine}");
    let notes = worker.ok_get("/api/v1/notifications").await;
    assert!(notes["items"].as_array().unwrap().iter().any(|n| n["kind"] == "suggestion_changed"));
}

/// Chooses in a picker by typing a fragment and taking the first offer with the keyboard.
async fn pick(c: &Client, field: &str, fragment: &str, expect: &str) -> Result<(), CmdError> {
    let input = c.find(Locator::Css(&format!("#f-{field}"))).await?;
    input.clear().await?;
    input.send_keys(fragment).await?;
    // The list answers the fragment once the lookup is back (a unit picker shows the tree
    // before anything is typed).
    let mut offered = String::new();
    for _ in 0..100 {
        offered = c.find(Locator::Css(&format!("#l-{field}"))).await?.text().await?;
        if offered.starts_with(expect) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(offered.starts_with(expect), "{field}: {offered}");
    input.send_keys("\u{E015}\u{E007}").await?; // ↓, Enter
    let chosen = c.find(Locator::Css(&format!("input[type=hidden][name='{field}']"))).await?.prop("value").await?;
    assert!(chosen.is_some_and(|v| !v.is_empty()), "{field}: nothing chosen");
    Ok(())
}

/// An enterprise administrator posts a challenge on a phone, and then, as the clerk, types in a
/// suggestion for a worker without an account — choosing units by name, never by number.
async fn officers_work_with_pickers_on_a_phone(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let deadline = crate::common::day(20);
    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/challenges", app.base)).await?;
        log_in(&c, "ent1").await?;
        c.wait().for_element(Locator::Css("details > summary")).await?.click().await?;
        fits_the_phone(&c, "challenge form").await?;
        c.find(Locator::Css("#f-title")).await?.send_keys("铸件砂眼攻关").await?;
        // The poster is the administrator's own enterprise before anything is typed.
        let poster = c.find(Locator::Css("#f-unit_id")).await?.prop("value").await?.unwrap_or_default();
        assert_eq!(poster, "东方机械有限公司");
        pick(&c, "scope_unit_id", "一车", "一车间").await?;
        c.execute("document.getElementById('f-deadline').value = arguments[0]", vec![deadline.clone().into()]).await?;
        c.find(Locator::Css("#f-problem")).await?.send_keys("铸件砂眼多，废品率高。").await?;
        c.find(Locator::Css("form[method=post][action='/challenges'] button[type=submit]")).await?.click().await?;
        for _ in 0..100 {
            if c.current_url().await?.path().starts_with("/challenges/") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !c.current_url().await?.path().starts_with("/challenges/") {
            let problems = c
                .execute("return Array.from(document.querySelectorAll('.err, [role=alert], .alert')).map(e => e.textContent).join(' | ')", vec![])
                .await?;
            panic!("the challenge was not posted: {problems} at {}", c.current_url().await?);
        }

        // The clerk types in a worker's suggestion: the worker has no account, their workshop
        // is chosen by name.
        c.goto(&format!("{}/suggestions/new", app.base)).await?;
        c.wait().for_element(Locator::Css("#f-title")).await?.send_keys("浇注口加过滤网减少砂眼").await?;
        c.find(Locator::Css("#f-category option[value=small_innovation]")).await?.click().await?;
        c.find(Locator::Css("#f-situation")).await?.send_keys("砂眼多。").await?;
        c.find(Locator::Css("#f-measure")).await?.send_keys("浇注口加过滤网。").await?;
        c.find(Locator::Css("details.wide > summary")).await?.click().await?;
        c.find(Locator::Css("#f-for_name")).await?.send_keys("周师傅").await?;
        pick(&c, "for_unit_id", "一车", "一车间").await?;
        fits_the_phone(&c, "suggestion form on behalf").await?;
        c.find(Locator::Css("form.grid button[type=submit].primary")).await?.click().await?;
        assert_eq!(wait_state(&c, "待评审").await?, "待评审");
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let ent1 = app.login("ent1", PASSWORD).await;
    let posted = ent1.ok_get("/api/v1/challenges").await;
    let ch = &posted["items"][0];
    assert_eq!((ch["unit_id"].as_i64(), ch["scope_unit_id"].as_i64()), (Some(w.e1), Some(w.w1)), "{posted}");
    let all = ent1.ok_get("/api/v1/suggestions?view=all").await;
    let s = &all["items"][0];
    assert_eq!(s["unit_id"].as_i64(), Some(w.w1), "{all}");
    let one = ent1.ok_get(&format!("/api/v1/suggestions/{}", s["id"])).await;
    assert_eq!(one["suggestion"]["proposers"][0]["name"], "周师傅", "{one}");
}

/// A phone like [`phone`] whose downloads land in `dir`, without asking.
async fn phone_downloading_to(dir: &std::path::Path) -> (Client, Driver, tempfile::TempDir) {
    phone_with(serde_json::json!({
        "intl.accept_languages": "zh-CN,zh",
        "download.default_directory": dir.display().to_string(),
        "download.prompt_for_download": false,
        "download.directory_upgrade": true,
        "safebrowsing.enabled": false
    }))
    .await
}

/// Waits for a finished .xlsx download in `dir` (Chromium writes `*.crdownload` until done).
async fn downloaded_xlsx(dir: &std::path::Path) -> std::path::PathBuf {
    for _ in 0..300 {
        let files: Vec<std::path::PathBuf> =
            std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        let busy = files.iter().any(|p| p.extension().is_some_and(|e| e == "crdownload"));
        if let Some(done) = files.iter().find(|p| p.extension().is_some_and(|e| e == "xlsx"))
            && !busy
        {
            return done.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no .xlsx was downloaded into {}", dir.display());
}

/// A city union's officer, on a phone, goes from the home page's red light to the red-light
/// list, exports it to Excel by tapping the link, and opens the file: it holds exactly the red
/// projects of the city (those the page listed, as many as the database counts) and none of
/// the province's or another province's.
async fn an_officer_exports_the_red_lights_and_opens_the_file(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    // In the city (S1): two red, one yellow, one green; a proposal not yet approved.
    let mut in_city = Vec::new();
    for (title, due) in [
        ("主轴温升攻关", vec![-4, 30]),
        ("焊缝返修率攻关", vec![-12]),
        ("刀具寿命提升", vec![3]),
        ("夹具快换改进", vec![40]),
    ] {
        let id = project(&lead1, w.s1, title, w.leader1, &due).await["id"].as_i64().unwrap();
        ent1.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
        in_city.push(id);
    }
    project(&lead1, w.s1, "待批的逾期课题", w.leader1, &[-6]).await;
    // In the province but outside the city, and in another province: red too.
    let e3 = unit(&admin, w.province_a, "enterprise", "南湖纺织有限公司").await;
    let leader3 = person(&admin, e3, "陈南湖").await;
    let s3 = studio(&admin, e3, leader3, "陈南湖纺织创新工作室").await;
    for (s, leader, title) in [(s3, leader3, "染整能耗攻关"), (w.s2, w.leader2, "乙省线损攻关")] {
        let id = project(&admin, s, title, leader, &[-5]).await["id"].as_i64().unwrap();
        admin.ok_post(&format!("/api/v1/projects/{id}/transitions"), json!({"action": "approve"})).await;
    }
    // Counted from the database, apart from the platform's code: running projects under the
    // city whose earliest open deadline has passed.
    let (city_a, today) = (w.city_a, day(0));
    let red_in_city: Vec<String> = app
        .db
        .read(move |c| {
            c.query(
                "SELECT p.title FROM projects p JOIN org_units u ON u.id = ? \
                 WHERE p.unit_path LIKE u.path || '%' AND p.next_due IS NOT NULL AND p.next_due < ? ORDER BY p.title",
                jiangxin::params![city_a, today],
                |r| r.get::<String>("title"),
            )
        })
        .await
        .expect("red projects of the city");
    assert_eq!(red_in_city, ["主轴温升攻关", "焊缝返修率攻关"], "the set-up");

    let downloads = tempfile::tempdir().expect("download dir");
    let (c, _driver, _profile) = phone_downloading_to(downloads.path()).await;
    let result = async {
        c.goto(&format!("{}/", app.base)).await?;
        log_in(&c, "city.a").await?;
        // The home page's red light, with its count, leads to the list.
        let red = c.wait().for_element(Locator::Css("#lights a.tile.l-red")).await?;
        assert_eq!(red.find(Locator::Css("strong")).await?.text().await?, "2");
        fits_the_phone(&c, "officer's home").await?;
        red.click().await?;
        for _ in 0..100 {
            if c.current_url().await?.as_str().contains("light=red") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        c.wait().for_element(Locator::Css("table.rows")).await?;
        fits_the_phone(&c, "red-light list").await?;
        let mut listed = Vec::new();
        for a in c.find_all(Locator::Css("table.rows tbody tr td:nth-child(2) a")).await? {
            listed.push(a.text().await?);
        }
        // The export link, tapped: it says the file is being made, then the download lands.
        let link = c.find(Locator::Css("a.export")).await?;
        assert!(link.attr("href").await?.unwrap_or_default().starts_with("/export/projects?"));
        link.click().await?;
        let file = downloaded_xlsx(downloads.path()).await;
        let mut label = String::new();
        for _ in 0..100 {
            label = c.find(Locator::Css("a.export")).await?.text().await?;
            if label == "导出 Excel" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(label, "导出 Excel", "the link is itself again once the file came");
        Ok::<_, CmdError>((listed, file))
    }
    .await;
    let _ = c.close().await;
    let (mut listed, file) = result.expect("browser steps");
    listed.sort();
    assert_eq!(listed, red_in_city, "the page lists the city's red projects");
    assert!(file.file_name().is_some_and(|n| n.to_string_lossy().starts_with("攻关课题_")), "{}", file.display());

    // The file, opened as a spreadsheet program would.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("an .xlsx workbook");
    let name = wb.sheet_names().first().cloned().expect("a sheet");
    let range = wb.worksheet_range(&name).expect("the sheet");
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().expect("a header row").iter().map(|d| d.to_string()).collect();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("no column {h}: {header:?}"));
    let (title, light) = (col("课题名称"), col("红绿灯"));
    let body: Vec<Vec<String>> = rows.map(|r| r.iter().map(|d| d.to_string()).collect()).collect();
    let mut titles: Vec<String> = body.iter().map(|r| r[title].clone()).collect();
    titles.sort();
    assert_eq!(titles, red_in_city, "the file holds exactly the city's red projects");
    assert!(body.iter().all(|r| r[light] == "红灯"), "{body:?}");
    for outside in ["染整能耗攻关", "乙省线损攻关", "刀具寿命提升", "夹具快换改进", "待批的逾期课题"]
    {
        assert!(!titles.iter().any(|t| t == outside), "{outside} is not the city's red: {titles:?}");
    }
}

/// Waits until the browser is on a page whose path and query hold `part`.
async fn arrived(c: &Client, part: &str) -> Result<(), CmdError> {
    for _ in 0..100 {
        if c.current_url().await?.as_str().contains(part) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never arrived at {part}: at {}", c.current_url().await?);
}

/// The text of an element once it holds `want` (the old page may go stale under our feet).
async fn text_holding(c: &Client, css: &str, want: &str) -> String {
    let mut seen = String::new();
    // Up to 20 s: a page following a background run refreshes every 2 s, and the run of a
    // loaded CI machine on PostgreSQL has taken longer than 5 s.
    for _ in 0..400 {
        seen = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if seen.contains(want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

/// A studio's leader, on a phone, follows the home page's due list to an agreement in force
/// whose quarterly assessment is overdue, fills the form by tapping and typing, and sees the
/// assessment listed and the next one due a quarter after today.
async fn a_leader_records_a_quarterly_assessment(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let m = lead1
        .ok_post(
            "/api/v1/mentorships",
            json!({"studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.worker_person,
                   "trade": "数控车工", "starts_on": day(-200), "teaching_plan": "每周现场带教两次。", "allowance_yuan": 6000}),
        )
        .await;
    let id = m["id"].as_i64().unwrap();
    let steps = format!("/api/v1/mentorships/{id}/steps");
    lead1.ok_post(&steps, json!({"action": "approve_pair"})).await;
    ent1.ok_post(&steps, json!({"action": "approve_agreement"})).await;
    // The first quarter was assessed on time; the second is overdue.
    let m = lead1
        .ok_post(
            &format!("/api/v1/mentorships/{id}/assessments"),
            json!({"kind": "periodic", "held_on": day(-120), "apprentice_score": 70, "mentor_score": 80}),
        )
        .await;
    let overdue = m["next_due_on"].as_str().expect("a next assessment").to_string();
    assert!(overdue < day(0), "the set-up: {m}");
    let ends_on: jiff::civil::Date = m["ends_on"].as_str().unwrap().parse().unwrap();
    let today: jiff::civil::Date = day(0).parse().unwrap();
    let next = jiangxin::domain::mentorship::next_due(today, m["assess_months"].as_i64().unwrap()).min(ends_on);

    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/", app.base)).await?;
        log_in(&c, "lead1").await?;
        let due = c.wait().for_element(Locator::Css("#mentorship-due li")).await?;
        let line = due.text().await?;
        assert!(line.contains("孙工人") && line.contains(&overdue), "{line}");
        fits_the_phone(&c, "leader's home").await?;
        due.find(Locator::Css("a")).await?.click().await?;
        arrived(&c, &format!("/mentorships/{id}")).await?;
        let facts = c.wait().for_element(Locator::Css("dl.facts")).await?.text().await?;
        assert!(facts.contains(&overdue), "the overdue day: {facts}");
        fits_the_phone(&c, "agreement page").await?;
        // A periodic assessment held today is what the form proposes.
        let kind = c.find(Locator::Css("#f-kind")).await?.prop("value").await?;
        assert_eq!(kind.as_deref(), Some("periodic"));
        c.find(Locator::Css("#f-apprentice_score")).await?.click().await?;
        c.find(Locator::Css("#f-apprentice_score")).await?.send_keys("86\u{E004}93").await?; // Tab to the mentor's
        c.find(Locator::Css("#f-note")).await?.send_keys("能独立完成外圆和螺纹加工。").await?;
        c.find(Locator::Css("#assess-form button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::Css("p.notice")).await?;
        let table = text_holding(&c, "#assessments", "86").await;
        assert!(table.contains("86") && table.contains("93") && table.contains(&day(0)), "{table}");
        assert!(table.contains("能独立完成外圆和螺纹加工。"), "{table}");
        let facts = c.find(Locator::Css("dl.facts")).await?.text().await?;
        assert!(facts.contains(&next.to_string()) && !facts.contains(&overdue), "next due {next}: {facts}");
        fits_the_phone(&c, "agreement with its assessment").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let d = lead1.ok_get(&format!("/api/v1/mentorships/{id}")).await;
    assert_eq!(d["assessments"].as_array().map(Vec::len), Some(2), "{d}");
    assert_eq!(d["mentorship"]["next_due_on"], next.to_string(), "{d}");
    assert_eq!(d["mentorship"]["state"], "in_force");
}

/// A studio's leader, on a phone, submits an expense on the studio's funding page — an amount
/// in yuan, a category, a project found by its name — and the enterprise's administrator
/// approves it from the home page's queue, confirming the step; the funding page then counts
/// it as spent and shows what remains.
async fn an_expense_is_submitted_and_approved_on_a_phone(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let year = &day(0)[..4];
    ent1.ok_put(
        &format!("/api/v1/studios/{}/budgets/{year}", w.s1),
        json!({"lines": [{"source": "enterprise", "amount_yuan": "10000"}], "categories": ["equipment", "training"]}),
    )
    .await;
    let p = project(&lead1, w.s1, "主轴温升攻关", w.leader1, &[30]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{p}/transitions"), json!({"action": "approve"})).await;

    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/studios/{}/funding", app.base, w.s1)).await?;
        log_in(&c, "lead1").await?;
        c.wait().for_element(Locator::Css("#f-amount_yuan")).await?.send_keys("1234.5").await?;
        fits_the_phone(&c, "funding page").await?;
        c.find(Locator::Css("#f-category option[value=equipment]")).await?.click().await?;
        c.find(Locator::Css("#f-purpose")).await?.send_keys("数控刀具").await?;
        pick(&c, "project_id", "主轴", "主轴温升攻关").await?;
        c.find(Locator::Css("#new-expense button[type=submit]")).await?.click().await?;
        arrived(&c, "/expenses/").await?;
        assert_eq!(text_holding(&c, "p.tags .state", "待审批").await, "待审批");
        let facts = c.find(Locator::Css("dl.facts")).await?.text().await?;
        assert!(facts.contains("¥1,234.50") && facts.contains("主轴温升攻关"), "{facts}");
        fits_the_phone(&c, "expense page").await?;

        // The enterprise's administrator goes from the home page to the queue, and approves.
        c.delete_all_cookies().await?;
        c.goto(&format!("{}/", app.base)).await?;
        log_in(&c, "ent1").await?;
        let queue = c.wait().for_element(Locator::Css("#expenses a[href='/expenses']")).await?;
        assert!(queue.text().await?.contains('1'), "one waiting");
        queue.click().await?;
        c.wait().for_element(Locator::LinkText("数控刀具")).await?;
        fits_the_phone(&c, "expense queue").await?;
        c.find(Locator::LinkText("数控刀具")).await?.click().await?;
        let ask = c.wait().for_element(Locator::Css("form input[value=approve] ~ details.confirm summary")).await?;
        assert!(!c.find(Locator::Css("#confirm-approve")).await?.is_displayed().await?, "not approved in one tap");
        ask.click().await?;
        c.find(Locator::Css("#confirm-approve")).await?.click().await?;
        assert_eq!(text_holding(&c, "p.tags .state", "已批准").await, "已批准");
        // The funding page of the year counts it.
        c.find(Locator::Css(&format!("nav.crumbs a[href^='/studios/{}/funding']", w.s1))).await?.click().await?;
        arrived(&c, "/funding?year=").await?;
        let tiles = text_holding(&c, "div.tiles", "¥8,765.50").await;
        assert!(tiles.contains("¥10,000.00") && tiles.contains("¥1,234.50") && tiles.contains("¥8,765.50"), "{tiles}");
        let rows = c.find(Locator::Css("#expenses")).await?.text().await?;
        assert!(rows.contains("数控刀具") && rows.contains("已批准"), "{rows}");
        fits_the_phone(&c, "funding page with the spending").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let v = lead1.ok_get(&format!("/api/v1/studios/{}/budgets/{year}", w.s1)).await;
    assert_eq!((v["approved_fen"].as_i64(), v["remaining_fen"].as_i64()), (Some(123_450), Some(876_550)), "{v}");
    // The one expense, approved, tied to the project picked by name.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM expenses WHERE state = 'approved'").await, 1);
    assert_eq!(app.scalar("SELECT MAX(project_id) FROM expenses").await, p);
}

/// A union officer, on a phone, records a quarter's inspection: the studio chosen by name with
/// the picker, checklist items ticked by their labels, a score, remarks and a follow-up item with
/// its due day; the inspection's page then lists the item, and the studio's leader sees it.
async fn a_union_officer_records_an_inspection_on_a_phone(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let due = day(30);
    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/inspections/new", app.base)).await?;
        log_in(&c, "union.a").await?;
        arrived(&c, "/inspections/new").await?;
        c.wait().for_element(Locator::Css("#f-studio_id")).await?;
        fits_the_phone(&c, "inspection form").await?;
        pick(&c, "studio_id", "李建国", "李建国劳模创新工作室").await?;
        // Ticked by tapping the items' labels, which sit with their boxes.
        for i in [0, 1, 5] {
            c.find(Locator::Css(&format!("label[for='f-met-{i}'], label:has(#f-met-{i})"))).await?.click().await?;
        }
        c.find(Locator::Id("f-note-5")).await?.send_keys("十月以后未签章").await?;
        c.find(Locator::Id("f-score")).await?.send_keys("86").await?;
        c.find(Locator::Id("f-remarks")).await?.send_keys("整体良好，台账需及时签章。").await?;
        c.find(Locator::Id("f-follow_ups.0.item")).await?.send_keys("补齐十月、十一月活动台账").await?;
        c.execute("document.getElementById('f-follow_ups.0.due_on').value = arguments[0]", vec![due.clone().into()])
            .await?;
        fits_the_phone(&c, "filled inspection form").await?;
        c.find(Locator::Id("record-inspection")).await?.click().await?;
        for _ in 0..100 {
            let path = c.current_url().await?.path().to_string();
            if path.starts_with("/inspections/") && path != "/inspections/new" && path != "/inspections" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let path = c.current_url().await?.path().to_string();
        if path == "/inspections" || path == "/inspections/new" {
            let problems = c
                .execute("return Array.from(document.querySelectorAll('.err, [role=alert], .alert')).map(e => e.textContent).join(' | ')", vec![])
                .await?;
            panic!("the inspection was not recorded: {problems}");
        }
        let items = text_holding(&c, "#follow-ups", "补齐十月").await;
        assert!(items.contains("补齐十月、十一月活动台账") && items.contains(&due), "{items}");
        let facts = c.find(Locator::Css("dl.facts")).await?.text().await?;
        assert!(facts.contains("86") && facts.contains("3 / 10"), "{facts}");
        fits_the_phone(&c, "inspection page").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let lead1 = app.login("lead1", PASSWORD).await;
    let list = lead1.ok_get(&format!("/api/v1/inspections?studio_id={}", w.s1)).await;
    let i = &list["items"][0];
    assert_eq!((i["score"].as_i64(), i["met"].as_i64(), i["open_follow_ups"].as_i64()), (Some(86), Some(3), Some(1)));
    let d = lead1.ok_get(&format!("/api/v1/inspections/{}", i["id"])).await;
    let ledger =
        d["inspection"]["checklist"].as_array().unwrap().iter().find(|a| a["item"] == "ledger_current").unwrap();
    assert_eq!((ledger["met"].as_bool(), ledger["note"].as_str()), (Some(true), Some("十月以后未签章")), "{d}");
}

/// An expert, on a phone, opens their queue from the home page, scores an application
/// criterion by criterion (one mark above its maximum is refused and shown again), and finds it
/// among those scored; the union then reads the sheet. Screenshots are kept with
/// `JIANGXIN_PAPER_OUT=<folder>`, as the print tests keep theirs.
async fn an_expert_scores_from_the_queue_on_a_phone(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let union = app.login("union.a", PASSWORD).await;
    let r = union
        .ok_post(
            "/api/v1/rounds",
            json!({"unit_id": w.province_a, "title": "2026年度省级劳模创新工作室申报", "deadline": day(10),
                   "criteria": [{"name": "创新成果", "max_points": 40}, {"name": "团队建设", "max_points": 60}],
                   "min_reviewers": 1, "reviewers": [w.account("reviewer.a")]}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let lead1 = app.login("lead1", PASSWORD).await;
    let a = lead1.ok_post(&format!("/api/v1/rounds/{r}/applications"), json!({"studio_id": w.s1})).await["id"]
        .as_i64()
        .unwrap();
    app.login("city.a", PASSWORD)
        .await
        .ok_post(&format!("/api/v1/applications/{a}/recommendation"), json!({"recommend": true}))
        .await;
    let out = std::env::var("JIANGXIN_PAPER_OUT").ok().map(std::path::PathBuf::from);
    let tag = format!("{b:?}").to_lowercase();
    let shot = |c: &Client, name: &'static str| {
        let (c, out, tag) = (c.clone(), out.clone(), tag.clone());
        async move {
            if let Some(out) = out {
                std::fs::create_dir_all(&out).expect("screenshot folder");
                std::fs::write(out.join(format!("{tag}-{name}-360.png")), c.screenshot().await?).expect("write");
            }
            Ok::<_, CmdError>(())
        }
    };
    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/", app.base)).await?;
        log_in(&c, "reviewer.a").await?;
        let item = c.wait().for_element(Locator::Css("#reviews li")).await?;
        let line = item.text().await?;
        assert!(
            line.contains("李建国劳模创新工作室") && line.contains(&day(10)),
            "the queue with the deadline: {line}"
        );
        fits_the_phone(&c, "reviewer's home").await?;
        shot(&c, "reviewer-home").await?;
        item.find(Locator::Css("a")).await?.click().await?;
        arrived(&c, &format!("/applications/{a}/score")).await?;
        c.wait().for_element(Locator::Css("#sc-0")).await?;
        fits_the_phone(&c, "scoring page").await?;
        // Above the maximum: refused, shown again with the message on the field.
        c.find(Locator::Css("#sc-0")).await?.send_keys("45").await?;
        c.find(Locator::Css("#sc-1")).await?.send_keys("52").await?;
        c.execute("document.getElementById('score-form').noValidate = true", vec![]).await?;
        c.find(Locator::Css("#submit-scores")).await?.click().await?;
        let err = text_holding(&c, "#e-sc-0", "40").await;
        assert!(err.contains('0') && err.contains("40"), "the maximum named: {err}");
        c.find(Locator::Css("#sc-0")).await?.clear().await?;
        c.find(Locator::Css("#sc-0")).await?.send_keys("35").await?;
        c.find(Locator::Css("#cm-0")).await?.send_keys("成果转化效益明显").await?;
        shot(&c, "scoring").await?;
        c.find(Locator::Css("#submit-scores")).await?.click().await?;
        arrived(&c, "done=scored").await?;
        let done = text_holding(&c, "#reviews", "87").await;
        assert!(done.contains("李建国劳模创新工作室") && done.contains("87"), "among those scored: {done}");
        fits_the_phone(&c, "reviewer's home after scoring").await?;
        shot(&c, "reviewer-done").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let v = union.ok_get(&format!("/api/v1/applications/{a}")).await;
    assert_eq!(v["sheets"][0]["total"], 87, "{v}");
    assert_eq!(v["sheets"][0]["marks"][0]["comment"], "成果转化效益明显");
}

/// A city union officer, on a phone, goes from the home page to the studios at risk, has the
/// list recomputed on the current records (the page follows the run and shows the list), and
/// opens the studio's evaluations from the list, where it is short on apprentices.
async fn an_officer_recomputes_the_studios_at_risk_on_a_phone(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    app.admin()
        .await
        .ok_post(
            &format!("/api/v1/studios/{}/namings", w.s1),
            json!({"naming_unit_id": w.city_a, "named_on": "2020-06-01"}),
        )
        .await;
    let (c, _driver, _profile) = phone().await;
    let result = async {
        c.goto(&format!("{}/", app.base)).await?;
        log_in(&c, "city.a").await?;
        c.wait()
            .for_element(Locator::Css(&format!("#evaluation a[href='/units/{}/at-risk']", w.city_a)))
            .await?
            .click()
            .await?;
        arrived(&c, &format!("/units/{}/at-risk", w.city_a)).await?;
        let before = c.find(Locator::Css("main")).await?.text().await?;
        assert!(!before.contains("李建国劳模创新工作室"), "nothing forecast yet: {before}");
        c.find(Locator::Css(&format!("form[action='/units/{}/at-risk'] button", w.city_a))).await?.click().await?;
        arrived(&c, "done=forecast_started").await?;
        let table = text_holding(&c, "table.rows", "李建国劳模创新工作室").await;
        assert!(table.contains("协议带徒"), "short on apprentices: {table}");
        // The count above the list is read in the same state as the list (one snapshot).
        let summary = c.find(Locator::Css("section.card")).await?.text().await?;
        assert!(summary.contains("1 家"), "the count above the list: {summary}");
        fits_the_phone(&c, "studios at risk").await?;
        c.find(Locator::LinkText("李建国劳模创新工作室")).await?.click().await?;
        arrived(&c, &format!("/studios/{}/evaluations", w.s1)).await?;
        fits_the_phone(&c, "a studio's evaluations").await?;
        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    let forecasts = app.scalar("SELECT COUNT(*) FROM evaluation_forecasts").await;
    assert_eq!(forecasts, 1, "the one named studio of the city, forecast once");
}

both!(
    an_officer_recomputes_the_studios_at_risk_on_a_phone,
    a_union_officer_records_an_inspection_on_a_phone,
    a_leader_records_a_quarterly_assessment,
    an_expense_is_submitted_and_approved_on_a_phone,
    an_officer_exports_the_red_lights_and_opens_the_file,
    officers_work_with_pickers_on_a_phone,
    find_a_studio_and_add_a_member,
    record_an_activity_and_sign_it_twice,
    submit_a_suggestion_and_follow_it_to_adoption,
    an_expert_scores_from_the_queue_on_a_phone,
);
