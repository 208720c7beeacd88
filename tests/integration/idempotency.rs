//! `Idempotency-Key` on the API's POSTs: a retry gets the first answer and writes nothing, the
//! same key with another request is refused, concurrent retries write once, keys belong to
//! their caller and are forgotten after a day.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, world};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// What a POST with a key answered: status, whether it was a repeat, the body as sent.
struct Answer {
    status: StatusCode,
    replayed: bool,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn post_with_key(api: &Api, path: &str, key: &str, body: &Value) -> Answer {
    let mut req = api.client.post(format!("{}{path}", api.base)).header("idempotency-key", key).json(body);
    if let Some(l) = api.lang {
        req = req.header("accept-language", l);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let replayed = resp.headers().get("idempotent-replayed").is_some_and(|v| v == "true");
    Answer { status, replayed, body: resp.text().await.unwrap_or_default() }
}

fn suggestion(title: &str) -> Value {
    json!({"title": title, "category": "rationalization", "situation": "冲压线上料靠人工搬运，劳动强度大。",
           "measure": "加装自动上料装置。", "expected_benefit_yuan": 80000})
}

fn studio(unit: i64, leader: i64, name: &str) -> Value {
    json!({"unit_id": unit, "leader_person_id": leader, "name": name, "kind": "craftsman", "field": "焊接",
           "founded_on": "2021-05-01"})
}

async fn a_retried_post_gets_the_first_answer(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let admin = app.admin().await;
    let key = "4f0c8a56-2d5e-4f7b-9a41-0c1d2e3f4a5b";

    // A suggestion submitted from a phone on a bad line: sent twice, made once.
    let body = suggestion("冲压线增加自动上料装置");
    let first = post_with_key(&worker1, "/api/v1/suggestions", key, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(!first.replayed);
    let before = app.fingerprint().await;
    let again = post_with_key(&worker1, "/api/v1/suggestions", key, &body).await;
    assert_eq!((again.status, again.replayed), (StatusCode::CREATED, true));
    assert_eq!(again.body, first.body, "the first answer, as it was");
    assert_eq!(app.fingerprint().await, before, "a retry writes nothing");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM suggestions").await, 1);

    // The same key with another request: refused with a clear message, nothing written.
    let other = post_with_key(&worker1, "/api/v1/suggestions", key, &suggestion("另一条建议")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
    assert_eq!(other.json()["error"]["code"], "idempotency_key_reused", "{}", other.body);
    assert!(other.json()["error"]["message"].as_str().unwrap().contains("Idempotency-Key"), "{}", other.body);
    let elsewhere = post_with_key(&worker1, "/api/v1/challenges", key, &body).await;
    assert_eq!(elsewhere.json()["error"]["code"], "idempotency_key_reused", "another path: {}", elsewhere.body);
    assert_eq!(app.fingerprint().await, before);

    // Another caller's key is theirs: the same key creates a studio, once.
    let s = studio(w.e1, w.p4, "刘一手焊接工匠创新工作室");
    let created = post_with_key(&admin, "/api/v1/studios", key, &s).await;
    assert_eq!((created.status, created.replayed), (StatusCode::CREATED, false), "{}", created.body);
    let studios = app.scalar("SELECT COUNT(*) FROM studios").await;
    let retried = post_with_key(&admin, "/api/v1/studios", key, &s).await;
    assert_eq!((retried.status, retried.replayed, &retried.body), (StatusCode::CREATED, true, &created.body));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studios").await, studios);

    // A refusal is an answer too: repeated as it was, and the key stays bound to that request.
    let bad = json!({"unit_id": w.e1, "name": ""});
    let refused = post_with_key(&admin, "/api/v1/studios", "bad-studio-1", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused_again = post_with_key(&admin, "/api/v1/studios", "bad-studio-1", &bad).await;
    assert_eq!((refused_again.status, refused_again.replayed), (StatusCode::UNPROCESSABLE_ENTITY, true));
    assert_eq!(refused_again.body, refused.body);

    // A malformed key is a message on the header.
    let malformed = post_with_key(&admin, "/api/v1/studios", "two words", &s).await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(malformed.json()["error"]["fields"]["Idempotency-Key"].is_string(), "{}", malformed.body);

    // Without a key nothing changes: two requests, two suggestions.
    worker1.ok_post("/api/v1/suggestions", suggestion("夜班热餐")).await;
    worker1.ok_post("/api/v1/suggestions", suggestion("夜班热餐")).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM suggestions").await, 3);

    // In English too.
    let en = admin.clone().english();
    let other = post_with_key(&en, "/api/v1/studios", key, &studio(w.e1, w.p4, "Other")).await;
    assert!(other.json()["error"]["message"].as_str().unwrap().contains("already used"), "{}", other.body);
}

async fn concurrent_retries_write_once(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let studios = app.scalar("SELECT COUNT(*) FROM studios").await;
    let body = studio(w.e1, w.p4, "刘一手焊接工匠创新工作室");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (admin, body) = (admin.clone(), body.clone());
        tasks.push(tokio::spawn(async move { post_with_key(&admin, "/api/v1/studios", "same-key", &body).await }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let a = t.await.expect("task");
        match a.status {
            StatusCode::CREATED => created.push(a.body),
            StatusCode::CONFLICT => assert_eq!(a.json()["error"]["code"], "idempotency_in_progress", "{}", a.body),
            s => panic!("unexpected {s}: {}", a.body),
        }
    }
    assert!(!created.is_empty());
    assert!(created.iter().all(|b| *b == created[0]), "every success is the one first answer");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studios").await, studios + 1, "one write");

    // A retry while the first request still runs (its claim planted here) answers 409.
    let bytes = serde_json::to_vec(&body).unwrap();
    let fp = jiangxin::app::idempotency::fingerprint("POST", "/api/v1/studios", &bytes);
    let now = app.state.now_ms();
    app.db
        .write(move |c| {
            c.execute(
                "INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, created_at) VALUES (1, 'running', ?, ?)",
                jiangxin::params![fp.as_str(), now],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let busy = post_with_key(&admin, "/api/v1/studios", "running", &body).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.body);
    assert_eq!(busy.json()["error"]["code"], "idempotency_in_progress");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM studios").await, studios + 1);
    // The same key with another request is refused even while the first runs.
    let other = post_with_key(&admin, "/api/v1/studios", "running", &studio(w.e1, w.p4, "另一个")).await;
    assert_eq!(other.json()["error"]["code"], "idempotency_key_reused", "{}", other.body);
    // A claim left running by a process that died is taken over after ten minutes.
    app.state.clock.advance(std::time::Duration::from_secs(11 * 60));
    let taken = post_with_key(&admin, "/api/v1/studios", "running", &body).await;
    assert_eq!((taken.status, taken.replayed), (StatusCode::CREATED, false), "{}", taken.body);
}

async fn keys_are_forgotten_after_a_day(b: Backend) {
    let app = TestApp::start(b).await;
    world(&app).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let first = post_with_key(&worker1, "/api/v1/suggestions", "k-1", &suggestion("冲压线自动上料")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let rows = || app.scalar("SELECT COUNT(*) FROM idempotency_keys");
    assert_eq!(rows().await, 1);

    // Within the day the sweep keeps it.
    app.state.clock.advance(std::time::Duration::from_secs(23 * 3600));
    assert_eq!(jiangxin::app::idempotency::forget_expired(&app.state).await.unwrap(), 0);
    assert_eq!(rows().await, 1);

    // After it, the sweep forgets it and the key may name a new request.
    app.state.clock.advance(std::time::Duration::from_secs(2 * 3600));
    assert_eq!(jiangxin::app::idempotency::forget_expired(&app.state).await.unwrap(), 1);
    assert_eq!(rows().await, 0);
    let worker1 = app.login("worker1", PASSWORD).await;
    let later = post_with_key(&worker1, "/api/v1/suggestions", "k-1", &suggestion("夜班热餐")).await;
    assert_eq!((later.status, later.replayed), (StatusCode::CREATED, false), "{}", later.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM suggestions").await, 2);

    // An expired key not yet swept counts as forgotten too.
    app.state.clock.advance(std::time::Duration::from_secs(25 * 3600));
    let worker1 = app.login("worker1", PASSWORD).await;
    let again = post_with_key(&worker1, "/api/v1/suggestions", "k-1", &suggestion("第三条")).await;
    assert_eq!((again.status, again.replayed), (StatusCode::CREATED, false), "{}", again.body);

    // Many keys are forgotten in slices.
    let now = app.state.now_ms();
    app.db
        .write(move |c| {
            for i in 0..450 {
                c.execute(
                    "INSERT INTO idempotency_keys (account_id, idem_key, fingerprint, created_at, status) VALUES (1, ?, 'x', ?, 201)",
                    jiangxin::params![format!("old-{i}"), now - 2 * jiangxin::app::idempotency::KEEP_MS],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(jiangxin::app::idempotency::forget_expired(&app.state).await.unwrap(), 450);
    assert_eq!(rows().await, 1, "the fresh key stays");
}

both!(a_retried_post_gets_the_first_answer, concurrent_retries_write_once, keys_are_forgotten_after_a_day);
