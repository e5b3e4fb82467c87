// The translation editor (wagtail-localize) ignores the text of a refused override: when the
// server refuses one (400, e.g. a master of another language), reload so that the admin
// message it queued is shown and the editor shows what is really stored.
(function () {
    'use strict';
    var originalFetch = window.fetch;
    if (!originalFetch) {
        return;
    }
    window.fetch = function (resource, options) {
        var url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
        return originalFetch.apply(this, arguments).then(function (response) {
            if (response.status === 400 && url.indexOf('/overrides/') !== -1) {
                window.location.reload();
            }
            return response;
        });
    };
})();
