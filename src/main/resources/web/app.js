// agc-gateway dashboard: one page, hash routes, the gateway's own public API (docs/ARCHITECTURE.md "API and errors").
// Every value from the API reaches the DOM through textContent or attributes, never as markup.

import { renderHealth } from './health.js';

const KEY_STORE = 'agc-gateway.secret-key';
const LOG_FILTER_STORE = 'agc-gateway.log-filters';
// signed in with the read-only operator key (gateway.operator-key): the Health page only
const OPERATOR_STORE = 'agc-gateway.operator';
const POLL_MS = 2500;

const COMMON_SCOPES = [
  ['read:jira-user', 'Read user information'],
  ['read:jira-work', 'Read Jira issues and projects'],
  ['write:jira-work', 'Create and update Jira issues'],
  ['manage:jira-project', 'Manage project settings'],
  ['offline_access', 'Access refresh tokens for offline use'],
  ['read:page:confluence', 'Read Confluence pages'],
  ['write:page:confluence', 'Create or update Confluence pages'],
  ['read:confluence-space.summary', 'View space information'],
  ['write:confluence-file', 'Upload files or attachments'],
  ['manage:confluence-configuration', 'Manage Confluence settings'],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOutButton = document.getElementById('sign-out');
const toastBox = document.getElementById('toast');

let secretKey = sessionStorage.getItem(KEY_STORE);
let operatorOnly = sessionStorage.getItem(OPERATOR_STORE) === '1';
let pageTimers = [];
let pageCleanups = [];
let flash = null;
let providersCache = null;

// ---------- small helpers ----------

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

function toast(text, kind = 'ok') {
  clear(toastBox).append(h('p', { class: 'toast-' + kind, text }));
  toastBox.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => toastBox.classList.remove('show'), 4000);
}

function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

function relTime(iso) {
  if (!iso) return '';
  const d = new Date(iso).getTime();
  if (Number.isNaN(d)) return '';
  const diff = Math.round((d - Date.now()) / 1000);
  const abs = Math.abs(diff);
  const [n, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return diff >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

function timeCell(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  return h('time', { datetime: iso, title: fmtTime(iso) }, relTime(iso));
}

/** Never shows a whole secret: the first 4 characters, then dots. */
function mask(value) {
  const s = String(value ?? '');
  if (!s) return '';
  return s.length <= 8 ? '••••••' : s.slice(0, 4) + '••••••';
}

const SECRET_KEY_NAME = /token|secret|password|code_verifier|^code$|assertion|private/i;

function maskDeep(value, key = '') {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key));
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, k);
    return out;
  }
  if (SECRET_KEY_NAME.test(key) && !/expires|type$/i.test(key)) return mask(value);
  return value;
}

