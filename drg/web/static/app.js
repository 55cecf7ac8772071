// drg workbench page. Everything a person typed or the server returned is written with
// textContent (never innerHTML), so a claim id "<script>" is shown as text and never runs.
"use strict";

const POA = [["Y", "Y yes"], ["N", "N no"], ["U", "U unknown"], ["W", "W clinically undetermined"],
             ["1", "1 exempt"], ["", "blank"]];
const STATUSES = [[1, "home or self care"], [2, "short-term general hospital"], [3, "skilled nursing facility"],
  [4, "intermediate care facility"], [5, "cancer or children's hospital"], [6, "home health service"],
  [7, "left against medical advice"], [20, "expired (died)"], [21, "court or law enforcement"],
  [30, "still a patient"], [43, "federal hospital"], [50, "hospice, home"], [51, "hospice, medical facility"],
  [61, "swing bed"], [62, "inpatient rehabilitation facility"], [63, "long-term care hospital"],
  [64, "nursing facility (Medicaid)"], [65, "psychiatric hospital"], [66, "critical access hospital"],
  [69, "designated disaster care site"], [70, "another institution"],
  [81, "home, planned readmission"], [82, "short-term hospital, planned readmission"],
  [83, "SNF, planned readmission"], [84, "ICF, planned readmission"],
  [85, "cancer or children's hospital, planned readmission"], [86, "home health, planned readmission"],
  [87, "court or law enforcement, planned readmission"], [88, "federal hospital, planned readmission"],
  [89, "swing bed, planned readmission"], [90, "IRF, planned readmission"], [91, "LTCH, planned readmission"],
  [92, "nursing facility, planned readmission"], [93, "psychiatric hospital, planned readmission"],
  [94, "critical access hospital, planned readmission"], [95, "another institution, planned readmission"]];

const $ = (id) => document.getElementById(id);
let previous = null;      // the last result shown, to highlight what a change did
let timer = null;
let grouped = false;      // after the first "Group case", every change regroups at once

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

function options(select, pairs) {
  for (const [value, text] of pairs) select.append(el("option", {value: String(value), textContent: text}));
}

function num(value, digits) {
  return value === null || value === undefined ? "not known" : Number(value).toFixed(digits);
}

function money(value) {
  if (value === null || value === undefined) return "not known";
  const sign = value < 0 ? "-" : "+";
  return sign + "$" + Math.abs(value).toLocaleString("en-US", {maximumFractionDigits: 0});
}

// ---- the form ---------------------------------------------------------------------------

function codeRow(listId, kind, code, poa) {
  const input = el("input", {class: "code", value: code || "", maxLength: 40,
                             placeholder: kind === "dx" ? "e.g. J96.01 or respiratory failure" : "e.g. 02703DZ or dilation coronary",
                             data: {kind}});
  const parts = [input];
  if (kind === "dx") {
    const select = el("select", {class: "poa", title: "present on admission"});
    options(select, POA);
    select.value = poa === undefined ? "Y" : poa;
    parts.push(select);
  }
  const hint = el("span", {class: "hint"});
  const remove = el("button", {type: "button", class: "quiet remove", textContent: "remove",
                               title: "remove this code and regroup",
                               onclick: () => { row.remove(); changed(); }});
  const row = el("div", {class: "code-row"}, ...parts, remove, hint);
  $(listId).append(row);
  wireCode(input, hint);
  return input;
}

function claimFromForm() {
  const dx = (row) => ({code: row.querySelector("input").value.trim(), poa: row.querySelector("select").value});
  const claim = {
    id: $("claim-id").value,
    age: $("age").value === "" ? null : Number($("age").value),
    sex: $("sex").value,
    discharge_status: Number($("discharge-status").value),
    hospital_status: $("hospital-status").value,
    pdx: {code: $("pdx-code").value.trim(), poa: $("pdx-poa").value},
    sdx: [...$("sdx-list").children].map(dx).filter((d) => d.code),
    procedures: [...$("pr-list").children].map((row) => row.querySelector("input").value.trim()).filter(Boolean),
  };
  if ($("version").value) claim.version = $("version").value;
  if ($("discharge-date").value) claim.discharge_date = $("discharge-date").value;
  if (!claim.version && !claim.discharge_date) claim.version = newestVersion;
  if ($("los").value !== "") claim.length_of_stay = Number($("los").value);
  if ($("billed-drg").value.trim()) claim.billed_drg = $("billed-drg").value.trim();
  return claim;
}

let newestVersion = "";

async function post(path, body) {
  const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || ("the server answered " + response.status));
  return data;
}

