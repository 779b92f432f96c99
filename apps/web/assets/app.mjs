import { initAll } from '/assets/govuk/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/moj/moj-frontend.min.js';

initAll();
initMoj();

/**
 * Session timeout warning: a modal dialog a little before the session ends (idle time or the API
 * token's end, whichever comes first), then the "signed out" page when it does. Without
 * JavaScript the next request after the end asks the person to sign in again.
 */
function timeoutWarning() {
  const dialog = document.getElementById('timeout-warning');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  let endsAt = Date.now() + Number(dialog.dataset.endsIn) * 1000;
  const warnAt = Number(dialog.dataset.warnAt) * 1000;
  const countdown = dialog.querySelector('[data-countdown]');
  const live = dialog.querySelector('[data-countdown-live]');
  let lastAnnounced = '';

  const words = (ms) => {
    const s = Math.max(0, Math.ceil(ms / 1000));
    if (s >= 60) {
      const m = Math.ceil(s / 60);
      return `${m} minute${m === 1 ? '' : 's'}`;
    }
    return `${s} second${s === 1 ? '' : 's'}`;
  };

  const tick = () => {
    const left = endsAt - Date.now();
    if (left <= 0) {
      window.location.href = '/session-ended';
      return;
    }
    if (left <= warnAt) {
      if (!dialog.open) dialog.showModal();
      const text = words(left);
      countdown.textContent = text;
      // Announce whole minutes, and every 15 seconds in the last minute: not every second.
      const announce = left >= 60000 ? text : `${Math.ceil(left / 15000) * 15} seconds`;
      if (announce !== lastAnnounced) {
        lastAnnounced = announce;
        live.textContent = `You will be signed out in ${announce}.`;
      }
    }
    window.setTimeout(tick, 1000);
  };

  dialog.querySelector('[data-stay]').addEventListener('click', async () => {
    try {
      const res = await fetch('/session/keep-alive', { headers: { Accept: 'application/json' } });
      if (res.ok) endsAt = Date.now() + (await res.json()).endsInSeconds * 1000;
    } catch {
      // Offline: the timer carries on as it was.
    }
    dialog.close();
  });
  window.setTimeout(tick, 1000);
}

timeoutWarning();
