// Audio answers page: upload or record (MediaRecorder) a clip per message and language, listen, delete.
// Uses console.js's el, flash, t and csrfToken (it runs first); data goes in with textContent only.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("audio");
  if (!root) return;
  const at = JSON.parse(document.getElementById("audio-texts").textContent);
  const rows = document.getElementById("audio-rows");
  const msgid = document.getElementById("audio-msgid");
  const language = document.getElementById("audio-language");
  const preview = document.getElementById("record-preview");
  const start = document.getElementById("record-start");
  const stop = document.getElementById("record-stop");
  const save = document.getElementById("record-upload");
  let recorder = null;
  let recorded = null;

  function clipUrl(code, key) {
    return `/api/v1/audio/clips/${encodeURIComponent(code)}/${encodeURIComponent(key)}`;
  }

  async function load() {
    const clips = await api("GET", "/api/v1/audio/clips");
    rows.replaceChildren();
    if (!clips.length) rows.appendChild(el("tr", {}, [el("td", { colSpan: 5, className: "hint", text: at.none })]));
    clips.forEach((clip) => {
      const player = el("audio", { controls: true, preload: "none", src: new URL(clip.url).pathname });
      const remove = el("button", { type: "button", text: at.delete });
      remove.addEventListener("click", async () => {
        await api("DELETE", clipUrl(clip.language, clip.msgid));
        flash(at.deleted);
        load();
      });
      rows.appendChild(el("tr", { "data-msgid": clip.msgid, "data-language": clip.language }, [
        el("td", { text: clip.msgid }), el("td", { text: clip.language }),
        el("td", { text: `${clip.duration_seconds} ${at.seconds}` }), el("td", {}, [player]), el("td", {}, [remove])]));
    });
  }

  async function upload(blob, name) {
    const form = new FormData();
    form.append("file", blob, name);
    const response = await fetch(clipUrl(language.value, msgid.value), {
      method: "PUT", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken }, body: form });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { flash(`${t("Error")}: ${data.detail || response.status}`, true); return; }
    flash(at.saved);
    load();
  }

  document.getElementById("audio-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("audio-file").files[0];
    if (file) upload(file, file.name);
  });

  start.addEventListener("click", async () => {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) { flash(at.no_microphone, true); return; }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      recorded = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      preview.src = URL.createObjectURL(recorded);
      preview.hidden = false;
      save.disabled = false; start.disabled = false; stop.disabled = true;
    });
    recorder.start();
    start.disabled = true; stop.disabled = false; save.disabled = true;
    // Stop by itself at the server's limit, so a forgotten recording is not refused after the fact.
    setTimeout(() => { if (recorder && recorder.state === "recording") recorder.stop(); },
      Number(root.dataset.maxSeconds) * 1000);
  });
  stop.addEventListener("click", () => {
    if (recorder && recorder.state === "recording") recorder.stop();
  });
  save.addEventListener("click", () => { if (recorded) upload(recorded, "recording"); });

  load();
});
