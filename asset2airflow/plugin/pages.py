"""HTML shells of the pages. They hold no user data: the page's script fetches it from the JSON
API and puts every string into the DOM as text (never as HTML). The values below (paths, an
asset id, a DAG id) are escaped anyway, and a Content-Security-Policy allows only the plugin's
own scripts, so injected markup could not run even if it reached the page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from asset2airflow.plugin.views import URL_PREFIX

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NAV = (("lineage", "Lineage"), ("checks", "Checks"))


def page(
    request: Request,
    title: str,
    script: str,
    data: Mapping[str, str] | None = None,
    extra_scripts: Sequence[str] = (),
) -> HTMLResponse:
    base = str(request.scope.get("root_path", "")).rstrip("/")
    airflow = base[: -len(URL_PREFIX)] if base.endswith(URL_PREFIX) else ""
    attributes = {"base": base, "airflow": airflow, **(data or {})}
    body_data = " ".join(f'data-{k}="{escape(v, quote=True)}"' for k, v in attributes.items())
    scripts = "".join(
        f'<script src="{escape(base)}/static/{escape(s)}"></script>'
        for s in ("common.js", *extra_scripts, script)
    )
    nav = "".join(f'<a href="{escape(base)}/{path}">{label}</a>' for path, label in NAV)
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel=stylesheet href="{escape(base)}/static/plugin.css"></head>'
        f"<body {body_data}><header class=topbar><strong>asset2airflow</strong>"
        f"<nav>{nav}</nav></header><main id=app aria-live=polite>"
        "<p class=muted>Loading…</p></main>"
        f"{scripts}</body></html>"
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)
