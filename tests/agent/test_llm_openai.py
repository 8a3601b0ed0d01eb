"""The 'openai' provider against a real OpenAI-compatible HTTP server on 127.0.0.1, started in the test.

The server answers with canned chat completions (JSON, or SSE chunks when the request streams),
errors, slow answers and streams that break. Every other host is off limits: a guard on the socket
layer refuses any address but the loopback, so a model built without ``base_url`` cannot reach OpenAI.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from pydantic import SecretStr

from agent.config import LLMConfig
from agent.errors import ConfigError, ModelUnavailable
from agent.llm import ChatMessage, ModelGateway, build_chat_model, build_gateway
from agent.llm.openai_provider import PLACEHOLDER_API_KEY, build_openai_chat_model

QUESTION = [ChatMessage("system", "You answer for a bakery."), ChatMessage("user", "Do you deliver?")]


@dataclass
class Canned:
    """One response of the fake server."""

    text: str = "We deliver within two miles."
    status: int = 200
    delay_s: float = 0.0
    break_after_words: int | None = None  # streams only: drop the connection mid-body
    tool_call: tuple[str, str] | None = None  # (function name, arguments as the JSON text a server sends)


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up (a closed stream, a timeout) are part of the tests


class FakeOpenAIServer:
    """A small OpenAI-compatible chat-completions server for tests (stdlib only)."""

    def __init__(self) -> None:
        self.responses: deque[Canned] = deque()
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                """Say nothing: keeps pytest's output clean."""

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                headers = {name.lower(): value for name, value in self.headers.items()}
                server.requests.append({"path": self.path, "headers": headers, "body": body})
                canned = server.responses.popleft() if server.responses else Canned("unscripted request", status=500)
                if canned.delay_s:
                    server.stopping.wait(canned.delay_s)
                if canned.status != 200:
                    self._json(canned.status, {"error": {"message": f"canned error {canned.status}",
                                                         "type": "server_error", "code": canned.status}})
                elif body.get("stream"):
                    self._sse(body, canned)
                else:
                    self._json(200, completion(body, canned.text))

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, body: dict[str, Any], canned: Canned) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                events = sse_tool_events(body, *canned.tool_call) if canned.tool_call else sse_events(body, canned.text)
                for i, event in enumerate(events):
                    if canned.break_after_words is not None and i > canned.break_after_words:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)  # an incomplete chunked body
                        self.close_connection = True
                        return
                    data = f"data: {event}\n\n".encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

        self.httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def will(self, *responses: Canned) -> "FakeOpenAIServer":
        self.responses.extend(responses)
        return self

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(request: dict[str, Any], text: str) -> dict[str, Any]:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000,
            "model": request.get("model", ""),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": len(text.split()), "total_tokens": 12}}


