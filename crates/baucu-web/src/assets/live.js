// Live figures without reloading: when the server sends an event, fetch the fragment (or this page)
// again and replace the element named by data-target. No data is computed here.
(() => {
  const me = document.currentScript;
  const targetId = me.dataset.target;
  const fragment = me.dataset.fragment;
  let busy = false;
  let again = false;
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(fragment || (location.pathname + location.search), { credentials: 'same-origin' });
      const html = await response.text();
      const current = document.getElementById(targetId);
      if (current && response.ok) {
        if (fragment) {
          current.innerHTML = html;
        } else {
          const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById(targetId);
          if (fresh) current.replaceWith(fresh);
        }
        document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
      }
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  };
  // A node with too many live screens answers 503 and the browser gives the stream up: try again
  // later, catching up on what was missed.
  const connect = () => {
    const source = new EventSource(me.dataset.events);
    source.onmessage = refresh;
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(() => { refresh(); connect(); }, 30000);
    };
  };
  connect();
})();
