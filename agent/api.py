"""The REST API (FastAPI): customers' conversations, the operators' hand-off queue, an OpenAI-compatible
chat endpoint, and health probes. The one module that imports FastAPI/Starlette.

Tactful's errors become HTTP statuses here and nowhere deeper: NotFound -> 404, BadInput -> 400 (422 for
a body that does not fit the schema), ServiceUnavailable -> 503, anything else -> 500 with a generic
message (the detail goes to the log, never to the caller).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from fastapi import BackgroundTasks, Depends, FastAPI, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent import api_models as m
from agent.api_auth import OperatorTokens, token_actor
from agent.customer import Customer
from agent.errors import BadInput, NotFound, ServiceUnavailable, TactfulError

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger("tactful.api")

#: Bodies past this are refused with 413 before they are parsed.
MAX_BODY_BYTES = 64 * 1024
#: Slack and Twilio webhooks: an event with rich blocks is larger than a chat message, never this large.
MAX_WEBHOOK_BYTES = 256 * 1024
#: An inbound email webhook carries the attachments too (Mailgun posts them in the same body; it caps mail at
#: 25 MB): refusing those would have the provider retry until it gives up. Attachments are read past, not kept.
MAX_EMAIL_BYTES = 25 * 1024 * 1024
EMAIL_INBOUND = "/channels/email/"
GENERIC_500 = "something went wrong on our side; the team has been told. Please try again."
GENERIC_503 = "the service is temporarily unavailable; please try again shortly."
CHAT_COMPLETIONS = "/v1/chat/completions"

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": m.ErrorOut, "description": "The request cannot be used as it is."},
    404: {"model": m.ErrorOut, "description": "No such conversation or ticket."},
    413: {"model": m.ErrorOut, "description": f"The body is over {MAX_BODY_BYTES // 1024} KiB."},
    422: {"model": m.ValidationErrorOut, "description": "The body or parameters do not fit the schema."},
    503: {"model": m.ErrorOut, "description": "A dependency is down; try again shortly."},
}
_OPERATOR_ERRORS = {**_ERRORS, 401: {"model": m.ErrorOut, "description": "Missing or wrong bearer token."}}
_SSE = {"text/event-stream": {"schema": {"type": "string"},
                              "example": 'event: delta\ndata: {"text": "Hi"}\n\nevent: reply\ndata: {...}\n\n'}}
ConversationId = Path(pattern=m.CONVERSATION_ID_PATTERN, description="The id from POST /v1/conversations.")
TicketId = Path(ge=1, le=2**31 - 1)


def create_api(agent: "Agent", *, operator_tokens: Iterable[Any] | None = None, title: str = "Tactful") -> FastAPI:
    """The API for ``agent``. ``operator_tokens`` (str or SecretStr) guard the operator and chat-completions
    endpoints; with none they refuse every request (503) rather than stand open."""
    tokens = OperatorTokens(operator_tokens)
    app = FastAPI(title=title, version=_version(),
                  description="Talk to Tactful, work its hand-off queue, or use it as an OpenAI-compatible model.")
    app.add_middleware(CatchUnexpected)
    app.add_middleware(Utf8Body)  # inside the size limits (the last added runs first): it reads a bounded body
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_WEBHOOK_BYTES, prefix="/channels/", skip=EMAIL_INBOUND)
    app.add_middleware(BodySizeLimit, max_bytes=MAX_EMAIL_BYTES, prefix=EMAIL_INBOUND)
    _add_error_handlers(app)
    bearer = HTTPBearer(auto_error=False, description="An operator token (server.operator_tokens).")

    def operator(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str:
        if not tokens.configured:
            raise StarletteHTTPException(503, "no operator tokens configured; set server.operator_tokens.")
        if credentials is None or not tokens.accepts(credentials.credentials):
            raise StarletteHTTPException(401, "a valid operator bearer token is required.",
                                         headers={"WWW-Authenticate": 'Bearer realm="tactful"'})
        return credentials.credentials

    def conversation(conversation_id: str) -> Any:
        info = agent.store.get_conversation(conversation_id, agent.config.collection_name)
        if info is None:
            raise NotFound(f"there is no conversation {conversation_id!r}; start one with POST /v1/conversations.")
        return info

    # -- probes ------------------------------------------------------------------------------------
    @app.get("/health", response_model=m.Health, tags=["probes"])
    def health() -> m.Health:
        """Liveness: 200 while the process runs."""
        return m.Health()

    @app.get("/ready", response_model=m.Readiness, tags=["probes"], responses={503: {"model": m.Readiness}})
    def ready() -> Any:
        """Readiness: the store answers a query and the knowledge base is open and not empty."""
        checks, reason = {"store": False, "knowledge": False}, None
        try:
            agent.store.get_conversation("readiness-probe")
            checks["store"] = True
        except Exception:
            log.exception("readiness: the conversation store does not answer")
            reason = "the conversation store does not answer"
        try:
            checks["knowledge"] = agent.knowledge.count() > 0
            if not checks["knowledge"]:
                reason = reason or "the knowledge base is empty; run `tactful ingest`"
        except Exception:
            log.exception("readiness: the knowledge base is not open")
            reason = reason or "the knowledge base is not open"
        body = m.Readiness(status="ready" if reason is None else "unavailable", reason=reason, checks=checks)
        return body if reason is None else JSONResponse(body.model_dump(), status_code=503)

    # -- customers ---------------------------------------------------------------------------------
    @app.post("/v1/conversations", status_code=201, response_model=m.ConversationCreated, tags=["customers"],
              responses=_ERRORS)
    def start_conversation(body: m.NewConversation | None = None) -> m.ConversationCreated:
        """Start a conversation; keep the id: it is the customer's only key to it."""
        body = body or m.NewConversation()
        name = body.customer.name if body.customer else None
        cid = agent.store.create_conversation(agent.config.collection_name, channel=body.channel, customer_name=name)
        return m.ConversationCreated(conversation_id=cid)

    @app.post("/v1/conversations/{conversation_id}/messages", response_model=m.ReplyOut, tags=["customers"],
              responses={**_ERRORS, 200: {"content": _SSE, "description": "The reply (JSON, or SSE when asked)."}})
    def send_message(request: Request, body: m.MessageIn, conversation_id: str = ConversationId,
                     stream: bool = Query(False, description="Stream Server-Sent Events (or Accept: text/event-stream).")
                     ) -> Any:
        """The customer's message and the assistant's reply, optionally streamed as Server-Sent Events."""
        info = conversation(conversation_id)
        customer = Customer(name=info.customer_name) if info.customer_name else None
        if stream or "text/event-stream" in request.headers.get("accept", ""):
            turn = agent.respond_stream(body.text, conversation_id, customer, channel=info.channel,
                                        message_id=body.message_id)
            return _event_stream(_reply_events(turn))
        return m.reply_out(agent.respond(body.text, conversation_id, customer, channel=info.channel,
                                         message_id=body.message_id))

    @app.get("/v1/conversations/{conversation_id}/messages", response_model=m.Transcript, tags=["customers"],
             responses=_ERRORS)
    def read_transcript(conversation_id: str = ConversationId) -> m.Transcript:
        """What the customer sees: their messages, the assistant's, and those of a person at the business."""
        conversation(conversation_id)
        return m.Transcript(conversation_id=conversation_id, messages=m.transcript(agent.store.turns(conversation_id)))

    @app.post("/v1/conversations/{conversation_id}/rating", response_model=m.RatingOut, tags=["customers"],
              responses=_ERRORS)
    def rate(body: m.RatingIn, conversation_id: str = ConversationId) -> m.RatingOut:
        """The customer's rating of the conversation, 1 to 5 with an optional comment and an optional 0-10
        "would you recommend us?" answer (NPS); it replaces an earlier one."""
        rating = agent.rate(conversation_id, body.score, body.comment, nps=body.nps)
        return m.RatingOut(conversation_id=rating.conversation_id, score=rating.score, comment=rating.comment,
                           nps=rating.nps, created_at=rating.created_at)

    # -- operators ---------------------------------------------------------------------------------
    desk = agent.desk

    @app.get("/v1/tickets", response_model=list[m.TicketOut], tags=["operators"], responses=_OPERATOR_ERRORS)
    def list_tickets(status: m.TicketFilter = Query("waiting", description="waiting = open or assigned."),
                     _: str = Depends(operator)) -> list[m.TicketOut]:
        """The hand-off queue: most urgent first, then the longest waiting."""
        if status in ("waiting", "all"):
            tickets = [t for t in desk.list() if status == "all" or t.status != "resolved"]
        else:
            tickets = desk.list(status)
        return [m.ticket_out(t) for t in tickets]

    @app.get("/v1/tickets/{ticket_id}", response_model=m.TicketDetail, tags=["operators"],
             responses=_OPERATOR_ERRORS)
    def show_ticket(ticket_id: int = TicketId, token: str = Depends(operator)) -> m.TicketDetail:
        """A ticket with its summary and the whole transcript (the viewing is recorded in the audit trail)."""
        return m.ticket_detail(desk.show(ticket_id, viewer=token_actor(token)))

    def ticket_action(name: str, act: Callable[[int, m.TicketAction], m.TicketActionOut], summary: str) -> None:
        def endpoint(body: m.TicketAction, ticket_id: int = TicketId, _: str = Depends(operator)) -> m.TicketActionOut:
            return act(ticket_id, body)

        app.post(f"/v1/tickets/{{ticket_id}}/{name}", response_model=m.TicketActionOut, tags=["operators"],
                 responses=_OPERATOR_ERRORS, summary=summary, operation_id=f"ticket_{name}")(endpoint)

    def reply(ticket_id: int, body: m.TicketAction) -> m.TicketActionOut:
        turn = desk.reply(ticket_id, body.agent_name, body.text or "")
        return m.TicketActionOut(ticket=m.ticket_out(desk.show(ticket_id).ticket), message=m.message_out(turn))

    ticket_action("assign", lambda i, b: m.TicketActionOut(ticket=m.ticket_out(desk.assign(i, b.agent_name))),
                  "Take the conversation over (the assistant goes silent)")
    ticket_action("reply", reply, "Reply to the customer as yourself (takes the ticket if nobody has it)")
    ticket_action("handback", lambda i, b: m.TicketActionOut(ticket=m.ticket_out(desk.hand_back(i, b.agent_name))),
                  "Give the conversation back to the assistant")
    ticket_action("resolve", lambda i, b: m.TicketActionOut(ticket=m.ticket_out(desk.resolve(i, b.agent_name))),
                  "Close the ticket as resolved")

    if agent.accounts is not None:
        from agent.api_accounts import add_account_routes

        add_account_routes(app, agent, operator, _OPERATOR_ERRORS)

    # -- OpenAI-compatible -------------------------------------------------------------------------
    @app.post(CHAT_COMPLETIONS, response_model=m.ChatCompletion, tags=["openai"],
              responses={**_OPERATOR_ERRORS, 200: {"content": _SSE, "description": "A completion, or SSE chunks."}})
    def chat_completions(body: m.ChatCompletionRequest, token: str = Depends(operator)) -> Any:
        """Tactful as a drop-in chat model: the last user message is the customer's, with every guardrail.
        The conversation continues per ``user`` or ``metadata.conversation_id``; otherwise each call is new."""
        text = body.customer_message()
        if text is None:
            raise BadInput("there is no message with role 'user'; the last user message is the customer's.")
        cid = (body.metadata or {}).get("conversation_id")
        if cid is not None:
            conversation(str(cid))
        elif body.user:
            cid = OperatorTokens.conversation_for(token, body.user)
        customer = {"id": body.user} if body.user else None
        if not body.stream:
            reply = agent.respond(text, cid, customer, channel="openai")
            return m.chat_completion(body, reply, text)
        return _event_stream(_chat_chunks(agent.respond_stream(text, cid, customer, channel="openai"), body.model))

    _add_channel_routes(app, agent)
    return app


