/*
 * Gongkai search: Pagefind behind the search box in Material's header.
 *
 * - Loads pagefind.js lazily (on first focus), from <site root>/<bundle>/, where the
 *   site root is two levels above this script (assets/gongkai-search/search.js), so
 *   the site works under any sub-path (/gongkai/) and from any page depth.
 * - Two bundles: the main one (department-year pages) is queried
 *   and its results shown first; then the further bundles it lists in
 *   gongkai-bundles.json (indicators and department pages, pagefind-more/) are imported
 *   and queried, with the same filters, and their results appended under the
 *   first ones. None of their files is fetched before the first results are shown.
 * - Renders results with Material's own classes: one item per department-year page,
 *   with links to the project headings (#project-3) that matched.
 * - Keyboard: / s f open, arrows move, Enter follows, Escape closes.
 * - Material's instant navigation keeps the header, and every listener here is
 *   delegated from `document`, so nothing needs re-binding after a navigation.
 * - No dependencies, no request outside this site.
 */
(function () {
  "use strict";

  var ROOT_SELECTOR = "[data-gk-search]";
  // Each result shown costs one fragment download: few first, more on demand.
  var FIRST_PAGE = 5;
  var PAGE_SIZE = 10;
  var SUB_RESULTS = 3;
  // The page carries only what differs (data-gk-config): every page has this box,
  // and a department-year page must stay small. Other languages pass their texts.
  var TEXTS = {
    placeholder: "键入以开始搜索",
    initializer: "正在初始化搜索引擎",
    none: "没有找到符合条件的结果",
    one: "找到 1 个符合条件的结果",
    other: "# 个符合条件的结果",
    more: "显示更多结果（还有 # 个）",
    failed: "搜索暂不可用",
    all: "全部"
  };
  var FILTER_LABELS = { province: "省份", year: "年度", stage: "阶段" };

  var script = document.currentScript;
  var siteRoot = new URL("../../", script && script.src ? script.src : location.href);
  var states = new WeakMap();
  var pagefindPromise = null;
  var bundleUrl = null;
  var morePromise = null;
  var extraPromises = {};

  function config(root) {
    try {
      return JSON.parse(root.getAttribute("data-gk-config") || "{}");
    } catch (e) {
      return {};
    }
  }

  function texts(cfg) {
    var out = {};
    Object.keys(TEXTS).forEach(function (key) {
      out[key] = (cfg.texts && cfg.texts[key]) || TEXTS[key];
    });
    return out;
  }

  // The selects above the results (filled from pagefind.filters() after the first
  // results), built here rather than carried by every page.
  function buildFilters(root, names, allText) {
    var existing = root.querySelector(".gk-search__filters");
    if (existing || !names || !names.length) return existing;
    var box = document.createElement("div");
    box.className = "gk-search__filters";
    box.hidden = true;
    names.forEach(function (name) {
      var label = document.createElement("label");
      label.className = "gk-search__filter";
      var span = document.createElement("span");
      span.textContent = FILTER_LABELS[name] || name;
      var select = document.createElement("select");
      select.className = "gk-search__select";
      select.setAttribute("data-gk-filter", name);
      var option = document.createElement("option");
      option.value = "";
      option.textContent = allText;
      select.appendChild(option);
      label.appendChild(span);
      label.appendChild(select);
      box.appendChild(label);
    });
    var result = root.querySelector(".md-search-result");
    result.parentNode.insertBefore(box, result);
    return box;
  }

  function state(root) {
    var s = states.get(root);
    if (!s) {
      var cfg = config(root);
      var t = texts(cfg);
      var filterNames = Array.isArray(cfg.filters) ? cfg.filters : ["province", "year", "stage"];
      s = {
        root: root,
        texts: t,
        worker: !!cfg.worker,
        bundle: new URL(cfg.bundle || "pagefind/", siteRoot).href,
        input: root.querySelector(".gk-search__input"),
        meta: root.querySelector(".md-search-result__meta"),
        list: root.querySelector(".md-search-result__list"),
        filters: buildFilters(root, filterNames, t.all),
        results: [],
        query: "",
        notes: [],
        term: null,
        shown: 0,
        seq: 0,
        timer: 0,
        filtersLoaded: false
      };
      states.set(root, s);
    }
    return s;
  }

  function toggle() {
    return document.getElementById("__search");
  }

  function setOpen(open) {
    var t = toggle();
    if (t && t.checked !== open) t.checked = open;
  }

  function isOpen() {
    var t = toggle();
    return !!(t && t.checked);
  }

  function loadPagefind(s) {
    if (!pagefindPromise) {
      bundleUrl = s.bundle;
      pagefindPromise = importBundle(s, bundleUrl).catch(function (error) {
        pagefindPromise = null;
        throw error;
      });
    }
    return pagefindPromise;
  }

  function importBundle(s, url) {
    return import(url + "pagefind.js")
        .then(function (pagefind) {
          // The bundle's own path comes from the import URL; result URLs are
          // relative to the site root, which may be a sub-path (/gongkai/).
          // No web worker unless configured: it would be a second 41 KB download
          // before the first result, for a search that takes milliseconds.
          return pagefind
            .options({
              baseUrl: siteRoot.pathname,
              excerptLength: 24,
              noWorker: !s.worker
            })
            .then(function () {
              return pagefind.init();
            })
            .then(function () {
              return pagefind;
            });
        });
  }

  // The further bundles (site-root-relative URLs) the main bundle lists; none
  // when the file is absent (a site without a second bundle, an older build).
  function loadMore(s) {
    if (!morePromise) {
      morePromise = fetch(s.bundle + "gongkai-bundles.json")
        .then(function (response) {
          return response.ok ? response.json() : {};
        })
        .then(function (data) {
          return (Array.isArray(data.more) ? data.more : []).map(function (path) {
            return new URL(path, siteRoot).href;
          });
        })
        .catch(function () {
          return [];
        });
    }
    return morePromise;
  }

  function loadExtra(s, url) {
    if (!extraPromises[url]) {
      extraPromises[url] = importBundle(s, url).catch(function (error) {
        delete extraPromises[url];
        throw error;
      });
    }
    return extraPromises[url];
  }

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function cleanTitle(text) {
    // Material's permalink (toc permalink: true) ends headings with a pilcrow.
    return String(text || "").replace(/\s*[¶#]\s*$/, "");
  }

  function setMeta(s, text) {
    s.meta.textContent = text;
  }

  function countText(s, n) {
    if (n === 0) return s.texts.none || "No results";
    if (n === 1) return s.texts.one || "1 result";
    return (s.texts.other || "# results").replace("#", String(n));
  }

  function selectedFilters(s) {
    var filters = {};
    if (!s.filters) return filters;
    s.filters.querySelectorAll("select[data-gk-filter]").forEach(function (select) {
      if (select.value) filters[select.getAttribute("data-gk-filter")] = select.value;
    });
    return filters;
  }

  function hasFilter(s, name) {
    return !!(s.filters && s.filters.querySelector('select[data-gk-filter="' + name + '"]'));
  }

  // 平乡 2023 means the county in that year: a year (and 预算/决算) in the query
  // becomes a filter instead of a word. Besides being what the reader means, it
  // keeps the download small: a year is on every page of that year, so its word
  // index is the largest of all, while the year filter is one small file.
  function parseQuery(s, raw) {
    var filters = selectedFilters(s);
    var notes = [];
    var tokens = raw
      .replace(/([^\s\d])((?:19|20)\d\d)/g, "$1 $2")
      .replace(/((?:19|20)\d\d)(?=[^\s\d])/g, "$1 ")
      .split(/\s+/)
      .filter(Boolean);
    var words = [];
    for (var i = 0; i < tokens.length; i++) {
      var token = tokens[i];
      if (/^(19|20)\d\d$/.test(token) && hasFilter(s, "year") && !filters.year) {
        filters.year = token;
        notes.push(token);
        if (/^年/.test(tokens[i + 1] || "")) tokens[i + 1] = tokens[i + 1].slice(1);
        continue;
      }
      if ((token === "预算" || token === "决算") && hasFilter(s, "stage") && !filters.stage) {
        filters.stage = token;
        notes.push(token);
        continue;
      }
      words.push(token);
    }
    // A year still being typed (平乡 2, 平乡 20…) would fetch the index of every
    // number with that prefix: wait for the rest of it.
    if (/^(1|19\d?|2|20\d?)$/.test(words[words.length - 1] || "") && /\d$/.test(raw)) {
      words.pop();
    }
    return { term: words.join(" ").trim() || null, filters: filters, notes: notes };
  }

  function link(href, className, inner) {
    var a = document.createElement("a");
    a.href = href;
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.innerHTML =
      '<article class="md-search-result__article md-typeset' +
      (className ? " " + className : "") +
      '">' +
      inner +
      "</article>";
    return a;
  }

  function marked(excerpt) {
    var words = [];
    String(excerpt || "").replace(/<mark>([^<]*)<\/mark>/g, function (_, word) {
      words.push(word.toLowerCase());
      return "";
    });
    return words.join("");
  }

  function coverage(sub, chars) {
    // How many of the query's characters the section's highlighted words cover:
    // Pagefind returns every section with a hit on any query word (选调生 also
    // finds 调研), but the sections worth a link are those that match it all.
    var words = marked(sub.excerpt);
    return chars.filter(function (c) {
      return words.indexOf(c) >= 0;
    }).length;
  }

  function queryChars(query) {
    var chars = [];
    query
      .toLowerCase()
      .replace(/\s+/g, "")
      .split("")
      .forEach(function (c) {
        if (chars.indexOf(c) < 0) chars.push(c);
      });
    return chars;
  }

  function projectHits(data, term, pageHit) {
    if (!term) return [];
    var chars = queryChars(term);
    var anchored = (data.sub_results || []).filter(function (sub) {
      return sub.anchor && sub.anchor.element !== "h1" && sub.url.indexOf("#") >= 0;
    });
    var scored = anchored.map(function (sub) {
      return { sub: sub, cover: coverage(sub, chars), hits: (sub.locations || []).length };
    });
    var best = scored.reduce(function (m, x) {
      return Math.max(m, x.cover);
    }, 0);
    // Without highlights to judge by, keep Pagefind's sections as they are.
    var kept = scored.filter(function (x) {
      return best === 0 ? x.hits > 0 : x.cover === best;
    });
    // When the page's head matches as well (平乡: the department's name and
    // region), link only the projects the query names, not every section that
    // happens to mention it.
    if (pageHit && coverage(pageHit, chars) >= best) {
      kept = kept.filter(function (x) {
        var title = cleanTitle(x.sub.title).toLowerCase();
        return chars.every(function (c) {
          return title.indexOf(c) >= 0;
        });
      });
    }
    return kept
      .sort(function (a, b) {
        return b.hits - a.hits;
      })
      .slice(0, SUB_RESULTS)
      .map(function (x) {
        return x.sub;
      });
  }

  function renderItem(data, term) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var subs = data.sub_results || [];
    // Hits before the first heading with an id (or in the h1) belong to the page.
    var pageHit = subs.filter(function (sub) {
      return !sub.anchor || sub.anchor.element === "h1";
    })[0];
    var projects = projectHits(data, term, pageHit);
    var title = (data.meta && data.meta.title) || data.url;
    var teaser = pageHit ? pageHit.excerpt : projects.length ? "" : data.excerpt;
    li.appendChild(
      link(
        data.url,
        "md-search-result__article--document",
        '<div class="md-search-result__icon md-icon"></div>' +
          "<h1>" + escapeHtml(title) + "</h1>" +
          (teaser ? '<p class="md-search-result__teaser">' + teaser + "</p>" : "")
      )
    );
    projects.forEach(function (sub) {
      li.appendChild(
        link(
          sub.url,
          "",
          "<h2>" + escapeHtml(cleanTitle(sub.title)) + "</h2>" +
            '<p class="md-search-result__teaser">' + sub.excerpt + "</p>"
        )
      );
    });
    return li;
  }

  function renderMore(s) {
    var old = s.list.querySelector(".gk-search__more-item");
    if (old) old.remove();
    var left = s.results.length - s.shown;
    if (left <= 0) return;
    var li = document.createElement("li");
    li.className = "md-search-result__item gk-search__more-item";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "gk-search__more";
    button.tabIndex = -1;
    button.textContent = (s.texts.more || "More (#)").replace("#", String(left));
    li.appendChild(button);
    s.list.appendChild(li);
  }

  function showMore(s, seq, size) {
    var batch = s.results.slice(s.shown, s.shown + (size || (s.shown ? PAGE_SIZE : FIRST_PAGE)));
    s.shown += batch.length;
    return Promise.all(
      batch.map(function (r) {
        return r.data();
      })
    ).then(function (items) {
      if (seq !== s.seq) return;
      var more = s.list.querySelector(".gk-search__more-item");
      if (more) more.remove();
      items.forEach(function (data) {
        s.list.appendChild(renderItem(data, s.term));
      });
      renderMore(s);
    });
  }

  function search(s) {
    var query = s.input.value.trim();
    var seq = ++s.seq;
    var parsed = null;
    if (!query) {
      s.root.setAttribute("data-gk-state", "done");
      s.results = [];
      s.shown = 0;
      s.list.innerHTML = "";
      setMeta(s, s.texts.placeholder || "");
      return Promise.resolve();
    }
    s.root.setAttribute("data-gk-state", "busy");
    return loadPagefind(s)
      .then(function (pagefind) {
        parsed = parseQuery(s, query);
        s.notes = parsed.notes;
        s.term = parsed.term;
        if (parsed.term === null && !Object.keys(parsed.filters).length) return null;
        return pagefind.search(parsed.term, { filters: parsed.filters });
      })
      .then(function (found) {
        if (seq !== s.seq) return;
        if (!found) {
          // Nothing to search yet (a lone digit): back to the placeholder.
          s.results = [];
          s.list.innerHTML = "";
          setMeta(s, s.texts.placeholder || "");
          s.root.setAttribute("data-gk-state", "done");
          return;
        }
        s.results = found.results;
        s.query = query;
        s.shown = 0;
        s.list.innerHTML = "";
        showCount(s);
        return showMore(s, seq).then(function () {
          if (seq !== s.seq) return;
          // For measurements: when the (first) results of a query were on screen.
          if (window.performance && performance.mark) performance.mark("gongkai-search:results");
          // The filter values come after the results are painted, never before.
          setTimeout(function () {
            loadFilters(s);
          }, 50);
          return searchMore(s, seq, parsed);
        }).then(function () {
          if (seq !== s.seq) return;
          s.root.setAttribute("data-gk-state", "done");
          if (window.performance && performance.mark) performance.mark("gongkai-search:all-results");
        });
      })
      .catch(function (error) {
        if (seq !== s.seq) return;
        s.root.setAttribute("data-gk-state", "done");
        setMeta(s, s.texts.failed || "Search is unavailable");
        console.error("gongkai search:", error);
      });
  }

  function showCount(s) {
    setMeta(
      s,
      countText(s, s.results.length) + (s.notes.length ? "（" + s.notes.join(" · ") + "）" : "")
    );
  }

  // After the first results are on screen: the further bundles, one after the
  // other, their results appended under those already listed.
  function searchMore(s, seq, parsed) {
    return loadMore(s).then(function (urls) {
      return urls.reduce(function (done, url) {
        return done.then(function () {
          if (seq !== s.seq) return;
          return loadExtra(s, url)
            .then(function (pagefind) {
              if (seq !== s.seq) return null;
              return pagefind.search(parsed.term, { filters: parsed.filters });
            })
            .then(function (found) {
              if (seq !== s.seq || !found || !found.results.length) return;
              var allShown = s.shown >= s.results.length;
              s.results = s.results.concat(found.results);
              showCount(s);
              // Shown at once when every earlier result is; else behind "more".
              if (allShown) return showMore(s, seq, FIRST_PAGE);
              renderMore(s);
            })
            .catch(function (error) {
              console.error("gongkai search:", url, error);
            });
        });
      }, Promise.resolve());
    });
  }

  function schedule(s) {
    clearTimeout(s.timer);
    s.root.setAttribute("data-gk-state", "busy");
    // No pagefind.preload() per keystroke: each partial query would fetch its own
    // index chunks (平 → every word starting with 平); the short debounce is enough.
    s.timer = setTimeout(function () {
      search(s);
    }, 120);
  }

  function loadFilters(s) {
    // After the first results, so it never delays them.
    if (s.filtersLoaded || !s.filters) return;
    s.filtersLoaded = true;
    loadPagefind(s)
      .then(function (pagefind) {
        return pagefind.filters();
      })
      .then(function (available) {
        var any = false;
        s.filters.querySelectorAll("select[data-gk-filter]").forEach(function (select) {
          var name = select.getAttribute("data-gk-filter");
          var counts = available[name] || {};
          var values = Object.keys(counts);
          values.sort(function (a, b) {
            if (name === "year") return b.localeCompare(a);
            return counts[b] - counts[a] || a.localeCompare(b, "zh");
          });
          values.forEach(function (value) {
            var option = document.createElement("option");
            option.value = value;
            option.textContent = value + " (" + counts[value] + ")";
            select.appendChild(option);
          });
          select.closest(".gk-search__filter").hidden = values.length === 0;
          any = any || values.length > 0;
        });
        s.filters.hidden = !any;
      })
      .catch(function (error) {
        s.filtersLoaded = false;
        console.error("gongkai search filters:", error);
      });
  }

  function focusables(s) {
    return [s.input].concat(
      Array.prototype.slice.call(
        s.list.querySelectorAll(".md-search-result__link, .gk-search__more")
      )
    );
  }

  function close(s) {
    setOpen(false);
    if (document.activeElement && s.root.contains(document.activeElement)) {
      document.activeElement.blur();
    }
  }

  function rootOf(node) {
    return node && node.closest ? node.closest(ROOT_SELECTOR) : null;
  }

  function firstRoot() {
    return document.querySelector(ROOT_SELECTOR);
  }

  document.addEventListener("focusin", function (ev) {
    var root = rootOf(ev.target);
    if (!root || !ev.target.classList.contains("gk-search__input")) return;
    var s = state(root);
    setOpen(true);
    loadPagefind(s).catch(function (error) {
      setMeta(s, s.texts.failed || "Search is unavailable");
      console.error("gongkai search:", error);
    });
  });

  function onTyped(ev) {
    var root = rootOf(ev.target);
    if (!root || !ev.target.classList.contains("gk-search__input")) return;
    // While an input method composes (pinyin), wait for the Chinese characters.
    if (ev.isComposing) return;
    setOpen(true);
    schedule(state(root));
  }

  document.addEventListener("input", onTyped);
  document.addEventListener("compositionend", onTyped);

  document.addEventListener("change", function (ev) {
    var target = ev.target;
    if (target.id === "__search") {
      // The header's magnifier (mobile) or the overlay toggled the search.
      var root = firstRoot();
      if (!root) return;
      var s = state(root);
      if (target.checked) {
        setTimeout(function () {
          s.input.focus();
        }, 0);
      } else if (document.activeElement && root.contains(document.activeElement)) {
        document.activeElement.blur();
      }
      return;
    }
    var r = rootOf(target);
    if (r && target.matches("select[data-gk-filter]")) search(state(r));
  });

  document.addEventListener("submit", function (ev) {
    var root = rootOf(ev.target);
    if (!root) return;
    ev.preventDefault();
    var first = state(root).list.querySelector(".md-search-result__link");
    if (first) first.click();
  });

  document.addEventListener("reset", function (ev) {
    var root = rootOf(ev.target);
    if (!root) return;
    var s = state(root);
    setTimeout(function () {
      search(s);
      s.input.focus();
    }, 0);
  });

  document.addEventListener("click", function (ev) {
    var target = ev.target;
    var root = rootOf(target);
    if (!root) return;
    var more = target.closest(".gk-search__more");
    if (more) {
      var s = state(root);
      var before = s.list.querySelectorAll(".md-search-result__item").length - 1;
      showMore(s, s.seq).then(function () {
        // Focus the first new result, so the keyboard goes on from there.
        var item = s.list.querySelectorAll(".md-search-result__item")[before];
        var next = item && item.querySelector(".md-search-result__link");
        if (next) next.focus();
      });
    }
  });

  document.addEventListener("keydown", function (ev) {
    var target = ev.target;
    var root = rootOf(target);
    if (root) {
      var s = state(root);
      var items = focusables(s);
      var at = items.indexOf(document.activeElement);
      switch (ev.key) {
        case "Escape":
          ev.preventDefault();
          close(s);
          return;
        case "ArrowDown":
        case "ArrowUp":
          if (at < 0 || items.length < 2) return;
          ev.preventDefault();
          var step = ev.key === "ArrowDown" ? 1 : -1;
          items[(at + step + items.length) % items.length].focus();
          return;
        case "Enter":
          if (target === s.input) {
            ev.preventDefault();
            var first = s.list.querySelector(".md-search-result__link");
            if (first) first.click();
          }
          return;
        default:
          // Typing on a focused result goes back to the query.
          if (at > 0 && ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
            s.input.focus();
          }
          return;
      }
    }
    // Global shortcuts, as in Material: / s f open the search.
    if (ev.ctrlKey || ev.metaKey || ev.altKey || isOpen()) return;
    if (ev.key !== "/" && ev.key !== "s" && ev.key !== "f") return;
    var el = target;
    if (
      el &&
      (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))
    ) {
      return;
    }
    var r = firstRoot();
    if (!r) return;
    ev.preventDefault();
    var st = state(r);
    st.input.focus();
    st.input.select();
  });
})();
