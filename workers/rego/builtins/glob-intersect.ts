/**
 * regex.globs_match: whether two "regex globs" can match a common string, with
 * the semantics (and the limits) of github.com/yashtewari/glob-intersection,
 * the library OPA calls. A glob is a sequence of tokens — a character, `.`
 * (any character) or a set `[a-z…]` — each optionally followed by `+` or `*`;
 * `\` escapes. The algorithm is the library's greedy walk, not an exact
 * automaton intersection, so its answers (including its false negatives) are
 * reproduced rather than improved.
 */
import { builtinError } from "./args.js";

/** Token kinds, ordered as the library orders them in `Match`. */
const Kind = { Char: 0, Dot: 1, Set: 2 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const Flag = { None: 0, Plus: 1, Star: 2 } as const;
type Flag = (typeof Flag)[keyof typeof Flag];

interface Token {
  kind: Kind;
  flag: Flag;
  /** Kind.Char: the code point. */
  rune: number;
  /** Kind.Set: the members as sorted, disjoint, inclusive ranges. */
  ranges: [number, number][];
}

const INVALID = "the input provided is invalid";

/** The ranges of every token that is not a set: shared, never changed (normalize builds new arrays). */
const NO_RANGES: [number, number][] = [];

/** What `Tokenizer.rune` reads: a code point, with ESCAPED set when a `\\` came before it; END past the input. */
const ESCAPED = 1 << 21;
const END = -1;
const runeOf = (r: number): number => r & (ESCAPED - 1);
/** Where the next read starts after reading `r` at `index`. */
const after = (r: number, index: number): number => index + (r & ESCAPED ? 2 : 1);

class Tokenizer {
  constructor(
    private readonly input: number[],
    private readonly text: string,
  ) {}

  fail(index: number, message: string): never {
    throw builtinError(`input:${this.text}, pos:${index}, ${message}: ${INVALID}`);
  }

  /** The (possibly escaped) code point at `index`, packed (see ESCAPED); the library's `nextRune`. */
  rune(index: number): number {
    const input = this.input;
    if (index >= input.length) return END;
    if (input[index] === 0x5c /* \ */) {
      if (index < input.length - 1) return (input[index + 1] as number) | ESCAPED;
      this.fail(index, "input ends with a \\ (escape) character");
    }
    return input[index] as number;
  }

  tokens(): Token[] {
    const out: Token[] = [];
    let index = 0;
    for (;;) {
      const r = this.rune(index);
      if (r === END) return out;
      let token: Token;
      index = after(r, index);
      // An escaped character never equals these unescaped ones.
      if (r === 0x2e /* . */) {
        token = { kind: Kind.Dot, flag: Flag.None, rune: 0, ranges: NO_RANGES };
      } else if (r === 0x5d /* ] */) {
        this.fail(index, "set-close ']' with no preceding '['");
      } else if (r === 0x5b /* [ */) {
        const set = this.set(index);
        index = set.next;
        token = set.token;
      } else if (r === 0x2b || r === 0x2a /* + * */) {
        this.fail(index, `flag '${String.fromCodePoint(r)}' must be preceded by a non-flag`);
      } else {
        token = { kind: Kind.Char, flag: Flag.None, rune: runeOf(r), ranges: NO_RANGES };
      }
      // An unescaped + or * right after the token is its flag.
      const f = this.rune(index);
      if (f === 0x2b || f === 0x2a) {
        token.flag = f === 0x2b ? Flag.Plus : Flag.Star;
        index = after(f, index);
      }
      out.push(token);
    }
  }

  /** A set after its `[`; the library's `nextTokenSet`. */
  private set(start: number): { next: number; token: Token } {
    const ranges: [number, number][] = [];
    let prev = 0;
    let prevExists = false;
    let index = start;
    for (;;) {
      const r = this.rune(index);
      if (r === END) this.fail(index, "found [ without matching ]");
      index = after(r, index);
      if (r & ESCAPED) {
        prev = runeOf(r);
        ranges.push([prev, prev]);
        prevExists = true;
        continue;
      }
      if (r === 0x5d /* ] */) return { next: index, token: { kind: Kind.Set, flag: Flag.None, rune: 0, ranges: normalize(ranges) } };
      if (r !== 0x2d /* - */) {
        ranges.push([r, r]);
        prev = r;
        prevExists = true;
        continue;
      }
      if (!prevExists) this.fail(index, "range character '-' must be preceded by a Unicode character");
      if (index >= this.input.length - 1) this.fail(index, "range character '-' must be followed by a Unicode character");
      const hi = this.rune(index);
      index = after(hi, index);
      if (hi === 0x5d || hi === 0x2d) this.fail(index, "range character '-' cannot be followed by a special symbol");
      const hiRune = runeOf(hi);
      if (hiRune < prev) {
        this.fail(
          index,
          `range is out of order: '${String.fromCodePoint(hiRune)}' comes before '${String.fromCodePoint(prev)}' in Unicode`,
        );
      }
      ranges.push([prev, hiRune]);
      prevExists = false;
    }
  }
}

function normalize(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function inSet(r: number, ranges: [number, number][]): boolean {
  return ranges.some(([lo, hi]) => lo <= r && r <= hi);
}

/** Whether two tokens can match a common character (flags ignored). */
function match(a: Token, b: Token): boolean {
  if (a.kind > b.kind) [a, b] = [b, a];
  if (a.kind === Kind.Char) {
    if (b.kind === Kind.Char) return a.rune === b.rune;
    if (b.kind === Kind.Dot) return true;
    return inSet(a.rune, b.ranges);
  }
  if (a.kind === Kind.Dot) return true; // even against an empty set, as in the library
  return a.ranges.some(([lo, hi]) => b.ranges.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));
}

/** Same token content, flags aside. */
function sameToken(a: Token, b: Token): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === Kind.Char) return a.rune === b.rune;
  if (a.kind === Kind.Dot) return true;
  return a.ranges.length === b.ranges.length && a.ranges.every(([lo, hi], i) => lo === b.ranges[i]?.[0] && hi === b.ranges[i]?.[1]);
}

