"""``GET api/lineage``: every asset Airflow knows with its position, state and check state, and
the edges between them. The layout depends only on the graph's shape and is cached by its
fingerprint; states are read on every request."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from asset2airflow.plugin.catalog import Catalog
from asset2airflow.plugin.layout import NODE_HEIGHT, NODE_WIDTH, Layout, layout
from asset2airflow.plugin.runs import Visibility
from asset2airflow.plugin.serialize import iso
from asset2airflow.plugin.status import statuses

_LAYOUTS: OrderedDict[str, Layout] = OrderedDict()
_LAYOUTS_LOCK = threading.Lock()
_KEEP = 4


def graph_layout(catalog: Catalog) -> Layout:
    key = catalog.fingerprint()
    with _LAYOUTS_LOCK:
        found = _LAYOUTS.get(key)
        if found is not None:
            _LAYOUTS.move_to_end(key)
            return found
    assets = catalog.assets
    computed = layout(
        sorted(assets),
        {i: a.group for i, a in assets.items()},
        catalog.edges,
        {i: a.name for i, a in assets.items()},
    )
    with _LAYOUTS_LOCK:
        _LAYOUTS[key] = computed
        while len(_LAYOUTS) > _KEEP:
            _LAYOUTS.popitem(last=False)
    return computed


def lineage(session: Session, catalog: Catalog, visibility: Visibility) -> dict[str, Any]:
    placed = graph_layout(catalog)
    status = statuses(session, catalog, visibility).by_asset
    ids = sorted(catalog.assets, key=lambda i: catalog.assets[i].name)
    index = {asset_id: n for n, asset_id in enumerate(ids)}
    assets = []
    for asset_id in ids:
        node = catalog.assets[asset_id]
        box = placed.nodes[asset_id]
        state = status[asset_id]
        producer = node.producers[0] if node.producers else None
        assets.append(
            {
                "id": asset_id,
                "name": node.name,
                "group": node.group,
                "x": box.x,
                "y": box.y,
                "state": state.state,
                "checks": state.checks,
                "last_materialized": iso(state.last.last_time) if state.last else None,
                "dag_id": producer.dag_id if producer else None,
                "task_id": producer.task_id if producer else None,
                "kinds": list(node.doc.kinds) if node.doc else [],
                "partitioned": bool(node.doc and node.doc.partitions),
            }
        )
    return {
        "assets": assets,
        "edges": [[index[s], index[d]] for s, d in catalog.edges],
        "groups": [
            {"name": name, "x": b.x, "y": b.y, "w": b.w, "h": b.h}
            for name, b in sorted(placed.groups.items())
        ],
        "width": placed.width,
        "height": placed.height,
        "node_width": NODE_WIDTH,
        "node_height": NODE_HEIGHT,
    }
