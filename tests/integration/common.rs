//! The test harness: a real server on a free port with a fresh database — SQLite in a
//! temporary directory, or a new database on the PostgreSQL server of
//! `JIANGXIN_TEST_PG_URL` (the test script starts a throwaway cluster) — and HTTP clients
//! that keep their own cookies.

use jiangxin::app::{AppState, bootstrap};
use jiangxin::config::{Config, ConfigFile};
use jiangxin::storage::Db;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once on each database: `both!(name)` for `async fn name(b: Backend)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )+
    };
}

pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "user-password-1";

/// A running platform.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn pg_base_url() -> String {
    std::env::var("JIANGXIN_TEST_PG_URL").unwrap_or_else(|_| {
        panic!("PostgreSQL tests need JIANGXIN_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres); `scripts/test` starts a throwaway cluster and sets it")
    })
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
async fn fresh_pg_database() -> String {
    let base = pg_base_url();
    let name = format!("jx_t_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), rand_suffix());
    let admin_url = base.clone();
    let db_name = name.clone();
    tokio::task::spawn_blocking(move || {
        let mut client =
            postgres::Client::connect(&admin_url, postgres::NoTls).expect("connect to the test PostgreSQL server");
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| drop_abandoned_databases(&mut client));
        client.batch_execute(&format!("CREATE DATABASE {db_name}")).expect("create a test database");
    })
    .await
    .expect("create database task");
    with_database(&base, &name)
}

/// Drops the databases of test processes that have ended (`jx_t_<pid>_…`), once per process, so
/// that a developer's long-lived cluster does not fill the disk run after run.
fn drop_abandoned_databases(client: &mut postgres::Client) {
    let Ok(rows) = client.query("SELECT datname FROM pg_database WHERE datname LIKE 'jx\\_t\\_%'", &[]) else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, db: &str) -> String {
    let (main, query) = url.split_once('?').map_or((url, None), |(a, b)| (a, Some(b)));
    let after = main.find("://").map_or(0, |i| i + 3);
    let server = match main[after..].find('/') {
        Some(j) => &main[..after + j],
        None => main,
    };
    format!("{server}/{db}{}", query.map(|q| format!("?{q}")).unwrap_or_default())
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0) % 100_000
}

impl TestApp {
    /// Starts a platform on a fresh database with only the root unit and `admin`.
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with adjusted settings.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::start_with_async(backend, |mut config| async move {
            adjust(&mut config);
            config
        })
        .await
    }

    /// Starts with settings adjusted by some asynchronous work (a relay to start, say).
    pub async fn start_with_async<F: std::future::Future<Output = Config>>(
        backend: Backend,
        adjust: impl FnOnce(Config) -> F,
    ) -> TestApp {
        // Errors the server logs (a 500's cause) show with the failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_max_level(tracing::Level::WARN).try_init();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config =
            Config::from_file(ConfigFile { data_dir: Some(dir.path().to_path_buf()), ..Default::default() });
        config.admin_password = Some(ADMIN_PASSWORD.into());
        config.demo_on_first_start = false;
        config.database_url = match backend {
            Backend::Sqlite => dir.path().join("jx.db").to_string_lossy().into_owned(),
            Backend::Postgres => fresh_pg_database().await,
        };
        config.pg_pool_size = 4;
        let config = adjust(config).await;
        let (state, _) = bootstrap::start(config).await.expect("start the platform");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let serve_state = state.clone();
        tokio::spawn(async move {
            let _ = jiangxin::web::serve(listener, serve_state, std::future::pending()).await;
        });
        TestApp { base, db: state.db.clone(), state, _dir: dir }
    }

    /// Runs one statement on the database behind the platform's back (what an intruder or a
    /// careless operator would do), with `id` as its one parameter.
    pub async fn behind_the_back(&self, sql: &'static str, id: i64) {
        self.db
            .write(move |c| {
                c.execute(sql, jiangxin::params![id])?;
                Ok(())
            })
            .await
            .expect("statement behind the platform's back");
    }

    /// A client without a session.
    pub fn anonymous(&self) -> Api {
        Api::new(&self.base)
    }

    /// A client logged in with the API.
    pub async fn login(&self, username: &str, password: &str) -> Api {
        let api = Api::new(&self.base);
        let (status, body) = api.post("/api/v1/session", json!({"username": username, "password": password})).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        api
    }

    pub async fn admin(&self) -> Api {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// Reads one number from the database directly.
    pub async fn scalar(&self, sql: &'static str) -> i64 {
        self.db.read(move |c| c.scalar(sql, &[])).await.expect("scalar")
    }

    /// Checks that the roll-ups and derived stretches kept by every change equal those a rebuild
    /// makes from nothing, and the deadline counters those computed from the projects.
    pub async fn assert_figures_rebuild(&self) {
        use jiangxin::storage::figures;
        async fn state(
            db: &Db,
        ) -> (Vec<(i64, i64, String, i64)>, Vec<(i64, String, String, String)>, i64, Vec<(i64, String, i64)>) {
            db.read(|c| {
                let rollups = figures::all_rollups(c)?;
                let spans = c.query(
                    "SELECT studio_id, level, state, valid_from || '..' || COALESCE(valid_to, '') AS span FROM studio_spans ORDER BY studio_id, seq",
                    &[],
                    |r| Ok((r.get("studio_id")?, r.get("level")?, r.get("state")?, r.get("span")?)),
                )?;
                let members = c.scalar("SELECT COUNT(*) FROM member_spans", &[])?
                    + 1_000_000 * c.scalar("SELECT COUNT(*) FROM apprentice_spans", &[])?;
                let counters = c.query("SELECT unit_id, counter, value FROM unit_counters WHERE value <> 0 ORDER BY unit_id, counter", &[], |r| {
                    Ok((r.get("unit_id")?, r.get("counter")?, r.get("value")?))
                })?;
                Ok((rollups, spans, members, counters))
            })
            .await
            .expect("read the figures")
        }
        let kept = state(&self.db).await;
        let db = self.db.clone();
        let found = tokio::task::spawn_blocking(move || {
            let opts = figures::RebuildOptions { spans: true, repair: false, apprentices: true };
            figures::rebuild(&mut &db, opts, &mut |_, _, _| {})
        })
        .await
        .expect("check task")
        .expect("check");
        assert_eq!(
            (found.studios, found.people, found.apprentices, found.corrected),
            (0, 0, 0, 0),
            "kept figures differ from the records: {found:?}"
        );
        self.db.write(figures::clear).await.expect("clear");
        self.db.write(jiangxin::storage::counters::rebuild).await.expect("counters");
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let opts = figures::RebuildOptions { spans: true, repair: true, apprentices: true };
            figures::rebuild(&mut &db, opts, &mut |_, _, _| {})
        })
        .await
        .expect("rebuild task")
        .expect("rebuild");
        let rebuilt = state(&self.db).await;
        assert_eq!(kept.0, rebuilt.0, "roll-ups kept on every change must equal a rebuild from the records");
        assert_eq!(kept.1, rebuilt.1, "studio stretches");
        assert_eq!(kept.2, rebuilt.2, "membership and apprentice stretches");
        assert_eq!(kept.3, rebuilt.3, "deadline counters");
    }

    /// A fingerprint of every table: row counts and sums of ids and change times. Equal
    /// fingerprints before and after a refused request mean nothing was written.
    pub async fn fingerprint(&self) -> Vec<(String, i64, i64)> {
        const TABLES: &[(&str, &str)] = &[
            ("org_units", "updated_at"),
            ("people", "updated_at"),
            ("person_honours", "id"),
            ("accounts", "updated_at"),
            ("role_grants", "id"),
            ("api_tokens", "COALESCE(revoked_at, 0)"),
            ("studios", "updated_at"),
            ("studio_transitions", "id"),
            ("studio_namings", "id"),
            ("studio_members", "updated_at"),
            ("member_proposals", "COALESCE(decided_at, 0)"),
            ("attachments", "COALESCE(removed_at, 0)"),
            ("audit_log", "id"),
            ("unit_counters", "value"),
            ("figure_rollups", "value"),
            ("studio_spans", "seq"),
            ("member_spans", "person_id"),
            ("search_terms", "entity_id"),
            ("annual_plans", "updated_at"),
            ("projects", "updated_at"),
            ("project_members", "person_id"),
            ("milestones", "updated_at"),
            ("rounds", "updated_at"),
            ("round_reviewers", "id"),
            ("round_applications", "updated_at"),
            ("round_sheets", "scored_at"),
            ("round_conflicts", "id"),
            ("round_objections", "id"),
            ("project_updates", "id"),
            ("extension_requests", "COALESCE(decided_at, 0)"),
            ("project_transitions", "id"),
            ("activities", "updated_at"),
            ("ledger_heads", "seq"),
            ("notifications", "COALESCE(read_at, 0)"),
            ("suggestions", "updated_at"),
            ("suggestion_proposers", "position"),
            ("suggestion_events", "id"),
            ("suggestion_signatures", "suggestion_id"),
            ("suggestion_routes", "id"),
            ("suggestion_rules", "updated_at"),
            ("challenges", "updated_at"),
            ("challenge_bids", "updated_at"),
            ("challenge_bid_members", "person_id"),
            ("outcomes", "updated_at"),
            ("outcome_contributors", "position"),
            ("outcome_promotions", "id"),
            ("inspections", "updated_at"),
            ("inspection_follow_ups", "id + LENGTH(state) + LENGTH(COALESCE(report_note, ''))"),
            ("inspection_follow_up_steps", "id"),
            ("annual_reports", "updated_at"),
            ("evaluation_templates", "updated_at"),
            ("evaluations", "updated_at"),
            ("evaluation_runs", "id"),
            ("studio_cases", "updated_at"),
        ];
        self.db
            .read(|c| {
                let mut out = Vec::new();
                for (t, col) in TABLES {
                    let sql = format!("SELECT COUNT(*) AS n, CAST(COALESCE(SUM({col}), 0) AS BIGINT) AS s FROM {t}");
                    let (n, s) = c.query_one(&sql, &[], |r| Ok((r.get::<i64>("n")?, r.get::<i64>("s")?)))?;
                    out.push((t.to_string(), n, s));
                }
                Ok(out)
            })
            .await
            .expect("fingerprint")
    }
}

/// An HTTP client with its own cookie jar.
#[derive(Clone)]
pub struct Api {
    pub client: Client,
    pub base: String,
    pub lang: Option<&'static str>,
    pub bearer: Option<String>,
}

impl Api {
    pub fn new(base: &str) -> Api {
        let client =
            Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Api { client, base: base.to_string(), lang: None, bearer: None }
    }

    pub fn english(mut self) -> Api {
        self.lang = Some("en");
        self
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api { client: Client::new(), base: self.base.clone(), lang: self.lang, bearer: Some(token.to_string()) }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(l) = self.lang {
            req = req.header("accept-language", l);
        }
        if let Some(t) = &self.bearer {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, None).await
    }

    /// POST that must succeed; returns the body.
    pub async fn ok_post(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(path, body).await;
        assert!(s.is_success(), "POST {path}: {s} {v}");
        v
    }

    /// PUT that must succeed; returns the body.
    pub async fn ok_put(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.put(path, body).await;
        assert!(status.is_success(), "PUT {path}: {status} {v}");
        v
    }

    /// GET that must succeed; returns the body.
    pub async fn ok_get(&self, path: &str) -> Value {
        let (s, v) = self.get(path).await;
        assert!(s.is_success(), "GET {path}: {s} {v}");
        v
    }
}

/// The small world most tests use.
///
/// ```text
/// /1/ 全国总工会 (root)
///   甲省总工会 (province A)
///     甲一市总工会 (city A1)
///       东方机械有限公司 E1
///         一车间 W1          studio S1 (leader 李建国; members 王小明, 张红)
///   乙省总工会 (province B)
///     西山电力有限公司 E2    studio S2 (leader 赵大勇; member 钱多多)
/// ```
pub struct World {
    pub province_a: i64,
    pub city_a: i64,
    pub e1: i64,
    pub w1: i64,
    pub province_b: i64,
    pub e2: i64,
    pub leader1: i64,
    pub p2: i64,
    pub p3: i64,
    pub p4: i64,
    pub worker_person: i64,
    pub leader2: i64,
    pub q2: i64,
    pub s1: i64,
    pub s2: i64,
    /// Account ids by login name.
    pub accounts: Vec<(String, i64)>,
}

