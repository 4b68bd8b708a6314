"""Talking to a running Airflow's REST API (``/auth/token``, ``/api/v2``) from the command
line: where Airflow is, who logs in, and one request function whose errors are one line.
Standard library only: no asset file and no Airflow import."""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asset2airflow.errors import Asset2AirflowError

DEFAULT_URL = "http://localhost:8080"
DEFAULT_USER = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
TIMEOUT = 60.0


class AirflowRequestError(Exception):
    """Airflow could not be reached or refused a request; the message is one line."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status Airflow answered; ``None`` when it did not answer."""


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--url``, ``--user`` and ``--password``."""
    parser.add_argument("--url", help=f"Airflow's URL (default: $AIRFLOW_URL or {DEFAULT_URL})")
    parser.add_argument("--user", help=f"user (default: $AIRFLOW_USER or {DEFAULT_USER})")
    parser.add_argument(
        "--password",
        help=f"password (default: $AIRFLOW_PASSWORD, else the user's in $AIRFLOW_HOME/"
        f"{PASSWORDS_FILE}, written by airflow standalone)",
    )


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str
    """Where the password came from, for error messages."""


def credentials(
    user: str | None, password: str | None, environ: dict[str, str] | None = None
) -> Credentials:
    """``--user``/``--password``, else ``AIRFLOW_USER``/``AIRFLOW_PASSWORD``, else ``admin`` and
    its password in ``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``."""
    env = dict(os.environ) if environ is None else environ
    name = user or env.get("AIRFLOW_USER") or DEFAULT_USER
    if password is not None:
        return Credentials(name, password, "--password")
    if env.get("AIRFLOW_PASSWORD"):
        return Credentials(name, env["AIRFLOW_PASSWORD"], "$AIRFLOW_PASSWORD")
    home = Path(env.get("AIRFLOW_HOME") or Path.home() / "airflow")
    path = home / PASSWORDS_FILE
    try:
        passwords = json.loads(path.read_text())
    except (OSError, ValueError):
        return Credentials(name, "", f"no password: {path} not found or not JSON")
    found = passwords.get(name) if isinstance(passwords, dict) else None
    if not isinstance(found, str):
        return Credentials(name, "", f"no password: {path} has none for {name!r}")
    return Credentials(name, found, str(path))


def base_url(url: str | None, environ: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if environ is None else environ
    chosen = (url or env.get("AIRFLOW_URL") or DEFAULT_URL).rstrip("/")
    if not chosen.startswith(("http://", "https://")):
        raise Asset2AirflowError(
            f"Airflow URL {chosen!r} must start with http:// or https://, e.g. {DEFAULT_URL}"
        )
    return chosen


def post_json(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    """POST ``body`` as JSON to ``base + path``; see ``request_json``."""
    return request_json("POST", base, path, body, token)


def get_json(base: str, path: str, token: str | None = None, **query: Any) -> Any:
    """GET ``base + path`` with ``query``; see ``request_json``."""
    if query:
        path += "?" + urllib.parse.urlencode(query)
    return request_json("GET", base, path, None, token)


def request_json(
    method: str, base: str, path: str, body: dict[str, Any] | None, token: str | None
) -> Any:
    """Send ``body`` (JSON) to ``base + path``; the decoded JSON answer. Raises
    ``AirflowRequestError`` with Airflow's ``detail`` on an HTTP error, or saying which Airflow
    could not be reached."""
    url = base + path
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise AirflowRequestError(
            f"Airflow answered {exc.code} {exc.reason} to {method} {path}: {_detail(exc)}", exc.code
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            raise AirflowRequestError(
                f"cannot connect to Airflow at {base} (connection refused): start Airflow "
                "(`make demo`), or give its address with --url or AIRFLOW_URL"
            ) from None
        raise AirflowRequestError(
            f"cannot reach Airflow at {base} ({reason}): is Airflow running (`make demo`) and "
            "--url / AIRFLOW_URL right?"
        ) from None
    except (TimeoutError, ConnectionError) as exc:
        raise AirflowRequestError(f"no answer from Airflow at {base} to {path} ({exc})") from None
    except ValueError as exc:  # not JSON
        raise AirflowRequestError(
            f"Airflow at {base} did not answer JSON to {path} ({exc})"
        ) from None


def _detail(exc: urllib.error.HTTPError) -> str:
    """Airflow's ``detail``: a message, or FastAPI's list of validation errors."""
    try:
        raw = exc.read().decode(errors="replace")
    except OSError:
        raw = ""
    try:
        detail = json.loads(raw).get("detail", raw)
    except (ValueError, AttributeError):
        detail = raw or exc.reason
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                where = ".".join(str(p) for p in item.get("loc", ())[1:])
                parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
            else:
                parts.append(str(item))
        detail = "; ".join(parts)
    elif not isinstance(detail, str):
        detail = json.dumps(detail)
    return " ".join(str(detail).split())[:1000]


def token(url: str, creds: Credentials) -> str:
    """A JWT for ``creds`` from ``POST /auth/token``."""
    try:
        answer = post_json(url, "/auth/token", {"username": creds.user, "password": creds.password})
    except AirflowRequestError as exc:
        if exc.status in (400, 401):
            raise AirflowRequestError(
                f"{exc} (user {creds.user!r}, password from {creds.source}); pass --user and "
                "--password, set AIRFLOW_USER/AIRFLOW_PASSWORD, or set AIRFLOW_HOME to the "
                f"Airflow home holding {PASSWORDS_FILE} (`make demo` uses .airflow in this repo)"
            ) from None
        raise
    access = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(access, str):
        raise AirflowRequestError(f"POST /auth/token answered no access_token: {answer!r}"[:500])
    return access
