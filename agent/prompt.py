"""The messages sent to the model. The system prompt (with its worked example) never changes within a
business, so llama.cpp reuses its cached prefix between turns; the passages and question come after."""

from __future__ import annotations

import re

from agent.config import BusinessProfile
from agent.llm.base import ChatMessage
from knowledge.documents import RetrievedPassage

#: Words of each passage given to the model: the prompt stays near 400 tokens for a 135M model on 2 cores.
PASSAGE_WORDS = 110
#: Passages given to the model; more confuses a small model more than it helps.
MODEL_PASSAGES = 3


def readable(text: str) -> str:
    """Passage text as plain sentences: no Markdown emphasis or table rules; table rows as "a: b, c"."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\|?[\s:|-]+\|?", stripped) and "-" in stripped:
            continue  # a table's separator row
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|") if c.strip()]
            stripped = f"{cells[0]}: {', '.join(cells[1:])}." if len(cells) > 1 else (cells[0] if cells else "")
        stripped = re.sub(r"^#+\s*", "", stripped)
        stripped = re.sub(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", stripped)
        if stripped:
            lines.append(stripped)
    return "\n".join(lines)


def passage_body(passage: RetrievedPassage) -> str:
    """The passage without its first line when that line is only the "Title > Heading" label."""
    lines = passage.chunk.text.splitlines()
    if lines and lines[0].strip() == passage.chunk.citation:
        lines = lines[1:]
    return readable("\n".join(lines))


def system_prompt(business: BusinessProfile) -> str:
    return (
        f"You answer customer questions for {business.name}, {business.description}. "
        "Use only facts from the passage. Reply with one or two short sentences that answer the question directly. "
        f"Tone: {business.tone_of_voice}. Do not greet. Do not invent prices, times, dates or policies. "
        "If the passage does not answer the question, say you do not know.\n\n"
        "Example\nPassage: Delivery costs £3.50 in Zone 1 and £5.95 in Zone 2. Orders over £60 are delivered free.\n"
        "Question: how much do you charge to deliver?\n"
        "Answer: Delivery costs £3.50 in Zone 1 and £5.95 in Zone 2, and it is free on orders over £60."
    )


def answer_messages(business: BusinessProfile, question: str, passages: list[str], *,
                    retry_reason: str | None = None) -> list[ChatMessage]:
    """The system prompt, then the passages' text (already checked for planted instructions) and the question.

    ``retry_reason`` says why the previous answer was rejected, for the one regeneration a turn allows; it
    goes after the passages so the cached prefix still holds.
    """
    blocks = []
    for passage in passages[:MODEL_PASSAGES]:
        words = passage.split()
        blocks.append(" ".join(words[:PASSAGE_WORDS]))
    note = f"\nYour previous answer was rejected: {retry_reason}." if retry_reason else ""
    user = "Passage: " + "\n".join(blocks) + f"\nQuestion: {question}{note}\nAnswer:"
    return [ChatMessage("system", system_prompt(business)), ChatMessage("user", user)]
