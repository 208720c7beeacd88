//! The headline figures: for many units and periods of a generated set with history, every
//! figure equals the length of its list (and, for sums, the sum of its amounts) and a count
//! made here, independently, from the records; stocks are taken on the period's last day, at
//! their boundaries; history entered later counts in its own periods; what every change keeps
//! equals a rebuild from nothing.

use crate::both;
use crate::common::{Api, Backend, PASSWORD, TestApp, world};
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// Every record of a figure's list, following its pages: (count, sum of amounts).
async fn walk(api: &Api, link: &str) -> (i64, i64, Value) {
    let mut url = format!("/api/v1{link}&limit=200");
    let (mut n, mut sum) = (0, 0);
    let mut first = Value::Null;
    loop {
        let page = api.ok_get(&url).await;
        if first.is_null() {
            first = page.clone();
        }
        for item in page["items"].as_array().expect("items") {
            n += 1;
            sum += item["amount"].as_i64().unwrap_or(0);
        }
        // Every page keeps the figure's filters and period.
        assert_eq!(page["total"], first["total"], "{url}");
        assert_eq!(page["filters"], first["filters"], "{url}");
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1{link}&limit=200&cursor={c}"),
            None => return (n, sum, first),
        }
    }
}

/// Checks one figure of a headline against its list.
async fn check_list(api: &Api, what: &str, f: &Value) {
    let Some(link) = f["link"].as_str() else { return };
    let (n, sum, list) = walk(api, link).await;
    assert_eq!(list["total"].as_i64(), Some(n), "{what}: the list's total is its length ({link})");
    assert_eq!(f["records"].as_i64(), Some(n), "{what}: the figure's records are its list ({link})");
    if list["measure"] == "count" {
        assert_eq!(f["value"].as_i64(), Some(n), "{what}: a count equals its list ({link})");
    } else {
        assert_eq!(f["value"].as_i64(), Some(sum), "{what}: a sum equals its amounts ({link})");
        assert_eq!(list["value"].as_i64(), Some(sum), "{what} ({link})");
    }
}

/// What the records say of a subtree and period, counted here without the platform's code.
#[derive(Debug, Default)]
struct Counted {
    /// Studios by (level, state) on the last day.
    studios: BTreeMap<(String, String), i64>,
    members: i64,
    people: i64,
    started: BTreeMap<String, i64>,
    finished: BTreeMap<String, i64>,
    outcomes_by_kind: BTreeMap<String, i64>,
    outcomes_by_level: BTreeMap<String, i64>,
    applied: i64,
    verified: (i64, i64),
    trainings: (i64, i64),
}

fn grouped(rows: Vec<(String, i64)>) -> BTreeMap<String, i64> {
    rows.into_iter().filter(|(_, n)| *n > 0).collect()
}

