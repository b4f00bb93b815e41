/**
 * The playground: edit a policy version's modules, pick a recorded input from the audit (or edit
 * one), and evaluate in the browser with the project's own engine — the same compile step the
 * admin API runs on upload (workers/policy/compile.ts) and the same set evaluation the STS runs
 * per exchange (workers/sts/decision.ts: first policy that does not deny wins, strict mode,
 * provenance), through console/engine.ts. Nothing is sent to the server; nothing is stored.
 */
import { enc, get, type Page, query } from "../api.js";
import { versionIndex } from "../catalog.js";
import { type ViewContext, zonePath } from "../context.js";
import { badge, clear, facts, h, pre } from "../dom.js";
import type { PlaygroundDecision, TextFile } from "../engine-api.js";
import { versionDetail, versionFiles } from "../files.js";
import { ruleRows, sourceView } from "../source.js";
import type { AuditEvent, Explanation } from "../types.js";

const SAMPLE = `package playground

default allow := false

allow if input.subject.claims.role == "payer"

deny contains "blocked country" if input.request.country == "KP"
`;

export async function playgroundView(ctx: ViewContext, params: string[]): Promise<void> {
  const base = zonePath(ctx);
  const requestId = params[0];
  const [index, recent, explained] = await Promise.all([
    versionIndex(base),
    get<Page<AuditEvent>>(`${base}/audit${query({ order: "desc", limit: 50, status: "enforced" })}`),
    requestId ? get<Explanation>(`${base}/explain/${enc(requestId)}`).catch(() => null) : Promise.resolve(null),
  ]);
  if (ctx.left()) return;
  const versions = [...index.values()].filter((r) => r.version.engine === "rego");
  const initialVersion =
    explained?.determining_policies[0]?.policy_version_id ?? explained?.policies[0]?.policy_version_id ?? versions.at(-1)?.version.id;

  let files: TextFile[] = [{ path: "playground.rego", content: SAMPLE }];
  let current = 0;
  let regoVersion: 0 | 1 = 1;
  let pkg: string | undefined;

  const versionSelect = h(
    "select",
    { id: "pg-version" },
    h("option", { value: "" }, "a new policy (sample)"),
    ...versions.map((r) =>
      h(
        "option",
        { value: r.version.id, ...(r.version.id === initialVersion ? { selected: true } : {}) },
        `${r.policy.name} ${r.version.id}`,
      ),
    ),
  );
  const fileSelect = h("select", { id: "pg-file" });
  const editor = h("textarea", {
    id: "pg-source",
    rows: 18,
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    className: "editor",
  });
  const inputSelect = h(
    "select",
    { id: "pg-recorded" },
    h("option", { value: "" }, "a recorded input…"),
    ...(explained ? [h("option", { value: explained.request_id, selected: true }, `${explained.request_id} (explained)`)] : []),
    ...recent.items
      .filter((e) => e.request_id !== explained?.request_id)
      .map((e) => h("option", { value: e.request_id }, `${e.request_id} · ${e.client_id} · ${e.subject.sub} · ${e.decision}`)),
  );
  const inputArea = h("textarea", { id: "pg-input", rows: 8, spellcheck: "false", className: "editor" });
  const run = h("button", { type: "button", id: "pg-run" }, "Evaluate");
  const result = h(
    "section",
    { className: "card result", "aria-live": "polite", "aria-labelledby": "pg-result-title" },
    h("h2", { id: "pg-result-title" }, "Result"),
    h("p", {}, "Not evaluated yet."),
  );

  const showFile = () => {
    clear(fileSelect, ...files.map((f, i) => h("option", { value: i, ...(i === current ? { selected: true } : {}) }, f.path)));
    editor.value = files[current]?.content ?? "";
  };
  const loadVersion = async (id: string) => {
    if (!id) {
      files = [{ path: "playground.rego", content: SAMPLE }];
      regoVersion = 1;
      pkg = undefined;
    } else {
      const ref = index.get(id)!;
      const detail = await versionDetail(base, ref.policy.id, id);
      files = (await versionFiles(base, detail)).map((f) => ({ ...f }));
      regoVersion = detail.rego_version;
      pkg = detail.package;
    }
    current = Math.max(
      0,
      files.findIndex((f) => f.path.endsWith(".rego") && !f.path.endsWith("_test.rego")),
    );
    showFile();
  };
  const recorded = (id: string): Record<string, unknown> | undefined =>
    id === explained?.request_id ? explained.input : recent.items.find((e) => e.request_id === id)?.input;

  editor.addEventListener("input", () => {
    const f = files[current];
    if (f) f.content = editor.value;
  });
  fileSelect.addEventListener("change", () => {
    current = Number(fileSelect.value);
    showFile();
  });
  versionSelect.addEventListener("change", () => void loadVersion(versionSelect.value).catch((err) => ctx.status(String(err))));
  inputSelect.addEventListener("change", () => {
    const input = recorded(inputSelect.value);
    if (input) inputArea.value = JSON.stringify(input, null, 2);
  });
  run.addEventListener("click", () => void evaluate());

  const evaluate = async () => {
    run.disabled = true;
    try {
      clear(result, h("h2", { id: "pg-result-title" }, "Result"), ...(await evaluateInBrowser(files, regoVersion, pkg, inputArea.value)));
      result.scrollIntoView({ block: "nearest" });
    } finally {
      run.disabled = false;
    }
  };

  clear(
    ctx.main,
    h("h1", {}, "Playground"),
    h(
      "p",
      {},
      "Evaluated in this browser by the project's Rego engine, as the STS evaluates a set of this one policy. Edits are not saved.",
    ),
    h(
      "div",
      { className: "playground" },
      h(
        "section",
        { "aria-labelledby": "pg-policy-title" },
        h("h2", { id: "pg-policy-title" }, "Policy"),
        h("div", { className: "field" }, h("label", { for: "pg-version" }, "Start from"), versionSelect),
        h("div", { className: "field" }, h("label", { for: "pg-file" }, "File"), fileSelect),
        h("label", { for: "pg-source" }, "Policy source"),
        editor,
      ),
      h(
        "section",
        { "aria-labelledby": "pg-input-title" },
        h("h2", { id: "pg-input-title" }, "Input"),
        h("div", { className: "field" }, h("label", { for: "pg-recorded" }, "Recorded input"), inputSelect),
        h("label", { for: "pg-input" }, "Input document (JSON)"),
        inputArea,
        run,
        result,
      ),
    ),
  );
  await loadVersion(initialVersion ?? "");
  const first = recorded(inputSelect.value) ?? recent.items[0]?.input;
  inputArea.value = first
    ? JSON.stringify(first, null, 2)
    : JSON.stringify({ subject: { claims: { role: "payer" } }, request: {} }, null, 2);
}

