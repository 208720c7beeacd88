//! The end-to-end test in headless Chromium (Debian's chromium and chromium-driver), on a
//! 360-pixel-wide window: log in, find a studio by a fragment of its Chinese name, add a
//! member, see them listed.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, world};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

async fn start_driver() -> (Driver, String) {
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

async fn find_a_studio_and_add_a_member(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let (_driver, url) = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
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
    let result = async {
        c.goto(&format!("{}/studios", app.base)).await?;
        // Sent to the login page, in Chinese.
        assert!(c.current_url().await?.as_str().contains("/login"));
        let src = c.source().await?;
        assert!(src.contains("登录"), "{src}");
        c.find(Locator::Css("#f-username")).await?.send_keys("ent1").await?;
        c.find(Locator::Css("#f-password")).await?.send_keys(PASSWORD).await?;
        c.find(Locator::Css("form button[type=submit].primary"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("#f-q")).await?;
        // Find the studio by a fragment of its name.
        c.find(Locator::Css("#f-q")).await?.send_keys("建国劳模").await?;
        c.find(Locator::Css("form.filters button[type=submit]"))
            .await?
            .click()
            .await?;
        // The unfiltered list showed the studio too: wait for the search's own page.
        for _ in 0..100 {
            if c.current_url().await?.as_str().contains("q=") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let rows = c.find_all(Locator::Css("table.rows tbody tr")).await?;
        assert_eq!(rows.len(), 1, "only the studio whose name holds the fragment");
        c.wait()
            .for_element(Locator::LinkText("李建国劳模创新工作室"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("#checklist")).await?;
        // The page fits a 360-pixel screen.
        let viewport = c.execute("return window.innerWidth", vec![]).await?;
        assert_eq!(viewport.as_i64(), Some(360), "the phone's viewport");
        let width = c.execute("return document.documentElement.scrollWidth", vec![]).await?;
        let wide = c
            .execute(
                "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 30)).join(' | ')",
                vec![],
            )
            .await?;
        assert!(
            width.as_i64().unwrap_or(9999) <= 360,
            "the studio page is wider than the phone: {width}: {wide}"
        );
        c.find(Locator::Css(&format!("a[href='/studios/{}/team']", w.s1)))
            .await?
            .click()
            .await?;
        // Search for a colleague, pick them, add them.
        c.wait()
            .for_element(Locator::Css("#cq"))
            .await?
            .send_keys("刘一")
            .await?;
        c.find(Locator::Css("#add form.search button")).await?.click().await?;
        c.wait()
            .for_element(Locator::Css(&format!("input[name=person_id][value='{}']", w.p4)))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("#f-duty")).await?.send_keys("工艺改进").await?;
        c.find(Locator::Css("#add form.grid button[type=submit]"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("p.notice")).await?;
        let members = c.find(Locator::Css("#members")).await?.text().await?;
        assert!(members.contains("刘一手"), "the new member is listed: {members}");
        assert!(members.contains("工艺改进"));
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");
    // The browser's change is the platform's: one more member, audited.
    let admin = app.admin().await;
    let s = admin.ok_get(&format!("/api/v1/studios/{}", w.s1)).await;
    assert_eq!(s["member_count"], 4);
}

both!(find_a_studio_and_add_a_member);
