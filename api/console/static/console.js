// Operator console: calls the /api/v1 operator API and listens to live events (SSE).
// Every piece of data goes into the page with textContent, never innerHTML.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const texts = JSON.parse(document.getElementById("console-texts").textContent);
const t = (key) => texts[key] || key;
const page = document.body.dataset.page;

function el(tag, props, children) {
  const node = document.createElement(tag);
  Object.entries(props || {}).forEach(([key, value]) => {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  });
  (children || []).forEach((child) => node.appendChild(typeof child === "string" ? document.createTextNode(child) : child));
  return node;
}

function flash(message, isError) {
  const box = document.getElementById("flash");
  box.textContent = message;
  box.classList.toggle("error", Boolean(isError));
  box.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function api(method, url, body) {
  const options = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (response.status === 401) { window.location.href = "/console/login"; throw new Error("not logged in"); }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // A code the catalog translates (e.g. capacity_reached) is shown in the operator's language.
    const message = data.code && texts[data.code] ? texts[data.code] : (data.detail || response.status);
    flash(`${t("Error")}: ${typeof message === "string" ? message : JSON.stringify(message)}`, true);
    throw new Error(data.code || String(response.status));
  }
  return data;
}

const LEVEL_LABELS = { emergency: "Emergency", violence: "Violence", vulnerable: "Vulnerable", other: "Other" };

// Whether someone on duty speaks the case's language (api/cases/on_duty.py): a mark, its meaning in the title.
function languageOnDuty(c) {
  if (c.language_spoken_on_duty === null || c.language_spoken_on_duty === undefined) return document.createTextNode("");
  const spoken = c.language_spoken_on_duty;
  const label = t(spoken ? "An operator on duty speaks this language" : "No operator on duty speaks this language");
  return el("span", { className: `language-on-duty ${spoken ? "spoken" : "unspoken"}`, text: spoken ? " ✓" : " ✗",
                      title: label, ariaLabel: label });
}

// One clock: every time is shown in the operator's zone, shifted by the server's offset for it
// (body data-utc-offset, minutes) so live times agree with the server-rendered ones whatever the
// browser's own time-zone tables say; each sits in a <time datetime>.
const utcOffsetMinutes = Number(document.body.dataset.utcOffset || 0);
const pageLanguage = document.documentElement.lang || "en";

function formatTime(iso, withDate) {
  const options = { ...(withDate ? { dateStyle: "short" } : {}), timeStyle: "short", hourCycle: "h23" };
  const shifted = new Date(Date.parse(iso) + utcOffsetMinutes * 60000);
  return new Intl.DateTimeFormat(pageLanguage, { ...options, timeZone: "UTC" }).format(shifted);
}

function timeElement(iso, withDate) {
  return el("time", { dateTime: iso, text: formatTime(iso, withDate) });
}

// Waiting minutes and service-level breaches move with the clock, between server refreshes too.
function tickQueue() {
  const now = Date.now();
  document.querySelectorAll("#queue-rows tr[data-created]").forEach((row) => {
    const minutes = Math.max(0, Math.floor((now - Date.parse(row.dataset.created)) / 60000));
    row.querySelector(".waited").textContent = `${minutes} ${t("min")}`;
    const breached = row.dataset.status === "queued" && now > Date.parse(row.dataset.deadline);
    row.classList.toggle("sla-breach", breached);
    row.querySelector(".sla-flag").hidden = !breached;
  });
}

function renderQueue(cases) {
  const body = document.getElementById("queue-rows");
  body.replaceChildren();
  document.getElementById("queue-empty").hidden = cases.length > 0;
  document.getElementById("queue-count").textContent = `${cases.length} ${t("cases shown")}`;
  cases.forEach((c) => {
    const action = c.status === "queued"
      ? el("button", { type: "button", text: t("Claim"), className: "small", onclick: () => claimCase(c.id) })
      : el("a", { href: `/console/cases/${c.id}`, text: t("Open"), className: "small" });
    const row = el("tr", { className: `level-row-${c.triage_level}${c.assigned_to_me ? " mine" : ""}${c.sla_breached ? " sla-breach" : ""}`,
                          "data-created": c.created_at, "data-deadline": c.sla_deadline, "data-status": c.status,
                          "data-reference": c.reference }, [
      el("td", {}, [el("a", { href: `/console/cases/${c.id}`, text: c.reference, dir: "ltr" })]),
      el("td", {}, [el("span", { className: `badge level-${c.triage_level}`, text: t(LEVEL_LABELS[c.triage_level] || c.triage_level) })]),
      el("td", {}, [el("span", { text: c.language, lang: c.language }), languageOnDuty(c)]),
      el("td", { text: t(c.topic) }),
      el("td", {}, [el("bdi", { text: c.city || "—" })]),
      el("td", {}, [timeElement(c.created_at, true)]),
      el("td", {}, [el("span", { className: "waited", text: `${Math.round(c.minutes_waiting)} ${t("min")}` }), " ",
                    el("span", { className: "badge sla-flag", text: t("past target"), hidden: !c.sla_breached })]),
      el("td", { text: c.assigned_to_me ? `${t(c.status)} · ${t("You")}` : t(c.status) }),
      el("td", {}, [action]),
    ]);
    body.appendChild(row);
  });
  tickQueue();
}

