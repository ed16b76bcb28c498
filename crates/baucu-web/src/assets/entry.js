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
    if (layout === 'strike') {
      if (struck.has(position)) struck.delete(position); else struck.add(position);
    } else {
      const i = position - 1;
      marks[i] = MARKS[(MARKS.indexOf(marks[i]) + 1) % MARKS.length];
    }
    history.push(['pos', position]);
    render();
  };
  const toggleFlag = (f) => { flags[f] = !flags[f]; history.push(['flag', f]); render(); };
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
    history = []; digits = ''; correcting = null; render();
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

  document.addEventListener('keydown', (ev) => {
    if (finished) return;
    if (ev.ctrlKey && ev.key.toLowerCase() === 'z') { ev.preventDefault(); undo(); return; }
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    const flag = { F2: 'n', F3: 'w', F4: 's' }[ev.key];
    if (flag) { ev.preventDefault(); toggleFlag(flag); return; }
    if (ev.key === 'Enter') { ev.preventDefault(); commit(); return; }
    if (ev.key === 'Escape') { ev.preventDefault(); reset(); return; }
    if (ev.key === 'Backspace') { ev.preventDefault(); stepBack(); return; }
    if (keys) {
      const i = keys.indexOf(ev.key.toLowerCase());
      if (ev.key.length === 1 && i >= 0) { ev.preventDefault(); toggle(i + 1); }
      return;
    }
    // Lists longer than the keys: type the number, then Space.
    if (/^[0-9]$/.test(ev.key)) { ev.preventDefault(); digits += ev.key; render(); }
    else if (ev.key === ' ' && digits) { ev.preventDefault(); toggle(Number(digits)); digits = ''; }
  });
  recent.addEventListener('click', (ev) => {
    const li = ev.target.closest('li[data-seq]');
    if (!li || finished) return;
    load(li.dataset.code);
    correcting = Number(li.dataset.seq);
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
