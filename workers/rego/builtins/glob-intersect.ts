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

/** Reads one (possibly escaped) code point; the library's `nextRune`. */
interface RuneRead {
  next: number;
  rune: number;
  escaped: boolean;
}

class Tokenizer {
  constructor(
    private readonly input: number[],
    private readonly text: string,
  ) {}

  fail(index: number, message: string): never {
    throw builtinError(`input:${this.text}, pos:${index}, ${message}: ${INVALID}`);
  }

  /** Undefined at the end of the input. */
  rune(index: number): RuneRead | undefined {
    const input = this.input;
    if (index >= input.length) return undefined;
    if (input[index] === 0x5c /* \ */) {
      if (index < input.length - 1) return { next: index + 2, rune: input[index + 1] as number, escaped: true };
      this.fail(index, "input ends with a \\ (escape) character");
    }
    return { next: index + 1, rune: input[index] as number, escaped: false };
  }

  tokens(): Token[] {
    const out: Token[] = [];
    let index = 0;
    for (;;) {
      const r = this.rune(index);
      if (r === undefined) return out;
      let token: Token;
      index = r.next;
      if (!r.escaped && r.rune === 0x2e /* . */) {
        token = { kind: Kind.Dot, flag: Flag.None, rune: 0, ranges: [] };
      } else if (!r.escaped && r.rune === 0x5d /* ] */) {
        this.fail(index, "set-close ']' with no preceding '['");
      } else if (!r.escaped && r.rune === 0x5b /* [ */) {
        const set = this.set(index);
        index = set.next;
        token = set.token;
      } else if (!r.escaped && (r.rune === 0x2b || r.rune === 0x2a) /* + * */) {
        this.fail(index, `flag '${String.fromCodePoint(r.rune)}' must be preceded by a non-flag`);
      } else {
        token = { kind: Kind.Char, flag: Flag.None, rune: r.rune, ranges: [] };
      }
      // An unescaped + or * right after the token is its flag.
      const f = this.rune(index);
      if (f !== undefined && !f.escaped && (f.rune === 0x2b || f.rune === 0x2a)) {
        token.flag = f.rune === 0x2b ? Flag.Plus : Flag.Star;
        index = f.next;
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
      if (r === undefined) this.fail(index, "found [ without matching ]");
      index = r.next;
      if (r.escaped) {
        ranges.push([r.rune, r.rune]);
        prev = r.rune;
        prevExists = true;
        continue;
      }
      if (r.rune === 0x5d /* ] */) return { next: index, token: { kind: Kind.Set, flag: Flag.None, rune: 0, ranges: normalize(ranges) } };
      if (r.rune !== 0x2d /* - */) {
        ranges.push([r.rune, r.rune]);
        prev = r.rune;
        prevExists = true;
        continue;
      }
      if (!prevExists) this.fail(index, "range character '-' must be preceded by a Unicode character");
      if (index >= this.input.length - 1) this.fail(index, "range character '-' must be followed by a Unicode character");
      const hi = this.rune(index) as RuneRead;
      index = hi.next;
      if (!hi.escaped && (hi.rune === 0x5d || hi.rune === 0x2d)) {
        this.fail(index, "range character '-' cannot be followed by a special symbol");
      }
      if (hi.rune < prev) {
        this.fail(
          index,
          `range is out of order: '${String.fromCodePoint(hi.rune)}' comes before '${String.fromCodePoint(prev)}' in Unicode`,
        );
      }
      ranges.push([prev, hi.rune]);
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
  const input = Array.from(text, (ch) => ch.codePointAt(0) as number);
  return simplify(new Tokenizer(input, text).tokens());
}

/** regex.globs_match(glob1, glob2). */
export function globsIntersect(lhs: string, rhs: string): boolean {
  let g1 = parseGlob(lhs);
  let g2 = parseGlob(rhs);
  const trimmed = trim(g1, g2);
  if (trimmed === undefined) return false;
  [g1, g2] = trimmed;
  return intersectNormal(g1, g2);
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

function intersectNormal(g1: Token[], g2: Token[]): boolean {
  let i = 0;
  let j = 0;
  for (; i < g1.length && j < g2.length; i++, j++) {
    const a = g1[i]!;
    const b = g2[j]!;
    if (a.flag === Flag.None && b.flag === Flag.None) {
      if (!match(a, b)) return false;
    } else {
      return intersectSpecial(g1.slice(i), g2.slice(j));
    }
  }
  return i === g1.length && j === g2.length;
}

function intersectSpecial(g1: Token[], g2: Token[]): boolean {
  if (g1[0]!.flag !== Flag.None) {
    return g1[0]!.flag === Flag.Plus ? intersectPlus(g1, g2) : intersectStar(g1, g2);
  }
  return g2[0]!.flag === Flag.Plus ? intersectPlus(g2, g1) : intersectStar(g2, g1);
}

function intersectPlus(plussed: Token[], other: Token[]): boolean {
  if (!match(plussed[0]!, other[0]!)) return false;
  return intersectStar(plussed, other.slice(1));
}

/** Lets the starred token absorb tokens of `other` until the rest intersects. */
function intersectStar(starred: Token[], other: Token[]): boolean {
  const star = starred[0]!;
  const next = starred[1];
  for (let i = 0; i < other.length; i++) {
    const t = other[i]!;
    if (next !== undefined && match(t, next)) {
      if (intersectNormal(starred.slice(1), other.slice(i))) return true;
      if (!match(t, star)) return false;
    } else if (!match(t, star)) {
      return false;
    }
  }
  return next === undefined;
}
