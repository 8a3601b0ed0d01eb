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


#: Combining marks zalgo generators stack on letters: overlays, accents above and below, enclosing marks.
ZALGO_MARKS = [chr(cp) for cp in (*range(0x0300, 0x0370), 0x0489, 0x20DD, 0x20DE, 0x1AB0, 0x1DC0, 0xFE20)
               if cp != 0x034F]  # U+034F, the grapheme joiner, is invisible rather than a mark


#: Marks that never compose with a letter (overlays, double and enclosing marks): what makes a stack zalgo
#: rather than an accent.
OVERLAY_MARKS = [chr(cp) for cp in (*range(0x0334, 0x0339), 0x035C, 0x0360, 0x0361, 0x0489, 0x20DD)]


def zalgo(text: str, data: st.DataObject, most: int = 4, overlay: bool = False) -> str:
    """``text`` with up to ``most`` combining marks stacked on each character; with ``overlay``, every stack
    also holds a mark that never composes (so no stack is merely an accented letter)."""
    out = []
    for c in text:
        marks = data.draw(st.lists(st.sampled_from(ZALGO_MARKS), max_size=most), label="marks")
        if overlay and marks:
            marks.insert(data.draw(st.integers(0, len(marks)), label="at"),
                         data.draw(st.sampled_from(OVERLAY_MARKS), label="overlay"))
        out.append(c + "".join(marks))
    return "".join(out)


def zalgo_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Phrases and tricky text with marks stacked on each character."""
    return st.tuples(st.one_of(st.sampled_from(PHRASES), tricky_text(40)),
                     st.lists(st.lists(st.sampled_from(ZALGO_MARKS), max_size=5), min_size=1, max_size=8)).map(
        lambda pair: "".join(c + "".join(pair[1][i % len(pair[1])]) for i, c in enumerate(pair[0]))[:max_size])


def _text_bytes(text: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]).map(
        lambda encoding: text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace"))


def document_bytes() -> st.SearchStrategy[bytes]:
    """What an uploaded or ingested file may hold: nothing, binary, broken UTF-8, UTF-16, NULs, markup nested deep
    or left open, one huge line, long runs of spaces, zalgo and bidi controls, and text in several encodings."""
    markup = st.sampled_from(["<p>", "<div>", "<li>", "<td>", "<b>", "<h2>", "<script>", "</p>", "</div>", "<!--",
                              "<![CDATA[", "<!DOCTYPE x>", "&amp;", "&#xD800;", "&#0;", "# ", "## ", "\n", ",", '"',
                              "question,answer\n", '{"content": "', '{"question": "q", "answer": "', "}\n", "\x00"])
    pieces = st.lists(st.one_of(markup, tricky_text(40), zalgo_text(40)), max_size=12).map("".join)
    return st.one_of(
        st.just(b""), st.binary(max_size=600), pieces.flatmap(_text_bytes),
        st.tuples(st.sampled_from([b"<div>", b"<p><b><i>", b"[", b'{"a":', b"<ul><li>", b"# "]),
                  st.integers(1, 20_000)).map(lambda pair: pair[0] * pair[1]),
        st.tuples(st.sampled_from([b"x", b"word ", b"\xff", b" ", b"\t", b"\xe3\x80\x80", b"\x00"]),
                  st.integers(1, 300_000)).map(lambda pair: b"# a" + pair[0] * pair[1] + b"b\n"),
        st.binary(max_size=200).map(lambda b: b"\xff\xfe" + b),  # a UTF-16 byte-order mark, then anything
        st.binary(max_size=200).map(lambda b: b"%PDF-1.4\n" + b),
    )


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` cut short, with bytes overwritten, or with junk inserted: a file damaged in transit."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(out)))
        kind = draw(st.sampled_from(["cut", "overwrite", "insert"]))
        junk = draw(st.binary(min_size=1, max_size=16))
        if kind == "cut":
            del out[at:]
        elif kind == "overwrite":
            out[at:at + len(junk)] = junk
        else:
            out[at:at] = junk
    return bytes(out)
