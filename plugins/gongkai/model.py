"""The budget data model: one department, one fiscal year, one stage.

These dataclasses are the YAML format. Each key a contributor writes is a
field here, with its Chinese label and meaning declared through
:func:`gongkai.fields.f`; the loader binds YAML to these classes, and the JSON
Schema and the reference page are generated from them.

Principles (see the contributor guide):

* Amounts stay in the unit the source prints (``amount_unit`` of the record,
  overridable by a section's ``unit``) and are ``Decimal``; the normalised
  tables convert to 元 exactly.
* ``null`` means a blank cell or a figure not stated; ``0`` means a printed
  zero. A section key that is missing means the document does not disclose
  it; ``status: disclosed_empty`` means it discloses an empty table
  (空表列示, "无").
* Printed totals (合计/小计/总计) are stored apart from line items so that the
  validator can compare printed against computed values.
* Codes are strings and keys; printed names are attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from gongkai.fields import (
    AdminCode,
    Count,
    DeptCode,
    EconCode,
    FuncCode,
    Money,
    Number,
    SignedMoney,
    f,
)

SCHEMA_VERSION = 1

Unit = Literal["元", "万元"]
Stage = Literal["budget", "final_accounts"]
SectionStatus = Literal["disclosed", "disclosed_empty"]
FundScope = Literal["all", "fiscal", "general_public_budget", "government_fund", "soe_capital"]
Comparator = Literal[">=", "<=", "=", ">", "<", "range"]
ValueKind = Literal["numeric", "numeric_with_text", "deadline", "qualitative", "compound", "empty"]
Nature = Literal["正向", "反向"]

STAGE_LABELS = {"budget": "预算", "final_accounts": "决算"}
UNIT_SCALE = {"元": Decimal(1), "万元": Decimal(10000)}


# --------------------------------------------------------------------------- #
# Common pieces
#
# The classes are slotted dataclasses: a record holds hundreds of them, and
# without a __dict__ each takes about half the memory.
# --------------------------------------------------------------------------- #


@dataclass(kw_only=True, slots=True)
class Section:
    """Fields shared by every disclosed section (table or text block)."""

    status: SectionStatus = f(
        "公开状态",
        "disclosed：已公开；disclosed_empty：公开但为空表（空表列示、“无”）。"
        "未公开的部分不写这个键。",
        default="disclosed",
    )
    title: str | None = f("原文标题", "原文中这一部分的标题，如“部门预算支出总表”。")
    unit: Unit | None = f("金额单位", "本部分金额的单位，与记录的 amount_unit 不同时填写。")
    note: str | None = f("原文附注", "原文的附注，如“注：无政府基金预算财政拨款预算，空表列示。”")


@dataclass(kw_only=True, slots=True)
class NarrativeFigure:
    """A figure stated only in the text of the document."""

    item: str = f(
        "项目键",
        "这个数字的含义，用英文键：income_total、general_public_budget_income、"
        "expenditure_total、basic、personnel、public、project、operating_expenses、"
        "three_public_total、abroad、vehicle、vehicle_purchase、vehicle_operation、reception、"
        "change_total、change_basic、change_personnel、change_public、change_project、"
        "change_three_public、change_vehicle、change_reception、change_abroad、"
        "procurement_total、assets_total；其他含义用 other。",
        required=True,
    )
    label: str | None = f("原文说法", "原文中这个数字前的说法，如“一般公共预算拨款收入”。")
    amount: SignedMoney | None = f("金额", "原文所印的数字（减少写负数）。")
    unit: Unit | None = f("单位", "原文所印的单位；与所在部分不同时必填。")
    quote: str | None = f("原文", "含这个数字的原文句子，供核对。")


@dataclass(kw_only=True, slots=True)
class TranscriptionNote:
    """A repair of an extraction artefact or an uncertainty, for reviewers."""

    where: str = f("位置", "涉及的位置，如“projects[3].indicators[2]”或“项目5 第3行”。", required=True)
    kind: Literal["repair", "uncertain", "inferred", "source_error"] = f(
        "类型",
        "repair：修复了提取造成的问题；uncertain：原文不清，记录了最可能的读法；"
        "inferred：补充了原文没有印出的信息；source_error：原文本身的错误（原样保留）。",
        required=True,
    )
    text: str = f("说明", "做了什么、为什么。", required=True)


@dataclass(kw_only=True, slots=True)
class Acknowledgement:
    """A reviewer's explanation of a validation finding that stays as printed."""

    rule: str = f("规则", "被确认的校验规则编号，如 R-3G-SUM。", required=True)
    subject: str | None = f("对象", "规则的对象（与校验结果中的 subject 相同）；不填表示该规则的全部结果。")
    explanation: str = f("说明", "为什么这一结果是原文的问题或可以接受。", required=True)
    by: str | None = f("确认人", "审核人的名字或账号。")


