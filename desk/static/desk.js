/* Agent desk page: queue, one open ticket, live updates over Server-Sent Events. No build step. */
"use strict";

(function () {
  // Every sentence this page shows, in one place.
  const TEXT = {
    live: "Live",
    reconnecting: "Reconnecting…",
    waiting: "Waiting",
    claimedBy: (name) => "Claimed by " + name,
    claimedByYou: "Claimed by you",
    returned: "Returned to assistant",
    resolved: "Resolved",
    priority: { 1: "Urgent", 2: "High", 3: "Normal" },
    verified: "Verified",
    notVerified: "NOT verified",
    roleNeeded: { agent: "Agent", pharmacist: "Pharmacist only" },
    roles: { agent: "Agent", pharmacist: "Pharmacist" },
    ticketTitle: (id) => "Ticket " + id,
    waitedFor: (text) => "waiting " + text,
    minutes: (n) => (n < 1 ? "under a minute" : n === 1 ? "1 min" : n + " min"),
    hours: (h, m) => h + " h " + m + " min",
    queueCount: (n) => "(" + n + ")",
    queueEmpty: "No open handoffs. New ones appear here by themselves.",
    noMatch: "No open handoffs match these filters.",
    repeats: (n) => n + " tickets from this customer",
    alsoTicket: (id) => "Ticket " + id,
    states: { waiting: "Waiting", claimed: "Claimed" },
    facts: {
      customer: "Customer reference",
      order: "Order",
      rx: "Rx",
      lastIntent: "Last intent",
      question: "Question",
      context: "Context",
    },
    none: "—",
    senders: { customer: "Customer", bot: "Assistant", agent: "Pharmacy team", system: "Notice" },
    claimed: "You have claimed this ticket. The customer was told you joined.",
    sent: "Reply sent.",
    returnedDone: "The conversation is back with the assistant.",
    resolvedDone: "Ticket resolved.",
    ticketGone: "This ticket is no longer available to you.",
    failed: "That did not work. Try again.",
  };

  const body = document.body;
  if (body.dataset.view !== "desk") {
    return; // the login form is a plain HTML form
  }

  const $ = (id) => document.getElementById(id);
  const state = {
    csrf: "",
    agent: null,
    tickets: [],
    ticket: null, // the open ticket as last received (without messages)
    filters: { q: "", reason: "", priority: "", state: "" }, // the queue's, sent to the server
    shownMessageIds: new Set(),
    lastMessageId: 0,
    events: null,
  };

  // ------------------------------------------------------------ talking to the server

  async function api(method, path, payload) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = state.csrf;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload || {});
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.assign("/login");
      throw new Error("logged out");
    }
    let data = {};
    try {
      data = await response.json();
    } catch (_) {
      data = {};
    }
    if (!response.ok) {
      const error = new Error(data.message || TEXT.failed);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // The queue's filters as query parameters, plus any given: the server filters, not the page.
  function withFilters(path, extra) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(state.filters)) {
      if (value) {
        params.set(name, value);
      }
    }
    for (const [name, value] of Object.entries(extra || {})) {
      params.set(name, String(value));
    }
    const query = params.toString();
    return query ? path + "?" + query : path;
  }

  async function refreshQueue() {
    renderQueue((await api("GET", withFilters("/api/queue"))).tickets);
  }

  function listen() {
    if (state.events) {
      state.events.close();
    }
    const following = state.ticket ? { ticket: state.ticket.id, after: state.lastMessageId } : {};
    const events = new EventSource(withFilters("/api/events", following));
    state.events = events;
    events.addEventListener("open", () => setLive(true));
    events.addEventListener("error", () => setLive(false));
    events.addEventListener("queue", (event) => renderQueue(JSON.parse(event.data).tickets));
    events.addEventListener("ticket", (event) => {
      const ticket = JSON.parse(event.data);
      if (state.ticket && ticket.id === state.ticket.id) {
        showTicketHeader(ticket);
      }
    });
    events.addEventListener("messages", (event) => {
      const data = JSON.parse(event.data);
      if (state.ticket && data.ticket_id === state.ticket.id) {
        appendMessages(data.messages);
      }
    });
    events.addEventListener("ticket-gone", () => {
      closeTicket();
      say(TEXT.ticketGone);
    });
    events.addEventListener("expired", () => {
      events.close();
      window.location.assign("/login");
    });
  }

  function setLive(live) {
    const status = $("live-status");
    status.dataset.state = live ? "live" : "reconnecting";
    status.textContent = live ? TEXT.live : TEXT.reconnecting;
  }

  // ------------------------------------------------------------ queue

  function renderQueue(tickets) {
    state.tickets = tickets;
    const list = $("queue");
    // Re-rendering must not throw a keyboard user's focus out of the list.
    const focused = document.activeElement && document.activeElement.closest(".ticket-row");
    const focusedId = focused ? focused.dataset.ticketId : null;
    list.replaceChildren();
    for (const ticket of tickets) {
      const row = document.createElement("li");
      row.className = "ticket-row priority-" + ticket.priority;
      row.dataset.ticketId = String(ticket.id);
      if (state.ticket && ticket.ticket_ids.includes(state.ticket.id)) {
        row.classList.add("selected");
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ticket-open";
      button.setAttribute("aria-current", row.classList.contains("selected") ? "true" : "false");
      button.append(
        badge(TEXT.priority[ticket.priority] || String(ticket.priority), "priority p" + ticket.priority),
        span(ticket.reason_text, "reason"),
        span(TEXT.roleNeeded[ticket.required_role] || ticket.required_role, "role"),
        span(statusText(ticket), "status"),
        span(TEXT.waitedFor(waited(ticket.created_at)), "waited"),
      );
      button.addEventListener("click", () => openTicket(ticket.id));
      row.append(button);
      if (ticket.repeats > 1) {
        row.append(alsoTickets(ticket));
      }
      list.append(row);
      if (focusedId === row.dataset.ticketId) {
        button.focus();
      }
    }
    $("queue-count").textContent = TEXT.queueCount(tickets.length);
    $("queue-empty").textContent = Object.values(state.filters).some(Boolean) ? TEXT.noMatch : TEXT.queueEmpty;
    $("queue-empty").hidden = tickets.length > 0;
  }

  // A collapsed row: how many tickets it stands for, and a way to each of the others.
  function alsoTickets(ticket) {
    const also = document.createElement("p");
    also.className = "ticket-also";
    also.append(badge(TEXT.repeats(ticket.repeats), "repeats"));
    for (const id of ticket.ticket_ids.slice(1)) {
      const other = document.createElement("button");
      other.type = "button";
      other.className = "quiet";
      other.textContent = TEXT.alsoTicket(id);
      other.addEventListener("click", () => openTicket(id));
      also.append(other);
    }
    return also;
  }

  function fillFilters(options) {
    const add = (select, value, text) => {
      const option = document.createElement("option");
      option.value = String(value);
      option.textContent = text;
      $(select).append(option);
    };
    for (const reason of options.reasons) {
      add("filter-reason", reason.value, reason.text);
    }
    for (const priority of options.priorities) {
      add("filter-priority", priority, TEXT.priority[priority] || String(priority));
    }
    for (const value of options.states) {
      add("filter-state", value, TEXT.states[value] || value);
    }
  }

  async function applyFilters() {
    state.filters = {
      q: $("filter-q").value.trim(),
      reason: $("filter-reason").value,
      priority: $("filter-priority").value,
      state: $("filter-state").value,
    };
    try {
      await refreshQueue();
      listen();
    } catch (error) {
      if (error.status) {
        say(error.message, true);
      }
    }
  }

  function statusText(ticket) {
    if (ticket.status === "claimed") {
      return ticket.claimed_by_me ? TEXT.claimedByYou : TEXT.claimedBy(ticket.claimed_by_name || "");
    }
    return { waiting: TEXT.waiting, returned: TEXT.returned, resolved: TEXT.resolved }[ticket.status] || ticket.status;
  }

  function waited(createdAt) {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(createdAt)) / 60000));
    if (minutes >= 60) {
      return TEXT.hours(Math.floor(minutes / 60), minutes % 60);
    }
    return TEXT.minutes(minutes);
  }

  // ------------------------------------------------------------ one ticket

  async function openTicket(id) {
    try {
      const ticket = await api("GET", "/api/tickets/" + id);
      state.shownMessageIds = new Set();
      state.lastMessageId = 0;
      $("ticket-transcript").replaceChildren();
      $("ticket-feedback").textContent = "";
      showTicket(ticket);
      renderQueue(state.tickets);
      listen();
      $("ticket-pane").focus();
    } catch (error) {
      if (error.status) {
        say(error.message, true);
      }
    }
  }

  function showTicket(ticket) {
    $("ticket-empty").hidden = true;
    $("ticket-detail").hidden = false;
    showTicketHeader(ticket);
    appendMessages(ticket.messages || []);
  }

  function showTicketHeader(ticket) {
    const header = Object.assign({}, ticket);
    delete header.messages;
    state.ticket = header;
    $("ticket-heading").textContent = TEXT.ticketTitle(ticket.id);
    $("ticket-badges").replaceChildren(
      badge(TEXT.priority[ticket.priority] || String(ticket.priority), "priority p" + ticket.priority),
      badge(ticket.verified ? TEXT.verified : TEXT.notVerified, ticket.verified ? "verified" : "not-verified"),
      badge(TEXT.roleNeeded[ticket.required_role] || ticket.required_role, "role"),
      badge(statusText(ticket), "status"),
    );
    $("ticket-summary").textContent = ticket.summary || "";
    const facts = $("ticket-facts");
    facts.replaceChildren();
    addFact(facts, TEXT.facts.customer, ticket.customer_reference);
    addFact(facts, TEXT.facts.order, ticket.order_number);
    addFact(facts, TEXT.facts.rx, ticket.rx_number);
    addFact(facts, TEXT.facts.lastIntent, ticket.last_intent);
    addFact(facts, TEXT.facts.question, ticket.question);
    const context = Object.entries(ticket.context || {}).map(([key, value]) => key + ": " + value);
    addFact(facts, TEXT.facts.context, context.join(", "));

    const mine = ticket.status === "claimed" && ticket.claimed_by_me;
    $("claim").hidden = ticket.status !== "waiting";
    for (const id of ["return-to-bot", "resolve", "reply-send", "reply-input", "canned"]) {
      $(id).disabled = !mine;
    }
  }

  function addFact(list, label, value) {
    const term = document.createElement("dt");
    term.textContent = label;
    const detail = document.createElement("dd");
    detail.textContent = value || TEXT.none;
    list.append(term, detail);
  }

  function appendMessages(messages) {
    const transcript = $("ticket-transcript");
    for (const message of messages) {
      if (state.shownMessageIds.has(message.id)) {
        continue;
      }
      state.shownMessageIds.add(message.id);
      state.lastMessageId = Math.max(state.lastMessageId, message.id);
      const line = document.createElement("div");
      line.className = "line from-" + message.sender;
      line.dataset.messageId = String(message.id);
      const who = span(TEXT.senders[message.sender] || message.sender, "sender");
      const when = document.createElement("time");
      when.dateTime = message.created_at;
      when.textContent = new Date(message.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      line.append(who, span(message.text, "text"), when);
      transcript.append(line);
    }
    transcript.scrollTop = transcript.scrollHeight;
  }

  function closeTicket() {
    state.ticket = null;
    $("ticket-detail").hidden = true;
    $("ticket-empty").hidden = false;
    renderQueue(state.tickets);
    listen();
  }

  async function act(path, payload, doneText) {
    if (!state.ticket) {
      return null;
    }
    try {
      const ticket = await api("POST", "/api/tickets/" + state.ticket.id + "/" + path, payload);
      showTicket(ticket);
      say(doneText);
      await refreshQueue(); // no need to wait for the live feed
      return ticket;
    } catch (error) {
      if (error.status) {
        say(error.message, true);
      }
      return null;
    }
  }

  // ------------------------------------------------------------ small helpers

  function say(text, isError) {
    const feedback = $("ticket-feedback");
    feedback.textContent = text;
    feedback.classList.toggle("error", Boolean(isError));
  }

  function span(text, className) {
    const element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function badge(text, className) {
    return span(text, "badge " + className);
  }

  // ------------------------------------------------------------ wiring

  $("claim").addEventListener("click", () => act("claim", {}, TEXT.claimed));
  $("return-to-bot").addEventListener("click", () => act("return", {}, TEXT.returnedDone));
  $("resolve").addEventListener("click", () => act("resolve", {}, TEXT.resolvedDone));
  $("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("reply-input");
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (await act("reply", { text }, TEXT.sent)) {
      input.value = "";
      input.focus();
    }
  });
  $("reply-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });
  $("canned").addEventListener("change", (event) => {
    const input = $("reply-input");
    if (event.target.value) {
      input.value = input.value ? input.value + " " + event.target.value : event.target.value;
      event.target.value = "";
      input.focus();
    }
  });
  let searchTimer = null;
  $("queue-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters();
  });
  $("filter-q").addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(applyFilters, 300); // one request per pause in typing
  });
  for (const id of ["filter-reason", "filter-priority", "filter-state"]) {
    $(id).addEventListener("change", applyFilters);
  }
  $("logout").addEventListener("click", async () => {
    try {
      await fetch("/logout", { method: "POST", headers: { "X-CSRF-Token": state.csrf }, credentials: "same-origin" });
    } finally {
      window.location.assign("/login");
    }
  });

  async function start() {
    const me = await api("GET", "/api/me");
    state.csrf = me.csrf_token;
    state.agent = me.agent;
    $("agent-name").textContent = me.agent.display_name;
    $("agent-role").textContent = TEXT.roles[me.agent.role] || me.agent.role;
    const canned = await api("GET", "/api/canned");
    for (const reply of canned.replies) {
      const option = document.createElement("option");
      option.value = reply;
      option.textContent = reply;
      $("canned").append(option);
    }
    fillFilters(await api("GET", "/api/filters"));
    await refreshQueue();
    listen();
    // A link from the supervisor's pages: "/?ticket=12" opens that ticket (the server checks access).
    const linked = new URLSearchParams(window.location.search).get("ticket");
    if (linked && /^\d{1,9}$/.test(linked)) {
      await openTicket(Number(linked));
    }
    // Waiting times move on even when nothing else changes.
    window.setInterval(() => renderQueue(state.tickets), 30000);
  }

  start().catch(() => setLive(false));
})();
