// Excel exports: while the server prepares the file the link says so, until the download
// begins. The link carries a token (dl=…); the answer that starts the download sets the cookie
// jx_export to it. A refusal (too many rows) or an error is a page of its own and replaces this
// one. Without this script the link still works, just without the notice.
(function () {
  var links = document.querySelectorAll('a.export');
  if (!links.length) { return; }
  function cookie() {
    var m = document.cookie.match(/(?:^|;\s*)jx_export=(\d+)/);
    return m ? m[1] : null;
  }
  Array.prototype.forEach.call(links, function (a) {
    var label = a.textContent;
    var base = a.getAttribute('href');
    a.addEventListener('click', function (e) {
      if (a.getAttribute('aria-busy') === 'true') { e.preventDefault(); return; }
      var token = String(Date.now()) + String(Math.floor(Math.random() * 1000));
      a.href = base + (base.indexOf('?') < 0 ? '?' : '&') + 'dl=' + token;
      a.setAttribute('aria-busy', 'true');
      a.textContent = a.getAttribute('data-busy');
      var started = Date.now();
      var timer = setInterval(function () {
        var done = cookie() === token;
        if (done || Date.now() - started > 5 * 60 * 1000) {
          clearInterval(timer);
          a.removeAttribute('aria-busy');
          a.textContent = done ? label : a.getAttribute('data-failed');
          a.href = base;
          if (!done) { setTimeout(function () { a.textContent = label; }, 8000); }
        }
      }, 400);
    });
  });
  // Coming back to the page from the history: no file is being made any more.
  window.addEventListener('pageshow', function () {
    Array.prototype.forEach.call(links, function (a) { a.removeAttribute('aria-busy'); });
  });
}());
