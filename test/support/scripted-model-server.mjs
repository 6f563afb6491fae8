#!/usr/bin/env node
// A local stand-in for a model API, for tests and the end-to-end harness: speaks the Anthropic Messages
// API (POST /v1/messages) and OpenAI chat completions (POST /v1/chat/completions), streamed (SSE) and
// not, and plays a scripted conversation. Plain ESM JavaScript so `node` can run it without a build.
//
// Script: an array of turns (or { turns: [...] }, or a function (request) => turn).
//   A turn is { text?, toolCalls?: [{ name, args?, rawArgs?, id? }], thinking?, refusal?, stopReason?, usage? } plus optional
//   faults and conditions:
//     status: 429|500|529|401|..., times?: n, body?, headers?   answer with this error n times (default: always)
//     cutStreamAfterBytes: n, times?: n                         send n bytes of the response, then drop the socket
//     streamErrorAfterEvents: n, streamError?: {type,message}   stream n events then an error event (default overloaded)
//     delayMs: n                                                wait before answering
//     chunkDelayMs: n, chunkSize: n                             pace the stream (default 0 ms, 12 chars)
//     hang: { afterEvents?: n, pingEveryMs?: n }               send n events (default 0: headers only), then
//                                                               only keep-alive pings (Anthropic `event: ping`,
//                                                               OpenAI an empty chunk) until the client hangs up
//     textBytes: n                                              the text is n characters of filler (huge replies)
//     when: { lastToolResultIncludes?, lastUserIncludes?, anyMessageIncludes?, systemIncludes?, toolOffered?, noTools?, api? }
//       (also accepted flat: whenLastToolResultIncludes, whenLastUserIncludes, whenAnyMessageIncludes)
//     repeat: true                                              the turn is not used up when played
//   Each request plays the first unused turn whose conditions hold (turns without conditions hold always),
//   so a plain list plays in order and conditional turns can react to tool results.
//   rawArgs sends the arguments text verbatim (e.g. malformed JSON).
//
// API: startScriptedServer({ script, expectedKey?, port?, host? }) → { url, port, requests, close(), setScript() }
// CLI: node scripted-model-server.mjs --script file.json [--port N] [--expected-key K] [--record out.jsonl]
//      prints "listening http://127.0.0.1:PORT" on stdout.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFileSync, appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const approxTokens = (s) => Math.max(1, Math.ceil(String(s ?? '').length / 4));
let idCounter = 0;
const newId = (prefix) => `${prefix}${Date.now().toString(36)}${(++idCounter).toString(36).padStart(4, '0')}`;

/** Text of the messages of either API, flattened per message: [{ role, kind, text }]. */
function flatten(api, body) {
  const out = [];
  for (const m of body?.messages ?? []) {
    if (api === 'anthropic') {
      const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content ?? []);
      for (const b of blocks) {
        if (b.type === 'text') out.push({ role: m.role, kind: 'text', text: b.text });
        else if (b.type === 'tool_result') {
          const t = typeof b.content === 'string' ? b.content : (b.content ?? []).map((c) => c.text ?? '').join('');
          out.push({ role: 'tool', kind: 'tool_result', text: t });
        } else if (b.type === 'tool_use') out.push({ role: m.role, kind: 'tool_use', text: JSON.stringify(b.input) });
      }
    } else {
      const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((c) => c.text ?? '').join('');
      if (m.role === 'tool') out.push({ role: 'tool', kind: 'tool_result', text });
      else if (m.role !== 'system') out.push({ role: m.role, kind: 'text', text: text ?? '' });
    }
  }
  return out;
}

function conditionsOf(turn) {
  const w = { ...(turn.when ?? {}) };
  if (turn.whenLastToolResultIncludes !== undefined) w.lastToolResultIncludes = turn.whenLastToolResultIncludes;
  if (turn.whenLastUserIncludes !== undefined) w.lastUserIncludes = turn.whenLastUserIncludes;
  if (turn.whenAnyMessageIncludes !== undefined) w.anyMessageIncludes = turn.whenAnyMessageIncludes;
  return w;
}

