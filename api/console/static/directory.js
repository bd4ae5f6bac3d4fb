// Services directory page and the case page's "send a place": calls /api/v1/directory.
// Uses console.js's el, api, flash and t (its labels come with the page); data goes in with textContent only.
"use strict";

const dt = (key) => t(key);

function statusBadges(place) {
  const badges = [el("span", { className: `badge ${place.verified ? "verified" : "unverified"}`,
    text: place.verified ? dt("verified") : dt("not verified") })];
  if (place.location_precision === "town") badges.push(el("span", { className: "badge town-only", text: dt("town only: exact place unknown") }));
  if (place.hidden) badges.push(el("span", { className: "badge hidden", text: dt("hidden") }));
  if (place.withdrawn) badges.push(el("span", { className: "badge hidden", text: dt("withdrawn") }));
  return badges;
}

function nameCell(place) {
  const children = [el("a", { href: place.map_url, text: place.name, target: "_blank", rel: "noopener noreferrer" })];
  if (place.name_ar && place.name_ar !== place.name) children.push(el("span", { className: "name-ar", text: place.name_ar, dir: "rtl" }));
  return el("td", {}, children);
}

function directoryQuery(extra) {
  const params = new URLSearchParams(extra || {});
  [["q", "search-q"], ["town", "search-town"], ["kind", "search-kind"]].forEach(([name, id]) => {
    const node = document.getElementById(id);
    if (node && node.value.trim()) params.set(name, node.value.trim());
  });
  const hidden = document.getElementById("search-hidden");
  if (hidden && hidden.checked) params.set("include_hidden", "true");
  return params;
}

function setupDirectoryPage() {
  const root = document.getElementById("directory");
  const canEdit = root.dataset.canEdit === "true";
  const rows = document.getElementById("directory-rows");
  const editor = document.getElementById("place-editor");
  let editing = null;

  async function load() {
    const data = await api("GET", `/api/v1/directory/places?${directoryQuery({ limit: "100" })}`);
    document.getElementById("directory-total").textContent = data.total ? `${data.total} ${dt("places found")}` : dt("No place found.");
    rows.replaceChildren(...data.places.map((place) => {
      const action = canEdit ? el("button", { type: "button", className: "small edit-place", text: dt("Edit"),
        onclick: () => openEditor(place) }) : el("span");
      return el("tr", { "data-place-id": String(place.id) }, [
        nameCell(place),
        el("td", { text: dt(place.kind) }),
        el("td", { text: place.town || "—" }),
        el("td", { text: place.distance_km === null ? "—" : `${place.distance_km} ${dt("km")}` }),
        el("td", { text: place.phone || "—" }),
        el("td", { text: place.opening_hours || "—" }),
        el("td", {}, statusBadges(place)),
        el("td", {}, [action]),
      ]);
    }));
  }

  const field = (id) => document.getElementById(id);
  function openEditor(place) {
    editing = place;
    field("edit-source").textContent = `${place.key} · ${place.source}`;
    field("edit-name").value = place.name || "";
    field("edit-name-ar").value = place.name_ar || "";
    field("edit-kind").value = place.kind;
    field("edit-address").value = place.address || "";
    field("edit-phone").value = place.phone || "";
    field("edit-hours").value = place.opening_hours || "";
    field("edit-emergency").value = place.emergency || "";
    field("edit-migrants").value = place.receives_migrants === null ? "" : String(place.receives_migrants);
    field("edit-verified").checked = place.verified;
    field("edit-hidden").checked = place.hidden;
    editor.hidden = false;
    editor.scrollIntoView({ block: "nearest" });
  }

  document.getElementById("directory-search").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  if (canEdit) {
    field("edit-cancel").addEventListener("click", () => { editor.hidden = true; editing = null; });
    field("place-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!editing) return;
      const migrants = field("edit-migrants").value;
      await api("PATCH", `/api/v1/directory/places/${editing.id}`, {
        name: field("edit-name").value.trim(), name_ar: field("edit-name-ar").value, kind: field("edit-kind").value,
        address: field("edit-address").value, phone: field("edit-phone").value, opening_hours: field("edit-hours").value,
        emergency: field("edit-emergency").value, receives_migrants: migrants === "" ? null : migrants === "true",
        verified: field("edit-verified").checked, hidden: field("edit-hidden").checked,
      });
      editor.hidden = true;
      editing = null;
      flash(dt("Saved"));
      load();
    });
    field("service-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const topics = [...document.querySelectorAll('input[name="service-topic"]:checked')].map((box) => box.value);
      const place = await api("POST", "/api/v1/directory/places", {
        name: field("service-name").value.trim(), name_ar: field("service-name-ar").value.trim() || null,
        kind: field("service-kind").value, town: field("service-town").value,
        address: field("service-address").value.trim() || null, phone: field("service-phone").value.trim() || null,
        opening_hours: field("service-hours").value.trim() || null, topics, verified: field("service-verified").checked,
      });
      event.target.reset();
      flash(`${dt("Added")}: ${place.name}`);
      load();
    });
  }
  load();
}

function setupSendPlace() {
  const box = document.getElementById("send-place");
  const caseId = Number(box.dataset.caseId);
  const list = document.getElementById("send-place-results");
  async function load() {
    const params = new URLSearchParams({ limit: "8" });
    const words = document.getElementById("send-place-q").value.trim();
    if (words) params.set("q", words);
    if (box.dataset.town) params.set("town", box.dataset.town);
    const data = await api("GET", `/api/v1/directory/places?${params}`);
    list.replaceChildren(...data.places.map((place) => el("li", {}, [
      el("span", { text: `${place.name} · ${dt(place.kind)}${place.distance_km === null ? "" : ` · ${place.distance_km} ${dt("km")}`}` }),
      el("button", { type: "button", className: "small", text: dt("Send to the person"), onclick: async () => {
        const message = await api("POST", `/api/v1/cases/${caseId}/send-place`, { place_id: place.id });
        if (typeof appendMessage === "function") appendMessage(message);
        document.getElementById("referrals").appendChild(el("li", { text: place.name }));
        flash(dt("Sent"));
      } }),
    ])));
    if (!data.places.length) list.appendChild(el("li", { className: "hint", text: dt("No place found.") }));
  }
  document.getElementById("send-place-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.getElementById("directory")) setupDirectoryPage();
  if (document.getElementById("send-place")) setupSendPlace();
});
