"""AssetSelection (Dagster 1.13's API), define_asset_job and load_assets_from_modules:
composition, depth and include_self, include_sources with external AssetSpecs, check
selections, resolution errors, and what jobs refuse rather than ignore."""

from __future__ import annotations

import inspect
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asset2airflow import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSpec,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    DefinitionError,
    Definitions,
    DuplicateKeyError,
    InvalidNameError,
    MaterializeResult,
    SelectionError,
    UnknownCheckTargetError,
    asset,
    asset_check,
    define_asset_job,
    load_assets_from_modules,
    load_assets_from_package_module,
    load_assets_from_package_name,
    materialize,
    materialize_to_memory,
    multi_asset,
)
from asset2airflow.asset_graph.selection import resolve_selection


@asset(group_name="raw")
def events() -> int:
    return 1


@asset(group_name="raw")
def users() -> int:
    return 1


@asset(group_name="marts")
def sessions(events: int, users: int) -> int:
    return events + users


@asset(group_name="marts")
def retention(sessions: int) -> int:
    return sessions


DEFS = Definitions(assets=[events, users, sessions, retention])


def names(selection: AssetSelection, defs: Definitions = DEFS) -> list[str]:
    return sorted(k.to_user_string() for k in selection.resolve(defs.asset_graph))


def check_names(selection: AssetSelection, defs: Definitions) -> list[str]:
    return sorted(c.to_user_string() for c in selection.resolve_checks(defs.asset_graph))


def test_selection_algebra() -> None:
    assert names(AssetSelection.all()) == ["events", "retention", "sessions", "users"]
    assert names(AssetSelection.groups("raw")) == ["events", "users"]
    assert names(AssetSelection.assets(sessions, "users")) == ["sessions", "users"]
    assert names(AssetSelection.groups("marts") - AssetSelection.assets("retention")) == [
        "sessions"
    ]
    assert names(AssetSelection.groups("raw") & AssetSelection.assets("users")) == ["users"]
    assert names(AssetSelection.groups("raw") | AssetSelection.assets("retention")) == [
        "events",
        "retention",
        "users",
    ]
    assert names(AssetSelection.assets("sessions").upstream()) == ["events", "sessions", "users"]
    assert names(AssetSelection.assets("users").downstream()) == ["retention", "sessions", "users"]


def test_job_selection_forms_and_errors() -> None:
    assert define_asset_job("all_assets").selection == AssetSelection.all()
    job = define_asset_job("marts_job", ["sessions", AssetKey("retention")])
    assert names(job.selection) == ["retention", "sessions"]
    with pytest.raises(SelectionError, match=r"job 'typo_job': .*\['sesions'\]"):
        Definitions(
            assets=[events, users, sessions], jobs=[define_asset_job("typo_job", "sesions")]
        )
    with pytest.raises(DuplicateKeyError, match="job 'twice' is defined twice"):
        Definitions(assets=[events], jobs=[define_asset_job("twice"), define_asset_job("twice")])


# --- a graph with look-alike keys, an external AssetSpec, a multi-asset and checks ----------

feed = AssetSpec(
    ["vendor", "feed"],
    group_name="raw",
    tags={"tier": "gold"},
    owners=["ops@example.com"],
    kinds={"s3"},
)


@asset(key_prefix="a", deps=[feed], group_name="raw", tags={"tier": "gold"}, kinds={"python"})
def b() -> int:
    return 1


@asset(key="a_b", group_name="raw", tags={"pii": ""})
def a_b_value() -> int:
    return 2


@asset(key=["a", "bc"], group_name="raw")
def a_bc_value() -> int:
    return 3


@asset(
    group_name="marts",
    ins={"left": AssetIn(["a", "b"]), "right": AssetIn("a_b")},
    owners=["team@example.com"],
)
def mid(left: int, right: int) -> int:
    return left + right


@asset(group_name="marts", check_specs=[AssetCheckSpec("in_range", asset="top")])
def top(mid: int) -> MaterializeResult[int]:
    return MaterializeResult(value=mid, check_results=[AssetCheckResult(passed=mid < 10)])


@asset
def report(top: int) -> int:
    return top


