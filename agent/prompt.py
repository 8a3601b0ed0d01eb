"""The messages sent to the model. The system prompt never changes within a business, so llama.cpp
reuses its cached prefix between turns; the passages and the question come after it, kept short."""

from __future__ import annotations

from agent.config import BusinessProfile
from agent.llm.base import ChatMessage
from knowledge.documents import RetrievedPassage

#: Words of each passage given to the model: the prompt stays near 400 tokens for a 135M model on 2 cores.
PASSAGE_WORDS = 110


def system_prompt(business: BusinessProfile) -> str:
    return (
        f"You answer customer questions for {business.name}, {business.description}. "
        "Use only the facts in the passages. Reply in one to three short, plain sentences. "
        f"Tone: {business.tone_of_voice}. "
        "Do not greet. Do not invent prices, times, dates or policies. "
        "If the passages do not contain the answer, say that you do not know."
    )


def answer_messages(business: BusinessProfile, question: str, passages: list[RetrievedPassage]) -> list[ChatMessage]:
    blocks = []
    for number, passage in enumerate(passages, start=1):
        words = passage.chunk.text.split()
        text = " ".join(words[:PASSAGE_WORDS]) + (" ..." if len(words) > PASSAGE_WORDS else "")
        blocks.append(f"[{number}] {passage.chunk.citation}\n{text}")
    user = "Passages:\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\nAnswer:"
    return [ChatMessage("system", system_prompt(business)), ChatMessage("user", user)]
