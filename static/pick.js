// Pickers: a field where a person types a name (a unit, a person, a studio…) and chooses from
// what the platform finds, so that no form asks for an internal number. The choice's id goes
// into a hidden input; the name typed stays visible. Keyboard: ↓/↑ move, Enter chooses, Esc
// closes; on a unit, → opens its child units and ← goes back up (the tree).
(function () {
  'use strict';
  var seq = 0;

  function attach(box) {
    var kind = box.getAttribute('data-pick');
    // Kinds with something to offer before anything is typed: the tree of units, the likely
    // duplicates of a suggestion, a studio's projects.
    var browse = kind === 'units' || kind === 'suggestions' || kind === 'projects';
    var input = box.querySelector('input[role="combobox"]');
    var list = box.querySelector('[role="listbox"]');
    var multi = box.getAttribute('data-multi');
    var value = multi ? null : box.querySelector('input[data-pick-value]');
    var chosenField = multi ? box.querySelector('input[data-pick-chosen]') : null;
    var chips = multi ? box.querySelector('.chips') : null;
    var status = box.querySelector('[data-pick-status]');
    var items = [];
    var active = -1;
    var trail = []; // units opened, for going back up: [{id, label}]
    var timer = null;
    var asked = 0;

    function params() {
      var p = box.getAttribute('data-params') || '';
      var dep = box.getAttribute('data-depends');
      if (dep) {
        var f = box.form || input.form;
        var other = f && f.querySelector('input[type="hidden"][name="' + dep + '"]');
        p += (p ? '&' : '') + dep + '=' + encodeURIComponent(other ? other.value : '');
      }
      return p;
    }

    function ask(q, under, first) {
      var url = '/api/v1/lookup/' + kind + '?q=' + encodeURIComponent(q);
      if (under) { url += '&under=' + under; }
      var extra = params();
      if (extra) { url += '&' + extra; }
      var mine = ++asked;
      fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (mine === asked) { show(found); if (first) { move(0); } } })
        .catch(function () { if (mine === asked) { show([]); } });
    }

    function option(text, note, id) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.id = id;
      var strong = document.createElement('span');
      strong.textContent = text;
      li.appendChild(strong);
      if (note) {
        var small = document.createElement('span');
        small.className = 'muted';
        small.textContent = ' ' + note;
        li.appendChild(small);
      }
      return li;
    }

    function show(found) {
      list.textContent = '';
      items = [];
      active = -1;
      var prefix = 'p' + (++seq) + '-';
      if (trail.length) {
        var up = trail[trail.length - 1];
        var back = option('‹ ' + up.label, box.getAttribute('data-up') || '', prefix + 'up');
        back.className = 'up';
        back.addEventListener('mousedown', function (e) { e.preventDefault(); upOne(); });
        list.appendChild(back);
        items.push({ up: true, el: back });
      }
      found.forEach(function (c, i) {
        var li = option(c.label, c.note, prefix + i);
        if (c.has_children) {
          var open = document.createElement('button');
          open.type = 'button';
          open.className = 'open';
          open.tabIndex = -1;
          open.textContent = '›';
          open.setAttribute('aria-label', (box.getAttribute('data-open') || '') + ' ' + c.label);
          open.addEventListener('mousedown', function (e) { e.preventDefault(); down(c); });
          li.appendChild(open);
        }
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(c); });
        list.appendChild(li);
        items.push({ choice: c, el: li });
      });
      var none = found.length === 0;
      if (status) {
        status.textContent = none ? (input.value.trim() ? box.getAttribute('data-none') || '' : '') :
          (box.getAttribute('data-count') || '').replace('{n}', found.length);
      }
      var open = items.length > 0;
      list.hidden = !open;
      input.setAttribute('aria-expanded', open ? 'true' : 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function move(to) {
      if (!items.length) { return; }
      if (active >= 0) { items[active].el.removeAttribute('aria-selected'); }
      active = (to + items.length) % items.length;
      var el = items[active].el;
      el.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', el.id);
      if (el.scrollIntoView) { el.scrollIntoView({ block: 'nearest' }); }
    }

    function down(c) {
      trail.push({ id: c.id, label: c.label });
      ask('', c.id, true);
      input.focus();
    }

    function upOne() {
      trail.pop();
      var top = trail[trail.length - 1];
      ask('', top ? top.id : null, true);
    }

    function writeChosen() {
      var all = [];
      chips.querySelectorAll('li').forEach(function (li) {
        all.push([Number(li.getAttribute('data-id')), li.getAttribute('data-label')]);
      });
      chosenField.value = JSON.stringify(all);
    }

    function chip(id, label) {
      if (chips.querySelector('li[data-id="' + id + '"]')) { return; }
      var li = document.createElement('li');
      li.setAttribute('data-id', id);
      li.setAttribute('data-label', label);
      li.appendChild(document.createTextNode(label + ' '));
      var hidden = document.createElement('input');
      hidden.type = 'hidden';
      hidden.name = multi;
      hidden.value = id;
      li.appendChild(hidden);
      var x = document.createElement('button');
      x.type = 'button';
      x.className = 'link';
      x.textContent = '×';
      x.setAttribute('aria-label', (box.getAttribute('data-remove') || '') + ' ' + label);
      x.addEventListener('click', function () { li.remove(); writeChosen(); input.focus(); });
      li.appendChild(x);
      chips.appendChild(li);
      writeChosen();
    }

    function choose(c) {
      // A lookup still waiting (typed a moment ago) must not open the list again over the form.
      clearTimeout(timer);
      asked++;
      if (multi) {
        chip(c.id, c.label);
        input.value = '';
      } else {
        value.value = c.id;
        input.value = c.label;
        value.dispatchEvent(new Event('change', { bubbles: true }));
      }
      trail = [];
      close();
      if (status) { status.textContent = (box.getAttribute('data-chosen') || '').replace('{name}', c.label); }
    }

    if (multi && chosenField && chosenField.value) {
      try {
        JSON.parse(chosenField.value).forEach(function (pair) { chip(pair[0], pair[1]); });
      } catch (e) { chosenField.value = ''; }
    }

    input.addEventListener('input', function () {
      if (value) { value.value = ''; }
      trail = [];
      clearTimeout(timer);
      var q = input.value.trim();
      timer = setTimeout(function () {
        if (q || browse) { ask(q, null); } else { close(); }
      }, 250);
    });
    input.addEventListener('focus', function () {
      if (browse && !input.value.trim()) { ask('', null); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
    input.addEventListener('keydown', function (e) {
      var openList = !list.hidden;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (!openList) {
          // A chosen unit's name finds itself; open the tree from the top instead.
          var q = value && value.value ? '' : input.value.trim();
          if (q || browse) { ask(q, trail.length ? trail[trail.length - 1].id : null, true); }
        } else { move(active + 1); }
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        if (openList) { move(active - 1); }
      } else if (e.key === 'Enter') {
        if (openList && active >= 0) {
          e.preventDefault();
          var it = items[active];
          if (it.up) { upOne(); } else { choose(it.choice); }
        }
      } else if (e.key === 'Escape') {
        if (openList) { e.preventDefault(); close(); }
      } else if (e.key === 'ArrowRight' && openList && active >= 0) {
        var r = items[active];
        if (r.choice && r.choice.has_children) { e.preventDefault(); down(r.choice); }
      } else if (e.key === 'ArrowLeft' && openList && trail.length && active >= 0) {
        e.preventDefault();
        upOne();
      }
    });
  }

  document.querySelectorAll('[data-pick]').forEach(attach);
})();
