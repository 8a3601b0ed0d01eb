"""The whole story in a real browser (Debian's Chromium, headless, driven by Playwright): a customer asks
and sees sources, gets frustrated and asks for a person; a team member signs in to the console, takes
the ticket and replies; the customer sees the reply from a person; the ticket is resolved and the
customer rates the conversation. Screenshots of both pages go to reports/browser/.

Needs the `chromium` Debian package (`.ci/run` installs it); Playwright's own browser download does not
work here, so it drives /usr/bin/chromium through its executable path.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

from agent.assembly import build_agent
from agent.config import load_config
from tests.conftest import REPO, extractive_env

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = REPO / "reports" / "browser"
KB = {"delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free "
                     "on orders over £40. Deliveries go out Tuesday to Saturday between 9:00 and 13:00.\n"}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed; .ci/run installs it "
                                                          "(apt-get install chromium chromium-driver)")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, minilm):
    """The real app (API, console, chat) on a loopback port, in a thread of this process."""
    import uvicorn

    from agent.server import build_app

    env = {**extractive_env(tmp_path, KB), "TACTFUL_SERVER__CONSOLE_USERS": '{"Sam": "right horse battery"}'}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(build_app(agent), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert uv.started, "the server did not start"
    yield agent, f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)
    agent.close()


def test_a_customer_and_a_person_in_two_browsers(server):
    from playwright.sync_api import expect, sync_playwright

    agent, base = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            customer = browser.new_page(viewport={"width": 390, "height": 844})  # a phone-sized screen
            customer.goto(base + "/")
            expect(customer.locator("#ai-notice")).to_contain_text("automated assistant", timeout=30_000)

            customer.locator("#message textarea").fill("How much is delivery?")
            customer.locator("#send").click()
            expect(customer.locator("#chat")).to_contain_text("£4.50", timeout=30_000)
            expect(customer.locator("#chat")).to_contain_text("Sources", timeout=10_000)

            customer.locator("#message textarea").fill("This is really annoying, nothing arrived yesterday")
            customer.locator("#send").click()
            customer.locator("#talk-to-person").click()
            expect(customer.locator("#chat")).to_contain_text("won't need to repeat", timeout=30_000)
            [ticket] = agent.desk.list()

            team = browser.new_page(viewport={"width": 1280, "height": 900})
            team.goto(base + "/console")
            team.locator("#console-user input").fill("Sam")
            team.locator("#console-password input").fill("right horse battery")
            team.locator("#console-sign-in").click()
            expect(team.locator("#queue")).to_contain_text(ticket.reason, timeout=30_000)
            team.locator("#ticket-choice input").click()
            team.get_by_role("option", name=f"#{ticket.id}", exact=False).first.click()
            expect(team.locator("#ticket-summary")).to_contain_text("Wants:", timeout=15_000)
            team.locator("#assign").click()
            expect(team.locator("#action-status")).not_to_be_empty(timeout=15_000)
            team.locator("#agent-reply textarea").fill("Hi, Sam from the bakery here. I'm looking at your order now.")
            team.locator("#agent-send").click()
            expect(team.locator("#ticket-transcript")).to_contain_text("Sam from the bakery", timeout=15_000)
            team.screenshot(path=str(SHOTS / "console.png"), full_page=True)

            expect(customer.locator("#chat")).to_contain_text("(a person)", timeout=30_000)  # the page polls
            expect(customer.locator("#chat")).to_contain_text("Sam from the bakery", timeout=5_000)

            team.locator("#resolve").click()
            expect(team.locator("#action-status")).to_contain_text("esolved", timeout=15_000)

            customer.locator("#rating-box").get_by_text("Rate this conversation").click()
            customer.locator("#rating-score").get_by_text("5", exact=True).click()
            customer.locator("#rating-comment textarea").fill("Quick and kind, thanks")
            customer.locator("#rating-send").click()
            expect(customer.locator("#rating-status")).not_to_be_empty(timeout=15_000)
            customer.screenshot(path=str(SHOTS / "customer-chat.png"), full_page=True)
        finally:
            browser.close()

    rating = agent.store.rating(ticket.conversation_id)
    assert rating is not None and rating.score == 5 and rating.escalated
    assert agent.desk.show(ticket.id).ticket.status == "resolved"
    assert (SHOTS / "console.png").stat().st_size > 10_000 and (SHOTS / "customer-chat.png").stat().st_size > 10_000
