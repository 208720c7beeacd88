//! Paper, in a real browser: each print layout printed to PDF by headless Chromium (WebDriver's
//! Print command) is A4, has the pages it should (a ledger record fits on one), carries its
//! letterhead, content and signature blocks, and no navigation, menu or button. Printing an
//! ordinary page drops the navigation too. Needs poppler-utils (`pdfinfo`, `pdftotext`),
//! which `.ci/run` installs.
//!
//! With `JIANGXIN_PAPER_OUT=<folder>` the PDFs and screenshots (1366 and 360 px wide) are kept
//! there, to look at.

use crate::both;
use crate::browser::{fits_the_phone, start_driver};
use crate::common::{ADMIN_PASSWORD, Backend, PASSWORD, TestApp, activity, world};
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A desktop-sized headless Chromium speaking Chinese, `width` pixels wide.
async fn browser(url: &str, width: u32, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    let mut options = json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
            "args": ["--headless=new", "--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--hide-scrollbars", format!("--window-size={width},900"), format!("--user-data-dir={}", profile.display())]
    });
    if width < 600 {
        options["mobileEmulation"] = json!({"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 2.0}});
    }
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(url)
        .await
        .expect("connect to chromedriver")
}

async fn log_in(c: &Client, base: &str) -> Result<(), CmdError> {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Css("#f-username")).await?.send_keys("admin").await?;
    c.find(Locator::Css("#f-password")).await?.send_keys(ADMIN_PASSWORD).await?;
    c.find(Locator::Css("form button[type=submit].primary")).await?.click().await?;
    c.wait().for_element(Locator::Css("header nav")).await?;
    Ok(())
}

/// What poppler says of a PDF: page count, page size, the text.
struct Pdf {
    pages: usize,
    size: String,
    text: String,
}

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}): install poppler-utils (.ci/run does)"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_pdf(path: &Path) -> Pdf {
    let p = path.to_string_lossy();
    let info = poppler("pdfinfo", &[&p]);
    let field =
        |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
    Pdf {
        pages: field("Pages:").parse().unwrap_or(0),
        size: field("Page size:"),
        text: poppler("pdftotext", &["-layout", &p, "-"]),
    }
}

/// Prints a page to PDF with headless Chromium in the given profile, and reads it.
fn print_to_pdf(profile: &Path, url: &str, file: &Path) -> Pdf {
    let bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let out = Command::new(&bin)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", file.display()))
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin} ({e})"));
    assert!(file.exists(), "{url} printed: {}", String::from_utf8_lossy(&out.stderr));
    read_pdf(file)
}

/// What must never be on paper: the menu, the header's tools, the print page's own toolbar.
const NOT_ON_PAPER: &[&str] =
    &["退出", "主菜单", "跳到正文", "English", "返回", "打印时请选", "匠心 · 创新工作室管理平台"];

struct Doc {
    name: &'static str,
    path: String,
    pages: usize,
    shows: Vec<String>,
}

