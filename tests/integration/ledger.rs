//! The activity ledger: signing by the host and then the leader, immutability afterwards,
//! corrections, figures, and tamper evidence — a row edited behind the platform's back is
//! named by the verification of the API, the pages and `jiangxin ledger verify`.

use crate::both;
use crate::common::{Backend, PASSWORD, TestApp, activity, world};
use serde_json::{Value, json};

async fn records_are_signed_twice_then_fixed(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let mem1 = app.login("mem1", PASSWORD).await;
    let worker1 = app.login("worker1", PASSWORD).await;
    let ent2 = app.login("ent2", PASSWORD).await;
    // Studio 2's leader gets an account: the member of another studio.
    crate::common::account(&admin, "lead2", Some(w.leader2), w.e2, &[("worker", w.e2)]).await;
    let lead2 = app.login("lead2", PASSWORD).await;

    // The leader records a training hosted by a member; the member is asked to sign.
    let a = activity(&lead1, w.s1, w.p2, "焊接工艺培训").await;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        a,
        lead1.ok_get(&format!("/api/v1/activities/{id}")).await["activity"],
        "the answer is the record as read"
    );
    assert_eq!(a["state"], "recorded");
    assert_eq!(a["minutes"], 150);
    assert_eq!(a["attendee_count"], 2, "a member and a guest: {a}");
    let notes = mem1.ok_get("/api/v1/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "signature_needed", "{notes}");
    // Nobody outside the studio sees or signs it; inside, the order holds.
    let sign = format!("/api/v1/activities/{id}/signatures");
    assert_eq!(lead2.get(&format!("/api/v1/activities/{id}")).await.0, 404);
    assert_eq!(lead2.post(&sign, json!({})).await.0, 404);
    assert_eq!(ent2.post(&sign, json!({})).await.0, 404);
    let (status, v) = lead1.post(&sign, json!({})).await;
    assert_eq!((status.as_u16(), v["error"]["code"].as_str()), (409, Some("host_first")), "{v}");
    assert_eq!(worker1.post(&sign, json!({})).await.0, 403);
    assert_eq!(admin.post(&sign, json!({})).await.0, 403, "an administrator does not sign for the host");
    // Still unsigned: it can be corrected in place.
    let fixed = lead1
        .put(
            &format!("/api/v1/activities/{id}"),
            json!({"kind": "training", "held_on": crate::common::day(-2), "host_person_id": w.p2, "title": "焊接工艺培训（一）",
                   "hours": 3, "attendee_ids": [w.p2, w.leader1], "trainees": 15, "summary": "讲解焊接工艺要点。"}),
        )
        .await;
    assert_eq!(fixed.0, 200, "{}", fixed.1);
    let a = mem1.ok_post(&sign, json!({})).await;
    assert_eq!(a["state"], "host_signed");
    assert_eq!(mem1.post(&sign, json!({})).await.0, 403, "the host does not seal");
    assert!(
        lead1.ok_get("/api/v1/notifications").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "signature_needed"),
        "the leader is asked next"
    );
    // Once signed by the host it no longer changes.
    assert_eq!(lead1.delete(&format!("/api/v1/activities/{id}")).await.0, 409);
    let a = lead1.ok_post(&sign, json!({})).await;
    assert_eq!(a["state"], "signed");
    assert_eq!(a["seq"], 1);
    let (status, v) = lead1.post(&sign, json!({})).await;
    assert_eq!((status.as_u16(), v["error"]["code"].as_str()), (409, Some("already_signed")));
    let (status, v) = lead1
        .put(
            &format!("/api/v1/activities/{id}"),
            json!({"kind": "training", "held_on": crate::common::day(-2), "host_person_id": w.p2, "title": "改", "hours": 1, "summary": "改"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(v["error"]["message"], "记录已经签字确认，不能修改或删除；如需更正，请新建一条更正记录。");
    assert_eq!(lead1.delete(&format!("/api/v1/activities/{id}")).await.0, 409);

    // A correction is a new record referring to the signed one; only within the studio.
    let correction = json!({"studio_id": w.s1, "kind": "training", "held_on": crate::common::day(-2), "host_person_id": w.p2,
                            "title": "更正：焊接工艺培训（一）", "hours": 3, "trainees": 16, "summary": "更正培训人次。", "corrects_id": id});
    let c = lead1.ok_post("/api/v1/activities", correction.clone()).await;
    assert_eq!(c["corrects_id"], id);
    assert_eq!(
        c,
        lead1.ok_get(&format!("/api/v1/activities/{}", c["id"])).await["activity"],
        "the answer is the record as read"
    );
    let mut elsewhere = correction.clone();
    elsewhere["studio_id"] = json!(w.s2);
    elsewhere["host_person_id"] = json!(w.leader2);
    let (status, v) = lead2.post("/api/v1/activities", elsewhere).await;
    assert_eq!(status, 422, "a record of another studio cannot be corrected from here: {v}");
    assert!(v["error"]["fields"]["corrects_id"].is_string());
    // A competition with its ranks: the answer is again the record as read.
    let contest = lead1
        .ok_post(
            "/api/v1/activities",
            json!({"studio_id": w.s1, "kind": "skill_competition", "held_on": crate::common::day(-3), "title": "焊工比武",
                   "host_person_id": w.leader1, "hours": 4, "summary": "比武。", "results": [{"name": "王小明", "rank": 1, "award": "一等奖"}],
                   "attendee_ids": [w.p2]}),
        )
        .await;
    assert_eq!(contest, lead1.ok_get(&format!("/api/v1/activities/{}", contest["id"])).await["activity"]);
    assert_eq!(contest["results"][0]["award"], "一等奖", "{contest}");
    assert_eq!(lead1.delete(&format!("/api/v1/activities/{}", contest["id"])).await.0, 204);
    // An unsigned record can be deleted by whoever recorded it.
    assert_eq!(lead1.delete(&format!("/api/v1/activities/{}", c["id"])).await.0, 204);

    // The studio's figures count signed records only.
    let year = jiangxin::clock::today().year();
    let fig = mem1.ok_get(&format!("/api/v1/studios/{}/ledger/figures?year={year}", w.s1)).await;
    assert_eq!((fig["trainings"].as_i64(), fig["trainees"].as_i64()), (Some(1), Some(15)), "{fig}");
    assert_eq!(fig["training_hours"], 3.0);
    // The list of the studio, and nothing of it for another studio's leader.
    let list = mem1.ok_get(&format!("/api/v1/activities?studio_id={}", w.s1)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(lead2.get(&format!("/api/v1/activities?studio_id={}", w.s1)).await.0, 404);
}

/// Signs `n` records of studio 1 (hosted by its leader, who signs twice).
async fn signed_records(app: &TestApp, w: &crate::common::World, n: usize) -> Vec<i64> {
    let lead1 = app.login("lead1", PASSWORD).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let a = activity(&lead1, w.s1, w.leader1, &format!("第{}次培训", i + 1)).await;
        let id = a["id"].as_i64().unwrap();
        lead1.ok_post(&format!("/api/v1/activities/{id}/signatures"), json!({})).await;
        let a = lead1.ok_post(&format!("/api/v1/activities/{id}/signatures"), json!({})).await;
        assert_eq!(a["seq"], i as i64 + 1);
        ids.push(id);
    }
    ids
}

fn findings(v: &Value) -> Vec<(String, i64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["problem"].as_str().unwrap().to_string(), f["activity_id"].as_i64().or(f["from_seq"].as_i64()).unwrap())
        })
        .collect()
}

