/*
 * The item editor's metadata (issue 14, item 11).
 *
 * - Each tab shows how many fields required before "Gửi duyệt" are still empty
 *   (inputs marked data-required-for-submit by cms.editorial.forms.ItemPageForm).
 * - Checkbox lists with a search box (the area picker) filter as one types, with or without
 *   diacritics; the area picker shows only the units valid on the production date.
 */
(() => {
  const form = document.querySelector('form[data-edit-form]');
  if (!form) return;
  const script = document.currentScript;
  const missingText = (script && script.dataset.missing) || '%s';

  const fold = (text) =>
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase()
      .trim();

  /* ---- required fields still empty, per tab ---- */
  const isFilled = (elements) =>
    elements.some((element) => {
      if (element.type === 'checkbox' || element.type === 'radio') return element.checked;
      if (element.tagName === 'SELECT')
        return Array.from(element.selectedOptions).some((option) => option.value !== '');
      return element.value.trim() !== '';
    });

  const missingIn = (panel) => {
    const byName = new Map();
    panel.querySelectorAll('[data-required-for-submit]').forEach((element) => {
      if (!byName.has(element.name)) byName.set(element.name, []);
      byName.get(element.name).push(element);
    });
    return Array.from(byName.values()).filter((elements) => !isFilled(elements)).length;
  };

  const tabs = () =>
    Array.from(document.querySelectorAll('[role="tab"][href^="#tab-"]')).filter((tab) =>
      form.contains(document.querySelector(tab.getAttribute('href'))),
    );

  const recount = () => {
    tabs().forEach((tab) => {
      const panel = document.querySelector(tab.getAttribute('href'));
      const count = missingIn(panel);
      let badge = tab.querySelector('[data-required-missing]');
      if (!badge) {
        if (!panel.querySelector('[data-required-for-submit]')) return;
        badge = document.createElement('span');
        badge.className = 'required-missing';
        badge.setAttribute('data-required-missing', '');
        tab.append(badge);
      }
      badge.textContent = missingText.replace('%s', String(count));
      badge.dataset.count = String(count);
      badge.hidden = count === 0;
    });
  };

  /* ---- searchable checkbox lists and the area picker ---- */
  const parseDay = (text) => {
    const value = (text || '').trim();
    let match = value.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
    if (match) return `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}`;
    match = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
    return match ? value : null;
  };
  const today = () => {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  };
  const productionDate = form.querySelector('[name="production_date"]');

  const filterList = (list) => {
    const search = list.querySelector('[data-checkbox-list-search]');
    const query = search ? fold(search.value) : '';
    const day = (productionDate && parseDay(productionDate.value)) || today();
    let shown = 0;
    list.querySelectorAll('[data-checkbox-list-option]').forEach((option) => {
      const input = option.querySelector('input');
      const from = input.dataset.validFrom;
      const until = input.dataset.validUntil;
      const valid = (!from || from <= day) && (!until || day <= until);
      const matches = !query || fold(option.textContent).includes(query);
      option.hidden = !(matches && (valid || input.checked));
      option.classList.toggle('checkbox-list__option--invalid', input.checked && !valid);
      if (!option.hidden) shown += 1;
    });
    const empty = list.querySelector('[data-checkbox-list-empty]');
    if (empty) empty.hidden = shown > 0;
  };
  const lists = Array.from(form.querySelectorAll('[data-checkbox-list]')).filter((list) =>
    list.querySelector('[data-checkbox-list-search]'),
  );
  const filterAll = () => lists.forEach(filterList);

  lists.forEach((list) => {
    const search = list.querySelector('[data-checkbox-list-search]');
    search.addEventListener('input', () => filterList(list));
    // Enter in the search box must not submit the page
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') event.preventDefault();
    });
  });
  if (productionDate) {
    ['input', 'change', 'blur'].forEach((type) =>
      productionDate.addEventListener(type, filterAll),
    );
  }

  form.addEventListener('input', recount);
  form.addEventListener('change', recount);
  // choosers set their hidden input's value attribute without an input event
  new MutationObserver(recount).observe(form, {
    subtree: true,
    attributes: true,
    attributeFilter: ['value'],
  });
  recount();
  filterAll();
})();
