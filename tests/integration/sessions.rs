//! Logging in and out, API tokens, slowed-down repeated failures, CSRF and cross-site
//! protection of the pages.

use crate::both;
use crate::common::{ADMIN_PASSWORD, Api, Backend, PASSWORD, TestApp, world};
use serde_json::json;

async fn sessions_and_tokens(b: Backend) {
    let app = TestApp::start(b).await;
    world(&app).await;
    let api = app.login("lead1", PASSWORD).await;
    let me = api.ok_get("/api/v1/session").await;
    assert_eq!(me["username"], "lead1");
    // An API token works without a cookie, and stops working when revoked.
    let t = api.ok_post("/api/v1/tokens", json!({"name": "OA 接口"})).await;
    let secret = t["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("jx_"));
    let by_token = api.with_token(&secret);
    assert_eq!(by_token.ok_get("/api/v1/session").await["username"], "lead1");
    let list = api.ok_get("/api/v1/tokens").await;
    assert!(list[0].get("secret").is_none(), "the secret is never listed");
    let (s, _) = api.delete(&format!("/api/v1/tokens/{}", t["id"])).await;
    assert_eq!(s, 200);
    let (s, v) = by_token.get("/api/v1/session").await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (401, Some("unauthenticated")));
    // Someone else's token cannot be revoked (it does not exist for them).
    let t2 = api.ok_post("/api/v1/tokens", json!({"name": "another"})).await;
    let other = app.login("mem1", PASSWORD).await;
    assert_eq!(other.delete(&format!("/api/v1/tokens/{}", t2["id"])).await.0, 404);
    // Logging out ends the session.
    let (s, _) = api.delete("/api/v1/session").await;
    assert_eq!(s, 204);
    assert_eq!(api.get("/api/v1/session").await.0, 401);
    // A password change ends every session of the account.
    let a = app.login("mem1", PASSWORD).await;
    let b2 = app.login("mem1", PASSWORD).await;
    let id = a.ok_get("/api/v1/session").await["id"].as_i64().unwrap();
    let (s, v) = a
        .put(
            &format!("/api/v1/accounts/{id}/password"),
            json!({"current_password": "wrong one!", "password": "new-password-2"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, _) = a
        .put(
            &format!("/api/v1/accounts/{id}/password"),
            json!({"current_password": PASSWORD, "password": "new-password-2"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(b2.get("/api/v1/session").await.0, 401);
    app.login("mem1", "new-password-2").await;
    // A disabled account cannot log in.
    let admin = app.admin().await;
    admin.ok_get("/api/v1/session").await;
    let (s, _) = admin.put(&format!("/api/v1/accounts/{id}/active"), json!({"active": false})).await;
    assert_eq!(s, 200);
    let (s, _) =
        Api::new(&app.base).post("/api/v1/session", json!({"username": "mem1", "password": "new-password-2"})).await;
    assert_eq!(s, 401);
}

async fn repeated_failures_are_slowed_down(b: Backend) {
    let app = TestApp::start(b).await;
    let api = app.anonymous();
    let login = |user: &str, password: &str| json!({"username": user, "password": password});
    for _ in 0..5 {
        let (s, v) = api.post("/api/v1/session", login("admin", "wrong password")).await;
        assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (401, Some("invalid_credentials")));
    }
    // Now even the right password waits — for one drip, not a quarter of an hour.
    let resp = api
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&login("admin", ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("秒"));
    app.state.clock.advance(std::time::Duration::from_secs(wait));
    let (s, v) = api.post("/api/v1/session", login("admin", ADMIN_PASSWORD)).await;
    assert_eq!(s, 200, "{v}");
    // Unknown names are answered the same way as wrong passwords.
    let (s, v) = api.post("/api/v1/session", login("nobody", "whatever")).await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (401, Some("invalid_credentials")));
    let (s, v) = api.post("/api/v1/session", login("", "")).await;
    assert_eq!(s, 422);
    assert!(v["error"]["fields"]["username"].is_string());

    // A hundred guesses at once: five are checked, the rest wait. The count comes before the
    // password check, so parallel requests cannot slip past it.
    app.state.clock.advance(std::time::Duration::from_secs(600));
    let mut tasks = Vec::new();
    for i in 0..100 {
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move {
            Api::new(&base)
                .post("/api/v1/session", json!({"username": "admin", "password": format!("guess {i}")}))
                .await
                .0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 95, "{statuses:?}");
    // The owner of the account is back in after one drip.
    app.state.clock.advance(std::time::Duration::from_secs(60));
    let (s, _) = api.post("/api/v1/session", login("admin", ADMIN_PASSWORD)).await;
    assert_eq!(s, 200);

    // Per address: another account's success gives back its own attempt, not the address's.
    app.state.clock.advance(std::time::Duration::from_secs(600));
    for i in 0..29 {
        let (s, _) = api.post("/api/v1/session", login(&format!("name{i}"), "x")).await;
        assert_eq!(s, 401);
    }
    let (s, _) = api.post("/api/v1/session", login("admin", ADMIN_PASSWORD)).await;
    assert_eq!(s, 200);
    assert_eq!(api.post("/api/v1/session", login("name29", "x")).await.0, 401);
    assert_eq!(api.post("/api/v1/session", login("name30", "x")).await.0, 429);

    // A name longer than any account's is not stored.
    app.state.clock.advance(std::time::Duration::from_secs(600));
    let (s, _) = api.post("/api/v1/session", login(&"x".repeat(500_000), "x")).await;
    assert_eq!(s, 401);
    let longest = app
        .db
        .read(|c| c.scalar("SELECT COALESCE(MAX(LENGTH(attempt_key)), 0) FROM login_attempts", &[]))
        .await
        .unwrap();
    assert!(longest < 100, "{longest}");

    // Guessing the current password of a password change is slowed down too.
    let admin = app.login("admin", ADMIN_PASSWORD).await;
    let id = admin.ok_get("/api/v1/session").await["id"].as_i64().unwrap();
    for _ in 0..5 {
        let (s, _) = admin
            .put(
                &format!("/api/v1/accounts/{id}/password"),
                json!({"current_password": "not it at all", "password": "new-password-9"}),
            )
            .await;
        assert_eq!(s, 422);
    }
    let (s, v) = admin
        .put(
            &format!("/api/v1/accounts/{id}/password"),
            json!({"current_password": ADMIN_PASSWORD, "password": "new-password-9"}),
        )
        .await;
    assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (429, Some("too_many_requests")));
}

async fn pages_need_a_session_and_csrf(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let anon = app.anonymous();
    // A page without a session sends to the login page.
    let resp = anon.client.get(format!("{}/studios", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/login?next=/studios");
    // The login form carries a CSRF token tied to a cookie.
    let page = anon.client.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&page);
    let resp = anon
        .client
        .post(format!("{}/login", app.base))
        .form(&[("username", "lead1"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "no CSRF token, no login");
    // A wrong password shows the form again with the reason.
    let resp = anon
        .client
        .post(format!("{}/login", app.base))
        .form(&[("_csrf", token.as_str()), ("username", "lead1"), ("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("用户名或密码不正确") && html.contains("name=\"username\""), "{html}");
    let resp = anon
        .client
        .post(format!("{}/login", app.base))
        .form(&[("_csrf", token.as_str()), ("username", "lead1"), ("password", PASSWORD), ("next", "/studios")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/studios");
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("jx_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let html = anon.client.get(format!("{}/studios/{}", app.base, w.s1)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("李建国劳模创新工作室") && html.contains("“八有”标准"));
    // Forms without the session's token are refused, and so is a write from another site.
    let resp = anon
        .client
        .post(format!("{}/studios/{}/edit", app.base, w.s1))
        .form(&[("name", "改名"), ("kind", "worker"), ("field", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let session_csrf = csrf_of(&html);
    let resp = anon
        .client
        .post(format!("{}/studios/{}/edit", app.base, w.s1))
        .header("origin", "http://evil.example")
        .form(&[("_csrf", session_csrf.as_str()), ("name", "改名"), ("kind", "worker"), ("field", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // With the token the form saves, and a bad field comes back with its message.
    let resp = anon
        .client
        .post(format!("{}/studios/{}/edit", app.base, w.s1))
        .form(&[("_csrf", session_csrf.as_str()), ("name", ""), ("kind", "worker"), ("field", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("必填。"));
    let resp = anon
        .client
        .post(format!("{}/studios/{}/edit", app.base, w.s1))
        .form(&[
            ("_csrf", session_csrf.as_str()),
            ("name", "李建国劳模创新工作室"),
            ("kind", "model_worker"),
            ("field", "数控技术"),
            ("room", "新楼101"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    // The language switch.
    let resp = anon.client.get(format!("{}/lang?set=en&next=/studios", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let html = anon.client.get(format!("{}/studios", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Studio directory") && html.contains("lang=\"en\""));
    // Only paths of this site are followed: browsers drop the tab and read `//evil.example`.
    for next in ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example"] {
        let resp = anon.client.get(format!("{}/lang?set=zh-CN&next={next}", app.base)).send().await.unwrap();
        assert_eq!(resp.headers()["location"], "/", "{next}");
        let html =
            anon.client.get(format!("{}/login?next={next}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("evil.example"), "{next}");
    }
    // Every page of the world renders for its users.
    for path in [
        "/".to_string(),
        "/units".into(),
        format!("/units/{}", w.e1),
        "/studios".into(),
        format!("/studios/{}", w.s1),
        format!("/studios/{}/team", w.s1),
        format!("/studios/{}/team?q=%E5%88%98", w.s1),
        format!("/studios/{}/edit", w.s1),
        "/me".into(),
    ] {
        let resp = anon.client.get(format!("{}{}", app.base, path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let admin_pages = Api::new(&app.base);
    let _ = admin_pages;
}

async fn passwords_tokens_and_headers_are_hardened(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    // The password policy: not the login name (nor it with digits added), not a common one.
    for (password, why) in
        [("zhao.liu", "用户名"), ("zhao.liu2024", "用户名"), ("12345678", "太常见"), ("Password1", "太常见")]
    {
        let (s, v) = admin
            .post(
                "/api/v1/accounts",
                json!({"username": "zhao.liu", "password": password, "home_unit_id": w.e1, "display_name": "赵六"}),
            )
            .await;
        assert_eq!(s, 422, "{password}: {v}");
        assert!(v["error"]["fields"]["password"].as_str().unwrap().contains(why), "{password}: {v}");
    }
    let mem1_id = w.account("mem1");
    let mem1 = app.login("mem1", PASSWORD).await;
    let (s, v) = mem1
        .put(
            &format!("/api/v1/accounts/{mem1_id}/password"),
            json!({"current_password": PASSWORD, "password": "woaini1314"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");

    // A token may expire: it works through its last day, then no more.
    let today = jiangxin::clock::today();
    let (s, v) = mem1
        .post("/api/v1/tokens", json!({"name": "过期的", "expires_on": today.yesterday().unwrap().to_string()}))
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["expires_on"].is_string(), "{v}");
    let t = mem1
        .ok_post("/api/v1/tokens", json!({"name": "短期", "expires_on": today.tomorrow().unwrap().to_string()}))
        .await;
    assert!(t["expires_at"].as_i64().is_some(), "{t}");
    let short = mem1.with_token(t["secret"].as_str().unwrap());
    assert_eq!(short.get("/api/v1/session").await.0, 200);
    app.state.clock.advance(std::time::Duration::from_secs(3 * 24 * 3600));
    assert_eq!(short.get("/api/v1/session").await.0, 401, "expired");

    // A password reset revokes the account's tokens (sessions, too, have expired meanwhile).
    let admin = app.admin().await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let t = mem1.ok_post("/api/v1/tokens", json!({"name": "OA"})).await;
    let oa = mem1.with_token(t["secret"].as_str().unwrap());
    assert_eq!(oa.get("/api/v1/session").await.0, 200);
    let (s, _) =
        admin.put(&format!("/api/v1/accounts/{mem1_id}/password"), json!({"password": "a-fresh-start-7"})).await;
    assert_eq!(s, 204);
    assert_eq!(oa.get("/api/v1/session").await.0, 401, "revoked by the reset");

    // Disabling revokes them too, and enabling again does not bring them back.
    let mem1 = app.login("mem1", "a-fresh-start-7").await;
    let t = mem1.ok_post("/api/v1/tokens", json!({"name": "OA 2"})).await;
    let oa = mem1.with_token(t["secret"].as_str().unwrap());
    for active in [false, true] {
        let (s, _) = admin.put(&format!("/api/v1/accounts/{mem1_id}/active"), json!({"active": active})).await;
        assert_eq!(s, 200);
    }
    assert_eq!(oa.get("/api/v1/session").await.0, 401, "not brought back by enabling");
    app.login("mem1", "a-fresh-start-7").await;

    // Nothing of a signed-in person is kept by browsers or proxies; static assets are.
    let page = crate::sessions::page_client(&app, "admin", ADMIN_PASSWORD).await;
    for path in ["/", "/me", "/api/v1/session"] {
        let resp = page.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
        assert!(resp.headers().get("strict-transport-security").is_none());
    }
    let resp = page.get(format!("{}/static/app.css", app.base)).send().await.unwrap();
    assert_ne!(resp.headers()["cache-control"], "no-store");
    // HSTS when the deployment says it is HTTPS only.
    let https = TestApp::start_with(b, |c| c.hsts = true).await;
    let resp = https.anonymous().client.get(format!("{}/login", https.base)).send().await.unwrap();
    assert!(resp.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
}

async fn breadcrumbs_link_only_what_the_reader_may_open(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let city = page_client(&app, "city.a", PASSWORD).await;
    let html = city.get(format!("{}/units/{}", app.base, w.e1)).send().await.unwrap().text().await.unwrap();
    // The province and the root are named, not linked; the city is both.
    assert!(html.contains("甲省总工会") && !html.contains(&format!("href=\"/units/{}\"", w.province_a)), "{html}");
    assert!(html.contains(&format!("href=\"/units/{}\"", w.city_a)), "{html}");
    for link in html.split("href=\"/units/").skip(1) {
        let id = link.split(['"', '?']).next().unwrap();
        let resp = city.get(format!("{}/units/{id}", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "a link on the page to /units/{id}");
    }
}

both!(
    breadcrumbs_link_only_what_the_reader_may_open,
    sessions_and_tokens,
    repeated_failures_are_slowed_down,
    pages_need_a_session_and_csrf,
    passwords_tokens_and_headers_are_hardened
);

/// The CSRF token of a page's forms.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .expect("a form with a CSRF token")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Logs a browser-like client in through the login form.
pub async fn page_client(app: &TestApp, user: &str, password: &str) -> reqwest::Client {
    let anon = app.anonymous();
    let page = anon.client.get(format!("{}/login", app.base)).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&page);
    let resp = anon
        .client
        .post(format!("{}/login", app.base))
        .form(&[("_csrf", token.as_str()), ("username", user), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    anon.client
}

async fn every_page_renders(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let account = w.account("mem1");
    crate::common::upload(&app, "admin", w.s1, "plaque", "p.png", crate::common::tiny_png(), true).await;
    let evidence = admin.ok_get(&format!("/api/v1/studios/{}/evidence", w.s1)).await[0]["id"].as_i64().unwrap();
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let proposed =
        crate::common::project(&lead1, w.s1, "焊缝返修率攻关", w.leader1, &[-3, 20]).await["id"].as_i64().unwrap();
    let running =
        crate::common::project(&lead1, w.s1, "刀具寿命提升", w.leader1, &[-3, 20]).await["id"].as_i64().unwrap();
    ent1.ok_post(&format!("/api/v1/projects/{running}/transitions"), json!({"action": "approve"})).await;
    lead1.ok_post(&format!("/api/v1/projects/{running}/transitions"), json!({"action": "start"})).await;
    let record = crate::common::activity(&lead1, w.s1, w.leader1, "焊接培训").await["id"].as_i64().unwrap();
    let sealed = crate::common::activity(&lead1, w.s1, w.leader1, "月度例会").await["id"].as_i64().unwrap();
    for _ in 0..2 {
        lead1.ok_post(&format!("/api/v1/activities/{sealed}/signatures"), json!({})).await;
    }
    let year = jiangxin::clock::today().year();
    let client = page_client(&app, "admin", ADMIN_PASSWORD).await;
    let pages = [
        "/".to_string(),
        "/units".into(),
        "/units?q=%E6%9C%BA%E6%A2%B0".into(),
        format!("/units/{}", w.e1),
        "/studios".into(),
        "/studios?level=none&state=draft&kind=model_worker&field=%E6%95%B0%E6%8E%A7%E6%8A%80%E6%9C%AF".into(),
        format!("/studios?unit_id={}", w.province_a),
        format!("/studios/new?unit_id={}", w.w1),
        format!("/studios/new?unit_id={}&leader_q=%E5%88%98", w.w1),
        format!("/studios/{}", w.s1),
        format!("/studios/{}/edit", w.s1),
        format!("/studios/{}/team", w.s1),
        format!("/files/{evidence}"),
        "/people".into(),
        format!("/people?unit_id={}&q=%E7%8E%8B", w.e1),
        format!("/people/new?unit_id={}", w.e1),
        format!("/people/{}", w.leader1),
        format!("/people/{}/edit", w.leader1),
        "/accounts".into(),
        format!("/accounts/new?person_id={}", w.p4),
        format!("/accounts/{account}"),
        format!("/history/studio/{}", w.s1),
        format!("/history/account/{account}"),
        "/me".into(),
        "/projects".into(),
        format!("/projects?light=red&sort=due&unit_id={}", w.province_a),
        format!("/projects?state=proposed&category=%E6%8A%80%E6%9C%AF%E6%94%BB%E5%85%B3&studio_id={}", w.s1),
        format!("/projects/new?studio_id={}", w.s1),
        format!("/projects/{proposed}"),
        format!("/projects/{running}"),
        format!("/projects/{running}/edit"),
        format!("/projects/{running}/edit?_find=%E7%8E%8B"),
        format!("/history/project/{running}"),
        format!("/studios/{}/plans/{year}", w.s1),
        format!("/studios/{}/ledger", w.s1),
        format!("/studios/{}/ledger/verification", w.s1),
        format!("/studios/{}/activities/new", w.s1),
        format!("/studios/{}/activities/new?corrects={sealed}", w.s1),
        format!("/activities/{record}"),
        format!("/activities/{record}/edit"),
        format!("/activities/{sealed}"),
        "/notifications".into(),
    ];
    for lang in ["zh-CN", "en"] {
        for path in &pages {
            let resp =
                client.get(format!("{}{}", app.base, path)).header("accept-language", lang).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{path} in {lang}");
            if !path.starts_with("/files/") {
                let html = resp.text().await.unwrap();
                assert!(html.contains(&format!("lang=\"{lang}\"")), "{path}");
                for key in [
                    "studio_state.",
                    "validation.",
                    "project_state.",
                    "activity_kind.",
                    "ledger.",
                    "plan.",
                    "notification.",
                ] {
                    assert!(!html.contains(key), "an untranslated key {key}… on {path}");
                }
            }
        }
    }
    // Pages out of scope are not found, for people as for programs.
    let ent2 = page_client(&app, "ent2", PASSWORD).await;
    for path in [
        format!("/studios/{}", w.s1),
        format!("/units/{}", w.e1),
        format!("/people/{}", w.p2),
        format!("/projects/{running}"),
        format!("/projects/new?studio_id={}", w.s1),
        format!("/studios/{}/plans/{year}", w.s1),
        format!("/studios/{}/ledger", w.s1),
        format!("/studios/{}/ledger/verification", w.s1),
        format!("/activities/{record}"),
        "/nowhere".into(),
    ] {
        let resp = ent2.get(format!("{}{}", app.base, path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        assert!(resp.text().await.unwrap().contains("找不到"));
    }
    // A person's own page.
    let mem = page_client(&app, "mem1", PASSWORD).await;
    let resp = mem.get(format!("{}/people/{}", app.base, w.p2)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // A member reads the ledger but does not inspect it, nor edit what the leader recorded.
    let resp = mem.get(format!("{}/studios/{}/ledger", app.base, w.s1)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = mem.get(format!("{}/studios/{}/ledger/verification", app.base, w.s1)).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let resp = mem.get(format!("{}/activities/{record}/edit", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 403);
}

both!(every_page_renders);
