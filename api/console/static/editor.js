// Editors' workspace: save one catalog entry (with the version the form was built from) and keep the
// channel previews in step with the draft. Texts come from the page (the console catalog).
"use strict";

(function () {
  const form = document.getElementById("entry-form");
  if (!form) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const textArea = document.getElementById("entry-text");
  const version = form.querySelector("input[name=version]");
  const message = document.getElementById("entry-message");
  const previewBox = document.getElementById("preview");
  const previewReviewed = document.getElementById("preview-reviewed");
  const badge = document.querySelector(".entry-status");

  function say(code, isError) {
    message.textContent = form.getAttribute("data-msg-" + code) || form.getAttribute("data-msg-error");
    message.className = isError ? "error" : "saved";
    message.dataset.code = code;
    message.hidden = false;
  }

  async function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function refreshPreview() {
    const response = await post(form.dataset.previewUrl, { text: textArea.value, reviewed: previewReviewed.checked });
    if (response.status === 401) { window.location.href = "/console/login"; return; }
    if (!response.ok) return;
    const html = await response.text();
    const parsed = new DOMParser().parseFromString(html, "text/html");
    previewBox.replaceChildren(...Array.from(parsed.body.childNodes));
  }

  let timer = null;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  }
  textArea.addEventListener("input", schedulePreview);
  previewReviewed.addEventListener("change", schedulePreview);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reviewed = event.submitter ? event.submitter.value === "reviewed" : false;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await post(form.dataset.saveUrl, { text: textArea.value, version: version.value, reviewed });
      if (response.status === 401) { window.location.href = "/console/login"; return; }
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        // A refused text is a 422 whose error type names why (text_empty, placeholders_differ, text_too_long).
        const code = data.code === "invalid_request" && data.errors && data.errors[0] ? data.errors[0].type : data.code;
        say(code || "error", true);
        return;
      }
      version.value = data.version;
      const status = data.fuzzy ? "draft" : "reviewed";
      badge.className = `badge cov-${status} entry-status`;
      badge.textContent = badge.getAttribute("data-label-" + status);
      say(reviewed ? "reviewed" : "saved", false);
      previewReviewed.checked = !data.fuzzy;
      refreshPreview();
    } catch (error) {
      say("error", true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
})();
