// Web chat: sends messages through the gateway, shows replies (buttons as buttons, recordings as players),
// polls operator messages.
(function () {
  "use strict";
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const log = document.getElementById("log");
  const input = document.getElementById("text");
  // A message whose answer did not arrive (network lost, timeout, server error) is sent again after
  // these pauses, with the same id: the API answers a retry with the first request's replies, so the
  // assistant sees the message once however often it is sent (api/gateways/receipts.py).
  const RETRY_DELAYS_MS = [1000, 3000, 6000];
  const REQUEST_TIMEOUT_MS = 45000;
  let token = localStorage.getItem("chat-token");
  if (!token) {
    token = randomId();
    localStorage.setItem("chat-token", token);
  }
  let lastUpdate = 0;

  // 32 hex digits from the browser's random generator (crypto.randomUUID is missing outside https).
  function randomId() {
    if (crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Array.from(crypto.getRandomValues(new Uint8Array(16)),
      function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function pause(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function show(kind, message) {
    const item = document.createElement("li");
    item.className = "msg " + kind;
    item.dir = "auto";
    if (kind === "operator") {
      const who = document.createElement("span");
      who.className = "who"; who.textContent = texts.operator; item.appendChild(who);
    }
    const body = document.createElement("span");
    body.className = "text"; body.dir = "auto"; body.textContent = message.text || "";
    item.appendChild(body);
    if (message.image) {
      const img = document.createElement("img"); img.src = message.image; img.alt = ""; item.appendChild(img);
    }
    if (message.audio) {
      // The editors' recording of this answer, for people who read little.
      const player = document.createElement("audio");
      player.controls = true; player.preload = "none"; player.src = message.audio; player.className = "recording";
      item.appendChild(player);
    }
    if (message.buttons && message.buttons.length) {
      const row = document.createElement("div"); row.className = "buttons";
      message.buttons.forEach(function (b) {
        const button = document.createElement("button");
        button.type = "button"; button.dir = "auto"; button.textContent = b.title;
        button.addEventListener("click", function () { send(b.payload, b.title); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  // One attempt: the replies, or null when the answer did not come (worth sending again);
  // a request the API refuses (4xx) throws, since sending it again would change nothing.
  async function attempt(body) {
    let response;
    try {
      response = await fetch("/chat/api/messages", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: body,
        signal: AbortSignal.timeout ? AbortSignal.timeout(REQUEST_TIMEOUT_MS) : undefined,
      });
    } catch (err) {
      return null;
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) return null;
    if (!response.ok) throw new Error(String(response.status));
    return (await response.json()).replies;
  }

  async function send(text, shown) {
    show("me", { text: shown || text });
    const body = JSON.stringify({ token: token, text: text, client_message_id: randomId() });
    try {
      for (let tried = 0; ; tried++) {
        const replies = await attempt(body);
        if (replies) { replies.forEach(function (r) { show("bot", r); }); return; }
        if (tried >= RETRY_DELAYS_MS.length) break;
        await pause(RETRY_DELAYS_MS[tried]);
      }
    } catch (err) { /* refused: shown as an error below */ }
    show("bot error", { text: texts.error });
  }

  async function poll() {
    try {
      // The token is the person's only credential: in a header, never in the URL (access logs, history).
      const response = await fetch("/chat/api/updates?after=" + lastUpdate, { headers: { "X-Chat-Token": token } });
      if (response.ok) {
        (await response.json()).forEach(function (m) { lastUpdate = Math.max(lastUpdate, m.id); show("operator", m); });
      }
    } catch (err) { /* offline: try again on the next tick */ }
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (text) { input.value = ""; send(text); }
  });
  setInterval(poll, 3000);
})();
