// Rover run view: renders the state the extension posts; sends back only 'open', 'review', 'cancel',
// 'rerun' and 'ready'. Builds DOM nodes; run data (it comes from a model) is only inserted as text.
(function () {
  const vscode = acquireVsCodeApi();
  const app = document.getElementById('app');

  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k.startsWith('data-')) n.setAttribute(k, String(v));
      else if (k === 'onclick') n.addEventListener('click', v);
      else n.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return n;
  }

  function locLink(file, line, label) {
    const a = el('a', { class: 'loc-link', href: '#', 'data-file': file, 'data-line': line || 1, title: `Open ${file}:${line || 1}` }, label || `${file}:${line || 1}`);
    return a;
  }

  function cost(usd) {
    if (!usd) return '$0.00';
    return usd < 0.01 ? '$' + usd.toFixed(4) : '$' + usd.toFixed(2);
  }

  function diffBlock(diff) {
    const pre = el('pre', { class: 'diff' });
    for (const line of String(diff).split('\n').slice(0, 400)) {
      const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : '';
      pre.append(el('span', { class: cls }, line + '\n'));
    }
    return pre;
  }

  function argsText(args) {
    return Object.entries(args || {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  }

  const ORACLE = { given: 'your failing tests', 'last-run': 'failures of your last test run', reproduction: 'a reproduction test Rover wrote', none: 'none' };

  function render(s) {
    const secs = Math.round(((s.endedAt || Date.now()) - s.startedAt) / 1000);
    const parts = [];
    parts.push(el('h1', {}, s.issueTitle, el('span', { class: `status ${s.status}`, id: 'run-status' }, s.status)));
    if (s.notice) parts.push(el('div', { class: 'notice' }, s.notice));
    parts.push(
      el('div', { class: 'figures' },
        el('div', {}, el('b', { id: 'tokens' }, `${s.usage.inputTokens.toLocaleString()} / ${s.usage.outputTokens.toLocaleString()}`), 'tokens in / out'),
        s.subscription ? el('div', {}, el('b', { id: 'cost' }, 'subscription'), 'billed by your subscription') : el('div', {}, el('b', { id: 'cost' }, cost(s.usage.costUsd)), 'estimated cost'),
        el('div', {}, el('b', {}, String(s.usage.calls)), 'model calls'),
        el('div', {}, el('b', {}, `${secs}s`), 'elapsed')));
    const buttons = [];
    if (s.status === 'running') buttons.push(el('button', { id: 'cancel', onclick: () => vscode.postMessage({ type: 'cancel' }) }, 'Cancel run'));
    if (s.status === 'done' && s.reviewOpen) buttons.push(el('button', { onclick: () => vscode.postMessage({ type: 'review' }) }, 'Review patch'));
    if (s.status === 'done' && s.githubIssue) buttons.push(el('button', { id: 'open-pr', onclick: () => vscode.postMessage({ type: 'openPr' }) }, `Open Pull Request (${s.githubIssue})`));
    if (s.status !== 'running') buttons.push(el('button', { class: 'secondary', onclick: () => vscode.postMessage({ type: 'rerun' }) }, 'Run again'));
    if (buttons.length) parts.push(el('div', {}, buttons));
    if (s.summary) parts.push(el('p', { id: 'summary' }, s.summary));

    parts.push(el('h2', {}, 'Stages'));
    parts.push(el('ol', { class: 'stages' }, s.stages.map((st, i) =>
      el('li', { class: i === s.stages.length - 1 && s.status === 'running' ? 'current' : '' }, st.stage, st.message ? el('span', { class: 'muted' }, ' — ' + st.message) : null))));

    if (s.errors.length) {
      parts.push(el('h2', {}, 'Errors'));
      for (const e of s.errors) parts.push(el('div', { class: 'error' }, (e.recoverable ? '⚠ ' : '✖ ') + e.message));
    }

    if (s.notes && s.notes.length) {
      for (const n of s.notes) parts.push(el('div', { class: 'notice note' }, n));
    }

    if ((s.reproductionAttempts && s.reproductionAttempts.length) || s.oracle) {
      parts.push(el('h2', {}, 'Oracle tests'));
      const o = s.oracle;
      if (o) parts.push(el('div', { id: 'oracle', class: 'oracle ' + o.source }, el('b', {}, ORACLE[o.source] || o.source), ' — ', o.message));
      for (const a of s.reproductionAttempts || []) {
        parts.push(el('div', { class: 'repro-attempt ' + (a.kept ? 'kept' : 'rejected') },
          `#${a.attempt} `, a.file ? el('code', {}, a.file) : null, a.kept ? ' kept: ' : ' rejected: ', a.reason));
      }
      if (o && o.reproduction) {
        parts.push(el('div', { class: 'muted' }, 'The reproduction test (offered in the review as a new file you can keep):'));
        parts.push(el('pre', { class: 'code', id: 'reproduction-test' }, o.reproduction.content));
        parts.push(el('div', { class: 'muted' }, 'How it fails on your code now:'));
        parts.push(el('pre', { class: 'failure', id: 'reproduction-failure' }, o.reproduction.output.split('\n').slice(-40).join('\n')));
      }
    }

    if (s.localization) {
      const l = s.localization;
      parts.push(el('h2', {}, l.source === 'sbfl' ? 'Suspects (fault localization)' : 'Fault localization'));
      parts.push(el('div', { class: 'muted', id: 'localization' }, l.source === 'sbfl' ? l.message : `Search only: ${l.message}`));
      if (l.suspects.length) {
        parts.push(el('ol', { class: 'suspects' }, l.suspects.map((x) =>
          el('li', {}, el('b', {}, x.score.toFixed(3)), ' ', locLink(x.file, x.line, x.symbol), el('span', { class: 'muted' }, ` ${x.file}:${x.line}`)))));
      }
    }

    if (s.searches.length) {
      parts.push(el('h2', {}, `Code search (${s.searches.length})`));
      for (const q of s.searches) {
        parts.push(el('div', { class: 'search' + (q.ok ? '' : ' failed') },
          el('span', { class: 'muted' }, `round ${q.round} `),
          el('span', { class: 'api' }, `${q.api}(${argsText(q.args)})`),
          el('span', { class: 'muted' }, ' → ' + q.summary),
          q.hits.length ? el('div', { class: 'hits' }, q.hits.slice(0, 12).map((h) => el('div', {}, locLink(h.file, h.line), h.symbol ? el('span', { class: 'muted' }, ' ' + h.symbol) : null))) : null));
      }
    }

    if (s.locations.length) {
      parts.push(el('h2', {}, 'Bug locations'));
      for (const l of s.locations) {
        const name = [l.className, l.method].filter(Boolean).join('.') || l.file;
        parts.push(el('div', { class: 'location' },
          el('div', {}, locLink(l.file, l.startLine), ' ', el('b', {}, name), l.resolvedBy && l.resolvedBy !== 'exact' ? el('span', { class: 'muted' }, ` (matched ${l.resolvedBy})`) : null),
          el('div', {}, el('span', { class: 'muted' }, 'Intended behaviour: '), l.intendedBehavior)));
      }
    }

    if (s.attempts.length) {
      parts.push(el('h2', {}, 'Edit attempts'));
      for (const a of s.attempts) parts.push(el('div', { class: a.ok ? '' : 'error' }, `#${a.attempt} ${a.ok ? 'applied' : 'failed'}${a.strategy ? ' (' + a.strategy + ')' : ''}: ${a.message}`));
    }

    if (s.candidates.length) {
      parts.push(el('h2', {}, `Candidate patches (${s.candidates.length})`));
      for (const c of s.candidates) {
        const chosen = s.selected && s.selected.id === c.id;
        const ev = c.evidence;
        parts.push(el('div', { class: 'candidate' + (chosen ? ' chosen' : '') },
          el('div', {}, el('b', {}, c.id), chosen ? ' — chosen' : ''),
          ev ? el('div', { class: 'evidence' }, `verdict: ${ev.verdict}`, ev.kept === false ? el('span', { class: 'p2f' }, ` — dropped: ${ev.note || ''}`) : ev.kept ? el('span', { class: 'muted' }, ` — ${ev.note || 'kept'}`) : null,
            ev.failToPass.length ? el('div', { class: 'f2p' }, 'fail → pass: ' + ev.failToPass.join(', ')) : null,
            ev.passToFail.length ? el('div', { class: 'p2f' }, 'pass → fail: ' + ev.passToFail.join(', ')) : null) : el('div', { class: 'muted' }, 'no test evidence'),
          diffBlock(c.diff)));
      }
    }

    if (s.selected) {
      parts.push(el('h2', {}, 'Why this patch'));
      parts.push(el('div', { class: 'reason', id: 'reason' }, s.selected.reason));
    }

    if (s.text) {
      parts.push(el('h2', {}, 'Model output (tail)'));
      parts.push(el('div', { class: 'stream' }, s.text));
    }
    app.replaceChildren(...parts);
  }

  app.addEventListener('click', (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('a.loc-link') : null;
    if (!a) return;
    ev.preventDefault();
    vscode.postMessage({ type: 'open', file: a.getAttribute('data-file'), line: Number(a.getAttribute('data-line')) });
  });

  window.addEventListener('message', (ev) => {
    const m = ev.data;
    if (m && m.type === 'state' && m.state) {
      vscode.setState(m.state);
      render(m.state);
    }
  });

  const saved = vscode.getState();
  if (saved) render(saved);
  vscode.postMessage({ type: 'ready' });
})();
