"""An optional LLM judge of empathy, G-Eval style: a rubric in the prompt, asked k times, mean and spread.

    from agent.llm import build_gateway
    judge = EmpathyJudge(build_gateway(config.llm), k=3)
    judge.judge("My cake arrived broken", "I'm sorry it arrived damaged. ...")
    # JudgeScore(value=0.83, ratings=(4.0, 5.0, 4.0), ...): mean of the 1-5 ratings scaled to [0, 1]

It is never required and off by default: the deterministic rubric (``evals.scorers.empathy``) is the
gate. A judge is noisy, so it asks ``k`` times and reports the spread (sample standard deviation on
the 1-5 scale) in the reason. ``model`` is a LangChain chat model (``invoke``) or the agent's
``ModelGateway`` (``complete``: deadline and retries included). An answer with no usable rating is
reported as unparsable, and a failed call as failed: neither stops a run. A test double that runs out
of replies (an ``AssertionError``) is not caught, so a broken test stays loud.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any, Sequence

from evals.score import Score
from evals.scorers.base import CaseScore, ScorerBase, short, silent, text_of
from evals.suite import Case

LOWEST, HIGHEST = 1, 5

SYSTEM_PROMPT = ("You are an expert evaluator of customer-service conversations. You rate how empathetic one reply "
                 "is, from 1 to 5, following the rubric you are given. Answer with the number only.")

RUBRIC = """\
Evaluation criterion: empathy in customer service (1-5). How well does the reply treat the customer as a person
with a situation and feelings, while being an honest automated assistant?

5 - Acknowledges the customer's situation and feeling when there is one; apologises once when something went
    wrong (never an apology storm); keeps the focus on the customer; gives a concrete next step; no blame,
    dismissal or condescension; warm without pretending to be human (no pet names, gushing, false intimacy or
    promises it cannot keep); a readable length.
4 - Most of the above, with one small gap (a generic acknowledgement, or a vague next step).
3 - Polite and correct but impersonal: answers the question, ignores the feeling, or the next step is missing.
2 - Cold, curt or scripted; apologises too much or not at all for a real problem; talks about itself.
1 - Blames, dismisses or talks down to the customer, or is unreadable, or pretends to be a person.

Evaluation steps:
1. Read the customer's message: what problem or feeling, if any, do they bring?
2. Read the reply: does it acknowledge that, keep the focus on the customer and say what happens next?
3. Check for blame, dismissal, condescension, apology storms and over-familiar or fake-human warmth.
4. Give a single rating from 1 to 5.
"""

_SCALE = re.compile(r"\(?\b1\s*(?:-|–|—|to)\s*5\b\)?", re.IGNORECASE)  # "(1-5)", "1 to 5": the scale, not a rating
_NUMBER = r"(\d+(?:\.\d+)?)"
_EXPLICIT = re.compile(r"\b(?:rating|score|rate|rated|grade)\b[^0-9\n]{0,24}?" + _NUMBER, re.IGNORECASE)
_FRACTION = re.compile(_NUMBER + r"\s*(?:/|out\s+of)\s*5\b", re.IGNORECASE)
_STANDALONE = re.compile(r"(?<![\w.])" + _NUMBER + r"(?![\w]|\.\d)")
_WORDS = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def parse_rating(text: str) -> float | None:
    """The 1-5 rating in a judge's answer, or None when there is none or it is ambiguous.

    "4", "Rating: 5", "**4**/5", "I'd rate it 3 out of 5", "Score (1-5): 4.5" all parse; a number
    outside 1-5, two different bare numbers or no number at all do not.
    """
    text = _SCALE.sub(" ", str(text or ""))
    for pattern in (_EXPLICIT, _FRACTION):
        match = pattern.search(text)
        if match:
            return _in_range(float(match.group(1)))
    numbers = {float(n) for n in _STANDALONE.findall(text)}
    if len(numbers) == 1:
        return _in_range(numbers.pop())
    if numbers:
        return None
    words = {_WORDS[w.lower()] for w in _WORD.findall(text)}
    return words.pop() if len(words) == 1 else None


def _in_range(value: float) -> float | None:
    return value if LOWEST <= value <= HIGHEST else None


@dataclass(frozen=True)
class JudgeScore:
    """The judge's ratings of one reply. ``value`` is the mean scaled to [0, 1]; None with no usable rating."""

    ratings: tuple[float, ...]
    unparsable: tuple[str, ...] = ()
    failures: tuple[str, ...] = ()

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.ratings) if self.ratings else None

    @property
    def spread(self) -> float | None:
        """Sample standard deviation of the ratings, on the 1-5 scale; None with fewer than two."""
        return statistics.stdev(self.ratings) if len(self.ratings) > 1 else None

    @property
    def value(self) -> float | None:
        mean = self.mean
        return None if mean is None else round((mean - LOWEST) / (HIGHEST - LOWEST), 4)

    @property
    def reason(self) -> str:
        asked = len(self.ratings) + len(self.unparsable) + len(self.failures)
        if self.ratings:
            shown = ", ".join(f"{r:g}" for r in self.ratings)
            spread = f"stdev {self.spread:.2f}" if self.spread is not None else "stdev n/a (one rating)"
            head = f"LLM judge {self.mean:.2f}/5 over {len(self.ratings)} of {asked} rating(s) ({shown}), {spread}"
        else:
            head = f"LLM judge gave no usable rating in {asked} attempt(s)"
        parts = [head]
        if self.unparsable:
            parts.append(f"{len(self.unparsable)} unparsable: " + ", ".join(repr(short(u, 40))
                                                                         for u in self.unparsable[:3]))
        if self.failures:
            parts.append(f"{len(self.failures)} call(s) failed: {short(self.failures[0], 120)}")
        return "; ".join(parts)

    def to_score(self) -> Score | None:
        return None if self.value is None else Score(self.value, self.reason)


