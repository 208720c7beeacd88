//! The PostgreSQL server goes away and comes back: requests meanwhile are answered quickly
//! with 503 and a clear message, `/readyz` says so at once, and after the server is back no
//! request fails on a connection that died with it. The outage is made by a TCP relay between
//! the platform and the test server that can drop every connection and refuse new ones.

use crate::common::{ADMIN_PASSWORD, Backend, TestApp};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A relay to the database server; `cut` drops every connection and refuses new ones until
/// `restore`.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl Relay {
    async fn start(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cuts, _) = watch::channel(0u64);
        let (up2, cuts2) = (up.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut cut = cuts2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Relay { port, up, cuts }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `host:port` of a postgres:// URL.
fn server_of(url: &str) -> String {
    let rest = &url[url.find("://").unwrap() + 3..];
    let rest = rest.split('/').next().unwrap();
    rest.rsplit('@').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_recovers() {
    let relay = Arc::new(tokio::sync::OnceCell::<Relay>::new());
    let r2 = relay.clone();
    let app = TestApp::start_with_async(Backend::Postgres, move |mut config| async move {
        let server = server_of(&config.database_url);
        let r = Relay::start(server.clone()).await;
        config.database_url = config.database_url.replacen(&server, &format!("127.0.0.1:{}", r.port), 1);
        let _ = r2.set(r);
        config
    })
    .await;
    let relay = relay.get().unwrap();
    let admin = app.admin().await;
    admin.ok_get("/api/v1/org-units").await;
    let page = crate::sessions::page_client(&app, "admin", ADMIN_PASSWORD).await;

    relay.cut();
    // Every request, API or page, is answered quickly and clearly.
    for _ in 0..5 {
        let started = Instant::now();
        let (s, v) = admin.get("/api/v1/org-units").await;
        assert_eq!((s.as_u16(), v["error"]["code"].as_str()), (503, Some("unavailable")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("数据库"), "{v}");
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }
    let started = Instant::now();
    let resp = admin.client.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(3));
    let (s, _) = admin.post("/api/v1/session", json!({"username": "admin", "password": ADMIN_PASSWORD})).await;
    assert_eq!(s, 503, "a login is not mistaken for wrong credentials");
    let resp = page.get(format!("{}/units", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let html = resp.text().await.unwrap();
    assert!(html.contains("数据库暂时连不上"), "{html}");

    // Back: after at most the wait of one probe, every request succeeds; none fails on a
    // connection that died with the outage.
    relay.restore();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for i in 0..20 {
        let (s, v) = admin.get("/api/v1/org-units").await;
        assert_eq!(s, 200, "request {i} after the restart: {v}");
    }
    let resp = admin.client.get(format!("{}/readyz", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    // A restart while nobody asked: the pooled connections died unseen, and are checked and
    // replaced before use instead of failing a request each.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let base = app.base.clone();
        tasks.push(tokio::spawn(async move { reqwest::get(format!("{base}/readyz")).await.unwrap().status() }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    relay.cut();
    relay.restore();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for i in 0..20 {
        let (s, v) = admin.get("/api/v1/org-units").await;
        assert_eq!(s, 200, "request {i} after the restart: {v}");
    }
}