async function group() {
  $("status").textContent = "grouping…";
  try {
    const data = await post("/api/case", claimFromForm());
    show(data);
    $("status").textContent = "";
    $("error").hidden = true;
  } catch (err) {
    $("result").hidden = false;
    $("error").hidden = false;
    $("error").textContent = err.message;
    $("status").textContent = "";
  }
}

function changed() {
  if (!grouped) return;
  clearTimeout(timer);
  timer = setTimeout(group, 250);
}

// ---- code search as one types -------------------------------------------------------------

let searchTimer = null;
let searchFor = null;

function wireCode(input, hint) {
  input.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => search(input, hint), 150);
  });
  input.addEventListener("keydown", (event) => {
    const box = $("suggest");
    if (box.hidden) return;
    const items = [...box.querySelectorAll("button")];
    const at = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && items.length) { items[Math.min(at + 1, items.length - 1)].focus(); event.preventDefault(); }
    if (event.key === "Escape") box.hidden = true;
  });
  // leaving the field closes its suggestions (unless the focus went to one of them), so that the
  // list never covers the next field or button one goes to
  input.addEventListener("blur", () => setTimeout(() => {
    const box = $("suggest");
    if (searchFor === input && !box.contains(document.activeElement)) box.hidden = true;
  }, 150));
  input.addEventListener("change", () => {
    // a code typed in lower case is shown as coders write it; words typed to search stay as they are
    if (/^[a-z0-9.]{3,9}$/i.test(input.value.trim())) input.value = input.value.trim().toUpperCase();
    changed();
  });
}

async function search(input, hint) {
  const query = input.value.trim();
  const box = $("suggest");
  if (query.length < 2) { box.hidden = true; return; }
  const params = new URLSearchParams({q: query, type: input.dataset.kind, limit: "12"});
  const version = $("version").value || newestVersion;
  if ($("version").value || !$("discharge-date").value) params.set("version", version);
  else params.set("discharge_date", $("discharge-date").value);
  searchFor = input;
  let data;
  try {
    const response = await fetch("/api/codes?" + params.toString());
    data = await response.json();
    if (!response.ok) return;
  } catch (err) { return; }
  if (searchFor !== input || document.activeElement !== input) return;   // typed on, or gone elsewhere
  box.replaceChildren();
  for (const hit of data.codes) {
    box.append(el("button", {type: "button", class: "hit", onclick: () => pick(input, hint, hit)},
                  el("span", {class: "hit-code", textContent: hit.spelled}), " ",
                  el("span", {class: "hit-title", textContent: hit.title})));
  }
  if (!data.codes.length) box.append(el("div", {class: "none", textContent: "no valid code in version " + data.version}));
  const rect = input.getBoundingClientRect();
  box.style.top = (rect.bottom + window.scrollY) + "px";
  box.style.left = (rect.left + window.scrollX) + "px";
  box.hidden = false;
}

function pick(input, hint, hit) {
  input.value = hit.spelled;
  hint.textContent = hit.title;
  hint.classList.remove("invalid");
  $("suggest").hidden = true;
  input.focus();
  changed();
}

// ---- the result -------------------------------------------------------------------------

function show(data) {
  $("result").hidden = false;
  $("print").disabled = false;
  const d = data.drg;
  $("drg-number").textContent = d.drg === null ? "—" : String(d.drg).padStart(3, "0");
  $("drg-title").textContent = d.title;
  $("drg-mdc").textContent = d.mdc === null ? "—" : `${d.mdc} ${d.mdc_title}`;
  $("drg-type").textContent = `${d.med_surg.toLowerCase()}, severity ${d.severity}` +
    (d.return_code !== "OK" ? ` — ungroupable (${d.return_code})` : "");
  $("drg-weight").textContent = `${num(d.relative_weight, 4)} (FY${d.fiscal_year})`;
  $("drg-los").textContent = `${num(d.gmlos, 1)} / ${num(d.amlos, 1)} days`;
  $("drg-version").textContent = data.version;
  $("drg-claim").textContent = data.id;
  showChange(data);
  showCodes(data);
  const list = $("explanation");
  list.replaceChildren(...data.text.split("\n").map((line) => el("li", {textContent: line.replace(/^\S+\s+/, "")},
  )));
  [...list.children].forEach((li, i) => { li.dataset.topic = data.explanation[i] ? data.explanation[i].topic : ""; });
  showBilled(data);
  showEdits(data);
  for (const row of data.codes) {
    const input = row.role === "pdx" ? $("pdx-code") : rowInput(row.role, row.index);
    if (!input) continue;
    const hint = input.parentElement.querySelector(".hint");
    hint.textContent = row.valid ? row.title :
      (row.code ? "not a valid code in version " + data.version + (row.title ? " — " + row.title : "") : "");
    hint.classList.toggle("invalid", !row.valid && Boolean(row.code));
  }
  previous = data;
  compare();
}

