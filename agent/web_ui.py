"""The browser side (Gradio): the customer chat at ``/`` and the people's console (queue + analytics) at ``/console``.

Two separate Blocks (``build_chat_app``, ``build_console_app``; ``mount_console`` then ``mount_chat`` put them on a FastAPI app, see ``agent.server``): the customer's
page carries nothing of the console, and Gradio's multi-page apps cannot be server-side rendered when mounted.

The only module that imports gradio. The event handlers are plain methods of ``CustomerChat`` and
``Console`` (state in, values out), so tests call them without a browser; the ``build_*`` functions wire them.

Security: the console reveals the queue only after ``console_auth(user, password)`` says yes, and every
console handler checks the signed-in person kept in server-side session state (``gr.State`` values never
come from the browser), so calling its endpoints directly gets nothing either. The REST API's operator
endpoints are protected separately, by bearer tokens. With no ``console_auth`` the console stays locked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

import gradio as gr

from agent.analytics import Analytics, analytics_for, summary_markdown
from agent.errors import BadInput, TactfulError
from agent.handoff import waiting_minutes

if TYPE_CHECKING:
    from agent.agent import Agent
    from agent.store import StoredTurn

log = logging.getLogger("tactful.web")

#: What the "Talk to a person" button sends for the customer: an explicit request the input rails recognise.
TALK_TO_PERSON = "I'd like to talk to a person, please."
#: Seconds between looks for a person's new messages (customer) and queue refreshes (console).
POLL_SECONDS = 3.0
#: The pages' event endpoints are for the pages only, not for the Gradio API clients (the REST API is that).
_PRIVATE = {"api_visibility": "private"}
QUEUE_HEADERS = ["Ticket", "Priority", "Reason", "Mood", "Waiting (min)", "Status", "Customer", "With"]

Messages = list[dict[str, Any]]


def person_label(name: str) -> str:
    """How a person's message is marked in the customer's chat."""
    return f"{name} (a person)"


class CustomerChat:
    """The customer's page. ``session`` (one per browser tab) holds the conversation id and what is shown."""

    def __init__(self, agent: "Agent") -> None:
        self.agent = agent

    @staticmethod
    def new_session() -> dict[str, Any]:
        return {"conversation_id": None, "messages": [], "last_person_seq": 0}

    def notice(self) -> str:
        name = self.agent.config.business.name
        return (f"**You're chatting with {name}'s automated assistant: a bot, not a person.** "
                "It answers from the business's own information and shows its sources. "
                "Press **Talk to a person** at any time and someone from the team will take over here.")

    def send(self, text: str, session: dict[str, Any], name: str = "") -> Iterator[tuple[Messages, dict, str]]:
        """Stream the assistant's answer: yields (chat messages, session, cleared textbox)."""
        text = (text or "").strip()
        messages = session["messages"]
        if not text:
            yield list(messages), session, ""
            return
        messages.append({"role": "user", "content": text})
        yield list(messages), session, ""
        answer: dict[str, Any] = {"role": "assistant", "content": ""}
        customer = {"name": name.strip()} if name and name.strip() else None
        try:
            stream = self.agent.respond_stream(text, session["conversation_id"], customer, channel="web")
            for piece in stream:
                answer["content"] += piece
                _show(messages, answer)
                yield list(messages), session, ""
            reply = stream.reply
        except TactfulError as exc:  # the pipeline answers most failures itself; this is the last net
            log.error("web chat turn failed: %s", exc)
            answer["content"] = ("Sorry, something went wrong on our side and I couldn't answer. "
                                 f"To reach a person, {self.agent.config.business.handoff_contact}.")
            _show(messages, answer)
            yield list(messages), session, ""
            return
        session["conversation_id"] = reply.conversation_id
        answer["content"] = reply.text
        if reply.text:
            _show(messages, answer)
        else:  # a person has the conversation: the assistant stays silent
            messages[:] = [m for m in messages if m is not answer]
        if reply.sources:
            messages.append({"role": "assistant", "content": sources_markdown(reply.sources),
                             "metadata": {"title": f"Sources ({len(reply.sources)})", "status": "done"}})
        yield list(messages), session, ""

    def talk_to_person(self, session: dict[str, Any], name: str = "") -> Iterator[tuple[Messages, dict, str]]:
        yield from self.send(TALK_TO_PERSON, session, name)

    def poll(self, session: dict[str, Any]) -> tuple[Messages | None, str]:
        """New messages from a person, or the business's own updates (proactive messages), since the last look
        (None: nothing new), and the hand-off status line."""
        cid = session["conversation_id"]
        if cid is None:
            return None, ""
        turns = self.agent.store.turns(cid)
        new = [t for t in turns
               if (t.role == "agent" or t.outcome == "proactive") and t.seq > session["last_person_seq"]]
        for turn in new:
            session["messages"].append(person_message(turn) if turn.role == "agent"
                                       else {"role": "assistant", "content": turn.text})
            session["last_person_seq"] = turn.seq
        return (list(session["messages"]) if new else None), self.status(cid)

    def status(self, conversation_id: str) -> str:
        ticket = self.agent.store.active_ticket(conversation_id)
        if ticket is None:
            return ""
        if ticket.owned_by_person:
            return f"**{person_label(ticket.assignee or 'A member of the team')}** is looking after this conversation."
        return "Waiting for a person from the team to join this conversation."

    def rate(self, score: Any, comment: str, session: dict[str, Any]) -> str:
        cid = session["conversation_id"]
        if cid is None:
            return "Send a message first; then you can rate the conversation."
        number = whole_number(score)
        if number is None:
            return "Choose a score from 1 to 5 first."
        try:
            self.agent.rate(cid, number, comment or "")
        except (TactfulError, ValueError) as exc:
            return f"That rating could not be saved: {exc}"
        return "Thank you, your rating has been saved."