impl World {
    pub fn account(&self, name: &str) -> i64 {
        self.accounts.iter().find(|(n, _)| n == name).map(|(_, id)| *id).expect("account")
    }
}

pub async fn unit(admin: &Api, parent: i64, kind: &str, name: &str) -> i64 {
    admin.ok_post("/api/v1/org-units", json!({"parent_id": parent, "kind": kind, "name": name})).await["id"]
        .as_i64()
        .expect("unit id")
}

pub async fn person(admin: &Api, unit: i64, name: &str) -> i64 {
    admin
        .ok_post("/api/v1/people", json!({"unit_id": unit, "name": name, "gender": "male", "skill_grade": "senior", "employee_no": format!("E-{name}")}))
        .await["id"]
        .as_i64()
        .expect("person id")
}

pub async fn studio(admin: &Api, unit: i64, leader: i64, name: &str) -> i64 {
    admin
        .ok_post(
            "/api/v1/studios",
            json!({"unit_id": unit, "leader_person_id": leader, "name": name, "kind": "model_worker", "field": "数控技术", "founded_on": "2020-03-01", "room": "技术中心201室"}),
        )
        .await["id"]
        .as_i64()
        .expect("studio id")
}

pub async fn add_member(admin: &Api, studio: i64, person: i64) {
    let v = admin
        .ok_post(
            &format!("/api/v1/studios/{studio}/members"),
            json!({"kind": "join", "person_id": person, "role": "member"}),
        )
        .await;
    assert_eq!(v["status"], "approved", "{v}");
}