# --------------------------------------------------------------------------- #
# Identity
# --------------------------------------------------------------------------- #


@dataclass(kw_only=True, slots=True)
class Region:
    province: str = f("省级", "省、自治区、直辖市，如“河北省”。", required=True)
    prefecture: str | None = f("地级", "地级市、州、盟，如“邢台市”。")
    county: str | None = f("县级", "县、区、县级市，如“平乡县”。")
    admin_code: AdminCode = f(
        "行政区划代码", "GB/T 2260 六位代码，如 130532。原文通常不印，由整理者查证填写。", required=True
    )
    admin_level: Literal["province", "prefecture", "county", "district"] = f(
        "行政级别", "province / prefecture / county / district。", required=True
    )


@dataclass(kw_only=True, slots=True)
class Staffing:
    establishment: Count | None = f("编制数", "人员编制数。")
    actual: Count | None = f("实有人数", "实际在编人数。")
    retired: Count | None = f("离退休人数", "离退休人员数。")
    quote: str | None = f("原文", "含这些数字的原文句子。")


@dataclass(kw_only=True, slots=True)
class Department:
    name: str = f("部门名称", "原文所印的部门名称，不作修改。", required=True)
    canonical_name: str | None = f("规范名称", "部门的通用全称（原文名称不规范时填写）。")
    aliases: list[str] = f("别名", "原文中出现的其他名称。", factory=list)
    code: DeptCode = f(
        "部门编码", "原文所印的部门（单位）编码，如 203、203002、503101。", required=True
    )
    region: Region = f("地区", "部门所在的行政区。", required=True)
    org_type: (
        Literal["party_committee_department", "government_department", "public_institution", "other"]
        | None
    ) = f("机构类型", "党委工作部门 party_committee_department、政府部门 government_department 等。")
    unit_nature: str | None = f("单位性质", "如“行政”。")
    unit_rank: str | None = f("单位规格", "如“正科级”。")
    funding_form: str | None = f("经费保障形式", "如“财政拨款”。")
    included_units: list[str] | None = f("纳入预算的单位", "部门预算包含的单位。")
    internal_units: list[str] | None = f("内设机构", "内设科室，按原文顺序。")
    duties: list[str] | None = f("主要职责", "每条职责一项，按原文顺序，去掉编号。")
    staffing: Staffing | None = f("人员编制", "编制与实有人数。")


@dataclass(kw_only=True, slots=True)
class Source:
    title: str = f("原文标题", "公开文件的标题，原样照录。", required=True)
    publisher: str | None = f("发布机构", "发布公开文件的机构。")
    url: str | None = f("原文链接", "公开文件的网址（http 或 https）。")
    published_date: date | None = f("发布日期", "YYYY-MM-DD。")
    original_format: Literal["docx", "doc", "pdf", "html", "xls", "xlsx", "other"] = f(
        "原文格式", "原文件格式。", required=True
    )
    seed_file: str | None = f("转录来源文件", "转录时依据的文本文件名。")
    legal_basis: list[str] | None = f("公开依据", "原文引用的法规文件。")


# --------------------------------------------------------------------------- #
# Standard tables
# --------------------------------------------------------------------------- #