# -- streaming -------------------------------------------------------------------------------------
def _sse(event: str | None, data: Any) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data if isinstance(data, str) else json.dumps(jsonable_encoder(data))}\n\n"


def _event_stream(events: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _reply_events(turn: Any) -> Iterator[str]:
    """``delta`` events with the text as it comes, then ``reply`` with the whole reply (or ``error``)."""
    try:
        for piece in turn:
            yield _sse("delta", {"text": piece})
        yield _sse("reply", m.reply_out(turn.reply).model_dump(mode="json"))
    except Exception:  # the status line is gone already: say so in the stream, log the detail
        log.exception("a streamed reply failed")
        yield _sse("error", {"error": GENERIC_500})


def _chat_chunks(turn: Any, model: str) -> Iterator[str]:
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    yield _sse(None, m.chat_chunk(completion_id, created, model, {"role": "assistant", "content": ""}))
    try:
        for piece in turn:
            yield _sse(None, m.chat_chunk(completion_id, created, model, {"content": piece}))
        extras = m.extras(turn.reply).model_dump()
        yield _sse(None, m.chat_chunk(completion_id, created, model, {}, "stop", tactful=extras))
    except Exception:
        log.exception("a streamed chat completion failed")
        yield _sse(None, {"error": {"message": GENERIC_500, "type": "server_error"}})
    yield _sse(None, "[DONE]")


# -- errors ----------------------------------------------------------------------------------------
def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
           **more: Any) -> JSONResponse:
    if request.url.path == CHAT_COMPLETIONS:  # OpenAI clients read error.message
        kind = "authentication_error" if status == 401 else "invalid_request_error" if status < 500 else "server_error"
        body: dict[str, Any] = {"error": {"message": message, "type": kind, "code": status}}
    else:
        body = {"error": message, **more}
    return JSONResponse(body, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TactfulError)
    async def tactful_error(request: Request, exc: TactfulError) -> JSONResponse:
        if isinstance(exc, NotFound):
            return _error(request, 404, str(exc))
        if isinstance(exc, BadInput):
            return _error(request, 400, str(exc))
        if isinstance(exc, ServiceUnavailable):
            log.error("service unavailable on %s %s: %s", request.method, request.url.path, exc)
            return _error(request, 503, GENERIC_503, {"Retry-After": "5"})
        log.error("unexpected %s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
        return _error(request, 500, GENERIC_500)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]  # no "input": it may be a whole message with personal data
        where = ", ".join(".".join(map(str, d["loc"])) for d in detail[:3])
        return _error(request, 422, f"the request does not fit the schema ({where}).", detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if message == _FASTAPI_PARSE_ERROR:  # json.loads failed past JSONDecodeError: a RecursionError
            message = ("the body could not be read as JSON (nested too deeply?); "
                       "send an object such as {\"text\": \"...\"}.")
        elif message == HTTPStatus(exc.status_code).phrase:  # Starlette's bare "Not Found": say what is wrong
            message = _ROUTING_ERRORS.get(exc.status_code, message).format(method=request.method)
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))