async fn each_layout_prints_on_a4(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let admin = app.admin().await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let ent1 = app.login("ent1", PASSWORD).await;

    // Two signed records and one not yet signed.
    let mut signed = Vec::new();
    for title in ["焊接工艺培训", "月度工作例会"] {
        let a = if title == "月度工作例会" {
            // Minutes as long as a real meeting's fit on the page too.
            let minutes = "一、通报本月课题进展：焊接机器人改造完成样机调试，焊缝一次合格率由92%提高到97.5%。二、讨论下月攻关重点，\
                           确定由王小明负责工装夹具改进，张红负责工艺文件修订。三、学习先进操作法，组织成员交流经验。"
                .repeat(5);
            lead1
                .ok_post(
                    "/api/v1/activities",
                    json!({"studio_id": w.s1, "kind": "monthly_meeting", "held_on": crate::common::day(-1),
                           "place": "技术中心201室", "host_person_id": w.leader1, "title": title, "hours": 1.5,
                           "attendee_ids": [w.leader1, w.p2, w.p3], "summary": minutes}),
                )
                .await
        } else {
            activity(&lead1, w.s1, w.leader1, title).await
        };
        let id = a["id"].as_i64().unwrap();
        for _ in 0..2 {
            lead1.ok_post(&format!("/api/v1/activities/{id}/signatures"), json!({})).await;
        }
        signed.push(id);
    }
    let unsigned = activity(&lead1, w.s1, w.leader1, "待签字的交流活动").await["id"].as_i64().unwrap();
    let record = admin.ok_get(&format!("/api/v1/activities/{}", signed[0])).await;
    let seal = record["seal_fingerprint"].as_str().expect("a sealed record has a fingerprint").to_string();
    assert_eq!(seal.len(), 19, "{seal}");
    let year = record["activity"]["held_on"].as_str().unwrap()[..4].to_string();

    // The year's plan, agreed.
    let this_year = jiangxin::clock::today().year();
    lead1
        .ok_put(
            &format!("/api/v1/studios/{}/plans/{this_year}", w.s1),
            json!({"projects_started": 4, "projects_finished": 2, "trainees": 60, "training_sessions": 6,
                   "budget_yuan": 50000, "note": "重点攻关焊缝返修率"}),
        )
        .await;
    let steps = format!("/api/v1/studios/{}/plans/{this_year}/transitions", w.s1);
    lead1.ok_post(&steps, json!({"action": "submit"})).await;
    ent1.ok_post(&steps, json!({"action": "agree"})).await;

    // A suggestion, scored and adopted.
    let worker1 = app.login("worker1", PASSWORD).await;
    let s = worker1
        .ok_post(
            "/api/v1/suggestions",
            json!({"title": "冲压线增加自动上料装置", "category": "rationalization",
                   "situation": "冲压线上料靠人工搬运，劳动强度大，节拍慢。", "measure": "加装自动上料装置，由传感器控制送料。",
                   "expected_benefit_yuan": 80000}),
        )
        .await;
    let sid = s["id"].as_i64().unwrap();
    let path = format!("/api/v1/suggestions/{sid}/transitions");
    ent1.ok_post(
        &path,
        json!({"action": "score", "technical": 26, "economic": 25, "scope": 16, "practicality": 17, "value_yuan": 120000}),
    )
    .await;
    ent1.ok_post(&path, json!({"action": "adopt", "reason": "效果明显，同意采纳"})).await;

    // A project accepted and completed.
    let p = ent1
        .ok_post(
            "/api/v1/projects",
            json!({"studio_id": w.s1, "title": "焊接机器人改造", "category": "技术攻关", "source": "own",
                   "leader_person_id": w.leader1, "starts_on": "2023-03-10", "ends_on": "2024-06-30",
                   "members": [{"person_id": w.leader1, "duty": "负责人"}, {"person_id": w.p2, "duty": "编程调试"}],
                   "milestones": [{"title": "样机", "due_on": "2023-12-31"}],
                   "approved_on": "2023-03-01", "completed_on": "2024-06-28", "number": "XM-2023-001",
                   "conclusion": "达到预期目标，同意结题", "acceptance_record": "企业技术部组织验收，专家组现场测试焊缝合格率。",
                   "achieved_benefit_yuan": 380000}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();

    // A mentorship agreement, in force, with one assessment.
    let m = lead1
        .ok_post(
            "/api/v1/mentorships",
            json!({"studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.worker_person,
                   "trade": "数控车工", "starts_on": crate::common::day(-60), "target_grade": "technician",
                   "teaching_plan": "每周现场带教两次，每月集中授课一次；第三个月独立完成典型零件加工。", "allowance_yuan": 6000}),
        )
        .await;
    let mid = m["id"].as_i64().unwrap();
    lead1.ok_post(&format!("/api/v1/mentorships/{mid}/steps"), json!({"action": "approve_pair"})).await;
    ent1.ok_post(&format!("/api/v1/mentorships/{mid}/steps"), json!({"action": "approve_agreement"})).await;
    lead1
        .ok_post(
            &format!("/api/v1/mentorships/{mid}/assessments"),
            json!({"kind": "periodic", "apprentice_score": 82, "mentor_score": 88}),
        )
        .await;

    // An application to a province round (申报表), recommended by the city.
    let union = app.login("union.a", PASSWORD).await;
    let round = union
        .ok_post(
            "/api/v1/rounds",
            json!({"unit_id": w.province_a, "title": "甲省省级劳模创新工作室申报", "deadline": crate::common::day(10),
                   "years_running": 3, "criteria": [{"name": "创新成果", "max_points": 100}], "min_reviewers": 1,
                   "reviewers": [w.account("reviewer.a")]}),
        )
        .await;
    let application = lead1
        .ok_post(
            &format!("/api/v1/rounds/{}/applications", round["id"]),
            json!({"studio_id": w.s1, "statement": "工作室围绕焊接工艺开展攻关，培养技师五名。"}),
        )
        .await;
    let aid = application["id"].as_i64().unwrap();
    app.login("city.a", PASSWORD)
        .await
        .ok_post(&format!("/api/v1/applications/{aid}/recommendation"), json!({"recommend": true}))
        .await;

    // An inspection by the province's union with a follow-up item, and the year's work report.
    let union_a = app.login("union.a", PASSWORD).await;
    let ins = union_a
        .ok_post(
            "/api/v1/inspections",
            json!({"studio_id": w.s1, "score": 87, "remarks": "台账较完整，制度需上墙。",
                   "checklist": [{"item": "rules_posted", "met": false, "note": "制度未上墙"}],
                   "follow_ups": [{"item": "制度上墙", "due_on": crate::common::day(20)}]}),
        )
        .await;
    let iid = ins["inspection"]["id"].as_i64().unwrap();

    let mut docs = vec![
        Doc {
            name: "inspection",
            path: format!("/inspections/{iid}/print"),
            pages: 1,
            shows: vec![
                "创新工作室检查记录表".into(),
                "制度未上墙".into(),
                "87".into(),
                "检查人签字".into(),
                "工作室领衔人签字".into(),
            ],
        },
        Doc {
            name: "annual-report",
            path: format!("/studios/{}/annual-reports/{this_year}/print", w.s1),
            // Ten sections, then the signatures and the seal.
            pages: 2,
            shows: vec![
                format!("{this_year} 年度工作汇报"),
                "一、年度目标完成情况".into(),
                "九、检查与整改".into(),
                "工作室领衔人签字".into(),
                "企业盖章".into(),
            ],
        },
    ];
    docs.extend(vec![
        Doc {
            name: "application",
            path: format!("/applications/{aid}/print"),
            // The record, then the signatures and seals of the four parties.
            pages: 2,
            shows: vec![
                "东方机械有限公司工会".into(),
                "劳模和工匠人才创新工作室申报表".into(),
                "培养技师五名".into(),
                "工作室领衔人".into(),
                "推荐单位意见".into(),
                "命名单位盖章".into(),
            ],
        },
        Doc {
            name: "mentorship",
            path: format!("/mentorships/{mid}/print"),
            pages: 1,
            shows: vec![
                "东方机械有限公司工会".into(),
                "师徒协议".into(),
                "典型零件加工".into(),
                "师傅签字".into(),
                "徒弟签字".into(),
                "领衔人 李建国".into(),
                "工作室领衔人签字".into(),
                "企业审批人签字".into(),
                "企业盖章".into(),
            ],
        },
        Doc {
            name: "activity",
            path: format!("/activities/{}/print", signed[0]),
            pages: 1,
            shows: vec![
                "东方机械有限公司工会".into(),
                "创新工作室活动记录".into(),
                "焊接工艺培训".into(),
                seal.clone(),
            ],
        },
        Doc {
            name: "activity-en",
            path: format!("/activities/{}/print?lang=en", signed[0]),
            pages: 1,
            shows: vec![
                "Innovation studio activity record".into(),
                "Trade union of 东方机械有限公司".into(),
                "Ledger seal fingerprint".into(),
                seal.clone(),
            ],
        },
        Doc {
            name: "activity-long",
            path: format!("/activities/{}/print", signed[1]),
            pages: 1,
            shows: vec!["月度工作例会".into(), "工作室负责人签字".into()],
        },
        Doc {
            name: "activity-unsigned",
            path: format!("/activities/{unsigned}/print"),
            pages: 1,
            shows: vec!["尚未签齐".into(), "待签字的交流活动".into()],
        },
        Doc {
            name: "ledger",
            path: format!("/studios/{}/ledger/print?year={year}", w.s1),
            pages: 1 + signed.len(),
            shows: vec![format!("{year} 年度活动台账"), "月度工作例会".into(), seal.clone(), "工会盖章".into()],
        },
        Doc {
            name: "plan",
            path: format!("/studios/{}/plans/{this_year}/print", w.s1),
            pages: 1,
            shows: vec!["目标责任书".into(), "甲方（企业）".into(), "重点攻关焊缝返修率".into(), "甲方盖章".into()],
        },
        Doc {
            name: "suggestion",
            path: format!("/suggestions/{sid}/print"),
            pages: 1,
            shows: vec!["职工合理化建议表".into(), "孙工人".into(), "效果明显，同意采纳".into(), "建议人签字".into()],
        },
        Doc {
            name: "checklist",
            path: format!("/studios/{}/checklist/print", w.s1),
            pages: 1,
            shows: vec!["“八有”标准检查表".into(), "有成果展示".into(), "检查人签字".into()],
        },
        Doc {
            name: "acceptance",
            path: format!("/projects/{pid}/acceptance/print"),
            pages: 1,
            shows: vec![
                "创新课题验收记录".into(),
                "XM-2023-001".into(),
                "达到预期目标".into(),
                "验收组组长签字".into(),
            ],
        },
    ]);

    let keep = std::env::var("JIANGXIN_PAPER_OUT").ok().map(PathBuf::from);
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&out).expect("output folder");
    let tag = format!("{b:?}").to_lowercase();
    let (_driver, url) = start_driver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = browser(&url, 1366, profile.path()).await;
    let result = async {
        log_in(&c, &app.base).await?;
        let path_of = |name: &str| docs.iter().find(|d| d.name == name).map(|d| d.path.clone()).unwrap_or_default();
        // Each record page has a print button leading to its print page.
        for (page, print) in [
            (format!("/activities/{}", signed[0]), path_of("activity")),
            (format!("/studios/{}/ledger?year={year}", w.s1), path_of("ledger")),
            (format!("/studios/{}/plans/{this_year}", w.s1), path_of("plan")),
            (format!("/suggestions/{sid}"), path_of("suggestion")),
            (format!("/studios/{}", w.s1), path_of("checklist")),
            (format!("/projects/{pid}"), path_of("acceptance")),
            (format!("/mentorships/{mid}"), path_of("mentorship")),
        ] {
            c.goto(&format!("{}{page}", app.base)).await?;
            let link = c.find(Locator::Css(&format!("a.button[href='{print}']"))).await;
            assert!(link.is_ok(), "{page} has a print button to {print}");
            if keep.is_some() {
                let name = page.trim_start_matches('/').replace(['/', '?', '='], "_");
                std::fs::write(out.join(format!("{tag}-page-{name}-1366.png")), c.screenshot().await?).expect("write");
            }
        }
        // The record page shows the fingerprint the paper carries.
        c.goto(&format!("{}/activities/{}", app.base, signed[0])).await?;
        assert_eq!(c.find(Locator::Css("#seal")).await?.text().await?, seal);

        for d in &docs {
            c.goto(&format!("{}{}", app.base, d.path)).await?;
            c.wait().for_element(Locator::Css("article.page")).await?;
            assert!(
                c.find_all(Locator::Css("header.top, nav, form")).await?.is_empty(),
                "{}: no menu, no form",
                d.name
            );
            if keep.is_some() {
                let png = c.screenshot().await?;
                std::fs::write(out.join(format!("{tag}-{}-1366.png", d.name)), png).expect("write the screenshot");
            }
        }

        Ok::<_, CmdError>(())
    }
    .await;
    let _ = c.close().await;
    result.expect("browser steps");

    // Printed by Chromium itself with the session just opened (the profile keeps its cookie):
    // WebDriver's Print command sets the paper size itself, `--print-to-pdf` takes the page's.
    for d in &docs {
        let file = out.join(format!("{tag}-{}.pdf", d.name));
        let found = print_to_pdf(profile.path(), &format!("{}{}", app.base, d.path), &file);
        assert!(found.size.contains("(A4)"), "{}: A4, not {}", d.name, found.size);
        assert_eq!(found.pages, d.pages, "{}: pages\n{}", d.name, found.text);
        let text: String = found.text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in &d.shows {
            assert!(text.contains(s.as_str()), "{}: shows {s}\n{text}", d.name);
        }
        for s in NOT_ON_PAPER {
            assert!(!text.contains(s), "{}: {s} is not on paper\n{text}", d.name);
        }
    }
    // Printing an ordinary page drops the menu, the header and the buttons too.
    let file = out.join(format!("{tag}-record-page.pdf"));
    let found = print_to_pdf(profile.path(), &format!("{}/activities/{}", app.base, signed[0]), &file);
    assert!(found.size.contains("(A4)"), "{}", found.size);
    assert!(found.text.contains("焊接工艺培训"), "{}", found.text);
    for s in NOT_ON_PAPER.iter().chain(&["新建更正记录", "首页", "通知"]) {
        assert!(!found.text.contains(s), "the printed record page holds {s}:\n{}", found.text);
    }

    // On a phone, the print pages fit the screen.
    {
        let profile = tempfile::tempdir().expect("profile dir");
        let c = browser(&url, 360, profile.path()).await;
        let result = async {
            log_in(&c, &app.base).await?;
            for d in &docs {
                c.goto(&format!("{}{}", app.base, d.path)).await?;
                c.wait().for_element(Locator::Css("article.page")).await?;
                fits_the_phone(&c, d.name).await?;
                if keep.is_some() {
                    let png = c.screenshot().await?;
                    std::fs::write(out.join(format!("{tag}-{}-360.png", d.name)), png).expect("write the screenshot");
                }
            }
            // The record pages with their print buttons, to look at.
            if keep.is_some() {
                for page in [format!("/activities/{}", signed[0]), format!("/projects/{pid}")] {
                    c.goto(&format!("{}{page}", app.base)).await?;
                    let name = page.trim_start_matches('/').replace('/', "_");
                    std::fs::write(out.join(format!("{tag}-page-{name}-360.png")), c.screenshot().await?)
                        .expect("write");
                }
            }
            Ok::<_, CmdError>(())
        }
        .await;
        let _ = c.close().await;
        result.expect("phone screenshots");
    }
}

both!(each_layout_prints_on_a4);
