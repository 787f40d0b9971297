// The sandbox page: pick a person, chat with the bot as them. Plain JS, no build step.
"use strict";

const state = { who: null, people: [], seen: "", ui: {}, newest: null, stuck: true, channel: "telegram" };
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

// Telegram HTML -> DOM, keeping only what Telegram itself allows; everything else is text.
const ALLOWED = new Set(["B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A", "BLOCKQUOTE", "TG-SPOILER", "SPAN"]);
function render(html, target) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const copy = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        into.appendChild(document.createTextNode(child.textContent));
      } else if (child.nodeType === Node.ELEMENT_NODE && ALLOWED.has(child.tagName)) {
        const tag = child.tagName === "A" ? "a" : child.tagName.startsWith("TG") ? "span" : child.tagName.toLowerCase();
        const element = document.createElement(tag);
        if (tag === "a") {
          const href = child.getAttribute("href") || "";
          if (/^(https?|tg):/i.test(href)) { element.href = href; element.target = "_blank"; element.rel = "noopener"; }
        }
        copy(child, element);
        into.appendChild(element);
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        copy(child, into);
      }
    }
  };
  copy(doc.body, target);
}

function personLabel(p) { return `${p.name} — ${p.role}${p.channel === "zalo" ? ` (${state.ui.zalo || ""})` : ""}`; }

// The page's words come from the bot's catalog (sandbox.ui.*), like everything it says.
function applyTexts(ui) {
  if (JSON.stringify(ui) === JSON.stringify(state.ui)) return;
  state.ui = ui;
  for (const element of document.querySelectorAll("[data-ui]")) {
    if (element.id !== "chat-name" || !state.who) element.textContent = ui[element.dataset.ui] || "";
  }
  for (const element of document.querySelectorAll("[data-ui-placeholder]")) element.placeholder = ui[element.dataset.uiPlaceholder] || "";
  for (const element of document.querySelectorAll("[data-ui-label]")) element.setAttribute("aria-label", ui[element.dataset.uiLabel] || "");
  $("who").setAttribute("aria-label", ui.choose || "");
  drawPeople();
}

async function loadState() {
  const data = await api("/api/state");
  applyTexts(data.ui);
  $("clock").textContent = data.clock;
  const jumps = $("jumps");
  jumps.replaceChildren(...data.jumps.map((j) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = j.label;
    b.title = j.when;
    b.dataset.jump = j.id;
    b.onclick = async () => { await api("/api/clock", { jump: j.id }); await refresh(); };
    return b;
  }));
  const roll = (people) => JSON.stringify(people.map((p) => [p.code, p.channel]));
  if (roll(data.people) !== roll(state.people)) {
    state.people = data.people;
    drawPeople();
  }
}

function drawPeople() {
  const list = $("people");
  list.replaceChildren(...state.people.map((p) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.code = p.code;
    b.setAttribute("aria-current", String(p.code === state.who));
    b.append(p.name);
    if (p.channel === "zalo") {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = state.ui.zalo || "";
      b.append(" ", badge);
    }
    const role = document.createElement("span");
    role.className = "role";
    role.textContent = `${p.role} — ${p.unit}`;
    b.append(role);
    b.onclick = () => choose(p.code);
    li.append(b);
    return li;
  }));
  const select = $("who");
  select.replaceChildren(new Option(state.ui.pick || "", ""), ...state.people.map((p) => new Option(personLabel(p), p.code)));
  select.value = state.who || "";
}

function choose(code) {
  $("messages").dataset.who = "";
  state.who = code;
  state.seen = "";
  state.newest = null;
  state.scrollNext = true;
  const p = state.people.find((x) => x.code === code);
  $("channel").hidden = !p;
  $("chat-name").textContent = p ? p.name : "";
  $("chat-role").textContent = p ? `${p.role} — ${p.unit}` : "";
  drawPeople();
  refresh();
}

// A Zalo message: plain text as sent, its download links clickable (served by this page).
function drawZaloMessage(m) {
  const div = document.createElement("div");
  div.className = `msg ${m.from}`;
  div.dataset.id = m.id;
  if (m.from === "me") { div.textContent = m.text; return div; }
  if (m.photo) {
    const img = document.createElement("img");
    img.src = m.photo;
    img.alt = "";
    img.addEventListener("load", stickToBottom);
    div.append(img);
  }
  let rest = m.text;
  for (const link of m.links) {
    const at = rest.indexOf(link.url);
    if (at < 0) continue;
    div.append(rest.slice(0, at));
    const a = document.createElement("a");
    a.className = "link";
    a.href = link.href;
    a.download = "";
    a.textContent = link.url;
    div.append(a);
    rest = rest.slice(at + link.url.length);
  }
  div.append(rest);
  return div;
}

function drawChannel(channel) {
  state.channel = channel;
  const zalo = channel === "zalo";
  $("phone").classList.toggle("zalo", zalo);
  $("to-telegram").setAttribute("aria-pressed", String(!zalo));
  $("to-zalo").setAttribute("aria-pressed", String(zalo));
  $("text").maxLength = zalo ? 2000 : 4096;
}

function drawInvite(code) {
  $("invite").hidden = !code;
  $("invite-code").textContent = code || "";
}

