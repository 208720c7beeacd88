//! Vocabulary of the generated data: fictional place, enterprise, person and studio names
//! built from common characters, so that they look real without naming anyone real.

use rand::Rng;
use rand::seq::IndexedRandom;

/// First characters of fictional place names.
const PLACE_A: &[&str] = &[
    "江", "云", "临", "青", "安", "宁", "永", "嘉", "华", "泰", "丰", "平", "昌", "兴", "长", "宜", "德", "清", "海",
    "东", "南", "西", "北", "新", "金", "玉", "阳", "山", "川", "湖", "河", "鹤", "龙", "凤", "白", "石", "桂", "柳",
    "松", "梅", "溪", "湘", "汉", "洛", "济", "瑞", "康", "广", "恒", "景",
];
/// Second characters of fictional place names.
const PLACE_B: &[&str] = &[
    "川", "阳", "州", "宁", "安", "平", "江", "山", "河", "原", "城", "海", "源", "泉", "丰", "兴", "昌", "南", "北",
    "东", "西", "林", "峰", "岭", "湖", "口", "关", "溪", "田", "台", "水", "谷", "塘", "浦", "港", "滨", "坪", "岗",
    "庄", "都",
];

/// Common surnames, most frequent first (the generator favours the front of the list).
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "武", "戴",
    "莫", "孔", "向", "汤", "欧阳",
];
/// Given-name characters leaning male.
const GIVEN_M: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "波", "宇", "浩",
    "凯", "健", "俊", "帆", "建", "国", "建国", "志", "志强", "海", "海峰", "东", "林", "峰", "亮", "兵", "锋", "新",
    "文", "彬", "晨", "德", "忠", "永", "成", "立", "庆", "胜", "学", "春", "跃",
];
/// Given-name characters leaning female.
const GIVEN_F: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莹", "颖", "琳", "萍", "红", "梅",
    "兰", "秀", "秀英", "桂", "凤", "洁", "琴", "云", "晶", "倩", "佳", "欣", "悦", "薇", "蓉", "丹", "璐", "媛", "岚",
    "月", "春",
];

/// Industries: a word for the enterprise name, the fields its studios work in.
pub const INDUSTRIES: &[(&str, &[&str])] = &[
    ("重型机械", &["机械加工", "数控技术", "焊接工艺", "钳工技术", "模具制造"]),
    ("电力", &["电力运维", "变电检修", "输电线路", "热能动力", "电气自动化"]),
    ("水泥", &["水泥工艺", "电气自动化", "节能环保", "质量检测"]),
    ("化工", &["化工工艺", "仪器仪表", "节能环保", "质量检测"]),
    ("钢铁", &["冶金工艺", "轧钢技术", "电气自动化", "焊接工艺"]),
    ("汽车制造", &["汽车维修", "焊接工艺", "数控技术", "质量检测"]),
    ("轨道交通", &["轨道交通", "铁路信号", "电气自动化"]),
    ("建工", &["建筑施工", "桥隧施工", "市政工程"]),
    ("石油", &["石油钻井", "采油工艺", "仪器仪表"]),
    ("煤业", &["煤矿机电", "矿山安全", "电气自动化"]),
    ("纺织", &["纺织工艺", "机械加工", "质量检测"]),
    ("食品", &["食品加工", "质量检测", "节能环保"]),
    ("制药", &["制药工艺", "质量检测", "仪器仪表"]),
    ("酒店管理", &["客房服务", "餐饮服务"]),
    ("通信", &["通信网络", "软件开发"]),
    ("水务", &["水务运营", "节能环保", "电气自动化"]),
    ("燃气", &["燃气输配", "矿山安全", "仪器仪表"]),
    ("港务", &["港口装卸", "机械加工", "电气自动化"]),
    ("航空维修", &["航空维修", "仪器仪表", "焊接工艺"]),
    ("医院", &["医疗护理", "仪器仪表"]),
];

/// Industry unions (产业工会) under a city.
pub const INDUSTRY_UNIONS: &[&str] = &["机械冶金", "能源化工", "交通运输", "建设建材", "财贸轻纺", "教科文卫"];

const COMPANY_SUFFIX: &[&str] = &["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"];

const WORKSHOPS: &[&str] = &[
    "一车间",
    "二车间",
    "三车间",
    "机修车间",
    "装配车间",
    "检修分厂",
    "热电分厂",
    "质检部",
    "生产技术部",
    "设备管理部",
    "动力车间",
    "运行部",
    "维保中心",
    "研发中心",
    "安全环保部",
    "物流中心",
];

const UNIVERSITIES: &[&str] = &["理工大学", "职业技术学院", "工业大学", "科技大学", "技师学院"];

/// A fictional two-character place name.
pub fn place(rng: &mut impl Rng) -> String {
    let a = PLACE_A.choose(rng).copied().unwrap_or("江");
    let mut b = PLACE_B.choose(rng).copied().unwrap_or("川");
    if a == b {
        b = "原";
    }
    format!("{a}{b}")
}