function queueQuery() {
  const form = document.getElementById("queue-filters");
  const params = new URLSearchParams();
  new FormData(form).forEach((value, key) => {
    const text = String(value).trim();
    if (text && !(key === "status" && text === "open")) params.set(key, text);
  });
  return params.toString();
}

async function loadQueue() {
  const query = queueQuery();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  renderQueue(await api("GET", `/api/v1/cases${query ? `?${query}` : ""}`));
}

function setupQueuePage() {
  const form = document.getElementById("queue-filters");
  new URLSearchParams(window.location.search).forEach((value, key) => {
    if (form.elements[key]) form.elements[key].value = value;
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); loadQueue(); });
  form.addEventListener("change", () => loadQueue());
  form.addEventListener("reset", () => setTimeout(loadQueue, 0));
  document.getElementById("claim-next").addEventListener("click", claimNext);
  loadQueue();
  setInterval(tickQueue, 5000);
  setInterval(loadQueue, 30000);  // waiting times move even when nothing happens
}

// Supervisor board: bar charts (SVG, named and described for screen readers) and tables, kept live.
const SVG_NS = "http://www.w3.org/2000/svg";

function svgNode(tag, attributes, text) {
  const node = document.createElementNS(SVG_NS, tag);
  Object.entries(attributes).forEach(([key, value]) => node.setAttribute(key, String(value)));
  if (text !== undefined) node.textContent = text;
  return node;
}

function barChart(boxId, items, cssPrefix) {
  const box = document.getElementById(boxId);
  const max = Math.max(1, ...items.map(([, value]) => value));
  const height = items.length * 26 + 4;
  const titleId = `${boxId}-title`;
  const description = items.map(([label, value]) => `${label}: ${value}`).join(", ");
  const svg = svgNode("svg", { class: "chart", role: "img", width: 400, height, viewBox: `0 0 400 ${height}`,
                               "aria-labelledby": `${titleId} ${boxId}-desc`, direction: "ltr" });
  svg.appendChild(svgNode("desc", { id: `${boxId}-desc` }, description || "0"));
  items.forEach(([label, value, code], index) => {
    const y = index * 26;
    const width = Math.round((value / max) * 220 * 10) / 10;
    svg.appendChild(svgNode("text", { x: 0, y: y + 17, class: "label" }, label));
    const bar = svgNode("rect", { x: 130, y: y + 4, height: 18, width, class: `bar ${cssPrefix ? `${cssPrefix}-${code}` : ""}` });
    bar.appendChild(svgNode("title", {}, `${label}: ${value}`));
    svg.appendChild(bar);
    svg.appendChild(svgNode("text", { x: 136 + width, y: y + 17, class: "value" }, String(value)));
  });
  box.replaceChildren(svg);
}

