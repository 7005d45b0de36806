/* The contract site's small scripts: the language switch keeps the anchor; search with Pagefind. */
(function () {
  "use strict";

  /* The language links already point at the same page; add the section the reader is at. */
  function keepAnchor() {
    document.querySelectorAll("a.kk-lang").forEach(function (link) {
      link.href = link.href.split("#")[0] + location.hash;
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
      subs.forEach(function (sub) { out.push({ url: sub.url, title: sub.title, excerpt: sub.excerpt, page: page.meta.title }); });
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
      var excerpt = document.createElement("p");
      fillExcerpt(excerpt, entry.excerpt);
      item.appendChild(link);
      item.appendChild(where);
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

    function load() {
      if (!engine) {
        engine = import(bundle + "pagefind.js").then(function (pagefind) {
          return pagefind.options({ baseUrl: site }).then(function () { return pagefind; });
        });
      }
      return engine;
    }

    function run(query) {
      query = query.trim();
      if (!query) { list.textContent = ""; status.textContent = ""; return Promise.resolve(); }
      return load().then(function (pagefind) { return pagefind.search(query); })
        .then(function (search) {
          return Promise.all(search.results.slice(0, 20).map(function (r) { return r.data(); }));
        })
        .then(function (pages) { showResults(form, list, status, query, pages); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      history.replaceState(null, "", url.href);
      run(input.value);
    });
    var initial = new URL(location.href).searchParams.get("q");
    if (initial) { input.value = initial; run(initial); }
  }

  function start() {
    keepAnchor();
    window.addEventListener("hashchange", keepAnchor);
    var form = document.querySelector("form.kk-search");
    if (form) setUpSearch(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