def _show(messages: Messages, message: dict[str, Any]) -> None:
    """Append ``message`` once (by identity: two answers may have the same words)."""
    if not any(m is message for m in messages):
        messages.append(message)


def sources_markdown(sources: list) -> str:
    """The citations of one answer, as a list (shown folded under the answer)."""
    return "\n".join(f"- {s.label} (`{s.doc_id}`, relevance {s.score:.2f})" for s in sources)


def person_message(turn: "StoredTurn") -> dict[str, Any]:
    name = (turn.meta or {}).get("agent_name") or "A member of the team"
    return {"role": "assistant", "content": f"**{person_label(name)}:** {turn.text}"}


def transcript_messages(turns: list["StoredTurn"]) -> Messages:
    """A stored conversation as the console shows it: the customer on the right, the bot and people on the left."""
    out: Messages = []
    for turn in turns:
        if turn.role == "customer":
            out.append({"role": "user", "content": turn.text})
        elif turn.role == "agent":
            out.append(person_message(turn))
        elif turn.text:
            out.append({"role": "assistant", "content": f"**Assistant (bot):** {turn.text}"})
    return out


class Console:
    """The people's side. ``operator`` is the signed-in person's name (None: signed out), kept server-side."""

    def __init__(self, agent: "Agent", console_auth: Callable[[str, str], bool] | None,
                 now: Callable[[], datetime] | None = None) -> None:
        self.agent = agent
        self.console_auth = console_auth
        self.now = now or (lambda: datetime.now(timezone.utc))

    def login(self, user: str, password: str) -> tuple[str | None, str]:
        """(operator or None, message). The name is who the customer sees replying."""
        user = " ".join(str(user or "").split())
        if self.console_auth is None:
            return None, "The console is switched off: start the server with console credentials to use it."
        if not user or not password:
            return None, "Enter your name and password."
        try:
            allowed = bool(self.console_auth(user, password))
        except Exception:  # a broken auth backend locks the door rather than opening it
            log.exception("console_auth failed")
            allowed = False
        if not allowed:
            return None, "That name and password did not match."
        return user, f"Signed in as **{user}**."

    def queue(self, operator: str | None) -> list[list[Any]]:
        """The waiting and taken tickets, most urgent first."""
        if not operator:
            return []
        now = self.now()
        rows = []
        for ticket in self.agent.desk.list():
            if ticket.status == "resolved":
                continue
            info = self.agent.store.get_conversation(ticket.conversation_id)
            rows.append([ticket.id, ticket.priority, ticket.reason, (ticket.mood or {}).get("mood", "?"),
                         waiting_minutes(ticket, now), ticket.status, (info.customer_name if info else None) or "",
                         ticket.assignee or ""])
        return rows

    def ticket_choices(self, operator: str | None) -> list[tuple[str, int]]:
        return [(f"#{r[0]} · {r[1]} · {r[2]} · waiting {r[4]} min", r[0]) for r in self.queue(operator)]

    def show(self, operator: str | None, ticket_id: Any) -> tuple[str, Messages]:
        """(summary, transcript) of one ticket."""
        if not operator:
            return "Sign in first.", []
        if ticket_id in (None, ""):
            return "Choose a ticket from the queue.", []
        try:
            view = self.agent.desk.show(ticket_number(ticket_id), viewer=f"console:{operator}")
        except (TactfulError, ValueError) as exc:
            return str(exc), []
        t = view.ticket
        head = (f"### Ticket #{t.id}: {t.status}{f' (with {t.assignee})' if t.assignee else ''}\n"
                f"Priority **{t.priority}** · reason **{t.reason}** · mood **{(t.mood or {}).get('mood', '?')}** · "
                f"customer **{view.customer_name or 'unknown'}** · channel {view.channel}\n\n{t.summary}")
        return head, transcript_messages(view.transcript)

    def act(self, operator: str | None, ticket_id: Any, action: str, text: str = "") -> tuple[str, str, Messages]:
        """Take over, reply, hand back or resolve; returns (what happened, summary, transcript)."""
        if not operator:
            return "Sign in first.", "", []
        if ticket_id in (None, ""):
            return "Choose a ticket from the queue first.", "", []
        desk = self.agent.desk
        try:
            tid = ticket_number(ticket_id)
            if action == "assign":
                desk.assign(tid, operator)
                done = f"You ({operator}) have taken over ticket #{tid}; the assistant stays silent in it."
            elif action == "reply":
                desk.reply(tid, operator, text or "")
                done = f"Sent to the customer as {person_label(operator)}."
            elif action == "hand_back":
                desk.hand_back(tid, operator)
                done = f"Ticket #{tid} handed back to the assistant."
            elif action == "resolve":
                desk.resolve(tid, operator)
                done = f"Ticket #{tid} resolved."
            else:
                raise ValueError(f"unknown action {action!r}")
        except (TactfulError, ValueError) as exc:
            done = f"Not done: {exc}"
        summary, transcript = self.show(operator, ticket_id)
        return done, summary, transcript

    def analytics(self, operator: str | None) -> Analytics | None:
        if not operator:
            return None
        return analytics_for(self.agent.store, self.agent.config.collection_name)