@asset_check(asset=mid)
def mid_positive(mid: int) -> AssetCheckResult:
    return AssetCheckResult(passed=mid > 0)


@multi_asset(outs={"m1": AssetOut(), "m2": AssetOut()}, group_name="pairs")
def pair() -> tuple[int, int]:
    return 1, 2


@multi_asset(outs={"s1": AssetOut(), "s2": AssetOut()}, can_subset=True, group_name="pairs")
def subsettable_pair() -> tuple[int, int]:
    return 1, 2


GRAPH_ASSETS: list[Any] = [feed, b, a_b_value, a_bc_value, mid, top, report, pair]
GRAPH_ASSETS.append(subsettable_pair)
BIG = Definitions(assets=GRAPH_ASSETS, asset_checks=[mid_positive])
CHAIN_ABOVE_REPORT = ["a/b", "a_b", "mid", "report", "top"]


def big(selection: AssetSelection) -> list[str]:
    return names(selection, BIG)


def test_keys_that_differ_only_in_separators_stay_apart() -> None:
    assert big(AssetSelection.assets("a/b")) == ["a/b"]
    assert big(AssetSelection.assets("a_b")) == ["a_b"]
    assert big(AssetSelection.assets(["a", "b"])) == ["a/b"]
    assert big(AssetSelection.keys(AssetKey(["a", "bc"]))) == ["a/bc"]
    assert AssetSelection.assets("a/b") == AssetSelection.assets(AssetKey(["a", "b"]), b)
    assert big(AssetSelection.key_prefixes("a")) == ["a/b", "a/bc"]  # not a_b
    assert big(AssetSelection.key_prefixes("a/b")) == ["a/b"]  # a prefix is whole parts
    assert big(AssetSelection.key_prefixes(["a", "bc"], "zzz")) == ["a/bc"]
    assert big(AssetSelection.key_substring("a/b")) == ["a/b", "a/bc"]
    assert big(AssetSelection.key_substring("a_")) == ["a_b"]


@pytest.mark.parametrize(
    ("depth", "include_self", "expected"),
    [
        (0, True, ["report"]),
        (0, False, []),
        (1, True, ["report", "top"]),
        (1, False, ["top"]),
        (2, True, ["mid", "report", "top"]),
        (3, False, ["a/b", "a_b", "mid", "top"]),
        (None, True, CHAIN_ABOVE_REPORT),  # vendor/feed is external: never upstream
        (99, True, CHAIN_ABOVE_REPORT),
    ],
)
def test_upstream_depth_and_include_self(
    depth: int | None, include_self: bool, expected: list[str]
) -> None:
    assert big(AssetSelection.assets(report).upstream(depth, include_self)) == expected


@pytest.mark.parametrize(
    ("depth", "include_self", "expected"),
    [
        (0, True, ["a/b"]),
        (1, True, ["a/b", "mid"]),
        (1, False, ["mid"]),
        (2, False, ["mid", "top"]),
        (None, True, ["a/b", "mid", "report", "top"]),
    ],
)
def test_downstream_depth_and_include_self(
    depth: int | None, include_self: bool, expected: list[str]
) -> None:
    assert big(AssetSelection.assets("a/b").downstream(depth, include_self)) == expected


def test_traversals_from_several_assets_count_from_the_nearest() -> None:
    both = AssetSelection.assets("a/b", "top")
    assert big(both.downstream(1)) == ["a/b", "mid", "report", "top"]
    # include_self=False drops every selected asset, even one downstream of another (Dagster)
    assert big(AssetSelection.assets("a/b", "mid").downstream(1, include_self=False)) == ["top"]
    assert big(AssetSelection.assets().upstream()) == []