/** The library's `Simplify`: merges adjacent flagged copies of one token (t*t+ is t+). */
function simplify(tokens: Token[]): Token[] {
  if (tokens.length === 0) return tokens;
  const simple: Token[] = [tokens[0] as Token];
  let latest = tokens[0] as Token;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.flag !== Flag.None && latest.flag !== Flag.None && sameToken(t, latest)) {
      const last = simple[simple.length - 1] as Token;
      last.flag = t.flag === Flag.Plus || latest.flag === Flag.Plus ? Flag.Plus : Flag.Star;
      continue;
    }
    latest = t;
    simple.push(t);
  }
  return simple;
}

function parseGlob(text: string): Token[] {
  const input: number[] = [];
  for (const ch of text) input.push(ch.codePointAt(0) as number);
  return simplify(new Tokenizer(input, text).tokens());
}

/**
 * regex.globs_match(glob1, glob2). `charge` pays for the walk as it goes, one
 * unit per token pair compared: the library's backtracking is exponential
 * on some pairs of globs, so only the budget bounds it.
 */
export function globsIntersect(lhs: string, rhs: string, charge: (units: number) => void): boolean {
  const g1 = parseGlob(lhs);
  const g2 = parseGlob(rhs);
  const trimmed = trim(g1, g2);
  if (trimmed === undefined) return false;
  return intersect(trimmed[0], trimmed[1], charge);
}

/** Drops the matching unflagged prefix and suffix, keeping one token of each. */
function trim(g1: Token[], g2: Token[]): [Token[], Token[]] | undefined {
  let l = 0;
  for (; l < g1.length && l < g2.length && g1[l]!.flag === Flag.None && g2[l]!.flag === Flag.None; l++) {
    if (!match(g1[l]!, g2[l]!)) return undefined;
  }
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l && g1[r1]!.flag === Flag.None && g2[r2]!.flag === Flag.None; r1--, r2--) {
    if (!match(g1[r1]!, g2[r2]!)) return undefined;
  }
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return [g1.slice(l, r1 + 1), g2.slice(l, r2 + 1)];
}