function matches(turn, req) {
  const w = conditionsOf(turn);
  const flat = flatten(req.api, req.body);
  if (w.api && w.api !== req.api) return false;
  if (w.lastToolResultIncludes !== undefined) {
    // The tool results of the most recent round, i.e. after the last assistant turn.
    const lastAssistant = flat.map((f) => f.role).lastIndexOf('assistant');
    const results = flat.slice(lastAssistant + 1).filter((f) => f.kind === 'tool_result');
    if (!results.some((r) => r.text.includes(w.lastToolResultIncludes))) return false;
  }
  if (w.lastUserIncludes !== undefined) {
    const users = flat.filter((f) => f.role === 'user' && f.kind === 'text');
    if (!users.length || !users[users.length - 1].text.includes(w.lastUserIncludes)) return false;
  }
  if (w.anyMessageIncludes !== undefined) {
    const sys = req.api === 'anthropic' ? JSON.stringify(req.body.system ?? '') : '';
    if (!flat.some((f) => f.text.includes(w.anyMessageIncludes)) && !sys.includes(w.anyMessageIncludes)) return false;
  }
  if (w.systemIncludes !== undefined) {
    const sys = req.api === 'anthropic'
      ? (typeof req.body.system === 'string' ? req.body.system : (req.body.system ?? []).map((b) => b.text ?? '').join('\n'))
      : (req.body.messages ?? []).filter((m) => m.role === 'system').map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((c) => c.text ?? '').join(''))).join('\n');
    if (!sys.includes(w.systemIncludes)) return false;
  }
  if (w.noTools && (req.body.tools ?? []).length > 0) return false;
  if (w.toolOffered !== undefined) {
    const names = (req.body.tools ?? []).map((t) => t.name ?? t.function?.name);
    if (!names.includes(w.toolOffered)) return false;
  }
  return true;
}

class Player {
  constructor(script) {
    this.set(script);
  }
  set(script) {
    this.fn = typeof script === 'function' ? script : undefined;
    const turns = Array.isArray(script) ? script : (script?.turns ?? []);
    this.turns = this.fn ? [] : turns.map((t, index) => ({ turn: t, index, used: false, faults: 0 }));
    this.fnFaults = new Map();
    this.played = 0;
  }
  /** The turn for this request, or undefined when the script has nothing left that applies. */
  async pick(req) {
    if (this.fn) {
      const turn = await this.fn(req);
      return turn ? { turn, index: this.played, slot: undefined } : undefined;
    }
    const slot = this.turns.find((s) => !s.used && matches(s.turn, req));
    return slot ? { turn: slot.turn, index: slot.index, slot } : undefined;
  }
}

const ANTHROPIC_ERROR_TYPES = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function errorBody(api, status, message) {
  if (api === 'anthropic') {
    return { type: 'error', error: { type: ANTHROPIC_ERROR_TYPES[status] ?? 'api_error', message } };
  }
  const code = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : null;
  return { error: { message, type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code } };
}

/** The key the client sent, in whichever header its API uses. */
function presentedKey(req) {
  const x = req.headers['x-api-key'];
  if (typeof x === 'string') return x;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer /i.test(auth)) return auth.slice(7);
  return '';
}

/** Anthropic-style cache simulation: the prefix up to the last cache_control breakpoint is "written"
 *  the first time it is seen and "read" afterwards, so clients' cache accounting can be exercised. */
function anthropicCacheUsage(body, seen) {
  const parts = [];
  let prefix = null;
  const mark = () => {
    prefix = JSON.stringify(parts);
  };
  for (const t of body.tools ?? []) {
    parts.push(t);
    if (t.cache_control) mark();
  }
  const sys = typeof body.system === 'string' ? [{ type: 'text', text: body.system }] : (body.system ?? []);
  for (const b of sys) {
    parts.push(b);
    if (b.cache_control) mark();
  }
  for (const m of body.messages ?? []) {
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content ?? []);
    for (const b of blocks) {
      parts.push({ role: m.role, ...b, cache_control: undefined });
      if (b.cache_control) mark();
    }
  }
  const total = approxTokens(JSON.stringify(parts));
  if (prefix === null) return { input_tokens: total, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const cached = approxTokens(prefix);
  const key = createHash('sha256').update(prefix).digest('hex');
  const hit = seen.has(key);
  seen.add(key);
  return {
    input_tokens: Math.max(0, total - cached),
    cache_read_input_tokens: hit ? cached : 0,
    cache_creation_input_tokens: hit ? 0 : cached,
  };
}

/** Stands in for the opaque signature the real API attaches to thinking blocks. */
function signatureOf(thinking) {
  return 'sig_' + createHash('sha256').update(thinking).digest('base64').slice(0, 24);
}

