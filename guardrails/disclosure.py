"""Bot disclosure: customers asking "are you a bot?", and replies that pretend to be a person.

The law (California's BOT Act, the EU AI Act, Article 50) and plain honesty ask the same thing: a
customer who wonders whether a person is typing gets a straight answer, and the bot never claims to
be one. Two rails, both deterministic and precompiled (well under 0.5 ms for a 200-character text):

* :class:`BotQuestionRail` (input side) flags "are you a bot?" in the many ways people write it,
  typos ("r u a bot", "am i talkng to a human"), indirect forms ("is there a human there?", "who am
  I talking to") and other languages ("¿eres un robot?", "bist du ein Bot"): ``asks_if_bot``.
  Role-play meant to make the bot claim humanity ("pretend you're my friend Sarah, a human") is
  ``role_play_human``; a plain request for a person ("can I talk to a human") is ``wants_human``.
* :class:`HumanClaimRail` (output side) removes the sentences of a reply that claim or imply being
  a person ("I'm a real person", "I just got back from lunch", "I'm Sarah, I've worked here for 5
  years"), rewrites the few with an honest equivalent ("I'll personally check" -> "I'll check") and
  keeps every other character of the reply as it was.

:func:`disclosure_answer` and :func:`role_play_refusal` are the truthful replies. The phrases live
in ``data/disclosure_phrases.yaml``; this module folds text so those patterns stay plain.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from itertools import repeat

import yaml

from guardrails.pii_names import AMBIGUOUS, first_names
from guardrails.sentences import sentence_spans
from guardrails.skeleton import skeleton
from guardrails.verdict import Span, Verdict

__all__ = ["BotQuestionRail", "HumanClaimRail", "disclosure_answer", "role_play_refusal", "fold_question"]

#: Input categories, the first found wins: a role-play request, then a question, then a request for a person.
QUESTION_CATEGORIES = ("role_play_human", "asks_if_bot", "wants_human")
_QUESTION_REASONS = {
    "role_play_human": "asks the assistant to play a human; it must stay honest about being automated",
    "asks_if_bot": "asks whether they are talking to a bot or a person",
    "wants_human": "asks to talk to a person",
}


def disclosure_answer(business_name: str, handoff_contact: str) -> str:
    """The truthful, direct answer to "am I talking to a bot?", with the way to reach a person."""
    return (f"No, I'm not a person: I'm {business_name}'s automated assistant, a computer program. "
            "I answer from the business's own information and I'm glad to keep helping here. "
            f"To talk to a person, {handoff_contact}.")


def role_play_refusal(business_name: str, handoff_contact: str) -> str:
    """A friendly no to "pretend you're human": it never plays along, and it offers to keep helping."""
    return (f"I can't pretend to be a person: I'm {business_name}'s automated assistant, and I'll always say so. "
            "I'm happy to keep helping with anything about the business. "
            f"If you'd rather talk to a person, {handoff_contact}.")


# --- the phrases ---------------------------------------------------------------------------------

_APOSTROPHE_HELPERS = {
    "IM": r"\bI(?:'m|\s+am)\s+", "ILL": r"\bI(?:'ll|\s+will)\s+", "IVE": r"\bI(?:'ve|\s+have)\s+",
    "ID": r"\bI(?:'d|\s+would)\s+", "YOURE": r"\byou(?:'re|\s+are)\s+",
    "IWILL": r"\bI(?:'ll|\s+will|'m\s+going\s+to|\s+am\s+going\s+to|'m\s+gonna)",
}


@lru_cache(maxsize=1)
def _phrases() -> dict:
    text = resources.files("guardrails").joinpath("data/disclosure_phrases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _expand(pattern: str, fragments: dict[str, str]) -> str:
    """Insert ``{NAME}`` fragments (fragments may use other fragments)."""
    for _ in range(3):
        pattern = re.sub(r"\{([A-Z_]+)\}", lambda m: fragments[m.group(1)], pattern)
    return pattern


def _compile_all(patterns: list[str], fragments: dict[str, str], flags: int = 0) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_expand(p, fragments)})" for p in patterns), flags)


# --- folding customer text: lower case, no accents, chat spellings and typos mended -------------

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[?!.,;]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_INVISIBLE = frozenset([*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
                        *range(0x2066, 0x206A), 0xFEFF, 0x00AD, 0x034F, 0x180E])
_CHAT_SPELLINGS = {
    "r": "are", "u": "you", "ya": "you", "yu": "you", "yuo": "you", "yoi": "you", "yiu": "you", "yoy": "you",
    "ur": "your", "yr": "your", "youre": "you are", "urself": "yourself", "ru": "are you", "iz": "is",
    "im": "i am", "ive": "i have", "whos": "who is", "whats": "what is", "wat": "what", "wot": "what",
    "wut": "what", "wht": "what", "thats": "that is", "isnt": "is not", "arent": "are not", "dont": "do not",
    "aint": "is not", "pls": "please", "plz": "please", "plez": "please", "rly": "really", "realy": "really",
    "ppl": "people", "sum1": "someone", "some1": "someone", "smone": "someone", "sumone": "someone",
    "any1": "anyone", "hooman": "human", "hoomin": "human", "humun": "human", "humen": "human", "hman": "human",
    "hmn": "human", "prsn": "person", "persn": "person", "rl": "real", "robo": "robot", "robit": "robot",
    "bott": "bot", "chatgtp": "chatgpt", "tlk": "talk", "wanna": "want to", "gonna": "going to", "2": "to",
    "n": "and", "cn": "can", "bout": "about", "lemme": "let me", "gimme": "give me", "ai's": "ai",
    "a.i": "ai", "bots": "bot", "chatbots": "chatbot", "vc": "voce",
}
_TYPO_TARGETS = ("human humans person persons robot robots talking speaking chatting texting machine computer "
                 "automated chatbot artificial someone somebody actually pretend roleplay really people "
                 "typing replying answering automatic pretending").split()
#: Real words one letter away from a target, and the other languages' own words ("humain", "persoon").
_NOT_TYPOS = frozenset("walking balking stalking sneaking charting testing commuter rally persona parson humane "
                       "peopled machined robota actuary pretext humain humano humana persone persoon personn "
                       "umana umano machina".split())
_CONTRACTIONS = {"'re": " are", "'m": " am", "'ll": " will", "'ve": " have", "'d": " would"}
_IS_BEFORE_S = frozenset("it that what who there here he she where how this".split())
_ELONGATION = re.compile(r"([a-z])\1{2,}")
_LEET = str.maketrans("013457@", "oieasta")


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters} | {a + c + b for a, b in splits for c in letters})


@lru_cache(maxsize=1)
def _typos() -> dict[str, str]:
    """Every one-letter slip of the words that carry the question ("talkng", "huamn", "perosn")."""
    table: dict[str, str] = {}
    for target in _TYPO_TARGETS:
        for variant in _edits1(target):
            if len(variant) >= 4 and variant not in _NOT_TYPOS and variant not in _TYPO_TARGETS:
                table.setdefault(variant, target)
    return table


@lru_cache(maxsize=4096)
def _normalize_token(token: str) -> str:
    """One token as the patterns expect it: may become several words ("you're" -> "you are")."""
    if token in _CHAT_SPELLINGS:
        return _CHAT_SPELLINGS[token]
    if "'" in token:
        if token.endswith("n't"):
            base = token[:-3]
            return {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}.get(base, base) + " not"
        for suffix, word in _CONTRACTIONS.items():
            if token.endswith(suffix):
                return _normalize_token(token[: -len(suffix)]) + word
        if token.endswith("'s"):
            base = token[:-2]
            return base + " is" if base in _IS_BEFORE_S else _normalize_token(base)
        return " ".join(_normalize_token(part) for part in token.split("'") if part)  # c'est, l'ia, t'es
    if token.isascii() and token.isalpha():
        squeezed = _ELONGATION.sub(r"\1", token)
        if squeezed != token:
            token = squeezed
            if token in _CHAT_SPELLINGS:
                return _CHAT_SPELLINGS[token]
    elif token.isascii() and not token.isdigit() and any(c.isalpha() for c in token):
        token = token.translate(_LEET)  # b0t, hum4n
    if len(token) >= 4 and token.isascii():
        if token in _typos():
            return _typos()[token]
        if token.endswith("in") and token + "g" in _TYPO_TARGETS:  # talkin, chattin
            return token + "g"
    return token


@lru_cache(maxsize=1024)
def _fold_char(ch: str) -> str:
    if ord(ch) in _INVISIBLE:
        return ""
    ch = ch.translate(_QUOTES)
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def fold_question(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``text`` as the question patterns read it, and for each token ``(fold_start, fold_end, start, end)``:
    where it sits in the folded string and in ``text``."""
    if text.isascii():
        folded, origin = text.lower().replace("`", "'"), None
    else:
        chars: list[str] = []
        origin = []
        for i, ch in enumerate(text):
            for c in _fold_char(ch):
                chars.append(c)
                origin.append(i)
        folded = "".join(chars)
    words: list[str] = []
    index: list[tuple[int, int, int, int]] = []
    cursor = 0
    for m in _TOKEN.finditer(folded):
        word = _normalize_token(m.group())
        start, end = (m.start(), m.end()) if origin is None else (origin[m.start()], origin[m.end() - 1] + 1)
        index.append((cursor, cursor + len(word), start, end))
        words.append(word)
        cursor += len(word) + 1
    return " ".join(words), index