function rowInput(role, index) {
  const list = role === "sdx" ? $("sdx-list") : $("pr-list");
  const filled = [...list.children].filter((r) => r.querySelector("input").value.trim());
  return filled[index] ? filled[index].querySelector("input") : null;
}

function showChange(data) {
  const box = $("drg-change");
  if (!previous || previous.drg.drg === data.drg.drg && previous.drg.relative_weight === data.drg.relative_weight) {
    box.hidden = true;
    $("drg-card").classList.remove("moved");
    return;
  }
  const before = previous.drg, after = data.drg;
  const delta = (after.relative_weight ?? 0) - (before.relative_weight ?? 0);
  box.textContent = `changed: was DRG ${before.drg} ${before.title} (weight ${num(before.relative_weight, 4)}); ` +
    `now DRG ${after.drg} (weight ${num(after.relative_weight, 4)}, ${delta >= 0 ? "+" : ""}${delta.toFixed(4)})`;
  box.hidden = false;
  $("drg-card").classList.add("moved");
}

function yesNo(value) { return value === null ? "—" : value ? "yes" : "no"; }

function showCodes(data) {
  const body = $("codes").querySelector("tbody");
  body.replaceChildren();
  for (const row of data.codes) {
    const whatIf = el("td", {class: "noprint"});
    if (row.role !== "pdx") {
      whatIf.append(el("button", {type: "button", class: "quiet remove-code", textContent: "remove",
                                  data: {role: row.role, index: String(row.index)},
                                  title: "regroup without this code",
                                  onclick: () => removeCode(row.role, row.index)}));
      if (row.role === "sdx" && row.valid) {
        whatIf.append(el("button", {type: "button", class: "quiet", textContent: "make principal",
                                    title: "swap with the principal diagnosis and regroup",
                                    onclick: () => makePrincipal(row.index)}));
      }
    }
    if (row.without) {
      whatIf.append(el("div", {class: "without",
        textContent: `without it: DRG ${row.without.drg} (weight ${num(row.without.relative_weight, 4)})`}));
    }
    const tr = el("tr", {class: (row.drives ? "drives " : "") + (row.valid ? "" : "invalid"), data: {role: row.role}},
      el("td", {textContent: {pdx: "principal", sdx: "secondary", procedure: "procedure"}[row.role]}),
      el("td", {class: "code-title"}, el("span", {class: "code-cell", textContent: row.spelled || "—"}), " ",
         el("span", {class: "title-cell", textContent: row.title || (row.valid ? "" : "no title")})),
      el("td", {textContent: row.poa}),
      el("td", {textContent: row.valid ? row.level : "not valid"}),
      el("td", {textContent: yesNo(row.counts)}),
      el("td", {textContent: row.drives ? "yes" : "no"}),
      el("td", {class: "why", textContent: row.why}),
      whatIf);
    body.append(tr);
  }
}

function removeCode(role, index) {
  const input = rowInput(role, index);
  if (input) input.parentElement.remove();
  grouped = true;
  group();
}

function makePrincipal(index) {
  const input = rowInput("sdx", index);
  if (!input) return;
  const row = input.parentElement;
  const code = input.value, poa = row.querySelector("select").value;
  input.value = $("pdx-code").value;
  row.querySelector("select").value = $("pdx-poa").value;
  $("pdx-code").value = code;
  $("pdx-poa").value = poa;
  group();
}