def whole_number(value: Any) -> int | None:
    """What a page sent as a number (an int, or digits typed, "#" allowed) if it is one the store can hold; None
    for anything else (a float, a list, a 5,000-digit string), so handlers answer in words, not Python's errors."""
    digits = value.strip().lstrip("#") if isinstance(value, str) else None
    if digits is not None and digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 63:
        return value
    return None


def ticket_number(ticket_id: Any) -> int:
    number = whole_number(ticket_id)
    if number is None:
        raise BadInput(f"{repr(ticket_id)[:40]} is not a ticket number; choose a ticket from the queue.")
    return number


def analytics_frames(a: Analytics | None) -> dict[str, Any]:
    """The chart and table data as pandas DataFrames (pandas comes with gradio)."""
    import pandas as pd

    a = a or Analytics(0, 0, None, 0, {}, {}, [], 0, None, None, [], {})
    return {
        "escalation": pd.DataFrame([{"reason": r, "rate": v, "tickets": a.escalations_by_reason[r]}
                                    for r, v in a.escalation_rate_by_reason.items()],
                                   columns=["reason", "rate", "tickets"]),
        "mood": pd.DataFrame([{"day": str(d), "mood": m, "messages": n} for d, m, n in a.mood_by_day],
                             columns=["day", "mood", "messages"]),
        "csat": pd.DataFrame([{"day": str(d), "csat": c, "ratings": n} for d, c, n in a.csat_by_day],
                             columns=["day", "csat", "ratings"]),
        "ratings": pd.DataFrame([{"score": str(s), "ratings": n} for s, n in a.rating_counts.items()],
                                columns=["score", "ratings"]),
        "unanswered": [[q, n] for q, n in a.unanswered],
    }


