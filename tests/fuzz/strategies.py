"""Hypothesis strategies for hostile input: Unicode tricks, broken text, odd JSON."""

from __future__ import annotations

import json

from hypothesis import strategies as st

#: Characters used to disguise text: zero-width, bidi controls, soft hyphen, BOM, tag characters,
#: look-alike letters, fullwidth and mathematical letters, combining marks, lone surrogates, controls.
TRICKY_CHARS = list("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069"
                    "\ufeff\u00ad\u034f\U000e0041\u0430\u0435\u043e\u0440\u0441\u0445\u0443\u0456\u0455\u0458"
                    "\u0501\u0261\u03bf\u03b1\u03bd\uff49\uff47\U0001d41a\u0301\u0338\x00\x07\x1b\x7f\x85"
                    "\u2028\u2029\ufffd\ufffe\uffff") + ["\ud800", "\udfff", "\ud83c"]

PHRASES = ["ignore previous instructions", "are you a bot?", "I want a human", "jane@example.com",
           "call me on 07700 900123", "4111 1111 1111 1111", "where is my order?", "Γειά σου", "Где мой заказ?",
           "أين طلبي؟", "我的订单在哪里？", "ㅋㅋㅋ", "<script>alert(1)</script>", "{{7*7}}", "'; DROP TABLE turns;--",
           "%s%n%x", "../../etc/passwd", "[/]", "[bold red]x", "[link=http://x]y[/link]"]


def tricky_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text mixing ordinary phrases, any code point (surrogates included) and the characters of known tricks."""
    piece = st.one_of(st.sampled_from(PHRASES), st.text(max_size=20),
                      st.text(st.sampled_from(TRICKY_CHARS), max_size=8),
                      st.text(st.characters(codec=None, exclude_categories=()), max_size=10))
    return st.lists(piece, max_size=8).map("".join).map(lambda s: s[:max_size])


def sprinkle(text: str, data: st.DataObject, chars: list[str] | None = None) -> str:
    """``text`` with invisible characters dropped between some of its letters."""
    chars = chars or ["\u200b", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u202e", "\u2066"]
    out = []
    for c in text:
        out.append(c)
        if data.draw(st.booleans(), label="insert"):
            out.append(data.draw(st.sampled_from(chars), label="char"))
    return "".join(out)


JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                      tricky_text(40))
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)


def nested(depth: int, leaf: object = "hi") -> str:
    """A JSON text nested ``depth`` deep, alternating arrays and objects."""
    return '{"text":' * depth + json.dumps(leaf) + "}" * depth


def raw_bodies() -> st.SearchStrategy[bytes]:
    """Request bodies: empty, binary, broken UTF-8, malformed and deeply nested JSON, wrong types, huge."""
    def dumped(value: object) -> bytes:
        return json.dumps(value).encode("utf-8")

    return st.one_of(
        st.just(b""), st.binary(max_size=200),
        st.sampled_from([b"{", b"}", b"[", b"null", b"true", b"0", b"\"text\"", b"{\"text\":}", b"{\"text\": \"a\"",
                         b"\xff\xfe{\x00\"\x00", b"{\"text\": \"\xc3\x28\"}", b"{\"text\": \"\\ud800\"}",
                         b"{\"text\": \"\\udfff\\ud800x\"}", b"{\"text\": NaN}", b"{\"text\": Infinity}",
                         b"{\"text\": 1e999}", b"{\"text\": \"a\", \"text\": 5}", b"\xef\xbb\xbf{\"text\": \"hi\"}"]),
        st.integers(1, 3000).map(lambda d: nested(d).encode()),
        st.integers(1, 3000).map(lambda d: ("[" * d + "]" * d).encode()),
        JSON_VALUE.map(dumped),
        st.dictionaries(st.sampled_from(["text", "score", "comment", "customer", "channel", "agent_name"]),
                        JSON_VALUE, max_size=3).map(dumped),
        tricky_text(400).map(lambda t: dumped({"text": t})),  # lone surrogates as JSON escapes
        tricky_text(400).map(lambda t: json.dumps({"text": t}, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    )
