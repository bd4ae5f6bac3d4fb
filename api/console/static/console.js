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
  (children || []).forEach((child) => node.appendChild(child));
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
    flash(`${t("Error")}: ${data.detail || response.status}`, true);
    throw new Error(data.code || String(response.status));
  }
  return data;
}

const LEVEL_LABELS = { emergency: "Emergency", violence: "Violence", vulnerable: "Vulnerable", other: "Other" };

function renderQueue(cases) {
  const body = document.getElementById("queue-rows");
  body.replaceChildren();
  document.getElementById("queue-empty").hidden = cases.length > 0;
  cases.forEach((c) => {
    const action = c.status === "queued"
      ? el("button", { type: "button", text: t("Claim"), className: "small", onclick: () => claimCase(c.id) })
      : el("a", { href: `/console/cases/${c.id}`, text: t("Open"), className: "small" });
    const row = el("tr", { className: `level-row-${c.triage_level}${c.assigned_to_me ? " mine" : ""}` }, [
      el("td", {}, [el("a", { href: `/console/cases/${c.id}`, text: c.reference })]),
      el("td", {}, [el("span", { className: `badge level-${c.triage_level}`, text: t(LEVEL_LABELS[c.triage_level] || c.triage_level) })]),
      el("td", { text: c.language, lang: c.language }),
      el("td", { text: c.topic }),
      el("td", { text: c.city || "—" }),
      el("td", { text: `${Math.round(c.minutes_waiting)} ${t("min")}` }),
      el("td", { text: c.assigned_to_me ? `${t(c.status)} · ${t("You")}` : t(c.status) }),
      el("td", {}, [action]),
    ]);
    body.appendChild(row);
  });
}

async function loadQueue() { renderQueue(await api("GET", "/api/v1/cases")); }

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
  const time = new Date(m.created_at).toTimeString().slice(0, 5);
  const item = el("li", { className: `msg ${m.direction === "in" ? "in" : "out"}`, "data-id": String(m.id) }, [
    el("span", { className: "meta", text: `${m.direction === "in" ? t("Person") : t("Operator")} · ${time}` }),
    el("span", { className: "text", text: m.text }),
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
  // The page says whether it is live (the topbar dot, and what the browser test waits for).
  source.addEventListener("open", () => { document.body.dataset.live = "connected"; });
  source.addEventListener("error", () => { document.body.dataset.live = "reconnecting"; });
  const refreshQueue = () => { if (page === "queue") loadQueue(); };
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
  const dismiss = document.getElementById("emergency-dismiss");
  if (dismiss) dismiss.addEventListener("click", () => { document.getElementById("emergency-banner").hidden = true; });
  if (page === "login") return;
  let caseId = null;
  if (page === "queue") {
    document.getElementById("claim-next").addEventListener("click", claimNext);
    loadQueue();
    setInterval(loadQueue, 30000);  // waiting times move even when nothing happens
  } else if (page === "case") {
    caseId = setupCasePage();
  }
  listen(caseId);
});
