// The translation editor (wagtail-localize), adapted to this project.
//
// 1. The editor ignores the text of a refused override: when the server refuses one (400,
//    e.g. a master of another language), reload so that the admin message it queued is shown
//    and the editor shows what is really stored.
// 2. Its footer makes the last action the main button, which for a translator (who may not
//    publish) is "Xóa". Here "Gửi duyệt" (submit for review) is the main button and "Lưu bản
//    nháp" is in its menu; the buttons are the server-rendered ones of the workflow form
//    (edit_translation.html), moved into the footer. A user who may publish keeps "Xuất bản".
// 3. Two strings the bundle hard-codes in English: the section heading
//    "<source> to <target> translation" and the menu toggle's "More actions".
(function () {
    'use strict';
    var originalFetch = window.fetch;
    if (originalFetch) {
        window.fetch = function (resource, options) {
            var url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
            return originalFetch.apply(this, arguments).then(function (response) {
                if (response.status === 400 && url.indexOf('/overrides/') !== -1) {
                    window.location.reload();
                }
                return response;
            });
        };
    }

    // Wagtail's admin loads scripts before the page's content: start once it is there.
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }

    function start() {
        var root = document.querySelector('.js-translation-editor');
        if (!root) {
            return;
        }
        var props = {};
        try {
            props = JSON.parse(root.getAttribute('data-props') || '{}');
        } catch (error) {
            props = {};
        }
        var workflow = props.workflow || null;
        var sourceName = props.sourceLocale ? props.sourceLocale.displayName : '';
        var targetName = props.locale ? props.locale.displayName : '';
        var englishHeading = sourceName + ' to ' + targetName + ' translation';
        var heading = 'Bản dịch từ ' + sourceName + ' sang ' + targetName;

        var sourceCode = props.sourceLocale ? props.sourceLocale.code : '';
        var targetCode = props.locale ? props.locale.code : '';

        // Source and translation carry their language, so that the right font is chosen and
        // scripts without italics are drawn upright (translation-editor.css).
        function markLanguages() {
            root.querySelectorAll('li.complete, li.incomplete, li.errored').forEach(function (li) {
                Array.prototype.forEach.call(li.children, function (child) {
                    if (child.tagName === 'P' && !child.hasAttribute('lang') && sourceCode) {
                        child.setAttribute('lang', sourceCode);
                    } else if (child.tagName === 'DIV' && !child.hasAttribute('lang') && targetCode) {
                        child.setAttribute('lang', targetCode);
                    }
                });
            });
        }

        function translateTexts() {
            root.querySelectorAll('h3').forEach(function (h3) {
                h3.childNodes.forEach(function (node) {
                    if (node.nodeType === 3 && node.nodeValue === englishHeading) {
                        node.nodeValue = heading;
                    }
                });
            });
            root.querySelectorAll('.w-dropdown__toggle .w-sr-only').forEach(function (label) {
                if (label.textContent === 'More actions') {
                    label.textContent = 'Thao tác khác';
                }
            });
        }

        function arrangeFooter() {
            var footer = root.querySelector('footer.footer');
            if (!footer || footer.hasAttribute('data-editorial-footer')) {
                return;
            }
            var group = footer.querySelector('.w-dropdown-button');
            var menu = group && group.querySelector('[data-w-dropdown-target="content"]');
            var buttons = document.querySelectorAll('[data-editorial-action]');
            if (!group || !menu || !buttons.length) {
                return;
            }
            footer.setAttribute('data-editorial-footer', '');
            var submit = null;
            var others = [];
            buttons.forEach(function (button) {
                button.className = 'button';
                if (button.getAttribute('data-editorial-action') === 'action-submit') {
                    submit = button;
                } else {
                    others.push(button);
                }
            });
            var canPublish = workflow && workflow.canPublish;
            if (submit && !canPublish) {
                // The old main button (delete, or stop syncing) goes into the menu: a copy there,
                // the original (React's node) hidden, so React's later renders find it in place.
                var current = group.firstElementChild;
                if (current && current !== menu.parentElement) {
                    var copy = current.cloneNode(true);
                    copy.classList.remove('button-longrunning');
                    current.hidden = true;
                    menu.insertBefore(copy, menu.firstChild);
                }
                submit.classList.add('button-longrunning');
                group.insertBefore(submit, group.firstChild);
            } else if (submit) {
                others.push(submit);
            }
            others.reverse().forEach(function (button) {
                menu.insertBefore(button, menu.firstChild);
            });
            var header = document.querySelector('[data-editorial-workflow]');
            if (header) {
                header.classList.add('editorial-workflow--moved');
            }
        }

        function update() {
            markLanguages();
            translateTexts();
            arrangeFooter();
        }

        new MutationObserver(update).observe(root, { childList: true, subtree: true });
        update();
    }
})();