def test_external_assets_with_include_sources() -> None:
    assert big(AssetSelection.groups("raw")) == ["a/b", "a/bc", "a_b"]
    assert big(AssetSelection.groups("raw", include_sources=True)) == [
        "a/b",
        "a/bc",
        "a_b",
        "vendor/feed",
    ]
    assert big(AssetSelection.tag("tier", "gold")) == ["a/b"]
    assert big(AssetSelection.tag("tier", "gold", include_sources=True)) == ["a/b", "vendor/feed"]
    assert big(AssetSelection.key_prefixes("vendor")) == []
    assert big(AssetSelection.key_prefixes("vendor", include_sources=True)) == ["vendor/feed"]
    assert big(AssetSelection.kind("s3")) == []
    assert big(AssetSelection.kind("s3", include_sources=True)) == ["vendor/feed"]
    assert "vendor/feed" in big(AssetSelection.all(include_sources=True))
    assert "vendor/feed" not in big(AssetSelection.all())
    # owner: looks at every asset, as Dagster's OwnerAssetSelection does
    assert big(AssetSelection.owner("ops@example.com")) == ["vendor/feed"]
    # upstream keeps materializable assets only, even when the start is external
    assert big(AssetSelection.all(include_sources=True).upstream()) == big(AssetSelection.all())
    # downstream of an external asset includes it (as Dagster); a run drops it
    assert big(AssetSelection.assets(feed).downstream(1)) == ["a/b", "vendor/feed"]
    assert big(AssetSelection.assets("report").upstream_source_assets()) == ["vendor/feed"]
    assert big(AssetSelection.all(include_sources=True).materializable()) == big(
        AssetSelection.all()
    )


def test_tags_labels_kinds_groups_and_owners() -> None:
    assert big(AssetSelection.tag("pii", "")) == ["a_b"]  # a label: a tag with no value
    assert big(AssetSelection.tag("tier", "")) == []  # tier has a value: not a label
    assert big(AssetSelection.tag_string("tier=gold")) == ["a/b"]
    assert big(AssetSelection.tag_string("pii")) == ["a_b"]
    assert big(AssetSelection.kind("python")) == ["a/b"]
    assert "a/b" not in big(AssetSelection.kind(None))
    assert big(AssetSelection.groups("default")) == ["report"]  # no group_name: "default"
    assert big(AssetSelection.groups("raw", "pairs")) == big(
        AssetSelection.groups("raw") | AssetSelection.groups("pairs")
    )
    assert big(AssetSelection.owner("team@example.com")) == ["mid"]
    with pytest.raises(SelectionError, match="at most one '='"):
        AssetSelection.tag_string("a=b=c")


def test_roots_and_sinks_are_taken_within_the_selection() -> None:
    assert big(AssetSelection.all().roots()) == ["a/b", "a/bc", "a_b", "m1", "m2", "s1", "s2"]
    assert big(AssetSelection.all(include_sources=True).roots())[-1] == "vendor/feed"
    assert "a/b" not in big(AssetSelection.all(include_sources=True).roots())
    assert big(AssetSelection.all().sinks()) == ["a/bc", "m1", "m2", "report", "s1", "s2"]
    assert big(AssetSelection.groups("marts").roots()) == ["mid"]
    assert big(AssetSelection.groups("marts").sinks()) == ["top"]
    # an ancestor counts even through an asset outside the selection (Dagster's semantics)
    assert big(AssetSelection.assets("a/b", "top").roots()) == ["a/b"]
    assert big(AssetSelection.assets("a/b", "top").sinks()) == ["top"]
    assert big(AssetSelection.assets("mid").sources()) == ["mid"]


def test_required_multi_asset_neighbors() -> None:
    assert big(AssetSelection.assets("m1").required_multi_asset_neighbors()) == ["m1", "m2"]
    assert big(AssetSelection.assets("s1").required_multi_asset_neighbors()) == ["s1"]
    assert big(AssetSelection.assets("mid").required_multi_asset_neighbors()) == ["mid"]


