// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initAll();

// A background job's page: follow its progress, and show the result when it is done.
const job = document.querySelector("[data-kpi-job]");
if (job) {
  const bar = job.querySelector("progress");
  const percent = job.querySelector("[data-kpi-job-percent]");
  const step = job.querySelector("[data-kpi-job-step]");
  const poll = async () => {
    try {
      const response = await fetch(job.dataset.kpiJob, { headers: { Accept: "application/json" } });
      const state = await response.json();
      if (!state.running) {
        window.location.reload();
        return;
      }
      bar.value = state.percent;
      bar.textContent = `${state.percent}%`;
      // Only changes are written: the line is read out by screen readers when it changes.
      if (percent.textContent !== `${state.percent}%`) percent.textContent = `${state.percent}%`;
      if (step.textContent !== state.step) step.textContent = state.step;
    } catch {
      // A missed look is no harm: try again at the next one.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}
