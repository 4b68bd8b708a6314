/* asset2airflow plugin: the lineage page. The server sends positions (layered layout, groups as
 * boxes); this draws them on one canvas, only what is on screen, and redraws on demand:
 * pan (drag), zoom (wheel, buttons), search, select (upstream/downstream highlighted), open
 * (double click, or the side panel's link). Text is drawn with fillText: never parsed as HTML.
 */
"use strict";

(() => {
  const { el, api, links, airflowLink, badge, time, mount, fail } = A2A;
  const COLORS = {
    materialized: "#2f9e44", failed: "#e03131", running: "#1c7ed6", missing: "#adb5bd",
    external: "#845ef7", hidden: "#868e96",
  };
  const CHECK_COLORS = { passed: "#2f9e44", warning: "#f08c00", failed: "#e03131" };
  const CHECK_MARKS = { passed: "✓", warning: "!", failed: "✕" };

  const view = { scale: 1, tx: 0, ty: 0 };
  let data = null;
  let nodes = [];
  let canvas = null;
  let ctx = null;
  let panel = null;
  let selected = -1;
  let related = null; // Set of node indexes in the selection's lineage
  let relatedEdges = null;
  let matches = [];
  let matchCursor = -1;
  let upstream = [];
  let downstream = [];
  let dirty = false;
  let firstDraw = true;
  let lastDrawMs = 0;
  let drawnEdges = [];

  async function start() {
    try {
      data = await api("/lineage");
    } catch (error) {
      fail(error);
      return;
    }
    nodes = data.assets.map((a) => ({ ...a, w: data.node_width, h: data.node_height }));
    upstream = nodes.map(() => []);
    downstream = nodes.map(() => []);
    for (const [s, d] of data.edges) {
      downstream[s].push(d);
      upstream[d].push(s);
    }
    build();
    const params = new URLSearchParams(location.search);
    const wanted = params.get("select");
    fit();
    if (wanted) {
      const index = nodes.findIndex((n) => n.name === wanted);
      if (index >= 0) select(index, true);
    }
    request();
  }

  function build() {
    const search = el("input", {
      type: "search", placeholder: "Search assets…", "aria-label": "Search assets",
      class: "search", id: "asset-search",
    });
    const found = el("span", { class: "muted", id: "search-count" });
    search.addEventListener("input", () => {
      const term = search.value.trim().toLowerCase();
      matches = term ? nodes.map((n, i) => (n.name.toLowerCase().includes(term) ? i : -1)).filter((i) => i >= 0) : [];
      matchCursor = -1;
      found.textContent = term ? `${matches.length} match${matches.length === 1 ? "" : "es"}` : "";
      request();
    });
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && matches.length) {
        matchCursor = (matchCursor + 1) % matches.length;
        select(matches[matchCursor], true);
      }
    });
    const button = (label, title, action) => el("button", { type: "button", title, "aria-label": title, onclick: action }, label);
    const toolbar = el("div", { class: "toolbar" },
      search, found,
      el("span", { class: "spacer" }),
      button("−", "Zoom out", () => zoomAt(0.8)),
      button("+", "Zoom in", () => zoomAt(1.25)),
      button("Fit", "Fit the whole graph", () => { fit(); request(); }),
      legend());
    canvas = el("canvas", { class: "graph", tabindex: "0", "aria-label": `Asset lineage graph of ${nodes.length} assets; use the search box or the list below to reach an asset` });
    panel = el("aside", { class: "panel", id: "selection" }, el("p", { class: "muted" }, "Click an asset to see its lineage; double-click to open it."));
    const list = el("details", { class: "asset-list" }, el("summary", {}, `All ${nodes.length} assets as a list`),
      el("ul", {}, nodes.map((n) => el("li", {}, el("a", { href: links.asset(n.id) }, n.name), " ", badge(n.state)))));
    const stage = el("div", { class: "stage" }, canvas, panel);
    mount(toolbar, stage, list);
    if (!nodes.length) {
      panel.replaceChildren(el("p", {}, "No assets yet: Airflow has not parsed any DAG with assets."));
    }
    ctx = canvas.getContext("2d");
    new ResizeObserver(() => { resize(); request(); }).observe(stage);
    resize();
    attachPointer();
  }

  function legend() {
    return el("span", { class: "legend" }, Object.entries(COLORS).map(([state, color]) =>
      el("span", { class: "legend-item" }, el("i", { class: `swatch state-${state}`, style: undefined }), A2A.STATE_LABELS[state])));
  }

  function resize() {
    const rect = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(rect.width * ratio));
    canvas.height = Math.max(1, Math.round(rect.height * ratio));
  }

  function fit() {
    const rect = canvas.getBoundingClientRect();
    const width = Math.max(data.width, 1);
    const height = Math.max(data.height, 1);
    view.scale = Math.min(1.2, Math.max(0.02, Math.min((rect.width - 40) / width, (rect.height - 40) / height)));
    view.tx = (rect.width - width * view.scale) / 2;
    view.ty = Math.max(20, (rect.height - height * view.scale) / 2);
  }

  function zoomAt(factor, x, y) {
    const rect = canvas.getBoundingClientRect();
    const cx = x ?? rect.width / 2;
    const cy = y ?? rect.height / 2;
    const next = Math.min(3, Math.max(0.01, view.scale * factor));
    view.tx = cx - (cx - view.tx) * (next / view.scale);
    view.ty = cy - (cy - view.ty) * (next / view.scale);
    view.scale = next;
    request();
  }

  function center(index) {
    const rect = canvas.getBoundingClientRect();
    const node = nodes[index];
    if (view.scale < 0.6) view.scale = 0.9;
    view.tx = rect.width / 2 - (node.x + node.w / 2) * view.scale;
    view.ty = rect.height / 2 - (node.y + node.h / 2) * view.scale;
  }

  function request() {
    if (!dirty) {
      dirty = true;
      requestAnimationFrame(draw);
    }
  }

  /* --- drawing ------------------------------------------------------------------------ */

  function draw() {
    dirty = false;
    const started = performance.now();
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.width / ratio;
    const height = canvas.height / ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(ratio * view.scale, 0, 0, ratio * view.scale, ratio * view.tx, ratio * view.ty);
    const left = -view.tx / view.scale;
    const top = -view.ty / view.scale;
    const right = left + width / view.scale;
    const bottom = top + height / view.scale;
    const visible = (x, y, w, h) => x + w >= left && x <= right && y + h >= top && y <= bottom;
    const detailed = view.scale >= 0.45;

    for (const group of data.groups) {
      if (!visible(group.x, group.y, group.w, group.h)) continue;
      ctx.fillStyle = "rgba(231, 238, 247, 0.6)";
      ctx.strokeStyle = "#c5d3e6";
      ctx.lineWidth = 1 / view.scale;
      roundRect(group.x, group.y, group.w, group.h, 10);
      ctx.fill();
      ctx.stroke();
      if (view.scale >= 0.12) {
        ctx.fillStyle = "#3b5b82";
        ctx.font = `600 ${Math.max(14, 13 / Math.max(view.scale, 0.3))}px system-ui, sans-serif`;
        ctx.fillText(group.name, group.x + 14, group.y + 20, group.w - 28);
      }
    }

    ctx.lineWidth = Math.max(1, 1.2 / view.scale);
    drawnEdges = [];
    for (let e = 0; e < data.edges.length; e++) {
      const [s, d] = data.edges[e];
      const a = nodes[s];
      const b = nodes[d];
      const x1 = a.x + a.w;
      const y1 = a.y + a.h / 2;
      const x2 = b.x;
      const y2 = b.y + b.h / 2;
      if (!visible(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1))) continue;
      drawnEdges.push(e);
      const highlighted = relatedEdges && relatedEdges.has(e);
      ctx.strokeStyle = highlighted ? "#1c7ed6" : related ? "rgba(150,160,175,0.25)" : "#9aa5b4";
      ctx.lineWidth = (highlighted ? 2.5 : 1.2) / Math.max(view.scale, 0.5);
      const bend = Math.max(40, Math.abs(x2 - x1) / 2);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.bezierCurveTo(x1 + bend, y1, x2 - bend, y2, x2 - 6, y2);
      ctx.stroke();
      if (view.scale >= 0.3) {
        ctx.fillStyle = ctx.strokeStyle;
        ctx.beginPath();
        ctx.moveTo(x2, y2);
        ctx.lineTo(x2 - 8, y2 - 4.5);
        ctx.lineTo(x2 - 8, y2 + 4.5);
        ctx.closePath();
        ctx.fill();
      }
    }

    const matched = new Set(matches);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (!visible(n.x, n.y, n.w, n.h)) continue;
      const dim = related && !related.has(i);
      ctx.globalAlpha = dim ? 0.25 : 1;
      ctx.fillStyle = "#ffffff";
      roundRect(n.x, n.y, n.w, n.h, 6);
      ctx.fill();
      ctx.lineWidth = (i === selected ? 3 : matched.has(i) ? 3 : 1) / Math.max(view.scale, 0.5);
      ctx.strokeStyle = i === selected ? "#1c7ed6" : matched.has(i) ? "#f08c00" : "#ced4da";
      ctx.stroke();
      ctx.fillStyle = COLORS[n.state] || "#adb5bd";
      if (detailed) {
        roundRect(n.x, n.y, 7, n.h, 3);
        ctx.fill();
        ctx.fillStyle = "#1f2933";
        ctx.font = NAME_FONT;
        if (n.label === undefined) n.label = clip(n.name, n.w - (n.checks ? 44 : 24));
        ctx.fillText(n.label, n.x + 15, n.y + 18);
        ctx.fillStyle = "#6b7785";
        ctx.font = SUB_FONT;
        if (n.sub === undefined) n.sub = clip(subtitle(n), n.w - 24);
        ctx.fillText(n.sub, n.x + 15, n.y + 35);
        if (n.checks) {
          ctx.fillStyle = CHECK_COLORS[n.checks] || "#adb5bd";
          ctx.beginPath();
          ctx.arc(n.x + n.w - 16, n.y + 15, 9, 0, Math.PI * 2);
          ctx.fill();
          ctx.fillStyle = "#ffffff";
          ctx.font = "bold 11px system-ui, sans-serif";
          ctx.textAlign = "center";
          ctx.fillText(CHECK_MARKS[n.checks] || "?", n.x + n.w - 16, n.y + 19);
          ctx.textAlign = "left";
        }
      } else {
        ctx.fillRect(n.x, n.y, n.w, n.h);
        if (n.checks === "failed" || n.checks === "warning") {
          ctx.fillStyle = CHECK_COLORS[n.checks];
          ctx.fillRect(n.x + n.w - 40, n.y, 40, n.h);
        }
      }
    }
    ctx.globalAlpha = 1;
    lastDrawMs = performance.now() - started;
    if (firstDraw) {
      firstDraw = false;
      performance.mark("a2a-graph-drawn");
      document.body.dataset.graphDrawn = String(nodes.length);
    }
  }

  const NAME_FONT = "600 13px system-ui, sans-serif";
  const SUB_FONT = "11px system-ui, sans-serif";

  function subtitle(n) {
    const parts = [A2A.STATE_LABELS[n.state] || n.state];
    if (n.last_materialized) parts.push(new Date(n.last_materialized).toISOString().slice(0, 16).replace("T", " "));
    if (n.partitioned) parts.push("partitioned");
    return parts.join(" · ");
  }

  /** ``text`` cut with an ellipsis to ``width`` pixels in the current font. */
  function clip(text, width) {
    if (ctx.measureText(text).width <= width) return text;
    let low = 0;
    let high = text.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) low = mid; else high = mid - 1;
    }
    return `${text.slice(0, low)}…`;
  }

  function roundRect(x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
  }

  /* --- interaction -------------------------------------------------------------------- */

  function nodeAt(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    const x = (clientX - rect.left - view.tx) / view.scale;
    const y = (clientY - rect.top - view.ty) / view.scale;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      if (x >= n.x && x <= n.x + n.w && y >= n.y && y <= n.y + n.h) return i;
    }
    return -1;
  }

  function attachPointer() {
    let drag = null;
    canvas.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, tx: view.tx, ty: view.ty, moved: false };
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (drag) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        view.tx = drag.tx + dx;
        view.ty = drag.ty + dy;
        request();
      } else {
        canvas.style.cursor = nodeAt(event.clientX, event.clientY) >= 0 ? "pointer" : "grab";
      }
    });
    canvas.addEventListener("pointerup", (event) => {
      const clicked = drag && !drag.moved;
      drag = null;
      if (clicked) select(nodeAt(event.clientX, event.clientY), false);
    });
    canvas.addEventListener("dblclick", (event) => {
      const index = nodeAt(event.clientX, event.clientY);
      if (index >= 0) location.href = links.asset(nodes[index].id);
    });
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = canvas.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
  }

  function closure(start, edges) {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      for (const next of edges[queue.pop()]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  }

  function select(index, focus) {
    selected = index;
    if (index < 0) {
      related = null;
      relatedEdges = null;
      panel.replaceChildren(el("p", { class: "muted" }, "Click an asset to see its lineage; double-click to open it."));
      request();
      return;
    }
    const ups = closure(index, upstream);
    const downs = closure(index, downstream);
    related = new Set([...ups, ...downs]);
    relatedEdges = new Set();
    data.edges.forEach(([s, d], e) => {
      if ((ups.has(s) && ups.has(d)) || (downs.has(s) && downs.has(d))) relatedEdges.add(e);
    });
    if (focus) center(index);
    showPanel(nodes[index], ups.size - 1, downs.size - 1);
    request();
  }

  function showPanel(n, ups, downs) {
    panel.replaceChildren(
      el("h2", {}, n.name),
      el("p", {}, badge(n.state), " ", n.checks ? badge(n.checks, `Checks ${A2A.STATE_LABELS[n.checks].toLowerCase()}`) : null),
      el("dl", {},
        el("dt", {}, "Group"), el("dd", {}, n.group),
        el("dt", {}, "Last materialized"), el("dd", {}, time(n.last_materialized)),
        n.dag_id ? [el("dt", {}, "Produced by"), el("dd", {}, airflowLink(links.task(n.dag_id, n.task_id), `${n.dag_id} › ${n.task_id}`))] : null,
        el("dt", {}, "Lineage"), el("dd", {}, `${ups} upstream, ${downs} downstream`),
        n.kinds.length ? [el("dt", {}, "Kinds"), el("dd", {}, n.kinds.join(", "))] : null),
      el("p", {}, el("a", { href: links.asset(n.id), class: "button", id: "open-asset" }, "Open asset page")));
  }

  window.A2ALineage = {
    select: (name) => select(nodes.findIndex((n) => n.name === name), true),
    screenPosition(name) {
      const n = nodes.find((node) => node.name === name);
      const rect = canvas.getBoundingClientRect();
      return n ? { x: rect.left + view.tx + (n.x + n.w / 2) * view.scale, y: rect.top + view.ty + (n.y + n.h / 2) * view.scale } : null;
    },
    get nodes() { return nodes.map((n) => ({ name: n.name, state: n.state, checks: n.checks })); },
    get lastDrawMs() { return lastDrawMs; },
    /* The edges the last draw stroked (in view), as [upstream name, downstream name]. */
    get drawnEdges() { return drawnEdges.map((e) => data.edges[e].map((i) => nodes[i].name)); },
  };

  start();
})();