@dataclass(kw_only=True, slots=True)
class FundSplit:
    """Columns of the tables that split an amount by fund (资金性质)."""

    general_public_budget: Money | None = f("一般公共预算", "一般公共预算（财政拨款）列。")
    government_fund: Money | None = f("政府性基金预算", "政府性基金预算（财政拨款）列。")
    soe_capital: Money | None = f("国有资本经营预算", "国有资本经营预算（财政拨款）列。")


@dataclass(kw_only=True, slots=True)
class SummaryAmount(FundSplit):
    """A printed total of a summary table (合计 and, where printed, by fund)."""

    amount: Money | None = f("金额", "合计（预算数）列。")


@dataclass(kw_only=True, slots=True)
class SummaryLine(SummaryAmount):
    """One line of 收支总表 or 财政拨款收支总表."""

    name: str = f("项目名称", "原文所印名称，去掉“一、”等序号。", required=True)
    item: (
        Literal[
            "general_public_budget",
            "government_fund",
            "soe_capital",
            "special_account",
            "business",
            "business_operation",
            "superior_subsidy",
            "subsidiary_remittance",
            "other",
        ]
        | None
    ) = f("收入项目", "收入方的标准项目键（支出方用 code）。")
    code: FuncCode | None = f("功能分类类级编码", "支出方的“类”编码（原文只印名称时由名称对应，不是原文数据）。")


@dataclass(kw_only=True, slots=True)
class SummarySide:
    lines: list[SummaryLine] = f("行", "按原文顺序的全部行，空白金额写 null。", factory=list)
    current_year_total: SummaryAmount | None = f("本年合计", "本年收入合计 / 本年支出合计。")
    carryover: SummaryAmount | None = f("结转结余", "上年结转结余（收入方）/ 年终结转结余（支出方）。")
    carryover_lines: list[SummaryLine] = f("结转结余明细", "结转结余下按资金性质列出的行。", factory=list)
    grand_total: SummaryAmount | None = f("总计", "收入总计 / 支出总计。")


@dataclass(kw_only=True, slots=True)
class IncomeExpenditureSummary(Section):
    """收支总表 or 财政拨款收支总表: the two sides of the budget."""

    income: SummarySide = f("收入", "收入方。", required=True)
    expenditure: SummarySide = f("支出", "支出方。", required=True)


# Not slotted (nor its line subclass): gongkai.normalise reads its columns with vars().
@dataclass(kw_only=True)
class IncomeColumns:
    total: Money | None = f("合计", "合计列。")
    current_year: Money | None = f("本年收入小计", "本年收入小计列。")
    fiscal_appropriation: Money | None = f("财政拨款收入", "财政拨款（补助）收入列。")
    special_account: Money | None = f("财政专户收入", "财政专户管理资金收入列。")
    business: Money | None = f("事业收入", "事业收入列。")
    business_operation: Money | None = f("经营收入", "事业单位经营收入列。")
    superior_subsidy: Money | None = f("上级补助收入", "上级补助收入列。")
    subsidiary_remittance: Money | None = f("附属单位上缴收入", "附属单位上缴收入列。")
    other: Money | None = f("其他收入", "其他收入列。")
    carryover: Money | None = f("上年结转", "上年结转（结余）列。")


@dataclass(kw_only=True)
class IncomeLine(IncomeColumns):
    code: FuncCode = f("科目编码", "支出功能分类科目编码。", required=True)
    name: str = f("科目名称", "原文所印名称。", required=True)


@dataclass(kw_only=True, slots=True)
class IncomeByFunction(Section):
    """部门预算收入总表: income by functional classification."""

    reported_total: IncomeColumns | None = f("合计行", "原文所印的合计行。")
    lines: list[IncomeLine] = f("科目行", "按原文顺序的科目行（不含合计行）。", factory=list)


# Not slotted (nor its line subclass): gongkai.normalise reads its columns with vars().
@dataclass(kw_only=True)
class FunctionColumns:
    total: Money | None = f("合计", "合计列。")
    basic: Money | None = f("基本支出", "基本支出列。")
    project: Money | None = f("项目支出", "项目支出列。")
    business_operation: Money | None = f("经营支出", "事业单位经营支出列。")
    remit_to_superior: Money | None = f("上缴上级支出", "上缴（上解）上级支出列。")
    subsidy_to_subsidiaries: Money | None = f("对附属单位补助支出", "对附属单位补助支出列。")