function drawMessage(m) {
  if (state.channel === "zalo") return drawZaloMessage(m);
  const div = document.createElement("div");
  div.className = `msg ${m.from}`;
  div.dataset.id = m.id;
  if (m.from === "me") { div.textContent = m.text; return div; }
  if (m.file && m.kind === "photo") {
    const img = document.createElement("img");
    img.src = m.file.url;
    img.alt = m.file.name;
    img.addEventListener("load", stickToBottom);  // a picture grows the chat once it has loaded
    div.append(img);
  } else if (m.file) {
    const a = document.createElement("a");
    a.className = "file";
    a.href = m.file.url;
    a.download = m.file.name;
    a.textContent = `📄 ${m.file.name}`;
    div.append(a, document.createElement("br"));
  }
  const body = document.createElement("span");
  if (m.html !== null) render(m.html, body); else body.textContent = m.text;
  div.append(body);
  if (m.edits > 0) {
    const e = document.createElement("span");
    e.className = "edited";
    e.textContent = state.ui.edited || "";
    div.append(e);
  }
  if (m.buttons.length) {
    const grid = document.createElement("div");
    grid.className = "inline";
    for (const buttons of m.buttons) {
      const row = document.createElement("div");
      row.className = "row";
      for (const button of buttons) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = button.text;
        b.onclick = () => press(m.id, button.callback_data);
        row.append(b);
      }
      grid.append(row);
    }
    div.append(grid);
  }
  return div;
}

// Whether the person is reading the newest messages (then what grows the chat keeps them in view).
function stickToBottom() {
  const box = $("messages");
  if (state.stuck) box.scrollTop = box.scrollHeight;
}
$("messages").addEventListener("scroll", () => {
  const box = $("messages");
  state.stuck = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
});

function drawKeyboard(keyboard) {
  const box = $("keyboard");
  if (!keyboard) { box.replaceChildren(); return; }
  box.replaceChildren(...keyboard.rows.map((row) => {
    const r = document.createElement("div");
    r.className = "row";
    for (const key of row) {
      const label = typeof key === "string" ? key : key.text;
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.onclick = () => (key.request_contact ? contact() : send(label));
      r.append(b);
    }
    return r;
  }));
}

async function refresh() {
  await loadState();
  if (!state.who) return;
  const who = state.who;
  const data = await api(`/api/chat/${encodeURIComponent(who)}`);
  if (who !== state.who) return;
  const fingerprint = JSON.stringify([data.channel, data.invite, data.messages.map((m) => [m.id, m.edits]), data.keyboard, data.refused.length]);
  if (fingerprint === state.seen) return;
  state.seen = fingerprint;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const kept = box.scrollTop;
  drawChannel(data.channel);
  // The keyboard first: it changes the height left for the messages.
  // A new chat starts with Telegram's "Bắt đầu" (/start) button; Zalo has no buttons.
  if (data.channel === "zalo") drawKeyboard(null);
  else drawKeyboard(data.messages.length ? data.keyboard : { rows: [["/start"]] });
  drawInvite(data.channel === "zalo" ? data.invite : null);
  box.replaceChildren(...data.messages.map(drawMessage));
  box.scrollTop = kept;
  box.dataset.who = who;
  // A new message (theirs or the bot's) is always brought into view, like a messenger does.
  const newest = data.messages.length ? data.messages[data.messages.length - 1].id : null;
  const arrived = newest !== state.newest;
  state.newest = newest;
  if (atBottom || state.scrollNext || arrived) box.scrollTop = box.scrollHeight;
  state.stuck = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  state.scrollNext = false;
  const refused = $("refused");
  refused.hidden = data.refused.length === 0;
  refused.replaceChildren(...data.refused.map((r) => {
    const line = document.createElement("b");
    const label = data.channel === "zalo" ? state.ui.zalo_refused : state.ui.refused;
    line.textContent = `${label || ""} ${r.method}: ${r.error}`;
    return line;
  }));
}

async function send(text) {
  if (!state.who || !text.trim()) return;
  state.scrollNext = true;
  await api(`/api/chat/${encodeURIComponent(state.who)}/send`, { text });
  setTimeout(refresh, 150);
}
async function press(messageId, data) {
  await api(`/api/chat/${encodeURIComponent(state.who)}/press`, { message_id: messageId, data });
  setTimeout(refresh, 150);
}
async function contact() {
  await api(`/api/chat/${encodeURIComponent(state.who)}/contact`, {});
  setTimeout(refresh, 150);
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  input.value = "";
  send(text);
});
$("who").addEventListener("change", (event) => choose(event.target.value));
for (const button of document.querySelectorAll("#channel button")) {
  button.addEventListener("click", async () => {
    if (!state.who) return;
    await api(`/api/chat/${encodeURIComponent(state.who)}/channel`, { channel: button.dataset.channel });
    const person = state.people.find((p) => p.code === state.who);
    if (person) person.channel = button.dataset.channel;
    drawPeople();
    state.seen = "";
    state.newest = null;
    state.scrollNext = true;
    await refresh();
  });
}
$("type-invite").addEventListener("click", () => {
  const code = $("invite-code").textContent;
  if (code) send(code);
});

refresh();
setInterval(() => refresh().catch(() => {}), 700);