async fn an_edit_behind_the_platforms_back_is_named(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ids = signed_records(&app, &w, 4).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let verify = format!("/api/v1/studios/{}/ledger/verification", w.s1);
    let v = ent1.ok_get(&verify).await;
    assert_eq!((v["intact"].as_bool(), v["checked"].as_i64()), (Some(true), Some(4)), "{v}");
    // Only inspectors verify.
    assert_eq!(app.login("mem1", PASSWORD).await.get(&verify).await.0, 403);
    assert_eq!(app.login("ent2", PASSWORD).await.get(&verify).await.0, 404);

    // Someone rewrites the summary of the second record directly in the database.
    let target = ids[1];
    app.behind_the_back("UPDATE activities SET summary = '（已篡改）' WHERE id = ?", target).await;
    let v = ent1.ok_get(&verify).await;
    assert_eq!(v["intact"], false);
    assert_eq!(findings(&v), vec![("content_altered".to_string(), target)], "exactly that record: {v}");

    // Someone moves the host's signature time of the third.
    let third = ids[2];
    app.behind_the_back("UPDATE activities SET host_signed_at = host_signed_at + 1000 WHERE id = ?", third).await;
    let found = findings(&ent1.ok_get(&verify).await);
    assert!(
        found.contains(&("content_altered".into(), target)) && found.iter().any(|(_, id)| *id == third),
        "{found:?}"
    );

    // Someone deletes the last signed record.
    let last = ids[3];
    app.behind_the_back("DELETE FROM activities WHERE id = ?", last).await;
    let found = findings(&ent1.ok_get(&verify).await);
    assert!(found.contains(&("missing".into(), 4)), "{found:?}");

    // Every field the record shows is sealed: the attendee count too; and a record cannot be
    // passed off as sealed in the older format that did not cover it.
    let first = ids[0];
    app.behind_the_back("UPDATE activities SET attendee_count = attendee_count + 5 WHERE id = ?", first).await;
    let found = findings(&ent1.ok_get(&verify).await);
    assert!(found.contains(&("content_altered".into(), first)), "{found:?}");
    app.behind_the_back(
        "UPDATE activities SET attendee_count = attendee_count - 5, seal_format = NULL WHERE id = ?",
        first,
    )
    .await;
    let found = findings(&ent1.ok_get(&verify).await);
    assert!(found.contains(&("content_altered".into(), first)), "{found:?}");

    // The inspector's page says the same, with links to the records.
    let page = crate::sessions::page_client(&app, "ent1", PASSWORD).await;
    let html = page
        .get(format!("{}/studios/{}/ledger/verification", app.base, w.s1))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("发现改动") && html.contains(&format!("/activities/{target}")), "{html}");

    // And so does the command line, with a failing exit status.
    let config = &app.state.config;
    let (code, text) = jiangxin(&config.database_url, &config.data_dir, &["ledger", "verify"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("record {target} ")) && text.contains("content altered"), "{text}");

    // Without the key, verification stops and says so: it does not make a new key.
    let key = app.state.config.data_dir.join("ledger.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the key is private");
    }
    let aside = app.state.config.data_dir.join("ledger.key.aside");
    std::fs::rename(&key, &aside).unwrap();
    let (code, text) = jiangxin(&config.database_url, &config.data_dir, &["ledger", "verify"]);
    assert!(code != Some(0) && code != Some(2), "{text}");
    assert!(text.contains("no ledger key") && !text.contains("content altered"), "{text}");
    assert!(!key.exists(), "no new key was made");
    std::fs::rename(&aside, &key).unwrap();
}

