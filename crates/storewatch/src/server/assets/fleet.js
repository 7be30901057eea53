// The fleet page's script (`/`): trigger a report of any kind, poll until done,
// and fill the offline list. It sends no key: the browser's cookie does (or
// the service is open). Everything it writes goes in as text, never HTML.
const f = document.getElementById('trigger'), st = document.getElementById('progress');
// `Tue 24 Jan 2023, 23:29 UTC`: a time as a person writes it, not to the microsecond.
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const when = (iso) => {
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const two = (n) => String(n).padStart(2, '0');
  return DAYS[d.getUTCDay()] + ' ' + d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' +
    d.getUTCFullYear() + ', ' + two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ' UTC';
};
const showFields = () => {
  const week = f.kind.value === 'week';
  for (const l of f.querySelectorAll('.period-only')) l.hidden = week;
  for (const l of f.querySelectorAll('.week-only')) l.hidden = !week;
};
f.kind.onchange = showFields;
showFields();
f.onsubmit = async (e) => {
  e.preventDefault();
  const p = new URLSearchParams();
  p.set('kind', f.kind.value);
  if (f.as_of.value.trim()) p.set('as_of', f.as_of.value.trim());
  if (f.kind.value === 'week') {
    if (f.extended.checked) p.set('columns', 'extended');
  } else {
    if (f.days.value.trim()) p.set('days', f.days.value.trim());
    if (f.from.value.trim()) p.set('from', f.from.value.trim());
  }
  st.textContent = 'Triggering…';
  let r = await fetch('/trigger_report?' + p, {method: 'POST'});
  let j = await r.json().catch(() => ({error: 'the service answered ' + r.status}));
  if (!r.ok) { st.textContent = j.error; return; }
  const id = j.report_id, t0 = Date.now();
  for (;;) {
    r = await fetch('/api/reports/' + id);
    j = await r.json();
    if (j.status === 'Complete') {
      st.textContent = 'Complete in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s, ' + j.rows + (p.get('kind') === 'week' ? ' stores: ' : ' rows: ');
      const open = document.createElement('a'); open.href = '/reports/' + id; open.textContent = 'open';
      const csv = document.createElement('a'); csv.href = '/api/reports/' + id + '?format=csv';
      csv.textContent = 'download the CSV'; csv.id = 'download';
      st.append(open, ' · ', csv);
      break;
    }
    if (j.status === 'Failed') { st.textContent = 'Failed: ' + j.error; break; }
    st.textContent = j.state === 'queued' ? 'Queued…' : 'Running…';
    await new Promise((ok) => setTimeout(ok, 300));
  }
};
fetch('/api/stores?offline_now=true&limit=100')
  .then((r) => r.json())
  .catch(() => ({error: 'The list could not be had: reload the page to try again.'}))
  .then((j) => {
  const list = document.getElementById('offline');
  list.textContent = '';
  if (!j.stores || j.stores.length === 0) { list.textContent = j.error || 'None: every open store answered active.'; return; }
  document.getElementById('offline-at').textContent = ' at ' + when(j.as_of);
  for (const s of j.stores) {
    const li = document.createElement('li'), a = document.createElement('a');
    a.href = '/stores/' + encodeURIComponent(s.store_id); a.textContent = s.store_id;
    const hours = (new Date(j.as_of) - new Date(s.offline_since)) / 3.6e6;
    li.append(a, ' offline since ' + when(s.offline_since) + ', for ' + hours.toFixed(1) + ' h (' +
      s.inactive_polls + ' inactive polls)');
    list.append(li);
  }
});
