# ruff: noqa  (verbatim copy of /work/shared/bench/plain_mkdocs_floor.py, the reference floor: not reformatted so that it stays the same program)
"""Floor for an MkDocs-based budget site: N hand-written Markdown pages of the
size a department page has (a few tables, ~150 rows, Chinese text), built by
plain mkdocs + material, no plugin. Usage: python plain_mkdocs_floor.py N DIR [zh|en]"""

import os, random, sys, textwrap

n, out = int(sys.argv[1]), sys.argv[2]
lang = sys.argv[3] if len(sys.argv) > 3 else "zh"
random.seed(1)
words = "党员 干部 教育 培训 经费 组织 建设 人才 工作 基层 社区 农村 老干部 档案 数字化 考核 选调生 驻村 工作队 绩效 目标 满意度".split()


def name(k=4):
    return "".join(random.choice(words) for _ in range(k))


docs = os.path.join(out, "docs")
os.makedirs(docs, exist_ok=True)
for i in range(n):
    rows = []
    for j in range(60):
        code = f"2{random.randint(10, 99)}{random.randint(10, 99)}{random.randint(10, 99)}"
        rows.append(
            f"| {code} | {name()} | {random.random() * 1000:.2f} | {random.random() * 500:.2f} | {random.random() * 500:.2f} |"
        )
    proj = []
    for p in range(12):
        proj.append(
            f"\n### {p + 1}. {name(5)}经费\n\n预算数 {random.random() * 100:.2f} 万元。{name(20)}\n\n| 一级指标 | 二级指标 | 三级指标 | 指标值 |\n|---|---|---|---|\n"
            + "\n".join(
                f"| 产出指标 | 数量指标 | {name(3)} | ≥{random.randint(1, 100)}% |"
                for _ in range(8)
            )
        )
    with open(os.path.join(docs, f"dept-{i:05d}.md"), "w") as f:
        f.write(
            f"# 中共某某县委组织部{i} 2023年部门预算\n\n{name(40)}\n\n## 支出总表\n\n| 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出 |\n|---|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n\n## 项目\n"
            + "".join(proj)
            + "\n"
        )
open(os.path.join(docs, "index.md"), "w").write("# 首页\n")
open(os.path.join(out, "mkdocs.yml"), "w").write(
    textwrap.dedent(f"""
    site_name: floor
    theme:
      name: material
      language: {lang}
    plugins:
      - search:
          lang: {lang}
    markdown_extensions:
      - tables
    """)
)