function chunksOf(s, size) {
  const out = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out.length ? out : [''];
}

function normCalls(turn) {
  return (turn.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? newId(turn.__api === 'openai' ? 'call_' : 'toolu_'),
    name: c.name,
    argsText: c.rawArgs !== undefined ? String(c.rawArgs) : JSON.stringify(c.args ?? {}),
    args: c.args ?? {},
    raw: c.rawArgs !== undefined,
    index: i,
  }));
}

// ---------- Anthropic ----------
function anthropicEvents(turn, model, usage) {
  const size = turn.chunkSize ?? 12;
  const calls = normCalls(turn);
  const events = [];
  const outTokens = turn.usage?.output_tokens ?? approxTokens((turn.text ?? '') + calls.map((c) => c.argsText).join(''));
  events.push([
    'message_start',
    {
      type: 'message_start',
      message: {
        id: newId('msg_'),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    },
  ]);
  events.push(['ping', { type: 'ping' }]);
  let index = 0;
  if (turn.thinking) {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }]);
    for (const piece of chunksOf(turn.thinking, size)) {
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }]);
    }
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: signatureOf(turn.thinking) } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  if (turn.text !== undefined && turn.text !== '') {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
    for (const piece of chunksOf(turn.text, size)) {
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  for (const c of calls) {
    events.push([
      'content_block_start',
      { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } },
    ]);
    for (const piece of chunksOf(c.argsText, size)) {
      events.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } },
      ]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  const stop = turn.stopReason ?? (calls.length ? 'tool_use' : 'end_turn');
  events.push([
    'message_delta',
    { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: outTokens } },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

function anthropicMessage(turn, model, usage) {
  const calls = normCalls(turn);
  const content = [];
  if (turn.thinking) content.push({ type: 'thinking', thinking: turn.thinking, signature: signatureOf(turn.thinking) });
  if (turn.text) content.push({ type: 'text', text: turn.text });
  for (const c of calls) {
    // A non-streamed message cannot carry malformed JSON as an object: the raw text is sent as a string.
    content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.raw ? c.argsText : c.args });
  }
  return {
    id: newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: turn.stopReason ?? (calls.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      ...usage,
      output_tokens: turn.usage?.output_tokens ?? approxTokens((turn.text ?? '') + calls.map((c) => c.argsText).join('')),
    },
  };
}

// ---------- OpenAI ----------
function openaiUsage(turn, body, rawBody) {
  const prompt = turn.usage?.prompt_tokens ?? approxTokens(rawBody);
  const calls = normCalls(turn);
  const completion = turn.usage?.completion_tokens ?? approxTokens((turn.text ?? '') + calls.map((c) => c.argsText).join(''));
  const cached = turn.usage?.cached_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function openaiFinish(turn, calls) {
  if (turn.stopReason === 'max_tokens' || turn.stopReason === 'length') return 'length';
  return calls.length ? 'tool_calls' : 'stop';
}

function openaiChunks(turn, model, usage, includeUsage) {
  const size = turn.chunkSize ?? 12;
  const id = newId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const calls = normCalls({ ...turn, __api: 'openai' });
  const chunk = (delta, finish = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const out = [chunk({ role: 'assistant', content: '' })];
  if (turn.text) for (const piece of chunksOf(turn.text, size)) out.push(chunk({ content: piece }));
  if (turn.refusal) for (const piece of chunksOf(turn.refusal, size)) out.push(chunk({ refusal: piece }));
  for (const c of calls) {
    out.push(chunk({ tool_calls: [{ index: c.index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    for (const piece of chunksOf(c.argsText, size)) {
      out.push(chunk({ tool_calls: [{ index: c.index, function: { arguments: piece } }] }));
    }
  }
  out.push(chunk({}, openaiFinish(turn, calls)));
  if (includeUsage) out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  return [...out.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

function openaiCompletion(turn, model, usage) {
  const calls = normCalls({ ...turn, __api: 'openai' });
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          refusal: turn.refusal ?? null,
          ...(calls.length
            ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.argsText } })) }
            : {}),
        },
        finish_reason: openaiFinish(turn, calls),
        logprobs: null,
      },
    ],
    usage,
  };
}

