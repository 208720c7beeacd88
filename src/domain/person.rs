//! People (人员): the profile SPEC §3.2 names — education, professional title, skill grade and
//! honours, each a stable code translated for display.

use crate::code_enum;

code_enum! {
    /// Gender as recorded on the personnel file.
    pub enum Gender : "gender" {
        /// 男
        Male = "male",
        /// 女
        Female = "female",
    }
}

code_enum! {
    /// Highest education (学历).
    pub enum Education : "education" {
        /// 初中及以下
        JuniorHigh = "junior_high",
        /// 高中/中专/技校
        SeniorHigh = "senior_high",
        /// 大专
        College = "college",
        /// 本科
        Bachelor = "bachelor",
        /// 硕士
        Master = "master",
        /// 博士
        Doctor = "doctor",
    }
}

code_enum! {
    /// Professional title (职称).
    pub enum Title : "title" {
        /// 技术员
        Technician = "technician",
        /// 助理工程师
        AssistantEngineer = "assistant_engineer",
        /// 工程师
        Engineer = "engineer",
        /// 高级工程师
        SeniorEngineer = "senior_engineer",
        /// 正高级工程师
        ProfessorEngineer = "professor_engineer",
    }
}

code_enum! {
    /// Skill grade (技能等级), from 初级工 to 高级技师.
    pub enum SkillGrade : "skill_grade" {
        /// 初级工
        Junior = "junior",
        /// 中级工
        Intermediate = "intermediate",
        /// 高级工
        Senior = "senior",
        /// 技师
        Technician = "technician",
        /// 高级技师
        SeniorTechnician = "senior_technician",
    }
}

impl SkillGrade {
    /// Higher grades rank higher; "promoted a grade" compares ranks.
    pub fn rank(self) -> u8 {
        match self {
            SkillGrade::Junior => 1,
            SkillGrade::Intermediate => 2,
            SkillGrade::Senior => 3,
            SkillGrade::Technician => 4,
            SkillGrade::SeniorTechnician => 5,
        }
    }

    /// 技师 and above count as high-skill people in the union's figures.
    pub fn is_high_skill(self) -> bool {
        self.rank() >= 4
    }
}

code_enum! {
    /// An honour (荣誉) a person holds; application rounds ask for them (e.g. province model
    /// worker or above).
    pub enum Honour : "honour" {
        /// 全国劳动模范
        NationalModelWorker = "national_model_worker",
        /// 省部级劳动模范
        ProvinceModelWorker = "province_model_worker",
        /// 市级劳动模范
        CityModelWorker = "city_model_worker",
        /// 全国五一劳动奖章
        NationalMayDayMedal = "national_may_day_medal",
        /// 省五一劳动奖章
        ProvinceMayDayMedal = "province_may_day_medal",
        /// 大国工匠
        NationalCraftsman = "national_craftsman",
        /// 省级工匠
        ProvinceCraftsman = "province_craftsman",
        /// 全国技术能手
        NationalTechnicalExpert = "national_technical_expert",
        /// 省技术能手
        ProvinceTechnicalExpert = "province_technical_expert",
        /// 首席技师
        ChiefTechnician = "chief_technician",
        /// 享受国务院政府特殊津贴
        StateCouncilAllowance = "state_council_allowance",
    }
}

impl Honour {
    /// How high the honour ranks, for "province level or above" conditions: 3 national,
    /// 2 province, 1 city or enterprise.
    pub fn tier(self) -> u8 {
        match self {
            Honour::NationalModelWorker
            | Honour::NationalMayDayMedal
            | Honour::NationalCraftsman
            | Honour::NationalTechnicalExpert
            | Honour::StateCouncilAllowance => 3,
            Honour::ProvinceModelWorker
            | Honour::ProvinceMayDayMedal
            | Honour::ProvinceCraftsman
            | Honour::ProvinceTechnicalExpert => 2,
            Honour::CityModelWorker | Honour::ChiefTechnician => 1,
        }
    }
}
