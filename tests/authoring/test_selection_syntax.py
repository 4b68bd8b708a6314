"""Dagster's asset selection syntax (``AssetSelection.from_string`` and selection strings given
to ``define_asset_job``/``materialize``): attributes, wildcards, traversals, precedence, functions,
the older ``*key+`` forms, and errors that quote the string and point at the column."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetIn,
    AssetSelection,
    AssetSpec,
    Definitions,
    SelectionError,
    asset,
    define_asset_job,
)

parse = AssetSelection.from_string

raw_feed = AssetSpec("raw_feed", group_name="ingest", kinds={"s3"}, tags={"tier": "bronze"})


@asset(group_name="ingest", deps=[raw_feed], kinds={"python"}, tags={"tier": "bronze"})
def raw_orders() -> int:
    return 1


@asset(group_name="ingest", tags={"pii": ""}, owners=["team:data", "ana@example.com"])
def raw_users() -> int:
    return 1


@asset(key=["raw-data"], group_name="ingest")
def raw_data() -> int:
    return 1


@asset(key=["sales", "orders"], group_name="sales", ins={"raw_orders": AssetIn("raw_orders")})
def sales_orders(raw_orders: int) -> int:
    return raw_orders


@asset(key=["sales_orders"], group_name="sales")
def sales_orders_flat() -> int:
    return 1


@asset(group_name="sales", kinds={"dbt"}, ins={"orders": AssetIn(["sales", "orders"])})
def summary(orders: int, raw_users: int) -> int:
    return orders + raw_users


@asset(group_name="reports", tags={"tier": "gold"})
def dashboard(summary: int) -> int:
    return summary


ASSETS = [raw_feed, raw_orders, raw_users, raw_data, sales_orders, sales_orders_flat, summary]
DEFS = Definitions(assets=[*ASSETS, dashboard])


def names(text: str, include_sources: bool = False) -> list[str]:
    selection = parse(text, include_sources=include_sources)
    return sorted(k.to_user_string() for k in selection.resolve(DEFS.asset_graph))


MATERIALIZABLE = [
    "dashboard",
    "raw-data",
    "raw_orders",
    "raw_users",
    "sales/orders",
    "sales_orders",
    "summary",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", MATERIALIZABLE),
        ("key:raw_orders", ["raw_orders"]),
        ('key:"raw_orders"', ["raw_orders"]),
        ("key:sales/orders", ["sales/orders"]),
        ("key:sales_orders", ["sales_orders"]),  # not sales/orders
        ('key:"raw-data"', ["raw-data"]),
        ("key:raw_*", ["raw_feed", "raw_orders", "raw_users"]),  # key: matches external keys too
        ("key:sales*", ["sales/orders", "sales_orders"]),  # * spans '/'
        ("key:sales/*", ["sales/orders"]),
        ("key:*s", ["raw_orders", "raw_users", "sales/orders", "sales_orders"]),
        ("key:*_*s", ["raw_orders", "raw_users", "sales_orders"]),
        ("key:*", sorted(["raw_feed", *MATERIALIZABLE])),
        ("key:nothing_*", []),
        ("group:sales", ["sales/orders", "sales_orders", "summary"]),
        ('group:"reports"', ["dashboard"]),
        ("tag:tier=bronze", ["raw_orders"]),
        ('tag:"tier"="gold"', ["dashboard"]),
        ("tag:pii", ["raw_users"]),  # a label: empty value
        ("tag:tier", []),  # tier always has a value
        ("kind:dbt", ["summary"]),
        ("kind:s3", []),
        ("kind:<null>", ["dashboard", "raw-data", "raw_users", "sales/orders", "sales_orders"]),
        ('owner:"team:data"', ["raw_users"]),
        ('owner:"ana@example.com"', ["raw_users"]),
        ("owner:nobody", []),
    ],
)
def test_attributes(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+key:summary", ["raw_orders", "raw_users", "sales/orders", "summary"]),
        ("1+key:summary", ["raw_users", "sales/orders", "summary"]),
        ("2+key:summary", ["raw_orders", "raw_users", "sales/orders", "summary"]),
        ("0+key:summary", ["summary"]),
        ("key:raw_orders+", ["dashboard", "raw_orders", "sales/orders", "summary"]),
        ("key:raw_orders+1", ["raw_orders", "sales/orders"]),
        ("key:raw_orders+2", ["raw_orders", "sales/orders", "summary"]),
        ("1+key:summary+1", ["dashboard", "raw_users", "sales/orders", "summary"]),
        ("+key:sales/orders+", ["dashboard", "raw_orders", "sales/orders", "summary"]),
        ("+(key:raw_users or key:sales/orders)", ["raw_orders", "raw_users", "sales/orders"]),
        ("(group:reports)+", ["dashboard"]),
        ("12+key:dashboard", ["dashboard", "raw_orders", "raw_users", "sales/orders", "summary"]),
        ("key:raw_orders + 1", ["raw_orders", "sales/orders"]),  # spaces are fine
        # the path between two assets, from Dagster's examples
        (
            "key:raw_orders+ and +key:dashboard",
            ["dashboard", "raw_orders", "sales/orders", "summary"],
        ),
    ],
)
def test_traversals(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_external_assets_and_include_sources() -> None:
    assert names("group:ingest") == ["raw-data", "raw_orders", "raw_users"]
    assert names("group:ingest", include_sources=True)[-1] == "raw_users"
    assert "raw_feed" in names("group:ingest", include_sources=True)
    assert names("kind:s3", include_sources=True) == ["raw_feed"]
    assert names("tag:tier=bronze", include_sources=True) == ["raw_feed", "raw_orders"]
    assert "raw_feed" in names("*", include_sources=True)
    assert "raw_feed" not in names("not group:ingest")
    assert "raw_feed" not in names("not group:ingest", include_sources=True)
    assert names("not group:sales", include_sources=True)[:2] == ["dashboard", "raw-data"]
    assert "raw_feed" in names("not group:sales", include_sources=True)
    assert "raw_feed" not in names("+key:raw_orders")  # upstream keeps materializable assets
    assert names("key:raw_feed+1") == ["raw_feed", "raw_orders"]


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("not group:ingest and group:sales", "(not group:ingest) and group:sales"),
        ("not group:sales and key:summary", "(not group:sales) and key:summary"),
        ("group:ingest or group:sales and kind:dbt", "group:ingest or (group:sales and kind:dbt)"),
        (
            "group:sales and kind:dbt or group:reports",
            "(group:sales and kind:dbt) or group:reports",
        ),
        ("not group:ingest or group:ingest", "*"),
        ("not not group:sales", "group:sales"),
        ("NOT group:sales AND NOT group:ingest", "group:reports"),
        ("group:sales OR group:reports", "group:sales or group:reports"),
        ("+key:summary and not key:summary", "+key:summary and (not key:summary)"),
    ],
)
def test_precedence_not_then_and_then_or(text: str, same_as: str) -> None:
    assert names(text) == names(same_as)


def test_precedence_changes_results_where_it_matters() -> None:
    assert names("not (group:sales or group:ingest)") == ["dashboard"]
    assert names("not group:sales or group:ingest") != names("not (group:sales or group:ingest)")
    assert names("group:ingest or group:sales and kind:dbt") == [
        "raw-data",
        "raw_orders",
        "raw_users",
        "summary",
    ]
    assert names("(group:ingest or group:sales) and kind:dbt") == ["summary"]


def test_parse_trees_match_the_python_api() -> None:
    assert parse("group:sales") == AssetSelection.groups("sales")
    assert parse("tag:tier=gold") == AssetSelection.tag("tier", "gold")
    assert parse("tag:pii") == AssetSelection.tag("pii", "")
    assert parse("kind:dbt") == AssetSelection.kind("dbt")
    assert parse("owner:x") == AssetSelection.owner("x")
    assert parse("*") == AssetSelection.all()
    assert parse("*", include_sources=True) == AssetSelection.all(include_sources=True)
    assert parse("not group:x") == AssetSelection.all() - AssetSelection.groups("x")
    assert parse("2+group:x") == AssetSelection.groups("x").upstream(2)
    assert parse("group:x+") == AssetSelection.groups("x").downstream()
    x = AssetSelection.groups("x")
    assert parse("+group:x+1") == x.upstream() | x.downstream(1)
    assert parse("sinks(group:x)") == x.sinks()
    assert parse("roots(group:x or group:y)") == (x | AssetSelection.groups("y")).roots()


def test_functions() -> None:
    assert names("sinks(*)") == ["dashboard", "raw-data", "sales_orders"]
    assert names("roots(*)") == ["raw-data", "raw_orders", "raw_users", "sales_orders"]
    assert names("roots(*)", include_sources=True)[:3] == ["raw-data", "raw_feed", "raw_users"]
    assert names("sinks(group:ingest)") == ["raw-data", "raw_orders", "raw_users"]
    assert names("roots(group:sales)") == ["sales/orders", "sales_orders"]
    assert names("sinks(+key:summary)") == ["summary"]
    assert names("roots(sinks(*))") == ["dashboard", "raw-data", "sales_orders"]
    assert names("sinks(*)+1") == names("sinks(*)")  # nothing below a sink
    assert names("1+sinks(group:sales)") == ["raw_users", "sales/orders", "sales_orders", "summary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("raw_orders", ["raw_orders"]),
        ("sales/orders", ["sales/orders"]),
        ("sales_orders", ["sales_orders"]),
        ("raw-data", ["raw-data"]),
        ("  summary  ", ["summary"]),
        ("*summary", ["raw_orders", "raw_users", "sales/orders", "summary"]),
        ("+summary", ["raw_users", "sales/orders", "summary"]),  # older style: + is one layer
        ("++summary", ["raw_orders", "raw_users", "sales/orders", "summary"]),
        ("raw_orders+", ["raw_orders", "sales/orders"]),
        ("raw_orders*", ["dashboard", "raw_orders", "sales/orders", "summary"]),
        ("*sales/orders*", ["dashboard", "raw_orders", "sales/orders", "summary"]),
        ("+summary+", ["dashboard", "raw_users", "sales/orders", "summary"]),
        ("tag:tier=bronze", ["raw_orders"]),
    ],
)
def test_older_string_forms_still_select_assets(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_quoted_values_are_taken_as_written() -> None:
    assert parse('tag:"t*"="a b"') == AssetSelection.tag("t*", "a b")
    assert parse('owner:"x*"') == AssetSelection.owner("x*")
    assert parse('group:"and"') == AssetSelection.groups("and")
    assert parse("group:key") == AssetSelection.groups("key")  # keywords are fine as values


def test_older_tag_form_takes_any_characters_in_the_value() -> None:
    assert parse("tag:team=data-eng") == AssetSelection.tag("team", "data-eng")
    assert parse("tag:dagster/kind/python") == AssetSelection.tag("dagster/kind/python", "")


def test_bare_keyword_like_asset_names() -> None:
    assert parse("sinks") == AssetSelection.assets("sinks")
    assert parse("not") == AssetSelection.assets("not")
    assert parse("key") == AssetSelection.assets("key")


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("", 1, "the selection is empty"),
        ("   ", 1, "the selection is empty"),
        ("group:sales and", 16, "found the end of the selection"),
        ("group:sales or or group:x", 16, "found the keyword 'or'"),
        ("group:sales group:x", 13, "expected 'and', 'or' or the end"),
        ("raw_orders or key:x", 1, "write key:raw_orders"),
        ("key:raw-data", 8, "quote values that contain it"),
        ("key:raw-data and group:x", 8, 'key:"raw-data"'),
        ("group:2024", 7, 'quote values that start with a digit: group:"2024..."'),
        ("key:", 5, "expected a value after key:"),
        ('key:"open', 5, "this quote is never closed"),
        ("(group:sales", 13, "')' to close the '(' at column 1"),
        ("group:sales)", 12, "found ')'"),
        ("sinks(group:sales", 18, "')' to close sinks( at column 6"),
        ("sinks()", 7, "sinks() needs a selection inside"),
        ("leaves(*)", 1, "unknown function 'leaves'"),
        ("colour:red", 1, "unknown attribute 'colour:'"),
        ("status:MISSING", 1, "materialization status lives in Airflow's run history"),
        ("code_location:x", 1, "'code_location:' is part of Dagster's syntax"),
        ("group:sal*", 7, "wildcards (*) work only in key:"),
        ("owner:a* or key:x", 7, "wildcards (*) work only in key:, not in owner:"),
        ("group:<null>", 7, "<null> works only in kind:"),
        ("2 key:x", 1, "a number starts a traversal"),
        ("key:x++", 7, "a traversal is written once per operand"),
        ("++key:x", 2, "expected an asset expression"),
        ("* and", 6, "found the end"),
        ("+*", 2, "found '*'"),
        ("group:sales and ~group:x", 17, "unexpected character '~'"),
        ("tag:a=b and x-y", 14, "unexpected character '-'"),  # not read as the older tag form
    ],
)
def test_errors_quote_the_string_and_point_at_the_column(
    text: str, column: int, fragment: str
) -> None:
    with pytest.raises(SelectionError) as raised:
        parse(text)
    message = str(raised.value)
    assert f"cannot read asset selection {text!r}: column {column}:" in message
    assert fragment in message
    caret_line = message.splitlines()[-1]
    assert caret_line.index("^") == 4 + column - 1


def test_unknown_exact_keys_are_errors_but_wildcards_may_match_nothing() -> None:
    with pytest.raises(SelectionError) as raised:
        names("key:sales/order")
    message = str(raised.value)
    assert "key:\"sales/order\" names asset ['sales/order']" in message
    assert "did you mean 'sales/orders'" in message
    assert names("key:sales/order*") == ["sales/orders"]
    with pytest.raises(SelectionError, match="did you mean 'raw_orders'"):
        names("raw_order")  # the older form names one asset too


def test_strings_in_jobs_and_lists() -> None:
    job = define_asset_job("path", 'key:"raw_orders"+ and +key:"dashboard"')
    assert sorted(k.to_user_string() for k in job.selection.resolve(DEFS.asset_graph)) == [
        "dashboard",
        "raw_orders",
        "sales/orders",
        "summary",
    ]
    several = define_asset_job("several", ["group:reports", "raw-data", "sales/orders+"])
    assert sorted(k.to_user_string() for k in several.selection.resolve(DEFS.asset_graph)) == [
        "dashboard",
        "raw-data",
        "sales/orders",
        "summary",
    ]
    Definitions(assets=DEFS.assets, jobs=[job, several])


def test_from_string_needs_a_string() -> None:
    with pytest.raises(SelectionError, match="must be a str"):
        parse(["group:x"])  # type: ignore[arg-type]
