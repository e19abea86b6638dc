// The split cut of the sweep-speed issue, measured: each layer's downstream part split after the perturbed
// node and its chain of single-consumer elementwise ops (a "head" session per job, with the weights baked
// in) feeding a "tail" session of the rest, against one session of the whole downstream part (the sweep's).
// One quant:4 job per layer on the 2,000 bundled images. Prints times and how many layers gave bit-identical
// logits. The result (docs/design.md, "Sessions"): the split is 2.1-2.3x slower on VGG and MobileNetV2, as
// the values crossing it are copied out of onnxruntime and reordered again.
// Usage: node perf/split-cut-probe.mjs zoo/models/vgg/model.onnx     (needs a built dist/)
const ROOT = new URL('..', import.meta.url).pathname;
const R = `${ROOT}dist`;
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const { CutEngine } = await import(`${R}/cut/engine.js`);
const { OrtRunner } = await import(`${R}/runtime/session.js`);
const { withInitializerValues } = await import(`${R}/onnx/edit.js`);
const { applyPerturbation, createRng, parsePerturbation } = await import(`${R}/perturb/index.js`);
const model = process.argv[2];
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });
const prepared = await prepareModelFile(model, { sampleShape: data.sampleShape });
const layers = prepared.layers;
const engine = CutEngine.create(prepared, layers, { count: data.count, memoryBytes: 2 ** 31, session: { threads: 2 }, prefix: { threads: 2 } });
const ELEMENTWISE = new Set(['Relu', 'Clip', 'Add', 'Mul', 'Sub', 'Div', 'BatchNormalization', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Tanh', 'Erf', 'Gelu']);
function split(cut, layer) {
  const nodes = cut.model.graph.nodes;
  const consumers = (v) => nodes.filter((n) => n.inputs.includes(v));
  const headNodes = [nodes.find((n) => n.name === layer.node) ?? nodes[0]];
  let cur = headNodes[0];
  for (;;) {
    const c = consumers(cur.outputs[0]);
    if (c.length !== 1 || !ELEMENTWISE.has(c[0].opType)) break;
    cur = c[0]; headNodes.push(cur);
  }
  const inHead = new Set(headNodes);
  const tailNodes = nodes.filter((n) => !inHead.has(n));
  const g = cut.model.graph;
  const headOut = new Set(headNodes.flatMap((n) => n.outputs));
  const boundary = [...new Set(tailNodes.flatMap((n) => n.inputs).filter((v) => headOut.has(v)))];
  if (headOut.has(g.outputs[0].name)) boundary.push(g.outputs[0].name);
  const mk = (ns, inputs, outputs, nm) => {
    const used = new Set(ns.flatMap((n) => n.inputs));
    return { ...cut.model, graph: { ...g, name: nm, nodes: ns, initializers: new Map([...g.initializers].filter(([k]) => used.has(k))), inputs, outputs: outputs.map((name) => ({ name, elemType: 0, shape: undefined })), valueInfo: [] } };
  };
  const headInputs = g.inputs.filter((v) => headNodes.some((n) => n.inputs.includes(v.name)));
  const tailFrontier = g.inputs.filter((v) => tailNodes.some((n) => n.inputs.includes(v.name)));
  const info = (name) => { const { dims, dynamic } = prepared.shapes.get(name); return { name, elemType: 1, shape: dims.map((d, i) => (dynamic[i] ? 'N' : d)) }; };
  const tailInputs = [...tailFrontier, ...boundary.map(info)];
  return { head: mk(headNodes, headInputs, boundary, 'head'), tail: tailNodes.length ? mk(tailNodes, tailInputs, g.outputs.map((o) => o.name), 'tail') : undefined, headNodes, boundary };
}
const spec = parsePerturbation('quant:4');
const logitsName = prepared.io.logits;
let tHeadRun = 0, tTailRun = 0, tCur = 0, tSplit = 0, tHeadCreate = 0, tTailCreate = 0, tCurCreate = 0, identical = 0, total = 0;
for (const group of engine.groups) {
  const frontier = await engine.frontier(group, data, { start: 0, end: data.count });
  for (const layer of group.layers) {
    const cut = engine.cut(layer);
    const w = prepared.model.graph.initializers.get(layer.name).data;
    const p = applyPerturbation({ weight: w, shape: layer.shape, channelAxis: layer.channelAxis }, spec.perturbation, createRng(1));
    const values = new Map([[layer.name, p.weight]]);
    // current
    let t0 = performance.now();
    const run = await engine.open(layer, [values], 'cur');
    tCurCreate += performance.now() - t0;
    const cur = [];
    for (const b of frontier) cur.push(new Float32Array((await run.logits(b))[0]));
    await run.release();
    tCur += performance.now() - t0;
    // split
    const s = split(cut, layer);
    t0 = performance.now();
    const tail = s.tail ? await OrtRunner.create(s.tail, 'tail', { threads: 2 }) : undefined;
    tTailCreate += performance.now() - t0;
    const t1 = performance.now();
    const head = await OrtRunner.create(withInitializerValues(s.head, values), 'head', { threads: 2 });
    tHeadCreate += performance.now() - t1;
    const out = [];
    for (const b of frontier) {
      const feeds = {};
      for (const v of s.head.graph.inputs) feeds[v.name] = b.values.get(v.name);
      let q = performance.now(); const h = await head.run(feeds, s.boundary); tHeadRun += performance.now() - q; q = performance.now();
      let logits;
      if (tail) {
        const tf = {};
        for (const v of s.tail.graph.inputs) tf[v.name] = h[v.name] ?? b.values.get(v.name);
        logits = (await tail.run(tf, [logitsName]))[logitsName]; tTailRun += performance.now() - q;
      } else logits = h[logitsName];
      out.push(new Float32Array(logits.data.subarray(0, b.count * logits.dims[1])));
    }
    await head.release();
    tSplit += performance.now() - t0;
    await tail?.release();
    let same = true;
    for (let i = 0; i < cur.length; i++) { const a = new Uint32Array(cur[i].buffer), c = new Uint32Array(out[i].buffer); for (let j = 0; j < a.length; j++) if (a[j] !== c[j]) { same = false; break; } }
    total++; if (same) identical++;
    else console.log('differs', layer.name, s.headNodes.map((n) => n.opType).join('+'), 'maxdiff', Math.max(...cur.map((c, i) => Math.max(...c.map((x, j) => Math.abs(x - out[i][j]))))));
  }
}
console.log(JSON.stringify({ model, layers: total, identical, curMs: tCur.toFixed(0), curCreateMs: tCurCreate.toFixed(0), splitMs: tSplit.toFixed(0), headCreateMs: tHeadCreate.toFixed(0), tailCreateMs: tTailCreate.toFixed(0), headRun: tHeadRun.toFixed(0), tailRun: tTailRun.toFixed(0) }));