@dataclass(kw_only=True)
class FunctionLine(FunctionColumns):
    code: FuncCode = f("科目编码", "支出功能分类科目编码（类3位/款5位/项7位）。", required=True)
    name: str = f("科目名称", "原文所印名称。", required=True)


@dataclass(kw_only=True, slots=True)
class FunctionTable(Section):
    """An expenditure table by functional classification (类/款/项)."""

    fund_scope: FundScope = f(
        "资金范围",
        "all：部门全部资金（支出总表）；general_public_budget：一般公共预算财政拨款；"
        "government_fund：政府性基金；soe_capital：国有资本经营；fiscal：全部财政拨款。",
        required=True,
    )
    reported_total: FunctionColumns | None = f("合计行", "原文所印的合计行。")
    lines: list[FunctionLine] = f("科目行", "按原文顺序的科目行（不含合计行）。", factory=list)


# Not slotted (nor its line subclass): gongkai.normalise reads its columns with vars().
@dataclass(kw_only=True)
class EconomicColumns:
    total: Money | None = f("合计", "合计列。")
    personnel: Money | None = f("人员经费", "人员经费列。")
    public: Money | None = f("公用经费", "（日常）公用经费列。")


@dataclass(kw_only=True)
class EconomicLine(EconomicColumns):
    code: EconCode = f("科目编码", "部门预算支出经济分类科目编码（类3位/款5位）。", required=True)
    name: str = f("科目名称", "原文所印名称。", required=True)


@dataclass(kw_only=True, slots=True)
class EconomicTable(Section):
    """基本支出表: basic expenditure by economic classification."""

    fund_scope: FundScope = f("资金范围", "同支出表的 fund_scope。", required=True)
    reported_total: EconomicColumns | None = f("合计行", "原文所印的合计行。")
    lines: list[EconomicLine] = f("科目行", "按原文顺序的科目行（不含合计行）。", factory=list)


ThreePublicItem = Literal[
    "total",
    "subtotal",
    "abroad",
    "abroad_teaching_research",
    "abroad_other",
    "vehicle",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
]


@dataclass(kw_only=True, slots=True)
class ThreePublicRow(FundSplit):
    item: ThreePublicItem = f(
        "项目",
        "total 合计；subtotal “三公”经费小计；abroad 因公出国（境）费；"
        "abroad_teaching_research / abroad_other 其中两项；vehicle 公务用车购置及运维费；"
        "vehicle_purchase 购置费；vehicle_operation 运行维护费；reception 公务接待费。",
        required=True,
    )
    name: str | None = f("原文名称", "原文所印的行名。")
    amount: Money | None = f("合计", "合计列；空白写 null。")


@dataclass(kw_only=True, slots=True)
class ThreePublic(Section):
    """“三公”经费: the table and/or the narrative."""

    fund_scope: FundScope = f("资金范围", "通常为 fiscal（财政拨款）。", default="fiscal")
    rows: list[ThreePublicRow] = f("表格行", "财政拨款“三公”经费支出表的行，按原文顺序。", factory=list)
    narrative: list[NarrativeFigure] = f(
        "文字说明中的数字", "“三公”经费说明中的每个数字（item 用 total/abroad/vehicle/…/change_*）。", factory=list
    )
    change_reason: str | None = f("增减原因", "原文所述增减变化原因。")


@dataclass(kw_only=True, slots=True)
class OperatingItem:
    name: str = f("项目", "原文所印名称，如“办公费”。", required=True)
    econ_code: EconCode | None = f("经济分类编码", "对应的经济分类款级编码（原文未印时可不填）。")
    amount: Money | None = f("金额", "原文所印金额。")
    basis: str | None = f("安排依据", "如“按在职职工每人每年100元安排”。")


@dataclass(kw_only=True, slots=True)
class OperatingExpenses(Section):
    """机关运行经费 (日常公用经费)."""

    total: Money | None = f("合计", "原文所印的机关运行经费总额。")
    items: list[OperatingItem] = f("明细", "逐项明细，按原文顺序。", factory=list)
    quote: str | None = f("原文", "原文句子。")