def sse_tool_events(request: dict[str, Any], name: str, arguments: str) -> Iterator[str]:
    """A streamed function call, as OpenAI streams one: the name first, then the arguments in pieces."""
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        return json.dumps({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
                           "model": request.get("model", ""),
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    yield chunk({"role": "assistant", "content": None, "tool_calls": [
        {"index": 0, "id": "call_1", "type": "function", "function": {"name": name, "arguments": ""}}]})
    middle = len(arguments) // 2
    for piece in (arguments[:middle], arguments[middle:]):
        yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
    yield chunk({}, finish="tool_calls")
    yield "[DONE]"


def sse_events(request: dict[str, Any], text: str) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        return json.dumps({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000,
                           "model": request.get("model", ""),
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    yield chunk({"role": "assistant", "content": ""})
    words = text.split(" ")
    for i, word in enumerate(words):
        yield chunk({"content": word + (" " if i < len(words) - 1 else "")})
    yield chunk({}, finish="stop")
    yield "[DONE]"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse every connection and name lookup that is not for the loopback: tests never reach the network."""
    refused: list[str] = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def is_loopback(host: Any) -> bool:
        if host in ("localhost", None):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            refused.append(str(host))
            raise OSError(f"test guard: no network in tests (lookup of {host!r} refused)")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address[0]):
            refused.append(str(address[0]))
            raise OSError(f"test guard: no network in tests (connection to {address[0]!r} refused)")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return refused


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer()
    yield fake
    fake.close()


def config(server: FakeOpenAIServer, **overrides: Any) -> LLMConfig:
    values: dict[str, Any] = {"provider": "openai", "base_url": server.base_url, "model": "tiny-test-model",
                              "timeout_s": 5.0, "max_retries": 2, "max_tokens": 64, "temperature": 0.1}
    return LLMConfig(**(values | overrides))


def fast_gateway(cfg: LLMConfig) -> ModelGateway:
    gateway = build_gateway(cfg)
    assert gateway is not None
    gateway.backoff_s = (0.01, 0.02)
    return gateway


def test_a_plain_chat_completion_is_parsed(server: FakeOpenAIServer):
    server.will(Canned("We open at 7 every day."))
    model = build_openai_chat_model(config(server)).model_copy(update={"streaming": False})

    reply = model.invoke([("system", "Be brief."), ("user", "When do you open?")])

    assert reply.content == "We open at 7 every day."
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "tiny-test-model" and request["body"].get("stream") in (None, False)
    assert request["body"]["messages"] == [{"role": "system", "content": "Be brief."},
                                           {"role": "user", "content": "When do you open?"}]


def test_streaming_sse_gives_the_deltas_in_order(server: FakeOpenAIServer):
    server.will(Canned("We deliver within two miles of the shop."))
    gateway = fast_gateway(config(server))

    deltas = list(gateway.stream(QUESTION, max_tokens=40, temperature=0.0))

    assert "".join(deltas) == "We deliver within two miles of the shop."
    assert len(deltas) == 8
    body = server.requests[0]["body"]
    assert body["stream"] is True and body["temperature"] == 0.0
    assert body["max_completion_tokens"] == 40  # langchain-openai's name for max_tokens
    assert body["messages"][0] == {"role": "system", "content": "You answer for a bakery."}


def test_a_local_server_gets_a_placeholder_key(server: FakeOpenAIServer):
    server.will(Canned("Hi."))
    fast_gateway(config(server)).complete(QUESTION)

    assert server.requests[0]["headers"]["authorization"] == f"Bearer {PLACEHOLDER_API_KEY}"


def test_a_configured_key_is_sent(server: FakeOpenAIServer):
    server.will(Canned("Hi."))
    fast_gateway(config(server, api_key=SecretStr("sk-test-123"))).complete(QUESTION)

    assert server.requests[0]["headers"]["authorization"] == "Bearer sk-test-123"


def test_a_server_error_is_retried_then_answered(server: FakeOpenAIServer):
    server.will(Canned(status=500), Canned(status=503), Canned("Back online."))
    gateway = fast_gateway(config(server))

    assert gateway.complete(QUESTION) == "Back online."
    assert gateway.stats.attempts == 3 and len(server.requests) == 3


def test_retries_spent_name_the_server_and_the_attempts(server: FakeOpenAIServer):
    server.will(*[Canned(status=500)] * 3)
    gateway = fast_gateway(config(server, max_retries=2))

    with pytest.raises(ModelUnavailable) as caught:
        list(gateway.stream(QUESTION))

    message = str(caught.value)
    assert f"the model 'tiny-test-model' at {server.base_url} failed" in message
    assert "500" in message and "(3 attempts)" in message
    assert caught.value.attempts == 3 and len(server.requests) == 3


def test_a_rejected_key_is_not_retried(server: FakeOpenAIServer):
    server.will(Canned(status=401), Canned("never sent"))

    with pytest.raises(ModelUnavailable, match=r"refused the request.*llm\.api_key.*\(1 attempt\)"):
        fast_gateway(config(server)).complete(QUESTION)

    assert len(server.requests) == 1


def test_a_slow_server_times_out(server: FakeOpenAIServer):
    server.will(Canned("Too late.", delay_s=10))
    gateway = fast_gateway(config(server, timeout_s=0.5, max_retries=2))

    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match=r"timed out after 0\.5 s"):
        gateway.complete(QUESTION)

    assert time.monotonic() - started < 2.0


def test_a_stream_broken_halfway_keeps_what_was_said_and_is_not_repeated(server: FakeOpenAIServer):
    server.will(Canned("We deliver within two miles of the shop.", break_after_words=3), Canned("never sent"))
    gateway = fast_gateway(config(server))
    received: list[str] = []

    with pytest.raises(ModelUnavailable, match="partway through its answer"):
        for delta in gateway.stream(QUESTION):
            received.append(delta)

    assert "".join(received) == "We deliver within "
    assert len(server.requests) == 1


def test_nothing_listening_is_a_connection_error_that_is_retried():
    with socket.socket() as probe:  # a free port, closed again: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = LLMConfig(provider="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=5, max_retries=1)

    expected = r"failed: \w*ConnectionError: Connection error\. \(2 attempts\)"
    with pytest.raises(ModelUnavailable, match=expected) as caught:
        fast_gateway(cfg).complete(QUESTION)

    assert caught.value.attempts == 2


def test_without_key_or_base_url_the_error_says_how_to_fix_it():
    with pytest.raises(ConfigError, match="TACTFUL_LLM__API_KEY or OPENAI_API_KEY.*llm.base_url"):
        build_openai_chat_model(LLMConfig(provider="openai"), environ={})


def test_the_key_can_come_from_openai_api_key(loopback_only: list[str]):
    model = build_openai_chat_model(LLMConfig(provider="openai"), environ={"OPENAI_API_KEY": "sk-from-env"})

    assert model.openai_api_key.get_secret_value() == "sk-from-env"
    assert model.max_retries == 0 and model.streaming is True
    assert loopback_only == []  # building the client made no network call


def test_a_model_without_base_url_cannot_reach_the_network_in_tests(monkeypatch: pytest.MonkeyPatch,
                                                                    loopback_only: list[str]):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-sent")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    gateway = fast_gateway(LLMConfig(provider="openai", max_retries=0, timeout_s=5))

    with pytest.raises(ModelUnavailable, match="https://api.openai.com/v1"):
        gateway.complete(QUESTION)

    assert "api.openai.com" in loopback_only


def test_the_factory_builds_the_openai_provider(server: FakeOpenAIServer):
    model = build_chat_model(config(server))

    assert type(model).__name__ == "ChatOpenAI"
    assert build_gateway(LLMConfig(provider="extractive")) is None


TOOLS = [{"type": "function", "function": {"name": "order_status", "description": "Where the customer's order is.",
                                           "parameters": {"type": "object", "properties": {
                                               "reference": {"type": "string"}}, "required": []}}}]


def test_a_tool_call_is_offered_and_read_back_over_the_wire(server: FakeOpenAIServer):
    gateway = fast_gateway(config(server))
    server.will(Canned(tool_call=("order_status", '{"reference": "CR-10234"}')))
    call = gateway.choose_tool([ChatMessage("user", "the cake for Saturday, has it left yet?")], TOOLS)
    assert call is not None and call.name == "order_status" and call.arguments == {"reference": "CR-10234"}
    sent = server.requests[-1]["body"]
    assert sent["tools"][0]["function"]["name"] == "order_status"


def test_no_tool_a_tool_the_model_made_up_or_a_failure_give_none(server: FakeOpenAIServer):
    gateway = fast_gateway(config(server, max_retries=0))
    server.will(Canned(text="NONE"), Canned(tool_call=("delete_everything", "{}")), Canned(status=500))
    for _ in range(3):
        assert gateway.choose_tool(QUESTION, TOOLS) is None
