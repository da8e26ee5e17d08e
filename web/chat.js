/* Evergreen Pharmacy web chat: talks to Rasa's socket.io channel (session_persistence on). */
(function () {
  "use strict";

  // The chat's id and its server-issued secret, kept together (JSON).
  var STORAGE_KEY = "pharmacy-chat";
  var MAX_CHARS = 2000;
  var TYPING_TIMEOUT_MS = 15000;
  var FEEDBACK_CLEAR_MS = 6000;
  // After this many failed reconnect attempts we call it "Offline" rather than "Reconnecting".
  var OFFLINE_AFTER_ATTEMPTS = 3;
  // Rasa confirms once the socket joined the session room; without that, replies would be lost.
  var CONFIRM_FALLBACK_MS = 5000;
  var DEFAULT_CONFIG = { rasaUrl: "http://localhost:5005", socketPath: "/socket.io/" };

  /**
   * Hook: extra fields sent as `customData` with every user message (the chat's secret is added
   * by the page). Keep it small and JSON-serialisable.
   */
  function getMetadata() {
    return {};
  }

  /**
   * Hook: the shop's login token (a JWT) for a signed-in customer, or null. It is sent once, when
   * a chat starts, and verifies the customer without questions.
   */
  function getLoginToken() {
    return null;
  }

  /**
   * Hook: token for Rasa's socket.io `jwt_key` auth (sent as `auth.token` on connect).
   * Null means no auth; Rasa ignores it unless jwt_key is configured.
   */
  function getAuthToken() {
    return null;
  }

  // ---------------------------------------------------------------- elements
  var els = {
    log: document.getElementById("chat-log"),
    form: document.getElementById("chat-form"),
    input: document.getElementById("chat-input"),
    send: document.getElementById("chat-send"),
    typing: document.getElementById("typing"),
    typingText: document.querySelector("#typing .typing-text"),
    status: document.getElementById("connection-status"),
    statusText: document.querySelector("#connection-status .status-text"),
    endChat: document.getElementById("end-chat"),
    welcome: document.getElementById("welcome-hint"),
    feedback: document.getElementById("input-feedback")
  };

  // ---------------------------------------------------------------- state
  var sessionId = null;
  var sessionSecret = null;
  var loginPending = false; // the login token goes with the first session request of a chat
  var socket = null;
  var sessionReady = false; // true between session_confirm and the next disconnect
  var confirmTimer = null;
  var typingTimer = null;
  var feedbackTimer = null;
  var outbox = []; // messages typed while not connected: {text, el}
  var generation = 0; // bumps on "End chat" so stale history responses are dropped
  var failedAttempts = 0;
  var retryTimer = null;

  // ---------------------------------------------------------------- storage (may throw in private modes)
  var memoryStore = {};
  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, key) ? memoryStore[key] : null;
    }
  }
  function storageSet(key, value) {
    memoryStore[key] = value;
    try {
      window.localStorage.setItem(key, value);
    } catch (e) { /* memory fallback is enough */ }
  }
  function storageRemove(key) {
    delete memoryStore[key];
    try {
      window.localStorage.removeItem(key);
    } catch (e) { /* ignore */ }
  }

  // ---------------------------------------------------------------- chat id and secret
  // Guards the history URL and Rasa's sender id against a tampered localStorage value.
  var SESSION_RE = /^[A-Za-z0-9-]{8,64}$/;

  function loadStoredChat() {
    try {
      var stored = JSON.parse(storageGet(STORAGE_KEY) || "null");
      if (stored && SESSION_RE.test(stored.id) && typeof stored.secret === "string" &&
          stored.secret.length <= 128) {
        return stored;
      }
    } catch (e) { /* unreadable: start a new chat */ }
    return null;
  }

  function useChat(chat) {
    sessionId = chat.id;
    sessionSecret = chat.secret;
  }

  /** A new chat from the server: its id and the secret that proves it is ours. */
  function openNewChat() {
    return requestJson("/api/chat-sessions", { method: "POST" }, 8000).then(function (body) {
      var chat = { id: body.session_id, secret: body.session_secret };
      if (!SESSION_RE.test(chat.id) || typeof chat.secret !== "string") {
        throw new Error("unexpected chat session");
      }
      storageSet(STORAGE_KEY, JSON.stringify(chat));
      useChat(chat);
      loginPending = true;
      return chat;
    });
  }

  // ---------------------------------------------------------------- small UI helpers
  function scrollToBottom() {
    els.log.scrollTop = els.log.scrollHeight;
  }

  // The log shrinks when the phone keyboard opens or the feedback/typing rows appear:
  // stay pinned to the newest message if the reader was at the bottom before the resize.
  function keepPinnedOnResize() {
    if (typeof ResizeObserver !== "function") return;
    var lastHeight = els.log.clientHeight;
    new ResizeObserver(function () {
      var gapBefore = els.log.scrollHeight - els.log.scrollTop - lastHeight;
      lastHeight = els.log.clientHeight;
      if (gapBefore < 48) scrollToBottom();
    }).observe(els.log);
  }

  function updateWelcome() {
    els.welcome.hidden = els.log.querySelector(".msg") !== null;
  }

  function setFeedback(text) {
    clearTimeout(feedbackTimer);
    els.feedback.textContent = text;
    if (text) {
      feedbackTimer = setTimeout(function () {
        els.feedback.textContent = "";
      }, FEEDBACK_CLEAR_MS);
    }
  }

  var STATUS_TEXT = { connected: "Connected", reconnecting: "Reconnecting…", offline: "Offline" };

  function setStatus(state, text) {
    els.status.setAttribute("data-state", state);
    els.statusText.textContent = text || STATUS_TEXT[state];
  }

  function showTyping() {
    els.typing.hidden = false;
    els.typingText.textContent = "Assistant is typing";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    scrollToBottom();
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    els.typing.hidden = true;
    els.typingText.textContent = "";
  }

  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var u = new URL(value, window.location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function asText(value) {
    if (value === null || value === undefined) return "";
    return typeof value === "string" ? value : String(value);
  }

  // ---------------------------------------------------------------- rendering
  function createBubble(from) {
    var el = document.createElement("div");
    el.className = "msg " + (from === "user" ? "msg-user" : "msg-bot");
    return el;
  }

  function appendText(parent, text) {
    var p = document.createElement("p");
    p.className = "msg-text";
    p.textContent = text; // never innerHTML: bot and history text is untrusted
    parent.appendChild(p);
  }

  function normaliseButtons(list) {
    if (!Array.isArray(list)) return [];
    return list.map(function (b) {
      if (!b || typeof b !== "object") return null;
      var title = asText(b.title).trim();
      var payload = asText(b.payload).trim() || title;
      return title ? { title: title, payload: payload } : null;
    }).filter(Boolean);
  }

  function appendButtons(parent, buttons, enabled) {
    if (!buttons.length) return;
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "quick-reply";
      btn.textContent = b.title;
      btn.dataset.payload = b.payload;
      btn.disabled = !enabled;
      group.appendChild(btn);
    });
    parent.appendChild(group);
  }

  function appendAttachment(parent, attachment) {
    if (!attachment || typeof attachment !== "object") return false;
    var payload = attachment.payload && typeof attachment.payload === "object" ? attachment.payload : {};
    var src = safeUrl(payload.src || payload.url || attachment.src || attachment.url);

    if (attachment.type === "image" && src) {
      var img = document.createElement("img");
      img.className = "msg-image";
      img.src = src;
      img.alt = asText(payload.alt || payload.title) || "Image from the assistant";
      img.loading = "lazy";
      img.referrerPolicy = "no-referrer";
      img.addEventListener("load", scrollToBottom);
      parent.appendChild(img);
      return true;
    }

    // Rasa's send_elements: {type: "template", payload: {template_type: "generic", elements}}
    if (attachment.type === "template" && payload.elements) {
      var elements = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
      var any = false;
      elements.forEach(function (e) {
        if (!e || typeof e !== "object") return;
        var text = [asText(e.title), asText(e.subtitle)].filter(Boolean).join("\n");
        if (text) {
          appendText(parent, text);
          any = true;
        }
        var btns = normaliseButtons(e.buttons);
        if (btns.length) {
          appendButtons(parent, btns, true);
          any = true;
        }
      });
      return any;
    }

    if (src) {
      var a = document.createElement("a");
      a.className = "msg-link";
      a.href = src;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = asText(payload.title || attachment.title) || "Open attachment";
      parent.appendChild(a);
      return true;
    }
    return false;
  }

  /** Builds a bot bubble; returns null when there is nothing visible to show. */
  function buildBotMessage(data, buttonsEnabled) {
    if (typeof data === "string") data = { text: data };
    if (!data || typeof data !== "object") return null;
    var el = createBubble("bot");
    var shown = false;
    var text = asText(data.text);
    if (text.trim()) {
      appendText(el, text);
      shown = true;
    }
    if (data.attachment && appendAttachment(el, data.attachment)) shown = true;
    var buttons = normaliseButtons(
      Array.isArray(data.quick_replies) && data.quick_replies.length ? data.quick_replies : data.buttons
    );
    if (buttons.length) {
      appendButtons(el, buttons, buttonsEnabled);
      shown = true;
    }
    return shown ? el : null;
  }

  function buildUserMessage(text) {
    var el = createBubble("user");
    appendText(el, text);
    return el;
  }

  function addToLog(el) {
    els.log.appendChild(el);
    updateWelcome();
    scrollToBottom();
  }

  // ---------------------------------------------------------------- history
  function requestJson(url, options, timeoutMs) {
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs) : null;
    var headers = { Accept: "application/json" };
    if (options && options.secret) headers["X-Chat-Secret"] = options.secret;
    return fetch(url, {
      method: (options && options.method) || "GET",
      headers: headers,
      cache: "no-store",
      credentials: "same-origin",
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      if (!res.ok) {
        var error = new Error("HTTP " + res.status);
        error.status = res.status;
        throw error;
      }
      return res.json();
    }).finally(function () {
      clearTimeout(timer);
    });
  }

  function fetchJson(url, timeoutMs) {
    return requestJson(url, null, timeoutMs);
  }

  /** The chat's history; a chat that is not ours (any more) is replaced by a new one. */
  function loadHistory() {
    var url = "/api/history/" + encodeURIComponent(sessionId);
    return requestJson(url, { secret: sessionSecret }, 8000).then(function (body) {
      return body && Array.isArray(body.messages) ? body.messages : [];
    }).catch(function (err) {
      if (err && (err.status === 403 || err.status === 410)) {
        return openNewChat().then(function () { return []; });
      }
      return []; // any other failure just means no history
    });
  }

  function renderHistory(messages) {
    var lastBot = -1;
    messages.forEach(function (m, i) {
      if (m && m.from === "bot") lastBot = i;
    });
    var frag = document.createDocumentFragment();
    messages.forEach(function (m, i) {
      if (!m || typeof m !== "object") return;
      var el = null;
      if (m.from === "user") {
        var t = asText(m.text);
        if (t.trim()) el = buildUserMessage(t);
      } else if (m.from === "bot") {
        // Only the latest bot prompt stays answerable.
        el = buildBotMessage({ text: m.text, buttons: m.buttons }, i === lastBot);
      }
      if (el) {
        el.classList.add("msg-history");
        frag.appendChild(el);
      }
    });
    // Insert before anything typed while history was loading.
    els.log.insertBefore(frag, els.log.firstChild);
    updateWelcome();
    scrollToBottom();
  }

  // ---------------------------------------------------------------- sending
  function charCount(text) {
    return Array.from(text).length; // code points, like the Python server's len()
  }

  function emitUserMessage(text, display) {
    var metadata;
    try {
      metadata = Object.assign({}, getMetadata() || {});
    } catch (e) {
      metadata = {};
    }
    // A button sends its payload; the title is kept so the history shows what was clicked.
    if (display && display !== text) metadata.button_title = display;
    metadata.session_secret = sessionSecret;
    socket.emit("user_uttered", { message: text, session_id: sessionId, customData: metadata });
  }

  function markSent(el) {
    el.classList.remove("pending");
    el.removeAttribute("data-pending");
  }

  /** Shows `display` as the user's bubble and sends `text` (a button payload may differ). */
  function sendUserMessage(text, display) {
    var el = buildUserMessage(display);
    if (socket && socket.connected && sessionReady) {
      addToLog(el);
      emitUserMessage(text, display);
      showTyping();
    } else {
      el.classList.add("pending");
      el.setAttribute("data-pending", "true");
      outbox.push({ text: text, display: display, el: el });
      setFeedback("Not connected right now. Your message will be sent as soon as the connection is back.");
      addToLog(el);
    }
  }

  function flushOutbox() {
    if (!outbox.length) return;
    var items = outbox;
    outbox = [];
    items.forEach(function (item) {
      emitUserMessage(item.text, item.display);
      markSent(item.el);
    });
    setFeedback("");
    showTyping();
  }

  function validate(text) {
    if (!text.trim()) {
      return "Please type a message before sending.";
    }
    var n = charCount(text.trim());
    if (n > MAX_CHARS) {
      return "Your message is " + n + " characters long. The limit is " + MAX_CHARS +
        " characters, please shorten it.";
    }
    return null;
  }

  function autoGrow() {
    // CSSOM writes are allowed under a strict style-src CSP (only style attributes in markup are not).
    els.input.style.height = "auto";
    els.input.style.height = Math.min(els.input.scrollHeight, 160) + "px";
  }

  function submitInput() {
    var raw = els.input.value;
    var problem = validate(raw);
    if (problem) {
      setFeedback(problem);
      els.input.setAttribute("aria-invalid", raw.trim() ? "true" : "false");
      els.input.focus();
      return;
    }
    els.input.removeAttribute("aria-invalid");
    var text = raw.trim();
    els.input.value = "";
    autoGrow();
    if (sessionReady) setFeedback("");
    sendUserMessage(text, text);
    els.input.focus();
  }

  // ---------------------------------------------------------------- socket
  function resolveConfig(raw) {
    var cfg = {
      rasaUrl: DEFAULT_CONFIG.rasaUrl,
      socketPath: DEFAULT_CONFIG.socketPath,
      transports: null
    };
    if (raw && typeof raw === "object") {
      if (typeof raw.rasaUrl === "string" && raw.rasaUrl) cfg.rasaUrl = raw.rasaUrl;
      if (typeof raw.socketPath === "string" && raw.socketPath) cfg.socketPath = raw.socketPath;
      if (Array.isArray(raw.transports) && raw.transports.length) cfg.transports = raw.transports;
      // The server's limit (MAX_MESSAGE_CHARS) is the one that counts.
      if (typeof raw.maxMessageChars === "number" && raw.maxMessageChars > 0) MAX_CHARS = raw.maxMessageChars;
    }
    return cfg;
  }

  function loadConfig() {
    return fetchJson("/config.json", 8000).catch(function (err) {
      if (window.console) console.warn("config.json unavailable, using defaults:", err && err.message);
      return null;
    }).then(resolveConfig);
  }

  function requestSession() {
    sessionReady = false;
    var request = { session_id: sessionId, session_secret: sessionSecret };
    if (loginPending) {
      loginPending = false;
      try {
        var token = getLoginToken();
        if (token) request.login_token = token;
      } catch (e) { /* no token */ }
    }
    socket.emit("session_request", request);
    clearTimeout(confirmTimer);
    confirmTimer = setTimeout(function () {
      if (socket.connected && !sessionReady) onSessionConfirmed();
    }, CONFIRM_FALLBACK_MS);
  }

  function onSessionConfirmed() {
    clearTimeout(confirmTimer);
    sessionReady = true;
    setStatus("connected");
    flushOutbox();
  }

  function connect(cfg) {
    if (typeof window.io !== "function") {
      setStatus("offline", "Offline (chat library missing)");
      return;
    }
    var origin;
    try {
      // io() would treat a URL path as a socket.io namespace, so pass only the origin.
      origin = new URL(cfg.rasaUrl, window.location.href).origin;
    } catch (e) {
      origin = DEFAULT_CONFIG.rasaUrl;
    }

    socket = window.io(origin, {
      path: cfg.socketPath,
      // WebSocket first: it needs no CORS preflight; polling remains a fallback.
      transports: cfg.transports || ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 15000,
      randomizationFactor: 0.5,
      timeout: 10000,
      auth: function (cb) {
        var token = null;
        try {
          token = getAuthToken();
        } catch (e) { /* no token */ }
        cb(token ? { token: token } : {});
      }
    });

    socket.on("connect", function () {
      failedAttempts = 0;
      setStatus("connected");
      requestSession(); // again on every reconnect: the new socket id must rejoin the session room
    });

    socket.on("session_confirm", function () {
      onSessionConfirmed();
    });

    // The chat was ended (in another tab) or is not ours: carry on in a new one.
    socket.on("session_refused", function () {
      clearTimeout(confirmTimer);
      resetLog("This chat has ended. Started a new one.");
      openNewChat().then(requestSession).catch(function () {
        setStatus("offline", "Offline (could not start a chat)");
      });
    });

    socket.on("bot_uttered", function (data) {
      hideTyping();
      var el = buildBotMessage(data, true);
      if (el) addToLog(el);
    });

    socket.on("disconnect", function (reason) {
      sessionReady = false;
      clearTimeout(confirmTimer);
      hideTyping();
      if (reason === "io client disconnect") return; // our own restart (new conversation)
      setStatus(navigator.onLine === false ? "offline" : "reconnecting");
      // The server kicked us: socket.io does not retry that case by itself.
      if (reason === "io server disconnect") socket.connect();
    });

    socket.on("connect_error", function () {
      if (!socket.active) {
        // Refused by the server (e.g. auth): no automatic retry, so try again later ourselves.
        setStatus("offline");
        clearTimeout(retryTimer);
        retryTimer = setTimeout(function () {
          if (!socket.connected && !socket.active) socket.connect();
        }, 15000);
      }
    });

    socket.io.on("reconnect_attempt", function () {
      failedAttempts += 1;
      var offline = navigator.onLine === false || failedAttempts > OFFLINE_AFTER_ATTEMPTS;
      setStatus(offline ? "offline" : "reconnecting");
    });
  }

  // ---------------------------------------------------------------- end chat
  function resetLog(feedback) {
    generation += 1;
    outbox = [];
    hideTyping();
    els.log.replaceChildren();
    updateWelcome();
    setFeedback(feedback);
  }

  /** Ends the chat on the server (its verification ends with it), then opens a new one. */
  function endChat() {
    var ended = { id: sessionId, secret: sessionSecret };
    storageRemove(STORAGE_KEY);
    sessionReady = false; // nothing is sent until the new chat is confirmed
    // Off the old chat's room at once: a reply still in flight for it must not land in the new one.
    if (socket) socket.disconnect();
    setStatus("reconnecting");
    resetLog("Chat ended. You can start a new one below.");
    els.input.value = "";
    els.input.removeAttribute("aria-invalid");
    autoGrow();
    var url = "/api/chat-sessions/" + encodeURIComponent(ended.id) + "/end";
    requestJson(url, { method: "POST", secret: ended.secret }, 8000).catch(function () {
      /* already ended, or offline: the new chat below does not depend on it */
    }).then(openNewChat).then(function () {
      if (socket) {
        setStatus("reconnecting");
        socket.connect(); // a fresh socket id, joined to the new chat's room only
      }
    }).catch(function () {
      setStatus("offline", "Offline (could not start a chat)");
    });
    els.input.focus();
  }

  // ---------------------------------------------------------------- wiring
  function bindUi() {
    els.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      submitInput();
    });

    els.input.addEventListener("keydown", function (ev) {
      // Ignore Enter while an IME is composing (e.g. Japanese input).
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        submitInput();
      }
    });

    els.input.addEventListener("input", function () {
      autoGrow();
      var n = charCount(els.input.value.trim());
      if (n > MAX_CHARS) {
        els.input.setAttribute("aria-invalid", "true");
        setFeedback(n + " of " + MAX_CHARS + " characters: too long to send.");
      } else if (els.input.getAttribute("aria-invalid") === "true") {
        els.input.removeAttribute("aria-invalid");
        setFeedback("");
      }
    });

    // One delegated listener covers live, history and template buttons.
    els.log.addEventListener("click", function (ev) {
      var btn = ev.target.closest("button.quick-reply");
      if (!btn || btn.disabled || !els.log.contains(btn)) return;
      var group = btn.closest(".quick-replies");
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
        b.disabled = true;
      });
      btn.classList.add("chosen");
      btn.setAttribute("aria-pressed", "true");
      sendUserMessage(btn.dataset.payload || btn.textContent, btn.textContent);
      els.input.focus(); // the clicked button is now disabled and would drop focus
    });

    els.endChat.addEventListener("click", endChat);

    window.addEventListener("offline", function () {
      if (!socket || !socket.connected) setStatus("offline");
    });
    window.addEventListener("online", function () {
      if (socket && !socket.connected) {
        setStatus("reconnecting");
        if (!socket.active) socket.connect();
      }
    });
  }

  function start() {
    bindUi();
    keepPinnedOnResize();
    var myGeneration = generation;
    var stored = loadStoredChat();
    var history;
    if (stored) {
      useChat(stored);
      history = loadHistory();
    } else {
      history = openNewChat().then(function () { return []; });
    }
    Promise.all([loadConfig(), history]).then(function (results) {
      if (myGeneration === generation) renderHistory(results[1]);
      else updateWelcome();
      connect(results[0]);
    }).catch(function () {
      setStatus("offline", "Offline (could not start a chat)");
    });
  }

  start();
})();
