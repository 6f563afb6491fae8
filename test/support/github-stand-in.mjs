// A local stand-in for the GitHub REST endpoints Rover uses (issue, its comments, the repository,
// creating a pull request), on a free loopback port, with the failures of the real service scriptable:
// private repositories (404 without a token), revoked tokens (401), rate limits (403/429 with reset
// times), a connection cut mid-answer, and refusals of a pull request (422). Tests point Rover's real
// Octokit client at it by base URL and read back every request it got.
//
//   const gh = await startGitHubStandIn({ repos: { 'acme/shop': { issues: {7: {...}}, private: true } }, tokens: ['t0k'] })
//   gh.url  gh.requests  gh.pulls  gh.fault('GET /repos/acme/shop/issues/7', {status: 429, headers: {'retry-after': '120'}})  gh.close()
//
// Also a command: node test/support/github-stand-in.mjs --state state.json [--port N]  (prints "listening URL").
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

function issueJson(base, owner, repo, n, i) {
  return {
    id: 1000 + n,
    number: n,
    title: i.title ?? `Issue ${n}`,
    body: i.body ?? null,
    state: i.state ?? 'open',
    state_reason: i.state_reason ?? null,
    closed_at: i.closed_at ?? null,
    locked: !!i.locked,
    active_lock_reason: i.active_lock_reason ?? null,
    labels: (i.labels ?? []).map((name, k) => ({ id: k + 1, name })),
    user: { login: i.author ?? 'reporter', type: 'User' },
    comments: (i.comments ?? []).length,
    html_url: `${i.htmlBase ?? 'https://github.com'}/${owner}/${repo}/issues/${n}`,
    url: `${base}/repos/${owner}/${repo}/issues/${n}`,
    ...(i.pull ? { pull_request: { url: `${base}/repos/${owner}/${repo}/pulls/${n}` } } : {}),
  };
}

export async function startGitHubStandIn(state = {}) {
  const repos = state.repos ?? {};
  const tokens = new Set(state.tokens ?? []);
  const revoked = new Set(state.revoked ?? []);
  const requests = [];
  const pulls = [];
  const faults = new Map();
  let server;
  let base = '';
  const send = (res, status, body, headers = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const handle = async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, base);
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const auth = req.headers.authorization;
    const rec = { method: req.method, path, query: Object.fromEntries(url.searchParams), authorization: auth, body: raw ? JSON.parse(raw) : undefined };
    requests.push(rec);
    const key = `${req.method} ${path}`;
    const f = faults.get(key);
    if (f && f.times > 0) {
      f.times--;
      if (f.reset) {
        // the connection dies before any answer
        req.socket.destroy();
        return;
      }
      if (f.cut) {
        // headers, part of a body, then the connection dies: a network failure mid-fetch
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.write('[{"id": 1, "body": "par');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      return send(res, f.status, f.body ?? { message: f.message ?? 'fault', documentation_url: 'https://docs.github.com/rest' }, f.headers);
    }
    const token = auth?.replace(/^(token|bearer)\s+/i, '');
    if (token && revoked.has(token)) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (token && !tokens.has(token)) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    const r = m && repos[`${m[1]}/${m[2]}`];
    if (!m || !r || (r.private && !token)) return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    const [, owner, repo, rest = ''] = m;
    const rl = { 'x-ratelimit-limit': token ? '5000' : '60', 'x-ratelimit-remaining': '42', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) };
    if (req.method === 'GET' && rest === '') return send(res, 200, { id: 1, name: repo, full_name: `${owner}/${repo}`, private: !!r.private, default_branch: r.defaultBranch ?? 'main' }, rl);
    const im = /^\/issues\/(\d+)(\/comments)?$/.exec(rest);
    if (req.method === 'GET' && im) {
      const n = Number(im[1]);
      const issue = r.issues?.[n];
      if (!issue) return send(res, 404, { message: 'Not Found' }, rl);
      if (!im[2]) return send(res, 200, issueJson(base, owner, repo, n, issue), rl);
      const all = (issue.comments ?? []).map((c, k) => ({
        id: 5000 + k,
        body: c.body,
        user: { login: c.author ?? 'someone', type: c.bot || /\[bot\]$/.test(c.author ?? '') ? 'Bot' : 'User' },
        created_at: c.created_at ?? new Date(Date.UTC(2024, 0, 1 + k)).toISOString(),
      }));
      const per = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = all.slice((page - 1) * per, page * per);
      const last = Math.max(1, Math.ceil(all.length / per));
      const link = page < last ? { link: `<${base}${url.pathname}?per_page=${per}&page=${page + 1}>; rel="next", <${base}${url.pathname}?per_page=${per}&page=${last}>; rel="last"` } : {};
      return send(res, 200, slice, { ...rl, ...link });
    }
    if (req.method === 'POST' && rest === '/pulls') {
      if (!token) return send(res, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
      const b = rec.body ?? {};
      const number = 100 + pulls.length + 1;
      const pr = { number, html_url: `https://github.com/${owner}/${repo}/pull/${number}`, draft: !!b.draft, title: b.title, head: { ref: b.head }, base: { ref: b.base }, body: b.body, state: 'open' };
      pulls.push({ owner, repo, request: b, pr });
      return send(res, 201, pr, rl);
    }
    return send(res, 404, { message: 'Not Found' });
  };
  server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });
  await new Promise((resolve) => server.listen(state.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: base,
    requests,
    pulls,
    /** Scripts a failure of one endpoint ("GET /repos/o/r/issues/7"): {status, headers, message, body, times, cut (mid-body), reset (no answer)}. */
    fault(key, f) {
      faults.set(key, { times: 1, ...f });
    },
    clearFaults() {
      faults.clear();
    },
    addToken(t) {
      tokens.add(t);
    },
    revoke(t) {
      tokens.delete(t);
      revoked.add(t);
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (n) => {
    const i = process.argv.indexOf(n);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const state = arg('--state') ? JSON.parse(readFileSync(arg('--state'), 'utf8')) : {};
  if (arg('--port')) state.port = Number(arg('--port'));
  const s = await startGitHubStandIn(state);
  console.log(`listening ${s.url}`);
}