/// A person's name: surname and a one- or two-character given name.
pub fn person(rng: &mut impl Rng, female: bool) -> String {
    // Favour frequent surnames: a square of a uniform draw leans to the front of the list.
    let x: f64 = rng.random();
    let idx = ((x * x) * SURNAMES.len() as f64) as usize;
    let surname = SURNAMES[idx.min(SURNAMES.len() - 1)];
    let pool = if female { GIVEN_F } else { GIVEN_M };
    let first = pool.choose(rng).copied().unwrap_or("明");
    if first.chars().count() == 1 && rng.random_bool(0.55) {
        let second = pool.choose(rng).copied().unwrap_or("华");
        if second.chars().count() == 1 && second != first {
            return format!("{surname}{first}{second}");
        }
    }
    format!("{surname}{first}")
}

/// An enterprise name and the index of its industry.
pub fn enterprise(rng: &mut impl Rng, place: &str) -> (String, usize) {
    let i = rng.random_range(0..INDUSTRIES.len());
    let (word, _) = INDUSTRIES[i];
    let suffix = if word == "医院" { "" } else { COMPANY_SUFFIX.choose(rng).copied().unwrap_or("有限公司") };
    let name = if word == "医院" {
        format!("{place}市第{}人民医院", rng.random_range(1..8))
    } else {
        format!("{place}{word}{suffix}")
    };
    (name, i)
}

/// A workshop or department name.
pub fn workshop(i: usize) -> &'static str {
    WORKSHOPS[i % WORKSHOPS.len()]
}

/// A partner university for a joint studio.
pub fn university(rng: &mut impl Rng) -> String {
    format!("{}{}", place(rng), UNIVERSITIES.choose(rng).copied().unwrap_or("理工大学"))
}

/// Rooms where studios work.
pub fn room(rng: &mut impl Rng) -> String {
    let building = ["综合楼", "生产楼", "技术中心", "职工之家", "检修楼"].choose(rng).copied().unwrap_or("综合楼");
    format!("{building}{}{:02}室", rng.random_range(1..6), rng.random_range(1..30))
}

/// Equipment lists.
pub fn facilities(rng: &mut impl Rng, field: &str) -> String {
    let kit = [
        "多媒体会议系统",
        "实训操作台",
        "三维打印机",
        "数控仿真软件",
        "示波器",
        "万用表",
        "便携式检测仪",
        "电脑工作站",
        "成果展示柜",
        "焊接模拟器",
        "PLC实训柜",
        "技能培训教室",
    ];
    let n = rng.random_range(3..6);
    let items: Vec<&str> = kit.choose_multiple(rng, n).copied().collect();
    format!("{field}专用{}等", items.join("、"))
}

/// A studio description.
pub fn description(rng: &mut impl Rng, leader: &str, field: &str) -> String {
    let openers = [
        format!("工作室以{leader}同志为领衔人，围绕{field}领域的生产难题开展技术攻关和创新活动。"),
        format!("工作室聚焦{field}一线难题，坚持“课题不求大但求实”，带动职工开展“五小”创新。"),
        format!("工作室由{leader}牵头组建，发挥劳模示范引领作用，承担技术攻关、师带徒和技能培训任务。"),
    ];
    let closers = [
        "近年来累计完成攻关课题多项，形成了一批先进操作法和实用新型专利。",
        "每月最后一个周五组织技术研讨，定期开展技能比武和经验交流。",
        "通过“名师带高徒”，培养了一批技师和高级技师，成为企业技能人才的练兵场。",
    ];
    format!("{}{}", openers.choose(rng).cloned().unwrap_or_default(), closers.choose(rng).copied().unwrap_or_default())
}

/// What projects work on.
const OBJECTS: &[&str] = &[
    "焊缝",
    "轴承座",
    "主变压器",
    "输送带",
    "液压系统",
    "数控车床",
    "配电柜",
    "冷却水系统",
    "检修流程",
    "巡检路线",
    "包装线",
    "涂装线",
    "刀具",
    "模具",
    "阀门",
    "电机",
    "锅炉",
    "管道",
    "叶轮",
    "齿轮箱",
    "继电保护装置",
    "皮带机",
    "空压机",
    "行车",
    "变频器",
    "密封件",
    "计量装置",
    "电缆接头",
    "铸件",
    "滤芯",
];

/// Patterns of project titles, `{}` standing for what is worked on.
const PROJECT_PATTERNS: &[&str] = &[
    "提高{}加工合格率",
    "降低{}故障率",
    "{}快速检测装置研制",
    "{}工艺优化",
    "缩短{}检修时间",
    "{}智能监测系统开发",
    "{}节能改造",
    "{}防错装置改进",
    "减少{}返工率",
    "{}标准化作业法提炼",
    "{}使用寿命提升攻关",
    "{}在线监测改造",
    "{}拆装专用工具研制",
    "{}能耗降低研究",
    "{}安全防护改进",
];

/// A project title.
pub fn project_title(rng: &mut impl Rng) -> (String, &'static str) {
    let o = OBJECTS.choose(rng).copied().unwrap_or("设备");
    let p = PROJECT_PATTERNS.choose(rng).copied().unwrap_or("{}改进");
    (p.replace("{}", o), o)
}