/// Runs the `jiangxin` command on a database and a data folder.
fn jiangxin(database_url: &str, data_dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["--database-url", database_url, "--data-dir"])
        .arg(data_dir)
        .args(["--log", "warn"])
        .args(args)
        .output()
        .expect("run jiangxin");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

async fn a_backup_made_while_serving_restores_and_verifies(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    signed_records(&app, &w, 3).await;
    let (s, _) =
        crate::common::upload(&app, "lead1", w.s1, "plaque", "牌匾.png", crate::common::tiny_png(), true).await;
    assert_eq!(s, 201);
    let config = &app.state.config;
    // Backed up while the platform serves and keeps writing.
    let target = tempfile::tempdir().unwrap();
    let folder = target.path().join("backup");
    let writer = {
        let (lead1, s1, leader) = (app.login("lead1", PASSWORD).await, w.s1, w.leader1);
        tokio::spawn(async move {
            for i in 0..10 {
                activity(&lead1, s1, leader, &format!("备份期间的记录{i}")).await;
            }
        })
    };
    let (code, out) = {
        let (url, dir, folder) = (config.database_url.clone(), config.data_dir.clone(), folder.clone());
        tokio::task::spawn_blocking(move || jiangxin(&url, &dir, &["backup", folder.to_str().unwrap()])).await.unwrap()
    };
    writer.await.unwrap();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ledger key: copied") && out.contains("uploads: 1 files"), "{out}");
    assert!(folder.join("ledger.key").exists() && folder.join("uploads").is_dir());
    // A second backup into the same folder is refused.
    let (code, again) = jiangxin(&config.database_url, &config.data_dir, &["backup", folder.to_str().unwrap()]);
    assert!(code != Some(0) && again.contains("not empty"), "{again}");
    if b == Backend::Postgres {
        assert!(out.contains("pg_dump"), "{out}");
        return;
    }
    // Restored into a new place as README.md says: the database, the key and the uploads.
    let restored = tempfile::tempdir().unwrap();
    let data = restored.path().join("data");
    std::fs::create_dir_all(data.join("uploads")).unwrap();
    std::fs::copy(folder.join("jiangxin.db"), data.join("jiangxin.db")).unwrap();
    std::fs::copy(folder.join("ledger.key"), data.join("ledger.key")).unwrap();
    for dir in std::fs::read_dir(folder.join("uploads")).unwrap() {
        let dir = dir.unwrap();
        std::fs::create_dir_all(data.join("uploads").join(dir.file_name())).unwrap();
        for f in std::fs::read_dir(dir.path()).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), data.join("uploads").join(dir.file_name()).join(f.file_name())).unwrap();
        }
    }
    let db = data.join("jiangxin.db").to_string_lossy().into_owned();
    let (code, out) = jiangxin(&db, &data, &["ledger", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 signed records verified") && out.contains("0 with findings"), "{out}");
    // The copy holds what was there when it began, and the platform starts on it.
    let c = rusqlite::Connection::open(&db).unwrap();
    let studios: i64 = c.query_row("SELECT COUNT(*) FROM studios", [], |r| r.get(0)).unwrap();
    assert!(studios >= 2);
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

both!(
    records_are_signed_twice_then_fixed,
    an_edit_behind_the_platforms_back_is_named,
    a_backup_made_while_serving_restores_and_verifies
);
