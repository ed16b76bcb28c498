// The entry screen. It only turns keystrokes into a ballot code (x:2,5 / m:adbn, flags !n !w !s)
// and shows what the server's rules engine says of it; every rule stays on the server.
(() => {
  const root = document.getElementById('entry');
  const entry = root.dataset.entry;
  const csrf = root.dataset.csrf;
  const layout = root.dataset.layout;
  const keys = root.dataset.keys;
  const size = Number(root.dataset.size);
  const items = [...root.querySelectorAll('.entry-list li')];
  const verdict = document.getElementById('verdict');
  const flagsEl = document.getElementById('flags');
  const countEl = document.getElementById('count');
  const pendingEl = document.getElementById('pending');
  const recent = document.getElementById('recent');
  const MARKS = ['a', 'd', 'b', 'n'];
  const MARK_LABEL = { a: 'đồng ý', d: 'không đồng ý', b: 'cả hai ô', n: 'bỏ trống' };
  const FLAG_LABEL = { n: 'không do ban kiểm phiếu phát ra (F2)', w: 'ghi thêm tên (F3)', s: 'có ký tên (F4)' };
  let finished = root.dataset.finished === 'true';
  let struck = new Set();
  let marks = Array(size).fill('a');
  let flags = { n: false, w: false, s: false };
  let history = [];
  let digits = '';
  let correcting = null;
  let checkSeq = 0;
  // A ballot is untouched until its first key: the verdict stays neutral (no red "Không hợp lệ" for
  // a paper not yet read). Enter on an untouched ballot still commits it and the server judges it.
  let touched = false;
  let queue = Promise.resolve();
  let pending = 0;
  let finishArmed = false;

  const code = () => {
    let c = layout === 'strike' ? 'x:' + [...struck].sort((a, b) => a - b).join(',') : 'm:' + marks.join('');
    for (const f of ['n', 'w', 's']) if (flags[f]) c += '!' + f;
    return c;
  };
  const randomKey = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  const api = (path, options = {}) =>
    fetch(`/api/entries/${entry}${path}`, {
      credentials: 'same-origin',
      ...options,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, ...(options.headers || {}) },
    });

  // The live verdict belongs to one ballot state: `#verdict[data-for]` names the code it answers.
  // While the answer for the current code is on its way the verdict is neutral, never the answer to
  // an earlier state, and an answer that comes back after a later key is dropped (checkSeq).
  // Answers are kept by code, so a state seen before is answered at once.
  const answers = new Map();
  const showVerdict = (c, status, body) => {
    if (status === 'pending') {
      verdict.textContent = 'Đang kiểm tra…';
      verdict.className = 'verdict';
    } else if (status === 'error') {
      verdict.textContent = body.error.message;
      verdict.className = 'verdict bad';
    } else if (body.valid) {
      verdict.textContent = `Hợp lệ — bầu cho ${body.votes_for.length} người`;
      verdict.className = 'verdict ok';
    } else {
      verdict.textContent = `Không hợp lệ: ${body.reason_text}`;
      verdict.className = 'verdict bad';
    }
    verdict.dataset.for = status === 'pending' ? '' : c;
    root.dataset.verdict = status === 'ok' ? (body.valid ? 'valid' : body.reason) : status;
  };
  const check = async () => {
    const mine = ++checkSeq;
    const c = code();
    if (!touched) {
      verdict.textContent = 'Phiếu mới: gõ phím của từng tên bị gạch, xong thì Enter.';
      verdict.className = 'verdict';
      verdict.dataset.for = '';
      root.dataset.verdict = 'untouched';
      return;
    }
    const known = answers.get(c);
    if (known) { showVerdict(c, known.status, known.body); return; }
    showVerdict(c, 'pending');
    try {
      const response = await api(`/check?code=${encodeURIComponent(c)}`);
      const body = await response.json();
      root.dataset.answered = Number(root.dataset.answered || 0) + 1;
      const status = response.ok ? 'ok' : 'error';
      if (response.ok && answers.size < 2000) answers.set(c, { status, body });
      if (mine === checkSeq) showVerdict(c, status, body);
    } catch {
      if (mine === checkSeq) { verdict.textContent = 'Mất kết nối tới máy chủ…'; verdict.dataset.for = ''; }
    }
  };

  const render = () => {
    items.forEach((li, i) => {
      if (layout === 'strike') {
        li.classList.toggle('struck', struck.has(i + 1));
      } else {
        li.dataset.mark = marks[i];
        li.querySelector('.mark').textContent = MARK_LABEL[marks[i]];
      }
    });
    const on = Object.keys(flags).filter((f) => flags[f]).map((f) => FLAG_LABEL[f]);
    flagsEl.textContent = (correcting ? `Đang sửa phiếu số ${correcting} (Esc để thôi). ` : '') + (on.length ? 'Đánh dấu: ' + on.join(', ') : '') + (digits ? ` Số đang gõ: ${digits}` : '');
    root.dataset.code = code();
    check();
  };

  const toggle = (position) => {
    if (position < 1 || position > size) return;
    touched = true;
    if (layout === 'strike') {
      if (struck.has(position)) struck.delete(position); else struck.add(position);
    } else {
      const i = position - 1;
      marks[i] = MARKS[(MARKS.indexOf(marks[i]) + 1) % MARKS.length];
    }
    history.push(['pos', position]);
    render();
  };
  const toggleFlag = (f) => { touched = true; flags[f] = !flags[f]; history.push(['flag', f]); render(); };
  const stepBack = () => {
    if (digits) { digits = digits.slice(0, -1); render(); return; }
    const last = history.pop();
    if (!last) return;
    if (last[0] === 'flag') flags[last[1]] = !flags[last[1]];
    else if (layout === 'strike') { if (struck.has(last[1])) struck.delete(last[1]); else struck.add(last[1]); }
    else { const i = last[1] - 1; marks[i] = MARKS[(MARKS.indexOf(marks[i]) + MARKS.length - 1) % MARKS.length]; }
    render();
  };
  const reset = () => {
    struck = new Set(); marks = Array(size).fill('a'); flags = { n: false, w: false, s: false };
    history = []; digits = ''; correcting = null; touched = false; render();
  };
  const load = (c) => {
    reset();
    const [body, ...fl] = c.split('!');
    for (const f of fl) flags[f] = true;
    if (body.startsWith('x:') && body.length > 2) body.slice(2).split(',').forEach((p) => struck.add(Number(p)));
    if (body.startsWith('m:')) marks = body.slice(2).split('');
  };

  // A ballot code in words: "gạch 1, 5", "2: không đồng ý", with its flags.
  const words = (c) => {
    const [body, ...fl] = c.split('!');
    let text;
    if (body.startsWith('x:')) {
      text = body.length > 2 ? 'gạch ' + body.slice(2).split(',').join(', ') : 'không gạch tên nào';
    } else {
      const odd = body.slice(2).split('').map((m, i) => [i + 1, m]).filter(([, m]) => m !== 'a');
      text = odd.length ? odd.map(([i, m]) => `${i}: ${MARK_LABEL[m]}`).join('; ') : 'đồng ý tất cả';
    }
    const flagWords = { n: 'không do BKP phát', w: 'ghi thêm tên', s: 'có ký tên' };
    return [text, ...fl.map((f) => flagWords[f])].join(', ');
  };
  const showRecent = (seq, check) => {
    const existing = recent.querySelector(`li[data-seq="${seq}"]`);
    const li = existing || document.createElement('li');
    li.dataset.seq = seq;
    li.dataset.code = check.code;
    li.textContent = `Phiếu ${seq}: ${words(check.code)}` + (check.valid ? '' : ` — không hợp lệ: ${check.reason_text}`);
    li.classList.toggle('invalid', !check.valid);
    if (!existing) recent.prepend(li);
    while (recent.children.length > 8) recent.lastElementChild.remove();
  };
  recent.querySelectorAll('li[data-seq]').forEach((li) =>
    showRecent(Number(li.dataset.seq), { code: li.dataset.code, valid: li.dataset.valid === 'true', reason_text: li.dataset.reason }));
  const showPending = () => { pendingEl.textContent = pending ? `Đang ghi ${pending} phiếu…` : ''; };
  const fail = (message) => { verdict.textContent = message; verdict.className = 'verdict bad'; };

  const send = async (c, key) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await api('/ballots', { method: 'POST', body: JSON.stringify({ code: c, key }) });
        const body = await response.json();
        pending--; showPending();
        if (!response.ok) { fail(`Phiếu chưa được ghi: ${body.error.message}`); return; }
        countEl.textContent = body.count;
        root.dataset.count = body.count;
        showRecent(body.seq, body.check);
        return;
      } catch {
        // The same key makes a retry harmless: the server stores the ballot once.
        await new Promise((r) => setTimeout(r, Math.min(3000, 200 * 2 ** attempt)));
      }
    }
  };
  const commit = () => {
    if (digits) { toggle(Number(digits)); digits = ''; }
    const c = code();
    if (correcting) {
      const seq = correcting;
      queue = queue.then(async () => {
        const response = await api(`/ballots/${seq}`, { method: 'PUT', body: JSON.stringify({ code: c }) });
        const body = await response.json();
        if (!response.ok) fail(body.error.message); else showRecent(seq, body);
      });
      reset();
      return;
    }
    const key = randomKey();
    pending++; showPending();
    queue = queue.then(() => send(c, key));
    reset();
  };
  const undo = () => {
    queue = queue.then(async () => {
      const response = await api('/undo', { method: 'POST', body: '{}' });
      const body = await response.json();
      if (!response.ok) { fail(body.error.message); return; }
      if (body.removed) {
        recent.querySelector(`li[data-seq="${body.removed}"]`)?.remove();
        const n = Number(countEl.textContent) - 1;
        countEl.textContent = n; root.dataset.count = n;
      }
    });
  };

  // Keys are read by their physical key (`KeyboardEvent.code`: KeyA, Digit1, Numpad1), never by the
  // text they would type, so a Vietnamese input method (Unikey, EVKey, the Windows Telex/VNI IME)
  // switched on does not change what a key does:
  // * a key the input method holds for composing arrives as key "Process", keyCode 229,
  //   isComposing: it acts by its `code`, exactly as the same key without the input method;
  // * the composed text (â, ă, ơ, á… — a keydown with a non-ASCII `key`, or composition/input
  //   events) is ignored: its physical keys have already acted. Telex "a" "a" strikes name A, then
  //   takes the stroke back; it never becomes anything else. A warning says the input method is on.
  // Nothing on this screen is a text field (and focus is taken off any), so an IME has nothing to
  // compose into.
  const NAMED = { Enter: 'Enter', NumpadEnter: 'Enter', Escape: 'Escape', Backspace: 'Backspace',
    F2: 'F2', F3: 'F3', F4: 'F4', Space: ' ' };
  const physical = (ev) => {
    const c = ev.code || '';
    let m = /^Key([A-Z])$/.exec(c);
    if (m) return m[1].toLowerCase();
    m = /^(?:Digit|Numpad)([0-9])$/.exec(c);
    if (m) return m[1];
    if (NAMED[c]) return NAMED[c];
    // No physical key (some synthetic events): a plain ASCII key still counts, composed text never.
    if (c === '' || c === 'Unidentified') {
      const k = ev.key || '';
      if (k.length === 1 && k.charCodeAt(0) < 128) return k.toLowerCase();
      if (['Enter', 'Escape', 'Backspace', 'F2', 'F3', 'F4'].includes(k)) return k;
    }
    return null;
  };
  const imeWarning = document.getElementById('ime');
  const composedText = (ev) => {
    const k = ev.key || '';
    return k === 'Process' || ev.keyCode === 229 || ev.isComposing || (k.length === 1 && k.charCodeAt(0) >= 128);
  };
  const warnIme = () => {
    imeWarning.hidden = false;
    root.dataset.ime = 'on';
  };
  for (const type of ['compositionstart', 'compositionupdate', 'compositionend', 'beforeinput', 'input']) {
    document.addEventListener(type, (ev) => { if (!finished) { warnIme(); if (ev.cancelable) ev.preventDefault(); } }, true);
  }
  document.addEventListener('keydown', (ev) => {
    if (finished) return;
    const composing = composedText(ev);
    if (composing) warnIme();
    const k = physical(ev);
    if (k === null) {
      // Composed text without a physical key of its own (the input method's output): ignored.
      if (composing) ev.preventDefault();
      return;
    }
    if (ev.ctrlKey && k === 'z') { ev.preventDefault(); undo(); return; }
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    const flag = { F2: 'n', F3: 'w', F4: 's' }[k];
    if (flag) { ev.preventDefault(); toggleFlag(flag); return; }
    if (k === 'Enter') { ev.preventDefault(); commit(); return; }
    if (k === 'Escape') { ev.preventDefault(); reset(); return; }
    if (k === 'Backspace') { ev.preventDefault(); stepBack(); return; }
    if (keys) {
      const i = k.length === 1 ? keys.indexOf(k) : -1;
      if (i >= 0) { ev.preventDefault(); toggle(i + 1); }
      return;
    }
    // Lists longer than the keys: type the number, then Space.
    if (/^[0-9]$/.test(k)) { ev.preventDefault(); touched = true; digits += k; render(); }
    else if (k === ' ' && digits) { ev.preventDefault(); toggle(Number(digits)); digits = ''; }
  }, true);
  // No text field keeps the focus: the input method then has nothing to compose into.
  const unfocus = () => {
    const a = document.activeElement;
    if (a && a !== document.body && (a.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName))) a.blur();
  };
  document.addEventListener('focusin', unfocus);
  unfocus();
  recent.addEventListener('click', (ev) => {
    const li = ev.target.closest('li[data-seq]');
    if (!li || finished) return;
    load(li.dataset.code);
    correcting = Number(li.dataset.seq);
    touched = true;
    render();
  });
  document.getElementById('undo').addEventListener('click', undo);
  document.getElementById('finish').addEventListener('click', (ev) => {
    if (!finishArmed) { finishArmed = true; ev.target.textContent = 'Bấm lần nữa để xác nhận đã nhập hết'; return; }
    queue = queue.then(async () => {
      const response = await api('/finish', { method: 'POST', body: '{}' });
      const body = await response.json();
      if (!response.ok) { fail(body.error.message); return; }
      finished = true;
      root.dataset.finished = 'true';
      verdict.className = 'verdict ok';
      verdict.textContent = body.stack_status === 'accepted' ? 'Đã xong. Các lượt nhập khớp nhau.'
        : body.stack_status === 'mismatch' ? 'Đã xong. Các lượt nhập có chênh lệch: ban kiểm phiếu đối chiếu.'
        : 'Đã xong. Chờ người nhập còn lại.';
      ev.target.disabled = true;
    });
  });
  render();
  // Keys pressed before this point went nowhere: the page says it is ready only now.
  root.dataset.ready = 'true';
})();
