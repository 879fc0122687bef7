// The backprop player: shows the steps that Python wrote into #pl-data. It never computes a
// number itself; the sliders only pick which of Python's precomputed runs to show.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("pl-data").textContent);
  const tensors = data.graph.tensors, ops = data.graph.ops;
  const forwardSteps = ops.length, backwardSteps = data.base.steps.length;
  const lastStep = forwardSteps + backwardSteps;
  const $ = (id) => document.getElementById(id);
  const state = { step: 0, run: data.base, selected: null, timer: null };

  // The graph's SVG nodes by draw_graph's node names ("t3", "op2"): Graphviz writes them as <title>.
  const svgNodes = {};
  for (const g of document.querySelectorAll("#pl-graph g.node")) {
    const title = g.querySelector("title");
    if (title) svgNodes[title.textContent.trim()] = g;
  }
  const byNode = {};
  tensors.forEach((t, i) => { byNode[t.node] = { kind: "tensor", index: i }; });
  ops.forEach((o, k) => { byNode[o.node] = { kind: "op", index: k }; });

  function element(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function definitions(rows) {   // [[term, text or node], ...] as a <dl>
    const dl = element("dl");
    for (const [term, value] of rows) {
      dl.append(element("dt", term));
      const dd = element("dd");
      if (value instanceof Node) dd.append(value); else dd.append(element("code", value));
      dl.append(dd);
    }
    return dl;
  }
  function described(i) { return tensors[i].name + " " + tensors[i].shape; }

  function highlight(classes) {   // classes: {node name: class}
    for (const g of Object.values(svgNodes))
      g.classList.remove("pl-current", "pl-input", "pl-back-current", "pl-back-input");
    for (const [node, cls] of Object.entries(classes)) if (svgNodes[node]) svgNodes[node].classList.add(cls);
    const first = svgNodes[Object.keys(classes)[0]];   // the current op: keep it in sight in a big graph
    if (first) first.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function forwardCard(k) {
    const op = ops[k], run = state.run, card = $("pl-card");
    card.className = "pl-card forward";
    card.dataset.node = op.node;
    card.dataset.tensor = tensors[op.output].node;
    card.append(element("h3", `forward ${k + 1} of ${forwardSteps}: ${op.op}`));
    const rows = op.inputs.map((i, n) => [`input ${n}: ${described(i)}`, run.values[i]]);
    rows.push([`result: ${described(op.output)}`, run.values[op.output]]);
    card.append(definitions(rows));
    const marks = { [op.node]: "pl-current", [tensors[op.output].node]: "pl-current" };
    op.inputs.forEach((i) => { marks[tensors[i].node] = "pl-input"; });
    highlight(marks);
  }

  function backwardCard(b) {
    const step = state.run.steps[b], op = ops[step.op], card = $("pl-card");
    card.className = "pl-card backward";
    card.dataset.node = op.node;
    card.dataset.tensor = tensors[step.output].node;
    card.append(element("h3", `backward ${b + 1} of ${backwardSteps}: ${op.op}`));
    const rows = [[`gradient arriving at ${described(step.output)}`, step.upstream],
                  ["it came from", step.from.join(" + ")], ["rule", step.rule]];
    for (const given of step.inputs) {
      if (!given.needs_grad) { rows.push([`to ${given.name}`, "needs no gradient"]); continue; }
      rows.push([`local derivative for ${given.name}`, given.local]);
      const handed = element("span");
      const numbers = element("code", given.grad, "pl-handed");
      numbers.dataset.tensor = tensors[given.tensor].node;
      handed.append(numbers, given.note ? `  (${given.note})` : "");
      rows.push([`gradient handed to ${given.name}`, handed]);
    }
    const list = definitions(rows);
    list.querySelector("dd code").classList.add("pl-upstream");
    card.append(list);
    for (const sum of step.sums) {
      const p = element("p", "", "pl-sum");
      p.append(element("b", `${sum.name} is reached by several paths, so its gradients add up: `));
      p.append(element("code", sum.terms.join(" + ") + " = " + sum.total));
      card.append(p);
    }
    const marks = { [op.node]: "pl-back-current", [tensors[step.output].node]: "pl-back-current" };
    step.inputs.forEach((given) => { if (given.grad !== null) marks[tensors[given.tensor].node] = "pl-back-input"; });
    highlight(marks);
  }

  function showStep() {
    const card = $("pl-card");
    card.replaceChildren();
    card.hidden = state.step === 0;
    if (state.step === 0) { highlight({}); delete card.dataset.node; delete card.dataset.tensor; }
    else if (state.step <= forwardSteps) forwardCard(state.step - 1);
    else backwardCard(state.step - forwardSteps - 1);
    $("pl-step").value = state.step;
    $("pl-step-label").textContent = state.step === 0 ? `start (${forwardSteps} ops forward, ${backwardSteps} steps back)`
      : state.step <= forwardSteps ? `forward ${state.step} of ${forwardSteps}`
      : `backward ${state.step - forwardSteps} of ${backwardSteps}`;
    if (state.selected) showPanel(state.selected);
  }

  function go(step) {
    state.step = Math.max(0, Math.min(lastStep, step));
    showStep();
  }

  function togglePlay() {
    if (state.timer) { clearInterval(state.timer); state.timer = null; $("pl-play").textContent = "▶ play"; return; }
    if (state.step === lastStep) go(0);
    $("pl-play").textContent = "❚❚ pause";
    state.timer = setInterval(() => { if (state.step >= lastStep) togglePlay(); else go(state.step + 1); }, 900);
  }

  function showPanel(node) {
    const found = byNode[node], panel = $("pl-panel"), run = state.run;
    if (!found) return;
    if (svgNodes[state.selected]) svgNodes[state.selected].classList.remove("pl-selected");
    state.selected = node;
    if (svgNodes[node]) svgNodes[node].classList.add("pl-selected");
    panel.replaceChildren();
    panel.hidden = false;
    panel.dataset.node = node;
    if (found.kind === "op") {
      const op = ops[found.index];
      panel.append(element("h3", `op ${op.op} (#${found.index + 1} in forward order)`));
      panel.append(definitions([["inputs", op.inputs.map(described).join(", ")], ["result", described(op.output)],
                                ["rule", op.rule]]));
      return;
    }
    const i = found.index, t = tensors[i];
    const maker = t.made_by === null ? null : ops[t.made_by];
    const grad = run.grads[i] === null ? (t.kind === "const" ? "none (needs no gradient)" : "none")
      : run.full_grads[i] ?? run.grads[i];
    panel.append(element("h3", `tensor ${t.name}`));
    const dl = definitions([["made by", maker ? maker.op : `nothing: a leaf (${t.kind})`], ["shape", t.shape],
                            ["dtype", t.dtype], ["value", run.full_values[i] ?? run.values[i]], ["gradient", grad],
                            ["rule", maker ? maker.rule : "-"]]);
    dl.querySelectorAll("dd code")[3].classList.add("pl-value");
    dl.querySelectorAll("dd code")[4].classList.add("pl-grad");
    panel.append(dl);
  }

  function showOutput() {
    const root = tensors.findIndex((t) => t.kind === "root");
    const out = $("pl-output");
    if (out && root >= 0) out.textContent = `${tensors[root].name} = ${state.run.values[root]}`;
  }

  function setUpSliders() {
    const box = $("pl-sliders"), info = data.sliders;
    if (!info) return;
    box.hidden = false;
    const inputs = info.axes.map((axis, k) => {
      const label = element("label", axis.label + " ");
      const input = element("input");
      Object.assign(input, { type: "range", min: 0, max: axis.values.length - 1, value: axis.base });
      input.className = "pl-slider";
      input.dataset.axis = k;
      const shown = element("output", axis.values[axis.base]);
      label.append(input, shown);
      box.append(label);
      input.addEventListener("input", () => moved(k));
      return { input, shown };
    });
    const result = element("span", "", "pl-result");
    result.id = "pl-output";
    box.append(result);
    box.append(element("span", info.mode === "grid" ? "(every combination was run in Python)"
      : "(each slider's positions were run in Python with the others at their start; moving one resets the others)",
      "pl-note"));

    function moved(k) {
      const at = inputs.map((s) => Number(s.input.value));
      let run;
      if (info.mode === "grid") run = at.reduce((sum, j, n) => sum + j * info.strides[n], 0);
      else {
        inputs.forEach((s, n) => { if (n !== k) { s.input.value = info.axes[n].base; at[n] = info.axes[n].base; } });
        run = info.axes[k].scenarios[at[k]];
      }
      inputs.forEach((s, n) => { s.shown.textContent = info.axes[n].values[at[n]]; });
      state.run = info.scenarios[run];
      showOutput();
      showStep();
    }
    showOutput();
  }

  $("pl-controls").hidden = false;
  $("pl-step").max = lastStep;
  $("pl-next").addEventListener("click", () => go(state.step + 1));
  $("pl-back").addEventListener("click", () => go(state.step - 1));
  $("pl-play").addEventListener("click", togglePlay);
  $("pl-step").addEventListener("input", (e) => go(Number(e.target.value)));
  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement) return;   // a focused slider moves with the arrows itself
    if (e.key === "ArrowRight") { go(state.step + 1); e.preventDefault(); }
    if (e.key === "ArrowLeft") { go(state.step - 1); e.preventDefault(); }
  });
  for (const [node, g] of Object.entries(svgNodes)) g.addEventListener("click", () => showPanel(node));
  setUpSliders();
  showStep();
})();