@dataclass(kw_only=True, slots=True)
class ProcurementItem:
    project_name: str | None = f("采购项目", "政府采购项目名称。")
    item_name: str = f("采购品目", "采购品目名称。", required=True)
    catalog_code: str | None = f("采购目录序号", "政府采购目录序号。")
    quantity: Number | None = f("数量", "采购数量。")
    quantity_unit: str | None = f("计量单位", "数量的单位。")
    unit_price: Money | None = f("单价", "单价。")
    amount: Money | None = f("金额", "采购金额。")


@dataclass(kw_only=True, slots=True)
class Procurement(Section):
    """政府采购预算."""

    total: Money | None = f("采购预算总额", "原文所印的政府采购预算总额。")
    items: list[ProcurementItem] = f("明细", "政府采购预算表的行。", factory=list)
    quote: str | None = f("原文", "原文句子。")


@dataclass(kw_only=True, slots=True)
class AssetLine:
    category: Literal[
        "total",
        "buildings",
        "office_buildings",
        "vehicles",
        "equipment_over_200k",
        "general_equipment",
        "furniture",
        "other_fixed_assets",
        "other",
    ] = f(
        "类别",
        "total 资产总额；buildings 房屋；office_buildings 其中办公用房；vehicles 车辆；"
        "equipment_over_200k 单价20万元以上设备；other_fixed_assets 其他固定资产。",
        required=True,
    )
    name: str | None = f("原文名称", "原文所印的行名。")
    quantity: Number | None = f("数量", "数量。")
    quantity_unit: str | None = f("数量单位", "如 平方米、台/辆。")
    amount: Money | None = f("金额", "金额。")


@dataclass(kw_only=True, slots=True)
class StateAssets(Section):
    """国有资产占用情况."""

    as_of: date | None = f("截止日期", "资产数据的截止日期，如 2022-12-31。")
    lines: list[AssetLine] = f("资产表", "部门固定资产占用情况表的行。", factory=list)
    planned_purchases: Money | None = f("拟购置固定资产", "本年度拟购置固定资产总额。")
    narrative: list[NarrativeFigure] = f("文字说明中的数字", "资产说明中的数字。", factory=list)
    quote: str | None = f("原文", "资产情况的说明文字。")


# --------------------------------------------------------------------------- #
# Performance
# --------------------------------------------------------------------------- #


@dataclass(kw_only=True, slots=True)
class Grades:
    """优/良/中/差 thresholds of a category indicator (seed 000)."""

    excellent: str | None = f("优", "“优”的标准，原样照录。")
    good: str | None = f("良", "“良”的标准。")
    fair: str | None = f("中", "“中”的标准。")
    poor: str | None = f("差", "“差”的标准。")


@dataclass(kw_only=True, slots=True)
class Indicator:
    """One row of a performance indicator table (一级/二级/三级指标)."""

    level1: str | None = f(
        "一级指标", "原文所印，如 产出指标、效益指标、效果指标、满意度指标、成本指标。"
    )
    level2: str | None = f("二级指标", "原文所印，如 数量指标、质量指标、时效指标、成本指标、社会效益指标。")
    level3: str = f("三级指标", "指标名称，原样照录。", required=True)
    description: str | None = f("指标描述", "绩效指标描述 / 指标明细说明。")
    value_raw: str | None = f(
        "指标值（原文）",
        "指标值单元格的原文，逐字照录，如“≥90%”“2023年12月20日前完成”。"
        "比较符、数值、单位和期限由工具从这里解析。",
    )
    direction_raw: str | None = f("指标方向（原文）", "单独印出的方向，如“大于等于”“等于”（福建格式）。")
    comparator: Comparator | None = f("比较符", "解析结果有误时才填写，覆盖自动解析。")
    value: Number | None = f("数值", "解析结果有误时才填写，覆盖自动解析。")
    value_max: Number | None = f("上限", "区间值的上限（comparator 为 range 时）。")
    unit: str | None = f("计量单位", "单独印出的计量单位（福建格式），或覆盖自动解析。")
    value_kind: ValueKind | None = f("值类型", "解析结果有误时才填写。")
    deadline: date | None = f("期限", "解析结果有误时才填写。")
    basis: str | None = f("指标值确定依据", "原样照录。")
    nature: Nature | None = f("指标性质", "原文印出的 正向/反向。")
    weight: Number | None = f("权重", "原文印出的权重（分值）。")
    grades: Grades | None = f("评价等级", "优/良/中/差 标准（原文印出时）。")
    note: str | None = f("备注", "整理者的说明。")