/// Counts the records whose unit path matches `like` (a subtree: the path and `%`; the unit's
/// own records: the path alone).
async fn count_here(app: &TestApp, like: String, from: Date, to: Date) -> Counted {
    app.db
        .read(move |c| {
            use jiangxin::storage::Value as V;
            let (f, t) = (from.to_string(), to.to_string());
            let by = |c: &mut jiangxin::storage::Conn, sql: &str, params: &[V]| {
                c.query(sql, params, |r| Ok((r.get_idx::<Option<String>>(0)?.unwrap_or_default(), r.get_idx::<i64>(1)?)))
            };
            let mut out = Counted {
                members: c.scalar(
                    "SELECT COUNT(DISTINCT m.person_id) FROM studio_members m JOIN studios s ON s.id = m.studio_id \
                     WHERE s.unit_path LIKE ? AND m.joined_on <= ? AND (m.left_on IS NULL OR m.left_on > ?)",
                    &[V::from(like.clone()), V::from(t.clone()), V::from(t.clone())],
                )?,
                people: c.scalar(
                    "SELECT COUNT(*) FROM people WHERE unit_path LIKE ? AND registered_on <= ?",
                    &[V::from(like.clone()), V::from(t.clone())],
                )?,
                applied: c.scalar(
                    "SELECT COUNT(*) FROM outcomes WHERE unit_path LIKE ? AND applied_since >= ? AND applied_since <= ?",
                    &[V::from(like.clone()), V::from(f.clone()), V::from(t.clone())],
                )?,
                ..Default::default()
            };
            let period = [V::from(like.clone()), V::from(f.clone()), V::from(t.clone())];
            out.started = grouped(by(
                c,
                "SELECT category, COUNT(*) FROM projects WHERE unit_path LIKE ? AND approved_on >= ? AND approved_on <= ? GROUP BY category",
                &period,
            )?);
            out.finished = grouped(by(
                c,
                "SELECT category, COUNT(*) FROM projects WHERE unit_path LIKE ? AND completed_on >= ? AND completed_on <= ? \
                 AND state = 'completed' GROUP BY category",
                &period,
            )?);
            out.outcomes_by_kind = grouped(by(
                c,
                "SELECT kind, COUNT(*) FROM outcomes WHERE unit_path LIKE ? AND achieved_on >= ? AND achieved_on <= ? GROUP BY kind",
                &period,
            )?);
            out.outcomes_by_level = grouped(by(
                c,
                "SELECT level, COUNT(*) FROM outcomes WHERE unit_path LIKE ? AND achieved_on >= ? AND achieved_on <= ? \
                 AND level IS NOT NULL GROUP BY level",
                &period,
            )?);
            out.verified = c.query_one(
                "SELECT COUNT(*), CAST(COALESCE(SUM(actual_benefit_yuan), 0) AS BIGINT) FROM outcomes WHERE unit_path LIKE ? \
                 AND achieved_on >= ? AND achieved_on <= ? AND benefit_verified_by IS NOT NULL AND actual_benefit_yuan > 0",
                &period,
                |r| Ok((r.get_idx(0)?, r.get_idx(1)?)),
            )?;
            // A training counts once signed, unless a signed correction replaced it.
            let trainings: Vec<(i64, Option<i64>, Option<i64>)> = c.query(
                "SELECT id, trainees, corrects_id FROM activities WHERE unit_path LIKE ? AND held_on >= ? AND held_on <= ? \
                 AND kind = 'training' AND state = 'signed'",
                &period,
                |r| Ok((r.get_idx(0)?, r.get_idx(1)?, r.get_idx(2)?)),
            )?;
            let replaced: Vec<i64> = c.query(
                "SELECT corrects_id FROM activities WHERE corrects_id IS NOT NULL AND state = 'signed'",
                &[],
                |r| r.get_idx(0),
            )?;
            for (id, trainees, _) in &trainings {
                if !replaced.contains(id) {
                    out.trainings.0 += 1;
                    out.trainings.1 += trainees.unwrap_or(0);
                }
            }
            // Each studio's level and state at the end of the last day, replayed from its steps.
            let studios: Vec<(i64, i64)> =
                c.query("SELECT id, created_at FROM studios WHERE unit_path LIKE ?", &[V::from(like.clone())], |r| {
                    Ok((r.get_idx(0)?, r.get_idx(1)?))
                })?;
            for (id, created_at) in studios {
                let steps: Vec<(Date, String)> = c.query(
                    "SELECT effective_on, to_state FROM studio_transitions WHERE studio_id = ? ORDER BY id",
                    &[V::from(id)],
                    |r| Ok((r.get_idx(0)?, r.get_idx(1)?)),
                )?;
                let namings: Vec<(Date, String)> = c.query(
                    "SELECT named_on, level FROM studio_namings WHERE studio_id = ? ORDER BY named_on, id",
                    &[V::from(id)],
                    |r| Ok((r.get_idx(0)?, r.get_idx(1)?)),
                )?;
                let born = steps
                    .iter()
                    .map(|s| s.0)
                    .chain(namings.iter().map(|n| n.0))
                    .fold(jiangxin::clock::date_of(created_at), Date::min);
                if born > to {
                    continue;
                }
                let state = steps.iter().rfind(|s| s.0 <= to).map_or("draft".to_string(), |s| s.1.clone());
                let level = namings.iter().rfind(|n| n.0 <= to).map_or("none".to_string(), |n| n.1.clone());
                *out.studios.entry((level, state)).or_insert(0) += 1;
            }
            Ok(out)
        })
        .await
        .expect("count the records")
}

