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


_TABLE_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_row_sentence(header: list[str], cells: list[str]) -> str:
    """One table row as a sentence that stands alone: the first cell, then each other column's name and value.

    ``| Assistant conversations | 90 days |`` under ``| Information | How long |`` reads "Assistant
    conversations - How long: 90 days."; empty cells are left out.
    """
    subject = cells[0] if cells else ""
    pairs = [f"{h}: {v}" if h else v for h, v in zip([*header[1:], *[""] * len(cells)], cells[1:]) if v]
    if not subject:
        text = "; ".join(pairs)
    elif pairs:
        text = f"{subject} - " + "; ".join(pairs)
    else:
        text = subject
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def readable(text: str) -> str:
    """Passage text as plain sentences: no Markdown emphasis or heading marks, and each table row a sentence
    that names its columns (a table's header row is only context for its rows, never a sentence itself).
    Paragraph breaks stay, so a heading still stands alone on its line and is read as a heading."""
    lines = []
    raw = text.splitlines()
    header: list[str] | None = None
    for number, line in enumerate(raw):
        stripped = line.strip()
        if stripped.startswith("|") and "|" in stripped[1:]:
            if _TABLE_RULE.fullmatch(stripped):
                continue  # the rule under the header row
            following = raw[number + 1].strip() if number + 1 < len(raw) else ""
            if header is None and _TABLE_RULE.fullmatch(following):
                header = _cells(stripped)  # the header row: its column names go into every row below
                continue
            cells = _cells(stripped)
            stripped = table_row_sentence(header or [], cells) if header else \
                ": ".join(c for c in cells[:1] if c) + (": " + ", ".join(c for c in cells[1:] if c) if any(cells[1:]) else "")
        else:
            header = None
        stripped = re.sub(r"^#+\s*", "", stripped)
        stripped = re.sub(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", stripped)
        if stripped:
            lines.append(stripped)
        elif lines and lines[-1]:
            lines.append("")  # one blank line keeps a heading standing alone above its text
    return "\n".join(lines).strip()


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