function renderBoard(board) {
  const levelItems = (counts) => Object.entries(counts).map(([level, n]) => [t(LEVEL_LABELS[level] || level), n, level]);
  const waiting = Object.values(board.waiting_by_level).reduce((a, b) => a + b, 0);
  document.getElementById("tile-waiting").textContent = String(waiting);
  document.getElementById("tile-breaches").textContent = String(board.breaches.length);
  document.getElementById("tile-median").textContent = board.median_answer_minutes === null ? "—" : String(board.median_answer_minutes);
  document.getElementById("tile-answered").textContent = String(board.answered_last_24h);
  document.querySelector(".breach-tile").classList.toggle("alert", board.breaches.length > 0);
  const updated = document.getElementById("board-updated");
  updated.dateTime = board.generated_at;
  updated.textContent = formatTime(board.generated_at, false);
  barChart("chart-level", levelItems(board.waiting_by_level), "level");
  barChart("chart-language", Object.entries(board.waiting_by_language).map(([code, n]) => [code, n, code]), "");
  barChart("chart-breach", levelItems(board.breaches_by_level), "level");
  document.getElementById("breach-none").hidden = board.breaches.length > 0;
  document.getElementById("breach-rows").replaceChildren(...board.breaches.map((b) => el("tr", { className: "sla-breach", "data-reference": b.reference }, [
    el("td", {}, [el("a", { href: `/console/cases/${Number(b.case_id)}`, text: b.reference, dir: "ltr" })]),
    el("td", {}, [el("span", { className: `badge level-${b.triage_level}`, text: t(LEVEL_LABELS[b.triage_level] || b.triage_level) })]),
    el("td", { text: b.language, lang: b.language }),
    el("td", { text: `${Math.round(b.minutes_waiting)} ${t("min")}` }),
    el("td", { text: `${b.sla_minutes} ${t("min")}` }),
  ])));
  document.getElementById("holder-rows").replaceChildren(...board.holders.map((h) => el("tr", {}, [
    el("td", {}, [el("bdi", { text: h.email })]),
    el("td", { text: t(h.role) }),
    el("td", { text: h.languages.join(", ") || "—" }),
    el("td", { text: h.max_cases === null ? `${h.held} (${t("no limit")})` : `${h.held} / ${h.max_cases}` }),
    el("td", { text: h.references.join(", ") || "—" }),
  ])));
  document.getElementById("board").setAttribute("aria-busy", "false");
}

async function loadBoard() { renderBoard(await api("GET", "/api/v1/board")); }

// Administration (admins): accounts, queues, associations, through /api/v1/admin (CSRF header as every write).
const splitTowns = (text) => text.split(",").map((town) => town.trim()).filter(Boolean);
const checkedLanguages = (form) => [...form.querySelectorAll("input[name=languages]:checked")].map((box) => box.value);
const capacityValue = (form) => (form.elements.max_cases.value.trim() ? Number(form.elements.max_cases.value) : null);

function editOperator(operator) {
  const form = document.getElementById("edit-operator");
  document.getElementById("edit-email").textContent = operator.email;
  form.elements.role.value = operator.role;
  form.elements.max_cases.value = operator.max_cases === null ? "" : String(operator.max_cases);
  form.querySelectorAll("input[name=languages]").forEach((box) => { box.checked = operator.languages.includes(box.value); });
  form.dataset.operatorId = String(operator.id);
  document.getElementById("reset-password").dataset.operatorId = String(operator.id);
  const section = document.getElementById("operator-editor");
  section.hidden = false;
  section.scrollIntoView({ block: "nearest" });
}

async function loadAdmin() {
  const operators = await api("GET", "/api/v1/admin/operators");
  document.getElementById("operator-rows").replaceChildren(...operators.map((o) => el("tr", { "data-email": o.email }, [
    el("td", {}, [el("bdi", { text: o.email })]),
    el("td", { text: t(o.role) }),
    el("td", { text: o.languages.join(", ") || "—" }),
    el("td", { text: o.max_cases === null ? t("no limit") : String(o.max_cases) }),
    el("td", { text: o.active ? t("active") : t("deactivated") }),
    el("td", {}, [
      el("button", { type: "button", className: "small", text: t("Edit"), onclick: () => editOperator(o) }), " ",
      el("button", { type: "button", className: "small", text: o.active ? t("Deactivate") : t("Reactivate"),
                     onclick: async () => { await api("PATCH", `/api/v1/admin/operators/${o.id}`, { active: !o.active }); loadAdmin(); } }),
    ]),
  ])));
  const queues = await api("GET", "/api/v1/admin/queues");
  document.getElementById("queue-admin-rows").replaceChildren(...queues.map((q) => el("tr", {}, [
    el("td", {}, [el("bdi", { text: q.name })]), el("td", { text: q.cities.join(", ") || "—" }),
    el("td", { text: q.is_default ? t("yes") : t("no") }),
  ])));
  const associations = await api("GET", "/api/v1/admin/associations");
  document.getElementById("association-list").replaceChildren(...associations.map((a) => el("li", {}, [el("bdi", { text: a.name })])));
}