/// A headline's breakdown as a map code → value (non-zero).
fn breakdown(v: &Value) -> BTreeMap<String, i64> {
    v.as_array()
        .expect("breakdown")
        .iter()
        .filter(|f| f["value"].as_i64() != Some(0))
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["value"].as_i64().unwrap()))
        .collect()
}

fn day(y: i16, m: i8, d: i8) -> Date {
    Date::new(y, m, d).unwrap()
}

async fn every_figure_equals_its_list_and_a_count_of_the_records(b: Backend) {
    let app = TestApp::start_with(b, |c| c.demo_on_first_start = true).await;
    let admin = app.admin().await;
    let today = jiangxin::clock::today();
    let y = today.year();
    let periods = [
        (day(y - 3, 1, 1), day(y - 3, 12, 31)),
        (day(y - 2, 1, 1), day(y - 2, 12, 31)),
        (day(y - 1, 1, 1), day(y - 1, 12, 31)),
        (day(y, 1, 1), today),
        (day(y - 2, 3, 15), day(y - 1, 11, 2)),
        (day(y - 1, 6, 30), day(y - 1, 6, 30)),
    ];
    // Every union unit, and some enterprises and workshops.
    let units: Vec<(i64, String, String)> = app
        .db
        .read(|c| {
            c.query("SELECT id, path, kind FROM org_units ORDER BY id", &[], |r| {
                Ok((r.get_idx(0)?, r.get_idx(1)?, r.get_idx(2)?))
            })
        })
        .await
        .unwrap();
    let union = ["national", "province", "city", "county", "industry"];
    let mut chosen: Vec<&(i64, String, String)> = units.iter().filter(|u| union.contains(&u.2.as_str())).collect();
    chosen.extend(units.iter().filter(|u| u.2 == "enterprise").take(4));
    chosen.extend(units.iter().filter(|u| u.2 == "branch").take(2));
    assert!(chosen.len() >= 10);
    let mut checked_lists = 0;
    for (i, (id, path, _)) in chosen.iter().enumerate() {
        for (p, (from, to)) in periods.iter().enumerate() {
            let h = admin.ok_get(&format!("/api/v1/stats?unit_id={id}&from={from}&to={to}")).await;
            let n = count_here(&app, format!("{path}%"), *from, *to).await;
            let at = format!("unit {id} {from}..{to}");
            // Stocks on the last day.
            let named: i64 = n.studios.iter().filter(|((_, s), _)| s == "named" || s == "warned").map(|(_, v)| v).sum();
            assert_eq!(h["named_studios"]["value"].as_i64(), Some(named), "{at}: named studios");
            assert_eq!(h["studios"]["value"].as_i64(), Some(n.studios.values().sum()), "{at}: studios");
            let mut by_level: BTreeMap<String, i64> = BTreeMap::new();
            let mut by_state: BTreeMap<String, i64> = BTreeMap::new();
            for ((l, s), v) in &n.studios {
                if s == "named" || s == "warned" {
                    *by_level.entry(l.clone()).or_insert(0) += v;
                }
                *by_state.entry(s.clone()).or_insert(0) += v;
            }
            assert_eq!(breakdown(&h["studios_by_level"]), by_level, "{at}: named by level");
            assert_eq!(breakdown(&h["studios_by_state"]), by_state, "{at}: studios by state");
            assert_eq!(h["members"]["value"].as_i64(), Some(n.members), "{at}: members are distinct people");
            assert_eq!(h["people"]["value"].as_i64(), Some(n.people), "{at}: people");
            // Flows within the period.
            assert_eq!(h["projects_started"]["value"].as_i64(), Some(n.started.values().sum()), "{at}");
            assert_eq!(breakdown(&h["projects_started_by_category"]), n.started, "{at}");
            assert_eq!(h["projects_finished"]["value"].as_i64(), Some(n.finished.values().sum()), "{at}");
            assert_eq!(breakdown(&h["projects_finished_by_category"]), n.finished, "{at}");
            assert_eq!(h["outcomes"]["value"].as_i64(), Some(n.outcomes_by_kind.values().sum()), "{at}");
            assert_eq!(breakdown(&h["outcomes_by_kind"]), n.outcomes_by_kind, "{at}");
            assert_eq!(breakdown(&h["outcomes_by_level"]), n.outcomes_by_level, "{at}");
            let kind = |k: &str| n.outcomes_by_kind.get(k).copied().unwrap_or(0);
            assert_eq!(h["invention_patents"]["value"].as_i64(), Some(kind("invention_patent")), "{at}");
            assert_eq!(h["utility_patents"]["value"].as_i64(), Some(kind("utility_patent")), "{at}");
            assert_eq!(h["applied_outcomes"]["value"].as_i64(), Some(n.applied), "{at}");
            let vb = &h["verified_benefit_yuan"];
            assert_eq!(
                (vb["records"].as_i64(), vb["value"].as_i64()),
                (Some(n.verified.0), Some(n.verified.1)),
                "{at}"
            );
            let tr = &h["people_trained"];
            assert_eq!(
                (tr["records"].as_i64(), tr["value"].as_i64()),
                (Some(n.trainings.0), Some(n.trainings.1)),
                "{at}"
            );
            // And every figure equals its list: the main ones always, the breakdowns for some.
            for key in [
                "named_studios",
                "studios",
                "members",
                "people",
                "projects_started",
                "projects_finished",
                "outcomes",
                "invention_patents",
                "utility_patents",
                "applied_outcomes",
                "verified_benefit_yuan",
                "people_trained",
            ] {
                check_list(&admin, &format!("{at} {key}"), &h[key]).await;
                checked_lists += 1;
            }
            if i % 3 == 0 && p % 2 == 0 {
                for key in [
                    "studios_by_level",
                    "studios_by_state",
                    "projects_started_by_category",
                    "projects_finished_by_category",
                    "outcomes_by_kind",
                    "outcomes_by_level",
                ] {
                    for f in h[key].as_array().unwrap() {
                        check_list(&admin, &format!("{at} {key} {}", f["code"]), f).await;
                        checked_lists += 1;
                    }
                }
            }
        }
    }
    assert!(checked_lists > 800, "{checked_lists}");
    // The dashboard's rows are the same figures: each child's, each year's.
    let root = chosen[0].0;
    let d = admin.ok_get(&format!("/api/v1/stats/dashboard?unit_id={root}&year={}", y - 1)).await;
    let cols: Vec<&str> = d["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let named_col = cols.iter().position(|c| *c == "named_studios").unwrap();
    for child in d["children"].as_array().unwrap() {
        let h = admin.ok_get(&format!("/api/v1/stats?unit_id={}&year={}", child["unit_id"], y - 1)).await;
        assert_eq!(child["values"][named_col]["value"], h["named_studios"]["value"], "{child}");
        let outcomes = cols.iter().position(|c| *c == "outcomes").unwrap();
        assert_eq!(child["values"][outcomes]["value"], h["outcomes"]["value"]);
    }
    // The children and the unit's own records make up the unit; the unit's own records,
    // counted apart.
    let (last_from, last_to) = (day(y - 1, 1, 1), day(y - 1, 12, 31));
    let mut with_own = 0;
    for (u, path, _) in &chosen {
        let d = admin.ok_get(&format!("/api/v1/stats/dashboard?unit_id={u}&year={}", y - 1)).await;
        if !d["children"].as_array().unwrap().is_empty() {
            let n = count_here(&app, path.clone(), last_from, last_to).await;
            let own = |code: &str| {
                let i = cols.iter().position(|c| *c == code).unwrap();
                d["own"]["values"][i]["value"].as_i64().unwrap_or(0)
            };
            let at = format!("unit {u}, its own records");
            let named: i64 = n.studios.iter().filter(|((_, s), _)| s == "named" || s == "warned").map(|(_, v)| v).sum();
            assert_eq!(own("named_studios"), named, "{at}");
            assert_eq!(own("members"), n.members, "{at}");
            assert_eq!(own("projects_started"), n.started.values().sum::<i64>(), "{at}");
            assert_eq!(own("projects_finished"), n.finished.values().sum::<i64>(), "{at}");
            assert_eq!(own("outcomes"), n.outcomes_by_kind.values().sum::<i64>(), "{at}");
            assert_eq!(own("applied_outcomes"), n.applied, "{at}");
            assert_eq!(own("verified_benefit"), n.verified.1, "{at}");
            assert_eq!(own("people_trained"), n.trainings.1, "{at}");
            with_own += usize::from(!d["own"].is_null());
        }
        // Members and apprentices are distinct people: one in two children counts once.
        for (i, code) in cols.iter().enumerate().filter(|(_, c)| !["members", "apprentices"].contains(*c)) {
            let mut sum: i64 =
                d["children"].as_array().unwrap().iter().map(|r| r["values"][i]["value"].as_i64().unwrap()).sum();
            sum += d["own"]["values"][i]["value"].as_i64().unwrap_or(0);
            let whole = d["trend"].as_array().unwrap().last().unwrap()["values"][i]["value"].as_i64().unwrap();
            if !d["children"].as_array().unwrap().is_empty() {
                assert_eq!(sum, whole, "unit {u}: {code} of the children and the unit itself");
            }
        }
    }
    assert!(with_own > 0, "some unit holds records of its own");
    for row in d["trend"].as_array().unwrap() {
        let h = admin
            .ok_get(&format!(
                "/api/v1/stats?unit_id={root}&from={}&to={}",
                row["from"].as_str().unwrap(),
                row["to"].as_str().unwrap()
            ))
            .await;
        assert_eq!(row["values"][named_col]["value"], h["named_studios"]["value"], "{row}");
    }
    // Ranked highest first by the figure asked for.
    let d = admin.ok_get(&format!("/api/v1/stats/dashboard?unit_id={root}&year={}&sort=outcomes", y - 1)).await;
    let col = cols.iter().position(|c| *c == "outcomes").unwrap();
    let values: Vec<i64> =
        d["children"].as_array().unwrap().iter().map(|r| r["values"][col]["value"].as_i64().unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    app.assert_figures_rebuild().await;
}

async fn stocks_at_their_boundaries_and_history_entered_later(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let ent1 = app.login("ent1", PASSWORD).await;
    let city = app.login("city.a", PASSWORD).await;
    let lead = app.login("lead1", PASSWORD).await;
    let step = |api: &Api, body: Value| {
        let (api, path) = (api.clone(), format!("/api/v1/studios/{}/transitions", w.s1));
        async move { api.post(&path, body).await }
    };
    // A studio's past, entered step by step with the days they took effect: named on the last
    // day of 2015, warned in 2019, revoked on the first day of 2020.
    let (s, v) =
        step(&ent1, json!({"action": "apply", "target_unit_id": w.city_a, "effective_on": "2015-03-01"})).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = step(&city, json!({"action": "start_review", "effective_on": "2015-02-01"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["effective_on"].as_str().unwrap().contains("2015-03-01"), "{v}");
    let (s, v) = step(&city, json!({"action": "start_review", "effective_on": "2099-01-01"})).await;
    assert_eq!(s, 422, "{v}");
    city.ok_post(
        &format!("/api/v1/studios/{}/transitions", w.s1),
        json!({"action": "start_review", "effective_on": "2015-11-20"}),
    )
    .await;
    let notice = json!({"action": "approve", "effective_on": "2015-12-01", "notice_starts_on": "2015-12-01", "notice_ends_on": "2015-12-07"});
    city.ok_post(&format!("/api/v1/studios/{}/transitions", w.s1), notice).await;
    let named = city
        .ok_post(
            &format!("/api/v1/studios/{}/transitions", w.s1),
            json!({"action": "name", "named_on": "2015-12-31", "certificate_no": "甲一工发〔2015〕9号"}),
        )
        .await;
    assert_eq!((named["state"].as_str(), named["level"].as_str()), (Some("named"), Some("city")));
    let warn =
        json!({"action": "warn", "reason": "年度考核不合格", "effective_on": "2019-06-01", "rectify_by": "2019-12-01"});
    city.ok_post(&format!("/api/v1/studios/{}/transitions", w.s1), warn).await;
    // Read just before the revocation: a union's figures are remembered, and must not be
    // served again once a change moved them.
    let h = city.ok_get(&format!("/api/v1/stats?unit_id={}&year=2020", w.city_a)).await;
    assert_eq!(h["named_studios"]["value"], 1, "{h}");
    // So are an enterprise's and a workshop's, counted from their records.
    for unit in [w.e1, w.w1] {
        let h = city.ok_get(&format!("/api/v1/stats?unit_id={unit}&year=2020")).await;
        assert_eq!(h["named_studios"]["value"], 1, "{h}");
    }
    let revoke = json!({"action": "revoke", "reason": "连续两年考核不合格", "effective_on": "2020-01-01"});
    city.ok_post(&format!("/api/v1/studios/{}/transitions", w.s1), revoke).await;
    // The history says when each step took effect, and that it was entered later, by whom.
    let hist = ent1.ok_get(&format!("/api/v1/studios/{}/transitions", w.s1)).await;
    let days: Vec<&str> = hist.as_array().unwrap().iter().map(|t| t["effective_on"].as_str().unwrap()).collect();
    assert_eq!(days, vec!["2015-03-01", "2015-11-20", "2015-12-01", "2015-12-31", "2019-06-01", "2020-01-01"]);
    assert!(hist.as_array().unwrap().iter().all(|t| t["at"].as_i64().unwrap() > 1_700_000_000_000));
    assert_eq!(hist[5]["actor_name"], "city.a");

    let named_on = |to: &'static str| {
        let city = city.clone();
        let unit = w.city_a;
        async move {
            let h = city.ok_get(&format!("/api/v1/stats?unit_id={unit}&from=2010-01-01&to={to}")).await;
            h["named_studios"]["value"].as_i64().unwrap()
        }
    };
    assert_eq!(named_on("2015-12-30").await, 0, "the day before the naming");
    assert_eq!(named_on("2015-12-31").await, 1, "named on the period's last day: in that year's report");
    assert_eq!(named_on("2018-12-31").await, 1);
    assert_eq!(named_on("2019-12-31").await, 1, "warned, still named");
    assert_eq!(named_on("2020-01-01").await, 0, "revoked on the first day of 2020");
    assert_eq!(named_on("2021-12-31").await, 0);
    let h = city.ok_get(&format!("/api/v1/stats?unit_id={}&year=2020", w.city_a)).await;
    assert_eq!(h["named_studios"]["value"], 0, "{h}");
    for unit in [w.e1, w.w1] {
        let h = city.ok_get(&format!("/api/v1/stats?unit_id={unit}&year=2020")).await;
        assert_eq!(h["named_studios"]["value"], 0, "an enterprise's remembered figures moved too: {h}");
    }
    let revoked = h["studios_by_state"].as_array().unwrap().iter().find(|f| f["code"] == "revoked").unwrap().clone();
    assert_eq!(revoked["value"], 1);
    let (n, _, _) = walk(&city, revoked["link"].as_str().unwrap()).await;
    assert_eq!(n, 1);
    let h = city.ok_get(&format!("/api/v1/stats?unit_id={}&year=2018", w.city_a)).await;
    let (n, _, list) = walk(&city, h["named_studios"]["link"].as_str().unwrap()).await;
    assert_eq!(
        (n, list["items"][0]["state"].as_str(), list["items"][0]["on"].as_str()),
        (1, Some("named"), Some("2015-12-31"))
    );

    // Members on the day: one who joins on 2026-01-10 and leaves on 2026-03-01 holds from the
    // first day to the day before the last.
    let admin = app.admin().await;
    let p = admin
        .ok_post(
            &format!("/api/v1/studios/{}/members", w.s1),
            json!({"kind": "join", "person_id": w.p4, "role": "member", "effective_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(p["status"], "approved");
    let team = admin.ok_get(&format!("/api/v1/studios/{}/members", w.s1)).await;
    let m = team.as_array().unwrap().iter().find(|m| m["person_id"] == w.p4).unwrap()["id"].as_i64().unwrap();
    admin
        .ok_post(
            &format!("/api/v1/studios/{}/members", w.s1),
            json!({"kind": "leave", "member_id": m, "effective_on": "2026-03-01"}),
        )
        .await;
    let members_on = |to: &'static str| {
        let admin = admin.clone();
        let unit = w.e1;
        async move {
            let h = admin.ok_get(&format!("/api/v1/stats?unit_id={unit}&from=2026-01-01&to={to}")).await;
            let (n, _, _) = walk(&admin, h["members"]["link"].as_str().unwrap()).await;
            assert_eq!(h["members"]["value"].as_i64(), Some(n));
            n
        }
    };
    let before = members_on("2026-01-09").await;
    assert_eq!(members_on("2026-01-10").await, before + 1, "joined on the last day: counted");
    assert_eq!(members_on("2026-02-28").await, before + 1);
    assert_eq!(members_on("2026-03-01").await, before, "left on the last day: no longer counted");

    // A project entered as already finished: approved in 2023, completed in 2024, no light.
    let body = json!({
        "studio_id": w.s1, "title": "焊接机器人改造", "category": "技术攻关", "source": "own",
        "leader_person_id": w.leader1, "starts_on": "2023-03-10", "ends_on": "2024-06-30",
        "milestones": [{"title": "样机", "due_on": "2023-12-31"}],
        "approved_on": "2023-03-01", "completed_on": "2024-06-28", "number": "XM-HIST-001",
        "conclusion": "达到预期目标，同意结题", "acceptance_record": "企业技术部组织验收", "achieved_benefit_yuan": 380000
    });
    let (s, v) = lead.post("/api/v1/projects", body.clone()).await;
    assert_eq!(s, 422, "history is entered by administrators: {v}");
    assert_eq!(v["error"]["fields"]["approved_on"], "只有管理员可以补录过去日期的历史。");
    let mut bad = body.clone();
    bad["completed_on"] = json!("2022-12-31");
    let (s, v) = ent1.post("/api/v1/projects", bad).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["fields"]["completed_on"].is_string());
    let p = ent1.ok_post("/api/v1/projects", body).await;
    assert_eq!((p["state"].as_str(), p["light"].as_str()), (Some("completed"), None), "{p}");
    assert_eq!((p["approved_on"].as_str(), p["completed_on"].as_str()), (Some("2023-03-01"), Some("2024-06-28")));
    let pid = p["id"].as_i64().unwrap();
    let steps = ent1.ok_get(&format!("/api/v1/projects/{pid}/transitions")).await;
    let days: Vec<&str> = steps.as_array().unwrap().iter().map(|t| t["effective_on"].as_str().unwrap()).collect();
    assert_eq!(days, vec!["2023-03-01", "2023-03-10", "2024-06-28", "2024-06-28"]);
    let audit = admin.ok_get(&format!("/api/v1/history/project/{pid}")).await;
    let entry = &audit["items"][0];
    assert_eq!(
        (entry["action"].as_str(), entry["account_name"].as_str()),
        (Some("create.history"), Some("ent1")),
        "{entry}"
    );
    let figures = |year: i16| {
        let admin = admin.clone();
        let unit = w.e1;
        async move { admin.ok_get(&format!("/api/v1/stats?unit_id={unit}&year={year}")).await }
    };
    let (h23, h24) = (figures(2023).await, figures(2024).await);
    assert_eq!(
        (h23["projects_started"]["value"].as_i64(), h23["projects_finished"]["value"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        (h24["projects_started"]["value"].as_i64(), h24["projects_finished"]["value"].as_i64()),
        (Some(0), Some(1))
    );
    let reds = admin.ok_get(&format!("/api/v1/projects?unit_id={}&light=red", w.e1)).await;
    assert!(reds["items"].as_array().unwrap().iter().all(|x| x["id"] != pid));
    let swept = jiangxin::app::sweep::sweep(&app.state, jiangxin::clock::today()).await.unwrap();
    assert_eq!(swept.red, 0, "nothing turned red");
    // Every figure kept by these changes equals a rebuild from the records.
    app.assert_figures_rebuild().await;
    // And the province above the city holds the same figures as the city (one child).
    let prov = admin.ok_get(&format!("/api/v1/stats?unit_id={}&year=2015", w.province_a)).await;
    let cit = admin.ok_get(&format!("/api/v1/stats?unit_id={}&year=2015", w.city_a)).await;
    assert_eq!(
        prov["named_studios"],
        json!({"code": "named_studios", "value": 1, "records": 1, "link": format!("/figures/named_studios?unit_id={}&from=2015-01-01&to=2015-12-31", w.province_a)})
    );
    assert_eq!(cit["named_studios"]["value"], 1);
    let by: HashMap<String, Value> = prov["studios_by_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    assert_eq!(by["city"], 1);
}

async fn figure_lists_refuse_what_they_do_not_take(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let city = app.login("city.a", PASSWORD).await;
    let worker = app.login("worker1", PASSWORD).await;
    let u = w.city_a;
    for (url, status, field) in [
        (format!("/api/v1/figures/nothing?unit_id={u}"), 404, ""),
        (format!("/api/v1/figures/outcomes?unit_id={u}&kind=bad"), 422, "kind"),
        (format!("/api/v1/figures/members?unit_id={u}&category=x"), 422, "category"),
        (format!("/api/v1/figures/studios?unit_id={u}&level=province&state=bad"), 422, "state"),
        (format!("/api/v1/figures/outcomes?unit_id={u}&level=county"), 422, "level"),
        (format!("/api/v1/figures/outcomes?unit_id={u}&from=2026-05-01&to=2026-01-01"), 422, "to"),
        (format!("/api/v1/figures/outcomes?unit_id={u}&to=2999-01-01"), 422, "to"),
        (format!("/api/v1/figures/outcomes?unit_id={}", w.province_b), 404, ""),
        (format!("/api/v1/stats/dashboard?unit_id={u}&sort=xyz"), 422, "sort"),
        (format!("/api/v1/stats?unit_id={u}&year=1800"), 422, "year"),
    ] {
        let (s, v) = city.get(&url).await;
        assert_eq!(s.as_u16(), status, "{url}: {v}");
        if !field.is_empty() {
            assert!(v["error"]["fields"][field].is_string(), "{url}: {v}");
        }
    }
    // A worker reads the figures of the enterprise, but the lists of people are for those
    // who keep personnel records.
    let h = worker.ok_get(&format!("/api/v1/stats?unit_id={}", w.e1)).await;
    assert!(h["members"]["link"].is_null() && h["people"]["link"].is_null());
    assert!(h["projects_started"]["link"].is_string());
    assert_eq!(worker.get(&format!("/api/v1/figures/members?unit_id={}", w.e1)).await.0, 404);
    assert_eq!(worker.get(&format!("/api/v1/figures/projects_started?unit_id={}", w.e1)).await.0, 200);
}

/// On SQLite every statement of one read sees the same state of the database: a list's total
/// and its rows, read one after the other for a page, agree even when a write lands between
/// them. PostgreSQL reads in autocommit (a transaction per read cost a third of its throughput
/// of small pages): each statement sees the latest commit. On both, the next read sees the write.
async fn a_read_sees_one_state_of_the_database(b: Backend) {
    let app = TestApp::start(b).await;
    let db = app.db.clone();
    let count = "SELECT COUNT(*) FROM audit_log";
    let (before, during, after) = tokio::task::spawn_blocking(move || {
        let writer = db.clone();
        let (before, during) = db
            .read_blocking(|c| {
                let before = c.scalar(count, &[])?;
                writer.write_blocking(|w| {
                    w.execute(
                        "INSERT INTO audit_log (at, entity, entity_id, action) VALUES (1, 'test', 1, 'create')",
                        &[],
                    )
                })?;
                Ok((before, c.scalar(count, &[])?))
            })
            .expect("one read");
        (before, during, db.read_blocking(|c| c.scalar(count, &[])).expect("the next read"))
    })
    .await
    .expect("the reads");
    match b {
        Backend::Sqlite => assert_eq!(during, before, "a write committed during a read is not seen by that read"),
        Backend::Postgres => assert_eq!(during, before + 1, "each statement sees the latest commit"),
    }
    assert_eq!(after, before + 1, "the next read sees it");
}

both!(
    a_read_sees_one_state_of_the_database,
    every_figure_equals_its_list_and_a_count_of_the_records,
    stocks_at_their_boundaries_and_history_entered_later,
    figure_lists_refuse_what_they_do_not_take
);
