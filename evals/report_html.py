"""``report.html``: one self-contained page for people, drawn from the report data (``report.json``).

No script, no stylesheet or font from elsewhere: the charts are inline SVG drawn here, so the file
opens offline and is safe to keep as a CI artifact. Every string from the run (case ids, customer
messages, replies, reasons) is HTML-escaped: customer text may hold ``<script>``.

Sections: the metrics against their thresholds; the distribution of reply empathy (histogram); the
escalation results per trigger (TP, FN, FP bars); the account tools by expected tool, when the run has
account cases; bias gaps by group, when the report carries bias data; and the failed cases with their
reasons. The bias section reads::

    "bias": {"groups": {"female / Black": {"empathy": 0.81, "escalation_rate": 0.2}, ...},
             "gaps": {"empathy": 0.02, ...},               # optional: largest gap per measure
             "targets": {"empathy": 0.03, ...}}            # optional: the largest gap allowed

(``groups`` may also be a list of ``{"group": name, measure: value, ...}``). Without it, or with
no numeric values in it, the section is left out.
"""

from __future__ import annotations

import html
import math
from typing import Any, Callable, Mapping, Sequence

from evals.metrics import METRICS, format_value
from evals.scorers.accounts import by_tool

MAX_FAILED_CASES = 200
#: Category labels under bar charts: clipped to this many characters, about this wide each.
LABEL_CHARS, LABEL_CHAR_PX = 24, 7.5
PALETTE = {"tp": "#2e7d32", "fn": "#c62828", "fp": "#ef6c00", "bar": "#3f51b5", "grid": "#ddd", "text": "#333",
           "line": "#c62828"}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:.2em 0} h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd}
