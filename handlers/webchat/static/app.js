// kontobot web chat: the browser side of handlers/webchat.
//
// Plain JavaScript, no dependencies. Every visible text comes from the
// catalogue (GET /api/catalog, the webchat.* keys of config/messages/*/
// webchat.yaml); FALLBACK below is only for when that request fails.
// Untrusted text (names, messages) is only ever put into the page as DOM text
// nodes, never as HTML.
(function () {
  'use strict';

  var POLL_MS = 2000;
  var REQUEST_TIMEOUT_MS = 20000;
  var STORE_PERSON = 'kontobot.webchat.person';
  var STORE_LANG = 'kontobot.webchat.lang';
  var LANGS = ['sv', 'en'];
  var TIME_ZONE = 'Europe/Stockholm';

  // Emergency texts, used only if the catalogue cannot be loaded.
  var FALLBACK = {
    'webchat.title': 'kontobot',
    'webchat.subtitle': 'Anmäl nya konton i sociala medier',
    'webchat.lang.label': 'Språk / Language',
    'webchat.lang.sv': 'Svenska',
    'webchat.lang.en': 'English',
    'webchat.people.heading': 'Vem är du?',
    'webchat.people.filter_label': 'Sök person',
    'webchat.people.open': 'Byt person',
    'webchat.people.close': 'Stäng',
    'webchat.empty.title': 'kontobot',
    'webchat.empty.choose': 'Välj person',
    'webchat.chat.label': 'Konversation med kontobot',
    'webchat.chat.bot_name': 'kontobot',
    'webchat.composer.label': 'Meddelande till kontobot',
    'webchat.composer.send': 'Skicka',
    'webchat.error.generic': 'Något gick fel. Försök igen.',
    'webchat.error.network': 'Kunde inte nå kontobot. Försök igen.',
    'webchat.error.catalog': 'Sidans texter kunde inte hämtas. / The page texts could not be loaded.',
    'webchat.error.dismiss': 'Stäng'
  };
  var LANG_WORDS = { sv: 'svenska', en: 'english' }; // fallback for webchat.lang.command
  var APPROVER_ROLES = ['verksamhetschef', 'forvaltningschef', 'narmaste_chef', 'distriktsstyrelse'];

  var ICONS = {
    bot: [['path', 'M20 15a2 2 0 0 1-2 2H8l-4 3.5V6a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2z'],
          ['path', 'M8.5 10.5l2.25 2.25L15.5 8']],
    external: [['path', 'M14 4h6v6'], ['path', 'M20 4l-9 9'], ['path', 'M18 14v4a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h4']]
  };

  var state = {
    lang: 'sv',
    catalogs: {},        // lang -> {key: text}
    orgs: [],            // as from /api/people
    people: {},          // id -> person (with orgId, orgName)
    personId: null,
    msgs: new Map(),     // id -> message as last rendered
    lastId: 0,
    gen: 0,              // bumped on every person switch; stale responses are dropped
    pollTimer: null,
    pollFailed: false,
    sending: 0,          // POSTs in flight
    busyMsgId: null,     // message whose button was just pressed
    queue: Promise.resolve(),
    drafts: {},          // person id -> unsent text
    catalogFailed: false,
    today: ''
  };

  var $ = function (id) { return document.getElementById(id); };
  var el = {};

  // ---------------------------------------------------------------- texts

  function t(key, vars) {
    var cat = state.catalogs[state.lang] || {};
    var s = Object.prototype.hasOwnProperty.call(cat, key) ? cat[key]
      : Object.prototype.hasOwnProperty.call(FALLBACK, key) ? FALLBACK[key] : '';
    if (vars) {
      s = s.replace(/\{\{\s*(\w+)\s*\}\}/g, function (m, name) {
        return Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : '';
      });
    }
    return s;
  }

  function locale() { return state.lang === 'en' ? 'en-GB' : 'sv-SE'; }

  function fold(s) {
    // Lower case without diacritics, so "aberg" finds "Åberg".
    return String(s || '').toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }

  // ---------------------------------------------------------------- DOM helpers

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k === 'hidden') node.hidden = !!v;
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function icon(name, cls) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    if (cls) svg.setAttribute('class', cls);
    ICONS[name].forEach(function (p) {
      var e = document.createElementNS(ns, p[0]);
      e.setAttribute('d', p[1]);
      svg.appendChild(e);
    });
    return svg;
  }

  function initials(name) {
    var parts = String(name || '').trim().split(/\s+/).filter(Boolean);
    if (!parts.length) return '?';
    var first = Array.from(parts[0])[0] || '';
    var last = parts.length > 1 ? (Array.from(parts[parts.length - 1])[0] || '') : '';
    return (first + last).toUpperCase();
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }
  function isNarrow() {
    return window.matchMedia && window.matchMedia('(max-width: 859px)').matches;
  }
  function coarsePointer() {
    return window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* private mode: ignore */ }
  }
  function load(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // ---------------------------------------------------------------- API

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  async function api(method, path, body) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, REQUEST_TIMEOUT_MS) : null;
    var res;
    try {
      res = await fetch(path, {
        method: method,
        headers: body ? { 'Content-Type': 'application/json', 'Accept': 'application/json' }
                      : { 'Accept': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
        cache: 'no-store',
        credentials: 'same-origin',
        signal: ctrl ? ctrl.signal : undefined
      });
    } catch (e) {
      throw new ApiError(0, 'network', t('webchat.error.network'));
    } finally {
      if (timer) clearTimeout(timer);
    }
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      var err = data && data.error ? data.error : {};
      throw new ApiError(res.status, err.code || 'http_' + res.status,
                         err.message || t('webchat.error.generic'));
    }
    if (!data || typeof data !== 'object') throw new ApiError(res.status, 'bad_response', t('webchat.error.generic'));
    return data;
  }

  async function loadCatalog(lang) {
    if (state.catalogs[lang]) return true;
    try {
      var data = await api('GET', '/api/catalog?lang=' + encodeURIComponent(lang));
      state.catalogs[lang] = data.messages || {};
      return true;
    } catch (e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- errors

  var errorKind = null; // 'poll' | 'action' | 'catalog' | 'people'

  function showError(message, kind) {
    errorKind = kind || 'action';
    el.errorText.textContent = message || t('webchat.error.generic');
    el.error.hidden = false;
  }
  function clearError(kind) {
    if (kind && errorKind !== kind) return;
    errorKind = null;
    el.error.hidden = true;
    el.errorText.textContent = '';
  }

  // ---------------------------------------------------------------- chrome

  function applyChrome() {
    var root = document.documentElement;
    root.lang = state.lang;
    document.querySelectorAll('[data-i18n]').forEach(function (n) {
      var s = t(n.getAttribute('data-i18n'));
      if (n.textContent !== s) n.textContent = s;
    });
    [['data-i18n-placeholder', 'placeholder'], ['data-i18n-aria-label', 'aria-label'],
     ['data-i18n-title', 'title']].forEach(function (pair) {
      document.querySelectorAll('[' + pair[0] + ']').forEach(function (n) {
        n.setAttribute(pair[1], t(n.getAttribute(pair[0])));
      });
    });
    el.langButtons.forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-lang') === state.lang ? 'true' : 'false');
    });
    updateTitle();
    renderPeople();
    renderChatHead();
    renderChips();
    if (!state.personId) el.input.placeholder = t('webchat.composer.placeholder_none');
    relabelMessages();
  }

  function updateTitle() {
    var p = state.people[state.personId];
    var base = t('webchat.document_title') || t('webchat.title');
    document.title = p ? p.name + ' – ' + t('webchat.title') : base;
  }

  async function setLang(lang, opts) {
    opts = opts || {};
    if (LANGS.indexOf(lang) < 0) return;
    var ok = await loadCatalog(lang);
    if (!ok && !state.catalogs[lang]) {
      showError(t('webchat.error.network'), 'catalog');
      return;
    }
    var changed = lang !== state.lang;
    state.lang = lang;
    store(STORE_LANG, lang);
    applyChrome();
    if (changed && opts.tellBot && state.personId) {
      var word = state.catalogs[lang]['webchat.lang.command'] || LANG_WORDS[lang];
      sendText(word, { fromComposer: false, keepFocus: true });
    }
  }

  // ---------------------------------------------------------------- people

  function roleLabel(role) {
    return t('webchat.role.' + role) || role;
  }
  function roleClass(role) {
    if (role === 'requester') return 'badge badge--requester';
    if (APPROVER_ROLES.indexOf(role) >= 0) return 'badge badge--approver';
    if (role === 'informationsfunktion') return 'badge badge--info';
    return 'badge badge--admin';
  }
  function orgName(org) {
    return (state.lang === 'en' && org.name_en) ? org.name_en : org.name;
  }

  function renderPeople() {
    if (!state.orgs.length) return;
    var focusedId = document.activeElement && document.activeElement.getAttribute &&
      document.activeElement.getAttribute('data-person-id');
    var frag = document.createDocumentFragment();
    state.orgs.forEach(function (org) {
      var headingId = 'org-' + org.id;
      var list = h('ul', { class: 'person-list', 'aria-labelledby': headingId });
      (org.people || []).forEach(function (p) {
        var badges = h('span', { class: 'badges' }, (p.roles || []).map(function (r) {
          return h('span', { class: roleClass(r), text: roleLabel(r) });
        }));
        var current = p.id === state.personId;
        var button = h('button', {
          type: 'button',
          class: 'person',
          'data-person-id': p.id,
          'aria-current': current ? 'true' : null
        }, [
          h('span', { class: 'avatar', 'aria-hidden': 'true', text: initials(p.name) }),
          h('span', { class: 'person-main' }, [
            h('span', { class: 'person-name', text: p.name }),
            p.title ? h('span', { class: 'person-title', text: p.title }) : null,
            badges
          ])
        ]);
        list.appendChild(h('li', { 'data-search': fold([p.name, p.title, p.unit, org.name, org.name_en, p.id]
          .concat((p.roles || []).map(roleLabel)).join(' ')) }, [button]));
      });
      frag.appendChild(h('section', { class: 'org', 'data-org-id': org.id }, [
        h('h3', { class: 'org-name', id: headingId }, [
          h('span', { text: orgName(org) }),
          h('span', { class: 'org-count', 'aria-hidden': 'true', text: String((org.people || []).length) })
        ]),
        list
      ]));
    });
    el.people.textContent = '';
    el.people.appendChild(frag);
    el.people.removeAttribute('aria-busy');
    applyFilter();
    if (focusedId) {
      var again = el.people.querySelector('button[data-person-id="' + cssEscape(focusedId) + '"]');
      if (again) again.focus();
    }
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  function applyFilter() {
    var q = el.filter.value.trim();
    var words = fold(q).split(/\s+/).filter(Boolean);
    var shown = 0;
    el.people.querySelectorAll('.org').forEach(function (section) {
      var any = false;
      section.querySelectorAll('li').forEach(function (li) {
        var hay = li.getAttribute('data-search') || '';
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; });
        li.hidden = !ok;
        if (ok) { any = true; shown++; }
      });
      section.hidden = !any;
    });
    if (shown === 0 && words.length) {
      el.peopleEmpty.textContent = t('webchat.people.no_match', { query: q });
      el.peopleEmpty.hidden = false;
    } else if (errorKind !== 'people') {
      el.peopleEmpty.hidden = true;
      el.peopleEmpty.textContent = '';
    }
  }

  function visiblePersonButtons() {
    return Array.prototype.filter.call(el.people.querySelectorAll('button.person'), function (b) {
      return !b.closest('[hidden]');
    });
  }

  async function loadPeople() {
    try {
      var data = await api('GET', '/api/people');
      state.orgs = Array.isArray(data.organisations) ? data.organisations : [];
      state.people = {};
      state.orgs.forEach(function (org) {
        (org.people || []).forEach(function (p) {
          p.orgId = org.id;
          p.org = org;
          state.people[p.id] = p;
        });
      });
      renderPeople();
      return true;
    } catch (e) {
      el.people.textContent = '';
      el.people.removeAttribute('aria-busy');
      el.peopleEmpty.textContent = t('webchat.error.people') || e.message;
      el.peopleEmpty.hidden = false;
      return false;
    }
  }

  // ---------------------------------------------------------------- drawer (phones)

  function openPanel() {
    if (!isNarrow()) { el.filter.focus(); return; }
    document.body.classList.add('panel-open');
    el.scrim.hidden = false;
    el.peopleOpen.setAttribute('aria-expanded', 'true');
    el.panel.removeAttribute('inert');
    var current = el.people.querySelector('button[aria-current="true"]');
    (current || el.filter).focus();
  }
  function closePanel(restoreFocus) {
    if (!document.body.classList.contains('panel-open')) return;
    document.body.classList.remove('panel-open');
    el.scrim.hidden = true;
    el.peopleOpen.setAttribute('aria-expanded', 'false');
    syncPanelInert();
    if (restoreFocus) (state.personId ? el.peopleOpen : el.emptyChoose).focus();
  }
  function syncPanelInert() {
    // Closed drawer on a phone: out of the tab order and the accessibility tree.
    if (isNarrow() && !document.body.classList.contains('panel-open')) el.panel.setAttribute('inert', '');
    else el.panel.removeAttribute('inert');
  }

  // ---------------------------------------------------------------- sign-in

  function useSignedIn(person) {
    var org = person.org || {};
    person.orgId = org.id;
    person.org = org;
    state.orgs = [];
    state.people = {};
    state.people[person.id] = person;
    document.body.classList.add('signed-in');
    el.panel.hidden = true;
    el.peopleOpen.hidden = true;
    el.emptyChoose.hidden = true;
  }

  // ---------------------------------------------------------------- choosing a person

  function personFromHash() {
    var m = /(?:^#|&)person=([^&]+)/.exec(location.hash || '');
    if (!m) return null;
    try { return decodeURIComponent(m[1]); } catch (e) { return null; }
  }

  function renderChatHead() {
    var p = state.people[state.personId];
    el.chatHead.hidden = !p;
    el.chatPerson.textContent = '';
    if (!p) return;
    var sub = [p.title, p.org ? orgName(p.org) : ''].filter(Boolean).join(' · ');
    el.chatPerson.appendChild(h('span', { class: 'avatar avatar--lg', 'aria-hidden': 'true', text: initials(p.name) }));
    el.chatPerson.appendChild(h('div', { class: 'chat-person-text' }, [
      h('span', { class: 'chat-as', text: t('webchat.chat.as') }),
      h('span', { class: 'chat-name-row' }, [
        h('span', { class: 'chat-name', text: p.name }),
        h('span', { class: 'badges' }, (p.roles || []).map(function (r) {
          return h('span', { class: roleClass(r), text: roleLabel(r) });
        }))
      ]),
      sub ? h('span', { class: 'chat-sub', text: sub }) : null
    ]));
  }

  function renderChips() {
    var words = (t('webchat.chips') || '').split('|').map(function (s) { return s.trim(); }).filter(Boolean);
    el.chips.textContent = '';
    words.forEach(function (w) {
      el.chips.appendChild(h('button', { type: 'button', class: 'chip', 'data-text': w, text: w }));
    });
    el.chips.hidden = !words.length || !state.personId;
    setBusyUi();
  }

  async function selectPerson(id, opts) {
    opts = opts || {};
    if (!id || !state.people[id]) return false;
    if (id === state.personId && !opts.force) {
      closePanel(false);
      if (!opts.initial) focusComposer();
      return true;
    }
    if (state.personId) state.drafts[state.personId] = el.input.value;
    state.personId = id;
    state.gen++;
    state.msgs.clear();
    state.lastId = 0;
    state.busyMsgId = null;
    stopPolling();
    clearError();
    store(STORE_PERSON, id);
    if (personFromHash() !== id) {
      try { history.replaceState(null, '', '#person=' + encodeURIComponent(id)); } catch (e) { location.hash = 'person=' + encodeURIComponent(id); }
    }
    el.people.querySelectorAll('button.person').forEach(function (b) {
      if (b.getAttribute('data-person-id') === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    el.empty.hidden = true;
    el.scrollWrap.hidden = false;
    el.composer.hidden = false;
    el.input.placeholder = t('webchat.composer.placeholder');
    el.input.value = state.drafts[id] || '';
    autosize();
    renderChatHead();
    renderChips();
    updateTitle();
    el.messages.textContent = '';
    el.newPill.hidden = true;
    closePanel(false);
    if (!opts.initial) focusComposer();
    var chosen = el.people.querySelector('button[aria-current="true"]');
    if (chosen && opts.initial) chosen.scrollIntoView({ block: 'center' });

    var gen = state.gen;
    el.loading.hidden = false;
    el.messages.setAttribute('aria-busy', 'true');
    try {
      var data = await api('GET', '/api/messages?person=' + encodeURIComponent(id) + '&after=0');
      if (gen !== state.gen) return true;
      // The cursor moves with new and edited messages alike, so a poll
      // after it also brings edits (an approval request whose buttons were
      // replaced by the decision).
      if (typeof data.cursor === 'number') state.lastId = data.cursor;
      // The person's own language, kept by the server: the page follows it,
      // so a reload (or another device) never falls back to Svenska.
      if (data.lang && data.lang !== state.lang) await setLang(data.lang, { tellBot: false });
      if (gen !== state.gen) return true;
      ingest(data.messages, { initial: true });
    } catch (e) {
      if (gen !== state.gen) return true;
      showError(e.message, 'poll');
      state.pollFailed = true;
    } finally {
      if (gen === state.gen) {
        el.loading.hidden = true;
        el.messages.removeAttribute('aria-busy');
        schedulePoll();
      }
    }
    return true;
  }

  function focusComposer() {
    if (el.composer.hidden) return;
    // On touch screens focusing the box opens the keyboard over the answer.
    if (coarsePointer() && document.activeElement !== el.input) return;
    el.input.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- polling

  function stopPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }
  function schedulePoll(delay) {
    stopPolling();
    if (!state.personId) return;
    state.pollTimer = setTimeout(poll, delay === undefined ? POLL_MS : delay);
  }

  async function poll() {
    state.pollTimer = null;
    var gen = state.gen;
    var id = state.personId;
    if (!id) return;
    if (document.hidden) { schedulePoll(); return; }
    try {
      var data = await api('GET', '/api/messages?person=' + encodeURIComponent(id) + '&after=' + state.lastId);
      if (gen !== state.gen) return;
      if (typeof data.cursor === 'number') state.lastId = Math.max(state.lastId, data.cursor);
      ingest(data.messages, {});
      var today = dayKey(new Date().toISOString());
      if (today !== state.today) { state.today = today; relabelMessages(); } // "Idag" after midnight
      if (state.pollFailed) { state.pollFailed = false; clearError('poll'); }
    } catch (e) {
      if (gen !== state.gen) return;
      if (!state.pollFailed && e.status === 0) showError(t('webchat.error.poll'), 'poll');
      else if (!state.pollFailed) showError(e.message, 'poll');
      state.pollFailed = true;
    } finally {
      if (gen === state.gen && !state.pollTimer) schedulePoll(state.pollFailed ? POLL_MS * 2 : POLL_MS);
    }
  }

  // ---------------------------------------------------------------- messages

  function sameMessage(a, b) {
    return a.direction === b.direction && a.text === b.text &&
      (a.edited_at || null) === (b.edited_at || null) &&
      (a.id === 0 || a.at === b.at) &&
      JSON.stringify(a.buttons || []) === JSON.stringify(b.buttons || []);
  }

  function messageNode(id) {
    return el.messages.querySelector('.msg[data-id="' + id + '"]');
  }

  function ingest(list, opts) {
    opts = opts || {};
    if (!Array.isArray(list) || !list.length) return;
    var nearBottom = isNearBottom();
    var added = 0, changed = 0;
    var refocus = null;
    list.slice().sort(function (a, b) { return a.id - b.id; }).forEach(function (m) {
      if (!m || typeof m.id !== 'number' || !isFinite(m.id)) return;
      var prev = state.msgs.get(m.id);
      if (prev && sameMessage(prev, m)) return;
      state.msgs.set(m.id, m);
      changed++;
      var node = buildMessage(m);
      var old = prev ? messageNode(m.id) : null;
      if (old) {
        if (old.contains(document.activeElement)) refocus = m.id;
        old.replaceWith(node);
      } else {
        insertInOrder(node, m.id);
        added++;
      }
    });
    if (!changed) return;
    layoutMessages();
    if (refocus !== null) {
      var n = messageNode(refocus);
      var b = n && n.querySelector('button.msg-button:not([disabled])');
      if (b) b.focus({ preventScroll: true }); else focusComposer();
    }
    if (added) {
      if (opts.initial || opts.fromSend || nearBottom) scrollToBottom(!opts.initial);
      else el.newPill.hidden = false;
    }
  }

  function insertInOrder(node, id) {
    var items = el.messages.querySelectorAll('.msg');
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].getAttribute('data-id')) < id) {
        items[i].after(node);
        return;
      }
    }
    el.messages.insertBefore(node, el.messages.firstChild);
  }

  function buildMessage(m) {
    var out = m.direction !== 'in';
    var author = out ? 'webchat.chat.bot_name' : 'webchat.chat.you';
    var meta = h('div', { class: 'msg-meta' }, [
      h('span', { class: 'msg-author', 'data-i18n': author, text: t(author) }),
      h('time', { class: 'msg-time', datetime: m.at || '', text: formatTime(m.at) })
    ]);
    if (m.edited_at) {
      meta.appendChild(h('span', {
        class: 'msg-edited',
        'data-i18n': 'webchat.chat.edited',
        'data-edited-at': m.edited_at,
        title: t('webchat.chat.edited_at', { time: formatTime(m.edited_at) }),
        text: t('webchat.chat.edited')
      }));
    }
    var text = h('div', { class: 'msg-text' });
    renderText(text, m.text || '', out);
    var body = h('div', { class: 'msg-body' }, [meta, h('div', { class: 'msg-bubble' }, [text])]);

    var buttons = Array.isArray(m.buttons) ? m.buttons : [];
    if (out && buttons.length) {
      var busy = state.busyMsgId === m.id;
      var group = h('div', { class: 'msg-buttons', role: 'group', 'aria-label': t('webchat.chat.buttons_label'),
                             'data-i18n-aria-label': 'webchat.chat.buttons_label' });
      buttons.forEach(function (b) {
        var style = b.style === 'primary' || b.style === 'danger' ? b.style : 'default';
        group.appendChild(h('button', {
          type: 'button',
          class: 'msg-button msg-button--' + style,
          'data-action-id': b.id || '',
          'data-action-value': b.value || '',
          disabled: busy,
          text: b.label || b.id || ''
        }));
      });
      body.appendChild(group);
    }

    var li = h('li', {
      class: 'msg msg--' + (out ? 'out' : 'in') + (m.edited_at ? ' msg--edited' : ''),
      'data-id': String(m.id),
      'data-direction': out ? 'out' : 'in',
      'data-day': dayKey(m.at)
    });
    if (out) {
      var avatar = h('span', { class: 'msg-avatar', 'aria-hidden': 'true' });
      avatar.appendChild(icon('bot'));
      li.appendChild(avatar);
    }
    li.appendChild(body);
    return li;
  }

  // Day dividers, "continued" grouping and the latest bot message, computed
  // from the order of the rendered messages; only changed nodes are touched.
  function layoutMessages() {
    var children = Array.prototype.slice.call(el.messages.children);
    var prevDay = null, prevMsg = null;
    var lastOut = null;
    children.forEach(function (node) {
      if (node.classList.contains('day')) {
        // Kept only if directly followed by a message of that day, and it starts a new day.
        var next = node.nextElementSibling;
        var keep = next && next.classList.contains('msg') && next.getAttribute('data-day') === node.getAttribute('data-day') &&
          next.getAttribute('data-day') !== prevDay;
        if (!keep) node.remove();
        return;
      }
      if (!node.classList.contains('msg')) return;
      var day = node.getAttribute('data-day');
      if (day && day !== prevDay) {
        var before = node.previousElementSibling;
        if (!(before && before.classList.contains('day') && before.getAttribute('data-day') === day)) {
          node.before(h('li', { class: 'day', 'data-day': day }, [h('span', { text: dayLabel(day) })]));
        }
      }
      var cont = prevMsg && day === prevDay &&
        prevMsg.getAttribute('data-direction') === node.getAttribute('data-direction') &&
        closeInTime(prevMsg, node);
      node.classList.toggle('msg--cont', !!cont);
      if (node.getAttribute('data-direction') === 'out') lastOut = node;
      prevDay = day;
      prevMsg = node;
    });
    el.messages.querySelectorAll('.msg--latest').forEach(function (n) {
      if (n !== lastOut) n.classList.remove('msg--latest');
    });
    // Buttons on the latest bot message are emphasised; older ones stay usable.
    if (lastOut) lastOut.classList.add('msg--latest');
  }

  function closeInTime(a, b) {
    var ta = Date.parse(a.querySelector('time').getAttribute('datetime'));
    var tb = Date.parse(b.querySelector('time').getAttribute('datetime'));
    return isFinite(ta) && isFinite(tb) && Math.abs(tb - ta) < 5 * 60 * 1000;
  }

  function relabelMessages() {
    el.messages.querySelectorAll('.day').forEach(function (d) {
      d.firstChild.textContent = dayLabel(d.getAttribute('data-day'));
    });
    el.messages.querySelectorAll('.link-note').forEach(function (n) {
      n.textContent = ' ' + t('webchat.chat.new_window');
    });
    el.messages.querySelectorAll('.msg-edited').forEach(function (e) {
      e.title = t('webchat.chat.edited_at', { time: formatTime(e.getAttribute('data-edited-at')) });
    });
  }

  // --- text formatting: *bold*, "• " and "1. " lists, links. Builds DOM nodes.

  function renderText(container, text, rich) {
    var lines = String(text).replace(/\r\n?/g, '\n').split('\n');
    var list = null, listKind = null, gap = false;
    lines.forEach(function (line) {
      var bullet = rich && /^\s*[•·\-–]\s+(.*)$/.exec(line);
      var numbered = rich && /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line);
      if (!line.trim()) { list = null; gap = true; return; }
      if (bullet || numbered) {
        var kind = bullet ? 'ul' : 'ol';
        if (!list || listKind !== kind) {
          list = h(kind, { class: gap ? 'gap' : null });
          listKind = kind;
          container.appendChild(list);
          gap = false;
        }
        var li = h('li');
        if (numbered) li.setAttribute('value', numbered[1]);
        appendInline(li, bullet ? bullet[1] : numbered[2], rich);
        list.appendChild(li);
        return;
      }
      list = null;
      var p = h('p', { class: gap ? 'gap' : null });
      gap = false;
      appendInline(p, line, rich);
      container.appendChild(p);
    });
  }

  function appendInline(parent, s, rich) {
    if (!rich) { appendLinks(parent, s); return; }
    var re = /\*([^*\s](?:[^*\n]*[^*\s])?)\*/g;
    var last = 0, m;
    while ((m = re.exec(s))) {
      if (m.index > last) appendLinks(parent, s.slice(last, m.index));
      var strong = h('strong');
      appendLinks(strong, m[1]);
      parent.appendChild(strong);
      last = re.lastIndex;
    }
    if (last < s.length) appendLinks(parent, s.slice(last));
  }

  function appendLinks(parent, s) {
    var re = /(\bhttps?:\/\/[^\s<>"“”]+|\bwww\.[^\s<>"“”]+\.[^\s<>"“”]+)/gi;
    var last = 0, m;
    while ((m = re.exec(s))) {
      var url = m[1];
      // Trailing punctuation belongs to the sentence, not the address.
      while (/[.,;:!?'’”»)\]]$/.test(url)) {
        if (url.slice(-1) === ')' && (url.split('(').length > url.split(')').length - 1)) break;
        url = url.slice(0, -1);
      }
      if (m.index > last) parent.appendChild(document.createTextNode(s.slice(last, m.index)));
      var href = /^https?:\/\//i.test(url) ? url : 'https://' + url;
      var a = h('a', { href: href, target: '_blank', rel: 'noopener noreferrer', class: 'msg-link' }, [url]);
      a.appendChild(h('span', { class: 'sr-only link-note', text: ' ' + t('webchat.chat.new_window') }));
      parent.appendChild(a);
      last = m.index + url.length;
      re.lastIndex = last;
    }
    if (last < s.length) parent.appendChild(document.createTextNode(s.slice(last)));
  }

  // --- times (Europe/Stockholm)

  var fmtCache = {};
  function fmt(kind) {
    var key = kind + '|' + state.lang;
    if (fmtCache[key]) return fmtCache[key];
    var opts = kind === 'time' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : kind === 'key' ? { year: 'numeric', month: '2-digit', day: '2-digit' }
      : kind === 'day' ? { weekday: 'long', day: 'numeric', month: 'long' }
      : { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };
    var loc = kind === 'key' ? 'en-CA' : locale();
    try {
      fmtCache[key] = new Intl.DateTimeFormat(loc, Object.assign({ timeZone: TIME_ZONE }, opts));
    } catch (e) {
      fmtCache[key] = new Intl.DateTimeFormat(loc, opts);
    }
    return fmtCache[key];
  }
  function parseDate(iso) {
    var d = iso ? new Date(iso) : null;
    return d && isFinite(d.getTime()) ? d : null;
  }
  function formatTime(iso) {
    var d = parseDate(iso);
    return d ? fmt('time').format(d) : '';
  }
  function dayKey(iso) {
    var d = parseDate(iso);
    if (!d) return '';
    var parts = {};
    fmt('key').formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + '-' + parts.month + '-' + parts.day;
  }
  function dayLabel(key) {
    var now = new Date();
    if (key === dayKey(now.toISOString())) return t('webchat.chat.today');
    if (key === dayKey(new Date(now.getTime() - 864e5).toISOString())) return t('webchat.chat.yesterday');
    var d = new Date(key + 'T12:00:00Z');
    if (!isFinite(d.getTime())) return key;
    var sameYear = key.slice(0, 4) === dayKey(now.toISOString()).slice(0, 4);
    var s = fmt(sameYear ? 'day' : 'dayYear').format(d);
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  // --- scrolling

  function isNearBottom() {
    var s = el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 96;
  }
  function scrollToBottom(smooth) {
    var s = el.scroller;
    var behavior = smooth && !reducedMotion() ? 'smooth' : 'auto';
    if (typeof s.scrollTo === 'function') s.scrollTo({ top: s.scrollHeight, behavior: behavior });
    else s.scrollTop = s.scrollHeight;
    el.newPill.hidden = true;
  }

  // ---------------------------------------------------------------- sending

  function enqueue(job) {
    state.sending++;
    setBusyUi();
    var run = state.queue.then(job).catch(function () {}).then(function () {
      state.sending--;
      setBusyUi();
    });
    state.queue = run;
    return run;
  }

  function setBusyUi() {
    var busy = state.sending > 0;
    el.send.disabled = busy;
    el.input.readOnly = busy;
    el.input.setAttribute('aria-busy', busy ? 'true' : 'false');
    el.chips.querySelectorAll('button').forEach(function (b) { b.disabled = busy; });
    el.typing.hidden = !busy;
    if (busy && isNearBottom()) scrollToBottom(false);
  }

  function langOfWord(text) {
    var w = fold(text).trim().replace(/[.!]+$/, '');
    if (w === 'english' || w === 'engelska') return 'en';
    if (w === 'svenska' || w === 'swedish') return 'sv';
    return null;
  }

  function sendText(text, opts) {
    opts = opts || {};
    var id = state.personId;
    if (!id || !String(text).trim()) return Promise.resolve();
    var gen = state.gen;
    return enqueue(async function () {
      if (gen !== state.gen) return;
      try {
        var data = await api('POST', '/api/messages', { person: id, text: text });
        if (gen !== state.gen) return;
        if (opts.fromComposer && el.input.value === text) {
          el.input.value = '';
          state.drafts[id] = '';
          autosize();
        }
        clearError('action');
        ingest(data.messages, { fromSend: true });
        var l = opts.fromComposer || opts.chip ? langOfWord(text) : null;
        if (l && l !== state.lang) setLang(l, { tellBot: false });
      } catch (e) {
        if (gen !== state.gen) return;
        showError(opts.fromComposer && e.status === 0 ? t('webchat.error.unsent') + ' ' + e.message : e.message, 'action');
      } finally {
        if (gen === state.gen && !opts.keepFocus) focusComposer();
      }
    });
  }

  function pressButton(button) {
    var li = button.closest('.msg');
    if (!li || state.sending) return;
    var msgId = Number(li.getAttribute('data-id'));
    var action = { id: button.getAttribute('data-action-id'), value: button.getAttribute('data-action-value') || '' };
    var id = state.personId, gen = state.gen;
    state.busyMsgId = msgId;
    li.querySelectorAll('button.msg-button').forEach(function (b) { b.disabled = true; });
    button.classList.add('is-pressed');
    button.setAttribute('aria-busy', 'true');
    return enqueue(async function () {
      try {
        var data = await api('POST', '/api/messages', { person: id, message_id: msgId, action: action });
        if (gen !== state.gen) return;
        clearError('action');
        state.busyMsgId = null;
        ingest(data.messages, { fromSend: true });
        if (action.id === 'lang' && LANGS.indexOf(action.value) >= 0 && action.value !== state.lang) {
          setLang(action.value, { tellBot: false });
        }
      } catch (e) {
        if (gen !== state.gen) return;
        showError(e.message, 'action');
        if (e.status === 409) schedulePoll(0); // the message has changed: fetch it again
      } finally {
        if (gen === state.gen) {
          state.busyMsgId = null;
          var still = messageNode(msgId);
          if (still) {
            still.querySelectorAll('button.msg-button').forEach(function (b) {
              b.disabled = false;
              b.classList.remove('is-pressed');
              b.removeAttribute('aria-busy');
            });
          }
          focusComposer();
        }
      }
    });
  }

  function autosize() {
    var i = el.input;
    i.style.height = 'auto';
    i.style.height = Math.min(i.scrollHeight, 200) + 'px';
  }

  // ---------------------------------------------------------------- events

  function bind() {
    el.langButtons.forEach(function (b) {
      b.addEventListener('click', function () { setLang(b.getAttribute('data-lang'), { tellBot: true }); });
    });

    el.filter.addEventListener('input', applyFilter);
    el.filter.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        var first = visiblePersonButtons()[0];
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === 'Enter') {
        var all = visiblePersonButtons();
        if (all.length === 1) { e.preventDefault(); selectPerson(all[0].getAttribute('data-person-id')); }
      } else if (e.key === 'Escape' && el.filter.value) {
        e.preventDefault();
        el.filter.value = '';
        applyFilter();
      }
    });

    el.people.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-person-id]');
      if (b) selectPerson(b.getAttribute('data-person-id'));
    });
    el.people.addEventListener('keydown', function (e) {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
      var list = visiblePersonButtons();
      var i = list.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      var next = e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1
        : e.key === 'ArrowDown' ? Math.min(i + 1, list.length - 1) : i - 1;
      if (next < 0) { el.filter.focus(); return; }
      list[next].focus();
    });

    el.peopleOpen.addEventListener('click', openPanel);
    el.emptyChoose.addEventListener('click', openPanel);
    el.peopleClose.addEventListener('click', function () { closePanel(true); });
    el.scrim.addEventListener('click', function () { closePanel(true); });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && document.body.classList.contains('panel-open')) closePanel(true);
    });
    var mq = window.matchMedia('(max-width: 859px)');
    var onMq = function () { if (!isNarrow()) closePanel(false); syncPanelInert(); };
    if (mq.addEventListener) mq.addEventListener('change', onMq); else mq.addListener(onMq);

    el.skip.addEventListener('click', function (e) {
      e.preventDefault();
      if (!el.composer.hidden) el.input.focus(); else el.main.focus();
    });

    el.composer.addEventListener('submit', function (e) {
      e.preventDefault();
      if (state.sending) return;
      var text = el.input.value;
      if (!text.trim()) { el.input.focus(); return; }
      sendText(text, { fromComposer: true });
    });
    // Keep the text box focused (and a phone's keyboard open) when the send button is pressed.
    el.send.addEventListener('mousedown', function (e) {
      if (document.activeElement === el.input) e.preventDefault();
    });
    el.input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
        e.preventDefault();
        if (typeof el.composer.requestSubmit === 'function') el.composer.requestSubmit();
        else el.composer.dispatchEvent(new Event('submit', { cancelable: true }));
      }
    });
    el.input.addEventListener('input', function () {
      autosize();
      if (state.personId) state.drafts[state.personId] = el.input.value;
    });

    el.chips.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-text]');
      if (b && !state.sending) sendText(b.getAttribute('data-text'), { chip: true });
    });

    el.messages.addEventListener('click', function (e) {
      var b = e.target.closest('button.msg-button');
      if (b && !b.disabled) pressButton(b);
    });

    el.scroller.addEventListener('scroll', function () {
      if (!el.newPill.hidden && isNearBottom()) el.newPill.hidden = true;
    }, { passive: true });
    el.newPill.addEventListener('click', function () {
      scrollToBottom(true);
      var all = el.messages.querySelectorAll('.msg');
      var last = all[all.length - 1];
      if (last) { last.setAttribute('tabindex', '-1'); last.focus({ preventScroll: true }); }
    });

    el.errorClose.addEventListener('click', function () {
      clearError();
      focusComposer();
    });

    window.addEventListener('hashchange', function () {
      var id = personFromHash();
      if (id && id !== state.personId) selectPerson(id);
    });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && state.personId) schedulePoll(0);
    });
  }

  // ---------------------------------------------------------------- start

  async function start() {
    el = {
      app: $('app'), main: $('main'), skip: $('skip-link'), demoBadge: $('demo-badge'),
      panel: $('people-panel'), people: $('people'), peopleEmpty: $('people-empty'), filter: $('people-filter'),
      peopleOpen: $('people-open'), peopleClose: $('people-close'), scrim: $('scrim'),
      chatHead: $('chat-head'), chatPerson: $('chat-person'),
      empty: $('empty'), emptyChoose: $('empty-choose'),
      scroller: $('scroller'), scrollWrap: $('scroll-wrap'), messages: $('messages'), loading: $('chat-loading'), typing: $('typing'),
      newPill: $('new-messages'),
      composer: $('composer'), input: $('composer-input'), send: $('composer-send'), chips: $('chips'),
      error: $('error'), errorText: $('error-text'), errorClose: $('error-close'),
      langButtons: Array.prototype.slice.call(document.querySelectorAll('.lang-btn'))
    };
    bind();
    syncPanelInert();

    var storedLang = load(STORE_LANG);
    var lang = LANGS.indexOf(storedLang) >= 0 ? storedLang : 'sv';
    var ok = await loadCatalog(lang);
    if (!ok && lang !== 'sv') { lang = 'sv'; ok = await loadCatalog(lang); }
    state.lang = lang;
    applyChrome();
    if (!ok) {
      state.catalogFailed = true;
      showError(t('webchat.error.catalog'), 'catalog');
      el.error.hidden = false;
    }

    // Signed in through the organisation's sign-in: that person's own chat,
    // and nobody to pick. Otherwise the demo, which says so.
    var session = null;
    try {
      session = await api('GET', '/api/session');
    } catch (e) {
      showError(e.message, 'people');
      return;
    }
    if (session.sign_in && session.person) {
      useSignedIn(session.person);
      await selectPerson(session.person.id, { initial: true });
      return;
    }
    el.demoBadge.hidden = false;
    if (!(await loadPeople())) return;
    var fromHash = personFromHash();
    var stored = load(STORE_PERSON);
    if (stored && !state.people[stored]) store(STORE_PERSON, null);
    var wanted = state.people[fromHash] ? fromHash : state.people[stored] ? stored : null;
    if (wanted) await selectPerson(wanted, { initial: true });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
