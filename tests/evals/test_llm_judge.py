"""The optional LLM judge of empathy: robust parsing, k ratings with their spread, and never a crash."""

from __future__ import annotations

import pytest

from agent.llm import ModelGateway, ScriptedChatModel, ScriptedModelExhausted
from agent.reply import Reply

from evals.runner import default_scorers, run_suites
from evals.scorers.llm_judge import EmpathyJudge, parse_rating
from evals.suite import Case, Suite

CUSTOMER = "My cake arrived broken"
REPLY = "I'm sorry it arrived damaged. We'll bake a new one today and deliver it free by 4 pm."


@pytest.mark.parametrize("answer, rating", [
    ("4", 4.0),
    ("Rating: 5", 5.0),
    ("**4**", 4.0),
    ("4/5", 4.0),
    ("I'd rate it 3 out of 5.", 3.0),
    ("Score (1-5): 4.5", 4.5),
    ("On a scale of 1 to 5, this reply is a 2.", 2.0),
    ("Rating:\n3\nThe reply acknowledges the problem.", 3.0),
    ("four", 4.0),
    ("2.", 2.0),
])
def test_ratings_are_read_however_the_judge_writes_them(answer, rating):
    assert parse_rating(answer) == rating


@pytest.mark.parametrize("answer", ["", "garbage", "Rating: 7", "0", "3 or 4", "I cannot rate this reply.",
                                    "It deserves between two and five"])
def test_no_rating_out_of_range_or_ambiguous_is_unparsable(answer):
    assert parse_rating(answer) is None


def test_k_ratings_give_the_mean_scaled_to_0_1_and_the_spread():
    model = ScriptedChatModel(replies=["4", "Rating: 5", "4"])
    result = EmpathyJudge(model, k=3).judge(CUSTOMER, REPLY)
    assert result.ratings == (4.0, 5.0, 4.0) and result.value == round((13 / 3 - 1) / 4, 4)
    assert result.spread == pytest.approx(0.5774, abs=1e-4)
    assert "4.33/5 over 3 of 3 rating(s) (4, 5, 4), stdev 0.58" in result.reason
    assert model.remaining == 0 and len(model.calls) == 3


def test_the_prompt_carries_the_rubric_and_the_exchange():
    model = ScriptedChatModel(replies=["4"])
    EmpathyJudge(model, k=1).judge(CUSTOMER, REPLY)
    system, user = model.calls[0]
    assert "1 to 5" in system.content and "Answer with the number only" in system.content
    assert "apology storm" in user.content and CUSTOMER in user.content and REPLY in user.content


def test_garbage_is_reported_as_unparsable_not_a_crash():
    judge = EmpathyJudge(ScriptedChatModel(replies=["5", "blah blah", "Rating: 9"]), k=3)
    result = judge.judge(CUSTOMER, REPLY)
    assert result.ratings == (5.0,) and result.value == 1.0
    assert "stdev n/a (one rating)" in result.reason and "2 unparsable: 'blah blah', 'Rating: 9'" in result.reason

    nothing = EmpathyJudge(ScriptedChatModel(replies=["no", "idea", "sorry"]), k=3)
    result = nothing.judge(CUSTOMER, REPLY)
    assert result.value is None and result.to_score() is None
    assert result.reason.startswith("LLM judge gave no usable rating in 3 attempt(s)")


def test_a_failed_model_call_is_counted_not_raised():
    judge = EmpathyJudge(ScriptedChatModel(replies=["4", ConnectionError("refused"), "4"]), k=3)
    result = judge.judge(CUSTOMER, REPLY)
    assert result.ratings == (4.0, 4.0) and "1 call(s) failed: ConnectionError: refused" in result.reason


def test_a_scripted_model_out_of_replies_stays_loud():
    with pytest.raises(ScriptedModelExhausted):
        EmpathyJudge(ScriptedChatModel(replies=["4"]), k=2).judge(CUSTOMER, REPLY)


def test_it_works_through_the_agents_model_gateway():
    model = ScriptedChatModel(replies=["3", "Rating: 4", ConnectionError("down")])
    gateway = ModelGateway(model, timeout_s=5, max_retries=0)
    result = EmpathyJudge(gateway, k=3, temperature=0.7, max_tokens=8).judge(CUSTOMER, REPLY)
    assert result.ratings == (3.0, 4.0) and result.value == 0.625
    assert "1 call(s) failed" in result.reason and "ModelUnavailable" in result.reason
    assert model.call_options[0]["max_tokens"] == 8 and model.call_options[0]["temperature"] == 0.7


def test_as_a_case_scorer_it_informs_and_never_fails_a_case():
    case = Case.model_validate({"id": "c", "turns": [CUSTOMER, "thanks"]})
    replies = [Reply(text=REPLY, conversation_id="x"), Reply(text="You're welcome.", conversation_id="x")]
    result = EmpathyJudge(ScriptedChatModel(replies=["5", "5", "3", "garbage"]), k=2).evaluate(case, replies)
    assert result.passed and result.value == 0.75  # mean of 1.0 and 0.5
    assert result.counts == {"ratings": 3, "unparsable": 1, "failed_calls": 0}
    assert result.reason.startswith("mean of 2 of 2 replies; turn 1: LLM judge 5.00/5")

    silent = EmpathyJudge(ScriptedChatModel(replies=["x"]), k=1).evaluate(case, replies[:1])
    assert silent.passed and silent.counts["ratings"] == 0 and "no usable rating" in silent.reason


def test_the_runner_reports_the_judge_only_when_asked(extractive_agent):
    suite = Suite(name="m", cases=[Case.model_validate({"id": "a", "turns": ["Do you deliver?"]})])
    plain = run_suites([suite], extractive_agent)
    assert "empathy_judge" not in plain.metrics and "empathy_judge" not in plain.cases[0].scores
    judge = EmpathyJudge(ScriptedChatModel(replies=["4", "4", "5"]), k=3)
    judged = run_suites([suite], extractive_agent, scorers=[*default_scorers(), judge],
                        thresholds={"empathy_judge": 0.7})
    assert judged.metrics["empathy_judge"] == 0.8333 and judged.passed
    assert judged.scores_only()["metrics"].get("empathy_judge") is None  # a sampling judge is not deterministic


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_k_must_be_a_positive_whole_number(k):
    with pytest.raises(ValueError, match="k must be"):
        EmpathyJudge(ScriptedChatModel(), k=k)


def test_the_model_must_be_a_chat_model_or_a_gateway():
    with pytest.raises(TypeError, match="LangChain chat model or a ModelGateway"):
        EmpathyJudge(object())