/**
 * The library's intersectNormal, intersectSpecial, intersectPlus and
 * intersectStar, which recurse and slice, walked here over positions with an
 * explicit stack of the star loops in progress (their depth grows with the
 * globs). A call's answer depends only on the two positions and on which
 * glob comes first, and a true answer ends the whole walk, so every call
 * met again is one that failed: remembered, it is not walked twice.
 */
function intersect(g1: Token[], g2: Token[], charge: (units: number) => void): boolean {
  const stars: StarLoop[] = [];
  const failed = new Set<number>();
  let call: NormalCall | undefined = { x: g1, i: 0, y: g2, j: 0 };
  for (;;) {
    if (call !== undefined) {
      const outcome = normal(call, g1, g2.length, failed, charge);
      call = undefined;
      if (outcome === true) return true;
      if (outcome !== false) stars.push(outcome);
    }
    // Resume the innermost star loop: after a failed call, or from its start.
    const loop = stars[stars.length - 1];
    if (loop === undefined) return false;
    const { starred, s, other } = loop;
    const star = starred[s] as Token;
    const next = starred[s + 1];
    if (loop.awaiting) {
      loop.awaiting = false;
      if (!match(other[loop.k] as Token, star)) {
        failed.add((stars.pop() as StarLoop).call);
        continue;
      }
      loop.k++;
    }
    for (; loop.k < other.length; loop.k++) {
      charge(1);
      const t = other[loop.k] as Token;
      if (next !== undefined && match(t, next)) {
        const key = failedKey(starred === g1, s + 1, loop.k, g2.length);
        if (!failed.has(key)) {
          loop.awaiting = true;
          call = { x: starred, i: s + 1, y: other, j: loop.k };
          break;
        }
        if (!match(t, star)) break;
      } else if (!match(t, star)) break;
    }
    if (call !== undefined) continue;
    stars.pop();
    // A loop that ran past the end succeeds when its star was the glob's last token.
    if (loop.k >= other.length && next === undefined) return true;
    failed.add(loop.call);
  }
}

/** intersectNormal(x[i:], y[j:]). */
interface NormalCall {
  x: Token[];
  i: number;
  y: Token[];
  j: number;
}

/** intersectStar(starred[s:], other[k:]) in progress; `awaiting`: the call it made at k has not answered yet. */
interface StarLoop {
  /** the key of the intersectNormal call whose answer this loop gives */
  call: number;
  starred: Token[];
  s: number;
  other: Token[];
  k: number;
  awaiting: boolean;
}

/** A call's key among the failed ones: its two positions and which glob is x. */
function failedKey(xIsFirst: boolean, i: number, j: number, len2: number): number {
  // Positions run to the globs' lengths (inclusive); x's position is into g1 when x is g1.
  return xIsFirst ? 2 * (i * (len2 + 1) + j) + 1 : 2 * (j * (len2 + 1) + i);
}

/**
 * intersectNormal up to its answer, or to the star loop it hands over to
 * (intersectSpecial and intersectPlus folded in); a false answer is
 * remembered in `failed`.
 */
function normal(c: NormalCall, g1: Token[], len2: number, failed: Set<number>, charge: (units: number) => void): boolean | StarLoop {
  const { x, y } = c;
  let i = c.i;
  let j = c.j;
  const key = failedKey(x === g1, i, j, len2);
  for (; i < x.length && j < y.length; i++, j++) {
    charge(1);
    const a = x[i] as Token;
    const b = y[j] as Token;
    if (a.flag !== Flag.None || b.flag !== Flag.None) {
      // intersectSpecial: x's token decides when it is flagged, else y's.
      const xLeads = a.flag !== Flag.None;
      const head = xLeads ? a : b;
      if (head.flag === Flag.Plus && !match(head, xLeads ? b : a)) break;
      const k = (xLeads ? j : i) + (head.flag === Flag.Plus ? 1 : 0);
      return xLeads
        ? { call: key, starred: x, s: i, other: y, k, awaiting: false }
        : { call: key, starred: y, s: j, other: x, k, awaiting: false };
    }
    if (!match(a, b)) break;
  }
  if (i === x.length && j === y.length) return true;
  failed.add(key);
  return false;
}
