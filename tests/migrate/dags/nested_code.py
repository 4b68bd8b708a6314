"""Tasks defined inside a @dag function whose multi-line strings (a docstring, an f-string, a
plain string, a string continued with a backslash) are indented: copied to module level, their
text must not change. One task closes over a variable of the @dag function. XCom values are
passed as they are; literal arguments are rendered as templates, as Airflow does."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def nested_code() -> None:
    prefix = "report"

    # The docstring's indentation is what the test checks: the formatter must leave it.
    # fmt: off
    @task
    def banner() -> str:
        """Prints a banner.

            Indented by four more than the def, on purpose.
        """
        name = "orders"
        return f"""{name}:
    indented by four
        and by eight
"""
    # fmt: on

    @task
    def framed(text: str) -> str:
        border = """+--
|"""
        joined = "a \
            b"
        return prefix + border + text + joined

    @task
    def dated(day: str, note: str) -> str:
        return day + note

    framed(banner())
    dated("{{ dag_run.dag_id }}", "rendered\n")  # templates: Jinja drops the last newline


nested_code()
