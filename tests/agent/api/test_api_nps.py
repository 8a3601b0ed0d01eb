"""The rating endpoint's optional NPS answer: 0-10 or nothing, stored with the rating, refused with 422 otherwise."""

from __future__ import annotations

import pytest


@pytest.fixture
def cid(client) -> str:
    conversation = client.post("/v1/conversations").json()["conversation_id"]
    client.post(f"/v1/conversations/{conversation}/messages", json={"text": "How much is delivery?"})
    return conversation


@pytest.mark.parametrize("nps", [0, 9, 10])
def test_a_rating_may_carry_how_likely_the_customer_is_to_recommend_us(client, agent, cid, nps):
    rated = client.post(f"/v1/conversations/{cid}/rating", json={"score": 5, "comment": "quick", "nps": nps})
    assert rated.status_code == 200 and rated.json()["nps"] == nps
    assert agent.store.rating(cid).nps == nps


def test_the_nps_answer_is_optional_and_a_new_rating_replaces_it(client, agent, cid):
    client.post(f"/v1/conversations/{cid}/rating", json={"score": 4, "nps": 8})
    rated = client.post(f"/v1/conversations/{cid}/rating", json={"score": 4})
    assert rated.status_code == 200 and rated.json()["nps"] is None
    assert agent.store.rating(cid).nps is None
    assert client.post(f"/v1/conversations/{cid}/rating", json={"score": 3, "nps": None}).status_code == 200


@pytest.mark.parametrize("nps", [-1, 11, 100, 7.5, "9", True, [9]])
def test_an_nps_answer_outside_0_to_10_is_422_and_nothing_is_stored(client, agent, cid, nps):
    response = client.post(f"/v1/conversations/{cid}/rating", json={"score": 5, "nps": nps})
    assert response.status_code == 422 and "does not fit the schema" in response.json()["error"]
    assert agent.store.rating(cid) is None


def test_the_score_is_still_required_with_an_nps_answer(client, agent, cid):
    assert client.post(f"/v1/conversations/{cid}/rating", json={"nps": 10}).status_code == 422
    assert agent.store.rating(cid) is None
