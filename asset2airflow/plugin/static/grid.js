/* asset2airflow plugin: the partition status grid. One cell per partition, drawn on a canvas
 * that only paints the rows in view of a scrolling box (50,000 partitions scroll smoothly).
 * Click (or Enter on the focused grid) shows a partition: its materializations, checks, runs. */
"use strict";

const A2AGrid = (() => {
  const { el, api, links, airflowLink, badge, time, metadataTable } = A2A;
  const CELL = 14;
  const GAP = 2;
  const STEP = CELL + GAP;
  const GUTTER = 120;
  const COLORS = { m: "#2f9e44", c: "#f08c00", f: "#e03131", r: "#1c7ed6", "-": "#dee2e6" };
  const NAMES = { m: "materialized", c: "check failed", f: "failed", r: "running", "-": "missing" };
  /* The badge of each code: the same colour as its swatch in the legend. */
  const STATES = { m: "materialized", c: "check_failed", f: "failed", r: "running", "-": "missing" };

  async function render(holder, asset) {
    let data;
    try {
      data = await api(`/assets/${encodeURIComponent(asset.id)}/partitions`);
    } catch (error) {
      holder.replaceChildren(el("p", { class: "error" }, String(error.message)));
      return;
    }
    const keys = data.keys;
    const status = data.status;
    let shown = keys.map((_, i) => i);
    let selected = -1;
    const filters = new Set(Object.keys(COLORS));

    const summary = el("div", { class: "grid-legend", role: "group", "aria-label": "Filter partitions by status" },
      Object.keys(COLORS).map((code) => {
        const toggle = el("button", { type: "button", class: "legend-toggle", "aria-pressed": "true", dataset: { status: code } },
          el("i", { class: `swatch grid-${code === "-" ? "missing" : code}` }), `${NAMES[code]} `, el("strong", {}, String(data.counts[code] || 0)));
        toggle.addEventListener("click", () => {
          if (filters.has(code)) filters.delete(code); else filters.add(code);
          toggle.setAttribute("aria-pressed", String(filters.has(code)));
          shown = keys.map((_, i) => i).filter((i) => filters.has(status[i]));
          layout();
        });
        return toggle;
      }));
    const find = el("input", { type: "search", placeholder: "Find a partition key…", "aria-label": "Find a partition", class: "search" });
    const spacer = el("div", { class: "grid-spacer" });
    const box = el("div", { class: "grid-box", tabindex: "0", role: "grid", "aria-label": `${keys.length} partitions; arrow keys move, Enter shows one` }, spacer);
    const canvas = el("canvas", { class: "grid-canvas", "aria-hidden": "true" });
    const tip = el("div", { class: "grid-tip", hidden: true, role: "tooltip" });
    const detail = el("div", { class: "grid-detail", id: "partition-detail" },
      el("p", { class: "muted" }, "Click a partition to see its runs, materializations and checks."));
    holder.replaceChildren(
      el("p", {}, `${keys.length.toLocaleString()} partitions`),
      el("div", { class: "toolbar" }, summary, el("span", { class: "spacer" }), find),
      el("div", { class: "grid-wrap" }, canvas, box, tip), detail);
    holder.dataset.partitions = String(keys.length);
    const ctx = canvas.getContext("2d");
    let columns = 1;

    function layout() {
      columns = Math.max(1, Math.floor((box.clientWidth - GUTTER - 16) / STEP));
      spacer.style.height = `${Math.ceil(shown.length / columns) * STEP + GAP}px`;
      draw();
    }

    function draw() {
      const ratio = window.devicePixelRatio || 1;
      const width = box.clientWidth;
      const height = box.clientHeight;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const first = Math.floor(box.scrollTop / STEP);
      const last = Math.min(Math.ceil(shown.length / columns), first + Math.ceil(height / STEP) + 1);
      const offset = -(box.scrollTop % STEP);
      ctx.font = "11px system-ui, sans-serif";
      for (let row = first; row < last; row++) {
        const y = offset + (row - first) * STEP + GAP;
        const start = row * columns;
        ctx.fillStyle = "#6b7785";
        ctx.fillText(keys[shown[start]], 4, y + CELL - 3, GUTTER - 10);
        for (let col = 0; col < columns; col++) {
          const n = start + col;
          if (n >= shown.length) break;
          const index = shown[n];
          ctx.fillStyle = COLORS[status[index]] || COLORS["-"];
          ctx.fillRect(GUTTER + col * STEP, y, CELL, CELL);
          if (index === selected) {
            ctx.strokeStyle = "#1f2933";
            ctx.lineWidth = 2;
            ctx.strokeRect(GUTTER + col * STEP - 1, y - 1, CELL + 2, CELL + 2);
          }
        }
      }
    }

    function cellAt(clientX, clientY) {
      const rect = box.getBoundingClientRect();
      const x = clientX - rect.left - GUTTER;
      const y = clientY - rect.top + box.scrollTop - GAP;
      if (x < 0 || y < 0) return -1;
      const col = Math.floor(x / STEP);
      const row = Math.floor(y / STEP);
      if (col >= columns || x % STEP > CELL) return -1;
      const n = row * columns + col;
      return n < shown.length ? shown[n] : -1;
    }

    function reveal(index) {
      const n = shown.indexOf(index);
      if (n < 0) return;
      const y = Math.floor(n / columns) * STEP;
      if (y < box.scrollTop || y > box.scrollTop + box.clientHeight - STEP) box.scrollTop = y - box.clientHeight / 2;
    }

    async function choose(index) {
      selected = index;
      draw();
      if (index < 0) return;
      const key = keys[index];
      detail.replaceChildren(el("h3", {}, `Partition ${key}`), badge(STATES[status[index]], NAMES[status[index]]), el("p", { class: "muted" }, "Loading…"));
      try {
        const found = await api(`/assets/${encodeURIComponent(asset.id)}/partitions/detail?key=${encodeURIComponent(key)}`);
        detail.replaceChildren(el("div", {}, partitionDetail(found, status[index])));  // el() drops the absent parts
      } catch (error) {
        detail.replaceChildren(el("p", { class: "error" }, String(error.message)));
      }
    }

    box.addEventListener("scroll", () => requestAnimationFrame(draw), { passive: true });
    box.addEventListener("mousemove", (event) => {
      const index = cellAt(event.clientX, event.clientY);
      if (index < 0) { tip.hidden = true; return; }
      const rect = box.getBoundingClientRect();
      tip.textContent = `${keys[index]} — ${NAMES[status[index]]}`;
      tip.hidden = false;
      tip.style.left = `${event.clientX - rect.left + 14}px`;
      tip.style.top = `${event.clientY - rect.top + 14}px`;
    });
    box.addEventListener("mouseleave", () => { tip.hidden = true; });
    box.addEventListener("click", (event) => choose(cellAt(event.clientX, event.clientY)));
    box.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
      if (event.key in moves) {
        event.preventDefault();
        const n = Math.min(shown.length - 1, Math.max(0, shown.indexOf(selected) + moves[event.key]));
        selected = shown[n];
        reveal(selected);
        draw();
      } else if (event.key === "Enter" && selected >= 0) {
        choose(selected);
      }
    });
    find.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      const term = find.value.trim();
      let index = keys.indexOf(term);
      if (index < 0) index = keys.findIndex((k) => k.includes(term));
      if (index >= 0) {
        if (!filters.has(status[index])) {
          filters.add(status[index]);
          shown = keys.map((_, i) => i).filter((i) => filters.has(status[i]));
          layout();
        }
        reveal(index);
        choose(index);
      }
    });
    new ResizeObserver(layout).observe(box);
    layout();
    performance.mark("a2a-grid-drawn");
  }

  function partitionDetail(found, code) {
    const runLink = (r) => airflowLink(links.taskInstance(r.dag_id, r.run_id, r.task_id), r.run_id);
    return [
      el("h3", {}, `Partition ${found.key}`),
      el("p", {}, badge(STATES[code], NAMES[code])),
      found.runs.length
        ? el("table", { class: "data" }, el("thead", {}, el("tr", {}, ["Run", "State", "Ended"].map((h) => el("th", {}, h)))),
          el("tbody", {}, found.runs.map((r) => el("tr", {}, el("td", {}, runLink(r)), el("td", {}, r.state || "—"), el("td", {}, time(r.end_date))))))
        : el("p", { class: "muted" }, "No runs for this partition."),
      found.checks.length
        ? el("ul", { class: "inline-list" }, found.checks.map((c) => el("li", {}, badge(c.state), " ", c.name)))
        : null,
      found.materializations.length
        ? [el("h4", {}, "Latest materialization"), time(found.materializations[0].timestamp), metadataTable(found.materializations[0].metadata)]
        : el("p", { class: "muted" }, "Never materialized."),
    ];
  }

  return { render };
})();