.card{background:#fff;border:1px solid #e3e3e3;border-radius:8px;padding:16px;margin:12px 0}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;
vertical-align:top} th{background:#fafafa} td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600}
.pass{background:#e6f4ea;color:#1e6b34} .miss{background:#fde7e7;color:#a31515} .na{background:#eee;color:#666}
.verdict-pass{color:#1e6b34} .verdict-fail{color:#a31515} .muted{color:#666;font-size:.9em}
details{margin:6px 0} summary{cursor:pointer} pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;
padding:6px 8px;border-radius:4px;margin:4px 0} svg text{font:12px system-ui,sans-serif;fill:#333}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
"""


def esc(value: Any) -> str:
    """Any value as HTML text, quotes included (safe in text and in attribute values)."""
    return html.escape("" if value is None else str(value), quote=True)


def render_html(data: Mapping[str, Any]) -> str:
    """The whole page for one run's report data (what ``report.json`` holds)."""
    passed = bool(data.get("passed"))
    metrics = data.get("metrics") or {}
    timing = data.get("timing") or {}
    title = f"Tactful eval: {'passed' if passed else 'failed'}"
    suites = ", ".join(str(s) for s in data.get("suites") or [])
    head = (f'<h1 class="{"verdict-pass" if passed else "verdict-fail"}">{esc(title)}</h1>'
            f'<p class="muted">{esc(metrics.get("cases"))} cases, {esc(timing.get("turns"))} turns from '
            f'{esc(suites or "no suites")} in {esc(timing.get("seconds"))} s; latency p50 '
            f'{esc(format_value(metrics.get("latency_p50_ms")))} ms, p95 {esc(format_value(metrics.get("latency_p95_ms")))} ms</p>')
    sections = [head, _metrics_section(data), _empathy_section(data), _escalation_section(data),
                _accounts_section(data), _bias_section(data), _failures_section(data)]
    body = "\n".join(s for s in sections if s)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
            "</body>\n</html>\n")


# -- sections -------------------------------------------------------------------------------------
def _metrics_section(data: Mapping[str, Any]) -> str:
    metrics = data.get("metrics") or {}
    checks = {t.get("metric"): t for t in data.get("thresholds") or [] if isinstance(t, Mapping)}
    rows = []
    for name, value in metrics.items():
        if name == "cases":
            continue
        check = checks.get(name)
        needs = status = ""
        if check:
            needs = f"{'≥' if check.get('direction') == 'min' else '≤'} {format_value(check.get('limit'))}"
            kind = {"pass": "pass", "miss": "miss"}.get(str(check.get("status")), "na")
            status = f'<span class="badge {kind}">{esc(check.get("status"))}</span>'
        meaning = METRICS[name].description if name in METRICS else ""
        rows.append(f'<tr><td title="{esc(meaning)}">{esc(name)}</td><td class="num">{esc(format_value(value))}</td>'
                    f'<td class="num">{esc(needs)}</td><td>{status}</td></tr>')
    critical = data.get("critical_failures") or []
    note = ""
    if critical:
        note = ('<p class="verdict-fail"><strong>Critical misses</strong> (angry, frustrated or sensitive, not '
                f'handed to a person): {esc(", ".join(str(c) for c in critical))}</p>')
    return ('<section id="metrics"><h2>Metrics</h2><div class="card"><table><thead><tr><th>metric</th>'
            '<th>value</th><th>threshold</th><th>status</th></tr></thead><tbody>' + "".join(rows)
            + f"</tbody></table>{note}</div></section>")


def _empathy_section(data: Mapping[str, Any]) -> str:
    values = reply_empathy(data)
    if not values:
        return ""
    limit = next((t.get("limit") for t in data.get("thresholds") or []
                  if isinstance(t, Mapping) and t.get("metric") == "empathy"), None)
    chart = histogram_svg(values, bins=10, marker=limit if _number(limit) else None,
                          label="empathy of each reply", marker_label="threshold")
    mean = sum(values) / len(values)
    return (f'<section id="empathy"><h2>Empathy distribution</h2><div class="card">{chart}'
            f'<p class="muted">{len(values)} replies, mean {mean:.3f}, lowest {min(values):.3f}'
            + (f"; the run's threshold (on the mean per case) is {esc(format_value(limit))}" if _number(limit) else "")
            + "</p></div></section>")


def reply_empathy(data: Mapping[str, Any]) -> list[float]:
    """Each scored reply's empathy; the per-case score where a case kept no per-reply scores."""
    values: list[float] = []
    for case in data.get("cases") or []:
        per_turn = [t.get("empathy", {}).get("value") for t in case.get("turns") or []
                    if isinstance(t, Mapping) and isinstance(t.get("empathy"), Mapping)]
        per_turn = [v for v in per_turn if _number(v)]
        if per_turn:
            values += per_turn
        else:
            score = (case.get("scores") or {}).get("empathy")
            if isinstance(score, Mapping) and _number(score.get("value")):
                values.append(float(score["value"]))
    return values


def _escalation_section(data: Mapping[str, Any]) -> str:
    escalation = data.get("escalation") or {}
    by_trigger = escalation.get("by_trigger") or {}
    if not by_trigger:
        return ""
    series = {k: [int(v.get(k) or 0) for v in by_trigger.values()] for k in ("tp", "fn", "fp")}
    chart = grouped_bars_svg(list(by_trigger), series, colours={k: PALETTE[k] for k in series},
                             label="cases", integer=True)
    legend = ('<p class="legend muted"><span style="background:#2e7d32"></span>TP: handed over, rightly'
              '<span style="background:#c62828"></span>FN: should have been handed over, was not'
              '<span style="background:#ef6c00"></span>FP: handed over, should not have been</p>')
    rows = "".join(
        f'<tr><td>{esc(trigger)}</td>'
        + "".join(f'<td class="num">{esc(c.get(k))}</td>' for k in ("tp", "fn", "fp", "tn"))
        + f'<td class="num">{esc(format_value(c.get("recall")))}</td><td class="num">{esc(format_value(c.get("precision")))}</td></tr>'
        for trigger, c in [*by_trigger.items(), ("all", escalation.get("overall") or {})])
    return ('<section id="escalation"><h2>Escalation by trigger</h2><div class="card">' + chart + legend
            + '<table><thead><tr><th>trigger</th><th>TP</th><th>FN</th><th>FP</th><th>TN</th><th>recall</th>'
            '<th>precision</th></tr></thead><tbody>' + rows + "</tbody></table></div></section>")


def _accounts_section(data: Mapping[str, Any]) -> str:
    """The account tools by expected tool: right tool, changes, and the three counts that must stay 0."""
    rows = by_tool([c for c in data.get("cases") or [] if isinstance(c, Mapping)])
    if not rows:
        return ""
    keys = ("cases", "right_tool", "changes", "unconfirmed", "breaches", "disclosures")
    body = "".join(f"<tr><td>{esc(tool)}</td>" + "".join(f'<td class="num">{esc(r[k])}</td>' for k in keys)
                   + "</tr>" for tool, r in rows.items())
    return ('<section id="accounts"><h2>Account tools</h2><div class="card"><table><thead><tr><th>expected tool</th>'
            "<th>cases</th><th>right tool</th><th>changes</th><th>unconfirmed</th><th>policy breaches</th>"
            "<th>disclosures</th></tr></thead><tbody>" + body + "</tbody></table></div></section>")


def bias_groups(bias: Any) -> dict[str, dict[str, float]]:
    """``{group: {measure: value}}`` from the report's bias data, numbers only; {} when there is none."""
    if not isinstance(bias, Mapping):
        return {}
    groups = bias.get("groups")
    if isinstance(groups, Sequence) and not isinstance(groups, str):
        groups = {str(g.get("group", i)): {k: v for k, v in g.items() if k != "group"}
                  for i, g in enumerate(groups) if isinstance(g, Mapping)}
    if not isinstance(groups, Mapping):
        return {}
    out = {}
    for group, values in groups.items():
        if isinstance(values, Mapping):
            numbers = {str(k): float(v) for k, v in values.items() if _number(v)}
            if numbers:
                out[str(group)] = numbers
    return out


def _bias_section(data: Mapping[str, Any]) -> str:
    bias = data.get("bias")
    groups = bias_groups(bias)
    if not groups:
        return ""
    gaps = bias.get("gaps") if isinstance(bias.get("gaps"), Mapping) else {}
    targets = bias.get("targets") if isinstance(bias.get("targets"), Mapping) else {}
    measures = list(dict.fromkeys(m for values in groups.values() for m in values))
    parts = []
    for measure in measures:
        names = [g for g in groups if measure in groups[g]]
        values = [groups[g][measure] for g in names]
        gap = gaps.get(measure) if _number(gaps.get(measure)) else max(values) - min(values)
        target = targets.get(measure)
        verdict = ""
        if _number(target):
            ok = gap <= target + 1e-9
            word = "pass" if ok else "miss"
            verdict = f' <span class="badge {word}">{word} (≤ {esc(format_value(target))})</span>'
        chart = grouped_bars_svg(names, {measure: values}, colours={measure: PALETTE["bar"]}, label=measure,
                                 integer=False, height=220)
        parts.append(f'<h3>{esc(measure)}: largest gap {esc(format_value(round(gap, 4)))}{verdict}</h3>{chart}')
    summary = ""
    extra = {k: v for k, v in bias.items() if k not in ("groups", "gaps", "targets") and _number(v)}
    if extra:
        summary = "<p>" + "; ".join(f"{esc(k)}: {esc(format_value(v))}" for k, v in extra.items()) + "</p>"
    return ('<section id="bias"><h2>Bias: gaps between groups</h2><div class="card">' + summary + "".join(parts)
            + "</div></section>")


def _failures_section(data: Mapping[str, Any]) -> str:
    failed = [c for c in data.get("cases") or [] if isinstance(c, Mapping) and not c.get("passed", True)]
    if not failed:
        return ('<section id="failed"><h2>Failed cases</h2><div class="card"><p>None: every case passed.</p>'
                "</div></section>")
    items = []
    for case in failed[:MAX_FAILED_CASES]:
        reasons = [("error", case["error"])] if case.get("error") else []
        reasons += [(m, s.get("reason", "")) for m, s in (case.get("scores") or {}).items()
                    if isinstance(s, Mapping) and not s.get("passed", True)]
        listed = "".join(f"<li><strong>{esc(m)}</strong>: {esc(r)}</li>" for m, r in reasons)
        turns = "".join(f'<p class="muted">customer, turn {i + 1}:</p><pre>{esc(t.get("customer"))}</pre>'
                        f'<p class="muted">reply ({esc(t.get("outcome") or "no outcome")}):</p>'
                        f'<pre>{esc(t.get("reply"))}</pre>'
                        for i, t in enumerate(case.get("turns") or []) if isinstance(t, Mapping))
        tags = ", ".join(str(t) for t in case.get("tags") or [])
        items.append(f'<details><summary><code>{esc(case.get("suite"))}/{esc(case.get("id"))}</code> '
                     f'<span class="muted">{esc(tags)}</span></summary><ul>{listed}</ul>{turns}</details>')
    more = (f'<p class="muted">{len(failed) - MAX_FAILED_CASES} more in report.json</p>'
            if len(failed) > MAX_FAILED_CASES else "")
    return (f'<section id="failed"><h2>Failed cases ({len(failed)})</h2><div class="card">' + "".join(items) + more
            + "</div></section>")


# -- charts ---------------------------------------------------------------------------------------
def histogram_svg(values: Sequence[float], *, bins: int = 10, lo: float = 0.0, hi: float = 1.0,
                  marker: float | None = None, label: str = "", marker_label: str = "",
                  width: int = 640, height: int = 240) -> str:
    """Counts of ``values`` in ``bins`` equal bins over [lo, hi] (the last bin includes ``hi``)."""
    counts = [0] * bins
    for v in values:
        i = min(bins - 1, max(0, int((v - lo) / (hi - lo) * bins)))
        counts[i] += 1
    left, right, top, bottom = 44, 12, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = _ticks(0, max(counts) or 1)
    scale = plot_h / ticks[-1]
    bar_w = plot_w / bins
    out = [_svg_open(width, height, f"Histogram: {label}")]
    out += _y_axis(ticks, lambda t: top + plot_h - t * scale, left, top, plot_w, plot_h, integer=True)
    for i, count in enumerate(counts):
        x = left + i * bar_w
        h = count * scale
        a, b = lo + (hi - lo) * i / bins, lo + (hi - lo) * (i + 1) / bins
        out.append(f'<rect class="bar" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                   f'height="{h:.1f}" fill="{PALETTE["bar"]}">'
                   f'<title>{esc(f"{a:.1f}–{b:.1f}: {count}")}</title></rect>')
        out.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{a:.1f}</text>')
    out.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{hi:.1f}</text>')
    if marker is not None and lo <= marker <= hi:
        x = left + (marker - lo) / (hi - lo) * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{PALETTE["line"]}" '
                   f'stroke-dasharray="4 3" stroke-width="2"/>')
        out.append(f'<text x="{x + 4:.1f}" y="{top + 10}">{esc(marker_label)} {esc(format_value(marker))}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def grouped_bars_svg(categories: Sequence[str], series: Mapping[str, Sequence[float]], *,
                     colours: Mapping[str, str], label: str = "", integer: bool = False,
                     width: int = 640, height: int = 260) -> str:
    """One group of bars per category, one bar per series (e.g. TP, FN, FP per trigger). Negative
    values (a sentiment score, say) hang below a zero line."""
    left, right, top, bottom = 44, 12, 20, 80
    width = max(width, left + right + len(categories) * (16 * len(series) + 24))
    if categories:  # room for the first label, which slants down to the left of its group
        slant = 0.87 * LABEL_CHAR_PX * len(_clip(categories[0], LABEL_CHARS))
        left = max(left, int(slant - (width - left - right) / len(categories) / 2) + 6)
    plot_w, plot_h = width - left - right, height - top - bottom
    every = [v for values in series.values() for v in values]
    ticks = _ticks(1.12 * min(every + [0.0]), 1.12 * max(every + [0.0]), integer=integer)  # room for values
    low, span = ticks[0], (ticks[-1] - ticks[0]) or 1.0
    y_of = lambda v: top + plot_h - (v - low) / span * plot_h  # noqa: E731
    zero = y_of(0.0)
    group_w = plot_w / max(1, len(categories))
    bar_w = min(40.0, (group_w - 12) / max(1, len(series)))
    out = [_svg_open(width, height, f"Bar chart: {label}")]
    out += _y_axis(ticks, y_of, left, top, plot_w, plot_h, integer=integer)
    for i, category in enumerate(categories):
        x0 = left + i * group_w + (group_w - bar_w * len(series)) / 2
        for j, (name, values) in enumerate(series.items()):
            value = values[i]
            y = min(zero, y_of(value))
            x = x0 + j * bar_w
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{abs(zero - y_of(value)):.1f}" fill="{esc(colours.get(name, PALETTE["bar"]))}">'
                       f'<title>{esc(f"{category}, {name}: {format_value(value)}")}</title></rect>')
            if bar_w >= 14:  # the value over (or under) its bar, where it fits
                ty = y - 3 if value >= 0 else y_of(value) + 12
                out.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{ty:.1f}" text-anchor="middle">'
                           f'{esc(format_value(round(value, 3)) if not integer else int(value))}</text>')
        cx = left + (i + 0.5) * group_w
        out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="end" '
                   f'transform="rotate(-30 {cx:.1f} {top + plot_h + 14})">{esc(_clip(category, LABEL_CHARS))}</text>')
    if low < 0:
        out.append(f'<line x1="{left}" y1="{zero:.1f}" x2="{left + plot_w:.1f}" y2="{zero:.1f}" stroke="#999"/>')
    out.append("</svg>")
    return "".join(out)


def _svg_open(width: int, height: int, title: str) -> str:
    return (f'<svg role="img" aria-label="{esc(title)}" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width}px" preserveAspectRatio="xMinYMin meet"><title>{esc(title)}</title>')


def _y_axis(ticks: Sequence[float], y_of: Callable[[float], float], left: float, top: float, plot_w: float,
            plot_h: float, *, integer: bool) -> list[str]:
    out = []
    for t in ticks:
        y = y_of(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="{PALETTE["grid"]}"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{int(t) if integer else f"{t:g}"}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>')
    return out


def _ticks(low: float, high: float, *, integer: bool = True, count: int = 4) -> list[float]:
    """Round tick values covering [min(low, 0), max(high, 0)], about ``count`` steps."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        return [0.0, 1.0]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    if integer:
        step = max(1.0, float(math.ceil(step)))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]




def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        and value not in (float("inf"), float("-inf"))

