"""``report.html``: written beside the other reports, well-formed, self-contained, with its charts, and safe
with hostile customer text."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest

from evals.report import report_dict, write_reports
from evals.report_html import bias_groups, histogram_svg, render_html
from evals.runner import run_suites

HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "source", "wbr"}
SUITE = [
    {"id": "fee", "turns": ["How much is delivery?"], "expect": {"answer_contains": ["£4.50"]}, "tags": ["answers"]},
    {"id": "hostile", "turns": [HOSTILE + " do you deliver?"],
     "expect": {"answer_contains": ["</td></tr></table><b>broken</b>"]}, "tags": ["<em>tag</em>"]},
    {"id": "angry", "turns": ["This is ridiculous, my order is a week late. I want a person now!"],
     "expect": {"escalate": True}, "tags": ["frustration"]},
    {"id": "calm", "turns": ["Do you deliver?"], "expect": {"escalate": False}, "tags": ["question"]},
]


class Page(HTMLParser):
    """Collects the tags and text of a page and checks that every element that is opened is closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # self-closed SVG elements: <line ... />
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    assert not page.problems and not page.stack, (page.problems, page.stack)
    return page


@pytest.fixture
def run(extractive_agent, write_suite):
    return run_suites([write_suite("shop", SUITE)], extractive_agent, thresholds={"grounding": 0.9, "empathy": 0.7})


def test_report_html_is_written_with_the_others_and_parses(run, tmp_path):
    paths = write_reports(run, tmp_path)
    assert paths["html"] == tmp_path / "report.html"
    page = parse(paths["html"].read_text(encoding="utf-8"))
    assert page.tags[0] == "html" and "title" in page.tags and "style" in page.tags
    assert "Tactful eval: failed" in "".join(page.text)


def test_hostile_text_is_escaped_everywhere(run):
    html = render_html(report_dict(run))
    page = parse(html)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags and "em" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attrs)
    text = "".join(page.text)
    assert HOSTILE in text  # shown as the customer wrote it, as text
    assert "</td></tr></table><b>broken</b>" in text and "<em>tag</em>" in text
    assert "&lt;script&gt;" in html


def test_the_page_is_self_contained(run):
    html = render_html(report_dict(run))
    page = parse(html)
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    assert not any(name in ("src", "href") for name, _ in page.attrs)
    assert "@import" not in html and "url(" not in html


def test_the_charts_are_inline_svg(run):
    page = parse(render_html(report_dict(run)))
    labels = [value for name, value in page.attrs if name == "aria-label"]
    assert "Histogram: empathy of each reply" in labels
    assert "Bar chart: cases" in labels  # escalation per trigger: TP, FN, FP
    assert page.tags.count("rect") >= 10 + 3 * 2  # ten bins; three bars for each of two triggers
    text = "".join(page.text)
    assert "Escalation by trigger" in text and "frustration" in text and "question" in text
    assert "Failed cases" in text and "shop/hostile" in text and "grounding" in text


def test_the_metric_summary_shows_pass_and_miss(run):
    page = parse(render_html(report_dict(run)))
    badges = [t.strip() for t in page.text if t.strip() in ("pass", "miss", "n/a")]
    assert "miss" in badges and "pass" in badges  # grounding missed (the hostile case), empathy met


def test_bias_is_drawn_only_when_the_report_has_it(run):
    data = report_dict(run)
    assert "Bias: gaps between groups" not in render_html(data)
    data = copy.deepcopy(data)
    data["bias"] = {"groups": {"female / Black": {"empathy": 0.84, "escalation_rate": 0.25},
                               "male / white": {"empathy": 0.86, "escalation_rate": 0.25},
                               HOSTILE: {"empathy": 0.8}},
                    "targets": {"empathy": 0.03}, "escalation_flips": 0}
    html = render_html(data)
    page = parse(html)
    text = "".join(page.text)
    assert "Bias: gaps between groups" in text
    assert "empathy: largest gap 0.06" in text and "miss (≤ 0.03)" in text
    assert "escalation_rate: largest gap 0" in text and "escalation_flips: 0" in text
    assert "Bar chart: empathy" in [v for n, v in page.attrs if n == "aria-label"]
    assert "script" not in page.tags


def test_bias_groups_accepts_a_mapping_or_a_list_and_ignores_non_numbers():
    assert bias_groups({"groups": [{"group": "a", "empathy": 0.8, "note": "x"}, {"group": "b", "empathy": None}]}) \
        == {"a": {"empathy": 0.8}}
    assert bias_groups({"groups": {"a": {"empathy": 1}}}) == {"a": {"empathy": 1.0}}
    assert bias_groups(None) == {} and bias_groups({"groups": "nonsense"}) == {}


def test_histogram_puts_each_value_in_its_bin():
    svg = histogram_svg([0.0, 0.05, 0.95, 1.0, 1.0], bins=10)
    assert "0.0–0.1: 2" in svg and "0.9–1.0: 3" in svg and "0.5–0.6: 0" in svg
