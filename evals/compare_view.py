"""A comparison shown: Rich tables in the terminal, Markdown for a pull-request comment.

    print_comparison(diff, Console())
    Path("comment.md").write_text(compare_markdown(diff))
"""

from __future__ import annotations

from typing import Any

from evals.compare import EPSILON, Comparison, MetricDelta
from evals.metrics import format_value

MAX_ROWS = 50


def format_delta(m: MetricDelta) -> str:
    if m.delta is None:
        return ""
    return "0" if abs(m.delta) <= EPSILON else f"{m.delta:+.4g}"


def compare_markdown(diff: Comparison) -> str:
    """The comparison as tables for a pull-request comment."""
    mark = "❌" if diff.regressed else "✅"
    lines = [f"# Tactful eval compare: {mark} {diff.headline}", "",
             f"`{_md(diff.old_path)}` ({diff.old_cases} cases, {_status(diff.old_passed)}) → "
             f"`{_md(diff.new_path)}` ({diff.new_cases} cases, {_status(diff.new_passed)})", ""]
    lines += ["## Metrics", "", "| metric | old | new | Δ | better when | change |", "|---|---|---|---|---|---|"]
    for m in diff.metrics:
        change = {"better": "✅ better", "worse": "❌ worse", "same": "", "n/a": ""}[m.verdict]
        if not m.deterministic and m.verdict in ("better", "worse"):
            change = f"{m.verdict} (timing)"
        lines.append(f"| {m.name} | {format_value(m.old)} | {format_value(m.new)} | {format_delta(m)} | "
                     f"{m.better_when} | {change} |")
    moved = [t for t in diff.thresholds if t.regressed or t.improved]
    if moved:
        lines += ["", "## Thresholds", "", "| threshold | old | new |", "|---|---|---|"]
        lines += [f"| {_md(t.describe)} | {t.old or '—'} | {t.new or '—'} |" for t in moved]
    for title, cases, pick in (("Regressions", diff.regressed_cases, "regressions"),
                               ("Improvements", diff.improved_cases, "improvements")):
        if not cases:
            continue
        rows = [(c.key, ch) for c in cases for ch in getattr(c, pick)]
        lines += ["", f"## {title} ({len(cases)} case(s))", "", "| case | change | detail |", "|---|---|---|"]
        lines += [f"| `{_md(key)}` | {_md(ch.what)} | {_md(ch.reason)} |" for key, ch in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            lines.append(f"| … | {len(rows) - MAX_ROWS} more | |")
    for title, items in (("Added cases", diff.added), ("Removed cases", diff.removed)):
        if items:
            shown = ", ".join(f"`{_md(k)}`{'' if ok else ' (fails)'}" for k, ok in items[:MAX_ROWS])
            lines += ["", f"**{title} ({len(items)}):** " + shown + (" …" if len(items) > MAX_ROWS else "")]
    return "\n".join(lines) + "\n"


def _status(passed: bool | None) -> str:
    return "passed" if passed else "failed" if passed is not None else "unknown"


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|").replace("`", "'")[:300]


# -- the terminal ---------------------------------------------------------------------------------
def print_comparison(diff: Comparison, console: Any, *, show_same: bool = False) -> None:
    """Rich tables: the metrics that moved (all of them with ``show_same``), regressions, improvements.

    Case ids and reasons are shown as plain text, never read as Rich markup.
    """
    from rich.table import Table
    from rich.text import Text

    console.print(Text.assemble(("old ", "dim"), diff.old_path, f" ({diff.old_cases} cases, "
                                f"{_status(diff.old_passed)})", ("  →  new ", "dim"), diff.new_path,
                                f" ({diff.new_cases} cases, {_status(diff.new_passed)})"))
    table = Table(title="Metrics", title_justify="left", show_edge=False)
    for column, justify in (("metric", "left"), ("old", "right"), ("new", "right"), ("Δ", "right"),
                            ("better", "center"), ("change", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    style = {"better": "green", "worse": "bold red", "same": "dim", "n/a": "dim"}
    shown = [m for m in diff.metrics if show_same or m.verdict in ("better", "worse")]
    for m in shown:
        verdict = m.verdict if m.deterministic or m.verdict not in ("better", "worse") else f"{m.verdict} (timing)"
        table.add_row(m.name, format_value(m.old), format_value(m.new), format_delta(m),
                      {"higher": "↑", "lower": "↓"}.get(m.better_when, ""),
                      Text(verdict, style=style[m.verdict] if m.deterministic else "dim"))
    if shown:
        console.print(table)
    else:
        console.print(Text("metrics: no change", style="dim"))
    for t in diff.thresholds:
        if t.regressed:
            console.print(Text.assemble(("threshold newly missed: ", "bold red"),
                                        f"{t.describe} ({t.old or 'not checked'} → miss)"))
        elif t.improved:
            console.print(Text.assemble(("threshold now met: ", "green"), f"{t.describe} (miss → {t.new})"))
    for title, cases, pick, colour in (("Regressions", diff.regressed_cases, "regressions", "red"),
                                       ("Improvements", diff.improved_cases, "improvements", "green")):
        if not cases:
            continue
        table = Table(title=f"{title} ({len(cases)} case(s))", title_justify="left", title_style=f"bold {colour}",
                      show_edge=False)
        table.add_column("case", overflow="fold")
        table.add_column("change", overflow="fold")
        table.add_column("detail", overflow="fold", max_width=80)
        for case in cases:
            for change in getattr(case, pick):
                table.add_row(Text(case.key), Text(change.what), Text(_short(change.reason)))
        console.print(table)
    for title, items in (("added", diff.added), ("removed", diff.removed)):
        if items:
            names = ", ".join(k + ("" if ok else " (fails)") for k, ok in items[:15])
            names += " ..." if len(items) > 15 else ""
            console.print(Text(f"{len(items)} case(s) {title}: {names}", style="dim"))
    console.print(Text(diff.headline, style="bold red" if diff.regressed else "bold green"))


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
