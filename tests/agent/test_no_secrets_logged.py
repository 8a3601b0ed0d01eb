"""No secret from the configuration (model API key, operator token, console password, database password,
webhook secret) reaches the logs, the API's answers or an eval report, even when the parts they unlock fail."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient

from agent.logs import configure_logging
from tests.conftest import extractive_env

SECRETS = {
    "TACTFUL_LLM__API_KEY": "sk-test-SECRET-key-0123456789",
    "TACTFUL_SERVER__OPERATOR_TOKENS": '["operator-SECRET-token-0123456789"]',
    "TACTFUL_SERVER__CONSOLE_USERS": '{"Sam": "console-SECRET-password"}',
    "TACTFUL_CHANNELS__HANDOFF_WEBHOOK_URL": "http://127.0.0.1:1/hooks",
    "TACTFUL_CHANNELS__HANDOFF_WEBHOOK_SECRET": "webhook-SECRET-0123456789",
}
NEEDLES = ["SECRET", "hunter2"]


def test_secrets_stay_out_of_logs_answers_and_reports(tmp_path, minilm):
    from agent.assembly import build_agent
    from agent.config import load_config
    from agent.server import build_app
    from agent.store import ConversationStore
    from agent.errors import StoreUnavailable

    log_file = tmp_path / "tactful.log"
    configure_logging("DEBUG", as_json=True, file=log_file)
    env = {**extractive_env(tmp_path, {"a.md": "# Cakes\n\nA birthday cake for 10 costs £38.\n"}), **SECRETS,
           "TACTFUL_LLM__PROVIDER": "openai", "TACTFUL_LLM__BASE_URL": "http://127.0.0.1:1/v1",
           "TACTFUL_LLM__TIMEOUT_S": "2", "TACTFUL_LLM__MAX_RETRIES": "0"}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    try:
        with TestClient(build_app(agent)) as client:
            cid = client.post("/v1/conversations", json={}).json()["conversation_id"]
            answers = [client.post(f"/v1/conversations/{cid}/messages", json={"text": t}).text
                       for t in ("How much is a birthday cake?", "I want to talk to a real person")]
            answers.append(client.get("/ready").text)
            answers.append(client.get("/v1/tickets", headers={"Authorization": "Bearer wrong-token-0123456789"}).text)
        try:
            ConversationStore("postgresql+psycopg://tactful:hunter2@127.0.0.1:1/tactful?connect_timeout=1")
        except StoreUnavailable as exc:
            logging.getLogger("tactful.test").error("store: %s", exc)
            answers.append(str(exc))
    finally:
        agent.close()
        configure_logging("WARNING", as_json=False)
    logged = log_file.read_text(encoding="utf-8")
    assert "model" in logged  # the model's failure was logged, so the check below means something
    for needle in NEEDLES:
        assert needle not in logged
        assert not any(needle in answer for answer in answers)


def test_an_eval_report_holds_no_secret(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from agent.cli import app

    env = {**extractive_env(tmp_path, {"a.md": "# Cakes\n\nA birthday cake for 10 costs £38.\n"}), **SECRETS}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    suite = tmp_path / "cakes.jsonl"
    suite.write_text(json.dumps({"id": "cake", "turns": ["How much is a birthday cake?"],
                                 "expect": {"source_ids": ["a.md"]}}) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    done = CliRunner().invoke(app, ["eval", "run", str(suite), "--out", str(out)])
    assert done.exit_code in (0, 1), done.output
    written = [p.read_text(encoding="utf-8") for p in out.iterdir()]
    assert len(written) >= 4 and all("SECRET" not in text for text in written)
