/* asset2airflow plugin: the "Assets" tab of a DAG page: the assets its tasks materialize, with
 * state, checks and lineage neighbours. */
"use strict";

(() => {
  const { el, api, links, airflowLink, badge, time, mount, fail } = A2A;
  const dagId = document.body.dataset.dagId;

  async function start() {
    let data;
    try {
      data = await api(`/dags/${encodeURIComponent(dagId)}/assets`);
    } catch (error) {
      fail(error);
      return;
    }
    if (!data.assets.length) {
      mount(el("p", { class: "muted" }, `DAG ${dagId} materializes no assets.`));
      return;
    }
    const names = (items) => items.length
      ? items.map((a, i) => [i ? ", " : "", el("a", { href: links.asset(a.id) }, a.name)])
      : el("span", { class: "muted" }, "—");
    mount(
      el("h1", {}, `Assets of ${dagId}`),
      el("table", { class: "data dag-assets" },
        el("thead", {}, el("tr", {}, ["Asset", "State", "Checks", "Last materialized", "Task", "Upstream", "Downstream"].map((h) => el("th", {}, h)))),
        el("tbody", {}, data.assets.map((a) => el("tr", { dataset: { asset: a.name } },
          el("td", {}, el("a", { href: links.asset(a.id) }, a.name), a.partitioned ? el("span", { class: "chip" }, "partitioned") : null,
            a.description ? el("div", { class: "muted" }, a.description) : null),
          el("td", {}, badge(a.state)),
          el("td", {}, a.checks.length ? a.checks.map((c) => el("div", {}, badge(c.state), " ", c.name, A2A.failedOn(c.failed_partitions))) : el("span", { class: "muted" }, "—")),
          el("td", {}, time(a.last_materialized), a.last_partition ? el("div", { class: "muted" }, `partition ${a.last_partition}`) : null),
          el("td", {}, a.task_ids.map((t) => airflowLink(links.task(dagId, t), t))),
          el("td", {}, names(a.upstream)),
          el("td", {}, names(a.downstream)))))),
      el("p", {}, el("a", { href: links.lineage({ select: data.assets[0].name }) }, "Show in the lineage graph")));
  }

  start();
})();
