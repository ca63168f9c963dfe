"""Every table and view the migrations create is named in docs/ (docs/metrics.md defines them).

A view's live definition ``mttr.<view>_live`` counts as documented with its
view (docs/metrics.md, "Snapshots"). Columns are checked where the views are
read: each view test compares its columns with the documented ones.
"""

from __future__ import annotations

import re

from tests.support.paths import ROOT

CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+VIEW|(?:MATERIALIZED\s+)?(?:TABLE|VIEW)\s+IF\s+NOT\s+EXISTS)"
    r"\s+mttr\.(\w+)",
    re.IGNORECASE,
)


def _created() -> set[str]:
    names = set()
    for path in (ROOT / "sql").glob("*.sql"):
        names.update(CREATED.findall(path.read_text(encoding="utf-8")))
    return {name.removesuffix("_live") for name in names}


def test_every_table_and_view_is_named_in_the_docs() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    named = set(re.findall(r"`(?:mttr\.)?(\w+)`", docs))
    assert sorted(_created() - named) == []