/// The problem a project starts from.
pub fn project_problem(rng: &mut impl Rng, object: &str) -> String {
    let v = [
        format!("{object}在生产中故障频发，每月平均停机{}小时，影响产量和质量。", rng.random_range(4..40)),
        format!("现有{object}作业方法依赖经验，合格率仅{}%，返工多、成本高。", rng.random_range(80..95)),
        format!("{object}检修需拆装{}个部件，耗时长，存在安全风险。", rng.random_range(6..30)),
        format!("{object}能耗偏高，单位产品能耗高于行业先进水平约{}%。", rng.random_range(5..25)),
    ];
    v.choose(rng).cloned().unwrap_or_default()
}

/// The goal of a project.
pub fn project_goal(rng: &mut impl Rng) -> String {
    let v = [
        format!("故障率降低{}%以上，形成标准作业指导书一份。", rng.random_range(20..60)),
        format!("合格率提高到{}%以上，年节约成本{}万元。", rng.random_range(96..100), rng.random_range(5..120)),
        format!("检修时间缩短{}%，申报实用新型专利一项。", rng.random_range(20..50)),
        format!("能耗降低{}%，形成可推广的操作法。", rng.random_range(5..20)),
    ];
    v.choose(rng).cloned().unwrap_or_default()
}

/// Milestone titles, in the order a project meets them.
pub const MILESTONES: &[&str] = &["方案论证", "样件试制", "现场试验", "中期评审", "推广应用", "总结验收"];

/// A progress update.
pub fn progress_update(rng: &mut impl Rng) -> String {
    let v = [
        format!("完成现场调研，收集数据{}组，初步确定改进方案。", rng.random_range(20..200)),
        "样件已试制完成，正在进行对比试验，初步效果良好。".to_string(),
        format!("现场试用{}天，运行稳定，各项指标达到预期。", rng.random_range(7..60)),
        "组织课题组讨论，调整了工装结构，下周继续试验。".to_string(),
        "已编制作业指导书初稿，正在征求班组意见。".to_string(),
    ];
    v.choose(rng).cloned().unwrap_or_default()
}

/// The conclusion of an acceptance.
pub fn acceptance(rng: &mut impl Rng) -> (String, String) {
    let conclusion = [
        "课题完成了立项确定的各项目标，资料齐全，同意结题。",
        "课题达到预期效果，建议在公司范围内推广应用。",
        "课题基本完成目标，经济效益已经财务部门核算，同意结题。",
    ];
    let record = format!("由企业技术部门组织验收，验收组{}人，现场查看试用情况并审阅资料。", rng.random_range(3..8));
    (conclusion.choose(rng).copied().unwrap_or_default().to_string(), record)
}

/// Topics of trainings and lectures.
const TOPICS: &[&str] = &[
    "安全操作规程",
    "数控编程",
    "PLC编程与调试",
    "焊接工艺",
    "设备点检",
    "质量管理QC方法",
    "精益生产",
    "故障诊断",
    "新员工技能",
    "技师考前辅导",
    "工艺纪律",
    "节能技术",
    "液压与气动",
    "电气识图",
    "测量与检验",
];

/// A training or lecture topic.
pub fn topic(rng: &mut impl Rng) -> &'static str {
    TOPICS.choose(rng).copied().unwrap_or("安全操作规程")
}

/// A place in the enterprise where activities are held.
pub fn venue(rng: &mut impl Rng) -> &'static str {
    ["工作室会议室", "实训基地", "车间现场", "职工书屋", "技术中心报告厅", "班组活动室"]
        .choose(rng)
        .copied()
        .unwrap_or("工作室会议室")
}

/// Minutes of an activity.
pub fn summary(rng: &mut impl Rng, title: &str) -> String {
    let a = [
        format!(
            "围绕“{title}”，{}",
            ["通报了上阶段课题进展，", "总结了近期工作，", "学习了有关文件精神，"]
                .choose(rng)
                .copied()
                .unwrap_or_default()
        ),
        format!("本次{title}由领衔人主持，"),
    ];
    let b = [
        "对存在的问题逐项分析，明确了责任人和完成时间。",
        "大家结合现场实际交流了经验，提出改进意见三条。",
        "布置了下阶段攻关任务，要求按节点推进。",
        "开展了现场实操演示，学员逐一上手练习并考核。",
    ];
    format!("{}{}", a.choose(rng).cloned().unwrap_or_default(), b.choose(rng).copied().unwrap_or_default())
}

/// Awards of competitions.
pub const AWARDS: &[&str] = &["一等奖", "二等奖", "三等奖", "优胜奖"];

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_look_chinese_and_repeat_with_the_seed() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let n = person(&mut a, false);
            assert_eq!(n, person(&mut b, false));
            assert!((2..=4).contains(&n.chars().count()), "{n}");
        }
        let (e, _) = enterprise(&mut a, "青川");
        assert!(e.starts_with("青川"));
    }
}