async function evaluateInBrowser(
  files: TextFile[],
  regoVersion: 0 | 1,
  pkg: string | undefined,
  inputText: string,
): Promise<HTMLElement[]> {
  // The engine chunk loads on first use (the shell and the other views do not need it).
  const { evaluatePolicy } = await import("../engine-api.js");
  const r = await evaluatePolicy(files, regoVersion, pkg, inputText);
  switch (r.kind) {
    case "input_error":
      return [h("p", { className: "error", role: "alert" }, `The input is not JSON: ${r.message}`)];
    case "compile_error":
      return [
        h("p", { className: "verdict", id: "pg-decision" }, badge("does not compile", "error")),
        h("ul", { className: "errors", role: "alert" }, ...r.errors.map((e) => h("li", {}, h("code", {}, e)))),
      ];
    case "refused":
      return [
        h("p", { className: "verdict", id: "pg-decision" }, badge("refused", "error")),
        h("p", { className: "error", role: "alert" }, r.message),
      ];
    case "decision":
      return decisionView(r.decision, files, r.ms);
  }
}

function decisionView(d: PlaygroundDecision, files: TextFile[], ms: number): HTMLElement[] {
  const det = d.determining[0];
  const evaluation = d.evaluations[0];
  const outcome = d.status === "error" ? "error" : d.decision;
  const deciding = new Map<string, number[]>();
  const fired = new Map<string, number[]>();
  for (const r of evaluation?.rules ?? [])
    for (const loc of r.locations) {
      const f = files.find((x) => x.path === loc.file.replace(/^\/+/, ""));
      if (!f) continue;
      const into = det && r.rule === det.rule ? deciding : fired;
      into.set(f.path, [...(into.get(f.path) ?? []), ...ruleRows(f.content.split("\n"), loc.row)]);
    }
  if (det?.location) {
    const f = files.find((x) => x.path === det.location!.file.replace(/^\/+/, ""));
    if (f) deciding.set(f.path, [...(deciding.get(f.path) ?? []), ...ruleRows(f.content.split("\n"), det.location.row)]);
  }
  const shown = files.filter((f) => deciding.has(f.path) || fired.has(f.path));
  return [
    h(
      "p",
      { className: "verdict", id: "pg-decision" },
      badge(outcome, outcome),
      " ",
      det
        ? [
            "decided by ",
            h("code", {}, det.rule),
            det.location ? ` at ${det.location.file}:${det.location.row}` : " (no body produced a value)",
          ]
        : "",
    ),
    facts([
      ["Reasons", d.reasons.join("; ") || "—"],
      ["Error", d.error ? `${d.error.code}: ${d.error.message}` : "—"],
      ["Obligations", d.obligations ? pre(JSON.stringify(d.obligations, null, 2)) : "—"],
      [
        "Rules that produced a value",
        evaluation?.rules.map((r) => `${r.rule} (${r.locations.map((l) => `${l.file}:${l.row}`).join(", ")})`).join("; ") || "—",
      ],
      ["Evaluation time", `${ms.toFixed(2)} ms in this browser`],
    ]),
    ...shown.map((f) => sourceView(f.content, f.path, { deciding: deciding.get(f.path) ?? [], fired: fired.get(f.path) ?? [] })),
  ];
}
