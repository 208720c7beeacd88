//! Studios (工作室): their kinds, naming levels and life-cycle states.

use crate::code_enum;

code_enum! {
    /// The kind of studio.
    pub enum StudioKind : "studio_kind" {
        /// 劳模创新工作室
        ModelWorker = "model_worker",
        /// 工匠创新工作室
        Craftsman = "craftsman",
        /// 职工创新工作室
        Worker = "worker",
        /// 技能大师工作室
        SkillMaster = "skill_master",
        /// 联合创新工作室 (with a university or institute partner)
        Joint = "joint",
    }
}

code_enum! {
    /// A naming level (命名级别), from the enterprise up to national demonstration.
    pub enum Level : "level" {
        /// 企业级
        Enterprise = "enterprise",
        /// 县区/产业级
        County = "county",
        /// 市级
        City = "city",
        /// 省级
        Province = "province",
        /// 全国示范性
        National = "national",
    }
}

impl Level {
    /// Higher is more prestigious; an application must aim above the current level.
    pub fn rank(self) -> u8 {
        match self {
            Level::Enterprise => 1,
            Level::County => 2,
            Level::City => 3,
            Level::Province => 4,
            Level::National => 5,
        }
    }
}

code_enum! {
    /// Where a studio stands in its life cycle (SPEC §3.1).
    pub enum StudioState : "studio_state" {
        /// 筹建: being set up, not yet applied.
        Draft = "draft",
        /// 已申报: the enterprise has applied for a naming.
        Applied = "applied",
        /// 评审中: experts are scoring the application.
        UnderReview = "under_review",
        /// 公示中: decided, on public notice for 5–7 days; objections may be raised.
        PublicNotice = "public_notice",
        /// 已命名/授牌
        Named = "named",
        /// 风险提示: warned after a failed year, rectifying.
        Warned = "warned",
        /// 已摘牌: the name was revoked.
        Revoked = "revoked",
        /// 已注销: closed (leader left, enterprise closed…).
        Cancelled = "cancelled",
    }
}

impl StudioState {
    /// No transition leaves a terminal state.
    pub fn is_terminal(self) -> bool {
        matches!(self, StudioState::Revoked | StudioState::Cancelled)
    }

    /// An application is under way (it carries a target level and unit).
    pub fn is_applying(self) -> bool {
        matches!(self, StudioState::Applied | StudioState::UnderReview | StudioState::PublicNotice)
    }
}

/// Fields that people commonly give as a studio's speciality; the form offers them, but any
/// text is accepted.
pub const COMMON_FIELDS: &[&str] = &[
    "电气自动化",
    "机械加工",
    "数控技术",
    "焊接工艺",
    "水泥工艺",
    "化工工艺",
    "电力运维",
    "变电检修",
    "输电线路",
    "热能动力",
    "冶金工艺",
    "轧钢技术",
    "汽车维修",
    "轨道交通",
    "铁路信号",
    "桥隧施工",
    "建筑施工",
    "市政工程",
    "石油钻井",
    "采油工艺",
    "煤矿机电",
    "矿山安全",
    "纺织工艺",
    "食品加工",
    "制药工艺",
    "医疗护理",
    "客房服务",
    "餐饮服务",
    "通信网络",
    "软件开发",
    "仪器仪表",
    "模具制造",
    "钳工技术",
    "质量检测",
    "节能环保",
    "水务运营",
    "燃气输配",
    "港口装卸",
    "航空维修",
    "农业技术",
];