pub async fn account(admin: &Api, username: &str, person: Option<i64>, home: i64, grants: &[(&str, i64)]) -> i64 {
    let mut body = json!({"username": username, "password": PASSWORD, "home_unit_id": home, "display_name": username});
    if let Some(p) = person {
        body["person_id"] = json!(p);
    }
    let id = admin.ok_post("/api/v1/accounts", body).await["id"].as_i64().expect("account id");
    for (role, unit) in grants {
        admin.ok_post(&format!("/api/v1/accounts/{id}/grants"), json!({"role": role, "unit_id": unit})).await;
    }
    id
}

/// Builds the small world through the API, as an administrator would.
pub async fn world(app: &TestApp) -> World {
    let admin = app.admin().await;
    let province_a = unit(&admin, 1, "province", "甲省总工会").await;
    let city_a = unit(&admin, province_a, "city", "甲一市总工会").await;
    let e1 = unit(&admin, city_a, "enterprise", "东方机械有限公司").await;
    let w1 = unit(&admin, e1, "branch", "一车间").await;
    let province_b = unit(&admin, 1, "province", "乙省总工会").await;
    let e2 = unit(&admin, province_b, "enterprise", "西山电力有限公司").await;
    let leader1 = person(&admin, w1, "李建国").await;
    let p2 = person(&admin, w1, "王小明").await;
    let p3 = person(&admin, e1, "张红").await;
    let p4 = person(&admin, w1, "刘一手").await;
    let worker_person = person(&admin, e1, "孙工人").await;
    let leader2 = person(&admin, e2, "赵大勇").await;
    let q2 = person(&admin, e2, "钱多多").await;
    let s1 = studio(&admin, w1, leader1, "李建国劳模创新工作室").await;
    add_member(&admin, s1, p2).await;
    add_member(&admin, s1, p3).await;
    let s2 = studio(&admin, e2, leader2, "赵大勇电力创新工作室").await;
    add_member(&admin, s2, q2).await;
    let mut accounts = vec![("admin".to_string(), 1)];
    for (name, person, home, grants) in [
        ("union.a", None, province_a, vec![("union_admin", province_a)]),
        ("city.a", None, city_a, vec![("union_admin", city_a)]),
        ("ent1", None, e1, vec![("enterprise_admin", e1)]),
        ("ent2", None, e2, vec![("enterprise_admin", e2)]),
        ("lead1", Some(leader1), w1, vec![("worker", e1)]),
        ("mem1", Some(p2), w1, vec![("worker", e1)]),
        ("worker1", Some(worker_person), e1, vec![("worker", e1)]),
        ("reviewer.a", None, province_a, vec![("reviewer", province_a)]),
        ("union.b", None, province_b, vec![("union_admin", province_b)]),
    ] {
        let id = account(&admin, name, person, home, &grants).await;
        accounts.push((name.to_string(), id));
    }
    World {
        province_a,
        city_a,
        e1,
        w1,
        province_b,
        e2,
        leader1,
        p2,
        p3,
        p4,
        worker_person,
        leader2,
        q2,
        s1,
        s2,
        accounts,
    }
}

