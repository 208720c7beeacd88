//! The OpenAPI document describes the API as it is: every operation it lists is called with
//! real data of the small world, each JSON body sent is valid by the document, and each answer
//! — its status, its content type, its body — is the one the document gives.
//!
//! The schemas are read by a small validator of the part of JSON Schema the document uses; a
//! keyword or format it does not know fails the test rather than passing unchecked.

use crate::both;
use crate::common::{
    ADMIN_PASSWORD, Api, Backend, PASSWORD, TestApp, activity, add_member, day, project, tiny_png, world,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The document, and the validator of the schemas in it.
struct Doc(Value);

/// Keywords that only describe.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentMediaType",
];

impl Doc {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("reference {r}"));
                let target = &self.0["components"]["schemas"][name];
                assert!(!target.is_null(), "no schema {name}");
                self.resolve(target)
            }
            None => schema,
        }
    }

    /// The problems of `value` by `schema`, each with where it is.
    fn check(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(keywords) = schema.as_object() else {
            problems.push(format!("{at}: the schema is not an object: {schema}"));
            return;
        };
        let mut own = Vec::new();
        let mut fail = |what: String| own.push(format!("{at}: {what} (value {value})"));
        let mut nested = Vec::new();
        // Property names, checked as strings of their own.
        let mut names = Vec::new();
        for (key, rule) in keywords {
            match key.as_str() {
                "$ref" => nested.push((self.resolve(schema), value, at.to_string())),
                "type" => {
                    let types: Vec<&str> = match rule {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("type {rule}"),
                    };
                    if !types.iter().any(|t| is_type(t, value)) {
                        fail(format!("not of type {rule}"));
                    }
                }
                "enum" => {
                    if !rule.as_array().is_some_and(|vs| vs.contains(value)) {
                        fail(format!("not one of {rule}"));
                    }
                }
                "properties" => {
                    if let Some(o) = value.as_object() {
                        for (name, sub) in rule.as_object().expect("properties") {
                            if let Some(v) = o.get(name) {
                                nested.push((sub, v, format!("{at}.{name}")));
                            }
                        }
                    }
                }
                "required" => {
                    if let Some(o) = value.as_object() {
                        for name in rule.as_array().expect("required").iter().filter_map(Value::as_str) {
                            if !o.contains_key(name) {
                                fail(format!("`{name}` is required"));
                            }
                        }
                    }
                }
                "propertyNames" => {
                    for name in value.as_object().into_iter().flat_map(|o| o.keys()) {
                        names.push((rule, Value::String(name.clone()), format!("{at}[{name}]")));
                    }
                }
                "additionalProperties" => {
                    if let Some(o) = value.as_object() {
                        let declared = schema.get("properties").and_then(Value::as_object);
                        for (name, v) in o {
                            if !declared.is_some_and(|d| d.contains_key(name)) {
                                match rule {
                                    Value::Bool(false) => fail(format!("`{name}` is not allowed")),
                                    Value::Bool(true) => {}
                                    sub => nested.push((sub, v, format!("{at}.{name}"))),
                                }
                            }
                        }
                    }
                }
                "prefixItems" => {
                    if let Some(a) = value.as_array() {
                        for (i, (sub, v)) in rule.as_array().expect("prefixItems").iter().zip(a).enumerate() {
                            nested.push((sub, v, format!("{at}[{i}]")));
                        }
                    }
                }
                "items" => {
                    if let Some(a) = value.as_array() {
                        // After `prefixItems`, `items` speaks of the rest.
                        let skip = schema.get("prefixItems").and_then(Value::as_array).map_or(0, Vec::len);
                        for (i, v) in a.iter().enumerate().skip(skip) {
                            match rule {
                                Value::Bool(false) => fail(format!("no item is allowed at {i}")),
                                Value::Bool(true) => {}
                                sub => nested.push((sub, v, format!("{at}[{i}]"))),
                            }
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Some(a) = value.as_array() {
                        let n = rule.as_u64().expect("a count") as usize;
                        if (key == "minItems" && a.len() < n) || (key == "maxItems" && a.len() > n) {
                            fail(format!("{key} {n}"));
                        }
                    }
                }
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    if let (Some(v), Some(bound)) = (value.as_f64(), rule.as_f64()) {
                        let ok = match key.as_str() {
                            "minimum" => v >= bound,
                            "maximum" => v <= bound,
                            "exclusiveMinimum" => v > bound,
                            _ => v < bound,
                        };
                        if !ok {
                            fail(format!("{key} {bound}"));
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let Some(s) = value.as_str() {
                        let (n, len) = (rule.as_u64().expect("a length") as usize, s.chars().count());
                        if (key == "minLength" && len < n) || (key == "maxLength" && len > n) {
                            fail(format!("{key} {n}"));
                        }
                    }
                }
                "pattern" => {
                    if let Some(s) = value.as_str() {
                        let re = regex_lite::Regex::new(rule.as_str().expect("a pattern")).expect("a valid pattern");
                        if !re.is_match(s) {
                            fail(format!("does not match {rule}"));
                        }
                    }
                }
                "format" => {
                    if let Some(problem) = format_problem(rule.as_str().expect("a format"), value) {
                        fail(problem);
                    }
                }
                "allOf" => {
                    for sub in rule.as_array().expect("allOf") {
                        nested.push((sub, value, at.to_string()));
                    }
                }
                "anyOf" | "oneOf" => {
                    let passing = rule
                        .as_array()
                        .expect("a list of schemas")
                        .iter()
                        .filter(|sub| {
                            let mut p = Vec::new();
                            self.check(sub, value, at, &mut p);
                            p.is_empty()
                        })
                        .count();
                    if passing == 0 || (key == "oneOf" && passing > 1) {
                        fail(format!("{key}: {passing} of the schemas match"));
                    }
                }
                k if ANNOTATIONS.contains(&k) => {}
                k => panic!("{at}: the validator does not know the keyword `{k}`"),
            }
        }
        problems.extend(own);
        for (sub, v, at) in nested {
            self.check(sub, v, &at, problems);
        }
        for (sub, v, at) in names {
            self.check(sub, &v, &at, problems);
        }
    }

    /// The operation at a path template and method.
    fn operation(&self, method: &Method, template: &str) -> &Value {
        let op = &self.0["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        op
    }

    /// Every operation of the document, as `METHOD template`.
    fn operations(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for (template, item) in self.0["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("a path item").keys() {
                all.insert(format!("{} {template}", method.to_uppercase()));
            }
        }
        all
    }
}

fn is_type(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => panic!("type {t}"),
    }
}

fn format_problem(format: &str, v: &Value) -> Option<String> {
    let ok = match (format, v) {
        (_, v) if !v.is_string() && !v.is_number() => true,
        ("int64", v) => v.is_i64(),
        ("int32", v) => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        ("double", v) | ("float", v) => v.is_f64() || v.is_i64(),
        ("date", Value::String(s)) => jiangxin::domain::validation::parse_date(s).is_some(),
        ("cursor" | "binary", Value::String(_)) => true,
        (f, _) => panic!("the validator does not know the format `{f}`"),
    };
    (!ok).then(|| format!("not of format {format}"))
}

/// The text parts and the file of an upload.
type Upload = (Vec<(&'static str, String)>, Vec<u8>);

/// One call and what it must answer.
struct Call<'a> {
    api: &'a Api,
    method: Method,
    /// The path template of the document.
    template: &'static str,
    /// The values of its parameters, in order.
    args: Vec<String>,
    /// A query string (`?…`).
    query: String,
    body: Option<Value>,
    /// A multipart upload: text parts and a file.
    upload: Option<Upload>,
    status: u16,
}

/// Runs calls, checks them against the document, and remembers which operations were called.
struct Checker {
    doc: Doc,
    called: BTreeSet<String>,
}

impl Checker {
    async fn run(&mut self, c: Call<'_>) -> Value {
        let mut path = c.template.to_string();
        for arg in &c.args {
            let (start, end) = (path.find('{').expect("a parameter"), path.find('}').expect("a parameter"));
            path.replace_range(start..=end, arg);
        }
        assert!(!path.contains('{'), "{}: parameters missing", c.template);
        let label = format!("{} {}", c.method, c.template);
        let op = self.doc.operation(&c.method, c.template).clone();
        let url = format!("{}{path}{}", c.api.base, c.query);
        let mut req = c.api.client.request(c.method.clone(), &url);
        if let Some(t) = &c.api.bearer {
            req = req.bearer_auth(t);
        }
        if let Some(body) = &c.body {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "{label}: no JSON body documented");
            let mut problems = Vec::new();
            self.doc.check(schema, body, "body", &mut problems);
            assert!(problems.is_empty(), "{label}: the body sent is not valid by the document: {problems:#?}");
            req = req.json(body);
        }
        if let Some((fields, bytes)) = c.upload {
            assert!(op["requestBody"]["content"]["multipart/form-data"].is_object(), "{label}: no upload documented");
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k, v);
            }
            form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name("proof.png"));
            req = req.multipart(form);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_string());
        let bytes = resp.bytes().await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_eq!(status.as_u16(), c.status, "{label} ({path}{}): {text}", c.query);
        self.called.insert(label.clone());
        let value = self.check_answer(&label, &op, status, content_type.as_deref(), &bytes);
        value.unwrap_or(Value::String(text))
    }

    /// Checks an answer against the response the document gives for its status.
    fn check_answer(
        &self,
        label: &str,
        op: &Value,
        status: StatusCode,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> Option<Value> {
        let code = status.as_u16().to_string();
        let range = format!("{}XX", &code[..1]);
        let responses = &op["responses"];
        let documented = [code.as_str(), range.as_str(), "default"]
            .iter()
            .map(|k| &responses[*k])
            .find(|r| r.is_object())
            .unwrap_or_else(|| panic!("{label}: status {code} is not documented"));
        let Some(content) = documented.get("content").and_then(Value::as_object) else {
            assert!(bytes.is_empty(), "{label}: {code} documents no content, got {}", String::from_utf8_lossy(bytes));
            return None;
        };
        let ct = content_type.unwrap_or_else(|| panic!("{label}: {code} without a content type"));
        let media =
            content.get(ct).unwrap_or_else(|| panic!("{label}: {code} in {ct}, documented: {:?}", content.keys()));
        if ct != "application/json" {
            return None;
        }
        let value: Value = serde_json::from_slice(bytes).expect("JSON");
        let mut problems = Vec::new();
        self.doc.check(&media["schema"], &value, "answer", &mut problems);
        assert!(problems.is_empty(), "{label}: {code} is not as documented: {problems:#?}\n{value}");
        Some(value)
    }
}