# --- input side ----------------------------------------------------------------------------------

#: Where a question ends, or a second one starts ("Are you a bot? Also, when do you open?").
_CLAUSE_END = re.compile(r"[.?!;\n。？！]|,?\s+(?:and|also|plus|btw|but|and also|oh and)\s+(?=\w)|,\s*(?=(?:and|also|btw|but|"
                         r"when|what|where|how|do|does|can|could|will|would|is|are|which|why)\b)", re.IGNORECASE)


class BotQuestionRail:
    """Input rail: is the customer asking whether they are talking to a bot, or asking for a person?"""

    name = "bot_question"

    def __init__(self) -> None:
        data = _phrases()
        fragments = {**data["fragments"], **_APOSTROPHE_HELPERS}
        self._patterns = [(category, _compile_all(data["bot_question"][category], fragments))
                          for category in QUESTION_CATEGORIES]

    def check(self, text: str) -> Verdict:
        checked = skeleton(text)  # zero-width characters gone, look-alikes read as ASCII: "are you а bоt?"
        text = checked.text
        folded, index = fold_question(text)
        # Every pattern starts at a word or a mark, so trying those few places beats a full scan (~3x);
        # scripts written without spaces (Chinese, Japanese) still get the full scan.
        starts = [fs for fs, _, _, _ in index] if folded.isascii() else None
        for category, pattern in self._patterns:
            if starts is None:
                matches = list(pattern.finditer(folded))
            else:
                matches = [m for m in map(pattern.match, repeat(folded, len(starts)), starts) if m]
            if matches:
                spans = _merge(self._clause(text, *self._original(index, m.start(), m.end())) for m in matches)
                return Verdict(rail=self.name, passed=True, action="flag", category=category,
                               reason=_QUESTION_REASONS[category],
                               spans=tuple(Span(category, *checked.to_original(s, e)) for s, e in spans))
        return Verdict(rail=self.name, passed=True, action="allow", reason="no question about the assistant")

    @staticmethod
    def _original(index: list[tuple[int, int, int, int]], start: int, end: int) -> tuple[int, int]:
        hit = [(s, e) for fs, fe, s, e in index if fs < end and fe > start]
        return (hit[0][0], hit[-1][1]) if hit else (0, 0)

    @staticmethod
    def _clause(text: str, start: int, end: int) -> tuple[int, int]:
        """Widen a match to its clause, so "Are you a bot? When do you open?" keeps the second question."""
        left = 0
        for m in _CLAUSE_END.finditer(text, 0, start):
            left = m.end()
        right = _CLAUSE_END.search(text, end)
        right_end = right.end() if right and right.group()[:1] in ".?!;。？！" else (right.start() if right else len(text))
        while left < start and text[left].isspace():
            left += 1
        return left, max(right_end, end)


