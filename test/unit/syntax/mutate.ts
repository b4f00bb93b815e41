/**
 * Seeded mutations of Rego sources for fuzz tests: truncation, replaced
 * characters, shuffled, dropped or duplicated tokens, inserted keywords.
 */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [...'{}[]()|&:=.,;"`$\\#\n\t -+*/%<>!@_09aZ', ...["😀", "\u0000", "\ufeff", "\ud800", ":=", "==", '$"', "$`"]];
const FRAGMENTS = [
  ...["if", "else", "contains", "some", "every", "in", "with", "as", "not", "default", "import", "package"],
  ...["{", "}", "[x | ", '$"{', "set()", "1e400", "-.5"],
];

export function mutate(src: string, r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const at = (): number => Math.floor(r() * (src.length + 1));
  switch (Math.floor(r() * 6)) {
    case 0:
      return src.slice(0, at());
    case 1: {
      let s = src;
      const n = 1 + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const p = Math.floor(r() * (s.length + 1));
        s = s.slice(0, p) + pick(NOISE) + s.slice(p + 1);
      }
      return s;
    }
    case 2: {
      const toks = src.split(/(\s+)/);
      const i = Math.floor(r() * toks.length);
      const j = Math.floor(r() * toks.length);
      [toks[i], toks[j]] = [toks[j] as string, toks[i] as string];
      return toks.join("");
    }
    case 3: {
      const toks = src.split(/(\s+)/);
      const i = Math.floor(r() * toks.length);
      if (r() < 0.5) toks.splice(i, 1);
      else toks.splice(i, 0, toks[Math.floor(r() * toks.length)] ?? "");
      return toks.join("");
    }
    case 4: {
      const p = at();
      return src.slice(0, p) + ` ${pick(FRAGMENTS)} ` + src.slice(p);
    }
    default: {
      // cut out a random slice
      const a = at();
      const b = Math.min(src.length, a + Math.floor(r() * 40));
      return src.slice(0, a) + src.slice(b);
    }
  }
}