function setupAdminPage() {
  const submit = (id, handler) => document.getElementById(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    await handler(event.target);
    loadAdmin();
  });
  submit("new-operator", async (form) => {
    await api("POST", "/api/v1/admin/operators", {
      email: form.elements.email.value.trim(), password: form.elements.password.value, role: form.elements.role.value,
      languages: checkedLanguages(form), max_cases: capacityValue(form) });
    form.reset();
    flash(t("Account created"));
  });
  submit("edit-operator", async (form) => {
    await api("PATCH", `/api/v1/admin/operators/${Number(form.dataset.operatorId)}`, {
      role: form.elements.role.value, languages: checkedLanguages(form), max_cases: capacityValue(form) });
    flash(t("Saved"));
  });
  submit("reset-password", async (form) => {
    await api("POST", `/api/v1/admin/operators/${Number(form.dataset.operatorId)}/password`, { new_password: form.elements.new_password.value });
    form.reset();
    flash(t("Password reset"));
  });
  submit("new-queue", async (form) => {
    await api("POST", "/api/v1/admin/queues", { name: form.elements.name.value.trim(), cities: splitTowns(form.elements.cities.value) });
    form.reset();
  });
  submit("new-association", async (form) => {
    await api("POST", "/api/v1/admin/associations", { name: form.elements.name.value.trim(), cities: splitTowns(form.elements.cities.value) });
    form.reset();
  });
  loadAdmin();
}

async function claimCase(id) {
  const data = await api("POST", `/api/v1/cases/${id}/claim`);
  window.location.href = `/console/cases/${data.id}`;
}

async function claimNext() {
  const data = await api("POST", "/api/v1/cases/claim-next");
  if (data === null) { flash(t("No case is waiting.")); return; }
  window.location.href = `/console/cases/${data.id}`;
}

// An attachment as the case page renders it: a player for voice notes and videos, the image itself, and the link.
function mediaNodes(m) {
  if (!m.media_url) return [];
  const nodes = [];
  if (m.media_kind === "audio") nodes.push(el("audio", { controls: true, preload: "none", src: m.media_url, ariaLabel: t("Voice message") }));
  else if (m.media_kind === "image") nodes.push(el("img", { className: "media", src: m.media_url, alt: t("Image sent by the person"), loading: "lazy" }));
  else if (m.media_kind === "video") nodes.push(el("video", { controls: true, preload: "none", src: m.media_url, ariaLabel: t("Video sent by the person") }));
  nodes.push(el("a", { className: "media", href: m.media_url, rel: "noopener noreferrer", target: "_blank", text: t("attachment") }));
  return nodes;
}

function appendMessage(m) {
  const list = document.getElementById("messages");
  if (list.querySelector(`li[data-id="${Number(m.id)}"]`)) return;
  const item = el("li", { className: `msg ${m.direction === "in" ? "in" : "out"}`, "data-id": String(m.id) }, [
    el("span", { className: "meta" }, [`${m.direction === "in" ? t("Person") : t("Operator")} · `, timeElement(m.created_at, false)]),
    // dir=auto: an Arabic message reads right to left in a French or English console, its reference kept whole.
    el("span", { className: "text", text: m.text, dir: "auto" }),
    ...mediaNodes(m),
  ]);
  list.appendChild(item);
  item.scrollIntoView({ block: "nearest" });
}

function lastMessageId() {
  const ids = [...document.querySelectorAll("#messages li[data-id]")].map((li) => Number(li.dataset.id));
  return ids.length ? Math.max(...ids) : 0;
}