def test_check_selections() -> None:
    everything = ["mid:mid_positive", "top:in_range"]
    assert check_names(AssetSelection.all(), BIG) == everything
    assert check_names(AssetSelection.all_asset_checks(), BIG) == everything
    assert big(AssetSelection.all_asset_checks()) == []
    marts = AssetSelection.groups("marts")
    assert check_names(marts - AssetSelection.all_asset_checks(), BIG) == []
    assert big(marts.without_checks()) == ["mid", "top"]
    assert check_names(AssetSelection.checks_for_assets(mid), BIG) == ["mid:mid_positive"]
    assert big(AssetSelection.checks_for_assets(mid)) == []
    assert check_names(AssetSelection.checks(mid_positive), BIG) == ["mid:mid_positive"]
    assert check_names(AssetSelection.checks(top), BIG) == ["top:in_range"]
    in_range = AssetCheckKey(AssetKey("top"), "in_range")
    assert check_names(marts - AssetSelection.checks(in_range), BIG) == ["mid:mid_positive"]
    assert check_names(AssetSelection.assets("report") | AssetSelection.checks(in_range), BIG) == [
        "top:in_range"
    ]
    with pytest.raises(SelectionError, match=r"checks \['top:nope'\].*top:in_range"):
        AssetSelection.checks(AssetCheckKey(AssetKey("top"), "nope")).resolve_checks(
            BIG.asset_graph
        )
    with pytest.raises(SelectionError, match="pass AssetCheckKey"):
        AssetSelection.checks("top:in_range")


