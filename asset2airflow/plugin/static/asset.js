/* asset2airflow plugin: one asset's page (definition, checks with history, partitions,
 * materializations with their metadata, failures). Every string goes in as text. */
"use strict";

(() => {
  const { el, api, links, airflowLink, badge, time, mount, fail, section, markdown, metadataTable } = A2A;
  const assetId = document.body.dataset.assetId;

  async function start() {
    let asset;
    try {
      asset = await api(`/assets/${encodeURIComponent(assetId)}`);
    } catch (error) {
      fail(error);
      return;
    }
    document.title = `Asset ${asset.name}`;
    const parts = [header(asset)];
    if (asset.runs_hidden) {
      parts.push(el("div", { class: "notice", role: "note" },
        "You may not read the DAG that produces this asset, so its runs, materializations and check results are hidden."));
    }
    parts.push(about(asset));
    if (asset.partitions) parts.push(partitions(asset));
    parts.push(checks(asset));
    const events = el("div", { id: "materializations" }, el("p", { class: "muted" }, "Loading…"));
    parts.push(section(`Materializations (${asset.materialization_count})`, events));
    if (asset.failures.length) parts.push(failures(asset));
    if (Object.keys(asset.metadata).length) {
      parts.push(section("Definition metadata", metadataTable(asset.metadata)));
    }
    mount(parts);
    loadMaterializations(events, null);
  }

  function header(asset) {
    return el("header", { class: "page-header" },
      el("p", { class: "crumbs" }, el("a", { href: links.lineage() }, "Lineage"), " › ", asset.group),
      el("h1", {}, asset.name),
      el("p", { class: "badges" },
        badge(asset.state),
        asset.check_state ? badge(asset.check_state, checkSummary(asset)) : null,
        asset.partitions ? el("span", { class: "chip" }, `${asset.partitions.type.replace("_", " ")} partitions`) : null,
        asset.kinds.map((k) => el("span", { class: "chip" }, k)),
        " ", el("a", { href: links.lineage({ select: asset.name }) }, "Show in lineage"),
        " · ", airflowLink(links.airflowAsset(asset.id), "Airflow's asset page")));
  }

  /* The header's check badge: "Checks failed on N partitions" when a partition's latest result
   * failed, else the worst latest result ("Checks passed"). */
  function checkSummary(asset) {
    const failing = new Set(asset.checks.flatMap((c) => c.failed_partitions || []));
    if (failing.size) return `Checks failed on ${failing.size} partition${failing.size === 1 ? "" : "s"}`;
    return `Checks ${A2A.STATE_LABELS[asset.check_state].toLowerCase()}`;
  }

  function about(asset) {
    const tasks = (refs) => refs.length
      ? refs.map((t, i) => [i ? ", " : "", airflowLink(links.task(t.dag_id, t.task_id), `${t.dag_id} › ${t.task_id}`)])
      : el("span", { class: "muted" }, "none");
    const assets = (items) => items.length
      ? el("ul", { class: "inline-list" }, items.map((a) => el("li", {}, el("a", { href: links.asset(a.id) }, a.name), " ", a.state ? badge(a.state) : null)))
      : el("span", { class: "muted" }, "none");
    const tags = Object.entries(asset.tags);
    return section("About",
      asset.description ? el("div", { class: "markdown description" }, markdown(asset.description))
        : el("p", { class: "muted" }, asset.generated ? "No description." : "Not an asset2airflow asset: Airflow holds no description for it."),
      el("dl", { class: "facts" },
        el("dt", {}, "Produced by"), el("dd", {}, tasks(asset.producers)),
        el("dt", {}, "Read by"), el("dd", {}, tasks(asset.consumers)),
        asset.scheduled_dags.length ? [el("dt", {}, "Triggers DAGs"), el("dd", {}, asset.scheduled_dags.map((d, i) => [i ? ", " : "", airflowLink(links.dag(d), d)]))] : null,
        el("dt", {}, "Upstream"), el("dd", {}, assets(asset.upstream)),
        el("dt", {}, "Downstream"), el("dd", {}, assets(asset.downstream)),
        el("dt", {}, "Owners"), el("dd", {}, asset.owners.length ? asset.owners.join(", ") : el("span", { class: "muted" }, "none")),
        tags.length ? [el("dt", {}, "Tags"), el("dd", {}, tags.map(([k, v]) => el("span", { class: "chip" }, v ? `${k}=${v}` : k)))] : null,
        asset.code_version ? [el("dt", {}, "Code version"), el("dd", {}, el("code", {}, asset.code_version))] : null,
        el("dt", {}, "URI"), el("dd", {}, el("code", {}, asset.uri)),
        el("dt", {}, "Last materialized"), el("dd", {}, time(asset.last_materialized))));
  }

  function runLink(item) {
    return item.run_id && item.dag_id
      ? airflowLink(item.task_id ? links.taskInstance(item.dag_id, item.run_id, item.task_id) : links.run(item.dag_id, item.run_id), item.run_id)
      : el("span", { class: "muted" }, "—");
  }

  function checks(asset) {
    if (!asset.checks.length) return section("Checks", el("p", { class: "muted" }, "No checks are defined for this asset."));
    const rows = [];
    for (const check of asset.checks) {
      const latest = check.latest;
      const history = el("tr", { class: "history", hidden: true }, el("td", { colspan: "7" }));
      const toggle = el("button", { type: "button", class: "link-button", "aria-expanded": "false" }, "History");
      toggle.addEventListener("click", async () => {
        const open = history.hidden;
        history.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        if (open) {
          const cell = history.firstChild;
          cell.replaceChildren(el("span", { class: "muted" }, "Loading…"));
          try {
            const found = await api(`/assets/${encodeURIComponent(asset.id)}/checks/${encodeURIComponent(check.name)}`);
            cell.replaceChildren(historyTable(found.history));
          } catch (error) {
            cell.replaceChildren(el("span", { class: "error" }, String(error.message)));
          }
        }
      });
      const state = check.state || (asset.runs_hidden ? "hidden" : "not_run");
      rows.push(el("tr", { class: `check-row check-${state}`, dataset: { check: check.name } },
        el("td", {}, el("strong", {}, check.name), check.description ? el("div", { class: "muted" }, check.description) : null),
        el("td", {}, check.blocking ? "blocking" : "non-blocking"),
        el("td", {}, badge(state), A2A.failedOn(check.failed_partitions)),
        el("td", {}, latest ? latest.severity : "—"),
        el("td", {}, latest ? time(latest.timestamp) : "—", latest && latest.partition ? el("div", { class: "muted" }, `partition ${latest.partition}`) : null),
        el("td", {}, latest ? [runLink(latest), Object.keys(latest.metadata).length ? metadataTable(latest.metadata) : null] : "—"),
        el("td", {}, toggle)));
      rows.push(history);
    }
    return section("Checks", el("table", { class: "data checks" },
      el("thead", {}, el("tr", {}, ["Check", "Kind", "Latest", "Severity", "When", "Run", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows)));
  }

  function historyTable(history) {
    if (!history.length) return el("p", { class: "muted" }, "No results yet.");
    return el("table", { class: "data" },
      el("thead", {}, el("tr", {}, ["When", "Result", "Severity", "Partition", "Run", "Metadata"].map((h) => el("th", {}, h)))),
      el("tbody", {}, history.map((r) => el("tr", {},
        el("td", {}, time(r.timestamp)), el("td", {}, badge(r.state)), el("td", {}, r.severity),
        el("td", {}, r.partition || "—"), el("td", {}, runLink(r)),
        el("td", {}, Object.keys(r.metadata).length ? metadataTable(r.metadata) : "—")))));
  }

  async function loadMaterializations(container, before) {
    try {
      const query = `?limit=20${before ? `&before=${before}` : ""}`;
      const page = await api(`/assets/${encodeURIComponent(assetId)}/materializations${query}`);
      if (!before) container.replaceChildren();
      if (!page.materializations.length && !before) {
        container.appendChild(el("p", { class: "muted" }, "Never materialized (or its runs are hidden from you)."));
      }
      for (const event of page.materializations) container.appendChild(materialization(event));
      if (page.next_before) {
        const more = el("button", { type: "button", class: "button" }, "Load older materializations");
        more.addEventListener("click", () => { more.remove(); loadMaterializations(container, page.next_before); });
        container.appendChild(more);
      }
    } catch (error) {
      container.replaceChildren(el("p", { class: "error" }, String(error.message)));
    }
  }

  function materialization(event) {
    const failed = event.checks.filter((c) => !c.passed);
    return el("article", { class: "event" },
      el("header", {},
        time(event.timestamp), " ",
        event.partition ? el("span", { class: "chip" }, `partition ${event.partition}`) : null, " ",
        runLink(event), " ",
        event.checks.length ? badge(failed.length ? (failed.some((c) => c.severity === "ERROR") ? "failed" : "warning") : "passed",
          `${event.checks.length - failed.length}/${event.checks.length} checks passed`) : null,
        event.code_version ? el("span", { class: "chip" }, `code ${event.code_version}`) : null,
        event.data_version ? el("span", { class: "chip" }, `data ${event.data_version}`) : null),
      metadataTable(event.metadata),
      Object.keys(event.extra).length ? el("pre", { class: "json" }, JSON.stringify(event.extra, null, 2)) : null);
  }

  function failures(asset) {
    return section("Recent failures", el("table", { class: "data" },
      el("thead", {}, el("tr", {}, ["When", "Partition", "Run"].map((h) => el("th", {}, h)))),
      el("tbody", {}, asset.failures.map((f) => el("tr", {},
        el("td", {}, time(f.end_date)), el("td", {}, f.partition || "—"), el("td", {}, runLink(f)))))));
  }

  function partitions(asset) {
    const holder = el("div", { class: "partitions" }, el("p", { class: "muted" }, "Loading partitions…"));
    A2AGrid.render(holder, asset);
    return section("Partitions", holder);
  }

  start();
})();
