// A small W3C WebDriver client over fetch: just what the end-to-end tests use, with no
// dependencies, so nothing has to be downloaded to drive the app.

const KEYS = { Enter: '\uE007', Backspace: '\uE003', Escape: '\uE00C', Control: '\uE009', ArrowDown: '\uE015', ArrowUp: '\uE013' };
export { KEYS };

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const res = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, res.sessionId ?? res.value?.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body).then((r) => r.value);
  }

  async close() {
    await this.cmd('DELETE', '').catch(() => {});
  }

  /** Runs a script in the page and returns its value. */
  exec(script, ...args) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs an async script: it calls its last argument with the result. */
  execAsync(script, ...args) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  /** Draws a stroke on an element with the mouse: points are offsets from its centre. */
  async draw(css, points) {
    const el = await this.waitFor(css);
    await this.exec('arguments[0].scrollIntoView({ block: "center" });', { 'element-6066-11e4-a52e-4f735466cecf': el });
    const origin = { 'element-6066-11e4-a52e-4f735466cecf': el };
    const [first, ...rest] = points;
    const actions = [
      { type: 'pointerMove', duration: 0, origin, x: first[0], y: first[1] },
      { type: 'pointerDown', button: 0 },
      ...rest.map(([x, y]) => ({ type: 'pointerMove', duration: 20, origin, x, y })),
      { type: 'pointerUp', button: 0 },
    ];
    await this.cmd('POST', '/actions', {
      actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions }],
    });
    await this.cmd('DELETE', '/actions').catch(() => {});
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return Object.values(v)[0];
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => Object.values(e)[0]);
  }

  async click(css) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  async type(css, text) {
    const el = await this.waitFor(css);
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  async text(css) {
    const el = await this.waitFor(css);
    return this.cmd('GET', `/element/${el}/text`);
  }

  async attr(css, name) {
    const el = await this.waitFor(css);
    return this.cmd('GET', `/element/${el}/attribute/${name}`);
  }

  /** Presses keys as a person would, one after another, to whatever has focus. */
  async keys(...keys) {
    const actions = [];
    for (const k of keys) {
      actions.push({ type: 'keyDown', value: k }, { type: 'keyUp', value: k });
    }
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  /** Presses a chord such as Control+Enter. */
  async chord(...keys) {
    const actions = keys.map((k) => ({ type: 'keyDown', value: k }));
    for (const k of [...keys].reverse()) actions.push({ type: 'keyUp', value: k });
    await this.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions }] });
  }

  /** Waits until `css` matches an element and returns it. */
  async waitFor(css, timeout = 10000) {
    return this.waitUntil(async () => (await this.findAll(css))[0], `${css} to appear`, timeout);
  }

  /** Waits until `check` returns something truthy, and returns it. */
  async waitUntil(check, what, timeout = 10000) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await check();
        if (last) return last;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json;
}