class EmpathyJudge(ScorerBase):
    """Asks a chat model ``k`` times to rate a reply's empathy from 1 to 5 against the rubric above.

    As a case scorer (``name`` "empathy_judge") it rates every reply the assistant gave and never fails
    a case: it informs, and a run can gate on it only by asking (``--min empathy_judge=0.7``).
    """

    name = "empathy_judge"

    def __init__(self, model: Any, *, k: int = 3, temperature: float | None = None,
                 max_tokens: int | None = 64) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a whole number of at least 1, got {k!r}")
        if not (hasattr(model, "complete") or hasattr(model, "invoke")):
            raise TypeError(f"the judge needs a LangChain chat model or a ModelGateway, not {type(model).__name__}")
        self.model = model
        self.k = k
        self.temperature = temperature
        self.max_tokens = max_tokens

    # -- one reply ------------------------------------------------------------------------------
    def judge(self, customer: str, reply: str) -> JudgeScore:
        ratings, unparsable, failures = [], [], []
        messages = self.messages(customer, reply)
        for _ in range(self.k):
            try:
                answer = self._ask(messages)
            except AssertionError:
                raise  # a test double out of replies, or a bug: never hidden
            except Exception as exc:  # noqa: BLE001 - a judge outage is reported, never fatal
                failures.append(f"{type(exc).__name__}: {' '.join(str(exc).split())}")
                continue
            rating = parse_rating(answer)
            if rating is None:
                unparsable.append(answer.strip() or "(empty)")
            else:
                ratings.append(rating)
        return JudgeScore(tuple(ratings), tuple(unparsable), tuple(failures))

    def score(self, customer: str, reply: str) -> Score | None:
        """Like ``EmpathyScorer.score``: the value in [0, 1] with the reason; None with no usable rating."""
        return self.judge(customer, reply).to_score()

    @staticmethod
    def messages(customer: str, reply: str) -> list[tuple[str, str]]:
        """The prompt as (role, content) pairs: the rubric, then the exchange to rate, delimited."""
        user = (f"{RUBRIC}\nCustomer's message:\n<<<\n{customer}\n>>>\n\nReply to rate:\n<<<\n{reply}\n>>>\n\n"
                "Rating (a single number from 1 to 5):")
        return [("system", SYSTEM_PROMPT), ("user", user)]

    def _ask(self, messages: list[tuple[str, str]]) -> str:
        if hasattr(self.model, "complete"):  # the agent's ModelGateway: deadline and retries included
            from agent.llm import ChatMessage

            chat = [ChatMessage(role, content) for role, content in messages]  # type: ignore[arg-type]
            return self.model.complete(chat, max_tokens=self.max_tokens, temperature=self.temperature)
        options = {k: v for k, v in (("max_tokens", self.max_tokens), ("temperature", self.temperature))
                   if v is not None}
        answer = self.model.invoke(messages, **options)
        content = getattr(answer, "content", answer)
        return content if isinstance(content, str) else str(getattr(answer, "text", content))

    # -- a whole case ---------------------------------------------------------------------------
    def applies(self, case: Case) -> bool:
        return True

    def evaluate(self, case: Case, replies: Sequence[Any]) -> CaseScore:
        judged = [(i, self.judge(turn, text_of(reply))) for i, (turn, reply) in enumerate(zip(case.turns, replies))
                  if not silent(reply)]
        counts = {"ratings": sum(len(j.ratings) for _, j in judged),
                  "unparsable": sum(len(j.unparsable) for _, j in judged),
                  "failed_calls": sum(len(j.failures) for _, j in judged)}
        rated = [(i, j) for i, j in judged if j.value is not None]
        if not rated:
            reason = judged[0][1].reason if len(judged) == 1 else (
                f"no usable rating for any of {len(judged)} replies" if judged else "no replies to rate")
            return self.result(0.0, reason, passed=True, **counts)
        value = statistics.fmean(j.value for _, j in rated)  # type: ignore[misc]
        if len(judged) == 1:
            reason = rated[0][1].reason
        else:
            reason = f"mean of {len(rated)} of {len(judged)} replies; " + "; ".join(
                f"turn {i + 1}: {j.reason}" for i, j in judged)
        return self.result(value, reason, passed=True, **counts)
