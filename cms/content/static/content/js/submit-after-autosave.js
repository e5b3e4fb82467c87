/*
 * Submit waits for the autosave (issue 14, item 13).
 *
 * On a new page, Wagtail's autosave posts the form to the create view, which makes the page;
 * only when the answer arrives does the form's action become the edit view. A click on
 * "Gửi duyệt" while the autosave showed "Đang lưu…" posted the form to the create view a
 * second time: the autosaved page stayed behind as an orphan draft and the submission was
 * refused ("Đường dẫn … đã được dùng").
 *
 * Here a submission made while an autosave is pending (debounced, on the wire, or being
 * applied to the form) is held: autosave stops, and once the pending one has finished the
 * same button is submitted again, to the edit view if the autosave created the page.
 */
(() => {
  const form = document.querySelector('form[data-controller~="w-autosave"]');
  if (!form) return;

  const interval = Number(form.getAttribute('data-w-autosave-interval-value') || 500);
  let onTheWire = 0; // autosave requests sent and not answered
  let applying = false; // answered, not yet applied to the form (action, hydration)
  let lastSave = -Infinity; // time of the last save request (the send is debounced)
  let holding = false;

  const isAutosave = (init) =>
    Boolean(init) &&
    init.body instanceof FormData &&
    String(init.method || '').toLowerCase() === 'post' &&
    Boolean(init.headers) &&
    init.headers.Accept === 'application/json';

  const originalFetch = window.fetch;
  window.fetch = function fetchWatchingAutosave(input, init, ...rest) {
    if (!isAutosave(init)) return originalFetch.call(this, input, init, ...rest);
    onTheWire += 1;
    return originalFetch.call(this, input, init, ...rest).finally(() => {
      onTheWire -= 1;
      applying = true;
    });
  };

  document.addEventListener('w-autosave:save', () => {
    lastSave = performance.now();
  });
  const settled = () => {
    applying = false;
  };
  document.addEventListener('w-autosave:success', settled);
  document.addEventListener('w-autosave:error', settled);

  const pending = () =>
    onTheWire > 0 || applying || performance.now() - lastSave < interval + 150;

  const stopAutosave = () => {
    const app = window.wagtail && window.wagtail.app;
    const controller =
      app && app.getControllerForElementAndIdentifier(form, 'w-autosave');
    if (controller) controller.activeValue = false;
  };

  form.addEventListener(
    'submit',
    (event) => {
      if (holding) {
        event.preventDefault();
        return;
      }
      if (!pending()) {
        stopAutosave(); // nothing may be autosaved after the submission has left
        return;
      }
      event.preventDefault();
      holding = true;
      stopAutosave();
      form.setAttribute('data-waiting-for-autosave', '');
      const submitter = event.submitter;
      const retry = () => {
        if (pending()) {
          window.setTimeout(retry, 50);
          return;
        }
        holding = false;
        form.removeAttribute('data-waiting-for-autosave');
        // The clicked button may have been disabled by its progress spinner, and a disabled
        // button's name is not sent: send which action was asked for as a field.
        if (submitter && submitter.name) {
          const action = document.createElement('input');
          action.type = 'hidden';
          action.name = submitter.name;
          action.value = submitter.value;
          form.append(action);
        }
        form.requestSubmit();
      };
      window.setTimeout(retry, 50);
    },
    true,
  );
})();
