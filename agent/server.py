"""`tactful serve`: the web demo (customer chat and team console) and the REST API in one server.

Assembly only: the API is ``agent.api`` (FastAPI), the pages are ``agent.web_ui`` (Gradio), the
messaging adapters are ``agent.channels``; this module wires them to one agent from configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from agent.config import TactfulConfig


#: Idle seconds before the server closes a kept-alive connection: longer than clients and proxies keep
#: theirs (uvicorn's 5 s default lets a busy client send on a connection the server is closing; the
#: request is then lost in transit, as the load audit showed at 100 concurrent conversations).
KEEP_ALIVE_S = 75


def console_login(config: TactfulConfig) -> Callable[[str, str], bool]:
    """Checks a console sign-in against ``server.console_users`` in constant time (no users: nobody)."""
    users = {name: hashlib.sha256(secret.get_secret_value().encode()).digest()
             for name, secret in config.server.console_users.items()}

    def check(user: str, password: str) -> bool:
        expected = users.get(str(user or "").strip())
        given = hashlib.sha256(str(password or "").encode()).digest()
        return expected is not None and hmac.compare_digest(expected, given)

    return check


def build_app(agent: Any, *, pages: bool = True, tenants: Mapping[str, Any] | None = None) -> Any:
    """The ASGI app: REST API and channel webhooks first, each tenant's whole app at /t/<collection>/,
    then (with ``pages``) the console at /console and the chat at /; rate limits, CORS and security
    headers around all of it."""
    from starlette.middleware.cors import CORSMiddleware

    from agent.web_security import RateLimits, SecurityHeaders

    server = agent.config.server
    app = _business_app(agent, pages=pages, tenants=tenants)
    # Always ours, even with no origins: Gradio then leaves CORS to it instead of allowing any origin itself.
    app.add_middleware(CORSMiddleware, allow_origins=list(server.cors_origins), allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"])
    if server.rate_limit_client_per_minute or server.rate_limit_conversation_per_minute:
        app.add_middleware(RateLimits, per_client_per_minute=server.rate_limit_client_per_minute or 10**9,
                           per_conversation_per_minute=server.rate_limit_conversation_per_minute or 10**9)
    app.add_middleware(SecurityHeaders, frame_ancestors=server.frame_ancestors,
                       https=server.public_url.startswith("https://"))
    return app


def _business_app(agent: Any, *, pages: bool, tenants: Mapping[str, Any] | None = None) -> Any:
    from agent.api import add_redirect, create_api
    from agent.tenants import tenant_path

    config: TactfulConfig = agent.config
    app = create_api(agent, operator_tokens=config.server.operator_tokens, title=config.business.name)
    for slug, tenant in (tenants or {}).items():
        app.mount(tenant_path(slug), _business_app(tenant, pages=pages))
        add_redirect(app, tenant_path(slug), tenant_path(slug) + "/")
    if pages:
        from agent.web_ui import mount_chat, mount_console

        mount_console(app, agent, console_auth=console_login(config), path="/console")
        add_redirect(app, "/console", "/console/")  # else "/console" falls through to the chat mounted at "/"
        mount_chat(app, agent, path="/")
    return app


def app_from_environment() -> Any:
    """One worker's app (uvicorn's factory): its own agents from ``$TACTFUL_CONFIG`` and ``TACTFUL_*``.

    Workers share nothing in memory: conversations, hand-off tickets and webhook deliveries are in the
    store, the knowledge index on disk or a Chroma server. The web pages keep their sessions in one
    process, so they are served only with a single worker.
    """
    from agent.assembly import build_agent
    from agent.tenants import build_tenants

    from agent.logs import configure_logging

    agent = build_agent(os.environ.get("TACTFUL_CONFIG") or None, ingest_if_empty=False)
    logging = agent.config.logging
    configure_logging(logging.level, as_json=logging.format == "json", file=logging.file)
    tenants = build_tenants(agent.config, agent, ingest_if_empty=False)
    start_retention([agent, *tenants.values()])
    return build_app(agent, pages=agent.config.server.workers == 1, tenants=tenants)


def start_retention(agents: list[Any]) -> None:
    """The retention job of each business that has a policy (several workers may run it: it is idempotent)."""
    from agent.privacy import RetentionJob

    for each in agents:
        policy = each.config.privacy
        if policy.retention_days:
            RetentionJob(each.privacy, policy.retention_days, policy.retention_action,
                         policy.retention_check_hours).start()


def serve(agent: Any, host: str, port: int, tenants: Mapping[str, Any] | None = None) -> None:
    """One process: the API, the channels and the web pages, for the business and its tenants."""
    import uvicorn

    start_retention([agent, *(tenants or {}).values()])
    uvicorn.run(build_app(agent, tenants=tenants), host=host, port=port, log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_S)


def serve_workers(config_path: str | None, host: str, port: int, workers: int) -> None:
    """``workers`` processes behind one port, each built by ``app_from_environment`` (API and channels only)."""
    import uvicorn

    if config_path:
        os.environ["TACTFUL_CONFIG"] = str(Path(config_path).resolve())
    os.environ["TACTFUL_SERVER__WORKERS"] = str(workers)
    uvicorn.run("agent.server:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning", timeout_keep_alive=KEEP_ALIVE_S)