def test_unknown_keys_are_named_with_close_matches() -> None:
    with pytest.raises(SelectionError) as raised:
        big(AssetSelection.assets("a-b"))
    message = str(raised.value)
    assert "['a-b']" in message and "did you mean" in message and "'a_b'" in message
    with pytest.raises(SelectionError, match=r"checks_for_assets names asset \['nope'\]"):
        big(AssetSelection.checks_for_assets("nope"))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: AssetSelection.assets(42), r"AssetSelection.assets\(42\): pass asset key"),
        (lambda: AssetSelection.groups(3), "group name must be a string"),
        (lambda: AssetSelection.all(include_sources="yes"), "True or False"),
        (lambda: AssetSelection.assets("a").upstream(depth=-1), r"depth=-1"),
        (lambda: AssetSelection.assets("a").downstream(depth=True), r"depth=True"),
        (lambda: AssetSelection.key_prefixes(""), "prefix string"),
        (lambda: AssetSelection.tag("k", None), "value must be a string"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_say_what_to_pass(call: Any, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        call()


def test_operators_only_combine_selections() -> None:
    with pytest.raises(TypeError):
        AssetSelection.all() | "group:raw"  # type: ignore[operator]


def test_from_coercible_and_selection_strings_in_lists() -> None:
    assert AssetSelection.from_coercible(["a/b", "a_b"]) == AssetSelection.assets("a/b", "a_b")
    mixed = AssetSelection.from_coercible(["group:pairs", AssetKey("a_b"), mid])
    assert big(mixed) == ["a_b", "m1", "m2", "mid", "s1", "s2"]
    assert AssetSelection.from_coercible("*") == AssetSelection.all()
    with pytest.raises(SelectionError, match="cannot select 42"):
        AssetSelection.from_coercible(42)
    with pytest.raises(SelectionError, match="an empty list selects nothing"):
        define_asset_job("empty", [])
    with pytest.raises(SelectionError, match="selects nothing to run"):
        resolve_selection(BIG.asset_graph, [])


def test_selection_strings_display_and_read_back() -> None:
    selections = [
        AssetSelection.groups("raw", "marts") & AssetSelection.tag("tier", "gold"),
        AssetSelection.all() - (AssetSelection.groups("raw") | AssetSelection.assets("report")),
        AssetSelection.assets("a/b", "mid").upstream(1, include_self=False),
        AssetSelection.assets("report").upstream(2) | AssetSelection.groups("pairs").downstream(),
        (AssetSelection.groups("raw") - AssetSelection.assets("a_b")).sinks(),
        AssetSelection.kind(None) - AssetSelection.owner("team@example.com"),
        AssetSelection.assets("mid").downstream(0),
    ]
    for selection in selections:
        text = str(selection)
        assert big(AssetSelection.from_string(text)) == big(selection), text
    assert str(AssetSelection.all() - AssetSelection.groups("raw")) == 'not group:"raw"'
    assert str(AssetSelection.key_prefixes("a/b")) == "AssetSelection.key_prefixes('a/b')"


# --- resolving what materialize() and the CLI are given --------------------------------------


def test_resolve_selection_reads_strings_and_keeps_explicit_key_errors() -> None:
    graph = BIG.asset_graph
    keys, checks = resolve_selection(graph, "group:marts and not key:top")
    assert sorted(k.to_user_string() for k in keys) == ["mid"]
    assert sorted(c.to_user_string() for c in checks) == ["mid:mid_positive"]
    keys, _ = resolve_selection(graph, ["+key:mid", "report"])
    assert sorted(k.to_user_string() for k in keys) == ["a/b", "a_b", "mid", "report"]
    with pytest.raises(SelectionError, match="'vendor/feed', an external asset"):
        resolve_selection(graph, "vendor/feed")
    with pytest.raises(SelectionError, match="'kind:s3' selects nothing to run"):
        resolve_selection(graph, "kind:s3")
    with pytest.raises(SelectionError, match="column 14"):
        resolve_selection(graph, ["group:raw and"])


def test_an_in_asset_check_cannot_run_without_its_asset() -> None:
    with pytest.raises(SelectionError, match="check 'top:in_range' but not asset 'top'"):
        resolve_selection(BIG.asset_graph, AssetSelection.checks_for_assets(top))
    keys, checks = resolve_selection(BIG.asset_graph, AssetSelection.checks_for_assets(mid))
    assert keys == set() and {c.name for c in checks} == {"mid_positive"}


def test_materialize_with_selection_strings_and_check_selections() -> None:
    assets = [feed, b, a_b_value, mid, top, report, mid_positive]
    result = materialize(assets, selection="+key:top")
    materialized = sorted(
        m.asset_key.to_user_string() for m in result.get_asset_materialization_events()
    )
    assert materialized == ["a/b", "a_b", "mid", "top"]
    assert len(result.get_asset_check_evaluations()) == 2
    only_check = materialize(assets, selection=AssetSelection.checks_for_assets(mid))
    assert only_check.get_asset_materialization_events() == []
    assert [e.check_name for e in only_check.get_asset_check_evaluations()] == ["mid_positive"]
    no_checks = materialize_to_memory(assets, selection=AssetSelection.all().without_checks())
    assert no_checks.get_asset_check_evaluations() == []
    legacy = materialize_to_memory(assets, selection="+mid")  # older style: one layer up
    assert legacy.output_for_node("mid") == 3


# --- define_asset_job ------------------------------------------------------------------------


def test_define_asset_job_signature_follows_dagster() -> None:
    parameters = inspect.signature(define_asset_job).parameters
    # Dagster's arguments, in Dagster's order; ours come after them, keyword-only.
    extensions = [n for n, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert extensions == ["execution"]
    assert [n for n in parameters if n not in extensions] == [
        "name",
        "selection",
        "config",
        "description",
        "tags",
        "run_tags",
        "metadata",
        "partitions_def",
        "executor_def",
        "hooks",
        "op_retry_policy",
    ]


def test_define_asset_job_stores_description_tags_and_string_selections() -> None:
    job = define_asset_job(
        "nightly",
        "group:marts and not key:top",
        None,
        "Nightly marts",
        tags={"team": "data", "priority": 3, "flags": ["a"], "label": ""},
    )
    assert job.description == "Nightly marts"
    assert job.tags == {"team": "data", "priority": "3", "flags": '["a"]', "label": ""}
    assert big(job.selection) == ["mid"]
    defs = Definitions(assets=GRAPH_ASSETS, asset_checks=[mid_positive], jobs=[job])
    assert defs.jobs == [job]


@pytest.mark.parametrize(
    ("argument", "value", "advice"),
    [
        ("run_tags", {"a": "b"}, "tags="),
        ("metadata", {"owner": "me"}, "description="),
        ("executor_def", object(), "Airflow's executor"),
        ("hooks", {object()}, "Airflow callbacks"),
        ("op_retry_policy", object(), "retry_policy=RetryPolicy"),
    ],
)
def test_define_asset_job_refuses_what_airflow_cannot_honour_yet(
    argument: str, value: Any, advice: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        define_asset_job("nightly", **{argument: value})
    message = str(raised.value)
    assert f"define_asset_job('nightly', {argument}=...) is not built yet" in message
    assert advice in message


def test_define_asset_job_errors_name_the_job() -> None:
    with pytest.raises(SelectionError, match=r"define_asset_job\('j'\): .*column 13"):
        define_asset_job("j", "group:raw or")
    with pytest.raises(DefinitionError, match="picks asset checks on their own"):
        define_asset_job("j", AssetSelection.groups("marts").without_checks())
    with pytest.raises(DefinitionError, match="picks asset checks"):
        define_asset_job("j", AssetSelection.checks_for_assets("mid") | AssetSelection.all())
    with pytest.raises(DefinitionError, match="tag key 1"):
        define_asset_job("j", tags={1: "x"})
    with pytest.raises(DefinitionError, match="neither a string nor JSON"):
        define_asset_job("j", tags={"k": object()})
    with pytest.raises(SelectionError, match=r"job 'j': key:\"nope\" names asset \['nope'\]"):
        Definitions(assets=GRAPH_ASSETS, jobs=[define_asset_job("j", "key:nope or group:raw")])
    with pytest.raises(InvalidNameError):
        define_asset_job("j", ["sales/raw.csv"])


# --- load_assets_from_modules ----------------------------------------------------------------


def _module(name: str, source: str, tmp_path: Path) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    sys.path.insert(0, str(tmp_path))
    try:
        __import__(name)
    finally:
        sys.path.remove(str(tmp_path))
    return sys.modules[name]


@pytest.fixture
def modules_cleanup() -> Iterator[None]:
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


RAW_SOURCE = """
    from asset2airflow import AssetSpec, asset, asset_check, AssetCheckResult, with_resources

    vendor = AssetSpec("vendor", group_name="outside")

    @asset(deps=[vendor])
    def orders() -> list[int]:
        return [1, 2]

    @asset
    def doubled(orders: list[int]) -> list[int]:
        return [2 * o for o in orders]

    @asset_check(asset=orders)
    def not_empty(orders: list[int]) -> AssetCheckResult:
        return AssetCheckResult(passed=bool(orders))

    both = [orders, doubled]
    alias = orders
"""


def test_load_assets_from_modules_finds_each_asset_once(
    tmp_path: Path, modules_cleanup: None
) -> None:
    module = _module("loader_raw_once", RAW_SOURCE, tmp_path)
    loaded = load_assets_from_modules([module])
    keys = sorted(k.to_user_string() for a in loaded for k in a.keys)  # type: ignore[union-attr]
    assert keys == ["doubled", "orders"]  # found by name, in a list and as an alias: once
    with_specs = load_assets_from_modules([module], include_specs=True)
    assert any(isinstance(a, AssetSpec) and a.key == AssetKey("vendor") for a in with_specs)
    assert load_assets_from_modules([module, module]) == loaded


def test_load_assets_with_key_prefix_rewires_internal_deps_only(
    tmp_path: Path, modules_cleanup: None
) -> None:
    module = _module("loader_raw_prefix", RAW_SOURCE, tmp_path)
    loaded = load_assets_from_modules([module], group_name="sales", key_prefix=["shop", "eu"])
    by_key = {k.to_user_string(): a for a in loaded for k in a.keys}  # type: ignore[union-attr]
    assert sorted(by_key) == ["shop/eu/doubled", "shop/eu/orders"]
    doubled = by_key["shop/eu/doubled"]
    assert doubled.upstream_keys() == [AssetKey(["shop", "eu", "orders"])]  # type: ignore[union-attr]
    orders = by_key["shop/eu/orders"]
    assert orders.upstream_keys() == [AssetKey("vendor")]  # type: ignore[union-attr]
    assert orders.node_name == "orders"  # type: ignore[union-attr]
    assert {s.group_name for a in loaded for s in a.specs} == {"sales"}  # type: ignore[union-attr]
    assert module.orders.key == AssetKey("orders")  # the module's objects are unchanged
    result = materialize_to_memory([*loaded, AssetSpec("vendor")], selection="key:shop/eu/*")
    assert result.output_for_node("doubled") == [2, 4]
    # @asset_check definitions are not loaded (nor prefixed), as in Dagster
    with pytest.raises(UnknownCheckTargetError, match="did you mean 'shop/eu/orders'"):
        Definitions(assets=loaded, asset_checks=[module.not_empty])


def test_load_assets_prefix_moves_in_asset_checks_and_group_conflicts(
    tmp_path: Path, modules_cleanup: None
) -> None:
    module = _module(
        "loader_checked",
        """
        from asset2airflow import AssetCheckSpec, AssetCheckResult, MaterializeResult, asset
        from asset2airflow import AutomationCondition

        @asset(check_specs=[AssetCheckSpec("positive", asset="total")], group_name="finance")
        def total() -> MaterializeResult[int]:
            return MaterializeResult(value=1, check_results=[AssetCheckResult(passed=True)])
        """,
        tmp_path,
    )
    [loaded] = load_assets_from_modules([module], key_prefix="acme")
    assert loaded.check_keys == [AssetCheckKey(AssetKey(["acme", "total"]), "positive")]  # type: ignore[union-attr]
    result = materialize([loaded])  # type: ignore[list-item]
    assert result.get_asset_check_evaluations()[0].passed
    with pytest.raises(DefinitionError, match="'total' is already in group 'finance'"):
        load_assets_from_modules([module], group_name="other")
    assert load_assets_from_modules([module], group_name="finance")[0].specs[0].group_name == (  # type: ignore[union-attr]
        "finance"
    )
    daily = AutomationCondition.on_cron("0 6 * * *")
    [automated] = load_assets_from_modules([module], automation_condition=daily)
    assert automated.specs[0].automation_condition == daily  # type: ignore[union-attr]


def test_load_assets_errors(tmp_path: Path, modules_cleanup: None) -> None:
    copied = _module(
        "loader_copied",
        """
        from asset2airflow import asset, with_resources

        @asset
        def x() -> int:
            return 1

        bound = with_resources([x], {})
        """,
        tmp_path,
    )
    with pytest.raises(DuplicateKeyError, match="'x' is defined twice"):
        load_assets_from_modules([copied])  # two objects for one key, as Dagster refuses
    first = _module(
        "loader_first",
        "from asset2airflow import asset\n@asset\ndef x() -> int:\n    return 1\n",
        tmp_path,
    )
    second = _module(
        "loader_second",
        "from asset2airflow import asset\n@asset\ndef x() -> int:\n    return 2\n",
        tmp_path,
    )
    with pytest.raises(DuplicateKeyError, match="'x' is defined twice: in module loader_first"):
        load_assets_from_modules([first, second])
    with pytest.raises(DefinitionError, match="is not a module"):
        load_assets_from_modules(["loader_first"])  # type: ignore[list-item]
    with pytest.raises(InvalidNameError):
        load_assets_from_modules([first], key_prefix="bad prefix")
    with pytest.raises(InvalidNameError):
        load_assets_from_modules([first], group_name="bad-group")


def test_load_assets_from_package_module_walks_sub_packages(
    tmp_path: Path, modules_cleanup: None
) -> None:
    package = tmp_path / "loader_pkg"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "raw.py").write_text(
        "from asset2airflow import asset\n@asset\ndef raw() -> int:\n    return 1\n"
    )
    (package / "inner" / "__init__.py").write_text("")
    (package / "inner" / "mart.py").write_text(
        "from asset2airflow import asset\n@asset\ndef mart(raw: int) -> int:\n    return raw + 1\n"
    )
    (package / "broken.py").write_text("raise RuntimeError('boom')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(DefinitionError, match=r"'loader_pkg.broken'.*RuntimeError: boom"):
            load_assets_from_package_name("loader_pkg")
        (package / "broken.py").unlink()
        import loader_pkg  # type: ignore[import-not-found]

        loaded = load_assets_from_package_module(loader_pkg, key_prefix="p")
    finally:
        sys.path.remove(str(tmp_path))
    assert sorted(k.to_user_string() for a in loaded for k in a.keys) == ["p/mart", "p/raw"]  # type: ignore[union-attr]
    assert materialize_to_memory(loaded).output_for_node("mart") == 2
