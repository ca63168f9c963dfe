"""Turn a provisioned dashboard's panel SQL into the SQL ClickHouse receives.

A query of the grafana-clickhouse-datasource plugin (v4) is rewritten three
times before it reaches ClickHouse, in this order:

1. The plugin's frontend, ``Datasource.applyTemplateVariables``, expands
   ``$__conditionalAll(condition, $var)``: the condition when the variable has
   a concrete selection, ``1=1`` when it is "All" (or empty). Port of
   ``applyConditionalAll`` and ``getMacroArgs`` in
   https://github.com/grafana/clickhouse-datasource/blob/main/src/data/CHDatasource.ts
2. Grafana's ``templateSrv.replace(sql, scopedVars, format)`` substitutes
   ``$var``, ``${var}``, ``${var:format}`` and ``[[var]]``. Without a format the
   plugin's own ``format()`` (same file) joins a multi-value selection as
   ``'a','b'``; the named formats are Grafana's (``singlequote`` escapes ``'``
   as ``\\'``, ``sqlstring`` doubles it, ``percentencode`` is
   ``encodeURIComponentStrict``; a textbox's value is a string, not a list).
   "All" without an ``allValue`` stands for every option of the variable.
3. The backend (sqlds) expands the time macros defined in
   https://github.com/grafana/clickhouse-datasource/blob/main/pkg/macros/macros.go
   e.g. ``$__timeFilter(c)`` -> ``c >= toDateTime(<from>) AND c <= toDateTime(<to>)``.
   sqlds matches ``$__name\\b``; arguments are the text in the brackets that
   immediately follow, split at commas and trimmed.

Anything this module does not model (another format, a Grafana built-in such
as ``$__interval``, an unknown ``$__`` macro) raises ``UnsupportedQueryError``
so that a dashboard cannot silently depend on untested behaviour. The
dashboards, their targets and variables come from tests/support/grafana_dashboards.py.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from tests.support.grafana_dashboards import ALL, TimeRange, Variable

# Grafana's variableRegex (public/app/features/variables/utils.ts).
VARIABLE = re.compile(
    r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}", re.ASCII
)
# Variables Grafana itself defines: not modelled here.
GRAFANA_BUILTINS = frozenset(
    {"__interval", "__interval_ms", "__rate_interval", "__from", "__to", "__range", "__range_s",
     "__range_ms", "__dashboard", "__org", "__user", "__timezone", "__name", "timeFilter"}
)  # fmt: skip
MACRO = re.compile(r"\$__(\w+)", re.ASCII)
# Patterns that String.prototype.replace interprets in the replacement text.
JS_REPLACEMENT_PATTERN = re.compile(r"\$[$&`']")


class UnsupportedQueryError(AssertionError):
    """A query uses a construct this expansion does not model."""


def macro_args(sql: str, args_index: int) -> list[str]:
    """Split the bracketed arguments starting at ``sql[args_index]`` (plugin's getMacroArgs)."""
    args: list[str] = []
    depth = 0
    last = 1
    tail = sql[args_index:]
    for match in re.finditer(r"[(),]", tail):
        char, end = match.group(), match.end()
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 1:
            args.append(tail[last : end - 1])
            last = end
        if depth == 0:
            args.append(tail[last : end - 1])
            return args
    return []


def apply_conditional_all(sql: str, variables: dict[str, Variable]) -> str:
    """Expand ``$__conditionalAll(condition, $var)``, last occurrence first, like the plugin."""
    macro = "$__conditionalAll("
    index = sql.rfind(macro)
    while index != -1:
        args = macro_args(sql, index + len(macro) - 1)
        if len(args) != 2:
            return sql
        phrase = args[0]
        name = re.search(r"(?<=\$\{)\w+(?=\})|(?<=\$)\w+", args[1].strip(), re.ASCII)
        if name and name.group() in variables:
            if variables[name.group()].current_value in ("", ALL):
                phrase = "1=1"
        if JS_REPLACEMENT_PATTERN.search(phrase):
            msg = f"$__conditionalAll condition {phrase!r} holds a JS replacement pattern"
            raise UnsupportedQueryError(msg)
        sql = sql.replace(f"{macro}{args[0]},{args[1]})", phrase, 1)
        index = sql.rfind(macro)
    return sql


def encode_uri_component_strict(value: str) -> str:
    """Return Grafana's ``encodeURIComponentStrict``: only ``A-Za-z0-9-_.~`` stay as they are."""
    return quote(value, safe="")


def format_values(values: list[str] | str, fmt: str | None) -> str:
    """Format a variable's value like Grafana (``fmt``) or the plugin (no format).

    ``values`` is a list for a multi-value variable and a string for a textbox,
    as Grafana hands them to the formatter.
    """
    if isinstance(values, str):
        if fmt == "percentencode":
            return encode_uri_component_strict(values)
        return values if fmt in (None, "csv") else format_values([values], fmt)
    if fmt is None:
        return "'" + "','".join(values) + "'"
    if fmt == "singlequote":
        return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
    if fmt == "doublequote":
        return ",".join('"' + v.replace('"', '\\"') + '"' for v in values)
    if fmt == "sqlstring":
        return ",".join("'" + v.replace("'", "''") + "'" for v in values)
    if fmt == "csv":
        return ",".join(values)
    if fmt == "percentencode":  # like glob, then encoded
        return encode_uri_component_strict("{" + ",".join(values) + "}")
    msg = f"variable format {fmt!r} is not modelled"
    raise UnsupportedQueryError(msg)


def replace_variables(sql: str, variables: dict[str, Variable]) -> str:
    """Substitute template variables like ``templateSrv.replace`` with the plugin's format."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(6)
        if name in variables:
            if match.group(5):
                msg = f"field path in {match.group()!r} is not modelled"
                raise UnsupportedQueryError(msg)
            return format_values(variables[name].value, fmt)
        if name in GRAFANA_BUILTINS:
            msg = f"Grafana built-in {match.group()!r} is not modelled"
            raise UnsupportedQueryError(msg)
        return match.group()  # not a variable: left for the backend ($__timeFilter, ...)

    return VARIABLE.sub(substitute, sql)


def _to_datetime(moment: datetime) -> str:
    return f"toDateTime({int(moment.timestamp())})"


def _to_datetime64(moment: datetime) -> str:
    return f"fromUnixTimestamp64Milli({int(moment.timestamp() * 1000)})"


def _to_date(moment: datetime) -> str:
    return f"toDate('{moment.strftime('%Y-%m-%d')}')"


def _between(column: str, low: str, high: str) -> str:
    return f"{column} >= {low} AND {column} <= {high}"


def backend_macro(name: str, args: list[str], time: TimeRange) -> str:
    """Return the expansion of one backend macro (pkg/macros/macros.go)."""
    start, end, seconds = time.start, time.end, max(time.interval_s, 1)
    no_args = {
        "fromTime": lambda: _to_datetime(start),
        "toTime": lambda: _to_datetime(end),
        "fromTime_ms": lambda: _to_datetime64(start),
        "toTime_ms": lambda: _to_datetime64(end),
        "interval_s": lambda: str(seconds),
    }
    one_arg = {
        "timeFilter": lambda c: _between(c, _to_datetime(start), _to_datetime(end)),
        "timeFilter_ms": lambda c: _between(c, _to_datetime64(start), _to_datetime64(end)),
        "dateFilter": lambda c: _between(c, _to_date(start), _to_date(end)),
        "timeInterval": lambda c: f"toStartOfInterval(toDateTime({c}), INTERVAL {seconds} second)",
        "timeInterval_ms": lambda c: (
            f"toStartOfInterval(toDateTime64({c}, 3), INTERVAL {seconds * 1000} millisecond)"
        ),
    }
    if name in no_args:
        return no_args[name]()
    if name in one_arg:
        if len(args) != 1:
            msg = f"$__{name} expects 1 argument, got {args}"
            raise UnsupportedQueryError(msg)
        return one_arg[name](args[0])
    if name in ("dateTimeFilter", "dt"):
        if len(args) != 2:
            msg = f"$__{name} expects 2 arguments, got {args}"
            raise UnsupportedQueryError(msg)
        date_filter = _between(args[0], _to_date(start), _to_date(end))
        time_filter = _between(args[1], _to_datetime(start), _to_datetime(end))
        return f"({date_filter}) AND ({time_filter})"
    msg = f"macro $__{name} is not modelled"
    raise UnsupportedQueryError(msg)


def expand_backend_macros(sql: str, time: TimeRange) -> str:
    """Expand every ``$__macro`` / ``$__macro(args)`` like sqlds.

    Arguments must be plain (no brackets) and an argument-less macro must not
    be followed by an opening bracket before a closing one: older sqlds
    releases parse such text differently (grafana/sqlds#82,
    grafana/grafana-plugin-sdk-go#859), so the dashboards avoid both.
    """
    out: list[str] = []
    position = 0
    while match := MACRO.search(sql, position):
        name, after = match.group(1), match.end()
        args: list[str] = []
        end = after
        if sql.startswith("(", after):
            close = sql.find(")", after)
            inner = sql[after + 1 : close]
            if close < 0 or "(" in inner:
                msg = f"$__{name}: arguments must be plain, got {sql[after : after + 60]!r}"
                raise UnsupportedQueryError(msg)
            args = [arg.strip() for arg in inner.split(",")]
            end = close + 1
        else:
            brackets = re.search(r"[()]", sql[after:])
            if brackets and brackets.group() == "(":
                msg = f"$__{name} without arguments is followed by '(': wrap it in brackets"
                raise UnsupportedQueryError(msg)
        out += [sql[position : match.start()], backend_macro(name, args, time)]
        position = end
    out.append(sql[position:])
    return "".join(out)


def expand(sql: str, variables: dict[str, Variable], time: TimeRange) -> str:
    """Return ``sql`` as ClickHouse receives it: conditionalAll, variables, then macros."""
    sql = apply_conditional_all(sql, variables)
    sql = replace_variables(sql, variables)
    return expand_backend_macros(sql, time)