function pre(value) {
  return h('pre', { class: 'code' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

function logoSrc(integration) {
  // The API gives an absolute URL built from the public URL; the page may be opened under another
  // host name (127.0.0.1 vs localhost), and the CSP allows images from this origin only.
  try {
    const u = new URL(integration.logo, location.href);
    if (u.pathname.startsWith('/logos/')) return u.pathname;
  } catch { /* fall through */ }
  return '/logos/' + encodeURIComponent(integration.provider) + '.svg';
}

function logoImg(src) {
  const img = h('img', { class: 'logo', src, alt: '', width: 28, height: 28, loading: 'lazy' });
  img.addEventListener('error', () => img.classList.add('logo-missing'));
  return img;
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message, errors) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

async function api(method, path, body, keyOverride) {
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + (keyOverride ?? secretKey ?? '') };
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network_error', `The gateway did not answer ${method} ${path} (${e.message}). Is it running?`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = data && data.error;
    const code = (err && typeof err === 'object' && err.code) || 'http_' + res.status;
    let message = err && typeof err === 'object' && err.message ? err.message
      : typeof err === 'string' ? err : `${method} ${path} answered HTTP ${res.status}.`;
    if (res.status === 404 && !err) message = `${method} ${path} is not available on this gateway (HTTP 404).`;
    if (err && Array.isArray(err.errors) && err.errors.length) {
      message += ' ' + err.errors.map((e) => e.message).filter((m) => m && m !== message).join(' ');
    }
    if (res.status === 401 && keyOverride === undefined && secretKey) {
      signOut('The gateway no longer accepts this secret key: ' + message);
    }
    throw new ApiError(res.status, code, message.trim(), err && err.errors);
  }
  return data;
}

function errorBox(e, what) {
  const box = h('div', { class: 'alert alert-error', role: 'alert' },
    h('strong', { text: what ? `Could not ${what}.` : 'Something went wrong.' }), ' ',
    h('span', { class: 'error-message', text: e.message || String(e) }));
  if (e.code) box.append(' ', h('code', { class: 'error-code', text: e.code }));
  return box;
}

async function providers() {
  if (!providersCache) {
    const res = await api('GET', '/providers');
    providersCache = res.data || [];
  }
  return providersCache;
}

// ---------- dialogs ----------

function openDialog({ title, content, actions = [], onClose, wide }) {
  const heading = h('h2', { id: 'dialog-title', text: title });
  const closeBtn = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close' }, '×');
  const dlg = h('dialog', { class: wide ? 'dialog wide' : 'dialog', 'aria-labelledby': 'dialog-title' },
    h('div', { class: 'dialog-head' }, heading, closeBtn),
    h('div', { class: 'dialog-body' }, content),
    actions.length ? h('div', { class: 'dialog-actions' }, actions) : null);
  closeBtn.addEventListener('click', () => dlg.close());
  const opener = document.activeElement;
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (onClose) onClose(dlg.returnValue);
    if (opener && document.contains(opener)) opener.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

function confirmDialog({ title, message, confirmLabel }) {
  return new Promise((resolve) => {
    let answered = false;
    const cancel = h('button', { type: 'button', class: 'button subtle', text: 'Cancel' });
    const ok = h('button', { type: 'button', class: 'button danger', id: 'confirm-ok', text: confirmLabel });
    const dlg = openDialog({
      title,
      content: h('p', { text: message }),
      actions: [cancel, ok],
      onClose: () => resolve(answered),
    });
    cancel.addEventListener('click', () => dlg.close());
    ok.addEventListener('click', () => { answered = true; dlg.close(); });
    cancel.focus();
  });
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    input.select();
    document.execCommand('copy');
  }
}

// ---------- routing ----------

function every(ms, fn) {
  const id = setInterval(fn, ms);
  pageTimers.push(id);
  return id;
}

function leavePage() {
  pageTimers.forEach(clearInterval);
  pageTimers = [];
  pageCleanups.forEach((f) => f());
  pageCleanups = [];
  document.querySelectorAll('dialog[open]').forEach((d) => d.close());
}

function page(title, ...content) {
  clear(main);
  const heading = h('h1', { tabindex: -1, text: title });
  main.append(heading, ...content);
  document.title = title + ' · agc-gateway';
  heading.focus({ preventScroll: true });
  return heading;
}

function route() {
  leavePage();
  const signedIn = !!secretKey;
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  if (!signedIn) return renderSignIn();
  for (const a of nav.querySelectorAll('a')) a.hidden = operatorOnly && a.id !== 'nav-health';
  const [pathPart] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const section = parts[0] || (operatorOnly ? 'health' : 'integrations');
  if (operatorOnly && section !== 'health') return location.replace('#/health');
  for (const a of nav.querySelectorAll('a')) {
    if (a.id === 'nav-' + section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (section === 'integrations') {
    if (parts[1] === 'new') return renderIntegrationForm(null);
    if (parts[1]) return renderIntegrationForm(parts[1]);
    return renderIntegrations();
  }
  if (section === 'connections') return renderConnections();
  if (section === 'logs') return parts[1] ? renderLogDetail(parts[1]) : renderLogs();
  if (section === 'health') return renderHealth({ h, clear, api, page, errorBox, every, onLeave: (f) => pageCleanups.push(f) });
  location.replace('#/integrations');
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function signOut(reason) {
  secretKey = null;
  operatorOnly = false;
  sessionStorage.removeItem(KEY_STORE);
  sessionStorage.removeItem(OPERATOR_STORE);
  sessionStorage.removeItem(LOG_FILTER_STORE);
  providersCache = null;
  flash = reason ? { text: reason, kind: 'error' } : { text: 'Signed out.', kind: 'ok' };
  if (location.hash !== '' && location.hash !== '#/') history.replaceState(null, '', location.pathname);
  route();
}

signOutButton.addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);

// ---------- sign in ----------

/**
 * true: the secret key (everything); false: the operator key (the Health page only); a wrong key throws the API's
 * 401 for the secret key, so the message is the usual one.
 */
async function opensApi(key) {
  try {
    await api('GET', '/integrations', undefined, key);
    return true;
  } catch (e) {
    if (e.status !== 401) throw e;
    try {
      await api('GET', '/dashboard/api/health', undefined, key);
      return false;
    } catch {
      throw e;
    }
  }
}

function renderSignIn() {
  const input = h('input', {
    id: 'secret-key', name: 'secret-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'xxxxxxxx-xxxx-4xxx-xxxx-xxxxxxxxxxxx', 'aria-describedby': 'secret-key-help',
  });
  const error = h('div', { id: 'signin-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { id: 'signin-submit', type: 'submit', class: 'button primary', text: 'Sign in' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('label', { for: 'secret-key', text: 'Secret key' }), input,
    h('p', { id: 'secret-key-help', class: 'help' },
      'The gateway prints its secret key when it first starts (and on every start in sandbox mode), or you set it with ',
      h('code', { text: 'GATEWAY_SECRET_KEY' }), '. The read-only operator key (', h('code', { text: 'GATEWAY_OPERATOR_KEY' }),
      ') opens the Health page only. The key stays in this browser tab only and is forgotten when you close it.'),
    error, submit);
  const notice = flash;
  flash = null;
  clear(main);
  const heading = h('h1', { tabindex: -1, text: 'Sign in to agc-gateway' });
  main.append(h('section', { class: 'signin' }, heading,
    h('p', { class: 'lead', text: 'Manage integrations, connections and logs of this gateway.' }),
    notice ? h('div', { class: notice.kind === 'error' ? 'alert alert-error' : 'alert', role: 'status', text: notice.text }) : null,
    form));
  document.title = 'Sign in · agc-gateway';
  input.focus();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(error);
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter the secret key.';
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Checking…';
    try {
      operatorOnly = !(await opensApi(key));
      secretKey = key;
      sessionStorage.setItem(KEY_STORE, key);
      if (operatorOnly) sessionStorage.setItem(OPERATOR_STORE, '1');
      const start = operatorOnly ? '#/health' : !location.hash || location.hash === '#/' ? '#/integrations' : null;
      // a new hash routes by itself (hashchange); routing here as well drew the page twice
      if (start && location.hash !== start) location.replace(start);
      else route();
    } catch (e) {
      const hint = {
        unknown_account: 'This key does not match this gateway. Use the key printed at startup or set in GATEWAY_SECRET_KEY.',
        invalid_secret_key_format: 'A secret key is a UUID such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b.',
        malformed_auth_header: 'A secret key is a UUID such as 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b.',
      }[e.code];
      error.append(h('strong', { text: e.status === 401 ? 'Wrong secret key. ' : 'Could not sign in. ' }),
        h('span', { text: e.message }), hint ? h('span', { class: 'hint', text: ' ' + hint }) : null);
      input.setAttribute('aria-invalid', 'true');
      input.select();
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
}

// ---------- integrations ----------

function showFlash(container) {
  if (!flash) return null;
  const f = flash;
  flash = null;
  toast(f.text, f.kind);
  return f;
}

async function renderIntegrations() {
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading integrations…' }));
  page('Integrations',
    h('div', { class: 'toolbar' },
      h('p', { class: 'lead', text: 'Each integration is one OAuth app from the AGC developer console: its client ID, secret and scopes.' }),
      h('a', { id: 'new-integration', class: 'button primary', href: '#/integrations/new', text: 'Configure New Integration' })),
    body);
  const f = showFlash();
  let list;
  try {
    list = (await api('GET', '/integrations')).data || [];
  } catch (e) {
    clear(body).append(errorBox(e, 'load the integrations'));
    body.removeAttribute('aria-busy');
    return;
  }
  body.removeAttribute('aria-busy');
  clear(body);
  if (!list.length) {
    body.append(h('div', { class: 'empty' },
      h('h2', { text: 'No integrations yet' }),
      h('p', { text: 'Create an OAuth 2.0 (3LO) app in the AGC developer console, then configure it here with its client ID, secret and scopes. Register the callback URL shown on the next page.' }),
      h('a', { class: 'button primary', href: '#/integrations/new', text: 'Configure New Integration' })));
    return;
  }
  const rows = list.map((i) => {
    const tr = h('tr', { 'data-key': i.unique_key },
      h('td', { 'data-label': 'Integration' },
        h('div', { class: 'with-logo' }, logoImg(logoSrc(i)),
          h('div', {}, h('div', { class: 'strong', text: i.display_name || i.unique_key }),
            h('code', { class: 'small', text: i.unique_key })))),
      h('td', { 'data-label': 'Provider' }, h('code', { text: i.provider })),
      h('td', { 'data-label': 'Created' }, timeCell(i.created_at)),
      h('td', { 'data-label': 'Actions', class: 'actions' },
        h('a', { class: 'button small', href: '#/integrations/' + encodeURIComponent(i.unique_key), text: 'Edit', 'aria-label': 'Edit ' + i.unique_key }),
        h('button', {
          type: 'button', class: 'button small danger-outline', text: 'Delete', 'aria-label': 'Delete ' + i.unique_key,
          onclick: () => deleteIntegration(i),
        })));
    if (f && f.highlight === i.unique_key) tr.classList.add('highlight');
    return tr;
  });
  body.append(h('table', { class: 'table', id: 'integrations-table' },
    h('thead', {}, h('tr', {}, ['Integration', 'Provider', 'Created', h('span', { class: 'visually-hidden', text: 'Actions' })].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows)));
}

async function deleteIntegration(i) {
  const ok = await confirmDialog({
    title: 'Delete integration?',
    message: `Delete "${i.unique_key}"? Its client ID and secret are removed from the gateway; connections made with it stop working.`,
    confirmLabel: 'Delete integration',
  });
  if (!ok) return;
  try {
    await api('DELETE', '/integrations/' + encodeURIComponent(i.unique_key));
    flash = { text: `Integration ${i.unique_key} deleted.`, kind: 'ok' };
    route();
  } catch (e) {
    toast(`Could not delete ${i.unique_key}: ${e.message}`, 'error');
  }
}

async function renderIntegrationForm(editKey) {
  const editing = editKey !== null;
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading…' }));
  page(editing ? 'Edit integration' : 'Configure New Integration',
    h('p', {}, h('a', { href: '#/integrations', text: '← All integrations' })), body);
  let provs;
  let current = null;
  try {
    provs = await providers();
    if (editing) {
      // Credentials are read only to prefill the client ID and scopes; the secret is dropped at once.
      const res = await api('GET', '/integrations/' + encodeURIComponent(editKey) + '?include=credentials');
      current = res.data;
      if (current.credentials) delete current.credentials.client_secret;
      if (current.credentials) delete current.credentials.webhook_secret;
    }
  } catch (e) {
    clear(body).append(errorBox(e, editing ? 'load the integration' : 'load the providers'));
    body.removeAttribute('aria-busy');
    return;
  }
  body.removeAttribute('aria-busy');
  clear(body);
  if (!provs.length) {
    body.append(errorBox({ message: 'The provider catalog is empty: check config/providers.yaml.' }, 'list providers'));
    return;
  }

  const providerSelect = h('select', { id: 'provider', name: 'provider', required: true, disabled: editing },
    provs.map((p) => h('option', { value: p.name, text: `${p.display_name || p.name} (${p.name})` })));
  providerSelect.value = editing ? current.provider : provs[0].name;

  const callbackInput = h('input', { id: 'callback-url', type: 'text', readonly: true, class: 'mono' });
  const copyBtn = h('button', { type: 'button', id: 'copy-callback', class: 'button', text: 'Copy' });
  copyBtn.addEventListener('click', async () => {
    await copyText(callbackInput.value, callbackInput);
    copyBtn.textContent = 'Copied';
    setTimeout(() => { copyBtn.textContent = 'Copy'; }, 1500);
  });

  const keyInput = h('input', {
    id: 'unique-key', name: 'unique_key', required: true, maxlength: 255, pattern: '[a-zA-Z0-9~:.@ _\\-]+',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'unique-key-help',
  });
  let keyTouched = editing;
  keyInput.addEventListener('input', () => { keyTouched = true; });
  const nameInput = h('input', { id: 'display-name', name: 'display_name', maxlength: 255, autocomplete: 'off' });
  const clientIdInput = h('input', { id: 'client-id', name: 'client_id', required: !editing, autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const secretInput = h('input', {
    id: 'client-secret', name: 'client_secret', type: 'password', required: !editing, autocomplete: 'new-password', class: 'mono',
    placeholder: editing ? 'Leave empty to keep the current secret' : '',
  });
  const currentScopes = new Set(((current && current.credentials && current.credentials.scopes) || '').split(/[,\s]+/).filter(Boolean));
  const scopeBoxes = COMMON_SCOPES.map(([scope, desc]) => {
    const id = 'scope-' + scope.replace(/[^a-z0-9]/gi, '-');
    const always = scope === 'offline_access';
    const box = h('input', { type: 'checkbox', id, value: scope, checked: always || currentScopes.has(scope), disabled: always, 'data-scope': scope });
    return { scope, box, el: h('div', { class: 'scope' + (always ? ' scope-always' : '') }, box,
      h('label', { for: id }, h('code', { text: scope }), h('span', { class: 'scope-desc', text: desc })),
      always ? h('p', { class: 'help', id: 'offline-help', text: 'Always requested: without offline_access Atlassian issues no refresh token, and the connection stops working after an hour.' }) : null) };
  });
  const known = new Set(COMMON_SCOPES.map(([s]) => s));
  const otherInput = h('input', {
    id: 'other-scopes', name: 'other_scopes', autocomplete: 'off', spellcheck: 'false', class: 'mono',
    placeholder: 'read:jira-work.jql, read:me', value: [...currentScopes].filter((s) => !known.has(s)).join(', '),
  });
  const error = h('div', { id: 'integration-error', class: 'form-error', role: 'alert' });
  const save = h('button', { id: 'save-integration', type: 'submit', class: 'button primary', text: editing ? 'Save changes' : 'Save integration' });

  const subdomainNote = h('p', { class: 'help' });
  function providerChanged() {
    const p = provs.find((x) => x.name === providerSelect.value) || provs[0];
    callbackInput.value = p.callback_url || location.origin + '/oauth/callback';
    if (!keyTouched) keyInput.value = p.name;
    const sub = p.connection_config && p.connection_config.subdomain;
    subdomainNote.textContent = sub ? 'Each connection can name its site by subdomain (asked when you add a connection).' : '';
  }
  providerSelect.addEventListener('change', providerChanged);
  if (editing) {
    keyInput.value = current.unique_key;
    nameInput.value = current.display_name || '';
    clientIdInput.value = (current.credentials && current.credentials.client_id) || '';
  }
  providerChanged();

  const form = h('form', { class: 'card form', novalidate: true, id: 'integration-form' },
    h('fieldset', {},
      h('legend', { text: '1. Provider' }),
      h('label', { for: 'provider', text: 'Provider' }), providerSelect,
      h('label', { for: 'callback-url', text: 'Callback URL' }),
      h('div', { class: 'input-row' }, callbackInput, copyBtn),
      h('p', { class: 'help', text: 'Enter this exact URL as the Callback URL under Authorization → OAuth 2.0 (3LO) → Configure in the AGC developer console.' }),
      subdomainNote),
    h('fieldset', {},
      h('legend', { text: '2. Integration' }),
      h('label', { for: 'unique-key', text: 'Integration ID (unique key)' }), keyInput,
      h('p', { class: 'help', id: 'unique-key-help' }, 'Your code sends it as ', h('code', { text: 'Provider-Config-Key' }), '. Letters, digits and ~:.@ _- only.'),
      h('label', { for: 'display-name', text: 'Display name (optional)' }), nameInput),
    h('fieldset', {},
      h('legend', { text: '3. OAuth app credentials' }),
      h('label', { for: 'client-id', text: 'Client ID' }), clientIdInput,
      h('label', { for: 'client-secret', text: 'Client secret' }), secretInput,
      h('p', { class: 'help', text: editing
        ? 'The saved secret is never shown again. Type a new one only to replace it.'
        : 'From Settings in the AGC developer console. Stored encrypted; never shown again after saving.' })),
    h('fieldset', { class: 'scopes' },
      h('legend', { text: '4. Scopes' }),
      h('p', { class: 'help', text: 'Pick the scopes you added to the app under Permissions. Users grant exactly these.' }),
      h('div', { class: 'scope-grid' }, scopeBoxes.map((s) => s.el)),
      h('label', { for: 'other-scopes', text: 'Other scopes (comma or space separated)' }), otherInput),
    error,
    h('div', { class: 'form-actions' }, save, h('a', { class: 'button subtle', href: '#/integrations', text: 'Cancel' })));
  body.append(form);
  form.addEventListener('input', () => clear(error));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(error);
    const problems = [];
    const key = keyInput.value.trim();
    if (!key) problems.push('Enter an integration ID.');
    else if (!/^[a-zA-Z0-9~:.@ _-]{1,255}$/.test(key)) problems.push('The integration ID may contain only letters, digits and ~:.@ _-.');
    if (!editing && !clientIdInput.value.trim()) problems.push('Enter the client ID.');
    if (!editing && !secretInput.value) problems.push('Enter the client secret.');
    const other = otherInput.value.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
    const bad = other.filter((s) => !/^[A-Za-z0-9:._/-]{1,200}$/.test(s));
    if (bad.length) problems.push('Not a scope name: ' + bad.join(', '));
    if (problems.length) {
      error.append(...problems.map((p) => h('p', { text: p })));
      return;
    }
    const scopes = [...new Set(['offline_access', ...scopeBoxes.filter((s) => s.box.checked).map((s) => s.scope), ...other])];
    const credentials = { type: 'OAUTH2', client_id: clientIdInput.value.trim(), scopes: scopes.join(',') };
    if (secretInput.value) credentials.client_secret = secretInput.value;
    const payload = { unique_key: key, display_name: nameInput.value.trim() || undefined, credentials };
    if (!editing) payload.provider = providerSelect.value;
    if (editing && !credentials.client_id) delete credentials.client_id;
    save.disabled = true;
    try {
      const res = editing
        ? await api('PATCH', '/integrations/' + encodeURIComponent(editKey), payload)
        : await api('POST', '/integrations', payload);
      secretInput.value = '';
      const saved = (res && res.data && res.data.unique_key) || key;
      flash = { text: `Integration ${saved} saved.`, kind: 'ok', highlight: saved };
      go('#/integrations');
    } catch (e) {
      error.append(errorBox(e, 'save the integration'));
      error.focus();
    } finally {
      save.disabled = false;
    }
  });
}

// ---------- connections ----------

let highlightConnection = null;

async function renderConnections() {
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading connections…' }));
  const addBtn = h('button', { id: 'add-connection', type: 'button', class: 'button primary', text: 'Add Test Connection' });
  addBtn.addEventListener('click', () => addTestConnection());
  page('Connections',
    h('div', { class: 'toolbar' },
      h('p', { class: 'lead', text: 'One connection per user and AGC site: its tokens are kept fresh and used by the proxy.' }),
      addBtn),
    body);
  showFlash();
  await loadConnections(body);
}

async function loadConnections(body) {
  let list;
  try {
    list = (await api('GET', '/connections')).connections || [];
  } catch (e) {
    clear(body).append(errorBox(e, 'load the connections'));
    body.removeAttribute('aria-busy');
    return [];
  }
  body.removeAttribute('aria-busy');
  clear(body);
  if (!list.length) {
    body.append(h('div', { class: 'empty' },
      h('h2', { text: 'No connections yet' }),
      h('p', { text: 'Add Test Connection, pick an integration and Authorize: you log in to AGC in a popup and the connection appears here with its site and cloudId.' })));
    return list;
  }
  const tbody = h('tbody', {});
  const newest = highlightConnection;
  highlightConnection = null;
  for (const c of list) {
    const cells = {
      site: h('td', { 'data-label': 'Site', 'data-field': 'site' }, h('span', { class: 'muted', text: '…' })),
      expires: h('td', { 'data-label': 'Token expires', 'data-field': 'expires' }, h('span', { class: 'muted', text: '…' })),
      refreshed: h('td', { 'data-label': 'Last refresh', 'data-field': 'refreshed' }, h('span', { class: 'muted', text: '…' })),
      errors: h('td', { 'data-label': 'Errors', 'data-field': 'errors' }, errorsBadge(c.errors)),
    };
    const tr = h('tr', { 'data-connection-id': c.connection_id, 'data-integration': c.provider_config_key },
      h('td', { 'data-label': 'Integration' }, h('code', { text: c.provider_config_key })),
      h('td', { 'data-label': 'Connection ID' }, h('div', {}, h('code', { class: 'strong', text: c.connection_id }),
        h('div', { class: 'small muted' }, 'created ', timeCell(c.created)))),
      cells.site, cells.expires, cells.refreshed, cells.errors,
      h('td', { 'data-label': 'Actions', class: 'actions' },
        h('button', { type: 'button', class: 'button small', text: 'Details', 'aria-label': 'Details of ' + c.connection_id, onclick: () => connectionDetails(c) }),
        h('button', { type: 'button', class: 'button small danger-outline', text: 'Delete', 'aria-label': 'Delete ' + c.connection_id, onclick: () => deleteConnection(c, body) })));
    if (newest && newest(c)) tr.classList.add('highlight');
    tbody.append(tr);
    fillConnectionRow(c, cells);
  }
  body.append(h('table', { class: 'table', id: 'connections-table' },
    h('thead', {}, h('tr', {}, ['Integration', 'Connection ID', 'Site', 'Token expires', 'Last refresh', 'Errors', h('span', { class: 'visually-hidden', text: 'Actions' })].map((c) => h('th', { scope: 'col' }, c)))),
    tbody));
  return list;
}

function errorsBadge(errors) {
  if (!errors || !errors.length) return h('span', { class: 'badge badge-success', text: 'none' });
  return h('span', { class: 'badge badge-failed', title: errors.map((e) => e.type).join(', '), text: errors.map((e) => e.type || 'error').join(', ') });
}

function connectionPath(c) {
  return '/connections/' + encodeURIComponent(c.connection_id) + '?provider_config_key=' + encodeURIComponent(c.provider_config_key);
}

async function fillConnectionRow(c, cells) {
  try {
    const d = await api('GET', connectionPath(c));
    const cfg = d.connection_config || {};
    // one wrapper per cell: on phones each cell is a two-column grid (label, value)
    clear(cells.site).append(h('div', {},
      cfg.baseUrl ? h('div', { text: cfg.baseUrl.replace(/^https?:\/\//, ''), title: cfg.baseUrl }) : h('span', { class: 'muted', text: 'no site' }),
      cfg.cloudId ? h('code', { class: 'small', 'data-field': 'cloudId', text: cfg.cloudId }) : null));
    const exp = d.credentials && d.credentials.expires_at;
    clear(cells.expires).append(timeCell(exp));
    if (exp && new Date(exp).getTime() < Date.now()) cells.expires.classList.add('warn');
    clear(cells.refreshed).append(timeCell(d.last_refresh_at || d.credentials?.last_refresh_at));
    clear(cells.errors).append(errorsBadge(d.errors || c.errors));
  } catch (e) {
    clear(cells.site).append(h('span', { class: 'error-inline', text: e.message }));
    clear(cells.expires).append(h('span', { class: 'muted', text: '—' }));
    clear(cells.refreshed).append(h('span', { class: 'muted', text: '—' }));
  }
}

async function deleteConnection(c, body) {
  const ok = await confirmDialog({
    title: 'Delete connection?',
    message: `Delete connection "${c.connection_id}" of ${c.provider_config_key}? Its tokens are removed; the user must authorize again.`,
    confirmLabel: 'Delete connection',
  });
  if (!ok) return;
  try {
    await api('DELETE', connectionPath(c));
    toast(`Connection ${c.connection_id} deleted.`);
    await loadConnections(body);
  } catch (e) {
    toast(`Could not delete ${c.connection_id}: ${e.message}`, 'error');
  }
}

async function connectionDetails(c) {
  const content = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading…' }));
  openDialog({ title: 'Connection ' + c.connection_id, content, wide: true });
  let d;
  try {
    d = await api('GET', connectionPath(c));
  } catch (e) {
    clear(content).append(errorBox(e, 'load the connection'));
    return;
  }
  content.removeAttribute('aria-busy');
  const cfg = d.connection_config || {};
  const cred = d.credentials || {};
  const curl = `curl "${location.origin}/proxy/ex/jira/{connectionConfig.cloudId}/rest/api/3/myself" \\\n`
    + '  -H "Authorization: Bearer <SECRET-KEY>" \\\n'
    + `  -H "Provider-Config-Key: ${d.provider_config_key || c.provider_config_key}" \\\n`
    + `  -H "Connection-Id: ${d.connection_id || c.connection_id}"`;
  clear(content).append(
    dl([
      ['Integration', d.provider_config_key || c.provider_config_key],
      ['Provider', d.provider || c.provider],
      ['Connection ID', d.connection_id || c.connection_id],
      ['Site', cfg.baseUrl || '—'],
      ['cloudId', cfg.cloudId || '—'],
      ['Subdomain', cfg.subdomain || '—'],
      ['End user', d.end_user ? d.end_user.id : '—'],
      ['Created', fmtTime(d.created_at || c.created)],
      ['Token expires', cred.expires_at ? `${fmtTime(cred.expires_at)} (${relTime(cred.expires_at)})` : '—'],
      ['Last refresh', fmtTime(d.last_refresh_at)],
      ['Access token', cred.access_token ? mask(cred.access_token) : '—'],
    ]),
    h('h3', { text: 'Errors' }),
    d.errors && d.errors.length ? h('ul', {}, d.errors.map((e) => h('li', {}, h('code', { text: e.type || 'error' }), e.log_id ? [' · ', h('a', { href: '#/logs/' + encodeURIComponent(e.log_id), text: 'see log' })] : null)))
      : h('p', { class: 'muted', text: 'None.' }),
    h('h3', { text: 'Connection config' }), pre(cfg),
    h('h3', { text: 'Credentials (masked)' }), pre(maskDeep(cred)),
    h('h3', { text: 'Call the API through the proxy' }), pre(curl));
}

function dl(pairs) {
  return h('dl', { class: 'kv' }, pairs.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v instanceof Node ? v : String(v ?? '—'))]));
}

async function addTestConnection() {
  const content = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading integrations…' }));
  const dlg = openDialog({ title: 'Add Test Connection', content });
  let integrations;
  let provs;
  try {
    [integrations, provs] = await Promise.all([api('GET', '/integrations').then((r) => r.data || []), providers()]);
  } catch (e) {
    clear(content).append(errorBox(e, 'load the integrations'));
    return;
  }
  content.removeAttribute('aria-busy');
  clear(content);
  if (!integrations.length) {
    content.append(h('div', { class: 'empty' }, h('p', { text: 'There is no integration to connect with yet.' }),
      h('a', { class: 'button primary', href: '#/integrations/new', text: 'Configure New Integration', onclick: () => dlg.close() })));
    return;
  }
  const select = h('select', { id: 'connect-integration', required: true },
    integrations.map((i) => h('option', { value: i.unique_key, text: `${i.display_name || i.unique_key} (${i.unique_key})` })));
  const subWrap = h('div', {});
  const error = h('div', { id: 'connect-error', class: 'form-error', role: 'alert' });
  const status = h('p', { id: 'connect-status', class: 'muted', role: 'status' });
  const authorize = h('button', { id: 'authorize', type: 'submit', class: 'button primary', text: 'Authorize' });
  let subInput = null;
  let subSpec = null;
  function integrationChanged() {
    clear(subWrap);
    const integ = integrations.find((i) => i.unique_key === select.value);
    const prov = provs.find((p) => integ && p.name === integ.provider);
    subSpec = prov && prov.connection_config && prov.connection_config.subdomain;
    subInput = null;
    if (!subSpec) return;
    subInput = h('input', {
      id: 'connect-subdomain', name: 'subdomain', autocomplete: 'off', spellcheck: 'false',
      placeholder: subSpec.example || '', pattern: subSpec.pattern ? subSpec.pattern.replace(/^\^|\$$/g, '') : null,
      'aria-describedby': 'connect-subdomain-help',
    });
    subWrap.append(
      h('label', { for: 'connect-subdomain', text: (subSpec.title || 'Subdomain') + (subSpec.optional === false ? '' : ' (optional)') }),
      h('div', { class: 'affix' },
        subSpec.prefix ? h('span', { class: 'affix-part', text: subSpec.prefix }) : null, subInput,
        subSpec.suffix ? h('span', { class: 'affix-part', text: subSpec.suffix }) : null),
      h('p', { class: 'help', id: 'connect-subdomain-help', text: [subSpec.description, 'Leave empty to use the first site the user can reach.'].filter(Boolean).map((t) => /[.!?]$/.test(t) ? t : t + '.').join(' ') }));
  }
  select.addEventListener('change', integrationChanged);
  integrationChanged();
  const form = h('form', { class: 'form', novalidate: true },
    h('label', { for: 'connect-integration', text: 'Integration' }), select, subWrap,
    h('p', { class: 'help', text: 'Authorize opens a popup where you log in to AGC and grant access. The connection ID is chosen by the gateway.' }),
    error, status, h('div', { class: 'form-actions' }, authorize));
  content.append(form);
  select.focus();

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clear(error);
    const key = select.value;
    const sub = subInput ? subInput.value.trim() : '';
    if (sub && subSpec && subSpec.pattern && !new RegExp(subSpec.pattern).test(sub)) {
      error.textContent = `The ${subSpec.title || 'subdomain'} may contain only letters, digits, dots and dashes (for https://acme.atlassian-us-gov-mod.net enter acme).`;
      subInput.focus();
      return;
    }
    // Opened now, inside the click, so popup blockers let it through; it is pointed at the gateway once the session exists.
    const popup = window.open('', 'agc-gateway-authorize', 'width=520,height=680,left=120,top=80,scrollbars=yes,resizable=yes');
    if (!popup) {
      error.textContent = 'The browser blocked the authorization popup. Allow popups for this page and press Authorize again.';
      return;
    }
    try {
      popup.document.title = 'Connecting…';
      popup.document.body.textContent = 'Starting the authorization…';
    } catch { /* not our document any more */ }
    authorize.disabled = true;
    status.textContent = 'Waiting for the authorization in the popup…';
    runAuthorization(popup, key, sub, dlg, error, status, authorize);
  });
}

async function runAuthorization(popup, key, sub, dlg, error, status, authorize) {
  let done = false;
  let before = new Set();
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('nango-oauth-callback') : null;
  const finish = async (ok, message) => {
    if (done) return;
    done = true;
    clearInterval(closedTimer);
    window.removeEventListener('message', onMessage);
    if (channel) channel.close();
    authorize.disabled = false;
    if (!ok) {
      status.textContent = '';
      error.textContent = message;
      return;
    }
    try { popup.postMessage({ type: 'nango_oauth_callback_ack' }, location.origin); } catch { /* closed */ }
    highlightConnection = (c) => c.provider_config_key === key && !before.has(c.provider_config_key + '\u0000' + c.connection_id);
    dlg.close();
    toast('Connected: the new connection is highlighted below.');
    const body = main.querySelector('.page-body');
    if (body && location.hash.startsWith('#/connections')) await loadConnections(body);
    else go('#/connections');
  };
  const handle = (data) => {
    if (!data || typeof data !== 'object') return;
    if (data.type === 'nango_oauth_callback_success') finish(true);
    else if (data.type === 'nango_oauth_callback_error') {
      const p = data.payload || {};
      finish(false, 'Authorization failed: ' + (typeof p.message === 'string' ? p.message : JSON.stringify(p.message ?? p)));
    }
  };
  const onMessage = (ev) => {
    if (ev.origin !== location.origin) return;
    handle(ev.data);
  };
  window.addEventListener('message', onMessage);
  if (channel) channel.onmessage = (ev) => handle(ev.data);
  const closedTimer = setInterval(() => {
    // Give a message posted just before the window closed a moment to arrive.
    if (popup.closed) setTimeout(() => finish(false, 'The authorization window was closed before it finished. Press Authorize to try again.'), 600);
  }, 500);
  pageCleanups.push(() => { if (!done) { done = true; clearInterval(closedTimer); window.removeEventListener('message', onMessage); if (channel) channel.close(); } });
  try {
    try {
      const existing = (await api('GET', '/connections')).connections || [];
      before = new Set(existing.map((c) => c.provider_config_key + '\u0000' + c.connection_id));
    } catch { /* the list is only used to highlight the new row */ }
    const res = await api('POST', '/connect/sessions', { end_user: { id: 'dashboard-test' }, allowed_integrations: [key] });
    const token = res && res.data && res.data.token;
    if (!token) throw new ApiError(0, 'invalid_response', 'POST /connect/sessions answered without a token.');
    let url = '/oauth/connect/' + encodeURIComponent(key) + '?connect_session_token=' + encodeURIComponent(token);
    if (sub) url += '&' + encodeURIComponent('params[subdomain]') + '=' + encodeURIComponent(sub);
    if (done) return;
    popup.location.href = url;
  } catch (e) {
    try { popup.close(); } catch { /* already gone */ }
    finish(false, 'Could not start the authorization: ' + e.message);
  }
}

// ---------- logs ----------

function loadLogFilters() {
  try {
    return { type: '', integration: '', connection: '', status: '', ...JSON.parse(sessionStorage.getItem(LOG_FILTER_STORE) || '{}') };
  } catch {
    return { type: '', integration: '', connection: '', status: '' };
  }
}

function logQuery(filters, cursor) {
  const q = new URLSearchParams();
  for (const k of ['type', 'integration', 'connection', 'status']) if (filters[k]) q.set(k, filters[k]);
  q.set('limit', '50');
  if (cursor) q.set('cursor', cursor);
  return '/logs?' + q.toString();
}

function statusBadge(status) {
  const s = status || 'unknown';
  return h('span', { class: 'badge badge-' + s.replace(/[^a-z]/g, ''), text: s });
}

async function renderLogs() {
  const filters = loadLogFilters();
  const mk = (id, label, control) => h('div', { class: 'filter' }, h('label', { for: id, text: label }), control);
  const typeSel = h('select', { id: 'filter-type' }, [['', 'All types'], ['auth', 'auth'], ['proxy', 'proxy'], ['refresh', 'refresh'], ['webhook', 'webhook']].map(([v, t]) => h('option', { value: v, text: t })));
  const statusSel = h('select', { id: 'filter-status' }, [['', 'All statuses'], ['success', 'success'], ['failed', 'failed'], ['running', 'running']].map(([v, t]) => h('option', { value: v, text: t })));
  const integSel = h('select', { id: 'filter-integration' }, h('option', { value: '', text: 'All integrations' }));
  const connInput = h('input', { id: 'filter-connection', type: 'search', placeholder: 'Connection ID', autocomplete: 'off', spellcheck: 'false' });
  const live = h('input', { id: 'logs-live', type: 'checkbox', checked: true });
  const updated = h('span', { id: 'logs-updated', class: 'muted small', 'aria-live': 'off' });
  typeSel.value = filters.type;
  statusSel.value = filters.status;
  connInput.value = filters.connection;
  const clearBtn = h('button', { type: 'button', class: 'button subtle', id: 'filters-clear', text: 'Clear filters' });
  const filterForm = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter operations' },
    mk('filter-type', 'Type', typeSel), mk('filter-integration', 'Integration', integSel),
    mk('filter-connection', 'Connection', connInput), mk('filter-status', 'Status', statusSel),
    h('div', { class: 'filter filter-live' }, h('label', { class: 'check' }, live, ' Live'), updated), clearBtn);
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading operations…' }));
  page('Logs', h('p', { class: 'lead', text: 'Every OAuth authorization, proxied call, token refresh and webhook, newest first. Request and response headers are redacted.' }), filterForm, body);

  api('GET', '/integrations').then((r) => {
    for (const i of r.data || []) integSel.append(h('option', { value: i.unique_key, text: i.unique_key }));
    if (filters.integration && ![...integSel.options].some((o) => o.value === filters.integration)) {
      integSel.append(h('option', { value: filters.integration, text: filters.integration }));
    }
    integSel.value = filters.integration;
  }).catch(() => { integSel.append(h('option', { value: filters.integration, text: filters.integration || '—' })); integSel.value = filters.integration; });

  const state = { filters, rows: new Map(), cursor: null, tbody: null, errorEl: null, generation: 0 };

  const applyFilters = () => {
    state.filters = { type: typeSel.value, integration: integSel.value, connection: connInput.value.trim(), status: statusSel.value };
    sessionStorage.setItem(LOG_FILTER_STORE, JSON.stringify(state.filters));
    firstLoad(state, body);
  };
  for (const el of [typeSel, statusSel, integSel]) el.addEventListener('change', applyFilters);
  let debounce;
  connInput.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(applyFilters, 400); });
  filterForm.addEventListener('submit', (ev) => { ev.preventDefault(); applyFilters(); });
  clearBtn.addEventListener('click', () => {
    typeSel.value = ''; statusSel.value = ''; integSel.value = ''; connInput.value = '';
    applyFilters();
  });
  pageCleanups.push(() => clearTimeout(debounce));

  await firstLoad(state, body);
  every(POLL_MS, async () => {
    if (!live.checked || document.hidden || state.loading) return;
    await poll(state, body);
    updated.textContent = 'updated ' + new Date().toLocaleTimeString();
  });
}

async function firstLoad(state, body) {
  const gen = ++state.generation;
  state.loading = true;
  let res;
  try {
    res = await api('GET', logQuery(state.filters));
  } catch (e) {
    if (gen !== state.generation) return;
    state.loading = false;
    state.tbody = null;
    clear(body).append(errorBox(e, 'load the logs'));
    body.removeAttribute('aria-busy');
    return;
  }
  if (gen !== state.generation) return;
  state.loading = false;
  body.removeAttribute('aria-busy');
  state.rows = new Map();
  state.cursor = res.pagination && res.pagination.next_cursor;
  clear(body);
  state.errorEl = h('div', { class: 'poll-error' });
  state.tbody = h('tbody', {});
  state.table = h('table', { class: 'table logs', id: 'logs-table' },
    h('thead', {}, h('tr', {}, ['Time', 'Type', 'Status', 'Integration', 'Connection', 'HTTP', 'Duration', 'Message'].map((c) => h('th', { scope: 'col', text: c })))),
    state.tbody);
  state.empty = h('div', { class: 'empty' });
  state.more = h('button', { type: 'button', class: 'button', id: 'logs-more', text: 'Load older operations' });
  state.more.addEventListener('click', () => loadMore(state));
  body.append(state.errorEl, state.table, state.empty, h('div', { class: 'more' }, state.more));
  for (const op of res.data || []) state.tbody.append(logRow(state, op));
  refreshLogChrome(state);
}

function refreshLogChrome(state) {
  const any = state.rows.size > 0;
  state.table.hidden = !any;
  state.more.hidden = !state.cursor;
  clear(state.empty);
  state.empty.hidden = any;
  if (!any) {
    const filtered = Object.values(state.filters).some(Boolean);
    state.empty.append(
      h('h2', { text: filtered ? 'No operations match these filters' : 'No operations yet' }),
      h('p', { text: filtered
        ? 'Change or clear the filters. New operations appear here as they happen.'
        : 'Authorize a connection or call the API through /proxy: each operation appears here within a few seconds.' }));
  }
}

async function loadMore(state) {
  state.more.disabled = true;
  try {
    const res = await api('GET', logQuery(state.filters, state.cursor));
    for (const op of res.data || []) {
      if (!state.rows.has(op.id)) state.tbody.append(logRow(state, op));
    }
    state.cursor = res.pagination && res.pagination.next_cursor;
    refreshLogChrome(state);
  } catch (e) {
    toast('Could not load older operations: ' + e.message, 'error');
  } finally {
    state.more.disabled = false;
  }
}

async function poll(state, body) {
  if (!state.tbody) return firstLoad(state, body);
  const gen = state.generation;
  let res;
  try {
    res = await api('GET', logQuery(state.filters));
  } catch (e) {
    clear(state.errorEl).append(errorBox(e, 'refresh the logs'));
    return;
  }
  if (gen !== state.generation) return;
  clear(state.errorEl);
  // Update known rows in place and put new ones on top, so focus and scroll stay where the reader left them.
  const fresh = [];
  for (const op of res.data || []) {
    const known = state.rows.get(op.id);
    if (known) fillLogRow(known, op);
    else fresh.push(op);
  }
  for (const op of fresh.reverse()) {
    const tr = logRow(state, op);
    tr.classList.add('new-row');
    state.tbody.prepend(tr);
  }
  if (fresh.length) refreshLogChrome(state);
}

function logRow(state, op) {
  const tr = h('tr', { 'data-log-id': op.id });
  for (const [field, label] of [['time', 'Time'], ['type', 'Type'], ['status', 'Status'], ['integration', 'Integration'], ['connection', 'Connection'], ['http', 'HTTP'], ['duration', 'Duration'], ['message', 'Message']]) {
    tr.append(h('td', { 'data-label': label, 'data-field': field }));
  }
  fillLogRow(tr, op);
  state.rows.set(op.id, tr);
  return tr;
}

function fillLogRow(tr, op) {
  const cell = (f) => tr.querySelector(`[data-field="${f}"]`);
  const time = cell('time');
  if (!time.firstChild) {
    time.append(h('a', { href: '#/logs/' + encodeURIComponent(op.id), title: 'Open operation ' + op.id }, h('time', { datetime: op.created_at, text: fmtTime(op.created_at) })));
  }
  setText(cell('type'), [op.type, op.action].filter(Boolean).join(':'));
  const st = cell('status');
  if (st.dataset.value !== op.status) {
    clear(st).append(statusBadge(op.status));
    st.dataset.value = op.status || '';
  }
  setText(cell('integration'), op.integration || '—');
  setText(cell('connection'), op.connection_id || '—');
  setText(cell('http'), op.http_status ?? (op.response && op.response.status) ?? '—');
  setText(cell('duration'), op.duration_ms != null ? op.duration_ms + ' ms' : '—');
  setText(cell('message'), [op.message, op.error_code ? `(${op.error_code})` : ''].filter(Boolean).join(' ') || '—');
}

function setText(el, value) {
  const s = String(value);
  if (el.textContent !== s) el.textContent = s;
}

function headersTable(headers) {
  const entries = Object.entries(headers || {});
  if (!entries.length) return h('p', { class: 'muted', text: 'No headers recorded.' });
  return h('table', { class: 'table compact headers' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Header' }), h('th', { scope: 'col', text: 'Value' }))),
    h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('td', { 'data-label': 'Header' }, h('code', { text: k })),
      h('td', { 'data-label': 'Value', class: 'mono break', text: Array.isArray(v) ? v.join(', ') : String(v) })))));
}