// Approved replies: Ctrl+K anywhere on the case page, or "/" in an empty reply box, opens the list;
// arrows move, Enter previews then sends, Escape closes. The server renders the text sent.
function setupCannedReplies(caseId) {
  const panel = document.getElementById("canned-panel");
  if (!panel) return;
  const filter = document.getElementById("canned-filter");
  const options = [...panel.querySelectorAll("#canned-list li[role=option]")];
  const send = document.getElementById("canned-send");
  const reply = document.getElementById("reply-text");
  let chosen = null;
  const visible = () => options.filter((o) => !o.hidden);
  const select = (option) => {
    options.forEach((o) => o.setAttribute("aria-selected", String(o === option)));
    chosen = option ? option.dataset.key : null;
    panel.querySelectorAll(".canned-preview").forEach((p) => { p.hidden = p.dataset.key !== chosen; });
    send.disabled = !chosen;
    if (option) option.focus();
  };
  const open = () => { panel.hidden = false; filter.value = ""; options.forEach((o) => { o.hidden = false; }); select(null); filter.focus(); };
  const close = () => { panel.hidden = true; select(null); if (reply) reply.focus(); };
  const move = (step) => {
    const list = visible();
    if (!list.length) return;
    const at = list.findIndex((o) => o.dataset.key === chosen);
    select(list[(at + step + list.length) % list.length]);
  };
  document.getElementById("canned-open").addEventListener("click", open);
  document.getElementById("canned-close").addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") { event.preventDefault(); open(); }
  });
  if (reply) reply.addEventListener("keydown", (event) => {
    if (event.key === "/" && reply.value === "") { event.preventDefault(); open(); }
  });
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase();
    options.forEach((o) => { o.hidden = !o.textContent.toLowerCase().includes(words); });
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Enter" && event.target.getAttribute("role") === "option") { event.preventDefault(); send.focus(); }
    else if (event.key === "Enter" && event.target === filter) { event.preventDefault(); move(1); }
  });
  options.forEach((o) => o.addEventListener("click", () => select(o)));
  send.addEventListener("click", async () => {
    if (!chosen) return;
    send.disabled = true;
    try {
      appendMessage(await api("POST", `/api/v1/cases/${caseId}/canned-replies`, { key: chosen }));
      close();
    } finally { send.disabled = !chosen; }
  });
}

function setupCasePage() {
  const root = document.querySelector(".case-layout");
  const caseId = Number(root.dataset.caseId);
  const on = (id, event, handler) => { const node = document.getElementById(id); if (node) node.addEventListener(event, handler); };
  const reload = () => window.location.reload();

  on("claim-this", "click", () => claimCase(caseId));
  // The number is fetched only when asked for: each reveal is audited (holder only).
  on("reveal-number", "click", async (event) => {
    const data = await api("POST", `/api/v1/cases/${caseId}/callback-number`);
    const link = document.getElementById("callback-number");
    link.textContent = data.callback_number;
    link.href = `tel:${data.callback_number}`;
    link.hidden = false;
    event.target.hidden = true;
  });
  on("erase-person", "click", async (event) => {
    if (!window.confirm(event.target.dataset.confirm)) return;
    await api("POST", `/api/v1/cases/${caseId}/erase-person`);
    window.location.href = "/console/queue";
  });
  on("reply-form", "submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("reply-text");
    appendMessage(await api("POST", `/api/v1/cases/${caseId}/reply`, { text: box.value }));
    box.value = "";
  });
  setupCannedReplies(caseId);
  on("waiting-person", "click", async () => { await api("POST", `/api/v1/cases/${caseId}/waiting-person`); reload(); });
  on("note-form", "submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("note-text");
    const note = await api("POST", `/api/v1/cases/${caseId}/notes`, { text: box.value });
    document.getElementById("notes").appendChild(el("li", {}, [el("span", { className: "pre", text: note.text })]));
    box.value = "";
  });
  on("refer-service", "change", (event) => {
    const option = event.target.selectedOptions[0];
    if (!option || !option.value) return;
    document.getElementById("refer-name").value = option.dataset.name || "";
    document.getElementById("refer-kind").value = option.dataset.kind || "";
    document.getElementById("refer-city").value = option.dataset.city || "";
  });
  on("refer-form", "submit", async (event) => {
    event.preventDefault();
    const select = document.getElementById("refer-service");
    const value = (id) => document.getElementById(id).value.trim() || null;
    const referral = await api("POST", `/api/v1/cases/${caseId}/referrals`, {
      service_id: select && select.value ? select.value : null, service_name: value("refer-name"),
      service_kind: value("refer-kind"), city: value("refer-city"),
    });
    document.getElementById("referrals").appendChild(el("li", { text: referral.service_name }));
    event.target.reset();
  });
  const targetSelect = document.getElementById("transfer-target");
  if (targetSelect) {
    const current = targetSelect.options[0].value;
    api("GET", "/api/v1/colleagues").then((people) => people.forEach((p) => {
      document.getElementById("transfer-colleagues").appendChild(
        el("option", { value: `o:${p.id}`, text: `${p.email} (${p.languages.join(", ")})` }));
    }));
    api("GET", "/api/v1/queues").then((queues) => queues.forEach((q) => {
      if (`q:${q.id}` === current) return;
      document.getElementById("transfer-queues").appendChild(
        el("option", { value: `q:${q.id}`, text: `${q.association_name} · ${q.name}` }));
    }));
  }
  on("transfer-form", "submit", async (event) => {
    event.preventDefault();
    const [kind, id] = targetSelect.value.split(":");
    const note = document.getElementById("transfer-note").value.trim() || null;
    await api("POST", `/api/v1/cases/${caseId}/transfer`,
      kind === "o" ? { operator_id: Number(id), note } : { queue_id: Number(id), note });
    window.location.href = "/console/queue";
  });
  on("close-form", "submit", async (event) => {
    event.preventDefault();
    const note = document.getElementById("close-note").value.trim();
    await api("POST", `/api/v1/cases/${caseId}/close`, {
      outcome: document.getElementById("close-outcome").value, note: note || null,
    });
    reload();
  });
  return caseId;
}

