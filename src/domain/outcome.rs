//! Outcomes (创新成果, SPEC §3.7): patents, awards, operation methods, standards… each registered
//! once with its evidence; their economic benefit counts in the figures only once verified.

use crate::code_enum;

code_enum! {
    /// The type of an outcome.
    pub enum OutcomeKind : "outcome_kind" {
        /// 发明专利
        InventionPatent = "invention_patent",
        /// 实用新型专利
        UtilityPatent = "utility_patent",
        /// 外观设计专利
        DesignPatent = "design_patent",
        /// 软件著作权
        SoftwareCopyright = "software_copyright",
        /// 先进操作法 (often named after its author)
        OperationMethod = "operation_method",
        /// 技术标准
        TechnicalStandard = "technical_standard",
        /// 论文
        Paper = "paper",
        /// 专著
        Book = "book",
        /// QC 成果
        QcResult = "qc_result",
        /// 工法
        ProcessMethod = "process_method",
        /// 奖项
        Award = "award",
    }
}

impl OutcomeKind {
    /// Patents (all three kinds).
    pub fn is_patent(self) -> bool {
        matches!(self, OutcomeKind::InventionPatent | OutcomeKind::UtilityPatent | OutcomeKind::DesignPatent)
    }

    /// Kinds whose certificate number is expected (patents, copyrights, standards).
    pub fn has_certificate(self) -> bool {
        self.is_patent() || matches!(self, OutcomeKind::SoftwareCopyright | OutcomeKind::TechnicalStandard)
    }
}

code_enum! {
    /// Who recognised an outcome (an award's or an appraisal's level).
    pub enum OutcomeLevel : "outcome_level" {
        /// 企业级
        Enterprise = "enterprise",
        /// 集团级
        Group = "group",
        /// 市级
        City = "city",
        /// 省级
        Province = "province",
        /// 国家级
        National = "national",
    }
}

code_enum! {
    /// An award's grade.
    pub enum OutcomeGrade : "outcome_grade" {
        /// 特等奖
        Special = "special",
        /// 一等奖
        First = "first",
        /// 二等奖
        Second = "second",
        /// 三等奖
        Third = "third",
        /// 金奖
        Gold = "gold",
        /// 银奖
        Silver = "silver",
        /// 铜奖
        Bronze = "bronze",
        /// 优秀奖
        Merit = "merit",
    }
}

/// At most three main innovation points (主要创新点).
pub const MAX_POINTS: usize = 3;
/// At most this many contributors per outcome.
pub const MAX_CONTRIBUTORS: usize = 30;

/// Splits the innovation points typed one per line; empty lines are dropped.
pub fn points(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patents_are_the_three_patent_kinds() {
        let patents: Vec<_> = OutcomeKind::ALL.iter().filter(|k| k.is_patent()).collect();
        assert_eq!(patents.len(), 3);
        assert!(OutcomeKind::InventionPatent.has_certificate());
        assert!(!OutcomeKind::Award.has_certificate());
    }

    #[test]
    fn points_are_read_one_per_line() {
        assert_eq!(points("一、改进夹具\n\n  二、缩短换型时间 \n"), vec!["一、改进夹具", "二、缩短换型时间"]);
        assert!(points("  \n").is_empty());
    }
}