// ---------- server ----------
export async function startScriptedServer({ script = [], expectedKey, port = 0, host = '127.0.0.1', record } = {}) {
  const player = new Player(script);
  const requests = [];
  const cacheSeen = new Set();
  const sockets = new Set();

  const server = http.createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `scripted server crashed: ${e?.stack ?? e}` } }));
      } else res.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req, res) {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && /\/(v1\/)?models$/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'scripted-model', object: 'model', owned_by: 'rover-tests' }] }));
      return;
    }
    const api = /\/(v1\/)?messages$/.test(path) ? 'anthropic' : /\/(v1\/)?chat\/completions$/.test(path) ? 'openai' : null;
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || !api) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    let body;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return sendError(res, api, 400, 'request body is not JSON');
    }
    const entry = {
      api,
      method: req.method,
      path,
      headers: { ...req.headers },
      body,
      rawBody,
      turnIndex: null,
      response: null,
      time: new Date().toISOString(),
    };
    requests.push(entry);
    // Lets tests check that a cancelled client really hung up (not merely stopped listening).
    res.on('close', () => {
      if (!res.writableFinished && !entry.cutByServer) entry.clientAborted = true;
    });
    if (record) appendFileSync(record, JSON.stringify({ api, path, body, time: entry.time }) + '\n');

    const key = presentedKey(req);
    if (expectedKey !== undefined && key !== expectedKey) {
      // Real servers echo (part of) the rejected key; clients must redact it.
      const msg = api === 'anthropic' ? `invalid x-api-key: ${key}` : `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`;
      entry.response = { status: 401 };
      return sendError(res, api, 401, msg);
    }

    const picked = await player.pick({ api, body, headers: req.headers, index: requests.length - 1, requests });
    if (!picked) {
      entry.response = { status: 400 };
      return sendError(res, api, 400, `scripted server: script exhausted (no turn left that matches request #${requests.length})`);
    }
    let { turn, slot } = picked;
    if (turn.textBytes) turn = { ...turn, text: 'lorem ipsum '.repeat(Math.ceil(turn.textBytes / 12)).slice(0, turn.textBytes), chunkSize: turn.chunkSize ?? 65536 };
    entry.turnIndex = picked.index;
    if (turn.delayMs) await sleep(turn.delayMs);

    // Fault counters live on the script slot (or per function-turn object) so `times` counts attempts.
    const state = slot ?? (player.fnFaults.get(turn) ?? player.fnFaults.set(turn, { faults: 0 }).get(turn));
    const times = turn.times ?? Infinity;
    if (turn.status && state.faults < times) {
      state.faults++;
      entry.response = { status: turn.status };
      const message =
        typeof turn.body === 'string'
          ? turn.body
          : turn.body
            ? undefined
            : turn.status === 429
              ? 'rate limited (scripted)'
              : turn.status === 529
                ? 'Overloaded'
                : turn.status === 401
                  ? `invalid x-api-key: ${key}`
                  : `scripted failure ${turn.status}`;
      res.writeHead(turn.status, { 'content-type': 'application/json', ...(turn.headers ?? {}) });
      res.end(JSON.stringify(turn.body && typeof turn.body === 'object' ? turn.body : errorBody(api, turn.status, message)));
      return;
    }
    const cut = turn.cutStreamAfterBytes !== undefined && state.faults < times ? turn.cutStreamAfterBytes : undefined;
    if (cut !== undefined) state.faults++;

    const model = body.model ?? 'scripted-model';
    const stream = body.stream === true;
    let pieces;
    let contentType;
    if (api === 'anthropic') {
      const usage = { ...anthropicCacheUsage(body, cacheSeen), ...(turn.usage ?? {}) };
      delete usage.output_tokens;
      if (stream) {
        pieces = anthropicEvents(turn, model, usage);
        contentType = 'text/event-stream';
      } else {
        pieces = [JSON.stringify(anthropicMessage(turn, model, usage))];
        contentType = 'application/json';
      }
    } else {
      const usage = openaiUsage(turn, body, rawBody);
      if (stream) {
        pieces = openaiChunks(turn, model, usage, body.stream_options?.include_usage === true);
        contentType = 'text/event-stream';
      } else {
        pieces = [JSON.stringify(openaiCompletion(turn, model, usage))];
        contentType = 'application/json';
      }
    }
    // A mid-stream error event (Anthropic: `event: error`; OpenAI: a data chunk holding `error`).
    if (stream && turn.streamErrorAfterEvents !== undefined && state.faults < times) {
      state.faults++;
      const err = turn.streamError ?? { type: 'overloaded_error', message: 'Overloaded' };
      const tail =
        api === 'anthropic'
          ? `event: error\ndata: ${JSON.stringify({ type: 'error', error: err })}\n\n`
          : `data: ${JSON.stringify({ error: { message: err.message, type: err.type, code: null } })}\n\n`;
      pieces = [...pieces.slice(0, turn.streamErrorAfterEvents), tail];
      entry.response = { status: 200, stream, streamError: true };
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
      for (const piece of pieces) {
        res.write(piece);
        if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
      }
      res.end();
      return;
    }
    entry.response = { status: 200, stream, cut: cut !== undefined };
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', ...(stream ? { connection: 'keep-alive' } : {}) });
    if (turn.hang) {
      // a server that answers and then never finishes: only pings, until the client gives up
      entry.response.hung = true;
      for (const piece of pieces.slice(0, turn.hang.afterEvents ?? 0)) res.write(piece);
      const ping =
        api === 'anthropic'
          ? `event: ping\ndata: ${JSON.stringify({ type: 'ping' })}\n\n`
          : `data: ${JSON.stringify({ id: 'chatcmpl-ping', object: 'chat.completion.chunk', created: 0, model, choices: [] })}\n\n`;
      while (!res.destroyed && !res.socket?.destroyed) {
        await sleep(turn.hang.pingEveryMs ?? 1000);
        if (turn.hang.pingEveryMs && stream && !res.destroyed) res.write(ping);
      }
      return;
    }
    let sent = 0;
    for (const piece of pieces) {
      const buf = Buffer.from(piece, 'utf8');
      if (cut !== undefined && sent + buf.length > cut) {
        res.write(buf.subarray(0, Math.max(0, cut - sent)));
        await sleep(5);
        // Drop the connection without finishing the chunked body: the client sees a cut stream.
        entry.cutByServer = true;
        res.socket?.destroy();
        return;
      }
      res.write(buf);
      sent += buf.length;
      if (turn.chunkDelayMs && stream) await sleep(turn.chunkDelayMs);
      if (res.destroyed || res.socket?.destroyed) return; // client went away (cancelled)
    }
    res.end();
    if (slot && !turn.repeat) slot.used = true;
    player.played++;
  }

  function sendError(res, api, status, message) {
    res.writeHead(status, { 'content-type': 'application/json', 'x-should-retry': 'false' });
    res.end(JSON.stringify(errorBody(api, status, message)));
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    requests,
    setScript(s) {
      player.set(s);
    },
    /** Turns of an array script not yet played (for asserting a script ran to its end). */
    remainingTurns() {
      return player.turns.filter((s) => !s.used && !s.turn.repeat).map((s) => s.index);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------- CLI ----------
function parseCli(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--script') opts.script = val();
    else if (a === '--port') opts.port = Number(val());
    else if (a === '--expected-key') opts.expectedKey = val();
    else if (a === '--record') opts.record = val();
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

// Bundlers (the benchmarks) rewrite import.meta.url to the bundle's own file: also require our name.
const isMain =
  !!process.argv[1] &&
  /scripted-model-server\.mjs$/.test(process.argv[1]) &&
  import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) void cliMain();

// No top-level await: the benchmarks bundle this file as CommonJS.
async function cliMain() {
  let opts;
  try {
    opts = parseCli(process.argv.slice(2));
    if (opts.help) {
      console.log('usage: node scripted-model-server.mjs --script file.json [--port N] [--expected-key K] [--record out.jsonl]');
      process.exit(0);
    }
    if (!opts.script) throw new Error('--script file.json is required');
    if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) {
      throw new Error('--port must be an integer 0..65535');
    }
  } catch (e) {
    console.error(`scripted-model-server: ${e.message}`);
    process.exit(2);
  }
  let script;
  try {
    script = JSON.parse(readFileSync(opts.script, 'utf8'));
  } catch (e) {
    console.error(`scripted-model-server: cannot read script ${opts.script}: ${e.message}`);
    process.exit(2);
  }
  let srv;
  try {
    srv = await startScriptedServer({ script, expectedKey: opts.expectedKey, port: opts.port ?? 0, record: opts.record });
  } catch (e) {
    console.error(`scripted-model-server: cannot listen: ${e.message}`);
    process.exit(1);
  }
  console.log(`listening ${srv.url}`);
  const stop = async () => {
    await srv.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
