/* asset2airflow plugin: every asset check with its latest result; filters by state, severity,
 * group and text; each row expands into the check's history. */
"use strict";

(() => {
  const { el, api, links, airflowLink, badge, time, mount, fail, metadataTable } = A2A;
  const params = new URLSearchParams(location.search);

  async function start() {
    let data;
    try {
      data = await api("/checks");
    } catch (error) {
      fail(error);
      return;
    }
    const select = (name, label, options) => el("label", {}, `${label} `,
      el("select", { name, id: `filter-${name}` }, el("option", { value: "" }, "all"),
        options.map((o) => el("option", { value: o, selected: params.get(name) === o }, o.replace("_", " ")))));
    const filters = el("form", { class: "toolbar filters", role: "search" },
      select("state", "State", data.states),
      select("severity", "Severity", data.severities),
      select("group", "Group", data.groups),
      el("input", { type: "search", name: "q", placeholder: "Filter by asset or check…", "aria-label": "Filter by asset or check", class: "search", value: params.get("q") || "" }));
    const counts = el("p", { class: "muted", id: "check-count" });
    const body = el("tbody");
    const table = el("table", { class: "data checks" },
      el("thead", {}, el("tr", {}, ["Asset", "Check", "Kind", "Latest", "Severity", "When", "Partition", "Run", ""].map((h) => el("th", {}, h)))),
      body);
    const summary = el("p", { class: "badges" }, ["failed", "warning", "passed", "not_run"].map((s) => {
      const n = data.checks.filter((c) => c.state === s).length;
      return n ? [badge(s, `${n} ${A2A.STATE_LABELS[s].toLowerCase()}`), " "] : null;
    }));
    mount(el("h1", {}, "Asset checks"), summary, filters, counts, data.checks.length ? table
      : el("p", { class: "muted" }, "No asset checks are defined in the DAGs Airflow parsed."));

    const apply = () => {
      const form = new FormData(filters);
      const state = form.get("state");
      const severity = form.get("severity");
      const group = form.get("group");
      const q = String(form.get("q") || "").toLowerCase();
      const rows = data.checks.filter((c) => (!state || c.state === state) && (!severity || c.severity === severity)
        && (!group || c.group === group) && (!q || `${c.asset} ${c.name}`.toLowerCase().includes(q)));
      body.replaceChildren(...rows.flatMap(row));
      counts.textContent = `${rows.length} of ${data.checks.length} checks`;
      const query = new URLSearchParams([...form.entries()].filter(([, v]) => v));
      const search = query.toString();
      window.history.replaceState(null, "", `${location.pathname}${search ? "?" + search : ""}`);
    };
    filters.addEventListener("input", apply);
    filters.addEventListener("submit", (event) => event.preventDefault());
    apply();
  }

  function row(check) {
    const historyRow = el("tr", { class: "history", hidden: true }, el("td", { colspan: "9" }));
    const toggle = el("button", { type: "button", class: "link-button", "aria-expanded": "false" }, "History");
    toggle.addEventListener("click", async () => {
      const open = historyRow.hidden;
      historyRow.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (!open) return;
      const cell = historyRow.firstChild;
      cell.replaceChildren(el("span", { class: "muted" }, "Loading…"));
      try {
        const found = await api(`/assets/${encodeURIComponent(check.asset_id)}/checks/${encodeURIComponent(check.name)}`);
        cell.replaceChildren(found.history.length ? el("table", { class: "data" },
          el("thead", {}, el("tr", {}, ["When", "Result", "Severity", "Partition", "Run", "Metadata"].map((h) => el("th", {}, h)))),
          el("tbody", {}, found.history.map((r) => el("tr", {},
            el("td", {}, time(r.timestamp)), el("td", {}, badge(r.state)), el("td", {}, r.severity),
            el("td", {}, r.partition || "—"),
            el("td", {}, airflowLink(links.taskInstance(r.dag_id, r.run_id, r.task_id), r.run_id)),
            el("td", {}, Object.keys(r.metadata).length ? metadataTable(r.metadata) : "—")))))
          : el("p", { class: "muted" }, "No results yet."));
      } catch (error) {
        cell.replaceChildren(el("span", { class: "error" }, String(error.message)));
      }
    });
    return [
      el("tr", { class: `check-row check-${check.state}`, dataset: { asset: check.asset, check: check.name } },
        el("td", {}, el("a", { href: links.asset(check.asset_id) }, check.asset), el("div", { class: "muted" }, check.group)),
        el("td", {}, el("strong", {}, check.name), check.description ? el("div", { class: "muted" }, check.description) : null),
        el("td", {}, check.blocking ? "blocking" : "non-blocking"),
        el("td", {}, badge(check.state), A2A.failedOn(check.failed_partitions)),
        el("td", {}, check.severity || "—"),
        el("td", {}, time(check.timestamp)),
        el("td", {}, check.partition || "—"),
        el("td", {}, check.run_id ? airflowLink(links.taskInstance(check.dag_id, check.run_id, check.task_id), check.run_id) : "—"),
        el("td", {}, toggle)),
      historyRow,
    ];
  }

  start();
})();