function showBilled(data) {
  const v = data.validation;
  $("billed").hidden = !v;
  if (!v) return;
  const summary = $("billed-summary");
  summary.replaceChildren(
    el("div", {class: "finding " + (v.finding || "").toLowerCase(), textContent: `finding: ${v.finding || v.status}`}),
    el("div", {textContent: `billed DRG ${v.billed_drg_text}` + (v.billed ? ` ${v.billed.title} (weight ${num(v.billed.relative_weight, 4)})` : "")}),
    el("div", {textContent: `supported DRG ${v.expected_drg ?? "—"}` +
                            (v.expected_drg === data.drg.drg ? ` ${data.drg.title}` : "") +
                            ` (weight ${num(v.expected_weight, 4)})`}),
    el("div", {textContent: `dollar impact of the billed DRG: ${money(v.dollar_impact)}` + (v.impact_note ? ` — ${v.impact_note}` : "")}),
    // the explanation is the reasons in one paragraph: shown only when they are not listed below
    ...[(v.reasons || []).length ? "" : v.explanation, v.message].filter(Boolean).map((text) => el("p", {textContent: text})));
  const reasons = $("billed-reasons");
  reasons.replaceChildren(...(v.reasons || []).map((r) => el("li", {textContent: r.message})));
  for (const driver of v.drivers || []) {
    // the code as a coder writes it, with its title (the case's code rows carry both)
    const row = data.codes.find((c) => c.code === driver.code && (c.role === "procedure") === (driver.element === "procedure"));
    const code = row ? `${row.spelled}${row.title ? " " + row.title : ""}` : driver.code;
    reasons.append(el("li", {textContent: `${code} drives the DRG: without it DRG ${driver.drg_without} ` +
                                          `(weight ${num(driver.weight_without, 4)})`}));
  }
  for (const rule of v.audit_rules || []) {
    reasons.append(el("li", {class: "rule", textContent: `audit rule: ${rule.description} (${rule.source})`}));
  }
}

function showEdits(data) {
  const box = $("edits");
  const e = data.edits;
  box.replaceChildren();
  if (e.discharge_date_assumed) {
    box.append(el("p", {class: "note", textContent:
      `no discharge date given: the edits use ${e.discharge_date}, the first day of version ${data.version}`}));
  }
  if (!e.hits.length) { box.append(el("p", {textContent: "no edits"})); return; }
  box.append(el("p", {textContent: e.prepayment ? "a prepayment edit: the claim would be returned to the provider" :
                                                "post-payment edits only"}));
  box.append(el("ul", {}, ...e.hits.map((hit) => el("li", {},
    el("strong", {textContent: hit.edit.toLowerCase().replace(/_/g, " ")}),
    ` on the ${hit.where}` + (hit.spelled ? ` ${hit.spelled}` + (hit.title ? ` ${hit.title}` : "") : "") +
    (hit.counted ? "" : " (not counted)") + ": ",
    el("span", {textContent: hit.advice})))));
  if (e.needs_length_of_stay) box.append(el("p", {class: "note", textContent: "give the length of stay to judge the length-of-stay edit"}));
}

async function compare() {
  const other = $("compare-version").value;
  const out = $("compare-result");
  if (!other || !previous) { out.textContent = ""; return; }
  const claim = claimFromForm();
  delete claim.discharge_date;
  delete claim.billed_drg;
  claim.version = other;
  try {
    const data = await post("/api/case", claim);
    const a = previous.drg, b = data.drg;
    const delta = (b.relative_weight ?? 0) - (a.relative_weight ?? 0);
    out.textContent = `under ${data.version}: DRG ${b.drg} ${b.title}, weight ${num(b.relative_weight, 4)}` +
      (b.drg !== a.drg || delta !== 0 ? ` (${delta >= 0 ? "+" : ""}${delta.toFixed(4)})` : " (same)");
    out.className = b.drg !== a.drg ? "moved-text" : "";
  } catch (err) { out.textContent = err.message; }
}

// ---- start ------------------------------------------------------------------------------

async function start() {
  options($("discharge-status"), STATUSES.map(([code, words]) => [code, `${String(code).padStart(2, "0")} ${words}`]));
  options($("pdx-poa"), POA);
  const response = await fetch("/api/versions");
  const data = await response.json();
  const labels = data.versions.map((v) => [v.version, `${v.version} (FY${v.fiscal_year}, from ${v.effective_from})`]);
  newestVersion = data.versions[data.versions.length - 1].version;
  options($("version"), labels);
  options($("compare-version"), labels);
  $("version").value = newestVersion;
  wireCode($("pdx-code"), $("pdx-hint"));
  $("add-sdx").addEventListener("click", () => codeRow("sdx-list", "dx").focus());
  $("add-pr").addEventListener("click", () => codeRow("pr-list", "pr").focus());
  codeRow("sdx-list", "dx");
  codeRow("pr-list", "pr");
  $("case").addEventListener("submit", (event) => { event.preventDefault(); grouped = true; group(); });
  for (const id of ["version", "discharge-date", "los", "age", "sex", "discharge-status", "hospital-status",
                    "pdx-poa", "billed-drg", "claim-id"]) {
    $(id).addEventListener("change", changed);
  }
  $("sdx-list").addEventListener("change", changed);
  $("compare-version").addEventListener("change", compare);
  $("print").addEventListener("click", () => window.print());
  document.addEventListener("click", (event) => {
    if (!$("suggest").contains(event.target)) $("suggest").hidden = true;
  });
}

document.addEventListener("DOMContentLoaded", start);