function showEmergency(data, label = "New emergency case") {
  const banner = document.getElementById("emergency-banner");
  const link = document.getElementById("emergency-link");
  banner.querySelector("strong").textContent = t(label);
  link.textContent = data.reference;
  link.href = `/console/cases/${Number(data.case_id)}`;
  banner.hidden = false;
  document.title = `⚠ ${t(label)}`;
}

function listen(caseId) {
  if (!window.EventSource) return;
  const source = new EventSource("/api/v1/events");
  // The page says whether it is live in body[data-live] (what the browser test waits for).
  source.addEventListener("open", () => { document.body.dataset.live = "connected"; });
  source.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
  const refreshQueue = () => {
    if (page === "queue") loadQueue();
    if (page === "board") loadBoard();
  };
  source.addEventListener("case_created", (event) => {
    const data = JSON.parse(event.data);
    if (data.emergency || data.triage_level === "emergency") showEmergency(data);
    refreshQueue();
  });
  source.addEventListener("case_updated", refreshQueue);
  source.addEventListener("case_erased", (event) => {
    const data = JSON.parse(event.data);
    refreshQueue();
    if (caseId && Number(data.case_id) === caseId) {
      document.getElementById("case-erased").hidden = false;
      document.querySelectorAll(".case-layout form, .case-layout button").forEach((node) => { node.hidden = true; });
    }
  });
  // An emergency written to an operator: the gateway already sent the person the numbers.
  source.addEventListener("person_emergency", (event) => {
    showEmergency(JSON.parse(event.data), "Emergency message from a person");
  });
  source.addEventListener("person_message", async (event) => {
    const data = JSON.parse(event.data);
    refreshQueue();
    if (caseId && Number(data.case_id) === caseId) {
      const messages = await api("GET", `/api/v1/cases/${caseId}/messages?after=${lastMessageId()}`);
      messages.forEach(appendMessage);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", async () => {
    await api("POST", "/api/v1/auth/logout");
    window.location.href = "/console/login";
  });
  const languagePick = document.getElementById("console-language");
  if (languagePick) languagePick.addEventListener("change", async () => {
    await api("PATCH", "/api/v1/me/preferences", { console_language: languagePick.value });
    window.location.reload();
  });
  const zonePick = document.getElementById("console-time-zone");
  if (zonePick) {
    // The browser's own zone, for an operator working from elsewhere, if the list lacks it.
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && ![...zonePick.options].some((option) => option.value === browserZone)) {
      zonePick.appendChild(el("option", { value: browserZone, text: browserZone }));
    }
    zonePick.addEventListener("change", async () => {
      await api("PATCH", "/api/v1/me/preferences", { time_zone: zonePick.value || null });
      window.location.reload();
    });
  }
  const dismiss = document.getElementById("emergency-dismiss");
  if (dismiss) dismiss.addEventListener("click", () => { document.getElementById("emergency-banner").hidden = true; });
  if (page === "login") return;
  let caseId = null;
  if (page === "queue") {
    setupQueuePage();
  } else if (page === "admin") {
    setupAdminPage();
  } else if (page === "board") {
    loadBoard();
    setInterval(loadBoard, 15000);  // breaches happen with time alone
  } else if (page === "case") {
    caseId = setupCasePage();
  }
  listen(caseId);
});