def build_chat_app(agent: "Agent", *, poll_seconds: float = POLL_SECONDS) -> gr.Blocks:
    """The customer's chat page (mount it at ``/``; the embed snippet frames it)."""
    chat = CustomerChat(agent)
    business = agent.config.business.name
    with gr.Blocks(title=f"{business}: chat") as demo:
        gr.Markdown(chat.notice(), elem_id="ai-notice")
        session = gr.State(chat.new_session)
        chatbot = gr.Chatbot(label=f"Conversation with {business}'s assistant", elem_id="chat", height="60vh",
                             min_height=240, feedback_options=None, layout="bubble")
        status = gr.Markdown("", elem_id="handoff-status")
        message = gr.Textbox(label="Your message", placeholder="Ask a question...", lines=1, elem_id="message")
        with gr.Row():
            send = gr.Button("Send", variant="primary", elem_id="send", min_width=100)
            person = gr.Button("Talk to a person", elem_id="talk-to-person", min_width=100)
        name = gr.Textbox(label="Your name (optional, helps the team)", elem_id="customer-name", max_lines=1)
        with gr.Accordion("Rate this conversation", open=False, elem_id="rating-box"):
            score = gr.Radio(choices=[1, 2, 3, 4, 5], label="How did we do? 1 is poor, 5 is great",
                             elem_id="rating-score")
            comment = gr.Textbox(label="Comment (optional)", elem_id="rating-comment", lines=2)
            rate = gr.Button("Send rating", elem_id="rating-send")
            rated = gr.Markdown("", elem_id="rating-status")
        timer = gr.Timer(poll_seconds)

        chat_io = {"outputs": [chatbot, session, message], **_PRIVATE}
        message.submit(chat.send, inputs=[message, session, name], **chat_io)
        send.click(chat.send, inputs=[message, session, name], **chat_io)
        person.click(chat.talk_to_person, inputs=[session, name], **chat_io)
        rate.click(chat.rate, inputs=[score, comment, session], outputs=[rated], **_PRIVATE)

        def poll(state: dict[str, Any]) -> tuple[Any, str]:
            messages, line = chat.poll(state)
            return (gr.skip() if messages is None else messages), line

        timer.tick(poll, inputs=[session], outputs=[chatbot, status], show_progress="hidden", **_PRIVATE)
    return demo


def build_console_app(agent: "Agent", *, console_auth: Callable[[str, str], bool] | None = None,
                      poll_seconds: float = POLL_SECONDS) -> gr.Blocks:
    """The people's console (queue + analytics) behind its own sign-in (mount it at ``/console``)."""
    with gr.Blocks(title=f"{agent.config.business.name}: team console") as demo:
        _console_page(Console(agent, console_auth), poll_seconds)
    return demo


def mount_console(app: Any, agent: "Agent", *, console_auth: Callable[[str, str], bool] | None = None,
                  path: str = "/console") -> Any:
    """Mount the team console on a FastAPI ``app``. Mount it before the chat: a mount at ``/`` catches every path."""
    return gr.mount_gradio_app(app, build_console_app(agent, console_auth=console_auth), path="/" + path.strip("/"))


def mount_chat(app: Any, agent: "Agent", *, path: str = "/") -> Any:
    """Mount the customer chat; last, when it sits at ``/``."""
    return gr.mount_gradio_app(app, build_chat_app(agent), path=path)