@dataclass(kw_only=True, slots=True)
class PerformanceCategory:
    """A department-level category goal (职责分类 / 分项 绩效目标)."""

    seq: int = f("序号", "原文顺序，从 1 开始。", required=True)
    name: str = f("名称", "分类名称，原样照录（去掉序号）。", required=True)
    parent_seq: int | None = f("上级序号", "子项所属分类的序号。")
    amount: Money | None = f("金额", "原文所印的金额。")
    duty: str | None = f("职责", "职责描述。")
    goal: str | None = f("绩效目标", "绩效目标文字。")
    indicators_text: str | None = f("绩效指标（文字）", "以一段文字给出的绩效指标。")
    indicators: list[Indicator] = f("绩效指标", "以表格给出的绩效指标。", factory=list)


@dataclass(kw_only=True, slots=True)
class Performance(Section):
    """Department-wide performance goals (部门整体绩效目标)."""

    department_goal: str | None = f("总体绩效目标", "部门整体绩效目标文字。")
    categories: list[PerformanceCategory] = f("分项绩效目标", "职责分类 / 分项绩效目标。", factory=list)
    safeguards: list[str] = f("保障措施", "每条一项，按原文顺序。", factory=list)
    stated_project_count: Count | None = f("所述项目数", "原文所述的项目绩效目标个数。")
    stated_project_total: Money | None = f("所述项目资金", "原文所述的项目资金合计。")
    quote: str | None = f("原文", "所述项目数与资金的原文句子。")


@dataclass(kw_only=True, slots=True)
class PlanPoint:
    month: Literal[3, 6, 10, 12] = f("截止月", "3月底、6月底、10月底、12月底。", required=True)
    percent: Number | None = f("累计支出比例", "累计支出进度（%），原文空白写 null。")


@dataclass(kw_only=True, slots=True)
class Project:
    """One project (项目支出) with its performance targets."""

    seq: int = f("序号", "在原文中的顺序，从 1 开始，连续。", required=True)
    name: str = f("项目名称", "原样照录。", required=True)
    code: str | None = f("项目编码", "原文所印的项目编码。")
    unit: Unit | None = f("金额单位", "本项目金额的单位，与记录不同时填写。")
    amount: Money | None = f("预算数", "项目预算总额；原文未印时写 null，不要推算。")
    fiscal_amount: Money | None = f("财政资金", "其中：财政资金。")
    other_amount: Money | None = f("其他资金", "其中：其他资金。")
    purpose: str | None = f("资金用途", "资金用途文字。")
    goal: str | None = f("绩效目标", "（年度）绩效目标文字。")
    category: str | None = f("所属分类", "所属的职责分类名称。")
    funding_document: str | None = f("资金文件", "原文所印的资金文件号，如“冀财行【2021】97号”。")
    spending_plan: list[PlanPoint] = f("资金支出计划", "各截止月的累计支出比例。", factory=list)
    indicators: list[Indicator] = f("绩效指标", "按原文顺序的全部指标行。", factory=list)
    note: str | None = f("备注", "整理者的说明。")


@dataclass(kw_only=True, slots=True)
class GlossaryTerm:
    term: str = f("名词", "名词，如“三公”经费。", required=True)
    definition: str = f("解释", "原文的解释。", required=True)


# --------------------------------------------------------------------------- #
# The record
# --------------------------------------------------------------------------- #


