// Web chat: sends messages through the gateway, shows replies (buttons as buttons, recordings as players),
// polls operator messages.
(function () {
  "use strict";
  const texts = JSON.parse(document.getElementById("chat-texts").textContent);
  const log = document.getElementById("log");
  const input = document.getElementById("text");
  let token = localStorage.getItem("chat-token");
  if (!token) {
    token = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now()).replace(/-/g, "");
    localStorage.setItem("chat-token", token);
  }
  let lastUpdate = 0;

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

  async function send(text, shown) {
    show("me", { text: shown || text });
    try {
      const response = await fetch("/chat/api/messages", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: token, text: text }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      data.replies.forEach(function (r) { show("bot", r); });
    } catch (err) {
      show("bot error", { text: texts.error });
    }
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