_FASTAPI_PARSE_ERROR = "There was an error parsing the body"
_ROUTING_ERRORS = {
    404: "there is no such endpoint; check the path (the API is described at /docs).",
    405: "this endpoint does not take {method} requests; check the method (the API is described at /docs).",
}


class CatchUnexpected:
    """Any exception that escapes a route becomes a generic 500; the detail goes to the log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await JSONResponse({"error": GENERIC_500}, status_code=500)(scope, receive, send)


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` (413), whether declared by Content-Length or streamed.

    Only under ``prefix``: a Gradio app mounted beside the API keeps its own (larger) upload limits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, prefix: str = "/v1/",
                 skip: str | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or (self.skip and path.startswith(self.skip)):
            await self.app(scope, receive, send)
            return
        too_large = JSONResponse({"error": f"the request body is over {self.max_bytes // 1024} KiB."}, 413)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await JSONResponse({"error": "the Content-Length header is not a number."}, 400)(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await too_large(scope, receive, send)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await too_large(scope, receive, send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Utf8Body:
    """Refuse a request body that is not UTF-8 (400, saying where), as JSON must be (RFC 8259): otherwise
    bytes like ED A0 80 would reach the agent as a lone surrogate, or fail deep inside with a vague message.

    Only under ``prefix``, and after ``BodySizeLimit``, so the body read here is bounded.
    """

    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            refusal = {"error": f"the request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8."}
            await JSONResponse(refusal, 400)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tactful")
    except PackageNotFoundError:
        return "0.0.0"


def add_redirect(app: FastAPI, path: str, target: str) -> None:
    """A permanent redirect (e.g. "/console" -> "/console/"), kept out of the OpenAPI schema."""
    app.add_route(path, lambda request: RedirectResponse(target, status_code=308), include_in_schema=False)


def _add_channel_routes(app: FastAPI, agent: "Agent") -> None:
    """Slack, Twilio and inbound-email webhooks, for the channels whose secret is configured (the others stay
    unrouted).

    The adapters in ``agent.channels`` check signatures, ignore replays and translate; these routes only
    hand them the raw request and copy their answer out.
    """
    from agent.channels import (SmtpEmailSender, StoreReplayGuard, WebApiSlackPoster, handle_inbound_email,
                                handle_slack_event, handle_twilio_message)

    channels = agent.config.channels
    replays = StoreReplayGuard(agent.store)  # shared by every worker
    if channels.slack_signing_secret is not None:
        secret = channels.slack_signing_secret.get_secret_value()
        poster = WebApiSlackPoster(channels.slack_bot_token.get_secret_value() if channels.slack_bot_token else "")

        @app.post("/channels/slack/events", tags=["channels"], include_in_schema=False)
        async def slack_events(request: Request, background: BackgroundTasks) -> Response:
            answer = handle_slack_event(dict(request.headers), await request.body(), agent, signing_secret=secret,
                                        poster=poster, replay_guard=replays, defer=background.add_task)
            return Response(answer.body, status_code=answer.status, media_type=answer.content_type,
                            headers=answer.headers)

    if channels.twilio_auth_token is not None:
        token = channels.twilio_auth_token.get_secret_value()

        @app.post("/channels/twilio/messages", tags=["channels"], include_in_schema=False)
        def twilio_messages(request: Request, body: bytes = Depends(_raw_body)) -> Response:
            answer = handle_twilio_message(dict(request.headers), body, agent, auth_token=token,
                                           url=channels.twilio_webhook_url or str(request.url), replay_guard=replays)
            return Response(answer.body, status_code=answer.status, media_type=answer.content_type,
                            headers=answer.headers)

    email = agent.config.email
    if email.inbound_signing_key is not None:
        signing_key = email.inbound_signing_key.get_secret_value()
        # A sync def: FastAPI runs it in its thread pool, so the blocking SMTP send never stalls the event loop.
        mailer = agent.mailer or SmtpEmailSender(email, default_from_name=agent.config.business.name)

        @app.post("/channels/email/inbound", tags=["channels"], include_in_schema=False)
        def email_inbound(request: Request, body: bytes = Depends(_raw_body)) -> Response:
            answer = handle_inbound_email(dict(request.headers), body, agent, signing_key=signing_key,
                                          sender=mailer, replay_guard=replays)
            return Response(answer.body, status_code=answer.status, media_type=answer.content_type,
                            headers=answer.headers)


async def _raw_body(request: Request) -> bytes:
    return await request.body()
