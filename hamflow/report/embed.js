// Draw every chart of the page's data (charts by athlete, each into #chart-<athlete>-<name>),
// and switch athletes with the selector where there is one.
(function () {
  const data = JSON.parse(document.getElementById("hamflow-data").textContent);
  window.hamflowRendered = 0;
  const jobs = [];
  for (const athlete of data.athletes) {
    for (const [name, spec] of Object.entries(athlete.charts)) {
      const el = document.getElementById("chart-" + athlete.athlete_id + "-" + name);
      jobs.push(vegaEmbed(el, spec, {renderer: "svg", actions: false}).then(() => { window.hamflowRendered += 1; }));
    }
  }
  window.hamflowReady = Promise.all(jobs);
  const select = document.getElementById("athlete-select");
  if (select) {
    select.addEventListener("change", () => {
      for (const s of document.querySelectorAll("section.athlete")) {
        s.classList.toggle("shown", s.dataset.athlete === select.value);
      }
      window.dispatchEvent(new Event("resize"));
    });
  }
})();