fn call<'a>(api: &'a Api, method: Method, template: &'static str, args: &[&dyn ToString], status: u16) -> Call<'a> {
    Call {
        api,
        method,
        template,
        args: args.iter().map(|a| a.to_string()).collect(),
        query: String::new(),
        body: None,
        upload: None,
        status,
    }
}

impl<'a> Call<'a> {
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn query(mut self, query: &str) -> Self {
        self.query = query.to_string();
        self
    }

    fn upload(mut self, fields: &[(&'static str, &str)], bytes: Vec<u8>) -> Self {
        self.upload = Some((fields.iter().map(|(k, v)| (*k, v.to_string())).collect(), bytes));
        self
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("an id in {v}"))
}

async fn every_answer_as_documented(b: Backend) {
    let app = TestApp::start(b).await;
    let w = world(&app).await;
    let anon = app.anonymous();
    let doc = Doc(anon.ok_get("/api/openapi.json").await);
    let mut t = Checker { doc, called: BTreeSet::new() };
    use Method as M;

    // Sessions and tokens. Uploads go with a token (no CSRF token needed).
    let admin = Api::new(&app.base);
    t.run(
        call(&admin, M::POST, "/api/v1/session", &[], 200)
            .body(json!({"username": "admin", "password": ADMIN_PASSWORD})),
    )
    .await;
    t.run(
        call(&anon, M::POST, "/api/v1/session", &[], 401)
            .body(json!({"username": "admin", "password": "wrong-password"})),
    )
    .await;
    t.run(call(&admin, M::GET, "/api/v1/session", &[], 200)).await;
    t.run(call(&anon, M::GET, "/api/v1/session", &[], 401)).await;
    let token = t
        .run(call(&admin, M::POST, "/api/v1/tokens", &[], 201).body(json!({"name": "接口", "expires_on": day(30)})))
        .await;
    let bearer = admin.with_token(token["secret"].as_str().unwrap());
    let spare = t.run(call(&admin, M::POST, "/api/v1/tokens", &[], 201).body(json!({"name": "备用"}))).await;
    t.run(call(&admin, M::GET, "/api/v1/tokens", &[], 200)).await;
    t.run(call(&admin, M::DELETE, "/api/v1/tokens/{id}", &[&id(&spare)], 200)).await;

    // Accounts, grants, the change history.
    t.run(call(&admin, M::GET, "/api/v1/accounts", &[], 200).query("?limit=5")).await;
    let acc = t
        .run(call(&admin, M::POST, "/api/v1/accounts", &[], 201).body(json!({
            "username": "Wang.Fang", "display_name": "王芳", "password": "a-long-password", "home_unit_id": w.e1
        })))
        .await;
    let acc_id = id(&acc);
    t.run(call(&admin, M::GET, "/api/v1/accounts/{id}", &[&acc_id], 200)).await;
    let granted = t
        .run(
            call(&admin, M::POST, "/api/v1/accounts/{id}/grants", &[&acc_id], 200)
                .body(json!({"role": "enterprise_admin", "unit_id": w.e1})),
        )
        .await;
    let grant = granted["grants"][0]["id"].as_i64().expect("a grant");
    t.run(call(&admin, M::DELETE, "/api/v1/grants/{id}", &[&grant], 200)).await;
    t.run(
        call(&admin, M::PUT, "/api/v1/accounts/{id}/password", &[&acc_id], 204)
            .body(json!({"password": "another-long-one"})),
    )
    .await;
    t.run(call(&admin, M::PUT, "/api/v1/accounts/{id}/active", &[&acc_id], 200).body(json!({"active": false}))).await;
    t.run(call(&admin, M::GET, "/api/v1/history/{entity}/{id}", &[&"account", &acc_id], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/accounts/{id}", &[&999_999], 404)).await;

    // The organisation tree.
    t.run(call(&admin, M::GET, "/api/v1/org-units", &[], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/org-units", &[], 200).query("?q=%E6%9C%BA%E6%A2%B0&kind=enterprise")).await;
    let unit = t
        .run(
            call(&admin, M::POST, "/api/v1/org-units", &[], 201)
                .body(json!({"parent_id": w.e1, "kind": "branch", "name": "质检部"})),
        )
        .await;
    t.run(call(&admin, M::GET, "/api/v1/org-units/{id}", &[&id(&unit)], 200)).await;
    t.run(call(&admin, M::PATCH, "/api/v1/org-units/{id}", &[&id(&unit)], 200).body(json!({"name": "质量检验部"})))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/org-units/{id}/children", &[&w.e1], 200).query("?limit=1")).await;
    t.run(call(&admin, M::GET, "/api/v1/org-units/{id}/stats", &[&w.province_a], 200)).await;

    // People.
    t.run(call(&admin, M::GET, "/api/v1/people", &[], 200).query(&format!("?unit_id={}&limit=2", w.e1))).await;
    let person_body = json!({
        "unit_id": w.w1, "name": "周师傅", "gender": "male", "birth_year": 1975, "education": "college",
        "title": "engineer", "skill_grade": "senior_technician", "employee_no": "E-9001", "phone": "0551-1234567",
        "honours": [{"honour": "city_model_worker", "year": 2019}], "registered_on": day(-10)
    });
    let person = t.run(call(&admin, M::POST, "/api/v1/people", &[], 201).body(person_body.clone())).await;
    let pid = id(&person);
    t.run(call(&admin, M::GET, "/api/v1/people/{id}", &[&pid], 200)).await;
    t.run(call(&admin, M::PUT, "/api/v1/people/{id}", &[&pid], 200).body(person_body)).await;

    // Studios: the record, the team, the checklist and its evidence, the life cycle.
    t.run(
        call(&admin, M::GET, "/api/v1/studios", &[], 200).query("?level=none&state=draft&kind=model_worker&limit=10"),
    )
    .await;
    let studio_body = json!({
        "unit_id": w.e1, "leader_person_id": pid, "name": "周师傅创新工作室", "kind": "craftsman", "field": "焊接",
        "founded_on": day(-100), "room": "二号楼", "area_m2": 80, "facilities": "焊机", "description": "焊接攻关",
        "contact": "0551-7654321", "partner": ""
    });
    let studio = t.run(call(&admin, M::POST, "/api/v1/studios", &[], 201).body(studio_body)).await;
    let sid = id(&studio);
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}", &[&sid], 200)).await;
    t.run(call(&admin, M::PUT, "/api/v1/studios/{id}", &[&sid], 200).body(json!({
        "name": "周师傅焊接创新工作室", "kind": "craftsman", "field": "焊接", "room": "三号楼"
    })))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/candidates", &[&w.s1], 200).query("?q=%E5%AD%99")).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/checklist", &[&w.s1], 200)).await;
    let evidence = t
        .run(
            call(&bearer, M::POST, "/api/v1/studios/{id}/evidence", &[&w.s1], 201)
                .upload(&[("item", "plaque")], tiny_png()),
        )
        .await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/evidence", &[&w.s1], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/attachments/{id}", &[&id(&evidence)], 200)).await;
    t.run(call(&admin, M::DELETE, "/api/v1/studios/{id}/evidence/{attachment_id}", &[&w.s1, &id(&evidence)], 204))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/members", &[&w.s1], 200).query("?include_former=true")).await;
    let lead1 = app.login("lead1", PASSWORD).await;
    let proposal = t
        .run(call(&lead1, M::POST, "/api/v1/studios/{id}/members", &[&w.s1], 201).body(json!({
            "kind": "join", "person_id": w.worker_person, "role": "member", "duty": "焊接", "reason": "骨干"
        })))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/proposals", &[&w.s1], 200)).await;
    t.run(
        call(&admin, M::POST, "/api/v1/member-proposals/{id}/decision", &[&id(&proposal)], 200)
            .body(json!({"decision": "approve"})),
    )
    .await;
    t.run(
        call(&admin, M::POST, "/api/v1/studios/{id}/team-review", &[&w.s1], 200).body(json!({"reviewed_on": day(-1)})),
    )
    .await;
    t.run(call(&admin, M::POST, "/api/v1/studios/{id}/transitions", &[&w.s1], 200).body(json!({
        "action": "apply", "target_unit_id": w.e1, "reason": "符合条件"
    })))
    .await;
    t.run(
        call(&admin, M::POST, "/api/v1/studios/{id}/transitions", &[&w.s1], 409)
            .body(json!({"action": "name", "certificate_no": "A-1"})),
    )
    .await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/transitions", &[&w.s1], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/namings", &[&w.s1], 200)).await;
    t.run(
        call(&admin, M::POST, "/api/v1/studios/{id}/namings", &[&w.s2], 200)
            .body(json!({"naming_unit_id": w.e2, "named_on": "2018-01-01", "level": "enterprise"})),
    )
    .await;

    // Imports: a template, an upload, its preview, the confirmation.
    t.run(call(&admin, M::GET, "/api/v1/imports/templates/{kind}", &[&"people"], 200)).await;
    let rows = vec![vec!["西山电力有限公司", "接口导入", "E-API-1", "男", "", "", "", "", "", "", ""]];
    let job = t
        .run(
            call(&bearer, M::POST, "/api/v1/imports", &[], 202)
                .upload(&[("kind", "people")], crate::imports::xlsx("people", &rows)),
        )
        .await;
    let job_id = id(&job);
    for _ in 0..400 {
        let v = bearer.ok_get(&format!("/api/v1/imports/{job_id}")).await;
        if v["phase"] == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    t.run(call(&bearer, M::GET, "/api/v1/imports/{id}", &[&job_id], 200)).await;
    t.run(call(&bearer, M::POST, "/api/v1/imports/{id}/confirm", &[&job_id], 202)).await;
    t.run(call(&bearer, M::POST, "/api/v1/imports/{id}/confirm", &[&job_id], 409)).await;

    // Projects and their milestones, extensions, progress and steps.
    let p = project(&lead1, w.s1, "焊缝返修率攻关", w.leader1, &[20, 40]).await;
    let project_id = id(&p);
    t.run(call(&admin, M::GET, "/api/v1/projects", &[], 200).query("?light=green&sort=due&limit=3")).await;
    t.run(call(&admin, M::POST, "/api/v1/projects", &[], 201).body(json!({
        "studio_id": w.s1, "title": "往年课题", "category": "技术攻关", "source": "own", "leader_person_id": w.leader1,
        "starts_on": day(-400), "ends_on": day(-100), "budget_yuan": 1000, "expected_benefit_yuan": 2000,
        "members": [{"person_id": w.leader1, "duty": "负责人"}], "milestones": [{"title": "结题", "due_on": day(-120)}],
        "approved_on": day(-390), "completed_on": day(-110), "number": "XM-2000-001", "conclusion": "通过",
        "acceptance_record": "专家组验收", "achieved_benefit_yuan": 3000
    })))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/projects/{id}", &[&project_id], 200)).await;
    t.run(call(&lead1, M::PUT, "/api/v1/projects/{id}", &[&project_id], 200).body(json!({
        "title": "焊缝返修率攻关", "category": "技术攻关", "starts_on": day(-30), "ends_on": day(300),
        "members": [{"person_id": w.leader1}]
    })))
    .await;
    t.run(
        call(&admin, M::POST, "/api/v1/projects/{id}/transitions", &[&project_id], 200)
            .body(json!({"action": "approve"})),
    )
    .await;
    t.run(
        call(&lead1, M::POST, "/api/v1/projects/{id}/transitions", &[&project_id], 200)
            .body(json!({"action": "start"})),
    )
    .await;
    t.run(call(&admin, M::GET, "/api/v1/projects/{id}/transitions", &[&project_id], 200)).await;
    t.run(call(&admin, M::POST, "/api/v1/projects/{id}/chase", &[&project_id], 409)).await;
    let milestones = t.run(call(&admin, M::GET, "/api/v1/projects/{id}/milestones", &[&project_id], 200)).await;
    let first = id(&milestones[0]);
    t.run(call(&lead1, M::POST, "/api/v1/projects/{id}/milestones", &[&project_id], 201).body(json!({
        "title": "方案评审", "due_on": day(15), "note": "请专家"
    })))
    .await;
    t.run(
        call(&lead1, M::POST, "/api/v1/milestones/{id}/done", &[&id(&milestones[1])], 200)
            .body(json!({"done_on": day(0)})),
    )
    .await;
    let ext = t
        .run(call(&lead1, M::POST, "/api/v1/projects/{id}/extensions", &[&project_id], 201).body(json!({
            "milestone_id": first, "new_date": day(50), "reason": "等备件"
        })))
        .await;
    t.run(call(&admin, M::POST, "/api/v1/extensions/{id}/decision", &[&id(&ext)], 200).body(json!({
        "decision": "reject", "note": "先做完"
    })))
    .await;
    t.run(
        call(&lead1, M::POST, "/api/v1/projects/{id}/updates", &[&project_id], 201)
            .body(json!({"body": "完成数据采集"})),
    )
    .await;
    t.run(
        call(&bearer, M::POST, "/api/v1/projects/{id}/updates", &[&project_id], 201)
            .upload(&[("body", "照片")], tiny_png()),
    )
    .await;

    // The ledger.
    let a = activity(&lead1, w.s1, w.leader1, "班前安全培训").await;
    let doomed = activity(&lead1, w.s1, w.leader1, "重复录入").await;
    t.run(call(&admin, M::GET, "/api/v1/activities", &[], 200).query(&format!("?studio_id={}&limit=1", w.s1))).await;
    t.run(call(&admin, M::POST, "/api/v1/activities", &[], 201).body(json!({
        "studio_id": w.s1, "kind": "skill_competition", "held_on": day(-3), "host_person_id": w.leader1, "title": "焊工比武",
        "hours": 4, "summary": "比武。", "results": [{"name": "王小明", "rank": 1, "award": "一等奖"}], "attendee_ids": [w.p2]
    })))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/activities/{id}", &[&id(&a)], 200)).await;
    t.run(call(&lead1, M::PUT, "/api/v1/activities/{id}", &[&id(&a)], 200).body(json!({
        "kind": "training", "held_on": day(-2), "host_person_id": w.leader1, "title": "班前安全培训（更正）", "hours": 2.5,
        "summary": "讲解安全规程。", "trainees": 12
    })))
    .await;
    t.run(call(&bearer, M::POST, "/api/v1/activities/{id}/photos", &[&id(&a)], 201).upload(&[], tiny_png())).await;
    t.run(call(&lead1, M::DELETE, "/api/v1/activities/{id}", &[&id(&doomed)], 204)).await;
    t.run(call(&lead1, M::POST, "/api/v1/activities/{id}/signatures", &[&id(&a)], 200)).await;
    t.run(call(&lead1, M::POST, "/api/v1/activities/{id}/signatures", &[&id(&a)], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/ledger/verification", &[&w.s1], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/ledger/figures", &[&w.s1], 200)).await;

    // The annual plan.
    let year = jiangxin::clock::today().year();
    t.run(call(&lead1, M::PUT, "/api/v1/studios/{id}/plans/{year}", &[&w.s1, &year], 200).body(json!({
        "projects_started": 2, "trainees": 30, "budget_yuan": 50000, "note": "重点攻关"
    })))
    .await;
    t.run(
        call(&lead1, M::POST, "/api/v1/studios/{id}/plans/{year}/transitions", &[&w.s1, &year], 200)
            .body(json!({"action": "submit"})),
    )
    .await;
    t.run(call(&admin, M::GET, "/api/v1/plans/waiting", &[], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/plans/{year}", &[&w.s1, &year], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/studios/{id}/plans/{year}", &[&w.s1, &1999], 422)).await;

    // Suggestions and an enterprise's rules.
    let worker1 = app.login("worker1", PASSWORD).await;
    let body = json!({"title": "照明改LED", "category": "small_suggestion", "situation": "耗电。", "measure": "换灯。",
                      "expected_benefit_yuan": 10000, "anonymous": false});
    let s1 = t.run(call(&worker1, M::POST, "/api/v1/suggestions", &[], 201).body(body.clone())).await;
    let s2 = t.run(call(&worker1, M::POST, "/api/v1/suggestions", &[], 201).body(body)).await;
    t.run(call(&admin, M::GET, "/api/v1/suggestions", &[], 200).query("?view=all&category=small_suggestion")).await;
    t.run(call(&worker1, M::GET, "/api/v1/suggestions/similar", &[], 200).query("?text=LED")).await;
    t.run(call(&worker1, M::GET, "/api/v1/lookup/{kind}", &[&"people"], 200).query("?q=%E7%8E%8B")).await;
    t.run(call(&admin, M::GET, "/api/v1/lookup/{kind}", &[&"units"], 200).query(&format!("?under={}", w.province_a)))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/lookup/{kind}", &[&"suggestions"], 200).query(&format!("?near={}", id(&s1))))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/lookup/{kind}", &[&"rockets"], 404)).await;
    t.run(call(&admin, M::GET, "/api/v1/suggestions/figures", &[], 200).query(&format!("?unit_id={}", w.e1))).await;
    t.run(call(&admin, M::GET, "/api/v1/suggestions/{id}", &[&id(&s1)], 200)).await;
    t.run(call(&admin, M::POST, "/api/v1/suggestions/{id}/merge", &[&id(&s2)], 200).body(json!({"into_id": id(&s1)})))
        .await;
    for action in [
        json!({"action": "score", "technical": 26, "economic": 25, "scope": 16, "practicality": 17, "value_yuan": 120000}),
        json!({"action": "adopt", "reason": "同意"}),
    ] {
        t.run(call(&admin, M::POST, "/api/v1/suggestions/{id}/transitions", &[&id(&s1)], 200).body(action)).await;
    }
    t.run(call(&admin, M::POST, "/api/v1/suggestions/{id}/project", &[&id(&s1)], 201).body(json!({
        "studio_id": w.s1, "category": "技术攻关", "starts_on": day(0), "ends_on": day(90)
    })))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/suggestion-settings/{enterprise_id}", &[&w.e1], 200)).await;
    let settings = t
        .run(call(&admin, M::POST, "/api/v1/suggestion-settings/{enterprise_id}/routes", &[&w.e1], 201).body(json!({
            "category": "small_suggestion", "from_unit_id": w.w1, "to_unit_id": w.e1
        })))
        .await;
    let route = id(&settings["routes"][0]);
    t.run(call(
        &admin,
        M::DELETE,
        "/api/v1/suggestion-settings/{enterprise_id}/routes/{route_id}",
        &[&w.e1, &route],
        200,
    ))
    .await;
    let rules = settings["rules"].clone();
    t.run(call(&admin, M::PUT, "/api/v1/suggestion-settings/{enterprise_id}/rules", &[&w.e1], 200).body(rules)).await;

    // Challenges.
    let city = app.login("city.a", PASSWORD).await;
    let challenge_body = json!({"unit_id": w.city_a, "scope_unit_id": w.e1, "title": "砂眼攻关", "problem": "废品率高。",
                                "requirements": "降一半", "deadline": day(5), "reward_yuan": 5000});
    let ch = t.run(call(&city, M::POST, "/api/v1/challenges", &[], 201).body(challenge_body.clone())).await;
    let other = t.run(call(&city, M::POST, "/api/v1/challenges", &[], 201).body(challenge_body)).await;
    t.run(call(&admin, M::GET, "/api/v1/challenges", &[], 200).query("?open=true")).await;
    let bid = t
        .run(call(&lead1, M::POST, "/api/v1/challenges/{id}/bids", &[&id(&ch)], 201).body(json!({
            "studio_id": w.s1, "plan": "改进型砂配比", "team": [w.p2]
        })))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/challenges/{id}", &[&id(&ch)], 200)).await;
    t.run(call(&city, M::POST, "/api/v1/challenges/{id}/choice", &[&id(&ch)], 201).body(json!({
        "bid_ids": [id(&bid)], "category": "技术攻关", "ends_on": day(120), "note": "方案最优"
    })))
    .await;
    t.run(call(&city, M::POST, "/api/v1/challenges/{id}/close", &[&id(&other)], 200).body(json!({"note": "撤榜"})))
        .await;

    // Outcomes.
    let outcome_body = json!({"studio_id": w.s1, "project_id": project_id, "kind": "utility_patent", "title": "一种夹具",
                              "achieved_on": day(-3), "points": ["结构简单"], "number": "ZL-2024-1", "level": "city",
                              "grade": "first", "projected_benefit_yuan": 1000, "actual_benefit_yuan": 1000,
                              "benefit_method": "核算", "contributors": [{"person_id": w.leader1}, {"name": "外协工程师"}]});
    let outcome = t.run(call(&lead1, M::POST, "/api/v1/outcomes", &[], 201).body(outcome_body.clone())).await;
    let oid = id(&outcome);
    let mut update = outcome_body;
    update.as_object_mut().unwrap().remove("studio_id");
    t.run(call(&lead1, M::PUT, "/api/v1/outcomes/{id}", &[&oid], 200).body(update)).await;
    t.run(call(&admin, M::GET, "/api/v1/outcomes", &[], 200).query(&format!(
        "?unit_id={}&kind=utility_patent&from={}",
        w.e1,
        day(-30)
    )))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/outcomes/{id}", &[&oid], 200)).await;
    t.run(
        call(&bearer, M::POST, "/api/v1/outcomes/{id}/evidence", &[&oid], 201)
            .upload(&[("purpose", "专利证书")], tiny_png()),
    )
    .await;
    t.run(call(&lead1, M::POST, "/api/v1/outcomes/{id}/promotions", &[&oid], 201).body(json!({
        "unit_name": "西山电力", "since": day(-1), "note": "推广两条线"
    })))
    .await;
    t.run(call(&admin, M::POST, "/api/v1/outcomes/{id}/verification", &[&oid], 200)).await;

    // Mentorship.
    let ent = app.login("ent1", PASSWORD).await;
    let m = t
        .run(call(&lead1, M::POST, "/api/v1/mentorships", &[], 201).body(json!({
            "studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.worker_person, "trade": "数控车工",
            "starts_on": day(-100), "teaching_plan": "每周带教两次", "allowance_yuan": 6000, "target_grade": "technician"
        })))
        .await;
    let mid = id(&m);
    t.run(
        call(&lead1, M::POST, "/api/v1/mentorships/{id}/steps", &[&mid], 200).body(json!({"action": "approve_pair"})),
    )
    .await;
    t.run(
        call(&ent, M::POST, "/api/v1/mentorships/{id}/steps", &[&mid], 200)
            .body(json!({"action": "approve_agreement"})),
    )
    .await;
    t.run(call(&lead1, M::POST, "/api/v1/mentorships/{id}/assessments", &[&mid], 201).body(json!({
        "kind": "periodic", "apprentice_score": 85, "mentor_score": 90, "note": "进步明显"
    })))
    .await;
    t.run(call(&lead1, M::POST, "/api/v1/mentorships/{id}/results", &[&mid], 201).body(json!({
        "kind": "promotion", "achieved_on": day(-2), "grade": "technician", "certificate_no": "JS-1"
    })))
    .await;
    t.run(call(&admin, M::GET, "/api/v1/mentorships/{id}", &[&mid], 200)).await;
    t.run(call(&admin, M::GET, "/api/v1/mentorships", &[], 200).query(&format!("?unit_id={}&q=数控", w.e1))).await;
    t.run(call(&admin, M::GET, "/api/v1/mentorships/rewards", &[], 200)).await;
    t.run(
        call(&ent, M::PUT, "/api/v1/org-units/{id}/mentorship-settings", &[&w.e1], 200)
            .body(json!({"assess_months": 2})),
    )
    .await;
    t.run(call(&lead1, M::POST, "/api/v1/mentorships", &[], 422).body(json!({
        "studio_id": w.s1, "mentor_person_id": w.p2, "apprentice_person_id": w.p2, "trade": "钳工",
        "starts_on": day(-10), "teaching_plan": "x", "allowance_yuan": 1
    })))
    .await;

    // Application rounds: open, apply, recommend, score, a conflict, decide, object, announce.
    let union_a = app.login("union.a", PASSWORD).await;
    let reviewer = app.login("reviewer.a", PASSWORD).await;
    let fresh = crate::common::studio(&admin, w.e1, w.p4, "刘一手技能大师工作室").await;
    add_member(&admin, fresh, w.worker_person).await;
    add_member(&admin, fresh, w.p2).await;
    let round = t
        .run(call(&union_a, M::POST, "/api/v1/rounds", &[], 201).body(json!({
            "unit_id": w.province_a, "title": "省级工作室申报", "deadline": day(10), "year": year,
            "leader_honour": "city", "years_running": 1, "verified_outcomes": 0, "exchanges_per_year": 1, "promotions": 0,
            "criteria": [{"name": "创新成果", "max_points": 60}, {"name": "团队", "max_points": 40}],
            "combine": "trimmed_mean", "min_reviewers": 1, "reviewers": [w.account("reviewer.a")]
        })))
        .await;
    let rid = id(&round);
    t.run(call(&union_a, M::POST, "/api/v1/rounds", &[], 422).body(json!({
        "unit_id": w.province_a, "title": "过期", "deadline": day(-1),
        "criteria": [{"name": "成果", "max_points": 100}], "reviewers": [w.account("reviewer.a")]
    })))
    .await;
    t.run(call(&union_a, M::GET, "/api/v1/rounds", &[], 200).query("?phase=open&limit=5")).await;
    t.run(call(&union_a, M::GET, "/api/v1/rounds/{id}", &[&rid], 200)).await;
    let application = t
        .run(
            call(&ent, M::POST, "/api/v1/rounds/{id}/applications", &[&rid], 201)
                .body(json!({"studio_id": fresh, "statement": "技能传承成效明显"})),
        )
        .await;
    let aid = id(&application);
    t.run(call(&ent, M::GET, "/api/v1/rounds/{id}/applications", &[&rid], 200).query("?limit=10")).await;
    t.run(
        call(&bearer, M::POST, "/api/v1/applications/{id}/attachments", &[&aid], 201)
            .upload(&[("purpose", "application_form")], tiny_png()),
    )
    .await;
    t.run(
        call(&city, M::POST, "/api/v1/applications/{id}/recommendation", &[&aid], 200)
            .body(json!({"recommend": true, "reason": "同意推荐"})),
    )
    .await;
    t.run(
        call(&reviewer, M::PUT, "/api/v1/applications/{id}/scores", &[&aid], 200)
            .body(json!({"scores": [{"points": 50, "comment": "好"}, {"points": 35}]})),
    )
    .await;
    t.run(call(&reviewer, M::GET, "/api/v1/applications/{id}", &[&aid], 200)).await;
    t.run(
        call(&union_a, M::POST, "/api/v1/applications/{id}/decision", &[&aid], 200)
            .body(json!({"decision": "approve", "notice_starts_on": day(0), "notice_ends_on": day(6)})),
    )
    .await;
    t.run(
        call(&reviewer, M::POST, "/api/v1/applications/{id}/conflicts", &[&aid], 409)
            .body(json!({"reason": "曾在该企业任职"})),
    )
    .await;
    t.run(call(&ent, M::POST, "/api/v1/applications/{id}/objections", &[&aid], 201).body(json!({"body": "材料有误"})))
        .await;
    t.run(call(&union_a, M::POST, "/api/v1/rounds/{id}/announcement", &[&rid], 409).body(json!({}))).await;
    t.run(call(&union_a, M::GET, "/api/v1/applications/{id}", &[&aid], 200)).await;

    // Notifications, after all this.
    let ent1 = app.login("ent1", PASSWORD).await;
    let notes = t.run(call(&ent1, M::GET, "/api/v1/notifications", &[], 200)).await;
    let note = id(&notes["items"][0]);
    t.run(call(&ent1, M::GET, "/api/v1/notifications/unread", &[], 200)).await;
    t.run(call(&ent1, M::POST, "/api/v1/notifications/{id}/read", &[&note], 200)).await;
    t.run(call(&ent1, M::POST, "/api/v1/notifications/read-all", &[], 200)).await;

    // The figures.
    t.run(call(&admin, M::GET, "/api/v1/stats", &[], 200).query(&format!("?unit_id={}&year={year}", w.province_a)))
        .await;
    t.run(call(&admin, M::GET, "/api/v1/stats/dashboard", &[], 200).query(&format!("?unit_id={}", w.province_a))).await;
    t.run(
        call(&admin, M::GET, "/api/v1/figures/{figure}", &[&"projects_started"], 200)
            .query(&format!("?unit_id={}", w.e1)),
    )
    .await;
    t.run(call(&admin, M::GET, "/api/v1/stats", &[], 422).query("?to=2000-01-01&from=2001-01-01")).await;

    // Funding: a budget, an expense, the queue, a receipt, the approval.
    t.run(call(&ent1, M::PUT, "/api/v1/studios/{id}/budgets/{year}", &[&w.s1, &year], 200).body(json!({
        "lines": [{"source": "enterprise", "amount_yuan": "20,000.00", "note": "企业拨付"}, {"source": "city_union", "amount_yuan": "5000"}],
        "categories": ["equipment", "training"], "note": "专款专用"
    })))
    .await;
    t.run(call(&ent1, M::GET, "/api/v1/studios/{id}/budgets/{year}", &[&w.s1, &year], 200)).await;
    let expense = t
        .run(call(&lead1, M::POST, "/api/v1/expenses", &[], 201).body(json!({
            "studio_id": w.s1, "spent_on": day(0), "amount_yuan": "1280.50", "category": "equipment", "purpose": "数控刀具一套"
        })))
        .await;
    let eid = id(&expense);
    t.run(call(&lead1, M::POST, "/api/v1/expenses", &[], 409).body(json!({
        "studio_id": w.s1, "spent_on": day(0), "amount_yuan": "1", "category": "rewards", "purpose": "奖励"
    })))
    .await;
    t.run(call(&ent1, M::GET, "/api/v1/expenses", &[], 200).query("?view=waiting&limit=10")).await;
    t.run(call(&bearer, M::POST, "/api/v1/expenses/{id}/receipts", &[&eid], 201).upload(&[], tiny_png())).await;
    t.run(call(&ent1, M::GET, "/api/v1/expenses/{id}", &[&eid], 200)).await;
    t.run(call(&ent1, M::POST, "/api/v1/expenses/{id}/transitions", &[&eid], 200).body(json!({"action": "approve"})))
        .await;
    t.run(
        call(&admin, M::GET, "/api/v1/figures/{figure}", &[&"spending"], 200)
            .query(&format!("?unit_id={}&category=equipment", w.e1)),
    )
    .await;

    // Inspections (检查) and annual work reports.
    let union_a = app.login("union.a", PASSWORD).await;
    let d = t
        .run(call(&union_a, M::POST, "/api/v1/inspections", &[], 201).body(json!({
            "studio_id": w.s1, "inspected_on": day(0), "score": 88, "remarks": "良好",
            "checklist": [{"item": "venue", "met": true}, {"item": "rules_posted", "met": false, "note": "未上墙"}],
            "follow_ups": [{"item": "制度上墙", "due_on": day(20)}]
        })))
        .await;
    let iid = id(&d["inspection"]);
    let fid = id(&d["follow_ups"][0]);
    t.run(call(&union_a, M::GET, "/api/v1/inspections/{id}", &[&iid], 200)).await;
    t.run(call(&union_a, M::PUT, "/api/v1/inspections/{id}", &[&iid], 200).body(json!({"score": 90}))).await;
    t.run(
        call(&union_a, M::GET, "/api/v1/inspections", &[], 200)
            .query(&format!("?unit_id={}&year={year}&band=excellent", w.e1)),
    )
    .await;
    t.run(call(&union_a, M::GET, "/api/v1/inspections/due", &[], 200).query("?inspected=all")).await;
    t.run(
        call(&union_a, M::GET, "/api/v1/inspections/overdue", &[], 200).query(&format!("?unit_id={}&own=true", w.e1)),
    )
    .await;
    t.run(call(&union_a, M::GET, "/api/v1/inspections/overdue", &[], 404).query("?unit_id=999999")).await;
    t.run(
        call(&lead1, M::POST, "/api/v1/inspections/{id}/follow-ups/{fid}/report", &[&iid, &fid], 200)
            .body(json!({"note": "已上墙"})),
    )
    .await;
    t.run(
        call(&union_a, M::POST, "/api/v1/inspections/{id}/follow-ups/{fid}/close", &[&iid, &fid], 200).body(json!({})),
    )
    .await;
    t.run(
        call(&union_a, M::POST, "/api/v1/inspections/{id}/follow-ups/{fid}/reopen", &[&iid, &fid], 200)
            .body(json!({"note": "照片不清楚", "due_on": day(10)})),
    )
    .await;
    t.run(call(&bearer, M::POST, "/api/v1/inspections/{id}/photos", &[&iid], 201).upload(&[], tiny_png())).await;
    t.run(call(&union_a, M::POST, "/api/v1/inspections", &[], 409).body(json!({"studio_id": w.s1, "score": 70}))).await;
    t.run(call(&lead1, M::GET, "/api/v1/studios/{id}/annual-reports/{year}", &[&w.s1, &year], 200)).await;
    t.run(
        call(&lead1, M::PUT, "/api/v1/studios/{id}/annual-reports/{year}", &[&w.s1, &year], 200)
            .body(json!({"sections": [{"key": "next_year", "body": "新立课题三项"}], "regenerate": true})),
    )
    .await;
    t.run(call(&lead1, M::POST, "/api/v1/studios/{id}/annual-reports/{year}/submit", &[&w.s1, &year], 200)).await;
    t.run(
        call(&union_a, M::POST, "/api/v1/studios/{id}/annual-reports/{year}/return", &[&w.s1, &year], 200)
            .body(json!({"reason": "请补充"})),
    )
    .await;
    t.run(call(&union_a, M::GET, "/api/v1/annual-reports", &[], 200).query(&format!("?year={year}&submitted=all")))
        .await;
    // The annual evaluation and dynamic management.
    let year: i64 = day(0)[..4].parse().unwrap();
    admin
        .ok_post(
            &format!("/api/v1/studios/{}/namings", w.s2),
            json!({"naming_unit_id": w.province_b, "named_on": "2020-06-01"}),
        )
        .await;
    let run = t
        .run(
            call(&admin, M::POST, "/api/v1/evaluation-runs", &[], 202)
                .body(json!({"unit_id": w.province_b, "year": year})),
        )
        .await;
    for _ in 0..200 {
        let r = t.run(call(&admin, M::GET, "/api/v1/evaluation-runs/{id}", &[&id(&run)], 200)).await;
        if r["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let list = t
        .run(
            call(&admin, M::GET, "/api/v1/evaluations", &[], 200)
                .query(&format!("?unit_id={}&year={year}&sort=total", w.province_b)),
        )
        .await;
    let ev = list["items"][0]["id"].as_i64().expect("an evaluation");
    t.run(call(&admin, M::GET, "/api/v1/evaluations/{id}", &[&ev], 200)).await;
    t.run(
        call(&admin, M::PUT, "/api/v1/evaluations/{id}/items/{code}", &[&ev, &"venue"], 200)
            .body(json!({"points": 9, "reason": "场地达标"})),
    )
    .await;
    t.run(call(&admin, M::POST, "/api/v1/evaluations/{id}/confirm", &[&ev], 200).body(json!({}))).await;
    t.run(call(&admin, M::POST, "/api/v1/evaluations/{id}/reopen", &[&ev], 200).body(json!({"reason": "更正"}))).await;
    t.run(
        call(&admin, M::POST, "/api/v1/evaluation-confirmations", &[], 200)
            .body(json!({"unit_id": w.province_b, "year": year})),
    )
    .await;
    let tpl = t.run(call(&admin, M::GET, "/api/v1/org-units/{id}/evaluation-template", &[&w.province_b], 200)).await;
    t.run(
        call(&admin, M::PUT, "/api/v1/org-units/{id}/evaluation-template", &[&w.province_b], 200)
            .body(tpl["template"].clone()),
    )
    .await;
    t.run(call(&admin, M::POST, "/api/v1/org-units/{id}/at-risk", &[&w.province_b], 202)).await;
    t.run(call(&admin, M::GET, "/api/v1/org-units/{id}/at-risk", &[&w.province_b], 200)).await;
    let cases =
        t.run(call(&admin, M::GET, "/api/v1/studio-cases", &[], 200).query(&format!("?studio_id={}", w.s2))).await;
    let warning = cases["items"][0]["id"].as_i64().expect("a warning");
    t.run(call(&admin, M::GET, "/api/v1/studio-cases/{id}", &[&warning], 200)).await;
    t.run(call(&admin, M::POST, "/api/v1/studio-cases/{id}/steps", &[&warning], 200).body(json!({"action": "pass"})))
        .await;
    t.run(
        call(&admin, M::POST, "/api/v1/studio-cases", &[], 201)
            .body(json!({"studio_id": w.s2, "kind": "leader_change", "reason": "退休", "new_leader_person_id": w.q2})),
    )
    .await;

    // Logging out needs no credentials.
    t.run(call(&admin, M::DELETE, "/api/v1/session", &[], 204)).await;
    t.run(call(&anon, M::DELETE, "/api/v1/session", &[], 204)).await;

    let missing: Vec<String> = t.doc.operations().difference(&t.called).cloned().collect();
    assert!(missing.is_empty(), "operations of the document never called: {missing:#?}");
}

/// The validator finds a document that lies: a value named in PascalCase, a required field the
/// answer leaves out.
#[test]
fn the_check_can_fail() {
    let doc = Doc(json!({"components": {"schemas": {
        "Kind": {"type": "string", "enum": ["ModelWorker", "Craftsman"]},
        "Detail": {"type": "object", "required": ["code", "fields"], "properties": {
            "code": {"type": "string"}, "kind": {"$ref": "#/components/schemas/Kind"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}
    }}}));
    let schema = json!({"$ref": "#/components/schemas/Detail"});
    let mut problems = Vec::new();
    doc.check(&schema, &json!({"code": "x", "kind": "model_worker"}), "answer", &mut problems);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("`fields` is required") && problems[1].contains("answer.kind"), "{problems:#?}");
    let mut problems = Vec::new();
    doc.check(
        &schema,
        &json!({"code": "x", "kind": "Craftsman", "fields": {"name": "必填。"}}),
        "answer",
        &mut problems,
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

both!(every_answer_as_documented);
