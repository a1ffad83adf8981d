"""Message catalogue: every problem kind, in Chinese and English.

Contributors are finance staff and volunteers, so messages speak Chinese by
default and say what was expected, what was found and how to fix it. Keeping
every template here (not scattered through the code) lets a test check that
each problem kind has both languages and a fix.
"""

from __future__ import annotations

from typing import Any

#: code -> (zh template, en template). Templates use str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # files
    "file.not-found": (
        "找不到文件或目录“{found}”。请检查路径是否正确。",
        "no such file or directory '{found}'. Check the path.",
    ),
    "file.not-yaml": (
        "“{found}”不是 .yaml 文件。预算记录应保存为 .yaml 文件。",
        "'{found}' is not a .yaml file. Budget records are .yaml files.",
    ),
    "file.empty": (
        "文件是空的。请按 `gongkai new` 生成的模板填写预算记录。",
        "the file is empty. Start from the template that `gongkai new` writes.",
    ),
    "file.too-large": (
        "文件有 {found} 字节，超过上限 {expected} 字节。一个部门一年的预算记录不会这么大，请检查是否放错了文件。",
        "the file has {found} bytes, over the limit of {expected}. One department-year is never this large: check the file.",
    ),
    "file.binary": (
        "文件含有二进制内容（NUL 字节），不是文本 YAML。请保存为 UTF-8 文本。",
        "the file holds binary data (a NUL byte), not YAML text. Save it as UTF-8 text.",
    ),
    "file.not-utf8": (
        "文件不是 UTF-8 编码（第 {offset} 字节无法解码）。请在编辑器中以 UTF-8 编码另存（不要用 GBK）。",
        "the file is not UTF-8 (byte {offset} cannot be decoded). Save it as UTF-8 (not GBK).",
    ),
    # YAML syntax and safety
    "yaml.syntax": (
        "YAML 语法错误：{hint}（解析器信息：{found}）",
        "YAML syntax error: {hint} (parser: {found})",
    ),
    "yaml.tab": (
        "YAML 不允许用制表符（Tab）缩进。请把 Tab 换成两个空格。",
        "YAML does not allow tabs for indentation. Replace the tab with two spaces.",
    ),
    "yaml.multiple-documents": (
        "一个文件只能有一条预算记录，但这里有第二个 YAML 文档（“---”）。请把它拆成单独的文件。",
        "a file holds one budget record, but a second YAML document ('---') starts here. Split it into its own file.",
    ),
    "yaml.duplicate-key": (
        "键“{key}”重复（第一次出现在第 {first_line} 行）。请删除或合并其中一个。",
        "duplicate key '{key}' (first at line {first_line}). Remove or merge one of them.",
    ),
    "yaml.tag": (
        "不允许使用 YAML 标签“{found}”。预算记录只能包含普通的文字、数字、日期、列表和键值对。",
        "the YAML tag '{found}' is not allowed. Records hold plain text, numbers, dates, lists and mappings only.",
    ),
    "yaml.alias": (
        "不允许使用 YAML 锚点和别名（&/*）。请把内容直接写出来。",
        "YAML anchors and aliases (&/*) are not allowed. Write the content out.",
    ),
    "yaml.too-deep": (
        "嵌套层数超过 {expected} 层。预算记录的格式没有这么深的结构，请检查缩进。",
        "nesting deeper than {expected} levels. The budget format is never this deep: check the indentation.",
    ),
    # schema
    "schema.type": (
        "“{key}”应为{expected}，但写的是{found}。{hint}",
        "'{key}' should be {expected}, found {found}. {hint}",
    ),
    "schema.unknown-key": (
        "未知的键“{key}”。{hint}允许的键：{allowed}。",
        "unknown key '{key}'. {hint}Allowed keys: {allowed}.",
    ),
    "schema.missing-key": (
        "缺少必填的键“{key}”（{label}）。请在这一段中加上它。",
        "missing required key '{key}' ({label}). Add it to this mapping.",
    ),
    "schema.enum": (
        "“{key}”的值“{found}”不在允许范围内。{hint}允许的值：{allowed}。",
        "'{key}' has the value '{found}', which is not allowed. {hint}Allowed values: {allowed}.",
    ),
    "schema.number-as-text": (
        "“{key}”应为数字，但写成了文字“{found}”。请写成 {hint}。数字不加引号、千分位逗号和单位，用半角数字。",
        "'{key}' should be a number, found the text '{found}'. Write {hint}. A number takes no quotes, thousands separators or units, in ASCII digits.",
    ),
    "schema.not-finite": (
        "“{key}”的值“{found}”不是有限的数字。请填写原文所印的数字，空白写 null。",
        "'{key}' is '{found}', not a finite number. Write the printed figure, or null for a blank.",
    ),
    "schema.negative": (
        "“{key}”是金额，不能为负数（写的是 {found}）。增减变化请写在 narrative_figures 的 change_* 项中。",
        "'{key}' is an amount and cannot be negative (found {found}). Put signed changes in narrative_figures change_* items.",
    ),
    "schema.pattern": (
        "“{key}”的值“{found}”格式不对：应为{expected}。",
        "'{key}' is '{found}', which does not match: expected {expected}.",
    ),
    "schema.date": (
        "“{key}”应为日期（YYYY-MM-DD，如 2023-12-31），但写的是“{found}”。",
        "'{key}' should be a date (YYYY-MM-DD, e.g. 2023-12-31), found '{found}'.",
    ),
    "schema.url": (
        "“{key}”应为 http:// 或 https:// 开头的网址，但写的是“{found}”。",
        "'{key}' should be an http:// or https:// URL, found '{found}'.",
    ),
    "schema.control-character": (
        "文字中含有控制字符 {found}。控制字符看不见，却会扰乱网页、下载文件和终端的显示，"
        "记录中不允许出现（制表符和换行除外）。请删除它（通常来自 \\e、\\0、\\x1b、\\u001b 这样的转义）；"
        "需要换行时请直接换行书写。",
        "the text holds the control character {found}. Control characters are invisible but garble pages, "
        "downloads and terminal output, so records may not hold them (tab and newline apart). Remove it "
        "(it usually comes from an escape such as \\e, \\0, \\x1b or \\u001b); write a line break as a real line break.",
    ),
    "schema.empty-text": (
        "“{key}”不能是空字符串。原文空白请写 null。",
        "'{key}' cannot be an empty string. Write null for a blank.",
    ),
    # record level
    "record.file-name": (
        "文件名应为“{expected}.yaml”（由行政区划代码、部门编码、年度和阶段组成），但实际是“{found}”。请重命名文件或改正内容。",
        "the file should be named '{expected}.yaml' (admin code, department code, year, stage), but it is '{found}'. Rename it or fix its content.",
    ),
    "record.duplicate-id": (
        "记录“{found}”已在 {first} 中出现。同一部门、年度和阶段只能有一个文件。",
        "record '{found}' also comes from {first}. One department, year and stage has one file.",
    ),
    "record.seq": (
        "{key}的序号应为 {expected}（从 1 开始连续编号），但写的是 {found}。",
        "{key} should have seq {expected} (numbered from 1, consecutively), found {found}.",
    ),
    "record.year": (
        "预算年度 {found} 不在合理范围（{expected}）内。",
        "fiscal year {found} is outside the plausible range ({expected}).",
    ),
    "record.empty-section": (
        "“{key}”标为 disclosed_empty（空表），但写了 {found} 行。空表不应有数据行；若有数据，请把 status 改为 disclosed。",
        "'{key}' is disclosed_empty but has {found} rows. An empty table has no rows; if it has data, set status: disclosed.",
    ),
    "frictionless": (
        "规范化数据未通过 Frictionless 校验（{found}）：{note}",
        "the normalised data failed Frictionless validation ({found}): {note}",
    ),
}

