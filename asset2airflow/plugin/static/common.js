/* asset2airflow plugin: helpers shared by every page.
 *
 * Safety rule: user strings (names, descriptions, metadata, check results) only ever reach the
 * DOM as text nodes or through el(); nothing here assigns innerHTML. Links accept http(s),
 * mailto and same-origin paths only (no javascript:, data:, ...).
 */
"use strict";

const A2A = (() => {
  const body = document.body;
  const base = body.dataset.base || "";
  const airflow = body.dataset.airflow || "";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "href") {
        const safe = safeUrl(value);
        if (safe !== null) node.setAttribute("href", safe);
      } else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function safeUrl(value) {
    const text = String(value).trim();
    if (text.startsWith("/") && !text.startsWith("//")) return text;
    if (text.startsWith("#") || text.startsWith("?")) return text;
    try {
      const url = new URL(text);
      return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  async function api(path) {
    const response = await fetch(`${base}/api${path}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      let detail = response.statusText;
      try {
        detail = (await response.json()).detail || detail;
      } catch (e) { /* not JSON */ }
      throw new Error(`${response.status} ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
    }
    return response.json();
  }

  const enc = encodeURIComponent;
  const links = {
    asset: (id) => `${base}/assets/${enc(id)}`,
    lineage: (params) => `${base}/lineage${params ? "?" + new URLSearchParams(params) : ""}`,
    dag: (dag) => `${airflow}/dags/${enc(dag)}`,
    task: (dag, task) => `${airflow}/dags/${enc(dag)}/tasks/${enc(task)}`,
    run: (dag, run) => `${airflow}/dags/${enc(dag)}/runs/${enc(run)}`,
    taskInstance: (dag, run, task) =>
      `${airflow}/dags/${enc(dag)}/runs/${enc(run)}/tasks/${enc(task)}`,
    airflowAsset: (id) => `${airflow}/assets/${enc(id)}`,
  };

  /** A link into Airflow's own pages: opens in the top window, not in the plugin's frame. */
  function airflowLink(href, text) {
    return el("a", { href, target: "_top", class: "airflow-link" }, text);
  }

  const STATE_LABELS = {
    materialized: "Materialized",
    failed: "Failed",
    running: "Running",
    missing: "Never materialized",
    external: "External",
    hidden: "Runs hidden",
    passed: "Passed",
    warning: "Warning",
    not_run: "Not run",
  };

  function badge(state, label) {
    const key = state || "none";
    return el("span", { class: `badge state-${key}` }, label || STATE_LABELS[key] || key);
  }

  function time(iso) {
    if (!iso) return el("span", { class: "muted" }, "—");
    const date = new Date(iso);
    return el("time", { datetime: iso, title: date.toISOString() }, relative(date));
  }

  function relative(date) {
    const seconds = Math.round((Date.now() - date.getTime()) / 1000);
    const abs = Math.abs(seconds);
    const units = [[86400, "d"], [3600, "h"], [60, "min"], [1, "s"]];
    for (const [size, unit] of units) {
      if (abs >= size || size === 1) {
        const n = Math.floor(abs / size);
        return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
      }
    }
    return date.toISOString();
  }

  /* --- metadata ----------------------------------------------------------------------- */

  function metadataValue(entry) {
    if (!entry || typeof entry !== "object" || !("type" in entry)) {
      return el("pre", { class: "json" }, JSON.stringify(entry, null, 2));
    }
    const { type, value } = entry;
    switch (type) {
      case "md":
        return el("div", { class: "markdown" }, markdown(String(value ?? "")));
      case "url": {
        const safe = safeUrl(value);
        return safe ? el("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, String(value))
          : el("span", { class: "unsafe-url", title: "not an http(s) link" }, String(value));
      }
      case "path":
        return el("code", {}, String(value));
      case "json":
        return el("pre", { class: "json" }, JSON.stringify(value, null, 2));
      case "table":
        return tableValue(value);
      case "timestamp":
        return el("span", {}, String(value));
      case "bool":
        return el("span", {}, value ? "true" : "false");
      case "null":
        return el("span", { class: "muted" }, "null");
      default:
        return el("span", {}, typeof value === "object" ? JSON.stringify(value) : String(value));
    }
  }

  function tableValue(value) {
    const records = (value && Array.isArray(value.records)) ? value.records : [];
    const schema = value && Array.isArray(value.schema) ? value.schema.map((c) => c.name) : null;
    const columns = schema || [...new Set(records.flatMap((r) => Object.keys(r || {})))];
    const head = el("tr", {}, columns.map((c) => el("th", {}, String(c))));
    const rows = records.slice(0, 200).map((r) =>
      el("tr", {}, columns.map((c) => el("td", {}, cellText(r ? r[c] : null)))));
    return el("table", { class: "data" }, el("thead", {}, head), el("tbody", {}, rows));
  }

  function cellText(value) {
    if (value === null || value === undefined) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  /* "failed on N partitions: a, b" under a check whose latest result per partition did not
   * pass on some partitions (``failed_partitions`` of the API); nothing when there are none. */
  function failedOn(partitions) {
    if (!partitions || !partitions.length) return null;
    const shown = partitions.slice(0, 20).join(", ") + (partitions.length > 20 ? ", …" : "");
    const noun = partitions.length === 1 ? "partition" : "partitions";
    return el("div", { class: "failed-partitions", title: partitions.join(", ") },
      `failed on ${partitions.length} ${noun}: ${shown}`);
  }

  function metadataTable(metadata) {
    const entries = Object.entries(metadata || {});
    if (!entries.length) return el("p", { class: "muted" }, "No metadata.");
    return el("table", { class: "kv" }, el("tbody", {}, entries.map(([key, entry]) =>
      el("tr", {}, el("th", {}, key), el("td", {}, metadataValue(entry))))));
  }

  /* --- a small, safe Markdown renderer (DOM nodes only) -------------------------------- */

  function markdown(source) {
    const fragment = document.createDocumentFragment();
    const lines = String(source).replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (!line.trim()) { i++; continue; }
      const fence = line.match(/^\s*```/);
      if (fence) {
        const code = [];
        i++;
        while (i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i++]);
        i++;
        fragment.appendChild(el("pre", {}, el("code", {}, code.join("\n"))));
        continue;
      }
      const heading = line.match(/^(#{1,6})\s+(.*)$/);
      if (heading) {
        fragment.appendChild(el(`h${Math.min(heading[1].length + 2, 6)}`, {}, inline(heading[2])));
        i++;
        continue;
      }
      if (/^\s*([-*_])\s*\1\s*\1[\s\-*_]*$/.test(line)) {
        fragment.appendChild(el("hr"));
        i++;
        continue;
      }
      if (line.includes("|") && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
        const header = splitRow(line);
        i += 2;
        const rows = [];
        while (i < lines.length && lines[i].includes("|") && lines[i].trim()) rows.push(splitRow(lines[i++]));
        fragment.appendChild(el("table", { class: "data" },
          el("thead", {}, el("tr", {}, header.map((h) => el("th", {}, inline(h))))),
          el("tbody", {}, rows.map((r) => el("tr", {}, header.map((_, c) => el("td", {}, inline(r[c] || ""))))))));
        continue;
      }
      const item = /^\s*(?:[-*+]|(\d+)[.)])\s+/;
      if (item.test(line)) {
        const ordered = Boolean(line.match(item)[1]);
        const list = el(ordered ? "ol" : "ul");
        while (i < lines.length && item.test(lines[i])) {
          list.appendChild(el("li", {}, inline(lines[i].replace(item, ""))));
          i++;
        }
        fragment.appendChild(list);
        continue;
      }
      if (/^\s*>/.test(line)) {
        const quoted = [];
        while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ""));
        fragment.appendChild(el("blockquote", {}, markdown(quoted.join("\n"))));
        continue;
      }
      const paragraph = [];
      while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|\s*>|\s*(?:[-*+]|\d+[.)])\s)/.test(lines[i])) {
        paragraph.push(lines[i++]);
      }
      if (!paragraph.length) paragraph.push(lines[i++]);
      fragment.appendChild(el("p", {}, inline(paragraph.join(" "))));
    }
    return fragment;
  }

  function splitRow(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  }

  // Underscore emphasis only between non-word characters (GFM): `window.__pwned__x` stays text.
  const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*|(?<!\w)__[^_]+__(?!\w))|(\*[^*\s][^*]*\*|(?<!\w)_[^_\s][^_]*_(?!\w))|(\[[^\]]*\]\([^)\s]*\))/;

  function inline(text) {
    const nodes = [];
    let rest = String(text);
    while (rest) {
      const match = rest.match(INLINE);
      if (!match) { nodes.push(rest); break; }
      if (match.index > 0) nodes.push(rest.slice(0, match.index));
      const token = match[0];
      if (match[1]) nodes.push(el("code", {}, token.slice(1, -1)));
      else if (match[2]) nodes.push(el("strong", {}, inline(token.slice(2, -2))));
      else if (match[3]) nodes.push(el("em", {}, inline(token.slice(1, -1))));
      else {
        const [, label, href] = token.match(/^\[([^\]]*)\]\(([^)\s]*)\)$/);
        const safe = safeUrl(href);
        nodes.push(safe ? el("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, label)
          : el("span", { class: "unsafe-url", title: "not an http(s) link" }, label));
      }
      rest = rest.slice(match.index + token.length);
    }
    return nodes;
  }

  /* --- page scaffolding ------------------------------------------------------------------ */

  function mount(...children) {
    const main = document.getElementById("app");
    main.replaceChildren(...children.flat());
    return main;
  }

  function fail(error) {
    mount(el("div", { class: "error", role: "alert" }, `Could not load: ${error.message || error}`));
  }

  function section(title, ...children) {
    return el("section", { class: "card" }, el("h2", {}, title), children);
  }

  return {
    base, airflow, el, append, api, safeUrl, links, airflowLink, badge, time, markdown,
    metadataValue, metadataTable, failedOn, mount, fail, section, STATE_LABELS,
  };
})();