def _console_page(console: Console, poll_seconds: float) -> None:
    private = _PRIVATE
    operator = gr.State(None)
    gr.Markdown("## Team console\nFor the business's own people. (The REST API is protected by bearer tokens.)")
    with gr.Group(visible=True, elem_id="console-login") as login_box:
        user = gr.Textbox(label="Your name (shown to customers)", elem_id="console-user", max_lines=1)
        password = gr.Textbox(label="Password", type="password", elem_id="console-password", max_lines=1)
        sign_in = gr.Button("Sign in", variant="primary", elem_id="console-sign-in")
    login_message = gr.Markdown("", elem_id="console-login-message")
    with gr.Column(visible=False, elem_id="console-main") as main:
        with gr.Tab("Queue"):
            queue = gr.Dataframe(headers=QUEUE_HEADERS, label="Hand-off queue (most urgent first)",
                                 interactive=False, wrap=True, elem_id="queue")
            ticket = gr.Dropdown(choices=[], label="Open a ticket", elem_id="ticket-choice", allow_custom_value=False)
            summary = gr.Markdown("", elem_id="ticket-summary")
            transcript = gr.Chatbot(label="Transcript", elem_id="ticket-transcript", height="50vh",
                                    feedback_options=None)
            reply_text = gr.Textbox(label="Reply to the customer (they see your name)", lines=3,
                                    elem_id="agent-reply")
            with gr.Row():
                take = gr.Button("Take over", elem_id="assign")
                send = gr.Button("Send reply", variant="primary", elem_id="agent-send")
                back = gr.Button("Hand back to the assistant", elem_id="hand-back")
                resolve = gr.Button("Resolve", elem_id="resolve")
            done = gr.Markdown("", elem_id="action-status")
        with gr.Tab("Analytics"):
            refresh = gr.Button("Refresh figures", elem_id="analytics-refresh")
            figures = gr.Markdown("", elem_id="analytics-figures")
            with gr.Row():
                escalation = gr.BarPlot(x="reason", y="rate", title="Escalation rate by reason",
                                        y_title="hand-offs per conversation", label="Escalation rate by reason")
                ratings = gr.BarPlot(x="score", y="ratings", title="Ratings", label="Ratings by score")
            with gr.Row():
                mood = gr.LinePlot(x="day", y="messages", color="mood", title="Customer mood over time",
                                   label="Customer mood over time")
                csat = gr.LinePlot(x="day", y="csat", title="CSAT trend (share of 4-5)", y_lim=[0, 1],
                                   label="CSAT by day")
            unanswered = gr.Dataframe(headers=["Question", "Times"], interactive=False, wrap=True,
                                      label="Top unanswered questions (add these to the knowledge base)",
                                      elem_id="unanswered")
    timer = gr.Timer(poll_seconds)

    def signed_in(name: str, secret: str) -> tuple[Any, ...]:
        who, said = console.login(name, secret)
        return who, gr.update(visible=who is None), gr.update(visible=who is not None), said, ""

    def refresh_queue(who: str | None, chosen: Any) -> tuple[Any, Any]:
        choices = console.ticket_choices(who)
        keep = chosen if any(value == chosen for _, value in choices) else None
        return console.queue(who), gr.update(choices=choices, value=keep)

    def figures_for(who: str | None) -> tuple[Any, ...]:
        a = console.analytics(who)
        frames = analytics_frames(a)
        return (summary_markdown(a), frames["escalation"], frames["ratings"], frames["mood"], frames["csat"],
                frames["unanswered"])

    def act(action: str) -> Callable[..., tuple[Any, ...]]:
        def run(who: str | None, chosen: Any, text: str = "") -> tuple[Any, ...]:
            said, head, lines = console.act(who, chosen, action, text)
            return said, head, lines, ("" if action == "reply" and said.startswith("Sent") else text)
        return run

    analytics_out = [figures, escalation, ratings, mood, csat, unanswered]
    sign_in.click(signed_in, inputs=[user, password], outputs=[operator, login_box, main, login_message, password],
                  **private).then(refresh_queue, inputs=[operator, ticket], outputs=[queue, ticket], **private
                                  ).then(figures_for, inputs=[operator], outputs=analytics_out, **private)
    timer.tick(refresh_queue, inputs=[operator, ticket], outputs=[queue, ticket], show_progress="hidden", **private)
    ticket.change(console.show, inputs=[operator, ticket], outputs=[summary, transcript], **private)
    act_out = [done, summary, transcript, reply_text]
    for button, action in ((take, "assign"), (send, "reply"), (back, "hand_back"), (resolve, "resolve")):
        button.click(act(action), inputs=[operator, ticket, reply_text], outputs=act_out, **private
                     ).then(refresh_queue, inputs=[operator, ticket], outputs=[queue, ticket], **private)
    refresh.click(figures_for, inputs=[operator], outputs=analytics_out, **private)
