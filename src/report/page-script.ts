/**
 * The page's only script: a tooltip that shows a chart mark's description (its aria-label, which
 * Vega writes from the data) on hover, and the heat map's colour-by switch. Nothing is fetched.
 */
export const PAGE_SCRIPT = `
(() => {
  const tip = document.createElement('div');
  tip.className = 'tip';
  tip.hidden = true;
  document.body.append(tip);
  const markOf = (target) => target instanceof Element ? target.closest('figure.chart [role="graphics-symbol"][aria-label]') : null;
  document.addEventListener('mouseover', (event) => {
    const mark = markOf(event.target);
    if (!mark) { tip.hidden = true; return; }
    // Descriptions read "<what>: <fact>; <fact>; ...": the part before the first ": " is the heading.
    const label = mark.getAttribute('aria-label');
    const colon = label.indexOf(': ');
    const lines = colon < 0 ? [label] : [label.slice(0, colon), ...label.slice(colon + 2).split('; ')];
    tip.replaceChildren(...lines.map((line) => Object.assign(document.createElement('div'), { textContent: line })));
    tip.hidden = false;
  });
  document.addEventListener('mousemove', (event) => {
    if (tip.hidden) return;
    const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = event.clientY + 18 + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 10 : event.clientY + 18;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  });
  for (const input of document.querySelectorAll('input[name="heat-map-metric"]')) {
    input.addEventListener('change', () => {
      for (const figure of document.querySelectorAll('figure[data-chart="heat-map"]')) figure.hidden = figure.dataset.metric !== input.value;
    });
  }
})();
`;
