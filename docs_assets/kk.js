/* The contract site's small scripts: the language switch keeps the anchor; search with Pagefind. */
(function () {
  "use strict";

  /* Interface strings in the page's language (overrides/partials/alternate.html). */
  function strings() {
    var holder = document.getElementById("kk-strings");
    return holder ? holder.dataset : {};
  }

  /* The section the reader is at: the last heading or redline section whose top has scrolled past the header. */
  function currentAnchor() {
    var header = document.querySelector(".md-header");
    var top = (header ? header.getBoundingClientRect().bottom : 0) + 8;
    var found = "";
    document.querySelectorAll("article h1[id], article h2[id], article h3[id], article h4[id], article h5[id], article h6[id], article .redline-section[id]")
      .forEach(function (node) {
        // A heading reached by its link sits at its scroll margin, which may be lower than the header's edge.
        var margin = parseFloat(getComputedStyle(node).scrollMarginTop) || 0;
        if (node.getBoundingClientRect().top <= Math.max(top, margin + 2)) found = node.id;
      });
    return found ? "#" + found : location.hash;
  }

  /* Where the page was when it last went to an anchor: until the reader scrolls, that anchor is where they are. */
  var anchoredAt = null;
  function anchored() { anchoredAt = location.hash ? window.scrollY : null; }
  function readerAnchor() {
    return anchoredAt !== null && Math.abs(window.scrollY - anchoredAt) < 2 ? location.hash : currentAnchor();
  }

  /* The language links already point at the same page; add the section the reader is at and the search query. */
  function keepAnchor() {
    var hash = readerAnchor();
    document.querySelectorAll("a.kk-lang").forEach(function (link) {
      link.href = link.href.split("#")[0].split("?")[0] + location.search + hash;
    });
  }

  /* Material's menu button is a <label>: make it a keyboard button that says whether the menu is open. */
  function menuButton() {
    var toggle = document.getElementById("__drawer");
    var button = document.querySelector('.md-header label[for="__drawer"]');
    if (!toggle || !button) return;
    button.setAttribute("role", "button");
    button.setAttribute("tabindex", "0");
    button.setAttribute("aria-label", strings().menu || "Menu");
    var byKey = false;
    toggle.addEventListener("change", function () {
      button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
      if (toggle.checked && byKey) {
        var first = document.querySelector(".md-sidebar--primary a[href]");
        if (first) setTimeout(function () { first.focus(); }, 0);
      }
      byKey = false;
    });
    button.setAttribute("aria-expanded", toggle.checked ? "true" : "false");
    /* Material clicks a focused label on Enter; Space does the same here, as for any button. */
    button.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") byKey = true;
      if (event.key === " ") { event.preventDefault(); button.click(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        toggle.checked = false;
        toggle.dispatchEvent(new Event("change"));
        button.focus();
      }
    });
  }

  /* j and k go to the next and the previous change of a redline; the position is announced. */
  function redlineKeys() {
    var sections = Array.prototype.slice.call(document.querySelectorAll("article.redline-section"));
    if (!sections.length) return;
    var status = document.createElement("p");
    status.className = "kk-sr-status";
    status.setAttribute("role", "status");
    document.querySelector(".redline").appendChild(status);
    var template = strings().position || "{index} / {count}: {name}";
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
      if (event.key !== "j" && event.key !== "k") return;
      var top = 80, index = -1;
      sections.forEach(function (section, i) { if (section.getBoundingClientRect().top <= top) index = i; });
      var next = event.key === "j" ? Math.min(index + 1, sections.length - 1) : Math.max(index - 1, 0);
      var heading = sections[next].querySelector("h4");
      // Replaced, not pushed; a real fragment change, so :target follows (it shows the section's language links).
      location.replace("#" + sections[next].id);
      heading.focus();
      heading.scrollIntoView({ block: "start" });
      keepAnchor();
      status.textContent = template.replace("{index}", String(next + 1)).replace("{count}", String(sections.length))
        .replace("{name}", heading.textContent.trim());
    });
  }

  /* The compare page's form goes to the pair's page (older version first); without JavaScript the list does. */
  function compareForm(form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = form.querySelector("#kk-compare-from").value, b = form.querySelector("#kk-compare-to").value;
      if (a === b) return;
      location.href = (a < b ? a + ".." + b : b + ".." + a) + "/";
    });
  }

  /* Put the text of a Pagefind excerpt into an element, keeping only its <mark> highlights. */
  function fillExcerpt(target, excerpt) {
    var holder = document.createElement("template");
    holder.innerHTML = excerpt || "";
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      } else {
        target.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  /* One result per matching section (Pagefind's sub-results), else one per page; each names its page. */
  function entries(pages) {
    var out = [];
    pages.forEach(function (page) {
      var subs = (page.sub_results || []).slice();
      subs.sort(function (a, b) { return (b.locations || []).length - (a.locations || []).length; });
      if (!subs.length) subs = [{ url: page.url, title: page.meta.title, excerpt: page.excerpt }];
      subs.forEach(function (sub) {
        out.push({ url: sub.url, title: sub.title, excerpt: sub.excerpt, page: page.meta.title, version: page.meta.version });
      });
    });
    return out;
  }

  function showResults(form, list, status, query, pages) {
    var found = entries(pages);
    list.textContent = "";
    found.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = (entry.title || "").replace(/\u00b6\s*$/, "").trim();
      var where = document.createElement("span");
      where.className = "kk-result-page";
      where.textContent = entry.page && entry.page !== link.textContent ? " \u2014 " + entry.page : "";
      var version = document.createElement("span");
      version.className = "kk-result-version";
      version.textContent = entry.version ? "(" + form.dataset.labelVersion + " " + entry.version + ")" : "";
      var excerpt = document.createElement("p");
      fillExcerpt(excerpt, entry.excerpt);
      item.appendChild(link);
      item.appendChild(where);
      item.appendChild(version);
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    status.textContent = found.length
      ? form.dataset.labelCount.replace("{count}", String(found.length))
      : form.dataset.labelNone.replace("{query}", query);
  }

  function setUpSearch(form) {
    var input = form.querySelector("input[type=search]");
    var list = document.getElementById("kk-search-results");
    var status = document.getElementById("kk-search-status");
    var bundle = new URL(form.dataset.pagefind, location.href).href;
    var site = new URL(form.dataset.site, location.href).pathname;
    var engine = null;
    var filter = document.getElementById("kk-search-version");

    function load() {
      if (!engine) {
        engine = import(bundle + "pagefind.js").then(function (pagefind) {
          return pagefind.options({ baseUrl: site }).then(function () { return pagefind; });
        });
      }
      return engine;
    }

    var latest = 0;  /* searches finish in any order: only the one asked for last may show its results */

    function run(query) {
      var asked = ++latest;
      query = query.trim();
      if (!query) { list.textContent = ""; status.textContent = ""; return Promise.resolve(); }
      var version = filter ? filter.value : "";
      return load().then(function (pagefind) { return pagefind.search(query); })
        .then(function (search) {
          // One page per version: every result is loaded, then only the chosen version is kept.
          return Promise.all(search.results.map(function (r) { return r.data(); }));
        })
        .then(function (pages) {
          if (asked !== latest) return;
          pages = pages.filter(function (page) { return !version || page.meta.version === version; });
          showResults(form, list, status, query, pages);
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      if (filter) url.searchParams.set("version", filter.value || "all");
      history.replaceState(null, "", url.href);
      run(input.value);
    });
    var asked = new URL(location.href).searchParams.get("version");
    if (filter && asked !== null) filter.value = asked === "all" ? "" : asked;
    if (filter) filter.addEventListener("change", function () { form.requestSubmit(); });
    var initial = new URL(location.href).searchParams.get("q");
    if (initial) { input.value = initial; run(initial); }
  }

  /* A footnote's back link returns the reader to the mark: focus the mark's own link, so that the next Tab goes on
     from there. The link only moved the page to the mark's <sup>: focus stayed on the back link, out of sight, and
     the next Tab landed on the same mark again. */
  function footnoteReturns() {
    var root = document.documentElement;
    function done() { root.classList.remove("kk-returning"); }
    document.querySelectorAll("a.footnote-backref").forEach(function (back) {
      back.addEventListener("click", function (event) {
        // Opened elsewhere (a new tab or window): this page did not move, so neither does its focus.
        if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        var target = document.getElementById(decodeURIComponent(back.hash.slice(1)));
        var mark = target && (target.matches("a.footnote-ref") ? target : target.querySelector("a.footnote-ref"));
        if (!mark) return;
        // After the link has moved the page (the default action runs once this handler returns). The mark's
        // tooltip, which Material opens on focus, would show the note just read over the text read next: kept
        // closed (kk.css) until focus leaves the mark or the pointer comes to a mark.
        setTimeout(function () {
          root.classList.add("kk-returning");
          mark.addEventListener("blur", done, { once: true });
          mark.focus({ preventScroll: true });
        }, 0);
      });
    });
    document.querySelectorAll("a.footnote-ref").forEach(function (mark) { mark.addEventListener("pointerenter", done); });
  }

  function start() {
    anchored();
    keepAnchor();
    window.addEventListener("hashchange", function () { anchored(); keepAnchor(); });
    window.addEventListener("load", function () { anchored(); keepAnchor(); });
    document.querySelectorAll("a.kk-lang").forEach(function (link) {
      ["pointerdown", "focus", "mouseenter"].forEach(function (name) { link.addEventListener(name, keepAnchor); });
      link.addEventListener("click", keepAnchor);
    });
    menuButton();
    footnoteReturns();
    redlineKeys();
    var compare = document.getElementById("kk-compare");
    if (compare) compareForm(compare);
    var form = document.querySelector("form.kk-search");
    if (form) setUpSearch(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
