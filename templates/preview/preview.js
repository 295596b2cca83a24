// factdeck preview: draws each card's faces in shadow roots and filters the list.
// Plain JavaScript, no build step, no network: the page works from a file:// URL.
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("pv-data").textContent);
  const articles = Array.from(document.querySelectorAll("article.pv-card"));
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
    @media print {
      /* The handout: each answer shows its diagram with every label; the question keeps
         its masks. */
      :host([data-side="back"]) .fd-io-other, :host([data-side="back"]) .pv-io-inactive {
        display: none;
      }
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

  const wrappers = [];
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
      wrappers.push(wrapper);
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
  for (const article of articles) {
    if (observer) observer.observe(article); else draw(article);
  }
  window.addEventListener("beforeprint", () => articles.forEach(draw));

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

  function filter() {
    const terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const article of articles) {
      const show = matches(article, terms, tagSelect.value, subdeckSelect.value, typeSelect.value);
      article.hidden = !show;
      shown += show;
    }
    count.textContent = `${shown} of ${articles.length} cards`;
    empty.hidden = shown > 0;
  }

  for (const control of [search, tagSelect, subdeckSelect, typeSelect]) {
    control.addEventListener("input", filter);
  }
  nightBox.addEventListener("change", () => {
    for (const wrapper of wrappers) wrapper.classList.toggle("nightMode", nightBox.checked);
  });
  filter();
  document.body.dataset.ready = "1";
})();
