// Likely duplicates while a suggestion's title is typed: asks the API after a pause and lists
// earlier suggestions of the same enterprise that say nearly the same thing.
(function () {
  var input = document.getElementById('f-title');
  var box = document.getElementById('similar');
  if (!input || !box) { return; }
  var timer = null;
  function show(items) {
    box.textContent = '';
    if (!items.length) { box.hidden = true; return; }
    var head = document.createElement('p');
    head.textContent = box.getAttribute('data-label');
    box.appendChild(head);
    var ul = document.createElement('ul');
    items.forEach(function (s) {
      // Each one opens beside the form, so that what was typed stays.
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '/suggestions/' + encodeURIComponent(s.id);
      a.target = '_blank';
      a.rel = 'noopener';
      a.textContent = s.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' · ' + s.submitted_on + ' · ' + s.similarity + '%'));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    box.hidden = false;
  }
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = input.value.trim();
      if (text.length < 4) { show([]); return; }
      var unit = document.querySelector('input[type="hidden"][name="for_unit_id"]');
      var q = '/api/v1/suggestions/similar?text=' + encodeURIComponent(text) +
        (unit && unit.value ? '&unit_id=' + encodeURIComponent(unit.value) : '');
      fetch(q, { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(show)
        .catch(function () { show([]); });
    }, 400);
  });
})();