@dataclass(kw_only=True, slots=True)
class Budget:
    """One department-year disclosure (部门预算公开 / 部门决算公开)."""

    schema_version: Literal[1] = f("格式版本", "目前为 1。", required=True)
    fiscal_year: int = f("预算年度", "如 2023。", required=True)
    stage: Stage = f("阶段", "budget：预算；final_accounts：决算。", required=True)
    amount_unit: Unit = f("金额单位", "原文表格所用的单位：元 或 万元。", required=True)
    source: Source = f("来源", "公开文件的出处。", required=True)
    department: Department = f("部门", "部门身份信息。", required=True)

    income_expenditure_summary: IncomeExpenditureSummary | None = f("部门预算收支总表", "收支总表。")
    income_by_function: IncomeByFunction | None = f("部门预算收入总表", "收入总表。")
    expenditure_by_function: FunctionTable | None = f("部门预算支出总表", "支出总表（全部资金）。")
    fiscal_appropriation_summary: IncomeExpenditureSummary | None = f("财政拨款收支总表", "财政拨款收支总表。")
    gpb_expenditure_by_function: FunctionTable | None = f(
        "一般公共预算财政拨款支出表", "一般公共预算财政拨款支出表。"
    )
    gpb_basic_by_economic: EconomicTable | None = f(
        "一般公共预算财政拨款基本支出表", "基本支出表（经济分类）。"
    )
    government_fund_expenditure: FunctionTable | None = f("政府性基金预算财政拨款支出表", "政府性基金支出表。")
    soe_capital_expenditure: FunctionTable | None = f("国有资本经营预算财政拨款支出表", "国有资本经营支出表。")
    three_public: ThreePublic | None = f("“三公”经费", "“三公”经费表和说明。")
    operating_expenses: OperatingExpenses | None = f("机关运行经费", "机关运行经费。")
    procurement: Procurement | None = f("政府采购预算", "政府采购预算。")
    state_assets: StateAssets | None = f("国有资产占用情况", "国有资产信息。")
    narrative_figures: list[NarrativeFigure] | None = f(
        "文字说明中的数字", "总体情况说明中的数字（收入、支出、基本/项目、增减变化）。"
    )
    performance: Performance | None = f("部门整体绩效目标", "部门整体及分项绩效目标。")
    projects: list[Project] | None = f("项目绩效目标", "每个项目绩效目标表一项；未公开时不写这个键。")
    glossary: list[GlossaryTerm] | None = f("名词解释", "名词解释。")
    transcription_notes: list[TranscriptionNote] = f(
        "转录说明", "对提取问题的修复、不确定之处和推断，供审核核对。", factory=list
    )
    acknowledgements: list[Acknowledgement] = f(
        "已确认的校验结果", "审核人对原文错误的说明，页面会一并显示。", factory=list
    )

    @property
    def department_id(self) -> str:
        """``<admin code>-<department code>``: unique across fiscal districts."""
        return f"{self.department.region.admin_code}-{self.department.code}"

    @property
    def budget_id(self) -> str:
        """``<admin code>-<department code>-<year>-<stage>``: the record's key and file name."""
        return f"{self.department_id}-{self.fiscal_year}-{self.stage}"


#: Top-level sections that are standard tables, in the order a page shows them.
TABLE_SECTIONS: tuple[str, ...] = (
    "income_expenditure_summary",
    "income_by_function",
    "expenditure_by_function",
    "fiscal_appropriation_summary",
    "gpb_expenditure_by_function",
    "gpb_basic_by_economic",
    "government_fund_expenditure",
    "soe_capital_expenditure",
    "three_public",
)

#: Every section whose presence the ``sections`` resource reports.
ALL_SECTIONS: tuple[str, ...] = TABLE_SECTIONS + (
    "operating_expenses",
    "procurement",
    "state_assets",
    "narrative_figures",
    "performance",
    "projects",
    "glossary",
)


def section_unit(budget: Budget, section: Section | Project | None) -> str:
    """The unit amounts of ``section`` are printed in (section override, else record)."""
    if section is not None and section.unit is not None:
        return section.unit
    return budget.amount_unit


def to_yuan(amount: Decimal | None, unit: str) -> Decimal | None:
    """Convert an amount printed in ``unit`` to 元, exactly (Decimal arithmetic)."""
    if amount is None:
        return None
    return amount * UNIT_SCALE[unit]


