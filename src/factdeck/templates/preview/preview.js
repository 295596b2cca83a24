// factdeck preview: draws each card's faces in shadow roots and filters the list.
// Plain JavaScript, no build step, no network: the page works from a file:// URL.
(() => {
  "use strict";

  // The page holds the styles and the list of parts; each part (parts/NNNN.js, a script
  // tag, as file:// allows no fetch) calls factdeckPreview.add with its cards.
  const data = JSON.parse(document.getElementById("pv-data").textContent);
  data.cards = [];
  data.facts = {};
  const articles = [];
  const main = document.getElementById("pv-cards");
  const search = document.getElementById("pv-search");
  const tagSelect = document.getElementById("pv-tag");
  const subdeckSelect = document.getElementById("pv-subdeck");
  const typeSelect = document.getElementById("pv-type");
  const nightBox = document.getElementById("pv-night");
  const count = document.getElementById("pv-count");
  const empty = document.getElementById("pv-empty");

  // What Anki's card view gives every card before the note type's own CSS applies:
  // nothing inherited from this page, and images no wider than the card.
  const BASE_CSS = `
    :host { all: initial; display: block; }
    .card { display: block; padding: 8px 10px; overflow-wrap: break-word; }
    img { max-width: 100%; }
    .pv-io-layer { position: absolute; inset: 0; pointer-events: none; }
    .pv-io-mask { position: absolute; box-sizing: border-box; }
    .pv-io-mask[data-n]::after {
      content: attr(data-n);
      display: none;
      font: 700 11pt/1 sans-serif;
      color: #212121;
      padding: 2px 4px;
    }
    @media print {
      /* The handout, packed: smaller text; no buttons; an answer without the question
         it repeats, or the source the card's foot names. A diagram prints once, as a
         sheet: every mask numbered on the question, none on the answer. */
      .card { font-size: 10.5pt !important; }
      .fd-card { padding: 0.3em 0.6em 0.4em !important; }
      button { display: none !important; }
      :host([data-side="back"]) :has(~ hr#answer), :host([data-side="back"]) hr#answer,
      .fd-source { display: none !important; }
      :host([data-side="back"]) .fd-io-other, :host([data-side="back"]) .pv-io-inactive {
        display: none;
      }
      :host([data-sheet]) .pv-io-mask {
        background: #ffeba2 !important;
        border: 1px solid #212121 !important;
      }
      :host([data-sheet]) .pv-io-mask[data-n]::after { display: block; }
      :host([data-sheet][data-side="back"]) .pv-io-mask { display: none; }
    }`;
  const constructable = "adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype;
  const sheets = new Map();
  function sheet(css) {
    if (!sheets.has(css)) {
      const made = new CSSStyleSheet();
      made.replaceSync(css);
      sheets.set(css, made);
    }
    return sheets.get(css);
  }

  const wrappers = new Map();  // article -> its faces' wrappers, for night mode
  function draw(article) {
    if (article.dataset.rendered) return;
    const card = data.cards[Number(article.dataset.card)];
    const css = data.styles[card.type] || "";
    for (const host of article.querySelectorAll(".pv-host")) {
      const root = host.attachShadow({ mode: "open" });
      if (constructable) {
        root.adoptedStyleSheets = [sheet(BASE_CSS), sheet(css)];
      } else {
        const style = document.createElement("style");
        style.textContent = BASE_CSS + "\n" + css;
        root.append(style);
      }
      const wrapper = document.createElement("div");
      wrapper.className = nightBox.checked ? "card nightMode" : "card";
      wrapper.innerHTML = card[host.dataset.side]; // scripts inserted this way never run
      root.append(wrapper);
      wrappers.set(article, [...(wrappers.get(article) || []), wrapper]);
      drawImageOcclusion(root);
    }
    for (const yaml of article.querySelectorAll("pre[data-fact]")) {
      yaml.textContent = data.facts[yaml.dataset.fact] || "";
    }
    article.dataset.rendered = "1";
  }

  // A stand-in for Anki's reviewer script (anki.imageOcclusion.setup): the same shapes,
  // colours and rules, drawn as HTML boxes over the image instead of on a canvas.
  // factdeck writes rectangles only (occlusion.py), so other shapes are not drawn.
  const DEFAULTS = {
    active: ["#ff8e8e", "1px #212121"],
    inactive: ["#ffeba2", "1px #212121"],
    highlight: ["#ff8e8e00", "1px #ff8e8e"],
  };
  function drawImageOcclusion(root) {
    const container = root.getElementById("image-occlusion-container");
    const canvas = root.getElementById("image-occlusion-canvas");
    if (!container || !canvas) return;
    const style = getComputedStyle(canvas);
    const property = (role, what, index) =>
      style.getPropertyValue(`--${role}-shape-${what}`).trim() || DEFAULTS[role][index];
    const layer = document.createElement("div");
    layer.className = "pv-io-layer";
    for (const shape of root.querySelectorAll("[data-shape]")) {
      const role = shape.classList.contains("cloze") ? "active"
        : shape.classList.contains("cloze-highlight") ? "highlight"
        : shape.dataset.occludeinactive === "1" ? "inactive" : null;
      if (!role || shape.dataset.shape !== "rect") continue;
      const [width, colour] = property(role, "border", 1).split(/\s+/);
      const box = document.createElement("div");
      box.className = `pv-io-mask pv-io-${role}`;
      if (shape.dataset.ordinal) box.dataset.n = shape.dataset.ordinal;
      Object.assign(box.style, {
        left: `${Number(shape.dataset.left || 0) * 100}%`,
        top: `${Number(shape.dataset.top || 0) * 100}%`,
        width: `${Number(shape.dataset.width || 0) * 100}%`,
        height: `${Number(shape.dataset.height || 0) * 100}%`,
        background: property(role, "color", 0),
        border: `${parseFloat(width) || 0}px solid ${colour || "transparent"}`,
      });
      layer.append(box);
    }
    canvas.style.display = "none";
    Object.assign(container.style, { position: "relative", display: "inline-block", lineHeight: "0" });
    container.append(layer);
    const toggle = root.getElementById("toggle");
    if (toggle && root.querySelector('[data-occludeinactive="1"]')) {
      toggle.addEventListener("click", () => { layer.hidden = !layer.hidden; });
    } else if (toggle) {
      toggle.style.display = "none";
    }
  }

  // Faces are drawn when a card comes near the screen, so thousands of cards open fast.
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          draw(entry.target);
          observer.unobserve(entry.target);
        }
      }
    }, { rootMargin: "1000px 0px" })
    : null;
  window.addEventListener("beforeprint", () => articles.forEach(draw));

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // One card's article: its metadata as text (never as HTML), its faces drawn later.
  // The first card of a diagram is its printed sheet, with the labels listed; the
  // diagram's other cards are not printed.
  const printedDiagrams = new Set();
  const diagram = (card) => card.fact + " " + card.type;
  function article(card, index, sheet) {
    const node = element("article", "pv-card");
    if (card.labels) node.classList.add(sheet ? "pv-sheet" : "pv-print-skip");
    node.id = card.anchor;
    Object.assign(node.dataset, { card: index, type: card.type, subdeck: card.subdeck,
                                  tags: card.tags.join(" ") });
    const head = element("header", "pv-card-head");
    const anchor = element("a", "pv-anchor", "#");
    anchor.href = "#" + card.anchor;
    anchor.title = "Link to this card";
    const kind = sheet ? `${card.kind.split(" · ")[0]} · ${card.labels.length} cards` : card.kind;
    head.append(element("span", "pv-kind", kind), element("span", "pv-deck", card.deck), anchor);
    const faces = element("div", "pv-faces");
    for (const side of ["front", "back"]) {
      const face = element("section", "pv-face");
      face.setAttribute("aria-label", side);
      const host = element("div", "pv-host");
      host.dataset.side = side;
      if (sheet) host.dataset.sheet = "1";
      face.append(element("h2", "", side === "front" ? "Front" : "Back"), host);
      faces.append(face);
    }
    const foot = element("footer", "pv-card-foot");
    const tags = element("ul", "pv-tags");
    for (const tag of card.tags) tags.append(element("li", "", tag));
    const origin = element("details", "pv-origin");
    const summary = element("summary");
    summary.append(element("code", "pv-location", card.location), " · ",
                   element("code", "pv-ids", card.ids));
    const open = element("p");
    const link = element("a", "", "Open " + card.file);
    link.href = card.href;
    open.append(link, ` — the fact starts at line ${card.line}.`);
    const yaml = element("pre", "pv-yaml");
    yaml.dataset.fact = card.fact;
    origin.append(summary, open, yaml);
    foot.append(tags, element("p", "pv-source", "Source: " + card.source), origin);
    node.append(head, faces);
    if (sheet) {
      const labels = element("ol", "pv-labels");
      labels.setAttribute("aria-label", "labels");
      for (const [number, label] of card.labels) {
        const item = element("li", "", label);
        item.value = number;
        labels.append(item);
      }
      node.append(labels);
    }
    node.append(foot);
    return node;
  }

  // The first card shown on screen, or -1: what `replace` keeps in place on screen (the
  // browser's own scroll anchoring loses it when the card it anchors to is replaced).
  // A binary search: thousands of cards are not measured one by one.
  function firstOnScreen() {
    const shownFrom = (index) => {
      while (index < articles.length && articles[index].hidden) index++;
      return index;
    };
    let low = 0;
    let high = articles.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const probe = shownFrom(middle);
      if (probe === articles.length || articles[probe].getBoundingClientRect().bottom > 0) {
        high = middle;
      } else {
        low = probe + 1;
      }
    }
    const found = shownFrom(low);
    return found < articles.length ? found : -1;
  }

  // Each loaded part's cards, [first, end) in data.cards and articles.
  const ranges = [];

  // One card's article made again from data.cards, in place: drawn at once if the one it
  // replaces was, and as tall as it off screen (the browser lays out only the cards near
  // the screen, and a new one has no size yet), so the page does not move; its origin
  // open if that one's was.
  function remake(index, sheet, height) {
    const old = articles[index];
    const node = article(data.cards[index], index, sheet);
    node.hidden = old.hidden;
    if (height) node.style.containIntrinsicHeight = `auto ${height}px`;
    if (observer) observer.unobserve(old);
    wrappers.delete(old);
    old.replaceWith(node);
    articles[index] = node;
    node.querySelector(".pv-origin").open = old.querySelector(".pv-origin").open;
    if (old.dataset.rendered || !observer) draw(node); else observer.observe(node);
  }

  window.factdeckPreview = {
    parts: data.parts,
    add(part) {
      Object.assign(data.facts, part.facts);
      const fragment = document.createDocumentFragment();
      const added = [];
      ranges.push([data.cards.length, data.cards.length + part.cards.length]);
      for (const card of part.cards) {
        const sheet = Boolean(card.labels) && !printedDiagrams.has(diagram(card));
        if (sheet) printedDiagrams.add(diagram(card));
        const node = article(card, data.cards.length, sheet);
        data.cards.push(card);
        articles.push(node);
        added.push(node);
        fragment.append(node);
      }
      main.append(fragment);
      for (const node of added) {
        if (observer) observer.observe(node); else draw(node);
      }
    },
    // `factdeck serve`: part `number` rebuilt, its cards replaced where they are, the
    // filters applied again. False when they do not fit its place (the caller reloads).
    replace(number, part) {
      const range = ranges[number];
      if (!range) return true; // not loaded yet: it loads as it is now
      const [first, end] = range;
      if (part.cards.length !== end - first) return false;
      const anchor = firstOnScreen();
      const top = anchor < 0 ? 0 : articles[anchor].getBoundingClientRect().top;
      const edited = new Set(); // only the cards that differ, or whose fact's YAML does
      part.cards.forEach((card, offset) => {
        const old = data.cards[first + offset];
        const yaml = data.facts[card.fact] !== part.facts[card.fact];
        if (yaml || JSON.stringify(old) !== JSON.stringify(card)) edited.add(first + offset);
        data.cards[first + offset] = card;
      });
      Object.assign(data.facts, part.facts);
      const sheets = new Map(); // a diagram's first card is its printed sheet
      data.cards.forEach((card, index) => {
        if (card.labels && !sheets.has(diagram(card))) sheets.set(diagram(card), index);
      });
      const remade = [];
      data.cards.forEach((card, index) => {
        const sheet = Boolean(card.labels) && sheets.get(diagram(card)) === index;
        const moved = sheet !== articles[index].classList.contains("pv-sheet");
        if (edited.has(index) || moved) remade.push([index, sheet]);
      });
      const heights = remade.map(([index]) => {
        const box = getComputedStyle(articles[index]);
        const padding = parseFloat(box.paddingTop) + parseFloat(box.paddingBottom);
        return articles[index].hidden ? 0 : articles[index].clientHeight - padding;
      });
      remade.forEach(([index, sheet], n) => remake(index, sheet, heights[n]));
      filter(remade.map(([index]) => articles[index]));
      if (anchor >= 0 && !articles[anchor].hidden) {
        window.scrollBy(0, articles[anchor].getBoundingClientRect().top - top);
      }
      return true;
    },
  };

  function load(number) {
    if (number >= data.parts.length) {
      filter();
      for (const control of [search, tagSelect, subdeckSelect, typeSelect]) {
        control.addEventListener("input", () => filter());
      }
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
      document.body.dataset.ready = "1";
      return;
    }
    const script = document.createElement("script");
    script.src = data.parts[number];
    script.onload = () => load(number + 1);
    script.onerror = () => { count.textContent = `could not read ${data.parts[number]}`; };
    document.body.append(script);
  }

  function matches(article, terms, tag, subdeck, type) {
    if (type && article.dataset.type !== type) return false;
    if (subdeck !== "*" && article.dataset.subdeck !== subdeck) return false;
    if (tag) {
      const tags = article.dataset.tags.split(" ");
      if (!tags.some((t) => t === tag || t.startsWith(tag + "::"))) return false;
    }
    const text = data.cards[Number(article.dataset.card)].text;
    return terms.every((term) => text.includes(term));
  }

  // The filters applied to every card, or to `only` these (the others are as they were).
  function filter(only) {
    const terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const [tag, subdeck, type] = [tagSelect.value, subdeckSelect.value, typeSelect.value];
    for (const article of only || articles) {
      article.hidden = !matches(article, terms, tag, subdeck, type);
    }
    let shown = 0;
    for (const article of articles) shown += !article.hidden;
    count.textContent = `${shown} of ${articles.length} cards`;
    empty.hidden = shown > 0;
  }

  nightBox.addEventListener("change", () => {
    for (const faces of wrappers.values()) {
      for (const wrapper of faces) wrapper.classList.toggle("nightMode", nightBox.checked);
    }
  });
  load(0);
})();