async function renderLogDetail(id) {
  const body = h('div', { class: 'page-body', 'aria-busy': 'true' }, h('p', { class: 'muted', text: 'Loading operation…' }));
  page('Operation', h('p', {}, h('a', { href: '#/logs', id: 'back-to-logs', text: '← Back to logs' })), body);
  const load = async () => {
    let op;
    try {
      op = (await api('GET', '/logs/' + encodeURIComponent(id))).data;
    } catch (e) {
      clear(body).append(errorBox(e, 'load operation ' + id));
      body.removeAttribute('aria-busy');
      return null;
    }
    body.removeAttribute('aria-busy');
    const req = op.request || {};
    const resp = op.response || {};
    clear(body).append(
      h('div', { class: 'card', id: 'log-detail' },
        h('div', { class: 'detail-head' }, h('h2', { text: [op.type, op.action].filter(Boolean).join(':') || 'operation' }), statusBadge(op.status)),
        op.message ? h('p', { class: 'lead', text: op.message }) : null,
        dl([
          ['Operation ID', op.id],
          ['Integration', op.integration || '—'],
          ['Connection', op.connection_id || '—'],
          ['Error code', op.error_code || '—'],
          ['HTTP status', op.http_status ?? resp.status ?? '—'],
          ['Attempts', op.attempts ?? '—'],
          ['Duration', op.duration_ms != null ? op.duration_ms + ' ms' : '—'],
          ['Started', fmtTime(op.created_at)],
          ['Ended', op.ended_at ? fmtTime(op.ended_at) : op.status === 'running' ? 'still running' : '—'],
        ])),
      h('section', { class: 'card' }, h('h2', { text: 'Request' }),
        h('p', {}, h('code', { class: 'strong', text: req.method || '' }), ' ', h('code', { class: 'break', text: req.url || '—' })),
        headersTable(req.headers)),
      h('section', { class: 'card' }, h('h2', { text: 'Response' }),
        h('p', {}, 'Status ', h('code', { class: 'strong', text: resp.status ?? '—' })),
        headersTable(resp.headers),
        resp.body !== undefined && resp.body !== null ? [h('h3', { text: 'Body' }), pre(resp.body)] : null),
      op.meta && Object.keys(op.meta).length ? h('section', { class: 'card' }, h('h2', { text: 'Details' }), pre(maskDeep(op.meta))) : null);
    return op;
  };
  const op = await load();
  if (op && op.status === 'running') {
    const t = every(POLL_MS, async () => {
      if (document.hidden) return;
      const o = await load();
      if (!o || o.status !== 'running') clearInterval(t);
    });
  }
}

// ---------- start ----------

route();