#: Chinese names of the YAML node kinds, for "expected X, found Y".
KIND_NAMES: dict[str, tuple[str, str]] = {
    "mapping": ("键值对（映射）", "a mapping"),
    "sequence": ("列表", "a list"),
    "text": ("文字", "text"),
    "integer": ("整数", "a whole number"),
    "number": ("数字", "a number"),
    "boolean": ("true/false", "true/false"),
    "date": ("日期", "a date"),
    "null": ("空值 null", "null"),
}


#: The correct format of each coded value, with an example, for schema.pattern.
PATTERN_NAMES: dict[str, tuple[str, str]] = {
    "func_code": (
        "3、5 或 7 位数字的支出功能分类科目编码（类/款/项），如 \"201\"、\"20132\"、\"2013201\"",
        "a functional classification code of 3, 5 or 7 digits (类/款/项), e.g. \"201\", \"20132\", \"2013201\"",
    ),
    "econ_code": (
        "以 3 开头的 3 或 5 位数字的经济分类科目编码（类/款），如 \"301\"、\"30101\"",
        "an economic classification code of 3 or 5 digits starting with 3, e.g. \"301\", \"30101\"",
    ),
    "admin_code": (
        "6 位数字的行政区划代码（GB/T 2260），如 \"130532\"",
        "a 6-digit administrative division code (GB/T 2260), e.g. \"130532\"",
    ),
    "dept_code": (
        "只含数字和字母的部门编码（1–20 位，不含空格和括号），如 \"203\"、\"116001\"",
        "a department code of 1-20 digits and letters (no spaces or brackets), e.g. \"203\", \"116001\"",
    ),
}


def kind_name(kind: str, lang: str) -> str:
    """Name of a YAML value kind in the given language."""
    zh, en = KIND_NAMES.get(kind, (kind, kind))
    return zh if lang == "zh" else en


class _Defaults(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render(code: str, params: dict[str, Any], lang: str = "zh") -> str:
    """Fill the template of ``code`` in ``lang`` with ``params``."""
    zh, en = MESSAGES.get(code, ("{note}", "{note}"))
    values = _Defaults()
    for key, value in params.items():
        if isinstance(value, dict) and set(value) == {"zh", "en"}:
            value = value[lang]
        values[key] = value
    return (zh if lang == "zh" else en).format_map(values).strip()
