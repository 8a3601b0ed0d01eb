"""The few lines of HTML that put the customer chat on a shop's own website (an iframe, sized to the screen)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from agent.errors import BadInput


def embed_snippet(url: str, *, business: str = "our", max_width: str = "480px", height: str = "640px") -> str:
    """An iframe of the chat at ``url`` (where ``tactful serve`` is reachable, e.g. https://chat.example.com/).

    It fills the width it is given up to ``max_width`` and never grows taller than 85% of the screen, so it
    works on a phone. ``business`` names the frame for screen readers.
    """
    parts = urlsplit(str(url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadInput(f"the chat URL must start with https:// (or http:// for testing), not {url!r}.")
    src = escape(parts.geturl(), quote=True)
    label = escape(f"Chat with {business}'s automated assistant" if business != "our"
                   else "Chat with our automated assistant", quote=True)
    return (
        f'<!-- Tactful chat: paste where the chat should appear -->\n'
        f'<div style="width:100%;max-width:{escape(max_width, quote=True)};'
        f'height:min({escape(height, quote=True)},85vh);">\n'
        f'  <iframe src="{src}" title="{label}" loading="lazy" allow="clipboard-write"\n'
        f'          style="border:0;width:100%;height:100%;"></iframe>\n'
        f'</div>\n'
    )
