/* Rådgivare för innovationsupphandling — the chat page. Vanilla JS, no build step, no CDN.
 *
 * POST /api/chat answers as Server-Sent Events (token, sources, done, error); they are read from
 * fetch()'s ReadableStream. Text from the server is only ever inserted as text, never as HTML.
 */
"use strict";

(function () {
  const STRINGS = {
    sv: {
      pageTitle: "Rådgivare för innovationsupphandling",
      brand: "Rådgivare för innovations\u00ADupphandling",
      skip: "Hoppa till frågan",
      toggle: "In English",
      title: "Fråga om innovations\u00ADupphandling", // the soft hyphen lets a phone break the long word
      lead: "Ställ en fråga om att upphandla innovation. Svaren bygger bara på dokumenten i tjänsten och visar varifrån uppgifterna kommer.",
      disclaimer: "Svaren är inte juridisk rådgivning. Kontrollera alltid källan innan du fattar beslut.",
      llmNotice: "Ingen språkmodell är ansluten just nu. Svaren visas som utdrag ur underlaget.",
      newConversation: "Ny konversation",
      examplesHeading: "Exempel på frågor",
      examples: [
        "När får man använda innovationspartnerskap?",
        "Vad är direktupphandlingsgränsen?",
        "Gäller LOU för forsknings- och utvecklingstjänster?",
      ],
      conversationLabel: "Konversation",
      questionLabel: "Din fråga",
      questionHint: "Enter skickar frågan, Skift + Enter ger en ny rad.",
      send: "Skicka",
      stop: "Avbryt svaret",
      youAsked: "Din fråga",
      answer: "Svar",
      writing: "Skriver svar",
      sources: "Källor",
      citeLabel: "Källa {n}: {title}",
      sourceTitle: "Källa {n}",
      section: "Avsnitt",
      page: "Sida",
      file: "Fil",
      openSource: "Öppna källdokumentet",
      newWindow: "(öppnas i nytt fönster)",
      closePanel: "Stäng utdraget",
      refusedNote: "Underlaget räcker inte för ett säkert svar, så rådgivaren avstår. Formulera gärna om frågan.",
      stoppedNote: "Svaret avbröts.",
      feedbackQuestion: "Var svaret till hjälp?",
      yes: "Ja",
      no: "Nej",
      commentLabel: "Vad kunde ha varit bättre? (valfritt)",
      sendComment: "Skicka kommentar",
      thanks: "Tack för din återkoppling!",
      thanksComment: "Tack, kommentaren är sparad.",
      feedbackFailed: "Återkopplingen kunde inte sparas. Försök igen.",
      networkError: "Tjänsten gick inte att nå. Kontrollera anslutningen och försök igen.",
      emptyQuestion: "Skriv en fråga först.",
      answering: "Svarar på din fråga…",
      answerReady: "Svaret är klart.",
      footer: "Svaren skapas automatiskt utifrån underlaget och kan innehålla fel.",
      apiLink: "API-dokumentation",
    },
    en: {
      pageTitle: "Innovation procurement advisor",
      brand: "Innovation procurement advisor",
      skip: "Skip to the question",
      toggle: "På svenska",
      title: "Ask about innovation procurement",
      lead: "Ask a question about procuring innovation. Answers are based only on the documents in this service and show where each statement comes from.",
      disclaimer: "The answers are not legal advice. Always check the source before you decide.",
      llmNotice: "No language model is connected right now. Answers are shown as excerpts from the documents.",
      newConversation: "New conversation",
      examplesHeading: "Example questions",
      examples: [
        "When may an innovation partnership be used?",
        "What is the threshold for direct award?",
        "Does LOU apply to research and development services?",
      ],
      conversationLabel: "Conversation",
      questionLabel: "Your question",
      questionHint: "Enter sends the question, Shift + Enter adds a new line.",
      send: "Send",
      stop: "Stop the answer",
      youAsked: "Your question",
      answer: "Answer",
      writing: "Writing the answer",
      sources: "Sources",
      citeLabel: "Source {n}: {title}",
      sourceTitle: "Source {n}",
      section: "Section",
      page: "Page",
      file: "File",
      openSource: "Open the source document",
      newWindow: "(opens in a new window)",
      closePanel: "Close the excerpt",
      refusedNote: "The documents do not support a reliable answer, so the advisor declines. Try rephrasing the question.",
      stoppedNote: "The answer was stopped.",
      feedbackQuestion: "Was this answer helpful?",
      yes: "Yes",
      no: "No",
      commentLabel: "What could have been better? (optional)",
      sendComment: "Send comment",
      thanks: "Thank you for your feedback!",
      thanksComment: "Thank you, your comment is saved.",
      feedbackFailed: "The feedback could not be saved. Please try again.",
      networkError: "The service could not be reached. Check your connection and try again.",
      emptyQuestion: "Please write a question first.",
      answering: "Answering your question…",
      answerReady: "The answer is ready.",
      footer: "Answers are generated automatically from the documents and may contain errors.",
      apiLink: "API documentation",
    },
  };

  const STORAGE = { conversation: "advisor.conversation", language: "advisor.language" };
  const CITATION = /\[(\d{1,2}(?:\s*[,–-]\s*\d{1,2})*)\]/g;
  const NARROW = window.matchMedia("(max-width: 60rem)");

  const $ = (id) => document.getElementById(id);
  const els = {
    html: document.documentElement,
    toggle: $("lang-toggle"),
    notice: $("llm-notice"),
    toolbar: $("toolbar"),
    newConversation: $("new-conversation"),
    examples: $("examples"),
    exampleList: $("example-list"),
    thread: $("thread"),
    form: $("ask-form"),
    question: $("question"),
    formError: $("form-error"),
    send: $("send"),
    stop: $("stop"),
    panel: $("passage-panel"),
    panelTitle: $("panel-title"),
    panelClose: $("panel-close"),
    panelDoc: $("panel-doc"),
    panelMeta: $("panel-meta"),
    panelText: $("panel-text"),
    panelLinkRow: $("panel-link-row"),
    panelLink: $("panel-link"),
    status: $("status"),
    layout: document.querySelector(".layout"),
  };

  const state = {
    language: pickLanguage(),
    conversationId: linkedConversation() || storageGet(STORAGE.conversation),
    busy: false,
    controller: null,
    opener: null, // the citation button that opened the panel, to return focus to
    turns: [], // the answers on the page, to re-render when the language changes
    uid: 0,
  };

  // --- small helpers ------------------------------------------------------------------------------

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (_) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (_) { /* private mode: the page still works, it just forgets on reload */ }
  }
  /** A conversation opened by its link (/c/{id}, e.g. from Slack): adopted, then the address is "/". */
  function linkedConversation() {
    const match = /^\/c\/([0-9a-f]{32})\/?$/.exec(window.location.pathname);
    if (!match) return null;
    storageSet(STORAGE.conversation, match[1]);
    window.history.replaceState(null, "", "/");
    return match[1];
  }
  function pickLanguage() {
    const saved = storageGet(STORAGE.language);
    return saved === "en" || saved === "sv" ? saved : "sv";
  }
  function t(key, params) {
    const table = STRINGS[state.language] || STRINGS.sv;
    let text = key in table ? table[key] : STRINGS.sv[key];
    if (params) {
      for (const [name, value] of Object.entries(params)) text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }
  function icon(name, cls) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", cls || "icon");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    const use = document.createElementNS(ns, "use");
    use.setAttribute("href", "/static/icons.svg#" + name);
    svg.append(use);
    return svg;
  }
  function nextId(prefix) {
    state.uid += 1;
    return prefix + "-" + state.uid;
  }
  function announce(text) {
    els.status.textContent = "";
    window.setTimeout(() => { els.status.textContent = text; }, 50);
  }

  // --- language -------------------------------------------------------------------------------------

  function applyLanguage() {
    const lang = state.language;
    els.html.lang = lang;
    document.title = t("pageTitle");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-label]")) {
      node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    }
    els.toggle.textContent = t("toggle");
    els.toggle.lang = lang === "sv" ? "en" : "sv";
    renderExamples();
  }

  function renderExamples() {
    els.exampleList.replaceChildren(
      ...t("examples").map((q) =>
        el("li", null, el("button", { type: "button", class: "example", onclick: () => ask(q) }, q)),
      ),
    );
  }

  // --- rendering answers ------------------------------------------------------------------------------

  /** The numbers in a citation marker: "1", "2, 3", "2-4" (a range is capped at ten numbers). */
  function citedNumbers(inner) {
    const out = [];
    for (const part of inner.split(/\s*,\s*/)) {
      const bounds = part.split(/\s*[–-]\s*/).map((x) => parseInt(x, 10));
      const lo = bounds[0];
      const hi = Math.min(bounds[bounds.length - 1], lo + 10);
      for (let n = lo; n <= hi; n += 1) out.push(n);
    }
    return out;
  }

  /** Append ``text`` to ``parent`` with **bold** and, for an answer (``turn``), [n] citation buttons. */
  function appendInline(parent, text, turn) {
    const pattern = /\*\*([^*]+)\*\*|\[(\d{1,2}(?:\s*[,–-]\s*\d{1,2})*)\]|\*([^*\s](?:[^*]*[^*\s])?)\*/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) parent.append(text.slice(last, match.index));
      if (match[1] !== undefined) {
        parent.append(el("strong", null, match[1]));
      } else if (match[3] !== undefined) {
        parent.append(el("em", null, match[3]));
      } else if (turn) {
        for (const n of citedNumbers(match[2])) parent.append(citationButton(n, turn));
      } else {
        parent.append(match[0]); // a passage's own brackets are just text
      }
      last = pattern.lastIndex;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  function citationButton(n, turn) {
    const source = turn.citations.find((c) => c.n === n);
    if (!source) {
      return el("span", { class: "cite cite--pending" }, "[" + n + "]");
    }
    return el(
      "button",
      {
        type: "button",
        class: "cite",
        "data-n": String(n),
        "aria-label": t("citeLabel", { n, title: source.title }),
        "aria-controls": "passage-panel",
        "aria-expanded": "false",
        onclick: (event) => openPassage(turn, n, event.currentTarget),
      },
      String(n),
    );
  }

  /** A small, safe Markdown subset: paragraphs, > quotes (with a "— source" line), lists, **bold**,
   * *italics* and, in answers, [n] citations. Unknown syntax stays visible as text. */
  function renderRich(container, text, turn) {
    const QUOTE = /^\s*>/;
    const ITEM = /^\s*([-*•]|\d+[.)])\s+/;
    const ATTRIBUTION = /^\s*[—–]\s/;
    const nodes = [];
    for (const block of text.replace(/\r\n/g, "\n").split(/\n\s*\n/)) {
      const lines = block.split("\n").filter((line) => line.trim());
      let i = 0;
      while (i < lines.length) {
        if (QUOTE.test(lines[i])) {
          const quote = el("blockquote");
          for (; i < lines.length && QUOTE.test(lines[i]); i += 1) {
            const body = lines[i].replace(/^\s*>\s?/, "");
            if (!body.trim()) continue;
            const p = el("p", { class: ATTRIBUTION.test(body) ? "quote-source" : null });
            appendInline(p, body, turn);
            quote.append(p);
          }
          if (i < lines.length && ATTRIBUTION.test(lines[i])) {
            const p = el("p", { class: "quote-source" });
            appendInline(p, lines[i].trim(), turn);
            quote.append(p);
            i += 1;
          }
          nodes.push(quote);
        } else if (ITEM.test(lines[i])) {
          const list = el(/^\s*\d/.test(lines[i]) ? "ol" : "ul");
          for (; i < lines.length && ITEM.test(lines[i]); i += 1) {
            const li = el("li");
            appendInline(li, lines[i].replace(ITEM, ""), turn);
            list.append(li);
          }
          nodes.push(list);
        } else {
          const p = el("p");
          for (let first = true; i < lines.length && !QUOTE.test(lines[i]) && !ITEM.test(lines[i]); i += 1) {
            if (!first) p.append(el("br"));
            appendInline(p, lines[i].replace(/^#{1,6}\s+/, ""), turn);
            first = false;
          }
          nodes.push(p);
        }
      }
    }
    container.replaceChildren(...nodes);
  }

  function renderSources(turn) {
    turn.sourcesEl.replaceChildren();
    if (!turn.citations.length) return;
    const list = el("ol");
    for (const c of turn.citations) {
      const where = [c.location, c.page ? t("page") + " " + c.page : null].filter(Boolean).join(", ");
      const meta = el("span", { class: "source__meta" });
      if (where) meta.append(where);
      if (c.url) {
        if (where) meta.append(" · ");
        meta.append(
          el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer" },
            t("openSource"), el("span", { class: "visually-hidden" }, " " + t("newWindow")),
            icon("external", "icon-inline")),
        );
      }
      list.append(
        el("li", { class: "source" },
          el("span", { class: "source__n", "aria-hidden": "true" }, c.n + "."),
          el("span", null,
            el("button", {
              type: "button", class: "source__open", "aria-controls": "passage-panel",
              "aria-label": t("citeLabel", { n: c.n, title: c.title }),
              onclick: (event) => openPassage(turn, c.n, event.currentTarget),
            }, c.title || c.source),
            where || c.url ? el("br") : null,
            meta)),
      );
    }
    turn.sourcesEl.append(el("h3", { "data-i18n": "sources" }, t("sources")), list);
  }

  function setNote(turn, kind, text) {
    turn.noteEl.hidden = !text;
    turn.noteEl.className = "note note--" + kind;
    turn.noteEl.textContent = text || "";
  }

  // An excerpt answer says so in its own first line (the core writes it, for every channel), and the
  // banner says it once for the page: no third note under each answer.
  function finishNotes(turn) {
    if (turn.refused) setNote(turn, "refused", t("refusedNote"));
  }

  // --- the thread -------------------------------------------------------------------------------------

  function addUserTurn(text) {
    const li = el("li", { class: "turn turn--user" },
      el("h2", { class: "turn__label", "data-i18n": "youAsked" }, t("youAsked")),
      el("p", { class: "question" }, text));
    els.thread.append(li);
    return li;
  }

  function addAssistantTurn() {
    const id = nextId("answer");
    const turn = {
      id, text: "", citations: [], mode: null, refused: false, messageId: null, language: state.language,
    };
    turn.li = el("li", { class: "turn turn--assistant" });
    turn.article = el("article", { class: "answer", "aria-labelledby": id + "-label" });
    turn.noteEl = el("p", { class: "note", hidden: true });
    turn.typingEl = el("p", { class: "answer__typing", "data-i18n": "writing" }, t("writing"));
    turn.bodyEl = el("div", {
      class: "answer__body answer__body--streaming", id: id + "-body", "aria-live": "polite", "aria-busy": "true",
    });
    turn.sourcesEl = el("div", { class: "sources" });
    turn.feedbackEl = el("div", { class: "feedback", hidden: true });
    turn.article.append(
      el("h2", { class: "turn__label", id: id + "-label", "data-i18n": "answer" }, t("answer")),
      turn.noteEl, turn.typingEl, turn.bodyEl, turn.sourcesEl, turn.feedbackEl);
    turn.li.append(turn.article);
    els.thread.append(turn.li);
    state.turns.push(turn);
    return turn;
  }

  function completeTurn(turn) {
    turn.typingEl.remove();
    turn.bodyEl.classList.remove("answer__body--streaming");
    renderRich(turn.bodyEl, turn.text, turn);
    renderSources(turn);
    finishNotes(turn);
    turn.bodyEl.setAttribute("aria-busy", "false");
    if (turn.messageId) renderFeedback(turn);
  }

  /** Show a stored conversation again (after a reload). */
  function restoreTurns(messages) {
    for (const m of messages) {
      if (m.role === "user") {
        addUserTurn(m.content);
        continue;
      }
      const turn = addAssistantTurn();
      turn.text = m.content;
      turn.citations = m.citations || [];
      turn.mode = m.mode;
      turn.refused = Boolean(m.refused);
      turn.messageId = m.id;
      turn.feedback = m.feedback;
      turn.finished = true;
      completeTurn(turn);
    }
  }

  function showConversationChrome() {
    const started = els.thread.children.length > 0;
    els.examples.hidden = started;
    els.toolbar.hidden = !started;
  }

  // --- feedback -------------------------------------------------------------------------------------

  function renderFeedback(turn) {
    const fid = turn.id + "-comment";
    const status = el("p", { class: "feedback__status", role: "status" });
    const up = thumb("up", "thumb-up", t("yes"));
    const down = thumb("down", "thumb-down", t("no"));
    const textarea = el("textarea", { id: fid, rows: "3", maxlength: "4000" });
    const comment = el("form", { class: "feedback__comment", hidden: true },
      el("label", { for: fid, "data-i18n": "commentLabel" }, t("commentLabel")),
      textarea,
      el("div", null, el("button", { type: "submit", class: "button button--secondary", "data-i18n": "sendComment" }, t("sendComment"))));

    function thumb(rating, iconName, label) {
      return el("button", {
        type: "button", class: "thumb", "data-rating": rating, "aria-pressed": "false",
        onclick: () => rate(rating),
      }, icon(iconName), el("span", { "data-i18n": rating === "up" ? "yes" : "no" }, label));
    }

    function press(rating) {
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
    }

    async function rate(rating) {
      press(rating);
      comment.hidden = false;
      const ok = await sendFeedback(turn, rating, null);
      status.textContent = ok ? t("thanks") : t("feedbackFailed");
      if (ok) turn.feedback = { rating, comment: turn.feedback ? turn.feedback.comment : null };
    }

    comment.addEventListener("submit", async (event) => {
      event.preventDefault();
      const rating = (turn.feedback && turn.feedback.rating) || "down";
      const ok = await sendFeedback(turn, rating, textarea.value.trim() || null);
      status.textContent = ok ? t("thanksComment") : t("feedbackFailed");
    });

    if (turn.feedback) {
      press(turn.feedback.rating);
      if (turn.feedback.comment) textarea.value = turn.feedback.comment;
      comment.hidden = false;
    }
    turn.feedbackEl.replaceChildren(
      el("div", { class: "feedback__row", role: "group", "aria-labelledby": turn.id + "-fbq" },
        el("p", { class: "feedback__question", id: turn.id + "-fbq", "data-i18n": "feedbackQuestion" }, t("feedbackQuestion")),
        up, down),
      comment, status);
    turn.feedbackEl.hidden = false;
  }

  async function sendFeedback(turn, rating, comment) {
    try {
      const res = await fetch("/api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          conversation_id: state.conversationId, message_id: turn.messageId, rating, comment,
        }),
      });
      return res.ok;
    } catch (_) {
      return false;
    }
  }

  // --- the passage panel --------------------------------------------------------------------------------

  function openPassage(turn, n, opener) {
    const c = turn.citations.find((x) => x.n === n);
    if (!c) return;
    for (const b of document.querySelectorAll('.cite[aria-expanded="true"]')) b.setAttribute("aria-expanded", "false");
    if (opener.classList.contains("cite")) opener.setAttribute("aria-expanded", "true");
    state.opener = opener;
    state.panelTurn = turn;

    els.panelTitle.textContent = t("sourceTitle", { n });
    els.panelDoc.textContent = c.title || c.source || "";
    const meta = [];
    if (c.location) meta.push([t("section"), c.location]);
    if (c.page) meta.push([t("page"), String(c.page)]);
    if (c.source && c.source !== c.title) meta.push([t("file"), c.source]);
    els.panelMeta.replaceChildren(...meta.flatMap(([k, v]) => [el("dt", null, k), el("dd", null, v)]));
    renderRich(els.panelText, c.text || c.snippet || "", null);
    if (c.url) {
      els.panelLink.href = c.url;
      els.panelLink.replaceChildren(t("openSource"), el("span", { class: "visually-hidden" }, " " + t("newWindow")),
        icon("external", "icon-inline"));
      els.panelLinkRow.hidden = false;
    } else {
      els.panelLinkRow.hidden = true;
    }
    placePanel();
    els.panel.hidden = false;
    els.panelTitle.focus();
  }

  function closePassage() {
    els.panel.hidden = true;
    for (const b of document.querySelectorAll('.cite[aria-expanded="true"]')) b.setAttribute("aria-expanded", "false");
    if (state.opener && document.body.contains(state.opener)) state.opener.focus();
    state.opener = null;
  }

  /** Beside the answers on wide screens; directly below the answer it belongs to on narrow ones. */
  function placePanel() {
    if (NARROW.matches && state.panelTurn) {
      if (els.panel.previousElementSibling !== state.panelTurn.article) state.panelTurn.article.after(els.panel);
    } else if (els.panel.parentElement !== els.layout) {
      els.layout.append(els.panel);
    }
  }

  // --- asking -------------------------------------------------------------------------------------

  function showFormError(text) {
    els.formError.textContent = text;
    els.formError.hidden = !text;
    if (text) {
      els.question.setAttribute("aria-invalid", "true");
      els.question.setAttribute("aria-describedby", "form-error question-hint");
    } else {
      els.question.removeAttribute("aria-invalid");
      els.question.setAttribute("aria-describedby", "question-hint");
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    els.send.disabled = busy;
    els.stop.hidden = !busy;
    els.form.setAttribute("aria-busy", String(busy));
  }

  async function ask(question) {
    const text = (question || "").trim();
    if (state.busy) return;
    if (!text) {
      showFormError(t("emptyQuestion"));
      els.question.focus();
      return;
    }
    showFormError("");
    els.question.value = "";
    addUserTurn(text);
    const turn = addAssistantTurn();
    showConversationChrome();
    turn.li.previousElementSibling.scrollIntoView({ block: "start", behavior: "smooth" });
    announce(t("answering"));
    setBusy(true);
    const controller = new AbortController();
    state.controller = controller;
    try {
      const res = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ message: text, conversation_id: state.conversationId, language: state.language }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => null);
        const detail = (body && body.detail) || t("networkError");
        if (res.status === 404 || res.status === 422) {
          // The question itself was refused: give it back to the user to edit, with the reason.
          if (body && body.key === "conversation_not_found") forgetConversation();
          turn.li.previousElementSibling.remove();
          turn.li.remove();
          state.turns.pop();
          showConversationChrome();
          els.question.value = text;
          showFormError(detail);
          els.question.focus();
        } else {
          failTurn(turn, detail);
        }
        return;
      }
      await readEvents(res.body, (event, data) => handleEvent(turn, event, data));
      if (!turn.finished) failTurn(turn, t("networkError"));
    } catch (error) {
      if (controller.signal.aborted) {
        turn.stopped = true;
        turn.finished = true;
        completeTurn(turn);
        setNote(turn, "stopped", t("stoppedNote"));
      } else {
        failTurn(turn, t("networkError"));
      }
    } finally {
      state.controller = null;
      setBusy(false);
    }
  }

  function handleEvent(turn, event, data) {
    if (event === "token") {
      turn.text += data.text;
      turn.bodyEl.append(data.text);
    } else if (event === "sources") {
      turn.citations = Array.isArray(data) ? data : [];
    } else if (event === "done") {
      turn.finished = true;
      turn.mode = data.mode;
      turn.refused = Boolean(data.refused);
      turn.messageId = data.message_id;
      rememberConversation(data.conversation_id);
      completeTurn(turn);
      announce(t("answerReady"));
    } else if (event === "error") {
      turn.finished = true;
      failTurn(turn, (data && data.message) || t("networkError"));
    }
  }

  function failTurn(turn, message) {
    turn.finished = true;
    turn.typingEl.remove();
    turn.bodyEl.classList.remove("answer__body--streaming");
    if (turn.text) renderRich(turn.bodyEl, turn.text, turn);
    turn.bodyEl.setAttribute("aria-busy", "false");
    setNote(turn, "error", message);
    turn.noteEl.setAttribute("role", "alert");
  }

  /** Parse a text/event-stream body: blocks separated by a blank line, "event:" and "data:" fields. */
  async function readEvents(stream, onEvent) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      let boundary;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
        dispatch(block, onEvent);
      }
      if (done) break;
    }
    if (buffer.trim()) dispatch(buffer, onEvent);
  }

  function dispatch(block, onEvent) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return;
    let parsed;
    try { parsed = JSON.parse(data.join("\n")); } catch (_) { return; }
    onEvent(event, parsed);
  }

  // --- conversations ------------------------------------------------------------------------------

  function rememberConversation(id) {
    state.conversationId = id;
    storageSet(STORAGE.conversation, id);
  }

  function forgetConversation() {
    state.conversationId = null;
    storageSet(STORAGE.conversation, null);
  }

  function newConversation() {
    if (state.controller) state.controller.abort();
    forgetConversation();
    closePassage();
    state.panelTurn = null;
    placePanel(); // out of the thread before the thread is emptied
    els.thread.replaceChildren();
    state.turns = [];
    showConversationChrome();
    showFormError("");
    els.question.focus();
  }

  async function restore() {
    if (!state.conversationId) return;
    try {
      const res = await fetch("/api/conversations/" + encodeURIComponent(state.conversationId));
      if (res.status === 404) {
        forgetConversation();
        return;
      }
      if (!res.ok) return;
      const convo = await res.json();
      restoreTurns(convo.messages || []);
      showConversationChrome();
    } catch (_) { /* offline: start empty, the id is kept for the next try */ }
  }

  async function checkHealth() {
    try {
      const res = await fetch("/api/health");
      if (!res.ok) return;
      const health = await res.json();
      els.notice.hidden = health.llm !== false;
      // The box stops where the server does, whatever the server is set to (index.html has the default).
      if (Number.isInteger(health.max_question_chars)) els.question.maxLength = health.max_question_chars;
    } catch (_) { /* the notice is a nicety */ }
  }

  // --- wiring -------------------------------------------------------------------------------------

  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(els.question.value);
  });
  els.question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(els.question.value);
    }
  });
  els.question.addEventListener("input", () => { if (!els.formError.hidden) showFormError(""); });
  els.stop.addEventListener("click", () => { if (state.controller) state.controller.abort(); });
  els.newConversation.addEventListener("click", newConversation);
  els.toggle.addEventListener("click", () => {
    state.language = state.language === "sv" ? "en" : "sv";
    storageSet(STORAGE.language, state.language);
    applyLanguage();
    // Citation labels and notes of answers already shown follow the new language too.
    for (const turn of state.turns) {
      if (!turn.finished || turn.bodyEl.getAttribute("aria-busy") === "true") continue;
      renderRich(turn.bodyEl, turn.text, turn);
      renderSources(turn);
      if (!turn.stopped && turn.noteEl.className.indexOf("note--error") < 0) finishNotes(turn);
    }
  });
  els.panelClose.addEventListener("click", closePassage);
  els.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePassage();
  });
  NARROW.addEventListener("change", () => { if (!els.panel.hidden) placePanel(); });

  applyLanguage();
  showConversationChrome();
  checkHealth();
  restore().then(showConversationChrome);
})();