/// A date some days from today, `YYYY-MM-DD`, in the platform's time zone.
pub fn day(offset: i64) -> String {
    use jiff::ToSpan;
    let today = jiangxin::clock::today();
    today.checked_add(offset.days()).unwrap_or(today).to_string()
}

/// Proposes a project in a studio as `api`, with milestones due at the given day offsets.
pub async fn project(api: &Api, studio: i64, title: &str, leader: i64, due: &[i64]) -> Value {
    let milestones: Vec<Value> =
        due.iter().enumerate().map(|(i, d)| json!({"title": format!("节点{}", i + 1), "due_on": day(*d)})).collect();
    api.ok_post(
        "/api/v1/projects",
        json!({
            "studio_id": studio, "title": title, "category": "技术攻关", "source": "own",
            "problem": "焊缝返修率高", "goal": "返修率降低一半", "leader_person_id": leader,
            "starts_on": day(-30), "ends_on": day(300), "budget_yuan": 50000,
            "members": [{"person_id": leader, "duty": "负责人"}], "milestones": milestones
        }),
    )
    .await
}

/// Renames a unit as `api`.
pub async fn rename_unit(api: &Api, unit: i64, name: &str) {
    let (status, v) =
        api.send(reqwest::Method::PATCH, &format!("/api/v1/org-units/{unit}"), Some(json!({"name": name}))).await;
    assert_eq!(status, 200, "{v}");
}