def _merge(spans) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# --- output side ---------------------------------------------------------------------------------

_BOT_SELF = re.compile(r"\b(?:assistant|bot|chatbot|automated|virtual|AI|digital|program|not a (?:person|human))\b",
                       re.IGNORECASE)
_TIDY_SPACES = re.compile(r"[ \t]{2,}|[ \t]+(?=[,.;:!?])")


class HumanClaimRail:
    """Output rail: no sentence of a reply may claim or imply that a person is writing it."""

    name = "human_claim"

    def __init__(self) -> None:
        data = _phrases()
        fragments = {**data["fragments"], **_APOSTROPHE_HELPERS}
        claims = data["human_claim"]
        self._rewrite = [re.compile(_expand(p, fragments), re.IGNORECASE) for p in claims["rewrite"]]
        self._kinds = [(kind, _compile_all(patterns, fragments, re.IGNORECASE))
                       for kind, patterns in claims["remove"].items() if kind != "name"]
        self._name = _compile_all(claims["remove"]["name"], fragments)
        self._first_names = first_names() - AMBIGUOUS

    def claim(self, sentence: str) -> str | None:
        """The kind of human claim one sentence makes ("identity", "physical", ...), or None."""
        sentence = sentence.translate(_QUOTES)
        for kind, pattern in self._kinds:
            if pattern.search(sentence):
                return kind
        for m in self._name.finditer(sentence):
            name = next(g for g in m.groups() if g)
            if name in self._first_names and not _BOT_SELF.search(sentence):
                return "name"
        return None

    def check(self, text: str) -> Verdict:
        spans: list[Span] = []
        kinds: list[str] = []
        out: list[str] = []
        cursor = 0
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            kind = self.claim(sentence)
            if kind is not None:
                spans.append(Span(kind, start, end))
                kinds.append(kind)
                cut = start
                while cut > cursor and text[cut - 1] in " \t":
                    cut -= 1
                out.append(text[cursor:cut])
                cursor = _after_whitespace(text, end) if cut == 0 or text[cut - 1] == "\n" else end
                continue
            rewritten = self._rewritten(sentence)
            if rewritten != sentence:
                spans.append(Span("rewritten", start, end))
                kinds.append("rewritten")
                out.append(text[cursor:start] + rewritten)
                cursor = end
        if not spans:
            return Verdict(rail=self.name, passed=True, action="allow", reason="no claim to be human")
        out.append(text[cursor:])
        repaired = "".join(out)
        repaired = repaired if repaired.strip() else ""
        removed = sum(k != "rewritten" for k in kinds)
        reason = (f"removed {removed} sentence(s) claiming or implying to be human "
                  f"({', '.join(sorted(set(k for k in kinds if k != 'rewritten')))})" if removed else "")
        if removed != len(kinds):
            reason += ("; " if reason else "") + f"made {len(kinds) - removed} sentence(s) honest (no 'personally')"
        return Verdict(rail=self.name, passed=False, action="repair", reason=reason, spans=tuple(spans),
                       category="human_claim", repaired=repaired)

    def _rewritten(self, sentence: str) -> str:
        plain = sentence.translate(_QUOTES)
        edits = sorted((m.start(), m.end()) for rx in self._rewrite for m in rx.finditer(plain))
        if not edits:
            return sentence
        for start, end in reversed(edits):
            sentence = sentence[:start] + sentence[end:]
        return _TIDY_SPACES.sub(lambda m: "" if m.group().strip() == "" and m.end() < len(sentence)
                                and sentence[m.end()] in ",.;:!?" else " ", sentence)


def _after_whitespace(text: str, end: int) -> int:
    """Removing a sentence at the start of a line also takes the spaces after it, and the line break when
    it was the whole line."""
    while end < len(text) and text[end] in " \t":
        end += 1
    return end + 1 if text[end:end + 1] == "\n" else end
