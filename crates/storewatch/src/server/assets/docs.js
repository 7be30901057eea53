"use strict";
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c]));
const md = (s) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

// The key: typed in, or handed over in the address's fragment (`#key=sw_…`,
// never sent to a server), kept for this tab only.
const fragment = new URLSearchParams(location.hash.slice(1));
const keyInput = document.getElementById("api-key");
keyInput.value = fragment.get("key") || sessionStorage.getItem("storewatch-key") || "";
keyInput.addEventListener("change", () => sessionStorage.setItem("storewatch-key", keyInput.value.trim()));
if (fragment.get("key")) {
  sessionStorage.setItem("storewatch-key", keyInput.value.trim());
  history.replaceState(null, "", location.pathname);
}
function authorized(headers = {}) {
  const key = keyInput.value.trim();
  return key ? {...headers, "Authorization": `Bearer ${key}`} : headers;
}

function resolve(doc, obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o[k], doc);
  }
  return obj;
}

function render(doc) {
  document.getElementById("intro").innerHTML = md(doc.info.description);
  const out = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params = (op.parameters || []).map((p) => resolve(doc, p));
      const rows = params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ", required" : ""}</td><td>${md(p.description || "")}</td></tr>`).join("");
      const responses = Object.entries(op.responses || {}).map(([code, r]) => `<tr><td><code>${esc(code)}</code></td><td>${esc(resolve(doc, r).description)}</td></tr>`).join("");
      out.push(`<section class="op" data-path="${esc(path)}" data-method="${esc(method)}">
        <div><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span><span class="path">${esc(path)}</span> — ${esc(op.summary)}</div>
        ${op["x-roles"] ? `<p class="roles">Key roles: ${op["x-roles"].map(esc).join(", ")}</p>` : ""}
        ${op.description ? `<p>${md(op.description)}</p>` : ""}
        ${rows ? `<table><tr><th>parameter</th><th>where</th><th></th></tr>${rows}</table>` : ""}
        <table><tr><th>status</th><th>response</th></tr>${responses}</table>
      </section>`);
    }
  }
  document.getElementById("ops").innerHTML = out.join("");
}

async function poll(id) {
  const status = document.getElementById("status");
  for (;;) {
    const r = await fetch(`/api/get_report?report_id=${id}`, {headers: authorized()});
    const body = await r.json();
    if (!r.ok) { status.textContent = `Error: ${body.error}`; return; }
    if (body.status === "Running") {
      status.textContent = `Report ${id}: ${body.state}…`;
      await new Promise((done) => setTimeout(done, 300));
      continue;
    }
    if (body.status === "Failed") { status.textContent = `Report ${id} failed: ${body.error}`; return; }
    status.textContent = `Report ${id}: complete, ${body.rows} stores as of ${body.as_of}.`;
    // Fetched with the key (a plain link could not send it), offered as a file.
    const file = await fetch(`/api/get_report?report_id=${id}&format=csv`, {headers: authorized()});
    const link = document.getElementById("download");
    link.href = URL.createObjectURL(await file.blob());
    link.download = `storewatch-report-${id}.csv`;
    link.hidden = false;
    const preview = document.getElementById("preview");
    preview.textContent = body.csv.split("\n").slice(0, 11).join("\n");
    preview.hidden = false;
    return;
  }
}

async function trigger() {
  const button = document.getElementById("trigger");
  const asOf = document.getElementById("as-of").value.trim();
  button.disabled = true;
  try {
    const r = await fetch("/api/trigger_report", {
      method: "POST",
      headers: authorized({"Content-Type": "application/json"}),
      body: JSON.stringify(asOf ? {as_of: asOf} : {}),
    });
    const body = await r.json();
    if (!r.ok) { document.getElementById("status").textContent = `Error: ${body.error}`; return; }
    await poll(body.report_id);
  } finally {
    button.disabled = false;
  }
}
document.getElementById("trigger").addEventListener("click", trigger);
// `#run` in the address triggers a report at once (a bookmark for "the latest report").
if (fragment.has("run")) trigger();

fetch("/api/openapi.json").then((r) => r.json()).then(render).catch((e) => {
  document.getElementById("intro").textContent = `Could not load the API description: ${e}`;
});