/// Renames a studio as `api`, keeping the rest of its record.
pub async fn rename_studio(api: &Api, studio: i64, name: &str) {
    let s = api.ok_get(&format!("/api/v1/studios/{studio}")).await;
    let body = json!({"name": name, "kind": s["kind"], "field": s["field"],
        "leader_person_id": s["leader_person_id"], "founded_on": s["founded_on"]});
    let (status, v) = api.send(reqwest::Method::PUT, &format!("/api/v1/studios/{studio}"), Some(body)).await;
    assert_eq!(status, 200, "{v}");
}

/// Records an activity in a studio as `api`, hosted by `host`.
pub async fn activity(api: &Api, studio: i64, host: i64, title: &str) -> Value {
    api.ok_post(
        "/api/v1/activities",
        json!({
            "studio_id": studio, "kind": "training", "held_on": day(-2), "place": "实训基地",
            "host_person_id": host, "title": title, "hours": 2.5, "attendee_ids": [host],
            "other_attendees": "外请讲师陈工", "trainees": 12, "summary": "讲解焊接工艺要点并现场练习。"
        }),
    )
    .await
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    jiangxin::domain::percent_encode(s)
}

/// A valid 1×1 PNG.
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D,
        0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// Uploads evidence as `user` (logged in with the API, so with a session cookie), sending
/// the session's CSRF token when `with_csrf`.
pub async fn upload(
    app: &TestApp,
    user: &str,
    studio: i64,
    item: &str,
    file_name: &str,
    bytes: Vec<u8>,
    with_csrf: bool,
) -> (StatusCode, Value) {
    let api = Api::new(&app.base);
    let password = if user == "admin" { ADMIN_PASSWORD } else { PASSWORD };
    let (_, session) = api.post("/api/v1/session", json!({"username": user, "password": password})).await;
    let form = reqwest::multipart::Form::new()
        .text("item", item.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
    let mut req = api.client.post(format!("{}/api/v1/studios/{studio}/evidence", app.base)).multipart(form);
    if with_csrf {
        req = req.header("x-csrf-token", session["csrf_token"].as_str().unwrap_or_default());
    }
    let resp = req.send().await.expect("upload");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Uploads a file with some text fields to any upload endpoint as `user` (a fresh session,
/// sending its CSRF token).
pub async fn upload_to(
    app: &TestApp,
    user: &str,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let api = Api::new(&app.base);
    let password = if user == "admin" { ADMIN_PASSWORD } else { PASSWORD };
    let (_, session) = api.post("/api/v1/session", json!({"username": user, "password": password})).await;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
    let resp = api
        .client
        .post(format!("{}{path}", app.base))
        .multipart(form)
        .header("x-csrf-token", session["csrf_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}
