/** The CLI's wording where it used to read wrongly: duplicates, idle isolates, decisions without a rule body. */
import { describe, expect, it } from "vitest";
import { decidedBy } from "../../../cli/commands/audit.js";
import { firstDuplicate, isolatesLine } from "../../../cli/commands/policy-set.js";

describe("--policy-versions duplicates", () => {
  it("names the repeated id and both positions, counted from 1", () => {
    expect(firstDuplicate(["pv-a", "pv-b", "pv-c", "pv-b"])).toBe(
      "--policy-versions lists pv-b twice (positions 2 and 4); a policy-set version lists each policy version once",
    );
    expect(firstDuplicate(["pv-a", "pv-b"])).toBeUndefined();
  });
});

describe("isolate count", () => {
  it("an idle stack says no isolate has reported instead of 0 of 0", () => {
    expect(isolatesLine({ reporting: 0, running_active: 0 })).toBe(
      "no isolate has reported in the last 30 s (isolates report while they serve requests)",
    );
    expect(isolatesLine({ reporting: 3, running_active: 2 })).toBe("2 of 3 reporting isolates run the active version");
  });
});

describe("explain's deciding rule", () => {
  const d = { policy_name: "payments", policy_version_id: "pv-1", rule: "data.payments.allow" };
  it("points at the rule body, or says plainly that no rule body produced the value", () => {
    expect(decidedBy({ ...d, location: { file: "payments.rego", row: 5, col: 1 } })).toBe(
      "payments pv-1 data.payments.allow at payments.rego:5",
    );
    const text = decidedBy({ ...d, location: null });
    expect(text).toBe("payments pv-1 data.payments.allow (no rule body produced a value, so there is no location to show)");
    expect(text).not.toContain("undefined");
  });
});
