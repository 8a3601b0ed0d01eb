"""`tactful serve`: the web demo (customer chat and team console) and the REST API in one server.

Assembly only: the API is ``agent.api`` (FastAPI), the pages are ``agent.web_ui`` (Gradio), the
messaging adapters are ``agent.channels``; this module wires them to one agent from configuration.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Callable

from agent.config import TactfulConfig


def console_login(config: TactfulConfig) -> Callable[[str, str], bool]:
    """Checks a console sign-in against ``server.console_users`` in constant time (no users: nobody)."""
    users = {name: hashlib.sha256(secret.get_secret_value().encode()).digest()
             for name, secret in config.server.console_users.items()}

    def check(user: str, password: str) -> bool:
        expected = users.get(str(user or "").strip())
        given = hashlib.sha256(str(password or "").encode()).digest()
        return expected is not None and hmac.compare_digest(expected, given)

    return check


def build_app(agent: Any) -> Any:
    """The ASGI app: REST API and channel webhooks first, then the console at /console and the chat at /."""
    from agent.api import add_redirect, create_api
    from agent.web_ui import mount_chat, mount_console

    config: TactfulConfig = agent.config
    app = create_api(agent, operator_tokens=config.server.operator_tokens, title=config.business.name)
    mount_console(app, agent, console_auth=console_login(config), path="/console")
    add_redirect(app, "/console", "/console/")  # else "/console" falls through to the chat mounted at "/"
    mount_chat(app, agent, path="/")
    return app


def serve(agent: Any, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(build_app(agent), host=host, port=port, log_level="warning")
