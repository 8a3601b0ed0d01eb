"""The empathy rubric: warm and concrete beats cold, gushing, blaming or grovelling; it agrees with annotators."""

from __future__ import annotations

import json

import pytest

from evals import Score, score_empathy
from evals.scorers.empathy import EmpathyScorer
from evals.validate_empathy import agreement, average_ranks, spearman

from tests.conftest import shared_data

BROKEN_CAKE = "My daughter's birthday cake arrived squashed and the party is in two hours. I'm really upset."
WARM = ("I'm sorry her cake arrived squashed, especially with the party so close. We can bake a replacement now "
        "for you to collect from 13:00, or refund you in full: which would you prefer?")
COLD = "Cakes leave the shop in good condition. Damage after delivery is not our responsibility."
GUSHING = ("Oh no hun!!! I'm so so sorry!!! My heart is breaking for you, I feel so sad. Sending you big hugs, "
           "I promise I'll never forget this!!")
BLAMING = "You should have collected it yourself. Calm down, it's not a big deal."
GROVELLING = "Sorry. So sorry about that. We apologise, really sorry, we're so sorry."


def test_warm_concrete_reply_ranks_above_cold_gushing_blaming_and_grovelling():
    warm = score_empathy(customer=BROKEN_CAKE, reply=WARM)
    others = {name: score_empathy(BROKEN_CAKE, reply).value
              for name, reply in [("cold", COLD), ("gushing", GUSHING), ("blaming", BLAMING), ("grovelling", GROVELLING)]}
    assert warm.value >= 0.9, warm.reason
    assert all(warm.value > value + 0.2 for value in others.values()), others


def test_reasons_say_what_is_missing():
    assert "no acknowledgement" in score_empathy(BROKEN_CAKE, COLD).reason
    assert "uncanny valley" in score_empathy(BROKEN_CAKE, GUSHING).reason
    assert "blame" in score_empathy(BROKEN_CAKE, BLAMING).reason
    assert "apology storm" in score_empathy(BROKEN_CAKE, GROVELLING).reason


def test_a_plain_question_needs_an_answer_not_sympathy():
    question = "What time do you open on Sunday?"
    plain = score_empathy(question, "We open 8:00-14:00 on Sundays. You can order ahead online if you'd like "
                                    "something kept for you.")
    sorry = score_empathy(question, "I'm so sorry! We open at 8.")
    assert plain.value >= 0.85 and plain.value > sorry.value
    assert plain.reason.startswith("question")


def test_naming_the_feeling_beats_a_bare_answer_to_a_complaint():
    complaint = "This is the second time my loaf has been stale. Really disappointed."
    acknowledged = score_empathy(complaint, "That's disappointing, and I'm sorry it happened twice. Please bring "
                                            "the receipt in and we'll replace the loaf or refund you.")
    bare = score_empathy(complaint, "Please bring the receipt in for a replacement or refund.")
    assert acknowledged.value > bare.value + 0.2


def test_scores_are_in_range_deterministic_and_an_empty_reply_scores_zero():
    scorer = EmpathyScorer()
    first = [scorer.score(BROKEN_CAKE, r) for r in (WARM, COLD, GUSHING, "", "!!!")]
    again = [EmpathyScorer().score(BROKEN_CAKE, r) for r in (WARM, COLD, GUSHING, "", "!!!")]
    assert first == again
    assert all(isinstance(s, Score) and 0.0 <= s.value <= 1.0 for s in first)
    assert first[3].value == 0.0


def test_score_rejects_values_outside_the_unit_interval():
    with pytest.raises(ValueError):
        Score(1.2, "too high")
    with pytest.raises(ValueError):
        Score(float("nan"), "not a number")


def test_spearman_uses_average_ranks_for_ties():
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # by hand: ranks [1, 2.5, 2.5, 4, 5] and [1, 3, 3, 5, 3]; covariance 6, variances 9.5 and 8
    assert spearman([1, 2, 2, 3, 5], [0, 1, 1, 2, 1]) == pytest.approx(6 / (9.5 * 8) ** 0.5)


def test_rubric_agrees_with_epitome_annotators_on_emotional_reactions():
    path = shared_data("empathy_epitome_emotional-reactions.jsonl")
    result = agreement(path)
    assert result.rows > 1000
    assert result.rho >= 0.5, result
    assert result.rho_second_half >= 0.45, result  # the held-out half: weights were read on the first


def test_epitome_text_is_never_copied_into_the_project():
    """Its licence allows evaluation only: no EPITOME reply may appear in the project's files."""
    from pathlib import Path

    path = shared_data("empathy_epitome_emotional-reactions.jsonl")
    replies = {json.loads(line)["response"] for line in path.read_text(encoding="utf-8").split("\n") if line.strip()}
    long_replies = [r for r in replies if len(r) > 60]
    repo = Path(__file__).resolve().parents[2]
    for file in [*(repo / "evals").rglob("*.py"), *(repo / "evals").rglob("*.jsonl"), *(repo / "tests" / "evals").rglob("*.py")]:
        text = file.read_text(encoding="utf-8")
        assert not any(r in text for r in long_replies), f"{file} contains EPITOME text"


def test_validation_command_reports_a_missing_data_folder(tmp_path, capsys):
    from evals.validate_empathy import main

    assert main([str(tmp_path)]) == 2
    assert "not found" in capsys.readouterr().err
